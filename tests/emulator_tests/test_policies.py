"""Permission policies: a credential's policy decides which calls go through (actions and their aliases, wildcards,
resources, explicit denies), and a call outside it gets the configured denial in a shape the official SDKs parse,
changes nothing, and is logged with the action it needed. With them come IAM's own-projects listing, which needs
no permission, and STS's decoder of the denials' encoded authorization messages."""

import base64
import json
import urllib.error

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkmrs.v1 import model as v1
from huaweicloudsdkmrs.v2 import model as v2
from huaweicloudsdkworkspace.v2 import model as ws
from tencentcloud.batch.v20170312 import models as batch_models
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from emulator import credentials as creds
from emulator import policies
from emulator.policies import EXPLICIT, IMPLICIT, decide
from emulator.state import DEFAULT_CONFIG
from sdk_clients import (AK, PROJECT, TC_ID, TC_TMP_ID, TC_TMP_KEY, MrsClient,  # pylint: disable=import-error
                         huawei, huawei_call, tencent)

DOMAIN = creds.HUAWEI_DOMAIN_ID
UIN = creds.tencent_account(0)["uin"]
C1 = "mrs:cn-north-4:%s:cluster:c1" % DOMAIN
C2 = "mrs:cn-north-4:%s:cluster:c2" % DOMAIN
LIST = ("mrs:job:list", "mrs:cluster:listJobs")
DELETE = ("mrs:job:batchDelete", "mrs:cluster:deleteJobs")
JOBS = "qcs::batch:ap-guangzhou:uin/%s:job/" % UIN
SECURITYTOKENS = "/v3.0/OS-CREDENTIAL/securitytokens"
ASSUME_AGENCY = "/v5/agencies/assume"
DECODE = "/v5/decode-authorization-message"
PROJECT_2 = "2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b"
PROJECT_3 = "3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c"


def document(*statements, version="5.0"):
    return {"Version": version, "Statement": list(statements)}


def cam(*statements):
    return {"version": "2.0", "statement": list(statements)}


def decoded(encoded):
    return json.loads(base64.urlsafe_b64decode(encoded))


def seed_mrs(emulator):
    emulator.seed({"mrs": [{"job_id": "j-1", "cluster_id": "c1"}, {"job_id": "j-2", "cluster_id": "c2"}]})


def batch_delete(client, cluster, *ids):
    body = v2.JobBatchDelete(job_id_list=list(ids))
    return client.batch_delete_jobs(v2.BatchDeleteJobsRequest(cluster_id=cluster, body=body))


def list_jobs(client, cluster):
    return client.show_job_exe_list_new(v2.ShowJobExeListNewRequest(cluster_id=cluster))


def tencent_request(cls, **fields):
    req = cls()
    req.from_json_string(json.dumps(fields))
    return req


def delete_job(client, job_id="job-aaaa0001"):
    return client.DeleteJob(tencent_request(batch_models.DeleteJobRequest, JobId=job_id))


def describe_jobs(client):
    return client.DescribeJobs(tencent_request(batch_models.DescribeJobsRequest))


def mrs_ids(emulator):
    return [j["job_id"] for j in emulator.state()["mrs"]]


def assume_agency(emulator, agency=creds.HUAWEI_AGENCY_URN, **keys):
    return huawei_call(emulator, "POST", ASSUME_AGENCY, {"agency_urn": agency, "agency_session_name": "s1"}, **keys)


def assume_role_body(agency=creds.HUAWEI_AGENCY_NAME):
    return {"auth": {"identity": {"methods": ["assume_role"],
                                  "assume_role": {"agency_name": agency, "domain_name": creds.HUAWEI_DOMAIN_NAME}}}}


# -- evaluation ---------------------------------------------------------------------------------------------------
def test_wildcards_match_actions_in_any_case_and_resources_as_written():
    assert decide(["mrs:job:*"], LIST, C1) is None
    assert decide(["MRS:Cluster:List*"], LIST, C1) is None
    assert decide(["*"], ("workspace:scheduledTasks:list",) * 2, "*") is None
    assert decide(["mrs:*"], ("workspace:scheduledTasks:list",) * 2, "*") == IMPLICIT
    scoped = document({"Effect": "Allow", "Action": ["mrs:cluster:*"], "Resource": ["mrs:*:%s:cluster:c1" % DOMAIN]})
    assert decide(scoped, LIST, C1) is None
    assert decide(scoped, LIST, C2) == IMPLICIT
    assert decide(scoped, LIST, C1.replace(DOMAIN, creds.huawei_account(1)["domain_id"])) == IMPLICIT
    assert decide(scoped, LIST, "*") == IMPLICIT  # a call without a resource needs a statement on every resource


def test_a_classic_name_and_its_identity_alias_are_one_action():
    assert decide(["mrs:job:batchDelete"], DELETE, C1) is None
    assert decide(["mrs:cluster:deleteJobs"], DELETE, C1) is None
    assert decide(["mrs:job:delete"], DELETE, C1) == IMPLICIT  # the single delete's action grants no batch delete
    denied_by_classic = [document({"Effect": "Allow", "Action": ["mrs:cluster:*"]}),
                         document({"Effect": "Deny", "Action": ["mrs:job:batchDelete"]}, version="1.1")]
    assert decide(denied_by_classic, DELETE, C1) == EXPLICIT
    assert decide(denied_by_classic, LIST, C1) is None


def test_an_explicit_deny_wins_where_it_applies():
    policy = document({"Effect": "Allow", "Action": ["*"]},
                      {"Effect": "Deny", "Action": ["mrs:cluster:deleteJobs"], "Resource": [C1]})
    assert decide(policy, DELETE, C1) == EXPLICIT
    assert decide(policy, DELETE, C2) is None
    assert decide(policy, LIST, C1) is None


def test_statements_without_a_resource_or_with_the_classic_uri_form_apply_everywhere():
    classic = document({"Effect": "Allow", "Action": ["iam:tokens:assume"], "Resource": {"uri": ["/iam/agencies/x"]}},
                       version="1.1")
    assert decide(classic, ("iam:tokens:assume",) * 2, "*") is None
    assert decide(document({"Effect": "Allow", "Action": ["mrs:job:list"]}), LIST, C2) is None


def test_cam_documents_with_and_without_the_name_prefix():
    policy = cam({"effect": "allow", "action": ["name/batch:Describe*"], "resource": [JOBS + "*"]},
                 {"effect": "allow", "action": "batch:TerminateJob", "resource": JOBS + "job-aaaa0001"},
                 {"effect": "deny", "action": "name/batch:DeleteJob", "resource": "*"})
    assert decide(policy, ["batch:DescribeJob"], JOBS + "job-aaaa0001") is None
    assert decide(policy, ["batch:DescribeJobs"], JOBS.replace("ap-guangzhou", "ap-shanghai") + "*") == IMPLICIT
    assert decide(policy, ["batch:TerminateJob"], JOBS + "job-aaaa0001") is None
    assert decide(policy, ["batch:TerminateJob"], JOBS + "job-aaaa0002") == IMPLICIT
    assert decide(policy, ["batch:DeleteJob"], JOBS + "job-aaaa0001") == EXPLICIT


def test_a_plain_action_list_and_a_list_of_documents():
    assert decide(["mrs:job:list", "mrs:job:get"], LIST, C1) is None
    assert decide(["mrs:job:list", "mrs:job:get"], DELETE, C1) == IMPLICIT
    assert decide([], LIST, C1) == IMPLICIT  # an empty list allows nothing
    attached = [document({"Effect": "Allow", "Action": ["mrs:job:*"]}, version="1.1"),
                document({"Effect": "Deny", "Action": ["mrs:cluster:deleteJobs"], "Resource": [C2]})]
    assert decide(attached, DELETE, C1) is None
    assert decide(attached, DELETE, C2) == EXPLICIT


@pytest.mark.parametrize("setting", [
    {"policies": {AK: "mrs:*"}},
    {"policies": {AK: {"Statement": [{"Effect": "Allow", "Action": ["mrs:*"]}]}}},  # no Version
    {"policies": {AK: document({"Effect": "Maybe", "Action": ["mrs:*"]})}},
    {"policies": {AK: document({"Effect": "Allow"})}},
    {"policies": {AK: document({"Effect": "Allow", "Action": ["mrs:*"], "Resource": []})}},
    {"policies": {AK: document({"Effect": "Allow", "Action": ["mrs:*"], "Condition": {}})}},
    {"policies": {AK: [{"not": "a document"}]}},
    {"policies": ["mrs:*"]},
    {"huawei_denial": {"body": "xml"}},
    {"huawei_denial": {"status": 200}},
    {"huawei_denial": {"names_action": "both"}},
    {"huawei_denial": {"error_detail": "yes"}},
    {"huawei_denial": {"colour": "red"}},
    {"tencent_denial": {"code": ""}},
    {"tencent_denial": {"names_action": "yes"}},
])
def test_settings_that_are_not_valid_are_refused(emulator, setting):
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        emulator.config(setting)
    assert excinfo.value.code == 400


def test_defaults_and_denial_settings_that_name_only_what_differs(emulator):
    config = emulator.get_config()
    assert config["policies"] == {}
    assert config["huawei_denial"] == {"status": 403, "code": "APIGW.0302", "body": "error_code",
                                       "names_action": "identity", "error_detail": True,
                                       "encoded_authorization_message": True}
    assert config["tencent_denial"] == {"code": "UnauthorizedOperation", "names_action": True}
    changed = emulator.config({"huawei_denial": {"body": "camel"}, "tencent_denial": {"names_action": False}})
    assert changed["huawei_denial"] == dict(DEFAULT_CONFIG["huawei_denial"], body="camel")
    assert changed["tencent_denial"] == dict(DEFAULT_CONFIG["tencent_denial"], names_action=False)


# -- Huawei denials through the official SDKs ---------------------------------------------------------------------
@pytest.mark.parametrize("names_action, message", [
    ("identity", "User: %s is not authorized to perform action mrs:cluster:deleteJobs on resource %s because no "
                 "identity-based policy allows the mrs:cluster:deleteJobs action." % (AK, C1)),
    ("classic", "User: %s is not authorized to perform action mrs:job:batchDelete on resource %s because no "
                "identity-based policy allows the mrs:job:batchDelete action." % (AK, C1)),
    ("none", "The IAM user is not authorized to access the API."),
])
@pytest.mark.parametrize("code", ["APIGW.0302", "APIGW.0306", "MRS.0002"])
def test_a_denied_batch_delete_with_error_code_bodies(emulator, mrs, names_action, message, code):
    emulator.config({"policies": {AK: ["mrs:job:list"]},
                     "huawei_denial": {"code": code, "names_action": names_action}})
    seed_mrs(emulator)
    assert list_jobs(mrs, "c1").total_record == 1
    with pytest.raises(ClientRequestException) as excinfo:
        batch_delete(mrs, "c1", "j-1")
    error = excinfo.value
    assert (error.status_code, error.error_code, error.error_msg) == (403, code, message)
    named = "mrs:job:batchDelete" if names_action == "classic" else "mrs:cluster:deleteJobs"
    assert decoded(error.encoded_auth_msg) == {"principal": AK, "action": named, "resource": C1, "failure": IMPLICIT}
    assert mrs_ids(emulator) == ["j-1", "j-2"]
    listed, denied = emulator.requests()
    assert listed["denied_action"] is None
    assert (denied["status"], denied["error_code"], denied["denied_action"]) == (403, code, named)
    assert denied["mutating"] and denied["ids"] == ["j-1"] and denied["request_id"] == error.request_id


def test_the_error_code_body_and_its_optional_fields(emulator):
    emulator.config({"policies": {AK: document({"Effect": "Allow", "Action": ["*"]},
                                               {"Effect": "Deny", "Action": ["mrs:job:batchDelete"]})}})
    seed_mrs(emulator)
    path = "/v2/%s/clusters/c1/job-executions/batch-delete" % PROJECT
    status, body = huawei_call(emulator, "POST", path, {"job_id_list": ["j-1"]})
    assert status == 403 and set(body) == {"error_code", "error_msg", "request_id", "error_detail",
                                           "encoded_authorization_message"}
    assert body["error_msg"].endswith("on resource %s with an explicit deny in an identity-based policy." % C1)
    assert body["error_detail"] == "mrs:cluster:deleteJobs on %s: %s" % (C1, EXPLICIT)
    assert decoded(body["encoded_authorization_message"])["failure"] == EXPLICIT
    emulator.config({"huawei_denial": {"error_detail": False, "encoded_authorization_message": False}})
    status, body = huawei_call(emulator, "POST", path, {"job_id_list": ["j-1"]})
    assert status == 403 and set(body) == {"error_code", "error_msg", "request_id"}
    assert mrs_ids(emulator) == ["j-1", "j-2"]


@pytest.mark.parametrize("names_action", ["identity", "classic", "none"])
def test_mrs_camel_case_denial(emulator, mrs, names_action):
    emulator.config({"policies": {AK: []},
                     "huawei_denial": {"body": "camel", "code": "MRS.0002", "names_action": names_action}})
    seed_mrs(emulator)
    with pytest.raises(ClientRequestException) as excinfo:
        batch_delete(mrs, "c1", "j-1")
    error = excinfo.value
    assert (error.status_code, error.error_code, error.encoded_auth_msg) == (403, "MRS.0002", None)
    assert error.request_id and ("not authorized" in error.error_msg)
    assert ("mrs:job:batchDelete" in error.error_msg) == (names_action == "classic")
    status, body = huawei_call(emulator, "POST", "/v2/%s/clusters/c1/job-executions/batch-delete" % PROJECT,
                               {"job_id_list": ["j-1"]})
    assert status == 403 and set(body) == {"errorCode", "errorMsg"}
    assert mrs_ids(emulator) == ["j-1", "j-2"]


@pytest.mark.parametrize("names_action", ["identity", "classic", "none"])
def test_keystone_denial(emulator, mrs, names_action):
    emulator.config({"policies": {AK: []}, "huawei_denial": {"body": "keystone", "names_action": names_action}})
    seed_mrs(emulator)
    with pytest.raises(ClientRequestException) as excinfo:
        list_jobs(mrs, "c1")
    error = excinfo.value
    assert error.status_code == 403 and str(error.error_code) == "403" and error.request_id  # the body's code
    status, body = huawei_call(emulator, "GET", "/v2/%s/clusters/c1/job-executions" % PROJECT)
    assert status == 403 and body == {"error": {"code": 403, "title": "Forbidden", "message": error.error_msg}}
    assert ("mrs:job:list " in error.error_msg) == (names_action == "classic")
    assert [e["error_code"] for e in emulator.requests()] == ["403", "403"]


def test_a_workspace_denial_with_status_400(emulator, workspace):
    emulator.config({"policies": {AK: ["workspace:scheduledTasks:list"]},
                     "huawei_denial": {"status": 400, "code": "WKS.0009"}})
    emulator.seed({"workspace": [{"id": "t000"}]})
    assert workspace.list_scheduled_tasks(ws.ListScheduledTasksRequest()).total_count == 1
    with pytest.raises(ClientRequestException) as excinfo:
        workspace.show_scheduled_tasks(ws.ShowScheduledTasksRequest(task_id="t000"))
    error = excinfo.value
    resource = "workspace:cn-north-4:%s:scheduledTask:t000" % DOMAIN
    assert (error.status_code, error.error_code) == (400, "WKS.0009")
    assert decoded(error.encoded_auth_msg)["action"] == "workspace:scheduledTasks:get"
    assert decoded(error.encoded_auth_msg)["resource"] == resource
    with pytest.raises(ClientRequestException) as excinfo:
        workspace.batch_delete_scheduled_tasks(ws.BatchDeleteScheduledTasksRequest(
            body=ws.DeleteScheduledTasksReq(task_ids=["t000"])))
    assert decoded(excinfo.value.encoded_auth_msg)["resource"] == resource.replace("t000", "*")
    assert [t["id"] for t in emulator.state()["workspace"]] == ["t000"]
    assert [e["denied_action"] for e in emulator.requests()] == [
        None, "workspace:scheduledTasks:get", "workspace:scheduledTasks:batchDelete"]


def test_a_policy_scoped_to_one_cluster(emulator, mrs):
    emulator.config({"policies": {AK: document(
        {"Effect": "Allow", "Action": ["mrs:cluster:listJobs", "mrs:cluster:deleteJobs"],
         "Resource": ["mrs:*:%s:cluster:c1" % DOMAIN]})}})
    seed_mrs(emulator)
    assert list_jobs(mrs, "c1").total_record == 1
    batch_delete(mrs, "c1", "j-1")
    with pytest.raises(ClientRequestException) as excinfo:
        batch_delete(mrs, "c2", "j-2")
    assert decoded(excinfo.value.encoded_auth_msg)["resource"] == C2
    with pytest.raises(ClientRequestException):
        list_jobs(mrs, "c2")
    assert mrs_ids(emulator) == ["j-2"]


def test_v1_calls_act_on_the_cluster_they_name_or_reach(emulator, mrs_v1):
    emulator.config({"policies": {AK: document(
        {"Effect": "Allow", "Action": ["mrs:job:list", "mrs:job:get", "mrs:job:delete"],
         "Resource": ["mrs:*:*:cluster:c1"]})}})
    emulator.seed({"mrs_v1": [{"id": "e1", "cluster_id": "c1"}, {"id": "e2", "cluster_id": "c2"}]})
    assert mrs_v1.list_execute_job(v1.ListExecuteJobRequest(cluster_id="c1")).total_record == 1
    assert mrs_v1.show_job_exes(v1.ShowJobExesRequest(job_exe_id="e1")).job_execution.id == "e1"
    refused = [lambda: mrs_v1.list_execute_job(v1.ListExecuteJobRequest()),  # every cluster: *
               lambda: mrs_v1.delete_job_execution(v1.DeleteJobExecutionRequest(job_execution_id="e2")),
               lambda: mrs_v1.delete_job_execution(v1.DeleteJobExecutionRequest(job_execution_id="gone"))]
    resources = []
    for call in refused:
        with pytest.raises(ClientRequestException) as excinfo:
            call()
        resources.append(decoded(excinfo.value.encoded_auth_msg)["resource"])
    assert resources == ["mrs:cn-north-4:%s:cluster:%s" % (DOMAIN, c) for c in ("*", "c2", "*")]
    mrs_v1.delete_job_execution(v1.DeleteJobExecutionRequest(job_execution_id="e1"))
    assert [e["id"] for e in emulator.state()["mrs_v1"]] == ["e2"]


# -- Tencent denials ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("names_action", [True, False])
@pytest.mark.parametrize("code", ["UnauthorizedOperation", "AuthFailure.UnauthorizedOperation",
                                  "UnauthorizedOperation.CamNoAuth", "UnauthorizedOperation.UserNotAllowedToUseBatch"])
def test_a_denied_delete_job(emulator, batch, code, names_action):
    emulator.config({"policies": {TC_ID: cam({"effect": "allow", "action": ["name/batch:Describe*"], "resource": "*"})},
                     "tencent_denial": {"code": code, "names_action": names_action}})
    emulator.seed({"tencent": [{"JobId": "job-aaaa0001", "JobState": "SUCCEED"}]})
    assert describe_jobs(batch).TotalCount == 1
    with pytest.raises(TencentCloudSDKException) as excinfo:
        delete_job(batch)
    error = excinfo.value
    assert error.get_code() == code and error.get_request_id()
    assert error.get_message() == (
        "you are not authorized to perform operation (batch:DeleteJob)\nresource (%sjob-aaaa0001) has no permission"
        % JOBS if names_action else "You are not authorized to perform this operation.")
    assert [j["JobId"] for j in emulator.state()["tencent"]] == ["job-aaaa0001"]
    described, denied = emulator.requests()
    assert described["denied_action"] is None
    assert (denied["status"], denied["error_code"], denied["denied_action"]) == (200, code, "batch:DeleteJob")


def test_a_denied_call_is_not_counted_by_the_rate_limit(emulator, batch):
    emulator.config({"rate_limits": {"tencent.DeleteJob": 0.01}, "policies": {TC_TMP_ID: []}})
    emulator.seed({"tencent": [{"JobId": "job-aaaa0001", "JobState": "SUCCEED"}]})
    temporary = tencent(emulator, secret_id=TC_TMP_ID, secret_key=TC_TMP_KEY,
                        token=creds.TENCENT_TEMPORARY_SECURITY_TOKEN)
    with pytest.raises(TencentCloudSDKException) as excinfo:
        delete_job(temporary)
    assert excinfo.value.get_code() == "UnauthorizedOperation"
    delete_job(batch)  # the one call the bucket allows
    assert emulator.state()["tencent"] == []


# -- whose policy: keys, the IAM token, agencies, roles, instance metadata ----------------------------------------
def test_assumed_agency_credentials_are_judged_by_the_agency_policy(emulator, mrs):
    emulator.config({"policies": {creds.HUAWEI_AGENCY_URN: ["mrs:job:list"]}})
    seed_mrs(emulator)
    via_sts = assume_agency(emulator)[1]["credentials"]
    via_iam = huawei_call(emulator, "POST", SECURITYTOKENS, assume_role_body())[1]["credential"]
    for ak, sk, token in ((via_sts["access_key_id"], via_sts["secret_access_key"], via_sts["security_token"]),
                          (via_iam["access"], via_iam["secret"], via_iam["securitytoken"])):
        client = huawei(MrsClient, emulator, ak=ak, sk=sk, token=token)
        assert list_jobs(client, "c1").total_record == 1
        with pytest.raises(ClientRequestException) as excinfo:
            batch_delete(client, "c1", "j-1")
        assert excinfo.value.error_msg.startswith("User: %s is not authorized" % creds.HUAWEI_AGENCY_URN)
    batch_delete(mrs, "c1", "j-1")  # the demo key has no policy
    assert mrs_ids(emulator) == ["j-2"]


def test_ecs_metadata_credentials_are_judged_by_the_bound_agency_policy(emulator, ecs_metadata):
    emulator.config({"policies": {creds.HUAWEI_AGENCY_URN: ["mrs:job:list"]}})
    seed_mrs(emulator)
    client = huawei(MrsClient, emulator, credentials=ecs_metadata())
    assert list_jobs(client, "c1").total_record == 1
    with pytest.raises(ClientRequestException) as excinfo:
        batch_delete(client, "c1", "j-1")
    assert decoded(excinfo.value.encoded_auth_msg)["principal"] == creds.HUAWEI_AGENCY_URN


def test_assuming_an_agency_needs_the_assume_permissions(emulator):
    emulator.seed({"huawei_agencies": [{"agency_name": "ops"}]})
    emulator.config({"policies": {AK: document(
        {"Effect": "Allow", "Action": ["sts:agencies:assume"], "Resource": [creds.HUAWEI_AGENCY_URN]})}})
    assert assume_agency(emulator)[0] == 200
    ops = "iam::%s:agency:ops" % DOMAIN
    status, body = assume_agency(emulator, ops)
    assert status == 403 and "perform action sts:agencies:assume on resource %s " % ops in body["error_msg"]
    status, body = huawei_call(emulator, "POST", SECURITYTOKENS, assume_role_body())
    assert status == 403 and "perform action iam:tokens:assume on resource * " in body["error_msg"]
    assert [r["principal"] for r in emulator.call("GET", "credentials/issued")] == [creds.HUAWEI_AGENCY_URN]


def test_the_iam_token_is_a_principal_never_named(emulator):
    token = creds.HUAWEI_AUTH_TOKEN
    emulator.config({"policies": {token: ["iam:projects:listProjects"]}})
    seed_mrs(emulator)
    assert huawei_call(emulator, "GET", "/v3/projects", auth_token=token)[0] == 200
    status, body = huawei_call(emulator, "POST", "/v2/%s/clusters/c1/job-executions/batch-delete" % PROJECT,
                               {"job_id_list": ["j-1"]}, auth_token=token)
    assert status == 403 and body["error_msg"].startswith("User: iam::%s:user:iam-token is not" % DOMAIN)
    assert token not in json.dumps(body) and token not in base64.urlsafe_b64decode(
        body["encoded_authorization_message"]).decode()


def test_assumed_and_cvm_role_credentials_are_judged_by_the_role_policy(emulator, batch, sts_role, cvm_role):
    emulator.config({"policies": {creds.TENCENT_ROLE_ARN: cam(
        {"effect": "allow", "action": ["batch:DescribeJobs"], "resource": [JOBS + "*"]})}})
    emulator.seed({"tencent": [{"JobId": "job-aaaa0001", "JobState": "SUCCEED"}]})
    for credential in (sts_role(), cvm_role()):
        assert describe_jobs(tencent(emulator, cred=credential)).TotalCount == 1
        for client, call in ((tencent(emulator, cred=credential), delete_job),
                             (tencent(emulator, cred=credential, region="ap-shanghai"), describe_jobs)):
            with pytest.raises(TencentCloudSDKException) as excinfo:
                call(client)
            assert excinfo.value.get_code() == "UnauthorizedOperation"
    assert "(qcs::batch:ap-shanghai:uin/%s:job/*)" % UIN in excinfo.value.get_message()
    delete_job(batch)  # the demo key has no policy


def test_assuming_a_role_needs_sts_assume_role_on_it(emulator, sts_role):
    other = "qcs::cam::uin/%s:roleName/other" % UIN
    emulator.seed({"tencent_roles": [{"RoleArn": other}]})
    emulator.config({"policies": {TC_ID: cam(
        {"effect": "allow", "action": ["name/sts:AssumeRole"], "resource": [creds.TENCENT_ROLE_ARN]})}})
    assert sts_role().get_credential_info()[2]
    with pytest.raises(TencentCloudSDKException) as excinfo:
        sts_role(role_arn=other).get_credential_info()
    assert excinfo.value.get_code() == "UnauthorizedOperation"
    assert "(sts:AssumeRole)\nresource (%s)" % other in excinfo.value.get_message()
    assert emulator.requests()[-1]["denied_action"] == "sts:AssumeRole"


def test_metadata_is_never_checked_and_every_log_entry_has_the_field(emulator, ecs_metadata):
    emulator.config({"policies": {creds.HUAWEI_AGENCY_URN: []}})
    emulator.fault({"service": "iam", "kind": "status", "status": 503})
    assert ecs_metadata().ak
    assert huawei_call(emulator, "GET", "/v3/projects")[0] == 503
    assert huawei_call(emulator, "GET", "/no/such/api")[0] == 404
    assert [(e["operation"], e["denied_action"]) for e in emulator.requests()] == [
        ("MetadataApiToken", None), ("MetadataSecurityKey", None), ("KeystoneListProjects", None), ("unknown", None)]


# -- IAM GET /v3/auth/projects ------------------------------------------------------------------------------------
def own_projects(emulator, **keys):
    status, body = huawei_call(emulator, "GET", "/v3/auth/projects", **keys)
    assert status == 200 and body["links"] == {"self": "/v3/auth/projects"}
    return body["projects"]


def test_auth_projects_are_the_callers_own(emulator):
    emulator.config({"accounts": 2, "projects": {"ap-southeast-1": PROJECT_2},
                     "account_projects": {"1": {"ap-southeast-3": PROJECT_3}}})
    demo = [{"id": PROJECT_2, "name": "ap-southeast-1", "domain_id": DOMAIN, "enabled": True, "is_domain": False,
             "parent_id": DOMAIN, "description": ""},
            {"id": PROJECT, "name": "cn-north-4", "domain_id": DOMAIN, "enabled": True, "is_domain": False,
             "parent_id": DOMAIN, "description": ""}]
    assert own_projects(emulator) == demo
    assert own_projects(emulator, auth_token=creds.HUAWEI_AUTH_TOKEN) == demo
    agency = assume_agency(emulator)[1]["credentials"]
    assert own_projects(emulator, ak=agency["access_key_id"], sk=agency["secret_access_key"],
                        token=agency["security_token"]) == demo
    first, second = creds.huawei_account(1), creds.huawei_account(2)
    assert own_projects(emulator, ak=first["access_key"], sk=first["secret_key"]) == [
        {"id": PROJECT_3, "name": "ap-southeast-3", "domain_id": first["domain_id"], "enabled": True,
         "is_domain": False, "parent_id": first["domain_id"], "description": ""}]
    assert own_projects(emulator, ak=second["access_key"], sk=second["secret_key"]) == []
    # KeystoneListProjects still answers the demo account's projects to anyone.
    status, body = huawei_call(emulator, "GET", "/v3/projects", ak=first["access_key"], sk=first["secret_key"])
    assert status == 200 and [p["id"] for p in body["projects"]] == [PROJECT_2, PROJECT]
    listed = [e for e in emulator.requests() if e["operation"] == "KeystoneListAuthProjects"]
    assert len(listed) == 5 and {(e["service"], e["mutating"]) for e in listed} == {("iam", False)}


def test_auth_projects_need_no_permission(emulator):
    emulator.config({"policies": {AK: []}})
    assert [p["id"] for p in own_projects(emulator)] == [PROJECT]
    status, body = huawei_call(emulator, "GET", "/v3/projects")
    assert status == 403 and "perform action iam:projects:listProjects on resource * " in body["error_msg"]
    assert [e["denied_action"] for e in emulator.requests()] == [None, "iam:projects:listProjects"]


# -- STS POST /v5/decode-authorization-message --------------------------------------------------------------------
def test_decode_round_trip(emulator, mrs):
    emulator.config({"policies": {AK: ["mrs:cluster:listJobs", "sts::decodeAuthorizationMessage"]}})
    seed_mrs(emulator)
    with pytest.raises(ClientRequestException) as excinfo:
        batch_delete(mrs, "c1", "j-1")
    status, body = huawei_call(emulator, "POST", DECODE, {"encoded_message": excinfo.value.encoded_auth_msg})
    assert status == 200 and set(body) == {"decoded_message"}
    assert json.loads(body["decoded_message"]) == {"principal": AK, "action": "mrs:cluster:deleteJobs",
                                                   "resource": C1, "failure": IMPLICIT}
    assert policies.decode(policies.encode({"a": 1}).rstrip("=")) == '{"a": 1}'  # padding is optional
    assert emulator.requests()[-1]["operation"] == "DecodeAuthorizationMessage"


@pytest.mark.parametrize("body", [{}, {"encoded_message": ""}, {"encoded_message": "e" * 10241},
                                  {"encoded_message": 7}, {"encoded_message": "not base64!"},
                                  {"encoded_message": base64.urlsafe_b64encode(b"[1, 2]").decode()}])
def test_decode_refusals(emulator, body):
    status, answer = huawei_call(emulator, "POST", DECODE, body)
    assert (status, answer["error_code"]) == (400, "STS5.1001")


def test_decoding_needs_its_permission(emulator):
    emulator.config({"policies": {AK: ["mrs:*"]}})
    status, body = huawei_call(emulator, "POST", DECODE, {"encoded_message": policies.encode({"a": 1})})
    assert status == 403 and emulator.requests()[-1]["denied_action"] == "sts::decodeAuthorizationMessage"
