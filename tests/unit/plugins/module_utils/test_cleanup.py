# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared look / decide / delete dance, proven with an in-memory target (no HTTP)."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _batches, _cleanup
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._batches import (
    ABORT,
    FAILED,
    GONE,
    NOT_FINISHED,
    SPLIT_BATCH,
    delete_each,
    delete_in_batches,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import (
    SelectionTooLarge,
    ensure_absent,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._results import CleanupResult
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import StoreTarget, api_error


CLASSIFY = {"gone": GONE, "running": SPLIT_BATCH, "auth": ABORT, "boom": FAILED, "submitted": NOT_FINISHED}


class FakeTarget(StoreTarget):
    """An in-memory service: records by id, a batch delete that refuses a whole batch for one bad member."""

    def __init__(self, records, requested=None, finish_after_stop=1):
        super().__init__(records, finish_after_stop)
        self.requested = requested
        self.calls = []
        self.vanish_before_delete = set()
        self.fail_ids = {}

    def look(self):
        self.calls.append(("look",))
        if self.requested is None:
            return [dict(r) for r in self.store.values()], []
        found = [dict(self.store[i]) for i in self.requested if i in self.store]
        return found, [i for i in self.requested if i not in self.store]

    def blocker(self, record):
        return None if record["state"] == "done" else "still %s" % record["state"]

    def _call(self, kind, ids):
        self.calls.append((kind, ids[0]) if kind == "stop" else (kind, tuple(ids)))

    def delete(self, ids, result):
        for record_id in self.vanish_before_delete:
            self.store.pop(record_id, None)
        delete_in_batches(ids, 3, self._delete_batch, self.classify, result)

    def _delete_batch(self, batch):
        self.calls.append(("delete", tuple(batch)))
        for record_id in batch:
            if record_id in self.fail_ids:
                raise api_error(self.fail_ids[record_id])
            if record_id not in self.store:
                raise api_error("gone")
        for record_id in batch:
            del self.store[record_id]

    def classify(self, error):
        return CLASSIFY[error.code]


def records(*specs):
    return [{"id": i, "state": s} for i, s in specs]


def mutating(target):
    return [c for c in target.calls if c[0] in ("delete", "stop")]


def test_deletes_every_finished_record_and_reports_changed():
    target = FakeTarget(records(("a", "done"), ("b", "done")))
    result = ensure_absent(target)
    assert result.deleted == ["a", "b"] and result.changed and not result.failed
    assert target.store == {}


def test_nothing_to_delete_is_ok_and_unchanged():
    target = FakeTarget([], requested=["x"])
    result = ensure_absent(target)
    assert not result.changed and result.already_absent == ["x"] and mutating(target) == []


def test_check_mode_reports_the_same_deletions_without_mutating():
    target = FakeTarget(records(("a", "done"), ("b", "running")), requested=["a", "b", "c"])
    result = ensure_absent(target, check_mode=True, force=True)
    assert result.deleted == ["a", "b"] and result.already_absent == ["c"]
    assert mutating(target) == []


def test_running_record_is_reported_not_deleted_without_force():
    target = FakeTarget(records(("a", "done"), ("b", "running")), requested=["a", "b"])
    target.ids = ["a", "b"]
    result = ensure_absent(target)
    assert result.deleted == ["a"]
    assert result.not_deleted[0]["id"] == "b" and "force" in result.not_deleted[0]["reason"]
    assert "b" in target.store and result.failed


def test_force_stops_waits_then_deletes(monkeypatch):
    target = FakeTarget(records(("b", "running")), finish_after_stop=3)
    sleeps = []
    result = ensure_absent(target, force=True, sleep=sleeps.append, clock=lambda: 0.0)
    assert result.deleted == ["b"] and ("stop", "b") in target.calls
    assert sleeps == [1.0, 2.0]  # exponential backoff between polls


def test_force_gives_up_at_wait_timeout():
    target = FakeTarget(records(("b", "running")), finish_after_stop=100)
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    result = ensure_absent(target, force=True, wait_timeout=5, sleep=sleep, clock=lambda: now[0])
    assert result.deleted == [] and "wait_timeout" in result.not_deleted[0]["reason"]
    assert now[0] <= 5


def test_max_deletions_fails_before_any_request():
    target = FakeTarget(records(("a", "done"), ("b", "done"), ("c", "done")))
    result = ensure_absent(target, max_deletions=2)
    assert result.failed and "max_deletions=2" in result.failure_message("thing")
    assert mutating(target) == [] and len(target.store) == 3


@pytest.mark.parametrize("check_mode", [False, True])
def test_max_deletions_exceeded_still_reports_every_requested_id(check_mode):
    target = FakeTarget(records(("a", "done"), ("b", "done"), ("c", "running")), requested=["a", "b", "c", "x"])
    target.ids = ["a", "b", "c", "x"]
    result = ensure_absent(target, check_mode=check_mode, force=True, max_deletions=2)
    out = result.as_dict("things", dict)
    assert out["deleted"] == [] and out["already_absent"] == ["x"] and not out["changed"]
    assert [n["id"] for n in out["not_deleted"]] == ["a", "b", "c"]
    # The cause once in the message; each entry a short reason (the result stays small over thousands of ids).
    assert all(n["reason"] == "selection over max_deletions" and n["request_id"] is None for n in out["not_deleted"])
    assert "max_deletions=2" in result.failure_message("thing")
    assert [r["id"] for r in out["things"]] == ["a", "b", "c"]
    assert result.failure_message("thing").startswith("the selection holds 3 thing(s) to delete, more than max_deletions=2")
    assert mutating(target) == [] and len(target.store) == 3
    assert SelectionTooLarge.__doc__


def test_a_failed_look_returns_the_usual_keys_and_the_error():
    class LookFails(FakeTarget):
        def look(self):
            raise api_error("boom", status=503, operation="Delete")

    result = ensure_absent(LookFails(records(("a", "done"))))
    out = result.as_dict("things", dict)
    assert (out["deleted"], out["already_absent"], out["not_deleted"], out["things"]) == ([], [], [], [])
    assert out["error"]["error_code"] == "boom" and result.failed
    assert "Test Delete failed" in result.failure_message("thing")


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_failed_look_still_reports_every_requested_id_once(check_mode):
    class LookDenied(FakeTarget):
        ids = ("a", "b", "gone")

        def look(self):
            error = api_error("auth", status=403, operation="List")
            error.deny(("test:things:list",), "grant test:things:list")
            raise error

    target = LookDenied(records(("a", "done"), ("b", "done")))
    result = ensure_absent(target, check_mode=check_mode)
    out = result.as_dict("things", dict)
    assert (out["deleted"], out["already_absent"]) == ([], [])
    assert [(n["id"], n["reason"], n["error_code"], n["request_id"]) for n in out["not_deleted"]] == [
        (i, _cleanup.NOT_LOOKED_AT, "auth", None) for i in ("a", "b", "gone")]
    assert out["error"]["required_actions"] == ["test:things:list"] and mutating(target) == []
    message = result.failure_message("thing")
    assert "grant test:things:list" in message and message.endswith("(3 requested thing(s) not deleted)"), message


def test_vanished_member_splits_the_batch_and_the_rest_is_deleted():
    target = FakeTarget(records(*[(c, "done") for c in "abcdef"]))
    target.vanish_before_delete = {"b"}
    result = ensure_absent(target)
    assert sorted(result.deleted) == ["a", "c", "d", "e", "f"]
    assert result.already_absent == ["b"] and not result.failed
    assert target.store == {}


def test_a_member_refused_for_another_reason_is_isolated_and_reported():
    target = FakeTarget(records(*[(c, "done") for c in "abcd"]))
    target.fail_ids = {"c": "running"}
    result = ensure_absent(target)
    assert sorted(result.deleted) == ["a", "b", "d"]
    assert [(n["id"], n["error_code"], n["request_id"]) for n in result.not_deleted] == [("c", "running", "rid-running")]


def test_abort_stops_at_the_first_fatal_error_and_reports_everything_left():
    target = FakeTarget(records(*[(c, "done") for c in "abcdefg"]))
    target.fail_ids = {"a": "auth"}
    result = ensure_absent(target)
    assert result.deleted == []
    assert sorted(n["id"] for n in result.not_deleted) == list("abcdefg")
    assert len(mutating(target)) == 1  # no further call after an authentication failure


def test_diff_after_holds_only_what_remains():
    target = FakeTarget(records(("a", "done"), ("b", "running")))
    result = ensure_absent(target)
    out = result.as_dict("things", dict, diff_line=target.diff_line, noun="thing")
    assert out["diff"] == {"before_header": "things selected", "before": "a  -  -  -\nb  -  -  -\n",
                           "after_header": "things still there", "after": "b  -  -  -\n"}
    assert [r["id"] for r in out["things"]] == ["a", "b"]
    assert "things" not in result.as_dict("things") and "diff" not in result.as_dict("things")


def test_delete_each_keeps_id_order_and_sorts_outcomes():
    result = CleanupResult()
    outcomes = {"a": None, "b": "gone", "c": "boom", "d": None}

    def delete_one(record_id):
        if outcomes[record_id]:
            raise api_error(outcomes[record_id])

    delete_each(list("abcd"), delete_one, lambda e: CLASSIFY[e.code], result, workers=3)
    assert result.deleted == ["a", "d"] and result.already_absent == ["b"]
    assert [n["id"] for n in result.not_deleted] == ["c"]


def test_delete_each_stops_handing_out_work_after_abort():
    result = CleanupResult()
    calls = []

    def delete_one(record_id):
        calls.append(record_id)
        raise api_error("auth", status=401)

    delete_each(list("abcdefgh"), delete_one, lambda e: CLASSIFY[e.code], result, workers=1)
    assert calls == ["a"]
    assert [n["id"] for n in result.not_deleted] == list("abcdefgh")


def test_concurrent_batches_record_outcomes_in_id_order_whatever_order_they_finish_in():
    result = CleanupResult()
    released = threading.Event()
    calls = []

    def delete_batch(batch):
        calls.append(tuple(batch))
        if batch[0] == "a":
            released.wait(5)  # the first batch finishes last
        elif len(calls) >= 3:
            released.set()
        if "e" in batch:
            raise api_error("running", status=400)

    ids = list("abcdefgh")
    delete_in_batches(ids, 2, delete_batch, lambda e: CLASSIFY[e.code], result, workers=4)
    assert result.deleted == ["a", "b", "c", "d", "f", "g", "h"]  # e isolated by splitting its batch
    assert [n["id"] for n in result.not_deleted] == ["e"]
    assert released.is_set()  # three more calls were made while the first batch was still in flight
    assert {("a", "b"), ("c", "d"), ("e", "f"), ("g", "h"), ("e",), ("f",)} == set(calls) and len(calls) == 6


def test_concurrent_batches_start_no_batch_after_an_abort_and_report_every_id_not_deleted():
    result = CleanupResult()
    calls = []
    lock = threading.Lock()

    def delete_batch(batch):
        with lock:
            calls.append(tuple(batch))
        if batch[0] == "c":
            raise api_error("auth", status=401)

    ids = ["%s%d" % (c, n) if c != "c" or n else "c" for c in "abcdefghij" for n in range(2)]
    delete_in_batches(ids, 2, delete_batch, lambda e: CLASSIFY[e.code], result, workers=2)
    deleted = [i for batch in calls if batch[0] != "c" for i in batch]
    assert sorted(result.deleted) == sorted(deleted)  # what was deleted before the abort is reported deleted
    assert len(calls) < len(ids) // 2  # no batch started after the abort was seen
    assert sorted(result.deleted + [n["id"] for n in result.not_deleted]) == sorted(ids)
    assert all(n["error_code"] == "auth" for n in result.not_deleted)


@pytest.mark.parametrize("workers", [1, 3])
def test_the_refused_batch_carries_the_error_and_the_batches_never_tried_say_so(workers):
    result = CleanupResult()

    def delete_batch(batch):
        if batch[0] == "c":
            raise api_error("auth", status=401)

    delete_in_batches(list("abcdefgh"), 2, delete_batch, lambda e: CLASSIFY[e.code], result, workers=workers)
    entries = {n["id"]: n for n in result.not_deleted}
    assert entries["c"] == dict(entries["d"], id="c") and entries["c"]["reason"] == "delete failed"
    assert entries["c"]["error_code"] == "auth" and entries["c"]["request_id"] == "rid-auth"  # its own call's
    assert "a" in result.deleted and "b" in result.deleted
    never_tried = [i for i in "efgh" if i not in result.deleted]
    # No call of their own: the code of the error that stopped the run, no request id; the cause is told once.
    assert all(entries[i] == {"id": i, "reason": "not attempted: the run stopped", "error_code": "auth",
                              "request_id": None} for i in never_tried)
    assert sorted(result.deleted + list(entries)) == list("abcdefgh")
    assert result.failed and "auth" in result.failure_message("thing") and result.error["error_code"] == "auth"


def test_module_exposes_verdict_names():
    assert {_batches.GONE, _batches.SPLIT_BATCH, _batches.NOT_FINISHED, _batches.FAILED, _batches.ABORT} == {
        "gone", "split batch", "not finished", "failed", "abort"}


class RefusesStopAtFirst(FakeTarget):
    """Stops are refused as "not finished yet" ``refusals[id]`` times (Tencent: TerminateJob while SUBMITTED)."""

    def __init__(self, records_, refusals, **kwargs):
        super().__init__(records_, **kwargs)
        self.refusals = dict(refusals)

    def stop(self, record):
        if self.refusals.get(record["id"], 0) > 0:
            self.refusals[record["id"]] -= 1
            self.calls.append(("stop-refused", record["id"]))
            raise api_error("submitted")
        super().stop(record)

    def classify(self, error):
        return NOT_FINISHED if error.code == "submitted" else super().classify(error)


def test_a_refused_stop_is_tried_again_in_the_one_poll_loop():
    target = RefusesStopAtFirst(records(("a", "running"), ("b", "running")), {"a": 2})
    sleeps = []
    result = ensure_absent(target, force=True, sleep=sleeps.append, clock=lambda: sum(sleeps))
    assert sorted(result.deleted) == ["a", "b"] and not result.failed
    assert [c for c in target.calls if c[0].startswith("stop")] == [
        ("stop-refused", "a"), ("stop", "b"), ("stop-refused", "a"), ("stop", "a")]


def test_wait_timeout_bounds_the_whole_wait_however_many_stops_are_refused():
    target = RefusesStopAtFirst(records(*[(c, "running") for c in "abcde"]), {c: 1000 for c in "abcde"})
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    result = ensure_absent(target, force=True, wait_timeout=30, sleep=sleep, clock=lambda: now[0])
    assert now[0] <= 30  # one deadline for all five, not five times wait_timeout
    assert sorted(n["id"] for n in result.not_deleted) == list("abcde")
    assert all("could not be stopped within 30 s" in n["reason"] and n["error_code"] == "submitted"
               for n in result.not_deleted)
    assert result.deleted == [] and result.failed


def test_running_record_matched_by_filters_is_skipped_without_failing():
    target = FakeTarget(records(("a", "done"), ("b", "running")))  # no ids: selected by filters
    result = ensure_absent(target)
    assert result.deleted == ["a"] and not result.failed
    assert result.skipped == {"b"} and result.not_deleted[0]["id"] == "b"


def test_running_record_requested_by_id_fails_the_task():
    target = FakeTarget(records(("b", "running")), requested=["b"])
    target.ids = ["b"]
    result = ensure_absent(target)
    assert result.failed and "force" in result.failure_message("thing")


def test_a_batch_larger_than_the_service_accepts_is_split_until_it_fits():
    result = CleanupResult()
    calls = []

    def delete_batch(batch):
        calls.append(len(batch))
        if len(batch) > 100:
            raise api_error("running")  # the service refuses oversized batches with a member-style 4xx

    delete_in_batches(["i%d" % n for n in range(1000)], 1000, delete_batch, lambda e: CLASSIFY[e.code], result)
    assert len(result.deleted) == 1000 and not result.failed
    assert max(n for n in calls if n <= 100) <= 100 and calls.count(1000) == 1


def test_a_failed_poll_after_stop_reports_the_stopped_records_and_still_deletes_the_ready_ones():
    class PollFails(FakeTarget):
        def refresh(self, ids):
            raise api_error("boom", status=503)

    target = PollFails(records(("a", "done"), ("b", "running")))
    result = ensure_absent(target, force=True, sleep=lambda s: None, clock=lambda: 0.0)
    assert result.deleted == ["a"] and "a" not in target.store
    assert [(n["id"], n["error_code"], n["request_id"]) for n in result.not_deleted] == [("b", "boom", "rid-boom")]
    assert "could not check if it finished" in result.not_deleted[0]["reason"] and result.failed


class StopFails(FakeTarget):
    """``stop_codes`` maps an id to the error its stop call answers (``gone``, ``auth``, ``boom``)."""

    def __init__(self, records_, stop_codes, **kwargs):
        super().__init__(records_, **kwargs)
        self.stop_codes = stop_codes

    def stop(self, record):
        code = self.stop_codes.get(record["id"])
        if code is not None:
            self.calls.append(("stop-refused", record["id"]))
            if code == "gone":
                self.store.pop(record["id"], None)
            raise api_error(code, status=401 if code == "auth" else 400)
        super().stop(record)


def assert_every_id_settled_once(result, selected, absent):
    """The invariant: every selected id and every absent requested id in exactly one list."""
    lists = [result.deleted, result.already_absent, [n["id"] for n in result.not_deleted], result.kept]
    flat = [i for ids in lists for i in ids]
    assert len(flat) == len(set(flat)), "an id is reported twice: %r" % lists
    assert set(flat) == set(selected) | set(absent), "an id is missing or extra: %r" % lists


def test_abort_while_stopping_keeps_stopped_and_absent_records_in_exactly_one_list():
    target = StopFails(records(("a", "running"), ("b", "running"), ("c", "running"), ("d", "running"), ("e", "done")),
                       stop_codes={"a": "gone", "c": "auth"})
    result = ensure_absent(target, force=True, sleep=lambda s: None, clock=lambda: 0.0)
    assert_every_id_settled_once(result, "abcde", [])
    # The finished record goes first, before anything is stopped; then the stops, until the fatal error.
    assert result.already_absent == ["a"] and result.deleted == ["e"]
    reasons = {n["id"]: n["reason"] for n in result.not_deleted}
    assert set(reasons) == {"b", "c", "d"}  # b was stopped before the fatal error: still reported
    assert "could not be stopped" in reasons["c"] and result.error["error_code"] == "auth"
    assert ("stop", "d") not in target.calls and [c for c in target.calls if c[0] == "delete"] == [("delete", ("e",))]
    assert result.failed


VERDICT_CODES = st.sampled_from([None, "gone", "running", "auth", "boom"])


@settings(max_examples=300, deadline=None)
@given(
    specs=st.lists(st.tuples(st.sampled_from(["done", "running"]), VERDICT_CODES, st.sampled_from([None, "gone", "auth", "boom", "submitted"])),
                   max_size=9),
    extra_requested=st.integers(min_value=0, max_value=2),
    by_id=st.booleans(),
    force=st.booleans(),
    check_mode=st.booleans(),
    max_deletions=st.one_of(st.none(), st.integers(min_value=0, max_value=9)),
    finish_after_stop=st.integers(min_value=1, max_value=40),
    poll_fails=st.booleans(),
    batch_size=st.integers(min_value=1, max_value=4),
    workers=st.integers(min_value=1, max_value=4),
)
def test_every_selected_id_ends_in_exactly_one_list_on_every_path(
        specs, extra_requested, by_id, force, check_mode, max_deletions, finish_after_stop, poll_fails, batch_size,
        workers):
    """A model of the contract, driven through every verdict at every stage (look, guard, stop, poll, delete),
    with batches deleted one or several at a time."""

    class Model(StopFails):
        def delete(self, ids, result):
            for record_id in set(ids) & self.vanish_before_delete:  # a concurrent run got there first
                self.store.pop(record_id, None)
            delete_in_batches(ids, batch_size, self._delete_batch, self.classify, result, workers=workers)

        def refresh(self, ids):
            if poll_fails:
                raise api_error("boom", status=503)
            return super().refresh(ids)

    ids = ["r%d" % n for n in range(len(specs))]
    target = Model([{"id": i, "state": s} for i, (s, _d, _st) in zip(ids, specs)],
                   stop_codes={i: stop for i, (_s, _d, stop) in zip(ids, specs) if stop},
                   requested=(ids + ["missing%d" % n for n in range(extra_requested)]) if by_id else None,
                   finish_after_stop=finish_after_stop)
    target.ids = target.requested
    target.fail_ids = {i: code for i, (_s, code, _st) in zip(ids, specs) if code and code != "gone"}
    target.vanish_before_delete = {i for i, (_s, code, _st) in zip(ids, specs) if code == "gone"}
    before = dict(target.store)
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    result = ensure_absent(target, check_mode=check_mode, force=force, max_deletions=max_deletions, wait_timeout=30,
                           sleep=sleep, clock=lambda: now[0])

    absent = ["missing%d" % n for n in range(extra_requested)] if by_id else []
    assert_every_id_settled_once(result, ids, absent)
    out = result.as_dict("things", dict)
    assert out["changed"] == bool(out["deleted"])
    assert out["counts"] == {"selected": len(out["things"]), "deleted": len(out["deleted"]),
                             "already_absent": len(out["already_absent"]), "not_deleted": len(out["not_deleted"]),
                             "kept": len(out["kept"]), "kept_by_rule": {"keep_latest": 0, "keep_name_patterns": 0}}
    if check_mode:
        assert mutating(target) == [] and target.store == before
    for record_id in result.deleted:
        assert check_mode or record_id not in target.store
    for entry in result.not_deleted:  # unless a concurrent run removed it after this run's look
        assert entry["id"] in target.store or entry["id"] in target.vanish_before_delete, entry
    if max_deletions is not None and result.message and "max_deletions" in result.message:
        assert mutating(target) == [] and result.deleted == []


class BatchService:
    """A batch-delete API under the strict reading: a batch naming an id that does not exist is refused whole
    ("gone"), and so is one holding a member that exists but refuses ("running"). ``vanish`` maps a call number to
    ids another run deletes just before that call. ``existing`` is the look the dance re-checks with."""

    def __init__(self, ids, gone=(), refusing=(), vanish=None, look_error=None):
        self.store = set(ids) - set(gone)
        self.refusing = set(refusing)
        self.vanish = dict(vanish or {})
        self.look_error = look_error
        self.deletes = []
        self.looks = []
        self.lock = threading.Lock()

    def delete_batch(self, batch):
        with self.lock:
            self.store -= set(self.vanish.pop(len(self.deletes), ()))
            self.deletes.append(list(batch))
            if any(i not in self.store for i in batch):
                raise api_error("gone", status=400)
            if any(i in self.refusing for i in batch):
                raise api_error("running", status=400)
            self.store -= set(batch)

    def existing(self, ids):
        with self.lock:
            self.looks.append(list(ids))
            if self.look_error is not None:
                raise self.look_error
            return {i for i in ids if i in self.store}


def _ids(n):
    return ["id-%04d" % i for i in range(n)]


@pytest.mark.parametrize("workers", [1, 4])
def test_a_selection_another_run_deleted_costs_the_refused_calls_and_one_look_never_a_call_per_id(workers):
    ids = _ids(1000)
    service = BatchService(ids, gone=ids)
    result = CleanupResult()
    delete_in_batches(ids, 100, service.delete_batch, lambda e: CLASSIFY[e.code], result, workers=workers,
                      existing=service.existing)
    assert result.already_absent == ids and result.deleted == [] and result.not_deleted == []
    # The batches in flight when the first refusal came back, and at most one look per worker; the batches not
    # started yet are answered by the look and never sent.
    assert len(service.deletes) <= workers and 1 <= len(service.looks) <= workers


def test_half_of_a_selection_gone_sends_the_other_half_once_more_as_one_batch():
    ids = _ids(1000)
    service = BatchService(ids, gone=ids[::2])
    result = CleanupResult()
    delete_in_batches(ids, 1000, service.delete_batch, lambda e: CLASSIFY[e.code], result, existing=service.existing)
    assert result.deleted == ids[1::2] and result.already_absent == ids[::2] and result.not_deleted == []
    assert [len(b) for b in service.deletes] == [1000, 500] and len(service.looks) == 1


def test_a_member_that_exists_but_is_refused_is_still_isolated_after_the_look():
    ids = _ids(64)
    service = BatchService(ids, gone=ids[:10], refusing=[ids[40]])
    result = CleanupResult()
    delete_in_batches(ids, 64, service.delete_batch, lambda e: CLASSIFY[e.code], result, existing=service.existing)
    assert result.already_absent == ids[:10] and [n["id"] for n in result.not_deleted] == [ids[40]]
    assert sorted(result.deleted) == sorted(set(ids[10:]) - {ids[40]})
    # One look for the refusal, one for the rest refused again; then halves down to the one refusing member.
    assert len(service.looks) == 2 and len(service.deletes) <= 2 + 2 * 6


def test_a_look_that_fails_falls_back_to_splitting_and_the_report_stays_exact():
    ids = _ids(16)
    service = BatchService(ids, gone=ids[3:5], look_error=api_error("boom", status=500))
    result = CleanupResult()
    delete_in_batches(ids, 16, service.delete_batch, lambda e: CLASSIFY[e.code], result, existing=service.existing)
    assert sorted(result.already_absent) == ids[3:5] and sorted(result.deleted) == ids[:3] + ids[5:]
    assert len(service.looks) == 1


def test_a_look_refused_for_permissions_ends_the_run_and_reports_every_id():
    ids = _ids(30)
    service = BatchService(ids, gone=ids[:1], look_error=api_error("auth", status=403))
    result = CleanupResult()
    delete_in_batches(ids, 10, service.delete_batch, lambda e: CLASSIFY[e.code], result, existing=service.existing)
    assert result.deleted == [] and sorted(n["id"] for n in result.not_deleted) == ids
    assert len(service.deletes) == 1 and result.error["error_code"] == "auth"


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 60), batch_size=st.integers(1, 25), workers=st.integers(1, 4), data=st.data())
def test_whatever_vanishes_when_every_id_ends_once_and_never_a_call_per_vanished_id(n, batch_size, workers, data):
    """A model of the contract: ids gone before the run, ids another run deletes during it, ids that exist but are
    refused. Each id ends in exactly one list, truly; a refusal caused by vanished members costs looks, not splits."""
    ids = _ids(n)
    gone = data.draw(st.sets(st.sampled_from(ids)))
    refusing = data.draw(st.sets(st.sampled_from(ids), max_size=2)) - gone
    vanish = data.draw(st.dictionaries(st.integers(0, 8), st.sets(st.sampled_from(ids), max_size=5), max_size=3))
    service = BatchService(ids, gone=gone, refusing=refusing, vanish=vanish)
    result = CleanupResult()
    delete_in_batches(ids, batch_size, service.delete_batch, lambda e: CLASSIFY[e.code], result, workers=workers,
                      existing=service.existing)
    failed = [e["id"] for e in result.not_deleted]
    assert sorted(result.deleted + result.already_absent + failed) == ids
    vanished = set().union(*vanish.values()) if vanish else set()
    assert refusing - vanished <= set(failed) <= refusing  # nothing fails but a member that really refuses
    assert set(result.already_absent) <= gone | vanished and not set(result.deleted) & (gone | refusing)
    assert not service.store & set(result.deleted)  # deleted means gone now
    batches = -(-n // batch_size)
    assert len(service.looks) <= 2 * batches
    if not refusing and not vanish:
        assert len(service.deletes) <= 2 * batches  # no split at all: a look and the rest once more
