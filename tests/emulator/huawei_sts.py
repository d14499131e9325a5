"""Huawei Cloud STS v5: `POST /v5/agencies/assume` (huaweicloudsdksts's AssumeAgency), temporary AK/SK for an agency,
and `POST /v5/decode-authorization-message` (DecodeAuthorizationMessage), the decision inside a denial's
`encoded_authorization_message` (policies.py).

Errors use the STS5 envelope `{"error_code", "error_msg", "request_id"}`; an unknown agency is `STS5.1106`
(the code Huawei's API guide shows), a bad parameter `STS5.1001` (the emulator's choice: the code is invented).
"""

import re

from emulator import policies
from emulator.wire import caller, huawei_error, huawei_reply, huawei_time

NAME = "sts"
PATH = "/v5/agencies/assume"
DECODE_PATH = "/v5/decode-authorization-message"
MAX_ENCODED = 10240
AGENCY_URN = re.compile(r"^iam::([0-9a-f]{32}):agency:([^:]+)$")
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,128}$")


def match(method, path):
    if path.rstrip("/") == PATH and method == "POST":
        return "AssumeAgency", {}
    if path.rstrip("/") == DECODE_PATH and method == "POST":
        return "DecodeAuthorizationMessage", {}
    return None


def _invalid(message):
    return huawei_error(400, "STS5.1001", message)


def handle(state, operation, params, request):
    if operation == "DecodeAuthorizationMessage":
        return _decode(request)
    return _assume_agency(state, request)


def _decode(request):
    """200 {"decoded_message": "<JSON text>"}; encoded_message is 1 to 10240 characters."""
    body = request.json()
    message = body.get("encoded_message") if isinstance(body, dict) else None
    if not isinstance(message, str) or not 1 <= len(message) <= MAX_ENCODED:
        return _invalid("encoded_message is required: 1 to %d characters" % MAX_ENCODED)
    decoded = policies.decode(message)
    if decoded is None:
        return _invalid("encoded_message is not an encoded authorization message")
    return huawei_reply(200, {"decoded_message": decoded})


def _assume_agency(state, request):
    """200 {"assumed_agency": {urn, id}, "credentials": {access_key_id, secret_access_key, security_token, expiration}}.

    duration_seconds 900-43200, default 3600; at most 3600 when the caller's keys carry a security token."""
    body = request.json()
    if not isinstance(body, dict):
        return _invalid("the request body is not a JSON object")
    urn, session = body.get("agency_urn"), body.get("agency_session_name")
    if not isinstance(session, str) or not SESSION_NAME.match(session):
        return _invalid("agency_session_name is required: 2 to 128 characters of letters, digits and +=,.@-_")
    found = AGENCY_URN.match(urn) if isinstance(urn, str) else None
    if found is None:
        return _invalid("agency_urn must be iam::<account id>:agency:<agency name>")
    duration = body.get("duration_seconds", 3600)
    if not isinstance(duration, int) or isinstance(duration, bool) or not 900 <= duration <= 43200:
        return _invalid("duration_seconds must be between 900 and 43200")
    if request.headers.get("X-Security-Token") and duration > 3600:
        return _invalid("duration_seconds must be at most 3600 when the caller uses temporary credentials")
    agency = state.find_huawei_agency(found.group(2), domain_id=found.group(1))
    if agency is None:
        return huawei_error(404, "STS5.1106", "the agency '%s' cannot be found" % urn)
    issued = state.issue("huawei", "AssumeAgency", urn, duration, session_name=session, caller=caller(request))
    return huawei_reply(200, {
        "assumed_agency": {"urn": "sts::%s:assumed-agency:%s/%s" % (agency["domain_id"], agency["agency_name"], session),
                           "id": "%s:%s" % (agency["id"], session)},
        "credentials": {"access_key_id": issued["access"], "secret_access_key": issued["secret"],
                        "security_token": issued["token"], "expiration": huawei_time(issued["expires_at"], 3)},
    })


def throttled(state):
    return huawei_error(429, "APIGW.0308", "The throttling threshold has been reached: policy user over ratelimit")


def vanish(state, ids):
    pass
