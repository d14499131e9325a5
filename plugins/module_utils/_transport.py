# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP for every module: one keep-alive session per run and the collection's single retry loop.

PRIVATE to this collection; no stability promise.

The cloud layers (``_huawei.py``, ``_tencent.py``) hand ``Transport.send`` a fresh ``sign()`` per attempt
(signatures carry timestamps), a ``parse()`` that raises ``ApiError`` for the service's own errors, and a
``RetryPolicy``. Proxies come from the environment (``HTTPS_PROXY``, ``NO_PROXY``) as ``requests`` reads them.
"""

from __future__ import annotations

import time
import traceback

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, CloudJobsError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._version import USER_AGENT

try:
    import requests

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # the module reports it with missing_required_lib()
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

CONNECT_TIMEOUT = 10.0
# Connections kept open per host: enough for the concurrent delete workers.
POOL_SIZE = 16


class Transport:
    def __init__(self, timeout=30.0, validate_certs=True, ca_bundle=None, user_agent=USER_AGENT, read_only=False,
                 session=None, debug=None, sleep=time.sleep):
        self.timeout = (min(CONNECT_TIMEOUT, timeout), timeout)
        self.read_only = read_only
        self.user_agent = user_agent
        self._debug = debug
        self._sleep = sleep
        if session is None:
            session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
        # Passed with every request too: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session's
        # verify, which would silently ignore ca_bundle and validate_certs=false on machines that set them.
        self.verify = ca_bundle if (ca_bundle and validate_certs) else bool(validate_certs)
        session.verify = self.verify
        self.session = session

    @classmethod
    def from_params(cls, params, read_only=False, debug=None):
        """A transport configured by the options both clouds share (timeout, validate_certs, ca_bundle)."""
        return cls(
            timeout=params.get("timeout") or 30.0,
            validate_certs=params.get("validate_certs", True),
            ca_bundle=params.get("ca_bundle"),
            read_only=read_only,
            debug=debug,
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.session.close()

    def debug(self, message):
        if self._debug is not None:
            self._debug(message)

    def send(self, service, operation, sign, parse, policy, mutating=False, limiter=None):
        """Send one API call, retrying what ``policy`` allows; returns ``parse(response)``.

        ``sign()`` returns ``(method, url, headers, body)`` signed for this attempt.
        """
        if mutating and self.read_only:
            raise CloudJobsError(
                "refusing to send %s %s in check mode: it would change something" % (service, operation)
            )
        attempt = 0
        while True:
            if limiter is not None:
                limiter.acquire()
            try:
                method, url, headers, body = sign()
            except CloudJobsError:
                raise
            except Exception as exc:  # pylint: disable=broad-exception-caught
                # Only the type: the text of an error inside the signer could quote a key or a token.
                raise CloudJobsError("could not sign the %s %s request (%s); check the credentials for stray "
                                     "characters" % (service, operation, type(exc).__name__))
            headers = dict(headers, **{"User-Agent": self.user_agent})
            try:
                try:
                    response = self.session.request(method, url, headers=headers, data=body, timeout=self.timeout,
                                                    verify=self.verify, allow_redirects=False)
                except (requests.exceptions.RequestException, UnicodeError) as exc:
                    raise _transport_error(service, operation, exc)
                result = parse(response)
            except ApiError as error:
                throttled = policy.is_throttling(error)
                if throttled and limiter is not None:
                    limiter.on_throttled()
                if attempt >= policy.max_retries or not policy.is_retryable(error, mutating):
                    raise
                wait = policy.delay(attempt, error)
                self.debug("%s %s: %s; retry %d of %d in %.2f s"
                           % (service, operation, error.code or error.status, attempt + 1, policy.max_retries, wait))
                self._sleep(wait)
                attempt += 1
                continue
            if limiter is not None:
                limiter.on_success()
            self.debug("%s %s: HTTP %s after %d attempt(s)" % (service, operation, response.status_code, attempt + 1))
            return result


def _transport_error(service, operation, exc):
    """An ApiError for a request that got no usable answer; the text never includes headers."""
    if isinstance(exc, ValueError):  # InvalidHeader, InvalidURL, a header that cannot be encoded: never sent or retried
        code, text = "InvalidRequest", ("the request could not be built (%s): check endpoint and credentials for stray "
                                        "characters" % type(exc).__name__)
    elif isinstance(exc, requests.exceptions.SSLError):
        code, text = "SSLError", "TLS verification failed (%s); set ca_bundle to your CA, or validate_certs=false" % _first_line(exc)
    elif isinstance(exc, requests.exceptions.Timeout):
        code, text = "Timeout", "no answer within the timeout"
    elif isinstance(exc, requests.exceptions.ConnectionError):
        code, text = "ConnectionError", "connection failed: %s" % _first_line(exc)
    else:
        code, text = "ConnectionError", "request failed: %s" % type(exc).__name__
    return ApiError(service, operation, text, code=code)


def _first_line(exc):
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]
