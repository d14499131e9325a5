# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tencent_batch_job_info at the module layer: a read-only look that returns only ``jobs``."""

from __future__ import annotations

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._module import run_module
from ansible_collections.cloudjobs.cleanup.plugins.modules import tencent_batch_job_info
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import BATCH, FakeBatchConnection, api_error


def no_such_region():
    return api_error("InvalidParameterValue", 200, "DescribeJobs", service=BATCH, request_id="rid-5",
                     message="no such region")


def job(job_id, state="SUCCEED"):
    return {"JobId": job_id, "JobName": job_id, "JobState": state, "CreateTime": "2020-01-01T00:00:00Z",
            "Placement": {"Zone": "ap-guangzhou-3"}}


def rendered(record):
    """A job as the module returns it: snake_case keys, tags as a dict."""
    return {"job_id": record["JobId"], "job_name": record["JobName"], "job_state": record["JobState"],
            "create_time": record["CreateTime"], "placement": {"zone": "ap-guangzhou-3"}, "tags": {}}


def test_info_lists_every_state_by_default_and_returns_only_jobs_unchanged(create_module):
    conn = FakeBatchConnection([job("job-a1"), job("job-r1", "RUNNING")], read_only=True)
    module = create_module(tencent_batch_job_info, {"filters": {}})
    with pytest.raises(create_module.Exited) as ended:
        run_module(module, lambda m: conn, tencent_batch_job_info.run)
    assert set(ended.value.kwargs) == {"changed", "jobs", "kept"} and ended.value.kwargs["changed"] is False
    assert [j["job_id"] for j in ended.value.kwargs["jobs"]] == ["job-a1", "job-r1"]
    assert ended.value.kwargs["jobs"][0]["placement"] == {"zone": "ap-guangzhou-3"}
    assert conn.closed
    module.warn.assert_not_called()


def test_info_ignores_check_mode_and_diff(create_module):
    conn = FakeBatchConnection([job("job-a1")], read_only=True)
    module = create_module(tencent_batch_job_info, {"job_ids": ["job-a1", "job-gone"]}, check_mode=True, diff=True)
    result, failure = tencent_batch_job_info.run(module, conn)
    assert failure is None and result == {"changed": False, "jobs": [rendered(job("job-a1"))], "kept": []}


def test_a_failed_call_fails_with_msg_and_the_error_only(create_module):
    conn = FakeBatchConnection([job("job-a1")], fail={"DescribeJobs": no_such_region()}, read_only=True)
    with pytest.raises(create_module.Failed) as ended:
        run_module(create_module(tencent_batch_job_info, {"filters": {}}), lambda m: conn, tencent_batch_job_info.run)
    kwargs = ended.value.kwargs
    assert set(kwargs) == {"msg", "error"}
    assert kwargs["msg"] == str(no_such_region())
    assert kwargs["error"] == {
        "service": "Tencent Cloud Batch", "operation": "DescribeJobs", "status": 200,
        "error_code": "InvalidParameterValue", "message": "no such region", "request_id": "rid-5",
        "attempts": None, "host": None,
    }
    assert conn.closed


def test_a_bad_id_fails_with_a_message_only_and_no_request(create_module):
    conn = FakeBatchConnection([], read_only=True)
    with pytest.raises(create_module.Failed) as ended:
        run_module(create_module(tencent_batch_job_info, {"job_ids": ["job-../x"]}), lambda m: conn,
                   tencent_batch_job_info.run)
    assert list(ended.value.kwargs) == ["msg"] and "job_ids" in ended.value.kwargs["msg"]
    assert conn.calls == []
