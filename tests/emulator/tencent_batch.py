"""Tencent Cloud Batch Compute, API 3.0 version 2017-03-12: DescribeJob, DescribeJobs, DeleteJob, TerminateJob.

Business errors are HTTP 200 with Response.Error, always with Content-Type application/json and a RequestId.
"""

import re
import time

from emulator.state import DEMO_TENCENT_REGION, iso
from emulator.wire import tencent_error, tencent_ok

NAME = "tencent"
CLOUD = "tencent"
VERSION = "2017-03-12"
ACTIONS = ("DescribeJob", "DescribeJobs", "DeleteJob", "TerminateJob")
JOB_ID = re.compile(r"^job-[a-z0-9]{8}$")
STATES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEED", "FAILED", "FAILED_INTERRUPTED")
COUNTERS = {"SUBMITTED": "SubmittedCount", "PENDING": "PendingCount", "RUNNABLE": "RunnableCount",
            "STARTING": "StartingCount", "RUNNING": "RunningCount", "SUCCEED": "SucceedCount",
            "FAILED": "FailedCount", "FAILED_INTERRUPTED": "FailedInterruptedCount"}
UNFINISHED = ("SubmittedCount", "PendingCount", "RunnableCount", "StartingCount", "RunningCount", "FailedInterruptedCount")
# DescribeJob's answer (DescribeJobResponse without RequestId): what it carries of a seeded record.
DESCRIBE_JOB_FIELDS = ("JobId", "JobName", "Zone", "Priority", "JobState", "CreateTime", "EndTime", "TaskSet",
                       "DependenceSet", "TaskMetrics", "TaskInstanceMetrics", "StateReason", "Tags", "NextAction")
FILTER_NAMES = ("job-id", "job-name", "job-state", "zone", "tag-key", "tag-value")


def match(method, path):
    return None  # recognised by X-TC-Action in server.route


def throttled(state):
    return tencent_error("RequestLimitExceeded", "Your current request times exceeds the limit.")


def _metrics(state_name, count=1):
    metrics = {name: 0 for name in COUNTERS.values()}
    metrics[COUNTERS[state_name]] = count
    return metrics


def seed(state, records):
    for raw in records:
        job = dict(raw)
        region = job.pop("Region", None) or DEMO_TENCENT_REGION
        job_state = job.setdefault("JobState", "SUCCEED")
        job.setdefault("JobName", job["JobId"])
        job.setdefault("Zone", region + "-3")
        job.setdefault("Priority", 1)
        job.setdefault("CreateTime", iso(time.time() - 3600))
        # api.json: a job's EndTime is never null (an unfinished job's is "", the emulator's choice), a task's may be.
        job.setdefault("EndTime", job["CreateTime"] if job_state in ("SUCCEED", "FAILED") else "")
        task = {"TaskName": "task-1", "TaskState": job_state, "CreateTime": job["CreateTime"],
                "EndTime": job["EndTime"] or None}
        job.setdefault("TaskSet", [task])
        job.setdefault("DependenceSet", [])
        job.setdefault("TaskMetrics", _metrics(job_state))
        job.setdefault("TaskInstanceMetrics", _metrics(job_state))
        job.setdefault("StateReason", "" if job_state != "FAILED" else "task failed")
        job.setdefault("Tags", [])
        job.setdefault("NextAction", "")
        state.tencent[(region, job["JobId"])] = job
        if job_state == "SUBMITTED" and state.config.get("submitted_delay") is not None:
            _schedule_start(state, region, job)


def _schedule_start(state, region, job):
    def start(job=job):
        if job["JobState"] == "SUBMITTED":
            job["JobState"] = "RUNNING"
            job["TaskMetrics"] = _metrics("RUNNING")
            job["TaskInstanceMetrics"] = _metrics("RUNNING")
    state.schedule("tencent-start", (region, job["JobId"]), state.config["submitted_delay"], start)


def dump(state):
    return {"tencent": [dict(j, Region=r) for (r, _i), j in sorted(state.tencent.items())]}


def vanish(state, ids):
    for key in [k for k in state.tencent if k[1] in ids]:
        del state.tencent[key]


def _finished(job):
    metrics = job.get("TaskInstanceMetrics") or {}
    return job["JobState"] in ("SUCCEED", "FAILED") and not any(int(metrics.get(n) or 0) for n in UNFINISHED)


def _view(job):
    return {"JobId": job["JobId"], "JobName": job["JobName"], "JobState": job["JobState"], "Priority": job["Priority"],
            "Placement": {"Zone": job["Zone"], "ProjectId": 0}, "CreateTime": job["CreateTime"],
            "EndTime": job["EndTime"], "TaskMetrics": job["TaskMetrics"], "Tags": job["Tags"]}


def handle(state, operation, params, request):
    if request.headers.get("X-TC-Version") is None or request.headers.get("X-TC-Region") is None:
        return tencent_error("MissingParameter", "X-TC-Version and X-TC-Region are required.")
    if request.headers.get("X-TC-Version") != VERSION:
        return tencent_error("NoSuchVersion", "The API version does not exist.")
    if operation not in ACTIONS:
        return tencent_error("InvalidAction", "The action %s does not exist." % operation)
    region = request.headers["X-TC-Region"]
    if region not in state.config["tencent_batch_regions"]:
        # The common error of API 3.0, HTTP 200 with a RequestId; the message as the API words it. A typo'd
        # region is an error, never an empty region with nothing to clean.
        return tencent_error("UnsupportedRegion", "The action not support this region.")
    body = request.json()
    if not isinstance(body, dict):
        return tencent_error("InvalidParameter", "The request body is not a JSON object.")
    if operation == "DescribeJobs":
        return _describe_jobs(state, region, body)
    job_id = body.get("JobId")
    if not isinstance(job_id, str):
        return tencent_error("MissingParameter", "JobId is required.")
    if not JOB_ID.match(job_id):
        return tencent_error("InvalidParameter.JobIdMalformed", "Invalid job ID format.")
    job = state.tencent.get((region, job_id))
    if job is None:
        return tencent_error("ResourceNotFound.Job", "The specified job does not exist.")
    if operation == "DescribeJob":
        return tencent_ok({k: job[k] for k in DESCRIBE_JOB_FIELDS if k in job})
    if operation == "DeleteJob":
        if not _finished(job):
            return tencent_error(state.config["tencent_not_finished_error"],
                                 "The job or one of its task instances has not finished.")
        del state.tencent[(region, job_id)]
        return tencent_ok({})
    return _terminate(state, region, job)


def _terminate(state, region, job):
    if job["JobState"] == "SUBMITTED":
        return tencent_error(state.config["tencent_terminate_submitted_error"],
                             "A job in the SUBMITTED state cannot be terminated.")
    if _finished(job):
        return tencent_ok({})  # "does not take effect" on a finished job
    job["NextAction"] = "TERMINATING"

    def finish(job=job):
        metrics = dict(job["TaskInstanceMetrics"])
        failed = sum(int(metrics.get(n) or 0) for n in UNFINISHED)
        for name in UNFINISHED:
            metrics[name] = 0
        metrics["FailedCount"] = int(metrics.get("FailedCount") or 0) + failed
        job["TaskInstanceMetrics"] = metrics
        job["TaskMetrics"] = dict(metrics)
        job["JobState"] = "SUCCEED" if not metrics["FailedCount"] else state.config["tencent_terminated_state"]
        job["NextAction"] = ""
        job["EndTime"] = iso(time.time())
    state.schedule("tencent", (region, job["JobId"]), state.config["terminate_delay"], finish)
    return tencent_ok({})


def _describe_jobs(state, region, body):
    if "JobIds" in body and "Filters" in body:
        return tencent_error("InvalidParameter.InvalidParameterCombination", "JobIds and Filters cannot be combined.")
    limit = body.get("Limit", 20)
    offset = body.get("Offset", 0)
    if not isinstance(limit, int) or not isinstance(offset, int) or limit < 0 or offset < 0:
        return tencent_error("InvalidParameterValue", "Limit and Offset must be non-negative integers.")
    if limit > 100:
        return tencent_error("InvalidParameterValue.LimitExceeded", "Limit must not exceed 100.")
    jobs = [j for (r, _i), j in state.tencent.items() if r == region]
    if "JobIds" in body:
        ids = body["JobIds"]
        if not isinstance(ids, list) or len(ids) > int(state.config["tencent_describe_jobs_max_ids"]):
            return tencent_error("InvalidParameterValue.LimitExceeded", "Too many JobIds.")
        for job_id in ids:
            if not isinstance(job_id, str) or not JOB_ID.match(job_id):
                return tencent_error("InvalidParameter.JobIdMalformed", "Invalid job ID format.")
        by_id = {j["JobId"]: j for j in jobs}
        missing = [i for i in ids if i not in by_id]
        if missing and state.config["tencent_describe_jobs_unknown_ids"] == "error":
            return tencent_error("ResourceNotFound.Job", "The specified job does not exist.")
        jobs = [by_id[i] for i in ids if i in by_id]
    for flt in body.get("Filters") or []:
        name, values = flt.get("Name"), flt.get("Values") or []
        if name == "job-id":
            jobs = [j for j in jobs if j["JobId"] in values]
        elif name == "job-name":
            jobs = [j for j in jobs if j["JobName"] in values]
        elif name == "job-state":
            if any(v not in STATES for v in values):
                return tencent_error("InvalidParameterValue.InvalidFilter", "Unknown job state.")
            jobs = [j for j in jobs if j["JobState"] in values]
        elif name == "zone":
            jobs = [j for j in jobs if j["Zone"] in values]
        elif name == "tag-key":
            jobs = [j for j in jobs if any(t["Key"] in values for t in j["Tags"])]
        elif name == "tag-value":
            jobs = [j for j in jobs if any(t["Value"] in values for t in j["Tags"])]
        elif isinstance(name, str) and name.startswith("tag:"):
            key = name[4:]
            jobs = [j for j in jobs if any(t["Key"] == key and t["Value"] in values for t in j["Tags"])]
        else:
            return tencent_error("InvalidFilter", "The filter %s is not supported." % name)
    if "JobIds" not in body:
        jobs.sort(key=lambda j: (j["CreateTime"], j["JobId"]), reverse=True)
    return tencent_ok({"TotalCount": len(jobs), "JobSet": [_view(j) for j in jobs[offset:offset + limit]]})
