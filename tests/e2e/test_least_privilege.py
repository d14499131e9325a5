"""Least privilege, proven end to end: real `ansible-playbook` runs against the emulator, which enforces the
policy each cell gives the credential (tests/emulator/policies.py keeps its own action table, so a wrong name in
the collection's table is not mirrored).

Generated from the permissions guide's mode table (tests/docs_site/permissions_page.py: which operations each way of
running a module calls, always or only on a named path) and the collection's operation table
(plugins/module_utils/_permissions.py), for every mode of ``MODES``:

* the plain path of the mode, under exactly its "always" policy, in every naming system (Huawei classic and identity
  policies, Tencent CAM): the task succeeds, no call is denied, the operations called are exactly the always ones
  (so each is needed, and no path-only operation is on the plain path), and a look-only run makes no mutating call;
* each always action taken away fails that path: the message names the action and the operation, ``error`` holds
  ``required_actions``, nothing is deleted that the policy did not allow, every id is reported exactly once, and
  the denied operation got at most one round of concurrent calls (its workers) - no retry;
* each path that needs one more action (a re-check after a concurrent run deleted members of a batch, several ids,
  a FAILED job, a 404 that proves nothing, ...) succeeds with that action added, in every naming system, and calls
  its operation; without it, it fails naming the action.

Then the denial shapes the emulator can answer (UNCONFIRMED on the real clouds: Huawei keystone, camelCase and
service-code bodies, other statuses, messages that name no action; Tencent's codes), each on a bulk delete of many
batches, and the credential modes (project lookup, assume_role, instance credentials). Each test is one
ansible-playbook run, a task per cell.
"""

import pytest

from support import fault_matrix
from support.ansible_runs import cloud_defaults, run_cells
from docs_site.permissions_page import MODES, MODES_BY_KEY
from emulator import credentials as creds

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _permissions as perms
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._batches import BATCH_DELETE_WORKERS
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent_batch import DEFAULT_WORKERS as TENCENT_WORKERS

HOUR_MS = 3600 * 1000
NOW_MS = 1_780_000_000_000  # any fixed time: the scenarios select by id, name or state, not by age
CLUSTER = "c-least"
HUAWEI_AK = creds.HUAWEI_ACCESS_KEY
TENCENT_ID = creds.TENCENT_SECRET_ID
UIN = creds.tencent_account(0)["uin"]
CONFIG = dict(fault_matrix.CONFIG)
V1_WORKERS = 4  # MrsJobExecutionsV1's concurrent deletes

PREFIX = "cloudjobs.cleanup."


# -- the records ------------------------------------------------------------------------------------------------
def _mrs_seed(finished=120):
    """Finished executions of one name (120: two pages of the listing), and one still running."""
    records = [{"job_id": "exe-%04d" % n, "job_name": "nightly", "job_state": "FINISHED", "cluster_id": CLUSTER,
                "submitted_time": NOW_MS - (1000 - n) * HOUR_MS} for n in range(finished)]
    records.append({"job_id": "exe-run", "job_name": "etl", "job_state": "RUNNING", "cluster_id": CLUSTER,
                    "submitted_time": NOW_MS - HOUR_MS})
    return {"mrs": records}


def _mrs_big_seed():
    """600 finished executions (six pages), three of them named nightly: more pages than the ids a re-check asks."""
    return {"mrs": [{"job_id": "exe-%04d" % n, "job_name": "nightly" if n in (500, 501, 502) else "other",
                     "job_state": "FINISHED", "cluster_id": CLUSTER, "submitted_time": NOW_MS - (1000 - n) * HOUR_MS}
                    for n in range(600)]}


def _mrs_v1_seed():
    """Three completed v1.1 executions of one name."""
    return {"mrs_v1": [{"id": "v1-%d" % n, "job_name": "nightly", "job_state": 3, "cluster_id": CLUSTER,
                        "create_at": NOW_MS - (10 - n) * HOUR_MS} for n in range(3)]}


def _workspace_seed(count=200, nightly=()):
    """Tasks (200: four pages of the listing); those numbered in ``nightly`` are named so."""
    return {"workspace": [{"id": "wks-%04d" % n, "task_name": "nightly" if n in nightly else "tmp-%d" % n,
                           "scheduled_type": "FIXED_TIME"} for n in range(count)]}


def _tencent_seed(*states):
    iso = "2026-01-01T00:00:00Z"
    return {"tencent": [{"JobId": "job-aaaa%04d" % n, "JobName": "render-%d" % n, "JobState": state,
                         "CreateTime": iso} for n, state in enumerate(states)]}


def _vanish(service, operation, record_id):
    """Another run deletes ``record_id`` just before the first ``operation`` call is handled."""
    return [{"service": service, "operation": operation, "kind": "vanish", "ids": [record_id], "count": 1}]


# -- the scenarios: the plain path of each mode, and each path that needs one more action -------------------------
class Scenario:
    """A task: ``expected`` are the ids a sufficient policy deletes (in check mode: predicts), ``absent`` those it
    reports already absent."""

    def __init__(self, name, module, args, seed, expected=(), absent=(), check_mode=False, info=False, faults=(),
                 config=None):
        self.name, self.module, self.args, self.seed = name, module, args, seed
        self.expected, self.absent, self.check_mode, self.info = list(expected), list(absent), check_mode, info
        self.faults, self.config = list(faults), config or {}

    @property
    def mutates(self):
        return not (self.check_mode or self.info)

    def task(self):
        task = {PREFIX + self.module: self.args}
        if self.check_mode:
            task["check_mode"] = True
        return task

    def requested(self):
        return set(self.args.get("job_execution_ids") or self.args.get("task_ids") or self.args.get("job_ids") or [])


def _look_only(prefix, module, args, seed, expected):
    """The _info module, and the deleting module in check mode."""
    return [Scenario(prefix + " info", module + "_info", args, seed, info=True),
            Scenario(prefix + " check mode", module, args, seed, expected, check_mode=True)]


MRS, V1, WORKSPACE = "mrs_job_executions", "mrs_job_executions", "workspace_scheduled_tasks"
TENCENT = "tencent_batch_job"
_FINISHED = ["exe-%04d" % n for n in range(120)]
_V1_ARGS = {"api_version": "v1.1", "cluster_id": CLUSTER}
_ALL_TASKS = ["wks-%04d" % n for n in range(200)]
_DONE = ["job-aaaa0000", "job-aaaa0001"]

# The plain path of each mode: it calls exactly the mode's always operations. For the nightly (filters-only) modes,
# also a run that meets records another run deleted meanwhile, where the plain policy still suffices.
PLAIN = {
    "mrs_read": _look_only("mrs", MRS, {"cluster_id": CLUSTER, "filters": {}}, _mrs_seed(), _FINISHED),
    "mrs_filters": [
        Scenario("mrs filters", MRS, {"cluster_id": CLUSTER, "filters": {}}, _mrs_seed(), _FINISHED),
        # fewer pages than ids still to delete: the re-check counts and lists, which the plain policy grants
        Scenario("mrs filters, re-check after a concurrent delete, two pages", MRS,
                 {"cluster_id": CLUSTER, "filters": {}},
                 _mrs_seed(), [i for i in _FINISHED if i != "exe-0005"], ["exe-0005"],
                 faults=_vanish("mrs", "BatchDeleteJobs", "exe-0005"))],
    "mrs_ids": [Scenario("mrs one id", MRS, {"cluster_id": CLUSTER, "job_execution_ids": ["exe-0001"]}, _mrs_seed(),
                         ["exe-0001"])],
    "mrs_force": [Scenario("mrs force", MRS, {"cluster_id": CLUSTER, "force": True,
                                              "filters": {"states": ["FINISHED", "RUNNING"]}},
                           _mrs_seed(3), ["exe-0000", "exe-0001", "exe-0002", "exe-run"])],
    "mrs_v11_read": _look_only("mrs v1.1", V1, dict(_V1_ARGS, filters={}), _mrs_v1_seed(), ["v1-0", "v1-1", "v1-2"]),
    "mrs_v11_filters": [
        Scenario("mrs v1.1 filters", V1, dict(_V1_ARGS, filters={}), _mrs_v1_seed(), ["v1-0", "v1-1", "v1-2"]),
        Scenario("mrs v1.1 filters, a delete answers 404", V1, dict(_V1_ARGS, filters={}), _mrs_v1_seed(),
                 ["v1-0", "v1-2"], ["v1-1"], faults=_vanish("mrs", "DeleteJobExecution", "v1-1"))],
    "mrs_v11_ids": [Scenario("mrs v1.1 ids", V1, dict(_V1_ARGS, job_execution_ids=["v1-0", "v1-1"]), _mrs_v1_seed(),
                             ["v1-0", "v1-1"])],
    "workspace_read": _look_only("workspace", WORKSPACE, {"filters": {}}, _workspace_seed(), _ALL_TASKS),
    "workspace_filters": [
        Scenario("workspace filters", WORKSPACE, {"filters": {}}, _workspace_seed(), _ALL_TASKS),
        # the ids still to delete outnumber the listings' further pages: the re-check reads the listings whole
        Scenario("workspace filters, re-check after a concurrent delete, four pages", WORKSPACE, {"filters": {}},
                 _workspace_seed(), [i for i in _ALL_TASKS if i != "wks-0005"], ["wks-0005"],
                 faults=_vanish("workspace", "BatchDeleteScheduledTasks", "wks-0005"))],
    "workspace_ids": [Scenario("workspace one id", WORKSPACE, {"task_ids": ["wks-0199"]}, _workspace_seed(),
                               ["wks-0199"])],
    "tencent_read": _look_only("tencent", TENCENT, {"filters": {}}, _tencent_seed("SUCCEED", "SUCCEED", "RUNNING"),
                               _DONE),
    "tencent_filters": [
        Scenario("tencent filters", TENCENT, {"filters": {}}, _tencent_seed("SUCCEED", "SUCCEED", "RUNNING"), _DONE),
        Scenario("tencent filters, a concurrent delete", TENCENT, {"filters": {}},
                 _tencent_seed("SUCCEED", "SUCCEED", "RUNNING"), ["job-aaaa0000"], ["job-aaaa0001"],
                 faults=_vanish("tencent", "DeleteJob", "job-aaaa0001"))],
    "tencent_ids": [Scenario("tencent ids", TENCENT, {"job_ids": _DONE}, _tencent_seed("SUCCEED", "SUCCEED", "RUNNING"),
                             _DONE)],
    "tencent_force": [Scenario("tencent force", TENCENT, {"filters": {"states": ["SUCCEED", "RUNNING"]}, "force": True},
                               _tencent_seed("SUCCEED", "SUCCEED", "RUNNING"), _DONE + ["job-aaaa0002"])],
}

# Each path that needs one more action: ``(mode key, operation)`` -> the scenarios that take it.
_BIG_NIGHTLY = {"filters": {"name": "nightly"}}
PATHS = {
    ("mrs_read", "ShowSingleJobExe"): [
        Scenario("mrs check mode, two ids", MRS, {"cluster_id": CLUSTER, "job_execution_ids": ["exe-0000", "exe-0001"]},
                 _mrs_seed(), ["exe-0000", "exe-0001"], check_mode=True)],
    ("mrs_filters", "ShowSingleJobExe"): [  # the count says six pages for three ids: the re-check shows them
        Scenario("mrs filters, re-check after a concurrent delete, six pages", MRS,
                 dict(_BIG_NIGHTLY, cluster_id=CLUSTER),
                 _mrs_big_seed(), ["exe-0500", "exe-0502"], ["exe-0501"],
                 faults=_vanish("mrs", "BatchDeleteJobs", "exe-0501"))],
    ("mrs_ids", "ShowJobExeListNew"): [
        Scenario("mrs two ids", MRS, {"cluster_id": CLUSTER, "job_execution_ids": ["exe-0000", "exe-0001"]},
                 _mrs_seed(), ["exe-0000", "exe-0001"]),
        Scenario("mrs one id, keep_latest", MRS, {"cluster_id": CLUSTER, "job_execution_ids": ["exe-0001"],
                                                  "filters": {"keep_latest": 1}}, _mrs_seed(), ["exe-0001"])],
    ("mrs_v11_read", "ShowJobExes"): [
        Scenario("mrs v1.1 info, ids", V1 + "_info", dict(_V1_ARGS, job_execution_ids=["v1-0", "v1-1"]),
                 _mrs_v1_seed(), info=True)],
    ("mrs_v11_ids", "ListExecuteJob"): [
        Scenario("mrs v1.1 ids, a show answers 404", V1, dict(_V1_ARGS, job_execution_ids=["v1-0", "v1-9"]),
                 _mrs_v1_seed(), ["v1-0"], ["v1-9"]),
        Scenario("mrs v1.1 ids, a delete answers 404", V1, dict(_V1_ARGS, job_execution_ids=["v1-0", "v1-1"]),
                 _mrs_v1_seed(), ["v1-0"], ["v1-1"], faults=_vanish("mrs", "DeleteJobExecution", "v1-1")),
        Scenario("mrs v1.1 one id, keep_latest", V1,
                 dict(_V1_ARGS, job_execution_ids=["v1-0"], filters={"keep_latest": 1}), _mrs_v1_seed(), ["v1-0"])],
    ("workspace_read", "ShowScheduledTasks"): [
        Scenario("workspace info, one id", WORKSPACE + "_info", {"task_ids": ["wks-0199"]}, _workspace_seed(),
                 info=True)],
    ("workspace_filters", "ShowScheduledTasks"): [  # eleven further pages for three ids: the re-check shows them
        Scenario("workspace filters, re-check after a concurrent delete, twelve pages", WORKSPACE, _BIG_NIGHTLY,
                 _workspace_seed(600, nightly=(500, 501, 502)), ["wks-0500", "wks-0502"], ["wks-0501"],
                 faults=_vanish("workspace", "BatchDeleteScheduledTasks", "wks-0501"))],
    ("workspace_ids", "ListScheduledTasks"): [
        Scenario("workspace two ids", WORKSPACE, {"task_ids": ["wks-0198", "wks-0199"]}, _workspace_seed(),
                 ["wks-0198", "wks-0199"]),
        Scenario("workspace one id, refused show", WORKSPACE, {"task_ids": ["wks-9999"]}, _workspace_seed(),
                 absent=["wks-9999"])],
    ("tencent_read", "DescribeJob"): [
        Scenario("tencent info, a FAILED job", TENCENT + "_info", {"filters": {}},
                 _tencent_seed("SUCCEED", "FAILED", "RUNNING"), info=True)],
    ("tencent_filters", "DescribeJob"): [
        Scenario("tencent filters, a FAILED job", TENCENT, {"filters": {}},
                 _tencent_seed("SUCCEED", "FAILED", "RUNNING"), _DONE)],
    ("tencent_ids", "DescribeJob"): [
        Scenario("tencent ids, a FAILED job", TENCENT, {"job_ids": _DONE},
                 _tencent_seed("SUCCEED", "FAILED", "RUNNING"), _DONE),
        Scenario("tencent ids, DescribeJobs refuses an unknown id", TENCENT,
                 {"job_ids": ["job-aaaa0000", "job-aaaa0009"]},
                 _tencent_seed("SUCCEED", "SUCCEED"), ["job-aaaa0000"], ["job-aaaa0009"],
                 config={"tencent_describe_jobs_unknown_ids": "error"})],
}
SERVICE_MODES = [mode for mode in MODES if not mode.credential]


def test_every_mode_has_its_plain_path_and_every_path_a_scenario():
    assert set(PLAIN) == {mode.key for mode in SERVICE_MODES}
    assert set(PATHS) == {(mode.key, need.operation) for mode in SERVICE_MODES for need in mode.conditional()}


# -- policies -----------------------------------------------------------------------------------------------------
def policy(system, actions, mode=None):
    """The policy of ``system`` granting ``actions`` as the guide writes it: MRS identity actions scoped to the
    scenarios' cluster where the mode's calls name it, Batch actions to the account's jobs in the region; an empty list
    (nothing allowed) when there are none."""
    if not actions:
        return []
    if system == perms.CAM:
        return perms.tencent_policy(actions, [perms.tencent_job_resource(creds.TENCENT_REGION, UIN)])
    scoped = mode is None or mode.cluster_scoped
    return perms.huawei_policy(system, actions, [perms.mrs_cluster_urn(creds.HUAWEI_REGION, creds.HUAWEI_DOMAIN_ID,
                                                                       CLUSTER)] if scoped else None)


def principal(cloud):
    return HUAWEI_AK if cloud == perms.HUAWEI else TENCENT_ID


def cell(scenario, policies, config=None):
    settings = dict(CONFIG, policies=policies, **dict(scenario.config, **(config or {})))
    return {"task": scenario.task(), "seed": scenario.seed, "config": settings, "faults": scenario.faults,
            "scenario": scenario}


def mode_cells(mode):
    """The plain path under the always policy in every system, and without each always action (in the first system:
    the names of one operation are one grant, whichever system names it); each path with its action in every system,
    and without it."""
    cells = {}
    first = perms.SYSTEMS[mode.cloud][0]
    for system in perms.SYSTEMS[mode.cloud]:
        actions = mode.actions(system)
        for scenario in PLAIN[mode.key]:
            cells["%s | %s | always" % (scenario.name, system)] = dict(
                cell(scenario, {principal(mode.cloud): policy(system, actions, mode)}), mode=mode, kind="plain")
            if system != first or scenario.faults:  # each action taken away: on the fault-free plain path
                continue
            for action in actions:
                cells["%s | %s | without %s" % (scenario.name, system, action)] = dict(
                    cell(scenario, {principal(mode.cloud): policy(system, [a for a in actions if a != action], mode)}),
                    mode=mode, kind="without", action=action, system=system)
        for action, need in mode.conditional_actions(system):
            for scenario in PATHS[(mode.key, need.operation)]:
                cells["%s | %s | always and %s" % (scenario.name, system, action)] = dict(
                    cell(scenario, {principal(mode.cloud): policy(system, actions + [action], mode)}), mode=mode,
                    kind="path", need=need)
                if system == first:
                    cells["%s | %s | always, not %s" % (scenario.name, system, action)] = dict(
                        cell(scenario, {principal(mode.cloud): policy(system, actions, mode)}), mode=mode,
                        kind="path without", action=action, system=system, need=need)
    return cells


def run(tmp_path, emulator, cells):
    keys = ("task", "seed", "config", "faults")
    plan = {name: {k: v for k, v in c.items() if k in keys} for name, c in cells.items()}
    outcome = run_cells(tmp_path, emulator, plan, module_defaults=cloud_defaults(emulator.url))
    assert set(outcome.lines) == set(cells), outcome.stdout[-3000:]
    return outcome.lines


# -- what every cell must show --------------------------------------------------------------------------------------
def reported_ids(result):
    ids = list(result.get("deleted", [])) + list(result.get("already_absent", [])) + list(result.get("kept", []))
    ids += [entry["id"] for entry in result.get("not_deleted", [])]
    return ids


def granted_by(mode, action, system):
    """The operations of ``mode`` that ``action`` grants (in ``system``)."""
    return {p.operation for p in mode.permissions() if p.names.get(system) == action}


def assert_succeeds(name, line, scenario, called_exactly=None, calls=None):
    """The task succeeds with no call denied, deletes (predicts) what it should and reports every id once;
    ``called_exactly``: the operations it must call, and no other; ``calls``: one it must call, among ``allowed``."""
    result, requests = line["result"], line["requests"]
    assert line["status"] == "ok", (name, result.get("msg"))
    assert [r for r in requests if r["denied_action"]] == [], name
    called = {r["operation"] for r in requests}
    if called_exactly is not None:
        assert called == called_exactly, (name, sorted(called))
    if calls is not None:
        operation, allowed = calls
        assert operation in called and called <= allowed, (name, sorted(called))
    if not scenario.mutates:
        assert [r for r in requests if r["mutating"]] == [], name
    if not scenario.info:
        assert sorted(result["deleted"]) == sorted(scenario.expected), name
        assert sorted(result["already_absent"]) == sorted(scenario.absent), name
        if scenario.requested():
            assert sorted(reported_ids(result)) == sorted(scenario.requested()), (name, result)


def assert_denial(name, line, scenario, action, operations, workers, look_first):
    """The task fails on a denial of one of ``operations`` (those ``action`` grants) and names the action; nothing is
    deleted that the policy did not allow, every id is reported once, and there was no retry. ``look_first``: the
    denied call is the look's listing, so nothing was deleted."""
    result, requests = line["result"], line["requests"]
    assert line["status"] == "failed", (name, result.get("msg"))
    msg = result["msg"]
    denied = [r for r in requests if r["denied_action"]]
    assert denied and {r["operation"] for r in denied} <= operations, (name, denied)
    [operation] = {r["operation"] for r in denied}
    assert action in msg and operation in msg and "permission denied" in msg, (name, msg)
    assert action in result["error"]["required_actions"], (name, result["error"])
    assert result["error"]["operation"] == operation, name
    assert len(denied) <= workers, (name, len(denied))  # no retry: at most the calls the workers had in flight
    if scenario.mutates:
        ids = reported_ids(result)
        assert sorted(ids) == sorted(set(ids)), (name, result)
        if scenario.requested():
            assert set(ids) == scenario.requested(), (name, result)
        assert set(result["deleted"]) <= set(scenario.expected), name
        deleted_calls = [r for r in requests if r["mutating"] and not r["error_code"]
                         and r["operation"] not in ("StopJob", "TerminateJob")]
        if not deleted_calls:
            assert result["deleted"] == [], name
    if not scenario.mutates or look_first:
        assert [r for r in requests if r["mutating"]] == [], name


def check_cells(lines, cells):
    for name, c in cells.items():
        mode, scenario, line = c["mode"], c["scenario"], lines[name]
        always = {need.operation for need in mode.always()}
        workers = {perms.TENCENT: TENCENT_WORKERS}.get(mode.cloud, BATCH_DELETE_WORKERS)
        if mode.key.startswith("mrs_v11_"):
            workers = V1_WORKERS
        if c["kind"] == "plain":
            assert_succeeds(name, line, scenario, called_exactly=always)
        elif c["kind"] == "path":
            assert_succeeds(name, line, scenario, calls=(c["need"].operation, always | {c["need"].operation}))
        elif c["kind"] == "without":
            operations = granted_by(mode, c["action"], c["system"]) & always
            look_first = operations & {"ShowJobExeListNew", "ListExecuteJob", "ListScheduledTasks", "DescribeJobs"}
            assert_denial(name, line, scenario, c["action"], operations, workers, bool(look_first))
        else:
            assert_denial(name, line, scenario, c["action"], {c["need"].operation}, workers, False)


@pytest.mark.parametrize("service", ["mrs", "workspace", "tencent"])
def test_each_mode_needs_exactly_its_policy_and_each_path_its_action(tmp_path, emulator, service):
    cells = {}
    for mode in SERVICE_MODES:
        if mode.key.startswith(service):
            cells.update(mode_cells(mode))
    lines = run(tmp_path, emulator, cells)
    check_cells(lines, cells)


# -- denial shapes on a bulk delete: one round of denied calls, then every id reported once --------------------
def _bulk_mrs():
    seed = _mrs_seed()
    ids = [r["job_id"] for r in seed["mrs"] if r["job_state"] == "FINISHED"]  # filters select finished ones
    return Scenario("mrs bulk", "mrs_job_executions", {"cluster_id": CLUSTER, "filters": {}, "batch_size": 5},
                    seed, []), ids


def _bulk_tencent():
    iso = "2026-01-01T00:00:00Z"
    jobs = [{"JobId": "job-bulk%04d" % n, "JobName": "render", "JobState": "SUCCEED", "CreateTime": iso}
            for n in range(40)]
    return Scenario("tencent bulk", "tencent_batch_job", {"filters": {"states": ["SUCCEED"]}}, {"tencent": jobs},
                    []), [j["JobId"] for j in jobs]


HUAWEI_SHAPES = {
    "APIGW.0302 with the identity name": {},
    "classic name": {"names_action": "classic"},
    "no action named": {"names_action": "none"},
    "APIGW.0306": {"code": "APIGW.0306"},
    "keystone body": {"body": "keystone"},
    "camelCase service code": {"body": "camel", "code": "MRS.0002"},
    "400 naming no action": {"status": 400, "code": "MRS.0002", "names_action": "none", "error_detail": False,
                             "encoded_authorization_message": False},
    "500 service code": {"status": 500, "code": "MRS.0002"},
}
TENCENT_SHAPES = {
    "UnauthorizedOperation": {},
    "AuthFailure.UnauthorizedOperation": {"code": "AuthFailure.UnauthorizedOperation"},
    "UserNotAllowedToUseBatch, no action named": {
        "code": "UnauthorizedOperation.UserNotAllowedToUseBatch", "names_action": False},
    "CamNoAuth": {"code": "UnauthorizedOperation.CamNoAuth"},
}


def test_every_denial_shape_stops_a_bulk_delete_after_one_round(tmp_path, emulator):
    mrs, mrs_ids = _bulk_mrs()
    tencent, tencent_ids = _bulk_tencent()
    mrs_read = MODES_BY_KEY["mrs_read"].actions(perms.CLASSIC)
    tencent_read = MODES_BY_KEY["tencent_read"].actions(perms.CAM)
    cells = {}
    for shape, setting in HUAWEI_SHAPES.items():
        cells["huawei " + shape] = dict(cell(mrs, {HUAWEI_AK: policy(perms.CLASSIC, mrs_read)},
                                             {"huawei_denial": setting}), ids=mrs_ids, shape=setting,
                                        action="mrs:job:batchDelete", operation="BatchDeleteJobs",
                                        workers=BATCH_DELETE_WORKERS)
    for shape, setting in TENCENT_SHAPES.items():
        cells["tencent " + shape] = dict(cell(tencent, {TENCENT_ID: policy(perms.CAM, tencent_read)},
                                              {"tencent_denial": setting}), ids=tencent_ids, shape=setting,
                                         action="batch:DeleteJob", operation="DeleteJob", workers=TENCENT_WORKERS)
    lines = run(tmp_path, emulator, cells)
    for name, c in cells.items():
        line = lines[name]
        result, requests = line["result"], line["requests"]
        assert line["status"] == "failed", name
        denied = [r for r in requests if r["denied_action"]]
        assert {r["operation"] for r in denied} == {c["operation"]}, name
        assert 1 <= len(denied) <= c["workers"], (name, len(denied))
        assert not any(r["mutating"] and not r["error_code"] for r in requests), name
        assert result["deleted"] == [] and result["changed"] is False, name
        ids = reported_ids(result)
        assert sorted(ids) == sorted(set(ids)) == sorted(c["ids"]), name
        assert c["action"] in result["msg"] and c["operation"] in result["msg"], (name, result["msg"])
        assert result["error"]["required_actions"][0] == c["action"], name
        refused = [e for e in result["not_deleted"] if e["request_id"]]
        others = [e for e in result["not_deleted"] if not e["request_id"]]
        assert refused and others, name  # the refused calls' records, and those never tried
        if name.startswith("huawei"):
            setting = dict({"body": "error_code", "error_detail": True, "encoded_authorization_message": True},
                           **c["shape"])
            kept = setting["body"] == "error_code"
            for key in ("error_detail", "encoded_authorization_message"):
                present = kept and setting[key]
                assert (key in result["error"]) == present, (name, key)
                assert all((key in e) == present for e in refused), (name, key)
                assert not any(key in e for e in others), (name, key)
            if kept and setting["encoded_authorization_message"]:
                assert "decode-authorization-message" in result["msg"] and perms.DECODE_ACTION in result["msg"]


# -- the credential modes -----------------------------------------------------------------------------------------
def test_credential_modes(tmp_path, emulator):
    """The project lookup needs no IAM right; assume_role needs its one action on the starting credential; an
    instance's agency or role needs only the module's actions."""
    url = emulator.url
    mrs_info = PLAIN["mrs_read"][0]  # the look-only modes' plain path: their always actions suffice
    tencent_info = PLAIN["tencent_read"][0]
    mrs_read = MODES_BY_KEY["mrs_read"]
    tencent_read = MODES_BY_KEY["tencent_read"]
    agency = creds.HUAWEI_AGENCY_URN
    role = "qcs::cam::uin/%s:roleName/%s" % (UIN, creds.TENCENT_ROLE_NAME)

    def with_args(scenario, **extra):
        return Scenario(scenario.name, scenario.module, dict(scenario.args, **extra), scenario.seed, [], info=True)

    lookup = with_args(mrs_info, project_id="", iam_endpoint=url)
    iam_assume = with_args(mrs_info, assume_role={"agency_name": creds.HUAWEI_AGENCY_NAME,
                                                  "domain_name": creds.HUAWEI_DOMAIN_NAME})
    sts_assume = with_args(mrs_info, sts_endpoint=url, assume_role={"agency_name": creds.HUAWEI_AGENCY_NAME,
                                                                    "domain_id": creds.HUAWEI_DOMAIN_ID})
    huawei_instance = with_args(mrs_info, access_key="", secret_key="", instance_credentials=True,
                                metadata_endpoint=url)
    tencent_assume = with_args(tencent_info, sts_endpoint=url, assume_role={"role_arn": creds.TENCENT_ROLE_ARN})
    tencent_instance = with_args(tencent_info, secret_id="", secret_key="", instance_credentials=True,
                                 metadata_endpoint=url)
    cells = {}
    for system in perms.SYSTEMS[perms.HUAWEI]:
        read = policy(system, mrs_read.actions(system))
        for key, scenario, starting in (("huawei_assume_role", iam_assume, HUAWEI_AK),
                                        ("huawei_assume_role_sts", sts_assume, HUAWEI_AK)):
            own = MODES_BY_KEY[key].actions(system)
            cells["%s | %s | full" % (key, system)] = dict(
                cell(scenario, {starting: policy(system, own), agency: read}), expect=own[0], key=key)
            cells["%s | %s | without %s" % (key, system, own[0])] = dict(
                cell(scenario, {starting: [], agency: read}), expect=None, denied=own[0], key=key)
        cells["huawei_project_lookup | %s" % system] = dict(cell(lookup, {HUAWEI_AK: read}), expect="",
                                                            key="huawei_project_lookup")
        cells["huawei_instance | %s" % system] = dict(cell(huawei_instance, {agency: read}), expect="",
                                                      key="huawei_instance")
    read = policy(perms.CAM, tencent_read.actions(perms.CAM))
    cells["tencent_assume_role | full"] = dict(
        cell(tencent_assume, {TENCENT_ID: policy(perms.CAM, ["sts:AssumeRole"]), role: read}), expect="sts:AssumeRole",
        key="tencent_assume_role")
    cells["tencent_assume_role | without sts:AssumeRole"] = dict(
        cell(tencent_assume, {TENCENT_ID: [], role: read}), expect=None, denied="sts:AssumeRole",
        key="tencent_assume_role")
    cells["tencent_instance"] = dict(cell(tencent_instance, {role: read}), expect="", key="tencent_instance")
    lines = run(tmp_path, emulator, cells)
    assert {c["key"] for c in cells.values()} == {m.key for m in MODES if m.credential}
    for name, c in cells.items():
        result, requests = lines[name]["result"], lines[name]["requests"]
        mode = MODES_BY_KEY[c["key"]]
        if c["expect"] is None:
            assert lines[name]["status"] == "failed", name
            assert c["denied"] in result["msg"] and "permission denied" in result["msg"], (name, result["msg"])
            denied = [r for r in requests if r["denied_action"]]
            assert len(denied) == 1 and denied[0]["operation"] in {p.operation for p in mode.permissions()}, name
            assert not any(r["service"] in ("mrs", "batch") for r in requests), name
            continue
        assert lines[name]["status"] == "ok", (name, result.get("msg"))
        assert not any(r["denied_action"] for r in requests), name
        assert not any(r["mutating"] for r in requests), name
        called = {r["operation"] for r in requests}
        assert {p.operation for p in mode.permissions()} <= called, (name, sorted(called))
