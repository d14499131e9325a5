"""IAM: the project lookup `GET /v3/projects?name=<region>`, the caller's own projects `GET /v3/auth/projects`,
and temporary AK/SK for an agency, `POST /v3.0/OS-CREDENTIAL/securitytokens` with the `assume_role` method
(huaweicloudsdkiam's CreateTemporaryAccessKeyByAgency)."""

from urllib.parse import parse_qsl

from emulator.auth import request_account
from emulator.credentials import HUAWEI_DOMAIN_ID, huawei_account
from emulator.state import DEMO_PROJECT
from emulator.wire import caller, huawei_error, huawei_reply, huawei_time

NAME = "iam"
SECURITYTOKENS = "/v3.0/OS-CREDENTIAL/securitytokens"


def default_project(state):
    return DEMO_PROJECT


def match(method, path):
    if path.rstrip("/") == "/v3/projects" and method == "GET":
        return "KeystoneListProjects", {}
    if path.rstrip("/") == "/v3/auth/projects" and method == "GET":
        return "KeystoneListAuthProjects", {}
    if path.rstrip("/") == SECURITYTOKENS and method == "POST":
        return "CreateTemporaryAccessKeyByAgency", {}
    return None


def handle(state, operation, params, request):
    if operation == "CreateTemporaryAccessKeyByAgency":
        return _assume_role(state, request)
    if operation == "KeystoneListAuthProjects":
        domain = request_account(request, state)
        return _projects(_own_projects(state, domain), domain, None, "/v3/auth/projects")
    return _projects(state.config["projects"], HUAWEI_DOMAIN_ID, dict(parse_qsl(request.query)).get("name"),
                     "/v3/projects")


def _projects(regions, domain, name, path):
    """{"projects", "links"}: the projects of ``regions`` ({region: project id}), of the name ``name`` if given."""
    projects = [{"id": pid, "name": region, "domain_id": domain, "enabled": True,
                 "is_domain": False, "parent_id": domain, "description": ""}
                for region, pid in sorted(regions.items()) if name is None or region == name]
    return huawei_reply(200, {"projects": projects, "links": {"self": path}})


def _own_projects(state, domain):
    """The projects of the account ``domain``: the setting ``projects`` for the demo account, ``account_projects``
    for account n; none for any other."""
    if domain == HUAWEI_DOMAIN_ID:
        return state.config["projects"]
    for n, regions in state.config["account_projects"].items():
        if huawei_account(int(n))["domain_id"] == domain:
            return regions
    return {}


def _invalid(key):
    return huawei_error(400, "IAM.0007", "Request parameter %s is invalid." % key)


def _assume_role(state, request):
    """201 {"credential": {access, secret, securitytoken, expires_at}}; duration 900-86400 s, default 900."""
    body = request.json()
    identity = ((body or {}).get("auth") or {}).get("identity") if isinstance(body, dict) else None
    if not isinstance(identity, dict):
        return _invalid("auth.identity")
    if identity.get("methods") != ["assume_role"]:
        # Only the agency form is served; the token form (CreateTemporaryAccessKeyByToken) is not.
        return _invalid("auth.identity.methods")
    role = identity.get("assume_role")
    if not isinstance(role, dict) or not role.get("agency_name") or not (role.get("domain_name") or role.get("domain_id")):
        return _invalid("auth.identity.assume_role")
    duration = role.get("duration_seconds", 900)
    if not isinstance(duration, int) or isinstance(duration, bool) or not 900 <= duration <= 86400:
        return _invalid("auth.identity.assume_role.duration_seconds")
    agency = state.find_huawei_agency(role["agency_name"], role.get("domain_name"), role.get("domain_id"))
    if agency is None:
        return huawei_error(404, "IAM.0004", "Could not find agency: %s." % role["agency_name"])
    issued = state.issue("huawei", "CreateTemporaryAccessKeyByAgency",
                         "iam::%s:agency:%s" % (agency["domain_id"], agency["agency_name"]), duration,
                         caller=caller(request))
    return huawei_reply(201, {"credential": {"access": issued["access"], "secret": issued["secret"],
                                             "securitytoken": issued["token"],
                                             "expires_at": huawei_time(issued["expires_at"], 6)}})


def throttled(state):
    return huawei_error(429, "APIGW.0308", "The throttling threshold has been reached: policy user over ratelimit")


def vanish(state, ids):
    pass


def seed(state, records):
    for agency in records:
        state.add_huawei_agency(agency)


def dump(state):
    return {"huawei_agencies": [dict(a) for _k, a in sorted(state.huawei_agencies.items())]}
