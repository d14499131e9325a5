# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The time budget, oldest first and cancel, in the dance and at the transport, with a fake clock (no sleeping).

The budget is asked at the one gate every call passes (``RunControl.admit``, in the transport before each attempt,
after its turn and the rate limiter's wait) and never inside a call: a call that starts before the budget is spent
finishes and is recorded, however long it takes. The fake target here asks the gate itself, as the transport does.
"""

from __future__ import annotations

import signal
import threading

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _batches, _cleanup
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._batches import (
    ABORT,
    FAILED,
    GONE,
    NOT_FINISHED,
    delete_in_batches,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import ensure_absent
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._retry import RetryPolicy
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._run_control import BUDGET, CANCELLED, RunControl, RunStopped
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._transport import Transport
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import FakeClock, StoreTarget, api_error

CLASSIFY = {"gone": GONE, "auth": ABORT, "boom": FAILED, "busy": NOT_FINISHED}


class TimedTarget(StoreTarget):
    """Records with a creation time; every call takes ``call_seconds`` of the fake clock, and each call's start is
    recorded, so a test sees when each call began against the budget."""

    def __init__(self, clock, records, call_seconds=1.0, look_seconds=0.0, batch_size=1, workers=1,
                 finish_after_stop=1):
        super().__init__(records, finish_after_stop)
        self.clock = clock
        self.call_seconds = call_seconds
        self.look_seconds = look_seconds
        self.batch_size = batch_size
        self.workers = workers
        self.calls = []  # (kind, ids, started at)
        self.lock = threading.Lock()

    def created(self, record):
        return record.get("created")

    control = None

    def look(self):
        self.clock.advance(self.look_seconds)
        if self.control is not None:
            self.control.admit(ordered=False)  # the transport asks before every page; here, once after the listing
        return [dict(r) for r in self.store.values()], []

    def blocker(self, record):
        return None if record.get("state", "done") == "done" else "still %s" % record["state"]

    def _call(self, kind, ids):
        if self.control is not None:
            self.control.admit(ordered=kind != "refresh")  # as the transport does before every call
        with self.lock:
            self.calls.append((kind, tuple(ids), self.clock()))
        self.clock.advance(self.call_seconds)

    def delete(self, ids, result):
        delete_in_batches(ids, self.batch_size, self._delete_batch, self.classify, result, workers=self.workers)

    def _delete_batch(self, batch):
        self._call("delete", batch)
        with self.lock:
            for record_id in batch:
                self.store.pop(record_id, None)

    def classify(self, error):
        return CLASSIFY[error.code]


def things(n, running=()):
    """``n`` records, ``t<i>`` created at ``1000 - i`` (so t0 is the newest), listed newest first as the APIs do."""
    return [dict(id="t%02d" % i, created=1000.0 - i, state="running" if i in running else "done") for i in range(n)]


def control_for(clock, budget, sleep=None, **kwargs):
    return RunControl(time_budget=budget, clock=clock, watch_parent=False, sleep=sleep or clock.advance, **kwargs)


def run(target, control, **options):
    """``ensure_absent`` as ``run_cleanup`` calls it: every call of ``target`` passes ``control``'s gate, the force
    wait is its ``pause``, and a cancel found after the budget stopped the run wins."""
    target.control = control
    result = ensure_absent(target, sleep=control.pause, clock=control._clock, **options)  # pylint: disable=protected-access
    cancelled = control.cancelled()
    if cancelled is not None and (result.unreached or result.look_stopped):
        result.cancel(cancelled)
    return result


def started(target, kind="delete"):
    return [at for k, _ids, at in target.calls if k == kind]


def deleted_ids(target):
    return [i for k, ids, _at in target.calls if k == "delete" for i in ids]


def every_id_once(result, ids):
    reported = result.deleted + result.already_absent + result.kept + [n["id"] for n in result.not_deleted]
    assert sorted(reported) == sorted(ids), reported


# -- the budget in the dance -------------------------------------------------------------------------------------
def test_the_budget_is_checked_before_every_call_never_inside_one():
    """Budget 10 s, a delete takes 3 s: calls start at 0, 3, 6 and 9 s; the one at 9 s ends at 12 s and counts; none
    starts at 12 s. The rest is reported with the budget as the reason, and is no failure."""
    clock = FakeClock()
    target = TimedTarget(clock, things(10), call_seconds=3.0)
    result = run(target, control_for(clock, 10))
    assert started(target) == [0.0, 3.0, 6.0, 9.0]
    assert result.deleted == ["t09", "t08", "t07", "t06"]  # the oldest four, oldest first
    assert [n["reason"] for n in result.not_deleted] == [_batches.NOT_REACHED_BUDGET] * 6
    assert [n["id"] for n in result.not_deleted] == ["t%02d" % i for i in range(5, -1, -1)]
    assert not result.failed and result.unreached == {"t%02d" % i for i in range(6)}
    assert result.budget_stop is not None and str(result.budget_stop) == "time_budget 10s spent"
    every_id_once(result, [r["id"] for r in things(10)])


def test_the_listing_counts_against_the_budget():
    """The look took 8 of the 10 s: one delete of 3 s starts at 8 s, nothing after it."""
    clock = FakeClock()
    target = TimedTarget(clock, things(5), call_seconds=3.0, look_seconds=8.0)
    result = run(target, control_for(clock, 10))
    assert started(target) == [8.0] and result.deleted == ["t04"] and not result.failed


def test_a_budget_spent_by_the_listing_deletes_nothing_and_is_no_failure():
    """The budget ends during the look: nothing is deleted, the ids asked for are left for the next run, and the task
    does not fail; ``look_stopped`` is the warning that says how far it got and what to change if it keeps happening."""
    clock = FakeClock()
    target = TimedTarget(clock, things(5), look_seconds=12.0)
    target.ids = ("t01", "t02")
    result = run(target, control_for(clock, 10, budget_text="10s"))
    assert target.calls == [] and result.deleted == [] and not result.failed
    assert "time_budget 10s spent before the look at the things finished: nothing was deleted" in result.look_stopped
    assert "raise time_budget" in result.look_stopped
    assert [(n["id"], n["reason"]) for n in result.not_deleted] == [
        ("t01", _cleanup.NOT_LOOKED_AT_BUDGET), ("t02", _cleanup.NOT_LOOKED_AT_BUDGET)]


def test_a_cancel_during_the_look_fails_the_task():
    clock = FakeClock()
    control = control_for(clock, None)
    target = TimedTarget(clock, things(3))
    target.ids = ("t01",)
    control._on_signal(signal.SIGTERM, None)  # pylint: disable=protected-access
    result = run(target, control)
    assert result.failed and "cancelled (SIGTERM)" in result.message and result.look_stopped is None
    assert [(n["id"], n["reason"]) for n in result.not_deleted] == [("t01", _cleanup.NOT_LOOKED_AT)]


def test_a_cancel_after_the_budget_was_spent_wins_in_the_report():
    clock = FakeClock()
    control = control_for(clock, 5)
    target = TimedTarget(clock, things(6), call_seconds=2.0)
    original = target._call  # pylint: disable=protected-access

    def call_then_cancel(kind, ids):
        original(kind, ids)
        if clock() >= 6:
            control._on_signal(signal.SIGINT, None)  # pylint: disable=protected-access

    target._call = call_then_cancel  # pylint: disable=protected-access
    result = run(target, control)
    assert result.failed and "cancelled (SIGINT)" in result.message
    assert {n["reason"] for n in result.not_deleted} == {"not attempted: the run was cancelled"}
    every_id_once(result, [r["id"] for r in things(6)])


def test_without_a_budget_everything_goes_oldest_first():
    clock = FakeClock()
    records = things(6)
    records[2]["created"] = None  # no time: last
    target = TimedTarget(clock, records, call_seconds=100.0)
    result = run(target, control_for(clock, None))
    assert result.deleted == ["t05", "t04", "t03", "t01", "t00", "t02"] == deleted_ids(target)


def test_check_mode_predicts_the_finished_oldest_first_then_those_to_stop_and_makes_no_call():
    clock = FakeClock()
    target = TimedTarget(clock, things(4, running=(1,)))
    result = run(target, control_for(clock, None), check_mode=True, force=True)
    assert result.deleted == ["t03", "t02", "t00", "t01"] and target.calls == []


def test_with_force_the_finished_go_first_then_the_stopped_each_oldest_first():
    clock = FakeClock()
    target = TimedTarget(clock, things(5, running=(1, 3)), call_seconds=0.0)
    result = run(target, control_for(clock, None), force=True)
    assert result.deleted == ["t04", "t02", "t00", "t03", "t01"] == deleted_ids(target)
    assert [ids for k, ids, _at in target.calls if k == "stop"] == [("t03",), ("t01",)]


def test_a_budget_spent_while_stopping_reports_stopped_records_as_such():
    """force: two finished records are deleted first (0, 4 s), then of three running ones, a stop taking 4 s and the
    budget 14 s, two stops start (8, 12 s) and the third does not: the two stopped ones are 'stopped, not
    deleted', the third 'not attempted'."""
    clock = FakeClock()
    target = TimedTarget(clock, things(5, running=(0, 1, 2)), call_seconds=4.0)
    result = run(target, control_for(clock, 14), force=True)
    assert target.calls == [
        ("delete", ("t04",), 0.0), ("delete", ("t03",), 4.0), ("stop", ("t02",), 8.0), ("stop", ("t01",), 12.0)]
    reasons = {n["id"]: n["reason"] for n in result.not_deleted}
    assert reasons == {"t02": _batches.STOPPED_BUDGET, "t01": _batches.STOPPED_BUDGET,
                       "t00": _batches.NOT_REACHED_BUDGET}
    assert not result.failed and result.deleted == ["t04", "t03"]


def test_a_budget_spent_by_the_finished_records_stops_nothing():
    clock = FakeClock()
    target = TimedTarget(clock, things(4, running=(0,)), call_seconds=4.0)
    result = run(target, control_for(clock, 6), force=True)
    assert [k for k, _ids, _at in target.calls] == ["delete", "delete"]
    assert {n["id"]: n["reason"] for n in result.not_deleted} == {"t01": _batches.NOT_REACHED_BUDGET,
                                                                  "t00": _batches.NOT_REACHED_BUDGET}


def test_a_budget_spent_while_waiting_polls_no_more():
    clock = FakeClock()
    target = TimedTarget(clock, things(2, running=(0,)), call_seconds=1.0, finish_after_stop=100)
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock.advance(seconds)

    result = run(target, control_for(clock, 20, sleep=sleep), force=True)
    assert all(at < 20 for _k, _ids, at in target.calls)
    assert sum(slept) <= 20  # a wait never outlasts the budget
    assert result.deleted == ["t01"]  # the finished one, first
    assert {n["id"]: n["reason"] for n in result.not_deleted} == {"t00": _batches.STOPPED_BUDGET}


def test_the_budget_with_max_deletions_the_guard_comes_first():
    clock = FakeClock()
    target = TimedTarget(clock, things(5))
    result = run(target, control_for(clock, 1), max_deletions=3)
    assert target.calls == [] and result.failed and "max_deletions=3" in result.message


def test_concurrent_batches_start_nothing_once_the_budget_is_spent():
    clock = FakeClock()
    target = TimedTarget(clock, things(40), call_seconds=2.0, batch_size=3, workers=4)
    result = run(target, control_for(clock, 9))
    assert all(at < 9 for at in started(target)) and len(started(target)) >= 1
    every_id_once(result, [r["id"] for r in things(40)])
    assert set(result.deleted) == set(deleted_ids(target))
    assert not result.failed


@settings(max_examples=120, deadline=None)
@given(n=st.integers(0, 40), budget=st.integers(1, 60), call=st.integers(0, 7), batch_size=st.integers(1, 6),
       workers=st.integers(1, 4), look=st.integers(0, 10))
def test_whatever_the_budget_no_call_starts_after_it_and_every_id_ends_once(n, budget, call, batch_size,
                                                                            workers, look):
    clock = FakeClock()
    target = TimedTarget(clock, things(n), call_seconds=float(call), look_seconds=float(look), batch_size=batch_size,
                         workers=workers)
    result = run(target, control_for(clock, budget))
    assert all(at < budget for at in started(target))
    assert not result.failed
    if look >= budget:
        assert target.calls == [] and result.deleted == [] and result.look_stopped
        return
    every_id_once(result, [r["id"] for r in things(n)])
    assert set(result.deleted) == set(deleted_ids(target))
    unreached = {n_["id"] for n_ in result.not_deleted}
    assert unreached == result.unreached
    # Whatever the workers: the calls start in age order, so exactly the oldest go.
    assert sorted(result.deleted, reverse=True) == ["t%02d" % i for i in range(n - 1, n - 1 - len(result.deleted), -1)]
    assert [i for ids in (ids_ for k, ids_, _at in target.calls if k == "delete") for i in ids] == sorted(
        result.deleted, reverse=True)


# -- cancel ----------------------------------------------------------------------------------------------------------
def test_a_signal_cancels_the_run_the_calls_in_flight_finish_and_the_task_fails():
    clock = FakeClock()
    control = control_for(clock, None)
    target = TimedTarget(clock, things(6))
    original = target._delete_batch  # pylint: disable=protected-access

    def delete_then_signal(batch):
        original(batch)
        if len(target.calls) == 2:
            control._on_signal(signal.SIGTERM, None)  # pylint: disable=protected-access

    target._delete_batch = delete_then_signal  # pylint: disable=protected-access
    result = run(target, control)
    assert len(target.calls) == 2 and result.deleted == ["t05", "t04"]
    assert result.failed and result.message == "the run was cancelled (SIGTERM): no new call was started"
    assert {n["reason"] for n in result.not_deleted} == {_batches.NOT_REACHED_CANCELLED}
    every_id_once(result, [r["id"] for r in things(6)])


def test_the_parent_process_exiting_cancels_the_run():
    parents = [4242]
    control = RunControl(getppid=lambda: parents[0])
    assert control.stopped() is None
    parents[0] = 1
    stop = control.stopped()
    assert stop.kind == CANCELLED and "the process that started this module has exited" in str(stop)
    parents[0] = 4242
    assert control.stopped() is stop  # the first reason stays


def test_signal_handlers_are_installed_and_give_back_the_previous_ones():
    control = RunControl(watch_parent=False)
    previous = control.install_signal_handlers()
    try:
        assert set(previous) == {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
        assert signal.getsignal(signal.SIGTERM) == control._on_signal  # pylint: disable=protected-access
        signal.raise_signal(signal.SIGINT)
        assert control.stopped().kind == CANCELLED and "SIGINT" in str(control.stopped())
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


# -- the option -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, seconds", [("90s", 90), ("45m", 2700), ("2h", 7200), ("1h30m", 5400), ("1d", 86400)])
def test_time_budget_takes_the_older_than_syntax_with_seconds(text, seconds):
    control = RunControl.from_params({"time_budget": text})
    assert control.time_budget == seconds and control.budget_text == text


@pytest.mark.parametrize("text", ["0s", "0m", "-5m", "5", "1.5h", "m", "30m1h", "soon", ""])
def test_a_zero_negative_or_malformed_budget_is_refused(text):
    with pytest.raises(ConfigurationError) as excinfo:
        RunControl.from_params({"time_budget": text})
    assert "time_budget" in str(excinfo.value)


def test_check_mode_ignores_the_budget():
    assert RunControl.from_params({"time_budget": "1s"}, check_mode=True).time_budget is None
    assert RunControl.from_params({}).time_budget is None


# -- the transport -------------------------------------------------------------------------------------------------
class Throttled:
    """A requests session: 429 for every request; ``sent`` counts them."""

    def __init__(self):
        self.sent = 0
        self.verify = True

    def request(self, method, url, **kwargs):
        self.sent += 1
        response = requests.models.Response()
        response.status_code = 429
        response._content = b'{"error_code": "APIGW.0308", "error_msg": "throttled"}'  # pylint: disable=protected-access
        return response

    def close(self):
        pass


def parse(response):
    raise ApiError("Test", "Delete", "throttled", status=response.status_code, code="APIGW.0308", request_id="r-7")


def test_the_transport_sends_no_retry_once_the_budget_is_spent_and_keeps_the_last_refusal():
    clock = FakeClock()
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock.advance(seconds)

    session = Throttled()
    transport = Transport(session=session, sleep=sleep, clock=clock)
    transport.control = control_for(clock, 5, sleep=sleep)
    policy = RetryPolicy(max_retries=10, base_delay=4.0, rng=lambda: 1.0)
    with pytest.raises(RunStopped) as excinfo:
        transport.send("Test", "Delete", lambda: ("POST", "http://127.0.0.1:9/x", {}, b""), parse, policy,
                       mutating=True)
    stop = excinfo.value
    assert stop.kind == BUDGET and stop.code == "APIGW.0308" and stop.request_id == "r-7"
    assert session.sent == 2 and sum(slept) <= 5  # the wait before a retry is cut to the budget left


def test_the_transport_starts_no_call_once_cancelled():
    session = Throttled()
    transport = Transport(session=session)
    transport.control = RunControl(watch_parent=False)
    transport.control._on_signal(signal.SIGINT, None)  # pylint: disable=protected-access
    with pytest.raises(RunStopped):
        transport.send("Test", "List", lambda: ("GET", "http://127.0.0.1:9/x", {}, b""), parse, RetryPolicy())
    assert session.sent == 0


def test_a_retry_the_budget_refused_is_reported_with_its_code_and_no_failure():
    clock = FakeClock()
    control = control_for(clock, 5)
    result_holder = {}

    class RefusedTarget(TimedTarget):
        def _delete_batch(self, batch):
            self._call("delete", batch)
            raise RunStopped(BUDGET, "time_budget 5s spent", api_error("APIGW.0308", status=429))

    target = RefusedTarget(clock, things(3))
    result_holder["r"] = run(target, control)
    result = result_holder["r"]
    assert [(n["id"], n["reason"], n["error_code"]) for n in result.not_deleted] == [
        ("t02", _batches.RETRY_NOT_SENT_BUDGET, "APIGW.0308"), ("t01", _batches.NOT_REACHED_BUDGET, None),
        ("t00", _batches.NOT_REACHED_BUDGET, None)]
    assert not result.failed


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 12), data=st.data(), budget=st.integers(1, 40), call=st.integers(0, 6),
       force=st.booleans(), check_mode=st.booleans(), by_id=st.booleans(),
       max_deletions=st.one_of(st.none(), st.integers(0, 12)), batch_size=st.integers(1, 4), workers=st.integers(1, 3))
def test_the_budget_combined_with_ids_force_check_mode_and_max_deletions(n, data, budget, call, force, check_mode,
                                                                         by_id, max_deletions, batch_size, workers):
    """A model of the contract: the budget never fails the task nor starts a call after it; everything else
    decides as without a budget; check mode predicts the whole selection; every id ends once."""
    running = set(data.draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=n, unique=True))) if n else set()
    clock = FakeClock()
    target = TimedTarget(clock, things(n, running=running), call_seconds=float(call), batch_size=batch_size,
                         workers=workers, finish_after_stop=2)
    ids = ["t%02d" % i for i in range(n)]
    if by_id:
        target.ids = tuple(ids + ["t99"])
        target.look = lambda: ([dict(r) for r in target.store.values()], ["t99"])
    result = run(target, control_for(clock, None if check_mode else budget), check_mode=check_mode, force=force,
                 max_deletions=max_deletions)
    every_id_once(result, ids + (["t99"] if by_id else []))
    assert all(at < budget for _k, _ids, at in target.calls)
    planned = n if force else n - len(running)
    guard = max_deletions is not None and planned > max_deletions
    refused_by_id = by_id and running and not force
    assert result.failed == bool(guard or refused_by_id), (result.message, result.not_deleted)
    if check_mode:
        assert target.calls == []
        if not guard:
            assert sorted(result.deleted) == sorted("t%02d" % i for i in range(n) if force or i not in running)
    for entry in result.not_deleted:
        if entry["id"] in result.unreached:
            assert "time_budget" in entry["reason"]
    assert set(result.deleted) <= set(deleted_ids(target)) | (set(ids) if check_mode else set())
