# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one result shape every deleting module returns.

PRIVATE to this collection; no stability promise.

``deleted``        ids deleted by this run (in check mode: ids that would be)
``already_absent`` requested ids that did not exist, or vanished before this run could delete them
``not_deleted``    ``[{id, reason, error_code, request_id}]`` for everything selected but still there
"""

from __future__ import annotations


class CleanupResult:
    def __init__(self, records=None, record_id=None):
        self.records = list(records or [])
        self._record_id = record_id
        self.deleted = []
        self.already_absent = []
        self._seen = set()  # deleted or absent: membership tests stay O(1) on runs of tens of thousands
        self.not_deleted = []
        # ids left alone on purpose (still running, selected by filters): reported, but not a failure
        self.skipped = set()
        self.requested = set()  # ids the user named; a record that cannot go fails the task only then

    def mark_deleted(self, ids):
        for record_id in ids:
            if record_id not in self._seen:
                self._seen.add(record_id)
                self.deleted.append(record_id)

    def mark_absent(self, ids):
        for record_id in ids:
            if record_id not in self._seen:
                self._seen.add(record_id)
                self.already_absent.append(record_id)

    def mark_busy(self, record_id, reason, error=None):
        """Not finished yet: a failure if the user asked for it by id, otherwise reported and skipped."""
        self.mark_not_deleted(record_id, reason, error)
        if record_id not in self.requested:
            self.skipped.add(record_id)

    def mark_not_deleted(self, record_id, reason, error=None):
        self.not_deleted.append(
            {
                "id": record_id,
                "reason": reason,
                "error_code": getattr(error, "code", None),
                "request_id": getattr(error, "request_id", None),
            }
        )

    def resolve_absent(self, ids):
        """Move ids reported as not deleted to ``already_absent`` once a fresh look shows they are gone."""
        gone = set(ids)
        self.not_deleted = [n for n in self.not_deleted if n["id"] not in gone]
        self.mark_absent(ids)

    @property
    def changed(self):
        return bool(self.deleted)

    @property
    def failures(self):
        return [n for n in self.not_deleted if n["id"] not in self.skipped]

    @property
    def failed(self):
        return bool(self.failures)

    def remaining_records(self):
        """The selected records that still exist after this run (the diff's ``after``)."""
        return [r for r in self.records if self._record_id(r) not in self._seen]

    def failure_message(self, noun):
        first = self.failures[0]
        return "%d of %d selected %s(s) were not deleted; first: %s: %s" % (
            len(self.failures),
            len(self.records),
            noun,
            first["id"],
            first["reason"],
        )

    def as_dict(self, records_key, render, diff=False):
        """Module return values; ``render`` turns a service record into its returned form."""
        result = {
            "changed": self.changed,
            "deleted": list(self.deleted),
            "already_absent": list(self.already_absent),
            "not_deleted": list(self.not_deleted),
            records_key: [render(r) for r in self.records],
        }
        if diff:
            result["diff"] = {
                "before": {records_key: [render(r) for r in self.records]},
                "after": {records_key: [render(r) for r in self.remaining_records()]},
            }
        return result
