"""Least privilege, proven end to end: real `ansible-playbook` runs against the emulator, which enforces the
policy each cell gives the credential (tests/emulator/policies.py keeps its own action table, so a wrong name in
the collection's table is not mirrored).

Generated from the collection's permission table (plugins/module_utils/_permissions.py), for every mode of
``MODES`` and every naming system (Huawei classic and identity policies, Tencent CAM):

* the mode's minimal policy suffices: the task succeeds, every operation of the mode was called (so each action is
  needed by the scenario), no call was denied, and a look-only mode makes no mutating call;
* each of its actions, taken away, fails the task: the message names that action and the operation, ``error``
  holds ``required_actions``, nothing is deleted that the policy did not allow, every id is reported exactly once,
  and the denied operation got at most one round of concurrent calls (its workers) - no retry.

Then the denial shapes the emulator can answer (UNCONFIRMED on the real clouds: Huawei keystone, camelCase and
service-code bodies, other statuses, messages that name no action; Tencent's codes), each on a bulk delete of many
batches, and the credential modes (project lookup, assume_role, instance credentials).
"""

import pytest

import fault_matrix
from ansible_runs import cloud_defaults, run_cells
from emulator import credentials as creds

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _permissions as perms
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import BATCH_DELETE_WORKERS
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent_batch import DEFAULT_WORKERS as TENCENT_WORKERS

HOUR_MS = 3600 * 1000
NOW_MS = 1_780_000_000_000  # any fixed time: the scenarios select by id, not by age
CLUSTER = "c-least"
HUAWEI_AK = creds.HUAWEI_ACCESS_KEY
TENCENT_ID = creds.TENCENT_SECRET_ID
UIN = creds.tencent_account(0)["uin"]
CONFIG = dict(fault_matrix.CONFIG)

PREFIX = "cloudjobs.cleanup."


# -- the scenarios: one task per mode that calls every operation of the mode -----------------------------------
def _mrs_seed():
    """120 finished executions (so two ids are looked up one by one, after a count), and one still running."""
    records = [{"job_id": "exe-%04d" % n, "job_name": "nightly", "job_state": "FINISHED", "cluster_id": CLUSTER,
                "submitted_time": NOW_MS - (200 - n) * HOUR_MS} for n in range(120)]
    records.append({"job_id": "exe-run", "job_name": "etl", "job_state": "RUNNING", "cluster_id": CLUSTER,
                    "submitted_time": NOW_MS - HOUR_MS})
    return {"mrs": records}


def _mrs_v1_seed():
    """Three executions of one name: keep_latest 1 keeps the newest, so the list counts them and the ids are shown."""
    return {"mrs_v1": [{"id": "v1-%d" % n, "job_name": "nightly", "job_state": 3, "cluster_id": CLUSTER,
                        "create_at": NOW_MS - (10 - n) * HOUR_MS} for n in range(3)]}


def _workspace_seed():
    """200 tasks: two ids past the first page of the listing are shown one by one."""
    return {"workspace": [{"id": "wks-%04d" % n, "task_name": "tmp-%d" % n, "scheduled_type": "FIXED_TIME"}
                          for n in range(200)]}


def _tencent_seed():
    iso = "2026-01-01T00:00:00Z"
    return {"tencent": [{"JobId": "job-aaaa0001", "JobName": "render-a", "JobState": "SUCCEED", "CreateTime": iso},
                        {"JobId": "job-aaaa0002", "JobName": "render-b", "JobState": "FAILED", "CreateTime": iso},
                        {"JobId": "job-aaaa0003", "JobName": "render-c", "JobState": "RUNNING", "CreateTime": iso}]}


MRS_IDS = ["exe-0000", "exe-0001"]
MRS_FORCE_IDS = ["exe-0000", "exe-run"]
V1_ARGS = {"api_version": "v1.1", "cluster_id": CLUSTER, "job_execution_ids": ["v1-0", "v1-1"],
           "filters": {"keep_latest": 1}}
WORKSPACE_IDS = ["wks-0198", "wks-0199"]
TENCENT_IDS = ["job-aaaa0001", "job-aaaa0002"]
TENCENT_FORCE_IDS = TENCENT_IDS + ["job-aaaa0003"]


class Scenario:
    """A task of one mode: ``expected`` are the ids a full policy deletes (in check mode: predicts)."""

    def __init__(self, name, module, args, seed, expected, check_mode=False, info=False):
        self.name, self.module, self.args, self.seed = name, module, args, seed
        self.expected, self.check_mode, self.info = expected, check_mode, info

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


def _read_pair(prefix, module, args, seed, expected):
    return [Scenario(prefix + " info", module + "_info", args, seed, [], info=True),
            Scenario(prefix + " check mode", module, args, seed, expected, check_mode=True)]


MRS_ARGS = {"cluster_id": CLUSTER, "job_execution_ids": MRS_IDS}
SCENARIOS = {
    "mrs_read": _read_pair("mrs", "mrs_job_executions", MRS_ARGS, _mrs_seed(), MRS_IDS),
    "mrs_delete": [Scenario("mrs run", "mrs_job_executions", MRS_ARGS, _mrs_seed(), MRS_IDS)],
    "mrs_force": [Scenario("mrs force", "mrs_job_executions",
                           {"cluster_id": CLUSTER, "job_execution_ids": MRS_FORCE_IDS, "force": True},
                           _mrs_seed(), MRS_FORCE_IDS)],
    "mrs_v11_read": _read_pair("mrs v1.1", "mrs_job_executions", V1_ARGS, _mrs_v1_seed(), ["v1-0", "v1-1"]),
    "mrs_v11_delete": [Scenario("mrs v1.1 run", "mrs_job_executions", V1_ARGS, _mrs_v1_seed(), ["v1-0", "v1-1"])],
    "workspace_read": _read_pair("workspace", "workspace_scheduled_tasks", {"task_ids": WORKSPACE_IDS},
                                 _workspace_seed(), WORKSPACE_IDS),
    "workspace_delete": [Scenario("workspace run", "workspace_scheduled_tasks", {"task_ids": WORKSPACE_IDS},
                                  _workspace_seed(), WORKSPACE_IDS)],
    "tencent_read": _read_pair("tencent", "tencent_batch_job", {"job_ids": TENCENT_IDS}, _tencent_seed(),
                               TENCENT_IDS),
    "tencent_delete": [Scenario("tencent run", "tencent_batch_job", {"job_ids": TENCENT_IDS}, _tencent_seed(),
                                TENCENT_IDS)],
    "tencent_force": [Scenario("tencent force", "tencent_batch_job", {"job_ids": TENCENT_FORCE_IDS, "force": True},
                               _tencent_seed(), TENCENT_FORCE_IDS)],
}
SERVICE_MODES = [mode for mode in perms.MODES if not mode.credential]


def test_every_service_mode_has_a_scenario():
    assert set(SCENARIOS) == {mode.key for mode in SERVICE_MODES}


# -- policies -----------------------------------------------------------------------------------------------------
def policy(system, actions):
    """The policy of ``system`` granting ``actions`` (MRS identity actions scoped to the scenarios' cluster); an empty
    list (nothing allowed) when there are none."""
    if not actions:
        return []
    if system == perms.CAM:
        return perms.tencent_policy(actions, [perms.tencent_job_resource(creds.TENCENT_REGION, UIN)])
    return perms.huawei_policy(system, actions,
                               [perms.mrs_cluster_urn(creds.HUAWEI_REGION, creds.HUAWEI_DOMAIN_ID, CLUSTER)])


def principal(cloud):
    return HUAWEI_AK if cloud == perms.HUAWEI else TENCENT_ID


def cell(scenario, policies, config=None):
    settings = dict(CONFIG, policies=policies, **(config or {}))
    return {"task": scenario.task(), "seed": scenario.seed, "config": settings, "scenario": scenario}


def mode_cells(mode, system):
    """For each scenario of ``mode``: the full policy, and the policy without each of its actions."""
    cells = {}
    actions = mode.actions(system)
    for scenario in SCENARIOS[mode.key]:
        cells["%s | %s | full" % (scenario.name, system)] = dict(
            cell(scenario, {principal(mode.cloud): policy(system, actions)}), mode=mode, removed=None)
        for action in actions:
            rest = [a for a in actions if a != action]
            cells["%s | %s | without %s" % (scenario.name, system, action)] = dict(
                cell(scenario, {principal(mode.cloud): policy(system, rest)}), mode=mode, removed=action)
    return cells


def run(tmp_path, emulator, cells):
    plan = {name: {k: v for k, v in c.items() if k in ("task", "seed", "config")} for name, c in cells.items()}
    outcome = run_cells(tmp_path, emulator, plan, module_defaults=cloud_defaults(emulator.url))
    assert set(outcome.lines) == set(cells), outcome.stdout[-3000:]
    return outcome.lines


# -- what every cell must show --------------------------------------------------------------------------------------
def reported_ids(result):
    ids = list(result.get("deleted", [])) + list(result.get("already_absent", [])) + list(result.get("kept", []))
    ids += [entry["id"] for entry in result.get("not_deleted", [])]
    return ids


def operation_of(mode, action, system):
    """The operations of ``mode`` that ``action`` grants (in ``system``)."""
    return {p.operation for p in mode.permissions() if p.names.get(system) == action}


def assert_full_policy_suffices(name, line, mode, scenario):
    result, requests = line["result"], line["requests"]
    assert line["status"] == "ok", (name, result.get("msg"))
    assert [r for r in requests if r["denied_action"]] == [], name
    called = {r["operation"] for r in requests}
    assert {p.operation for p in mode.permissions()} <= called, (name, sorted(called))
    if not scenario.mutates:
        assert [r for r in requests if r["mutating"]] == [], name
    if not scenario.info:
        assert sorted(result["deleted"]) == sorted(scenario.expected), name
        assert sorted(reported_ids(result)) == sorted(scenario.requested()), name


def assert_denial(name, line, mode, scenario, action, system, workers):
    result, requests = line["result"], line["requests"]
    assert line["status"] == "failed", (name, result.get("msg"))
    msg = result["msg"]
    operations = operation_of(mode, action, system)
    denied = [r for r in requests if r["denied_action"]]
    assert denied and {r["operation"] for r in denied} <= operations, (name, denied)
    [operation] = {r["operation"] for r in denied}
    assert action in msg and operation in msg, (name, msg)
    assert "permission denied" in msg, (name, msg)
    assert action in result["error"]["required_actions"], (name, result["error"])
    assert result["error"]["operation"] == operation, name
    # no retry; at most the calls the workers had in flight
    assert len(denied) <= workers, (name, len(denied))
    # nothing deleted that was not allowed, nothing deleted twice, every id once
    deleted_calls = [r for r in requests if r["mutating"] and not r["error_code"]
                     and r["operation"] not in ("StopJob", "TerminateJob")]
    if scenario.mutates:
        ids = reported_ids(result)
        assert sorted(ids) == sorted(set(ids)) == sorted(scenario.requested()), (name, result)
        assert set(result["deleted"]) <= set(scenario.expected), name
        if not deleted_calls:
            assert result["deleted"] == [], name
    else:
        assert [r for r in requests if r["mutating"]] == [], name
    if operation in {p.operation for p in mode.permissions() if "List" in p.operation or "DescribeJobs" in
                     p.operation}:
        assert [r for r in requests if r["mutating"]] == [], (name, "a denied list call fails before any delete")


def check_cells(lines, cells):
    for name, c in cells.items():
        mode, scenario = c["mode"], c["scenario"]
        if c["removed"] is None:
            assert_full_policy_suffices(name, lines[name], mode, scenario)
        else:
            workers = TENCENT_WORKERS if mode.cloud == perms.TENCENT else BATCH_DELETE_WORKERS
            system = name.split(" | ")[1]
            assert_denial(name, lines[name], mode, scenario, c["removed"], system, workers)


@pytest.mark.parametrize("service", ["mrs", "workspace", "tencent"])
def test_the_minimal_policy_of_each_mode_suffices_and_each_action_is_needed(tmp_path, emulator, service):
    cells = {}
    for mode in SERVICE_MODES:
        if not mode.key.startswith(service):
            continue
        for system in perms.SYSTEMS[mode.cloud]:
            cells.update(mode_cells(mode, system))
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
    mrs_read = perms.MODES_BY_KEY["mrs_read"].actions(perms.CLASSIC)
    tencent_read = perms.MODES_BY_KEY["tencent_read"].actions(perms.CAM)
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
    mrs_info = _read_pair("mrs", "mrs_job_executions", MRS_ARGS, _mrs_seed(), MRS_IDS)[0]
    tencent_info = _read_pair("tencent", "tencent_batch_job", {"job_ids": TENCENT_IDS}, _tencent_seed(), [])[0]
    mrs_read = perms.MODES_BY_KEY["mrs_read"]
    tencent_read = perms.MODES_BY_KEY["tencent_read"]
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
            own = perms.MODES_BY_KEY[key].actions(system)
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
    assert {c["key"] for c in cells.values()} == {m.key for m in perms.MODES if m.credential}
    for name, c in cells.items():
        result, requests = lines[name]["result"], lines[name]["requests"]
        mode = perms.MODES_BY_KEY[c["key"]]
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
