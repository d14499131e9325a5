# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""workspace_scheduled_tasks_info at the module layer: a read-only look that returns only ``scheduled_tasks``."""

from __future__ import annotations

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._module import run_module
from ansible_collections.cloudjobs.cleanup.plugins.modules import workspace_scheduled_tasks_info
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import WORKSPACE, FakeWorkspaceConnection, api_error


def task(task_id, **extra):
    return dict({"id": task_id, "task_name": task_id, "task_type": "REBOOT", "scheduled_type": "DAY"}, **extra)


def test_info_returns_only_the_tasks_and_changed_false(create_module):
    conn = FakeWorkspaceConnection([task("t1"), task("t2", scheduled_type="LIFE_CYCLE")], read_only=True)
    module = create_module(workspace_scheduled_tasks_info, {"filters": {}})
    with pytest.raises(create_module.Exited) as ended:
        run_module(module, lambda m: conn, workspace_scheduled_tasks_info.run)
    assert ended.value.kwargs == {"changed": False, "scheduled_tasks": [task("t1"), task("t2", scheduled_type="LIFE_CYCLE")], "kept": []}
    assert conn.closed
    module.warn.assert_not_called()


def test_a_task_whose_expiry_cannot_be_decided_is_left_out_with_a_warning(create_module):
    expired = task("old", expire_time="2020-01-01 00:00:00", time_zone="UTC")
    no_zone = task("nozone", expire_time="2020-01-01 00:00:00")
    conn = FakeWorkspaceConnection([expired, no_zone], read_only=True)
    module = create_module(workspace_scheduled_tasks_info, {"filters": {"expired": True}})
    result, failure = workspace_scheduled_tasks_info.run(module, conn)
    assert failure is None and result == {"changed": False, "scheduled_tasks": [expired], "kept": []}
    module.warn.assert_called_once()
    warning = module.warn.call_args[0][0]
    assert warning.startswith("Workspace scheduled task nozone is not listed") and "time_zone" in warning


def test_a_failed_call_fails_with_msg_and_the_error_only(create_module):
    internal = api_error("WKS.0500", 500, "ListScheduledTasks", service=WORKSPACE, request_id="req-4", message="internal")
    conn = FakeWorkspaceConnection([], fail={"ListScheduledTasks": internal}, read_only=True)
    with pytest.raises(create_module.Failed) as ended:
        run_module(create_module(workspace_scheduled_tasks_info, {}), lambda m: conn, workspace_scheduled_tasks_info.run)
    kwargs = ended.value.kwargs
    assert set(kwargs) == {"msg", "error"} and "WKS.0500" in kwargs["msg"]
    assert kwargs["error"] == {
        "service": "Huawei Cloud Workspace", "operation": "ListScheduledTasks", "status": 500,
        "error_code": "WKS.0500", "message": "internal", "request_id": "req-4", "attempts": None, "host": None,
    }
    assert conn.closed


def test_a_bad_id_fails_with_a_message_only_and_no_request(create_module):
    conn = FakeWorkspaceConnection([], read_only=True)
    with pytest.raises(create_module.Failed) as ended:
        run_module(create_module(workspace_scheduled_tasks_info, {"task_ids": ["t1?x=1"]}), lambda m: conn,
                   workspace_scheduled_tasks_info.run)
    assert list(ended.value.kwargs) == ["msg"] and "task_ids" in ended.value.kwargs["msg"]
    assert conn.calls == []
