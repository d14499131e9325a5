"""huaweicloudsdkmrs v1 and v2 clients against the emulator get what the real service gives."""

import json
import time
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkmrs.v1 import model as v1
from huaweicloudsdkmrs.v2 import MrsClient
from huaweicloudsdkmrs.v2 import model as v2
from huaweicloudsdkworkspace.v2 import model as ws

from sdk_clients import AK, PROJECT, SK, TMP_AK, TMP_SK, TMP_TOKEN, huawei  # pylint: disable=import-error


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


# -- Readings of the real cloud that are UNCONFIRMED: each is a setting (docs/emulator.md) ---------------------------
def v1_list_raw(emulator, query):
    """A v1.1 list the SDK cannot send (its request model has no ``clusterId``): signed with the SDK's own Signer."""
    req = SdkRequest(method="GET", schema="http", host="127.0.0.1:%d" % emulator.port,
                     resource_path="/v1.1/%s/job-exes" % PROJECT, query_params=sorted(query.items()),
                     header_params={"Content-Type": "application/json"})
    Signer(SimpleNamespace(ak=AK, sk=SK)).sign(req)
    with urllib.request.urlopen(urllib.request.Request(emulator.url + req.uri, headers=req.header_params),
                                timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.parametrize("setting, by_cluster_id, by_camel_case", [
    ("cluster_id", ["e-c1"], ["e-c1", "e-c2"]),
    ("clusterId", ["e-c1", "e-c2"], ["e-c1"]),
    ("both", ["e-c1"], ["e-c1"]),
    ("none", ["e-c1", "e-c2"], ["e-c1", "e-c2"]),
])
def test_v1_cluster_filter_follows_the_setting(mrs_v1, emulator, setting, by_cluster_id, by_camel_case):
    if setting != "cluster_id":
        emulator.config({"mrs_v1_cluster_filter": setting})
    emulator.seed({"mrs_v1": [{"id": "e-c1", "cluster_id": "c1", "create_at": 2},
                              {"id": "e-c2", "cluster_id": "c2", "create_at": 1}]})
    listed = mrs_v1.list_execute_job(v1.ListExecuteJobRequest(cluster_id="c1"))
    assert [e.id for e in listed.job_executions] == by_cluster_id and listed.total_record == len(by_cluster_id)
    raw = v1_list_raw(emulator, {"clusterId": "c1"})
    assert [e["id"] for e in raw["job_executions"]] == by_camel_case and raw["totalRecord"] == len(by_camel_case)


@pytest.mark.parametrize("setting", ["exact", 14, 0])
def test_v1_total_record_follows_the_setting(mrs_v1, emulator, setting):
    """OTC's example answers totalRecord 14 with one item: a client trusting it pages past the end."""
    if setting != "exact":
        emulator.config({"mrs_v1_total_record": setting})
    emulator.seed({"mrs_v1": [{"id": "e1", "cluster_id": "c1"}]})
    first = mrs_v1.list_execute_job(v1.ListExecuteJobRequest(cluster_id="c1", page_size="10", current_page="1"))
    second = mrs_v1.list_execute_job(v1.ListExecuteJobRequest(cluster_id="c1", page_size="10", current_page="2"))
    assert [e.id for e in first.job_executions] == ["e1"] and second.job_executions == []
    assert first.total_record == second.total_record == (1 if setting == "exact" else setting)


@pytest.mark.parametrize("job_state, final_status", [(-1, 3), (1, 0), (2, 0), (3, 2), (4, 1), (5, 1)])
def test_v1_records_carry_a_final_status_consistent_with_their_state(mrs_v1, emulator, job_state, final_status):
    emulator.seed({"mrs_v1": [{"id": "e1", "job_state": job_state, "cluster_id": "c1"}]})
    [listed] = mrs_v1.list_execute_job(v1.ListExecuteJobRequest(cluster_id="c1")).job_executions
    shown = mrs_v1.show_job_exes(v1.ShowJobExesRequest(job_exe_id="e1")).job_execution
    assert listed.job_final_status == shown.job_final_status == final_status


def test_v1_seed_sets_any_state_and_final_status(mrs_v1, emulator):
    """OTC's list example: job_state 2 (running) with job_final_status 1 (terminated by an error)."""
    emulator.seed({"mrs_v1": [{"id": "e1", "job_state": 2, "job_final_status": 1, "cluster_id": "c1"}]})
    shown = mrs_v1.show_job_exes(v1.ShowJobExesRequest(job_exe_id="e1")).job_execution
    assert (shown.job_state, shown.job_final_status) == (2, 1)


@pytest.mark.parametrize("status", [400, 500])
def test_business_errors_follow_mrs_business_error_status(mrs, mrs_v1, emulator, status):
    """OTC's error table lists 0161, 0176, 0183 ... with 500; [TF] sees 0176 with 400."""
    emulator.config({"mrs_business_error_status": status})
    seed_jobs(emulator, 1, state="RUNNING")
    emulator.seed({"mrs_v1": [{"id": "e-run", "job_state": 2, "cluster_id": "c1"}]})
    raised = ClientRequestException if status == 400 else ServerResponseException
    calls = {
        "0176": lambda: mrs.show_single_job_exe(v2.ShowSingleJobExeRequest(cluster_id="c1", job_execution_id="nope")),
        "0166": lambda: mrs.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="c1", offset="0")),
        "0183": lambda: mrs.batch_delete_jobs(v2.BatchDeleteJobsRequest(
            cluster_id="c1", body=v2.JobBatchDelete(job_id_list=["j-0000"]))),
        "0183 (v1.1)": lambda: mrs_v1.delete_job_execution(v1.DeleteJobExecutionRequest(job_execution_id="e-run")),
    }
    for code, call in calls.items():
        with pytest.raises(raised) as excinfo:
            call()
        assert (excinfo.value.status_code, excinfo.value.error_code) == (status, code.split()[0])
    # The cluster error is 400 in OTC's table and in [TF] alike: it does not follow the setting.
    with pytest.raises(ClientRequestException) as excinfo:
        mrs.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="nope"))
    assert (excinfo.value.status_code, excinfo.value.error_code) == (400, "12000003")


def test_mrs_not_found_status_overrides_the_business_status_for_0176(mrs, emulator):
    emulator.config({"mrs_business_error_status": 500, "mrs_not_found_status": 400})
    seed_jobs(emulator, 1)
    with pytest.raises(ClientRequestException) as excinfo:
        mrs.show_single_job_exe(v2.ShowSingleJobExeRequest(cluster_id="c1", job_execution_id="nope"))
    assert (excinfo.value.status_code, excinfo.value.error_code) == (400, "0176")
    with pytest.raises(ServerResponseException) as excinfo:
        mrs.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="c1", offset="0"))
    assert (excinfo.value.status_code, excinfo.value.error_code) == (500, "0166")


def assert_gateway_404(call):
    with pytest.raises(ClientRequestException) as excinfo:
        call()
    error = excinfo.value
    assert (error.status_code, error.error_code) == (404, "APIGW.0101")
    assert error.error_msg == "The API does not exist or has not been published in the environment."
    assert error.request_id


@pytest.mark.parametrize("setting", [["DeleteJobExecution", "ShowJobExes", "ListExecuteJob"], ["mrs.*"], ["*"]])
def test_api_gateway_404_follows_the_setting(mrs, mrs_v1, workspace, emulator, setting):
    emulator.config({"api_gateway_404": setting})
    seed_jobs(emulator, 1)
    emulator.seed({"mrs_v1": [{"id": "e1", "cluster_id": "c1"}]})
    for _twice in range(2):  # a setting, not a fault: every call, for as long as it is set
        assert_gateway_404(lambda: mrs_v1.list_execute_job(v1.ListExecuteJobRequest(cluster_id="c1")))
        assert_gateway_404(lambda: mrs_v1.show_job_exes(v1.ShowJobExesRequest(job_exe_id="e1")))
        assert_gateway_404(lambda: mrs_v1.delete_job_execution(v1.DeleteJobExecutionRequest(job_execution_id="e1")))

    def v2_list():
        return mrs.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="c1"))

    def workspace_list():
        return workspace.list_scheduled_tasks(ws.ListScheduledTasksRequest())

    if setting == ["DeleteJobExecution", "ShowJobExes", "ListExecuteJob"]:
        assert v2_list().total_record == 1 and workspace_list().total_count == 0
    elif setting == ["mrs.*"]:
        assert_gateway_404(v2_list)
        assert workspace_list().total_count == 0
    else:
        assert_gateway_404(v2_list)
        assert_gateway_404(workspace_list)
    assert emulator.state()["mrs_v1"] != []
    log = [e for e in emulator.requests() if e["operation"] == "DeleteJobExecution"]
    assert {(e["service"], e["status"], e["error_code"]) for e in log} == {("mrs", 404, "APIGW.0101")}


def test_api_gateway_404_comes_before_authentication(emulator):
    """API Gateway looks the API up first: an unpublished API is 404 whatever the signature."""
    emulator.config({"api_gateway_404": ["ShowJobExeListNew"]})
    client = huawei(MrsClient, emulator, sk="X" + SK[1:])
    assert_gateway_404(lambda: client.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="c1")))


def test_a_404_fault_carries_the_gateway_body(mrs, emulator):
    """A fault with status 404 (and no code) is API Gateway's APIGW.0101, for N calls; the setting is for good."""
    seed_jobs(emulator, 1)
    emulator.fault({"service": "mrs", "operation": "ShowJobExeListNew", "status": 404, "count": 1})
    assert_gateway_404(lambda: mrs.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="c1")))
    assert mrs.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id="c1")).total_record == 1


@pytest.mark.parametrize("settings", [{"mrs_v1_cluster_filter": "cluster-id"}, {"mrs_v1_total_record": -1},
                                      {"mrs_v1_total_record": "14"}, {"mrs_business_error_status": 200},
                                      {"mrs_not_found_status": "500"}, {"api_gateway_404": "ShowJobExes"},
                                      {"mrs_v1_terminated_code": 0}])
def test_invalid_settings_are_refused(emulator, settings):
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        emulator.config(settings)
    assert excinfo.value.code == 400
    excinfo.value.close()
