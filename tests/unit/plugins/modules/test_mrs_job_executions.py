# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""mrs_job_executions at the module layer: run() against a fake Huawei connection, run_module's exits,
and main() end to end with real module arguments."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei import HuaweiCloudConnection
from ansible_collections.cloudjobs.cleanup.plugins.modules import mrs_job_executions
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import FakeMrsConnection, run_to_end

CLUSTER = "c1"
RESULT_KEYS = {"changed", "deleted", "already_absent", "not_deleted", "kept", "counts"}


def execution(job_id, state="FINISHED", name="etl"):
    return {"job_id": job_id, "job_name": name, "job_state": state, "job_type": "SparkSubmit",
            "submitted_time": 1564714763119}


def params(**extra):
    return dict({"cluster_id": CLUSTER}, **extra)


def end(create_module, module, conn):
    return run_to_end(create_module, module, conn, mrs_job_executions.run)


def test_delete_by_filters_sends_one_batch_delete_and_returns_ids_and_counts(create_module):
    conn = FakeMrsConnection([execution("j1"), execution("j2"), execution("r1", state="RUNNING")])
    module = create_module(mrs_job_executions, params(filters={"name": "etl"}))
    result, failure = mrs_job_executions.run(module, conn)
    assert failure is None
    assert set(result) == RESULT_KEYS  # compact: no records unless return_records
    assert result["changed"] is True and result["deleted"] == ["j1", "j2"]
    assert result["already_absent"] == [] and result["not_deleted"] == []
    assert result["counts"] == {"selected": 2, "deleted": 2, "already_absent": 0, "not_deleted": 0, "kept": 0,
                                "kept_by_rule": {"keep_latest": 0, "keep_name_patterns": 0}}
    assert [c[0] for c in conn.mutating_calls()] == ["BatchDeleteJobs"]
    assert sorted(conn.records) == ["r1"]
    module.warn.assert_not_called()


def test_return_records_returns_every_selected_execution_as_listed(create_module):
    conn = FakeMrsConnection([execution("j1"), execution("j2"), execution("r1", state="RUNNING")])
    module = create_module(mrs_job_executions, params(filters={"name": "etl"}, return_records=True))
    result, failure = mrs_job_executions.run(module, conn)
    assert failure is None and set(result) == RESULT_KEYS | {"job_executions"}
    assert result["job_executions"] == [execution("j1"), execution("j2")]  # whole, job_type included
    assert result["deleted"] == ["j1", "j2"]


def test_delete_by_id_reports_missing_ids_as_already_absent(create_module):
    conn = FakeMrsConnection([execution("j1")])
    module = create_module(mrs_job_executions, params(job_execution_ids=["j1", "gone"]))
    result, failure = mrs_job_executions.run(module, conn)
    assert failure is None and result["deleted"] == ["j1"] and result["already_absent"] == ["gone"]


def test_check_mode_reports_what_would_be_deleted_without_a_mutating_call(create_module):
    conn = FakeMrsConnection([execution("j1"), execution("j2")])
    module = create_module(mrs_job_executions, params(filters={}), check_mode=True)
    result, failure = mrs_job_executions.run(module, conn)
    assert failure is None and result["changed"] is True and result["deleted"] == ["j1", "j2"]
    assert conn.mutating_calls() == [] and sorted(conn.records) == ["j1", "j2"]
    assert "diff" not in result


def test_diff_mode_shows_one_line_per_selected_execution_before_and_none_after(create_module):
    conn = FakeMrsConnection([execution("j1"), execution("j2", name=None)])
    module = create_module(mrs_job_executions, params(filters={}), diff=True)
    result, dummy = mrs_job_executions.run(module, conn)
    assert result["diff"]["before"] == ("j1  etl  FINISHED  2019-08-02T02:59:23Z\n"
                                        "j2  -  FINISHED  2019-08-02T02:59:23Z\n")
    assert result["diff"]["after"] == ""
    assert result["diff"]["before_header"] == "MRS job executions selected"
    assert "job_executions" not in result


def test_force_kills_a_running_execution_then_deletes_it(create_module):
    conn = FakeMrsConnection([execution("r1", state="RUNNING")])
    module = create_module(mrs_job_executions, params(job_execution_ids=["r1"], force=True))
    result, failure = mrs_job_executions.run(module, conn)
    assert failure is None and result["deleted"] == ["r1"]
    assert [c[0] for c in conn.mutating_calls()] == ["StopJob", "BatchDeleteJobs"]


def test_a_running_execution_asked_for_by_id_fails_the_task_without_a_warning(create_module):
    conn = FakeMrsConnection([execution("r1", state="RUNNING")])
    module = create_module(mrs_job_executions, params(job_execution_ids=["r1"]))
    result, failure = mrs_job_executions.run(module, conn)
    assert "r1" in failure and "still RUNNING" in failure
    assert result["deleted"] == [] and [n["id"] for n in result["not_deleted"]] == ["r1"]
    assert conn.mutating_calls() == []
    module.warn.assert_not_called()


def test_run_module_exits_with_the_result_and_closes_the_connection(create_module):
    conn = FakeMrsConnection([execution("j1")])
    ended = end(create_module, create_module(mrs_job_executions, params(filters={})), conn)
    assert isinstance(ended, create_module.Exited)
    assert set(ended.kwargs) == RESULT_KEYS and ended.kwargs["deleted"] == ["j1"]


def test_a_failed_api_call_fails_the_task_with_the_error_and_the_full_result(create_module):
    refused = FakeMrsConnection.error("APIGW.0301", 401, "ShowJobExeListNew")
    conn = FakeMrsConnection([execution("j1")], fail={"ShowJobExeListNew": refused})
    ended = end(create_module, create_module(mrs_job_executions, params(filters={})), conn)
    assert isinstance(ended, create_module.Failed)
    assert "ShowJobExeListNew" in ended.kwargs["msg"] and "APIGW.0301" in ended.kwargs["msg"]
    assert ended.kwargs["error"] == {
        "service": "Huawei Cloud MRS", "operation": "ShowJobExeListNew", "status": 401, "error_code": "APIGW.0301",
        "message": "refused", "request_id": "req-1", "attempts": 1,
        "host": "https://mrs.cn-north-4.myhuaweicloud.com:443",
    }
    assert ended.kwargs["deleted"] == [] and ended.kwargs["changed"] is False
    assert "exception" not in ended.kwargs


def test_a_missing_cluster_fails_with_a_message_naming_it(create_module):
    missing = FakeMrsConnection.error("12000003", operation="ShowJobExeListNew")
    conn = FakeMrsConnection([], fail={"ShowJobExeListNew": missing})
    ended = end(create_module, create_module(mrs_job_executions, params(cluster_id="c9", filters={})), conn)
    assert isinstance(ended, create_module.Failed)
    assert "c9" in ended.kwargs["msg"] and ended.kwargs["error"]["error_code"] == "12000003"


@pytest.mark.parametrize("bad", [
    {"job_execution_ids": ["../../x"]},
    {"filters": {"states": ["RUNNING"]}},
    {"batch_size": 0},
    {"max_deletions": -1},
    {"cluster_id": None, "filters": {}},
], ids=["bad-id", "running-without-force", "batch-size", "max-deletions", "no-cluster"])
def test_bad_options_fail_with_a_message_only_and_no_request(create_module, bad):
    conn = FakeMrsConnection([execution("j1")])
    ended = end(create_module, create_module(mrs_job_executions, params(**bad)), conn)
    assert isinstance(ended, create_module.Failed)
    assert list(ended.kwargs) == ["msg"]
    assert conn.calls == []


def test_a_partial_failure_fails_the_task_with_the_full_result(create_module):
    conn = FakeMrsConnection([execution("j1"), execution("j2"), execution("j3")], refuse={"j2"})
    ended = end(create_module, create_module(mrs_job_executions, params(filters={}, batch_size=1)), conn)
    assert isinstance(ended, create_module.Failed)
    kwargs = ended.kwargs
    assert set(kwargs) == RESULT_KEYS | {"msg"}
    assert kwargs["changed"] is True and kwargs["deleted"] == ["j1", "j3"] and kwargs["already_absent"] == []
    assert [(n["id"], n["error_code"], n["request_id"]) for n in kwargs["not_deleted"]] == [("j2", "0166", "req-1")]
    assert kwargs["counts"] == {"selected": 3, "deleted": 2, "already_absent": 0, "not_deleted": 1, "kept": 0,
                                "kept_by_rule": {"keep_latest": 0, "keep_name_patterns": 0}}
    assert kwargs["msg"].startswith("1 of 3 selected MRS job execution(s) were not deleted; first: j2")


def test_max_deletions_exceeded_deletes_nothing_and_fails_with_every_key(create_module):
    conn = FakeMrsConnection([execution("j1"), execution("j2")])
    ended = end(create_module, create_module(mrs_job_executions, params(filters={}, max_deletions=1)), conn)
    assert isinstance(ended, create_module.Failed)
    kwargs = ended.kwargs
    assert set(kwargs) == RESULT_KEYS | {"msg"}
    assert "max_deletions=1" in kwargs["msg"]
    assert kwargs["changed"] is False and kwargs["deleted"] == [] and kwargs["already_absent"] == []
    assert [n["id"] for n in kwargs["not_deleted"]] == ["j1", "j2"]
    assert all(n["reason"] == "selection over max_deletions" for n in kwargs["not_deleted"])
    assert kwargs["counts"]["selected"] == 2 and conn.mutating_calls() == []


# main() end to end: real module arguments, HuaweiCloudConnection.from_params replaced by the fake.

CREDENTIALS = {"region": "cn-north-4", "access_key": "AK", "secret_key": "SK-secret"}


@pytest.fixture
def connections(monkeypatch):
    """Every connection main() builds, with the arguments it was built with."""
    built = []

    def from_params(params, service, read_only=False, debug=None):
        conn = FakeMrsConnection([execution("j1"), execution("r1", state="RUNNING")])
        built.append((conn, dict(params), service, read_only))
        return conn

    monkeypatch.setattr(HuaweiCloudConnection, "from_params", from_params)
    return built


def test_main_deletes_and_prints_the_result(run_main, connections):
    failed, result = run_main(mrs_job_executions, dict(CREDENTIALS, cluster_id=CLUSTER, filters={"name_pattern": "*"}))
    assert not failed and result["changed"] is True and result["deleted"] == ["j1"]
    assert set(result) >= RESULT_KEYS
    [(conn, conn_params, service, read_only)] = connections
    assert service == "mrs" and read_only is False and conn.closed
    assert conn_params["secret_key"] == "SK-secret" and conn_params["api_version"] == "v2"
    assert [c[0] for c in conn.mutating_calls()] == ["BatchDeleteJobs"]


def test_main_in_check_mode_builds_a_read_only_connection_and_returns_the_diff(run_main, connections):
    failed, result = run_main(mrs_job_executions, dict(CREDENTIALS, cluster_id=CLUSTER, filters={}), check_mode=True,
                              diff=True)
    assert not failed and result["deleted"] == ["j1"]
    assert result["diff"]["before"].split("  ")[0] == "j1" and result["diff"]["after"] == ""
    [(conn, dummy, dummy, read_only)] = connections
    assert read_only is True and conn.mutating_calls() == []


def test_main_fails_on_a_partial_failure_with_the_result(run_main, connections):
    failed, result = run_main(mrs_job_executions, dict(CREDENTIALS, cluster_id=CLUSTER, job_execution_ids=["j1", "r1"]))
    assert failed and result["deleted"] == ["j1"] and [n["id"] for n in result["not_deleted"]] == ["r1"]
    assert "r1" in result["msg"] and "exception" not in result


def test_main_without_credentials_fails_with_a_message_and_no_traceback(run_main):
    failed, result = run_main(mrs_job_executions, {"region": "cn-north-4", "cluster_id": CLUSTER, "filters": {}})
    assert failed and "missing Huawei Cloud credentials" in result["msg"]
    assert "exception" not in result and "error" not in result


def test_main_refuses_an_unknown_filter_before_connecting(run_main, connections):
    failed, result = run_main(mrs_job_executions, dict(CREDENTIALS, cluster_id=CLUSTER, filters={"colour": "red"}))
    assert failed and "colour" in result["msg"] and connections == []


def test_main_makes_a_plan_in_check_mode_and_applies_it_echoing_the_plan_by_its_digest(run_main, connections):
    failed, checked = run_main(mrs_job_executions, dict(CREDENTIALS, cluster_id=CLUSTER, filters={}), check_mode=True)
    plan = checked["plan"]
    assert not failed and [row[0] for row in plan["records"]] == ["j1"] and plan["scope"]["cluster_id"] == CLUSTER
    failed, applied = run_main(mrs_job_executions, dict(CREDENTIALS, cluster_id=CLUSTER, plan=plan))
    assert not failed and applied["deleted"] == ["j1"] and applied["plan_applied"]["planned"] == 1
    assert "plan" not in applied
    # A plan of 20,000 records is 1.4 MB: the result echoes it by its digest and size, the secrets masked.
    echoed = applied["invocation"]["module_args"]
    assert echoed["plan"] == {"digest": plan["digest"], "records": 1}
    assert echoed["secret_key"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" and "SK-secret" not in json.dumps(applied)
    failed, refused = run_main(mrs_job_executions, dict(CREDENTIALS, cluster_id=CLUSTER, plan=plan, filters={}))
    assert failed and "plan cannot be given together with filters" in refused["msg"]
    assert refused["invocation"]["module_args"]["plan"] == {"digest": plan["digest"], "records": 1}
    assert [[c[0] for c in conn.mutating_calls()] for conn, _params, _service, _ro in connections] == [
        [], ["BatchDeleteJobs"], []]
    assert connections[2][0].calls == []  # the refused plan made no call at all
