# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a module run may still start a call: its ``time_budget``, whether the run it belongs to is gone, and the
order in which the cleanup's calls start. PRIVATE to this collection; no stability promise.

``RunControl.admit`` is the one gate every call passes, just before it is sent (``Transport.send``, each attempt):

* in turn: a call the cleanup numbered (``CallOrder``: deletes, oldest record first) waits until every call numbered
  before it has passed the gate, so calls start in age order under any number of workers and the rate limiter;
* a rate-limit token, waited for in slices that a cancel, a signal or the end of the budget cut short;
* the budget and the cancel: once the ``time_budget`` is spent (counted from the module's start: building the
  connection and the listing count too) or the run is cancelled, no call starts. A call in flight is never cut.

Every wait of a run (rate limit, retry backoff, ``Retry-After``, the force wait) goes through ``wait`` or ``pause``:
it ends within a fraction of a second of a cancel or a signal, and never outlasts the budget.

A run is cancelled when the module gets SIGINT or SIGTERM, or when the ansible run that started it is gone, however
it ended. ansible-runner (AWX's runner) cancels a job, or ends a timed-out one, with SIGKILL to the process group of
``ansible-playbook``; Ansible's worker left that group (``setsid``), and the module's parent is the worker's
``/bin/sh -c '... && sleep 0'``, which outlives the kill. So the module watches its whole ancestry up to the ansible
process that started the run (``Ancestry``): the shell, the worker, the main ``ansible`` / ``ansible-playbook``
process (and a runner above it). Any of them gone, a zombie, or handed to another parent means the run is over.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import CloudJobsError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._selection import parse_duration

BUDGET = "budget"
CANCELLED = "cancelled"


class RunStopped(CloudJobsError):
    """No new call was started: the time budget is spent (``kind`` BUDGET) or the run was cancelled (CANCELLED).

    ``last_error`` is the refusal of the call's previous attempt when it was a retry that was not sent."""

    def __init__(self, kind, message, last_error=None):
        super().__init__(message)
        self.kind = kind
        self.last_error = last_error

    @property
    def code(self):
        """The code of the refused attempt before it, if any: what a ``not_deleted`` entry shows."""
        return getattr(self.last_error, "code", None)

    @property
    def request_id(self):
        return getattr(self.last_error, "request_id", None)

    @property
    def budget(self):
        return self.kind == BUDGET

    def without_call(self):
        """The same stop for records no call was made for (no refusal of their own)."""
        return RunStopped(self.kind, str(self)) if self.last_error is not None else self


POLL = 0.2  # seconds between looks at the ancestry during a wait: a cancel is noticed well within a second


class Ancestry:
    """The processes a module runs under, from its parent up to the ansible process that started the run.

    Read once, at the start, from ``/proc``: each ancestor's pid, parent and start time, up to the topmost of the
    consecutive ``ansible*`` processes above the module (``ansible``, ``ansible-playbook``, ``ansible-runner``) and at
    most ``MAX_DEPTH`` levels. Without such a process (a module started by something else, or over ssh, where the
    parent is sshd's shell), only the parent is watched. Without ``/proc`` (not Linux) only the parent pid is
    compared, as ``os.getppid`` tells it."""

    MAX_DEPTH = 8

    def __init__(self, getppid=os.getppid, proc="/proc"):
        self._getppid = getppid
        self._proc = proc
        self.parent = getppid()
        self.watched = self._walk(self.parent)  # [(pid, ppid, starttime)]

    def _stat(self, pid):
        """``(state, ppid, starttime)`` of a process, or None when it does not exist (or there is no ``/proc``)."""
        try:
            with open("%s/%d/stat" % (self._proc, pid), "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return None
        fields = text[text.rfind(")") + 2:].split()  # the name in parentheses may hold spaces and parentheses
        if len(fields) < 20:
            return None
        return fields[0], int(fields[1]), fields[19]

    def _is_ansible(self, pid):
        try:
            with open("%s/%d/cmdline" % (self._proc, pid), "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            return False
        return any(os.path.basename(arg).startswith(b"ansible") for arg in argv[:2])

    def _walk(self, pid):
        chain, topmost = [], None
        for _level in range(self.MAX_DEPTH):
            stat = self._stat(pid)
            if stat is None or pid <= 1:
                break
            chain.append((pid, stat[1], stat[2]))
            if self._is_ansible(pid):
                topmost = len(chain)
            elif topmost is not None:
                break  # above the ansible processes: a shell, a terminal, a scheduler; not ours to watch
            pid = stat[1]
        return chain[:topmost] if topmost else chain[:1]

    def parent_gone(self):
        """Why the run is over, or None while the module's parent is the one it started under (cheap: no ``/proc``)."""
        if self._getppid() != self.parent:
            return "the process that started this module has exited"
        return None

    def gone(self):
        """Why the run is over, or None while every watched process is there, alive, under the same parent."""
        parent = self.parent_gone()
        if parent is not None:
            return parent
        for pid, ppid, started in self.watched:
            stat = self._stat(pid)
            if stat is None or stat[0] in ("Z", "X") or stat[2] != started:
                return "the ansible process %d of this run has exited" % pid
            if stat[1] != ppid:
                return "the ansible process %d of this run lost its parent" % pid
        return None


class CallOrder:
    """Numbers calls so that they start in that order, whatever thread makes them and however long each waits for
    the rate limiter: the delete of an older record never starts after the delete of a newer one.

    ``take()`` hands out the next number (the cleanup takes it as it picks the next batch, under its own lock);
    ``turn(number)`` marks the calls the thread makes for it, and ``RunControl.admit`` lets the first call that
    changes something pass only after every lower number has passed or given up its turn (at the end of ``turn``).
    Later calls of the same turn (a retry, the half of a split batch) do not wait again, nor do looks."""

    def __init__(self):
        self._cond = threading.Condition()
        self._taken = 0
        self._next = 0  # the lowest number that has neither passed nor given up its turn
        self._done = set()

    def take(self):
        with self._cond:
            number = self._taken
            self._taken += 1
            return number

    @contextlib.contextmanager
    def turn(self, number):
        previous = getattr(_TURN, "current", None)
        _TURN.current = [self, number, False]
        try:
            yield
        finally:
            _TURN.current = previous
            self.release(number)

    def release(self, number):
        """Number ``number`` has passed the gate, or will not call: the next may go."""
        with self._cond:
            if number >= self._next:
                self._done.add(number)
            while self._next in self._done:
                self._done.discard(self._next)
                self._next += 1
            self._cond.notify_all()

    def wait_for(self, number, timeout):
        """Wait up to ``timeout`` seconds for ``number``'s turn; True once it has come."""
        with self._cond:
            if self._next < number:
                self._cond.wait(timeout)
            return self._next >= number


_TURN = threading.local()


class RunControl:
    """The gate every new call passes. ``time_budget``: seconds, or None for no budget. ``clock`` is monotonic;
    ``sleep(seconds)`` waits (the default wakes early on a signal). ``ancestry``: the processes whose end cancels the
    run (None: nothing is watched, as in unit tests)."""

    def __init__(self, time_budget=None, budget_text=None, clock=time.monotonic, watch_parent=True,
                 getppid=os.getppid, sleep=None, ancestry=None):
        self.time_budget = time_budget
        self.budget_text = budget_text or ("%ds" % time_budget if time_budget is not None else None)
        self._clock = clock
        self._woken = threading.Event()
        self._sleep = sleep if sleep is not None else self._woken.wait
        self.ancestry = ancestry if ancestry is not None else (Ancestry(getppid) if watch_parent else None)
        self.started = clock()
        self.signal_name = None  # the signal that cancelled the run, once one did
        self._lock = threading.Lock()
        self._first_stop = None
        self._looked_at = None  # when the ancestry was last read: at most every POLL seconds
        self._gone = None
        self.calls_admitted = 0

    @classmethod
    def from_params(cls, params, check_mode=False, clock=time.monotonic):
        """The control of a module run: ``time_budget`` from the options (ignored in check mode, which predicts the
        whole selection); a malformed, zero or negative budget is refused here, before any request."""
        text = params.get("time_budget")
        budget = None
        if text is not None:
            budget = parse_duration(text, option="time_budget")
        return cls(time_budget=None if check_mode else budget, budget_text=text, clock=clock)

    # -- cancellation ---------------------------------------------------------------------------------------------
    def install_signal_handlers(self, signals=(signal.SIGINT, signal.SIGTERM, signal.SIGHUP)):
        """Read SIGINT, SIGTERM and SIGHUP (a closed terminal) as "cancel": no new call starts, every wait ends,
        calls in flight finish, the module exits with its report. Only from the main thread (where Python runs signal
        handlers); returns the previous handlers."""
        previous = {}
        if threading.current_thread() is not threading.main_thread():
            return previous
        for signum in signals:
            previous[signum] = signal.signal(signum, self._on_signal)
        return previous

    def _on_signal(self, signum, frame):  # pylint: disable=unused-argument
        if self.signal_name is None:
            self.signal_name = signal.Signals(signum).name
        self._woken.set()

    def cancel_reason(self):
        if self.signal_name is not None:
            return "the run was cancelled (%s)" % self.signal_name
        if self.ancestry is None:
            return None
        if self._gone is None:
            self._gone = self.ancestry.parent_gone()
        now = self._clock()
        if self._gone is None and (self._looked_at is None or now - self._looked_at >= POLL or now < self._looked_at):
            self._looked_at = now  # the whole ancestry is read from /proc at most every POLL seconds
            self._gone = self.ancestry.gone()
        return "the run was cancelled (%s)" % self._gone if self._gone is not None else None

    def cancelled(self):
        """The RunStopped of a cancel, or None; a cancel wins over a spent budget."""
        stop = self.stopped()
        return stop if stop is not None and not stop.budget else None

    # -- the budget -----------------------------------------------------------------------------------------------
    def elapsed(self):
        return max(0.0, self._clock() - self.started)

    def remaining(self):
        """Seconds left of the budget; None without one."""
        if self.time_budget is None:
            return None
        return max(0.0, self.time_budget - self.elapsed())

    def stopped(self):
        """The RunStopped a new call would get now, or None. A cancel found after the budget was spent replaces it:
        the run was cancelled, whatever else it ran out of."""
        with self._lock:
            if self._first_stop is None or self._first_stop.budget:
                reason = self.cancel_reason()
                if reason is not None:
                    self._first_stop = RunStopped(CANCELLED, reason)
                    self._woken.set()
                elif self._first_stop is None and self.time_budget is not None and self.elapsed() >= self.time_budget:
                    self._first_stop = RunStopped(BUDGET, "time_budget %s spent" % self.budget_text)
            return self._first_stop

    def check(self, last_error=None):
        """Raise RunStopped if no new call may start (``last_error``: the refusal of the attempt before a retry)."""
        stop = self.stopped()
        if stop is not None:
            raise RunStopped(stop.kind, str(stop), last_error)

    # -- waiting --------------------------------------------------------------------------------------------------
    def wait(self, seconds):
        """Wait ``seconds``, in slices of at most ``POLL``; True when the whole wait passed, False as soon as the run
        must stop (a cancel, a signal, the budget's end: a wait never outlasts the budget)."""
        deadline = self._clock() + max(0.0, seconds)
        while True:
            if self.stopped() is not None:
                return False
            left = deadline - self._clock()
            if left <= 0:
                return True
            remaining = self.remaining()
            if remaining is not None and remaining <= 0:
                continue  # stopped() will say so
            self._sleep(min(left, POLL, remaining if remaining is not None else left))

    def pause(self, seconds, last_error=None):
        """``wait``, raising RunStopped when the wait was cut short: for the waits of the cleanup itself."""
        if not self.wait(seconds):
            self.check(last_error)

    def admit(self, limiter=None, last_error=None, ordered=True):
        """The one gate, just before a call is sent: its turn (``CallOrder``; ``ordered``: the call changes something,
        so it keeps the order: a look made for the turn does not wait), a rate-limit token from ``limiter``, then the
        budget and a cancel. Raises RunStopped when the call must not start; waits are cut short by both."""
        turn = getattr(_TURN, "current", None) if ordered else None
        if turn is not None and not turn[2]:
            order, number = turn[0], turn[1]
            while not order.wait_for(number, POLL):
                self.check(last_error)
        try:
            if limiter is not None and not limiter.acquire(self.wait):
                self.check(last_error)
            self.check(last_error)
            with self._lock:
                self.calls_admitted += 1
        finally:
            if turn is not None and not turn[2]:
                turn[2] = True  # the turn's first call passed, or will never be sent: the next number may go
                turn[0].release(turn[1])


def restore_signal_handlers(previous):
    """Give back the handlers ``install_signal_handlers`` replaced."""
    for signum, handler in previous.items():
        signal.signal(signum, handler)
