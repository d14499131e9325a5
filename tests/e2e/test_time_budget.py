"""Unattended at any size: ``time_budget``, oldest first, and progress the next run can trust, as users
run them - ``ansible localhost -m ...`` against the emulator, whose request log is the witness.

* A Tencent backlog behind DeleteJob's rate limit and an MRS backlog with added latency, each with a budget well
  below what the whole selection needs: the run succeeds with a warning, deletes the oldest records, reports every
  other selected id exactly once with the budget as its reason, and sends no delete after the budget plus one round
  of calls in flight. The next runs finish the backlog, and no id is ever sent to a delete call after it was
  deleted.
* Combined, in one playbook of cells: requested ids, retention rules, ``max_deletions``, check mode and ``force``
  (a record stopped but not yet deleted when the budget runs out is reported as such).
* Whatever else ends a run early (a fatal error halfway, the ``max_deletions`` guard), the next run deletes exactly
  what is still there and sends no delete for an id already deleted.

The bound on time is read from the emulator's clock (when each call was answered), with the budget, one round of
calls in flight and the module's own start as slack: what the budget promises, not how fast this machine is.
"""

import collections
import time

import pytest

from support.ansible_runs import ad_hoc_result, cloud_defaults, huawei_auth, run_ad_hoc, run_cells, tencent_auth

DAY = 86400
CLUSTER = "c-backlog"
NOW = time.time()
# What may pass between the module's start and its first request (Python, the connection) and the last answer:
# the slack of the bound on the emulator's clock. The budgets here are a fraction of what the backlogs need.
SLACK = 2.0


def tencent_backlog(n, prefix="b", name=None, start_days=30):
    """``n`` succeeded jobs, job i created ``start_days + i`` days ago (so the highest i is the oldest), seeded in a
    shuffled order so that neither the seed nor the listing is the age order. (A FAILED job costs a DescribeJob in
    the look, under the same rate limit: the budgets here are for the deletes.)"""
    jobs = [{"JobId": "job-%s%07d" % (prefix, i), "JobName": name or "render-%d" % (i % 7), "JobState": "SUCCEED",
             "CreateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW - (start_days + i) * DAY))}
            for i in range(n)]
    return [jobs[(i * 37) % n] for i in range(n)] if n % 37 else jobs


def mrs_backlog(n, running=0):
    executions = [{"job_id": "0b0b0000-0000-4000-8000-%012d" % i, "cluster_id": CLUSTER, "job_name": "etl-%d" % (i % 9),
                   "job_state": ("FINISHED", "FAILED", "KILLED")[i % 3],
                   "submitted_time": int((NOW - (30 + i) * DAY) * 1000)} for i in range(n)]
    executions += [{"job_id": "0b0b1111-0000-4000-8000-%012d" % i, "cluster_id": CLUSTER, "job_name": "live-%d" % i,
                    "job_state": "RUNNING", "submitted_time": int((NOW - (10 + i) * DAY) * 1000)} for i in range(running)]
    return [executions[(i * 41) % len(executions)] for i in range(len(executions))]


def age(record):
    created = record.get("CreateTime")
    if created is not None:
        return -time.mktime(time.strptime(created, "%Y-%m-%dT%H:%M:%SZ"))
    return -record["submitted_time"] / 1000.0


def oldest_first(records, key):
    return [r[key] for r in sorted(records, key=age, reverse=True)]


def deletes(log, operation):
    """Ids each successful delete call of ``operation`` deleted, in the order the emulator answered them."""
    return [i for r in log if r["operation"] == operation and r["error_code"] is None and 200 <= r["status"] < 300
            for i in r["ids"]]


def assert_within_budget(log, budget, in_flight):
    """No mutating call answered later than the budget, one round of calls in flight and the slack after the
    module's first request (its start came before that)."""
    first = min(r["time"] for r in log)
    last = max((r["time"] for r in log if r["mutating"]), default=first)
    assert last - first <= budget + in_flight + SLACK, (last - first, budget, in_flight)


def warnings_of(run=None, result=None):
    """The warnings a run showed: printed by ``ansible`` (ad hoc), or in the result a cell recorded."""
    if run is not None:
        return " ".join((run.stdout + run.stderr).split())
    return " ".join(" ".join(result.get("warnings", [])).split())


def assert_budget_report(result, selected_ids, budget_text, warnings):
    deleted, not_deleted = result["deleted"], result["not_deleted"]
    assert 0 < len(deleted) < len(selected_ids), len(deleted)
    assert sorted(deleted + [n["id"] for n in not_deleted]) == sorted(selected_ids)  # every id, exactly once
    assert {n["reason"] for n in not_deleted} == {"not attempted: time_budget spent"}, not_deleted
    assert result["counts"]["not_deleted"] == len(not_deleted) and not result.get("failed")
    assert "time_budget %s spent: %d selected" % (budget_text, len(not_deleted)) in warnings, warnings[-2000:]
    assert "left for the next run" in warnings


def assert_oldest_went(deleted, oldest, workers):
    """The records deleted are the oldest, in age order, but for the few calls in flight when the budget ran out
    (a worker that waited for the rate limiter longer than the one after it)."""
    assert set(deleted) <= set(oldest[:len(deleted) + workers]), (deleted, oldest[:len(deleted) + workers])
    rank = {i: n for n, i in enumerate(oldest)}
    assert deleted == sorted(deleted, key=rank.get)  # the report lists them oldest first


def test_a_tencent_backlog_behind_the_rate_limit_ends_within_the_budget_and_the_next_runs_finish_it(emulator,
                                                                                                    tmp_path):
    """80 jobs, DeleteJob limited to 5 calls a second (16 s for all), a budget of 4 s."""
    jobs = tencent_backlog(80)
    recent = [{"JobId": "job-r0000001", "JobName": "fresh", "JobState": "SUCCEED",
               "CreateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW - 3600))}]
    emulator.seed({"tencent": jobs + recent})
    emulator.config({"rate_limits": {"tencent.DeleteJob": 5}})
    oldest = oldest_first(jobs, "JobId")
    args = dict(tencent_auth(emulator.url), filters={"older_than": "7d"}, rate_limit=5, time_budget="4s")

    gone = []
    for run_number in (1, 2):
        emulator.clear_requests()
        run = run_ad_hoc(tmp_path, "tencent_batch_job", args)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        result = ad_hoc_result(run)
        left = [i for i in oldest if i not in gone]
        assert_budget_report(result, left, "4s", warnings_of(run))
        assert_oldest_went(result["deleted"], left, workers=8)
        log = emulator.requests()
        assert_within_budget(log, 4, in_flight=1.0)
        sent = [i for r in log if r["operation"] == "DeleteJob" for i in r["ids"]]
        assert not set(sent) & set(gone), run_number  # a re-run never sends a delete for an id already deleted
        assert sorted(deletes(log, "DeleteJob")) == sorted(result["deleted"])
        gone += result["deleted"]

    emulator.clear_requests()
    last = ad_hoc_result(run_ad_hoc(tmp_path, "tencent_batch_job", dict(args, time_budget=None)))
    assert sorted(gone + last["deleted"]) == sorted(oldest) and last["not_deleted"] == []
    assert not set(deletes(emulator.requests(), "DeleteJob")) & set(gone)
    assert [j["JobId"] for j in emulator.state()["tencent"]] == ["job-r0000001"]


def test_an_mrs_backlog_with_latency_ends_within_the_budget_oldest_first(emulator, tmp_path):
    """600 executions, a batch delete of 10 answered after 1 s (4 at a time: 15 s for all), a budget of 3 s."""
    executions = mrs_backlog(600)
    emulator.seed({"mrs": executions})
    emulator.config({"latency": {"mrs.BatchDeleteJobs": 1.0}})
    oldest = oldest_first(executions, "job_id")
    args = dict(huawei_auth(emulator.url), cluster_id=CLUSTER, filters={"older_than": "7d"}, batch_size=10,
                time_budget="3s")
    emulator.clear_requests()
    run = run_ad_hoc(tmp_path, "mrs_job_executions", args)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = ad_hoc_result(run)
    assert_budget_report(result, oldest, "3s", warnings_of(run))
    assert_oldest_went(result["deleted"], oldest, workers=4 * 10)  # but for a batch or so in flight
    log = emulator.requests()
    assert_within_budget(log, 3, in_flight=1.0)
    batches = [r["ids"] for r in log if r["operation"] == "BatchDeleteJobs"]
    assert len(batches) * 10 == len(result["deleted"])  # no batch was sent that did not go

    emulator.clear_requests()
    again = run_ad_hoc(tmp_path, "mrs_job_executions", dict(args, time_budget="1h"))
    rest = ad_hoc_result(again)
    assert sorted(result["deleted"] + rest["deleted"]) == sorted(oldest) and "time_budget" not in warnings_of(again)
    assert not set(deletes(emulator.requests(), "BatchDeleteJobs")) & set(result["deleted"])
    assert emulator.state()["mrs"] == []


# -- combined with the other options, one cell each --------------------------------------------------------------
TENCENT_LIMITED = {"rate_limits": {"tencent.DeleteJob": 5}}


def _tencent_cell(args, jobs, config=None, check_mode=False):
    config = TENCENT_LIMITED if config is None else config
    task = {"cloudjobs.cleanup.tencent_batch_job": dict({"rate_limit": 5, "time_budget": "2s"}, **args)}
    if check_mode:
        task["check_mode"] = True
    return {"task": task, "seed": {"tencent": jobs}, "config": config}


def combined_cells():
    jobs = tencent_backlog(40)
    named = tencent_backlog(40, prefix="k", name="nightly")
    running = mrs_backlog(20, running=3)
    return {
        "ids": _tencent_cell({"job_ids": [j["JobId"] for j in jobs] + ["job-zzzzzzzz"]}, jobs),
        "filters and keep_latest": _tencent_cell({"filters": {"older_than": "7d", "keep_latest": 5}}, named),
        "max_deletions above the selection": _tencent_cell({"filters": {"older_than": "7d"}, "max_deletions": 40}, jobs),
        "max_deletions below the selection": _tencent_cell({"filters": {"older_than": "7d"}, "max_deletions": 39}, jobs),
        "check mode": _tencent_cell({"filters": {"older_than": "7d"}, "time_budget": "1s"}, jobs, check_mode=True),
        "force, stopped but not finished": {
            "task": {"cloudjobs.cleanup.mrs_job_executions": {
                "cluster_id": CLUSTER, "filters": {"states": ["FINISHED", "FAILED", "KILLED", "RUNNING"]},
                "force": True, "time_budget": "3s"}},
            "seed": {"mrs": running}, "config": {"kill_delay": 60}},
    }


def test_the_budget_combined_with_ids_retention_max_deletions_check_mode_and_force(emulator, tmp_path):
    cells = combined_cells()
    outcome = run_cells(tmp_path, emulator, cells, module_defaults=cloud_defaults(emulator.url))
    lines = outcome.lines
    assert set(lines) == set(cells), outcome.stdout[-3000:]

    def ok(name):
        line = lines[name]
        assert line["status"] == "ok", (name, line["result"].get("msg"))
        return line["result"], line["requests"]

    jobs = oldest_first(tencent_backlog(40), "JobId")
    result, _log = ok("ids")   # an id asked for and not reached is no failure either
    assert result["already_absent"] == ["job-zzzzzzzz"]
    assert_budget_report(result, jobs, "2s", warnings_of(result=result))

    result, _log = ok("filters and keep_latest")
    named = oldest_first(tencent_backlog(40, prefix="k", name="nightly"), "JobId")
    assert sorted(result["kept"]) == sorted(named[-5:])
    assert_budget_report(result, named[:-5], "2s", warnings_of(result=result))

    result, _log = ok("max_deletions above the selection")
    assert_budget_report(result, jobs, "2s", warnings_of(result=result))
    refused = lines["max_deletions below the selection"]
    assert refused["status"] == "failed" and "max_deletions=39" in refused["result"]["msg"]
    assert [r for r in refused["requests"] if r["mutating"]] == []   # the guard comes before the budget

    result, log = ok("check mode")   # the budget is ignored: the whole selection is predicted
    assert sorted(result["deleted"]) == sorted(jobs) and [r for r in log if r["mutating"]] == []
    assert "time_budget" not in warnings_of(result=result)

    result, log = ok("force, stopped but not finished")
    live = sorted(r["job_id"] for r in mrs_backlog(20, running=3) if r["job_state"] == "RUNNING")
    finished = oldest_first([r for r in mrs_backlog(20, running=3) if r["job_state"] != "RUNNING"], "job_id")
    assert result["deleted"] == finished   # the finished go first, oldest first
    reasons = {n["id"]: n["reason"] for n in result["not_deleted"]}
    assert reasons == {i: "stopped, not deleted: time_budget spent" for i in live}
    assert collections.Counter(r["operation"] for r in log if r["mutating"]) == {"BatchDeleteJobs": 1, "StopJob": 3}


@pytest.mark.parametrize("ending", ["a fatal error", "max_deletions"])
def test_whatever_ends_a_run_early_the_next_run_sends_no_delete_for_an_id_already_deleted(emulator, tmp_path, ending):
    """A run ended by a fatal error after ten deletes (the credentials refused from then on), or refused by the
    max_deletions guard before any: the next run deletes exactly what is still there, each id once."""
    jobs = tencent_backlog(30)
    emulator.seed({"tencent": jobs})
    emulator.config({"rate_limits": {"tencent.DeleteJob": 20}})
    args = dict(tencent_auth(emulator.url), filters={"older_than": "7d"})
    if ending == "a fatal error":   # ten DeleteJob calls go through, then every one is refused
        emulator.fault({"service": "tencent", "operation": "DeleteJob", "skip": 10, "count": 999, "kind": "auth"})
        run = run_ad_hoc(tmp_path, "tencent_batch_job", args)
    else:
        run = run_ad_hoc(tmp_path, "tencent_batch_job", dict(args, max_deletions=29))
    first = ad_hoc_result(run)
    assert run.returncode != 0, run.stdout[-2000:]
    assert sorted(first["deleted"] + [n["id"] for n in first["not_deleted"]]) == sorted(j["JobId"] for j in jobs)
    assert (0 < len(first["deleted"]) <= 10) if ending == "a fatal error" else first["deleted"] == []
    emulator.clear_faults()
    emulator.clear_requests()
    again = ad_hoc_result(run_ad_hoc(tmp_path, "tencent_batch_job", args))
    log = emulator.requests()
    sent = {i for r in log if r["operation"] == "DeleteJob" for i in r["ids"]}   # retries of throttled calls too
    assert not sent & set(first["deleted"])
    assert sorted(deletes(log, "DeleteJob")) == sorted(again["deleted"]) == sorted(
        set(j["JobId"] for j in jobs) - set(first["deleted"]))
    assert emulator.state()["tencent"] == []
