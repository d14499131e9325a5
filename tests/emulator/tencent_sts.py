"""Tencent Cloud STS, API 3.0 version 2018-08-13: AssumeRole (what tencentcloud-sdk-python-common's
STSAssumeRoleCredential calls). Recognised by `X-TC-Action: AssumeRole`; the TC3 credential scope names `sts`."""

import re

from emulator.wire import caller, tencent_error, tencent_ok, tencent_time

NAME = "sts"
CLOUD = "tencent"
SIGNING_SERVICE = "sts"
VERSION = "2018-08-13"
ACTIONS = ("AssumeRole",)
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")


def match(method, path):
    return None  # recognised by X-TC-Action in server.route


def handle(state, operation, params, request):
    """Response.Credentials.{Token, TmpSecretId, TmpSecretKey}, ExpiredTime (epoch seconds), Expiration (ISO)."""
    if request.headers.get("X-TC-Version") != VERSION:
        return tencent_error("InvalidParameter", "X-TC-Version must be %s for sts." % VERSION)
    body = request.json()
    if not isinstance(body, dict):
        return tencent_error("InvalidParameter.ParamError", "The request body is not a JSON object.")
    arn, session = body.get("RoleArn"), body.get("RoleSessionName")
    if not isinstance(arn, str) or not arn:
        return tencent_error("InvalidParameter.ParamError", "RoleArn is required.")
    if not isinstance(session, str) or not SESSION_NAME.match(session):
        return tencent_error("InvalidParameter.ParamError", "RoleSessionName must be 2 to 64 characters of [\\w+=,.@-].")
    duration = body.get("DurationSeconds", 7200)
    if not isinstance(duration, int) or isinstance(duration, bool) or duration <= 0:
        return tencent_error("InvalidParameter.ParamError", "DurationSeconds must be a positive integer.")
    if duration > 43200:
        return tencent_error("InvalidParameter.OverTimeError", "DurationSeconds must be at most 43200.")
    if arn not in state.tencent_roles:
        return tencent_error("ResourceNotFound.RoleNotFound", "The role %s does not exist." % arn)
    issued = state.issue("tencent", "AssumeRole", arn, duration, session_name=session, caller=caller(request))
    return tencent_ok({"Credentials": {"Token": issued["token"], "TmpSecretId": issued["access"],
                                       "TmpSecretKey": issued["secret"]},
                       "ExpiredTime": int(issued["expires_at"]), "Expiration": tencent_time(issued["expires_at"])})


def throttled(state):
    return tencent_error("RequestLimitExceeded", "Your current request times exceeds the limit.")


def seed(state, records):
    for role in records:
        state.add_tencent_role(role)


def dump(state):
    return {"tencent_roles": [dict(r) for _a, r in sorted(state.tencent_roles.items())]}


def vanish(state, ids):
    pass
