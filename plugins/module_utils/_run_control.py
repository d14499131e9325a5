# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a module run may still start a call: its ``time_budget``, and whether the run it belongs to is gone.

PRIVATE to this collection; no stability promise.

A ``RunControl`` is asked before every new call (``check()``, by the transport before each attempt and by the
cleanup dance before each stop and delete): it never interrupts a call in flight. The run stops starting calls when

* the ``time_budget`` is spent, counted from the module's start (building the connection and the listing count
  too); or
* the run is cancelled: the module received SIGINT or SIGTERM, or its parent process exited. Ansible runs a module
  in a process of its own that a cancelled AWX job or a Ctrl-C does not reliably reach: when ``ansible`` ends,
  the module's parent (the shell the connection started) ends with it, and the module is handed to another
  parent. Noticing that stops the module from deleting on for minutes after nobody can read its report.
"""

from __future__ import annotations

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


class RunControl:
    """The gate every new call passes. ``time_budget``: seconds, or None for no budget. ``clock`` is monotonic.

    ``watch_parent``: the parent process at creation; the run is cancelled once the process has another one."""

    def __init__(self, time_budget=None, budget_text=None, clock=time.monotonic, watch_parent=True,
                 getppid=os.getppid):
        self.time_budget = time_budget
        self.budget_text = budget_text or ("%ds" % time_budget if time_budget is not None else None)
        self._clock = clock
        self._getppid = getppid
        self._parent = getppid() if watch_parent else None
        self.started = clock()
        self.signal_name = None  # the signal that cancelled the run, once one did
        self._lock = threading.Lock()
        self._first_stop = None

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
    def install_signal_handlers(self, signals=(signal.SIGINT, signal.SIGTERM)):
        """Read SIGINT and SIGTERM as "cancel": no new call starts, calls in flight finish, the module exits with
        its report. Only from the main thread (where Python runs signal handlers); returns the previous handlers."""
        previous = {}
        if threading.current_thread() is not threading.main_thread():
            return previous
        for signum in signals:
            previous[signum] = signal.signal(signum, self._on_signal)
        return previous

    def _on_signal(self, signum, frame):  # pylint: disable=unused-argument
        if self.signal_name is None:
            self.signal_name = signal.Signals(signum).name

    def cancel_reason(self):
        if self.signal_name is not None:
            return "the run was cancelled (%s)" % self.signal_name
        if self._parent is not None and self._getppid() != self._parent:
            return "the run was cancelled (the process that started this module has exited)"
        return None

    # -- the budget -----------------------------------------------------------------------------------------------
    def elapsed(self):
        return max(0.0, self._clock() - self.started)

    def remaining(self):
        """Seconds left of the budget; None without one."""
        if self.time_budget is None:
            return None
        return max(0.0, self.time_budget - self.elapsed())

    def stopped(self):
        """The RunStopped a new call would get now, or None. The first reason found stays the run's reason."""
        with self._lock:
            if self._first_stop is None:
                reason = self.cancel_reason()
                if reason is not None:
                    self._first_stop = RunStopped(CANCELLED, reason)
                elif self.time_budget is not None and self.elapsed() >= self.time_budget:
                    self._first_stop = RunStopped(BUDGET, "time_budget %s spent" % self.budget_text)
            return self._first_stop

    def check(self, last_error=None):
        """Raise RunStopped if no new call may start (``last_error``: the refusal of the attempt before a retry)."""
        stop = self.stopped()
        if stop is not None:
            raise RunStopped(stop.kind, str(stop), last_error)

    def sleep_limit(self, seconds):
        """``seconds``, cut to what is left of the budget: a wait never outlasts it."""
        remaining = self.remaining()
        return seconds if remaining is None else min(seconds, remaining)


def restore_signal_handlers(previous):
    """Give back the handlers ``install_signal_handlers`` replaced."""
    for signum, handler in previous.items():
        signal.signal(signum, handler)
