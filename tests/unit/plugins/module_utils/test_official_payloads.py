# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vendors' own example payloads (tests/fixtures/official, see its README) through the collection's code.

A fake HTTP session answers each request with the bytes of an official payload. Everything above it is the
collection's: ``Transport``, the Huawei and Tencent connections (status handling, error envelopes), the service
clients, the cleanup targets and ``ensure_absent``. Where a test needs an answer the official material does not
give (a second page, the show of a record only listed, a job the examples only list), the fake builds it from the
official records and says so in a comment.
"""

from __future__ import annotations

import calendar
import json
import re
import time
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _huawei
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._batches import FAILED, GONE, SPLIT_BATCH
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import ensure_absent
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, mark_not_found
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei import HuaweiCloudConnection, HuaweiRetryPolicy
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei_credentials import CredentialPlan
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._mrs import (
    NOT_FOUND,
    MrsClient,
    MrsJobExecutions,
    MrsJobExecutionsV1,
    classify_delete_error,
    mrs_selection,
    mrs_target,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent import TencentCloudConnection, TencentRetryPolicy
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent_batch import (
    DESCRIBE_JOBS_MAX,
    FINISHED_STATES,
    JOB_STATES,
    UNFINISHED_COUNTERS,
    TencentBatchClient,
    TencentBatchJobs,
    render_job,
    tencent_selection,
    tencent_target,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._transport import Transport
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._workspace import WorkspaceScheduledTasks
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.module_utils import official_fixtures

PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
MRS_ENDPOINT = "https://mrs.cn-north-4.example.invalid"
BATCH_ENDPOINT = "https://batch.example.invalid"


# -- the fake HTTP session ------------------------------------------------------------------------------------------
def response(status, content=b"", request_id=None):
    """A ``requests`` response with ``content`` as the body, byte for byte."""
    answer = requests.models.Response()
    answer.status_code = status
    answer._content = content  # pylint: disable=protected-access
    if content:
        answer.headers["Content-Type"] = "application/json"
    if request_id:
        answer.headers["X-Request-Id"] = request_id
    return answer


class Session:
    """What ``Transport`` asks of a ``requests.Session``: ``answer(method, path, query, headers, body)`` returns
    ``(status, bytes)``; ``calls`` logs ``(method, path, query, headers, body)`` of every request."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = []
        self.verify = True

    def request(self, method, url, headers=None, data=None, **_settings):
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        body = json.loads(data) if data else None
        self.calls.append((method, parts.path, query, dict(headers or {}), body))
        status, content = self.answer(method, parts.path, query, headers or {}, body)
        return response(status, content, request_id="req-official")

    def close(self):
        pass


def huawei_connection(answer):
    """The real MRS connection (token auth, no retries) over ``Session(answer)``."""
    session = Session(answer)
    params = {"auth_token": "token", "project_id": PROJECT, "region": "cn-north-4", "endpoint": MRS_ENDPOINT}
    connection = HuaweiCloudConnection("mrs", params, Transport(session=session), HuaweiRetryPolicy(max_retries=0),
                                       plan=CredentialPlan("auth_token", token_auth=True))
    return connection, session


def tencent_connection(answer):
    """The real Batch connection (signed, no retries) over ``Session(answer)``; the answer gets the action and the
    JSON parameters in place of the path and body."""

    def by_action(_method, _path, _query, headers, body):
        return answer(headers["X-TC-Action"], body or {})

    session = Session(by_action)
    params = {"secret_id": "AKIDOFFICIALFIXTURES000000000000000", "secret_key": "OFFICIALFIXTURESKEY0000000000000",
              "region": "ap-guangzhou", "endpoint": BATCH_ENDPOINT}
    connection = TencentCloudConnection(params, Transport(session=session), TencentRetryPolicy(max_retries=0), None)
    return connection, session


def utc(text):
    return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")))


def ids_of(entries):
    return [entry["id"] for entry in entries]


# -- MRS: the payloads ----------------------------------------------------------------------------------------------
V2_LIST = "huawei/mrs/v2_list_job_executions.json"
V2_SHOW = "huawei/mrs/v2_show_job_execution.json"
V1_LIST = "huawei/mrs/v1_1_list_job_exes.json"
V1_SHOW = "huawei/mrs/v1_1_show_job_exe.json"

ACCEPTED_IDS = ["981374c1-85da-44ee-be32-edfb4fba776c", "c54c8aa0-c277-4f83-8acc-521d85cfa32b"]
FINISHED_ID = "431b135e-c090-489f-b1db-0abe3822b855"
V1_RUNNING_ID = "669476bd-89d2-45aa-8f1a-872d16de377e"
V1_RUNNING_CLUSTER = "2b460e01-3351-4170-b0a7-57b9dd5ffef3"  # the listed record's cluster_id
V1_REQUESTED_CLUSTER = "20ca8601-72a2-4570-b788-2a20fec81a95"  # the clusterId of OTC's example request
V1_ENDED_ID = "632863d5-15d4-4691-9dc1-1a72340cb097"
V1_ENDED_CLUSTER = "8b1d55f6-150e-45e2-8347-b2ca608d366b"
CLUSTER = "c1"


def table_status(code):
    """The HTTP status OTC's error table gives ``code``."""
    return next(row["status"] for row in official_fixtures.load("huawei/mrs/error_codes.json")["codes"] if row["code"] == code)


class MrsServer:
    """MRS v2 and v1.1 as the official examples answer them.

    v2: the list answers ``v2_list_job_executions.json`` (whatever the page size: a one-record count included); the
    show of its id answers ``v2_show_job_execution.json``; batch-delete and kill answer 202 with no body, as documented.
    v1.1: page 1 of the list answers ``v1_1_list_job_exes.json``; a later page (not in the examples) answers the same
    totalRecord with no records; the show of the example's id answers ``v1_1_show_job_exe.json``, the show of the
    listed record (no official example) that record; DELETE answers 204 with no body, as documented.
    ``errors``: operation -> (status, bytes) that operation answers instead.
    """

    def __init__(self, errors=None, v1_list=None):
        self.errors = dict(errors or {})
        self.v1_list = v1_list if v1_list is not None else official_fixtures.read_bytes(V1_LIST)

    def operation(self, method, path):
        v2 = "/v2/%s/clusters/%s/job-executions" % (PROJECT, CLUSTER)
        v1 = "/v1.1/%s/" % PROJECT
        routes = (
            ("GET", "^%s$" % v2, "ShowJobExeListNew"),
            ("POST", "^%s/batch-delete$" % v2, "BatchDeleteJobs"),
            ("POST", "^%s/[^/]+/kill$" % v2, "StopJob"),
            ("GET", "^%s/[^/]+$" % v2, "ShowSingleJobExe"),
            ("GET", "^%sjob-exes$" % v1, "ListExecuteJob"),
            ("GET", "^%sjob-exes/[^/]+$" % v1, "ShowJobExes"),
            ("DELETE", "^%sjob-executions/[^/]+$" % v1, "DeleteJobExecution"),
        )
        for route_method, pattern, operation in routes:
            if method == route_method and re.match(pattern, path):
                return operation
        raise AssertionError("no MRS route for %s %s" % (method, path))

    def __call__(self, method, path, query, headers, body):
        operation = self.operation(method, path)
        if operation in self.errors:
            return self.errors[operation]
        last = path.rsplit("/", 1)[1]
        if operation == "ShowJobExeListNew":
            return 202, official_fixtures.read_bytes(V2_LIST)
        if operation == "ShowSingleJobExe":
            assert last == FINISHED_ID, last
            return 202, official_fixtures.read_bytes(V2_SHOW)
        if operation in ("BatchDeleteJobs", "StopJob"):
            return 202, b""
        if operation == "ListExecuteJob":
            if query.get("current_page", "1") == "1":
                return 200, self.v1_list
            return 200, json.dumps({"totalRecord": json.loads(self.v1_list)["totalRecord"], "job_executions": []}).encode()
        if operation == "ShowJobExes":
            if last == V1_ENDED_ID:
                return 200, official_fixtures.read_bytes(V1_SHOW)
            listed = {r["id"]: r for r in json.loads(self.v1_list)["job_executions"]}
            assert last in listed, last
            return 200, json.dumps({"job_execution": listed[last]}).encode()
        return 204, b""  # DeleteJobExecution


def operations(session):
    server = session.answer
    return [server.operation(method, path) for method, path, _query, _headers, _body in session.calls]


def mutating(session):
    return [call for call in session.calls if call[0] != "GET"]


def mrs(connection, cluster_id=CLUSTER, api_version="v2", deleting=True, job_execution_ids=None, filters=None):
    selection = mrs_selection(job_execution_ids, filters, deleting=deleting)
    return mrs_target(MrsClient(connection), selection, cluster_id=cluster_id, api_version=api_version)


# -- MRS v2 ---------------------------------------------------------------------------------------------------------
def test_v2_list_example_is_read_in_one_request():
    connection, session = huawei_connection(MrsServer())
    target = mrs(connection, deleting=False, filters={})
    records, absent = target.look()
    assert absent == [] and isinstance(target, MrsJobExecutions)
    assert [target.summary(r) for r in records] == [
        (ACCEPTED_IDS[0], "SparkSubmitTest", "ACCEPTED", "2019-08-02T02:59:23Z"),
        (ACCEPTED_IDS[1], "SparkSubmitTest2", "ACCEPTED", "2019-08-02T02:47:00Z"),
    ]
    assert [target.created(r) for r in records] == [1564714763.119, 1564714020.099]
    assert [r["job_progress"] for r in records] == [0, 0]  # a percent: the show example's FINISHED job has 100
    assert operations(session) == ["ShowJobExeListNew"]
    assert session.calls[0][2]["limit"] == "100" and session.calls[0][2]["offset"] == "1"


def test_v2_accepted_examples_are_not_selected_by_the_default_filters():
    connection, session = huawei_connection(MrsServer())
    result = ensure_absent(mrs(connection, filters={}))
    assert result.records == [] and result.deleted == [] and result.not_deleted == [] and not result.failed
    assert mutating(session) == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_v2_accepted_examples_asked_for_by_id_are_reported_and_not_deleted(check_mode):
    connection, session = huawei_connection(MrsServer())
    result = ensure_absent(mrs(connection, job_execution_ids=ACCEPTED_IDS), check_mode=check_mode)
    assert result.deleted == [] and sorted(ids_of(result.not_deleted)) == sorted(ACCEPTED_IDS)
    assert all("ACCEPTED" in entry["reason"] for entry in result.not_deleted), result.not_deleted
    assert result.failed  # asked for by id: a record that cannot go fails the task
    assert mutating(session) == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_v2_show_example_is_read_and_deleted(check_mode):
    connection, session = huawei_connection(MrsServer())
    target = mrs(connection, job_execution_ids=[FINISHED_ID])
    record = MrsClient(connection).show_job_execution(CLUSTER, FINISHED_ID)
    assert target.summary(record) == (FINISHED_ID, "pyspark1", "FINISHED", "2019-08-01T02:29:21Z")
    assert record["job_progress"] == 100 and target.blocker(record) is None
    del session.calls[:]
    result = ensure_absent(target, check_mode=check_mode)
    assert result.deleted == [FINISHED_ID] and result.not_deleted == [] and not result.failed
    if check_mode:
        assert operations(session) == ["ShowSingleJobExe"]
    else:
        assert operations(session) == ["ShowSingleJobExe", "BatchDeleteJobs"]
        assert session.calls[-1][4] == {"job_id_list": [FINISHED_ID]}


@pytest.mark.parametrize("fixture, operation, code, message", [
    ("huawei/mrs/v2_list_job_executions_error.json", "ShowJobExeListNew", "0166", "Failed to query the job list."),
    ("huawei/mrs/v2_show_job_execution_error.json", "ShowSingleJobExe", "0162", "Failed to query the job."),
    ("huawei/mrs/v2_batch_delete_error.json", "BatchDeleteJobs", "0161", "Failed to delete jobs in batches."),
    ("huawei/mrs/v2_kill_error.json", "StopJob", "0175", "Failed to terminate the job."),
])
def test_v2_error_examples_parse_to_their_code(fixture, operation, code, message):
    status = table_status(code)
    assert status == 500  # OTC's table; Huawei's own table and Terraform see some of these with 400
    connection, dummy = huawei_connection(MrsServer(errors={operation: (status, official_fixtures.read_bytes(fixture))}))
    client = MrsClient(connection)
    calls = {
        "ShowJobExeListNew": lambda: list(client.list_job_executions(CLUSTER, {})),
        "ShowSingleJobExe": lambda: client.show_job_execution(CLUSTER, FINISHED_ID),
        "BatchDeleteJobs": lambda: client.batch_delete_job_executions(CLUSTER, [FINISHED_ID]),
        "StopJob": lambda: client.kill_job_execution(CLUSTER, FINISHED_ID),
    }
    with pytest.raises(ApiError) as raised:
        calls[operation]()
    error = raised.value
    assert (error.code, error.message, error.status, error.request_id) == (code, message, 500, "req-official")
    assert error.service == "Huawei Cloud MRS" and error.operation == operation
    assert not error.not_found  # a failed query or delete never reads as "the job does not exist"
    if operation in ("BatchDeleteJobs", "StopJob"):
        assert classify_delete_error(error) == {"0161": SPLIT_BATCH, "0175": FAILED}[code]


def test_v2_list_error_fails_the_run_and_deletes_nothing():
    error = (500, official_fixtures.read_bytes("huawei/mrs/v2_list_job_executions_error.json"))
    connection, session = huawei_connection(MrsServer(errors={"ShowJobExeListNew": error}))
    result = ensure_absent(mrs(connection, filters={}))
    assert result.failed and "0166" in result.failure_message("MRS job execution")
    assert result.deleted == [] and mutating(session) == []


def test_v2_show_error_is_not_read_as_already_absent():
    error = (500, official_fixtures.read_bytes("huawei/mrs/v2_show_job_execution_error.json"))
    connection, session = huawei_connection(MrsServer(errors={"ShowSingleJobExe": error}))
    result = ensure_absent(mrs(connection, job_execution_ids=[FINISHED_ID]))
    assert result.already_absent == [] and ids_of(result.not_deleted) == [FINISHED_ID] and result.failed
    assert result.not_deleted[0]["error_code"] == "0162" and mutating(session) == []


def test_only_the_job_does_not_exist_codes_of_the_error_table_read_as_gone():
    """Every row of OTC's error table, sent with its own status as ``{"error_code", "error_msg"}``: only 0176 and 0201
    ("The job does not exist.") make a show answer None and a delete count as done."""
    rows = official_fixtures.load("huawei/mrs/error_codes.json")["codes"]
    gone_on_show, gone_on_delete = set(), set()
    for row in rows:
        body = json.dumps({"error_code": row["code"], "error_msg": row["message"]}).encode()
        connection, dummy = huawei_connection(MrsServer(errors={"ShowSingleJobExe": (row["status"], body),
                                                                "BatchDeleteJobs": (row["status"], body)}))
        client = MrsClient(connection)
        try:
            if client.show_job_execution(CLUSTER, FINISHED_ID) is None:
                gone_on_show.add(row["code"])
        except ApiError as error:
            assert error.code == row["code"] and error.status == row["status"]
        with pytest.raises(ApiError) as raised:
            client.batch_delete_job_executions(CLUSTER, [FINISHED_ID])
        if classify_delete_error(raised.value) == GONE:
            gone_on_delete.add(row["code"])
    assert gone_on_show == gone_on_delete == {"0176", "0201"}


# -- MRS v1.1 -------------------------------------------------------------------------------------------------------
def test_v1_list_example_is_read_and_a_short_page_ends_the_listing():
    """OTC's example answers totalRecord 14 with one record: a page shorter than the page size asked for is the last
    one, whatever the total says, so the listing costs one request."""
    connection, session = huawei_connection(MrsServer())
    target = mrs(connection, cluster_id=V1_RUNNING_CLUSTER, api_version="v1.1", deleting=False, filters={})
    records, absent = target.look()
    assert isinstance(target, MrsJobExecutionsV1) and absent == []
    assert [r["id"] for r in records] == [V1_RUNNING_ID]
    summary = target.summary(records[0])
    assert (summary[0], summary[1], summary[3]) == (V1_RUNNING_ID, "myfirstjob", "2017-01-17T08:16:43Z")
    assert target.created(records[0]) == 1484641003.707
    assert operations(session) == ["ListExecuteJob"]
    assert session.calls[0][2]["cluster_id"] == V1_RUNNING_CLUSTER


@pytest.mark.parametrize("selected_by", ["filters", "id"])
def test_v1_running_list_example_is_reported_not_deleted(selected_by):
    """job_state 2 (running) with job_final_status 1 (ended by an execution error): the fields disagree, so it is
    not deleted; selected by the default filters or by id, it is reported."""
    connection, session = huawei_connection(MrsServer())
    if selected_by == "filters":
        target = mrs(connection, cluster_id=V1_RUNNING_CLUSTER, api_version="v1.1", filters={})
    else:
        target = mrs(connection, cluster_id=V1_RUNNING_CLUSTER, api_version="v1.1", job_execution_ids=[V1_RUNNING_ID])
    result = ensure_absent(target)
    assert result.deleted == [] and ids_of(result.not_deleted) == [V1_RUNNING_ID]
    assert mutating(session) == []


@pytest.mark.parametrize("cluster_id", [V1_ENDED_CLUSTER, None])
def test_v1_show_example_has_ended_by_both_fields_and_is_deleted(cluster_id):
    """job_state 3 (completed) and job_final_status 1 (execution error): both say it ended."""
    connection, session = huawei_connection(MrsServer())
    target = mrs(connection, cluster_id=cluster_id, api_version="v1.1", job_execution_ids=[V1_ENDED_ID])
    result = ensure_absent(target)
    assert result.deleted == [V1_ENDED_ID] and result.not_deleted == [] and not result.failed
    assert operations(session) == ["ShowJobExes", "DeleteJobExecution"]
    assert session.calls[-1][1] == "/v1.1/%s/job-executions/%s" % (PROJECT, V1_ENDED_ID)


def test_v1_records_of_another_cluster_are_never_selected():
    """OTC's example request names clusterId 20ca8601-..., and the record it lists is in cluster 2b460e01-...: a
    server that reads the other spelling of the filter lists every cluster. The client checks each record."""
    connection, session = huawei_connection(MrsServer())
    records, dummy = mrs(connection, cluster_id=V1_REQUESTED_CLUSTER, api_version="v1.1", deleting=False, filters={}).look()
    assert records == []
    # The same record, had it ended by both fields (job_state 3, job_final_status 2; not an official payload): a
    # cleanup of cluster 20ca8601-... still leaves it alone.
    ended = json.loads(official_fixtures.read_bytes(V1_LIST))
    ended["job_executions"][0].update(job_state=3, job_final_status=2)
    connection, session = huawei_connection(MrsServer(v1_list=json.dumps(ended).encode()))
    result = ensure_absent(mrs(connection, cluster_id=V1_REQUESTED_CLUSTER, api_version="v1.1", filters={}))
    assert result.deleted == [] and result.not_deleted == [] and mutating(session) == []


# -- Tencent Batch ----------------------------------------------------------------------------------------------------
EXAMPLES = "tencent/batch_v20170312_examples.json"
API = "tencent/batch_v20170312_api.json"
ACTIONS = ("DescribeJobs", "DescribeJob", "DeleteJob", "TerminateJob")
LISTED_IDS = ["job-7e7evk2x", "job-3n2weaqt"]  # the DescribeJobs example's request, in its order
DETAILED_ID = "job-97zcl3wt"  # the DescribeJob example's job


def examples(action):
    return official_fixtures.load(EXAMPLES)["actions"][action]


def example_params(example):
    """The parameters of an example's request URL (``JobIds.0=...`` becomes the list ``JobIds``)."""
    params = {}
    for part in example["input"].split("?", 1)[1].split("&"):
        name, sep, value = part.strip().partition("=")
        if not sep or name == "Action":
            continue
        base, dot, index = name.partition(".")
        if dot and index.isdigit():
            params.setdefault(base, []).append(value)
        else:
            params[name] = value
    return params


def example_output(action, index=0):
    return examples(action)[index]["output"].encode("utf-8")


def tencent_error(code, message="not an official payload"):
    return json.dumps({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "fake"}}).encode()


class BatchServer:
    """Tencent Batch as the official examples answer it.

    DescribeJobs answers the official example for the example's JobIds, and for any request without JobIds (as a
    server that ignores the filters would); DescribeJob of job-97zcl3wt, DeleteJob and TerminateJob answer their
    official examples. Not in the examples, built from their records: DescribeJobs of other JobIds, and DescribeJob
    of a job only listed (its JobView, which has TaskMetrics and no TaskInstanceMetrics).
    """

    def __init__(self, changes=None):
        self.describe_jobs = example_output("DescribeJobs")
        if changes:  # job id -> fields to change: no longer the official payload (the tests that do this say why)
            envelope = json.loads(self.describe_jobs)
            for job in envelope["Response"]["JobSet"]:
                job.update(changes.get(job["JobId"], {}))
            self.describe_jobs = json.dumps(envelope).encode()
        listed = json.loads(self.describe_jobs)["Response"]["JobSet"]
        detailed = json.loads(example_output("DescribeJob"))["Response"]
        self.jobs = {job["JobId"]: job for job in listed}
        self.jobs[DETAILED_ID] = {k: v for k, v in detailed.items() if k != "RequestId"}

    def __call__(self, action, params):
        if action == "DescribeJobs":
            asked = params.get("JobIds")
            if asked is None or asked == LISTED_IDS:
                return 200, self.describe_jobs
            found = [self.jobs[i] for i in asked if i in self.jobs]
            return 200, json.dumps({"Response": {"TotalCount": len(found), "JobSet": found, "RequestId": "fake"}}).encode()
        if action == "DescribeJob":
            if params["JobId"] == DETAILED_ID:
                return 200, example_output("DescribeJob")
            if params["JobId"] not in self.jobs:
                return 200, tencent_error("ResourceNotFound.Job")
            return 200, json.dumps({"Response": dict(self.jobs[params["JobId"]], RequestId="fake")}).encode()
        if action in ("DeleteJob", "TerminateJob"):
            return 200, example_output(action)
        raise AssertionError(action)


def actions(session):
    return [headers["X-TC-Action"] for _method, _path, _query, headers, _body in session.calls]


def batch(connection, deleting=True, job_ids=None, filters=None):
    return tencent_target(TencentBatchClient(connection), tencent_selection(job_ids, filters, deleting=deleting))


@pytest.mark.parametrize("action, index", [(a, i) for a in ACTIONS for i in range(len(examples(a)))])
def test_every_tencent_example_response_parses(action, index):
    example = examples(action)[index]
    expected = json.loads(example["output"])["Response"]
    connection, session = tencent_connection(lambda _action, _params: (200, example["output"].encode("utf-8")))
    answer = connection.call(action, example_params(example))
    assert answer == expected and "Error" not in answer and answer["RequestId"]
    assert session.calls[0][4] == example_params(example)


def test_tencent_example_requests_are_what_the_client_sends():
    connection, session = tencent_connection(BatchServer())
    client = TencentBatchClient(connection)
    client.describe_jobs_by_id(LISTED_IDS)
    client.describe_job(DETAILED_ID)
    client.delete_job(example_params(examples("DeleteJob")[0])["JobId"])
    client.terminate_job(example_params(examples("TerminateJob")[0])["JobId"])
    assert actions(session) == list(ACTIONS)
    sent = [call[4] for call in session.calls]
    assert sent[0]["JobIds"] == example_params(examples("DescribeJobs")[0])["JobIds"]
    assert sent[1:] == [example_params(examples(a)[0]) for a in ACTIONS[1:]]


def test_describe_jobs_example_fields_are_read():
    connection, session = tencent_connection(BatchServer())
    target = batch(connection, deleting=False, job_ids=LISTED_IDS)
    records, absent = target.look()
    assert absent == []
    assert [target.summary(r) for r in records] == [
        ("job-7e7evk2x", "hello-test-job", "FAILED", "2020-09-21T08:57:01Z"),
        ("job-3n2weaqt", "hello-test-job", "STARTING", "2020-09-22T07:14:54Z"),
    ]
    assert [target.created(r) for r in records] == [utc("2020-09-21T08:57:01Z"), utc("2020-09-22T07:14:54Z")]
    rendered = render_job(records[1])
    assert rendered["tags"] == {"batch-test-tag-job-key": "batch-test-tag-job-value"}
    assert rendered["placement"]["zone"] == "ap-guangzhou-4" and rendered["task_metrics"]["starting_count"] == 1
    assert actions(session)[0] == "DescribeJobs" and session.calls[0][4]["JobIds"] == LISTED_IDS


def test_describe_job_example_is_read_and_deletable():
    connection, session = tencent_connection(BatchServer())
    target = batch(connection, job_ids=[DETAILED_ID])
    job = TencentBatchClient(connection).describe_job(DETAILED_ID)
    assert target.summary(job) == (DETAILED_ID, "test job", "SUCCEED", "2018-02-07T09:29:09Z")
    assert job["TaskInstanceMetrics"]["SucceedCount"] == 4 and target.blocker(job) is None
    assert target.refresh([DETAILED_ID]) == {DETAILED_ID: job}
    del session.calls[:]
    result = ensure_absent(target)
    assert result.deleted == [DETAILED_ID] and not result.failed
    assert actions(session) == ["DescribeJobs", "DeleteJob"] and session.calls[-1][4] == {"JobId": DETAILED_ID}


def test_default_filters_select_the_failed_job_and_leave_the_starting_one():
    """The server answers the DescribeJobs example whatever the filters (it holds a STARTING job): the client's own
    check of the states still leaves the STARTING job alone."""
    connection, session = tencent_connection(BatchServer())
    result = ensure_absent(batch(connection, filters={}))
    assert result.deleted == ["job-7e7evk2x"] and result.not_deleted == [] and not result.failed
    filters = session.calls[0][4]["Filters"]
    assert {"Name": "job-state", "Values": list(FINISHED_STATES)} in filters
    deletes = [call[4]["JobId"] for call in session.calls if call[3]["X-TC-Action"] == "DeleteJob"]
    assert deletes == ["job-7e7evk2x"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_starting_job_is_not_deleted_without_force(check_mode):
    connection, session = tencent_connection(BatchServer())
    result = ensure_absent(batch(connection, job_ids=LISTED_IDS), check_mode=check_mode)
    assert result.deleted == ["job-7e7evk2x"] and ids_of(result.not_deleted) == ["job-3n2weaqt"]
    assert "STARTING" in result.not_deleted[0]["reason"] and "force" in result.not_deleted[0]["reason"]
    deletes = [call[4]["JobId"] for call in session.calls if call[3]["X-TC-Action"] == "DeleteJob"]
    assert deletes == ([] if check_mode else ["job-7e7evk2x"])
    assert "TerminateJob" not in actions(session)


@pytest.mark.parametrize("state", ["RUNNING", "SUBMITTED"])
def test_a_running_or_submitted_job_is_not_deleted_without_force(state):
    """The examples hold no RUNNING or SUBMITTED job: the STARTING one of the DescribeJobs example, in that state."""
    connection, session = tencent_connection(BatchServer(changes={"job-3n2weaqt": {"JobState": state}}))
    result = ensure_absent(batch(connection, job_ids=LISTED_IDS))
    assert result.deleted == ["job-7e7evk2x"] and ids_of(result.not_deleted) == ["job-3n2weaqt"]
    assert state in result.not_deleted[0]["reason"]
    assert [call[4]["JobId"] for call in session.calls if call[3]["X-TC-Action"] == "DeleteJob"] == ["job-7e7evk2x"]
    assert "TerminateJob" not in actions(session)


def test_delete_and_terminate_examples_are_success():
    connection, dummy = tencent_connection(BatchServer())
    client = TencentBatchClient(connection)
    assert client.terminate_job("job-rybewp57") is None and client.delete_job("job-f5da1edl") is None


# -- Tencent Batch: the schema ---------------------------------------------------------------------------------------
def api_object(name):
    return official_fixtures.load(API)["objects"][name]


def members(name):
    return {member["name"] for member in api_object(name)["members"]}


def member(name, member_name):
    return next(m for m in api_object(name)["members"] if m["name"] == member_name)


def test_the_schema_lists_the_job_states_and_limits_the_client_uses():
    filters_doc = member("DescribeJobsRequest", "Filters")["document"]
    assert set(re.findall(r"- ([A-Z_]+)：", filters_doc)) == set(JOB_STATES)
    assert "最大值: %d" % DESCRIBE_JOBS_MAX in member("DescribeJobsRequest", "Limit")["document"]
    assert members("TaskInstanceMetrics") == set(UNFINISHED_COUNTERS) | {"SucceedCount", "FailedCount"}
    delete_doc = official_fixtures.load(API)["actions"]["DeleteJob"]["document"]
    assert all(state in delete_doc for state in FINISHED_STATES)


def test_the_fields_the_client_reads_are_in_the_schema_and_the_examples_use_only_schema_fields():
    assert set(TencentBatchJobs.record_fields) <= members("DescribeJobResponse")
    assert set(TencentBatchJobs.record_fields) - {"TaskInstanceMetrics"} <= members("JobView")
    described = json.loads(example_output("DescribeJob"))["Response"]
    assert set(described) <= members("DescribeJobResponse")
    for job in json.loads(example_output("DescribeJobs"))["Response"]["JobSet"]:
        assert set(job) <= members("JobView") and set(job["Placement"]) <= members("Placement")


# -- Huawei: the SDK's error-body shapes ------------------------------------------------------------------------------
ERROR_BODIES = official_fixtures.load("huawei/sdk/error_bodies.json")["cases"]
# The shapes the SDK handler does not read as a code (it falls back to the HTTP status). The collection reads a code
# alone as that code (the SDK needs its message too), and answers the others with HTTP<status>.
COLLECTION_FALLBACK = {
    "a code without its message": "0176",
    "no pair at all": "HTTP404",
    "JSON that is not an object": "HTTP500",
    "not JSON": "HTTP502",
    "empty body": "HTTP503",
}


def body_bytes(case):
    if "body_text" in case:
        return case["body_text"].encode("utf-8")
    return json.dumps(case["body"]).encode("utf-8")


@pytest.mark.parametrize("case", ERROR_BODIES, ids=[case["shape"] for case in ERROR_BODIES])
def test_every_error_body_shape_the_sdk_reads_parses_to_its_code_and_message(case):
    answer = response(case["status"], body_bytes(case), request_id="req-1")
    error = mark_not_found(_huawei.parse_error("mrs", "ShowSingleJobExe", answer), NOT_FOUND)
    sdk = case["sdk"]
    assert error.status == case["status"] == sdk["status_code"] and error.request_id == sdk["request_id"]
    if case["shape"] in COLLECTION_FALLBACK:
        assert sdk["error_code"] == str(case["status"])  # the SDK fell back on the status
        assert error.code == COLLECTION_FALLBACK[case["shape"]]
        assert error.not_found == (error.code == "0176")
        return
    assert (error.code, error.message) == (str(sdk["error_code"]), sdk["error_msg"])
    assert error.encoded_authorization_message == sdk["encoded_authorization_message"]
    assert error.not_found == (error.code == "0176")


def test_the_recorded_readings_are_what_the_installed_sdk_reads():
    """Skipped where the official SDK (a test-only dependency) is not installed."""
    handler_module = pytest.importorskip("huaweicloudsdkcore.exceptions.exception_handler")
    exceptions = pytest.importorskip("huaweicloudsdkcore.exceptions.exceptions")
    for case in ERROR_BODIES:
        with pytest.raises(exceptions.ServiceResponseException) as raised:
            handler_module.DefaultExceptionHandler().handle_exception(None, response(case["status"], body_bytes(case), "req-1"))
        error = raised.value
        reading = {"class": type(error).__name__, "status_code": error.status_code, "error_code": error.error_code,
                   "error_msg": error.error_msg, "request_id": error.request_id,
                   "encoded_authorization_message": error.encoded_auth_msg}
        assert reading == case["sdk"], case["shape"]


# -- Huawei: the SDK's field names ----------------------------------------------------------------------------------
def model_fields(name):
    return set(official_fixtures.load("huawei/sdk/models.json")["models"][name]["fields"])


def test_the_fields_the_clients_read_are_the_sdk_models_fields():
    assert model_fields("ShowJobExeListNewResponse") == {"total_record", "job_list"}
    assert model_fields("ShowSingleJobExeResponse") == {"job_detail"}
    assert model_fields("ListExecuteJobResponse") == {"totalRecord", "job_executions"}
    assert model_fields("ShowJobExesResponse") == {"job_execution"}
    assert model_fields("ListScheduledTasksResponse") == {"scheduled_tasks", "total_count"}
    assert model_fields("DeleteScheduledTasksReq") == {"task_ids"}
    assert set(MrsJobExecutions.record_fields) <= model_fields("JobQueryBean")
    assert set(MrsJobExecutionsV1.record_fields) <= model_fields("JobExeResult")
    assert set(WorkspaceScheduledTasks.record_fields) <= model_fields("ScheduledTask")
    # What the Workspace filters read of a listed task (task_type, scheduled_type, last_status, enable).
    assert {"task_name", "task_type", "scheduled_type", "last_status", "enable", "expire_time", "time_zone"} <= model_fields("ScheduledTask")


def test_the_otc_examples_use_only_the_sdk_models_fields():
    for record in official_fixtures.load(V2_LIST)["job_list"]:
        assert set(record) <= model_fields("JobQueryBean")
    assert set(official_fixtures.load(V2_SHOW)["job_detail"]) <= model_fields("JobQueryBean")
    assert set(official_fixtures.load(V1_LIST)["job_executions"][0]) == model_fields("JobExeResult")
    assert set(official_fixtures.load(V1_SHOW)["job_execution"]) == model_fields("JobExeResult")


def test_the_fixtures_are_found_from_the_collection_root():
    assert official_fixtures.path("README.md").endswith("README.md")
    assert official_fixtures.load(V2_SHOW) == json.loads(official_fixtures.read_bytes(V2_SHOW))
    with pytest.raises(FileNotFoundError):
        official_fixtures.path("huawei/mrs/no_such_payload.json")
    with pytest.raises(ValueError):
        official_fixtures.path("../../galaxy.yml")
