# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud: options, endpoints, authentication, the error envelope and throttling codes.

PRIVATE to this collection; no stability promise.
"""

from __future__ import annotations

import json

from ansible.module_utils.basic import env_fallback

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError, redact
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei_signer import canonical_query, sign_request
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._retry import (
    DEFAULT_BASE_DELAY,
    RetryPolicy,
    check_retry_params,
    parse_retry_after,
    retry_settings,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._transport import Transport

HUAWEICLOUD_ARGUMENT_SPEC = dict(
    access_key=dict(type="str", no_log=False, fallback=(env_fallback, ["HW_ACCESS_KEY", "HUAWEICLOUD_SDK_AK"])),
    secret_key=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_SECRET_KEY", "HUAWEICLOUD_SDK_SK"])),
    security_token=dict(
        type="str", no_log=True, fallback=(env_fallback, ["HW_SECURITY_TOKEN", "HUAWEICLOUD_SDK_SECURITY_TOKEN"])
    ),
    auth_token=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_AUTH_TOKEN"])),
    region=dict(type="str", fallback=(env_fallback, ["HW_REGION_NAME"])),
    project_id=dict(type="str", fallback=(env_fallback, ["HW_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID"])),
    endpoint=dict(type="str"),
    iam_endpoint=dict(type="str", fallback=(env_fallback, ["HUAWEICLOUD_SDK_IAM_ENDPOINT"])),
    cloud=dict(type="str", default="myhuaweicloud.com", fallback=(env_fallback, ["HW_CLOUD"])),
    validate_certs=dict(type="bool", default=True),
    ca_bundle=dict(type="path"),
    timeout=dict(type="float", default=30.0),
    max_retries=dict(type="int", default=5),
    retry_delay=dict(type="float", default=DEFAULT_BASE_DELAY),
)

DEFAULT_CLOUD = "myhuaweicloud.com"
# Regions whose MRS endpoints the official SDK places under another domain (huaweicloudsdkmrs region table).
MRS_REGION_DOMAINS = {
    "ap-southeast-1": "myhuaweicloud.cn",
    "ap-southeast-4": "myhuaweicloud.cn",
    "ru-northwest-2": "myhuaweicloud.cn",
    "eu-west-101": "myhuaweicloud.eu",
}
SERVICE_LABELS = {"mrs": "Huawei Cloud MRS", "workspace": "Huawei Cloud Workspace", "iam": "Huawei Cloud IAM"}


class HuaweiRetryPolicy(RetryPolicy):
    # API Gateway throttling (both spellings occur) and "IAM unavailable".
    throttling_codes = ("APIGW.0308", "APIG.0308")
    retryable_codes = ("APIGW.0613",)


def service_endpoint(service, region, cloud=DEFAULT_CLOUD):
    domain = cloud
    if service == "mrs" and cloud == DEFAULT_CLOUD:
        domain = MRS_REGION_DOMAINS.get(region, cloud)
    elif cloud == DEFAULT_CLOUD and region.startswith("eu-west-1") and service != "workspace":
        domain = "myhuaweicloud.eu"
    return "https://%s.%s.%s" % (service, region, domain)


def is_auth_failure(error):
    """Refused for who is asking (401/403, API Gateway's APIGW.03xx): every further call would be refused too."""
    return error.status in (401, 403) or (error.code or "").startswith(("APIGW.03", "APIG.03"))


def parse_error(service, operation, response, secrets=()):
    """An ApiError from a Huawei error response: ``error_code``/``error_msg``, MRS's camelCase, or nested.

    ``secrets`` are scrubbed from the service's message before the error exists: services sometimes echo the
    request's headers, and an exception's text travels further than its ``message`` attribute."""
    request_id = response.headers.get("X-Request-Id")
    code = message = None
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        code, message = _find_code(body)
        request_id = request_id or body.get("request_id")
    if code is None:
        code = "HTTP%d" % response.status_code
        text = (response.text or "").strip()
        message = message or ("the service answered with a non-JSON body" if text else "no body")
    return ApiError(
        SERVICE_LABELS.get(service, service),
        operation,
        redact(message or "", secrets),
        status=response.status_code,
        code=str(code),
        request_id=request_id,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
    )


def _find_code(body, depth=0):
    for code_key, msg_key in (("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message")):
        if body.get(code_key) is not None:
            return body.get(code_key), body.get(msg_key)
    if depth < 3:
        for value in body.values():
            if isinstance(value, dict):
                code, message = _find_code(value, depth + 1)
                if code is not None:
                    return code, message
    return None, None


class HuaweiCloudConnection:
    """Signed (or token) requests to one Huawei Cloud service for one module run."""

    def __init__(self, service, params, transport, policy):
        self.service = service
        self.params = params
        self.transport = transport
        self.policy = policy
        region = params.get("region")
        cloud = params.get("cloud") or DEFAULT_CLOUD
        self.endpoint = (params.get("endpoint") or service_endpoint(service, region, cloud)).rstrip("/")
        self.iam_endpoint = (params.get("iam_endpoint") or service_endpoint("iam", region, cloud)).rstrip("/")
        self._project_id = params.get("project_id") or None
        self._secrets = [s for s in (params.get("secret_key"), params.get("security_token"), params.get("auth_token")) if s]

    @classmethod
    def from_params(cls, params, service, read_only=False, debug=None):
        check_params(params)
        transport = Transport.from_params(params, read_only=read_only, debug=debug)
        return cls(service, params, transport, HuaweiRetryPolicy(**retry_settings(params, default_retries=5)))

    def close(self):
        self.transport.close()

    @property
    def project_id(self):
        if self._project_id is None:
            self._project_id = self._resolve_project_id()
        return self._project_id

    def _resolve_project_id(self):
        region = self.params["region"]
        body = self._send("iam", "KeystoneListProjects", "GET", self.iam_endpoint + "/v3/projects",
                          query=[("name", region)], project_header=False)
        projects = [p for p in (body or {}).get("projects") or [] if p.get("name") == region]
        if len(projects) != 1:
            raise ConfigurationError(
                "could not resolve project_id: IAM lists %d projects named %s; set project_id "
                "(or HW_PROJECT_ID)" % (len(projects), region)
            )
        return projects[0]["id"]

    def request(self, operation, method, path, query=None, json_body=None, mutating=False):
        """Call ``path`` on this connection's service; returns the JSON body (None when empty).

        Any 2xx answer is success (MRS answers 202 where others answer 200 or 204); anything else raises ApiError
        (redirects are not followed: a 3xx is an error too)."""
        query = sorted((k, str(v)) for k, v in (query or {}).items())
        return self._send(self.service, operation, method, self.endpoint + path, query=query, json_body=json_body,
                          mutating=mutating)

    def _send(self, service, operation, method, url, query, json_body=None, mutating=False, project_header=True):
        body = json.dumps(json_body).encode("utf-8") if json_body is not None else b""
        params = self.params

        def sign():
            headers = {"Content-Type": "application/json"}
            if params.get("auth_token"):
                headers["X-Auth-Token"] = params["auth_token"]
                if project_header and self._project_id:
                    headers["X-Project-Id"] = self._project_id
                return method, _with_query(url, query), headers, body
            if project_header:
                headers["X-Project-Id"] = self.project_id
            if params.get("security_token"):
                headers["X-Security-Token"] = params["security_token"]
            wire_url, signed = sign_request(method, url, headers, body, params["access_key"], params["secret_key"],
                                            query=query)
            return method, wire_url, signed, body

        def parse(response):
            if response.status_code >= 300:
                raise parse_error(service, operation, response, self._secrets)
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                raise ApiError(SERVICE_LABELS.get(service, service), operation,
                               "the service answered HTTP %d with a body that is not JSON" % response.status_code,
                               status=response.status_code, code="MalformedResponse",
                               request_id=response.headers.get("X-Request-Id"))

        return self.transport.send(SERVICE_LABELS.get(service, service), operation, sign, parse, self.policy,
                                   mutating=mutating)


def _with_query(url, query):
    text = canonical_query(query or [])
    return url + ("?" + text if text else "")


def check_params(params):
    """Refuse incomplete credentials before any request, naming the options and variables to set."""
    # Checked here rather than with AnsibleModule's mutually_exclusive: AWX credential types and CI systems
    # export every variable, empty ones included, and an empty value means "not set".
    if params.get("auth_token") and (params.get("access_key") or params.get("security_token")):
        raise ConfigurationError(
            "auth_token cannot be combined with access_key or security_token: use an IAM token or AK/SK, not both"
        )
    if not params.get("auth_token"):
        missing = [name for name in ("access_key", "secret_key") if not params.get(name)]
        if missing:
            raise ConfigurationError(
                "missing Huawei Cloud credentials: set %s (environment variables HW_ACCESS_KEY and HW_SECRET_KEY, "
                "or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK), or an IAM token with auth_token (HW_AUTH_TOKEN)"
                % " and ".join(missing)
            )
    if not params.get("region") and (not params.get("endpoint") or not params.get("project_id")):
        raise ConfigurationError(
            "missing Huawei Cloud region: set region (environment variable HW_REGION_NAME), e.g. cn-north-4"
        )
    if params.get("auth_token") and not params.get("project_id"):
        if not params.get("region"):
            raise ConfigurationError("with auth_token, set project_id (HW_PROJECT_ID) or region to look it up")
    for name in ("timeout",):
        if params.get(name) is not None and params[name] <= 0:
            raise ConfigurationError("%s must be greater than zero" % name)
    check_retry_params(params)
