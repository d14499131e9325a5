# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Batch decisions: DescribeJobs chunks and filters, deletability, force, rendering."""

from __future__ import annotations

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import ensure_absent
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent_batch import (
    TencentBatchClient,
    render_job,
    tencent_selection,
    tencent_target,
)
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import FakeBatchConnection


def jobs(n, state="SUCCEED", prefix="job-a"):
    return [{"JobId": "%s%03d" % (prefix, i), "JobName": "n%d" % i, "JobState": state,
             "CreateTime": "2020-01-01T00:00:00Z"} for i in range(n)]


def target(conn, deleting=True, job_ids=None, filters=None, force=False):
    return tencent_target(TencentBatchClient(conn), tencent_selection(job_ids, filters, force=force, deleting=deleting))


def test_ids_are_described_100_per_call_and_missing_ones_are_absent():
    conn = FakeBatchConnection(jobs(150))
    ids = ["job-a%03d" % i for i in range(150)] + ["job-zzz999"]
    records, absent = target(conn, job_ids=ids).look()
    assert len(records) == 150 and absent == ["job-zzz999"]
    assert conn.count("DescribeJobs") == 2


def test_a_service_that_errors_on_unknown_ids_is_asked_one_by_one():
    conn = FakeBatchConnection(jobs(2), unknown_ids="error")
    records, absent = target(conn, job_ids=["job-a000", "job-nope"]).look()
    assert [r["JobId"] for r in records] == ["job-a000"] and absent == ["job-nope"]


def test_filters_default_to_finished_states_on_the_server_and_page_by_100():
    conn = FakeBatchConnection(jobs(230) + jobs(5, state="RUNNING", prefix="job-r"))
    records, dummy = target(conn, filters={}).look()
    assert len(records) == 230
    first = conn.calls[0][1]
    assert first["Limit"] == 100 and {"Name": "job-state", "Values": ["SUCCEED", "FAILED"]} in first["Filters"]
    assert conn.count("DescribeJobs") == 3


def test_a_single_job_id_string_is_accepted():
    conn = FakeBatchConnection(jobs(1))
    records, dummy = target(conn, job_ids="job-a000").look()
    assert len(records) == 1


@pytest.mark.parametrize("bad", ["job-../x", "JOB-ABC", "job-ab cd", "job-", "other-123"])
def test_ids_outside_the_alphabet_are_refused(bad):
    with pytest.raises(ConfigurationError, match="job_ids"):
        target(FakeBatchConnection([]), job_ids=[bad])


def test_unfinished_task_instances_block_a_failed_job():
    t = target(FakeBatchConnection([]))
    assert t.blocker({"JobState": "FAILED", "TaskInstanceMetrics": {"RunningCount": 1}})
    assert t.blocker({"JobState": "FAILED_INTERRUPTED"})
    assert t.blocker({"JobState": "FAILED", "TaskInstanceMetrics": {"FailedCount": 3}}) is None


def test_force_terminates_a_submitted_job_once_it_leaves_submitted():
    conn = FakeBatchConnection(jobs(1, state="SUBMITTED"), submitted_refusals=2)
    result = ensure_absent(target(conn, job_ids=["job-a000"], force=True), force=True, sleep=lambda s: None,
                           clock=lambda: 0.0)
    assert result.deleted == ["job-a000"] and conn.jobs == {}
    assert conn.count("TerminateJob") == 4


def test_delete_refused_as_unfinished_is_reported():
    conn = FakeBatchConnection(jobs(1))

    def refuse(action, params, mutating=False, _real=conn.call):
        if action == "DeleteJob":
            raise FakeBatchConnection.error("ResourceInUse.Job", operation=action)
        return _real(action, params, mutating)

    conn.call = refuse
    result = ensure_absent(target(conn, job_ids=["job-a000"]))
    assert result.not_deleted[0]["error_code"] == "ResourceInUse.Job"


def test_render_uses_snake_case_and_tags_as_a_dict():
    rendered = render_job({"JobId": "job-a", "TaskMetrics": {"SucceedCount": 1}, "Tags": [{"Key": "k", "Value": "v"}]})
    assert rendered == {"job_id": "job-a", "task_metrics": {"succeed_count": 1}, "tags": {"k": "v"}}


def test_keep_latest_counts_each_job_name_across_the_region_whatever_the_zone():
    def job_(job_id, name, created, zone):
        return {"JobId": job_id, "JobName": name, "JobState": "SUCCEED", "CreateTime": created,
                "Placement": {"Zone": zone}}

    conn = FakeBatchConnection([job_("job-r1", "render", "2020-01-03T00:00:00Z", "ap-guangzhou-4"),
                                job_("job-r2", "render", "2020-01-02T00:00:00Z", "ap-guangzhou-3"),
                                job_("job-r3", "render", "2020-01-01T00:00:00Z", "ap-guangzhou-3")])
    result = ensure_absent(target(conn, filters={"zone": "ap-guangzhou-3", "keep_latest": 1}))
    # job-r1 is the newest "render" of the region (another zone): both of this zone's runs are older, so they go.
    assert sorted(result.deleted) == ["job-r2", "job-r3"] and result.kept == [] and "job-r1" in conn.jobs
    listed = [c[1] for c in conn.calls if c[0] == "DescribeJobs"][0]
    assert all(f["Name"] != "zone" for f in listed.get("Filters", []))

    conn = FakeBatchConnection([job_("job-r1", "render", "2020-01-03T00:00:00Z", "ap-guangzhou-3"),
                                job_("job-r2", "render", "2020-01-02T00:00:00Z", "ap-guangzhou-3")])
    result = ensure_absent(target(conn, filters={"keep_latest": 1}), check_mode=True)
    assert result.deleted == ["job-r2"] and result.kept == ["job-r1"]


def test_info_with_keep_latest_still_lists_jobs_in_every_state():
    # The scope listing that counts the newest finished jobs is also the selection: it must not narrow the states.
    conn = FakeBatchConnection(jobs(3, prefix="job-s") + jobs(2, state="RUNNING", prefix="job-r")
                               + jobs(1, state="SUBMITTED", prefix="job-u"))
    records, absent = target(conn, deleting=False, filters={"keep_latest": 1}).look()
    assert sorted(r["JobId"] for r in records) == ["job-r000", "job-r001", "job-s000", "job-s001", "job-s002",
                                                   "job-u000"]
    assert absent == []
    listed = [c[1] for c in conn.calls if c[0] == "DescribeJobs"]
    assert len(listed) == 1 and all(f["Name"] != "job-state" for f in listed[0].get("Filters", []))


def test_keep_latest_with_states_asks_the_server_for_the_selected_and_the_counted_states_only():
    conn = FakeBatchConnection(jobs(2, prefix="job-s") + jobs(2, state="FAILED", prefix="job-f")
                               + jobs(1, state="RUNNING", prefix="job-r"))
    records, dummy = target(conn, deleting=False, filters={"keep_latest": 1, "states": ["FAILED"]}).look()
    assert sorted(r["JobId"] for r in records) == ["job-f000", "job-f001"]
    listed = [c[1] for c in conn.calls if c[0] == "DescribeJobs"][0]
    assert {"Name": "job-state", "Values": ["FAILED"]} in listed["Filters"]


class ListingWithoutInstances(FakeBatchConnection):
    """DescribeJobs as the API answers it: a job's task instances are counted by DescribeJob alone."""

    def _describe_jobs(self, params):
        answer = super()._describe_jobs(params)
        answer["JobSet"] = [{k: v for k, v in job.items() if k != "TaskInstanceMetrics"} for job in answer["JobSet"]]
        return answer


def failed_backlog(n, running=()):
    return [dict(job, CreateTime="2020-01-%02dT00:00:00Z" % (i + 1),
                 TaskInstanceMetrics={"RunningCount": 1 if i in running else 0, "FailedCount": 1})
            for i, job in enumerate(jobs(n, state="FAILED"))]


def test_a_real_run_asks_for_task_instances_only_right_before_each_delete():
    """A backlog of FAILED jobs: the look is one DescribeJobs; each DescribeJob comes just before its DeleteJob,
    so a run the budget ends has spent its calls on jobs it deleted."""
    conn = ListingWithoutInstances(failed_backlog(4, running=(1,)))
    t = tencent_target(TencentBatchClient(conn), tencent_selection(None, {}), instances_in_look=False)
    result = ensure_absent(t)
    assert [c.action for c in conn.calls] == ["DescribeJobs", "DescribeJob", "DeleteJob", "DescribeJob",
                                              "DescribeJob", "DeleteJob", "DescribeJob", "DeleteJob"]
    assert result.deleted == ["job-a000", "job-a002", "job-a003"] and not result.failed
    assert [(n["id"], n["reason"]) for n in result.not_deleted] == [
        ("job-a001", "FAILED but with unfinished task instances (RunningCount); force=true stops it")]


def test_check_mode_still_asks_in_the_look_and_predicts_exactly():
    conn = ListingWithoutInstances(failed_backlog(4, running=(1,)))
    t = tencent_target(TencentBatchClient(conn), tencent_selection(None, {}), instances_in_look=True)
    result = ensure_absent(t, check_mode=True)
    assert result.deleted == ["job-a000", "job-a002", "job-a003"]
    assert conn.count("DescribeJob") == 4 and conn.mutating_calls() == []
    real = ListingWithoutInstances(failed_backlog(4, running=(1,)))
    assert ensure_absent(tencent_target(TencentBatchClient(real), tencent_selection(None, {}),
                                        instances_in_look=False)).deleted == result.deleted


def test_force_still_asks_in_the_look_so_running_instances_are_stopped_first():
    conn = ListingWithoutInstances(failed_backlog(2, running=(0,)))
    t = tencent_target(TencentBatchClient(conn), tencent_selection(None, {}, force=True), instances_in_look=False)
    assert t.instances_in_look


@pytest.mark.parametrize("check_mode", [False, True])
def test_max_deletions_per_run_deletes_the_oldest_and_leaves_the_rest_for_the_next_run(check_mode):
    conn = FakeBatchConnection([dict(job, CreateTime="2020-01-%02dT00:00:00Z" % (10 - i))
                                for i, job in enumerate(jobs(10))])
    result = ensure_absent(target(conn), check_mode=check_mode, max_deletions_per_run=4)
    assert result.deleted == ["job-a009", "job-a008", "job-a007", "job-a006"] and not result.failed
    assert sorted(n["id"] for n in result.not_deleted) == ["job-a%03d" % i for i in range(6)]
    assert {n["reason"] for n in result.not_deleted} == {"left for the next run: max_deletions_per_run=4, oldest first"}
    assert conn.count("DeleteJob") == (0 if check_mode else 4)


def test_the_guard_counts_what_the_run_deletes_so_a_backlog_drains_under_it():
    """60 jobs, max_deletions 50: refused as a whole; with max_deletions_per_run 25 the oldest 25 go, under the same
    guard; a cap above the guard is refused, nothing deleted."""
    assert ensure_absent(target(FakeBatchConnection(jobs(60))), max_deletions=50).failed
    drained = ensure_absent(target(FakeBatchConnection(jobs(60))), max_deletions=50, max_deletions_per_run=25)
    assert len(drained.deleted) == 25 and not drained.failed
    refused = ensure_absent(target(FakeBatchConnection(jobs(60))), max_deletions=50, max_deletions_per_run=55)
    assert refused.failed and refused.deleted == [] and "max_deletions=50" in refused.message


@pytest.mark.parametrize("check_mode", [False, True])
def test_the_guard_counts_failed_jobs_with_running_instances_as_check_mode_does(check_mode):
    """Four FAILED jobs, one with a task instance still running, max_deletions 3: three are to delete, so the guard
    lets the run go, in check mode (which asks in the look) and in a real run (which asks when the guard needs it)."""
    conn = ListingWithoutInstances(failed_backlog(4, running=(1,)))
    t = tencent_target(TencentBatchClient(conn), tencent_selection(None, {}), instances_in_look=check_mode)
    result = ensure_absent(t, check_mode=check_mode, max_deletions=3)
    assert result.deleted == ["job-a000", "job-a002", "job-a003"] and not result.failed
    assert conn.count("DescribeJob") == 4  # each asked once: in the look, or for the guard (not again when deleting)
