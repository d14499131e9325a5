# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tencent_batch_job at the module layer: run() against a fake Tencent connection, run_module's exits,
and main() with real module arguments."""

from __future__ import annotations

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent import TencentCloudConnection
from ansible_collections.cloudjobs.cleanup.plugins.modules import tencent_batch_job
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import FakeBatchConnection, run_to_end

RESULT_KEYS = {"changed", "deleted", "already_absent", "not_deleted", "kept", "counts"}


def job(job_id, state="SUCCEED", **extra):
    return dict({"JobId": job_id, "JobName": "render-%s" % job_id, "JobState": state,
                 "CreateTime": "2020-01-01T00:00:00Z", "Tags": [{"Key": "lifetime", "Value": "temporary"}]}, **extra)


def end(create_module, module, conn):
    return run_to_end(create_module, module, conn, tencent_batch_job.run)


def test_delete_by_filters_deletes_each_finished_job_and_returns_ids_and_counts(create_module):
    conn = FakeBatchConnection([job("job-a1"), job("job-a2", "FAILED", TaskInstanceMetrics={"FailedCount": 1}),
                                job("job-r1", "RUNNING")])
    module = create_module(tencent_batch_job, {"region": "ap-guangzhou", "filters": {"name_pattern": "render-*"}})
    result, failure = tencent_batch_job.run(module, conn)
    assert failure is None and set(result) == RESULT_KEYS
    assert result["changed"] is True and result["deleted"] == ["job-a1", "job-a2"]
    assert result["counts"] == {"selected": 2, "deleted": 2, "already_absent": 0, "not_deleted": 0, "kept": 0,
                                "kept_by_rule": {"keep_latest": 0, "keep_name_patterns": 0}}
    assert list(conn.jobs) == ["job-r1"]


def test_return_records_renders_the_selected_jobs(create_module):
    conn = FakeBatchConnection([job("job-a1"), job("job-a2", "FAILED", TaskInstanceMetrics={"FailedCount": 1}),
                                job("job-r1", "RUNNING")])
    module = create_module(tencent_batch_job, {"region": "ap-guangzhou", "filters": {"name_pattern": "render-*"},
                                               "return_records": True})
    result, failure = tencent_batch_job.run(module, conn)
    assert failure is None and set(result) == RESULT_KEYS | {"jobs"}
    assert result["changed"] is True and result["deleted"] == ["job-a1", "job-a2"]
    assert result["already_absent"] == [] and result["not_deleted"] == []
    assert result["jobs"][0]["job_id"] == "job-a1" and result["jobs"][0]["tags"] == {"lifetime": "temporary"}
    assert sorted(c[1]["JobId"] for c in conn.mutating_calls() if c[0] == "DeleteJob") == ["job-a1", "job-a2"]
    assert list(conn.jobs) == ["job-r1"]
    module.warn.assert_not_called()


def test_the_job_id_alias_takes_one_id(create_module):
    conn = FakeBatchConnection([job("job-a1")])
    result, failure = tencent_batch_job.run(create_module(tencent_batch_job, {"job_id": "job-a1"}), conn)
    assert failure is None and result["deleted"] == ["job-a1"]


def test_check_mode_reports_what_would_be_deleted_without_a_mutating_call(create_module):
    conn = FakeBatchConnection([job("job-a1"), job("job-a2")])
    module = create_module(tencent_batch_job, {"job_ids": ["job-a1", "job-a2", "job-gone"]}, check_mode=True)
    result, failure = tencent_batch_job.run(module, conn)
    assert failure is None and result["deleted"] == ["job-a1", "job-a2"] and result["already_absent"] == ["job-gone"]
    assert conn.mutating_calls() == [] and len(conn.jobs) == 2


def test_diff_mode_shows_the_selected_jobs_before_and_none_after(create_module):
    conn = FakeBatchConnection([job("job-a1")])
    module = create_module(tencent_batch_job, {"filters": {}}, diff=True)
    result, dummy = tencent_batch_job.run(module, conn)
    assert result["diff"]["before"] == "job-a1  render-job-a1  SUCCEED  2020-01-01T00:00:00Z\n"
    assert result["diff"]["after"] == "" and "jobs" not in result


def test_a_failed_job_with_running_instances_matched_by_filters_is_left_alone_with_a_warning(create_module):
    busy = job("job-b1", "FAILED", TaskInstanceMetrics={"RunningCount": 2})
    conn = FakeBatchConnection([job("job-a1"), busy])
    module = create_module(tencent_batch_job, {"filters": {}})
    result, failure = tencent_batch_job.run(module, conn)
    assert failure is None and result["deleted"] == ["job-a1"]
    assert [n["id"] for n in result["not_deleted"]] == ["job-b1"]
    assert "RunningCount" in result["not_deleted"][0]["reason"]
    module.warn.assert_called_once()
    assert "1 selected Batch job(s) are not finished" in module.warn.call_args[0][0]
    assert [c[1]["JobId"] for c in conn.mutating_calls()] == ["job-a1"]


def test_force_terminates_a_busy_job_then_deletes_it(create_module):
    conn = FakeBatchConnection([job("job-b1", "FAILED", TaskInstanceMetrics={"RunningCount": 2})])
    module = create_module(tencent_batch_job, {"job_ids": ["job-b1"], "force": True})
    result, failure = tencent_batch_job.run(module, conn)
    assert failure is None and result["deleted"] == ["job-b1"]
    assert [c[0] for c in conn.mutating_calls()] == ["TerminateJob", "DeleteJob"]
    module.warn.assert_not_called()


def test_a_failed_call_fails_the_task_with_the_error_and_the_full_result(create_module):
    refused = FakeBatchConnection.error("AuthFailure.SignatureFailure", operation="DescribeJobs")
    conn = FakeBatchConnection([job("job-a1")], fail={"DescribeJobs": refused})
    ended = end(create_module, create_module(tencent_batch_job, {"filters": {}}), conn)
    assert isinstance(ended, create_module.Failed)
    assert ended.kwargs["error"] == {
        "service": "Tencent Cloud Batch", "operation": "DescribeJobs", "status": 200,
        "error_code": "AuthFailure.SignatureFailure", "message": "refused", "request_id": "rid-7", "attempts": 1,
        "host": "https://batch.tencentcloudapi.com:443",
    }
    assert "AuthFailure.SignatureFailure" in ended.kwargs["msg"] and ended.kwargs["deleted"] == []


@pytest.mark.parametrize("bad", [
    {"job_ids": ["JOB-ABC"]},
    {"filters": {"states": ["RUNNING"]}},
    {"filters": {"older_than": "yesterday"}},
    {"max_deletions": -5},
], ids=["bad-id", "running-without-force", "bad-duration", "max-deletions"])
def test_bad_options_fail_with_a_message_only_and_no_request(create_module, bad):
    conn = FakeBatchConnection([job("job-a1")])
    ended = end(create_module, create_module(tencent_batch_job, bad), conn)
    assert isinstance(ended, create_module.Failed)
    assert list(ended.kwargs) == ["msg"] and conn.calls == []


def test_a_partial_failure_fails_the_task_with_the_full_result(create_module):
    conn = FakeBatchConnection([job("job-a1"), job("job-a2"), job("job-a3")], refuse={"job-a2"})
    ended = end(create_module, create_module(tencent_batch_job, {"filters": {}}), conn)
    assert isinstance(ended, create_module.Failed)
    kwargs = ended.kwargs
    assert set(kwargs) == RESULT_KEYS | {"msg"}
    assert kwargs["changed"] is True and kwargs["deleted"] == ["job-a1", "job-a3"] and kwargs["already_absent"] == []
    assert [(n["id"], n["error_code"], n["request_id"]) for n in kwargs["not_deleted"]] == [("job-a2", "InternalError", "rid-7")]
    assert kwargs["counts"] == {"selected": 3, "deleted": 2, "already_absent": 0, "not_deleted": 1, "kept": 0,
                                "kept_by_rule": {"keep_latest": 0, "keep_name_patterns": 0}}
    assert "1 of 3 selected Batch job(s) were not deleted; first: job-a2" in kwargs["msg"]


def test_max_deletions_exceeded_deletes_nothing_and_fails_with_every_key(create_module):
    conn = FakeBatchConnection([job("job-a1"), job("job-a2")])
    ended = end(create_module, create_module(tencent_batch_job, {"filters": {}, "max_deletions": 0}), conn)
    assert isinstance(ended, create_module.Failed)
    kwargs = ended.kwargs
    assert set(kwargs) == RESULT_KEYS | {"msg"} and "max_deletions=0" in kwargs["msg"]
    assert kwargs["changed"] is False and kwargs["deleted"] == [] and kwargs["already_absent"] == []
    assert [n["id"] for n in kwargs["not_deleted"]] == ["job-a1", "job-a2"]
    assert all(n["reason"] == "selection over max_deletions" for n in kwargs["not_deleted"])
    assert conn.mutating_calls() == []


def test_main_in_check_mode_builds_a_read_only_connection(run_main, monkeypatch):
    built = []

    def from_params(params, service="batch", version="2017-03-12", read_only=False, debug=None):
        conn = FakeBatchConnection([job("job-a1")])
        built.append((conn, read_only))
        return conn

    monkeypatch.setattr(TencentCloudConnection, "from_params", from_params)
    args = {"region": "ap-guangzhou", "secret_id": "id", "secret_key": "key", "job_id": "job-a1"}
    failed, result = run_main(tencent_batch_job, args, check_mode=True)
    assert not failed and result["changed"] is True and result["deleted"] == ["job-a1"]
    [(conn, read_only)] = built
    assert read_only is True and conn.closed and conn.mutating_calls() == []


def test_main_without_credentials_fails_with_a_message_and_no_traceback(run_main):
    failed, result = run_main(tencent_batch_job, {"region": "ap-guangzhou", "job_ids": ["job-a1"]})
    assert failed and "missing Tencent Cloud credentials" in result["msg"]
    assert "exception" not in result and "error" not in result
