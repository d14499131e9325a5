"""Signature checks with the official SDKs' own signing code (never a reimplementation).

A wrong signer in the collection cannot pass: the emulator recomputes every signature with
``huaweicloudsdkcore``'s ``Signer`` and ``tencentcloud-sdk-python-common``'s ``Sign.sign_tc3``.
"""

import calendar
import datetime
import hashlib
import re
import time
from types import SimpleNamespace
from urllib.parse import parse_qsl

from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from tencentcloud.common.sign import Sign

from emulator.credentials import huawei_account
from emulator.state import HUAWEI_CREDENTIALS, HUAWEI_TOKENS, TENCENT_CREDENTIALS
from emulator.wire import caller

HUAWEI_AUTH_RE = re.compile(r"^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]+)$")
TC3_AUTH_RE = re.compile(r"^TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/([^/]+)/tc3_request, "
                         r"SignedHeaders=([^,]+), Signature=([0-9a-f]+)$")


class AuthFailure(Exception):
    def __init__(self, code, message, status=401):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def verify_huawei(request, state=None):
    """Raise AuthFailure unless the request carries a valid IAM token or AK/SK signature.

    ``state`` holds the temporary credentials the emulator issued (STS, IAM, metadata): they are accepted with their
    security token until they expire."""
    headers = request.headers
    token = headers.get("X-Auth-Token")
    if token is not None:
        if token not in HUAWEI_TOKENS:
            raise AuthFailure("APIGW.0307", "The token must be updated.")
        return
    auth = headers.get("Authorization")
    if not auth:
        raise AuthFailure("APIGW.0301", "Incorrect IAM authentication information: Authorization header not found")
    match = HUAWEI_AUTH_RE.match(auth)
    if not match:
        raise AuthFailure("APIGW.0301", "Incorrect IAM authentication information: malformed Authorization header")
    ak, signed_names, _signature = match.groups()
    issued = state.issued_credential(ak) if state is not None else None
    if issued is not None and issued["cloud"] == "huawei":
        sk, required_token = issued["secret"], issued["token"]
    elif _permanent(state, "huawei", ak) is not None:
        sk, required_token = _permanent(state, "huawei", ak)
    else:
        raise AuthFailure("APIGW.0301", "Incorrect IAM authentication information: ak not found")
    names = signed_names.split(";")
    received = {k.lower(): v for k, v in headers.items()}
    if required_token is not None:
        if "x-security-token" not in names or received.get("x-security-token") != required_token:
            raise AuthFailure("APIGW.0301", "Incorrect IAM authentication information: invalid security token")
        if issued is not None and issued["cloud"] == "huawei" and time.time() >= issued["expires_at"]:
            # The emulator's choice for an expired temporary AK/SK + security token: API Gateway's "token must be
            # updated" (401); clients refresh once on a 401, then fail.
            raise AuthFailure("APIGW.0307", "The token must be updated.")
    elif received.get("x-security-token"):
        raise AuthFailure("APIGW.0301", "Incorrect IAM authentication information: invalid security token")
    date = received.get("x-sdk-date", "")
    try:
        signed_at = calendar.timegm(time.strptime(date, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        raise AuthFailure("APIGW.0301", "Incorrect IAM authentication information: invalid X-Sdk-Date") from None
    if abs(time.time() - signed_at) > 15 * 60:
        raise AuthFailure("APIGW.0301", "Incorrect IAM authentication information: X-Sdk-Date expired")
    header_params = {}
    for name in names:
        if name not in received:
            raise AuthFailure("APIGW.0301", "Incorrect IAM authentication information: signed header %s missing" % name)
        header_params[name] = received[name]
    sdk_request = SdkRequest(method=request.method, schema="http", host=received.get("host"),
                             resource_path=request.path, query_params=parse_qsl(request.query, keep_blank_values=True),
                             header_params=header_params, body=request.body or "")
    Signer(SimpleNamespace(ak=ak, sk=sk)).sign(sdk_request)
    if sdk_request.header_params.get("Authorization") != auth:
        raise AuthFailure("APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail")
    wire = request.path + ("?" + request.query if request.query else "")
    if sdk_request.uri != wire:
        raise AuthFailure("APIGW.0301", "Incorrect IAM authentication information: the query is not in canonical form")


def verify_tencent(request, state=None, expected_service=None):
    """Raise AuthFailure (Tencent codes) unless the TC3-HMAC-SHA256 signature is valid.

    The signature is recomputed over the headers received, the Host the client sent included (one port serves every
    service, so the host is the emulator's); the credential scope must name ``expected_service`` (``batch``,
    ``sts``). Temporary credentials the emulator issued are accepted with their X-TC-Token until they expire."""
    headers = request.headers
    auth = headers.get("Authorization", "")
    match = TC3_AUTH_RE.match(auth)
    if not match:
        raise AuthFailure("AuthFailure.InvalidAuthorization", "The Authorization header is malformed.")
    secret_id, date, service, signed_names, signature = match.groups()
    issued = state.issued_credential(secret_id) if state is not None else None
    if issued is not None and issued["cloud"] == "tencent":
        secret_key, token = issued["secret"], issued["token"]
    elif _permanent(state, "tencent", secret_id) is not None:
        secret_key, token = _permanent(state, "tencent", secret_id)
        issued = None
    else:
        raise AuthFailure("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
    try:
        timestamp = int(headers.get("X-TC-Timestamp", ""))
    except ValueError:
        raise AuthFailure("AuthFailure.InvalidAuthorization", "X-TC-Timestamp is missing or malformed.") from None
    if abs(time.time() - timestamp) > 300:
        raise AuthFailure("AuthFailure.SignatureExpire", "The signature expired: the timestamp is more than 5 minutes off.")
    if datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%d") != date:
        raise AuthFailure("AuthFailure.SignatureFailure", "The credential date does not match X-TC-Timestamp.")
    received = {k.lower(): v for k, v in headers.items()}
    lines = []
    for name in signed_names.split(";"):
        value = received.get(name, "").strip()
        if name not in ("content-type", "host"):
            value = value.lower()
        lines.append("%s:%s\n" % (name, value))
    canonical = "\n".join(["POST", "/", "", "".join(lines), signed_names, hashlib.sha256(request.body).hexdigest()])
    string_to_sign = "TC3-HMAC-SHA256\n%d\n%s/%s/tc3_request\n%s" % (
        timestamp, date, service, hashlib.sha256(canonical.encode("utf-8")).hexdigest())
    if Sign.sign_tc3(secret_key, date, service, string_to_sign) != signature:
        raise AuthFailure("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
    if expected_service is not None and service != expected_service:
        raise AuthFailure("AuthFailure.SignatureFailure",
                          "The credential scope names service %s, this endpoint is %s." % (service, expected_service))
    if token is None and headers.get("X-TC-Token"):
        raise AuthFailure("AuthFailure.TokenFailure", "A token was sent with permanent keys.")
    if token is not None and headers.get("X-TC-Token") != token:
        raise AuthFailure("AuthFailure.TokenFailure", "The token is invalid or missing.")
    if issued is not None and time.time() >= issued["expires_at"]:
        raise AuthFailure("AuthFailure.TokenFailure", "The token has expired.")


def _permanent(state, cloud, key):
    """(secret, required token) of a key the emulator did not issue: the demo keys, and with ``state`` the further
    accounts its setting ``accounts`` admits."""
    if state is not None:
        return state.permanent_credential(cloud, key)
    return (HUAWEI_CREDENTIALS if cloud == "huawei" else TENCENT_CREDENTIALS).get(key)


def request_account(request, state):
    """The account a request acts for (Huawei domain id, Tencent uin), from the key it is signed with (an IAM token:
    the demo account); None when it is unsigned or the key is unknown. Not a verification: the signature is checked
    by verify_huawei / verify_tencent."""
    auth = request.headers.get("Authorization") or ""
    if auth.startswith("SDK-HMAC-SHA256 "):
        return state.account_of_key("huawei", caller(request))
    if auth.startswith("TC3-HMAC-SHA256 "):
        return state.account_of_key("tencent", caller(request))
    if request.headers.get("X-Auth-Token") in HUAWEI_TOKENS:
        return huawei_account(0)["account"]
    return None


_PROJECT_PATH = re.compile(r"^/v[0-9.]+/([0-9a-f]{32})/")


def request_region(request):
    """The region a request is for: Tencent's ``X-TC-Region``; for Huawei the project id of the path (a project is
    one region of one account); None otherwise."""
    region = request.headers.get("X-TC-Region")
    if region is not None:
        return region
    found = _PROJECT_PATH.match(request.path)
    return found.group(1) if found else None
