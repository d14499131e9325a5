"""Four `ansible-playbook` processes at once on overlapping selections of the same records.

All of them succeed, every selected record is gone, nothing outside the selections is touched, and each
deleted record is reported as deleted by exactly one run: the union of the reported `deleted` lists is what
the emulator lost, and no run claims a record another run deleted.
"""

import json
import subprocess
import time

import pytest

from support.ansible_runs import BIN, ansible_env, cloud_defaults, localhost_play, write_playbook

DAY_MS = 86400 * 1000


def _mrs_id(prefix, n):
    return "%s-0000-4000-8000-%012d" % (prefix, n)


def scenario(service):
    """``(seed, store, id field, selected ids, [task args per run], module)``."""
    old_ms = int(time.time() * 1000) - 30 * DAY_MS
    old_iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(old_ms / 1000))
    if service == "mrs":
        batch = [_mrs_id("aaaaaaaa", n) for n in range(300)]
        records = [{"job_id": i, "job_name": "batch-%03d" % n, "job_state": "FINISHED", "cluster_id": "c-shared",
                    "submitted_time": old_ms} for n, i in enumerate(batch)]
        records += [{"job_id": _mrs_id("bbbbbbbb", n), "job_name": "keep-%03d" % n, "job_state": "FINISHED",
                     "cluster_id": "c-shared", "submitted_time": old_ms} for n in range(20)]
        records += [{"job_id": _mrs_id("cccccccc", n), "job_name": "batch-running-%03d" % n, "job_state": "RUNNING",
                     "cluster_id": "c-shared", "submitted_time": old_ms} for n in range(10)]
        base = {"cluster_id": "c-shared", "batch_size": 25}
        runs = [dict(base, filters={"name_pattern": "batch-*"}),
                dict(base, filters={"name_pattern": "batch-1*"}),
                dict(base, job_execution_ids=batch[:150]),
                dict(base, filters={"name_pattern": "batch-*", "older_than": "1d"})]
        return {"mrs": records}, "mrs", "job_id", batch, runs, "mrs_job_executions"
    if service == "workspace":
        selected = ["1111aaaa-0000-4000-8000-%012d" % n for n in range(300)]
        records = [{"id": i, "task_name": "tmp-%03d" % n, "scheduled_type": "FIXED_TIME"} for n, i in enumerate(selected)]
        records += [{"id": "2222bbbb-0000-4000-8000-%012d" % n, "task_name": "keep-%03d" % n, "scheduled_type": "DAY"}
                    for n in range(20)]
        runs = [{"filters": {"name_pattern": "tmp-*"}, "batch_size": 20},
                {"filters": {"name_pattern": "tmp-1*"}, "batch_size": 20},
                {"task_ids": selected[:150], "batch_size": 20},
                {"filters": {"name_pattern": "tmp-*", "scheduled_type": "FIXED_TIME"}, "batch_size": 20}]
        return {"workspace": records}, "workspace", "id", selected, runs, "workspace_scheduled_tasks"
    selected = ["job-%08x" % (0x1000 + n) for n in range(120)]
    records = [{"JobId": i, "JobName": "render-%03d" % n, "JobState": "SUCCEED", "CreateTime": old_iso}
               for n, i in enumerate(selected)]
    records += [{"JobId": "job-%08x" % (0x9000 + n), "JobName": "keep-%03d" % n, "JobState": "SUCCEED", "CreateTime": old_iso}
                for n in range(10)]
    records += [{"JobId": "job-%08x" % (0xa000 + n), "JobName": "render-live-%03d" % n, "JobState": "RUNNING",
                 "CreateTime": old_iso} for n in range(5)]
    runs = [{"filters": {"name_pattern": "render-*"}},
            {"filters": {"name_pattern": "render-0*"}},
            {"job_ids": selected[:60]},
            {"filters": {"name_pattern": "render-*", "states": ["SUCCEED"]}}]
    return {"tencent": records}, "tencent", "JobId", selected, runs, "tencent_batch_job"


@pytest.mark.parametrize("service", ["mrs", "workspace", "tencent"])
def test_four_concurrent_runs_on_overlapping_selections(service, emulator, tmp_path):
    seed, store, field, selected, runs, module = scenario(service)
    # Slightly slow answers interleave the runs; the service's DeleteJob limit (60/s) is below four runs' 4 x 20/s.
    emulator.config({"latency": {"*": 0.002}, "rate_limits": {"tencent.DeleteJob": 60.0}})
    emulator.seed(seed)
    processes = []
    for n, args in enumerate(runs):
        out = tmp_path / ("run%d.json" % n)
        tasks = [
            {"name": "Clean up", "cloudjobs.cleanup.%s" % module: dict(args, retry_delay=0.05), "register": "cleanup"},
            {"name": "Keep the result",
             "ansible.builtin.copy": {"content": "{{ cleanup | to_json }}", "dest": str(out), "mode": "0600"}},
        ]
        playbook = write_playbook(tmp_path / ("run%d.yml" % n), localhost_play(tasks, cloud_defaults(emulator.url)))
        run_dir = tmp_path / ("run%d" % n)
        run_dir.mkdir()
        processes.append((out, subprocess.Popen([BIN + "/ansible-playbook", str(playbook)], env=ansible_env(run_dir),
                                                cwd=str(run_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                                text=True)))
    results = []
    for out, process in processes:
        output = process.communicate(timeout=600)[0]
        assert process.returncode == 0, output[-3000:]
        results.append(json.loads(out.read_text(encoding="utf-8")))

    initial = {r[field] for r in seed[store]}
    final = {r[field] for r in emulator.state()[store]}
    removed = initial - final
    assert not set(selected) & final, "selected records survived: %s" % sorted(set(selected) & final)[:5]
    assert removed == set(selected), "records outside the selections were deleted: %s" % sorted(removed - set(selected))[:5]
    reported = [i for result in results for i in result["deleted"]]
    assert set(reported) == removed
    assert len(reported) == len(set(reported)), "a record was reported deleted by two runs"
    for result in results:
        assert not (set(result["already_absent"]) & set(result["deleted"]))
    mutating = [r for r in emulator.requests() if r["mutating"]]
    assert mutating, "nothing was deleted concurrently"
