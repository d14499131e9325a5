"""The README's quick start, block by block, run against the emulator as a user would run it.

Credentials come from the environment as the README says; only the endpoints (module_defaults) point the
modules at the emulator. Every task must succeed, and only the deleting modules may make mutating requests.
"""

import os
import re

import yaml

from ansible_runs import (HUAWEI_AK, HUAWEI_REGION, HUAWEI_SK, PROJECT, REPO, TENCENT_ID, TENCENT_KEY, TENCENT_REGION,
                          ansible_env, localhost_play, mutating_requests, run_playbook, write_playbook)

README = os.path.join(REPO, "README.md")


def quick_start_tasks():
    with open(README, encoding="utf-8") as f:
        text = f.read()
    section = text.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    tasks = []
    for block in re.findall(r"```yaml\n(.*?)```", section, re.S):
        tasks += yaml.safe_load(block)
    return tasks


def test_quick_start_runs_against_the_emulator(emulator, tmp_path):
    tasks = quick_start_tasks()
    modules = [next(k for k in task if k.startswith("cloudjobs.cleanup.")) for task in tasks]
    assert sorted(modules) == sorted("cloudjobs.cleanup." + m for m in (
        "mrs_job_executions", "mrs_job_executions_info", "workspace_scheduled_tasks",
        "workspace_scheduled_tasks_info", "tencent_batch_job", "tencent_batch_job_info"))

    emulator.seed({"demo": True})
    defaults = {"group/cloudjobs.cleanup.huaweicloud": {"endpoint": emulator.url},
                "group/cloudjobs.cleanup.tencentcloud": {"endpoint": emulator.url}}
    playbook = write_playbook(tmp_path / "quick_start.yml", localhost_play(tasks, defaults))
    env = ansible_env(tmp_path, HW_ACCESS_KEY=HUAWEI_AK, HW_SECRET_KEY=HUAWEI_SK, HW_REGION_NAME=HUAWEI_REGION,
                      HW_PROJECT_ID=PROJECT, TENCENTCLOUD_SECRET_ID=TENCENT_ID, TENCENTCLOUD_SECRET_KEY=TENCENT_KEY,
                      TENCENTCLOUD_REGION=TENCENT_REGION)
    run = run_playbook(tmp_path, playbook, "-e", "mrs_cluster_id=mrs-prod-etl", env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    operations = {r["operation"] for r in mutating_requests(emulator)}
    assert operations == {"BatchDeleteJobs", "BatchDeleteScheduledTasks", "DeleteJob"}
