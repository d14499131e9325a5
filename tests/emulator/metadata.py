"""Instance metadata of the emulated VMs, on the same port as every API (no signature, as on a real VM).

Huawei ECS (what huaweicloudsdkcore's MetadataAccessor calls):
  `PUT /meta-data/latest/api/token` with `X-Metadata-Token-Ttl-Seconds` -> a token (plain text), unless the
  setting `huawei_metadata_token_service` makes it answer 404/405/503 ("no token service");
  `GET /openstack/latest/securitykey` (with `X-Metadata-Token` when the token service is on) ->
  `{"credential": {access, secret, securitytoken, expires_at}}`; no agency bound -> 401
  "Please configure Cloud Service Agency first".
Tencent CVM (what tencentcloud-sdk-python-common's CVMRoleCredential calls):
  `GET /latest/meta-data/cam/security-credentials/` -> the role name (plain text);
  `GET /latest/meta-data/cam/security-credentials/<role>` -> JSON `Code: "Success"`, TmpSecretId, TmpSecretKey,
  Token, ExpiredTime, Expiration; no role bound (or another name) -> 404.
"""

import json
import secrets
import time

from emulator.wire import Reply, huawei_time, tencent_time

NAME = "metadata"
CLOUD = "metadata"  # unsigned
HUAWEI_TOKEN_PATH = "/meta-data/latest/api/token"
HUAWEI_SECURITY_KEY_PATH = "/openstack/latest/securitykey"
TENCENT_ROLES_PATH = "/latest/meta-data/cam/security-credentials/"
MAX_TOKEN_TTL = 21600
NO_AGENCY = "Please configure Cloud Service Agency first"


def match(method, path):
    if path == HUAWEI_TOKEN_PATH and method == "PUT":
        return "MetadataApiToken", {}
    if path == HUAWEI_SECURITY_KEY_PATH and method == "GET":
        return "MetadataSecurityKey", {}
    if path.rstrip("/") + "/" == TENCENT_ROLES_PATH and method == "GET":
        return "CamRoleName", {}
    if path.startswith(TENCENT_ROLES_PATH) and method == "GET":
        return "CamSecurityCredentials", {"role": path[len(TENCENT_ROLES_PATH):]}
    return None


def _text(status, text, error_code=None):
    return Reply(status, text.encode("utf-8"), {"Content-Type": "text/plain"}, error_code=error_code)


def _json(body):
    return Reply(200, json.dumps(body).encode("utf-8"), {"Content-Type": "application/json"})


def handle(state, operation, params, request):
    if operation == "MetadataApiToken":
        return _api_token(state, request)
    if operation == "MetadataSecurityKey":
        return _security_key(state, request)
    role = state.config.get("tencent_metadata_role")
    if operation == "CamRoleName":
        return _text(200, role) if role else _text(404, "Not Found", "404")
    if not role or params["role"] != role:
        return _text(404, "Not Found", "404")
    issued = state.current_metadata_credential("tencent", role)
    return _json({"TmpSecretId": issued["access"], "TmpSecretKey": issued["secret"], "Token": issued["token"],
                  "ExpiredTime": int(issued["expires_at"]), "Expiration": tencent_time(issued["expires_at"]),
                  "Code": "Success"})


def _api_token(state, request):
    service = state.config.get("huawei_metadata_token_service", "on")
    if service != "on":
        status = int(service)
        return _text(status, {404: "Not Found", 405: "Method Not Allowed"}.get(status, "Service Unavailable"), str(status))
    try:
        ttl = int(request.headers.get("X-Metadata-Token-Ttl-Seconds", ""))
    except ValueError:
        ttl = 0
    if not 1 <= ttl <= MAX_TOKEN_TTL:
        return _text(400, "X-Metadata-Token-Ttl-Seconds must be between 1 and %d" % MAX_TOKEN_TTL, "400")
    token = secrets.token_urlsafe(32)
    state.metadata_tokens[token] = time.time() + ttl
    return _text(200, token)


def _security_key(state, request):
    if state.config.get("huawei_metadata_token_service", "on") == "on":
        token = request.headers.get("X-Metadata-Token")
        if not token or state.metadata_tokens.get(token, 0) <= time.time():
            return _text(401, "Unauthorized: X-Metadata-Token is missing, invalid or expired", "401")
    agency = state.config.get("huawei_metadata_agency")
    if not agency:
        return _text(401, NO_AGENCY, "401")
    issued = state.current_metadata_credential("huawei", agency)
    return _json({"credential": {"access": issued["access"], "secret": issued["secret"],
                                 "securitytoken": issued["token"], "expires_at": huawei_time(issued["expires_at"], 6)}})


def throttled(state):
    return _text(429, "Too Many Requests", "429")


def vanish(state, ids):
    pass
