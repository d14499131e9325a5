# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one result shape every deleting module returns, on success and on failure alike.

PRIVATE to this collection; no stability promise.

``deleted``        ids deleted by this run (in check mode: ids that would be)
``already_absent`` requested ids that did not exist, or vanished before this run could delete them
``not_deleted``    ``[{id, reason, error_code, request_id}]`` for everything selected but still there (plus the
                   service's ``error_detail`` and ``encoded_authorization_message`` when its own call got them)
``kept``           ids that matched every filter but a retention rule (``keep_latest``, ``keep_name_patterns``) kept

The invariant: every selected id and every requested id that does not exist ends in exactly one of the
four lists. The first verdict on an id stands (a fresh look may still move a refused id to
``already_absent``, see ``resolve_absent``), and ``settle_remaining`` gives every id the run did not reach
its place in ``not_deleted``, so no path can drop an id or report it twice.
"""

from __future__ import annotations

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._selection import RETENTION_RULES

DELETED = "deleted"
ALREADY_ABSENT = "already_absent"
NOT_DELETED = "not_deleted"
KEPT = "kept"


class CleanupResult:
    def __init__(self, records=None, record_id=None):
        self.records = []
        self._record_id = record_id
        self.deleted = []
        self.already_absent = []
        self.not_deleted = []
        self.kept = []
        self.kept_by_rule = {rule: 0 for rule in RETENTION_RULES}
        self._outcome = {}  # id -> DELETED / ALREADY_ABSENT / NOT_DELETED: O(1) on runs of tens of thousands
        # ids left alone on purpose (still running, selected by filters): reported, but not a failure
        self.skipped = set()
        # ids the run did not reach before its time budget was spent: reported, not a failure (the next run goes on)
        self.unreached = set()
        self.budget_stop = None  # the RunStopped of the spent budget, when it ended the run
        self.look_stopped = None  # why the look did not finish, when the budget ended it (a warning, no failure)
        self.left = set()  # ids left for the next run on purpose (max_deletions_per_run): reported, not a failure
        self.drifted = set()  # plan ids that changed since the plan was made: reported, not a failure
        self.requested = set()  # ids the user named; a record that cannot go fails the task only then
        self.message = None  # why the run stopped early (a guard, a fatal error), when it did
        self.error = None  # the failed call that stopped the run, as ``ApiError.to_dict()``
        self.first_cause = None  # the whole text of the first failed call behind a ``not_deleted`` entry
        self.select(records or [])

    def select(self, records):
        """The records the look selected: each of them must end in one of the three lists."""
        self.records = list(records)

    def outcome(self, record_id):
        return self._outcome.get(record_id)

    def mark_deleted(self, ids):
        for record_id in ids:
            if record_id not in self._outcome:
                self._outcome[record_id] = DELETED
                self.deleted.append(record_id)

    def mark_absent(self, ids):
        for record_id in ids:
            if record_id not in self._outcome:
                self._outcome[record_id] = ALREADY_ABSENT
                self.already_absent.append(record_id)

    def mark_kept(self, ids, rule=None):
        """Kept by a retention rule (``rule``: its option name, counted in ``kept_by_rule``)."""
        for record_id in ids:
            if record_id not in self._outcome:
                self._outcome[record_id] = KEPT
                self.kept.append(record_id)
                if rule is not None:
                    self.kept_by_rule[rule] = self.kept_by_rule.get(rule, 0) + 1

    def mark_busy(self, record_id, reason, error=None):
        """Not finished yet: a failure if the user asked for it by id, otherwise reported and skipped."""
        if self.mark_not_deleted(record_id, reason, error) and record_id not in self.requested:
            self.skipped.add(record_id)

    def mark_not_deleted(self, record_id, reason, error=None, own_call=True):
        """Report ``record_id`` as still there; returns False when the id already had its verdict.

        ``reason`` is short: an entry is repeated for every record a failure touches, so the whole text of
        ``error`` is told once (``first_cause``, in the task's message). The entry keeps its code, and its request id
        when the call was this record's own (``own_call``), not one that stopped the run before it was tried."""
        if record_id in self._outcome:
            return False
        self._outcome[record_id] = NOT_DELETED
        entry = {
            "id": record_id,
            "reason": reason,
            "error_code": getattr(error, "code", None),
            "request_id": getattr(error, "request_id", None) if own_call else None,
        }
        if own_call and hasattr(error, "service_details"):
            entry.update(error.service_details())  # error_detail, encoded_authorization_message: when given
        self.not_deleted.append(entry)
        if error is not None and self.first_cause is None:
            self.first_cause = str(error)  # the first failed call, told once in the task's message
        return True

    def mark_unreached(self, record_id, reason, stop):
        """Not reached before the time budget was spent (``stop``): reported, and no failure. Its own call's
        error code and request id when a retry of it was not sent (``stop.last_error``)."""
        if self.mark_not_deleted(record_id, reason, stop, own_call=stop.last_error is not None):
            self.unreached.add(record_id)

    def mark_left(self, record_id, reason):
        """Left for the next run on purpose (``max_deletions_per_run``): reported with ``reason``, and no failure."""
        if self.mark_not_deleted(record_id, reason):
            self.left.add(record_id)

    def mark_drifted(self, record_id, reason):
        """A plan's record that no longer qualifies as the plan recorded it: not deleted, reported with ``reason``,
        and no failure (the run did what was approved: it deleted what still qualifies, and nothing else)."""
        if self.mark_not_deleted(record_id, reason):
            self.drifted.add(record_id)

    def cancel(self, stop):
        """The run was cancelled (``stop``, a RunStopped), whatever else happened: a cancel wins over a spent budget.
        Records the budget left unreached are reported as cancelled instead, and the task fails."""
        for entry in self.not_deleted:
            if entry["id"] in self.unreached:
                entry["reason"] = entry["reason"].replace("time_budget spent", "the run was cancelled")
        self.unreached.clear()
        self.budget_stop = None
        self.look_stopped = None
        if self.message is None or "cancelled" not in self.message:
            self.message = "%s: no new call was started" % stop

    def resolve_absent(self, ids):
        """Move ids reported as not deleted to ``already_absent`` once a fresh look shows they are gone."""
        gone = {i for i in ids if self._outcome.get(i) == NOT_DELETED}
        if not gone:
            return
        self.not_deleted = [n for n in self.not_deleted if n["id"] not in gone]
        self.skipped -= gone
        self.unreached -= gone
        self.left -= gone
        self.drifted -= gone
        for record_id in gone:
            del self._outcome[record_id]
        self.mark_absent([i for i in ids if i in gone])

    def stop(self, message, error=None):
        """The run stops here: ``message`` says why; ``error`` is the failed call, when one did."""
        self.message = message
        if error is not None and hasattr(error, "to_dict"):
            self.error = error.to_dict()

    def unsettled(self):
        """Selected ids without a verdict yet."""
        if self._record_id is None:
            return []
        return [i for i in (self._record_id(r) for r in self.records) if i not in self._outcome]

    def settle_remaining(self, reason, error=None):
        """Every selected id the run did not reach is reported as not deleted, with ``reason`` (and the code of
        ``error``, the one that stopped the run)."""
        for record_id in self.unsettled():
            self.mark_not_deleted(record_id, reason, error, own_call=False)

    @property
    def changed(self):
        return bool(self.deleted)

    @property
    def failures(self):
        return [n for n in self.not_deleted if n["id"] not in self.skipped and n["id"] not in self.unreached
                and n["id"] not in self.left and n["id"] not in self.drifted]

    @property
    def failed(self):
        return self.message is not None or bool(self.failures)

    def remaining_records(self):
        """The selected records that still exist after this run (the diff's ``after``)."""
        return [r for r in self.records if self._outcome.get(self._record_id(r)) not in (DELETED, ALREADY_ABSENT)]

    def failure_message(self, noun):
        failures = self.failures
        if self.message is not None:
            if not failures:
                return self.message
            if not self.records:  # the look failed: nothing was selected, the ids asked for are reported
                return "%s (%d requested %s(s) not deleted)" % (self.message, len(failures), noun)
            return "%s (%d of %d selected %s(s) not deleted)" % (self.message, len(failures), len(self.records), noun)
        first = failures[0]
        message = "%d of %d selected %s(s) were not deleted; first: %s: %s" % (
            len(failures),
            len(self.records),
            noun,
            first["id"],
            first["reason"],
        )
        if self.first_cause is not None:
            message += "; first error: %s" % self.first_cause
        return message

    def counts(self):
        """How many records the look selected and how many ended in each list."""
        return {
            "selected": len(self.records),
            "deleted": len(self.deleted),
            "already_absent": len(self.already_absent),
            "not_deleted": len(self.not_deleted),
            "kept": len(self.kept),
            "kept_by_rule": dict(self.kept_by_rule),
        }

    def as_dict(self, records_key, render=None, diff_line=None, noun="record"):
        """Module return values: the ids in their lists and the counts; the selected records themselves
        (``render`` turns one into its returned form) only when ``render`` is given (``return_records``).

        ``diff_line`` turns a record into its one line of ``--diff``: the records selected before the run,
        and those that are still there after it."""
        result = {
            "changed": self.changed,
            "deleted": list(self.deleted),
            "already_absent": list(self.already_absent),
            "not_deleted": list(self.not_deleted),
            "kept": list(self.kept),
            "counts": self.counts(),
        }
        if render is not None:
            result[records_key] = [render(r) for r in self.records]
        if self.error is not None:
            result["error"] = dict(self.error)
        if self.look_stopped is not None:
            result["time_budget_spent"] = "look"
        elif self.budget_stop is not None:
            result["time_budget_spent"] = "delete"
        if diff_line is not None:
            result["diff"] = {
                "before_header": "%ss selected" % noun,
                "before": "".join(diff_line(r) + "\n" for r in self.records),
                "after_header": "%ss still there" % noun,
                "after": "".join(diff_line(r) + "\n" for r in self.remaining_records()),
            }
        return result
