# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deleting records in batches, or one call each, with a pool of workers: the engine behind every target's
``delete``. PRIVATE to this collection; no stability promise.

It owns the bookkeeping of a delete: every id it is given ends in exactly one list of the ``CleanupResult``, in the
order of the ids whatever order the calls finish in. A target gives it its calls and its reading of a refusal
(``classify``, one of the verdicts below), and, where it can, two looks: ``existing(ids)`` (which ids still exist,
for a batch refused because members may be gone) and ``confirm_absent(ids)`` (which of the ids refused on their own
are gone, once every batch is done). It never speaks HTTP, and never reads a target's records.
"""

from __future__ import annotations

import itertools
import threading

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, CloudJobsError, UnexpectedError
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


# Reasons in ``not_deleted`` stay short, because an entry is repeated for every record a failure touches: the
# cause is told once, in the task's message and ``error``; an entry keeps what differs (its id, a short reason,
# the error code and, where the record had a call of its own, that call's request id).
NOT_ATTEMPTED = "not attempted: the run stopped"
NOT_REACHED_BUDGET = "not attempted: time_budget spent"
NOT_REACHED_CANCELLED = "not attempted: the run was cancelled"
# A delete was sent and refused in a way worth retrying, and the retry was not sent: the entry keeps that refusal.
RETRY_NOT_SENT_BUDGET = "delete sent and refused, not retried: time_budget spent"
RETRY_NOT_SENT_CANCELLED = "delete sent and refused, not retried: the run was cancelled"
STOPPED_BUDGET = "stopped, not deleted: time_budget spent"
STOPPED_CANCELLED = "stopped, not deleted: the run was cancelled"
DELETE_FAILED = "delete failed"
NOT_FINISHED_YET = "not finished yet"


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


def delete_in_batches(ids, batch_size, delete_batch, classify, result, workers=1, existing=None, confirm_absent=None):
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

    ``confirm_absent(ids)``, when the target offers it: once every batch is done and the run was not stopped, the ids
    refused on their own (``delete failed``) that a fresh look no longer finds (a lone id refused with a 4xx may
    simply be gone: a concurrent run) are moved to ``already_absent``. A look that fails leaves them as they are: the
    next run's look corrects them.
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

    refused = []  # ids refused on their own (delete failed), for confirm_absent
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
                    if result.mark_not_deleted(record_id, DELETE_FAILED, error):
                        refused.append(record_id)
    if aborted:
        _abandon([i for batch in batches for i in batch], result, aborted[0])  # what the other workers left
        result.stop(str(aborted[0]), aborted[0])
    elif refused and confirm_absent is not None and not halted and result.message is None:
        try:
            gone = set(confirm_absent(refused))
        except (ApiError, RunStopped):
            return
        result.resolve_absent([i for i in refused if i in gone])


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
