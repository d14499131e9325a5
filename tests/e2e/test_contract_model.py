"""The selection contract as a model, checked end to end against every deleting module and its ``_info`` twin.

A small model of what the documentation says (DESIGN.md section 3 "Selecting what to delete", the modules'
DOCUMENTATION / RETURN and the ``filters`` doc fragments), written from the docs and never from plugins/, predicts
for seeded records and random options which ids end in ``deleted``, ``already_absent``, ``not_deleted`` (still
running, undecidable, over ``max_deletions``) and ``kept``, whether the task fails or warns, and what the ``_info``
module lists. Each random case runs as three cells of one ``run_cells`` playbook per service: the ``_info`` module,
the deleting module in check mode and for real; the emulator's request log and final state are the witnesses. A
shortcut in one path (ids or filters, a server-side or a client-side filter, a show or a listing, a retention rule,
check mode) that changes what another option means disagrees with the model wherever it hides.

The rules modelled, per the docs:

* ids mean "these ids, if they also match" the filters; a requested id that does not exist (in this cluster,
  region or project) is ``already_absent``; one that exists but does not match is in no list.
* Without ids a deleting module selects the finished states only (MRS FINISHED/FAILED/KILLED, Tencent
  SUCCEED/FAILED) unless ``filters.states`` says otherwise; with ids, and in ``_info`` modules, every state.
  Selecting unfinished states needs ``force``: without it the task fails before any request.
* ``older_than`` compares with the submit / create time; ``name`` is exact, ``name_pattern`` and
  ``keep_name_patterns`` are case-sensitive shell globs; the services' own filters (MRS ``job_types``, ``user``,
  ``queue``; Tencent ``zone``, ``tags``; Workspace ``task_type``, ``scheduled_type``, ``last_status``, ``enabled``,
  ``expired``) each narrow the selection.
* ``keep_latest: N`` keeps the N newest records of each name among every record of the cluster (MRS) or region
  (Tencent) in the counted states (``filters.states``, else the finished ones), whatever the other filters and
  ids; ties go to the larger id; records without a name form one group. A kept id is in ``kept`` only if every
  other filter selects it, and it never fails the task.
* A selected record still running is ``not_deleted``; without ``force`` it fails the task only when it was asked
  for by id (otherwise the task warns). With ``force`` it is stopped and deleted. A Workspace task whose expiry
  cannot be decided is ``not_deleted`` and fails the task; the ``_info`` module leaves it out with a warning.
* ``max_deletions``: more to delete than this fails the task before anything is deleted, every selected record
  in ``not_deleted``.
* Check mode: the same result, zero mutating requests. A real run deletes exactly ``deleted``, and sends mutating
  requests for nothing else. ``counts``, ``changed``, ``return_records`` and ``--diff`` agree with the lists.

Left out (other suites cover them): faults and retries, concurrent runs, ``time_budget``, ``wait_timeout`` expiry,
records without a time, named time zones (they depend on the machine's time-zone database), Tencent jobs that
DescribeJobs shows as finished while a task instance still runs, MRS v1.1 with ``mrs_v1_terminated_code: 1``.

A few cases of every seed are steered to the rare paths (``force``, a running id, ``max_deletions``, bad input), and
the test asserts that the fixed seed reaches every path in ``COVERAGE``. ``test_deletes_go_oldest_first`` checks
DESIGN.md section 4 ("Deletes go oldest first") on a small fixed playbook of its own, by filters and by ids asked
for in another order: ``deleted`` and the batch-delete call list the records oldest first.

The seed is fixed (``DEFAULT_SEED``); ``CONTRACT_MODEL_SEED=<n>`` explores another one and
``CONTRACT_MODEL_CASES=<factor>`` multiplies the number of cases. Every failure message names the seed, the
service and the case, with the options and the seeded records, so that it can be replayed.
"""

import calendar
import datetime
import fnmatch
import json
import os
import random
import time

import pytest

from support.ansible_runs import cloud_defaults, run_cells

DEFAULT_SEED = 7
SEED = int(os.environ.get("CONTRACT_MODEL_SEED", DEFAULT_SEED))
CASE_FACTOR = float(os.environ.get("CONTRACT_MODEL_CASES", "1"))

HOUR = 3600.0
# Record ages and older_than thresholds, in hours: every age is at least an hour from every threshold, so the
# minutes a playbook runs never move a record across one.
AGES = (0.25, 5, 18, 30, 40, 66, 100, 130, 200, 400, 800)
OLDER_THAN = {"90m": 1.5, "12h": 12, "1d": 24, "2d12h": 60, "3d": 72, "1w": 168}
# Workspace expire times, hours from now (at least three hours from now either way).
EXPIRES_IN = (-500, -30, -3, 3, 30, 500)
# Fixed offsets need no time-zone database (filters.expired): name -> offset in hours.
ZONES = {"UTC": 0, "UTC+08:00": 8, "UTC-05:30": -5.5}


# ---------------------------------------------------------------------------------------------------------------
# The services: how to read a seeded record, what each filter means, and how to make records and options.
# ---------------------------------------------------------------------------------------------------------------
class Service:
    key = id_field = module = records_key = returned_id = ids_option = None
    finished = None  # the states a deleting module selects by filters only; None: the service has no states
    unfinished = ()
    cases = 0
    time_ordered = True  # records have a submit / create time (Workspace tasks do not)

    def ident(self, record):
        return record[self.id_field]

    def name(self, record):
        raise NotImplementedError

    def state(self, record):
        return None

    def created(self, record):
        """Epoch seconds."""
        raise NotImplementedError

    def in_scope(self, record, case):
        """Whether the module, with these settings, sees ``record`` at all."""
        raise NotImplementedError

    def own_filters(self, record, filters, now):
        """The service's own filters (beyond name, name_pattern, states and older_than)."""
        return True

    def busy(self, record):
        """Why the record cannot be deleted without being stopped first, or None."""
        return None

    def undecidable(self, record, filters, now):
        return False

    def matches(self, record, filters, states, now):
        name = self.name(record)
        if filters.get("name") is not None and name != filters["name"]:
            return False
        if filters.get("name_pattern") is not None and not fnmatch.fnmatchcase(name or "", filters["name_pattern"]):
            return False
        if states is not None and self.state(record) not in states:
            return False
        if filters.get("older_than") is not None and not self.created(record) < now - OLDER_THAN[filters["older_than"]] * HOUR:
            return False
        return self.own_filters(record, filters, now)

    def population(self, rng, now):
        raise NotImplementedError

    def options(self, rng, records, now, focus=()):
        """A case's options; ``focus`` names paths this case must take (``force``, ``ids``)."""
        raise NotImplementedError

    def seed_of(self, case):
        return {self.key: case["records"]}


def _age(rng, now):
    return now - rng.choice(AGES) * HOUR + rng.uniform(-600, 600)


def _names_with_ties(rng, records, name_of, time_key):
    """Give some records the exact time of an earlier record of the same name (ties go to the larger id)."""
    for index, record in enumerate(records):
        same = [r for r in records[:index] if name_of(r) == name_of(record)]
        if same and rng.random() < 0.2:
            record[time_key] = rng.choice(same)[time_key]
    return records


def _ids(rng, in_scope, out_of_scope, missing):
    """Requested ids: some that exist here, maybe one that exists elsewhere and one that exists nowhere."""
    chosen = rng.sample(in_scope, min(len(in_scope), rng.randint(1, 4)))
    if out_of_scope and rng.random() < 0.35:
        chosen.append(rng.choice(out_of_scope))
    if rng.random() < 0.5:
        chosen.append(missing)
    rng.shuffle(chosen)
    if rng.random() < 0.1:
        chosen[0] = " %s " % chosen[0]  # ids are trimmed of surrounding spaces (the cleanup doc fragment's notes)
    return chosen


def _filters(rng, narrowing, keep_patterns, retention=True):
    """A random few of the narrowing filters (``{option: () -> value}``), and maybe retention rules."""
    count = rng.choices((0, 1, 2, 3), weights=(3, 4, 3, 1))[0]
    filters = {option: narrowing[option]() for option in rng.sample(sorted(narrowing), count)}
    if retention and rng.random() < 0.35:
        filters["keep_latest"] = rng.randint(1, 3)
    if rng.random() < 0.25:
        filters["keep_name_patterns"] = rng.sample(keep_patterns, rng.randint(1, 2))
    return filters


def _present(rng, records, value_of, extra=()):
    """A value that some record has (or, rarely, one of ``extra``)."""
    values = sorted({value_of(r) for r in records if value_of(r)}) or list(extra)
    return rng.choice(list(extra)) if extra and rng.random() < 0.1 else rng.choice(values)


def _states(rng, service, force):
    """filters.states: finished ones; with force also unfinished; rarely unfinished without force (bad input)."""
    pool = list(service.finished)
    if force or rng.random() < 0.1:
        pool += rng.sample(service.unfinished, rng.randint(1, 2))
    return rng.sample(pool, rng.randint(1, len(pool)))


def _delete_options(rng, case, focus, allow_force=True):
    case["force"] = allow_force and ("force" in focus or rng.random() < 0.15)
    case["return_records"] = rng.random() < 0.3
    case["diff"] = rng.random() < 0.3
    case["max_deletions"] = None
    case["guard"] = rng.random() < 0.15  # max_deletions set around the planned count once the model knows it


class MrsV2(Service):
    key, id_field = "mrs", "job_id"
    module, records_key, returned_id, ids_option = "mrs_job_executions", "job_executions", "job_id", "job_execution_ids"
    finished = ("FINISHED", "FAILED", "KILLED")
    unfinished = ("NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING")
    cases = 14
    cluster, other_cluster = "mrs-model-a", "mrs-model-b"
    names = ("nightly-etl", "nightly-report", "adhoc-query", "gold-ledger", "")
    name_patterns = ("nightly-*", "*-report", "adhoc-?????", "[ag]*", "*")
    keep_patterns = ("gold-*", "nightly-r*", "*-etl", "adhoc-*")
    job_types = ("SparkSubmit", "HiveSql", "MapReduce", "Flink")

    def name(self, record):
        return record["job_name"]

    def state(self, record):
        return record["job_state"]

    def created(self, record):
        return record["submitted_time"] / 1000.0

    def in_scope(self, record, case):
        return record["cluster_id"] == case["settings"]["cluster_id"]

    def own_filters(self, record, filters, now):
        if filters.get("job_types") is not None and record["job_type"] not in filters["job_types"]:
            return False
        for option in ("user", "queue"):
            if filters.get(option) is not None and record[option] != filters[option]:
                return False
        return True

    def busy(self, record):
        return record["job_state"] if record["job_state"] in self.unfinished else None

    def _record(self, rng, number, cluster, now):
        state = rng.choice(self.finished * 3 + ("FINISHED", "RUNNING") + self.unfinished)
        return {"job_id": "c0ffee00-0000-4000-8000-%012d" % number, "cluster_id": cluster,
                "job_name": rng.choice(self.names[:4] * 4 + self.names[4:]), "job_state": state,
                "job_type": rng.choice(self.job_types), "user": rng.choice(("etl", "admin", "analyst")),
                "queue": rng.choice(("default", "batch")), "submitted_time": int(_age(rng, now) * 1000)}

    def population(self, rng, now):
        numbers = rng.sample(range(1, 1000), 16)
        here = [self._record(rng, numbers.pop(), self.cluster, now) for _n in range(rng.randint(6, 12))]
        # Another cluster of the project: the same names, newer; never seen, never counted by keep_latest.
        there = [dict(self._record(rng, numbers.pop(), self.other_cluster, now), job_state="FINISHED",
                      submitted_time=int((now - 60) * 1000)) for _n in range(rng.randint(1, 3))]
        return _names_with_ties(rng, here, self.name, "submitted_time") + there

    def options(self, rng, records, now, focus=()):
        case = {"settings": {"cluster_id": self.cluster}}
        _delete_options(rng, case, focus)
        here = [r["job_id"] for r in records if r["cluster_id"] == self.cluster]
        there = [r["job_id"] for r in records if r["cluster_id"] != self.cluster]
        case["ids"] = _ids(rng, here, there, "c0ffee00-0000-4000-8000-999999999999") if rng.random() < 0.4 else None
        mine = [r for r in records if r["cluster_id"] == self.cluster]
        case["filters"] = _filters(rng, {
            "name": lambda: _present(rng, mine, self.name, ("no-such-job",)),
            "name_pattern": lambda: rng.choice(self.name_patterns),
            "older_than": lambda: rng.choice(sorted(OLDER_THAN)),
            "states": lambda: _states(rng, self, case["force"]),
            "job_types": lambda: rng.sample(self.job_types, rng.randint(1, 2)),
            "user": lambda: _present(rng, mine, lambda r: r["user"]),
            "queue": lambda: _present(rng, mine, lambda r: r["queue"]),
        }, self.keep_patterns)
        return case


class MrsV1(MrsV2):
    """The deprecated v1.1 API: numeric states, ``id`` and ``create_at``; no force, no job_types / user / queue."""

    key, id_field, returned_id = "mrs_v1", "id", "id"
    cases = 8
    cluster, other_cluster = "mrs-model-legacy", "mrs-model-other"
    # The filters doc fragment: RUNNING is 1 and 2, FINISHED 3, FAILED 4 and 5, KILLED -1.
    STATES = {1: "RUNNING", 2: "RUNNING", 3: "FINISHED", 4: "FAILED", 5: "FAILED", -1: "KILLED"}

    def state(self, record):
        return self.STATES[record["job_state"]]

    def created(self, record):
        return record["create_at"] / 1000.0

    def in_scope(self, record, case):
        cluster = case["settings"].get("cluster_id")
        return cluster is None or record["cluster_id"] == cluster

    def busy(self, record):
        return "RUNNING" if self.state(record) == "RUNNING" else None

    def _record(self, rng, number, cluster, now):
        return {"id": "5eed0000-0000-4000-8000-%012d" % number, "cluster_id": cluster,
                "job_name": rng.choice(self.names[:4] * 4 + self.names[4:]),
                "job_state": rng.choice((3, 3, 3, 4, 5, -1, 1, 2)), "create_at": int(_age(rng, now) * 1000)}

    def population(self, rng, now):
        numbers = rng.sample(range(1, 1000), 16)
        here = [self._record(rng, numbers.pop(), self.cluster, now) for _n in range(rng.randint(6, 10))]
        there = [dict(self._record(rng, numbers.pop(), self.other_cluster, now), job_state=3,
                      create_at=int((now - 60) * 1000)) for _n in range(rng.randint(1, 2))]
        return _names_with_ties(rng, here, self.name, "create_at") + there

    def options(self, rng, records, now, focus=()):
        case = {"settings": {"api_version": "v1.1", "cluster_id": self.cluster}}
        _delete_options(rng, case, focus, allow_force=False)
        case["force"] = rng.random() < 0.08  # refused with v1.1 (the module's notes)
        here = [r["id"] for r in records if r["cluster_id"] == self.cluster]
        there = [r["id"] for r in records if r["cluster_id"] != self.cluster]
        wants_ids = "ids" in focus or rng.random() < 0.45
        case["ids"] = _ids(rng, here, there, "5eed0000-0000-4000-8000-999999999999") if wants_ids else None
        mine = [r for r in records if r["cluster_id"] == self.cluster]
        filters = case["filters"] = _filters(rng, {
            "name": lambda: _present(rng, mine, self.name, ("no-such-job",)),
            "name_pattern": lambda: rng.choice(self.name_patterns),
            "older_than": lambda: rng.choice(sorted(OLDER_THAN)),
            "states": lambda: _states(rng, self, False),
        }, self.keep_patterns)
        if "ids" in focus:
            filters.pop("keep_latest", None)
        if case["ids"] is not None and "keep_latest" not in filters and ("ids" in focus or rng.random() < 0.4):
            del case["settings"]["cluster_id"]  # v1.1 ids need no cluster; with one, it limits the selection
        return case


class Tencent(Service):
    key, id_field = "tencent", "JobId"
    module, records_key, returned_id, ids_option = "tencent_batch_job", "jobs", "job_id", "job_ids"
    finished = ("SUCCEED", "FAILED")
    unfinished = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "FAILED_INTERRUPTED")
    cases = 14
    region, other_region = "ap-guangzhou", "ap-shanghai"
    names = ("render-frame", "render-preview", "train-model", "gold-batch", "")
    name_patterns = ("render-*", "*-model", "train-?????", "[gt]*", "*")
    keep_patterns = ("gold-*", "render-p*", "*-frame", "train-*")
    zones = ("ap-guangzhou-3", "ap-guangzhou-4")
    TAGS = ({"team": "data"}, {"team": "web"}, {"lifetime": "temporary"}, {"team": "data", "lifetime": "temporary"}, {})
    COUNTERS = ("SubmittedCount", "PendingCount", "RunnableCount", "StartingCount", "RunningCount", "SucceedCount",
                "FailedCount", "FailedInterruptedCount")

    def name(self, record):
        return record["JobName"]

    def state(self, record):
        return record["JobState"]

    def created(self, record):
        return float(calendar.timegm(time.strptime(record["CreateTime"], "%Y-%m-%dT%H:%M:%SZ")))

    def in_scope(self, record, case):
        return record.get("Region", self.region) == self.region

    def own_filters(self, record, filters, now):
        if filters.get("zone") is not None and record["Zone"] != filters["zone"]:
            return False
        tags = {t["Key"]: t["Value"] for t in record["Tags"]}
        return all(tags.get(k) == v for k, v in (filters.get("tags") or {}).items())

    def busy(self, record):
        # Only SUCCEED or FAILED jobs with every task instance finished can be deleted (the module's description).
        if record["JobState"] not in self.finished:
            return record["JobState"]
        if record.get("TaskInstanceMetrics", {}).get("RunningCount"):
            return "unfinished task instances"
        return None

    def _record(self, rng, number, region, now):
        state = rng.choice(self.finished * 5 + self.unfinished)
        job = {"JobId": "job-m%07d" % number, "Region": region, "JobName": rng.choice(self.names[:4] * 4 + self.names[4:]),
               "JobState": state, "Zone": rng.choice(self.zones),
               "Tags": [{"Key": k, "Value": v} for k, v in sorted(rng.choice(self.TAGS).items())],
               "CreateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(_age(rng, now)))}
        if state == "FAILED" and rng.random() < 0.4:
            # A failed job whose other task instances still run: DescribeJobs does not show it, DescribeJob does.
            job["TaskInstanceMetrics"] = dict({c: 0 for c in self.COUNTERS}, RunningCount=1, FailedCount=1)
        return job

    def population(self, rng, now):
        numbers = rng.sample(range(1, 1000), 16)
        here = [self._record(rng, numbers.pop(), self.region, now) for _n in range(rng.randint(6, 12))]
        there = [dict(self._record(rng, numbers.pop(), self.other_region, now), JobState="SUCCEED",
                      CreateTime=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 60)))
                 for _n in range(rng.randint(1, 3))]
        for job in there:
            job.pop("TaskInstanceMetrics", None)
        return _names_with_ties(rng, here, self.name, "CreateTime") + there

    def options(self, rng, records, now, focus=()):
        case = {"settings": {}}
        _delete_options(rng, case, focus)
        here = [r["JobId"] for r in records if r["Region"] == self.region]
        there = [r["JobId"] for r in records if r["Region"] != self.region]
        case["ids"] = _ids(rng, here, there, "job-m9999999") if rng.random() < 0.4 else None
        mine = [r for r in records if r["Region"] == self.region]
        case["filters"] = _filters(rng, {
            "name": lambda: _present(rng, mine, self.name, ("no-such-job",)),
            "name_pattern": lambda: rng.choice(self.name_patterns),
            "older_than": lambda: rng.choice(sorted(OLDER_THAN)),
            "states": lambda: _states(rng, self, case["force"]),
            "zone": lambda: rng.choice(self.zones),
            "tags": lambda: dict([rng.choice([("team", "data"), ("team", "web"), ("lifetime", "temporary")])]),
        }, self.keep_patterns)
        if case["force"]:
            # TerminateJob is refused while a job is SUBMITTED, so a forced run would wait it out (wait_timeout):
            # these cases seed such jobs as RUNNING.
            case["records"] = [dict(r, JobState="RUNNING") if r["JobState"] == "SUBMITTED" else r for r in records]
        return case


class Workspace(Service):
    key, id_field = "workspace", "id"
    module, records_key, returned_id, ids_option = "workspace_scheduled_tasks", "scheduled_tasks", "id", "task_ids"
    cases = 12
    time_ordered = False
    project_elsewhere = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
    names = ("tmp-reboot", "tmp-snapshot", "nightly-stop", "gold-start")
    name_patterns = ("tmp-*", "*-stop", "gold-?????", "[gn]*", "*")
    keep_patterns = ("gold-*", "tmp-s*", "*-reboot")
    task_types = ("REBOOT", "STOP", "START", "CREATE_SNAPSHOT")
    scheduled_types = ("FIXED_TIME", "DAY", "WEEK", "MONTH", "LIFE_CYCLE")
    last_statuses = ("SUCCESS", "SKIP", "FAIL")

    def name(self, record):
        return record["task_name"]

    def in_scope(self, record, case):
        return "project_id" not in record

    def expired(self, record, now):
        """True / False, or None when it cannot be decided (filters.expired)."""
        text, zone = record["expire_time"], record["time_zone"]
        if not text:
            return False  # never expires
        if zone not in ZONES:
            return None
        try:
            wall = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            return None
        return wall.timestamp() - ZONES[zone] * HOUR < now

    def own_filters(self, record, filters, now):
        for option in ("task_type", "scheduled_type", "last_status"):
            if filters.get(option) is not None and record.get(option) != filters[option]:
                return False
        if filters.get("enabled") is not None and record["enable"] != filters["enabled"]:
            return False
        if filters.get("expired") is not None:
            expired = self.expired(record, now)
            return expired is None or expired == filters["expired"]  # undecidable: selected, never deleted
        return True

    def undecidable(self, record, filters, now):
        return filters.get("expired") is not None and self.expired(record, now) is None

    def _record(self, rng, number, now):
        task = {"id": "wks-model-%04d" % number, "task_name": rng.choice(self.names),
                "task_type": rng.choice(self.task_types), "scheduled_type": rng.choice(self.scheduled_types),
                "enable": rng.random() < 0.7, "expire_time": "", "time_zone": "UTC"}
        if rng.random() < 0.8:
            task["last_status"] = rng.choice(self.last_statuses)  # else: never ran
        roll = rng.random()
        if roll < 0.65:
            zone = rng.choice(sorted(ZONES))
            moment = now + rng.choice(EXPIRES_IN) * HOUR + ZONES[zone] * HOUR
            task.update(time_zone=zone, expire_time=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(moment)))
        elif roll < 0.75:
            task.update(time_zone="", expire_time=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now - 30 * HOUR)))
        elif roll < 0.8:
            task.update(expire_time="31/12/2020 23:00")  # unreadable
        return task

    def population(self, rng, now):
        numbers = rng.sample(range(1, 10000), 14)
        tasks = [self._record(rng, numbers.pop(), now) for _n in range(rng.randint(7, 12))]
        elsewhere = dict(self._record(rng, numbers.pop(), now), project_id=self.project_elsewhere)
        return tasks + [elsewhere]

    def options(self, rng, records, now, focus=()):
        case = {"settings": {}}
        _delete_options(rng, case, focus)  # force changes nothing for scheduled tasks (the module's notes)
        here = [r["id"] for r in records if "project_id" not in r]
        there = [r["id"] for r in records if "project_id" in r]
        case["ids"] = _ids(rng, here, there, "wks-model-missing") if rng.random() < 0.4 else None
        mine = [r for r in records if "project_id" not in r]
        case["filters"] = _filters(rng, {
            "name": lambda: _present(rng, mine, self.name, ("no-such-task",)),
            "name_pattern": lambda: rng.choice(self.name_patterns),
            "task_type": lambda: _present(rng, mine, lambda r: r["task_type"]),
            "scheduled_type": lambda: _present(rng, mine, lambda r: r["scheduled_type"], ("LIFE_CYCLE",)),
            "last_status": lambda: rng.choice(self.last_statuses),
            "enabled": lambda: rng.choice((True, False)),
            "expired": lambda: rng.choice((True, False)),
        }, self.keep_patterns, retention=False)
        return case


SERVICES = {"mrs_v2": MrsV2(), "mrs_v1_1": MrsV1(), "tencent": Tencent(), "workspace": Workspace()}


# ---------------------------------------------------------------------------------------------------------------
# The model.
# ---------------------------------------------------------------------------------------------------------------
def expect(service, case, deleting, now):
    """What the documentation says a run with ``case``'s options does to ``case['records']``."""
    filters = case["filters"]
    ids = None if case["ids"] is None else list(dict.fromkeys(i.strip() for i in case["ids"]))
    if deleting:
        if case["force"] and case["settings"].get("api_version") == "v1.1":
            return {"invalid": "force"}
        if not case["force"] and set(filters.get("states") or ()) & set(service.unfinished):
            return {"invalid": "force"}
    scope = {service.ident(r): r for r in case["records"] if service.in_scope(r, case)}
    states = filters.get("states")
    if states is None and deleting and ids is None:
        states = service.finished

    def matches(record):
        return service.matches(record, filters, states, now)

    if ids is None:
        selected, absent = [r for r in scope.values() if matches(r)], []
    else:
        absent = [i for i in ids if i not in scope]
        selected = [scope[i] for i in ids if i in scope and matches(scope[i])]

    newest = set()
    if filters.get("keep_latest"):
        counted = filters.get("states") or service.finished
        groups = {}
        for record in scope.values():
            if service.state(record) in counted:
                groups.setdefault(service.name(record) or "", []).append(record)
        for group in groups.values():
            group.sort(key=lambda r: (service.created(r), service.ident(r)), reverse=True)
            newest.update(service.ident(r) for r in group[:filters["keep_latest"]])
    patterns = filters.get("keep_name_patterns") or ()
    kept = [service.ident(r) for r in selected
            if service.ident(r) in newest or any(fnmatch.fnmatchcase(service.name(r) or "", p) for p in patterns)]
    # counts.kept_by_rule: a record both rules protect counts under keep_name_patterns (the modules' RETURN).
    by_names = [service.ident(r) for r in selected if service.ident(r) in kept
                and any(fnmatch.fnmatchcase(service.name(r) or "", p) for p in patterns)]
    kept_by_rule = {"keep_latest": len(kept) - len(by_names), "keep_name_patterns": len(by_names)}
    rest = [r for r in selected if service.ident(r) not in kept]
    undecidable = [service.ident(r) for r in rest if service.undecidable(r, filters, now)]
    decided = [r for r in rest if service.ident(r) not in undecidable]
    outcome = {"invalid": None, "selected": [service.ident(r) for r in selected], "absent": absent, "kept": kept,
               "kept_by_rule": kept_by_rule, "undecidable": undecidable}
    if not deleting:
        outcome["listed"] = [service.ident(r) for r in decided]
        return outcome

    force = case["force"]
    busy = [service.ident(r) for r in decided if service.busy(r)]
    ready = [service.ident(r) for r in decided if not service.busy(r)]
    planned = ready + (busy if force else [])
    guard = case["max_deletions"]
    if guard is not None and len(planned) > guard:
        # "reports every selected record in not_deleted with a reason that names the guard"; an undecidable task
        # may keep its own reason (the docs do not say which comes first).
        outcome.update(deleted=[], stopped=[], failed=True, warned=False,
                       not_deleted=dict([(i, {"guard"}) for i in ready + busy]
                                        + [(i, {"guard", "undecidable"}) for i in undecidable]))
        return outcome
    not_deleted = {i: {"undecidable"} for i in undecidable}
    if not force:
        not_deleted.update((i, {"running"}) for i in busy)
    requested = set(ids or ())
    outcome.update(
        deleted=planned, stopped=busy if force else [], not_deleted=not_deleted,
        failed=bool(undecidable) or (not force and bool(requested & set(busy))),
        warned=not force and bool(set(busy) - requested))
    return outcome


def reason_kind(reason):
    low = reason.lower()
    if "max_deletions" in low:
        return "guard"
    if "expire" in low or "time_zone" in low or "time zone" in low or "cannot be decided" in low:
        return "undecidable"
    if any(word in low for word in ("still", "running", "finished", "force", "submitted", "pending", "runnable",
                                    "starting", "interrupted", "new", "accepted")):
        return "running"
    return "other (%s)" % reason


# ---------------------------------------------------------------------------------------------------------------
# Cases, cells and checks.
# ---------------------------------------------------------------------------------------------------------------
def _steer(rng, service, case, focus, now):
    """Make a focused case take its path: a running record that matches the filters among the ids; an unfinished
    state to stop with force; an expiry to decide (Workspace)."""
    scope = [r for r in case["records"] if service.in_scope(r, case)]
    patterns = case["filters"].get("keep_name_patterns") or ()
    busy = [service.ident(r) for r in scope if service.busy(r) and not any(
        fnmatch.fnmatchcase(service.name(r) or "", p) for p in patterns)]
    matching = [i for i in busy if service.matches(
        next(r for r in scope if service.ident(r) == i), case["filters"], case["filters"].get("states"), now)]
    if "ids" in focus and (matching or busy):
        if case["ids"] is None:
            case["ids"] = rng.sample([service.ident(r) for r in scope], min(2, len(scope)))
        case["ids"].append(rng.choice(matching or busy))
    if "force" in focus and case["force"] and case["ids"] is None and service.unfinished:
        states = [s for s in service.unfinished if any(service.state(r) == s for r in scope)] or list(service.unfinished)
        case["filters"]["states"] = sorted({rng.choice(states), rng.choice(service.finished)})
    if "force" in focus and service.key == "workspace":
        case["filters"]["expired"] = rng.choice((True, False))


def make_cases(service, seed, now):
    rng = random.Random("%s:%s" % (seed, service.key))
    cases = []
    population = None
    for number in range(max(1, int(round(service.cases * CASE_FACTOR)))):
        if number % 4 == 0:
            population = service.population(rng, now)  # a few cases share each population
        focus = {"force"} if number % 6 == 1 else {"ids"} if number % 6 == 4 else set()
        case = service.options(rng, population, now, focus)
        case.setdefault("records", population)
        _steer(rng, service, case, focus, now)
        # Steer a few cases to the rare paths, so that every seed reaches them: bad input, and max_deletions.
        if number % 7 == 6 and service.unfinished and not case["force"]:
            case["filters"]["states"] = [rng.choice(service.finished), rng.choice(service.unfinished)]
        if case["guard"] or number % 5 == 2:
            planned = expect(service, dict(case, max_deletions=None), True, now)
            if not planned.get("invalid"):
                over = number % 10 == 2 or (number % 5 != 2 and rng.random() < 0.5)
                case["max_deletions"] = max(0, len(planned["deleted"]) - (1 if over else 0))
        del case["guard"]
        case["number"] = number
        cases.append(case)
    return cases


# What the fixed seed must reach in each service (checked by the test; another seed only reports it). MRS never
# warns: without force, filters select finished executions only, so a running one is selected only by id.
COVERAGE = {
    "mrs_v2": {"deleted", "already_absent", "kept", "kept by keep_latest", "not_deleted running", "failed", "guard",
               "force", "bad input", "ids that do not match", "tie"},
    "mrs_v1_1": {"deleted", "already_absent", "kept", "kept by keep_latest", "not_deleted running", "failed",
                 "bad input", "ids that do not match", "ids without cluster_id"},
    "tencent": {"deleted", "already_absent", "kept", "kept by keep_latest", "not_deleted running", "failed", "warned",
                "guard", "force", "bad input", "ids that do not match", "tie", "unfinished task instances",
                "info lists unfinished with keep_latest"},
    "workspace": {"deleted", "already_absent", "kept", "not_deleted undecidable", "failed", "guard",
                  "ids that do not match", "LIFE_CYCLE deleted", "expired"},
}


def features(service, case):
    """The paths of the contract a case reaches, by the model."""
    exp, info = expect(service, case, True, case["now"]), expect(service, case, False, case["now"])
    if exp["invalid"]:
        return {"bad input"}
    by_id = {service.ident(r): r for r in case["records"]}
    found = {name for name, hit in (
        ("deleted", exp["deleted"]), ("already_absent", exp["absent"]), ("kept", exp["kept"]),
        ("failed", exp["failed"]), ("warned", exp["warned"]), ("force", exp["stopped"]),
        ("guard", any(kinds == {"guard"} for kinds in exp["not_deleted"].values())),
        ("not_deleted running", any(kinds == {"running"} for kinds in exp["not_deleted"].values())),
        ("not_deleted undecidable", any("undecidable" in kinds for kinds in exp["not_deleted"].values())),
        ("kept by keep_latest", case["filters"].get("keep_latest") and exp["kept"]),
        ("ids that do not match", case["ids"] and any(i.strip() in by_id and i.strip() not in exp["selected"]
                                                      and i.strip() not in exp["absent"] for i in case["ids"])),
        ("ids without cluster_id", case["ids"] and case["settings"].get("api_version") == "v1.1"
         and "cluster_id" not in case["settings"]),
        ("unfinished task instances", any(by_id[i].get("TaskInstanceMetrics") for i in exp["not_deleted"])),
        ("info lists unfinished with keep_latest", case["filters"].get("keep_latest") and service.finished and any(
            service.state(by_id[i]) not in service.finished for i in info["listed"])),
        ("LIFE_CYCLE deleted", any(by_id[i].get("scheduled_type") == "LIFE_CYCLE" for i in exp["deleted"])),
        ("expired", case["filters"].get("expired") is not None and exp["deleted"]),
    ) if hit}
    if case["filters"].get("keep_latest") and exp["kept"] and service.time_ordered:
        times = [(service.name(by_id[i]), service.created(by_id[i])) for i in by_id if service.in_scope(by_id[i], case)]
        if len(times) != len(set(times)):
            found.add("tie")
    return found


def _module_args(service, case, deleting):
    args = dict(case["settings"])
    if case["ids"] is not None:
        args[service.ids_option] = case["ids"]
    if case["filters"] or random.Random(case["number"]).random() < 0.5:
        args["filters"] = case["filters"]
    if deleting:
        if case["force"]:
            args.update(force=True, wait_timeout=30)
        if case["max_deletions"] is not None:
            args["max_deletions"] = case["max_deletions"]
        if case["return_records"]:
            args["return_records"] = True
    return args


CONFIG = {"kill_delay": 0, "terminate_delay": 0}  # a forced stop finishes at once: no waiting in this suite
RUNS = ("info", "check", "real")


def cells_of(service, cases):
    cells = {}
    for case in cases:
        seed = service.seed_of(case)
        for run in RUNS:
            module = service.module + ("_info" if run == "info" else "")
            task = {"cloudjobs.cleanup.%s" % module: _module_args(service, case, run != "info")}
            if run == "check":
                task["check_mode"] = True
            if run != "info" and case["diff"]:
                task["diff"] = True
            cells["case %d %s" % (case["number"], run)] = {"task": task, "seed": seed, "config": CONFIG}
    return cells


def _ids_in(state, service):
    return sorted(service.ident(r) for r in state.get(service.key, []))


def _diff_ids(text):
    return sorted(line.split("  ")[0] for line in (text or "").splitlines() if line.strip())


def check_info(service, case, line, problems):
    exp = expect(service, case, False, case["now"])
    result = line["result"]
    if line["status"] != "ok":
        problems.append("failed: %s" % result.get("msg"))
        return
    listed = sorted(r[service.returned_id] for r in result.get(service.records_key, []))
    if listed != sorted(exp["listed"]):
        problems.append("%s lists %s, the model %s" % (service.records_key, listed, sorted(exp["listed"])))
    if sorted(result.get("kept", [])) != sorted(exp["kept"]):
        problems.append("kept %s, the model %s" % (sorted(result.get("kept", [])), sorted(exp["kept"])))
    if result.get("changed") is not False:
        problems.append("changed is %r" % result.get("changed"))
    for task_id in exp["undecidable"]:
        if not any(task_id in w for w in result.get("warnings", [])):
            problems.append("no warning names the undecidable %s: %s" % (task_id, result.get("warnings")))
    if [r for r in line["requests"] if r["mutating"]]:
        problems.append("mutating requests: %s" % [r["operation"] for r in line["requests"] if r["mutating"]])
    if _ids_in(line["state"], service) != sorted(service.ident(r) for r in case["records"]):
        problems.append("the records changed")


def check_delete(service, case, line, check_mode, problems):
    exp = expect(service, case, True, case["now"])
    result = line["result"]
    seeded = sorted(service.ident(r) for r in case["records"])
    if exp["invalid"]:
        if line["status"] != "failed" or exp["invalid"] not in (result.get("msg") or ""):
            problems.append("bad input accepted or not named (%s): %s" % (exp["invalid"], result.get("msg")))
        if line["requests"]:
            problems.append("requests sent for bad input: %s" % [r["operation"] for r in line["requests"]])
        if _ids_in(line["state"], service) != seeded:
            problems.append("the records changed")
        return
    missing_keys = [k for k in ("deleted", "already_absent", "not_deleted", "kept", "counts") if k not in result]
    if missing_keys:
        problems.append("status %s without %s: %s" % (line["status"], missing_keys, result.get("msg")))
        return
    status = "failed" if exp["failed"] else "ok"
    if line["status"] != status:
        problems.append("status %s, the model %s (%s)" % (line["status"], status, result.get("msg")))
    for key, model in (("deleted", exp["deleted"]), ("already_absent", exp["absent"]), ("kept", exp["kept"])):
        if sorted(result[key]) != sorted(model):
            problems.append("%s %s, the model %s" % (key, sorted(result[key]), sorted(model)))
    got = {n["id"]: reason_kind(n["reason"]) for n in result["not_deleted"]}
    if sorted(got) != sorted(exp["not_deleted"]):
        problems.append("not_deleted %s, the model %s" % (
            sorted(result["not_deleted"], key=lambda n: n["id"]), sorted(exp["not_deleted"])))
    else:
        for record_id, kind in got.items():
            if kind not in exp["not_deleted"][record_id]:
                problems.append("not_deleted %s: reason %r, the model %s" % (
                    record_id, [n["reason"] for n in result["not_deleted"] if n["id"] == record_id][0],
                    sorted(exp["not_deleted"][record_id])))
    lists = list(result["deleted"]) + list(result["already_absent"]) + [n["id"] for n in result["not_deleted"]] \
        + list(result["kept"])
    if len(lists) != len(set(lists)):
        problems.append("an id is in two lists (or twice in one): %s" % sorted(lists))
    counts = {"selected": len(exp["selected"]), "deleted": len(exp["deleted"]), "already_absent": len(exp["absent"]),
              "not_deleted": len(exp["not_deleted"]), "kept": len(exp["kept"]), "kept_by_rule": exp["kept_by_rule"]}
    if result["counts"] != counts:
        problems.append("counts %s, the model %s" % (result["counts"], counts))
    if result.get("changed") is not bool(exp["deleted"]):
        problems.append("changed %r with deleted %s" % (result.get("changed"), exp["deleted"]))
    if case["return_records"]:
        returned = sorted(r[service.returned_id] for r in result.get(service.records_key, []))
        if returned != sorted(exp["selected"]):
            problems.append("%s %s, the model's selection %s" % (service.records_key, returned, sorted(exp["selected"])))
    elif service.records_key in result:
        problems.append("%s returned without return_records" % service.records_key)
    if case["diff"]:
        diff = result.get("diff") or {}
        remaining = sorted(set(exp["selected"]) - set(exp["deleted"]))
        if _diff_ids(diff.get("before")) != sorted(exp["selected"]) or _diff_ids(diff.get("after")) != remaining:
            problems.append("diff before %s after %s, the model %s and %s" % (
                _diff_ids(diff.get("before")), _diff_ids(diff.get("after")), sorted(exp["selected"]), remaining))
    if exp["warned"] and not result.get("warnings"):
        problems.append("no warning for the unfinished records selected by filters")
    mutating = [r for r in line["requests"] if r["mutating"]]
    state = _ids_in(line["state"], service)
    if check_mode:
        if mutating:
            problems.append("mutating requests in check mode: %s" % [r["operation"] for r in mutating])
        if state != seeded:
            problems.append("the records changed in check mode")
        return
    stops = {i for r in mutating if r["operation"] in ("StopJob", "TerminateJob") for i in r["ids"]}
    deletes = {i for r in mutating if r["operation"] not in ("StopJob", "TerminateJob") for i in r["ids"]}
    if not stops <= set(exp["stopped"]) or not deletes <= set(exp["deleted"]):
        problems.append("mutating requests name %s (stop) and %s (delete), the model %s and %s" % (
            sorted(stops), sorted(deletes), sorted(exp["stopped"]), sorted(exp["deleted"])))
    if state != sorted(set(seeded) - set(exp["deleted"])):
        problems.append("the emulator holds %s, the model %s" % (state, sorted(set(seeded) - set(exp["deleted"]))))


def _describe(service, case, seed):
    name = [n for n, s in SERVICES.items() if s is service][0]
    shown = {k: v for k, v in case.items() if k not in ("records", "now")}
    replay = "CONTRACT_MODEL_SEED=%s .ci/dev pytest tests/e2e/test_contract_model.py -k '%s'" % (seed, name)
    return "seed %s (%s), %s case %d\noptions: %s\nrecords (now = %.0f): %s" % (
        seed, replay, name, case["number"], json.dumps(shown), case["now"], json.dumps(case["records"]))


@pytest.mark.parametrize("service_name", sorted(SERVICES))
def test_every_run_agrees_with_the_documented_contract(emulator, tmp_path, service_name):
    service = SERVICES[service_name]
    now = time.time()
    cases = make_cases(service, SEED, now)
    for case in cases:
        case["now"] = now
    cells = cells_of(service, cases)
    started = time.monotonic()
    run = run_cells(tmp_path, emulator, cells, module_defaults=cloud_defaults(emulator.url))
    print("\n%s: seed %s, %d cases, %d cells in %.1f s" % (service_name, SEED, len(cases), len(cells),
                                                           time.monotonic() - started))
    assert sorted(run.lines) == sorted(cells), run.stdout[-3000:]
    reached = set().union(*(features(service, case) for case in cases))
    print("reached: %s; not reached: %s" % (sorted(reached), sorted(COVERAGE[service_name] - reached)))
    failures = []
    for case in cases:
        problems = []
        for run_name in RUNS:
            line = run.lines["case %d %s" % (case["number"], run_name)]
            found = []
            if run_name == "info":
                check_info(service, case, line, found)
            else:
                check_delete(service, case, line, run_name == "check", found)
            problems += ["%s: %s" % (run_name, p) for p in found]
        if problems:
            failures.append("\n".join(problems) + "\n" + _describe(service, case, SEED))
    assert not failures, "%d of %d cases disagree with the model:\n\n%s" % (len(failures), len(cases),
                                                                            "\n\n".join(failures))
    if SEED == DEFAULT_SEED and CASE_FACTOR == 1:
        assert COVERAGE[service_name] <= reached, "the fixed seed no longer reaches %s: choose another DEFAULT_SEED" % (
            sorted(COVERAGE[service_name] - reached))


ORDER_SETTINGS = {"mrs_v2": {"cluster_id": MrsV2.cluster}, "mrs_v1_1": {"api_version": "v1.1", "cluster_id": MrsV1.cluster},
                  "tencent": {}}


def _order_cells(now):
    """Per service with record times: four finished records of one name, 1 to 4 days old, deleted by filters
    (the APIs list them newest first) and by ids asked for in the order 2, 4, 1, 3 days old."""
    cells = {}
    for name, settings in sorted(ORDER_SETTINGS.items()):
        service = SERVICES[name]
        records = []
        for days in (1, 2, 3, 4):
            moment = now - days * 24 * HOUR
            records.append({
                "mrs": {"job_id": "0dde0000-0000-4000-8000-%012d" % days, "cluster_id": MrsV2.cluster,
                        "job_name": "ordered", "job_state": "FINISHED", "submitted_time": int(moment * 1000)},
                "mrs_v1": {"id": "0dde1111-0000-4000-8000-%012d" % days, "cluster_id": MrsV1.cluster,
                           "job_name": "ordered", "job_state": 3, "create_at": int(moment * 1000)},
                "tencent": {"JobId": "job-o%07d" % days, "JobName": "ordered", "JobState": "SUCCEED",
                            "CreateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))},
            }[service.key])
        ids = [service.ident(records[i]) for i in (1, 3, 0, 2)]
        for label, args in (("filters", {"filters": {"name": "ordered"}}), ("ids", {service.ids_option: ids})):
            cells["%s by %s" % (name, label)] = {
                "task": {"cloudjobs.cleanup.%s" % service.module: dict(settings, **args)},
                "seed": {service.key: records}, "service": name}
    return cells


def test_deletes_go_oldest_first(emulator, tmp_path):
    now = time.time()
    cells = _order_cells(now)
    run = run_cells(tmp_path, emulator, {n: {k: v for k, v in c.items() if k != "service"} for n, c in cells.items()},
                    module_defaults=cloud_defaults(emulator.url))
    failures = []
    for name, cell in sorted(cells.items()):
        service = SERVICES[cell["service"]]
        line = run.lines[name]
        by_id = {service.ident(r): r for r in cell["seed"][service.key]}
        deleted = line["result"].get("deleted") or []
        assert sorted(deleted) == sorted(by_id), (name, line["result"].get("msg"))
        orders = [("deleted", deleted)]
        batches = [r["ids"] for r in line["requests"] if r["mutating"]]
        if len(batches) == 1:  # one batch-delete (MRS v2): the order of its ids; single deletes run concurrently
            orders.append(("the batch-delete", batches[0]))
        for label, order in orders:
            days = [round((now - service.created(by_id[i])) / (24 * HOUR)) for i in order]
            if days != sorted(days, reverse=True):
                failures.append("%s: %s in the order of %s days old" % (name, label, days))
    assert not failures, "\n".join(failures)
