"""What a new user meets first: the emulator's start-up refusals are one plain line with
the fix and exit code 2, never a traceback; a region Tencent Batch does not serve is UnsupportedRegion, as the
API answers it, never an empty region."""

import os
import socket
import subprocess
import sys
import tempfile

import pytest
from tencentcloud.batch.v20170312 import models
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from sdk_clients import tencent  # pylint: disable=import-error

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(TESTS)
EMULATOR = os.path.join(TESTS, "emulator")
PROG = "python tests/emulator: "


def run_emulator(*args, python=(sys.executable,), env=None, timeout=60):
    """``python tests/emulator ARGS`` from the repository root, as the docs say to run it; it must exit by itself."""
    with tempfile.TemporaryDirectory(prefix="cloudjobs-emulator-cli-") as home:
        run_env = dict(os.environ, HOME=home)  # the Huawei SDK writes under HOME on import
        run_env.pop("PYTHONPATH", None)
        run_env.update(env or {})
        return subprocess.run(list(python) + ["tests/emulator"] + list(args), cwd=REPO, env=run_env,
                              capture_output=True, text=True, timeout=timeout, check=False)


def one_line(run):
    """The single stderr line of a refused start (and that stdout is empty and nothing looks like a traceback)."""
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr and run.stdout == "", run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    return lines[0]


def test_without_the_sdks_it_says_which_file_installs_them():
    # -S: this very Python without its site-packages, where neither SDK can be imported.
    line = one_line(run_emulator("--port", "0", python=(sys.executable, "-S")))
    assert line.startswith(PROG + "cannot verify signatures without the official SDKs ("), line
    assert "No module named 'huaweicloudsdkcore'" in line
    assert line.endswith("pip install -r tests/emulator/requirements.txt"), line


def test_without_one_sdk_it_names_that_one(tmp_path):
    # A stand-in on PYTHONPATH makes tencentcloud unimportable while huaweicloudsdkcore is installed.
    blocker = tmp_path / "no-tencentcloud" / "tencentcloud"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'tencentcloud'\", name='tencentcloud')\n", encoding="utf-8")
    line = one_line(run_emulator("--port", "0", env={"PYTHONPATH": str(blocker.parent)}))
    assert "No module named 'tencentcloud'" in line and "pip install -r tests/emulator/requirements.txt" in line


def test_the_requirements_file_lists_what_the_emulator_imports():
    with open(os.path.join(EMULATOR, "requirements.txt"), encoding="utf-8") as f:
        names = {line.split("==")[0].strip() for line in f if line.strip() and not line.startswith("#")}
    assert names == {"huaweicloudsdkcore", "tencentcloud-sdk-python-common"}
    with open(os.path.join(REPO, "requirements-dev.txt"), encoding="utf-8") as f:
        assert "-r tests/emulator/requirements.txt" in f.read().splitlines()


def test_a_busy_port_is_one_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = one_line(run_emulator("--port", str(port)))
    assert line == PROG + "port %d is in use; pick another with --port or --port 0" % port


@pytest.mark.parametrize("args, says", [
    (("--bogus",), "unrecognized arguments: --bogus"),
    (("--port", "eighty"), "argument --port: 'eighty' is not a port number"),
    (("--port", "70000"), "argument --port: 70000 is not a port number"),
    (("--seed", "prod"), "argument --seed: invalid choice: 'prod'"),
    (("--tls-cert", "cert.pem"), "--tls-cert and --tls-key go together"),
], ids=["unknown flag", "port not a number", "port out of range", "unknown seed", "cert without key"])
def test_a_bad_flag_is_usage_and_one_line(args, says):
    run = run_emulator(*args)
    assert run.returncode == 2 and run.stdout == "" and "Traceback" not in run.stderr, run.stderr
    usage, error = run.stderr.split("\n" + PROG + "error: ")
    assert usage.startswith("usage: python tests/emulator ") and says in error and error.count("\n") == 1, run.stderr


@pytest.mark.parametrize("args, says", [
    (("--config", "{not json"), "--config is neither a JSON file nor a JSON object"),
    (("--config", '{"no_such_setting": 1}'), "--config: unknown config key 'no_such_setting'"),
    (("--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"), "cannot load --tls-cert"),
], ids=["config not JSON", "unknown setting", "missing certificate"])
def test_bad_settings_are_one_line(args, says):
    line = one_line(run_emulator("--port", "0", *args))
    assert line.startswith(PROG + says), line


def describe_jobs(client):
    request = models.DescribeJobsRequest()
    request.from_json_string("{}")
    return client.DescribeJobs(request)


def test_a_region_batch_does_not_serve_is_unsupported_region(emulator):
    emulator.seed({"tencent": [{"JobId": "job-aaaa0001", "JobState": "SUCCEED"}]})
    emulator.clear_requests()
    with pytest.raises(TencentCloudSDKException) as excinfo:
        describe_jobs(tencent(emulator, region="ap-guangzho"))  # a typo: not an empty region
    assert excinfo.value.get_code() == "UnsupportedRegion" and excinfo.value.get_request_id()
    [logged] = emulator.requests()
    assert (logged["status"], logged["error_code"]) == (200, "UnsupportedRegion")
    assert describe_jobs(tencent(emulator)).TotalCount == 1  # ap-guangzhou is served


def test_the_served_regions_are_a_setting(emulator):
    served = emulator.get_config()["tencent_batch_regions"]
    assert {"ap-guangzhou", "ap-shanghai", "ap-beijing"} <= set(served) and "ap-guangzho" not in served
    emulator.config({"tencent_batch_regions": ["ap-guangzho"]})
    assert describe_jobs(tencent(emulator, region="ap-guangzho")).TotalCount == 0
    with pytest.raises(TencentCloudSDKException) as excinfo:
        describe_jobs(tencent(emulator))
    assert excinfo.value.get_code() == "UnsupportedRegion"
    with pytest.raises(Exception, match="400"):
        emulator.config({"tencent_batch_regions": "ap-guangzhou"})
