"""A wrong endpoint fails fast and says what was tried: with the default retry options, a task pointed at a port
nothing listens on fails after one attempt (a refused connection is never retried), with a message that names
the error code, the host it tried and the attempts, and without a traceback."""

import json
import socket

import pytest

from support import fault_matrix
from support.ansible_runs import (
    HUAWEI_AK,
    HUAWEI_REGION,
    HUAWEI_SK,
    ad_hoc_result,
    ansible_env,
    huawei_auth,
    localhost_play,
    run_ad_hoc,
    run_playbook,
    tencent_auth,
    write_playbook,
)

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
                   "no_proxy")


@pytest.fixture
def closed_endpoint():
    """``http://127.0.0.1:<port>`` where nothing listens (the port was bound, then closed)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return "http://127.0.0.1:%d" % port


# One Huawei and one Tencent module, run with the default max_retries (5 and 8) and retry_delay.
TASKS = {
    "mrs_job_executions_info": lambda url: dict(huawei_auth(url), cluster_id=fault_matrix.CLUSTER),
    "tencent_batch_job": lambda url: dict(tencent_auth(url), filters={"name_pattern": "render-*"}),
}
LABELS = {"mrs_job_executions_info": "Huawei Cloud MRS ShowJobExeListNew", "tencent_batch_job": "Tencent Cloud Batch DescribeJobs"}


def test_a_refused_endpoint_fails_after_one_attempt_naming_the_host(closed_endpoint, tmp_path):
    tasks = []
    for module, args in TASKS.items():
        tasks += [
            {"name": module, "cloudjobs.cleanup.%s" % module: args(closed_endpoint), "register": "outcome",
             "ignore_errors": True},
            {"name": "Keep the result of %s" % module,
             "ansible.builtin.copy": {"content": "{{ outcome | to_json }}", "dest": str(tmp_path / (module + ".json")),
                                      "mode": "0600"}},
        ]
    env = ansible_env(tmp_path)
    for name in PROXY_VARIABLES:
        env.pop(name, None)
    run = run_playbook(tmp_path, write_playbook(tmp_path / "wrong_endpoint.yml", localhost_play(tasks)), env=env,
                       timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    for module in TASKS:
        result = json.loads((tmp_path / (module + ".json")).read_text(encoding="utf-8"))
        msg = result.get("msg") or ""
        assert result.get("failed"), "%s did not fail: %s" % (module, result)
        assert "Traceback" not in msg + str(result.get("module_stderr", "")) + str(result.get("exception", ""))
        assert msg.startswith(LABELS[module] + " failed: error ConnectionRefused"), msg
        assert "connection refused by %s (1 attempt over " % closed_endpoint in msg, msg
        assert "check the endpoint" in msg, msg
        assert result["error"]["error_code"] == "ConnectionRefused" and result["error"]["attempts"] == 1, result["error"]
        assert result["error"]["host"] == closed_endpoint


def test_the_project_lookup_without_iam_endpoint_says_it_went_to_the_public_iam(closed_endpoint, tmp_path):
    """``endpoint`` points at a private cloud (here: the emulator's address, never reached), ``project_id`` and
    ``iam_endpoint`` are unset: the project lookup goes to the public IAM built from region and cloud. Through a proxy
    that refuses (a closed port on 127.0.0.1), so nothing leaves this machine, not even a DNS query."""
    env = ansible_env(tmp_path, HW_ACCESS_KEY=HUAWEI_AK, HW_SECRET_KEY=HUAWEI_SK, HW_REGION_NAME=HUAWEI_REGION,
                      HTTPS_PROXY=closed_endpoint, HTTP_PROXY=closed_endpoint)
    for name in ("ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        env.pop(name, None)
    run = run_ad_hoc(tmp_path, "mrs_job_executions_info",
                     "cluster_id=%s endpoint=http://127.0.0.1:9" % fault_matrix.CLUSTER, env=env)
    assert run.returncode != 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = ad_hoc_result(run)
    msg = result.get("msg") or ""
    assert "Traceback" not in run.stdout + run.stderr
    assert msg.startswith("Huawei Cloud IAM KeystoneListAuthProjects failed: error ConnectionRefused"), msg
    assert ("went to the public IAM https://iam.%s.myhuaweicloud.com because iam_endpoint is unset" % HUAWEI_REGION
            in msg), msg
    for way_out in ("set iam_endpoint (HUAWEICLOUD_SDK_IAM_ENDPOINT)", "set project_id (HW_PROJECT_ID)"):
        assert way_out in msg, msg
    assert "check the endpoint" not in msg and HUAWEI_SK not in run.stdout + run.stderr
    assert result["error"]["host"] == "https://iam.%s.myhuaweicloud.com:443" % HUAWEI_REGION, result["error"]
