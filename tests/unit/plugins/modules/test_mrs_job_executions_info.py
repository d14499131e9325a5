# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""mrs_job_executions_info at the module layer: a read-only look that returns only ``job_executions``."""

from __future__ import annotations

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._module import run_module
from ansible_collections.cloudjobs.cleanup.plugins.modules import mrs_job_executions_info
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import MRS, FakeMrsConnection, api_error


def execution(job_id, state):
    return {"job_id": job_id, "job_name": "n-" + job_id, "job_state": state, "submitted_time": 1564714763119}


def test_info_returns_only_the_executions_and_changed_false(create_module):
    conn = FakeMrsConnection([execution("j1", "FINISHED"), execution("r1", "RUNNING")], read_only=True)
    module = create_module(mrs_job_executions_info, {"cluster_id": "c1", "filters": {}})
    with pytest.raises(create_module.Exited) as ended:
        run_module(module, lambda m: conn, mrs_job_executions_info.run)
    assert ended.value.kwargs == {"changed": False, "job_executions": [execution("j1", "FINISHED"),
                                                                       execution("r1", "RUNNING")], "kept": []}
    assert conn.closed
    module.warn.assert_not_called()  # a running execution is listed as it is: nothing is left out


def test_info_selects_running_states_without_force(create_module):
    conn = FakeMrsConnection([execution("j1", "FINISHED"), execution("r1", "RUNNING")], read_only=True)
    module = create_module(mrs_job_executions_info, {"cluster_id": "c1", "filters": {"states": ["RUNNING"]}})
    result, failure = mrs_job_executions_info.run(module, conn)
    assert failure is None and result == {"changed": False, "job_executions": [execution("r1", "RUNNING")], "kept": []}


def test_info_by_id_leaves_missing_ids_out(create_module):
    conn = FakeMrsConnection([execution("j1", "FINISHED")], read_only=True)
    module = create_module(mrs_job_executions_info, {"cluster_id": "c1", "job_execution_ids": ["gone", "j1"]},
                           check_mode=True, diff=True)
    result, dummy = mrs_job_executions_info.run(module, conn)
    assert result == {"changed": False, "job_executions": [execution("j1", "FINISHED")], "kept": []}


def test_a_failed_call_fails_with_msg_and_the_error_only(create_module):
    denied = api_error("APIGW.0302", 403, "ShowJobExeListNew", service=MRS, request_id="req-3", message="denied")
    conn = FakeMrsConnection([], fail={"ShowJobExeListNew": denied}, read_only=True)
    with pytest.raises(create_module.Failed) as ended:
        run_module(create_module(mrs_job_executions_info, {"cluster_id": "c1"}), lambda m: conn,
                   mrs_job_executions_info.run)
    kwargs = ended.value.kwargs
    assert set(kwargs) == {"msg", "error"} and "HTTP 403" in kwargs["msg"]
    assert kwargs["error"] == {
        "service": "Huawei Cloud MRS", "operation": "ShowJobExeListNew", "status": 403, "error_code": "APIGW.0302",
        "message": "denied", "request_id": "req-3", "attempts": None, "host": None,
    }
    assert conn.closed


@pytest.mark.parametrize("bad", [
    {"cluster_id": "c1/../c2"},
    {"cluster_id": "c1", "job_execution_ids": ["a b"]},
    {"cluster_id": "c1", "filters": {"older_than": "7 days"}},
], ids=["bad-cluster", "bad-id", "bad-duration"])
def test_bad_options_fail_with_a_message_only_and_no_request(create_module, bad):
    conn = FakeMrsConnection([], read_only=True)
    with pytest.raises(create_module.Failed) as ended:
        run_module(create_module(mrs_job_executions_info, bad), lambda m: conn, mrs_job_executions_info.run)
    assert list(ended.value.kwargs) == ["msg"] and conn.calls == []


def test_main_without_credentials_fails_with_a_message_and_no_traceback(run_main):
    failed, result = run_main(mrs_job_executions_info, {"region": "cn-north-4", "cluster_id": "c1"})
    assert failed and "missing Huawei Cloud credentials" in result["msg"]
    assert "exception" not in result and "error" not in result
