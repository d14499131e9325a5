"""Secrets never reach any output: every module at -vvvv, with temporary credentials (key + security token)
and with an IAM token, through success, retries, failures, an error body that quotes the request headers,
a header the HTTP library refuses, and a failure inside the signer."""

import json

import pytest

import fault_matrix
from ansible_runs import cloud_defaults, run_cells
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


@pytest.mark.xdist_group("secrets")
def test_no_secret_in_the_verbose_output(verbose_runs):
    for run in verbose_runs:
        assert "ESTABLISH LOCAL CONNECTION" in run.stdout  # printed from -vvv on: the run was verbose
        assert not _leaks(run.stdout), "stdout leaks %s" % _leaks(run.stdout)
        assert not _leaks(run.stderr), "stderr leaks %s" % _leaks(run.stderr)


@pytest.mark.xdist_group("secrets")
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
