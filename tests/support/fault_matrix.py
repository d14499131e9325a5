"""The fault-injection matrix: every module x every operation it performs x every fault the clouds produce.

A *row* is one operation of one module, reached by a task whose arguments make the module perform it (and
whose other calls the fault cannot hit). A *cell* is a row x a fault x a mode:

- ``transient``: the fault hits fewer times than the retry budget; the task must succeed with the result
  a fault-free run gives, and the emulator must hold exactly the records that result says remain.
- ``persistent``: the fault hits every time; the task must fail with a message naming the service, the
  operation, the error code and (when the service gave one) the request id, without a traceback, and
  ``deleted`` / ``not_deleted`` must match the emulator's final state exactly.
- ``check``: the same two in check mode, which must send no mutating request at all. Operations that check
  mode never performs (deletes, kills, polls) get one check cell: the fault is armed and never reached.

Authentication failures are never retried, so they have no transient form: one refusal fails the task.
"""

import os
import time

# Where each module's outcomes go; tests/e2e/conftest.py turns them into docs/reliability.md.
RESULTS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "output", "fault_matrix")

RETRIES = 3  # the tasks' max_retries: a transient fault hits TRANSIENT_HITS < RETRIES + 1 attempts
TRANSIENT_HITS = 2
PERSISTENT_HITS = 1000
TIMEOUT = 0.3  # the tasks' per-request timeout; a "timeout" fault answers after TIMEOUT_FAULT_DELAY
TIMEOUT_FAULT_DELAY = 0.6
FAST_RETRIES = {"max_retries": RETRIES, "retry_delay": 0.01, "timeout": TIMEOUT}

DAY_MS = 86400 * 1000
CLUSTER = "mrs-matrix"
LEGACY_CLUSTER = "mrs-legacy"


def _mrs_id(n):
    return "1a2b3c4d-0000-4000-8000-%012d" % n


def _v1_id(n):
    return "5e6f7a8b-0000-4000-8000-%012d" % n


def _task_id(n):
    return "9c8d7e6f-0000-4000-8000-%012d" % n


E1, E2, E3, E4 = (_mrs_id(n) for n in (1, 2, 3, 4))  # finished, failed, running, finished but not selected
V1, V2, V3 = (_v1_id(n) for n in (1, 2, 3))
T1, T2, T3 = (_task_id(n) for n in (1, 2, 3))
J1, J2, J3, J4 = "job-0000000a", "job-0000000b", "job-0000000c", "job-0000000d"


def seed():
    now_ms = int(time.time() * 1000)
    old = now_ms - 30 * DAY_MS
    iso_old = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(old / 1000))
    return {
        "mrs": [
            {"job_id": E1, "job_name": "nightly-a", "job_state": "FINISHED", "cluster_id": CLUSTER, "submitted_time": old},
            {"job_id": E2, "job_name": "nightly-b", "job_state": "FAILED", "cluster_id": CLUSTER, "submitted_time": old},
            {"job_id": E3, "job_name": "nightly-c", "job_state": "RUNNING", "cluster_id": CLUSTER, "submitted_time": old},
            {"job_id": E4, "job_name": "keep-d", "job_state": "FINISHED", "cluster_id": CLUSTER, "submitted_time": old},
        ],
        "mrs_v1": [
            {"id": V1, "job_name": "nightly-a", "job_state": 3, "cluster_id": LEGACY_CLUSTER, "create_at": old},
            {"id": V2, "job_name": "nightly-b", "job_state": 4, "cluster_id": LEGACY_CLUSTER, "create_at": old},
            {"id": V3, "job_name": "keep-c", "job_state": 3, "cluster_id": LEGACY_CLUSTER, "create_at": old},
        ],
        "workspace": [
            {"id": T1, "task_name": "tmp-a", "scheduled_type": "FIXED_TIME"},
            {"id": T2, "task_name": "tmp-b", "scheduled_type": "LIFE_CYCLE"},
            {"id": T3, "task_name": "keep-c", "scheduled_type": "DAY"},
        ],
        "tencent": [
            {"JobId": J1, "JobName": "render-a", "JobState": "SUCCEED", "CreateTime": iso_old},
            {"JobId": J2, "JobName": "render-b", "JobState": "FAILED", "CreateTime": iso_old},
            {"JobId": J3, "JobName": "render-c", "JobState": "RUNNING", "CreateTime": iso_old},
            {"JobId": J4, "JobName": "keep-d", "JobState": "SUCCEED", "CreateTime": iso_old},
        ],
    }


# Fast and deterministic: no latency, no service-side rate limit, kills and terminations finish at once.
CONFIG = {"latency": {"*": 0.0}, "rate_limits": {"tencent.DeleteJob": 100000.0}, "kill_delay": 0.0,
          "terminate_delay": 0.0}

# Where each record lives in the emulator's state, and its id field there.
STATE_KEYS = {"mrs": ("mrs", "job_id"), "mrs_v1": ("mrs_v1", "id"), "workspace": ("workspace", "id"),
              "tencent": ("tencent", "JobId")}


class Fault:
    def __init__(self, name, huawei, tencent, huawei_code, tencent_code, retried=True):
        self.name = name
        self.spec = {"huawei": huawei, "tencent": tencent}
        self.code = {"huawei": huawei_code, "tencent": tencent_code}
        self.retried = retried

    def applies_to(self, cloud):
        return self.spec[cloud] is not None


FAULTS = [
    Fault("throttled", {"kind": "status", "status": 429, "code": "APIGW.0308"},
          {"kind": "status", "status": 200, "code": "RequestLimitExceeded"}, "APIGW.0308", "RequestLimitExceeded"),
    Fault("InternalError", None, {"kind": "status", "status": 200, "code": "InternalError"}, None, "InternalError"),
    Fault("HTTP 500", {"kind": "status", "status": 500}, {"kind": "status", "status": 500}, "APIGW.0601", "HTTP500"),
    Fault("HTTP 502", {"kind": "status", "status": 502}, {"kind": "status", "status": 502}, "APIGW.0201", "HTTP502"),
    Fault("HTTP 503", {"kind": "status", "status": 503}, {"kind": "status", "status": 503}, "APIGW.0613", "HTTP503"),
    Fault("HTTP 504", {"kind": "status", "status": 504}, {"kind": "status", "status": 504}, "APIGW.0201", "HTTP504"),
    Fault("dropped connection", {"kind": "drop"}, {"kind": "drop"}, "ConnectionError", "ConnectionError"),
    Fault("read timeout", {"kind": "timeout", "delay": TIMEOUT_FAULT_DELAY}, {"kind": "timeout", "delay": TIMEOUT_FAULT_DELAY},
          "Timeout", "Timeout"),
    Fault("malformed JSON", {"kind": "malformed"}, {"kind": "malformed"}, "MalformedResponse", "MalformedResponse"),
    Fault("truncated JSON", {"kind": "truncated"}, {"kind": "truncated"}, "MalformedResponse", "MalformedResponse"),
    Fault("HTML error page", {"kind": "html", "status": 502}, {"kind": "html", "status": 502}, "HTTP502", "HTTP502"),
    Fault("auth failure", {"kind": "auth"}, {"kind": "auth"}, "APIGW.0301", "AuthFailure.SignatureFailure", retried=False),
]

SERVICE_LABELS = {"iam": "Huawei Cloud IAM", "mrs": "Huawei Cloud MRS", "workspace": "Huawei Cloud Workspace",
                  "tencent": "Tencent Cloud Batch"}


class Row:
    """One operation of one module: the task that reaches it and what a fault-free run does."""

    def __init__(self, module, operation, service, api_operation, args, expect, store, skip=0, project_lookup=False,
                 in_check_mode=True):
        self.module = module
        self.operation = operation  # the matrix's column label
        self.service = service  # the emulator's service name
        self.api_operation = api_operation
        self.args = args
        self.expect = sorted(expect)  # ids deleted (deleting modules) or returned (_info modules)
        self.store = store  # which emulator collection the module works on
        self.skip = skip  # matching calls to let through first (to reach a later call of the same API)
        self.project_lookup = project_lookup
        self.in_check_mode = in_check_mode  # does check mode perform this operation?

    @property
    def cloud(self):
        return "tencent" if self.service == "tencent" else "huawei"

    @property
    def info(self):
        return self.module.endswith("_info")

    @property
    def label(self):
        return "%s: %s" % (self.module, self.operation)


MRS_BY_FILTERS = {"cluster_id": CLUSTER, "filters": {"name_pattern": "nightly-*"}}
MRS_V1_BY_FILTERS = {"api_version": "v1.1", "cluster_id": LEGACY_CLUSTER, "filters": {"name_pattern": "nightly-*"}}
WORKSPACE_BY_FILTERS = {"filters": {"name_pattern": "tmp-*"}}
TENCENT_BY_FILTERS = {"filters": {"name_pattern": "render-*"}}  # J2 is FAILED: its task instances need DescribeJob
FORCE_MRS = {"cluster_id": CLUSTER, "job_execution_ids": [E3], "force": True}
FORCE_TENCENT = {"job_ids": [J3], "force": True}


def rows():
    mrs, v1, ws, tc = "mrs", "mrs_v1", "workspace", "tencent"
    deleting = [
        Row("mrs_job_executions", "IAM project lookup", "iam", "KeystoneListAuthProjects", MRS_BY_FILTERS, [E1, E2], mrs,
            project_lookup=True),
        Row("mrs_job_executions", "list", "mrs", "ShowJobExeListNew", MRS_BY_FILTERS, [E1, E2], mrs),
        Row("mrs_job_executions", "show", "mrs", "ShowSingleJobExe", {"cluster_id": CLUSTER, "job_execution_ids": [E1]}, [E1], mrs),
        Row("mrs_job_executions", "batch-delete", "mrs", "BatchDeleteJobs", MRS_BY_FILTERS, [E1, E2], mrs, in_check_mode=False),
        Row("mrs_job_executions", "kill", "mrs", "StopJob", FORCE_MRS, [E3], mrs, in_check_mode=False),
        Row("mrs_job_executions", "polling", "mrs", "ShowSingleJobExe", FORCE_MRS, [E3], mrs, skip=1, in_check_mode=False),
        Row("mrs_job_executions v1.1", "list", "mrs", "ListExecuteJob", MRS_V1_BY_FILTERS, [V1, V2], v1),
        Row("mrs_job_executions v1.1", "show", "mrs", "ShowJobExes", {"api_version": "v1.1", "job_execution_ids": [V1]}, [V1], v1),
        Row("mrs_job_executions v1.1", "delete", "mrs", "DeleteJobExecution", MRS_V1_BY_FILTERS, [V1, V2], v1, in_check_mode=False),
        Row("workspace_scheduled_tasks", "IAM project lookup", "iam", "KeystoneListAuthProjects", WORKSPACE_BY_FILTERS, [T1, T2], ws,
            project_lookup=True),
        Row("workspace_scheduled_tasks", "list", "workspace", "ListScheduledTasks", WORKSPACE_BY_FILTERS, [T1, T2], ws),
        Row("workspace_scheduled_tasks", "show", "workspace", "ShowScheduledTasks", {"task_ids": [T1]}, [T1], ws),
        Row("workspace_scheduled_tasks", "batch-delete", "workspace", "BatchDeleteScheduledTasks", WORKSPACE_BY_FILTERS, [T1, T2], ws,
            in_check_mode=False),
        Row("tencent_batch_job", "list", "tencent", "DescribeJobs", TENCENT_BY_FILTERS, [J1, J2], tc),
        Row("tencent_batch_job", "show", "tencent", "DescribeJob", TENCENT_BY_FILTERS, [J1, J2], tc),
        Row("tencent_batch_job", "DeleteJob", "tencent", "DeleteJob", TENCENT_BY_FILTERS, [J1, J2], tc, in_check_mode=False),
        Row("tencent_batch_job", "TerminateJob", "tencent", "TerminateJob", FORCE_TENCENT, [J3], tc, in_check_mode=False),
        Row("tencent_batch_job", "polling", "tencent", "DescribeJob", FORCE_TENCENT, [J3], tc, in_check_mode=False),
    ]
    # The _info modules list records in every state unless filters.states narrows them.
    info = [
        Row("mrs_job_executions_info", "IAM project lookup", "iam", "KeystoneListAuthProjects", MRS_BY_FILTERS, [E1, E2, E3], mrs,
            project_lookup=True),
        Row("mrs_job_executions_info", "list", "mrs", "ShowJobExeListNew", MRS_BY_FILTERS, [E1, E2, E3], mrs),
        Row("mrs_job_executions_info", "show", "mrs", "ShowSingleJobExe", {"cluster_id": CLUSTER, "job_execution_ids": [E1]}, [E1], mrs),
        Row("workspace_scheduled_tasks_info", "IAM project lookup", "iam", "KeystoneListAuthProjects", WORKSPACE_BY_FILTERS, [T1, T2], ws,
            project_lookup=True),
        Row("workspace_scheduled_tasks_info", "list", "workspace", "ListScheduledTasks", WORKSPACE_BY_FILTERS, [T1, T2], ws),
        Row("workspace_scheduled_tasks_info", "show", "workspace", "ShowScheduledTasks", {"task_ids": [T1]}, [T1], ws),
        Row("tencent_batch_job_info", "list", "tencent", "DescribeJobs", TENCENT_BY_FILTERS, [J1, J2, J3], tc),
        Row("tencent_batch_job_info", "show", "tencent", "DescribeJob", TENCENT_BY_FILTERS, [J1, J2, J3], tc),
    ]
    return deleting + info


def modules():
    return sorted({row.module for row in rows()})


class Cell:
    def __init__(self, row, fault, mode, check):
        self.row = row
        self.fault = fault
        self.mode = mode  # "transient" or "persistent"
        self.check = check

    @property
    def name(self):
        return "%s | %s | %s | %s%s" % (self.row.module, self.row.operation, self.fault.name, self.mode,
                                        " | check" if self.check else "")

    @property
    def reached(self):
        """Does this run perform the faulted operation at all?"""
        return not self.check or self.row.in_check_mode

    @property
    def expect_failure(self):
        return self.reached and (self.mode == "persistent" or not self.fault.retried)

    def emulator_fault(self):
        fault = dict(self.fault.spec[self.row.cloud], service=self.row.service, operation=self.row.api_operation,
                     count=TRANSIENT_HITS if self.mode == "transient" else PERSISTENT_HITS)
        if self.row.skip:
            fault["skip"] = self.row.skip
        return fault

    def task(self):
        args = dict(self.row.args)
        args.update(FAST_RETRIES)
        if self.row.project_lookup:
            args["project_id"] = None
        task = {"cloudjobs.cleanup.%s" % self.row.module.split(" ")[0]: args}
        if self.check:
            task["check_mode"] = True
        return task


def cells(selected_rows):
    found = []
    for row in selected_rows:
        for fault in FAULTS:
            if not fault.applies_to(row.cloud):
                continue
            modes = ["transient", "persistent"] if fault.retried else ["persistent"]
            for mode in modes:
                found.append(Cell(row, fault, mode, check=False))
            if row.info:
                continue
            # Check mode: both modes where check mode performs the operation; one cell where it never does.
            for mode in (modes if row.in_check_mode else ["persistent"]):
                found.append(Cell(row, fault, mode, check=True))
    return found


# The cells a real ``ansible-playbook`` run still covers for each module (the module layer runs them all): a transient
# fault the task rides out, a persistent one it fails on (on the first operation check mode never performs, where the
# module has one), and a check-mode run; an _info module has no check cells, and gets a refusal that is never retried.
REAL_RUN = (
    ("first", "HTTP 503", "transient", False),
    ("mutating", "throttled", "persistent", False),
    ("list", "HTTP 500", "persistent", True),
)
REAL_RUN_INFO = ("list", "auth failure", "persistent", False)


def real_run_cells(module):
    """The few cells of ``module`` that tests/e2e/test_fault_matrix.py also runs with ``ansible-playbook``."""
    mine = [row for row in rows() if row.module == module]
    by_label = {"first": mine[0], "list": next(row for row in mine if row.operation == "list"),
                "mutating": next((row for row in mine if not row.in_check_mode), mine[-1])}
    picks = REAL_RUN if not mine[0].info else REAL_RUN[:2] + (REAL_RUN_INFO,)
    every = cells(mine)
    found = []
    for which, fault, mode, check in picks:
        match = [c for c in every if c.row is by_label[which] and c.fault.name == fault and c.mode == mode
                 and c.check == check]
        assert len(match) == 1, "no single %s cell of %s for %s" % (module, which, (fault, mode, check))
        found += match
    return found


def armed(selected_cells, initial):
    """``name -> cell`` as ``ansible_runs.run_cells`` and ``module_layer`` run them: the task, the emulator's settings,
    the ``initial`` records (``seed()``) and the cell's fault."""
    return {cell.name: {"task": cell.task(), "config": CONFIG, "seed": initial, "faults": [cell.emulator_fault()]}
            for cell in selected_cells}


def outcome(cell, line, initial):
    """One cell's entry in the results behind docs/reliability.md (``line``: its run's record, None if it did not
    run; ``initial``: ``seed()`` as armed)."""
    problems = ["the task did not run"] if line is None else evaluate(cell, line, ids_in(initial, cell.row.store))
    return {"module": cell.row.module, "operation": cell.row.operation, "fault": cell.fault.name, "mode": cell.mode,
            "check": cell.check, "failed": bool(line and line["status"] == "failed"), "problems": problems}


def ids_in(state, store):
    key, field = STATE_KEYS[store]
    return {record[field] for record in state[key]}


def evaluate(cell, line, initial):
    """The problems with one cell's outcome (an empty list when it is green)."""
    row = cell.row
    result = line["result"]
    problems = []
    failed = line["status"] == "failed"
    final = ids_in(line["state"], row.store)
    removed = sorted(initial - final)
    requests = line["requests"]
    text = " ".join(str(result.get(k, "")) for k in ("msg", "module_stderr", "module_stdout", "exception"))
    if "Traceback" in text:
        problems.append("a Python traceback reached the output")
    if cell.check or row.info:
        mutating = [r["operation"] for r in requests if r["mutating"]]
        if mutating:
            problems.append("mutating requests sent: %s" % mutating)
        if removed:
            problems.append("records removed: %s" % removed)
    hits = [r for r in requests if r["service"] == row.service and r["operation"] == row.api_operation
            and r["error_code"] is not None]
    if cell.reached and not hits:
        problems.append("the fault was never hit: the row does not reach %s" % row.api_operation)
    if cell.expect_failure:
        if not failed:
            problems.append("the task succeeded under a persistent fault")
        msg = result.get("msg") or ""
        code = cell.fault.code[row.cloud]
        for needle, what in ((SERVICE_LABELS[row.service], "service"), (row.api_operation, "operation"), (code, "error code")):
            if needle not in msg:
                problems.append("the message does not name the %s (%s): %r" % (what, needle, msg))
        # Concurrent calls (Tencent DeleteJob, v1.1 deletes) each fail with their own request id.
        request_ids = [h["request_id"] for h in hits if h.get("request_id")]
        if request_ids and not any(rid in msg for rid in request_ids):
            problems.append("the message names none of the request ids %s: %r" % (request_ids, msg))
        if not row.info:
            problems += _accounting(cell, result, initial, final)
    else:
        if failed:
            problems.append("the task failed: %r" % result.get("msg"))
        elif row.info:
            returned = sorted(_returned_ids(result))
            if returned != row.expect:
                problems.append("returned %s, expected %s" % (returned, row.expect))
        else:
            if sorted(result.get("deleted") or []) != row.expect:
                problems.append("deleted %s, expected %s" % (sorted(result.get("deleted") or []), row.expect))
            expected_removed = [] if cell.check else row.expect
            if removed != expected_removed:
                problems.append("the emulator lost %s, expected %s" % (removed, expected_removed))
            if result.get("not_deleted"):
                problems.append("not_deleted: %s" % result["not_deleted"])
    return problems


def _accounting(cell, result, initial, final):
    """A failed deleting task reports exactly what happened: ``deleted`` is what the emulator lost, and
    ``not_deleted`` is what it still holds of the records the run set out to delete."""
    problems = []
    removed = sorted(initial - final)
    deleted = sorted(result.get("deleted") or []) if not cell.check else []
    if deleted != removed:
        problems.append("deleted reports %s, the emulator lost %s" % (deleted, removed))
    not_deleted = sorted(n["id"] for n in result.get("not_deleted") or [])
    still_there = sorted(i for i in not_deleted if i in final)
    if not_deleted != still_there:
        problems.append("not_deleted lists records that are gone: %s" % sorted(set(not_deleted) - set(still_there)))
    planned = set(cell.row.expect)
    if set(removed) - planned:
        problems.append("records outside the selection were deleted: %s" % sorted(set(removed) - planned))
    if not cell.check and set(not_deleted) | set(removed) not in (set(), planned):
        problems.append("deleted + not_deleted = %s, the selection is %s" % (sorted(set(not_deleted) | set(removed)), sorted(planned)))
    return problems


def _returned_ids(result):
    for key, field in (("job_executions", "job_id"), ("scheduled_tasks", "id"), ("jobs", "job_id")):
        if key in result:
            return [r.get(field) or r.get("id") for r in result[key]]
    return []
