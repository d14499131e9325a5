"""Cancel means stop (issue 24): ``ansible`` interrupted while a bulk delete runs - as AWX cancels a job, or Ctrl-C
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
import time

import pytest

from ansible_runs import BIN, ansible_env, tencent_auth

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

    time.sleep(LATE + 3.0)   # what a module left behind would send meanwhile, at 5 calls a second: about 20 deletes
    calls = delete_calls(emulator)
    late = [r for r in calls if r["time"] > exited + LATE]
    assert late == [], "%d DeleteJob calls answered more than %.0f s after ansible exited" % (len(late), LATE)
    deleted = {i for r in calls if r["error_code"] is None for i in r["ids"]}
    left = {j["JobId"] for j in emulator.state()["tencent"]}
    assert deleted and len(left) >= JOBS // 2 and not deleted & left   # records deleted so far stay deleted
