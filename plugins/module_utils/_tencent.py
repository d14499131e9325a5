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

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._credentials import Credentials, CurrentCredentials
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError, redact
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._rate_limit import RateLimiter
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._paging import DEFAULT_LIST_CONCURRENCY
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._permissions import (
    denial_hint,
    is_tencent_denial,
    required_actions,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._path_values import checked_params
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._path_values import region as checked_region
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._retry import (
    DEFAULT_BASE_DELAY,
    RetryPolicy,
    check_retry_params,
    parse_retry_after,
    retry_settings,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent_credentials import (
    DEFAULT_METADATA_ENDPOINT,
    DEFAULT_PROFILE,
    DEFAULT_SHARED_CREDENTIALS_DIR,
    DEFAULT_STS_ENDPOINT,
    STS_SERVICE,
    STS_VERSION,
    InstanceMetadata,
    credential_chain,
    plan_credentials,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent_signer import signed_headers
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._transport import Transport
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._version import USER_AGENT

DEFAULT_ENDPOINT = "https://batch.tencentcloudapi.com"
DEFAULT_RATE_LIMIT = 20.0
DEFAULT_MAX_RETRIES = 8  # the max_retries option's default: the spec's and the connection's, one source

TENCENTCLOUD_ARGUMENT_SPEC = dict(
    secret_id=dict(type="str", no_log=False, fallback=(env_fallback, ["TENCENTCLOUD_SECRET_ID"])),
    secret_key=dict(type="str", no_log=True, fallback=(env_fallback, ["TENCENTCLOUD_SECRET_KEY"])),
    security_token=dict(
        type="str", no_log=True, fallback=(env_fallback, ["TENCENTCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_TOKEN"])
    ),
    region=dict(type="str", fallback=(env_fallback, ["TENCENTCLOUD_REGION"])),
    profile=dict(type="str", default=DEFAULT_PROFILE, fallback=(env_fallback, ["TENCENTCLOUD_PROFILE"])),
    shared_credentials_dir=dict(type="path", default=DEFAULT_SHARED_CREDENTIALS_DIR,
                                fallback=(env_fallback, ["TENCENTCLOUD_SHARED_CREDENTIALS_DIR"])),
    # Each member falls back to its TENCENTCLOUD_ASSUME_ROLE_* variable in _tencent_credentials (not here: Ansible
    # applies no fallback inside a dict that was not given).
    assume_role=dict(type="dict", options=dict(
        role_arn=dict(type="str"),
        session_name=dict(type="str"),
        session_duration=dict(type="int"),
    )),
    sts_endpoint=dict(type="str", default=DEFAULT_STS_ENDPOINT),
    cam_role_name=dict(type="str", fallback=(env_fallback, ["TENCENTCLOUD_CAM_ROLE_NAME"])),
    instance_credentials=dict(type="bool", default=False),
    metadata_endpoint=dict(type="str", default=DEFAULT_METADATA_ENDPOINT),
    endpoint=dict(type="str", default=DEFAULT_ENDPOINT),
    validate_certs=dict(type="bool", default=True),
    ca_bundle=dict(type="path"),
    timeout=dict(type="float", default=30.0),
    max_retries=dict(type="int", default=DEFAULT_MAX_RETRIES),
    retry_delay=dict(type="float", default=DEFAULT_BASE_DELAY),
    rate_limit=dict(type="float", default=DEFAULT_RATE_LIMIT),
    list_concurrency=dict(type="int", default=DEFAULT_LIST_CONCURRENCY),
)

SERVICE_LABEL = "Tencent Cloud Batch"
SERVICE_LABELS = {"batch": SERVICE_LABEL, STS_SERVICE: "Tencent Cloud STS"}
# The answer in a region the service does not serve (an API 3.0 common error); its message names no region.
UNSUPPORTED_REGION = "UnsupportedRegion"
# The answer to a call signed with an expired (or otherwise refused) temporary token.
TOKEN_FAILURE = "AuthFailure.TokenFailure"


class TencentRetryPolicy(RetryPolicy):
    # Throttling: RequestLimitExceeded and its .UinLimitExceeded / .IPLimitExceeded / ... variants.
    # LimitExceeded.* are quota errors and are never retried.
    throttling_codes = ("RequestLimitExceeded",)
    throttling_prefixes = ("RequestLimitExceeded.",)

    # Failed inside the service. Safe to repeat for every call made here: DeleteJob of a job that is gone
    # answers ResourceNotFound (success for state=absent), TerminateJob of a finished job does nothing.
    retryable_codes = ("InternalError", "ServiceUnavailable")


class TencentCloudConnection:
    """Signed API 3.0 calls to one Tencent Cloud service for one module run.

    Each attempt is signed with ``credentials.get()`` (a ``CurrentCredentials``: long-lived keys, or temporary ones
    fetched again shortly before they expire). A call refused with ``AuthFailure.TokenFailure`` while signed with
    temporary credentials is sent once more with new ones; a second refusal fails.
    """

    def __init__(self, params, transport, policy, limiter, service="batch", version="2017-03-12", credentials=None,
                 region=None, endpoint=None, secret_holders=None):
        self.params = params
        self.transport = transport
        self.policy = policy
        self.limiter = limiter
        self.service = service
        self.version = version
        self.label = SERVICE_LABELS.get(service, "Tencent Cloud %s" % service)
        self.url = (endpoint or params.get("endpoint") or DEFAULT_ENDPOINT).rstrip("/") + "/"
        self.host = urlsplit(self.url).netloc
        self.region = region if region is not None else params.get("region")
        if credentials is None:
            keys = Credentials(params.get("secret_id"), params.get("secret_key"), params.get("security_token"))
            credentials = CurrentCredentials(lambda: keys)
        self.credentials = credentials
        # Every CurrentCredentials behind these (the keys that assume a role, too): their secrets are scrubbed.
        self._holders = list(secret_holders or [credentials])

    @property
    def _secrets(self):
        secrets = []
        for holder in self._holders:
            secrets.extend(s for s in holder.secrets() if s not in secrets)
        return secrets

    @classmethod
    def from_params(cls, params, service="batch", version="2017-03-12", read_only=False, debug=None):
        """The connection of a module run: options checked and credentials resolved (reads only: check mode may
        fetch temporary credentials) before the first call."""
        params = checked_params(params, regions=[("region", "region (TENCENTCLOUD_REGION)")],
                                endpoints=[("endpoint", "endpoint"), ("sts_endpoint", "sts_endpoint"),
                                           ("metadata_endpoint", "metadata_endpoint")])
        plan, region = check_params(params)
        transport = Transport.from_params(params, read_only=read_only, debug=debug)
        try:
            policy = TencentRetryPolicy(**retry_settings(params, default_retries=DEFAULT_MAX_RETRIES))

            def metadata():
                return InstanceMetadata(transport, policy, params.get("metadata_endpoint"), plan.cam_role_name)

            def sts(source):
                # Not rate limited: the limiter paces the service's own calls.
                return cls(params, transport, policy, None, service=STS_SERVICE, version=STS_VERSION,
                           credentials=source, region=region,
                           endpoint=params.get("sts_endpoint") or DEFAULT_STS_ENDPOINT)

            credentials, holders = credential_chain(plan, metadata=metadata, sts=sts)
            connection = cls(params, transport, policy, RateLimiter(params.get("rate_limit") or DEFAULT_RATE_LIMIT),
                             service=service, version=version, credentials=credentials, region=region,
                             secret_holders=holders)
            transport.debug("Tencent Cloud credentials: %s" % plan.source)
            credentials.get()  # a source that cannot hand out keys fails here, before the first call
        except BaseException:
            transport.close()
            raise
        return connection

    def close(self):
        self.transport.close()

    @property
    def list_concurrency(self):
        """List pages fetched at a time after the first (the ``list_concurrency`` option)."""
        return self.transport.list_concurrency

    def call(self, action, params, mutating=False):
        """Call ``action``; returns the ``Response`` object (without ``Error``)."""
        body = json.dumps(params).encode("utf-8")
        used = []

        def sign():
            credentials = self.credentials.get()
            used.append(credentials)
            headers = signed_headers(action, self.version, self.region, credentials.key_id, credentials.secret,
                                     credentials.token, self.service, self.host, body, int(time.time()),
                                     client=USER_AGENT)
            return "POST", self.url, headers, body

        def parse(response):
            return self._parse(action, response, used[-1] if used else None)

        def send():
            return self.transport.send(self.label, action, sign, parse, self.policy, mutating=mutating,
                                       limiter=self.limiter)

        try:
            return send()
        except ApiError as error:
            if error.code != TOKEN_FAILURE or not used:
                raise
            stale = used[-1]
            if not self.credentials.refresh(stale):
                if stale.token and error.hint is None:
                    error.hint = ("the token (security_token) is fixed and cannot be refreshed: renew it, or use a "
                                  "source that refreshes (assume_role, cam_role_name, instance_credentials)")
                raise
        self.transport.debug("%s %s: %s with temporary credentials of %s; sent again with new ones"
                             % (self.label, action, TOKEN_FAILURE, used[-1].source))
        try:
            return send()
        except ApiError as error:
            if error.code == TOKEN_FAILURE and error.hint is None:
                error.hint = "refused again with newly fetched credentials of %s" % used[-1].source
            raise

    def _parse(self, action, response, credentials=None):
        if response.status_code != 200:
            raise ApiError(self.label, action, "the API gateway answered HTTP %d" % response.status_code,
                           status=response.status_code, code="HTTP%d" % response.status_code,
                           retry_after=parse_retry_after(response.headers.get("Retry-After")))
        try:
            envelope = response.json()
            result = envelope["Response"]
        except (ValueError, KeyError, TypeError):
            raise ApiError(self.label, action, "the answer is not an API 3.0 JSON envelope", status=200,
                           code="MalformedResponse")
        error = result.get("Error")
        if error:
            secrets = self._secrets + (credentials.secrets() if credentials is not None else [])
            hint = None
            if error.get("Code") == UNSUPPORTED_REGION:
                # The API's message does not say which region: a typo'd one must read as what it is.
                hint = "%s does not serve region %r: check region (or TENCENTCLOUD_REGION)" % (self.label, self.region)
            failure = ApiError(self.label, action, redact(str(error.get("Message") or ""), secrets), status=200,
                               code=error.get("Code"), request_id=result.get("RequestId"), hint=hint)
            if is_tencent_denial(failure.code):
                failure.deny(required_actions(self.service, action), denial_hint(self.service, action))
            raise failure
        return result


def check_params(params):
    """Check the options and decide where the credentials come from, sending nothing (files are read);
    returns ``(plan, region)``."""
    plan = plan_credentials(params)
    region = params.get("region") or checked_region(plan.region, "the tccli profile's _sys_param.region")
    if not region:
        raise ConfigurationError(
            "missing Tencent Cloud region: set region (environment variable TENCENTCLOUD_REGION, or _sys_param.region "
            "in the tccli profile's .configure file), e.g. ap-guangzhou"
        )
    if params.get("rate_limit") is not None and params["rate_limit"] <= 0:
        raise ConfigurationError("rate_limit must be greater than zero (requests per second)")
    if params.get("timeout") is not None and params["timeout"] <= 0:
        raise ConfigurationError("timeout must be greater than zero")
    check_retry_params(params)
    return plan, region
