"""A backlog drains night after night, measured as operators met it and rerun as tests: the budget never fails a run by itself,
the look costs in proportion to what the run can delete, the guard and the budget agree, no wait outlasts the budget,
and the calls start oldest first exactly. ``ansible`` / ``ansible-playbook`` against the emulator, whose request log
and state are the witnesses.
"""

import json
import os
import re
import subprocess
import time

import yaml

from support.ansible_runs import (
    BIN,
    HUAWEI_AK,
    HUAWEI_SK,
    PROJECT,
    TENCENT_ID,
    TENCENT_KEY,
    ad_hoc_result,
    ansible_env,
    run_ad_hoc,
    run_playbook,
    tencent_auth,
)


DAY = 86400
NOW = time.time()


def tencent_jobs(n, state="SUCCEED", prefix="d"):
    """``n`` old jobs, job i created ``30 + i`` days ago (the highest i the oldest), seeded in a shuffled order."""
    jobs = [{"JobId": "job-%s%07d" % (prefix, i), "JobName": "render", "JobState": state,
             "CreateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW - (30 + i) * DAY))} for i in range(n)]
    return [jobs[(i * 37) % n] for i in range(n)]


def oldest(jobs):
    return [j["JobId"] for j in sorted(jobs, key=lambda j: j["CreateTime"])]


def sent_deletes(log):
    return [i for r in log if r["operation"] == "DeleteJob" for i in r["ids"]]


def nightly(tmp_path, emulator, extra, *args):
    """``ansible-playbook cloudjobs.cleanup.nightly_cleanup`` with the emulator's credentials and ``extra`` vars."""
    (tmp_path / "vars.yml").write_text(yaml.safe_dump(dict({
        "huaweicloud_auth": {"endpoint": emulator.url, "region": "cn-north-4", "project_id": PROJECT,
                             "access_key": HUAWEI_AK, "secret_key": HUAWEI_SK},
        "tencentcloud_auth": {"endpoint": emulator.url, "region": "ap-guangzhou", "secret_id": TENCENT_ID,
                              "secret_key": TENCENT_KEY},
    }, **extra)), encoding="utf-8")
    return run_playbook(tmp_path, "cloudjobs.cleanup.nightly_cleanup", "-e", "@vars.yml", "-e", "cleanup_apply=true",
                        *args)


def test_a_budget_spent_during_the_look_of_the_second_cluster_is_no_failure(emulator, tmp_path):
    """Two clusters, each list page answered after 3 s, cleanup_time_budget 6s: the second cluster gets what is left
    (a second or two), its first page comes back after the budget, the second page is not asked for, and the
    playbook reports the cluster not reached; the run succeeds. (Its look needs two pages: 150 executions.)"""
    old = int((NOW - 30 * DAY) * 1000)
    emulator.seed({"mrs": [{"job_id": "0c0c0000-0000-4000-8000-%012d" % n, "job_name": "etl", "job_state": "FINISHED",
                            "cluster_id": cluster, "submitted_time": old + n}
                           for n, cluster in enumerate(["c-a"] * 3 + ["c-b"] * 150)]})
    emulator.config({"latency": {"mrs.ShowJobExeListNew": 3.0}})
    run = nightly(tmp_path, emulator, {"mrs_cluster_ids": ["c-a", "c-b"], "cleanup_services": ["mrs"],
                                       "cleanup_time_budget": "6s"})
    assert run.returncode == 0, run.stdout[-3000:]
    assert "MRS job executions deleted: 3; not reached (time budget spent): cluster c-b" in run.stdout, run.stdout[-3000:]
    assert "  cluster c-b: not reached (time budget spent)" in run.stdout
    assert {r["cluster_id"] for r in emulator.state()["mrs"]} == {"c-b"} and len(emulator.state()["mrs"]) == 150
    looked = [r for r in emulator.requests() if r["operation"] == "ShowJobExeListNew" and "/clusters/c-b/" in r["path"]]
    assert len(looked) == 1  # its look began, and the budget ended it (not a cluster skipped before it started)
    assert re.search(r"^localhost\s+:.* failed=0 ", run.stdout, re.M), run.stdout[-1000:]


def test_a_backlog_of_failed_jobs_drains_under_a_budget(emulator, tmp_path):
    """300 FAILED jobs, 20 calls a second, a budget of 10 s: each job costs a DescribeJob (its task instances) and a
    DeleteJob, made together right before it is deleted. The first run deletes at least 50, every run succeeds, the
    backlog is gone within 9 runs, and no id is ever sent to DeleteJob twice."""
    jobs = tencent_jobs(300, state="FAILED")
    emulator.seed({"tencent": jobs})
    emulator.config({"rate_limits": {"tencent.DeleteJob": 20, "tencent.DescribeJob": 20}})
    args = dict(tencent_auth(emulator.url), filters={"older_than": "7d"}, rate_limit=20, time_budget="10s")
    deleted, runs = [], []
    for _night in range(9):
        emulator.clear_requests()
        run = run_ad_hoc(tmp_path, "tencent_batch_job", args)
        assert run.returncode == 0, run.stdout[-3000:]
        result = ad_hoc_result(run)
        log = emulator.requests()
        assert not set(sent_deletes(log)) & set(deleted)  # an id deleted on an earlier night is never sent again
        described = [r for r in log if r["operation"] == "DescribeJob"]
        # one look at a job's task instances per job the run deletes, and for the calls in flight when it ended
        assert len(result["deleted"]) <= len(described) <= len(result["deleted"]) + 20, (len(described), runs)
        deleted += result["deleted"]
        runs.append(len(result["deleted"]))
        if not emulator.state()["tencent"]:
            break
    assert runs[0] >= 50, runs
    assert emulator.state()["tencent"] == [] and sorted(deleted) == sorted(j["JobId"] for j in jobs), runs


GUIDE_BACKLOG = {"jobs": 60, "cleanup_max_deletions": 50, "cleanup_max_deletions_per_run": 25, "nights": [25, 25, 10]}


def test_the_guides_backlog_drains_in_steps_under_the_guard(emulator, tmp_path):
    """The scheduled-cleanup guide's example, as written there: 60 old jobs, the guard at 50, 25 a night."""
    with open(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "docs",
                           "docsite", "rst", "scheduled_cleanup_awx.rst"), encoding="utf-8") as f:
        guide = " ".join(f.read().split())
    for words in ("%d old Tencent Batch jobs" % GUIDE_BACKLOG["jobs"],
                  "cleanup_max_deletions: %d" % GUIDE_BACKLOG["cleanup_max_deletions"],
                  "cleanup_max_deletions_per_run: %d" % GUIDE_BACKLOG["cleanup_max_deletions_per_run"],
                  "deletes %s" % ", then ".join(str(n) for n in GUIDE_BACKLOG["nights"])):
        assert words in guide, words
    jobs = tencent_jobs(GUIDE_BACKLOG["jobs"], prefix="g")
    emulator.seed({"tencent": jobs})
    # The guide's steps are about counts, not about the rate: DeleteJob at the playbook's own tencent_rate_limit (20/s)
    # rather than Tencent's 2/s, which the rate-limit tests keep.
    emulator.config({"rate_limits": {"tencent.DeleteJob": 20}})
    extra = {"cleanup_services": ["tencent"], "cleanup_max_deletions": GUIDE_BACKLOG["cleanup_max_deletions"]}
    refused = nightly(tmp_path, emulator, extra)
    assert refused.returncode != 0 and "max_deletions=50" in refused.stdout and len(emulator.state()["tencent"]) == 60
    extra["cleanup_max_deletions_per_run"] = GUIDE_BACKLOG["cleanup_max_deletions_per_run"]
    order, gone = oldest(jobs), []
    for night, count in enumerate(GUIDE_BACKLOG["nights"]):
        before = {j["JobId"] for j in emulator.state()["tencent"]}
        run = nightly(tmp_path, emulator, extra)
        assert run.returncode == 0, run.stdout[-3000:]
        after = {j["JobId"] for j in emulator.state()["tencent"]}
        assert sorted(before - after) == sorted(order[len(gone):len(gone) + count]), night  # the oldest, exactly
        gone += sorted(before - after)
        left = GUIDE_BACKLOG["jobs"] - len(gone)
        if left:
            assert "Tencent Batch jobs deleted: %d; left for the next run: %d (max_deletions_per_run)" % (count, left) \
                in run.stdout, run.stdout[-3000:]
    assert emulator.state()["tencent"] == []


def test_a_short_budget_at_a_slow_rate_limit_ends_with_the_budget(emulator, tmp_path):
    """A budget of 6 s at 0.5 calls a second: eight workers each waiting for a token end when the budget does, not
    16 s later (the run took 21 to 23 s before every wait was bound to the budget)."""
    emulator.seed({"tencent": tencent_jobs(40, prefix="s")})
    args = dict(tencent_auth(emulator.url), filters={"older_than": "7d"}, rate_limit=0.5, time_budget="6s")
    command = [os.path.join(BIN, "ansible"), "localhost", "-m", "cloudjobs.cleanup.tencent_batch_job", "-a",
               json.dumps(args)]
    started = time.monotonic()
    run = subprocess.run(command, env=ansible_env(tmp_path), cwd=str(tmp_path), capture_output=True, text=True,
                         timeout=120, check=False)
    took = time.monotonic() - started
    assert run.returncode == 0, run.stdout[-3000:]
    result = ad_hoc_result(run)
    assert 1 <= len(result["deleted"]) <= 5
    # the budget, plus Ansible's own start and end (a few seconds on these machines), plus one call: never the
    # quarter minute eight workers queued for tokens took
    assert took < 6 + 8, took


def test_150_jobs_at_5_a_second_under_8_seconds_go_exactly_oldest_first(emulator, tmp_path):
    jobs = tencent_jobs(150, prefix="o")
    emulator.seed({"tencent": jobs})
    emulator.config({"rate_limits": {"tencent.DeleteJob": 5}})
    args = dict(tencent_auth(emulator.url), filters={"older_than": "7d"}, rate_limit=5, time_budget="8s")
    order, gone = oldest(jobs), []
    for _night in range(3):
        emulator.clear_requests()
        result = ad_hoc_result(run_ad_hoc(tmp_path, "tencent_batch_job", args))
        left = order[len(gone):]
        assert result["deleted"] == left[:len(result["deleted"])], (result["deleted"][:5], left[:5])
        assert sorted(sent_deletes(emulator.requests())) == sorted(result["deleted"])  # no call for any other
        reasons = {n["reason"] for n in result["not_deleted"]}
        assert reasons == {"not attempted: time_budget spent"}, reasons  # no call was sent for any of them
        gone += result["deleted"]
