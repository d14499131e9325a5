"""All emulator state in one place: records per service, configuration, request log, faults, rate limits.

Every access goes through ``EmulatorState.lock``. Time-based transitions (a killed job becoming KILLED, a
terminated Tencent job finishing) are applied lazily by ``advance()`` at the start of every request.
"""

import copy
import fnmatch
import hashlib
import re
import secrets
import string
import threading
import time

from emulator import credentials as creds
from emulator import policies

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
    "projects": {DEMO_REGION: DEMO_PROJECT},
    "kill_delay": 0.5,
    "terminate_delay": 0.5,
    "submitted_delay": None,
    # HTTP status of every MRS job error (0161, 0166, 0176, 0178, 0183, ...): 400, or 500 as OTC's error table lists
    # them. UNCONFIRMED: [TF] sees 0176 with 400. 12000003 and 12000107 are 400 in every source and stay 400.
    "mrs_business_error_status": 400,
    # 0176 alone: null follows mrs_business_error_status; 400 or 500 overrides it.
    "mrs_not_found_status": None,
    "mrs_batch_delete_unknown_ids": "reject",
    "mrs_batch_delete_running": "reject",
    "mrs_batch_delete_max": None,
    "mrs_list_max_limit": 100,
    "mrs_list_over_limit": "clamp",
    "mrs_v1_terminated_code": -1,
    # Which v1.1 list parameter filters by cluster: "cluster_id" (the SDK's and the parameter table's spelling),
    # "clusterId" (OTC's example request), "both", or "none" (every cluster of the project is listed). UNCONFIRMED.
    "mrs_v1_cluster_filter": "cluster_id",
    # The v1.1 list's totalRecord: "exact", or a fixed number reported whatever the truth (OTC's example: 14, one item).
    "mrs_v1_total_record": "exact",
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
    # Further accounts whose permanent keys are accepted: accounts 1..N of credentials.huawei_account() and
    # tencent_account() (account 0, the demo account, always is).
    "accounts": 0,
    # The Huawei projects of those accounts, {"<n>": {"<region>": "<project id>"}}: MRS and Workspace serve them, and
    # IAM's KeystoneListAuthProjects answers them to the account (KeystoneListProjects answers `projects` to anyone).
    "account_projects": {},
    # What one rate_limits bucket counts: every call of the operation ("operation"), the calls of one account
    # ("account") or of one account in one region ("account_region"). UNCONFIRMED which one the clouds apply.
    "rate_limit_scope": "operation",
    # Principal (permanent key, IAM token, agency URN, CAM role ARN) -> policy; a principal without one may do
    # everything (policies.py, docs/emulator.md).
    "policies": {},
    # What a call outside its policy gets. UNCONFIRMED: the clouds' exact denial bodies; every shape seen is a setting.
    "huawei_denial": {"status": 403, "code": "APIGW.0302", "body": "error_code", "names_action": "identity",
                      "error_detail": True, "encoded_authorization_message": True},
    "tencent_denial": {"code": "UnauthorizedOperation", "names_action": True},
    # Huawei operations API Gateway answers 404 APIGW.0101 (not published in this region or cloud): names matched
    # as fnmatch patterns against "Operation" and "service.Operation" ("ShowJobExes", "mrs.*", "*").
    "api_gateway_404": [],
}
MRS_V1_CLUSTER_FILTERS = ("cluster_id", "clusterId", "both", "none")
POLICY_SETTINGS = ("policies", "huawei_denial", "tencent_denial")
RATE_LIMIT_SCOPES = ("operation", "account", "account_region")

# What a default issued credential lives when nothing asks for a duration (the metadata services), in seconds.
METADATA_CREDENTIAL_LIFETIME = 3600
DEFAULT_TENCENT_ROLES = [{"RoleArn": creds.TENCENT_ROLE_ARN}]
DEFAULT_HUAWEI_AGENCIES = [{"agency_name": creds.HUAWEI_AGENCY_NAME, "domain_name": creds.HUAWEI_DOMAIN_NAME,
                            "domain_id": creds.HUAWEI_DOMAIN_ID}]

MUTATING = {"BatchDeleteJobs", "StopJob", "DeleteJobExecution", "BatchDeleteScheduledTasks",
            "DeleteScheduledTasks", "DeleteJob", "TerminateJob"}


def named_ids(operation, request):
    """The record ids a mutating call names (the request log's ``ids``): from the body (MRS ``job_id_list``,
    Workspace ``task_ids``, Tencent ``JobId``) or the path (single deletes, kill); [] for any other call."""
    if operation not in MUTATING:
        return []
    if operation in ("BatchDeleteJobs", "BatchDeleteScheduledTasks", "DeleteJob", "TerminateJob"):
        body = request.json()
        value = body.get({"BatchDeleteJobs": "job_id_list", "BatchDeleteScheduledTasks": "task_ids"}.get(
            operation, "JobId")) if isinstance(body, dict) else None
        values = value if isinstance(value, list) else [value]
        return [v for v in values if isinstance(v, str)]
    parts = request.path.rstrip("/").split("/")
    return [parts[-2] if operation == "StopJob" else parts[-1]]


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
        self.in_flight = 0  # API calls being served right now (not reset: calls may be in flight across a reset)
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
            self.workspace_version = 0  # bumped on every Workspace change; keys its list cache
            self.workspace_list_cache = {}
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
                if key == "accounts" and (isinstance(value, bool) or not isinstance(value, int)
                                          or not 0 <= value <= creds.MAX_ACCOUNTS):
                    raise ValueError("accounts is a number of accounts, 0 to %d" % creds.MAX_ACCOUNTS)
                if key == "account_projects" and not _account_projects(value):
                    raise ValueError('account_projects is {"<account number>": {"<region>": "<project id>"}}')
                if key == "rate_limit_scope" and value not in RATE_LIMIT_SCOPES:
                    raise ValueError("rate_limit_scope is one of: %s" % ", ".join(RATE_LIMIT_SCOPES))
                if key == "tencent_batch_regions" and (not isinstance(value, list)
                                                       or not all(isinstance(r, str) for r in value)):
                    raise ValueError("tencent_batch_regions is a list of region names")
                if key == "mrs_business_error_status" and (
                        isinstance(value, bool) or not isinstance(value, int) or not 400 <= value <= 599):
                    raise ValueError("mrs_business_error_status is an HTTP error status: 400 or 500")
                if key == "mrs_not_found_status" and value is not None and (
                        isinstance(value, bool) or not isinstance(value, int) or not 400 <= value <= 599):
                    raise ValueError("mrs_not_found_status is null or an HTTP error status: 400 or 500")
                if key == "mrs_v1_cluster_filter" and value not in MRS_V1_CLUSTER_FILTERS:
                    raise ValueError("mrs_v1_cluster_filter is one of: %s" % ", ".join(MRS_V1_CLUSTER_FILTERS))
                if key == "mrs_v1_total_record" and value != "exact" and (
                        isinstance(value, bool) or not isinstance(value, int) or value < 0):
                    raise ValueError('mrs_v1_total_record is "exact" or a number of records, 0 or more')
                if key == "mrs_v1_terminated_code" and value not in (-1, 1):
                    raise ValueError("mrs_v1_terminated_code is -1 or 1")
                if key == "api_gateway_404" and (not isinstance(value, list)
                                                 or not all(isinstance(n, str) and n for n in value)):
                    raise ValueError('api_gateway_404 is a list of operation names or patterns ("ShowJobExes", '
                                     '"mrs.*", "*")')
                if key in POLICY_SETTINGS:
                    value = policies.validate(key, value, DEFAULT_CONFIG[key])
                if isinstance(DEFAULT_CONFIG[key], dict) and isinstance(value, dict) and key in ("latency", "rate_limits", "projects"):
                    self.config[key].update(value)
                else:
                    self.config[key] = value
            self.buckets = {}
            return copy.deepcopy(self.config)

    def allow(self, service, operation, account=None, region=None):
        """The rate limit of ``service.operation``: False when this call is over it. One token bucket per operation,
        per operation and account, or per operation, account and region, as ``rate_limit_scope`` says."""
        key = "%s.%s" % (service, operation)
        rate = self.config["rate_limits"].get(key)
        if not rate:
            return True
        scope = self.config["rate_limit_scope"]
        bucket_key = (key,) if scope == "operation" else (key, account) if scope == "account" else (key, account, region)
        bucket = self.buckets.get(bucket_key)
        if bucket is None or bucket.rate != float(rate):
            bucket = self.buckets[bucket_key] = TokenBucket(rate)
        return bucket.take()

    # -- accounts -------------------------------------------------------------------------------------------------
    def permanent_credential(self, cloud, key):
        """``(secret, required token or None)`` of a key the emulator accepts without having issued it: the demo
        keys, and the keys of accounts 1..``accounts`` (credentials.py). None for any other key."""
        demo = HUAWEI_CREDENTIALS if cloud == "huawei" else TENCENT_CREDENTIALS
        if key in demo:
            return demo[key]
        n = creds.account_number(key)
        if n is None or not 1 <= n <= self.config["accounts"]:
            return None
        account = creds.huawei_account(n) if cloud == "huawei" else creds.tencent_account(n)
        if key != account["access_key" if cloud == "huawei" else "secret_id"]:
            return None
        return account["secret_key"], None

    def account_of_key(self, cloud, key):
        """The account (Huawei domain id, Tencent uin) a key acts for, or None if the emulator does not know it.

        Temporary credentials act for the account of the agency or role they were issued for; those of the instance
        metadata, and the demo temporary keys, for the demo account."""
        issued = self.issued.get(key)
        if issued is not None and issued["cloud"] == cloud:
            found = _PRINCIPAL_ACCOUNT.search(issued["principal"] or "")
            if found:
                return found.group(1) or found.group(2)
            return creds.huawei_account(0)["account"] if cloud == "huawei" else creds.tencent_account(0)["account"]
        if self.permanent_credential(cloud, key) is None:
            return None
        n = creds.account_number(key) or 0  # the demo permanent and temporary keys: account 0
        return creds.huawei_account(n)["account"] if cloud == "huawei" else creds.tencent_account(n)["account"]

    def latency(self, service, operation):
        lat = self.config["latency"]
        return float(lat.get("%s.%s" % (service, operation), lat.get(service, lat.get("*", 0.0))) or 0.0)

    def gateway_404(self, service, operation):
        """Whether API Gateway answers this Huawei operation 404 APIGW.0101 (the setting ``api_gateway_404``)."""
        return any(fnmatch.fnmatchcase(operation, name) or fnmatch.fnmatchcase("%s.%s" % (service, operation), name)
                   for name in self.config["api_gateway_404"])

    def take_fault(self, service, operation, ids=()):
        """The fault for this call, if one applies: by service and operation, and with ``when_ids`` only to calls
        that name one of those records (``ids``: what the call names, as the request log's ``ids``)."""
        for fault in self.faults:
            if fault.get("service", "*") in ("*", service) and fault.get("operation", "*") in ("*", operation):
                if fault.get("when_ids") and not set(fault["when_ids"]) & set(ids):
                    continue
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
        further = {p for projects in self.config["account_projects"].values() for p in projects.values()}
        return set(self.config["projects"].values()) | {DEMO_PROJECT} | further

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


# The account in an agency URN (iam::<domain id>:agency:<name>) or a CAM role ARN (qcs::cam::uin/<uin>:roleName/<name>).
_PRINCIPAL_ACCOUNT = re.compile(r"^(?:iam::([0-9a-f]+):agency:|qcs::cam::uin/(\d+):)")


def _account_projects(value):
    """Whether ``value`` is a valid setting account_projects."""
    return isinstance(value, dict) and all(
        isinstance(n, str) and n.isdigit() and 1 <= int(n) <= creds.MAX_ACCOUNTS and isinstance(projects, dict)
        and all(isinstance(r, str) and isinstance(p, str) and p for r, p in projects.items())
        for n, projects in value.items())


def _digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _random(alphabet, length):
    return "".join(secrets.choice(alphabet) for _position in range(length))


def now_ms():
    return int(time.time() * 1000)


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
