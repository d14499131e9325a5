"""Credentials without long-lived keys: the official SDKs' own credential providers, pointed at the emulator, obtain
temporary credentials (Tencent STS AssumeRole, Tencent CVM role, Huawei ECS metadata; Huawei IAM securitytokens and
STS AssumeAgency signed with the SDK's Signer), which the official API clients then use; expired ones are refused
with the clouds' codes."""

import json
import time
import urllib.error
import urllib.request

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkmrs.v2 import model as mrs_model
from tencentcloud.batch.v20170312 import models as batch_models
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from emulator import credentials as creds
from sdk_clients import AK, SK, TC_ID, TC_KEY, MrsClient, huawei, huawei_call, tencent  # pylint: disable=import-error

SECURITYTOKENS = "/v3.0/OS-CREDENTIAL/securitytokens"
ASSUME_AGENCY = "/v5/agencies/assume"


def describe_jobs(client):
    request = batch_models.DescribeJobsRequest()
    request.from_json_string("{}")
    return client.DescribeJobs(request)


def list_mrs(client):
    return client.show_job_exe_list_new(mrs_model.ShowJobExeListNewRequest(cluster_id="c1"))


def raw(emulator, method, path, headers=None):
    request = urllib.request.Request(emulator.url + path, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def issued(emulator):
    return emulator.call("GET", "credentials/issued")


def wait_until_expired(emulator):
    deadline = max(record["expires_at"] for record in issued(emulator))
    time.sleep(max(0.0, deadline - time.time()) + 0.2)


def assert_logged_read_only(emulator, service, operation):
    entries = [e for e in emulator.requests() if (e["service"], e["operation"]) == (service, operation)]
    assert entries and all(e["mutating"] is False for e in entries)
    return entries


# -- Tencent STS AssumeRole --------------------------------------------------------------------------------------------
def test_sts_assume_role_credential_drives_batch(emulator, sts_role):
    emulator.seed({"tencent": [{"JobId": "job-aaaa0001", "JobState": "SUCCEED"}]})
    assert [j.JobId for j in describe_jobs(tencent(emulator, cred=sts_role())).JobSet] == ["job-aaaa0001"]
    [record] = issued(emulator)
    assert (record["cloud"], record["source"], record["principal"], record["caller"]) == \
        ("tencent", "AssumeRole", creds.TENCENT_ROLE_ARN, TC_ID)
    assert record["access"].startswith("AKID") and 7190 < record["expires_at"] - time.time() <= 7200
    [entry] = assert_logged_read_only(emulator, "sts", "AssumeRole")
    assert entry["status"] == 200 and entry["request_id"]
    assert emulator.requests()[-1]["operation"] == "DescribeJobs"


def test_sts_answer_has_the_documented_shape(emulator, sts_role):
    credential = sts_role(duration=900)
    secret_id, secret_key, token = credential.get_credential_info()
    assert secret_id.startswith("AKID") and secret_key and token
    expired_time = issued(emulator)[0]["expires_at"]
    assert credential._expired_time == expired_time - 900 * 0.9  # pylint: disable=protected-access


def test_sts_unknown_role_and_bad_duration(emulator, sts_role):
    with pytest.raises(TencentCloudSDKException) as excinfo:
        sts_role(role_arn="qcs::cam::uin/100000000001:roleName/nobody").get_credential_info()
    assert excinfo.value.get_code() == "ResourceNotFound.RoleNotFound" and excinfo.value.get_request_id()
    with pytest.raises(TencentCloudSDKException) as excinfo:
        sts_role(duration=43201).get_credential_info()
    assert excinfo.value.get_code() == "InvalidParameter.OverTimeError"
    with pytest.raises(TencentCloudSDKException) as excinfo:
        sts_role(secret_key="WRONG").get_credential_info()
    assert excinfo.value.get_code() == "AuthFailure.SignatureFailure"
    assert issued(emulator) == []


def test_seeded_role_is_assumable(emulator, sts_role):
    arn = "qcs::cam::uin/100000000002:roleName/other"
    emulator.seed({"tencent_roles": [{"RoleArn": arn}]})
    assert {r["RoleArn"] for r in emulator.state()["tencent_roles"]} == {arn, creds.TENCENT_ROLE_ARN}
    assert sts_role(role_arn=arn).get_credential_info()[2]


def test_expired_sts_credentials_are_refused_with_token_failure(emulator, sts_role):
    emulator.config({"temporary_credential_lifetime": 1})
    secret_id, secret_key, token = sts_role().get_credential_info()
    client = tencent(emulator, secret_id=secret_id, secret_key=secret_key, token=token)
    assert describe_jobs(client).TotalCount == 0
    wait_until_expired(emulator)
    with pytest.raises(TencentCloudSDKException) as excinfo:
        describe_jobs(client)
    assert excinfo.value.get_code() == "AuthFailure.TokenFailure"


def test_a_token_with_the_wrong_keys_is_refused(emulator, sts_role):
    first = sts_role().get_credential_info()
    second = sts_role().get_credential_info()
    for secret_id, secret_key, token in ((first[0], first[1], second[2]), (TC_ID, TC_KEY, first[2])):
        with pytest.raises(TencentCloudSDKException) as excinfo:
            describe_jobs(tencent(emulator, secret_id=secret_id, secret_key=secret_key, token=token))
        assert excinfo.value.get_code() == "AuthFailure.TokenFailure"


# -- Tencent CVM role (metadata) ---------------------------------------------------------------------------------------
def test_cvm_role_credential_drives_batch(emulator, cvm_role):
    credential = cvm_role()
    assert describe_jobs(tencent(emulator, cred=credential)).TotalCount == 0
    assert credential.role == creds.TENCENT_ROLE_NAME
    [record] = issued(emulator)
    assert (record["cloud"], record["source"], record["principal"]) == ("tencent", "metadata", creds.TENCENT_ROLE_NAME)
    assert_logged_read_only(emulator, "metadata", "CamRoleName")
    assert_logged_read_only(emulator, "metadata", "CamSecurityCredentials")


def test_cvm_metadata_answers(emulator):
    status, role = raw(emulator, "GET", "/latest/meta-data/cam/security-credentials/")
    assert (status, role) == (200, creds.TENCENT_ROLE_NAME)
    status, body = raw(emulator, "GET", "/latest/meta-data/cam/security-credentials/" + role)
    answer = json.loads(body)
    assert status == 200 and answer["Code"] == "Success"
    assert set(answer) == {"Code", "TmpSecretId", "TmpSecretKey", "Token", "ExpiredTime", "Expiration"}
    assert time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(answer["ExpiredTime"])) == answer["Expiration"]
    assert raw(emulator, "GET", "/latest/meta-data/cam/security-credentials/other")[0] == 404
    emulator.config({"tencent_metadata_role": None})
    assert raw(emulator, "GET", "/latest/meta-data/cam/security-credentials/")[0] == 404
    assert raw(emulator, "GET", "/latest/meta-data/cam/security-credentials/" + role)[0] == 404


def test_expired_cvm_role_credentials_are_refused_then_refreshed(emulator, cvm_role):
    emulator.config({"temporary_credential_lifetime": 1})
    credential = cvm_role()
    secret_id, secret_key, token = credential.get_credential_info()
    wait_until_expired(emulator)
    with pytest.raises(TencentCloudSDKException) as excinfo:
        describe_jobs(tencent(emulator, secret_id=secret_id, secret_key=secret_key, token=token))
    assert excinfo.value.get_code() == "AuthFailure.TokenFailure"
    # The SDK refreshes within 300 s of ExpiredTime: it fetches a new credential and goes on.
    assert describe_jobs(tencent(emulator, cred=credential)).TotalCount == 0
    assert credential.secret_id != secret_id


# -- Huawei ECS metadata -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("token_service", ["on", 404, 405, 503])
def test_ecs_metadata_credentials_drive_mrs(emulator, ecs_metadata, token_service):
    emulator.config({"huawei_metadata_token_service": token_service})
    emulator.seed({"mrs_clusters": ["c1"]})
    credentials = ecs_metadata()
    assert credentials.security_token and credentials.ak.startswith("HST")
    assert list_mrs(huawei(MrsClient, emulator, credentials=credentials)).total_record == 0
    [record] = issued(emulator)
    assert (record["cloud"], record["source"], record["principal"]) == ("huawei", "metadata", creds.HUAWEI_AGENCY_NAME)
    [put] = assert_logged_read_only(emulator, "metadata", "MetadataApiToken")
    assert put["status"] == (200 if token_service == "on" else token_service)
    assert assert_logged_read_only(emulator, "metadata", "MetadataSecurityKey")[0]["status"] == 200
    assert emulator.requests()[-1]["operation"] == "ShowJobExeListNew"


def test_ecs_metadata_token_rules(emulator):
    status, token = raw(emulator, "PUT", "/meta-data/latest/api/token", {"X-Metadata-Token-Ttl-Seconds": "21600"})
    assert status == 200 and token
    assert raw(emulator, "PUT", "/meta-data/latest/api/token")[0] == 400
    for headers in ({}, {"X-Metadata-Token": "wrong"}):
        status, body = raw(emulator, "GET", "/openstack/latest/securitykey", headers)
        assert status == 401 and "Cloud Service Agency" not in body
    status, body = raw(emulator, "GET", "/openstack/latest/securitykey", {"X-Metadata-Token": token})
    credential = json.loads(body)["credential"]
    assert status == 200 and set(credential) == {"access", "secret", "securitytoken", "expires_at"}
    assert time.strptime(credential["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ") and len(credential["expires_at"]) == 27


def test_ecs_metadata_without_an_agency(emulator, ecs_metadata):
    emulator.config({"huawei_metadata_agency": None})
    with pytest.raises(ClientRequestException) as excinfo:
        ecs_metadata()
    assert excinfo.value.status_code == 401 and "Please configure Cloud Service Agency first" in str(excinfo.value)


def test_expired_metadata_credentials_are_refused_with_apigw_0307(emulator, ecs_metadata):
    emulator.config({"temporary_credential_lifetime": 1})
    emulator.seed({"mrs_clusters": ["c1"]})
    fetched = ecs_metadata()
    client = huawei(MrsClient, emulator, ak=fetched.ak, sk=fetched.sk, token=fetched.security_token)
    assert list_mrs(client).total_record == 0
    wait_until_expired(emulator)
    with pytest.raises(ClientRequestException) as excinfo:
        list_mrs(client)
    assert (excinfo.value.status_code, excinfo.value.error_code) == (401, "APIGW.0307")
    assert excinfo.value.request_id


# -- Huawei IAM securitytokens (assume_role) and STS AssumeAgency ------------------------------------------------------
def assume_role_body(agency=creds.HUAWEI_AGENCY_NAME, domain=creds.HUAWEI_DOMAIN_NAME, duration=None):
    role = {"agency_name": agency, "domain_name": domain}
    if duration is not None:
        role["duration_seconds"] = duration
    return {"auth": {"identity": {"methods": ["assume_role"], "assume_role": role}}}


def test_iam_securitytokens_assume_role(emulator):
    emulator.seed({"mrs_clusters": ["c1"]})
    status, body = huawei_call(emulator, "POST", SECURITYTOKENS, assume_role_body())
    credential = body["credential"]
    assert status == 201 and set(credential) == {"access", "secret", "securitytoken", "expires_at"}
    assert len(credential["expires_at"]) == 27  # 2026-11-30T01:02:03.587000Z
    [record] = issued(emulator)
    assert record["source"] == "CreateTemporaryAccessKeyByAgency" and 890 < record["expires_at"] - time.time() <= 900
    assert_logged_read_only(emulator, "iam", "CreateTemporaryAccessKeyByAgency")
    client = huawei(MrsClient, emulator, ak=credential["access"], sk=credential["secret"], token=credential["securitytoken"])
    assert list_mrs(client).total_record == 0


def test_iam_securitytokens_refusals(emulator):
    status, body = huawei_call(emulator, "POST", SECURITYTOKENS, assume_role_body(agency="nobody"))
    assert (status, body["error_code"]) == (404, "IAM.0004")
    for duration in (899, 86401):
        status, body = huawei_call(emulator, "POST", SECURITYTOKENS, assume_role_body(duration=duration))
        assert (status, body["error_code"]) == (400, "IAM.0007")
    assert huawei_call(emulator, "POST", SECURITYTOKENS, assume_role_body(duration=86400))[0] == 201
    status, body = huawei_call(emulator, "POST", SECURITYTOKENS, assume_role_body(), sk="WRONG")
    assert body["error_code"] == "APIGW.0301"


def test_sts_assume_agency(emulator):
    agency = {"agency_urn": creds.HUAWEI_AGENCY_URN, "agency_session_name": "cleanup"}
    status, body = huawei_call(emulator, "POST", ASSUME_AGENCY, agency)
    assert status == 200 and set(body) == {"assumed_agency", "credentials"}
    assert set(body["credentials"]) == {"access_key_id", "secret_access_key", "security_token", "expiration"}
    assert len(body["credentials"]["expiration"]) == 24  # 2026-11-30T01:02:03.158Z
    assert body["assumed_agency"]["urn"].endswith(":assumed-agency:%s/cleanup" % creds.HUAWEI_AGENCY_NAME)
    [record] = issued(emulator)
    assert record["source"] == "AssumeAgency" and 3590 < record["expires_at"] - time.time() <= 3600
    assert_logged_read_only(emulator, "sts", "AssumeAgency")
    got = body["credentials"]
    # Temporary keys may assume again, for at most 3600 s.
    again = {"agency_urn": creds.HUAWEI_AGENCY_URN, "agency_session_name": "chained", "duration_seconds": 3601}
    keys = {"ak": got["access_key_id"], "sk": got["secret_access_key"], "token": got["security_token"]}
    assert huawei_call(emulator, "POST", ASSUME_AGENCY, again, **keys)[0] == 400
    again["duration_seconds"] = 3600
    assert huawei_call(emulator, "POST", ASSUME_AGENCY, again, **keys)[0] == 200


def test_sts_assume_agency_refusals(emulator):
    unknown = "iam::%s:agency:nobody" % creds.HUAWEI_DOMAIN_ID
    status, body = huawei_call(emulator, "POST", ASSUME_AGENCY, {"agency_urn": unknown, "agency_session_name": "s1"})
    assert (status, body["error_code"]) == (404, "STS5.1106")
    for bad in ({"agency_urn": creds.HUAWEI_AGENCY_URN},
                {"agency_urn": creds.HUAWEI_AGENCY_URN, "agency_session_name": "x"},
                {"agency_urn": creds.HUAWEI_AGENCY_URN, "agency_session_name": "s1", "duration_seconds": 899},
                {"agency_urn": creds.HUAWEI_AGENCY_URN, "agency_session_name": "s1", "duration_seconds": 43201}):
        assert huawei_call(emulator, "POST", ASSUME_AGENCY, bad)[0] == 400
    assert issued(emulator) == []


def test_seeded_agency_in_another_domain(emulator):
    emulator.seed({"huawei_agencies": [{"agency_name": "ops", "domain_name": "other", "domain_id": "1" * 32}]})
    assert huawei_call(emulator, "POST", SECURITYTOKENS, assume_role_body(agency="ops", domain="other"))[0] == 201
    other = {"agency_urn": "iam::%s:agency:ops" % ("1" * 32), "agency_session_name": "s1"}
    assert huawei_call(emulator, "POST", ASSUME_AGENCY, other)[0] == 200
    assert huawei_call(emulator, "POST", SECURITYTOKENS, assume_role_body(agency="ops"))[0] == 404


def test_a_huawei_token_with_the_wrong_keys_is_refused(emulator):
    emulator.seed({"mrs_clusters": ["c1"]})
    first = huawei_call(emulator, "POST", SECURITYTOKENS, assume_role_body())[1]["credential"]
    second = huawei_call(emulator, "POST", SECURITYTOKENS, assume_role_body())[1]["credential"]
    for ak, sk, token in ((first["access"], first["secret"], second["securitytoken"]), (AK, SK, first["securitytoken"])):
        with pytest.raises(ClientRequestException) as excinfo:
            list_mrs(huawei(MrsClient, emulator, ak=ak, sk=sk, token=token))
        assert (excinfo.value.status_code, excinfo.value.error_code) == (401, "APIGW.0301")
