"""All emulator state in one place: records per service, configuration, request log, faults, rate limits.

Every access goes through ``EmulatorState.lock``. Time-based transitions (a killed job becoming KILLED, a
terminated Tencent job finishing) are applied lazily by ``advance()`` at the start of every request.
"""

import copy
import hashlib
import secrets
import string
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

# The regions Tencent Cloud Batch answers in, as the emulator's default: the region list of the Tencent Cloud API
# 3.0 "Request Structure" pages (the public, non-financial regions; the financial ap-shanghai-fsi and
# ap-shenzhen-fsi are served too). UNCONFIRMED per service: Tencent publishes no Batch-specific list in the
# reference used here; change it with the setting tencent_batch_regions (POST /_emulator/config).
TENCENT_BATCH_REGIONS = (
    "ap-guangzhou", "ap-shanghai", "ap-nanjing", "ap-beijing", "ap-chengdu", "ap-chongqing", "ap-hongkong",
    "ap-singapore", "ap-jakarta", "ap-bangkok", "ap-mumbai", "ap-seoul", "ap-tokyo", "na-siliconvalley",
    "na-ashburn", "na-toronto", "sa-saopaulo", "eu-frankfurt", "ap-shanghai-fsi", "ap-shenzhen-fsi",
)

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
    # The regions Batch serves; any other X-TC-Region gets UnsupportedRegion (see TENCENT_BATCH_REGIONS).
    "tencent_batch_regions": list(TENCENT_BATCH_REGIONS),
    "temporary_credential_lifetime": None,
    "huawei_metadata_agency": creds.HUAWEI_AGENCY_NAME,
    "huawei_metadata_token_service": "on",
    "tencent_metadata_role": creds.TENCENT_ROLE_NAME,
}

# What a default issued credential lives when nothing asks for a duration (the metadata services), in seconds.
METADATA_CREDENTIAL_LIFETIME = 3600
DEFAULT_TENCENT_ROLES = [{"RoleArn": creds.TENCENT_ROLE_ARN}]
DEFAULT_HUAWEI_AGENCIES = [{"agency_name": creds.HUAWEI_AGENCY_NAME, "domain_name": creds.HUAWEI_DOMAIN_NAME,
                            "domain_id": creds.HUAWEI_DOMAIN_ID}]

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
            self.tencent_roles = {}    # RoleArn -> role record (RoleArn, RoleName, RoleId)
            self.huawei_agencies = {}  # (domain_id, agency_name) -> agency record (agency_name, domain_name, domain_id, id)
            self.issued = {}       # access key / SecretId -> issued temporary credential (see issue())
            self.metadata_tokens = {}  # X-Metadata-Token -> expiry (epoch seconds)
            for role in DEFAULT_TENCENT_ROLES:
                self.add_tencent_role(role)
            for agency in DEFAULT_HUAWEI_AGENCIES:
                self.add_huawei_agency(agency)

    def configure(self, changes):
        with self.lock:
            for key, value in changes.items():
                if key not in DEFAULT_CONFIG:
                    raise ValueError("unknown config key %r" % key)
                if key == "tencent_batch_regions" and (not isinstance(value, list)
                                                       or not all(isinstance(r, str) for r in value)):
                    raise ValueError("tencent_batch_regions is a list of region names")
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

    # -- identities and the temporary credentials they issue ------------------------------------------------------
    def add_tencent_role(self, raw):
        role = dict(raw)
        arn = role["RoleArn"]
        role.setdefault("RoleName", arn.rsplit("/", 1)[-1])
        role.setdefault("RoleId", "4611686018%09d" % (int(_digest(arn), 16) % 10 ** 9))
        self.tencent_roles[arn] = role

    def add_huawei_agency(self, raw):
        agency = dict(raw)
        agency.setdefault("domain_name", creds.HUAWEI_DOMAIN_NAME)
        agency.setdefault("domain_id", creds.HUAWEI_DOMAIN_ID if agency["domain_name"] == creds.HUAWEI_DOMAIN_NAME
                          else _digest("domain:" + agency["domain_name"]))
        agency.setdefault("id", _digest("agency:%s:%s" % (agency["domain_id"], agency["agency_name"])))
        self.huawei_agencies[(agency["domain_id"], agency["agency_name"])] = agency

    def find_huawei_agency(self, agency_name, domain_name=None, domain_id=None):
        for agency in self.huawei_agencies.values():
            if agency["agency_name"] == agency_name and (
                    domain_id is not None and agency["domain_id"] == domain_id
                    or domain_id is None and agency["domain_name"] == domain_name):
                return agency
        return None

    def lifetime(self, requested):
        """Seconds an issued credential lives: what was asked for, capped by ``temporary_credential_lifetime``."""
        cap = self.config.get("temporary_credential_lifetime")
        return float(requested) if cap is None else min(float(requested), float(cap))

    def issue(self, cloud, source, principal, duration, session_name=None, caller=None):
        """Record and return a new temporary credential: ``cloud`` "huawei" or "tencent", ``source`` the operation
        that issued it, ``principal`` the role ARN / agency URN / bound agency or role it stands for."""
        now = time.time()
        if cloud == "tencent":
            access = "AKID" + _random(string.ascii_letters + string.digits, 32)
            secret = _random(string.ascii_letters + string.digits, 32)
            expires = float(int(now + self.lifetime(duration)))  # Tencent states expiry in whole seconds
        else:
            access = "HST" + _random(string.ascii_uppercase + string.digits, 17)
            secret = _random(string.ascii_letters + string.digits, 40)
            expires = round(now + self.lifetime(duration), 3)
        record = {"cloud": cloud, "source": source, "principal": principal, "session_name": session_name,
                  "caller": caller, "access": access, "secret": secret, "token": secrets.token_urlsafe(96),
                  "issued_at": now, "expires_at": expires}
        self.issued[access] = record
        return record

    def current_metadata_credential(self, cloud, principal):
        """The credential the instance metadata hands out now: the last one issued for ``principal`` while it has
        more than half its life left (as the real services rotate them ahead of expiry), else a new one."""
        now = time.time()
        for record in sorted(self.issued.values(), key=lambda r: -r["issued_at"]):
            if (record["cloud"], record["source"], record["principal"]) == (cloud, "metadata", principal):
                if record["expires_at"] - now > (record["expires_at"] - record["issued_at"]) / 2:
                    return record
                break
        return self.issue(cloud, "metadata", principal, METADATA_CREDENTIAL_LIFETIME)

    def issued_credential(self, access):
        return self.issued.get(access)


def _digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _random(alphabet, length):
    return "".join(secrets.choice(alphabet) for _position in range(length))


def now_ms():
    return int(time.time() * 1000)


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
