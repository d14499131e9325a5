"""Request and reply shapes shared by the service handlers, and the two clouds' error envelopes."""

import json
import time
import uuid


class ApiRequest:
    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.in_flight = None  # API calls the emulator was serving when this one arrived, itself included

    def json(self):
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return None


class Reply:
    def __init__(self, status, body=None, headers=None, error_code=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.error_code = error_code
        self.denied_action = None  # the permission a policy denial names (policies.py), for the request log

    def payload(self):
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode("utf-8")


def request_id():
    return str(uuid.uuid4())


def huawei_reply(status, body=None):
    return Reply(status, body, {"X-Request-Id": request_id().replace("-", "")})


def huawei_error(status, code, message, camel=False):
    rid = request_id().replace("-", "")
    body = {"errorCode": code, "errorMsg": message} if camel else {"error_code": code, "error_msg": message}
    if not camel:
        body["request_id"] = rid
    return Reply(status, body, {"X-Request-Id": rid}, error_code=code)


def tencent_ok(fields):
    body = dict(fields)
    body["RequestId"] = request_id()
    return Reply(200, {"Response": body})


def tencent_error(code, message):
    return Reply(200, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id()}},
                 error_code=code)


def huawei_time(epoch, digits):
    """``2026-11-30T01:02:03.587000Z`` (digits=6, IAM) or ``2026-11-30T01:02:03.158Z`` (digits=3, STS)."""
    whole, micro = divmod(int(epoch * 1_000_000), 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + "." + ("%06d" % micro)[:digits] + "Z"


def tencent_time(epoch):
    """``2026-11-30T01:02:03Z``: Tencent's ISO 8601 form (Expiration)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


def caller(request):
    """The key that signed the request (Huawei ``Access=``, Tencent ``Credential=``), for the record of issued
    credentials."""
    auth = request.headers.get("Authorization") or ""
    for marker, end in (("Access=", ","), ("Credential=", "/")):
        if marker in auth:
            return auth.split(marker, 1)[1].split(end, 1)[0]
    return None
