# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud API 3.0: options, signed calls, the ``Response`` envelope and throttling codes.

PRIVATE to this collection; no stability promise.

Business errors arrive as HTTP 200 with ``Response.Error``; any other status is a gateway or transport failure. The
connection keeps the contract both clouds' connections keep (``_connection.py``).
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._connection import CheckedParams, CloudConnection
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._credentials import Credentials
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError, redact
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._rate_limit import RateLimiter
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._paging import DEFAULT_LIST_CONCURRENCY
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._permissions import (
    denial_hint,
    is_tencent_denial,
    required_actions,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._path_values import checked_params
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
    METADATA_LABEL,
    STS_LABEL,
    STS_SERVICE,
    STS_VERSION,
    CredentialPlan,
    InstanceMetadata,
    credential_chain,
    resolve_credentials,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent_signer import signed_headers
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._transport import endpoint_host
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._version import USER_AGENT

DEFAULT_SERVICE = "batch"
DEFAULT_VERSION = "2017-03-12"  # Batch's API version
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

SERVICE_LABELS = {DEFAULT_SERVICE: "Tencent Cloud Batch", STS_SERVICE: STS_LABEL, "metadata": METADATA_LABEL}
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


def label(service):
    """How messages name a Tencent Cloud service ("Tencent Cloud Batch")."""
    return SERVICE_LABELS.get(service, "Tencent Cloud %s" % service)


class TencentCloudConnection(CloudConnection):
    """Signed API 3.0 calls to one Tencent Cloud service for one module run.

    Each attempt is signed with ``credentials.get()`` (a ``CurrentCredentials`` over the ``credential_chain`` of
    ``plan``, or over ``fetch``: long-lived keys, or temporary ones fetched again shortly before they expire). A call
    refused with ``AuthFailure.TokenFailure`` while signed with temporary credentials is sent once more with new ones;
    a second refusal fails. Without ``plan`` or ``fetch``, it signs with the keys of the options.
    """

    secret_options = ("secret_key", "security_token")

    def __init__(self, params, transport, policy, limiter, service=DEFAULT_SERVICE, version=DEFAULT_VERSION,
                 plan=None, fetch=None, endpoint=None, secrets=None):
        super().__init__(params, transport, policy, secrets)
        self.limiter = limiter
        self.service = service
        self.version = version
        self.url = (endpoint or params.get("endpoint") or DEFAULT_ENDPOINT).rstrip("/") + "/"
        self.host = urlsplit(self.url).netloc
        self.region = params.get("region")
        if fetch is None:
            if plan is None:
                plan = CredentialPlan(keys=Credentials(params.get("secret_id"), params.get("secret_key"),
                                                       params.get("security_token")))

            def metadata():
                return InstanceMetadata(transport, policy, params.get("metadata_endpoint"), plan.cam_role_name)

            def sts(source):
                # Not rate limited: the limiter paces the service's own calls.
                return type(self)(params, transport, policy, None, service=STS_SERVICE, version=STS_VERSION,
                                  fetch=source, endpoint=params.get("sts_endpoint") or DEFAULT_STS_ENDPOINT,
                                  secrets=self.secrets)

            fetch = credential_chain(plan, metadata=metadata, sts=sts)
        self.sign_with(fetch)

    @staticmethod
    def check_params(params):
        return check_params(params)  # the module's, below

    @classmethod
    def connect(cls, checked, transport, service):
        """The connection, its credentials fetched (reads only: check mode may fetch temporary credentials) before
        the first call."""
        params = checked.params
        policy = TencentRetryPolicy(**retry_settings(params, default_retries=DEFAULT_MAX_RETRIES))
        connection = cls(params, transport, policy, RateLimiter(params.get("rate_limit") or DEFAULT_RATE_LIMIT),
                         service=service or DEFAULT_SERVICE, plan=checked.plan)
        transport.debug("Tencent Cloud credentials: %s" % checked.plan.description)
        connection.credentials.get()  # a source that cannot hand out keys fails here, before the first call
        return connection

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
            return self.transport.send(label(self.service), action, sign, parse, self.policy, mutating=mutating,
                                       limiter=self.limiter)

        return self.send_refreshing(send, used, self.service, action)

    def scope(self):
        return {"cloud": "tencentcloud", "endpoint": endpoint_host(self.url), "region": self.region}

    def expired(self, error):
        return error.code == TOKEN_FAILURE

    def cannot_refresh(self, error, stale):
        if stale.token and error.hint is None:
            error.hint = ("the token (security_token) is fixed and cannot be refreshed: renew it, or use a "
                          "source that refreshes (assume_role, cam_role_name, instance_credentials)")

    def refreshed(self, service, operation, error, stale):
        return ("%s %s: %s with temporary credentials of %s; sent again with new ones"
                % (label(service), operation, TOKEN_FAILURE, stale.source))

    def refused_again(self, error, fresh):
        if error.hint is None:
            error.hint = "refused again with newly fetched credentials of %s" % fresh.source

    def _parse(self, action, response, credentials=None):
        service = label(self.service)
        if response.status_code != 200:
            raise ApiError(service, action, "the API gateway answered HTTP %d" % response.status_code,
                           status=response.status_code, code="HTTP%d" % response.status_code,
                           retry_after=parse_retry_after(response.headers.get("Retry-After")))
        try:
            envelope = response.json()
            result = envelope["Response"]
        except (ValueError, KeyError, TypeError):
            raise ApiError(service, action, "the answer is not an API 3.0 JSON envelope", status=200,
                           code="MalformedResponse")
        error = result.get("Error")
        if error:
            secrets = list(self.secrets) + (credentials.secrets() if credentials is not None else [])
            hint = None
            if error.get("Code") == UNSUPPORTED_REGION:
                # The API's message does not say which region: a typo'd one must read as what it is.
                hint = "%s does not serve region %r: check region (or TENCENTCLOUD_REGION)" % (service, self.region)
            failure = ApiError(service, action, redact(str(error.get("Message") or ""), secrets), status=200,
                               code=error.get("Code"), request_id=result.get("RequestId"), hint=hint)
            if is_tencent_denial(failure.code):
                failure.deny(required_actions(self.service, action), denial_hint(self.service, action))
            raise failure
        return result


PATH_VALUES = dict(
    regions=[("region", "region (TENCENTCLOUD_REGION)")],
    endpoints=[("endpoint", "endpoint"), ("sts_endpoint", "sts_endpoint"), ("metadata_endpoint", "metadata_endpoint")],
)


def check_path_values(params):
    """``params`` with the values URLs are built from trimmed and checked (``_path_values``): before any request."""
    return checked_params(params, **PATH_VALUES)


def check_params(params, environ=None):
    """The ``CheckedParams`` of a run: where the credentials come from (files read, nothing sent), then the options
    with the region the tccli profile adds, refused before any request when incomplete or out of range."""
    plan = resolve_credentials(params, environ)
    params = plan.apply(check_path_values(params))
    if not params.get("region"):
        raise ConfigurationError(
            "missing Tencent Cloud region: set region (environment variable TENCENTCLOUD_REGION, or _sys_param.region "
            "in the tccli profile's .configure file), e.g. ap-guangzhou"
        )
    if params.get("rate_limit") is not None and params["rate_limit"] <= 0:
        raise ConfigurationError("rate_limit must be greater than zero (requests per second)")
    if params.get("timeout") is not None and params["timeout"] <= 0:
        raise ConfigurationError("timeout must be greater than zero")
    check_retry_params(params)
    return CheckedParams(plan, params["region"], params)
