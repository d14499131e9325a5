# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dance every deleting module does once: look, decide, (stop, wait,) delete, report.

PRIVATE to this collection; no stability promise.

A service plugs in through a *target* object (see ``CleanupTarget``); this module never speaks HTTP.
"""

from __future__ import annotations

import itertools
import threading
import time

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, CloudJobsError, UnexpectedError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._results import CleanupResult
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._run_control import CallOrder, RunStopped

# How a refused call is read: a target's ``classify(error)`` returns one of these for a stop or delete call.
GONE = "gone"  # the record no longer exists: somebody else deleted it, which is what we wanted
SPLIT_BATCH = "split batch"  # one member of the batch may be the cause: split it and try the halves
RECHECK = "recheck"  # the answer neither proves the record gone nor refused it (a 404 without the service's own
# not-found code): a fresh look decides; what it still finds is not deleted, and the run ends (the API is not there)
NOT_FINISHED = "not finished"  # the record is still running: a stop is tried again while waiting; a delete reports it
FAILED = "failed"  # this call failed; other calls may still succeed
ABORT = "abort"  # every further call would fail the same way (authentication, permissions): end the run
HALTED = "halted"  # not sent: the time budget is spent or the run was cancelled (never a target's verdict)


# Batch-delete calls in flight at a time (MRS v2, Workspace): each one deletes up to ``batch_size`` records, so a
# few at once cut the wait on a large cleanup without crowding the service.
BATCH_DELETE_WORKERS = 4


class StillBusy(CloudJobsError):
    """Raised by a delete call when a look just before it found that the record must not be deleted now (a Tencent
    FAILED job whose task instances still run): it is reported as not finished, with ``reason``, and no delete was
    sent. So a look that costs a call per record is made only for the records a run is about to delete."""

    code = None
    request_id = None

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


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
    """

    noun = "record"
    can_stop = True  # False where the service has no stop call (force is then refused before any request)
    ids = None
    full_records = True
    record_fields = None

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

    def diff_line(self, record):
        """One line per record in ``--diff``: id, name, state and time, two spaces apart, ``-`` where unknown."""
        return "  ".join("-" if value in (None, "") else str(value) for value in self.summary(record))


def ensure_absent(target, check_mode=False, force=False, max_deletions=None, wait_timeout=600, sleep=time.sleep,
                  clock=time.monotonic, max_deletions_per_run=None):
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
    """
    result = CleanupResult(record_id=target.record_id)
    result.requested = set(target.ids or ())
    try:
        try:
            records, absent_ids = target.look()
        except CloudJobsError:
            raise
        except Exception as exc:  # pylint: disable=broad-exception-caught
            raise UnexpectedError(exc, "the look")
    except RunStopped as stop:
        _look_cut_short(stop, target, result)
        return result
    except CloudJobsError as error:
        result.stop(str(error), error)  # nothing was looked at, so nothing was deleted
        for record_id in target.ids or ():  # every id asked for is still reported, once
            result.mark_not_deleted(record_id, NOT_LOOKED_AT, error, own_call=False)
        return result
    result.select(records)
    result.mark_absent(absent_ids)
    try:
        _decide_and_delete(target, result, check_mode, force, max_deletions, max_deletions_per_run, wait_timeout,
                           sleep, clock)
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


def _look_cut_short(stop, target, result):
    """A look the budget or a cancel cut short: nothing was selected, so nothing was deleted. The ids asked for are
    reported as not reached. A spent budget is no failure (the next run looks again; ``look_stopped`` carries the
    warning); a cancel is."""
    if stop.budget:
        result.look_stopped = ("%s before the look at the %ss finished: nothing was deleted, and the next run looks "
                               "again. If every run ends so, the listing alone needs more time than the budget: raise "
                               "time_budget, or narrow the selection" % (stop, target.noun))
        result.budget_stop = stop
        for record_id in target.ids or ():
            result.mark_unreached(record_id, NOT_LOOKED_AT_BUDGET, stop.without_call())
    else:
        error = RunStopped(stop.kind, "%s before the look at the %ss finished: nothing was deleted"
                           % (stop, target.noun), stop.last_error)
        result.stop(str(error), error)
        for record_id in target.ids or ():
            result.mark_not_deleted(record_id, NOT_LOOKED_AT, error, own_call=False)


def oldest_first(target, records):
    """``records`` by submit / create time, oldest first; records without a time last, in their order."""
    def key(record):
        created = target.created(record)
        return (created is None, created or 0.0)
    return sorted(records, key=key)


def _decide_and_delete(target, result, check_mode, force, max_deletions, max_deletions_per_run, wait_timeout, sleep,
                       clock):
    decidable = []
    for record in result.records:
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
    ready = [target.record_id(r) for r, reason in blocked if reason is None]
    busy = [(r, reason) for r, reason in blocked if reason is not None]

    planned = len(ready) + (len(busy) if force else 0)
    if max_deletions_per_run is not None:
        planned = min(planned, max_deletions_per_run)  # what this run deletes; the rest is left for the next
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


# Reasons in ``not_deleted`` stay short, because an entry is repeated for every record a failure touches: the
# cause is told once, in the task's message and ``error``; an entry keeps what differs (its id, a short reason,
# the error code and, where the record had a call of its own, that call's request id).
OVER_MAX_DELETIONS = "selection over max_deletions"
NOT_ATTEMPTED = "not attempted: the run stopped"
NOT_LOOKED_AT = "not attempted: the look failed"
NOT_LOOKED_AT_BUDGET = "not attempted: time_budget spent during the look"
NOT_REACHED_BUDGET = "not attempted: time_budget spent"
NOT_REACHED_CANCELLED = "not attempted: the run was cancelled"
# A delete was sent and refused in a way worth retrying, and the retry was not sent: the entry keeps that refusal.
RETRY_NOT_SENT_BUDGET = "delete sent and refused, not retried: time_budget spent"
RETRY_NOT_SENT_CANCELLED = "delete sent and refused, not retried: the run was cancelled"
STOPPED_BUDGET = "stopped, not deleted: time_budget spent"
STOPPED_CANCELLED = "stopped, not deleted: the run was cancelled"
LEFT_PER_RUN = "left for the next run: max_deletions_per_run=%d, oldest first"
DELETE_FAILED = "delete failed"
NOT_FINISHED_YET = "not finished yet"
STOP_FAILED = "could not be stopped"


def halt(ids, result, stop, stopped=False):
    """Ids the run did not reach because ``stop`` (RunStopped) ended it: with the budget as their reason they are no
    failure (the next run continues); a cancel fails the task. ``stopped``: this run stopped them (force)."""
    sent = stop.last_error is not None  # the call was sent, refused, and its retry was not
    if stop.budget:
        reason = STOPPED_BUDGET if stopped else RETRY_NOT_SENT_BUDGET if sent else NOT_REACHED_BUDGET
        for record_id in ids:
            result.mark_unreached(record_id, reason, stop)
        result.budget_stop = result.budget_stop or stop
    else:
        reason = STOPPED_CANCELLED if stopped else RETRY_NOT_SENT_CANCELLED if sent else NOT_REACHED_CANCELLED
        for record_id in ids:
            result.mark_not_deleted(record_id, reason, stop, own_call=stop.last_error is not None)
        if result.message is None:
            result.stop("%s: no new call was started" % stop)


def _abandon(ids, result, error):
    """Ids no call was made for, because a fatal error stopped the run: its code, not its request id."""
    for record_id in ids:
        result.mark_not_deleted(record_id, NOT_ATTEMPTED, error, own_call=False)


# Looks at which members still exist, per refused batch: a second one for the rest of a batch refused again while
# another run is still deleting; after that, the batch is split.
LOOKS_PER_BATCH = 2


class _Recheck:
    """One fresh look at which ids still exist, shared by every batch that the API refused because members may be
    gone (another run deleted them between our look and our delete).

    ``existing(ids)`` is the target's cheapest look (a listing, or one show per id): the ids of ``ids`` that still
    exist. A look serves every refusal that came before it began, so concurrent refusals share one look; what it
    finds gone is never sent again, neither in the refused batches nor in the batches not started yet.
    """

    def __init__(self, existing, open_ids):
        self._existing = existing
        self._open_ids = open_ids  # () -> the ids whose batches have no outcome yet
        self._lock = threading.Lock()  # one look at a time; a refusal waiting for it may then reuse it
        self._ticks = itertools.count()
        self._answered_up_to = -1  # the tick at which the latest finished look began
        self.gone = set()

    def tick(self):
        """A point in the run's order of events: taken just before a delete call is sent."""
        return next(self._ticks)

    def look(self, refused_at):
        """Make sure a look begun after ``refused_at`` has answered; raises the look's ApiError."""
        with self._lock:
            if self._answered_up_to > refused_at:
                return
            began = self.tick()
            ids = [i for i in self._open_ids() if i not in self.gone]
            still = set(self._existing(ids))
            self.gone.update(i for i in ids if i not in still)
            self._answered_up_to = began

    def split_gone(self, ids):
        """``(gone, still)``: the ids a look found gone, and the others, each in the order of ``ids``."""
        gone = [i for i in ids if i in self.gone]
        return gone, ([i for i in ids if i not in self.gone] if gone else ids)


def delete_in_batches(ids, batch_size, delete_batch, classify, result, workers=1, existing=None):
    """Delete ``ids`` in chunks with ``delete_batch(chunk)``, up to ``workers`` chunks at a time.

    A batch the API refuses because members may be gone is looked at once more with ``existing(ids)`` (when the
    target offers it): the members found gone are reported as already absent and never sent again, and the rest go
    as one batch. A batch refused although its members exist (one job started running) is split in halves until
    the good members are deleted and the bad one is isolated and reported on its own. So 1,000 ids that another
    run deleted cost the refused calls and one look, never a call per id. Outcomes are recorded in the order of
    ``ids`` whatever order the calls finish in; after a refusal every further call would share (ABORT), no batch
    is started, the run stops with that error, and every id not yet deleted is reported.

    Batches are numbered as they are taken, oldest first (``CallOrder``), and the gate every call passes
    (``RunControl.admit``) lets their first calls start in that order, whatever the workers and the rate limiter do:
    a run the budget ends has deleted the oldest part of ``ids``. Once the gate says stop (the time budget is spent,
    the run was cancelled), no call starts, the calls in flight finish and are recorded, and every id not sent is
    reported by ``halt``. A delete call may raise ``StillBusy`` (a look just before it found the record busy): the
    record is reported as not finished, and nothing was sent for it.
    """
    batches = [list(ids[i:i + batch_size]) for i in range(0, len(ids), batch_size)]
    outcomes = [None] * len(batches)  # per batch: [(verdict, ids, error)], in the order the calls were made
    lock = threading.Lock()
    queue = list(range(len(batches) - 1, -1, -1))
    aborted = []
    halted = []  # the RunStopped that ended the run, once the gate said stop
    order = CallOrder()

    def open_ids():
        return [i for index, batch in enumerate(batches) if outcomes[index] is None for i in batch]

    recheck = _Recheck(existing, open_ids) if existing is not None else None

    def work():
        while True:
            with lock:
                if not queue or aborted or halted:
                    return
                index = queue.pop()
                number = order.take()  # taken with the batch: numbers follow the batches' order, oldest first
            try:
                with order.turn(number):
                    events = _delete_batch_tree(batches[index], delete_batch, classify, recheck)
            except Exception as exc:  # pylint: disable=broad-exception-caught
                # A bug or a library's exception outside any call: the batch's outcome is unknown, and the run ends.
                error = UnexpectedError(exc, "deleting a batch")
                events = [(FAILED, batches[index], error), (ABORT, [], error)]
            with lock:
                outcomes[index] = events
                if events[-1][0] == ABORT:
                    aborted.append(events[-1][2])
                elif events[-1][0] == HALTED:
                    halted.append(events[-1][2])

    _run_workers(work, min(workers, len(batches)), "cloudjobs-delete")

    for index, batch in enumerate(batches):
        if outcomes[index] is None:  # never started: an earlier fatal error, the budget or a cancel stopped the run
            if aborted:
                _abandon(batch, result, aborted[0])
            else:
                halt(batch, result, halted[0].without_call())
            continue
        for verdict, members, error in outcomes[index]:
            if verdict == "deleted":
                result.mark_deleted(members)
            elif verdict == GONE:
                result.mark_absent(members)
            elif verdict == NOT_FINISHED:
                for record_id in members:
                    result.mark_busy(record_id, getattr(error, "reason", None) or NOT_FINISHED_YET, error)
            elif verdict == ABORT:
                _abandon(members, result, error)
            elif verdict == HALTED:
                halt(members, result, error)
            else:
                for record_id in members:
                    result.mark_not_deleted(record_id, DELETE_FAILED, error)
    if aborted:
        _abandon([i for batch in batches for i in batch], result, aborted[0])  # what the other workers left
        result.stop(str(aborted[0]), aborted[0])


def delete_each(ids, delete_one, classify, result, workers=1, existing=None):
    """Delete ids one call each, ``workers`` at a time (the caller's rate limiter paces the calls): batches of one,
    so outcomes are recorded in the order of ``ids`` whatever order the calls finish in. ``existing``: as for
    ``delete_in_batches``, the look that decides an answer ``classify`` reads as RECHECK."""
    delete_in_batches(ids, 1, lambda batch: delete_one(batch[0]), classify, result, workers=workers,
                      existing=existing)


def _delete_batch_tree(batch, delete_batch, classify, recheck=None):
    """One batch: ``[(verdict, ids, error)]``. Members a look found gone are not sent. A batch refused because
    members may be gone, and any part answered in a way that proves nothing (RECHECK), is looked at again once
    (``recheck``); a batch refused because of a member is then split in halves. A part answered RECHECK whose members
    a fresh look still finds is not deleted, and ends the run: the API answered "not found" for what exists. A refusal
    every further call would share ends the list: the refused part FAILED, then ABORT with the ids of the batch never
    tried. A call (a look included) the gate refuses raises RunStopped: HALTED with every id of the
    batch not sent ends the list. Any other exception of a call is such a refusal too: its part FAILED (its outcome
    is unknown), the rest ABORT."""
    events = []
    pending = [(batch, LOOKS_PER_BATCH if recheck is not None else 0)]  # a stack: halves are tried in order

    def end(part, error):
        return events + [(FAILED, part, error), (ABORT, [i for rest, _flag in reversed(pending) for i in rest], error)]

    while pending:
        part, looks_left = pending.pop()
        if recheck is not None:
            gone, part = recheck.split_gone(part)
            if gone:
                events.append((GONE, gone, None))
            if not part:
                continue
        sent_at = recheck.tick() if recheck is not None else None
        try:
            delete_batch(part)
        except RunStopped as stop:
            return events + _halted(part, pending, stop)
        except StillBusy as busy:
            events.append((NOT_FINISHED, part, busy))
            continue
        except ApiError as error:
            verdict = classify(error)
            if verdict == ABORT:
                return end(part, error)
            if verdict == RECHECK or (len(part) > 1 and verdict in (GONE, SPLIT_BATCH)):
                if looks_left:
                    try:
                        recheck.look(sent_at)
                    except RunStopped as stop:
                        return events + _halted(part, pending, stop.without_call())
                    except ApiError as look_error:
                        if classify(look_error) == ABORT:
                            return end(part, look_error)
                    except Exception as exc:  # pylint: disable=broad-exception-caught
                        return end(part, UnexpectedError(exc, "the look after a refused delete"))
                    else:
                        if any(i in recheck.gone for i in part):
                            # the gone members are dropped when it is taken again
                            pending.append((part, looks_left - 1))
                            continue
                        if verdict == RECHECK:  # every member still exists: the API is not serving this call
                            return end(part, _not_served(error))
                if len(part) > 1:  # every member exists (or no look could tell): find the one refused
                    middle = len(part) // 2
                    pending.append((part[middle:], 0))
                    pending.append((part[:middle], 0))
                else:
                    events.append((FAILED, part, error))
            elif verdict in (GONE, NOT_FINISHED):
                events.append((verdict, part, error))
            else:
                events.append((FAILED, part, error))
        except Exception as exc:  # pylint: disable=broad-exception-caught
            return end(part, UnexpectedError(exc, "the delete call"))
        else:
            events.append(("deleted", part, None))
    return events


def _not_served(error):
    """``error`` (a 404 that proved nothing) once a fresh look found its records still there."""
    error.hint = ("the records still exist, so this API is not available at this endpoint: check endpoint, region "
                  "and api_version")
    return error


def _halted(part, pending, stop):
    """The events that end a batch the gate stopped: ``part`` (whose retry ``stop`` may have refused), then the
    parts of the batch never sent."""
    rest = [i for ids, _looks in reversed(pending) for i in ids]
    return [(HALTED, part, stop)] + ([(HALTED, rest, stop.without_call())] if rest else [])


def _run_workers(work, count, name):
    """``work()`` in ``count`` threads (in this one when ``count`` is 1), until each returns."""
    if count <= 1:
        work()
        return
    threads = [threading.Thread(target=work, name="%s-%d" % (name, n)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
