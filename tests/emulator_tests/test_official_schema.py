"""Every answer of the emulator against the clouds' official schemas.

Huawei: the official SDK clients (huaweicloudsdkmrs v1 and v2, huaweicloudsdkworkspace) call the emulator; a response
handler keeps each raw answer, which is checked against the SDK's own models (``openapi_types``, ``attribute_map``,
nested models walked): every key sent must be a wire name of its model, its JSON type the declared one. The SDK
deserialises quietly past unknown keys and wrong types, so only the raw answer shows them. Error answers go through the
SDK's own ``DefaultExceptionHandler`` (the path every SDK call takes), which must read back the emulator's code, message
and request id.

Tencent: the answers of DescribeJobs, DescribeJob, DeleteJob and TerminateJob are checked against the API's own
description, tccli's ``api.json`` of batch 2017-03-12 (``tests/fixtures/official/tencent/batch_v20170312_api.json``):
objects, members, types, which members may be null (``value_allowed_null``) and which every answer carries
(``output_required``). Errors go through the SDK's own ``_check_error``.
"""

import glob
import json
import os
import time

import pytest
from requests.adapters import HTTPAdapter

# sdk_clients first: it redirects HOME before the Huawei SDK is imported.
from sdk_clients import AK, PROJECT, SK, MrsClient, MrsV1Client, WorkspaceClient, tencent  # pylint: disable=import-error
# pylint: disable=wrong-import-order
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, SdkException, ServerResponseException
from huaweicloudsdkcore.http.http_handler import HttpHandler
from huaweicloudsdkmrs.v1 import model as v1
from huaweicloudsdkmrs.v2 import model as v2
from huaweicloudsdkworkspace.v2 import model as ws
from tencentcloud.batch.v20170312 import models as batch_models
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from emulator import credentials as creds

OFFICIAL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "official")


# -- Huawei: the SDK's models ----------------------------------------------------------------------------------------
PRIMITIVES = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}


def huawei_problems(value, declared, models, where):
    """What in ``value`` (decoded JSON) the SDK model type ``declared`` does not allow, as readable lines.

    null is allowed for every type: the SDK reads it as an absent value and the models say nothing of nullability."""
    if value is None or declared == "object":
        return []
    if declared.startswith("list[") and declared.endswith("]"):
        if not isinstance(value, list):
            return ["%s: %s, not a list (%s)" % (where, json.dumps(value), declared)]
        return [p for i, item in enumerate(value) for p in huawei_problems(item, declared[5:-1], models, "%s[%d]" % (where, i))]
    if declared.startswith("dict(") and declared.endswith(")"):
        if not isinstance(value, dict):
            return ["%s: %s, not an object (%s)" % (where, json.dumps(value), declared)]
        inner = declared[5:-1].split(",", 1)[1].strip()
        return [p for k, item in value.items() for p in huawei_problems(item, inner, models, "%s.%s" % (where, k))]
    if declared in PRIMITIVES:
        if isinstance(value, PRIMITIVES[declared]) and (declared == "bool" or not isinstance(value, bool)):
            return []
        return ["%s: %s is not %s" % (where, json.dumps(value), declared)]
    model = getattr(models, declared)
    if not isinstance(value, dict):
        return ["%s: %s, not an object (%s)" % (where, json.dumps(value), declared)]
    attribute = {wire: name for name, wire in model.attribute_map.items()}
    problems = []
    for key, item in value.items():
        if key not in attribute:
            problems.append("%s.%s: not a field of %s" % (where, key, declared))
        else:
            problems.extend(huawei_problems(item, model.openapi_types[attribute[key]], models, "%s.%s" % (where, key)))
    return problems


class Recorder:
    """An SDK response handler: keeps every raw answer the client gets, errors included."""

    def __init__(self):
        self.answers = []

    def __call__(self, **kwargs):
        self.answers.append(kwargs["response"])


def sdk_client(client_class, emulator, project=PROJECT, sk=SK):
    recorder = Recorder()
    client = (client_class.new_builder().with_credentials(BasicCredentials(AK, sk, project))
              .with_endpoint(emulator.url).with_http_handler(HttpHandler().add_response_handler(recorder)).build())
    return client, recorder


class HuaweiChecker:
    """Calls an SDK method and checks the raw answer against its response model; collects what it finds."""

    def __init__(self, models):
        self.models = models
        self.problems = []

    def call(self, client, recorder, method, request):
        response = getattr(client, method)(request)
        raw = recorder.answers[-1]
        name = type(request).__name__[:-len("Request")] + "Response"
        if raw.content:
            body = raw.json()
            self.problems.extend(huawei_problems(body, name, self.models, "%s %s" % (method, raw.status_code)))
        elif getattr(self.models, name).openapi_types:
            self.problems.append("%s: an empty answer where %s has fields" % (method, name))
        return response, (raw.json() if raw.content else None)


# -- The checkers themselves: the official examples pass them ------------------------------------------------------
HUAWEI_EXAMPLES = {  # tests/fixtures/official/huawei/mrs/ (OTC's API reference) -> the SDK's response model
    "v2_list_job_executions.json": (v2, "ShowJobExeListNewResponse"),
    "v2_show_job_execution.json": (v2, "ShowSingleJobExeResponse"),
    "v1_1_list_job_exes.json": (v1, "ListExecuteJobResponse"),
    "v1_1_show_job_exe.json": (v1, "ShowJobExesResponse"),
}


@pytest.mark.parametrize("name", sorted(HUAWEI_EXAMPLES))
def test_the_official_huawei_examples_pass_the_checker(name):
    models, response = HUAWEI_EXAMPLES[name]
    with open(os.path.join(OFFICIAL, "huawei", "mrs", name), encoding="utf-8") as f:
        assert huawei_problems(json.load(f), response, models, name) == []


def test_the_official_huawei_error_examples_are_a_shape_the_checker_knows():
    names = sorted(glob.glob(os.path.join(OFFICIAL, "huawei", "mrs", "*_error.json")))
    assert names
    for path in names:
        with open(path, encoding="utf-8") as f:
            code, message = expected_error(json.load(f))
        assert isinstance(code, str) and isinstance(message, str)


def test_the_official_tencent_examples_pass_the_checker():
    objects = tencent_api()
    with open(os.path.join(OFFICIAL, "tencent", "batch_v20170312_examples.json"), encoding="utf-8") as f:
        examples = json.load(f)["actions"]
    problems = []
    for action in ("DescribeJob", "DescribeJobs", "DeleteJob", "TerminateJob"):
        for example in examples[action]:
            output = json.loads(example["output"])
            problems.extend(tencent_object_problems(output["Response"], action + "Response", objects, action))
    assert not problems, "\n".join(problems)


# -- Huawei success answers ------------------------------------------------------------------------------------------
def test_mrs_v2_answers_are_the_sdk_models(emulator):
    emulator.seed({"demo": True})
    mrs, recorder = sdk_client(MrsClient, emulator)
    checker = HuaweiChecker(v2)
    seen = 0
    for cluster in ("mrs-prod-etl", "mrs-adhoc", "mrs-empty"):
        page = 1
        while True:
            _result, body = checker.call(mrs, recorder, "show_job_exe_list_new",
                                         v2.ShowJobExeListNewRequest(cluster_id=cluster, limit="7", offset=str(page)))
            for job in body["job_list"]:
                checker.call(mrs, recorder, "show_single_job_exe",
                             v2.ShowSingleJobExeRequest(cluster_id=cluster, job_execution_id=job["job_id"]))
                seen += 1
            if len(body["job_list"]) < 7:
                break
            page += 1
    running = [r for r in emulator.state()["mrs"] if r["job_state"] == "RUNNING" and r["project_id"] == PROJECT][0]
    checker.call(mrs, recorder, "stop_job",
                 v2.StopJobRequest(cluster_id=running["cluster_id"], job_execution_id=running["job_id"]))
    finished = [r for r in emulator.state()["mrs"] if r["job_state"] == "FINISHED" and r["project_id"] == PROJECT][0]
    checker.call(mrs, recorder, "batch_delete_jobs", v2.BatchDeleteJobsRequest(
        cluster_id=finished["cluster_id"], body=v2.JobBatchDelete(job_id_list=[finished["job_id"]])))
    assert seen == 30
    assert not checker.problems, "\n".join(checker.problems)


def test_mrs_v2_job_progress_is_a_percent(emulator):
    """The official examples give job_progress as a percent, 0 or 100, never a fraction."""
    emulator.config({"kill_delay": 0})
    emulator.seed({"mrs": [{"job_id": "j-%s" % s.lower(), "job_state": s, "cluster_id": "c1"}
                           for s in ("NEW", "SUBMITTED", "ACCEPTED", "RUNNING", "FINISHED", "FAILED", "KILLED")]})
    mrs, _recorder = sdk_client(MrsClient, emulator)
    jobs = {j.job_state: j.job_progress for j in mrs.show_job_exe_list_new(
        v2.ShowJobExeListNewRequest(cluster_id="c1", limit="10")).job_list}
    assert jobs == {"NEW": 0, "SUBMITTED": 0, "ACCEPTED": 0, "RUNNING": 50, "FINISHED": 100, "FAILED": 100,
                    "KILLED": 100}
    mrs.stop_job(v2.StopJobRequest(cluster_id="c1", job_execution_id="j-running"))
    killed = mrs.show_single_job_exe(v2.ShowSingleJobExeRequest(cluster_id="c1", job_execution_id="j-running"))
    assert (killed.job_detail.job_state, killed.job_detail.job_progress) == ("KILLED", 100)


# A v1.1 record with every JobExeResult field, as a seed may give it.
FULL_V1 = {"id": "e-full", "create_at": 1_700_000_000_000, "update_at": 1_700_000_001_000, "tenant_id": PROJECT,
           "job_id": "job-full", "job_name": "wordcount", "start_time": 1_700_000_000_000, "end_time": 1_700_000_060_000,
           "cluster_id": "mrs-legacy", "group_id": "g-1", "jar_path": "obs://b/wordcount.jar", "input": "obs://b/in",
           "output": "obs://b/out", "job_log": "obs://b/log", "job_type": 1, "file_action": "", "arguments": "wordcount",
           "hql": "", "job_state": 3, "job_final_status": 2, "hive_script_path": "", "create_by": "u-1",
           "finished_step": 1, "job_main_id": "m-1", "job_step_id": "s-1", "postpone_at": 1_700_000_000_000,
           "step_name": "step", "step_num": 1, "task_num": 1, "update_by": "u-1", "spend_time": 60.0, "step_seq": 1,
           "progress": "100%"}


def test_mrs_v1_answers_are_the_sdk_models(emulator):
    emulator.seed({"demo": True})
    emulator.seed({"mrs_v1": [FULL_V1, {"id": "e-stray", "cluster_id": "mrs-legacy", "not_a_field": "x"}]})
    mrs_v1, recorder = sdk_client(MrsV1Client, emulator)
    checker = HuaweiChecker(v1)
    listed = []
    page = 1
    while True:
        _result, body = checker.call(mrs_v1, recorder, "list_execute_job", v1.ListExecuteJobRequest(
            cluster_id="mrs-legacy", page_size="5", current_page=str(page)))
        listed += body["job_executions"]
        if len(body["job_executions"]) < 5:
            break
        page += 1
    for record in listed:
        _result, body = checker.call(mrs_v1, recorder, "show_job_exes", v1.ShowJobExesRequest(job_exe_id=record["id"]))
        assert isinstance(body["job_execution"]["job_final_status"], int)
    checker.call(mrs_v1, recorder, "delete_job_execution", v1.DeleteJobExecutionRequest(job_execution_id="e-full"))
    assert len(listed) == 12 and recorder.answers[-1].status_code == 204
    assert not checker.problems, "\n".join(checker.problems)


def test_workspace_answers_are_the_sdk_models(emulator):
    emulator.seed({"demo": True})
    emulator.seed({"workspace": [{
        "id": "w-full", "task_name": "full", "task_type": "REBOOT", "scheduled_type": "WEEK", "enable": True,
        "priority": 2, "time_zone": "UTC", "wait_time": 5, "force_execute": True, "day_interval": 1,
        "week_list": "1,3", "month_list": "", "date_list": "", "scheduled_date": "", "scheduled_time": "02:00:00",
        "expire_time": "2030-01-01 00:00:00", "description": "all fields", "extra_params": "{}",
        "last_status": "SUCCESS", "next_execution_time": "2026-01-01 02:00:00", "gray_count": 1,
        "gray_desktop_ids": ["d-1"], "gray_fail_threshold": 1,
        "apply_objects": [{"object_type": "DESKTOP", "object_id": "d-1", "object_name": "desk"}]}]})
    workspace, recorder = sdk_client(WorkspaceClient, emulator)
    checker = HuaweiChecker(ws)
    listed = []
    for scheduled_type in (None, "LIFE_CYCLE"):
        offset = 0
        while True:
            _result, body = checker.call(workspace, recorder, "list_scheduled_tasks", ws.ListScheduledTasksRequest(
                offset=offset, limit=6, scheduled_type=scheduled_type))
            listed += body["scheduled_tasks"]
            offset += 6
            if offset >= body["total_count"]:
                break
    for task in listed:
        checker.call(workspace, recorder, "show_scheduled_tasks", ws.ShowScheduledTasksRequest(task_id=task["id"]))
    checker.call(workspace, recorder, "delete_scheduled_tasks", ws.DeleteScheduledTasksRequest(task_id=listed[0]["id"]))
    checker.call(workspace, recorder, "batch_delete_scheduled_tasks", ws.BatchDeleteScheduledTasksRequest(
        body=ws.DeleteScheduledTasksReq(task_ids=[listed[1]["id"]])))
    assert len(listed) == 21
    assert not checker.problems, "\n".join(checker.problems)


# -- Huawei error answers: the SDK's exception handler reads them ----------------------------------------------------
ERROR_CODE_KEYS = {"error_code", "error_msg", "request_id", "error_detail", "encoded_authorization_message"}


def expected_error(body):
    """(code, message) of a Huawei error body in one of the shapes the services use, or an AssertionError."""
    if "error_code" in body:
        assert set(body) <= ERROR_CODE_KEYS, body
        return body["error_code"], body["error_msg"]
    if "errorCode" in body:
        assert set(body) == {"errorCode", "errorMsg"}, body
        return body["errorCode"], body["errorMsg"]
    assert set(body) == {"error"} and set(body["error"]) == {"code", "title", "message"}, body
    return body["error"]["code"], body["error"]["message"]


def _mrs(emulator, **kwargs):
    return sdk_client(MrsClient, emulator, **kwargs)


def _v1(emulator, **kwargs):
    return sdk_client(MrsV1Client, emulator, **kwargs)


def _ws(emulator, **kwargs):
    return sdk_client(WorkspaceClient, emulator, **kwargs)


def _show_missing(emulator):
    return _mrs(emulator), "show_single_job_exe", v2.ShowSingleJobExeRequest(cluster_id="c1", job_execution_id="nope")


def _list(emulator, cluster="c1", offset="1", **kwargs):
    return _mrs(emulator, **kwargs), "show_job_exe_list_new", v2.ShowJobExeListNewRequest(cluster_id=cluster, offset=offset)


def _batch(emulator, ids):
    return _mrs(emulator), "batch_delete_jobs", v2.BatchDeleteJobsRequest(cluster_id="c1", body=v2.JobBatchDelete(job_id_list=ids))


def _throttled(emulator):
    """The second list call within the rate limit's second. The SDK's session turns every 429 into a RetryError
    (urllib3's Retry with status_forcelist [429]) before its handler sees the body; a plain adapter lets it through."""
    (client, recorder), method, request = _list(emulator)
    client._http_client._session.mount("http://", HTTPAdapter())  # pylint: disable=protected-access
    getattr(client, method)(request)
    return (client, recorder), method, request


# name -> (settings, faults, the call: emulator -> ((client, recorder), method, request), code expected)
HUAWEI_ERRORS = {
    "mrs 0176 job not found": ({}, [], _show_missing, "0176"),
    "mrs 12000003 cluster not found": ({}, [], lambda e: _list(e, cluster="nope"), "12000003"),
    "mrs 0166 bad page": ({}, [], lambda e: _list(e, offset="0"), "0166"),
    "mrs 0178 empty batch": ({}, [], lambda e: _batch(e, []), "0178"),
    "mrs 0183 running job": ({}, [], lambda e: _batch(e, ["j-run"]), "0183"),
    "mrs 0161 batch too large": ({"mrs_batch_delete_max": 1}, [], lambda e: _batch(e, ["j-run", "j-done"]), "0161"),
    "mrs 12000107 unknown project": ({}, [], lambda e: _list(e, project="f" * 32), "12000107"),
    "v1.1 not found": ({}, [], lambda e: (_v1(e), "show_job_exes", v1.ShowJobExesRequest(job_exe_id="nope")),
                       "MRS.0404"),
    "v1.1 0183 running": ({}, [], lambda e: (_v1(e), "delete_job_execution",
                                             v1.DeleteJobExecutionRequest(job_execution_id="e-run")), "0183"),
    "v1.1 bad page size": ({}, [], lambda e: (_v1(e), "list_execute_job", v1.ListExecuteJobRequest(page_size="101")),
                           "MRS.0002"),
    "workspace not found": ({}, [], lambda e: (_ws(e), "show_scheduled_tasks", ws.ShowScheduledTasksRequest(task_id="x")),
                            "WKS.0103"),
    "workspace empty batch": ({}, [], lambda e: (_ws(e), "batch_delete_scheduled_tasks", ws.BatchDeleteScheduledTasksRequest(
        body=ws.DeleteScheduledTasksReq(task_ids=[]))), "WKS.0001"),
    "workspace bad limit": ({}, [], lambda e: (_ws(e), "list_scheduled_tasks", ws.ListScheduledTasksRequest(limit=51)),
                            "WKS.0001"),
    "workspace unknown project": ({}, [], lambda e: (_ws(e, project="f" * 32), "list_scheduled_tasks",
                                                     ws.ListScheduledTasksRequest()), "APIGW.0310"),
    "gateway bad signature": ({}, [], lambda e: _list(e, sk="X" + SK[1:]), "APIGW.0301"),
    "gateway throttled": ({"rate_limits": {"mrs.ShowJobExeListNew": 0.001}}, [], _throttled, "APIGW.0308"),
    "gateway 404 setting": ({"api_gateway_404": ["mrs.ShowJobExes"]}, [],
                            lambda e: (_v1(e), "show_job_exes", v1.ShowJobExesRequest(job_exe_id="e-run")), "APIGW.0101"),
    "fault 404": ({}, [{"service": "mrs", "status": 404}], _show_missing, "APIGW.0101"),
    "fault 503": ({}, [{"service": "mrs", "status": 503}], _show_missing, "APIGW.0613"),
    "fault with a code": ({}, [{"service": "mrs", "status": 500, "code": "0176", "message": "The job does not exist."}],
                          _show_missing, "0176"),
    "denial error_code": ({"policies": {AK: []}}, [], _show_missing, "APIGW.0302"),
    "denial camel": ({"policies": {AK: []}, "huawei_denial": {"body": "camel"}}, [], _show_missing, "APIGW.0302"),
    "denial keystone": ({"policies": {AK: []}, "huawei_denial": {"body": "keystone"}}, [], _show_missing, 403),
}


@pytest.mark.parametrize("name, business_status", [(n, 400) for n in sorted(HUAWEI_ERRORS)] + [
    (n, 500) for n in sorted(HUAWEI_ERRORS) if n.startswith(("mrs ", "v1.1 "))])
def test_huawei_error_bodies_are_read_by_the_sdk_exception_handler(emulator, name, business_status):
    settings, faults, make_call, code = HUAWEI_ERRORS[name]
    emulator.config(dict(settings, mrs_business_error_status=business_status))
    emulator.seed({"mrs": [{"job_id": "j-run", "job_state": "RUNNING", "cluster_id": "c1"},
                           {"job_id": "j-done", "cluster_id": "c1"}],
                   "mrs_v1": [{"id": "e-run", "job_state": 2, "cluster_id": "c1"}]})
    for fault in faults:
        emulator.fault(fault)
    (client, recorder), method, request = make_call(emulator)
    with pytest.raises(SdkException) as excinfo:
        getattr(client, method)(request)
    raw = recorder.answers[-1]
    error = excinfo.value
    assert isinstance(error, ClientRequestException if raw.status_code < 500 else ServerResponseException)
    body_code, message = expected_error(raw.json())
    assert (error.status_code, error.error_code, error.error_msg) == (raw.status_code, body_code, message)
    assert body_code == code and isinstance(message, str) and message
    assert error.request_id and error.request_id == raw.headers["X-Request-Id"]
    assert raw.json().get("request_id", error.request_id) == error.request_id
    assert raw.headers["Content-Type"] == "application/json"
    if name.startswith(("mrs 01", "v1.1 0183", "v1.1 bad")):
        assert raw.status_code == business_status, "an MRS job error follows mrs_business_error_status"
    elif name.startswith("mrs 12"):
        assert raw.status_code == 400, "12000003 and 12000107 are 400 in every source"
    if name.startswith(("mrs ", "v1.1 0183")) and business_status == 500:
        assert raw.status_code == otc_error_status(body_code), "with 500, every MRS error has the status of OTC's table"


def otc_error_status(code):
    """The HTTP status OTC's MRS error table gives ``code`` (tests/fixtures/official/huawei/mrs/error_codes.json)."""
    with open(os.path.join(OFFICIAL, "huawei", "mrs", "error_codes.json"), encoding="utf-8") as f:
        return {row["code"]: row["status"] for row in json.load(f)["codes"]}[code]


# -- Tencent: tccli's api.json ---------------------------------------------------------------------------------------
def tencent_api():
    """The objects of tccli's api.json for batch 2017-03-12 (tests/fixtures/official/tencent/, see its README)."""
    for path in sorted(glob.glob(os.path.join(OFFICIAL, "tencent", "**", "*api.json"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            api = json.load(f)
        if "DescribeJobResponse" in api.get("objects", {}):
            return api["objects"]
    raise AssertionError("tccli's api.json of batch 2017-03-12 is not in tests/fixtures/official/tencent/")


TENCENT_TYPES = {"string": (str,), "int": (int,), "int64": (int,), "uint64": (int,), "int32": (int,), "uint32": (int,),
                 "integer": (int,), "float": (int, float), "double": (int, float), "bool": (bool,), "boolean": (bool,)}


def tencent_problems(value, member, objects, where):
    """What in ``value`` the api.json member (``type``, ``member``, ``value_allowed_null``) does not allow."""
    if value is None:
        return [] if member.get("value_allowed_null") else ["%s: null, which the API does not allow" % where]
    kind, inner = member.get("type"), member.get("member")
    if kind == "list":
        if not isinstance(value, list):
            return ["%s: %s, not a list" % (where, json.dumps(value))]
        element = {"type": inner, "member": inner} if inner not in objects else {"type": "object", "member": inner}
        return [p for i, item in enumerate(value) for p in tencent_problems(item, element, objects, "%s[%d]" % (where, i))]
    if kind == "object" or (kind not in TENCENT_TYPES and inner in objects):
        return tencent_object_problems(value, inner, objects, where)
    allowed = TENCENT_TYPES.get(kind) or TENCENT_TYPES.get(inner)
    if allowed is None:
        return ["%s: api.json type %r unknown to this test" % (where, kind)]
    if isinstance(value, allowed) and (bool in allowed or not isinstance(value, bool)):
        return []
    return ["%s: %s is not %s" % (where, json.dumps(value), kind)]


def tencent_object_problems(value, name, objects, where):
    if not isinstance(value, dict):
        return ["%s: %s, not an object (%s)" % (where, json.dumps(value), name)]
    members = {m["name"]: m for m in objects[name]["members"]}
    problems = ["%s.%s: not a member of %s" % (where, k, name) for k in value if k not in members]
    for key, item in value.items():
        if key in members:
            problems.extend(tencent_problems(item, members[key], objects, "%s.%s" % (where, key)))
    if name.endswith("Response"):  # a whole answer carries every member the API says it outputs
        problems.extend("%s.%s: missing, and %s always has it" % (where, m, name)
                        for m, member in members.items() if member.get("output_required") and m not in value)
    return problems


def tencent_raw(client, action, params):
    """The raw answer to the SDK's own signed request (the SDK's typed methods keep only what they model)."""
    return client._call(action, params)  # pylint: disable=protected-access


def test_tencent_answers_are_the_api_json_objects(emulator):
    objects = tencent_api()
    emulator.config({"terminate_delay": 0})
    emulator.seed({"demo": True})
    problems = []
    batch = tencent(emulator)

    def check(action, params):
        raw = tencent_raw(batch, action, params)
        assert raw.status_code == 200 and raw.headers["Content-Type"] == "application/json"
        body = json.loads(raw.content)
        assert set(body) == {"Response"} and "Error" not in body["Response"], body
        problems.extend(tencent_object_problems(body["Response"], action + "Response", objects, action))
        model = getattr(batch_models, action + "Response")()
        model._deserialize(body["Response"])  # pylint: disable=protected-access
        return body["Response"]

    jobs = []
    for offset in range(0, 100, 8):
        page = check("DescribeJobs", {"Offset": offset, "Limit": 8})
        jobs += page["JobSet"]
        if offset + 8 >= page["TotalCount"]:
            break
    assert len(jobs) == 20
    check("DescribeJobs", {"JobIds": [j["JobId"] for j in jobs[:5]]})
    check("DescribeJobs", {"Filters": [{"Name": "job-state", "Values": ["RUNNING", "FAILED"]}], "Limit": 100})
    for job in jobs:
        check("DescribeJob", {"JobId": job["JobId"]})
    running = next(j["JobId"] for j in jobs if j["JobState"] == "RUNNING")
    check("TerminateJob", {"JobId": running})
    time.sleep(0.05)
    check("DescribeJob", {"JobId": running})
    check("DeleteJob", {"JobId": next(j["JobId"] for j in jobs if j["JobState"] == "SUCCEED")})
    assert not problems, "\n".join(problems)


# name -> (settings, action, params, code)
TENCENT_ERRORS = {
    "not found": ({}, "DescribeJob", {"JobId": "job-00000000"}, "ResourceNotFound.Job"),
    "malformed id": ({}, "DeleteJob", {"JobId": "job-../x"}, "InvalidParameter.JobIdMalformed"),
    "missing id": ({}, "TerminateJob", {}, "MissingParameter"),
    "not finished": ({}, "DeleteJob", {"JobId": "job-aaaa0001"}, "UnsupportedOperation"),
    "limit": ({}, "DescribeJobs", {"Limit": 101}, "InvalidParameterValue.LimitExceeded"),
    "filter": ({}, "DescribeJobs", {"Filters": [{"Name": "nope", "Values": ["x"]}]}, "InvalidFilter"),
    "unknown ids": ({"tencent_describe_jobs_unknown_ids": "error"}, "DescribeJobs", {"JobIds": ["job-00000000"]},
                    "ResourceNotFound.Job"),
    "region": ({"tencent_batch_regions": ["ap-shanghai"]}, "DescribeJobs", {}, "UnsupportedRegion"),
    "throttled": ({"rate_limits": {"tencent.DescribeJob": 0.001}}, "DescribeJob", {"JobId": "job-aaaa0001"},
                  "RequestLimitExceeded"),
    "denied": ({"policies": {creds.TENCENT_SECRET_ID: []}}, "DescribeJobs", {}, "UnauthorizedOperation"),
}


@pytest.mark.parametrize("name", sorted(TENCENT_ERRORS))
def test_tencent_error_bodies_are_read_by_the_sdk(emulator, name):
    settings, action, params, code = TENCENT_ERRORS[name]
    emulator.config(settings)
    emulator.seed({"tencent": [{"JobId": "job-aaaa0001", "JobState": "RUNNING"}]})
    batch = tencent(emulator)
    if name == "throttled":
        tencent_raw(batch, action, params)
    raw = tencent_raw(batch, action, params)
    body = json.loads(raw.content)
    assert raw.status_code == 200 and raw.headers["Content-Type"] == "application/json"
    assert set(body) == {"Response"} and set(body["Response"]) == {"Error", "RequestId"}, body
    assert set(body["Response"]["Error"]) == {"Code", "Message"}, body
    with pytest.raises(TencentCloudSDKException) as excinfo:
        batch._check_status(raw)  # pylint: disable=protected-access
        batch._check_error(raw)  # pylint: disable=protected-access
    error = excinfo.value
    assert (error.get_code(), error.get_message(), error.get_request_id()) == (
        code, body["Response"]["Error"]["Message"], body["Response"]["RequestId"])
    assert isinstance(error.get_message(), str) and error.get_message() and error.get_request_id()
