"""The safe reading wherever official sources disagree (docs/api-readings.md), end to end: one playbook, a task per
reading, each against the emulator answering the way a real cloud may. The emulator's state and request log are the
witnesses: nothing outside the named cluster is deleted, nothing that exists is reported gone, a 500 reading costs no
more calls than the 400 one, and every id is reported exactly once.

The same decisions at the client boundary: tests/unit/plugins/module_utils/test_api_readings.py.
"""

import time

import pytest

from support.ansible_runs import HUAWEI_AK, cloud_defaults, run_cells

pytestmark = pytest.mark.emulator

CLUSTER, OTHER = "c-named", "c-other"
OLD = int((time.time() - 30 * 86400) * 1000)


def v1(exe_id, cluster=CLUSTER, state=3, final=2, name="nightly", age=0):
    return {"id": exe_id, "job_name": name, "job_state": state, "job_final_status": final, "cluster_id": cluster,
            "create_at": OLD + age}


def v2(job_id, state="FINISHED", age=0):
    return {"job_id": job_id, "job_name": "nightly", "job_state": state, "job_result": "SUCCEEDED",
            "cluster_id": CLUSTER, "submitted_time": OLD + age}


def mrs(**args):
    return {"cloudjobs.cleanup.mrs_job_executions": args, "register": "outcome"}


V1_BY_FILTERS = {"api_version": "v1.1", "cluster_id": CLUSTER, "filters": {"name": "nightly"}}
V1_MIXED = [v1("a%d" % n, age=n) for n in range(4)] + [v1("r1", state=2, final=0)] + \
    [v1("b%d" % n, cluster=OTHER, age=n) for n in range(3)]
CONCURRENT = [v2("j%02d" % n, age=n) for n in range(20)]
# Two ids of the oldest batch: only that batch is refused (0176), so both readings make the same calls, whatever order
# the four batch workers' calls are answered in (the re-checks of several refused batches may or may not share a look).
VANISHING = ["j01", "j03"]

CELLS = {}
for reading in ("cluster_id", "clusterId", "both", "none"):
    CELLS["v1.1 filters, the server reads the cluster filter as %s" % reading] = {
        "task": mrs(**V1_BY_FILTERS), "config": {"mrs_v1_cluster_filter": reading}, "seed": {"mrs_v1": V1_MIXED}}
CELLS["v1.1 info, the server ignores the cluster filter"] = {
    "task": {"cloudjobs.cleanup.mrs_job_executions_info": V1_BY_FILTERS, "register": "outcome"},
    "config": {"mrs_v1_cluster_filter": "none"}, "seed": {"mrs_v1": V1_MIXED}}
CELLS["v1.1 delete behind a gateway that does not publish it"] = {
    "task": mrs(**V1_BY_FILTERS), "config": {"api_gateway_404": ["DeleteJobExecution"]},
    "seed": {"mrs_v1": [v1("g%02d" % n, age=n) for n in range(11)]}}
CELLS["v2 batch delete behind a gateway that does not publish it"] = {
    "task": mrs(cluster_id=CLUSTER, filters={}), "config": {"api_gateway_404": ["BatchDeleteJobs"]},
    "seed": {"mrs": [v2("g%02d" % n, age=n) for n in range(11)]}}
CELLS["v1.1 ids, the show is behind a gateway that does not publish it"] = {
    "task": mrs(api_version="v1.1", job_execution_ids=["a0", "gone"]), "config": {"api_gateway_404": ["ShowJobExes"]},
    "seed": {"mrs_v1": V1_MIXED}}
CELLS["v1.1 ids that do not exist, answered with a bare 404"] = {
    "task": mrs(api_version="v1.1", cluster_id=CLUSTER, job_execution_ids=["a0", "gone-1", "gone-2"]),
    "seed": {"mrs_v1": V1_MIXED}}
CELLS["v1.1 delete of an execution another run deleted, answered with a bare 404"] = {
    "task": mrs(**V1_BY_FILTERS), "seed": {"mrs_v1": [v1("a%d" % n, age=n) for n in range(4)]},
    "faults": [{"service": "mrs", "operation": "DeleteJobExecution", "kind": "vanish", "ids": ["a2"], "count": 1}]}
for status in (400, 500):
    CELLS["v2 concurrent delete, business errors with HTTP %d" % status] = {
        "task": mrs(cluster_id=CLUSTER, filters={}, batch_size=5),
        "config": {"mrs_business_error_status": status}, "seed": {"mrs": CONCURRENT},
        "faults": [{"service": "mrs", "operation": "BatchDeleteJobs", "kind": "vanish", "ids": VANISHING, "count": 1}]}
CELLS["v1.1 listing whose totalRecord says 14"] = {
    "task": mrs(**V1_BY_FILTERS), "config": {"mrs_v1_total_record": 14}, "seed": {"mrs_v1": [v1("only")]}}
CELLS["v1.1 states the sources read differently"] = {
    "task": mrs(**V1_BY_FILTERS),
    "seed": {"mrs_v1": [v1("done", state=3, final=2), v1("failed", state=3, final=1, age=1),
                        v1("otc-example", state=2, final=1, age=2), v1("one-ended", state=1, final=3, age=3),
                        v1("ended-unfinished", state=4, final=0, age=4)]}}
CELLS["v1.1 states, terminated sent as 1"] = {
    "task": mrs(**V1_BY_FILTERS), "config": {"mrs_v1_terminated_code": 1},
    "seed": {"mrs_v1": [v1("killed", state=-1, final=3), v1("done", state=3, final=2, age=1)]}}
CELLS["Workspace tasks whose time_zone is a Windows zone id"] = {
    "task": {"cloudjobs.cleanup.workspace_scheduled_tasks": {"filters": {"expired": True}}, "register": "outcome"},
    "seed": {"workspace": [
        {"id": "5e5e0000-0000-4000-8000-00000000000%d" % n, "task_name": "t%d" % n, "scheduled_type": "FIXED_TIME",
         "expire_time": expires, "time_zone": zone}
        for n, (expires, zone) in enumerate([("2020-01-01 00:00:00", "China Standard Time"),
                                             ("2999-01-01 00:00:00", "China Standard Time"),
                                             ("2020-01-01 00:00:00", "Coordinated Universal Time"),
                                             ("2020-01-01 00:00:00", "Mars Standard Time")])]}}
CELLS["a denial while waiting after a force stop"] = {
    "task": mrs(cluster_id=CLUSTER, filters={"states": ["RUNNING"]}, force=True, wait_timeout=30),
    "config": {"kill_delay": 0.2,
               "policies": {HUAWEI_AK: {"Version": "1.1", "Statement": [
                   {"Effect": "Allow", "Action": ["mrs:job:list", "mrs:job:stop", "mrs:job:batchDelete"]}]}}},
    "seed": {"mrs": [v2("run-1", state="RUNNING"), v2("run-2", state="RUNNING", age=1)]}}


@pytest.fixture(scope="module")
def readings(emulator_server, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("api_readings")
    return run_cells(tmp_path, emulator_server, CELLS, module_defaults=cloud_defaults(emulator_server.url)).lines


def reported(result):
    """Every id the result reports, with the list it is in; an id in two lists fails the test."""
    places = {}
    for key in ("deleted", "already_absent", "kept"):
        for record_id in result.get(key, []):
            assert record_id not in places, (record_id, key, places[record_id])
            places[record_id] = key
    for entry in result.get("not_deleted", []):
        assert entry["id"] not in places, (entry["id"], places[entry["id"]])
        places[entry["id"]] = "not_deleted"
    return places


def left(line, key="mrs_v1", id_field="id"):
    return sorted(r[id_field] for r in line["state"][key])


def calls(line, operation):
    return [r for r in line["requests"] if r["operation"] == operation]


@pytest.mark.parametrize("reading", ["cluster_id", "clusterId", "both", "none"])
def test_v1_filters_never_reach_another_cluster(readings, reading):
    line = readings["v1.1 filters, the server reads the cluster filter as %s" % reading]
    result = line["result"]
    assert sorted(result["deleted"]) == ["a0", "a1", "a2", "a3"]
    assert left(line) == ["b0", "b1", "b2", "r1"]  # the other cluster untouched, the running one left
    assert reported(result) == {"a%d" % n: "deleted" for n in range(4)}  # r1 runs: not in the default states
    assert line["status"] == "ok"


def test_v1_info_lists_only_the_named_cluster(readings):
    result = readings["v1.1 info, the server ignores the cluster filter"]["result"]
    assert sorted(r["id"] for r in result["job_executions"]) == ["a0", "a1", "a2", "a3", "r1"]
    assert all("job_state" in r and "job_final_status" in r for r in result["job_executions"])


@pytest.mark.parametrize("cell, key, id_field, operation", [
    ("v1.1 delete behind a gateway that does not publish it", "mrs_v1", "id", "DeleteJobExecution"),
    ("v2 batch delete behind a gateway that does not publish it", "mrs", "job_id", "BatchDeleteJobs"),
])
def test_a_gateway_404_deletes_nothing_reports_nothing_gone_and_fails_in_one_line(
        readings, cell, key, id_field, operation):
    line = readings[cell]
    result = line["result"]
    assert line["status"] == "failed" and result["changed"] is False
    assert result["deleted"] == [] and result["already_absent"] == []
    assert reported(result) == {"g%02d" % n: "not_deleted" for n in range(11)}
    assert len(left(line, key, id_field)) == 11
    assert "does not serve this API at this endpoint" in result["msg"] and "\n" not in result["msg"]
    assert 1 <= len(calls(line, operation)) <= 4  # the calls already in flight (v1.1: 4 workers), never one per id


def test_a_show_behind_a_gateway_fails_the_look_and_reports_nothing_gone(readings):
    line = readings["v1.1 ids, the show is behind a gateway that does not publish it"]
    result = line["result"]
    assert line["status"] == "failed" and result["already_absent"] == []
    assert reported(result) == {"a0": "not_deleted", "gone": "not_deleted"}
    assert "a0" in left(line)


def test_a_bare_404_on_show_is_decided_by_a_listing(readings):
    line = readings["v1.1 ids that do not exist, answered with a bare 404"]
    assert reported(line["result"]) == {"a0": "deleted", "gone-1": "already_absent", "gone-2": "already_absent"}
    assert len(calls(line, "ListExecuteJob")) == 1 and line["status"] == "ok"


def test_a_bare_404_on_delete_is_gone_once_a_listing_says_so(readings):
    line = readings["v1.1 delete of an execution another run deleted, answered with a bare 404"]
    assert reported(line["result"]) == {"a0": "deleted", "a1": "deleted", "a2": "already_absent", "a3": "deleted"}
    assert line["status"] == "ok" and left(line) == []


def test_business_errors_on_500_cost_no_more_calls_than_on_400(readings):
    lines = {status: readings["v2 concurrent delete, business errors with HTTP %d" % status] for status in (400, 500)}
    for line in lines.values():
        assert reported(line["result"]) == {r["job_id"]: "already_absent" if r["job_id"] in VANISHING else "deleted"
                                            for r in CONCURRENT}
        assert line["status"] == "ok" and line["state"]["mrs"] == []
    assert {r["status"] for r in lines[500]["requests"] if r["status"] >= 400} == {500}  # the refusals were 500s
    assert {r["status"] for r in lines[400]["requests"] if r["status"] >= 400} == {400}
    assert len(lines[500]["requests"]) <= len(lines[400]["requests"])


def test_v1_paging_trusts_no_total_record(readings):
    line = readings["v1.1 listing whose totalRecord says 14"]
    assert line["result"]["deleted"] == ["only"] and len(calls(line, "ListExecuteJob")) == 1


def test_v1_deletes_only_what_both_state_fields_say_ended(readings):
    line = readings["v1.1 states the sources read differently"]
    result = line["result"]
    assert sorted(result["deleted"]) == ["done", "failed"]
    assert left(line) == ["ended-unfinished", "one-ended", "otc-example"]
    reasons = {n["id"]: n["reason"] for n in result["not_deleted"]}
    assert "job_state 2 (running) and job_final_status 1 (execution error)" in reasons["otc-example"]
    assert "starting" in reasons["one-ended"] and "terminated" in reasons["one-ended"]
    assert line["status"] == "ok"  # selected by filters and left alone: reported, not a failure


def test_v1_terminated_sent_as_1_is_never_deleted(readings):
    line = readings["v1.1 states, terminated sent as 1"]
    assert line["result"]["deleted"] == ["done"] and left(line) == ["killed"]


def test_a_denial_while_waiting_after_force_ends_the_run_with_the_actions_to_grant(readings):
    line = readings["a denial while waiting after a force stop"]
    result = line["result"]
    assert line["status"] == "failed" and result["deleted"] == []
    assert "mrs:job:get" in result["error"]["required_actions"]
    assert reported(result) == {"run-1": "not_deleted", "run-2": "not_deleted"}
    assert {n["request_id"] for n in result["not_deleted"]} == {None}  # the poll was neither record's own call


def test_windows_zone_ids_decide_workspace_expiry(readings):
    line = readings["Workspace tasks whose time_zone is a Windows zone id"]
    result = line["result"]
    task = "5e5e0000-0000-4000-8000-00000000000%d"
    assert sorted(result["deleted"]) == [task % 0, task % 2]
    assert [n["id"] for n in result["not_deleted"]] == [task % 3] and "Mars Standard Time" in result["not_deleted"][0]["reason"]
    assert sorted(r["id"] for r in line["state"]["workspace"]) == [task % 1, task % 3]
