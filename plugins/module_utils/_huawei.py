# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud: options, endpoints, authentication, the error envelope and throttling codes.

PRIVATE to this collection; no stability promise.

The connection keeps the contract both clouds' connections keep (``_connection.py``). Why one file of this size: the
connection is the cloud's one contract (options, endpoints, the error envelope, signing or token, the project
lookup); what varies by credential source is in ``_huawei_credentials``.
"""

from __future__ import annotations

import functools
import json

from ansible.module_utils.basic import env_fallback

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._connection import CheckedParams, CloudConnection
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError, redact
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei_credentials import (
    DEFAULT_METADATA_ENDPOINT,
    IAM_LABEL,
    METADATA_LABEL,
    STS_LABEL,
    InstanceMetadata,
    credential_chain,
    resolve_credentials,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei_signer import canonical_query, sign_request
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._paging import DEFAULT_LIST_CONCURRENCY
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._path_values import checked_params
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._path_values import project_id as checked_project_id
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._permissions import (
    denial_hint,
    is_huawei_denial,
    required_actions,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._retry import (
    DEFAULT_BASE_DELAY,
    RetryPolicy,
    check_retry_params,
    parse_retry_after,
    retry_settings,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._transport import endpoint_host

DEFAULT_CLOUD = "myhuaweicloud.com"
DEFAULT_MAX_RETRIES = 5  # the max_retries option's default: the spec's and the connection's, one source

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
    cloud=dict(type="str", default=DEFAULT_CLOUD, fallback=(env_fallback, ["HW_CLOUD"])),
    validate_certs=dict(type="bool", default=True),
    ca_bundle=dict(type="path"),
    timeout=dict(type="float", default=30.0),
    max_retries=dict(type="int", default=DEFAULT_MAX_RETRIES),
    retry_delay=dict(type="float", default=DEFAULT_BASE_DELAY),
    list_concurrency=dict(type="int", default=DEFAULT_LIST_CONCURRENCY),
    # Credential sources besides keys and tokens (_huawei_credentials.py), named as Huawei's tools name them.
    profile=dict(type="str", fallback=(env_fallback, ["HW_PROFILE"])),
    shared_config_file=dict(type="path", fallback=(env_fallback, ["HW_SHARED_CONFIG_FILE"])),
    assume_role=dict(type="dict", options=dict(
        agency_name=dict(type="str"),
        domain_name=dict(type="str"),
        domain_id=dict(type="str"),
        duration=dict(type="int"),
    )),
    instance_credentials=dict(type="bool", default=False),
    metadata_endpoint=dict(type="str", default=DEFAULT_METADATA_ENDPOINT),
    sts_endpoint=dict(type="str", fallback=(env_fallback, ["HUAWEICLOUD_SDK_STS_ENDPOINT"])),
)

# Regions whose MRS endpoints the official SDK places under another domain (huaweicloudsdkmrs region table).
MRS_REGION_DOMAINS = {
    "ap-southeast-1": "myhuaweicloud.cn",
    "ap-southeast-4": "myhuaweicloud.cn",
    "ru-northwest-2": "myhuaweicloud.cn",
    "eu-west-101": "myhuaweicloud.eu",
}
SERVICE_LABELS = {"mrs": "Huawei Cloud MRS", "workspace": "Huawei Cloud Workspace", "iam": IAM_LABEL, "sts": STS_LABEL,
                  "metadata": METADATA_LABEL}


# Codes of Huawei's API gateway (both spellings occur), as opposed to the codes of the service behind it.
GATEWAY_CODE_PREFIXES = ("APIGW.", "APIG.")


class HuaweiRetryPolicy(RetryPolicy):
    # API Gateway throttling (both spellings occur) and "IAM unavailable".
    throttling_codes = ("APIGW.0308", "APIG.0308")
    retryable_codes = ("APIGW.0613",)
    # Any other code is the service's own (MRS 0161, 0176, 12000003, WKS.*): OTC's error table sends many with HTTP
    # 500, Huawei's and Terraform's with 400; either way the service handled the call and answered.
    gateway_code_prefixes = GATEWAY_CODE_PREFIXES


def label(service):
    """How messages name a Huawei Cloud service ("Huawei Cloud MRS")."""
    return SERVICE_LABELS.get(service, service)


def service_endpoint(service, region, cloud=DEFAULT_CLOUD):
    domain = cloud
    if service == "mrs" and cloud == DEFAULT_CLOUD:
        domain = MRS_REGION_DOMAINS.get(region, cloud)
    elif cloud == DEFAULT_CLOUD and region.startswith("eu-west-1") and service != "workspace":
        domain = "myhuaweicloud.eu"
    return "https://%s.%s.%s" % (service, region, domain)


def is_auth_failure(error):
    """Refused for who is asking (401/403, API Gateway's APIGW.03xx, a permission denial under any other status):
    every further call would be refused too."""
    return (error.status in (401, 403) or (error.code or "").startswith(("APIGW.03", "APIG.03"))
            or error.permission_denied)


def is_gateway_404(error):
    """The API gateway's own 404 (APIGW.0101: the API does not exist or is not published here): it says nothing
    about a record, only that this endpoint does not serve the call."""
    return error.status == 404 and (error.code or "").startswith(GATEWAY_CODE_PREFIXES)


GATEWAY_404_HINT = ("the API gateway does not serve this API at this endpoint (not published in this region, or a "
                    "wrong endpoint or api_version): nothing was read as deleted; check endpoint, region and api_version")


def parse_error(service, operation, response, secrets=()):
    """An ApiError from a Huawei error response: ``error_code``/``error_msg``, MRS's camelCase, or nested.

    ``error_detail`` and ``encoded_authorization_message`` are kept. A refusal for want of a permission (any shape:
    ``_permissions.is_huawei_denial``) names the actions that grant ``operation``, from the permission table.

    ``secrets`` are scrubbed from the service's message before the error exists: services sometimes echo the
    request's headers, and an exception's text travels further than its ``message`` attribute."""
    request_id = response.headers.get("X-Request-Id")
    code = message = None
    details = {}
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        code, message, details = _find_code(body)
        request_id = request_id or body.get("request_id")
    if code is None:
        code = "HTTP%d" % response.status_code
        text = (response.text or "").strip()
        if isinstance(body, dict):
            message = message or "the service answered without an error code"
        else:
            message = message or ("the service answered with a non-JSON body" if text else "no body")
    error = ApiError(
        label(service),
        operation,
        redact(str(message or ""), secrets),
        status=response.status_code,
        code=str(code),
        request_id=request_id,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
        detail=_text(details.get("error_detail"), secrets),
        encoded_authorization_message=_text(details.get("encoded_authorization_message"), secrets),
    )
    if is_huawei_denial(error.status, error.code, error.message, error.encoded_authorization_message):
        error.deny(required_actions(service, operation),
                   denial_hint(service, operation, encoded=bool(error.encoded_authorization_message)))
    elif is_gateway_404(error):
        error.hint = GATEWAY_404_HINT
    return error


def _text(value, secrets):
    if value is None or value == "":
        return None
    return redact(value if isinstance(value, str) else json.dumps(value, sort_keys=True), secrets)


DETAIL_KEYS = ("error_detail", "encoded_authorization_message")


def _find_code(body, depth=0):
    """``(code, message, details)`` of the first object that holds an error code, searched a few levels deep;
    ``details``: its ``error_detail`` and ``encoded_authorization_message``, or the body's own."""
    for code_key, msg_key in (("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message")):
        if body.get(code_key) is not None:
            return body.get(code_key), body.get(msg_key), {k: body[k] for k in DETAIL_KEYS if k in body}
    if depth < 3:
        for value in body.values():
            if isinstance(value, dict):
                code, message, details = _find_code(value, depth + 1)
                if code is not None:
                    details = dict({k: body[k] for k in DETAIL_KEYS if k in body}, **details)
                    return code, message, details
    return None, None, {}


PROJECTS_SHOWN = 10  # project names an unresolved project_id lists


class HuaweiCloudConnection(CloudConnection):
    """Signed (or token) requests to one Huawei Cloud service for one module run.

    The keys come from ``_huawei_credentials.resolve_credentials`` (options, profile, SDK credentials file, instance
    credentials, an assumed agency on top) through ``CurrentCredentials``: every attempt signs with the current
    ones, temporary ones are fetched again before they expire, and a call refused with 401 while they are temporary
    is sent once more after a refresh."""

    secret_options = ("secret_key", "security_token", "auth_token")

    def __init__(self, service, params, transport, policy, plan):
        super().__init__(params, transport, policy)
        self.service = service
        region = params.get("region")
        cloud = params.get("cloud") or DEFAULT_CLOUD
        self.endpoint = (params.get("endpoint") or service_endpoint(service, region, cloud)).rstrip("/")
        # The project_id lookup goes to IAM, never to ``endpoint``: to iam_endpoint, else the public IAM of the region.
        self.iam_endpoint = (params.get("iam_endpoint") or service_endpoint("iam", region or "", cloud)).rstrip("/")
        self.sts_endpoint = (params.get("sts_endpoint") or service_endpoint("sts", region or "", cloud)).rstrip("/")
        self._project_id = params.get("project_id") or None
        if plan.token_auth:
            return  # the IAM token is sent as it is: nothing to sign with

        def metadata():
            return InstanceMetadata(self.credential_request, self.secrets)

        def sts(source):
            # IAM and STS requests signed with the keys source() returns, fetched now, once.
            return functools.partial(self.credential_request, credentials=source())

        self.sign_with(credential_chain(plan, metadata=metadata, sts=sts))

    @staticmethod
    def check_params(params):
        return check_params(params)  # the module's, below

    @classmethod
    def connect(cls, checked, transport, service):
        policy = HuaweiRetryPolicy(**retry_settings(checked.params, default_retries=DEFAULT_MAX_RETRIES))
        return cls(service, checked.params, transport, policy, checked.plan)

    def scope(self):
        return {"cloud": "huaweicloud", "endpoint": endpoint_host(self.endpoint), "region": self.params.get("region"),
                "project_id": self.project_id}

    @property
    def project_id(self):
        if self._project_id is None:
            self._project_id = self._resolve_project_id()
        return self._project_id

    def _resolve_project_id(self):
        """The id of the project named after ``region``, among the caller's own projects: IAM
        KeystoneListAuthProjects (``GET /v3/auth/projects``), which needs no permission, unlike ``GET /v3/projects``
        (``iam:projects:listProjects``, a global IAM right)."""
        region = self.params["region"]
        try:
            body = self._send("iam", "KeystoneListAuthProjects", "GET", self.iam_endpoint + "/v3/auth/projects",
                              query=[], project_header=False)
        except ApiError as error:
            # The transport's "check the endpoint (or region)" points at the wrong option: this call never uses
            # endpoint. Other hints (the proxy variables, an expired token) stay, followed by the lookup's own.
            hint = self._project_lookup_hint()
            if error.hint and not error.hint.startswith("check the endpoint"):
                hint = "%s; %s" % (error.hint, hint)
            error.hint = hint
            raise
        visible = [p for p in (body or {}).get("projects") or [] if isinstance(p, dict)]
        projects = [p for p in visible if p.get("name") == region and p.get("id")]
        if len(projects) != 1:
            names = sorted({str(p.get("name")) for p in visible if p.get("name")})
            shown = ", ".join(names[:PROJECTS_SHOWN]) + (", ..." if len(names) > PROJECTS_SHOWN else "")
            raise ConfigurationError(
                "could not resolve project_id: %s of the projects these credentials can see is named %s (they see "
                "%s); %s" % ("none" if not projects else "more than one", region, shown or "no project",
                             self._project_lookup_hint()))
        # An id from IAM goes into every path too: checked like one the user gave.
        return checked_project_id(projects[0]["id"], "the project id IAM answered for %s" % region)

    def _project_lookup_hint(self):
        """Why the project_id lookup went where it went, and the two ways out (iam_endpoint, project_id). Names
        options, variables and the IAM host, never a credential (a URL's user info, path and query are left out)."""
        ways_out = ("set iam_endpoint (HUAWEICLOUD_SDK_IAM_ENDPOINT) to the IAM of your cloud, or set project_id "
                    "(HW_PROJECT_ID) to skip the lookup")
        if self.params.get("iam_endpoint"):
            return ("the project_id lookup went to iam_endpoint (HUAWEICLOUD_SDK_IAM_ENDPOINT) %s: check it, or set "
                    "project_id (HW_PROJECT_ID) to skip the lookup" % (endpoint_host(self.iam_endpoint) or "as set"))
        if self.params.get("endpoint"):
            public = (self.params.get("cloud") or DEFAULT_CLOUD) == DEFAULT_CLOUD
            return ("endpoint is not used for the project_id lookup: it went to %s %s because iam_endpoint is unset; %s"
                    % ("the public IAM" if public else "the IAM built from region and cloud,", self.iam_endpoint,
                       ways_out))
        return ("the project_id lookup went to the IAM built from region and cloud, %s; check region "
                "(HW_REGION_NAME) and cloud (HW_CLOUD), %s" % (self.iam_endpoint, ways_out))

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
        used = []  # the credentials each attempt signed with

        def sign():
            headers = {"Content-Type": "application/json"}
            if self.credentials is None:
                headers["X-Auth-Token"] = params["auth_token"]
                if project_header and self._project_id:
                    headers["X-Project-Id"] = self._project_id
                return method, _with_query(url, query), headers, body
            if project_header:
                headers["X-Project-Id"] = self.project_id
            current = self.credentials.get()
            used.append(current)
            if current.token:
                headers["X-Security-Token"] = current.token
            wire_url, signed = sign_request(method, url, headers, body, current.key_id, current.secret, query=query)
            return method, wire_url, signed, body

        def parse(response):
            if response.status_code >= 300:
                raise parse_error(service, operation, response, self.secrets.values())
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                raise ApiError(label(service), operation,
                               "the service answered HTTP %d with a body that is not JSON" % response.status_code,
                               status=response.status_code, code="MalformedResponse",
                               request_id=response.headers.get("X-Request-Id"))

        def send():
            return self.transport.send(label(service), operation, sign, parse, self.policy,
                                       mutating=mutating)

        return self.send_refreshing(send, used, service, operation)

    def expired(self, error):
        # Refused while temporary (401 APIGW.0307, "the token must be updated"): refreshed once, then it fails.
        return error.status == 401

    def cannot_refresh(self, error, stale):
        if stale.token and (error.code or "") == "APIGW.0307":
            error.hint = ("the security token has expired and cannot be refreshed: it came from %s; issue new "
                          "temporary credentials, or use assume_role or instance_credentials, which are "
                          "refreshed" % stale.source)

    def refreshed(self, service, operation, error, stale):
        return ("%s %s: HTTP 401 (%s) with temporary credentials from %s; refreshing them once"
                % (label(service), operation, error.code, stale.source))

    def credential_request(self, service, operation, method, path, json_body=None, headers=None, credentials=None,
                           passthrough=()):
        """A request for credentials to ``service`` (metadata, IAM securitytokens, STS) through the one transport:
        signed with ``credentials`` when given, unsigned otherwise (the metadata service). Never mutating: check mode
        may resolve credentials. Returns ``(status, response)``; statuses in ``passthrough`` are returned, not
        raised."""
        url = self._credential_endpoint(service) + path
        body = json.dumps(json_body).encode("utf-8") if json_body is not None else b""
        secrets = credentials.secrets() if credentials is not None else []

        def sign():
            request_headers = dict(headers or {})
            if json_body is not None:
                request_headers["Content-Type"] = "application/json"
            if credentials is None:
                return method, url, request_headers, body
            if credentials.token:
                request_headers["X-Security-Token"] = credentials.token
            wire_url, signed = sign_request(method, url, request_headers, body, credentials.key_id,
                                            credentials.secret)
            return method, wire_url, signed, body

        def parse(response):
            if response.status_code in passthrough:
                return response.status_code, response
            if response.status_code >= 300:
                raise parse_error(service, operation, response, self.secrets.values() + secrets)
            return response.status_code, response

        return self.transport.send(label(service), operation, sign, parse, self.policy)

    def _credential_endpoint(self, service):
        if service == "metadata":
            return (self.params.get("metadata_endpoint") or DEFAULT_METADATA_ENDPOINT).rstrip("/")
        return self.iam_endpoint if service == "iam" else self.sts_endpoint


def _with_query(url, query):
    text = canonical_query(query or [])
    return url + ("?" + text if text else "")


PATH_VALUES = dict(
    regions=[("region", "region (HW_REGION_NAME)")],
    projects=[("project_id", "project_id (HW_PROJECT_ID)")],
    endpoints=[("endpoint", "endpoint"), ("iam_endpoint", "iam_endpoint (HUAWEICLOUD_SDK_IAM_ENDPOINT)"),
               ("sts_endpoint", "sts_endpoint (HUAWEICLOUD_SDK_STS_ENDPOINT)"), ("metadata_endpoint", "metadata_endpoint")],
)


def check_path_values(params):
    """``params`` with the values URLs are built from trimmed and checked (``_path_values``): before any request."""
    return checked_params(params, **PATH_VALUES)


def check_params(params, environ=None):
    """The ``CheckedParams`` of a run: the credentials resolved (conflicts, incomplete keys, no source at all, every
    source tried listed), then the options with the region and project id they add, refused before any request when
    incomplete, naming the options and variables to set."""
    # Checked here rather than with AnsibleModule's mutually_exclusive: AWX credential types and CI systems
    # export every variable, empty ones included, and an empty value means "not set".
    plan = resolve_credentials(params, environ)
    params = check_path_values(plan.apply(params))
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
    return CheckedParams(plan, params.get("region"), params)
