# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP for every module: one keep-alive session per run and the collection's single retry loop.

PRIVATE to this collection; no stability promise.

The cloud layers (``_huawei.py``, ``_tencent.py``) hand ``Transport.send`` a fresh ``sign()`` per attempt
(signatures carry timestamps), a ``parse()`` that raises ``ApiError`` for the service's own errors, and a
``RetryPolicy``. Proxies come from the environment (``HTTPS_PROXY``, ``NO_PROXY``) as ``requests`` reads them.

A request that gets no answer becomes an ``ApiError`` whose code says why (``classify_connection_failure``):
``ConnectionRefused`` and ``NameResolutionError`` (a wrong endpoint, never retried), ``ConnectionError``
(dropped, reset or otherwise failed: retried), ``Timeout``, ``SSLError``, ``InvalidURL``, ``InvalidRequest``.
When the loop gives up, the error records the attempts, the time they took and the endpoint's host.
"""

from __future__ import annotations

import errno
import socket
import time
import traceback
from urllib.parse import urlsplit

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, CloudJobsError, check_range
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._paging import DEFAULT_LIST_CONCURRENCY, MAX_LIST_CONCURRENCY
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
# Connections kept open per host: enough for the concurrent delete workers and list pages.
POOL_SIZE = MAX_LIST_CONCURRENCY


class Transport:
    def __init__(self, timeout=30.0, validate_certs=True, ca_bundle=None, user_agent=USER_AGENT, read_only=False,
                 session=None, debug=None, sleep=time.sleep, clock=time.monotonic, list_concurrency=1):
        self.timeout = (min(CONNECT_TIMEOUT, timeout), timeout)
        self.list_concurrency = list_concurrency  # list pages fetched at a time (_paging.py)
        self.read_only = read_only
        self.user_agent = user_agent
        # The run's gate (_run_control.RunControl), asked before every attempt: no call starts once the time budget
        # is spent or the run was cancelled. None: every call may start.
        self.control = None
        self._debug = debug
        self._sleep = sleep
        self._clock = clock
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
        """A transport configured by the options both clouds share (timeout, validate_certs, ca_bundle,
        list_concurrency); an out-of-range value is refused here, before any request."""
        concurrency = check_range(params.get("list_concurrency"), "list_concurrency", maximum=MAX_LIST_CONCURRENCY)
        return cls(
            list_concurrency=DEFAULT_LIST_CONCURRENCY if concurrency is None else concurrency,
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
        started = self._clock()
        url = None
        last_error = None
        while True:
            if self.control is not None:
                self.control.admit(limiter, last_error, ordered=mutating)  # the one gate: turn, rate limit, budget, cancel
            elif limiter is not None:
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
                    raise _transport_error(service, operation, exc, endpoint_host(url))
                result = parse(response)
            except ApiError as error:
                throttled = policy.is_throttling(error)
                if throttled and limiter is not None:
                    limiter.on_throttled()
                if attempt >= policy.max_retries or not policy.is_retryable(error):
                    error.attempts = attempt + 1
                    error.elapsed = max(0.0, self._clock() - started)
                    error.host = endpoint_host(url)
                    raise
                wait = policy.delay(attempt, error)
                self.debug("%s %s: %s; retry %d of %d in %.2f s"
                           % (service, operation, error.code or error.status, attempt + 1, policy.max_retries, wait))
                attempt += 1
                error.attempts, error.host = attempt, endpoint_host(url)  # if the gate refuses the retry
                if self.control is not None:
                    self.control.pause(wait, error)  # cut short by a cancel, a signal or the budget's end
                else:
                    self._sleep(wait)
                last_error = error
                continue
            if limiter is not None:
                limiter.on_success()
            self.debug("%s %s: HTTP %s after %d attempt(s)" % (service, operation, response.status_code, attempt + 1))
            return result


REFUSED = "refused"
UNRESOLVED = "unresolved"
RESOLVER_BUSY = "resolver busy"
DROPPED = "dropped"
# getaddrinfo's "try again": the resolver did not answer in time, which may pass (the name may well exist).
_EAI_AGAIN = getattr(socket, "EAI_AGAIN", None)
# Raised when a kept-alive connection is dropped or reset before or while the answer comes.
_DROPPED_TYPES = ("RemoteDisconnected", "ProtocolError", "IncompleteRead", "BadStatusLine", "ChunkedEncodingError")


def exception_chain(exc, limit=20):
    """``exc`` and what it wraps: ``__cause__``, ``__context__``, urllib3's ``reason`` and exceptions in ``args``."""
    chain, todo, seen = [], [exc], set()
    while todo and len(chain) < limit:
        link = todo.pop(0)
        if not isinstance(link, BaseException) or id(link) in seen:
            continue
        seen.add(id(link))
        chain.append(link)
        todo.extend([link.__cause__, link.__context__, getattr(link, "reason", None)])
        todo.extend(arg for arg in getattr(link, "args", ()) if isinstance(arg, BaseException))
    return chain


def classify_connection_failure(exc):
    """Why a request got no answer: ``REFUSED`` (nothing listens on that host and port), ``UNRESOLVED`` (the host
    name does not exist), ``RESOLVER_BUSY`` (DNS did not answer in time), ``DROPPED`` (the connection was closed
    or reset before the answer) or None (anything else)."""
    chain = exception_chain(exc)
    for link in chain:
        if isinstance(link, OSError) and link.errno == errno.ECONNREFUSED:
            return REFUSED
        if isinstance(link, socket.gaierror) or type(link).__name__ == "NameResolutionError":
            reason = link if isinstance(link, socket.gaierror) else next(
                (cause for cause in chain if isinstance(cause, socket.gaierror)), None)
            if reason is not None and _EAI_AGAIN is not None and reason.errno == _EAI_AGAIN:
                return RESOLVER_BUSY
            return UNRESOLVED
    for link in chain:
        if isinstance(link, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)) \
                or type(link).__name__ in _DROPPED_TYPES:
            return DROPPED
    return None


def endpoint_host(url):
    """``scheme://host:port`` of ``url`` (the default port made explicit), or None: never user info, path or query."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except (ValueError, TypeError):
        return None
    if not parts.scheme or not parts.hostname:
        return None
    host = parts.netloc.rpartition("@")[2]
    if port is None:
        default = {"http": 80, "https": 443}.get(parts.scheme.lower())
        host = host + (":%d" % default if default else "")
    return "%s://%s" % (parts.scheme.lower(), host)


def _transport_error(service, operation, exc, host=None):
    """An ApiError for a request that got no usable answer; the text never includes headers, a path or a query."""
    where = host or "the endpoint"
    proxy = any(type(link).__name__ == "ProxyError" for link in exception_chain(exc))
    via = " through the proxy (HTTPS_PROXY / HTTP_PROXY)" if proxy else ""
    check = "check HTTPS_PROXY, HTTP_PROXY and NO_PROXY" if proxy else "check the endpoint (or region)"
    hint = None
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                        requests.exceptions.MissingSchema)):
        code, text = "InvalidURL", "the endpoint is not a valid http(s) URL (%s)" % type(exc).__name__
        hint = "check the endpoint (or region)"
    elif isinstance(exc, ValueError):  # InvalidHeader, a header that cannot be encoded: never sent or retried
        code, text = "InvalidRequest", ("the request could not be built (%s): check endpoint and credentials for stray "
                                        "characters" % type(exc).__name__)
    elif isinstance(exc, requests.exceptions.SSLError):
        code, text = "SSLError", "TLS verification failed (%s); set ca_bundle to your CA, or validate_certs=false" % _first_line(exc)
    elif isinstance(exc, requests.exceptions.Timeout):
        code, text = "Timeout", "no answer from %s within the timeout" % where
    elif isinstance(exc, requests.exceptions.ConnectionError):
        kind = classify_connection_failure(exc)
        if kind == REFUSED:
            code, text, hint = "ConnectionRefused", "connection refused by %s%s" % (where, via), check
        elif kind == UNRESOLVED:
            code, text = "NameResolutionError", "the host name of %s does not resolve%s" % (where, via)
            hint = check if proxy else "check the endpoint (or region) for typos"
        elif kind == RESOLVER_BUSY:
            code, text = "ConnectionError", "the host name of %s could not be resolved right now%s" % (where, via)
        elif kind == DROPPED:
            code, text = "ConnectionError", "the connection to %s was dropped before the answer (%s)" % (where, _root(exc))
        else:
            code, text = "ConnectionError", "connection to %s failed%s (%s)" % (where, via, _root(exc))
    else:
        code, text = "ConnectionError", "request to %s failed: %s" % (where, type(exc).__name__)
    return ApiError(service, operation, text, code=code, hint=hint)


def _root(exc):
    """The underlying error below the HTTP libraries' wrappers, e.g. ``ConnectionResetError: Connection reset by
    peer``: its type and OS error text, never the wrappers' text (which quotes the URL's path)."""
    chain = exception_chain(exc)
    inner = [link for link in chain if not type(link).__module__.startswith(("requests", "urllib3"))]
    link = inner[0] if inner else chain[-1]
    detail = getattr(link, "strerror", None) or (str(link).splitlines() or [""])[0][:120]
    return "%s: %s" % (type(link).__name__, detail) if detail else type(link).__name__


def _first_line(exc):
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]
