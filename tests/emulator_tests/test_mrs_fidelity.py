"""huaweicloudsdkmrs v1 and v2 clients against the emulator get what the real service gives."""

import time

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException
from huaweicloudsdkmrs.v1 import model as v1
from huaweicloudsdkmrs.v2 import MrsClient
from huaweicloudsdkmrs.v2 import model as v2

from sdk_clients import SK, TMP_AK, TMP_SK, TMP_TOKEN, huawei  # pylint: disable=import-error


def seed_jobs(emulator, n, state="FINISHED", cluster="c1", prefix="j"):
    emulator.seed({"mrs": [{"job_id": "%s-%04d" % (prefix, i), "job_name": "n%d" % i, "job_state": state,
                            "cluster_id": cluster, "submitted_time": 1_700_000_000_000 + i} for i in range(n)]})


def test_list_pages_with_1_based_offset_and_total(mrs, emulator):
    seed_jobs(emulator, 25)
    first = mrs.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="c1", limit="10", offset="1"))
    third = mrs.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="c1", limit="10", offset="3"))
    assert first.total_record == 25 and len(first.job_list) == 10 and len(third.job_list) == 5
    assert first.job_list[0].job_id == "j-0024"  # newest first by default


def test_list_filters_by_state(mrs, emulator):
    seed_jobs(emulator, 3)
    seed_jobs(emulator, 2, state="RUNNING", prefix="r")
    found = mrs.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="c1", job_state="RUNNING"))
    assert found.total_record == 2 and {j.job_state for j in found.job_list} == {"RUNNING"}


def test_show_is_wrapped_in_job_detail(mrs, emulator):
    seed_jobs(emulator, 1)
    shown = mrs.show_single_job_exe(v2.ShowSingleJobExeRequest(cluster_id="c1", job_execution_id="j-0000"))
    assert shown.job_detail.job_id == "j-0000" and shown.job_detail.job_state == "FINISHED"


def test_show_of_a_missing_job_raises_0176(mrs, emulator):
    seed_jobs(emulator, 1)
    with pytest.raises(ClientRequestException) as excinfo:
        mrs.show_single_job_exe(v2.ShowSingleJobExeRequest(cluster_id="c1", job_execution_id="nope"))
    assert excinfo.value.error_code == "0176" and excinfo.value.status_code == 400
    assert excinfo.value.request_id


def test_missing_cluster_raises_12000003_in_camel_case(mrs, emulator):
    with pytest.raises(ClientRequestException) as excinfo:
        mrs.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="nope"))
    assert excinfo.value.error_code == "12000003"


def test_batch_delete_then_gone(mrs, emulator):
    seed_jobs(emulator, 3)
    mrs.batch_delete_jobs(v2.BatchDeleteJobsRequest(cluster_id="c1", body=v2.JobBatchDelete(job_id_list=["j-0000", "j-0001"])))
    assert [j["job_id"] for j in emulator.state()["mrs"]] == ["j-0002"]
    log = emulator.requests()
    assert log[-1]["operation"] == "BatchDeleteJobs" and log[-1]["status"] == 202 and log[-1]["mutating"]


@pytest.mark.parametrize("setting, deleted", [("reject", False), ("ignore", True)])
def test_batch_delete_with_an_unknown_id_follows_the_setting(mrs, emulator, setting, deleted):
    emulator.config({"mrs_batch_delete_unknown_ids": setting})
    seed_jobs(emulator, 1)
    request = v2.BatchDeleteJobsRequest(cluster_id="c1", body=v2.JobBatchDelete(job_id_list=["j-0000", "unknown"]))
    if deleted:
        mrs.batch_delete_jobs(request)
    else:
        with pytest.raises(ClientRequestException):
            mrs.batch_delete_jobs(request)
    assert (emulator.state()["mrs"] == []) is deleted


@pytest.mark.parametrize("setting", ["reject", "delete"])
def test_batch_delete_of_a_running_job_follows_the_setting(mrs, emulator, setting):
    emulator.config({"mrs_batch_delete_running": setting})
    seed_jobs(emulator, 1, state="RUNNING")
    request = v2.BatchDeleteJobsRequest(cluster_id="c1", body=v2.JobBatchDelete(job_id_list=["j-0000"]))
    if setting == "reject":
        with pytest.raises(ClientRequestException) as excinfo:
            mrs.batch_delete_jobs(request)
        assert excinfo.value.error_code == "0183"
    else:
        mrs.batch_delete_jobs(request)
        assert emulator.state()["mrs"] == []


def test_kill_moves_a_running_job_to_killed_after_the_delay(mrs, emulator):
    emulator.config({"kill_delay": 0.2})
    seed_jobs(emulator, 1, state="RUNNING")
    mrs.stop_job(v2.StopJobRequest(cluster_id="c1", job_execution_id="j-0000"))
    deadline = time.monotonic() + 10
    state = None
    while time.monotonic() < deadline:
        state = mrs.show_single_job_exe(v2.ShowSingleJobExeRequest(cluster_id="c1", job_execution_id="j-0000")).job_detail.job_state
        if state == "KILLED":
            break
        time.sleep(0.1)
    assert state == "KILLED"


@pytest.mark.parametrize("setting", ["clamp", "reject"])
def test_list_limit_over_the_maximum_follows_the_setting(mrs, emulator, setting):
    emulator.config({"mrs_list_max_limit": 50, "mrs_list_over_limit": setting})
    seed_jobs(emulator, 60)
    request = v2.ShowJobExeListNewRequest(cluster_id="c1", limit="100", offset="1")
    if setting == "clamp":
        assert len(mrs.show_job_exe_list_new(request).job_list) == 50
    else:
        with pytest.raises(ClientRequestException):
            mrs.show_job_exe_list_new(request)


def test_wrong_secret_key_is_refused_with_apigw_0301(emulator):
    client = huawei(MrsClient, emulator, sk="X" + SK[1:])
    with pytest.raises(ClientRequestException) as excinfo:
        client.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="c1"))
    assert excinfo.value.status_code == 401 and excinfo.value.error_code == "APIGW.0301"


def test_temporary_credentials_need_their_token(emulator):
    emulator.seed({"mrs_clusters": ["c1"]})
    ok = huawei(MrsClient, emulator, ak=TMP_AK, sk=TMP_SK, token=TMP_TOKEN)
    assert ok.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="c1")).total_record == 0
    with pytest.raises(ClientRequestException) as excinfo:
        huawei(MrsClient, emulator, ak=TMP_AK, sk=TMP_SK).show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="c1"))
    assert excinfo.value.error_code == "APIGW.0301"


def test_injected_503_surfaces_as_server_response_exception(mrs, emulator):
    emulator.seed({"mrs_clusters": ["c1"]})
    emulator.fault({"service": "mrs", "operation": "ShowJobExeListNew", "status": 503, "code": "APIGW.0201"})
    with pytest.raises(ServerResponseException) as excinfo:
        mrs.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="c1"))
    assert excinfo.value.status_code == 503
    assert mrs.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="c1")).total_record == 0


def test_v1_list_show_and_delete(mrs_v1, emulator):
    emulator.seed({"mrs_v1": [{"id": "e%d" % i, "job_state": 3, "cluster_id": "c1"} for i in range(3)]})
    listed = mrs_v1.list_execute_job(v1.ListExecuteJobRequest(cluster_id="c1", page_size="2", current_page="1"))
    assert listed.total_record == 3 and len(listed.job_executions) == 2
    assert mrs_v1.show_job_exes(v1.ShowJobExesRequest(job_exe_id="e1")).job_execution.id == "e1"
    mrs_v1.delete_job_execution(v1.DeleteJobExecutionRequest(job_execution_id="e1"))
    assert emulator.requests()[-1]["status"] == 204
    with pytest.raises(ClientRequestException) as excinfo:
        mrs_v1.show_job_exes(v1.ShowJobExesRequest(job_exe_id="e1"))
    assert excinfo.value.status_code == 404


@pytest.mark.parametrize("code", [-1, 1])
def test_v1_terminated_code_follows_the_setting(mrs_v1, emulator, code):
    emulator.config({"mrs_v1_terminated_code": code})
    emulator.seed({"mrs_v1": [{"id": "t1", "job_state": -1, "cluster_id": "c1"}]})
    shown = mrs_v1.show_job_exes(v1.ShowJobExesRequest(job_exe_id="t1")).job_execution
    assert shown.job_state == code and shown.job_final_status == 3
