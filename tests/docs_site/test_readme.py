"""The README's quick start, block by block, and the commands of its demo section, run against the emulator as a user
would run them.

Quick start: credentials come from the environment as the README says; only the endpoints (module_defaults) point
the modules at the emulator. Every task must succeed, and only the deleting modules may make mutating requests.
Demo section: the venv and collections path it names are those `make demo` sets up, and its commands run.
"""

import json
import os
import re
import subprocess
import sys

import yaml

from support.ansible_runs import (
    HUAWEI_AK,
    HUAWEI_REGION,
    HUAWEI_SK,
    PROJECT,
    REPO,
    TENCENT_ID,
    TENCENT_KEY,
    TENCENT_REGION,
    ansible_env,
    localhost_play,
    mutating_requests,
    run_playbook,
    write_playbook,
)

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


def demo_section_commands():
    """The shell block of the README's "Try it without a cloud account" section."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    section = text.split("\n## Try it without a cloud account\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    assert len(blocks) == 1, blocks
    return blocks[0]


def test_the_demo_section_uses_what_make_demo_sets_up():
    """The venv and the collections path the README names are the ones .ci/dev's `demo` creates."""
    with open(os.path.join(REPO, ".ci", "dev"), encoding="utf-8") as f:
        dev = f.read()
    demo_activate = dev.split("demo_activate() {", 1)[1].split("\n}", 1)[0]
    venv = re.search(r'VENV="\$REPO/([^"]+)"', demo_activate).group(1)
    assert "collection_view" in demo_activate
    link_root = re.search(r'LINK_ROOT="\$REPO/([^"]+)"', dev.split("collection_view() {", 1)[1]).group(1)
    block = demo_section_commands()
    assert 'export ANSIBLE_COLLECTIONS_PATH="$PWD/%s"' % link_root in block, block
    assert "%s/bin/python tests/emulator " % venv in block, block
    runs = [line for line in block.splitlines() if "ansible localhost" in line]
    assert runs and all(line.startswith("%s/bin/ansible localhost -m cloudjobs.cleanup." % venv) for line in runs), runs


def test_the_demo_section_commands_run(tmp_path):
    """The README's commands as a user pastes them from the checkout's top directory, with this venv in place of
    .venv-demo (the same ansible-core range and dependencies) and a free port in place of 8443: the emulator starts,
    both ad-hoc runs succeed, and `kill %1` stops it."""
    block = demo_section_commands()
    venv_bin = os.path.dirname(sys.executable)
    port_file = tmp_path / "port"
    lines = []
    for line in block.replace(".venv-demo/bin/", venv_bin + "/").splitlines():
        line = line.replace("--port 8443", "--port 0 --port-file %s" % port_file).replace("8443", "$PORT")
        lines.append(line)
        if "--port-file" in line:
            lines += ["trap 'kill $! 2>/dev/null || true' EXIT",
                      'for _ in $(seq 1 200); do [ -s "%s" ] && break; sleep 0.1; done' % port_file,
                      'PORT="$(cat "%s")"' % port_file]
    script = tmp_path / "demo_section.sh"
    script.write_text("set -em\n" + "\n".join(lines) + "\nwait\necho EMULATOR-STOPPED\n", encoding="utf-8")
    env = ansible_env(tmp_path)
    env.pop("ANSIBLE_COLLECTIONS_PATH", None)  # the block sets it
    run = subprocess.run(["bash", str(script)], cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
                         check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = [json.loads(part.split("\n}\n", 1)[0] + "\n}")
               for part in re.split(r"^localhost \| \w+ =>", run.stdout, flags=re.M)[1:]]
    assert len(results) == 2, run.stdout[-3000:]
    info, check = results
    assert not info["changed"] and info["jobs"], info
    assert check["changed"] and check["deleted"] and check["counts"]["deleted"] == len(check["deleted"]), check
    assert run.stdout.rstrip().endswith("EMULATOR-STOPPED"), run.stdout[-500:]
