# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transport's single retry loop, against a real stub HTTP server on 127.0.0.1 (no cloud, no SDK)."""

from __future__ import annotations

import json
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, CloudJobsError, ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei import HuaweiCloudConnection, HuaweiRetryPolicy
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._paging import DEFAULT_LIST_CONCURRENCY
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent import TencentCloudConnection, TencentRetryPolicy
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._transport import Transport
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import FakeClock, api_error

SECRET = "SUPERSECRETKEY0000000000000000000000000000"


class Stub(BaseHTTPRequestHandler):
    """Answers from the server's script: a list of (status, body, headers); "drop" closes the connection,
    "reset" resets it (RST)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.server.lock:
            self.server.seen.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                     "port": self.client_address[1]})
            step = self.server.script.pop(0) if self.server.script else (200, {}, {})
        if step in ("drop", "reset"):
            self.close_connection = True
            if step == "reset":  # linger 0: close() sends RST, the client sees ConnectionResetError
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        status, payload, headers = step
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _answer


@pytest.fixture
def stub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    server.script, server.seen, server.lock = [], [], threading.Lock()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    server.url = "http://127.0.0.1:%d" % server.server_address[1]
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def huawei(stub, read_only=False, **extra):
    params = dict(access_key="AKTEST", secret_key=SECRET, region="cn-north-4", project_id="p1", endpoint=stub.url,
                  validate_certs=True, timeout=5.0, max_retries=3, cloud="myhuaweicloud.com")
    params.update(extra)
    connection = HuaweiCloudConnection.from_params(params, "mrs", read_only=read_only)
    connection.transport._sleep = lambda seconds: None  # pylint: disable=protected-access
    return connection


def tencent(stub, **extra):
    params = dict(secret_id="AKIDTEST", secret_key=SECRET, region="ap-guangzhou", endpoint=stub.url, timeout=5.0,
                  max_retries=3, rate_limit=1000.0, validate_certs=True)
    params.update(extra)
    connection = TencentCloudConnection.from_params(params)
    connection.transport._sleep = lambda seconds: None  # pylint: disable=protected-access
    return connection


def test_throttling_then_success_is_retried(stub):
    stub.script = [(429, {"error_code": "APIGW.0308", "error_msg": "over ratelimit"}, {}),
                   (503, {"error_code": "APIGW.0201", "error_msg": "busy"}, {}), (202, {"total_record": 0}, {})]
    assert huawei(stub).request("ShowJobExeListNew", "GET", "/v2/p1/x") == {"total_record": 0}  # any 2xx is success
    assert len(stub.seen) == 3


def test_dropped_connection_is_retried(stub):
    stub.script = ["drop", (200, {"ok": True}, {})]
    assert huawei(stub).request("X", "GET", "/x") == {"ok": True}


def test_retry_after_is_honoured(stub):
    stub.script = [(429, {"error_code": "APIGW.0308", "error_msg": "slow down"}, {"Retry-After": "7"}), (200, {}, {})]
    connection = huawei(stub)
    waits = []
    connection.transport._sleep = waits.append  # pylint: disable=protected-access
    connection.request("X", "GET", "/x")
    assert waits and waits[0] >= 7


@pytest.mark.parametrize("status, code", [(401, "APIGW.0301"), (400, "0176"), (403, "APIGW.0302")])
def test_auth_and_validation_errors_are_not_retried(stub, status, code):
    stub.script = [(status, {"error_code": code, "error_msg": "no"}, {"X-Request-Id": "rid-1"})]
    with pytest.raises(ApiError) as excinfo:
        huawei(stub).request("ShowSingleJobExe", "GET", "/x")
    assert len(stub.seen) == 1
    assert excinfo.value.code == code and excinfo.value.request_id == "rid-1" and excinfo.value.status == status
    assert "Huawei Cloud MRS ShowSingleJobExe" in str(excinfo.value)


def test_the_retry_budget_is_bounded(stub):
    stub.script = [(503, {"error_code": "APIGW.0201", "error_msg": "busy"}, {})] * 10
    with pytest.raises(ApiError):
        huawei(stub, max_retries=2).request("X", "GET", "/x")
    assert len(stub.seen) == 3


def test_camel_case_mrs_error_is_parsed(stub):
    stub.script = [(400, {"errorCode": "12000003", "errorMsg": "The cluster does not exist."}, {})]
    with pytest.raises(ApiError) as excinfo:
        huawei(stub).request("X", "GET", "/x")
    assert excinfo.value.code == "12000003"


def test_html_error_page_gives_a_readable_error(stub):
    stub.script = [(500, b"<html>oops</html>", {})]
    with pytest.raises(ApiError) as excinfo:
        huawei(stub, max_retries=0).request("X", "GET", "/x")
    assert excinfo.value.code == "HTTP500" and "<html>" not in str(excinfo.value)


def test_malformed_json_on_success_is_retried_then_reported(stub):
    stub.script = [(200, b'{"total', {})] * 5
    with pytest.raises(ApiError) as excinfo:
        huawei(stub, max_retries=1).request("X", "GET", "/x")
    assert excinfo.value.code == "MalformedResponse" and len(stub.seen) == 2


def test_read_only_transport_refuses_mutating_calls(stub):
    with pytest.raises(CloudJobsError, match="check mode"):
        huawei(stub, read_only=True).request("BatchDeleteJobs", "POST", "/x", json_body={}, mutating=True)
    assert stub.seen == []


def test_one_connection_is_reused(stub):
    stub.script = [(200, {}, {})] * 3
    connection = huawei(stub)
    for dummy in range(3):
        connection.request("X", "GET", "/x")
    assert len({seen["port"] for seen in stub.seen}) == 1


def test_secrets_never_reach_errors_or_the_wire_in_clear(stub):
    stub.script = [(400, {"error_code": "X.1", "error_msg": "bad header: " + SECRET}, {})]
    with pytest.raises(ApiError) as excinfo:
        huawei(stub, max_retries=0).request("X", "GET", "/x")
    assert SECRET not in str(excinfo.value) and SECRET not in json.dumps(excinfo.value.to_dict())
    sent = json.dumps(stub.seen[0]["headers"])
    assert SECRET not in sent and "SDK-HMAC-SHA256 Access=AKTEST" in sent


def test_token_mode_sends_x_auth_token_and_no_signature(stub):
    stub.script = [(200, {}, {})]
    huawei(stub, access_key=None, secret_key=None, auth_token="tok").request("X", "GET", "/x")
    headers = stub.seen[0]["headers"]
    assert headers["X-Auth-Token"] == "tok" and "Authorization" not in headers


def test_project_id_is_resolved_once_through_iam(stub):
    stub.script = [(200, {"projects": [{"id": "resolved", "name": "cn-north-4"}]}, {}), (200, {}, {}), (200, {}, {})]
    connection = huawei(stub, project_id=None, iam_endpoint=stub.url)
    connection.request("X", "GET", "/v2/%s/x" % connection.project_id)
    connection.request("X", "GET", "/v2/%s/y" % connection.project_id)
    assert [s["path"].split("?")[0] for s in stub.seen] == ["/v3/auth/projects", "/v2/resolved/x", "/v2/resolved/y"]
    assert "X-Project-Id" not in stub.seen[0]["headers"]


def test_tencent_errors_arrive_as_http_200(stub):
    stub.script = [(200, {"Response": {"Error": {"Code": "ResourceNotFound.Job", "Message": "gone"}, "RequestId": "r1"}}, {})]
    with pytest.raises(ApiError) as excinfo:
        tencent(stub).call("DescribeJob", {"JobId": "job-aaaaaaaa"})
    assert excinfo.value.code == "ResourceNotFound.Job" and excinfo.value.request_id == "r1"
    headers = stub.seen[0]["headers"]
    assert headers["X-TC-Action"] == "DescribeJob" and headers["X-TC-Region"] == "ap-guangzhou"


def test_tencent_throttling_is_retried_and_slows_the_limiter(stub):
    limited = {"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "slow"}, "RequestId": "r"}}
    stub.script = [(200, limited, {}), (200, {"Response": {"RequestId": "r2"}}, {})]
    connection = tencent(stub, rate_limit=10.0)
    assert connection.call("DeleteJob", {"JobId": "job-aaaaaaaa"}, mutating=True) == {"RequestId": "r2"}
    assert connection.limiter.current_rate < 10.0


def test_tencent_internal_error_is_retried_only_for_reads(stub):
    internal = {"Response": {"Error": {"Code": "InternalError", "Message": "x"}, "RequestId": "r"}}
    stub.script = [(200, internal, {}), (200, {"Response": {"RequestId": "ok"}}, {})]
    assert tencent(stub).call("DescribeJobs", {})["RequestId"] == "ok"
    stub.script = [(200, internal, {})]
    with pytest.raises(ApiError):
        tencent(stub).call("DeleteJob", {"JobId": "job-aaaaaaaa"}, mutating=True)


def test_tencent_quota_errors_are_not_throttling(stub):
    stub.script = [(200, {"Response": {"Error": {"Code": "LimitExceeded.JobQuota", "Message": "quota"}, "RequestId": "r"}}, {})]
    with pytest.raises(ApiError):
        tencent(stub).call("DescribeJobs", {})
    assert len(stub.seen) == 1


@pytest.mark.parametrize("validate_certs, ca_bundle, expected", [(False, None, False), (True, "private-ca.pem", "private-ca.pem")])
def test_tls_settings_win_over_the_ca_bundle_environment_variables(monkeypatch, validate_certs, ca_bundle, expected):
    """requests lets REQUESTS_CA_BUNDLE override a session's verify; every request must carry the option's."""
    from ansible_collections.cloudjobs.cleanup.plugins.module_utils._transport import Transport

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "system-ca-bundle.crt")
    monkeypatch.setenv("CURL_CA_BUNDLE", "system-ca-bundle.crt")
    transport = Transport(validate_certs=validate_certs, ca_bundle=ca_bundle)
    seen = {}

    def request(method, url, **kwargs):
        seen.update(kwargs)
        raise CloudJobsError("stop here")

    monkeypatch.setattr(transport.session, "request", request)
    with pytest.raises(CloudJobsError):
        transport.send("S", "Op", lambda: ("GET", "https://example.invalid/", {}, None), lambda r: r, policy=None)
    assert seen["verify"] == expected


# A wrong endpoint fails fast and says what was tried; what can recover is still retried.

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
                   "no_proxy")


def with_clock(connection):
    """The connection's transport on a FakeClock that only its sleep moves: attempts and elapsed time without
    wall-clock time."""
    clock = FakeClock(start=100.0)
    connection.transport._sleep = clock.sleep  # pylint: disable=protected-access
    connection.transport._clock = clock  # pylint: disable=protected-access
    return connection, clock


class Endpoint:
    def __init__(self, url):
        self.url = url


@pytest.fixture
def closed_port(monkeypatch):
    """A port on 127.0.0.1 that nothing listens on (bound, then closed), with no proxy in the way."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize("cloud", ["huawei", "tencent"])
def test_a_refused_connection_fails_at_once_naming_the_host(closed_port, cloud):
    endpoint = Endpoint("http://127.0.0.1:%d" % closed_port)
    with pytest.raises(ApiError) as excinfo:
        if cloud == "huawei":
            connection, clock = with_clock(huawei(endpoint, max_retries=5))
            connection.request("ShowJobExeListNew", "GET", "/v2/p1/clusters/c1/job-exes?secret=q")
        else:
            connection, clock = with_clock(tencent(endpoint, max_retries=8))
            connection.call("DescribeJobs", {})
    error = excinfo.value
    assert error.code == "ConnectionRefused" and error.status is None
    assert error.attempts == 1 and clock.sleeps == [] and error.elapsed == 0.0
    assert error.host == "http://127.0.0.1:%d" % closed_port
    text = str(error)
    assert "connection refused by http://127.0.0.1:%d (1 attempt over 0.0 s); check the endpoint" % closed_port in text
    assert "/v2" not in text and "p1" not in text and "secret" not in text
    assert error.to_dict()["error_code"] == "ConnectionRefused" and error.to_dict()["attempts"] == 1
    assert error.to_dict()["host"] == error.host


def test_a_refused_proxy_fails_at_once_and_says_so(closed_port, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxyuser:proxypass@127.0.0.1:%d" % closed_port)
    connection, clock = with_clock(huawei(Endpoint("http://mrs.example.invalid"), max_retries=5))
    with pytest.raises(ApiError) as excinfo:
        connection.request("X", "GET", "/x")
    assert excinfo.value.code == "ConnectionRefused" and excinfo.value.attempts == 1 and clock.sleeps == []
    text = str(excinfo.value)
    assert "http://mrs.example.invalid:80 through the proxy" in text and "HTTPS_PROXY" in text
    assert "proxypass" not in text and "proxyuser" not in text


def test_an_unresolvable_host_fails_at_once(closed_port):
    """A name in the reserved .invalid domain: NXDOMAIN from the local resolver, no network needed."""
    try:
        socket.getaddrinfo("mrs.cn-north-4.nonexistent.invalid", 443)
    except socket.gaierror as exc:
        if exc.errno == socket.EAI_AGAIN:
            pytest.skip("this machine's resolver cannot answer (EAI_AGAIN); see the simulated test below")
    else:
        pytest.skip("this machine's resolver answers for .invalid names")
    connection, clock = with_clock(huawei(Endpoint("https://mrs.cn-north-4.nonexistent.invalid"), max_retries=5))
    with pytest.raises(ApiError) as excinfo:
        connection.request("ShowJobExeListNew", "GET", "/v2/p1/x")
    error = excinfo.value
    assert error.code == "NameResolutionError" and error.attempts == 1 and clock.sleeps == []
    assert error.host == "https://mrs.cn-north-4.nonexistent.invalid:443"
    assert ("the host name of https://mrs.cn-north-4.nonexistent.invalid:443 does not resolve (1 attempt over 0.0 s)"
            in str(error))


@pytest.mark.parametrize("errno_name, code, attempts", [
    ("EAI_NONAME", "NameResolutionError", 1),  # the name does not exist: fail at once
    ("EAI_AGAIN", "ConnectionError", 4),  # the resolver did not answer in time: may pass, retried
])
def test_name_resolution_failures_simulated(closed_port, monkeypatch, errno_name, code, attempts):
    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(getattr(socket, errno_name), "simulated")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    connection, clock = with_clock(tencent(Endpoint("https://batch.example.invalid"), max_retries=3))
    with pytest.raises(ApiError) as excinfo:
        connection.call("DescribeJobs", {})
    assert excinfo.value.code == code and excinfo.value.attempts == attempts and len(clock.sleeps) == attempts - 1
    assert "https://batch.example.invalid:443" in str(excinfo.value)
    assert "%d attempt" % attempts in str(excinfo.value)


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:99999"])
def test_an_invalid_endpoint_url_fails_at_once(closed_port, endpoint):
    connection, clock = with_clock(huawei(Endpoint(endpoint), max_retries=5))
    with pytest.raises(ApiError) as excinfo:
        connection.request("X", "GET", "/x")
    assert excinfo.value.code == "InvalidURL" and excinfo.value.attempts == 1 and clock.sleeps == []
    assert "check the endpoint" in str(excinfo.value)


@pytest.mark.parametrize("step", ["drop", "reset"])
def test_a_dropped_connection_is_retried_and_the_message_counts_the_attempts(stub, step):
    stub.script = [step] * 10
    connection, clock = with_clock(huawei(stub, max_retries=2, retry_delay=0.5))
    with pytest.raises(ApiError) as excinfo:
        connection.request("ShowJobExeListNew", "GET", "/v2/p1/x")
    error = excinfo.value
    assert len(stub.seen) == 3 and error.attempts == 3 and len(clock.sleeps) == 2
    assert error.code == "ConnectionError" and error.host == stub.url
    assert error.elapsed == pytest.approx(sum(clock.sleeps))
    assert "(3 attempts over %.1f s)" % sum(clock.sleeps) in str(error)
    assert "the connection to %s was dropped" % stub.url in str(error) and "/v2" not in str(error)


def test_a_reset_connection_then_an_answer_recovers(stub):
    stub.script = ["reset", (200, {"ok": True}, {})]
    connection, clock = with_clock(huawei(stub, max_retries=1))
    assert connection.request("X", "GET", "/x") == {"ok": True} and len(clock.sleeps) == 1


def test_a_service_error_after_retries_says_how_many_and_one_without_retries_does_not(stub):
    stub.script = [(503, {"error_code": "APIGW.0613", "error_msg": "busy"}, {"X-Request-Id": "rid-9"})] * 3
    connection, clock = with_clock(huawei(stub, max_retries=2))
    with pytest.raises(ApiError) as excinfo:
        connection.request("X", "GET", "/x")
    assert excinfo.value.attempts == 3
    assert str(excinfo.value).endswith("(request id rid-9) (3 attempts over %.1f s)" % sum(clock.sleeps))
    stub.script = [(400, {"error_code": "0176", "error_msg": "no"}, {})]
    with pytest.raises(ApiError) as excinfo:
        connection.request("X", "GET", "/x")
    assert excinfo.value.attempts == 1 and str(excinfo.value) == "Huawei Cloud MRS X failed: HTTP 400, error 0176: no"


def test_the_error_dict_keeps_its_keys_and_adds_attempts_and_host():
    keys = set(api_error("0176").to_dict())
    assert keys == {"service", "operation", "status", "error_code", "message", "request_id", "attempts", "host"}


@pytest.mark.parametrize("policy", [HuaweiRetryPolicy, TencentRetryPolicy])
def test_both_clouds_share_one_retry_policy(policy):
    """The decision and the budget come from RetryPolicy; a cloud's subclass only declares its codes."""
    own = {name for name in vars(policy) if not name.startswith("__")}
    assert own <= {"throttling_codes", "throttling_prefixes", "retryable_codes", "gateway_code_prefixes"}
    for code in ("ConnectionRefused", "NameResolutionError", "InvalidURL"):
        assert not policy().is_retryable(api_error(code, status=None))
    for code in ("ConnectionError", "Timeout", "MalformedResponse"):
        assert policy().is_retryable(api_error(code, status=None))


@pytest.mark.parametrize("status", [200, 202, 204])
def test_every_2xx_answer_is_success(stub, status):
    stub.script = [(status, b"" if status == 204 else {"ok": True}, {})]
    assert huawei(stub).request("X", "GET", "/x") == (None if status == 204 else {"ok": True})


def test_a_redirect_is_an_error_and_is_not_followed(stub):
    stub.script = [(302, b"", {"Location": "http://127.0.0.1:9/elsewhere"})]
    with pytest.raises(ApiError) as excinfo:
        huawei(stub).request("X", "GET", "/x")
    assert excinfo.value.status == 302 and excinfo.value.code == "HTTP302" and len(stub.seen) == 1


def test_a_secret_echoed_by_the_service_never_reaches_the_error_at_all(stub):
    stub.script = [(400, {"error_code": "APIGW.0101", "error_msg": "bad signature for key %s" % SECRET}, {})]
    with pytest.raises(ApiError) as excinfo:
        huawei(stub).request("X", "GET", "/x")
    error = excinfo.value
    # Not only the message: the exception's args (what a traceback or logging would print) never held it.
    assert SECRET not in repr(error.args) and SECRET not in str(error) and SECRET not in error.message
    assert "********" in error.message


@pytest.mark.parametrize("value", [0, -1, 33])
def test_list_concurrency_out_of_range_is_refused_before_any_request(value):
    with pytest.raises(ConfigurationError, match="list_concurrency must be between 1 and 32, got %d" % value):
        Transport.from_params({"list_concurrency": value})


@pytest.mark.parametrize("value, expected", [(None, DEFAULT_LIST_CONCURRENCY), (1, 1), (32, 32)])
def test_list_concurrency_reaches_the_transport(value, expected):
    assert Transport.from_params({"list_concurrency": value}).list_concurrency == expected
