"""Secrets never reach any output: every module at -vvvv, with temporary credentials (key + security token)
and with an IAM token, through success, retries, failures, an error body that quotes the request headers,
a header the HTTP library refuses, and a failure inside the signer."""

import json

import pytest

from support import fault_matrix
from support.ansible_runs import ansible_env, cloud_defaults, run_ad_hoc, run_cells
from emulator import credentials as creds

# Temporary credentials and a token the emulator accepts.
HUAWEI_TEMPORARY = {"access_key": creds.HUAWEI_TEMPORARY_ACCESS_KEY, "secret_key": creds.HUAWEI_TEMPORARY_SECRET_KEY,
                    "security_token": creds.HUAWEI_TEMPORARY_SECURITY_TOKEN}
HUAWEI_TOKEN = {"auth_token": creds.HUAWEI_AUTH_TOKEN}
TENCENT_TEMPORARY = {"secret_id": creds.TENCENT_TEMPORARY_SECRET_ID, "secret_key": creds.TENCENT_TEMPORARY_SECRET_KEY,
                     "security_token": creds.TENCENT_TEMPORARY_SECURITY_TOKEN}
SECRETS = [HUAWEI_TEMPORARY["secret_key"], HUAWEI_TEMPORARY["security_token"], HUAWEI_TOKEN["auth_token"],
           TENCENT_TEMPORARY["secret_key"], TENCENT_TEMPORARY["security_token"]]
# Secrets broken for the signer or the HTTP library: a byte that is not UTF-8 (only an environment variable can
# carry one; Python reads it as a lone surrogate, which cannot be encoded), and a newline (header injection).
# Two runs: an AK/SK cell would also pick up a broken HW_AUTH_TOKEN.
BROKEN_ENVS = {
    "secret_key": {"HW_SECRET_KEY": HUAWEI_TEMPORARY["secret_key"] + "\udc80",
                   "TENCENTCLOUD_SECRET_KEY": TENCENT_TEMPORARY["secret_key"] + "\udc80"},
    "auth_token": {"HW_AUTH_TOKEN": HUAWEI_TOKEN["auth_token"] + "\udc80"},
}
BROKEN_TOKEN_SUFFIX = "\ninjected: header"

MODULE_ARGS = {
    "mrs_job_executions": {"cluster_id": fault_matrix.CLUSTER, "filters": {"name_pattern": "nightly-*"}},
    "mrs_job_executions_info": {"cluster_id": fault_matrix.CLUSTER, "filters": {"name_pattern": "nightly-*"}},
    "workspace_scheduled_tasks": {"filters": {"name_pattern": "tmp-*"}},
    "workspace_scheduled_tasks_info": {"filters": {"name_pattern": "tmp-*"}},
    "tencent_batch_job": {"filters": {"name_pattern": "render-*"}},
    "tencent_batch_job_info": {"filters": {"name_pattern": "render-*"}},
}
LIST_OPERATION = {"mrs": "ShowJobExeListNew", "workspace": "ListScheduledTasks", "tencent": "DescribeJobs"}
DELETE_OPERATION = {"mrs": "BatchDeleteJobs", "workspace": "BatchDeleteScheduledTasks", "tencent": "DeleteJob"}


def _service(module):
    return module.split("_")[0]


def cells():
    """``{run: {name: cell}}``: the main run, and one run per broken environment (BROKEN_ENVS)."""
    found = {"main": {}, "secret_key": {}, "auth_token": {}}
    for module, base in MODULE_ARGS.items():
        service = _service(module)
        credentials = [("temporary credentials", TENCENT_TEMPORARY if service == "tencent" else HUAWEI_TEMPORARY)]
        if service != "tencent":
            credentials.append(("IAM token", HUAWEI_TOKEN))
        for label, creds in credentials:
            args = dict(base, **creds)
            args.update(fault_matrix.FAST_RETRIES)
            paths = {
                "success": [],
                "retries": [{"kind": "status", "status": 503, "service": service, "operation": LIST_OPERATION[service], "count": 2}],
                "persistent failure": [{"kind": "status", "status": 500, "service": service, "count": 1000,
                                        "operation": (LIST_OPERATION if module.endswith("_info") else DELETE_OPERATION)[service]}],
                "auth failure": [{"kind": "auth", "service": service, "operation": LIST_OPERATION[service]}],
                "error body quoting the headers": [{"kind": "echo_headers", "service": service, "operation": LIST_OPERATION[service]}],
            }
            for path, faults in paths.items():
                found["main"]["%s | %s | %s" % (module, label, path)] = {
                    "task": {"cloudjobs.cleanup.%s" % module: args}, "faults": faults,
                    "seed": fault_matrix.seed(), "config": fault_matrix.CONFIG}
            secret = "auth_token" if "auth_token" in creds else "secret_key"
            path = "failure inside the signer" if secret == "secret_key" else "a token that cannot be encoded"
            found[secret]["%s | %s | %s" % (module, label, path)] = {  # the secret comes from BROKEN_ENVS
                "task": {"cloudjobs.cleanup.%s" % module: {k: v for k, v in args.items() if k != secret}},
                "seed": fault_matrix.seed()}
            token = "auth_token" if "auth_token" in creds else "security_token"
            found["main"]["%s | %s | a header the HTTP library refuses" % (module, label)] = {
                "task": {"cloudjobs.cleanup.%s" % module: dict(args, **{token: creds[token] + BROKEN_TOKEN_SUFFIX})},
                "seed": fault_matrix.seed()}
    return found


RUNS = cells()
CELL_NAMES = sorted(name for cells_of_run in RUNS.values() for name in cells_of_run)


@pytest.fixture(scope="module")
def verbose_runs(emulator_server, tmp_path_factory):
    """Every cell at -vvvv; credentials come from each task, or from the broken environment of its run."""
    emulator_server.reset()
    defaults = cloud_defaults(emulator_server.url)
    for group in defaults.values():
        for name in ("secret_key", "access_key", "secret_id"):
            group.pop(name, None)
    return [run_cells(tmp_path_factory.mktemp("secrets"), emulator_server, cells_of_run, defaults, args=("-vvvv",),
                      env=BROKEN_ENVS.get(run))
            for run, cells_of_run in RUNS.items()]


def _leaks(text):
    found = []
    for secret in SECRETS:
        for needle in (secret, secret[:12]):  # the whole secret, or a recognisable start of it
            if needle in text:
                found.append(needle)
    return found


def test_no_secret_in_the_verbose_output(verbose_runs):
    for run in verbose_runs:
        assert "ESTABLISH LOCAL CONNECTION" in run.stdout  # printed from -vvv on: the run was verbose
        assert not _leaks(run.stdout), "stdout leaks %s" % _leaks(run.stdout)
        assert not _leaks(run.stderr), "stderr leaks %s" % _leaks(run.stderr)


@pytest.mark.parametrize("name", CELL_NAMES)
def test_no_secret_in_results_warnings_or_errors(name, verbose_runs):
    line = [run.lines[name] for run in verbose_runs if name in run.lines][0]
    text = json.dumps(line["result"], ensure_ascii=False)
    assert not _leaks(text), "the result leaks %s: %s" % (_leaks(text), text[:2000])
    path = name.rsplit(" | ", 1)[1]
    expect_ok = path in ("success", "retries")
    assert (line["status"] == "ok") is expect_ok, line["result"].get("msg")
    if not expect_ok:
        message = line["result"].get("msg") or ""
        assert message and "Traceback" not in message + str(line["result"].get("exception", ""))
    if path == "failure inside the signer":
        assert "could not sign" in line["result"]["msg"] and line["requests"] == []
    if path in ("a token that cannot be encoded", "a header the HTTP library refuses"):
        assert "InvalidRequest" in line["result"]["msg"] and line["requests"] == []
    if path == "error body quoting the headers":
        quoted = [r for r in line["requests"] if r["error_code"] == "APIGW.0201" or r["error_code"] == "InvalidParameter"]
        assert quoted, "the emulator did not quote the headers"


def _profile_home(tmp_path):
    """A HOME with both official CLIs' profiles and both SDKs' credentials files, each holding keys."""
    home = tmp_path / "home"
    (home / ".hcloud").mkdir(parents=True)
    (home / ".hcloud" / "config.json").write_text(json.dumps({"current": "ops", "profiles": [{
        "name": "ops", "mode": "AKSK", "accessKeyId": creds.HUAWEI_ACCESS_KEY, "secretAccessKey": creds.HUAWEI_SECRET_KEY,
        "region": creds.HUAWEI_REGION, "projectId": creds.HUAWEI_PROJECT_ID}]}), encoding="utf-8")
    (home / ".tccli").mkdir()
    (home / ".tccli" / "default.credential").write_text(json.dumps(
        {"secretId": creds.TENCENT_SECRET_ID, "secretKey": creds.TENCENT_SECRET_KEY}), encoding="utf-8")
    return home


@pytest.mark.parametrize("source", ["profile files", "assumed roles", "instance credentials"])
def test_no_secret_from_any_credential_source_at_vvvv(emulator, tmp_path, source):
    """Keys read from profile files, and the temporary keys and tokens fetched from STS, IAM and the metadata
    services, never reach the output of a -vvvv run, nor does any file's content."""
    emulator.seed(fault_matrix.seed())
    home = _profile_home(tmp_path)
    huawei = {"endpoint": emulator.url, "iam_endpoint": emulator.url, "region": creds.HUAWEI_REGION}
    tencent = {"endpoint": emulator.url, "region": creds.TENCENT_REGION}
    if source == "profile files":
        huawei.update(profile="ops")
    elif source == "assumed roles":
        huawei.update(access_key=creds.HUAWEI_ACCESS_KEY, secret_key=creds.HUAWEI_SECRET_KEY,
                      assume_role={"agency_name": creds.HUAWEI_AGENCY_NAME, "domain_id": creds.HUAWEI_DOMAIN_ID},
                      sts_endpoint=emulator.url)
        tencent.update(secret_id=creds.TENCENT_SECRET_ID, secret_key=creds.TENCENT_SECRET_KEY,
                       assume_role={"role_arn": creds.TENCENT_ROLE_ARN, "session_name": "secrets-suite"},
                       sts_endpoint=emulator.url)
    else:
        huawei.update(instance_credentials=True, metadata_endpoint=emulator.url)
        tencent.update(instance_credentials=True, metadata_endpoint=emulator.url)
    env = ansible_env(tmp_path, HOME=home)
    runs = [run_ad_hoc(tmp_path, "mrs_job_executions", dict(MODULE_ARGS["mrs_job_executions"], **huawei), "-vvvv", env=env),
            run_ad_hoc(tmp_path, "tencent_batch_job", dict(MODULE_ARGS["tencent_batch_job"], **tencent), "-vvvv", env=env)]
    issued = emulator.call("GET", "credentials/issued")
    if source != "profile files":
        assert {i["cloud"] for i in issued} == {"huawei", "tencent"}
    secrets = [creds.HUAWEI_SECRET_KEY, creds.TENCENT_SECRET_KEY] + \
        [value for i in issued for value in (i["secret"], i["token"]) if value]
    for run in runs:
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        assert "ESTABLISH LOCAL CONNECTION" in run.stdout
        for secret in secrets:
            assert secret not in run.stdout and secret not in run.stderr and secret[:12] not in run.stdout
        assert '"secretAccessKey"' not in run.stdout and '"secretKey"' not in run.stdout  # no file content
