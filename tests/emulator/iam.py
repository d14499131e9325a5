"""IAM: the one call the collection makes, `GET /v3/projects?name=<region>`."""

from urllib.parse import parse_qsl

from emulator.state import DEMO_PROJECT
from emulator.wire import huawei_error, huawei_reply

NAME = "iam"


def default_project(state):
    return DEMO_PROJECT


def match(method, path):
    if path.rstrip("/") == "/v3/projects" and method == "GET":
        return "KeystoneListProjects", {}
    return None


def handle(state, operation, params, request):
    name = dict(parse_qsl(request.query)).get("name")
    projects = [{"id": pid, "name": region, "domain_id": "0d0e0f1a2b3c4d5e6f7a8b9c0d1e2f3a", "enabled": True,
                 "is_domain": False, "parent_id": "0d0e0f1a2b3c4d5e6f7a8b9c0d1e2f3a", "description": ""}
                for region, pid in sorted(state.config["projects"].items()) if name is None or region == name]
    return huawei_reply(200, {"projects": projects, "links": {"self": "/v3/projects"}})


def throttled(state):
    return huawei_error(429, "APIGW.0308", "The throttling threshold has been reached: policy user over ratelimit")


def vanish(state, ids):
    pass
