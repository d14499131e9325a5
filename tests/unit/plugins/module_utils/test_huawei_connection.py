# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud connection settings: service endpoints by region, which options and variables are required, and
what a failed project_id lookup says."""

from __future__ import annotations

import json
import socket

import pytest
import requests

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _huawei
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei import service_endpoint


@pytest.mark.parametrize("service, region, expected", [
    ("mrs", "cn-north-4", "https://mrs.cn-north-4.myhuaweicloud.com"),
    ("mrs", "ap-southeast-1", "https://mrs.ap-southeast-1.myhuaweicloud.cn"),
    ("mrs", "eu-west-101", "https://mrs.eu-west-101.myhuaweicloud.eu"),
    ("workspace", "eu-west-101", "https://workspace.eu-west-101.myhuaweicloud.com"),
    ("workspace", "cn-east-3", "https://workspace.cn-east-3.myhuaweicloud.com"),
])
def test_endpoints_follow_the_sdk_region_tables(service, region, expected):
    assert service_endpoint(service, region) == expected


def test_other_clouds_use_their_domain():
    assert service_endpoint("mrs", "ap-southeast-1", "example.cloud") == "https://mrs.ap-southeast-1.example.cloud"


def test_missing_huawei_credentials_name_options_and_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.huaweicloud/credentials of the machine running the tests
    monkeypatch.delenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", raising=False)
    with pytest.raises(ConfigurationError) as excinfo:
        _huawei.check_params({"region": "cn-north-4"})
    for word in ("access_key", "secret_key", "HW_ACCESS_KEY", "HUAWEICLOUD_SDK_AK", "auth_token", "HW_PROFILE",
                 "instance_credentials"):
        assert word in str(excinfo.value)


def test_missing_region_is_named():
    with pytest.raises(ConfigurationError, match="HW_REGION_NAME"):
        _huawei.check_params({"access_key": "a", "secret_key": "b"})


def test_empty_variables_count_as_unset():
    """AWX credential types inject every field, empty ones as ""; that must not read as a second auth mode."""
    _huawei.check_params({"access_key": "a", "secret_key": "b", "auth_token": "", "security_token": "", "region": "r"})
    with pytest.raises(ConfigurationError, match="cannot be combined"):
        _huawei.check_params({"access_key": "a", "secret_key": "b", "auth_token": "t", "region": "r"})


# The project_id lookup (IAM KeystoneListAuthProjects) goes to iam_endpoint, or to the public IAM built from region and
# cloud, never to endpoint: its failure says where it went and names the two ways out, iam_endpoint and project_id.
# No test reaches a non-loopback host: host names fail in a simulated resolver, which records what was asked.

SECRET = "SUPERSECRETKEY0000000000000000000000000000"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
                   "no_proxy")
PUBLIC_IAM = "https://iam.cn-north-4.myhuaweicloud.com"


@pytest.fixture
def resolver(monkeypatch):
    """Every host name fails to resolve (EAI_NONAME), as a name that does not exist; ``resolver.asked`` lists the
    names asked for. No proxy from the machine's environment."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    asked = []

    def getaddrinfo(host, *args, **kwargs):
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "simulated")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    getaddrinfo.asked = asked
    return getaddrinfo


@pytest.fixture
def closed_url():
    """``http://127.0.0.1:<port>`` where nothing listens (the port was bound, then closed)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return "http://127.0.0.1:%d" % port


def lookup_connection(**extra):
    """A connection without project_id: its first request looks the project id up."""
    params = dict(access_key="AKTEST", secret_key=SECRET, region="cn-north-4", cloud="myhuaweicloud.com",
                  validate_certs=True, timeout=5.0, max_retries=3)
    params.update(extra)
    connection = _huawei.HuaweiCloudConnection.from_params({k: v for k, v in params.items() if v is not None}, "mrs")
    connection.transport._sleep = lambda seconds: None  # pylint: disable=protected-access
    return connection


def failed_lookup(connection, error_type=ApiError):
    with pytest.raises(error_type) as excinfo:
        connection.request("ShowJobExeListNew", "GET", "/v2/x/clusters/c1/job-exes")
    return excinfo.value


def assert_ways_out(text):
    for word in ("iam_endpoint", "HUAWEICLOUD_SDK_IAM_ENDPOINT", "project_id", "HW_PROJECT_ID"):
        assert word in text, text
    assert "check the endpoint" not in text, text  # the lookup never used endpoint
    assert SECRET not in text


def test_with_endpoint_but_no_iam_endpoint_the_lookup_says_it_went_to_the_public_iam(resolver):
    connection = lookup_connection(endpoint="http://mrs.private.example.invalid:8443")
    error = failed_lookup(connection)
    assert resolver.asked == ["iam.cn-north-4.myhuaweicloud.com"]  # not the endpoint's host
    assert error.service == "Huawei Cloud IAM" and error.operation == "KeystoneListAuthProjects"
    assert error.code == "NameResolutionError" and error.attempts == 1
    text = str(error)
    assert_ways_out(text)
    assert "went to the public IAM %s because iam_endpoint is unset" % PUBLIC_IAM in text, text
    assert "endpoint is not used for the project_id lookup" in text, text


def test_with_endpoint_and_a_refused_public_iam_the_message_is_the_same(closed_url, monkeypatch):
    """Name resolution or a refused connection: the lookup's hint replaces the transport's "check the endpoint"."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    connection = lookup_connection(endpoint="http://mrs.private.example.invalid:8443")
    connection.iam_endpoint = closed_url  # stands in for the public IAM, unreachable from a private network
    error = failed_lookup(connection)
    assert error.code == "ConnectionRefused" and error.attempts == 1
    text = str(error)
    assert_ways_out(text)
    assert "because iam_endpoint is unset" in text, text


def test_a_refused_iam_endpoint_is_named_as_iam_endpoint(closed_url, monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    connection = lookup_connection(endpoint="http://mrs.private.example.invalid:8443",
                                   iam_endpoint=closed_url.replace("http://", "http://admin:hunter2@") + "/iam")
    error = failed_lookup(connection)
    assert error.code == "ConnectionRefused" and error.attempts == 1
    text = str(error)
    assert_ways_out(text)
    assert "went to iam_endpoint (HUAWEICLOUD_SDK_IAM_ENDPOINT) %s" % closed_url in text, text
    assert "public IAM" not in text
    assert "hunter2" not in text and "admin" not in text  # never a URL's user info (a query is refused before any call)


def test_without_endpoint_the_lookup_names_the_iam_built_from_region_and_cloud(resolver):
    error = failed_lookup(lookup_connection())
    assert resolver.asked == ["iam.cn-north-4.myhuaweicloud.com"]
    text = str(error)
    assert_ways_out(text)
    assert "built from region and cloud, %s" % PUBLIC_IAM in text and "HW_REGION_NAME" in text, text
    assert "because iam_endpoint is unset" not in text


def test_a_proxy_hint_is_kept_before_the_lookup_hint(closed_url, monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", closed_url)
    error = failed_lookup(lookup_connection(endpoint="http://mrs.private.example.invalid:8443",
                                            iam_endpoint="http://iam.private.example.invalid"))
    text = str(error)
    assert "through the proxy" in text and "check HTTPS_PROXY, HTTP_PROXY and NO_PROXY; " in text, text
    assert_ways_out(text)


class OneAnswer:
    """A requests session that answers every request with one JSON body; ``urls`` lists what was asked."""

    def __init__(self, status, body):
        self.status, self.body, self.urls = status, body, []
        self.verify = True

    def request(self, method, url, **kwargs):
        self.urls.append(url)
        response = requests.models.Response()
        response.status_code = self.status
        response._content = json.dumps(self.body).encode()  # pylint: disable=protected-access
        response.headers["Content-Type"] = "application/json"
        return response

    def close(self):
        pass


@pytest.mark.parametrize("status, body, error_type, expected", [
    (200, {"projects": []}, ConfigurationError, "none of the projects these credentials can see is named cn-north-4 (they see no project)"),
    (401, {"error_code": "APIGW.0301", "error_msg": "incorrect IAM authentication information"}, ApiError,
     "HTTP 401, error APIGW.0301"),
])
def test_an_answer_that_resolves_no_project_names_the_ways_out(status, body, error_type, expected):
    connection = lookup_connection(endpoint="https://mrs.private.example", iam_endpoint="https://iam.private.example")
    session = OneAnswer(status, body)
    connection.transport.session = session
    error = failed_lookup(connection, error_type)
    assert [url.split("?")[0] for url in session.urls] == ["https://iam.private.example/v3/auth/projects"]
    text = str(error)
    assert expected in text, text
    assert_ways_out(text)
    assert "went to iam_endpoint (HUAWEICLOUD_SDK_IAM_ENDPOINT) https://iam.private.example:443" in text, text


def test_endpoint_and_project_id_without_region_need_no_iam():
    """check_params allows it (a private cloud); building the connection must not need a region either."""
    connection = _huawei.HuaweiCloudConnection.from_params(
        dict(access_key="AKTEST", secret_key=SECRET, endpoint="https://mrs.private.example", project_id="p1",
             cloud="myhuaweicloud.com", timeout=5.0, max_retries=0), "mrs")
    assert connection.project_id == "p1"


def test_with_endpoint_and_another_cloud_the_lookup_names_the_iam_built_from_it(resolver):
    error = failed_lookup(lookup_connection(endpoint="http://mrs.private.example.invalid:8443", cloud="example.invalid"))
    assert resolver.asked == ["iam.cn-north-4.example.invalid"]
    text = str(error)
    assert_ways_out(text)
    assert ("went to the IAM built from region and cloud, https://iam.cn-north-4.example.invalid because iam_endpoint "
            "is unset" in text), text
    assert "public" not in text
