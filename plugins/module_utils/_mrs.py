# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud MRS job executions: the v2 API (per cluster) and the deprecated v1.1 API.

PRIVATE to this collection; no stability promise.

``MrsClient`` speaks MRS's paths, paging and error codes. ``MrsJobExecutions`` (v2) and
``MrsJobExecutionsV1`` (v1.1) are the cleanup targets built on it.
"""

from __future__ import annotations

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import (
    ABORT,
    FAILED,
    GONE,
    MEMBER,
    CleanupTarget,
    delete_each,
    delete_in_batches,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._paging import page_number_pages, stable_pages
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._selection import IdRule, RecordFilter, check_states

JOB_STATES = ("NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING", "FINISHED", "FAILED", "KILLED")
RUNNING_STATES = ("NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING")
TERMINAL_STATES = ("FINISHED", "FAILED", "KILLED")
JOB_TYPES = ("MapReduce", "SparkSubmit", "HiveScript", "HiveSql", "DistCp", "SparkScript", "SparkSql", "Flink")

# "The job does not exist." (both codes are in MRS's error table); matched whatever the HTTP status.
JOB_NOT_FOUND_CODES = ("0176", "0201")
CLUSTER_NOT_FOUND_CODE = "12000003"
# Refusals that one member of a batch can cause: a running job, or the generic batch failures.
BATCH_MEMBER_CODES = ("0161", "0183", "0189", "0199")

# v1.1 job_state codes. Sources disagree on whether "terminated" is -1 or 1, and Huawei's Terraform provider
# reads 1 as "starting"; job_final_status (0 = unfinished) tells the two meanings of 1 apart.
V1_STATE_NAMES = {-1: "terminated", 1: "starting", 2: "running", 3: "completed", 4: "abnormal", 5: "error"}


def v1_state(record):
    """A v1.1 record's state in the v2 vocabulary the options use: RUNNING, FINISHED, FAILED or KILLED."""
    state = record.get("job_state")
    unfinished = record.get("job_final_status") in (None, 0)
    if state == 2 or (state == 1 and unfinished):
        return "RUNNING"
    if state == 3:
        return "FINISHED"
    if state in (4, 5):
        return "FAILED"
    if state in (-1, 1):
        return "KILLED"
    return "UNKNOWN"


JOB_ID_RULE = IdRule(r"^[A-Za-z0-9-]+$", "MRS ids use letters, digits and '-', at most 64 characters", 64)
CLUSTER_ID_RULE = IdRule(r"^[A-Za-z0-9-]+$", "cluster ids use letters, digits and '-', at most 64 characters", 64)

LIST_PAGE_SIZE = 100  # the largest page Huawei's own tooling asks for; larger sizes are not documented
V1_LIST_PAGE_SIZE = 100  # documented maximum of v1.1 page_size
# Larger than any page: a batch the API refuses as too large is split in halves like any refused batch,
# so the largest batch is also a safe one.
DEFAULT_BATCH_SIZE = 1000

FILTER_KEYS = ("name", "name_pattern", "states", "older_than", "job_types", "user", "queue")


class MrsClient:
    """Every MRS request the collection makes."""

    def __init__(self, connection):
        self._conn = connection

    def _v2(self, cluster_id, suffix=""):
        return "/v2/%s/clusters/%s/job-executions%s" % (self._conn.project_id, cluster_id, suffix)

    def _v1(self, suffix):
        return "/v1.1/%s/%s" % (self._conn.project_id, suffix)

    # v2 ---------------------------------------------------------------------------------------------------------
    def list_job_executions(self, cluster_id, query):
        """All executions in the cluster matching the server-side ``query``, page by page."""

        def fetch(limit, page):
            params = dict(query, limit=str(limit), offset=str(page))
            body = self._conn.request("ShowJobExeListNew", "GET", self._v2(cluster_id), query=params, ok_status=(200, 202))
            body = body or {}
            items = body.get("job_list") or []
            return items, _int(body.get("total_record"), len(items))

        for page in stable_pages(page_number_pages, fetch, LIST_PAGE_SIZE, lambda r: r.get("job_id")):
            yield from page

    def count_job_executions(self, cluster_id, query):
        body = self._conn.request(
            "ShowJobExeListNew", "GET", self._v2(cluster_id), query=dict(query, limit="1", offset="1"), ok_status=(200, 202)
        ) or {}
        return _int(body.get("total_record"), 0)

    def show_job_execution(self, cluster_id, job_id):
        """The execution, or None when MRS says it does not exist."""
        try:
            body = self._conn.request("ShowSingleJobExe", "GET", self._v2(cluster_id, "/" + job_id), ok_status=(200, 202))
        except ApiError as error:
            if error.code in JOB_NOT_FOUND_CODES:
                return None
            raise
        return (body or {}).get("job_detail")

    def batch_delete_job_executions(self, cluster_id, job_ids):
        self._conn.request(
            "BatchDeleteJobs",
            "POST",
            self._v2(cluster_id, "/batch-delete"),
            json_body={"job_id_list": list(job_ids)},
            ok_status=(200, 202, 204),
            mutating=True,
        )

    def kill_job_execution(self, cluster_id, job_id):
        self._conn.request(
            "StopJob", "POST", self._v2(cluster_id, "/%s/kill" % job_id), ok_status=(200, 202, 204), mutating=True
        )

    # v1.1 -------------------------------------------------------------------------------------------------------
    def list_job_exes_v1(self, query):
        def fetch(limit, page):
            params = dict(query, page_size=str(limit), current_page=str(page))
            body = self._conn.request("ListExecuteJob", "GET", self._v1("job-exes"), query=params, ok_status=(200,)) or {}
            items = body.get("job_executions") or []
            return items, _int(body.get("totalRecord", body.get("total_record")), len(items))

        for page in stable_pages(page_number_pages, fetch, V1_LIST_PAGE_SIZE, lambda r: r.get("id")):
            yield from page

    def show_job_exe_v1(self, job_exe_id):
        try:
            body = self._conn.request("ShowJobExes", "GET", self._v1("job-exes/" + job_exe_id), ok_status=(200,))
        except ApiError as error:
            if _v1_not_found(error):
                return None
            raise
        return (body or {}).get("job_execution")

    def delete_job_execution_v1(self, job_exe_id):
        self._conn.request(
            "DeleteJobExecution", "DELETE", self._v1("job-executions/" + job_exe_id), ok_status=(200, 202, 204), mutating=True
        )


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _v1_not_found(error):
    # The v1.1 "does not exist" answer is not documented: the job codes, or a plain 404.
    return error.code in JOB_NOT_FOUND_CODES or error.status == 404


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
    if error.code in JOB_NOT_FOUND_CODES or error.status == 404:
        return GONE
    if error.status in (401, 403) or (error.code or "").startswith(("APIGW.03", "APIG.03")):
        return ABORT
    if error.code in BATCH_MEMBER_CODES or error.status in (400, 409):
        return MEMBER
    return FAILED


class MrsSelection:
    """``job_execution_ids`` and ``filters`` of the MRS modules, validated before any request."""

    def __init__(self, params, deleting):
        self.ids = JOB_ID_RULE.validate(params.get("job_execution_ids"), "job_execution_ids")
        filters = params.get("filters") or {}
        self.filters = filters
        states = filters.get("states")
        force = bool(params.get("force"))
        if states is not None:
            check_states(states, JOB_STATES, RUNNING_STATES if deleting else (), force)
        elif deleting and self.ids is None:
            states = list(TERMINAL_STATES)  # a filter-only cleanup touches finished executions unless told otherwise
        self.states = states
        self.record_filter = RecordFilter(
            name=filters.get("name"),
            name_pattern=filters.get("name_pattern"),
            states=states,
            older_than=filters.get("older_than"),
        )
        for key, field in (("job_types", "job_type"), ("user", "user"), ("queue", "queue")):
            wanted = filters.get(key)
            if wanted is None:
                continue
            allowed = set(wanted) if isinstance(wanted, list) else {wanted}
            self.record_filter.require(lambda record, field=field, allowed=allowed: record.get(field) in allowed)

    def matches_v2(self, record):
        return self.record_filter.matches(
            record, record.get("job_name"), record.get("job_state"), _seconds(record.get("submitted_time"))
        )


def _seconds(millis):
    try:
        return int(millis) / 1000.0
    except (TypeError, ValueError):
        return None


class MrsJobExecutions(CleanupTarget):
    """MRS v2 job executions of one cluster."""

    noun = "MRS job execution"

    def __init__(self, client, cluster_id, selection, batch_size=DEFAULT_BATCH_SIZE):
        self.ids = selection.ids
        if not cluster_id:
            raise ConfigurationError("cluster_id is required with api_version=v2")
        cluster_id = CLUSTER_ID_RULE.validate([cluster_id], "cluster_id")[0]
        self.client = client
        self.cluster_id = cluster_id
        self.selection = selection
        self.batch_size = batch_size

    def record_id(self, record):
        return record.get("job_id")

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

    def look(self):
        try:
            if self.selection.ids is None:
                records = [r for r in self.client.list_job_executions(self.cluster_id, self._server_query())
                           if self.selection.matches_v2(r)]
                return records, []
            return self._look_up_ids(self.selection.ids)
        except ApiError as error:
            _raise_for_cluster(error, self.cluster_id)
            raise

    def _look_up_ids(self, ids):
        """Per-id show, or the paged list when that takes fewer requests."""
        if len(ids) > 1:
            # No server-side filters here: an id that exists but does not match is not "already absent".
            query = {}
            total = self.client.count_job_executions(self.cluster_id, query)
            pages = -(-total // LIST_PAGE_SIZE)
            if pages < len(ids):
                wanted = set(ids)
                found = {r["job_id"]: r for r in self.client.list_job_executions(self.cluster_id, query)
                         if r.get("job_id") in wanted}
                return self._keep_matching(ids, found)
        found = {}
        for job_id in ids:
            record = self.client.show_job_execution(self.cluster_id, job_id)
            if record is not None:
                found[job_id] = record
        return self._keep_matching(ids, found)

    def _keep_matching(self, ids, found):
        absent = [i for i in ids if i not in found]
        if self.selection.filters:
            records = [found[i] for i in ids if i in found and self.selection.matches_v2(found[i])]
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
            self.classify, result,
        )

    def classify(self, error):
        if error.code == CLUSTER_NOT_FOUND_CODE:
            return ABORT
        return classify_delete_error(error)


class MrsJobExecutionsV1(CleanupTarget):
    """MRS v1.1 job execution objects (deprecated API; no kill, one DELETE per execution)."""

    noun = "MRS v1.1 job execution"

    def __init__(self, client, cluster_id, selection, workers=4):
        self.ids = selection.ids
        if cluster_id:
            cluster_id = CLUSTER_ID_RULE.validate([cluster_id], "cluster_id")[0]
        if selection.ids is None and not cluster_id:
            raise ConfigurationError("cluster_id is required to select MRS v1.1 job executions by filters")
        if selection.filters.get("job_types") or selection.filters.get("user") or selection.filters.get("queue"):
            raise ConfigurationError("filters.job_types, filters.user and filters.queue need api_version=v2")
        self.client = client
        self.cluster_id = cluster_id
        self.selection = selection
        self.workers = workers

    def record_id(self, record):
        return record.get("id")

    def _matches(self, record):
        return self.selection.record_filter.matches(
            record, record.get("job_name"), v1_state(record), _seconds(record.get("create_at"))
        )

    def look(self):
        if self.selection.ids is None:
            query = {"cluster_id": self.cluster_id}
            if self.selection.filters.get("name") is not None:
                query["job_name"] = self.selection.filters["name"]
            return [r for r in self.client.list_job_exes_v1(query) if self._matches(r)], []
        found = {}
        for exe_id in self.selection.ids:
            record = self.client.show_job_exe_v1(exe_id)
            if record is not None and (not self.cluster_id or record.get("cluster_id") == self.cluster_id):
                found[exe_id] = record
        absent = [i for i in self.selection.ids if i not in found]
        records = [found[i] for i in self.selection.ids if i in found
                   and (not self.selection.filters or self._matches(found[i]))]
        return records, absent

    def blocker(self, record):
        if v1_state(record) == "RUNNING":
            state = record.get("job_state")
            return "still %s (job_state %s)" % (V1_STATE_NAMES.get(state, state), state)
        return None

    def stop(self, record):
        raise ConfigurationError("the MRS v1.1 API cannot stop a job execution; use api_version=v2 with force=true")

    def refresh(self, ids):
        return {exe_id: self.client.show_job_exe_v1(exe_id) for exe_id in ids}

    def delete(self, ids, result):
        delete_each(ids, self.client.delete_job_execution_v1, self.classify, result, workers=self.workers)

    def classify(self, error):
        if _v1_not_found(error):
            return GONE
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
)


def mrs_target(client, params, deleting):
    """The cleanup target the module's options describe, validated before any request."""
    selection = MrsSelection(params, deleting)
    if params.get("api_version") == "v1.1":
        if params.get("force"):
            raise ConfigurationError(
                "force is not supported with api_version=v1.1: the v1.1 API has no way to stop a job execution; "
                "use api_version=v2 with cluster_id to kill and delete running executions"
            )
        return MrsJobExecutionsV1(client, params.get("cluster_id"), selection)
    return MrsJobExecutions(client, params.get("cluster_id"), selection, batch_size=params.get("batch_size") or DEFAULT_BATCH_SIZE)
