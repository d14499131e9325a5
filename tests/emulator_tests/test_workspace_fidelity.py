"""huaweicloudsdkworkspace's WorkspaceClient against the emulator, and the IAM project lookup."""

import json
import urllib.request
from types import SimpleNamespace

import pytest
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkworkspace.v2 import model

from sdk_clients import AK, PROJECT, SK  # pylint: disable=import-error


def seed_tasks(emulator, n, scheduled_type="DAY", prefix="t"):
    emulator.seed({"workspace": [{"id": "%s%03d" % (prefix, i), "task_name": "%s-%d" % (prefix, i),
                                  "scheduled_type": scheduled_type} for i in range(n)]})


def test_list_pages_from_offset_0_and_hides_life_cycle(workspace, emulator):
    seed_tasks(emulator, 60)
    seed_tasks(emulator, 2, scheduled_type="LIFE_CYCLE", prefix="lc")
    page = workspace.list_scheduled_tasks(model.ListScheduledTasksRequest(offset=50, limit=50))
    assert page.total_count == 60 and len(page.scheduled_tasks) == 10
    triggered = workspace.list_scheduled_tasks(model.ListScheduledTasksRequest(offset=0, limit=50, scheduled_type="LIFE_CYCLE"))
    assert triggered.total_count == 2


def test_limit_over_50_is_refused(workspace, emulator):
    with pytest.raises(ClientRequestException):
        workspace.list_scheduled_tasks(model.ListScheduledTasksRequest(offset=0, limit=51))


def test_show_is_flat(workspace, emulator):
    seed_tasks(emulator, 1)
    shown = workspace.show_scheduled_tasks(model.ShowScheduledTasksRequest(task_id="t000"))
    assert shown.id == "t000" and shown.task_name == "t-0"


@pytest.mark.parametrize("setting", ["reject", "ignore"])
def test_batch_delete_with_unknown_ids_follows_the_setting(workspace, emulator, setting):
    emulator.config({"workspace_unknown_ids": setting})
    seed_tasks(emulator, 2)
    request = model.BatchDeleteScheduledTasksRequest(body=model.DeleteScheduledTasksReq(task_ids=["t000", "zzz"]))
    if setting == "reject":
        with pytest.raises(ClientRequestException):
            workspace.batch_delete_scheduled_tasks(request)
        assert len(emulator.state()["workspace"]) == 2
    else:
        workspace.batch_delete_scheduled_tasks(request)
        assert [t["id"] for t in emulator.state()["workspace"]] == ["t001"]


def test_batch_delete_limits(workspace, emulator):
    for ids in ([], ["x%d" % i for i in range(5001)]):
        with pytest.raises(ClientRequestException):
            workspace.batch_delete_scheduled_tasks(
                model.BatchDeleteScheduledTasksRequest(body=model.DeleteScheduledTasksReq(task_ids=ids)))


def test_single_delete(workspace, emulator):
    seed_tasks(emulator, 1)
    workspace.delete_scheduled_tasks(model.DeleteScheduledTasksRequest(task_id="t000"))
    assert emulator.state()["workspace"] == []


def test_iam_project_lookup_with_the_sdk_signer(emulator):
    req = SdkRequest(method="GET", schema="http", host="127.0.0.1:%d" % emulator.port, resource_path="/v3/projects",
                     query_params=[("name", "cn-north-4")], header_params={"Content-Type": "application/json"})
    Signer(SimpleNamespace(ak=AK, sk=SK)).sign(req)
    http = urllib.request.Request(emulator.url + req.uri, headers=req.header_params)
    with urllib.request.urlopen(http, timeout=10) as response:
        projects = json.loads(response.read())["projects"]
    assert [p["id"] for p in projects] == [PROJECT]
    assert emulator.requests()[-1]["operation"] == "KeystoneListProjects"
