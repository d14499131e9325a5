# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud API 3.0: options, signed calls, the ``Response`` envelope and throttling codes.

PRIVATE to this collection; no stability promise.

Business errors arrive as HTTP 200 with ``Response.Error``; any other status is a gateway or transport failure.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError, redact
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._rate_limit import RateLimiter
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._retry import (
    DEFAULT_BASE_DELAY,
    RetryPolicy,
    check_retry_params,
    parse_retry_after,
    retry_settings,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent_signer import signed_headers
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._transport import Transport
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._version import USER_AGENT

DEFAULT_ENDPOINT = "https://batch.tencentcloudapi.com"
DEFAULT_RATE_LIMIT = 20.0

TENCENTCLOUD_ARGUMENT_SPEC = dict(
    secret_id=dict(type="str", no_log=False, fallback=(env_fallback, ["TENCENTCLOUD_SECRET_ID"])),
    secret_key=dict(type="str", no_log=True, fallback=(env_fallback, ["TENCENTCLOUD_SECRET_KEY"])),
    security_token=dict(
        type="str", no_log=True, fallback=(env_fallback, ["TENCENTCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_TOKEN"])
    ),
    region=dict(type="str", fallback=(env_fallback, ["TENCENTCLOUD_REGION"])),
    endpoint=dict(type="str", default=DEFAULT_ENDPOINT),
    validate_certs=dict(type="bool", default=True),
    ca_bundle=dict(type="path"),
    timeout=dict(type="float", default=30.0),
    max_retries=dict(type="int", default=8),
    retry_delay=dict(type="float", default=DEFAULT_BASE_DELAY),
    rate_limit=dict(type="float", default=DEFAULT_RATE_LIMIT),
)

SERVICE_LABEL = "Tencent Cloud Batch"


class TencentRetryPolicy(RetryPolicy):
    # Throttling: RequestLimitExceeded and its .UinLimitExceeded / .IPLimitExceeded / ... variants.
    # LimitExceeded.* are quota errors and are never retried.
    throttling_codes = ("RequestLimitExceeded",)
    throttling_prefixes = ("RequestLimitExceeded.",)

    # Failed inside the service. Safe to repeat for every call made here: DeleteJob of a job that is gone
    # answers ResourceNotFound (success for state=absent), TerminateJob of a finished job does nothing.
    retryable_codes = ("InternalError", "ServiceUnavailable")


class TencentCloudConnection:
    """Signed API 3.0 calls to one Tencent Cloud service for one module run."""

    def __init__(self, params, transport, policy, limiter, service="batch", version="2017-03-12"):
        self.params = params
        self.transport = transport
        self.policy = policy
        self.limiter = limiter
        self.service = service
        self.version = version
        self.url = (params.get("endpoint") or DEFAULT_ENDPOINT).rstrip("/") + "/"
        self.host = urlsplit(self.url).netloc
        self._secrets = [s for s in (params.get("secret_key"), params.get("security_token")) if s]

    @classmethod
    def from_params(cls, params, service="batch", version="2017-03-12", read_only=False, debug=None):
        check_params(params)
        transport = Transport.from_params(params, read_only=read_only, debug=debug)
        policy = TencentRetryPolicy(**retry_settings(params, default_retries=8))
        return cls(params, transport, policy, RateLimiter(params.get("rate_limit") or DEFAULT_RATE_LIMIT),
                   service=service, version=version)

    def close(self):
        self.transport.close()

    def call(self, action, params, mutating=False):
        """Call ``action``; returns the ``Response`` object (without ``Error``)."""
        body = json.dumps(params).encode("utf-8")
        p = self.params

        def sign():
            headers = signed_headers(action, self.version, p.get("region"), p["secret_id"], p["secret_key"],
                                     p.get("security_token"), self.service, self.host, body, int(time.time()),
                                     client=USER_AGENT)
            return "POST", self.url, headers, body

        def parse(response):
            return self._parse(action, response)

        return self.transport.send(SERVICE_LABEL, action, sign, parse, self.policy, mutating=mutating,
                                   limiter=self.limiter)

    def _parse(self, action, response):
        if response.status_code != 200:
            raise ApiError(SERVICE_LABEL, action, "the API gateway answered HTTP %d" % response.status_code,
                           status=response.status_code, code="HTTP%d" % response.status_code,
                           retry_after=parse_retry_after(response.headers.get("Retry-After")))
        try:
            envelope = response.json()
            result = envelope["Response"]
        except (ValueError, KeyError, TypeError):
            raise ApiError(SERVICE_LABEL, action, "the answer is not an API 3.0 JSON envelope", status=200,
                           code="MalformedResponse")
        error = result.get("Error")
        if error:
            raise ApiError(SERVICE_LABEL, action, redact(str(error.get("Message") or ""), self._secrets), status=200, code=error.get("Code"),
                           request_id=result.get("RequestId"))
        return result


def check_params(params):
    missing = [name for name in ("secret_id", "secret_key") if not params.get(name)]
    if missing:
        raise ConfigurationError(
            "missing Tencent Cloud credentials: set %s (environment variables TENCENTCLOUD_SECRET_ID and "
            "TENCENTCLOUD_SECRET_KEY)" % " and ".join(missing)
        )
    if not params.get("region"):
        raise ConfigurationError(
            "missing Tencent Cloud region: set region (environment variable TENCENTCLOUD_REGION), e.g. ap-guangzhou"
        )
    if params.get("rate_limit") is not None and params["rate_limit"] <= 0:
        raise ConfigurationError("rate_limit must be greater than zero (requests per second)")
    if params.get("timeout") is not None and params["timeout"] <= 0:
        raise ConfigurationError("timeout must be greater than zero")
    check_retry_params(params)
