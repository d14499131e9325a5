# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The safe reading wherever official sources disagree (docs/api-readings.md), at the client boundary.

Each test names the reading it proves: what the collection does when the real cloud answers the other way from
the emulator's default. End-to-end runs of the same readings are in tests/e2e/test_api_readings.py.
"""

from __future__ import annotations

import threading

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._batches import (
    ABORT,
    GONE,
    RECHECK,
    SPLIT_BATCH,
    delete_in_batches,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import CleanupTarget, ensure_absent
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError, mark_not_found
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei import parse_error
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._mrs import (
    NOT_FOUND,
    MrsClient,
    classify_delete_error,
    mrs_selection,
    mrs_target,
    v1_disagreement,
    v1_state,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._results import CleanupResult
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import (
    MRS,
    PROJECT,
    FakeMrsConnection,
    HuaweiCall,
    _FakeConnection,
    api_error,
)

CLUSTER = "c1"


class FakeMrsV1Connection(_FakeConnection):
    """MRS v1.1 ListExecuteJob, ShowJobExes and DeleteJobExecution over a dict of executions of several clusters.

    ``cluster_filter``: the query key the server reads (``cluster_id``, ``clusterId``) or None to ignore it;
    ``total``: the ``totalRecord`` it answers (None: the truth); ``missing``: the (status, code) a show or delete of a
    missing execution gets; ``delete_404``: ids whose DELETE is answered 404 MRS.0404 although they exist."""

    SERVICE = MRS
    REQUEST_ID = "req-v1"
    HOST = "https://mrs.cn-north-4.myhuaweicloud.com:443"
    project_id = PROJECT

    def __init__(self, records, cluster_filter="cluster_id", total=None, missing=(404, "MRS.0404"), delete_404=(),
                 fail=None):
        super().__init__(fail)
        self.records = {r["id"]: dict(r) for r in records}
        self.cluster_filter = cluster_filter
        self.total = total
        self.missing = missing
        self.delete_404 = set(delete_404)

    def request(self, operation, method, path, query=None, json_body=None, ok_status=(200,), mutating=False):
        query = dict(query or {})
        self._enter(HuaweiCall(operation, method, path, query, json_body, mutating))
        if operation == "ListExecuteJob":
            matching = list(self.records.values())
            if self.cluster_filter and query.get(self.cluster_filter):
                matching = [r for r in matching if r.get("cluster_id") == query[self.cluster_filter]]
            size, page = int(query["page_size"]), int(query["current_page"])
            window = matching[(page - 1) * size:page * size]
            return {"totalRecord": len(matching) if self.total is None else self.total, "job_executions": window}
        exe_id = path.rsplit("/", 1)[1]
        if exe_id not in self.records or (operation == "DeleteJobExecution" and exe_id in self.delete_404):
            raise self.error(self.missing[1], self.missing[0], operation)
        if operation == "ShowJobExes":
            return {"job_execution": dict(self.records[exe_id])}
        if operation == "DeleteJobExecution":
            del self.records[exe_id]
            return None
        raise AssertionError(operation)


def v1(exe_id, state=3, final=2, cluster=CLUSTER, name="nightly", create_at=1000):
    record = {"id": exe_id, "job_name": name, "job_state": state, "job_final_status": final, "create_at": create_at}
    if cluster is not None:
        record["cluster_id"] = cluster
    return record


def v1_target(conn, ids=None, filters=None, cluster_id=CLUSTER):
    return mrs_target(MrsClient(conn), mrs_selection(ids, filters if filters is not None else {}),
                      cluster_id=cluster_id, api_version="v1.1")


def settled_once(result, ids):
    """Every id in exactly one of the four lists."""
    lists = [result.deleted, result.already_absent, [n["id"] for n in result.not_deleted], result.kept]
    placed = [i for ids_ in lists for i in ids_]
    return sorted(placed) == sorted(ids)


# -- v1.1: the cluster filter is checked on every record ----------------------------------------------------------
@pytest.mark.parametrize("cluster_filter", ["cluster_id", "clusterId", None])
def test_v1_filters_never_select_an_execution_of_another_cluster(cluster_filter):
    conn = FakeMrsV1Connection([v1("a1"), v1("b1", cluster="c2"), v1("a2")], cluster_filter=cluster_filter)
    result = ensure_absent(v1_target(conn))
    assert sorted(result.deleted) == ["a1", "a2"] and "b1" in conn.records
    assert settled_once(result, ["a1", "a2"]) and not result.failed


def test_v1_keep_latest_counts_only_the_named_cluster():
    """Newer executions of the same name in another cluster must not push this cluster's newest out of keep_latest."""
    records = [v1("a%d" % n, create_at=n) for n in range(3)] + [v1("b%d" % n, cluster="c2", create_at=10 + n)
                                                                for n in range(3)]
    conn = FakeMrsV1Connection(records, cluster_filter=None)
    result = ensure_absent(v1_target(conn, filters={"keep_latest": 2}))
    assert result.deleted == ["a0"] and sorted(result.kept) == ["a1", "a2"]


def test_v1_a_listed_execution_that_names_no_cluster_is_not_deleted():
    conn = FakeMrsV1Connection([v1("a1"), v1("x1", cluster=None)], cluster_filter=None)
    result = ensure_absent(v1_target(conn))
    assert result.deleted == ["a1"] and "x1" in conn.records
    assert [n["id"] for n in result.not_deleted] == ["x1"] and "cluster_id" in result.not_deleted[0]["reason"]


# -- v1.1: paging ignores totalRecord -----------------------------------------------------------------------------
@pytest.mark.parametrize("count, total, requests", [
    (1, 14, 1), (0, 14, 1), (250, None, 3), (200, None, 3), (100, 1, 2), (99, 5000, 1)])
def test_v1_paging_stops_at_a_short_or_empty_page(count, total, requests):
    conn = FakeMrsV1Connection([v1("e%04d" % n) for n in range(count)], total=total)
    records, dummy = v1_target(conn).look()
    assert len(records) == count
    assert len(conn.ops("ListExecuteJob")) == requests
    assert {c.query["page_size"] for c in conn.ops("ListExecuteJob")} == {"100"}


# -- v1.1: states only when job_state and job_final_status agree ---------------------------------------------------
@pytest.mark.parametrize("job_state, final, state, deletable", [
    (3, 2, "FINISHED", True), (3, 1, "FAILED", True), (-1, 3, "KILLED", True), (4, 1, "FAILED", True),
    (5, 1, "FAILED", True), (2, 0, "RUNNING", False), (1, 0, "RUNNING", False),
    (2, 1, "FAILED", False),  # OTC's list example: running, yet "execution error"
    (1, 3, "KILLED", False),  # 1 is terminated for the SDK, starting for OTC and Terraform
    (3, 0, "FINISHED", False), (3, None, "FINISHED", False), (7, 2, "FINISHED", False), (7, None, "UNKNOWN", False),
])
def test_v1_state_and_final_status_must_agree_that_it_ended(job_state, final, state, deletable):
    record = v1("x", state=job_state, final=final)
    t = v1_target(FakeMrsV1Connection([]))
    assert v1_state(record) == state
    assert (t.blocker(record) is None) is deletable
    if not deletable and state != "RUNNING":
        assert v1_disagreement(record) is not None and "job_state %s" % job_state in t.blocker(record)


def test_v1_a_disagreement_is_reported_and_left_whether_selected_by_filters_or_by_id():
    conn = FakeMrsV1Connection([v1("ok"), v1("odd", state=2, final=1)])
    by_filters = ensure_absent(v1_target(conn, filters={"states": ["FAILED", "FINISHED"]}))
    assert by_filters.deleted == ["ok"] and "odd" in conn.records and not by_filters.failed
    assert "force" not in by_filters.not_deleted[0]["reason"]  # v1.1 cannot stop anything
    by_id = ensure_absent(v1_target(conn, ids=["odd"]))
    assert [n["id"] for n in by_id.not_deleted] == ["odd"] and by_id.failed and "odd" in conn.records


# -- "gone" only on the service's own codes -----------------------------------------------------------------------
def test_v1_ids_whose_show_answers_a_bare_404_are_looked_for_in_one_listing():
    conn = FakeMrsV1Connection([v1("a1"), v1("a2")])
    records, absent = v1_target(conn, ids=["a1", "gone1", "gone2"]).look()
    assert [r["id"] for r in records] == ["a1"] and absent == ["gone1", "gone2"]
    assert len(conn.ops("ShowJobExes")) == 3 and len(conn.ops("ListExecuteJob")) == 1


def test_v1_a_show_that_404s_for_an_execution_the_listing_holds_is_not_absent():
    conn = FakeMrsV1Connection([v1("a1")])
    conn.fail = {"ShowJobExes": api_error("MRS.0404", 404, "ShowJobExes", service=MRS)}
    records, absent = v1_target(conn, ids=["a1"]).look()
    assert [r["id"] for r in records] == ["a1"] and absent == []


def test_v1_the_gateway_404_fails_the_look_and_reports_nothing_gone():
    conn = FakeMrsV1Connection([v1("a1")], missing=(404, "APIGW.0101"))
    conn.fail = {"ShowJobExes": api_error("APIGW.0101", 404, "ShowJobExes", service=MRS)}
    result = ensure_absent(v1_target(conn, ids=["a1", "a2"]))
    assert result.already_absent == [] and result.deleted == []
    assert [n["id"] for n in result.not_deleted] == ["a1", "a2"] and result.failed


def test_v1_a_delete_404_for_an_execution_a_listing_still_holds_fails_the_run_in_one_line():
    """The API gateway of a region without the deprecated API: the DELETE answers 404, the records stay."""
    conn = FakeMrsV1Connection([v1("e%d" % n, create_at=n) for n in range(11)], delete_404={"e%d" % n for n in range(11)})
    target = v1_target(conn)
    target.workers = 1
    result = ensure_absent(target)
    assert result.deleted == [] and result.already_absent == [] and len(conn.records) == 11
    assert settled_once(result, ["e%d" % n for n in range(11)]) and result.failed
    assert result.not_deleted[0]["error_code"] == "MRS.0404"
    assert "not available at this endpoint" in result.failure_message(target.noun)
    assert len(conn.ops("DeleteJobExecution")) == 1  # the run ends: every further delete would meet the same 404


def test_v1_a_delete_404_for_an_execution_another_run_deleted_is_already_absent():
    conn = FakeMrsV1Connection([v1("a1"), v1("a2", create_at=2)])
    target = v1_target(conn)
    real_delete = target.client.delete_job_execution_v1

    def delete_after_a_concurrent_run(exe_id):
        conn.records.pop("a1", None)  # another run deleted it after our look
        return real_delete(exe_id)

    target.client.delete_job_execution_v1 = delete_after_a_concurrent_run
    result = ensure_absent(target)
    assert result.already_absent == ["a1"] and result.deleted == ["a2"] and not result.failed


@pytest.mark.parametrize("operation", ["BatchDeleteJobs", "DeleteJobExecution", "StopJob", "ShowJobExes"])
@pytest.mark.parametrize("status, code, verdict", [
    (404, "APIGW.0101", ABORT), (404, "APIG.0101", ABORT), (404, "MRS.0404", RECHECK), (404, "HTTP404", RECHECK),
    (400, "0176", GONE), (500, "0176", GONE), (500, "0201", GONE), (500, "0161", SPLIT_BATCH),
    (500, "0183", SPLIT_BATCH), (500, "12000003", ABORT),
])
def test_a_404_is_gone_only_with_the_service_not_found_code(operation, status, code, verdict):
    refused = mark_not_found(api_error(code, status, operation, service=MRS), NOT_FOUND)
    assert classify_delete_error(refused) == verdict


def test_v2_a_gateway_404_on_batch_delete_reports_every_id_not_deleted():
    conn = FakeMrsConnection([{"job_id": "j%02d" % n, "job_name": "n", "job_state": "FINISHED", "submitted_time": n}
                              for n in range(11)])
    conn.fail = {"BatchDeleteJobs": api_error("APIGW.0101", 404, "BatchDeleteJobs", service=MRS)}
    t = mrs_target(MrsClient(conn), mrs_selection(None, {}), cluster_id=CLUSTER)
    result = ensure_absent(t)
    assert result.deleted == [] and result.already_absent == [] and len(result.not_deleted) == 11
    assert result.failed and not result.changed and len(conn.ops("BatchDeleteJobs")) == 1


def test_v2_a_bare_404_for_a_lone_id_a_fresh_show_still_finds_is_not_gone():
    conn = FakeMrsConnection([{"job_id": "j1", "job_name": "n", "job_state": "FINISHED", "submitted_time": 1}])
    conn.fail = {"BatchDeleteJobs": api_error("HTTP404", 404, "BatchDeleteJobs", service=MRS)}
    t = mrs_target(MrsClient(conn), mrs_selection(["j1"], None), cluster_id=CLUSTER)
    result = ensure_absent(t)
    assert result.already_absent == [] and [n["id"] for n in result.not_deleted] == ["j1"] and result.failed
    assert len(conn.ops("ShowSingleJobExe")) == 2  # the look, and the re-check after the 404


def test_the_gateway_404_says_the_api_is_not_available_at_this_endpoint():
    class Response:
        status_code = 404
        headers = {"X-Request-Id": "rid-gw"}
        text = '{"error_code": "APIGW.0101", "error_msg": "The API does not exist or has not been published."}'

        def json(self):
            return {"error_code": "APIGW.0101", "error_msg": "The API does not exist or has not been published."}

    error = parse_error("mrs", "DeleteJobExecution", Response())
    assert error.code == "APIGW.0101" and "not serve this API at this endpoint" in str(error)


# -- any exception in a worker is an abort, and every id is still reported ----------------------------------------
class _Boom(Exception):
    pass


@pytest.mark.parametrize("workers", [1, 4])
@pytest.mark.parametrize("exception", [ConfigurationError("cannot refresh the temporary credentials"), _Boom("bug")])
def test_an_exception_in_a_worker_ends_the_run_and_every_id_is_reported_once(workers, exception):
    ids = ["i%02d" % n for n in range(20)]
    sent = []
    lock = threading.Lock()

    def delete_batch(batch):
        with lock:
            sent.append(list(batch))
            if len(sent) == 3:
                raise exception

    result = CleanupResult()
    delete_in_batches(ids, 2, delete_batch, lambda error: ABORT, result, workers=workers)
    assert settled_once(result, ids)
    failed_batch = sent[2]
    assert set(result.deleted) <= {i for batch in sent for i in batch} - set(failed_batch)
    assert len(result.deleted) >= (2 * 2 if workers == 1 else 0)
    assert result.message is not None and "\n" not in result.message and str(exception) in result.message
    if workers == 1:
        assert result.deleted == sent[0] + sent[1]  # deleted before the failure: reported deleted, not "not attempted"


class _WaitTarget(CleanupTarget):
    """Two running records; stopping works, and the poll after it is refused for want of a permission."""

    noun = "thing"

    def __init__(self):
        self.store = {"a": {"id": "a", "state": "running"}, "b": {"id": "b", "state": "running"}}

    def record_id(self, record):
        return record["id"]

    def look(self):
        return [dict(r) for r in self.store.values()], []

    def blocker(self, record):
        return None if record["state"] == "done" else "still running"

    def stop(self, record):
        pass

    def refresh(self, ids):
        denied = api_error("APIGW.0302", 403, "ShowSingleJobExe", service=MRS, request_id="rid-poll")
        raise denied.deny(["mrs:job:get"], "grant mrs:job:get")

    def delete(self, ids, result):
        raise AssertionError("nothing may be deleted")

    def classify(self, error):
        return ABORT if error.permission_denied else GONE


def test_a_denial_while_waiting_after_a_force_stop_ends_the_run_like_any_denial():
    result = ensure_absent(_WaitTarget(), force=True, sleep=lambda s: None, clock=lambda: 0.0)
    values = result.as_dict("things")
    assert values["error"]["required_actions"] == ["mrs:job:get"] and result.failed
    assert sorted(n["id"] for n in result.not_deleted) == ["a", "b"]
    assert [n["request_id"] for n in result.not_deleted] == [None, None]  # the poll was neither record's own call
    assert "rid-poll" in result.failure_message("thing")


def test_an_unexpected_error_in_the_look_fails_in_one_line_naming_the_requested_ids():
    class Broken(_WaitTarget):
        ids = ["a"]

        def look(self):
            raise KeyError("job_list")

    result = ensure_absent(Broken())
    assert [n["id"] for n in result.not_deleted] == ["a"]
    assert result.message == "the look failed: KeyError: 'job_list'"


def test_a_500_with_a_business_code_is_classified_at_once():
    """0176 with HTTP 500 (OTC's error table) reads as gone, exactly as with 400."""
    error = mark_not_found(ApiError(MRS, "BatchDeleteJobs", "The job does not exist.", status=500, code="0176"),
                           NOT_FOUND)
    assert error.not_found and classify_delete_error(error) == GONE


@pytest.mark.parametrize("text, body, says", [
    ('{"request": "x"}', {"request": "x"}, "without an error code"),
    ("<html>Bad gateway</html>", None, "non-JSON body"),
    ("", None, "no body"),
])
def test_an_error_answer_without_a_code_says_what_it_was(text, body, says):
    class Response:
        status_code = 502
        headers = {}

        def json(self):
            if body is None:
                raise ValueError("not JSON")
            return body

    Response.text = text
    error = parse_error("mrs", "ShowJobExeListNew", Response())
    assert error.code == "HTTP502" and says in error.message
