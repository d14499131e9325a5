# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud credential sources: precedence, conflicts, the error that lists what was tried, the files of tccli
and the SDK, instance metadata and AssumeRole on top, and a call sent again after AuthFailure.TokenFailure."""

from __future__ import annotations

import json
import threading

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _tencent, _tencent_credentials
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._credentials import Credentials, CurrentCredentials
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent import TencentCloudConnection, TencentRetryPolicy
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent_credentials import (
    InstanceMetadata,
    credential_chain,
    resolve_credentials,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._transport import Transport

ENVIRONMENT = ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_TOKEN",
               "TENCENTCLOUD_REGION", "TENCENTCLOUD_PROFILE", "TENCENTCLOUD_SHARED_CREDENTIALS_DIR",
               "TENCENTCLOUD_CAM_ROLE_NAME", "TENCENTCLOUD_ASSUME_ROLE_ARN", "TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME",
               "TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION")
ROLE = "qcs::cam::uin/100000000001:roleName/cleanup"


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """An empty HOME, no Tencent variables, and /etc/tencentcloud/credentials moved into tmp_path."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(_tencent_credentials, "SYSTEM_CREDENTIALS_FILE", str(tmp_path / "etc" / "credentials"))
    return home


def params(**extra):
    """Module params as Ansible hands them over: every option present, defaults applied."""
    base = {"secret_id": None, "secret_key": None, "security_token": None, "region": "ap-guangzhou",
            "profile": "default", "shared_credentials_dir": "~/.tccli", "assume_role": None,
            "sts_endpoint": "http://sts.invalid", "cam_role_name": None, "instance_credentials": False,
            "metadata_endpoint": "http://metadata.invalid", "endpoint": "http://batch.invalid", "timeout": 5.0,
            "max_retries": 0, "retry_delay": 0.0, "rate_limit": 1000.0, "validate_certs": True, "ca_bundle": None}
    base.update(extra)
    return base


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def tccli(home, profile="default", region=None, **credential):
    write(home / ".tccli" / (profile + ".credential"), json.dumps(credential))
    if region:
        write(home / ".tccli" / (profile + ".configure"), json.dumps({"_sys_param": {"region": region, "output": "json"}}))


def sdk_file(path, secret_id="SDKID", secret_key="SDKKEY"):
    return write(path, "[default]\nsecret_id = %s\nsecret_key = %s\n" % (secret_id, secret_key))


# -- precedence --------------------------------------------------------------------------------------------------

def test_options_win_over_every_file(home):
    tccli(home, secretId="PROFILEID", secretKey="PROFILEKEY")
    sdk_file(home / ".tencentcloud" / "credentials")
    plan = resolve_credentials(params(secret_id="OPTID", secret_key="OPTKEY", security_token="OPTTOKEN"))
    assert (plan.keys.key_id, plan.keys.secret, plan.keys.token) == ("OPTID", "OPTKEY", "OPTTOKEN")
    assert plan.keys.source == "the options secret_id and secret_key" and not plan.keys.temporary
    assert plan.role is None and not plan.instance


def test_keys_from_the_environment_are_named_as_such(monkeypatch):
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "ENVID")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "ENVKEY")
    plan = resolve_credentials(params(secret_id="ENVID", secret_key="ENVKEY"))  # what env_fallback hands over
    assert plan.keys.source == "the environment (TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY)"


def test_the_default_tccli_profile_is_read_when_no_keys_are_given(home):
    tccli(home, region="ap-shanghai", secretId="PROFILEID", secretKey="PROFILEKEY", token="PROFILETOKEN")
    sdk_file(home / ".tencentcloud" / "credentials")
    plan = resolve_credentials(params(region=None))
    assert (plan.keys.key_id, plan.keys.secret, plan.keys.token) == ("PROFILEID", "PROFILEKEY", "PROFILETOKEN")
    assert "tccli profile 'default'" in plan.keys.source and plan.region == "ap-shanghai"
    assert _tencent.check_params(params(region=None))[1] == "ap-shanghai"
    assert _tencent.check_params(params(region="ap-beijing"))[1] == "ap-beijing"  # the option wins


def test_a_named_profile_in_a_named_directory(tmp_path):
    directory = tmp_path / "elsewhere"
    write(directory / "prod.credential", json.dumps({"secretId": "PRODID", "secretKey": "PRODKEY"}))
    plan = resolve_credentials(params(profile="prod", shared_credentials_dir=str(directory)))
    assert plan.keys.key_id == "PRODID" and str(directory / "prod.credential") in plan.keys.source


@pytest.mark.parametrize("content", [None, {"secretId": "ONLYID"}])
def test_a_named_profile_that_yields_nothing_is_an_error_not_a_fall_through(home, content):
    if content is not None:
        write(home / ".tccli" / "prod.credential", json.dumps(content))
    sdk_file(home / ".tencentcloud" / "credentials")  # would otherwise be used: the wrong account
    with pytest.raises(ConfigurationError, match="tccli profile 'prod'") as excinfo:
        resolve_credentials(params(profile="prod"))
    assert str(home / ".tccli" / "prod.credential") in str(excinfo.value)


def test_a_profile_role_arn_is_assumed_with_its_session_name(home):
    tccli(home, secretId="PROFILEID", secretKey="PROFILEKEY", **{"role-arn": ROLE, "role-session-name": "tccli-s"})
    plan = resolve_credentials(params())
    assert plan.keys.key_id == "PROFILEID"
    assert (plan.role.role_arn, plan.role.session_name, plan.role.duration) == (ROLE, "tccli-s", 7200)
    assert "role-arn of the tccli profile 'default'" in plan.description


def test_the_sdk_file_in_home_then_the_system_file(home, tmp_path):
    tccli(home, secretId="", secretKey="")  # a profile without keys: the next source
    sdk_file(tmp_path / "etc" / "credentials", "ETCID", "ETCKEY")
    assert resolve_credentials(params()).keys.key_id == "ETCID"
    sdk_file(home / ".tencentcloud" / "credentials", "HOMEID", "HOMEKEY")
    plan = resolve_credentials(params())
    assert (plan.keys.key_id, plan.keys.secret, plan.keys.token) == ("HOMEID", "HOMEKEY", None)
    assert plan.keys.source == "the Tencent Cloud SDK credentials file %s" % (home / ".tencentcloud" / "credentials")


def test_nothing_configured_lists_every_source_in_order(home, tmp_path):
    write(home / ".tencentcloud" / "credentials", "[other]\nsecret_id = X\n")
    with pytest.raises(ConfigurationError) as excinfo:
        resolve_credentials(params())
    message = str(excinfo.value)
    assert message.startswith("missing Tencent Cloud credentials")
    order = ["secret_id and secret_key", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_PROFILE",
             "TENCENTCLOUD_SHARED_CREDENTIALS_DIR", str(home / ".tccli" / "default.credential"),
             str(home / ".tencentcloud" / "credentials"), str(tmp_path / "etc" / "credentials"), "cam_role_name",
             "TENCENTCLOUD_CAM_ROLE_NAME", "instance_credentials"]
    positions = [message.find(needle, message.find("Tried")) for needle in order]
    assert -1 not in positions and positions == sorted(positions), message
    assert "no [default] secret_id and secret_key" in message and "not asked for" in message


def test_partial_keys_are_an_error_that_names_the_missing_one(home):
    tccli(home, secretId="PROFILEID", secretKey="PROFILEKEY")
    with pytest.raises(ConfigurationError, match="missing Tencent Cloud credentials: set secret_key .*TENCENTCLOUD_SECRET_KEY"):
        resolve_credentials(params(secret_id="OPTID", secret_key=""))
    with pytest.raises(ConfigurationError, match="set secret_id and secret_key"):
        resolve_credentials(params(security_token="TOKEN"))


# -- instance credentials and conflicts ----------------------------------------------------------------------------

def test_instance_credentials_only_when_asked_for_and_then_no_implicit_files(home):
    tccli(home, region="ap-shanghai", secretId="PROFILEID", secretKey="PROFILEKEY")
    assert not resolve_credentials(params()).instance
    plan = resolve_credentials(params(cam_role_name="cleanup", region=None))
    assert plan.instance and plan.keys is None and plan.cam_role_name == "cleanup" and plan.region == "ap-shanghai"
    plan = resolve_credentials(params(instance_credentials=True))
    assert plan.instance and plan.cam_role_name is None


@pytest.mark.parametrize("extra, words", [
    (dict(secret_id="A", secret_key="B", instance_credentials=True), ["instance_credentials", "secret_id, secret_key"]),
    (dict(secret_id="A", secret_key="B", cam_role_name="cleanup"), ["cam_role_name", "secret_id, secret_key"]),
    (dict(security_token="T", cam_role_name="cleanup"), ["cam_role_name", "security_token"]),
    (dict(profile="prod", instance_credentials=True), ["instance_credentials", "'prod'"]),
])
def test_conflicting_explicit_sources(extra, words):
    with pytest.raises(ConfigurationError, match="conflicting Tencent Cloud credentials") as excinfo:
        resolve_credentials(params(**extra))
    for word in words:
        assert word in str(excinfo.value)
    for secret in ("A", "B", "T"):
        assert "=%s" % secret not in str(excinfo.value)


def test_conflicting_keys_from_the_environment_name_the_variables(monkeypatch):
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "ENVID")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "ENVKEY")
    with pytest.raises(ConfigurationError, match="TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY") as excinfo:
        resolve_credentials(params(secret_id="ENVID", secret_key="ENVKEY", cam_role_name="cleanup"))
    assert "ENVKEY" not in str(excinfo.value)


# -- assume_role ---------------------------------------------------------------------------------------------------

def test_assume_role_members_fall_back_to_the_environment(monkeypatch):
    monkeypatch.setenv("TENCENTCLOUD_ASSUME_ROLE_ARN", "qcs::cam::uin/1:roleName/env")
    monkeypatch.setenv("TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME", "env-session")
    monkeypatch.setenv("TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION", "900")
    plan = resolve_credentials(params(secret_id="A", secret_key="B"))
    assert (plan.role.role_arn, plan.role.session_name, plan.role.duration) == ("qcs::cam::uin/1:roleName/env", "env-session", 900)
    assert plan.role.origin == "TENCENTCLOUD_ASSUME_ROLE_ARN"
    option = {"role_arn": ROLE, "session_name": None, "session_duration": 3600}
    plan = resolve_credentials(params(secret_id="A", secret_key="B", assume_role=option))
    assert (plan.role.role_arn, plan.role.session_name, plan.role.duration) == (ROLE, "env-session", 3600)


def test_assume_role_defaults():
    plan = resolve_credentials(params(secret_id="A", secret_key="B", assume_role={"role_arn": ROLE}))
    assert (plan.role.session_name, plan.role.duration) == ("cloudjobs-cleanup", 7200)


@pytest.mark.parametrize("option, env, words", [
    ({"role_arn": ROLE, "session_duration": 43201}, None, ["assume_role.session_duration", "43200"]),
    ({"role_arn": ROLE, "session_duration": 0}, None, ["assume_role.session_duration", "43200"]),
    ({"role_arn": ROLE}, "50000", ["TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION", "43200"]),
    ({"role_arn": ROLE}, "two hours", ["TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION", "whole number"]),
    ({"session_duration": 900}, None, ["role_arn", "TENCENTCLOUD_ASSUME_ROLE_ARN"]),
    ({"role_arn": ROLE, "session_name": "a b"}, None, ["session_name"]),
])
def test_bad_assume_role_settings_fail_before_any_request(monkeypatch, option, env, words):
    if env is not None:
        monkeypatch.setenv("TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION", env)
    with pytest.raises(ConfigurationError) as excinfo:
        TencentCloudConnection.from_params(params(secret_id="A", secret_key="B", assume_role=option))
    for word in words:
        assert word in str(excinfo.value)


# -- file errors never quote a file ---------------------------------------------------------------------------------

def test_unreadable_files_are_named_never_quoted(home):
    write(home / ".tencentcloud" / "credentials", "secret_id = LEAKEDSECRET0123\n")  # no section header
    with pytest.raises(ConfigurationError) as excinfo:
        resolve_credentials(params())
    assert str(home / ".tencentcloud" / "credentials") in str(excinfo.value)
    assert "LEAKEDSECRET0123" not in str(excinfo.value)
    write(home / ".tccli" / "default.credential", '{"secretKey": "LEAKEDSECRET0123", ')
    with pytest.raises(ConfigurationError, match="not valid JSON") as excinfo:
        resolve_credentials(params())
    assert "LEAKEDSECRET0123" not in str(excinfo.value)


# -- fetching: metadata, STS, and the chain --------------------------------------------------------------------------

class Response:
    def __init__(self, status, body, headers=None):
        self.status_code = status
        self.body = body
        self.headers = headers or {}

    @property
    def text(self):
        return self.body if isinstance(self.body, str) else json.dumps(self.body)

    def json(self):
        if isinstance(self.body, str):
            return json.loads(self.body)
        return self.body


class ScriptedTransport:
    """Transport.send without HTTP: signs, records and parses scripted answers (a callable gets the headers)."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.sent = []
        self.lock = threading.Lock()
        self.debugged = []

    def send(self, service, operation, sign, parse, policy, mutating=False, limiter=None):
        method, url, headers, body = sign()
        with self.lock:
            self.sent.append({"service": service, "operation": operation, "method": method, "url": url,
                              "headers": headers, "body": body, "limiter": limiter, "mutating": mutating})
            answer = self.answers.pop(0)
        if callable(answer):
            answer = answer(headers)
        return parse(answer)

    def debug(self, message):
        self.debugged.append(message)

    def close(self):
        pass


def envelope(**response):
    return Response(200, {"Response": dict(response, RequestId="rid")})


def token_failure(headers=None):
    token = (headers or {}).get("X-TC-Token", "")
    return envelope(Error={"Code": "AuthFailure.TokenFailure", "Message": "The token %s has expired." % token})


def metadata_answer(n, expired_time=4102444800):
    return Response(200, {"TmpSecretId": "TMPID%d" % n, "TmpSecretKey": "TMPKEY%d" % n, "Token": "TMPTOKEN%d" % n,
                          "ExpiredTime": expired_time, "Expiration": "2100-01-01T00:00:00Z", "Code": "Success"})


def test_metadata_discovers_the_role_then_reads_its_credentials():
    transport = ScriptedTransport([Response(200, "cleanup\n"), metadata_answer(1)])
    credentials = InstanceMetadata(transport, TencentRetryPolicy(max_retries=0), "http://169.254.0.23:8080/").credentials()
    assert [s["url"] for s in transport.sent] == [
        "http://169.254.0.23:8080/latest/meta-data/cam/security-credentials/",
        "http://169.254.0.23:8080/latest/meta-data/cam/security-credentials/cleanup"]
    assert all(s["method"] == "GET" and not s["mutating"] for s in transport.sent)
    assert (credentials.key_id, credentials.secret, credentials.token) == ("TMPID1", "TMPKEY1", "TMPTOKEN1")
    assert credentials.expires_at == 4102444800.0 and credentials.temporary


@pytest.mark.parametrize("answer, code", [
    (Response(404, "not found"), "HTTP404"),
    (Response(200, {"Code": "Failure", "TmpSecretId": "X"}), "Failure"),
    (Response(200, {"Code": "Success", "TmpSecretId": "X"}), "MalformedResponse"),
])
def test_metadata_refusals_are_clean_errors(answer, code):
    transport = ScriptedTransport([answer])
    with pytest.raises(ApiError) as excinfo:
        InstanceMetadata(transport, TencentRetryPolicy(max_retries=0), "http://m", "cleanup").credentials()
    assert excinfo.value.code == code and "Tencent Cloud CVM metadata CamSecurityCredentials" in str(excinfo.value)


def connection_with(transport, plan_params):
    """A Batch connection built as from_params builds it, on a scripted transport."""
    checked = _tencent.check_params(plan_params)
    return TencentCloudConnection(checked.params, transport, TencentRetryPolicy(max_retries=0), "LIMITER",
                                  plan=checked.plan)


def sts_answer(n, expired_time=4102444800):
    return envelope(Credentials={"TmpSecretId": "STSID%d" % n, "TmpSecretKey": "STSKEY%d" % n, "Token": "STSTOKEN%d" % n},
                    ExpiredTime=expired_time, Expiration="2100-01-01T00:00:00Z")


def test_assume_role_on_top_of_instance_credentials():
    transport = ScriptedTransport([metadata_answer(1), sts_answer(1), envelope(TotalCount=0)])
    option = {"role_arn": ROLE, "session_name": "s1", "session_duration": 900}
    connection = connection_with(transport, params(cam_role_name="cleanup", assume_role=option))
    assert connection.call("DescribeJobs", {}) == {"TotalCount": 0, "RequestId": "rid"}
    metadata, sts, batch = transport.sent
    assert metadata["operation"] == "CamSecurityCredentials" and metadata["url"].endswith("/cleanup")
    assert (sts["service"], sts["operation"], sts["url"]) == ("Tencent Cloud STS", "AssumeRole", "http://sts.invalid/")
    assert sts["headers"]["X-TC-Version"] == "2018-08-13" and sts["headers"]["X-TC-Token"] == "TMPTOKEN1"
    assert "/sts/tc3_request" in sts["headers"]["Authorization"] and "TMPID1/" in sts["headers"]["Authorization"]
    assert sts["limiter"] is None and batch["limiter"] == "LIMITER"  # STS never takes the Batch rate
    assert not metadata["mutating"] and not sts["mutating"]  # check mode may resolve credentials
    assert json.loads(sts["body"]) == {"RoleArn": ROLE, "RoleSessionName": "s1", "DurationSeconds": 900}
    assert batch["headers"]["X-TC-Token"] == "STSTOKEN1" and "/batch/tc3_request" in batch["headers"]["Authorization"]
    assert sorted(connection.secrets) == ["STSKEY1", "STSTOKEN1", "TMPKEY1", "TMPTOKEN1"]


def test_a_token_failure_with_temporary_credentials_is_sent_once_more_with_new_ones():
    transport = ScriptedTransport([sts_answer(1), token_failure, sts_answer(2), envelope(TotalCount=3)])
    connection = connection_with(transport, params(secret_id="A", secret_key="B", assume_role={"role_arn": ROLE}))
    assert connection.call("DescribeJobs", {})["TotalCount"] == 3
    tokens = [s["headers"].get("X-TC-Token") for s in transport.sent if s["operation"] == "DescribeJobs"]
    assert tokens == ["STSTOKEN1", "STSTOKEN2"] and connection.credentials.fetches == 2
    assert any("AuthFailure.TokenFailure" in m for m in transport.debugged)


def test_a_second_token_failure_is_a_clean_failure_with_the_secrets_scrubbed():
    transport = ScriptedTransport([sts_answer(1), token_failure, sts_answer(2), token_failure])
    connection = connection_with(transport, params(secret_id="A", secret_key="B", assume_role={"role_arn": ROLE}))
    with pytest.raises(ApiError) as excinfo:
        connection.call("DeleteJob", {"JobId": "job-a1"}, mutating=True)
    text = str(excinfo.value)
    assert excinfo.value.code == "AuthFailure.TokenFailure" and "refused again" in text
    assert "STSTOKEN" not in text and "********" in text
    assert len([s for s in transport.sent if s["operation"] == "DeleteJob"]) == 2


def test_a_fixed_token_is_never_refreshed():
    transport = ScriptedTransport([token_failure])
    connection = connection_with(transport, params(secret_id="A", secret_key="B", security_token="FIXEDTOKEN01"))
    with pytest.raises(ApiError) as excinfo:
        connection.call("DescribeJobs", {})
    assert len(transport.sent) == 1 and "cannot be refreshed" in str(excinfo.value)
    assert "FIXEDTOKEN01" not in str(excinfo.value)


def test_concurrent_workers_refresh_once_after_a_token_failure():
    """Eight workers signed with the same expired token: one fetch of new credentials, each call sent again."""
    answers = [sts_answer(1)] + [token_failure] * 8
    transport = ScriptedTransport(answers)
    connection = connection_with(transport, params(secret_id="A", secret_key="B", assume_role={"role_arn": ROLE}))
    connection.credentials.get()
    barrier = threading.Barrier(8)
    original = transport.send

    def send(service, operation, sign, parse, policy, mutating=False, limiter=None):
        if operation == "DeleteJob" and len([s for s in transport.sent if s["operation"] == "DeleteJob"]) < 8:
            method, url, headers, body = sign()
            with transport.lock:
                transport.sent.append({"service": service, "operation": operation, "headers": headers})
            barrier.wait(timeout=10)  # all eight signed with the first credentials before any refusal
            return parse(token_failure(headers))
        if operation == "AssumeRole":
            with transport.lock:
                transport.answers.insert(0, sts_answer(2))
        else:
            with transport.lock:
                transport.answers.insert(0, envelope(JobId="ok"))
        return original(service, operation, sign, parse, policy, mutating, limiter)

    transport.send = send
    results, errors = [], []

    def work():
        try:
            results.append(connection.call("DeleteJob", {"JobId": "job-a1"}, mutating=True))
        except ApiError as error:  # pragma: no cover - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work) for _worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not errors and len(results) == 8
    assert connection.credentials.fetches == 2  # the first AssumeRole and exactly one refresh
    assert len([s for s in transport.sent if s["operation"] == "AssumeRole"]) == 2


def test_long_lived_keys_never_ask_the_metadata_service():
    asked = []
    plan = resolve_credentials(params(secret_id="A", secret_key="B"))
    current = CurrentCredentials(credential_chain(plan, metadata=lambda: asked.append(1), sts=lambda source: asked.append(2)))
    assert current.get().key_id == "A" and not asked


def test_from_params_resolves_once_before_the_first_call_and_closes_on_failure(monkeypatch):
    closed = []
    monkeypatch.setattr(Transport, "close", lambda self: closed.append(1))
    with pytest.raises(ApiError, match="Tencent Cloud CVM metadata"):
        TencentCloudConnection.from_params(params(cam_role_name="cleanup", metadata_endpoint="http://127.0.0.1:9",
                                                  max_retries=0, timeout=2.0))
    assert closed == [1]


def test_a_connection_without_a_credential_chain_signs_with_its_params():
    connection = TencentCloudConnection(params(secret_id="A", secret_key="B", security_token="T"), None, None, None)
    assert isinstance(connection.credentials, CurrentCredentials)
    assert isinstance(connection.credentials.get(), Credentials)
    assert sorted(connection.secrets) == ["B", "T"]
