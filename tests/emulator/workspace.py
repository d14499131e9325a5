"""Workspace scheduled tasks: list (offset from 0, limit <= 50, LIFE_CYCLE only when asked), show,
batch-delete (1-5000 ids) and single delete."""

import re
from urllib.parse import parse_qsl

from emulator.state import DEMO_PROJECT
from emulator.wire import huawei_error, huawei_reply

NAME = "workspace"

LIST_FIELDS = ("id", "task_name", "task_type", "scheduled_type", "life_cycle_type", "life_cycle_exec_period",
               "last_status", "next_execution_time", "expire_time", "enable", "description", "priority", "time_zone",
               "wait_time", "extra_params")
SHOW_FIELDS = ("id", "task_type", "task_name", "force_execute", "scheduled_type", "life_cycle_type",
               "life_cycle_exec_period", "day_interval", "week_list", "month_list", "date_list", "scheduled_date",
               "scheduled_time", "expire_time", "description", "extra_params", "apply_objects", "gray_count",
               "gray_desktop_ids", "gray_fail_threshold", "time_zone", "wait_time")
LIST = re.compile(r"^/v2/([^/]+)/scheduled-tasks/?$")
BATCH = re.compile(r"^/v2/([^/]+)/scheduled-tasks/batch-delete/?$")
ONE = re.compile(r"^/v2/([^/]+)/scheduled-tasks/([^/]+)/?$")


def match(method, path):
    for route_method, pattern, operation in (("POST", BATCH, "BatchDeleteScheduledTasks"),
                                             ("GET", LIST, "ListScheduledTasks"),
                                             ("GET", ONE, "ShowScheduledTasks"),
                                             ("DELETE", ONE, "DeleteScheduledTasks")):
        found = pattern.match(path)
        if found and method == route_method:
            return operation, {"groups": found.groups()}
    return None


def throttled(state):
    return huawei_error(429, "APIGW.0308", "The throttling threshold has been reached: policy user over ratelimit")


def seed(state, records):
    for raw in records:
        record = dict(raw)
        project = record.pop("project_id", None) or DEMO_PROJECT
        record.setdefault("task_name", record["id"])
        record.setdefault("task_type", "REBOOT")
        record.setdefault("scheduled_type", "DAY")
        record.setdefault("enable", True)
        record.setdefault("priority", 1)
        record.setdefault("time_zone", "UTC")
        record.setdefault("wait_time", 0)
        record.setdefault("force_execute", False)
        record.setdefault("apply_objects", [{"object_type": "ALL_DESKTOPS", "object_id": "", "object_name": ""}])
        if record["scheduled_type"] == "LIFE_CYCLE":
            record.setdefault("life_cycle_type", "POST_CREATE_DESKTOP_SUCCESS")
            record.setdefault("life_cycle_exec_period", 1440)
        state.workspace[(project, record["id"])] = record
    state.workspace_version += 1


def dump(state):
    return {"workspace": [dict(r, project_id=p) for (p, _i), r in sorted(state.workspace.items())]}


def vanish(state, ids):
    for key in [k for k in state.workspace if k[1] in ids]:
        del state.workspace[key]
    state.workspace_version += 1


def _not_found(state):
    setting = state.config["workspace_not_found"]
    return huawei_error(int(setting.get("status", 400)), setting.get("code", "WKS.0103"),
                        "The scheduled task does not exist.")


def handle(state, operation, params, request):
    project = params["groups"][0]
    if project not in state.projects():
        return huawei_error(403, "APIGW.0310", "The project is unavailable.")
    if operation == "ListScheduledTasks":
        return _list(state, project, dict(parse_qsl(request.query, keep_blank_values=True)))
    if operation == "BatchDeleteScheduledTasks":
        return _batch_delete(state, project, request)
    key = (project, params["groups"][1])
    record = state.workspace.get(key)
    if record is None:
        return _not_found(state)
    if operation == "ShowScheduledTasks":
        return huawei_reply(200, {k: record.get(k) for k in SHOW_FIELDS if k in record or k == "id"})
    del state.workspace[key]
    state.workspace_version += 1
    return huawei_reply(200)


def _list(state, project, query):
    try:
        offset = int(query.get("offset", "0"))
        limit = int(query.get("limit", "10"))
    except ValueError:
        return huawei_error(400, "WKS.0001", "offset and limit must be integers.")
    if offset < 0 or not 0 <= limit <= 50:
        return huawei_error(400, "WKS.0001", "limit must be between 0 and 50 and offset at least 0.")
    key = (project, tuple(sorted((k, v) for k, v in query.items() if k not in ("offset", "limit"))),
           state.workspace_version)
    cache = state.workspace_list_cache
    if key not in cache:
        # Paging through thousands of tasks must not re-filter and re-sort them for every page.
        cache.clear()
        cache[key] = _matching(state, project, query)
    matching = cache[key]
    window = matching[offset:offset + limit]
    return huawei_reply(200, {"scheduled_tasks": [{k: r.get(k) for k in LIST_FIELDS} for r in window],
                              "total_count": len(matching)})


def _matching(state, project, query):
    life_cycle = query.get("scheduled_type") == "LIFE_CYCLE"
    matching = [r for (p, _i), r in state.workspace.items()
                if p == project and (r["scheduled_type"] == "LIFE_CYCLE") == life_cycle]
    for key in ("task_name", "task_type", "scheduled_type", "life_cycle_type", "last_status"):
        if query.get(key):
            matching = [r for r in matching if r.get(key) == query[key]]
    matching.sort(key=lambda r: r["id"])
    return matching


def _batch_delete(state, project, request):
    body = request.json()
    ids = body.get("task_ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not ids:
        return huawei_error(400, "WKS.0001", "The request message input by the interface is empty.")
    if len(ids) > 5000:
        return huawei_error(400, "WKS.0002", "task_ids holds more than 5000 ids.")
    keys = [(project, i) for i in ids]
    if state.config["workspace_unknown_ids"] == "reject" and any(k not in state.workspace for k in keys):
        return _not_found(state)
    for key in keys:
        state.workspace.pop(key, None)
    state.workspace_version += 1
    return huawei_reply(200)
