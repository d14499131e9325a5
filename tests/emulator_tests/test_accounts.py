"""Many accounts in one emulator: the setting ``accounts`` admits the further keys of credentials.py, the request log
says which account made each call, and ``rate_limit_scope`` decides whether a rate limit counts the calls of every
account together, of each account, or of each account in each region.

A rate of 0.01 calls per second lets exactly one call through per bucket for the length of any test (the bucket
refills in 100 s), so "throttled or not" does not depend on how fast the machine is."""

import json
import urllib.error

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkmrs.v2 import ShowJobExeListNewRequest
from tencentcloud.batch.v20170312 import models
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from emulator import credentials as creds
from sdk_clients import MrsClient, huawei, tencent  # pylint: disable=import-error

SLOW = 0.01  # calls per second: one token per bucket, not refilled during a test
PROJECT_2 = "2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b"


def batch(emulator, n, region="ap-guangzhou"):
    account = creds.tencent_account(n)
    return tencent(emulator, secret_id=account["secret_id"], secret_key=account["secret_key"], region=region)


def delete(client, job_id):
    """DeleteJob; the error code, or None when it went through."""
    request = models.DeleteJobRequest()
    request.from_json_string(json.dumps({"JobId": job_id}))
    try:
        client.DeleteJob(request)
    except TencentCloudSDKException as exc:
        return exc.get_code()
    return None


def seed_jobs(emulator, *jobs):
    emulator.seed({"tencent": [{"JobId": job_id, "JobState": "SUCCEED", "Region": region} for job_id, region in jobs]})


def test_further_accounts_are_refused_until_admitted(emulator):
    seed_jobs(emulator, ("job-acc00001", "ap-guangzhou"))
    assert delete(batch(emulator, 3), "job-acc00001") == "AuthFailure.SecretIdNotFound"
    emulator.config({"accounts": 2})
    assert delete(batch(emulator, 3), "job-acc00001") == "AuthFailure.SecretIdNotFound"   # only 1..2
    assert delete(batch(emulator, 2), "job-acc00001") is None
    wrong = tencent(emulator, secret_id=creds.tencent_account(1)["secret_id"], secret_key=creds.tencent_account(2)["secret_key"])
    assert delete(wrong, "job-acc00001") == "AuthFailure.SignatureFailure"
    log = emulator.requests()
    assert [(r["account"], r["error_code"]) for r in log] == [
        (None, "AuthFailure.SecretIdNotFound"), (None, "AuthFailure.SecretIdNotFound"),
        (creds.tencent_account(2)["account"], None), (creds.tencent_account(1)["account"], "AuthFailure.SignatureFailure")]
    assert {r["region"] for r in log} == {"ap-guangzhou"}


def test_huawei_accounts_and_the_demo_account_are_named_in_the_log(emulator):
    emulator.config({"accounts": 1, "projects": {"ap-southeast-1": PROJECT_2}})
    emulator.seed({"mrs_clusters": [{"cluster_id": "c1", "project_id": PROJECT_2}, "c1"]})
    other = creds.huawei_account(1)
    huawei(MrsClient, emulator, ak=other["access_key"], sk=other["secret_key"], project=PROJECT_2).show_job_exe_list_new(
        ShowJobExeListNewRequest(cluster_id="c1"))
    huawei(MrsClient, emulator).show_job_exe_list_new(ShowJobExeListNewRequest(cluster_id="c1"))
    with pytest.raises(ClientRequestException):
        huawei(MrsClient, emulator, ak=creds.huawei_account(2)["access_key"], sk=creds.huawei_account(2)["secret_key"],
               project=PROJECT_2).show_job_exe_list_new(ShowJobExeListNewRequest(cluster_id="c1"))
    assert [(r["account"], r["region"], r["status"]) for r in emulator.requests()] == [
        (other["domain_id"], PROJECT_2, 202), (creds.HUAWEI_DOMAIN_ID, creds.HUAWEI_PROJECT_ID, 202),
        (None, PROJECT_2, 401)]
    assert other["domain_id"] != creds.HUAWEI_DOMAIN_ID


@pytest.mark.parametrize("scope, throttled", [
    # Calls, in order: account 1 in ap-guangzhou, account 2 in ap-guangzhou, account 1 in ap-shanghai,
    # account 1 in ap-guangzhou again. Which of them the limit refuses:
    ("operation", [False, True, True, True]),      # one bucket for everyone
    ("account", [False, False, True, True]),       # one per account
    ("account_region", [False, False, False, True]),  # one per account and region
])
def test_rate_limit_scope(emulator, scope, throttled):
    emulator.config({"accounts": 2, "rate_limit_scope": scope, "rate_limits": {"tencent.DeleteJob": SLOW}})
    seed_jobs(emulator, ("job-scope001", "ap-guangzhou"), ("job-scope002", "ap-guangzhou"),
              ("job-scope003", "ap-shanghai"), ("job-scope004", "ap-guangzhou"))
    calls = [(1, "ap-guangzhou", "job-scope001"), (2, "ap-guangzhou", "job-scope002"),
             (1, "ap-shanghai", "job-scope003"), (1, "ap-guangzhou", "job-scope004")]
    codes = [delete(batch(emulator, n, region), job_id) for n, region, job_id in calls]
    assert codes == ["RequestLimitExceeded" if t else None for t in throttled]
    log = emulator.requests()
    assert [(r["account"], r["region"]) for r in log] == [(creds.tencent_account(n)["account"], region)
                                                          for n, region, _job in calls]


def test_the_default_scope_is_per_operation_and_bad_values_are_refused(emulator):
    assert emulator.get_config()["rate_limit_scope"] == "operation"
    assert emulator.get_config()["accounts"] == 0
    for bad in ({"rate_limit_scope": "uin"}, {"accounts": -1}, {"accounts": True}, {"accounts": creds.MAX_ACCOUNTS + 1}):
        with pytest.raises(urllib.error.HTTPError) as excinfo:
            emulator.config(bad)
        assert excinfo.value.code == 400
