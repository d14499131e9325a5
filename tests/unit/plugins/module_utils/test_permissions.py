# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Permission denials at the client boundary: which answers are denials (and which are not), what the error keeps
of the service's answer, the actions it names from the permission table, that a denial is never retried, and the
project lookup among the caller's own projects."""

from __future__ import annotations

import ast
import json

import pytest
import requests

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _huawei, _permissions, _tencent
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._retry import RetryPolicy

SECRET = "SUPERSECRETKEY0000000000000000000000000000"
ENCODED = "ZW5jb2RlZCBhdXRob3JpemF0aW9uIG1lc3NhZ2U="


def response(status, body, headers=None):
    answer = requests.models.Response()
    answer.status_code = status
    answer._content = json.dumps(body).encode()  # pylint: disable=protected-access
    answer.headers["Content-Type"] = "application/json"
    answer.headers.update(headers or {})
    return answer


# -- the table ------------------------------------------------------------------------------------------------------
def test_every_huawei_operation_names_its_classic_action_first_and_its_identity_alias():
    assert _permissions.required_actions("mrs", "BatchDeleteJobs") == ("mrs:job:batchDelete", "mrs:cluster:deleteJobs")
    assert _permissions.required_actions("mrs", "ShowJobExeListNew") == ("mrs:job:list", "mrs:cluster:listJobs")
    assert _permissions.required_actions("mrs", "StopJob") == ("mrs:job:stop", "mrs:cluster:stopJob")
    assert _permissions.required_actions("workspace", "BatchDeleteScheduledTasks") == (
        "workspace:scheduledTasks:batchDelete",)
    assert _permissions.required_actions("batch", "DeleteJob") == ("batch:DeleteJob",)


def test_an_operation_that_needs_no_permission_or_is_unknown_names_none():
    assert _permissions.required_actions("iam", "KeystoneListAuthProjects") == ()
    assert _permissions.required_actions("mrs", "NoSuchOperation") == ()


def test_the_table_every_module_run_imports_stays_light():
    """Every module run imports the table: the standard library only, and no docs-only data. Which operations each way
    of running calls (the modes) lives with the permissions guide's generator, tests/docs_site/permissions_page.py."""
    with open(_permissions.__file__, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "json", "re", "collections"}, sorted(imported)
    for name in ("Mode", "MODES", "MODES_BY_KEY", "MODULE_MODES", "SYSTEM_POLICIES"):
        assert not hasattr(_permissions, name), name


def test_every_operation_names_its_call_and_what_a_policy_can_scope():
    for (service, operation), permission in _permissions.PERMISSIONS.items():
        assert (permission.service, permission.operation) == (service, operation)
        assert permission.call, operation
        if permission.cloud == _permissions.HUAWEI and permission.names:
            assert set(permission.names) == {_permissions.CLASSIC, _permissions.IDENTITY}, operation
        if permission.cloud == _permissions.TENCENT and permission.names:
            assert set(permission.names) == {_permissions.CAM}, operation


# -- the hint -------------------------------------------------------------------------------------------------------
def test_the_hint_names_the_operation_and_both_huawei_names():
    hint = _permissions.denial_hint("mrs", "BatchDeleteJobs")
    assert hint.startswith("permission denied: BatchDeleteJobs needs mrs:job:batchDelete (classic policy, Version 1.1) or "
                           "mrs:cluster:deleteJobs (identity policy, Version 5.0); grant it to the credential"), hint
    assert "permissions guide" in hint and "decode" not in hint


def test_a_huawei_action_with_one_name_says_it_serves_both_systems():
    hint = _permissions.denial_hint("workspace", "BatchDeleteScheduledTasks")
    assert "needs workspace:scheduledTasks:batchDelete (classic and identity policies)" in hint, hint


def test_the_tencent_hint_names_the_cam_action():
    hint = _permissions.denial_hint("batch", "DeleteJob")
    assert "DeleteJob needs batch:DeleteJob" in hint, hint


def test_with_an_encoded_message_the_hint_says_how_to_decode_it():
    hint = _permissions.denial_hint("mrs", "StopJob", encoded=True)
    assert "encoded_authorization_message" in hint and _permissions.DECODE_ACTION in hint
    assert "decode-authorization-message" in hint, hint


def test_an_operation_outside_the_table_still_reads_as_a_denial():
    assert _permissions.denial_hint("mrs", "NoSuchOperation").startswith(
        "permission denied: the credential may not call NoSuchOperation")


# -- which answers are denials ----------------------------------------------------------------------------------
@pytest.mark.parametrize("status, code, message, encoded, expected", [
    (403, "APIGW.0302", "The IAM user is not authorized to access the API", None, True),
    (403, "APIGW.0306", "Access denied", None, True),
    (403, "APIG.0302", "", None, True),
    (403, "MRS.0002", "any service code under 403", None, True),
    (403, 403, "keystone: You do not have permission", None, True),
    (400, "MRS.0002", "User: x is not authorized to perform action mrs:job:list", None, True),
    (500, "WKS.0001", "", ENCODED, True),                 # an encoded authorization message is a denial
    (400, "MRS.0002", "Policy doesn't allow mrs:job:batchDelete", None, True),
    (401, "APIGW.0301", "not authorized: incorrect IAM authentication information", None, False),
    (403, "APIGW.0310", "the project is unavailable", None, False),
    (403, "APIG.0310", "", None, False),
    (400, "MRS.0002", "invalid job id", None, False),
    (429, "APIGW.0308", "throttled", None, False),
])
def test_huawei_denials_whatever_their_shape(status, code, message, encoded, expected):
    assert _permissions.is_huawei_denial(status, code, message, encoded) is expected


@pytest.mark.parametrize("code, expected", [
    ("UnauthorizedOperation", True),
    ("UnauthorizedOperation.CamNoAuth", True),
    ("UnauthorizedOperation.UserNotAllowedToUseBatch", True),
    ("AuthFailure.UnauthorizedOperation", True),
    ("AuthFailure.SignatureFailure", False),
    ("ResourceNotFound.Job", False),
    (None, False),
])
def test_tencent_denials_by_code(code, expected):
    assert _permissions.is_tencent_denial(code) is expected


# -- what the Huawei error keeps ------------------------------------------------------------------------------------
def test_an_error_code_body_keeps_its_detail_and_encoded_message_and_names_the_actions():
    body = {"error_code": "APIGW.0302", "error_msg": "The IAM user is not authorized to access the API",
            "error_detail": "identity policy evaluated", "encoded_authorization_message": ENCODED,
            "request_id": "r-1"}
    error = _huawei.parse_error("mrs", "BatchDeleteJobs", response(403, body))
    assert error.permission_denied and error.code == "APIGW.0302" and error.request_id == "r-1"
    assert error.required_actions == ("mrs:job:batchDelete", "mrs:cluster:deleteJobs")
    out = error.to_dict()
    assert out["error_detail"] == "identity policy evaluated" and out["encoded_authorization_message"] == ENCODED
    assert out["required_actions"] == ["mrs:job:batchDelete", "mrs:cluster:deleteJobs"]
    text = str(error)
    assert "BatchDeleteJobs needs mrs:job:batchDelete" in text and _permissions.DECODE_ACTION in text, text


def test_a_keystone_body_with_an_integer_code_is_a_denial():
    body = {"error": {"code": 403, "message": "You do not have permission to perform the requested action",
                      "title": "Forbidden"}}
    error = _huawei.parse_error("workspace", "ListScheduledTasks", response(403, body))
    assert error.code == "403" and error.permission_denied
    assert error.required_actions == ("workspace:scheduledTasks:list",)
    assert "encoded_authorization_message" not in error.to_dict() and "error_detail" not in error.to_dict()


def test_a_camel_case_body_nested_in_an_envelope_keeps_the_outer_details():
    body = {"encoded_authorization_message": ENCODED,
            "error": {"errorCode": "MRS.0002", "errorMsg": "User: u is not authorized to perform action mrs:job:get"}}
    error = _huawei.parse_error("mrs", "ShowSingleJobExe", response(400, body))
    assert error.code == "MRS.0002" and error.permission_denied
    assert error.encoded_authorization_message == ENCODED


def test_a_400_that_names_no_permission_is_an_ordinary_error():
    error = _huawei.parse_error("mrs", "BatchDeleteJobs", response(400, {"error_code": "MRS.0002",
                                                                         "error_msg": "bad request"}))
    assert not error.permission_denied and error.required_actions is None
    assert "required_actions" not in error.to_dict()


def test_a_structured_error_detail_is_kept_as_json_and_secrets_are_scrubbed():
    body = {"error_code": "APIGW.0306", "error_msg": "denied for %s" % SECRET,
            "error_detail": {"key": SECRET, "why": "policy"}, "encoded_authorization_message": SECRET}
    error = _huawei.parse_error("mrs", "StopJob", response(403, body), secrets=[SECRET])
    assert SECRET not in json.dumps(error.to_dict()) and SECRET not in str(error)
    assert json.loads(error.detail)["why"] == "policy"


def test_a_401_is_not_a_denial_it_is_who_is_asking():
    error = _huawei.parse_error("mrs", "ShowJobExeListNew",
                                response(401, {"error_code": "APIGW.0301", "error_msg": "not authorized"}))
    assert not error.permission_denied and _huawei.is_auth_failure(error)


@pytest.mark.parametrize("status", [403, 500, 429])
def test_a_denial_is_never_retried_whatever_its_status(status):
    error = ApiError("Huawei Cloud MRS", "BatchDeleteJobs", "denied", status=status, code="APIGW.0302")
    error.deny(("mrs:job:batchDelete",), "hint")
    assert not RetryPolicy(max_retries=5).is_retryable(error)


# -- Tencent --------------------------------------------------------------------------------------------------------
class FakeTencentConnection:
    """Just what ``TencentCloudConnection._parse`` reads."""

    service = "batch"
    region = "ap-guangzhou"
    secrets = [SECRET]
    _parse = _tencent.TencentCloudConnection._parse  # pylint: disable=protected-access


@pytest.mark.parametrize("code", ["UnauthorizedOperation", "AuthFailure.UnauthorizedOperation",
                                  "UnauthorizedOperation.CamNoAuth"])
def test_a_tencent_denial_names_the_cam_action_and_is_final(code):
    envelope = {"Response": {"Error": {"Code": code, "Message": "you are not authorized, key %s" % SECRET},
                             "RequestId": "req-9"}}
    with pytest.raises(ApiError) as excinfo:
        FakeTencentConnection()._parse("DeleteJob", response(200, envelope))
    error = excinfo.value
    assert error.permission_denied and error.required_actions == ("batch:DeleteJob",)
    assert error.to_dict()["required_actions"] == ["batch:DeleteJob"] and error.request_id == "req-9"
    assert "DeleteJob needs batch:DeleteJob" in str(error) and SECRET not in str(error)
    assert not RetryPolicy(max_retries=5).is_retryable(error)


def test_another_tencent_error_is_not_a_denial():
    envelope = {"Response": {"Error": {"Code": "ResourceNotFound.Job", "Message": "no such job"}, "RequestId": "r"}}
    with pytest.raises(ApiError) as excinfo:
        FakeTencentConnection()._parse("DeleteJob", response(200, envelope))
    assert not excinfo.value.permission_denied and "required_actions" not in excinfo.value.to_dict()


# -- the project lookup among the caller's own projects ------------------------------------------------------
class Projects:
    """A requests session answering ``GET /v3/auth/projects`` with ``projects``; ``urls`` lists what was asked."""

    def __init__(self, projects):
        self.projects, self.urls, self.verify = projects, [], True

    def request(self, method, url, **kwargs):
        self.urls.append((method, url))
        if "/v3/auth/projects" in url:
            return response(200, {"projects": self.projects, "links": {}})
        return response(200, {"job_list": [], "total_record": 0})

    def close(self):
        pass


def connection_with(projects):
    params = dict(access_key="AKTEST", secret_key=SECRET, region="cn-north-4", cloud="myhuaweicloud.com",
                  validate_certs=True, timeout=5.0, max_retries=0)
    connection = _huawei.HuaweiCloudConnection.from_params(params, "mrs")
    session = Projects(projects)
    connection.transport.session = session
    return connection, session


def test_the_project_named_after_the_region_is_found_among_several():
    connection, session = connection_with([
        {"id": "p" * 32, "name": "cn-north-4_dev"}, {"id": "a" * 32, "name": "cn-north-4"},
        {"id": "b" * 32, "name": "ap-southeast-1"}, {"id": "c" * 32, "name": "MOS"}])
    assert connection.project_id == "a" * 32
    assert session.urls == [("GET", "https://iam.cn-north-4.myhuaweicloud.com/v3/auth/projects")]


@pytest.mark.parametrize("projects, expected", [
    ([{"id": "b" * 32, "name": "ap-southeast-1"}, {"id": "c" * 32, "name": "cn-north-4_dev"}],
     "none of the projects these credentials can see is named cn-north-4 (they see ap-southeast-1, cn-north-4_dev)"),
    ([{"id": "a" * 32, "name": "cn-north-4"}, {"id": "d" * 32, "name": "cn-north-4"}],
     "more than one of the projects these credentials can see is named cn-north-4"),
    ([{"name": "cn-north-4"}], "none of the projects"),   # a project without an id resolves nothing
])
def test_no_single_project_of_that_name_says_what_the_caller_sees_and_what_to_set(projects, expected):
    connection, session = connection_with(projects)
    with pytest.raises(ConfigurationError) as excinfo:
        connection.request("ShowJobExeListNew", "GET", "/v2/x/clusters/c1/job-exes")
    text = str(excinfo.value)
    assert expected in text, text
    assert "project_id (HW_PROJECT_ID)" in text and SECRET not in text
    assert len(session.urls) == 1   # the lookup only: no MRS call without a project


def test_a_long_list_of_visible_projects_is_cut_short():
    visible = [{"id": "%032d" % n, "name": "region-%02d" % n} for n in range(_huawei.PROJECTS_SHOWN + 5)]
    connection, _session = connection_with(visible)
    with pytest.raises(ConfigurationError) as excinfo:
        connection.request("ShowJobExeListNew", "GET", "/v2/x/clusters/c1/job-exes")
    text = str(excinfo.value)
    assert "region-09, ..." in text and "region-10" not in text, text
