"""A wrong endpoint fails fast and says what was tried: with the default retry options, a task pointed at a port
nothing listens on fails after one attempt (a refused connection is never retried), with a message that names
the error code, the host it tried and the attempts, and without a traceback."""

import json
import socket

import pytest

import fault_matrix
from ansible_runs import ansible_env, huawei_auth, localhost_play, run_playbook, tencent_auth, write_playbook

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
