# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MRS decisions at the client boundary: paging, what the look costs, state rules, error verdicts."""

from __future__ import annotations

import time

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._batches import ABORT, FAILED, GONE, SPLIT_BATCH
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import ensure_absent
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError, mark_not_found
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._mrs import (
    NOT_FOUND,
    MrsClient,
    MrsJobExecutions,
    MrsJobExecutionsV1,
    classify_delete_error,
    mrs_selection,
    mrs_target,
)
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import MRS, FakeMrsConnection, api_error


def executions(n, state="FINISHED", prefix="j", submitted=0):
    return [{"job_id": "%s%04d" % (prefix, i), "job_name": "n%d" % i, "job_state": state, "submitted_time": submitted}
            for i in range(n)]


def target(conn, deleting=True, job_execution_ids=None, filters=None, force=False, **settings):
    settings.setdefault("cluster_id", "c1")
    selection = mrs_selection(job_execution_ids, filters, force=force, deleting=deleting)
    return mrs_target(MrsClient(conn), selection, **settings)


def test_filter_selection_defaults_to_finished_states_and_pages_by_100():
    conn = FakeMrsConnection(executions(250) + executions(30, state="RUNNING", prefix="r"))
    records, absent = target(conn, filters={"name_pattern": "n*"}).look()
    assert len(records) == 250 and absent == []
    assert [c.query["limit"] for c in conn.ops("ShowJobExeListNew")] == ["100", "100", "100"]


def test_a_single_state_and_the_age_cutoff_are_pushed_to_the_server():
    conn = FakeMrsConnection(executions(5))
    target(conn, filters={"states": ["FAILED"], "older_than": "1d", "user": "etl"}).look()
    query = conn.ops("ShowJobExeListNew")[0].query
    assert query["job_state"] == "FAILED" and query["user"] == "etl" and "submitted_time_end" in query


def test_a_server_that_caps_the_page_size_is_still_read_to_the_end():
    conn = FakeMrsConnection(executions(120), max_limit=50)
    records, dummy = target(conn, filters={}).look()
    assert len(records) == 120
    assert len(conn.ops("ShowJobExeListNew")) == 3


def test_one_id_is_looked_up_with_one_show():
    conn = FakeMrsConnection(executions(500))
    records, absent = target(conn, job_execution_ids=["j0001"]).look()
    assert [r["job_id"] for r in records] == ["j0001"] and absent == []
    assert [c[0] for c in conn.calls] == ["ShowSingleJobExe"]


def test_many_ids_in_a_small_cluster_use_the_list():
    conn = FakeMrsConnection(executions(150))
    ids = ["j%04d" % i for i in range(20)] + ["missing"]
    records, absent = target(conn, job_execution_ids=ids).look()
    assert len(records) == 20 and absent == ["missing"]
    assert conn.ops("ShowSingleJobExe") == [] and len(conn.calls) <= 3


def test_few_ids_in_a_large_cluster_use_show():
    conn = FakeMrsConnection(executions(5000))
    records, absent = target(conn, job_execution_ids=["j0001", "j0002", "gone"]).look()
    assert len(records) == 2 and absent == ["gone"]
    assert len(conn.ops("ShowSingleJobExe")) == 3 and len(conn.ops("ShowJobExeListNew")) == 1


def test_ids_and_filters_mean_these_ids_if_they_also_match():
    conn = FakeMrsConnection(executions(3) + executions(1, state="FAILED", prefix="f"))
    records, absent = target(conn, job_execution_ids=["j0000", "f0000"], filters={"states": ["FAILED"]}).look()
    assert [r["job_id"] for r in records] == ["f0000"] and absent == []


def test_a_missing_cluster_is_an_error_naming_it():
    conn = FakeMrsConnection(executions(3))
    with pytest.raises(ApiError, match="c9") as raised:
        target(conn, cluster_id="c9", filters={}).look()
    assert raised.value.code == "12000003" and raised.value.to_dict()["request_id"] == "req-1"


@pytest.mark.parametrize("state", ["NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING"])
def test_unfinished_states_block_deletion(state):
    t = target(FakeMrsConnection([]), filters={})
    assert t.blocker({"job_state": state}) and t.blocker({"job_state": "FINISHED"}) is None


def test_running_states_in_filters_need_force():
    with pytest.raises(ConfigurationError, match="force"):
        mrs_selection(None, {"states": ["RUNNING"]}, deleting=True)
    assert mrs_selection(None, {"states": ["RUNNING"]}, deleting=False).states == ["RUNNING"]


@pytest.mark.parametrize(
    "code, status, verdict",
    [("0176", 400, GONE), ("0201", 500, GONE), ("0183", 400, SPLIT_BATCH), ("0161", 500, SPLIT_BATCH),
     ("APIGW.0301", 401, ABORT), ("APIGW.0302", 403, ABORT), ("APIGW.0201", 502, FAILED), ("0166", 500, FAILED)],
)
def test_delete_error_verdicts(code, status, verdict):
    refused = mark_not_found(api_error(code, status, "BatchDeleteJobs", service=MRS), NOT_FOUND)  # as MrsClient raises it
    assert classify_delete_error(refused) == verdict


def test_v1_force_is_refused_before_any_request():
    conn = FakeMrsConnection([])
    with pytest.raises(ConfigurationError, match="v1.1"):
        target(conn, api_version="v1.1", job_execution_ids=["x"], force=True)
    assert conn.calls == []


def test_v1_needs_a_cluster_for_filters():
    with pytest.raises(ConfigurationError, match="cluster_id"):
        target(FakeMrsConnection([]), api_version="v1.1", cluster_id=None, filters={})


def test_v1_state_names_map_to_numeric_codes():
    t = target(FakeMrsConnection([]), api_version="v1.1", filters={"states": ["FINISHED", "KILLED"]})
    assert isinstance(t, MrsJobExecutionsV1)
    completed = {"job_state": 3, "job_final_status": 2, "job_name": "x"}
    terminated = {"job_state": -1, "job_final_status": 3, "job_name": "x"}
    running = {"job_state": 2, "job_final_status": 0, "job_name": "x"}
    assert t._matches(completed) and t._matches(terminated) and not t._matches(running)
    assert t.blocker(running) and t.blocker(completed) is None and t.blocker(terminated) is None


def test_v1_state_1_is_never_read_as_ended():
    """1 is "terminated" for the SDK and "starting" for OTC and Terraform: whatever its final status says, it is
    not deleted (tests/unit/plugins/module_utils/test_api_readings.py has the whole table)."""
    t = target(FakeMrsConnection([]), api_version="v1.1", filters={"states": ["KILLED"]})
    starting = {"job_state": 1, "job_final_status": 0, "job_name": "x"}
    terminated = {"job_state": 1, "job_final_status": 3, "job_name": "x"}
    assert t.blocker(starting) and t.blocker(terminated)
    assert t._matches(terminated) and not t._matches(starting)


def test_v2_requires_a_cluster():
    with pytest.raises(ConfigurationError, match="cluster_id"):
        MrsJobExecutions(MrsClient(FakeMrsConnection([])), None, mrs_selection(None, {}))


def runs(name, ages_in_days, state="FINISHED", prefix=None):
    now_ms = int(time.time() * 1000)
    return [{"job_id": "%s%02d" % (prefix or name, age), "job_name": name, "job_state": state,
             "submitted_time": now_ms - age * 86400 * 1000} for age in ages_in_days]


@pytest.mark.parametrize("check_mode", [True, False])
def test_keep_latest_keeps_the_newest_of_each_job_and_lists_the_whole_cluster(check_mode):
    """The issue's example: runs of A at 1, 2, 10, 11, 12 days, older_than 7d, keep_latest 2 - the three old
    ones go; A's two newest are too young to be selected at all; B's only run is old but its newest: kept."""
    records = runs("a", [1, 2, 10, 11, 12]) + runs("b", [20]) + runs("a", [0], state="RUNNING", prefix="ar")
    conn = FakeMrsConnection(records)
    result = ensure_absent(target(conn, filters={"older_than": "7d", "keep_latest": 2}), check_mode=check_mode)
    assert sorted(result.deleted) == ["a10", "a11", "a12"] and result.kept == ["b20"]
    assert result.not_deleted == [] and not result.failed
    listed = conn.ops("ShowJobExeListNew")[0].query
    assert "submitted_time_end" not in listed  # the newest are counted whatever their age


def test_ids_protected_by_a_rule_are_kept_and_do_not_fail():
    records = runs("a", [1, 2, 3]) + runs("prod", [5])
    conn = FakeMrsConnection(records)
    t = target(conn, job_execution_ids=["a01", "a03", "prod05", "gone"],
               filters={"keep_latest": 2, "keep_name_patterns": ["prod*"]})
    result = ensure_absent(t)
    assert result.deleted == ["a03"] and sorted(result.kept) == ["a01", "prod05"]
    assert result.already_absent == ["gone"] and not result.failed


def test_without_retention_rules_the_server_side_filters_and_request_count_stay_as_they_were():
    conn = FakeMrsConnection(runs("a", [10, 11]))
    ensure_absent(target(conn, filters={"older_than": "7d"}), check_mode=True)
    assert len(conn.ops("ShowJobExeListNew")) == 1 and "submitted_time_end" in conn.ops("ShowJobExeListNew")[0].query
