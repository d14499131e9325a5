"""MRS job executions: the v2 API (per cluster, 202 answers, 1-based pages) and the deprecated v1.1 API."""

import re
from urllib.parse import parse_qsl

from emulator.state import DEMO_PROJECT, now_ms
from emulator.wire import huawei_error, huawei_reply

NAME = "mrs"

RUNNING = ("NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING")
RESULT_OF_STATE = {"FINISHED": "SUCCEEDED", "FAILED": "FAILED", "KILLED": "KILLED"}
V2_FIELDS = ("job_id", "user", "job_name", "job_result", "job_state", "job_progress", "job_type", "started_time",
             "submitted_time", "finished_time", "elapsed_time", "arguments", "properties", "launcher_id", "app_id",
             "tracking_url", "queue")
# JobExeResult, the v1.1 record (huaweicloudsdkmrs v1 model): what a v1.1 answer carries of a seeded record.
V1_FIELDS = ("id", "create_at", "update_at", "tenant_id", "job_id", "job_name", "start_time", "end_time", "cluster_id",
             "group_id", "jar_path", "input", "output", "job_log", "job_type", "file_action", "arguments", "hql",
             "job_state", "job_final_status", "hive_script_path", "create_by", "finished_step", "job_main_id",
             "job_step_id", "postpone_at", "step_name", "step_num", "task_num", "update_by", "spend_time", "step_seq",
             "progress")
# v1.1 job_final_status of each job_state: 0 unfinished, 1 terminated due to an execution error, 2 executed
# successfully, 3 canceled. job_state: -1 (or 1, setting mrs_v1_terminated_code) terminated, 1 starting ([TF]),
# 2 running, 3 completed, 4 abnormal, 5 error ([TF]).
V1_FINAL_STATUS = {-1: 3, 1: 0, 2: 0, 3: 2, 4: 1, 5: 1}
# v2 job_progress is a percent (the official examples give 0 and 100).
PROGRESS = {"NEW": 0.0, "NEW_SAVING": 0.0, "SUBMITTED": 0.0, "ACCEPTED": 0.0, "RUNNING": 50.0}
INT_FIELDS = ("started_time", "submitted_time", "finished_time", "elapsed_time", "create_at", "update_at",
              "start_time", "end_time", "job_state", "job_final_status", "job_type_v1", "postpone_at")

V2_LIST = re.compile(r"^/v2/([^/]+)/clusters/([^/]+)/job-executions/?$")
V2_BATCH = re.compile(r"^/v2/([^/]+)/clusters/([^/]+)/job-executions/batch-delete/?$")
V2_KILL = re.compile(r"^/v2/([^/]+)/clusters/([^/]+)/job-executions/([^/]+)/kill/?$")
V2_ONE = re.compile(r"^/v2/([^/]+)/clusters/([^/]+)/job-executions/([^/]+)/?$")
V1_LIST = re.compile(r"^/v1\.1/([^/]+)/job-exes/?$")
V1_ONE = re.compile(r"^/v1\.1/([^/]+)/job-exes/([^/]+)/?$")
V1_DELETE = re.compile(r"^/v1\.1/([^/]+)/job-executions/([^/]+)/?$")

ROUTES = (
    ("POST", V2_BATCH, "BatchDeleteJobs"),
    ("POST", V2_KILL, "StopJob"),
    ("GET", V2_LIST, "ShowJobExeListNew"),
    ("GET", V2_ONE, "ShowSingleJobExe"),
    ("GET", V1_LIST, "ListExecuteJob"),
    ("GET", V1_ONE, "ShowJobExes"),
    ("DELETE", V1_DELETE, "DeleteJobExecution"),
)


def match(method, path):
    for route_method, pattern, operation in ROUTES:
        found = pattern.match(path)
        if found and method == route_method:
            return operation, {"groups": found.groups()}
    return None


def throttled(state):
    return huawei_error(429, "APIGW.0308", "The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second")


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _coerce(record):
    for field in INT_FIELDS:
        if field in record and record[field] is not None and not isinstance(record[field], int):
            record[field] = _int(record[field], record[field])
    return record


def seed(state, v2_records, v1_records):
    now = now_ms()
    for raw in v2_records:
        record = _coerce(dict(raw))
        project = record.pop("project_id", None) or DEMO_PROJECT
        job_state = record.setdefault("job_state", "FINISHED")
        record.setdefault("job_result", RESULT_OF_STATE.get(job_state, "UNDEFINED"))
        record.setdefault("job_name", "job")
        record.setdefault("user", "admin")
        record.setdefault("job_type", "SparkSubmit")
        record.setdefault("queue", "default")
        record.setdefault("submitted_time", now)
        running = job_state in RUNNING
        record.setdefault("started_time", 0 if job_state in ("NEW", "NEW_SAVING", "SUBMITTED") else record["submitted_time"] + 1000)
        record.setdefault("finished_time", 0 if running else record["submitted_time"] + 60000)
        record.setdefault("elapsed_time", 0 if running else 59000)
        record.setdefault("job_progress", PROGRESS.get(job_state, 100.0))
        record.setdefault("arguments", "[]")
        record.setdefault("properties", "{}")
        record.setdefault("launcher_id", "application_%s" % record["job_id"][:8])
        record.setdefault("app_id", "application_%s" % record["job_id"][:8])
        record.setdefault("tracking_url", "")
        record.setdefault("cluster_id", "mrs-demo-cluster")
        state.mrs_clusters.add((project, record["cluster_id"]))
        state.mrs[(project, record["job_id"])] = record
    for raw in v1_records:
        record = _coerce(dict(raw))
        project = record.pop("project_id", None) or DEMO_PROJECT
        record.setdefault("job_name", "job")
        record.setdefault("job_state", 3)
        # Consistent with job_state unless the seed says otherwise (OTC's example: job_state 2, job_final_status 1).
        record.setdefault("job_final_status", V1_FINAL_STATUS.get(record["job_state"], 1))
        record.setdefault("create_at", now)
        record.setdefault("update_at", record["create_at"])
        record.setdefault("tenant_id", project)
        record.setdefault("job_id", "job-" + record["id"][:8])
        record.setdefault("cluster_id", "mrs-demo-cluster")
        record.setdefault("job_type", 1)
        record.setdefault("start_time", record["create_at"])
        record.setdefault("end_time", None if record["job_state"] in (1, 2) else record["create_at"] + 60000)
        record.setdefault("spend_time", None if record["job_state"] in (1, 2) else 60.0)
        record.setdefault("progress", "100%" if record["job_state"] == 3 else "")
        state.mrs_v1[(project, record["id"])] = record
    state.mrs_version += 1


def dump(state):
    v2 = [dict(r, project_id=p) for (p, _i), r in sorted(state.mrs.items())]
    v1 = [dict(r, project_id=p) for (p, _i), r in sorted(state.mrs_v1.items())]
    return {"mrs": v2, "mrs_v1": v1}


def vanish(state, ids):
    for key in [k for k in state.mrs if k[1] in ids] + [k for k in state.mrs_v1 if k[1] in ids]:
        state.mrs.pop(key, None)
        state.mrs_v1.pop(key, None)
    state.mrs_version += 1


def _business_error(state, code, message):
    """An MRS job error (01xx), with the status of the setting mrs_business_error_status: OTC's error table lists
    them with 500, [TF] sees 0176 with 400. The cluster and project errors (12000003, 12000107) are 400 in every
    source and stay 400."""
    return huawei_error(int(state.config["mrs_business_error_status"]), code, message)


def _not_found(state):
    status = state.config["mrs_not_found_status"]
    if status is None:
        return _business_error(state, "0176", "The job does not exist.")
    return huawei_error(int(status), "0176", "The job does not exist.")


def _no_cluster():
    return huawei_error(400, "12000003", "The cluster does not exist.", camel=True)


def handle(state, operation, params, request):
    groups = params["groups"]
    project = groups[0]
    if project not in state.projects():
        return huawei_error(400, "12000107", "Invalid project ID.")
    if operation in ("ListExecuteJob", "ShowJobExes", "DeleteJobExecution"):
        return _handle_v1(state, operation, groups, request)
    cluster = groups[1]
    if (project, cluster) not in state.mrs_clusters:
        return _no_cluster()
    if operation == "ShowJobExeListNew":
        return _list(state, project, cluster, dict(parse_qsl(request.query, keep_blank_values=True)))
    if operation == "ShowSingleJobExe":
        record = state.mrs.get((project, groups[2]))
        if record is None or record["cluster_id"] != cluster:
            return _not_found(state)
        return huawei_reply(202, {"job_detail": _view(record)})
    if operation == "StopJob":
        return _kill(state, project, cluster, groups[2])
    return _batch_delete(state, project, cluster, request)


def _view(record):
    return {k: record.get(k) for k in V2_FIELDS}


def _list(state, project, cluster, query):
    try:
        limit = int(query.get("limit", "10"))
        page = int(query.get("offset", "1"))
    except ValueError:
        return _business_error(state, "0166", "Failed to query the job list: limit and offset must be integers.")
    if limit < 1 or page < 1:
        return _business_error(state, "0166", "Failed to query the job list: limit and offset start at 1.")
    maximum = int(state.config["mrs_list_max_limit"])
    if limit > maximum:
        if state.config["mrs_list_over_limit"] == "reject":
            return _business_error(state, "0166", "Failed to query the job list: limit exceeds %d." % maximum)
        limit = maximum
    key = (project, cluster, tuple(sorted((k, v) for k, v in query.items() if k not in ("limit", "offset"))),
           len(state.mrs), state.mrs_version)
    cache = state.mrs_list_cache
    if key not in cache:
        # Paging through 20,000 records must not re-filter and re-sort them for every page.
        cache.clear()
        cache[key] = _matching(state, project, cluster, query)
    matching = cache[key]
    window = matching[(page - 1) * limit:page * limit]
    return huawei_reply(202, {"total_record": len(matching), "job_list": [_view(r) for r in window]})


def _matching(state, project, cluster, query):
    matching = [r for (p, _i), r in state.mrs.items() if p == project and r["cluster_id"] == cluster]
    for key in ("job_name", "job_id", "user", "job_type", "job_state", "job_result", "queue"):
        if query.get(key):
            matching = [r for r in matching if str(r.get(key)) == query[key]]
    if query.get("submitted_time_begin"):
        matching = [r for r in matching if r["submitted_time"] >= _int(query["submitted_time_begin"])]
    if query.get("submitted_time_end"):
        matching = [r for r in matching if r["submitted_time"] <= _int(query["submitted_time_end"])]
    matching.sort(key=lambda r: (r["submitted_time"], r["job_id"]), reverse=query.get("sort_by", "desc") != "asc")
    return matching


def _kill(state, project, cluster, job_id):
    record = state.mrs.get((project, job_id))
    if record is None or record["cluster_id"] != cluster:
        return _not_found(state)
    if record["job_state"] in RUNNING:
        def finish(record=record):
            record.update(job_state="KILLED", job_result="KILLED", finished_time=now_ms(), job_progress=100.0)
            state.mrs_version += 1
        state.schedule("mrs", (project, job_id), state.config["kill_delay"], finish)
    return huawei_reply(202)


def _batch_delete(state, project, cluster, request):
    body = request.json()
    ids = body.get("job_id_list") if isinstance(body, dict) else None
    if not ids or not isinstance(ids, list):
        return _business_error(state, "0178", "The job ID cannot be left blank.")
    maximum = state.config["mrs_batch_delete_max"]
    if maximum is not None and len(ids) > int(maximum):
        return _business_error(state, "0161", "Failed to delete jobs in batches: at most %d ids." % int(maximum))
    keys = [(project, i) for i in ids]
    existing = [k for k in keys if k in state.mrs and state.mrs[k]["cluster_id"] == cluster]
    if len(existing) < len(keys) and state.config["mrs_batch_delete_unknown_ids"] == "reject":
        return _not_found(state)
    running = [k for k in existing if state.mrs[k]["job_state"] in RUNNING]
    if running and state.config["mrs_batch_delete_running"] == "reject":
        return _business_error(state, "0183", "The job is running.")
    for key in existing:
        del state.mrs[key]
        state.pending.pop(("mrs", key), None)
    state.mrs_version += 1
    return huawei_reply(202)


# -- v1.1 -------------------------------------------------------------------------------------------------------
def _v1_view(state, record):
    view = {k: record[k] for k in V1_FIELDS if k in record}
    if view.get("job_state") == -1 and int(state.config["mrs_v1_terminated_code"]) == 1:
        view["job_state"] = 1
    return view


def _v1_not_found(state):
    setting = state.config["mrs_v1_not_found"]
    return huawei_error(int(setting.get("status", 404)), setting.get("code", "MRS.0404"), "The job execution does not exist.")


def _handle_v1(state, operation, groups, request):
    project = groups[0]
    if operation == "ListExecuteJob":
        query = dict(parse_qsl(request.query, keep_blank_values=True))
        try:
            size = int(query.get("page_size", "10"))
            page = int(query.get("current_page", "1"))
        except ValueError:
            return _business_error(state, "MRS.0002", "page_size and current_page must be integers.")
        if not 1 <= size <= 100 or page < 1:
            return _business_error(state, "MRS.0002", "page_size must be 1-100 and current_page at least 1.")
        spelling = state.config["mrs_v1_cluster_filter"]
        cluster = {"cluster_id": query.get("cluster_id"), "clusterId": query.get("clusterId"), "none": None,
                   "both": query.get("cluster_id") or query.get("clusterId")}[spelling]
        matching = [r for (p, _i), r in state.mrs_v1.items() if p == project]
        if cluster:
            matching = [r for r in matching if r["cluster_id"] == cluster]
        if query.get("job_name"):
            matching = [r for r in matching if r["job_name"] == query["job_name"]]
        if query.get("id"):
            matching = [r for r in matching if r["id"] == query["id"]]
        if query.get("state"):
            matching = [r for r in matching if str(_v1_view(state, r)["job_state"]) == query["state"]]
        matching.sort(key=lambda r: (r["create_at"], r["id"]), reverse=True)
        window = matching[(page - 1) * size:page * size]
        total = state.config["mrs_v1_total_record"]
        total = len(matching) if total == "exact" else int(total)
        return huawei_reply(200, {"totalRecord": total, "job_executions": [_v1_view(state, r) for r in window]})
    record = state.mrs_v1.get((project, groups[1]))
    if record is None and operation == "DeleteJobExecution" and (project, groups[1]) in state.mrs:
        # The v1.1 DELETE also addresses executions listed by the v2 API (the benchmarks' uri baseline uses it).
        if state.mrs[(project, groups[1])]["job_state"] in RUNNING:
            return _business_error(state, "0183", "The job is running.")
        del state.mrs[(project, groups[1])]
        state.mrs_version += 1
        return huawei_reply(204)
    if record is None:
        return _v1_not_found(state)
    if operation == "ShowJobExes":
        return huawei_reply(200, {"job_execution": _v1_view(state, record)})
    if record["job_state"] == 2 or (record["job_state"] == 1 and record.get("job_final_status") in (None, 0)):
        return _business_error(state, "0183", "The job is running.")
    del state.mrs_v1[(project, groups[1])]
    return huawei_reply(204)
