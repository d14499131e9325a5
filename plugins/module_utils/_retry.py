# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""When to retry a failed call and how long to wait first. PRIVATE to this collection; no stability promise.

Provider-neutral: each cloud subclasses ``RetryPolicy`` with its own throttling codes. Waits are capped
exponential backoff with full jitter (a random wait between 0 and the cap), so that concurrent workers and
concurrent runs do not retry in lock-step; a ``Retry-After`` from the service is honoured when it is longer.
Retrying a delete is safe here: deletes are idempotent and a record that is already gone is success. A code is
read before the status: a 500 that carries the service's own code (MRS 0161, 0176, 0183: OTC's error table lists
them with 500) is an answer, not a fault, and is never retried; 502, 503 and 504 are retried whatever they carry.
``base_delay`` is the ``retry_delay`` option: the cap of the first wait, doubled for each further retry.

The decision and the budget live here, once, for both clouds: subclasses only declare their throttling and
retryable codes. What cannot recover within a run is never retried: a refused connection (nothing listens on
the endpoint's port: the host answers at once, and cloud API gateways answer 502/503 rather than refuse while a
backend restarts), a host name that does not exist and an invalid URL are configuration errors, and retrying
them only delays the message that says which endpoint was wrong by a minute. A dropped or reset connection,
a timeout or a resolver that could not answer right now may recover, and is retried.
"""

from __future__ import annotations

import random
import time

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ConfigurationError

# Transport failures: nothing reached the service, or nothing usable came back.
TRANSPORT_CODES = ("ConnectionError", "Timeout", "MalformedResponse")
# Transport failures that point at a wrong endpoint (or proxy): retrying cannot help, so they fail at once.
FAIL_FAST_CODES = ("ConnectionRefused", "NameResolutionError", "InvalidURL", "InvalidRequest", "SSLError")
# Server-side failures: the request was not handled. Deletes are idempotent, so they are retried too.
RETRYABLE_STATUSES = (500, 502, 503, 504)
DEFAULT_BASE_DELAY = 0.5


class RetryPolicy:
    throttling_codes = ()
    throttling_prefixes = ()
    retryable_codes = ()
    gateway_code_prefixes = None  # the codes of the cloud's API gateway; any other code on a 500 is the service's

    def __init__(self, max_retries=5, base_delay=DEFAULT_BASE_DELAY, max_delay=20.0, max_retry_after=60.0, rng=random.random):
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after
        self._rng = rng

    def is_throttling(self, error):
        code = error.code or ""
        return error.status == 429 or code in self.throttling_codes or code.startswith(self.throttling_prefixes)

    def is_retryable(self, error):
        """Whether another attempt can succeed. The same for reads and deletes: every delete here is idempotent
        (a record already gone is success), so a call that may have been applied is safe to send again."""
        if error.status is None and error.code in FAIL_FAST_CODES:
            return False
        if getattr(error, "permission_denied", False):  # whatever its status: the same credential is refused again
            return False
        if self.is_throttling(error):
            return True
        if error.code in TRANSPORT_CODES or (error.code or "") in self.retryable_codes:
            return True
        if error.status == 500 and self.is_service_answer(error):
            return False  # the service's own code is its answer, whatever the status: asking again gets it again
        return error.status in RETRYABLE_STATUSES

    def is_service_answer(self, error):
        """Whether ``error`` carries the service's own code (a business answer), not a gateway's (``gateway_code_prefixes``)
        or the transport's (``HTTP<status>``). A cloud that declares no gateway prefixes has no such answers on a 500."""
        code = error.code or ""
        if self.gateway_code_prefixes is None or not code or code == "HTTP%s" % error.status:
            return False
        return not code.startswith(self.gateway_code_prefixes)

    def delay(self, attempt, error=None):
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        cap = min(self.max_delay, self.base_delay * (2 ** attempt))
        wait = self._rng() * cap
        retry_after = getattr(error, "retry_after", None)
        if retry_after:
            wait = max(wait, min(float(retry_after), self.max_retry_after))
        return wait


def retry_settings(params, default_retries):
    """``RetryPolicy`` keyword arguments from the ``max_retries`` and ``retry_delay`` options."""
    retries = params.get("max_retries")
    delay = params.get("retry_delay")
    return {
        "max_retries": default_retries if retries is None else retries,
        "base_delay": DEFAULT_BASE_DELAY if delay is None else delay,
    }


def check_retry_params(params):
    if params.get("max_retries") is not None and params["max_retries"] < 0:
        raise ConfigurationError("max_retries must be zero or more, got %d" % params["max_retries"])
    if params.get("retry_delay") is not None and params["retry_delay"] < 0:
        raise ConfigurationError("retry_delay must be zero or more seconds, got %s" % params["retry_delay"])


def parse_retry_after(value, now=None):
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_tz, mktime_tz

    parsed = parsedate_tz(value)
    if parsed is None:
        return None
    return max(0.0, mktime_tz(parsed) - (time.time() if now is None else now))
