"""Every path as cheap and as true as the happy one, as users meet it: `ansible localhost -m` runs
against the emulator, whose request log and state are the witness. Nothing here asserts a time.

* Two runs at once: a selection that another run deleted just before this run's first delete (all of it, half of
  it), for MRS v2 and Workspace, under both readings of "a batch naming an unknown id" (the service refuses the
  batch, or ignores the unknown ids: UNCONFIRMED, so the emulator serves both). The report is exact and costs the
  refused batch calls and one look, never a call per id; a member that exists but is refused is still isolated.
* Failures over thousands of records are as compact as success: the guard, an abort and a partial failure return
  at most 150 bytes a record, the cause once in the message.
"""

import collections
import json
import uuid

import pytest

from support.ansible_runs import ad_hoc_result, run_ad_hoc
from emulator import credentials as creds

CLUSTER = "c-paths"
DAY_MS = 86400 * 1000
NOW_MS = 1764547200000  # 2025-12-01T00:00:00Z: every seeded record is years older than older_than
BYTES_PER_RECORD = 150  # the budget for every failure path


def _uuid(prefix, i):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "%s-%d" % (prefix, i)))


def executions(n):
    return [{"job_id": _uuid("exe", i), "cluster_id": CLUSTER, "job_state": ("FINISHED", "FAILED", "KILLED")[i % 3],
             "job_name": "etl-%d" % (i % 40), "submitted_time": NOW_MS - 10 * DAY_MS - i * 1000} for i in range(n)]


def tasks(n):
    return [{"id": _uuid("task", i), "task_name": "nightly-%d" % (i % 40), "task_type": "REBOOT",
             "scheduled_type": "DAY", "last_status": "SUCCESS"} for i in range(n)]


def jobs(n):
    return [{"JobId": "job-%08x" % i, "JobName": "render-%d" % (i % 40), "JobState": "SUCCEED",
             "CreateTime": "2025-01-01T00:00:00Z"} for i in range(n)]


# Each deleting module: the seed key, the record id field, the batch-delete operation, the listing operation, the
# unknown-id setting, and the module arguments that select every seeded record.
SERVICES = {
    "mrs": dict(module="mrs_job_executions", seed=executions, field="job_id", delete="BatchDeleteJobs",
                listing="ShowJobExeListNew", unknown_ids="mrs_batch_delete_unknown_ids",
                args=lambda url, **extra: dict(creds.huaweicloud_auth(url), cluster_id=CLUSTER,
                                               filters={"older_than": "7d"}, **extra)),
    "workspace": dict(module="workspace_scheduled_tasks", seed=tasks, field="id", delete="BatchDeleteScheduledTasks",
                      listing="ListScheduledTasks", unknown_ids="workspace_unknown_ids",
                      args=lambda url, **extra: dict(creds.huaweicloud_auth(url), filters={"name_pattern": "nightly-*"},
                                                     **extra)),
    "tencent": dict(module="tencent_batch_job", seed=jobs, field="JobId", delete="DeleteJob",
                    listing="DescribeJobs", unknown_ids=None,
                    args=lambda url, **extra: dict(creds.tencentcloud_auth(url), filters={"name_pattern": "render-*"},
                                                   **extra)),
}


def _run(emulator, tmp_path, service, *flags, **extra):
    spec = SERVICES[service]
    run = run_ad_hoc(tmp_path, spec["module"], spec["args"](emulator.url, **extra), *flags)
    return run, ad_hoc_result(run)


def _made(emulator):
    return collections.Counter(r["operation"] for r in emulator.requests())


def _left(emulator, service):
    return sorted(r[SERVICES[service]["field"]] for r in emulator.state()[service])


def _exactly_once(result, selected):
    ended = result["deleted"] + result["already_absent"] + [n["id"] for n in result["not_deleted"]] + result["kept"]
    assert sorted(ended) == sorted(selected), "an id is missing or reported twice"
    assert result["counts"]["selected"] == len(selected)


@pytest.mark.parametrize("reading", ["reject", "ignore"])
@pytest.mark.parametrize("share", ["all", "half"])
@pytest.mark.parametrize("service", ["mrs", "workspace"])
def test_a_selection_another_run_deleted_first_is_reported_exactly_without_a_call_per_id(
        emulator, tmp_path, service, share, reading):
    spec = SERVICES[service]
    records = spec["seed"](1000)
    ids = [r[spec["field"]] for r in records]
    gone = ids if share == "all" else ids[::2]
    emulator.seed({service: records})
    emulator.config({spec["unknown_ids"]: reading})
    # Another run deletes them after this run's look, just before its first batch delete.
    emulator.fault({"service": service, "operation": spec["delete"], "kind": "vanish", "ids": gone})
    emulator.clear_requests()
    run, result = _run(emulator, tmp_path, service, batch_size=100)
    assert run.returncode == 0, run.stdout[-2000:]
    _exactly_once(result, ids)
    assert result["not_deleted"] == [] and _left(emulator, service) == []
    made = _made(emulator)
    listing_pages = -(-1000 // (100 if service == "mrs" else 50))
    if reading == "reject":
        # The refused batches tell the truth: what another run deleted is already absent, the rest deleted.
        assert sorted(result["already_absent"]) == sorted(gone)
        assert sorted(result["deleted"]) == sorted(set(ids) - set(gone))
        # Ten batches of 100: those in flight when the first refusal came back (4 at a time), the rest of each once
        # more, one look per worker at most; never the 1,990 calls of splitting batches down to single ids.
        assert made[spec["delete"]] <= 10 + 4, made
        assert made[spec["listing"]] <= listing_pages + 4 * (listing_pages + 2), made
    else:
        # The service takes batches naming unknown ids without a word: every id is deleted or absent, each once.
        assert made[spec["delete"]] == 10 and result["already_absent"] == [], made
    assert sum(made.values()) < 100, made


@pytest.mark.parametrize("service", ["mrs", "workspace"])
def test_a_member_that_exists_but_is_refused_is_still_isolated_when_others_vanished(emulator, tmp_path, service):
    spec = SERVICES[service]
    records = spec["seed"](200)
    ids = [r[spec["field"]] for r in records]
    refused = ids[137]
    emulator.seed({service: records})
    emulator.fault({"service": service, "operation": spec["delete"], "kind": "vanish", "ids": ids[:50]})
    code = "0183" if service == "mrs" else "WKS.0004"
    emulator.fault({"service": service, "operation": spec["delete"], "kind": "status", "status": 400, "code": code,
                    "message": "refused", "when_ids": [refused], "count": 99})
    emulator.clear_requests()
    run, result = _run(emulator, tmp_path, service, batch_size=200)
    assert run.returncode != 0 and "1 of 200" in result["msg"], result.get("msg")
    _exactly_once(result, ids)
    assert sorted(result["already_absent"]) == sorted(ids[:50])
    assert [(n["id"], n["error_code"]) for n in result["not_deleted"]] == [(refused, code)]
    assert _left(emulator, service) == [refused]
    # The refusal is looked into once (and once more for the rest of the batch), then halves isolate the member:
    # about two calls per halving of 150, not one per id.
    assert _made(emulator)[spec["delete"]] <= 2 + 2 * 8


def _bytes_per_record(result):
    return len(json.dumps(result, separators=(",", ":"))) / float(result["counts"]["selected"])


@pytest.mark.parametrize("service", ["mrs", "workspace", "tencent"])
def test_a_tripped_guard_over_thousands_of_records_stays_compact(emulator, tmp_path, service):
    spec = SERVICES[service]
    emulator.seed({service: spec["seed"](3000)})
    emulator.clear_requests()
    run, result = _run(emulator, tmp_path, service, max_deletions=100)
    assert run.returncode != 0 and "max_deletions=100" in result["msg"]
    assert result["counts"]["not_deleted"] == 3000 and result["deleted"] == []
    assert {n["reason"] for n in result["not_deleted"]} == {"selection over max_deletions"}
    assert _bytes_per_record(result) <= BYTES_PER_RECORD, _bytes_per_record(result)
    assert not [r for r in emulator.requests() if r["mutating"]]


@pytest.mark.parametrize("service", ["mrs", "workspace", "tencent"])
def test_an_aborted_run_over_thousands_of_records_stays_compact_and_tells_the_cause_once(
        emulator, tmp_path, service):
    spec = SERVICES[service]
    emulator.seed({service: spec["seed"](2000)})
    emulator.fault({"service": service, "operation": spec["delete"], "kind": "auth", "count": 99})
    emulator.clear_requests()
    run, result = _run(emulator, tmp_path, service)
    assert run.returncode != 0
    _exactly_once(result, [r[spec["field"]] for r in spec["seed"](2000)])
    assert result["deleted"] == [] and result["counts"]["not_deleted"] == 2000
    assert result["error"]["operation"] == spec["delete"] and result["error"]["error_code"] in result["msg"]
    reasons = collections.Counter(n["reason"] for n in result["not_deleted"])
    assert set(reasons) <= {"delete failed", "not attempted: the run stopped"}, reasons
    assert _bytes_per_record(result) <= BYTES_PER_RECORD, _bytes_per_record(result)
    # The refused calls carry their own request id; the records never tried carry none.
    for entry in result["not_deleted"]:
        assert (entry["request_id"] is not None) == (entry["reason"] == "delete failed"), entry
    # At most the calls already in flight: batch deletes go 4 at a time, Tencent's DeleteJob 8 at a time.
    assert _made(emulator)[spec["delete"]] <= (8 if service == "tencent" else 4)


@pytest.mark.parametrize("service", ["mrs", "workspace"])
def test_a_partial_failure_over_thousands_of_records_stays_compact(emulator, tmp_path, service):
    spec = SERVICES[service]
    records = spec["seed"](3000)
    ids = [r[spec["field"]] for r in records]
    emulator.seed({service: records})
    # One batch of 1,000 fails on the server side, again and again; the others go.
    emulator.fault({"service": service, "operation": spec["delete"], "kind": "status", "status": 500,
                    "when_ids": [ids[1500]], "count": 99})
    run, result = _run(emulator, tmp_path, service, max_retries=0)
    assert run.returncode != 0 and "1000 of 3000" in result["msg"], result["msg"]
    _exactly_once(result, ids)
    assert result["counts"]["deleted"] == 2000 and result["counts"]["not_deleted"] == 1000
    assert {(n["reason"], n["error_code"]) for n in result["not_deleted"]} == {("delete failed", "APIGW.0601")}
    assert "HTTP 500" in result["msg"]  # the cause, once
    assert _bytes_per_record(result) <= BYTES_PER_RECORD, _bytes_per_record(result)
