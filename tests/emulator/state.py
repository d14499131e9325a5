"""All emulator state in one place: records per service, configuration, request log, faults, rate limits.

Every access goes through ``EmulatorState.lock``. Time-based transitions (a killed job becoming KILLED, a
terminated Tencent job finishing) are applied lazily by ``advance()`` at the start of every request.
"""

import copy
import threading
import time

from emulator import credentials as creds

DEMO_PROJECT = creds.HUAWEI_PROJECT_ID
DEMO_REGION = creds.HUAWEI_REGION
DEMO_TENCENT_REGION = creds.TENCENT_REGION

HUAWEI_CREDENTIALS = {
    # AK: (SK, required security token or None)
    creds.HUAWEI_ACCESS_KEY: (creds.HUAWEI_SECRET_KEY, None),
    creds.HUAWEI_TEMPORARY_ACCESS_KEY: (creds.HUAWEI_TEMPORARY_SECRET_KEY, creds.HUAWEI_TEMPORARY_SECURITY_TOKEN),
}
HUAWEI_TOKENS = {creds.HUAWEI_AUTH_TOKEN}
TENCENT_CREDENTIALS = {
    creds.TENCENT_SECRET_ID: (creds.TENCENT_SECRET_KEY, None),
    creds.TENCENT_TEMPORARY_SECRET_ID: (creds.TENCENT_TEMPORARY_SECRET_KEY, creds.TENCENT_TEMPORARY_SECURITY_TOKEN),
}

# Every setting, with its default. UNCONFIRMED behaviours of the real APIs are settings (docs/emulator.md).
DEFAULT_CONFIG = {
    "latency": {"*": 0.0},
    "rate_limits": {"tencent.DeleteJob": 2.0},
    "retry_after_header": False,
    "projects": {DEMO_REGION: DEMO_PROJECT},
    "kill_delay": 0.5,
    "terminate_delay": 0.5,
    "submitted_delay": None,
    "mrs_not_found_status": 400,
    "mrs_batch_delete_unknown_ids": "reject",
    "mrs_batch_delete_running": "reject",
    "mrs_batch_delete_max": None,
    "mrs_list_max_limit": 100,
    "mrs_list_over_limit": "clamp",
    "mrs_v1_terminated_code": -1,
    "mrs_v1_not_found": {"status": 404, "code": "MRS.0404"},
    "workspace_unknown_ids": "reject",
    "workspace_not_found": {"status": 400, "code": "WKS.0103"},
    "tencent_not_finished_error": "UnsupportedOperation",
    "tencent_terminate_submitted_error": "UnsupportedOperation",
    "tencent_describe_jobs_unknown_ids": "omit",
    "tencent_describe_jobs_max_ids": 100,
    "tencent_terminated_state": "FAILED",
}

MUTATING = {"BatchDeleteJobs", "StopJob", "DeleteJobExecution", "BatchDeleteScheduledTasks",
            "DeleteScheduledTasks", "DeleteJob", "TerminateJob"}


class TokenBucket:
    def __init__(self, rate):
        self.rate = float(rate)
        self.tokens = float(max(1.0, rate))
        self.last = time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(max(1.0, self.rate), self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class EmulatorState:
    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.config = copy.deepcopy(DEFAULT_CONFIG)
            self.mrs = {}          # (project, job_id) -> JobQueryBean + cluster_id
            self.mrs_clusters = set()  # (project, cluster_id)
            self.mrs_v1 = {}       # (project, id) -> JobExeResult
            self.workspace = {}    # (project, id) -> ScheduledTask + show fields
            self.tencent = {}      # (region, JobId) -> DescribeJob fields
            self.log = []
            self.faults = []
            self.buckets = {}
            self.pending = {}      # ("mrs"|"tencent", key) -> (due time, action)
            self.mrs_version = 0   # bumped on every MRS change; keys the list cache
            self.mrs_list_cache = {}

    def configure(self, changes):
        with self.lock:
            for key, value in changes.items():
                if key not in DEFAULT_CONFIG:
                    raise ValueError("unknown config key %r" % key)
                if isinstance(DEFAULT_CONFIG[key], dict) and isinstance(value, dict) and key in ("latency", "rate_limits", "projects"):
                    self.config[key].update(value)
                else:
                    self.config[key] = value
            self.buckets = {}
            return copy.deepcopy(self.config)

    def allow(self, service, operation):
        """The per-operation rate limit: False when this call is over it."""
        key = "%s.%s" % (service, operation)
        rate = self.config["rate_limits"].get(key)
        if not rate:
            return True
        bucket = self.buckets.get(key)
        if bucket is None or bucket.rate != float(rate):
            bucket = self.buckets[key] = TokenBucket(rate)
        return bucket.take()

    def latency(self, service, operation):
        lat = self.config["latency"]
        return float(lat.get("%s.%s" % (service, operation), lat.get(service, lat.get("*", 0.0))) or 0.0)

    def take_fault(self, service, operation):
        for fault in self.faults:
            if fault.get("service", "*") in ("*", service) and fault.get("operation", "*") in ("*", operation):
                if fault.get("skip", 0) > 0:  # let this many matching calls through first
                    fault["skip"] -= 1
                    return None
                fault["count"] = fault.get("count", 1) - 1
                if fault["count"] <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def schedule(self, kind, key, delay, action):
        self.pending[(kind, key)] = (time.time() + float(delay or 0), action)

    def advance(self):
        now = time.time()
        for pkey, (due, action) in list(self.pending.items()):
            if due <= now:
                del self.pending[pkey]
                action()

    def projects(self):
        return set(self.config["projects"].values()) | {DEMO_PROJECT}


def now_ms():
    return int(time.time() * 1000)


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
