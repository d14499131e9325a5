"""Cancel means stop: ``ansible`` interrupted while a bulk delete runs - as AWX cancels a job, or Ctrl-C
in a terminal - leaves no module behind that keeps deleting.

``ansible`` runs in its own process group and gets SIGINT, then, if it is still there, SIGTERM, each sent to the
whole group as a terminal and AWX send them. Ansible's worker runs the module in a process of its own (another
session), which the signal does not reach: the module must notice that the run it belongs to is gone (its
parent exited, or a signal reached it), start no new call, and exit. The emulator's request log is the witness: no
DeleteJob answered a second after ``ansible`` exited.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from support.ansible_runs import BIN, ansible_env, tencent_auth

JOBS = 150
CALLS_BEFORE_CANCEL = 5
LATE = 1.0  # seconds after ansible exited from which no delete may be answered


def backlog():
    now = time.time()
    return [{"JobId": "job-c%07d" % i, "JobName": "render", "JobState": "SUCCEED",
             "CreateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - (30 + i) * 86400))}
            for i in range(JOBS)]


def delete_calls(emulator):
    return [r for r in emulator.requests() if r["operation"] == "DeleteJob"]


def wait_for(predicate, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@pytest.mark.parametrize("first", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_ansible_leaves_no_module_deleting_behind(emulator, tmp_path, first):
    emulator.seed({"tencent": backlog()})
    emulator.config({"rate_limits": {"tencent.DeleteJob": 5}})
    args = dict(tencent_auth(emulator.url), filters={"older_than": "7d"}, rate_limit=5)
    command = [os.path.join(BIN, "ansible"), "localhost", "-m", "cloudjobs.cleanup.tencent_batch_job",
               "-a", json.dumps(args)]
    process = subprocess.Popen(command, env=ansible_env(tmp_path), cwd=str(tmp_path), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert wait_for(lambda: len(delete_calls(emulator)) >= CALLS_BEFORE_CANCEL, timeout=60), \
            "the bulk delete never started"
        os.killpg(process.pid, first)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        exited = time.time()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        process.stdout.close()
    assert_nothing_deleted_late(emulator, exited)


# -- however the run ends: ansible-runner's cancel and job timeout, SIGKILL to the group, a signal in a long wait --------
def module_processes(marker):
    """Pids of the module processes whose command line holds ``marker`` (this test's own remote temp directory)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                argv = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        if marker in argv and "AnsiballZ_" in argv and "/bin/sh" not in argv.split("\0")[0]:
            found.append(int(entry))
    return found


def start_in_its_own_group(tmp_path, remote, args):
    """``ansible localhost -m tencent_batch_job`` in a process group of its own, as a terminal or a runner starts it;
    its modules run from ``remote`` (ANSIBLE_REMOTE_TMP), so ``module_processes`` finds this test's alone."""
    command = [os.path.join(BIN, "ansible"), "localhost", "-m", "cloudjobs.cleanup.tencent_batch_job",
               "-a", json.dumps(args)]
    return subprocess.Popen(command, env=ansible_env(tmp_path, ANSIBLE_REMOTE_TMP=remote), cwd=str(tmp_path),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def assert_nothing_deleted_late(emulator, ended):
    """No DeleteJob answered more than LATE after the run ``ended``, and the records deleted so far stay deleted."""
    time.sleep(LATE + 3.0)   # what a module left behind would send meanwhile, at 5 calls a second: about 20 deletes
    calls = delete_calls(emulator)
    late = [r for r in calls if r["time"] > ended + LATE]
    assert late == [], "%d DeleteJob calls answered more than %.0f s after the job ended" % (len(late), LATE)
    deleted = {i for r in calls if r["error_code"] is None for i in r["ids"]}
    left = {j["JobId"] for j in emulator.state()["tencent"]}
    assert deleted and len(left) >= JOBS // 2 and not deleted & left


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc to find the module's process")
def test_sigkill_to_ansibles_process_group_stops_the_module(emulator, tmp_path):
    """ansible-runner's cancel and job timeout: SIGKILL to the process group of ansible. Ansible's worker left that
    group, and the worker's shell outlives the kill: the module notices that its ansible is gone."""
    emulator.seed({"tencent": backlog()})
    emulator.config({"rate_limits": {"tencent.DeleteJob": 5}})
    remote = tmp_path / "remote-tmp"
    process = start_in_its_own_group(tmp_path, remote, dict(tencent_auth(emulator.url), filters={"older_than": "7d"},
                                                            rate_limit=5))
    try:
        assert wait_for(lambda: len(delete_calls(emulator)) >= CALLS_BEFORE_CANCEL, timeout=60), \
            "the bulk delete never started"
        assert module_processes(str(remote)), "no module process found"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        killed = time.time()
        assert wait_for(lambda: not module_processes(str(remote)), timeout=LATE + 1.0), "the module outlived ansible"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        for pid in module_processes(str(remote)):
            os.kill(pid, signal.SIGKILL)
    assert_nothing_deleted_late(emulator, killed)


def runner_job(tmp_path, emulator, **settings):
    """A job as AWX runs it: ansible-runner, a private data directory, the playbook deleting the backlog."""
    import ansible_runner   # pylint: disable=import-outside-toplevel

    data = tmp_path / "job"
    (data / "project").mkdir(parents=True)
    (data / "env").mkdir()
    (data / "inventory").mkdir()
    (data / "project" / "cleanup.yml").write_text(yaml.safe_dump([{
        "hosts": "localhost", "gather_facts": False, "connection": "local",
        "tasks": [{"cloudjobs.cleanup.tencent_batch_job": dict(tencent_auth(emulator.url), filters={"older_than": "7d"},
                                                               rate_limit=5)}]}]), encoding="utf-8")
    (data / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable, encoding="utf-8")
    env = ansible_env(tmp_path, ANSIBLE_REMOTE_TMP=tmp_path / "remote-tmp")
    envvars = {k: v for k, v in env.items() if k.startswith("ANSIBLE_")}
    (data / "env" / "envvars").write_text(yaml.safe_dump(envvars), encoding="utf-8")
    return ansible_runner.run(private_data_dir=str(data), playbook="cleanup.yml", quiet=True, **settings)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc to find the module's process")
@pytest.mark.parametrize("how", ["cancel_callback", "job_timeout"])
def test_an_ansible_runner_job_cancelled_or_timed_out_leaves_no_module_deleting(emulator, tmp_path, how):
    emulator.seed({"tencent": backlog()})
    emulator.config({"rate_limits": {"tencent.DeleteJob": 5}})
    if how == "cancel_callback":
        settings = {"cancel_callback": lambda: len(delete_calls(emulator)) >= CALLS_BEFORE_CANCEL}
    else:
        settings = {"settings": {"job_timeout": 6}}
    try:
        runner = runner_job(tmp_path, emulator, **settings)
        ended = time.time()
        assert runner.status == ("canceled" if how == "cancel_callback" else "timeout"), runner.status
        assert wait_for(lambda: not module_processes(str(tmp_path / "remote-tmp")), timeout=LATE + 1.0), \
            "the module outlived the job"
    finally:
        for pid in module_processes(str(tmp_path / "remote-tmp")):
            os.kill(pid, signal.SIGKILL)
    assert_nothing_deleted_late(emulator, ended)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc to find the module's process")
def test_sigterm_during_a_retry_after_wait_ends_the_run_within_a_second(emulator, tmp_path):
    """The service throttles with Retry-After: 60; ansible gets SIGTERM while the module waits: it exits at once."""
    emulator.seed({"tencent": backlog()[:3]})
    emulator.fault({"service": "tencent", "operation": "DeleteJob", "kind": "status", "status": 200,
                    "code": "RequestLimitExceeded", "retry_after": 60, "count": 99})
    remote = tmp_path / "remote-tmp"
    process = start_in_its_own_group(tmp_path, remote, dict(tencent_auth(emulator.url), filters={"older_than": "7d"},
                                                            max_retries=3))
    try:
        assert wait_for(lambda: len(delete_calls(emulator)) >= 1, timeout=60), "no delete was refused"
        time.sleep(0.5)   # the module is in its Retry-After wait now
        os.killpg(process.pid, signal.SIGTERM)
        signalled = time.monotonic()
        assert wait_for(lambda: not module_processes(str(remote)), timeout=3.0), "the module waited on"
        assert time.monotonic() - signalled < 1.0 + 0.5   # a second, and the 0.1 s steps of wait_for
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        for pid in module_processes(str(remote)):
            os.kill(pid, signal.SIGKILL)
