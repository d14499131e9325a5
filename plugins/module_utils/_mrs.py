# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud MRS job executions: the v2 API (per cluster) and the deprecated v1.1 API.

PRIVATE to this collection; no stability promise.

``MrsClient`` speaks MRS's paths, paging and error codes. ``MrsJobExecutions`` (v2) and
``MrsJobExecutionsV1`` (v1.1) are the cleanup targets built on it.

Why one file of this size: both APIs' paths, codes and readings (docs/api-readings.md) and both targets share the
client, the id rules and the retention counting; split by API, each half would import most of the other.
"""

from __future__ import annotations

import datetime

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._batches import (
    ABORT,
    BATCH_DELETE_WORKERS,
    FAILED,
    GONE,
    RECHECK,
    SPLIT_BATCH,
    delete_each,
    delete_in_batches,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import CleanupTarget
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError, mark_not_found
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei import is_auth_failure, is_gateway_404
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._paging import page_number_pages, short_page_pages, stable_pages
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._selection import IdRule, select

JOB_STATES = ("NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING", "FINISHED", "FAILED", "KILLED")
RUNNING_STATES = ("NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING")
TERMINAL_STATES = ("FINISHED", "FAILED", "KILLED")
JOB_TYPES = ("MapReduce", "SparkSubmit", "HiveScript", "HiveSql", "DistCp", "SparkScript", "SparkSql", "Flink")

# "The job does not exist." (both codes are in MRS's error table); matched whatever the HTTP status.
JOB_NOT_FOUND_CODES = ("0176", "0201")
CLUSTER_NOT_FOUND_CODE = "12000003"
# Refusals that one member of a batch can cause: a running job, or the generic batch failures.
BATCH_MEMBER_CODES = ("0161", "0183", "0189", "0199")

# v1.1 states. The sources disagree (docs/api-readings.md): job_state -1 is "terminated" for OTC, Huawei's docs and
# Terraform, 1 is "terminated" for the SDK but "starting" for OTC and Terraform, 5 "error" for Terraform alone;
# job_final_status is 0 not complete, 1 execution error, 2 success, 3 cancelled, yet OTC's own list example shows a
# running execution (job_state 2) with final status 1. So neither field is trusted alone: an execution is deletable
# only when both agree that it ended, and its FINISHED / FAILED / KILLED comes from job_final_status.
V1_STATE_NAMES = {-1: "terminated", 1: "starting or terminated", 2: "running", 3: "completed", 4: "abnormal",
                  5: "error"}
V1_FINAL_STATUS_NAMES = {0: "not complete", 1: "execution error", 2: "success", 3: "cancelled"}
V1_ENDED_STATES = {-1: "KILLED", 3: "FINISHED", 4: "FAILED", 5: "FAILED"}  # job_state codes every source reads as ended
V1_RUNNING_STATES = (1, 2)  # running, or (1) starting for OTC and Terraform
V1_FINAL_STATES = {1: "FAILED", 2: "FINISHED", 3: "KILLED"}  # job_final_status codes that say the execution ended


def v1_state(record):
    """A v1.1 record's state in the v2 vocabulary the options use: FINISHED, FAILED or KILLED from
    ``job_final_status`` where it says the execution ended, else from ``job_state`` (RUNNING for 1 and 2);
    UNKNOWN for codes no source documents. Whether it may be deleted is ``v1_disagreement``'s and the blocker's."""
    final = record.get("job_final_status")
    if final in V1_FINAL_STATES:
        return V1_FINAL_STATES[final]
    state = record.get("job_state")
    if state in V1_ENDED_STATES:
        return V1_ENDED_STATES[state]
    if state in V1_RUNNING_STATES:
        return "RUNNING"
    return "UNKNOWN"


def _v1_describe(record):
    state, final = record.get("job_state"), record.get("job_final_status")
    return "job_state %s (%s) and job_final_status %s (%s)" % (
        state, V1_STATE_NAMES.get(state, "undocumented"), final,
        "missing" if final is None else V1_FINAL_STATUS_NAMES.get(final, "undocumented"))


def v1_disagreement(record):
    """None when the execution has ended by both fields, or is running by both (the blocker reports it); else why it
    cannot be told to have ended, so that it is reported and never deleted."""
    state, final = record.get("job_state"), record.get("job_final_status")
    if final in V1_FINAL_STATES and state in V1_ENDED_STATES:
        return None
    if final in (0, None) and state in V1_RUNNING_STATES:
        return None  # running (or starting) by every reading: the blocker reports it
    if final in V1_FINAL_STATES and state == 1:
        return ("%s: 1 reads terminated in the SDK but starting in OTC's reference and Terraform, so it cannot be "
                "told to have ended" % _v1_describe(record))
    return "%s do not agree that it ended" % _v1_describe(record)


JOB_ID_RULE = IdRule(r"^[A-Za-z0-9-]+$", "MRS ids use letters, digits and '-', at most 64 characters", 64)
CLUSTER_ID_RULE = IdRule(r"^[A-Za-z0-9-]+$", "cluster ids use letters, digits and '-', at most 64 characters", 64)

LIST_PAGE_SIZE = 100  # the largest page Huawei's own tooling asks for; larger sizes are not documented
V1_LIST_PAGE_SIZE = 100  # documented maximum of v1.1 page_size
# Larger than any page: a batch the API refuses as too large is split in halves like any refused batch,
# so the largest batch is also a safe one.
DEFAULT_BATCH_SIZE = 1000


def _job_not_found(error):
    return error.code in JOB_NOT_FOUND_CODES


# What "the execution does not exist" looks like, once per operation that can meet it: MRS's own codes only, whatever
# the HTTP status. A 404 without them (an API gateway's APIGW.0101, or v1.1's undocumented answer) proves nothing:
# classify_delete_error has it looked at again (RECHECK), and the v1.1 look asks a listing.
NOT_FOUND = {operation: _job_not_found
             for operation in ("ShowSingleJobExe", "BatchDeleteJobs", "StopJob", "ShowJobExes", "DeleteJobExecution")}


def unproven_absence(error):
    """A 404 that does not say the execution is gone: no MRS not-found code, and not the API gateway's own 404 (the
    API is not there at all). Only a fresh read can tell whether the execution exists."""
    return error.status == 404 and not error.not_found and not is_gateway_404(error)


class MrsClient:
    """Every MRS request the collection makes. A failed call raises ApiError, with ``not_found`` set from
    ``NOT_FOUND``; ``show_*`` answer None for an execution that does not exist."""

    def __init__(self, connection):
        self._conn = connection
        self._workers = getattr(connection, "list_concurrency", 1)

    def _v2(self, cluster_id, suffix=""):
        return "/v2/%s/clusters/%s/job-executions%s" % (self._conn.project_id, cluster_id, suffix)

    def _v1(self, suffix):
        return "/v1.1/%s/%s" % (self._conn.project_id, suffix)

    def _request(self, operation, method, path, **kwargs):
        try:
            return self._conn.request(operation, method, path, **kwargs) or {}
        except ApiError as error:
            raise mark_not_found(error, NOT_FOUND)

    def _show(self, operation, path, key):
        try:
            return self._request(operation, "GET", path).get(key)
        except ApiError as error:
            if error.not_found:
                return None
            raise

    # v2 ---------------------------------------------------------------------------------------------------------
    def list_job_executions(self, cluster_id, query):
        """All executions in the cluster matching the server-side ``query``, page by page."""

        def fetch(limit, page):
            body = self._request("ShowJobExeListNew", "GET", self._v2(cluster_id),
                                 query=dict(query, limit=str(limit), offset=str(page)))
            items = body.get("job_list") or []
            return items, _int(body.get("total_record"), len(items))

        for page in stable_pages(page_number_pages, fetch, LIST_PAGE_SIZE, lambda r: r.get("job_id"),
                                 workers=self._workers):
            yield from page

    def count_job_executions(self, cluster_id, query):
        body = self._request("ShowJobExeListNew", "GET", self._v2(cluster_id), query=dict(query, limit="1", offset="1"))
        return _int(body.get("total_record"), 0)

    def show_job_execution(self, cluster_id, job_id):
        """The execution, or None when it does not exist."""
        return self._show("ShowSingleJobExe", self._v2(cluster_id, "/" + job_id), "job_detail")

    def batch_delete_job_executions(self, cluster_id, job_ids):
        self._request("BatchDeleteJobs", "POST", self._v2(cluster_id, "/batch-delete"),
                      json_body={"job_id_list": list(job_ids)}, mutating=True)

    def kill_job_execution(self, cluster_id, job_id):
        self._request("StopJob", "POST", self._v2(cluster_id, "/%s/kill" % job_id), mutating=True)

    # v1.1 -------------------------------------------------------------------------------------------------------
    def list_job_exes_v1(self, query):
        """Every v1.1 execution the server lists for ``query``, page by page until a short page. ``totalRecord`` is
        not trusted (OTC's own example answers 14 with one record): at most one request past the last full page."""

        def fetch(limit, page):
            body = self._request("ListExecuteJob", "GET", self._v1("job-exes"),
                                 query=dict(query, page_size=str(limit), current_page=str(page)))
            items = body.get("job_executions") or []
            return items, _int(body.get("totalRecord", body.get("total_record")), None)

        for page in stable_pages(short_page_pages, fetch, V1_LIST_PAGE_SIZE, lambda r: r.get("id")):
            yield from page

    def show_job_exe_v1(self, job_exe_id):
        """The v1.1 execution, or None when it does not exist."""
        return self._show("ShowJobExes", self._v1("job-exes/" + job_exe_id), "job_execution")

    def delete_job_execution_v1(self, job_exe_id):
        self._request("DeleteJobExecution", "DELETE", self._v1("job-executions/" + job_exe_id), mutating=True)


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _raise_for_cluster(error, cluster_id):
    """A missing cluster fails the run with a message that names it; it never reads as "nothing to delete"."""
    if error.code == CLUSTER_NOT_FOUND_CODE:
        missing = ApiError(
            error.service, error.operation,
            "MRS cluster %s does not exist in this project and region; check cluster_id, region and project_id"
            % cluster_id,
            status=error.status, code=error.code, request_id=error.request_id,
        )
        missing.attempts, missing.elapsed, missing.host = error.attempts, error.elapsed, error.host
        raise missing


def classify_delete_error(error):
    """How the dance should read a failed MRS delete or kill."""
    if error.not_found:
        return GONE
    if error.code == CLUSTER_NOT_FOUND_CODE or is_auth_failure(error) or is_gateway_404(error):
        return ABORT  # every further call is refused the same way: the API gateway does not serve this API here
    if unproven_absence(error):
        return RECHECK
    if error.code in BATCH_MEMBER_CODES or error.status in (400, 409):
        return SPLIT_BATCH
    return FAILED


def mrs_selection(job_execution_ids, filters, force=False, deleting=True, now=None):
    """The ``Selection`` the MRS modules' ``job_execution_ids`` and ``filters`` describe (v2 and v1.1 alike)."""
    selection = select(job_execution_ids, filters, JOB_ID_RULE, "job_execution_ids", states=JOB_STATES,
                       finished=TERMINAL_STATES, unfinished=RUNNING_STATES, deleting=deleting, force=force, now=now)
    for option, field in (("job_types", "job_type"), ("user", "user"), ("queue", "queue")):
        selection.require(option, field)
    return selection


def _seconds(millis):
    try:
        return int(millis) / 1000.0
    except (TypeError, ValueError):
        return None


def _utc(millis):
    """A 13-digit millisecond time as ISO 8601 UTC, for one-line summaries; None when there is none."""
    seconds = _seconds(millis)
    if not seconds:
        return None
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class _MrsTarget(CleanupTarget):
    """What both MRS APIs share: the client, the cluster, the selection, and how a record is matched."""

    id_field = time_field = None

    def __init__(self, client, cluster_id, selection):
        self.client = client
        self.cluster_id = CLUSTER_ID_RULE.validate([cluster_id], "cluster_id")[0] if cluster_id else None
        self.selection = selection
        self.ids = selection.ids

    def record_id(self, record):
        return record.get(self.id_field)

    def state(self, record):
        raise NotImplementedError

    def _matches(self, record):
        return self.selection.record_filter.matches(
            record, record.get("job_name"), self.state(record), _seconds(record.get(self.time_field))
        )

    def kept(self, record):
        return self.selection.retention.why_kept(self.record_id(record), record.get("job_name"))

    def summary(self, record):
        return self.record_id(record), record.get("job_name"), self.state(record), _utc(record.get(self.time_field))

    def created(self, record):
        return _seconds(record.get(self.time_field))

    def plan_fields(self, record):
        """The name, the state and the submit time as the API gives it (milliseconds): a plan's columns."""
        return record.get("job_name"), self.state(record), record.get(self.time_field)

    def _count_newest(self, records):
        """Tell the retention rule every execution of the cluster it counts in (``keep_latest``)."""
        self.selection.retention.count(records, self.record_id, lambda r: r.get("job_name"), self.state,
                                       lambda r: _seconds(r.get(self.time_field)))


class MrsJobExecutions(_MrsTarget):
    """MRS v2 job executions of one cluster."""

    noun = "MRS job execution"
    id_field, time_field = "job_id", "submitted_time"
    record_fields = ("job_id", "job_name", "job_state", "job_result", "submitted_time")
    plan_columns = ("job_id", "job_name", "job_state", "submitted_time")

    def __init__(self, client, cluster_id, selection, batch_size=DEFAULT_BATCH_SIZE):
        if not cluster_id:
            raise ConfigurationError("cluster_id is required with api_version=v2")
        super().__init__(client, cluster_id, selection)
        self.batch_size = batch_size

    def state(self, record):
        return record.get("job_state")

    def _server_query(self):
        """The filters the list API applies itself; the rest is checked on each record."""
        filters = self.selection.filters
        query = {}
        if filters.get("name") is not None:
            query["job_name"] = filters["name"]
        if filters.get("user") is not None:
            query["user"] = filters["user"]
        if filters.get("queue") is not None:
            query["queue"] = filters["queue"]
        job_types = filters.get("job_types")
        if job_types and len(job_types) == 1:
            query["job_type"] = job_types[0]
        states = self.selection.states
        if states and len(states) == 1:
            query["job_state"] = states[0]
        cutoff = self.selection.record_filter.cutoff
        if cutoff is not None:
            query["submitted_time_end"] = str(int(cutoff * 1000))
        return query

    def _scope_query(self):
        """With ``keep_latest``, the list must hold every execution of each selected name in the counted states,
        whatever its age, user, queue or type: only the name and a single state go to the server."""
        query = {}
        if self.selection.filters.get("name") is not None:
            query["job_name"] = self.selection.filters["name"]
        states = self.selection.retention.states
        if states and len(states) == 1:
            query["job_state"] = next(iter(states))
        return query

    def look(self):
        try:
            scope = None
            if self.selection.retention.counts_groups:
                scope = list(self.client.list_job_executions(self.cluster_id, self._scope_query()))
                self._count_newest(scope)
            if self.selection.ids is None:
                if scope is None:
                    scope = self.client.list_job_executions(self.cluster_id, self._server_query())
                return [self.keep(r) for r in scope if self._matches(r)], []
            return self._look_up_ids(self.selection.ids)
        except ApiError as error:
            _raise_for_cluster(error, self.cluster_id)
            raise

    def _look_up_ids(self, ids):
        return self._keep_matching(ids, self._find(ids))

    def _find(self, ids):
        """``{id: record}`` of the ids that exist: per-id show, or the paged list when that takes fewer requests.
        No server-side filters here: an id that exists but does not match them is not "already absent"."""
        if len(ids) > 1:
            query = {}
            total = self.client.count_job_executions(self.cluster_id, query)
            pages = -(-total // LIST_PAGE_SIZE)
            if pages < len(ids):
                wanted = set(ids)
                return {r["job_id"]: r for r in self.client.list_job_executions(self.cluster_id, query)
                        if r.get("job_id") in wanted}
        found = {}
        for job_id in ids:
            record = self.client.show_job_execution(self.cluster_id, job_id)
            if record is not None:
                found[job_id] = record
        return found

    def _keep_matching(self, ids, found):
        absent = [i for i in ids if i not in found]
        if self.selection.filters:
            records = [found[i] for i in ids if i in found and self._matches(found[i])]
        else:
            records = [found[i] for i in ids if i in found]
        return records, absent

    def blocker(self, record):
        state = record.get("job_state")
        if state in RUNNING_STATES or (state is None and record.get("job_result") == "UNDEFINED"):
            return "still %s" % (state or "running")
        return None

    def stop(self, record):
        self.client.kill_job_execution(self.cluster_id, self.record_id(record))

    def refresh(self, ids):
        return {job_id: self.client.show_job_execution(self.cluster_id, job_id) for job_id in ids}

    def delete(self, ids, result):
        delete_in_batches(
            ids, self.batch_size, lambda batch: self.client.batch_delete_job_executions(self.cluster_id, batch),
            self.classify, result, workers=BATCH_DELETE_WORKERS, existing=self.existing,
        )

    def existing(self, ids):
        """The ids that still exist, for a batch refused because members may be gone (a concurrent run)."""
        return set(self.find(ids))

    def find(self, ids):
        try:
            return self._find(ids)
        except ApiError as error:
            _raise_for_cluster(error, self.cluster_id)
            raise

    def classify(self, error):
        return classify_delete_error(error)


class MrsJobExecutionsV1(_MrsTarget):
    """MRS v1.1 job execution objects (deprecated API; no kill, one DELETE per execution)."""

    noun = "MRS v1.1 job execution"
    can_stop = False  # the v1.1 API has no kill: force is refused before any request
    id_field, time_field = "id", "create_at"
    record_fields = ("id", "job_name", "job_state", "job_final_status", "create_at", "cluster_id")
    plan_columns = ("id", "job_name", "state", "create_at")

    def __init__(self, client, cluster_id, selection, workers=4):
        if selection.ids is None and not cluster_id:
            raise ConfigurationError("cluster_id is required to select MRS v1.1 job executions by filters")
        if selection.retention.counts_groups and not cluster_id:
            raise ConfigurationError("filters.keep_latest with api_version=v1.1 needs cluster_id: the newest executions "
                                     "are counted per cluster")
        if selection.filters.get("job_types") or selection.filters.get("user") or selection.filters.get("queue"):
            raise ConfigurationError("filters.job_types, filters.user and filters.queue need api_version=v2")
        super().__init__(client, cluster_id, selection)
        self.workers = workers

    def state(self, record):
        return v1_state(record)

    def _query(self):
        query = {"cluster_id": self.cluster_id} if self.cluster_id else {}
        if self.selection.filters.get("name") is not None:
            query["job_name"] = self.selection.filters["name"]
        return query

    def _in_scope(self, record):
        """True when ``record`` is in the named cluster (or no cluster is named), False when it is in another one,
        None when it does not say which."""
        if not self.cluster_id:
            return True
        if not record.get("cluster_id"):
            return None
        return record["cluster_id"] == self.cluster_id

    def _listing(self):
        """The executions the server lists for the cluster, each record's ``cluster_id`` checked here: the filter is
        ``cluster_id`` in the SDK and the parameter table but ``clusterId`` in OTC's example request, and a server that
        reads the other spelling (or none) lists every cluster of the project. Records of another cluster are never
        selected nor counted; a record that names no cluster is kept for ``undecidable`` to report."""
        return (r for r in self.client.list_job_exes_v1(self._query()) if self._in_scope(r) is not False)

    def look(self):
        if self.selection.retention.counts_groups:
            scope = list(self._listing())
            self._count_newest([r for r in scope if self._in_scope(r)])
            if self.selection.ids is None:
                return [self.keep(r) for r in scope if self._matches(r)], []
        if self.selection.ids is None:
            return [self.keep(r) for r in self._listing() if self._matches(r)], []
        found = {i: r for i, r in self._find(self.selection.ids).items() if self._in_scope(r) is not False}
        absent = [i for i in self.selection.ids if i not in found]
        records = [found[i] for i in self.selection.ids if i in found
                   and (not self.selection.filters or self._matches(found[i]))]
        return records, absent

    def _find(self, ids):
        """``{id: record}`` of the ids that exist: one show each. A show answered with a 404 that carries no MRS
        not-found code proves nothing (v1.1's answer for a missing execution is undocumented, and a gateway may
        answer 404 too): those ids are looked for in one listing, which can prove absence."""
        found, unproven = {}, []
        for exe_id in ids:
            try:
                record = self.client.show_job_exe_v1(exe_id)
            except ApiError as error:
                if not unproven_absence(error):
                    raise
                unproven.append(exe_id)
                continue
            if record is not None:
                found[exe_id] = record
        if unproven:
            found.update(self._listed(unproven))
        return found

    def _listed(self, ids):
        wanted = set(ids)
        return {r["id"]: r for r in self.client.list_job_exes_v1(self._query()) if r.get("id") in wanted}

    def existing(self, ids):
        """The ids a fresh listing still shows, for a delete answered with a 404 that proves nothing."""
        return set(self._listed(ids))

    def find(self, ids):
        """The ids that exist in the cluster (another cluster's execution is not this scope's)."""
        return {i: r for i, r in self._find(ids).items() if self._in_scope(r) is not False}

    def undecidable(self, record):
        if self._in_scope(record) is None:
            return "the listing names no cluster_id for it, so it cannot be told to be in cluster %s" % self.cluster_id
        return None

    def blocker(self, record):
        disagreement = v1_disagreement(record)
        if disagreement is not None:
            return disagreement
        if v1_state(record) == "RUNNING":
            state = record.get("job_state")
            return "still %s (job_state %s)" % (V1_STATE_NAMES.get(state, state), state)
        return None

    def delete(self, ids, result):
        delete_each(ids, self.client.delete_job_execution_v1, self.classify, result, workers=self.workers,
                    existing=self.existing)

    def classify(self, error):
        return classify_delete_error(error)


# The ``filters`` option of both MRS modules, validated by AnsibleModule (unknown keys are refused there).
MRS_FILTER_SPEC = dict(
    name=dict(type="str"),
    name_pattern=dict(type="str"),
    states=dict(type="list", elements="str", choices=list(JOB_STATES)),
    older_than=dict(type="str"),
    job_types=dict(type="list", elements="str", choices=list(JOB_TYPES)),
    user=dict(type="str"),
    queue=dict(type="str"),
    keep_latest=dict(type="int"),
    keep_name_patterns=dict(type="list", elements="str"),
)


def mrs_target(client, selection, cluster_id=None, api_version="v2", batch_size=DEFAULT_BATCH_SIZE):
    """The cleanup target of ``selection`` in ``cluster_id``, validated before any request."""
    if api_version == "v1.1":
        if selection.force:
            raise ConfigurationError(
                "force is not supported with api_version=v1.1: the v1.1 API has no way to stop a job execution; "
                "use api_version=v2 with cluster_id to kill and delete running executions"
            )
        return MrsJobExecutionsV1(client, cluster_id, selection)
    return MrsJobExecutions(client, cluster_id, selection, batch_size=batch_size or DEFAULT_BATCH_SIZE)
