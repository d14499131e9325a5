# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud credential sources: precedence, files, conflicts, the "nothing found" listing, assumed agencies,
instance credentials, and the refresh after a 401 while the credentials are temporary."""

from __future__ import annotations

import datetime
import json
import threading
import time

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _huawei_credentials as hc
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei import HuaweiCloudConnection, check_params
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._transport import Transport

AK, SK = "AKOPTIONS", "SKOPTIONS-secret-0000000000"
PROFILE_AK, PROFILE_SK = "AKPROFILE", "SKPROFILE-secret-0000000000"
FILE_AK, FILE_SK = "AKFILE", "SKFILE-secret-0000000000"
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
DOMAIN_ID = "0d0e0f1a2b3c4d5e6f7a8b9c0d1e2f3a"


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """A private HOME (~/.hcloud, ~/.huaweicloud) and no credential variables from the machine running the tests."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ["HUAWEICLOUD_SDK_CREDENTIALS_FILE"] + [v for dummy, v in hc.ASSUME_ROLE_ENV]:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def write_profile(home, profiles, current=None, path=None):
    path = path or home / ".hcloud" / "config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"current": current or profiles[0]["name"], "profiles": profiles}), encoding="utf-8")
    return path


def aksk_profile(name="default", **extra):
    return dict({"name": name, "mode": "AKSK", "accessKeyId": PROFILE_AK, "secretAccessKey": PROFILE_SK,
                 "region": "cn-north-4", "projectId": PROJECT}, **extra)


def write_sdk_file(home, text=None, path=None):
    path = path or home / ".huaweicloud" / "credentials"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text is not None else "[basic]\nak = %s\nsk = %s\nproject_id = pfile\n" % (FILE_AK, FILE_SK),
                    encoding="utf-8")
    return path


# -- precedence ------------------------------------------------------------------------------------------------------

def test_options_win_over_the_profile_and_the_sdk_file(home):
    write_profile(home, [aksk_profile()])
    write_sdk_file(home)
    found = hc.resolve_credentials({"access_key": AK, "secret_key": SK, "profile": "default"}, environ={})
    assert found.source == "options" and found.keys.key_id == AK and not found.keys.temporary


def test_the_profile_wins_over_the_sdk_file_and_fills_region_and_project(home):
    write_profile(home, [aksk_profile("other", accessKeyId="AKOTHER"), aksk_profile()], current="other")
    write_sdk_file(home)
    found = hc.resolve_credentials({"profile": "default"}, environ={})
    assert found.keys.key_id == PROFILE_AK and "profile default in %s" % (home / ".hcloud" / "config.json") in found.source
    assert found.apply({"region": None})["region"] == "cn-north-4"
    assert found.apply({})["project_id"] == PROJECT
    assert found.apply({"project_id": "mine"})["project_id"] == "mine"


def test_the_current_profile_is_used_when_only_the_file_is_named(home, tmp_path):
    path = write_profile(home, [aksk_profile("a", accessKeyId="AKA"), aksk_profile("b", accessKeyId="AKB")], current="b",
                         path=tmp_path / "elsewhere.json")
    assert hc.resolve_credentials({"shared_config_file": str(path)}, environ={}).keys.key_id == "AKB"


def test_a_profile_project_is_not_taken_for_another_region_or_an_assumed_agency(home):
    write_profile(home, [aksk_profile()])
    assert hc.resolve_credentials({"profile": "default", "region": "cn-east-3"}, environ={}).project_id is None
    assumed = hc.resolve_credentials({"profile": "default", "assume_role": {"agency_name": "a", "domain_name": "d"}}, environ={})
    assert assumed.project_id is None and assumed.region == "cn-north-4"


def test_the_profile_file_is_not_read_unless_asked_for(home):
    write_profile(home, [aksk_profile()])
    write_sdk_file(home)
    found = hc.resolve_credentials({}, environ={})
    assert found.keys.key_id == FILE_AK and found.project_id == "pfile"


def test_the_sdk_file_path_comes_from_the_environment(home, tmp_path):
    path = write_sdk_file(home, "[basic]\nak = AKENV\nsk = SKENV\nsecurity_token = TOKENENV\n", path=tmp_path / "c.ini")
    found = hc.resolve_credentials({}, environ={"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(path)})
    assert (found.keys.key_id, found.keys.token) == ("AKENV", "TOKENENV")
    assert str(path) in found.source and not found.keys.temporary  # no expiry known: never refreshed


def test_instance_credentials_only_when_asked_for(home):
    found = hc.resolve_credentials({"instance_credentials": True, "metadata_endpoint": "http://127.0.0.1:1"}, environ={})
    assert found.instance and found.keys is None and "http://127.0.0.1:1" in found.source
    write_sdk_file(home)
    assert not hc.resolve_credentials({"instance_credentials": True}, environ={}).instance  # the file comes first


def test_an_ecs_agency_profile_means_instance_credentials(home):
    write_profile(home, [{"name": "vm", "mode": "ecsAgency", "region": "cn-north-4"}])
    found = hc.resolve_credentials({"profile": "vm"}, environ={})
    assert found.instance and found.region == "cn-north-4"


# -- nothing found, broken files -------------------------------------------------------------------------------------

def test_nothing_found_lists_every_source_in_order(home):
    with pytest.raises(ConfigurationError) as ended:
        hc.resolve_credentials({}, environ={})
    text = str(ended.value)
    assert text.startswith("missing Huawei Cloud credentials: set access_key and secret_key (environment variables "
                           "HW_ACCESS_KEY and HW_SECRET_KEY), or one of the other sources. Tried, in order: 1. ")
    text = text.split("Tried, in order: ", 1)[1]
    order = ["access_key/secret_key", "HW_ACCESS_KEY", "HUAWEICLOUD_SDK_AK", "auth_token (HW_AUTH_TOKEN)", "HW_PROFILE",
             "HW_SHARED_CONFIG_FILE", "~/.hcloud/config.json", str(home / ".huaweicloud" / "credentials"),
             "HUAWEICLOUD_SDK_CREDENTIALS_FILE", "instance_credentials=true"]
    positions = [text.index(word) for word in order]
    assert positions == sorted(positions), text


def test_a_file_without_keys_is_named_in_the_listing(home):
    write_sdk_file(home, "[global]\nak = A\nsk = B\n")
    with pytest.raises(ConfigurationError, match=r"no ak and sk in \[basic\]"):
        hc.resolve_credentials({}, environ={})


def test_check_params_keeps_the_missing_credentials_wording(home):
    with pytest.raises(ConfigurationError, match="missing Huawei Cloud credentials"):
        check_params({"region": "cn-north-4"})


@pytest.mark.parametrize("params, words", [
    ({"profile": "default"}, ["cannot read", "config.json", "HW_SHARED_CONFIG_FILE"]),
    ({"profile": "nope", "shared_config_file": "WRITE"}, ["has no profile nope", "profiles: default"]),
    ({"profile": "enc", "shared_config_file": "WRITE"}, ["no accessKeyId/secretAccessKey", "--cli-auth-encrypt=false"]),
    ({"profile": "sso", "shared_config_file": "WRITE"}, ["mode SSO"]),
])
def test_broken_profiles_are_clear_errors(home, params, words):
    if params.get("shared_config_file") == "WRITE":
        params["shared_config_file"] = str(write_profile(home, [
            aksk_profile(), {"name": "enc", "mode": "AKSK", "accessKeyId": "", "secretAccessKey": ""},
            {"name": "sso", "mode": "SSO"}]))
    with pytest.raises(ConfigurationError) as ended:
        hc.resolve_credentials(params, environ={})
    for word in words:
        assert word in str(ended.value)


def test_unparseable_files_never_quote_their_content(home):
    path = home / "bad.json"
    path.write_text('{"profiles": [{"secretAccessKey": "LEAKME-JSON" oops', encoding="utf-8")
    with pytest.raises(ConfigurationError) as ended:
        hc.resolve_credentials({"shared_config_file": str(path)}, environ={})
    assert "LEAKME" not in str(ended.value) and str(path) in str(ended.value)
    write_sdk_file(home, "ak = LEAKME-INI\n[basic\nsk = LEAKME-INI\n")
    with pytest.raises(ConfigurationError) as ended:
        hc.resolve_credentials({}, environ={})
    assert "LEAKME" not in str(ended.value) and "credentials" in str(ended.value)


# -- conflicts and assume_role settings ------------------------------------------------------------------------------

@pytest.mark.parametrize("params, words", [
    ({"access_key": AK, "secret_key": SK, "instance_credentials": True}, ["access_key/secret_key", "instance_credentials"]),
    ({"security_token": "t", "instance_credentials": True}, ["security_token cannot be combined"]),
    ({"auth_token": "tok", "profile": "p"}, ["auth_token", "profile"]),
    ({"auth_token": "tok", "instance_credentials": True}, ["auth_token", "instance_credentials"]),
    ({"auth_token": "tok", "assume_role": {"agency_name": "a", "domain_name": "d"}}, ["auth_token", "assume_role"]),
    ({"auth_token": "tok", "access_key": AK}, ["cannot be combined with access_key"]),
    ({"access_key": AK}, ["missing Huawei Cloud credentials: set secret_key"]),
])
def test_conflicts_and_incomplete_keys_are_refused(params, words):
    with pytest.raises(ConfigurationError) as ended:
        hc.resolve_credentials(params, environ={})
    for word in words:
        assert word in str(ended.value)


def test_assume_role_members_come_from_the_environment_when_the_option_leaves_them_out():
    env = {"HW_ASSUME_ROLE_AGENCY_NAME": "from-env", "HW_ASSUME_ROLE_DOMAIN_ID": DOMAIN_ID,
           "HW_ASSUME_ROLE_DURATION": "1800"}
    found = hc.resolve_credentials({"access_key": AK, "secret_key": SK,
                                    "assume_role": {"agency_name": "opt", "domain_name": None, "domain_id": None,
                                                    "duration": None}},
                                   environ=env)
    assert found.role == {"agency_name": "opt", "domain_name": None, "domain_id": DOMAIN_ID, "duration": 1800}
    assert hc.resolve_credentials({"access_key": AK, "secret_key": SK}, environ=env).role["agency_name"] == "from-env"
    assert hc.resolve_credentials({"access_key": AK, "secret_key": SK}, environ={}).role is None


@pytest.mark.parametrize("assume, token, expected", [
    ({"agency_name": "a", "domain_name": "d"}, None, 900),
    ({"agency_name": "a", "domain_id": DOMAIN_ID}, None, 3600),
    ({"agency_name": "a", "domain_id": DOMAIN_ID, "duration": 43200}, None, 43200),
    ({"agency_name": "a", "domain_name": "d", "duration": 86400}, "t", 86400),
])
def test_assume_role_durations_default_per_api(assume, token, expected):
    found = hc.resolve_credentials({"access_key": AK, "secret_key": SK, "security_token": token, "assume_role": assume}, environ={})
    assert found.role["duration"] == expected


@pytest.mark.parametrize("assume, token, words", [
    ({"agency_name": "a", "domain_name": "d", "duration": 899}, None, "between 900 and 86400"),
    ({"agency_name": "a", "domain_name": "d", "duration": 86401}, None, "between 900 and 86400"),
    ({"agency_name": "a", "domain_id": DOMAIN_ID, "duration": 43201}, None, "between 900 and 43200"),
    ({"agency_name": "a", "domain_id": DOMAIN_ID, "duration": 3601}, "t", "between 900 and 3600"),
    ({"agency_name": "a"}, None, "domain_name or domain_id"),
    ({"domain_name": "d"}, None, "needs agency_name"),
])
def test_bad_assume_role_settings_are_refused_before_any_request(assume, token, words):
    with pytest.raises(ConfigurationError, match=words):
        hc.resolve_credentials({"access_key": AK, "secret_key": SK, "security_token": token, "assume_role": assume}, environ={})


def test_instance_credentials_count_as_temporary_for_the_sts_limit():
    with pytest.raises(ConfigurationError, match="between 900 and 3600"):
        hc.resolve_credentials({"instance_credentials": True,
                                "assume_role": {"agency_name": "a", "domain_id": DOMAIN_ID, "duration": 7200}}, environ={})


# -- the connection: fetching, signing, refreshing -------------------------------------------------------------------

def huawei_time(epoch, digits=6):
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + moment.strftime("%f")[:digits] + "Z"


class Response:
    def __init__(self, status, body=None, text=None):
        self.status_code = status
        self.headers = {"X-Request-Id": "rid"}
        self.text = text if text is not None else (json.dumps(body) if body is not None else "")
        self.content = self.text.encode()

    def json(self):
        return json.loads(self.text)


class Cloud:
    """A fake ``requests`` session playing metadata, IAM, STS and MRS: issues temporary keys, refuses expired or
    revoked ones with 401 APIGW.0307, and logs ``(operation, access key or None, headers, body)``."""

    def __init__(self, lifetime=3600.0, token_service=200, agency=True):
        self.verify = True
        self.lifetime = lifetime
        self.token_service = token_service
        self.agency = agency
        self.issued = {}
        self.revoked = set()
        self.refuse = {}  # operation -> responses to give first
        self.log = []
        self.lock = threading.Lock()

    def close(self):
        pass

    def _issue(self, prefix):
        with self.lock:
            access = "%s%d" % (prefix, len(self.issued))
            self.issued[access] = time.time() + self.lifetime
        return access, "secret-of-" + access, "token-of-" + access, self.issued[access]

    def request(self, method, url, headers=None, data=None, **kwargs):
        auth = headers.get("Authorization", "")
        access = auth.split("Access=")[1].split(",")[0] if "Access=" in auth else None
        path = url.split("://", 1)[1].split("/", 1)[1].split("?")[0]
        operation = {"meta-data/latest/api/token": "MetadataApiToken", "openstack/latest/securitykey": "MetadataSecurityKey",
                     "v3.0/OS-CREDENTIAL/securitytokens": "CreateTemporaryAccessKeyByAgency",
                     "v5/agencies/assume": "AssumeAgency", "v3/auth/projects": "KeystoneListAuthProjects"}.get(path, "ShowJobExeListNew")
        with self.lock:
            self.log.append((operation, access, dict(headers), json.loads(data) if data else None))
            scripted = self.refuse.get(operation)
            if scripted:
                return scripted.pop(0)
        if operation == "MetadataApiToken":
            return Response(self.token_service, text="metadata-api-token")
        if operation == "MetadataSecurityKey":
            if not self.agency:
                return Response(401, text="Please configure Cloud Service Agency first")
            a, s, t, e = self._issue("HSTMETA")
            return Response(200, {"credential": {"access": a, "secret": s, "securitytoken": t, "expires_at": huawei_time(e)}})
        if access in self.issued and (access in self.revoked or time.time() >= self.issued[access]
                                      or headers.get("X-Security-Token") != "token-of-" + access):
            return Response(401, {"error_code": "APIGW.0307", "error_msg": "The token must be updated."})
        if operation == "CreateTemporaryAccessKeyByAgency":
            a, s, t, e = self._issue("HSTIAM")
            return Response(201, {"credential": {"access": a, "secret": s, "securitytoken": t, "expires_at": huawei_time(e)}})
        if operation == "AssumeAgency":
            a, s, t, e = self._issue("HSTSTS")
            return Response(200, {"credentials": {"access_key_id": a, "secret_access_key": s, "security_token": t,
                                                  "expiration": huawei_time(e, 3)}})
        if operation == "KeystoneListAuthProjects":
            return Response(200, {"projects": [{"id": PROJECT, "name": "cn-north-4"}]})
        return Response(202, {"total_record": 0, "job_list": []})

    def ops(self):
        return [(op, access) for op, access, dummy, dummy in self.log]


def connect(cloud, read_only=False, **params):
    base = {"region": "cn-north-4", "project_id": PROJECT, "endpoint": "https://mrs.example", "iam_endpoint": "https://iam.example",
            "sts_endpoint": "https://sts.example", "metadata_endpoint": "http://meta.example", "cloud": "myhuaweicloud.com",
            "max_retries": 2, "timeout": 5.0}
    base.update(params)
    connection = HuaweiCloudConnection.from_params(base, "mrs", read_only=read_only)
    connection.transport = Transport(session=cloud, read_only=read_only, sleep=lambda s: None)
    return connection


def list_jobs(connection):
    return connection.request("ShowJobExeListNew", "GET", "/v2/%s/clusters/c1/job-executions" % PROJECT)


def test_instance_credentials_use_the_metadata_token_and_sign_with_the_security_token():
    cloud = Cloud()
    connection = connect(cloud, instance_credentials=True)
    list_jobs(connection)
    assert cloud.ops() == [("MetadataApiToken", None), ("MetadataSecurityKey", None), ("ShowJobExeListNew", "HSTMETA0")]
    assert cloud.log[0][2]["X-Metadata-Token-Ttl-Seconds"] == "21600"
    assert cloud.log[1][2]["X-Metadata-Token"] == "metadata-api-token"
    assert cloud.log[2][2]["X-Security-Token"] == "token-of-HSTMETA0"
    assert "x-security-token" in cloud.log[2][2]["Authorization"]  # signed
    assert connection.credentials.get().temporary


@pytest.mark.parametrize("status", [404, 405, 503])
def test_no_metadata_token_service_means_going_on_without_a_token(status):
    cloud = Cloud(token_service=status)
    list_jobs(connect(cloud, instance_credentials=True))
    assert cloud.ops()[:2] == [("MetadataApiToken", None), ("MetadataSecurityKey", None)]  # 503 not retried here
    assert "X-Metadata-Token" not in cloud.log[1][2]


def test_no_agency_bound_is_a_clear_error():
    cloud = Cloud(agency=False)
    with pytest.raises(ApiError) as ended:
        list_jobs(connect(cloud, instance_credentials=True))
    assert "no agency is bound" in str(ended.value) and ended.value.status == 401
    assert [op for op, dummy in cloud.ops()] == ["MetadataApiToken", "MetadataSecurityKey"]


def test_assume_role_through_iam_signs_with_the_source_keys():
    cloud = Cloud()
    connection = connect(cloud, access_key=AK, secret_key=SK, project_id=None,
                         assume_role={"agency_name": "cleanup", "domain_name": "dom"})
    list_jobs(connection)
    assert cloud.ops() == [("CreateTemporaryAccessKeyByAgency", AK), ("KeystoneListAuthProjects", "HSTIAM0"),
                           ("ShowJobExeListNew", "HSTIAM0")]
    assert cloud.log[0][3] == {"auth": {"identity": {"methods": ["assume_role"], "assume_role": {
        "agency_name": "cleanup", "domain_name": "dom", "duration_seconds": 900}}}}
    assert "X-Project-Id" not in cloud.log[0][2] and "X-Security-Token" not in cloud.log[0][2]


def test_assume_role_through_sts_from_instance_credentials():
    cloud = Cloud()
    list_jobs(connect(cloud, instance_credentials=True, assume_role={"agency_name": "cleanup", "domain_id": DOMAIN_ID}))
    assert cloud.ops() == [("MetadataApiToken", None), ("MetadataSecurityKey", None), ("AssumeAgency", "HSTMETA0"),
                           ("ShowJobExeListNew", "HSTSTS1")]
    assert cloud.log[2][3] == {"agency_urn": "iam::%s:agency:cleanup" % DOMAIN_ID, "agency_session_name": "cleanup",
                               "duration_seconds": 3600}
    assert cloud.log[2][2]["X-Security-Token"] == "token-of-HSTMETA0"


def test_the_sts_endpoint_defaults_to_the_region():
    connection = HuaweiCloudConnection.from_params({"access_key": AK, "secret_key": SK, "region": "cn-east-3"}, "mrs")
    assert connection.sts_endpoint == "https://sts.cn-east-3.myhuaweicloud.com"


def test_a_401_with_temporary_credentials_refreshes_once_and_retries_the_call():
    cloud = Cloud()
    connection = connect(cloud, access_key=AK, secret_key=SK, assume_role={"agency_name": "c", "domain_name": "d"})
    list_jobs(connection)
    cloud.revoked.add("HSTIAM0")
    list_jobs(connection)
    assert cloud.ops() == [
        ("CreateTemporaryAccessKeyByAgency", AK), ("ShowJobExeListNew", "HSTIAM0"), ("ShowJobExeListNew", "HSTIAM0"),
        ("CreateTemporaryAccessKeyByAgency", AK), ("ShowJobExeListNew", "HSTIAM1")]
    assert connection.credentials.fetches == 2


def test_a_second_refusal_after_the_refresh_is_a_clean_failure():
    cloud = Cloud()
    connection = connect(cloud, instance_credentials=True)
    refusal = Response(401, {"error_code": "APIGW.0307", "error_msg": "The token must be updated."})
    cloud.refuse["ShowJobExeListNew"] = [refusal, refusal]
    with pytest.raises(ApiError) as ended:
        list_jobs(connection)
    assert ended.value.code == "APIGW.0307" and connection.credentials.fetches == 2
    assert [op for op, dummy in cloud.ops()].count("ShowJobExeListNew") == 2


def test_static_keys_are_not_refreshed_and_an_expired_token_says_so():
    cloud = Cloud()
    cloud.refuse["ShowJobExeListNew"] = [Response(401, {"error_code": "APIGW.0307", "error_msg": "The token must be updated."})]
    connection = connect(cloud, access_key=AK, secret_key=SK, security_token="static-token")
    with pytest.raises(ApiError) as ended:
        list_jobs(connection)
    assert "APIGW.0307" in str(ended.value) and "cannot be refreshed" in str(ended.value)
    assert len(cloud.log) == 1 and connection.credentials.fetches == 1


def test_temporary_credentials_are_fetched_again_before_they_expire():
    cloud = Cloud(lifetime=0.6)
    connection = connect(cloud, instance_credentials=True)
    list_jobs(connection)
    time.sleep(0.4)  # past half their life: due
    list_jobs(connection)
    assert [a for op, a in cloud.ops() if op == "ShowJobExeListNew"] == ["HSTMETA0", "HSTMETA1"]


def test_concurrent_workers_refresh_once():
    cloud = Cloud()
    connection = connect(cloud, access_key=AK, secret_key=SK, assume_role={"agency_name": "c", "domain_name": "d"})
    list_jobs(connection)
    cloud.revoked.add("HSTIAM0")
    barrier = threading.Barrier(8)
    errors = []

    def worker():
        barrier.wait()
        try:
            list_jobs(connection)
        except ApiError as error:  # pragma: no cover - the assertion below reports it
            errors.append(error)

    threads = [threading.Thread(target=worker) for dummy in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and connection.credentials.fetches == 2


def test_current_secrets_are_scrubbed_from_service_messages():
    cloud = Cloud()
    connection = connect(cloud, access_key=AK, secret_key=SK, assume_role={"agency_name": "c", "domain_name": "d"})
    list_jobs(connection)
    echo = "echo: secret-of-HSTIAM0 token-of-HSTIAM0 %s" % SK
    cloud.refuse["ShowJobExeListNew"] = [Response(400, {"error_code": "APIGW.0201", "error_msg": echo})]
    with pytest.raises(ApiError) as ended:
        list_jobs(connection)
    for secret in ("secret-of-HSTIAM0", "token-of-HSTIAM0", SK):
        assert secret not in str(ended.value)


def test_check_mode_may_fetch_credentials():
    cloud = Cloud()
    list_jobs(connect(cloud, read_only=True, instance_credentials=True,
                      assume_role={"agency_name": "c", "domain_id": DOMAIN_ID}))
    assert [op for op, dummy in cloud.ops()][-1] == "ShowJobExeListNew"
