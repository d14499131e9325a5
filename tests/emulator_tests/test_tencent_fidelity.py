"""tencentcloud-sdk-python-batch's BatchClient against the emulator."""

import json
import time

import pytest
from tencentcloud.batch.v20170312 import models
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from sdk_clients import TC_ID, TC_TMP_ID, TC_TMP_KEY, tencent  # pylint: disable=import-error


def request(cls, **fields):
    req = cls()
    req.from_json_string(json.dumps(fields))
    return req


def seed(emulator, *jobs):
    emulator.seed({"tencent": [dict(JobId=j, JobState=s) for j, s in jobs]})


def test_describe_job_and_delete_then_not_found(batch, emulator):
    seed(emulator, ("job-aaaa0001", "SUCCEED"))
    assert batch.DescribeJob(request(models.DescribeJobRequest, JobId="job-aaaa0001")).JobState == "SUCCEED"
    batch.DeleteJob(request(models.DeleteJobRequest, JobId="job-aaaa0001"))
    with pytest.raises(TencentCloudSDKException) as excinfo:
        batch.DescribeJob(request(models.DescribeJobRequest, JobId="job-aaaa0001"))
    assert excinfo.value.get_code() == "ResourceNotFound.Job" and excinfo.value.get_request_id()


def test_malformed_id(batch, emulator):
    with pytest.raises(TencentCloudSDKException) as excinfo:
        batch.DescribeJob(request(models.DescribeJobRequest, JobId="job-../x"))
    assert excinfo.value.get_code() == "InvalidParameter.JobIdMalformed"


def test_describe_jobs_by_ids_and_filters(batch, emulator):
    seed(emulator, *[("job-bbbb%04d" % i, "SUCCEED" if i % 2 else "RUNNING") for i in range(30)])
    by_ids = batch.DescribeJobs(request(models.DescribeJobsRequest, JobIds=["job-bbbb0001", "job-zzzz0000"], Limit=100))
    assert [j.JobId for j in by_ids.JobSet] == ["job-bbbb0001"]
    page = batch.DescribeJobs(request(models.DescribeJobsRequest, Limit=10, Offset=10,
                                      Filters=[{"Name": "job-state", "Values": ["SUCCEED"]}]))
    assert page.TotalCount == 15 and len(page.JobSet) == 5
    with pytest.raises(TencentCloudSDKException):
        batch.DescribeJobs(request(models.DescribeJobsRequest, Limit=101))


def test_unknown_ids_follow_the_setting(batch, emulator):
    emulator.config({"tencent_describe_jobs_unknown_ids": "error"})
    seed(emulator, ("job-cccc0001", "SUCCEED"))
    with pytest.raises(TencentCloudSDKException) as excinfo:
        batch.DescribeJobs(request(models.DescribeJobsRequest, JobIds=["job-cccc0001", "job-zzzz0000"]))
    assert excinfo.value.get_code() == "ResourceNotFound.Job"


@pytest.mark.parametrize("code", ["UnsupportedOperation", "ResourceInUse.Job"])
def test_unfinished_job_cannot_be_deleted(batch, emulator, code):
    emulator.config({"tencent_not_finished_error": code})
    seed(emulator, ("job-dddd0001", "RUNNING"))
    with pytest.raises(TencentCloudSDKException) as excinfo:
        batch.DeleteJob(request(models.DeleteJobRequest, JobId="job-dddd0001"))
    assert excinfo.value.get_code() == code


def test_terminate_refused_in_submitted_then_terminate_and_delete(batch, emulator):
    emulator.config({"terminate_delay": 0.2})
    seed(emulator, ("job-eeee0001", "SUBMITTED"), ("job-eeee0002", "FAILED_INTERRUPTED"))
    with pytest.raises(TencentCloudSDKException) as excinfo:
        batch.TerminateJob(request(models.TerminateJobRequest, JobId="job-eeee0001"))
    assert excinfo.value.get_code() == "UnsupportedOperation"
    batch.TerminateJob(request(models.TerminateJobRequest, JobId="job-eeee0002"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        job = batch.DescribeJob(request(models.DescribeJobRequest, JobId="job-eeee0002"))
        if job.JobState == "FAILED":
            break
        time.sleep(0.1)
    assert job.JobState == "FAILED" and job.TaskInstanceMetrics.FailedInterruptedCount == 0
    batch.DeleteJob(request(models.DeleteJobRequest, JobId="job-eeee0002"))


def test_wrong_key_and_missing_token(emulator):
    with pytest.raises(TencentCloudSDKException) as excinfo:
        tencent(emulator, secret_key="WRONG").DescribeJobs(request(models.DescribeJobsRequest))
    assert excinfo.value.get_code() == "AuthFailure.SignatureFailure"
    with pytest.raises(TencentCloudSDKException) as excinfo:
        tencent(emulator, secret_id=TC_TMP_ID, secret_key=TC_TMP_KEY).DescribeJobs(request(models.DescribeJobsRequest))
    assert excinfo.value.get_code() == "AuthFailure.TokenFailure"
    with pytest.raises(TencentCloudSDKException) as excinfo:
        tencent(emulator, secret_id=TC_ID + "X").DescribeJobs(request(models.DescribeJobsRequest))
    assert excinfo.value.get_code() == "AuthFailure.SecretIdNotFound"


def test_rate_limit_answers_request_limit_exceeded(batch, emulator):
    emulator.config({"rate_limits": {"tencent.DeleteJob": 1}})
    seed(emulator, ("job-ffff0001", "SUCCEED"), ("job-ffff0002", "SUCCEED"))
    batch.DeleteJob(request(models.DeleteJobRequest, JobId="job-ffff0001"))
    with pytest.raises(TencentCloudSDKException) as excinfo:
        batch.DeleteJob(request(models.DeleteJobRequest, JobId="job-ffff0002"))
    assert excinfo.value.get_code() == "RequestLimitExceeded"


def test_injected_fault_is_an_sdk_exception(batch, emulator):
    emulator.fault({"service": "tencent", "operation": "DescribeJobs", "code": "InternalError", "status": 200})
    with pytest.raises(TencentCloudSDKException) as excinfo:
        batch.DescribeJobs(request(models.DescribeJobsRequest))
    assert excinfo.value.get_code() == "InternalError"


def test_demo_seed_loads_every_service(emulator):
    emulator.seed({"demo": True})
    state = emulator.state()
    assert all(state[key] for key in ("mrs", "mrs_v1", "workspace", "tencent", "mrs_clusters"))
    assert {j["JobState"] for j in state["tencent"]} >= {"SUCCEED", "FAILED", "RUNNING", "SUBMITTED", "FAILED_INTERRUPTED"}
