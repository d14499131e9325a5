# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""workspace_scheduled_tasks at the module layer: run() against a fake Huawei connection and run_module's exits."""

from __future__ import annotations

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.modules import workspace_scheduled_tasks
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import FakeWorkspaceConnection, run_to_end

RESULT_KEYS = {"changed", "deleted", "already_absent", "not_deleted", "kept", "counts"}


def task(task_id, scheduled_type="DAY", **extra):
    return dict({"id": task_id, "task_name": "reboot-%s" % task_id, "task_type": "REBOOT",
                 "scheduled_type": scheduled_type}, **extra)


def end(create_module, module, conn):
    return run_to_end(create_module, module, conn, workspace_scheduled_tasks.run)


def test_delete_by_filters_reads_both_listings_and_sends_one_batch_delete(create_module):
    conn = FakeWorkspaceConnection([task("t1"), task("t2", "LIFE_CYCLE"), task("keep", task_type="STOP")])
    module = create_module(workspace_scheduled_tasks, {"filters": {"task_type": "REBOOT"}, "return_records": True})
    result, failure = workspace_scheduled_tasks.run(module, conn)
    assert failure is None and set(result) == RESULT_KEYS | {"scheduled_tasks"}
    assert result["changed"] is True and sorted(result["deleted"]) == ["t1", "t2"]
    assert result["already_absent"] == [] and result["not_deleted"] == []
    assert sorted(t["id"] for t in result["scheduled_tasks"]) == ["t1", "t2"]
    assert [c[0] for c in conn.mutating_calls()] == ["BatchDeleteScheduledTasks"]
    assert sorted(conn.tasks) == ["keep"]


def test_check_mode_reports_what_would_be_deleted_without_a_mutating_call(create_module):
    conn = FakeWorkspaceConnection([task("t1"), task("t2")])
    module = create_module(workspace_scheduled_tasks, {"task_ids": ["t1", "t2", "gone"]}, check_mode=True)
    result, failure = workspace_scheduled_tasks.run(module, conn)
    assert failure is None and result["deleted"] == ["t1", "t2"] and result["already_absent"] == ["gone"]
    assert conn.mutating_calls() == [] and sorted(conn.tasks) == ["t1", "t2"]


def test_diff_mode_shows_the_selected_tasks_before_and_what_remains_after(create_module):
    conn = FakeWorkspaceConnection([task("t1"), task("t2")], refuse={"t2"})
    module = create_module(workspace_scheduled_tasks, {"filters": {}, "batch_size": 1}, diff=True)
    result, failure = workspace_scheduled_tasks.run(module, conn)
    assert failure is not None
    assert result["diff"]["before"] == "t1  reboot-t1  -  -\nt2  reboot-t2  -  -\n"
    assert result["diff"]["after"] == "t2  reboot-t2  -  -\n"


def test_a_failed_list_fails_the_task_with_the_error_and_the_full_result(create_module):
    refused = FakeWorkspaceConnection.error("APIGW.0302", 403, "ListScheduledTasks", attempts=2)
    conn = FakeWorkspaceConnection([task("t1")], fail={"ListScheduledTasks": refused})
    ended = end(create_module, create_module(workspace_scheduled_tasks, {"filters": {}}), conn)
    assert isinstance(ended, create_module.Failed)
    assert ended.kwargs["error"] == {
        "service": "Huawei Cloud Workspace", "operation": "ListScheduledTasks", "status": 403,
        "error_code": "APIGW.0302", "message": "refused", "request_id": "req-9", "attempts": 2,
        "host": "https://workspace.cn-north-4.myhuaweicloud.com:443",
    }
    assert "APIGW.0302" in ended.kwargs["msg"] and ended.kwargs["deleted"] == []
    assert conn.mutating_calls() == []


@pytest.mark.parametrize("bad", [
    {"task_ids": ["a/b"]},
    {"task_ids": []},
    {"batch_size": 5001},
    {"wait_timeout": 0},
], ids=["bad-id", "no-ids", "batch-size", "wait-timeout"])
def test_bad_options_fail_with_a_message_only_and_no_request(create_module, bad):
    conn = FakeWorkspaceConnection([task("t1")])
    ended = end(create_module, create_module(workspace_scheduled_tasks, bad), conn)
    assert isinstance(ended, create_module.Failed)
    assert list(ended.kwargs) == ["msg"] and conn.calls == []


def test_a_partial_failure_fails_the_task_with_the_full_result(create_module):
    conn = FakeWorkspaceConnection([task("t1"), task("t2"), task("t3")], refuse={"t2"})
    ended = end(create_module, create_module(workspace_scheduled_tasks, {"filters": {}, "batch_size": 1}), conn)
    assert isinstance(ended, create_module.Failed)
    kwargs = ended.kwargs
    assert set(kwargs) == RESULT_KEYS | {"msg"}
    assert kwargs["changed"] is True and kwargs["deleted"] == ["t1", "t3"] and kwargs["already_absent"] == []
    assert [(n["id"], n["error_code"]) for n in kwargs["not_deleted"]] == [("t2", "WKS.0001")]
    assert kwargs["counts"] == {"selected": 3, "deleted": 2, "already_absent": 0, "not_deleted": 1, "kept": 0,
                                "kept_by_rule": {"keep_latest": 0, "keep_name_patterns": 0}}
    assert "1 of 3 selected Workspace scheduled task(s) were not deleted; first: t2" in kwargs["msg"]


def test_max_deletions_exceeded_deletes_nothing_and_fails_with_every_key(create_module):
    conn = FakeWorkspaceConnection([task("t1"), task("t2"), task("t3")])
    ended = end(create_module, create_module(workspace_scheduled_tasks, {"filters": {}, "max_deletions": 2}), conn)
    assert isinstance(ended, create_module.Failed)
    kwargs = ended.kwargs
    assert set(kwargs) == RESULT_KEYS | {"msg"} and "max_deletions=2" in kwargs["msg"]
    assert kwargs["changed"] is False and kwargs["deleted"] == [] and kwargs["already_absent"] == []
    assert sorted(n["id"] for n in kwargs["not_deleted"]) == ["t1", "t2", "t3"]
    assert all(n["reason"] == "selection over max_deletions" for n in kwargs["not_deleted"])
    assert conn.mutating_calls() == []


def test_a_task_whose_expiry_cannot_be_decided_is_not_deleted_and_fails_the_task(create_module):
    conn = FakeWorkspaceConnection([task("old", expire_time="2020-01-01 00:00:00", time_zone="UTC"),
                                    task("nozone", expire_time="2020-01-01 00:00:00")])
    ended = end(create_module, create_module(workspace_scheduled_tasks, {"filters": {"expired": True}}), conn)
    assert isinstance(ended, create_module.Failed)
    assert ended.kwargs["deleted"] == ["old"]
    assert [n["id"] for n in ended.kwargs["not_deleted"]] == ["nozone"]
    assert sorted(conn.tasks) == ["nozone"]


def test_success_exits_with_the_result(create_module):
    conn = FakeWorkspaceConnection([task("t1")])
    ended = end(create_module, create_module(workspace_scheduled_tasks, {"task_ids": ["t1"]}), conn)
    assert isinstance(ended, create_module.Exited)
    assert set(ended.kwargs) == RESULT_KEYS and ended.kwargs["deleted"] == ["t1"]


def test_main_without_a_region_fails_with_a_message_and_no_traceback(run_main):
    failed, result = run_main(workspace_scheduled_tasks, {"access_key": "AK", "secret_key": "SK", "filters": {}})
    assert failed and "missing Huawei Cloud region" in result["msg"]
    assert "exception" not in result and "error" not in result
