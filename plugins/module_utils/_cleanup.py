# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dance every deleting module does once: look, decide, (stop, wait,) delete, report.

PRIVATE to this collection; no stability promise.

A service plugs in through a *target* object (see ``CleanupTarget``); this module never speaks HTTP. The delete
itself, in batches or one call each, is the engine's (``_batches``), which a target's ``delete`` calls.

Why a file of this size: the target protocol (``CleanupTarget``), the contract a new service implements, is written
out here in full, next to the one dance that reads it.
"""

from __future__ import annotations

import time

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._batches import (
    ABORT,
    GONE,
    NOT_ATTEMPTED,
    NOT_FINISHED,
    halt,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, CloudJobsError, UnexpectedError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._results import CleanupResult
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._run_control import RunStopped


class SelectionTooLarge(CloudJobsError):
    """More records selected than ``max_deletions`` allows: nothing is deleted."""


class CleanupTarget:
    """What a service tells the dance. Subclasses implement ``record_id``, ``look``, ``blocker``, ``delete`` and
    ``classify``; a service whose records can be stopped also implements ``stop`` and ``refresh``.

    ``noun``             e.g. "job execution", for messages
    ``record_id(r)``     the id of a service record
    ``look()``           ``(records, absent_ids)``: the selected records that exist, and requested ids that do not
    ``kept(r)``          None, or why a retention rule keeps ``r`` although every filter selects it
    ``undecidable(r)``   None, or why the filters cannot tell whether ``r`` is selected (it is then not deleted)
    ``look_closer(rs)``  the records of ``rs`` whose look was put off until their delete, read now (the guard)
    ``blocker(r)``       None when ``r`` can be deleted now, else why not (e.g. "still RUNNING")
    ``stop(r)``          ask the service to stop ``r`` (MRS kill, Tencent TerminateJob); only called with force.
                         A refusal that ``classify`` reads as NOT_FINISHED is tried again while waiting.
    ``refresh(ids)``     ``{id: record or None}`` with the current state, for waiting after ``stop``
    ``delete(ids, result)`` delete these records and record each outcome in ``result``
    ``classify(error)``  GONE, SPLIT_BATCH, RECHECK, NOT_FINISHED, FAILED or ABORT for an ApiError of a stop or
                         delete call
    ``summary(r)``       ``(id, name, state, time)`` of ``r`` for its one line in ``--diff`` (None where unknown)
    ``created(r)``       the submit / create time of ``r`` in epoch seconds, or None: deletes go oldest first
    ``ids``              the ids the user asked for by name, or None when selecting by filters only
    ``full_records``     False when the result will not return the records: the look then keeps of each selected
                         record only ``record_fields`` (through ``keep``), what the decisions and ``summary`` read,
                         so that a run over tens of thousands of records holds a fraction of the memory

    Reviewed plans (``_plans``) read three more:

    ``plan_columns``     the names of the columns a plan records: the id field, then those of ``plan_fields``
    ``plan_fields(r)``   what made ``r`` qualify (name, state, time): a plan record still qualifies only while these
                         read as recorded
    ``find(ids)``        ``{id: record}`` of the ids that exist, judged without the filters, so that a plan record the
                         selection no longer selects is told from one that is gone
    """

    noun = "record"
    can_stop = True  # False where the service has no stop call (force is then refused before any request)
    ids = None
    full_records = True
    record_fields = None
    plan_columns = ("id", "name", "state", "time")

    def keep(self, record):
        """``record`` as the run holds it once the look selected it: whole, or only its ``record_fields``."""
        if self.full_records or self.record_fields is None:
            return record
        return {field: record[field] for field in self.record_fields if field in record}

    def record_id(self, record):
        raise NotImplementedError

    def look(self):
        raise NotImplementedError

    def kept(self, record):  # pylint: disable=unused-argument
        return None

    def undecidable(self, record):  # pylint: disable=unused-argument
        return None

    def look_closer(self, records):
        """Those of ``records`` that a real run's look left partly unread (to read them right before their delete),
        read in full now; the others need not be returned. Asked only when ``max_deletions`` would refuse, so that the
        guard counts what check mode counted."""
        return []

    def blocker(self, record):
        raise NotImplementedError

    def stop(self, record):
        raise CloudJobsError("%ss cannot be stopped" % self.noun)

    def refresh(self, ids):
        raise CloudJobsError("%ss cannot be waited for" % self.noun)

    def delete(self, ids, result):
        raise NotImplementedError

    def classify(self, error):
        raise NotImplementedError

    def summary(self, record):
        return self.record_id(record), None, None, None

    def created(self, record):  # pylint: disable=unused-argument
        return None

    def plan_fields(self, record):
        return tuple(self.summary(record)[1:])

    def find(self, ids):
        raise NotImplementedError

    def diff_line(self, record):
        """One line per record in ``--diff``: id, name, state and time, two spaces apart, ``-`` where unknown."""
        return "  ".join("-" if value in (None, "") else str(value) for value in self.summary(record))


def ensure_absent(target, check_mode=False, force=False, max_deletions=None, wait_timeout=600, sleep=time.sleep,
                  clock=time.monotonic, max_deletions_per_run=None, plan=None):
    """Run the cleanup for ``target`` and return a ``CleanupResult``, whatever happens.

    Only records found by the look are ever deleted; check mode stops right after deciding. A failure at any
    step (the look, the guard, a fatal error while stopping or deleting) ends the run with the result as far
    as it got: every selected id the run did not reach is reported in ``not_deleted`` with the reason.

    The run's time budget and a cancel are the gate's (``_run_control.RunControl.admit``, which every call passes): a
    call it refuses raises RunStopped, and every record not reached is then reported with the budget as its reason
    (not a failure: the next run continues, oldest first) or the cancel (a failure). A look the budget cuts short
    deletes nothing and is no failure either; ``result.look_stopped`` says so. ``sleep`` is the dance's only wait
    (the force wait): the run's ``RunControl.pause``, which raises RunStopped once the run must stop.

    ``max_deletions`` refuses a run that would delete more than it (nothing is deleted); ``max_deletions_per_run``
    deletes the oldest that many and reports the rest as left for the next run, like a spent budget, so that a
    backlog drains in steps under the same guard (which then counts what the run deletes, at most the cap).

    ``plan`` (a ``_plans.Plan``, its ``target`` built with the plan's selection): only the plan's ids are looked at and
    reported, and a plan record that no longer qualifies as recorded is reported as drift (``mark_drifted``).
    """
    result = CleanupResult(record_id=target.record_id)
    asked = plan.ids if plan is not None else (target.ids or ())
    result.requested = set(target.ids or ())
    try:
        try:
            records, absent_ids = plan.look(target) if plan is not None else target.look()
        except CloudJobsError:
            raise
        except Exception as exc:  # pylint: disable=broad-exception-caught
            raise UnexpectedError(exc, "the look")
    except RunStopped as stop:
        _look_cut_short(stop, target, result, asked)
        return result
    except CloudJobsError as error:
        result.stop(str(error), error)  # nothing was looked at, so nothing was deleted
        for record_id in asked:  # every id asked for is still reported, once
            result.mark_not_deleted(record_id, NOT_LOOKED_AT, error, own_call=False)
        return result
    result.select(records)
    result.mark_absent(absent_ids)
    try:
        _decide_and_delete(target, result, check_mode, force, max_deletions, max_deletions_per_run, wait_timeout,
                           sleep, clock, plan)
    except SelectionTooLarge as error:
        result.stop(str(error))
        result.settle_remaining(OVER_MAX_DELETIONS)
    except RunStopped as stop:
        halt(result.unsettled(), result, stop.without_call())
    except CloudJobsError as error:
        result.stop(str(error), error)
        result.settle_remaining(NOT_ATTEMPTED, error)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        # Not raised on purpose (a bug, a library's exception): the run ends, in one line, and every id is reported.
        error = UnexpectedError(exc, "the cleanup")
        result.stop(str(error), error)
        result.settle_remaining(NOT_ATTEMPTED, error)
    result.settle_remaining(NOT_ATTEMPTED)  # never silently dropped
    return result


def _look_cut_short(stop, target, result, asked):
    """A look the budget or a cancel cut short: nothing was selected, so nothing was deleted. The ids asked for are
    reported as not reached. A spent budget is no failure (the next run looks again; ``look_stopped`` carries the
    warning); a cancel is."""
    if stop.budget:
        result.look_stopped = ("%s before the look at the %ss finished: nothing was deleted, and the next run looks "
                               "again. If every run ends so, the listing alone needs more time than the budget: raise "
                               "time_budget, or narrow the selection" % (stop, target.noun))
        result.budget_stop = stop
        for record_id in asked:
            result.mark_unreached(record_id, NOT_LOOKED_AT_BUDGET, stop.without_call())
    else:
        error = RunStopped(stop.kind, "%s before the look at the %ss finished: nothing was deleted"
                           % (stop, target.noun), stop.last_error)
        result.stop(str(error), error)
        for record_id in asked:
            result.mark_not_deleted(record_id, NOT_LOOKED_AT, error, own_call=False)


def oldest_first(target, records):
    """``records`` by submit / create time, oldest first; records without a time last, in their order."""
    def key(record):
        created = target.created(record)
        return (created is None, created or 0.0)
    return sorted(records, key=key)


def _decide_and_delete(target, result, check_mode, force, max_deletions, max_deletions_per_run, wait_timeout, sleep,
                       clock, plan=None):
    decidable = []
    for record in result.records:
        drift = plan.drift(target, record) if plan is not None else None
        if drift is not None:
            result.mark_drifted(target.record_id(record), drift)  # the plan's, not the run's: reported, no failure
            continue
        why = target.kept(record)
        if why is not None:
            result.mark_kept([target.record_id(record)], getattr(why, "rule", None))  # protected: never a failure
            continue
        reason = target.undecidable(record)
        if reason is None:
            decidable.append(record)
        else:
            result.mark_not_deleted(target.record_id(record), reason)

    blocked = [(r, target.blocker(r)) for r in oldest_first(target, decidable)]
    planned = _planned(blocked, force, max_deletions_per_run)
    if max_deletions is not None and planned > max_deletions and not check_mode:
        # The guard must decide as check mode predicted: records whose look a real run puts off until right before
        # their delete (a Tencent FAILED job's task instances) are looked at now, since the count depends on them.
        closer = {target.record_id(r): r for r in target.look_closer([r for r, reason in blocked if reason is None])}
        if closer:
            result.records = [closer.get(target.record_id(r), r) for r in result.records]
            blocked = [(closer.get(target.record_id(r), r), reason) for r, reason in blocked]
            blocked = [(r, target.blocker(r)) for r, _reason in blocked]
            planned = _planned(blocked, force, max_deletions_per_run)
    ready = [target.record_id(r) for r, reason in blocked if reason is None]
    busy = [(r, reason) for r, reason in blocked if reason is not None]
    if max_deletions is not None and planned > max_deletions:
        if max_deletions_per_run is not None:
            raise SelectionTooLarge(
                "max_deletions_per_run=%d lets this run delete more %ss than max_deletions=%d allows; nothing was "
                "deleted. Set max_deletions_per_run at most max_deletions." % (max_deletions_per_run, target.noun,
                                                                               max_deletions))
        raise SelectionTooLarge(
            "the selection holds %d %s(s) to delete, more than max_deletions=%d; nothing was deleted. "
            "Narrow the selection, raise max_deletions, or drain it in steps with max_deletions_per_run."
            % (planned, target.noun, max_deletions)
        )

    if not force:
        for record, reason in busy:
            result.mark_busy(target.record_id(record), "%s; force=true stops it" % reason if target.can_stop else reason)
        busy = []

    if max_deletions_per_run is not None and len(ready) + len(busy) > max_deletions_per_run:
        # A backlog drained in steps: this run takes the oldest, in the order it deletes; the rest waits for the next.
        left = (ready + [target.record_id(r) for r, _blocker in busy])[max_deletions_per_run:]
        ready, busy = ready[:max_deletions_per_run], busy[:max(0, max_deletions_per_run - len(ready))]
        for record_id in left:
            result.mark_left(record_id, LEFT_PER_RUN % max_deletions_per_run)

    # Oldest first: what can go now, then (force) what has to be stopped first, each oldest first. So a run cut short
    # by its time budget has made the most progress it could, and the records still running, the newest, come last.
    busy_ids = [target.record_id(r) for r, _blocker in busy]
    if check_mode:
        result.mark_deleted(ready + busy_ids)
        return

    if ready:
        target.delete(ready, result)
    if not busy:
        return
    if result.message is not None:
        return  # a fatal error ended the run: ensure_absent reports the records not stopped
    if result.budget_stop is not None:
        halt(busy_ids, result, result.budget_stop.without_call())
        return
    finished = set(_stop_and_wait(target, [r for r, _blocker in busy], result, wait_timeout, sleep, clock))
    stopped = [i for i in busy_ids if i in finished]
    if stopped:
        target.delete(stopped, result)


def _planned(blocked, force, max_deletions_per_run):
    """How many records this run deletes: those ready (and with ``force`` those to stop), at most the per-run cap."""
    planned = sum(1 for _record, reason in blocked if reason is None or force)
    return planned if max_deletions_per_run is None else min(planned, max_deletions_per_run)


def _stop_and_wait(target, records, result, wait_timeout, sleep, clock):
    """Stop each busy record, then poll with backoff until it can be deleted; returns the ids now deletable.

    One loop and one deadline (``wait_timeout``) for the whole wait: a stop the service refuses because the record
    is not far enough yet (``classify`` says NOT_FINISHED: Tencent refuses TerminateJob while a job is SUBMITTED)
    is tried again on each round. A stop refused for a reason every further call would share (ABORT) ends the
    run: the error is raised, and ``ensure_absent`` reports every selected id not yet settled, stopped ones too.
    A stop or poll the gate refuses, or a wait cut short (``sleep`` raises RunStopped), reports the records this
    run stopped as stopped but not deleted, and RunStopped goes on to ``ensure_absent`` to report the rest.
    """
    stopped = set()  # ids this run stopped
    try:
        return _stop_and_wait_until(target, records, result, wait_timeout, sleep, clock, stopped)
    except RunStopped as stop:
        halt([i for i in (target.record_id(r) for r in records) if i in stopped], result, stop, stopped=True)
        raise


def _stop_and_wait_until(target, records, result, wait_timeout, sleep, clock, stopped):
    by_id = {target.record_id(r): r for r in records}
    to_stop = list(by_id)  # not stopped yet
    waiting = []  # stopped, not finished yet
    refusals = {}  # id -> the NOT_FINISHED refusal of its latest stop
    ready = []
    deadline = clock() + wait_timeout
    delay = 1.0
    while True:
        refused = []
        for record_id in to_stop:
            try:
                target.stop(by_id[record_id])
            except ApiError as error:
                verdict = target.classify(error)
                if verdict == NOT_FINISHED:
                    refusals[record_id] = error
                    refused.append(record_id)
                elif verdict == GONE:
                    result.mark_absent([record_id])
                else:
                    result.mark_not_deleted(record_id, STOP_FAILED, error)
                    if verdict == ABORT:
                        raise
            else:
                waiting.append(record_id)
                stopped.add(record_id)
        to_stop = refused
        if not waiting and not to_stop:
            return ready
        try:
            current = target.refresh(waiting + to_stop)
        except ApiError as error:
            # Stopped, but nobody can say whether they finished: not deleted, and the next run looks again. A look at
            # several records was none's own call: its code is kept, its request id is told once, in the message.
            own_call = len(waiting) + len(to_stop) == 1
            for record_id in waiting:
                result.mark_not_deleted(record_id, "stopped; could not check if it finished", error, own_call=own_call)
            for record_id in to_stop:
                result.mark_not_deleted(record_id, STOP_FAILED, refusals[record_id])
            if target.classify(error) == ABORT:
                raise  # a denial (or a refusal every call shares) ends the run like any other: ensure_absent reports it
            return ready
        refused = set(to_stop)
        polled, waiting, to_stop = waiting + to_stop, [], []
        for record_id in polled:
            record = current.get(record_id)
            if record is None:
                result.mark_absent([record_id])
            elif target.blocker(record) is None:
                ready.append(record_id)  # finished: stopped by this run, or on its own meanwhile
            elif record_id in refused:
                by_id[record_id] = record
                to_stop.append(record_id)
            else:
                waiting.append(record_id)
        if not waiting and not to_stop:
            return ready
        remaining = deadline - clock()
        if remaining <= 0:
            for record_id in waiting:
                result.mark_not_deleted(record_id, "stopped; not finished within %s s (wait_timeout)" % wait_timeout)
            for record_id in to_stop:
                result.mark_not_deleted(record_id, "could not be stopped within %s s (wait_timeout)" % wait_timeout,
                                        refusals[record_id])
            return ready
        pause = min(delay, remaining)
        sleep(pause)
        delay = min(delay * 2, 10.0)


# The dance's own reasons in ``not_deleted`` (the engine's, for what a delete did, are in ``_batches``).
OVER_MAX_DELETIONS = "selection over max_deletions"
NOT_LOOKED_AT = "not attempted: the look failed"
NOT_LOOKED_AT_BUDGET = "not attempted: time_budget spent during the look"
LEFT_PER_RUN = "left for the next run: max_deletions_per_run=%d, oldest first"
STOP_FAILED = "could not be stopped"
