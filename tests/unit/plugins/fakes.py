# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the unit tests share: one ``api_error`` factory, one fake connection per service and ``run_to_end``.

Import it as ``ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes`` (plain pytest and ansible-test).

Each fake serves its service's API at the connection's public boundary (``request`` for Huawei Cloud, ``call``
for Tencent Cloud) over an in-memory dict of records, records every call in ``calls`` and raises ``ApiError``
as the real connection does. The options all three take:

``fail``       operation -> the ApiError that operation raises, before anything else happens;
``refuse``     ids the delete call refuses (a failure of that call only);
``read_only``  any mutating request fails the test (the ``_info`` modules must never send one).
"""

from __future__ import annotations

import threading
from collections import namedtuple

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import CleanupTarget
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._module import run_module

MRS = "Huawei Cloud MRS"
WORKSPACE = "Huawei Cloud Workspace"
BATCH = "Tencent Cloud Batch"
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


class FakeClock:
    """Monotonic seconds that only move when a fake call or a fake sleep moves them: time without waiting; thread-safe.
    ``sleep(seconds)`` records each wait in ``sleeps`` and moves the clock; ``advance(seconds)`` moves it only."""

    def __init__(self, start=0.0):
        self.now = start
        self.sleeps = []
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            return self.now

    def advance(self, seconds):
        with self._lock:
            self.now += seconds

    def sleep(self, seconds):
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


class StoreTarget(CleanupTarget):
    """The in-memory service the engine's tests build their targets on: records by id in ``store``; a record whose
    ``state`` is not ``done`` is busy; ``stop`` marks it to finish after ``finish_after_stop`` polls, which ``refresh``
    counts down. Every stop and poll goes through ``_call(kind, ids)``, where a test's target records (and times) it."""

    noun = "thing"

    def __init__(self, records, finish_after_stop=1):
        self.store = {r["id"]: dict(r) for r in records}
        self.finish_after_stop = finish_after_stop

    def record_id(self, record):
        return record["id"]

    def _call(self, kind, ids):
        """A call of ``kind`` (stop, refresh, delete) for ``ids``; nothing by default."""

    def stop(self, record):
        self._call("stop", [record["id"]])
        self.store[record["id"]]["polls_left"] = self.finish_after_stop

    def refresh(self, ids):
        self._call("refresh", ids)
        current = {}
        for record_id in ids:
            record = self.store.get(record_id)
            if record is not None and "polls_left" in record:
                record["polls_left"] -= 1
                if record["polls_left"] <= 0:
                    record["state"] = "done"
            current[record_id] = dict(record) if record else None
        return current


HuaweiCall = namedtuple("HuaweiCall", "operation method path query json_body mutating")
TencentCall = namedtuple("TencentCall", "action params mutating")


def api_error(code, status=400, operation="X", service="Test", request_id=None, message="refused", attempts=None,
              host=None):
    """An ``ApiError`` as a connection raises it, named after the operation that failed.

    Keep ``operation`` meaningful where it matters: the clients decide "not found" from the operation's name
    (``_mrs.NOT_FOUND``, ``_tencent_batch.NOT_FOUND_RULES``). ``request_id`` defaults to ``rid-<code>`` so a test
    sees which error reached a result; ``attempts`` and ``host`` are what ``Transport.send`` sets when it gives
    up (None: the error never went through a transport).
    """
    error = ApiError(service=service, operation=operation, status=status, code=code, message=message,
                     request_id="rid-%s" % code if request_id is None else request_id)
    error.attempts, error.host = attempts, host
    return error


def run_to_end(create_module, module, connection, run):
    """``run_module`` with ``connection`` (a fake): the exception ``exit_json`` or ``fail_json`` raised.

    ``create_module`` is the module-layer fixture; the connection must be closed however the module ended.
    """
    with pytest.raises((create_module.Exited, create_module.Failed)) as ended:
        run_module(module, lambda m: connection, run)
    assert connection.closed
    return ended.value


class FakeTransport:
    """Where ``run_module`` puts the run's gate (``control``), which every fake call passes as a real one does."""

    def __init__(self):
        self.control = None


class _FakeConnection:
    """What the fakes share: the options, the call log, ``close`` and the errors the fake raises itself."""

    SERVICE = "Test"
    STATUS = 400  # of the service's errors
    REQUEST_ID = None
    HOST = None

    def scope(self):
        """Where the records live, as a reviewed plan records it (the connections' ``scope``)."""
        return {"cloud": "fake", "endpoint": "https://service.xx-fake-1.example.com:443", "region": "xx-fake-1"}

    def __init__(self, fail=None, refuse=(), read_only=False):
        self.fail = dict(fail or {})
        self.refuse = set(refuse)
        self.read_only = read_only
        self.calls = []
        self.closed = False
        self.transport = FakeTransport()

    @classmethod
    def error(cls, code, status=None, operation="X", **settings):
        """An error of this service as its connection raises it after one attempt (``settings`` override)."""
        settings = dict({"service": cls.SERVICE, "request_id": cls.REQUEST_ID, "attempts": 1, "host": cls.HOST},
                        **settings)
        return api_error(code, cls.STATUS if status is None else status, operation, **settings)

    def _enter(self, call):
        if self.transport.control is not None:
            self.transport.control.check()  # as the real transport does before every attempt
        if self.read_only:
            assert not call.mutating, call[0]
        self.calls.append(call)
        if call[0] in self.fail:
            raise self.fail[call[0]]

    def ops(self, operation):
        return [c for c in self.calls if c[0] == operation]

    def count(self, operation):
        return len(self.ops(operation))

    def mutating_calls(self):
        return [c for c in self.calls if c.mutating]

    def close(self):
        self.closed = True


class FakeMrsConnection(_FakeConnection):
    """MRS v2 ShowJobExeListNew, ShowSingleJobExe, BatchDeleteJobs and StopJob over a dict of executions.

    A path outside ``/clusters/<cluster>/`` raises 12000003 (no such cluster); ``max_limit`` caps the page size as
    the server may; BatchDeleteJobs refuses a batch holding a ``refuse`` id with 0166, HTTP 500.
    """

    SERVICE = MRS
    REQUEST_ID = "req-1"
    HOST = "https://mrs.cn-north-4.myhuaweicloud.com:443"
    EXACT_QUERY = ("job_state", "job_name", "user", "queue", "job_type")
    project_id = PROJECT

    def __init__(self, records, fail=None, refuse=(), read_only=False, max_limit=None, cluster="c1"):
        super().__init__(fail, refuse, read_only)
        self.records = {r["job_id"]: dict(r) for r in records}
        self.max_limit = max_limit
        self.cluster = cluster

    def request(self, operation, method, path, query=None, json_body=None, ok_status=(200,), mutating=False):
        query = dict(query or {})
        self._enter(HuaweiCall(operation, method, path, query, json_body, mutating))
        if "/clusters/%s/" % self.cluster not in path + "/":
            raise self.error("12000003", operation=operation)
        if operation == "ShowJobExeListNew":
            matching = [r for r in self.records.values()
                        if all(r.get(k) == v for k, v in query.items() if k in self.EXACT_QUERY)]
            if "submitted_time_end" in query:
                matching = [r for r in matching if r["submitted_time"] <= int(query["submitted_time_end"])]
            limit, page = int(query["limit"]), int(query["offset"])
            if self.max_limit:
                limit = min(limit, self.max_limit)
            return {"total_record": len(matching), "job_list": matching[(page - 1) * limit:page * limit]}
        if operation == "ShowSingleJobExe":
            record = self.records.get(path.rsplit("/", 1)[1])
            if record is None:
                raise self.error("0176", operation=operation)
            return {"job_detail": dict(record)}
        if operation == "BatchDeleteJobs":
            ids = json_body["job_id_list"]
            if self.refuse & set(ids):
                raise self.error("0166", 500, operation)
            for job_id in ids:
                self.records.pop(job_id, None)
            return None
        if operation == "StopJob":
            self.records[path.split("/")[-2]]["job_state"] = "KILLED"
            return None
        raise AssertionError(operation)


class FakeWorkspaceConnection(_FakeConnection):
    """Workspace ListScheduledTasks (both listings), ShowScheduledTasks and BatchDeleteScheduledTasks over a dict.

    ``unknown_ids``: a batch naming an unknown id is refused (``reject``, WKS.0103) or the id is ignored
    (``ignore``); ids in ``vanish_on_delete`` disappear just before the next batch delete; a batch holding a
    ``refuse`` id is refused with WKS.0001, HTTP 500.
    """

    SERVICE = WORKSPACE
    REQUEST_ID = "req-9"
    HOST = "https://workspace.cn-north-4.myhuaweicloud.com:443"
    EXACT_QUERY = ("task_type", "scheduled_type", "task_name", "last_status")
    project_id = "p"

    def __init__(self, tasks, fail=None, refuse=(), read_only=False, unknown_ids="reject"):
        super().__init__(fail, refuse, read_only)
        self.tasks = {t["id"]: dict(t) for t in tasks}
        self.unknown_ids = unknown_ids
        self.vanish_on_delete = set()

    def request(self, operation, method, path, query=None, json_body=None, ok_status=(200,), mutating=False):
        query = dict(query or {})
        self._enter(HuaweiCall(operation, method, path, query, json_body, mutating))
        if operation == "ListScheduledTasks":
            life_cycle = query.get("scheduled_type") == "LIFE_CYCLE"
            tasks = [t for t in self.tasks.values() if (t["scheduled_type"] == "LIFE_CYCLE") == life_cycle
                     and all(t.get(k) == v for k, v in query.items() if k in self.EXACT_QUERY)]
            offset, limit = int(query["offset"]), int(query["limit"])
            return {"total_count": len(tasks), "scheduled_tasks": tasks[offset:offset + limit]}
        if operation == "ShowScheduledTasks":
            task_id = path.rsplit("/", 1)[1]
            if task_id not in self.tasks:
                raise self.error("WKS.0103", operation=operation, message="undocumented")
            # The show body has no last_status and no enable (ShowScheduledTasksResponse).
            return {k: v for k, v in self.tasks[task_id].items() if k not in ("last_status", "enable")}
        if operation == "BatchDeleteScheduledTasks":
            for task_id in self.vanish_on_delete:
                self.tasks.pop(task_id, None)
            self.vanish_on_delete = set()
            ids = json_body["task_ids"]
            if self.refuse & set(ids):
                raise self.error("WKS.0001", 500, operation)
            if self.unknown_ids == "reject" and any(i not in self.tasks for i in ids):
                raise self.error("WKS.0103", operation=operation, message="unknown id")
            for task_id in ids:
                self.tasks.pop(task_id, None)
            return None
        raise AssertionError(operation)


class FakeBatchConnection(_FakeConnection):
    """DescribeJobs, DescribeJob, TerminateJob and DeleteJob over a dict of jobs: ``call`` returns the API 3.0
    ``Response`` object as the real connection does.

    ``unknown_ids``: DescribeJobs by id leaves unknown ids out (``omit``) or fails (``error``). TerminateJob
    refuses a SUBMITTED job ``submitted_refusals`` times, then once more as the job starts running. DeleteJob
    refuses a ``refuse`` id with InternalError and an unfinished job with UnsupportedOperation.
    """

    SERVICE = BATCH
    STATUS = 200
    REQUEST_ID = "rid-7"
    HOST = "https://batch.tencentcloudapi.com:443"

    def __init__(self, jobs, fail=None, refuse=(), read_only=False, unknown_ids="omit", submitted_refusals=0):
        super().__init__(fail, refuse, read_only)
        self.jobs = {j["JobId"]: dict(j) for j in jobs}
        self.unknown_ids = unknown_ids
        self.submitted_refusals = submitted_refusals

    def call(self, action, params, mutating=False):
        self._enter(TencentCall(action, params, mutating))
        if action == "DescribeJobs":
            return self._describe_jobs(params)
        job = self.jobs.get(params["JobId"])
        if job is None:
            raise self.error("ResourceNotFound.Job", operation=action)
        if action == "DescribeJob":
            return dict(job, RequestId="rid-2")
        if action == "TerminateJob":
            if job["JobState"] == "SUBMITTED":
                self.submitted_refusals -= 1
                if self.submitted_refusals < 0:
                    job["JobState"] = "RUNNING"
                raise self.error("UnsupportedOperation", operation=action)
            job["JobState"] = "FAILED"
            job.pop("TaskInstanceMetrics", None)
            return {"RequestId": "rid-3"}
        if action == "DeleteJob":
            if params["JobId"] in self.refuse:
                raise self.error("InternalError", operation=action)
            if job["JobState"] not in ("SUCCEED", "FAILED"):
                raise self.error("UnsupportedOperation", operation=action)
            del self.jobs[params["JobId"]]
            return {"RequestId": "rid-4"}
        raise AssertionError(action)

    def _describe_jobs(self, params):
        if "JobIds" in params:
            assert len(params["JobIds"]) <= 100
            if self.unknown_ids == "error" and any(i not in self.jobs for i in params["JobIds"]):
                raise self.error("ResourceNotFound.Job", operation="DescribeJobs")
            found = [self.jobs[i] for i in params["JobIds"] if i in self.jobs]
            return {"JobSet": found, "TotalCount": len(found), "RequestId": "rid-1"}
        jobs = list(self.jobs.values())
        for f in params.get("Filters", []):
            if f["Name"] == "job-state":
                jobs = [j for j in jobs if j["JobState"] in f["Values"]]
        offset, limit = params["Offset"], params["Limit"]
        return {"JobSet": jobs[offset:offset + limit], "TotalCount": len(jobs), "RequestId": "rid-1"}
