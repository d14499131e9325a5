# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud Batch Compute jobs (API 3.0, version 2017-03-12).

PRIVATE to this collection; no stability promise.

``TencentBatchClient`` speaks the four actions; ``TencentBatchJobs`` is the cleanup target. There is no batch
delete: ``DeleteJob`` runs once per job, concurrently, under the connection's shared rate limiter.
"""

from __future__ import annotations

import calendar
import time

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._batches import (
    ABORT,
    FAILED,
    GONE,
    NOT_FINISHED,
    StillBusy,
    delete_each,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import CleanupTarget
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, mark_not_found
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._paging import offset_pages, stable_pages
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._selection import IdRule, select

JOB_STATES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEED", "FAILED", "FAILED_INTERRUPTED")
FINISHED_STATES = ("SUCCEED", "FAILED")  # the only states DeleteJob accepts
UNFINISHED_STATES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "FAILED_INTERRUPTED")
# Task (instance) counters that must all be zero before DeleteJob is accepted.
UNFINISHED_COUNTERS = ("SubmittedCount", "PendingCount", "RunnableCount", "StartingCount", "RunningCount",
                       "FailedInterruptedCount")

NOT_FOUND = "ResourceNotFound.Job"
NOT_FINISHED_CODES = ("UnsupportedOperation", "ResourceInUse.Job")
AUTH_PREFIXES = ("AuthFailure", "UnauthorizedOperation")

# Every documented JobId is "job-" and 8 lower-case letters or digits; the exact rule is not published, so
# the client accepts any length and leaves the final word to the service (InvalidParameter.JobIdMalformed).
JOB_ID_RULE = IdRule(r"^job-[a-z0-9]+$", "Batch job ids look like job-f5da1edl: 'job-' then lower-case letters and digits", 64)

DESCRIBE_JOBS_MAX = 100  # both the JobIds per call and the page Limit
DEFAULT_WORKERS = 8


# What "the job does not exist" looks like, once per action that can meet it. DescribeJobs with JobIds may refuse
# the whole call for one unknown id on some deployments.
NOT_FOUND_RULES = {action: (lambda error: error.code == NOT_FOUND)
                   for action in ("DescribeJobs", "DescribeJob", "TerminateJob", "DeleteJob")}


class TencentBatchClient:
    """Every Batch request the collection makes. A failed call raises ApiError, with ``not_found`` set from
    ``NOT_FOUND_RULES``; ``describe_job`` answers None for a job that does not exist."""

    def __init__(self, connection):
        self._conn = connection
        self._workers = getattr(connection, "list_concurrency", 1)

    def _call(self, action, params, mutating=False):
        try:
            return self._conn.call(action, params, mutating=mutating)
        except ApiError as error:
            raise mark_not_found(error, NOT_FOUND_RULES)

    def describe_jobs_by_id(self, job_ids):
        response = self._call("DescribeJobs", {"JobIds": list(job_ids), "Limit": DESCRIBE_JOBS_MAX})
        return response.get("JobSet") or []

    def describe_jobs(self, filters):
        """Every job matching the server-side ``filters``, page by page."""

        def fetch(limit, offset):
            params = {"Limit": limit, "Offset": offset}
            if filters:
                params["Filters"] = filters
            response = self._call("DescribeJobs", params)
            jobs = response.get("JobSet") or []
            return jobs, int(response.get("TotalCount") or 0)

        for page in stable_pages(offset_pages, fetch, DESCRIBE_JOBS_MAX, lambda job: job.get("JobId"),
                                 workers=self._workers):
            yield from page

    def describe_job(self, job_id):
        """The job with its task instance counters, or None when it does not exist."""
        try:
            return self._call("DescribeJob", {"JobId": job_id})
        except ApiError as error:
            if error.not_found:
                return None
            raise

    def terminate_job(self, job_id):
        self._call("TerminateJob", {"JobId": job_id}, mutating=True)

    def delete_job(self, job_id):
        self._call("DeleteJob", {"JobId": job_id}, mutating=True)


def _epoch(text):
    """Seconds for Tencent's ``YYYY-MM-DDThh:mm:ssZ`` (UTC)."""
    if not text:
        return None
    try:
        return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")))
    except (TypeError, ValueError):
        return None


def _unfinished_counters(metrics):
    return [name for name in UNFINISHED_COUNTERS if int((metrics or {}).get(name) or 0) > 0]


def tencent_selection(job_ids, filters, force=False, deleting=True, now=None):
    """The ``Selection`` the Batch modules' ``job_ids`` and ``filters`` describe."""
    if isinstance(job_ids, str):
        job_ids = [job_ids]
    selection = select(job_ids, filters, JOB_ID_RULE, "job_ids", states=JOB_STATES, finished=FINISHED_STATES,
                       unfinished=UNFINISHED_STATES, deleting=deleting, force=force, now=now)
    selection.require("zone", "Zone", _zone)
    for key, value in sorted((selection.filters.get("tags") or {}).items()):
        selection.record_filter.require(lambda job, key=key, value=str(value): _tags(job).get(key) == value)
    return selection


def tencent_target(client, selection, workers=DEFAULT_WORKERS, instances_in_look=True):
    """The cleanup target of ``selection`` in the connection's region. ``instances_in_look``: ask DescribeJob for each
    FAILED job's task instances in the look (check mode and ``_info``: an exact prediction; ``force``: running ones are
    stopped first), or only right before deleting it (a real run: the look then costs what the run can delete)."""
    return TencentBatchJobs(client, selection, workers=workers, instances_in_look=instances_in_look)


class TencentBatchJobs(CleanupTarget):
    noun = "Batch job"
    record_fields = ("JobId", "JobName", "JobState", "CreateTime", "TaskMetrics", "TaskInstanceMetrics")
    plan_columns = ("JobId", "JobName", "JobState", "CreateTime")

    def __init__(self, client, selection, workers=DEFAULT_WORKERS, instances_in_look=True):
        self.client = client
        self.instances_in_look = instances_in_look or selection.force
        self.selection = selection
        self.ids = selection.ids
        self.filters = selection.filters
        self.states = selection.states
        self.record_filter = selection.record_filter
        self.workers = workers

    def record_id(self, record):
        return record.get("JobId")

    def _matches(self, job):
        return self.record_filter.matches(job, job.get("JobName"), job.get("JobState"), _epoch(job.get("CreateTime")))

    def kept(self, record):
        return self.selection.retention.why_kept(self.record_id(record), record.get("JobName"))

    def summary(self, record):
        return record.get("JobId"), record.get("JobName"), record.get("JobState"), record.get("CreateTime")

    def created(self, record):
        return _epoch(record.get("CreateTime"))

    def _scope_filters(self):
        """With ``keep_latest``, one list serves both the count and the selection: it must hold every job of each
        selected name in the counted states, whatever its age, zone or tags, and every job the selection can take.
        So only the name goes to the server, and the states when both sets of states are bounded (an ``_info``
        module selects every state unless ``filters.states`` narrows it, while the newest are counted among the
        finished ones)."""
        filters = []
        if self.filters.get("name") is not None:
            filters.append({"Name": "job-name", "Values": [self.filters["name"]]})
        if self.selection.retention.states and self.states:
            states = set(self.selection.retention.states) | set(self.states)
            filters.append({"Name": "job-state", "Values": sorted(states)})
        return filters

    def _server_filters(self):
        filters = []
        if self.filters.get("name") is not None:
            filters.append({"Name": "job-name", "Values": [self.filters["name"]]})
        if self.states:
            filters.append({"Name": "job-state", "Values": list(self.states)})
        if self.filters.get("zone") is not None:
            filters.append({"Name": "zone", "Values": [self.filters["zone"]]})
        for key, value in sorted((self.filters.get("tags") or {}).items()):
            filters.append({"Name": "tag:%s" % key, "Values": [str(value)]})
        return filters

    def look(self):
        scope = None
        if self.selection.retention.counts_groups:
            scope = list(self.client.describe_jobs(self._scope_filters()))
            self.selection.retention.count(scope, self.record_id, lambda job: job.get("JobName"),
                                           lambda job: job.get("JobState"), lambda job: _epoch(job.get("CreateTime")))
        if self.ids is None:
            listed = scope if scope is not None else self.client.describe_jobs(self._server_filters())
            jobs = [self.keep(job) for job in listed if self._matches(job)]
            return self._with_instance_metrics(jobs), []
        found = self.find(self.ids)
        absent = [i for i in self.ids if i not in found]
        records = [found[i] for i in self.ids if i in found and (not self.filters or self._matches(found[i]))]
        return self._with_instance_metrics(records), absent

    def find(self, ids):
        """``{id: job}`` of the ids that exist: DescribeJobs by id, in chunks."""
        found = {}
        for start in range(0, len(ids), DESCRIBE_JOBS_MAX):
            chunk = ids[start:start + DESCRIBE_JOBS_MAX]
            try:
                jobs = self.client.describe_jobs_by_id(chunk)
            except ApiError as error:
                if not error.not_found:
                    raise
                # Some deployments refuse the whole call for one unknown id: ask one by one instead.
                jobs = [job for job in (self.client.describe_job(i) for i in chunk) if job is not None]
            for job in jobs:
                found[job.get("JobId")] = job
        return found

    def _with_instance_metrics(self, jobs):
        """A FAILED job can still have task instances running, which only DescribeJob shows; ask for those
        jobs alone, so that check mode predicts exactly and a re-run sends no DeleteJob that must be refused.
        Without ``instances_in_look`` they are asked for right before each delete instead (``delete``)."""
        if not self.instances_in_look:
            return jobs
        detailed = []
        for job in jobs:
            if self._needs_instances(job) and self.kept(job) is None:
                job = self.keep(self.client.describe_job(job["JobId"]) or job)
            detailed.append(job)
        return detailed

    def look_closer(self, records):
        """The FAILED jobs of ``records`` whose task instances a real run would ask for only before deleting them,
        asked for now (the ``max_deletions`` guard counts them as check mode does)."""
        return [self.keep(self.client.describe_job(job["JobId"]) or job) for job in records
                if self._needs_instances(job)]

    @staticmethod
    def _needs_instances(job):
        return job.get("JobState") == "FAILED" and "TaskInstanceMetrics" not in job

    def blocker(self, record):
        state = record.get("JobState")
        if state not in FINISHED_STATES:
            return "still %s" % state
        # DescribeJob counts task instances, DescribeJobs only tasks: use whichever the record carries.
        busy = _unfinished_counters(record.get("TaskInstanceMetrics") or record.get("TaskMetrics"))
        if busy:
            return "%s but with unfinished task instances (%s)" % (state, ", ".join(busy))
        return None

    def stop(self, record):
        """TerminateJob. The service refuses it while the job is SUBMITTED (``classify`` reads that as NOT_FINISHED),
        so the one wait loop in ``_cleanup`` tries again until the job moves on or ``wait_timeout`` passes."""
        self.client.terminate_job(self.record_id(record))

    def refresh(self, ids):
        return {job_id: self.client.describe_job(job_id) for job_id in ids}

    def delete(self, ids, result):
        unchecked = {self.record_id(r) for r in result.records if self._needs_instances(r)}

        def delete_one(job_id):
            if job_id in unchecked:
                # A FAILED job the look could not see the task instances of: one DescribeJob, made for the jobs this
                # run reaches only, so that a backlog of FAILED jobs drains under a budget. A job gone meanwhile is
                # left to DeleteJob, whose ResourceNotFound reads as gone.
                job = self.client.describe_job(job_id)
                busy = self.blocker(job) if job is not None else None
                if busy is not None:
                    raise StillBusy("%s; force=true stops it" % busy)
            self.client.delete_job(job_id)

        delete_each(ids, delete_one, self.classify, result, workers=self.workers)

    def classify(self, error):
        code = error.code or ""
        if error.not_found:
            return GONE
        if code.startswith(AUTH_PREFIXES):
            return ABORT
        if code in NOT_FINISHED_CODES:
            return NOT_FINISHED  # DescribeJobs cannot show unfinished task instances; DeleteJob can refuse for them
        return FAILED


def _zone(job):
    return job.get("Zone") or (job.get("Placement") or {}).get("Zone")


def _tags(job):
    return {t.get("Key"): t.get("Value") for t in (job.get("Tags") or [])}


# The ``filters`` option of both Batch modules, validated by AnsibleModule.
TENCENT_FILTER_SPEC = dict(
    name=dict(type="str"),
    name_pattern=dict(type="str"),
    states=dict(type="list", elements="str", choices=list(JOB_STATES)),
    older_than=dict(type="str"),
    zone=dict(type="str"),
    tags=dict(type="dict"),
    keep_latest=dict(type="int"),
    keep_name_patterns=dict(type="list", elements="str"),
)


def render_job(job):
    """A job in the module's return shape: the API's field names in snake_case, tags as a dict."""
    rendered = camel_dict_to_snake_dict({k: v for k, v in job.items() if k not in ("Tags", "RequestId")})
    rendered["tags"] = _tags(job)
    return rendered
