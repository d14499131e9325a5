# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one gate every call passes (``RunControl.admit``): calls start in age order under any number of workers and
the rate limiter; every wait ends when the run must stop; the ancestry the module started under is watched, so a
SIGKILL to ansible's process group (ansible-runner's cancel) stops the module too."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._batches import ABORT, delete_each
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import ensure_absent
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._rate_limit import RateLimiter
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._results import CleanupResult
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._run_control import (
    BUDGET,
    CANCELLED,
    Ancestry,
    CallOrder,
    RunControl,
    RunStopped,
)


class RecordingLimiter(RateLimiter):
    """A real token bucket that records, in the order it hands them out, which call got each token."""

    def __init__(self, rate):
        super().__init__(rate)
        self.order = []

    def acquire(self, wait=None):
        granted = super().acquire(wait)
        if granted:
            self.order.append(threading.current_thread().cloudjobs_call)
        return granted


@pytest.mark.parametrize("workers", [1, 3, 8])
def test_calls_start_in_age_order_under_any_number_of_workers_and_the_rate_limiter(workers):
    control = RunControl(watch_parent=False)
    limiter = RecordingLimiter(rate=400.0)
    ids = ["job-%03d" % n for n in range(60)]  # oldest first, as the dance hands them over

    def delete_one(job_id):
        threading.current_thread().cloudjobs_call = job_id
        time.sleep(0.001 * (hash(job_id) % 3))  # workers reach the gate in a shuffled order
        control.admit(limiter)

    result = CleanupResult()
    delete_each(ids, delete_one, lambda error: ABORT, result, workers=workers)
    assert limiter.order == ids and result.deleted == ids


def test_a_budget_that_ends_while_calls_wait_for_tokens_deletes_exactly_the_oldest():
    """5 calls a second, a budget of 1 s, 8 workers: the calls that start are the oldest, whatever thread made them;
    every other id is reported as not attempted (no call was sent for it)."""
    control = RunControl(time_budget=1.0, watch_parent=False)
    limiter = RateLimiter(rate=5.0)
    ids = ["job-%03d" % n for n in range(40)]
    sent = []
    lock = threading.Lock()

    def delete_one(job_id):
        control.admit(limiter)
        with lock:
            sent.append(job_id)

    result = CleanupResult()
    started = time.monotonic()
    delete_each(ids, delete_one, lambda error: ABORT, result, workers=8)
    assert time.monotonic() - started < 1.5  # no worker waits for a token past the budget
    assert 3 <= len(result.deleted) <= 7 and result.deleted == ids[:len(result.deleted)]
    assert sorted(sent) == result.deleted
    reasons = {n["reason"] for n in result.not_deleted}
    assert reasons == {"not attempted: time_budget spent"} and len(result.not_deleted) == 40 - len(result.deleted)


def test_a_turn_given_up_without_a_call_lets_the_next_go():
    order = CallOrder()
    first, second = order.take(), order.take()
    with order.turn(first):
        pass  # no call for it (its record was found gone)
    assert order.wait_for(second, 0.0)


def test_a_signal_ends_every_wait_at_once():
    control = RunControl(watch_parent=False)
    threading.Timer(0.2, control._on_signal, (signal.SIGTERM, None)).start()  # pylint: disable=protected-access
    started = time.monotonic()
    assert control.wait(30) is False
    assert time.monotonic() - started < 1.0
    with pytest.raises(RunStopped) as stopped:
        control.pause(5)
    assert stopped.value.kind == CANCELLED


def test_the_rate_limiter_gives_up_its_wait_when_the_run_must_stop():
    control = RunControl(time_budget=0.3, watch_parent=False)
    limiter = RateLimiter(rate=0.5)
    assert limiter.acquire(control.wait) is True  # the first token is there
    started = time.monotonic()
    with pytest.raises(RunStopped) as stopped:
        control.admit(limiter)  # the next one would come in 2 s: the budget ends first
    assert stopped.value.kind == BUDGET and time.monotonic() - started < 0.6


def test_a_retry_after_wait_never_outlasts_the_budget():
    control = RunControl(time_budget=0.3, watch_parent=False)
    started = time.monotonic()
    with pytest.raises(RunStopped):
        control.pause(60)
    assert time.monotonic() - started < 0.6


def test_the_force_wait_is_the_runs_pause():
    """The dance's only wait is the pause it is given: a cancel during the force wait ends the run."""

    class Running:
        noun, ids, can_stop, full_records, record_fields = "thing", None, True, True, None
        control = RunControl(watch_parent=False)

        def record_id(self, record):
            return record["id"]

        def look(self):
            return [{"id": "a"}], []

        def kept(self, record):
            return None

        def undecidable(self, record):
            return None

        def blocker(self, record):
            return "still running"

        def created(self, record):
            return None

        def stop(self, record):
            threading.Timer(0.1, self.control._on_signal, (signal.SIGINT, None)).start()  # pylint: disable=W0212

        def refresh(self, ids):
            return {i: {"id": i} for i in ids}

        def classify(self, error):
            return ABORT

    target = Running()
    started = time.monotonic()
    result = ensure_absent(target, force=True, sleep=target.control.pause, wait_timeout=60)
    assert time.monotonic() - started < 1.5
    assert [(n["id"], n["reason"]) for n in result.not_deleted] == [("a", "stopped, not deleted: the run was cancelled")]
    assert result.failed


# -- the ancestry -----------------------------------------------------------------------------------------------------
class FakeProc:
    """A /proc of a few processes: ``add(pid, ppid, argv, state="S", start="100")``."""

    def __init__(self, root):
        self.root = root

    def add(self, pid, ppid, argv, state="S", start="100"):
        folder = self.root / str(pid)
        folder.mkdir(exist_ok=True)
        rest = [state, str(ppid)] + ["0"] * 17 + [start, "0", "0"]
        (folder / "stat").write_text("%d (%s) %s\n" % (pid, os.path.basename(argv[0]), " ".join(rest)))
        (folder / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")

    def remove(self, pid):
        for name in ("stat", "cmdline"):
            (self.root / str(pid) / name).unlink()


@pytest.fixture
def proc(tmp_path):
    fake = FakeProc(tmp_path)
    # runner (10) -> ansible-playbook (20) -> worker (30, same argv) -> sh (40) -> module (50)
    fake.add(5, 1, ["/usr/sbin/sshd"])
    fake.add(10, 5, ["/venv/bin/python", "/venv/bin/ansible-runner", "run"])
    fake.add(20, 10, ["/venv/bin/python", "/venv/bin/ansible-playbook", "site.yml"])
    fake.add(30, 20, ["/venv/bin/python", "/venv/bin/ansible-playbook", "site.yml"])
    fake.add(40, 30, ["/bin/sh", "-c", "/venv/bin/python /home/runner/.ansible/tmp/x/AnsiballZ_m.py && sleep 0"])
    return fake


def ancestry(proc, parent=40):
    return Ancestry(getppid=lambda: parent, proc=str(proc.root))


def test_the_ancestry_is_watched_up_to_the_topmost_ansible_process(proc):
    assert [pid for pid, _ppid, _start in ancestry(proc).watched] == [40, 30, 20, 10]


@pytest.mark.parametrize("what, change", [
    ("SIGKILL to ansible's group: the main process is gone", lambda p: p.remove(20)),
    ("the main process is a zombie its runner has not reaped yet", lambda p: p.add(20, 10, ["ansible-playbook"], "Z")),
    ("the worker was handed to init", lambda p: p.add(30, 1, ["/venv/bin/python", "/venv/bin/ansible-playbook"])),
    ("the runner is gone", lambda p: p.remove(10)),
    ("a new process took the main process's pid", lambda p: p.add(20, 10, ["ansible-playbook"], start="999")),
])
def test_the_run_is_over_when_any_watched_ancestor_is(proc, what, change):
    watcher = ancestry(proc)
    assert watcher.gone() is None
    change(proc)
    assert watcher.gone() is not None, what


def test_what_is_above_the_ansible_processes_is_not_watched(proc):
    """A user's shell or sshd may go (a closed terminal under nohup): the run goes on while ansible does."""
    watcher = ancestry(proc)
    proc.remove(5)
    assert watcher.gone() is None


def test_without_an_ansible_ancestor_only_the_parent_is_watched(proc):
    proc.add(60, 5, ["/bin/bash"])
    watcher = ancestry(proc, parent=60)
    assert [pid for pid, _ppid, _start in watcher.watched] == [60]


def test_without_proc_the_parent_pid_alone_tells(tmp_path):
    parents = [40]
    watcher = Ancestry(getppid=lambda: parents[0], proc=str(tmp_path / "none"))
    assert watcher.watched == [] and watcher.gone() is None
    parents[0] = 1
    assert "exited" in watcher.gone()


def test_this_process_sees_its_real_ancestry():
    """On Linux, from the test runner itself: the chain is read and nothing is gone."""
    if not os.path.isdir("/proc/self"):
        pytest.skip("no /proc on this system: only the parent pid is watched")
    watcher = Ancestry()
    assert watcher.watched and watcher.watched[0][0] == os.getppid() and watcher.gone() is None
