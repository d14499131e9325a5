# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reviewed plans at the client boundary: what a check run's plan holds, what applying one refuses before any call,
and which planned records a run deletes after the records changed (the MRS v2 target over a fake connection)."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import ensure_absent
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._mrs import (
    JOB_ID_RULE,
    MRS_FILTER_SPEC,
    MrsClient,
    mrs_selection,
    mrs_target,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._plans import (
    DEFAULT_PLAN_TTL,
    PLAN_VERSION,
    Plan,
    PlanRefused,
    Planning,
    plan_digest,
)
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import FakeMrsConnection

MODULE = "cloudjobs.cleanup.mrs_job_executions"
NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z
DAY_MS = 86400 * 1000
SCOPE = {"cloud": "huaweicloud", "endpoint": "https://mrs.example:443", "region": "xx-1", "project_id": "p",
         "cluster_id": "c1", "api_version": "v2"}


def _execution(n, name="nightly", days=10, state="FINISHED"):
    return {"job_id": "00000000-0000-4000-8000-%012d" % n, "job_name": name, "job_state": state,
            "job_result": "SUCCEEDED" if state == "FINISHED" else "UNDEFINED",
            "submitted_time": int(NOW * 1000) - days * DAY_MS, "cluster_id": "c1"}


def _params(**extra):
    params = {"job_execution_ids": None, "filters": None, "force": False, "plan": None, "plan_ttl": DEFAULT_PLAN_TTL}
    params.update(extra)
    return params


def _planning(params, scope=None, clock=lambda: NOW):
    scope = dict(SCOPE if scope is None else scope)
    return Planning(params, MODULE, "job_execution_ids", MRS_FILTER_SPEC, lambda: scope, JOB_ID_RULE, clock=clock)


def _run(records, planning, check_mode=False, force=False, connection_options=None, **options):
    connection = FakeMrsConnection(records, **(connection_options or {}))
    selection = mrs_selection(planning.ids, planning.filters, force=planning.force, now=NOW)
    target = mrs_target(MrsClient(connection), selection, cluster_id="c1")
    planning.check_scope()
    result = ensure_absent(target, check_mode=check_mode, force=force, plan=planning.plan, sleep=lambda s: None,
                           **options)
    return result, target, connection


def _make_plan(records, filters=None, ids=None, **params):
    planning = _planning(_params(filters=filters, job_execution_ids=ids, **params))
    result, target, _connection = _run(records, planning, check_mode=True, force=params.get("force", False))
    return planning.returned(target, result, check_mode=True)["plan"]


def _apply(records, plan, clock=lambda: NOW, **options):  # options: ensure_absent's, and connection_options
    planning = _planning(_params(plan=plan), clock=clock)
    result, _target, connection = _run(records, planning, **options)
    return result, connection


FILTERS = {"older_than": "7d", "keep_latest": 1}


def _story():
    """Three old runs of 'nightly' (10, 11, 12 days) and its newest (1 day, kept), two old runs of 'etl' and its
    newest: the plan holds the five old ones."""
    return [_execution(1, days=10), _execution(2, days=11), _execution(3, days=12), _execution(4, days=1),
            _execution(5, "etl", 20), _execution(6, "etl", 21, "FAILED"), _execution(7, "etl", 2)]


def test_a_check_run_returns_a_compact_versioned_plan_of_what_it_would_delete_oldest_first():
    plan = _make_plan(_story(), FILTERS)
    ids = [row[0] for row in plan["records"]]
    assert ids == [_execution(n)["job_id"] for n in (6, 5, 3, 2, 1)]
    assert plan["version"] == PLAN_VERSION and plan["module"] == MODULE and plan["scope"] == SCOPE
    assert plan["selection"] == {"job_execution_ids": None, "filters": FILTERS, "force": False}
    assert plan["fields"] == ["job_id", "job_name", "job_state", "submitted_time"]
    assert plan["records"][0] == [ids[0], "etl", "FAILED", int(NOW * 1000) - 21 * DAY_MS]
    assert plan["created_at"] == "2027-01-15T08:00:00Z" and plan["expires_at"] == "2027-01-16T08:00:00Z"
    assert plan["digest"] == plan_digest(plan) and plan["digest"].startswith("sha256:")
    assert max(len(json.dumps(row, separators=(",", ":"))) for row in plan["records"]) <= 100


def test_the_digest_is_over_the_canonical_form_so_key_order_and_spacing_do_not_matter():
    plan = _make_plan(_story(), FILTERS)
    reordered = json.loads(json.dumps(dict(reversed(list(plan.items()))), indent=3))
    assert plan_digest(reordered) == plan["digest"]
    assert Plan.read(reordered, MODULE, [], clock=lambda: NOW).ids == [row[0] for row in plan["records"]]


def test_applied_unchanged_it_deletes_exactly_the_plan_and_again_reports_them_already_absent():
    records = _story()
    plan = _make_plan(records, FILTERS)
    result, connection = _apply(records, plan)
    assert result.deleted == [row[0] for row in plan["records"]] and not result.failed
    assert connection.records.keys() == {_execution(4)["job_id"], _execution(7)["job_id"]}
    again, connection = _apply(list(connection.records.values()), plan)
    assert again.deleted == [] and sorted(again.already_absent) == sorted(result.deleted) and not again.not_deleted


def test_drift_new_running_gone_and_keep_latest_each_reported_and_nothing_outside_the_plan_touched():
    records = _story()
    plan = _make_plan(records, FILTERS)
    e = {n: _execution(n)["job_id"] for n in range(1, 10)}
    after = {r["job_id"]: dict(r) for r in records}
    del after[e[1]]                                                  # gone: deleted by another run
    del after[e[4]]                                                  # the newest nightly gone: e2 is now the newest
    after[e[6]]["job_state"], after[e[6]]["job_result"] = "RUNNING", "UNDEFINED"  # runs again
    after[e[8]] = _execution(8, days=30)                             # new, qualifies: not in the plan
    result, connection = _apply(list(after.values()), plan)
    reasons = {n["id"]: n["reason"] for n in result.not_deleted}
    assert result.deleted == [e[5], e[3]]
    assert result.already_absent == [e[1]]
    assert reasons == {
        e[6]: "changed since the plan: job_state RUNNING (planned FAILED)",
        e[2]: "changed since the plan: now kept, one of the 1 newest records named 'nightly' (keep_latest)",
    }
    assert not result.failed and result.drifted == {e[6], e[2]}
    assert set(connection.records) == {e[2], e[6], e[7], e[8]}
    deletes = [c for c in connection.calls if c.mutating]
    assert sorted(i for c in deletes for i in c.json_body["job_id_list"]) == sorted([e[5], e[3]])


def test_a_plan_by_ids_deletes_only_the_planned_ids_and_tells_a_changed_record_from_a_gone_one():
    records = _story()
    asked = [_execution(n)["job_id"] for n in (1, 2, 4, 9)]  # 4 is the newest, kept; 9 does not exist
    plan = _make_plan(records, FILTERS, ids=asked)
    assert [row[0] for row in plan["records"]] == [asked[1], asked[0]]
    after = [dict(r, job_name="renamed") if r["job_id"] == asked[0] else r for r in records]
    result, _connection = _apply(after, plan)
    assert result.deleted == [asked[1]]
    assert [n["reason"] for n in result.not_deleted] == ["changed since the plan: job_name renamed (planned nightly)"]


def test_a_record_the_plans_filters_no_longer_select_is_drift_not_absent():
    records = [dict(_execution(1, days=10), queue="batch"), dict(_execution(2, days=11), queue="batch")]
    plan = _make_plan(records, {"older_than": "7d", "queue": "batch"})
    moved = dict(records[0], queue="interactive")  # same name, state and time: only the filters tell
    result, _connection = _apply([moved, records[1]], plan)
    assert result.deleted == [records[1]["job_id"]] and result.already_absent == []
    assert result.not_deleted[0]["reason"] == "changed since the plan: the plan's filters no longer select it"


def test_max_deletions_and_check_mode_work_with_a_plan():
    records = _story()
    plan = _make_plan(records, FILTERS)
    predicted, connection = _apply(records, plan, check_mode=True)
    assert predicted.deleted == [row[0] for row in plan["records"]]
    assert not [c for c in connection.calls if c.mutating]
    guarded, connection = _apply(records, plan, max_deletions=4)
    assert guarded.deleted == [] and guarded.failed and "max_deletions=4" in guarded.message
    assert not [c for c in connection.calls if c.mutating]
    capped, _connection = _apply(records, plan, max_deletions_per_run=2)
    assert capped.deleted == [row[0] for row in plan["records"][:2]] and not capped.failed


def _refused(plan, clock=lambda: NOW, scope=None, **params):
    with pytest.raises(PlanRefused) as refused:
        _planning(_params(plan=plan, **params), scope=scope, clock=clock).check_scope()
    assert "\n" not in str(refused.value)
    return str(refused.value)


def _resealed(plan, **changes):
    changed = dict(copy.deepcopy(plan), **changes)
    changed["digest"] = plan_digest(changed)
    return changed


def test_refusals_expired_edited_unknown_version_foreign_module_mixed_and_other_scope():
    plan = _make_plan(_story(), FILTERS)
    assert "expired at 2027-01-16T08:00:00Z" in _refused(plan, clock=lambda: NOW + 86400)
    edited = copy.deepcopy(plan)
    edited["records"].append([_execution(4)["job_id"], "nightly", "FINISHED", 0])
    assert "does not match its digest" in _refused(edited)
    assert "version 2 is not one" in _refused(_resealed(plan, version=2))
    assert "made by cloudjobs.cleanup.tencent_batch_job" in _refused(
        _resealed(plan, module="cloudjobs.cleanup.tencent_batch_job"))
    assert "together with filters" in _refused(plan, filters={"older_than": "1d"})
    assert "together with job_execution_ids" in _refused(plan, job_execution_ids=["x"])
    assert "cluster_id c1, not c2" in _refused(plan, scope=dict(SCOPE, cluster_id="c2"))
    assert "not one a check run returned" in _refused(_resealed(plan, extra=1))
    assert "is not one this module makes" in _refused(_resealed(plan, selection=dict(plan["selection"], filters={
        "older_than": "7d", "colour": "red"})))
    assert "names an id twice" in _refused(_resealed(plan, records=plan["records"] + plan["records"][:1]))
    assert "must be the plan" in _refused(["not", "a", "plan"])


def test_a_refused_plan_sends_no_request_at_all():
    records = _story()
    plan = _make_plan(records, FILTERS)
    connection = FakeMrsConnection(records)
    with pytest.raises(PlanRefused):
        Planning(_params(plan=plan), MODULE, "job_execution_ids", MRS_FILTER_SPEC, lambda: SCOPE, JOB_ID_RULE,
                 clock=lambda: NOW + 10 ** 6)
    assert connection.calls == []


@pytest.mark.parametrize("ttl", ["0s", "soon", "-1h"])
def test_plan_ttl_is_checked_before_any_request(ttl):
    with pytest.raises(ConfigurationError, match="plan_ttl"):
        _planning(_params(plan_ttl=ttl))


def test_a_check_run_that_the_guard_refused_returns_no_plan():
    planning = _planning(_params(filters=FILTERS))
    result, target, _connection = _run(_story(), planning, check_mode=True, max_deletions=1)
    assert result.failed and planning.returned(target, result, check_mode=True) == {}


def test_a_plan_whose_ids_would_reach_past_the_service_is_refused_before_any_request():
    plan = _make_plan(_story(), FILTERS)
    forged = _resealed(plan, records=[["../../clusters/c2/jobs", "nightly", "FINISHED", 0]] + plan["records"])
    with pytest.raises(ConfigurationError, match="plan: '../../clusters/c2/jobs' is not a valid id"):
        _planning(_params(plan=forged))


def test_an_empty_plan_applies_without_a_call_and_a_row_without_its_fields_is_refused():
    empty = _make_plan(_story(), {"older_than": "90d"})
    assert empty["records"] == []
    result, connection = _apply(_story(), empty)
    assert result.deleted == result.already_absent == result.not_deleted == [] and connection.calls == []
    by_ids = _make_plan(_story(), FILTERS, ids=[_execution(4)["job_id"]])  # the newest: kept, so nothing is planned
    result, connection = _apply(_story(), by_ids)
    assert by_ids["records"] == [] and result.deleted == [] and connection.calls == []
    plan = _make_plan(_story(), FILTERS)
    assert "without its 4 fields" in _refused(_resealed(plan, records=[plan["records"][0][:2]]))


def test_a_plan_made_with_force_stops_and_deletes_with_force_and_leaves_a_running_record_without_it():
    records = [_execution(1, days=10), _execution(2, days=11, state="RUNNING")]
    filters = {"older_than": "7d", "states": ["FINISHED", "RUNNING"]}
    plan = _make_plan(records, filters, force=True)
    assert [row[0] for row in plan["records"]] == [records[0]["job_id"], records[1]["job_id"]]
    assert plan["selection"]["force"] is True
    without, connection = _apply(records, plan)  # force is the run's to give: without it, nothing is stopped
    assert without.deleted == [records[0]["job_id"]] and not without.failed
    assert [n["reason"] for n in without.not_deleted] == ["still RUNNING; force=true stops it"]
    assert not [c for c in connection.calls if c.operation == "StopJob"]
    forced, connection = _apply(records, plan, force=True)
    assert forced.deleted == [records[0]["job_id"], records[1]["job_id"]]
    assert [c.operation for c in connection.calls if c.mutating] == ["BatchDeleteJobs", "StopJob", "BatchDeleteJobs"]


def test_a_plan_made_without_force_never_stops_a_record_that_runs_again_even_with_force():
    records = [_execution(1, days=10), _execution(2, days=11)]
    plan = _make_plan(records, {"older_than": "7d"})
    running = [records[0], dict(records[1], job_state="RUNNING", job_result="UNDEFINED")]
    result, connection = _apply(running, plan, force=True)
    assert result.deleted == [records[0]["job_id"]]
    assert result.not_deleted[0]["reason"] == "changed since the plan: job_state RUNNING (planned FINISHED)"
    assert not [c for c in connection.calls if c.operation == "StopJob"]


STATES = ("FINISHED", "FAILED", "KILLED", "RUNNING")


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_applying_a_plan_after_any_changes_deletes_only_planned_records_that_still_qualify(data):
    """Random executions, a plan of them (filters and keep_latest), random changes (gone, state, name, time, new ones),
    the plan applied: every planned id ends in exactly one list; what is deleted was planned, still exists and reads
    as planned; nothing outside the plan is touched; an unchanged planned record whose retention group did not change
    is deleted."""
    n = data.draw(st.integers(min_value=1, max_value=12), label="records")
    names = ["a", "b"]
    records = [_execution(i, data.draw(st.sampled_from(names)), data.draw(st.integers(0, 30)),
                          data.draw(st.sampled_from(STATES))) for i in range(n)]
    keep = data.draw(st.sampled_from([None, 1, 2]), label="keep_latest")
    filters = dict({"older_than": "7d"}, **({"keep_latest": keep} if keep else {}))
    plan = _make_plan(records, filters)
    planned = [row[0] for row in plan["records"]]

    after = {}
    for record in records:
        change = data.draw(st.sampled_from(["same", "same", "gone", "state", "name", "time"]))
        if change == "gone":
            continue
        changed = dict(record)
        if change == "state":
            changed["job_state"] = data.draw(st.sampled_from(STATES))
        elif change == "name":
            changed["job_name"] = data.draw(st.sampled_from(names + ["c"]))
        elif change == "time":
            changed["submitted_time"] -= DAY_MS
        after[changed["job_id"]] = changed
    for i in range(data.draw(st.integers(0, 3), label="new")):
        new = _execution(100 + i, data.draw(st.sampled_from(names)), data.draw(st.integers(0, 30)), "FINISHED")
        after[new["job_id"]] = new
    result, connection = _apply(list(after.values()), plan)

    lists = result.deleted + result.already_absent + [n["id"] for n in result.not_deleted] + result.kept
    assert sorted(lists) == sorted(planned)  # every planned id once, and nothing else reported
    assert set(result.already_absent) == {i for i in planned if i not in after}
    rows = {row[0]: row[1:] for row in plan["records"]}
    for job_id in result.deleted:
        now = after[job_id]
        assert [now["job_name"], now["job_state"], now["submitted_time"]] == rows[job_id]
    assert set(connection.records) == set(after) - set(result.deleted)  # nothing outside the plan touched
    assert all(n["reason"].startswith("changed since the plan: ") for n in result.not_deleted)
    if not keep:  # without retention, a planned record that reads as planned is always deleted
        assert set(result.deleted) == {i for i in planned if i in after and [
            after[i]["job_name"], after[i]["job_state"], after[i]["submitted_time"]] == rows[i]}


def test_a_refused_delete_with_drift_and_a_gone_record_reports_every_planned_id_in_exactly_one_list():
    records = _story()
    plan = _make_plan(records, FILTERS)
    planned = [row[0] for row in plan["records"]]
    after = [dict(r, job_state="RUNNING", job_result="UNDEFINED") if r["job_id"] == planned[1] else r
             for r in records if r["job_id"] != planned[0]]
    # MRS refuses the whole batch (0166) for one member it will not delete: the rest of the plan goes with it.
    result, connection = _apply(after, plan, connection_options={"refuse": {planned[2]}})
    assert result.failed and result.deleted == [] and result.already_absent == [planned[0]]
    reasons = {n["id"]: n for n in result.not_deleted}
    assert reasons[planned[1]]["reason"] == "changed since the plan: job_state RUNNING (planned FINISHED)"
    assert {i for i, n in reasons.items() if n["error_code"] == "0166"} == set(planned[2:])
    assert sorted(result.deleted + result.already_absent + list(reasons)) == sorted(planned)
    assert set(planned[2:]) <= set(connection.records)


def test_a_look_that_fails_reports_every_planned_id_and_deletes_nothing():
    records = _story()
    plan = _make_plan(records, FILTERS)
    denied = FakeMrsConnection.error("APIGW.0302", 403, "ShowJobExeListNew")
    result, connection = _apply(records, plan, connection_options={"fail": {"ShowJobExeListNew": denied}})
    assert result.failed and result.deleted == [] and not [c for c in connection.calls if c.mutating]
    assert [n["id"] for n in result.not_deleted] == [row[0] for row in plan["records"]]
    assert {n["reason"] for n in result.not_deleted} == {"not attempted: the look failed"}
