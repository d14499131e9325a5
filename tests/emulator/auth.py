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

from emulator.state import HUAWEI_CREDENTIALS, HUAWEI_TOKENS, TENCENT_CREDENTIALS

HUAWEI_AUTH_RE = re.compile(r"^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]+)$")
TC3_AUTH_RE = re.compile(r"^TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/([^/]+)/tc3_request, "
                         r"SignedHeaders=([^,]+), Signature=([0-9a-f]+)$")


class AuthFailure(Exception):
    def __init__(self, code, message, status=401):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def verify_huawei(request, require_project_header_match=None):
    """Raise AuthFailure unless the request carries a valid IAM token or AK/SK signature."""
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
    if ak not in HUAWEI_CREDENTIALS:
        raise AuthFailure("APIGW.0301", "Incorrect IAM authentication information: ak not found")
    sk, required_token = HUAWEI_CREDENTIALS[ak]
    names = signed_names.split(";")
    received = {k.lower(): v for k, v in headers.items()}
    if required_token is not None:
        if "x-security-token" not in names or received.get("x-security-token") != required_token:
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


def verify_tencent(request):
    """Raise AuthFailure (Tencent codes) unless the TC3-HMAC-SHA256 signature is valid."""
    headers = request.headers
    auth = headers.get("Authorization", "")
    match = TC3_AUTH_RE.match(auth)
    if not match:
        raise AuthFailure("AuthFailure.InvalidAuthorization", "The Authorization header is malformed.")
    secret_id, date, service, signed_names, signature = match.groups()
    if secret_id not in TENCENT_CREDENTIALS:
        raise AuthFailure("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
    secret_key, token = TENCENT_CREDENTIALS[secret_id]
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
    if token is not None and headers.get("X-TC-Token") != token:
        raise AuthFailure("AuthFailure.TokenFailure", "The token is invalid or missing.")
