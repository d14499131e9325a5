"""Huawei Cloud credential sources end to end: real `ansible` runs against the emulator, each source proven by
the requests the emulator logged and the temporary credentials it issued (GET /_emulator/credentials/issued).

HOME is the test's own directory, so ~/.hcloud/config.json and ~/.huaweicloud/credentials are the test's files;
every endpoint (service, IAM, STS, metadata) is the emulator: no test reaches a metadata address.
"""

import json
import time

import pytest

from support.ansible_runs import ad_hoc_result, ansible_env, run_ad_hoc
from emulator import credentials as creds

CLUSTER = "c1"
SEED = {"mrs": [{"job_id": "exe-0001", "job_name": "nightly", "job_state": "FINISHED", "cluster_id": CLUSTER}]}


def base_args(url, **extra):
    """Endpoints only (no keys, no region or project unless given): the source under test supplies the rest."""
    args = {"endpoint": url, "iam_endpoint": url, "cluster_id": CLUSTER, "region": creds.HUAWEI_REGION}
    args.update(extra)
    return {k: v for k, v in args.items() if v is not None}


def keys(**extra):
    return dict({"access_key": creds.HUAWEI_ACCESS_KEY, "secret_key": creds.HUAWEI_SECRET_KEY}, **extra)


def env(tmp_path, **extra):
    return ansible_env(tmp_path, HOME=tmp_path, **extra)


def logged(emulator):
    """The emulator's log as ``service.Operation status`` lines."""
    return ["%s.%s %s" % (r["service"], r["operation"], r["status"]) for r in emulator.requests()]


def issued(emulator):
    return emulator.call("GET", "credentials/issued")


def info(tmp_path, args, run_env=None):
    run = run_ad_hoc(tmp_path, "mrs_job_executions_info", args, env=run_env or env(tmp_path))
    return run, ad_hoc_result(run)


def assert_no_secret_in(run, emulator, *more):
    output = run.stdout + run.stderr
    for credential in issued(emulator):
        assert credential["secret"] not in output and credential["token"] not in output
    for secret in (creds.HUAWEI_SECRET_KEY,) + more:
        assert secret not in output


def assert_listed(run, result):
    assert run.returncode == 0 and not result.get("failed"), run.stdout[-3000:] + run.stderr[-2000:]
    assert [e["job_id"] for e in result["job_executions"]] == ["exe-0001"]


@pytest.fixture
def seeded(emulator):
    emulator.seed(SEED)
    return emulator


def test_a_koocli_profile_gives_keys_region_and_project(seeded, tmp_path):
    (tmp_path / ".hcloud").mkdir()
    (tmp_path / ".hcloud" / "config.json").write_text(json.dumps({"current": "other", "profiles": [
        {"name": "other", "mode": "AKSK", "accessKeyId": "NOTTHISONE", "secretAccessKey": "x" * 40},
        {"name": "emulator", "mode": "AKSK", "accessKeyId": creds.HUAWEI_ACCESS_KEY,
         "secretAccessKey": creds.HUAWEI_SECRET_KEY, "region": creds.HUAWEI_REGION,
         "projectId": creds.HUAWEI_PROJECT_ID}]}), encoding="utf-8")
    run, result = info(tmp_path, base_args(seeded.url, region=None), env(tmp_path, HW_PROFILE="emulator"))
    assert_listed(run, result)
    assert logged(seeded) == ["mrs.ShowJobExeListNew 202"]  # region and project id from the profile: no IAM lookup
    assert_no_secret_in(run, seeded)


def test_the_sdk_credentials_file(seeded, tmp_path):
    (tmp_path / ".huaweicloud").mkdir()
    (tmp_path / ".huaweicloud" / "credentials").write_text(
        "[basic]\nak = %s\nsk = %s\n" % (creds.HUAWEI_ACCESS_KEY, creds.HUAWEI_SECRET_KEY), encoding="utf-8")
    run, result = info(tmp_path, base_args(seeded.url))
    assert_listed(run, result)
    assert logged(seeded) == ["iam.KeystoneListAuthProjects 200", "mrs.ShowJobExeListNew 202"]
    assert_no_secret_in(run, seeded)


@pytest.mark.parametrize("path", ["iam", "sts"])
def test_assume_role_from_keys(seeded, tmp_path, path):
    if path == "iam":
        assume, first, source = {"agency_name": creds.HUAWEI_AGENCY_NAME, "domain_name": creds.HUAWEI_DOMAIN_NAME}, \
            "iam.CreateTemporaryAccessKeyByAgency 201", "CreateTemporaryAccessKeyByAgency"
    else:
        assume, first, source = {"agency_name": creds.HUAWEI_AGENCY_NAME, "domain_id": creds.HUAWEI_DOMAIN_ID}, \
            "sts.AssumeAgency 200", "AssumeAgency"
    run, result = info(tmp_path, base_args(seeded.url, sts_endpoint=seeded.url, assume_role=assume, **keys()))
    assert_listed(run, result)
    assert logged(seeded) == [first, "iam.KeystoneListAuthProjects 200", "mrs.ShowJobExeListNew 202"]
    [credential] = issued(seeded)
    assert credential["source"] == source and credential["principal"] == creds.HUAWEI_AGENCY_URN
    assert credential["caller"] == creds.HUAWEI_ACCESS_KEY
    if path == "sts":
        assert credential["session_name"] == creds.HUAWEI_AGENCY_NAME
    assert_no_secret_in(run, seeded)


def test_assume_role_from_instance_credentials(seeded, tmp_path):
    run_env = env(tmp_path, HW_ASSUME_ROLE_AGENCY_NAME=creds.HUAWEI_AGENCY_NAME,
                  HW_ASSUME_ROLE_DOMAIN_ID=creds.HUAWEI_DOMAIN_ID, HUAWEICLOUD_SDK_STS_ENDPOINT=seeded.url)
    run, result = info(tmp_path, base_args(seeded.url, instance_credentials=True, metadata_endpoint=seeded.url),
                       run_env)
    assert_listed(run, result)
    assert logged(seeded) == ["metadata.MetadataApiToken 200", "metadata.MetadataSecurityKey 200",
                              "sts.AssumeAgency 200", "iam.KeystoneListAuthProjects 200", "mrs.ShowJobExeListNew 202"]
    instance, assumed = issued(seeded)
    assert instance["source"] == "metadata" and assumed["source"] == "AssumeAgency"
    assert assumed["caller"] == instance["access"]  # the agency was assumed with the ECS agency's keys
    assert_no_secret_in(run, seeded)


@pytest.mark.parametrize("token_service", ["on", 404])
def test_instance_credentials_alone(seeded, tmp_path, token_service):
    seeded.config({"huawei_metadata_token_service": token_service})
    run, result = info(tmp_path, base_args(seeded.url, instance_credentials=True, metadata_endpoint=seeded.url))
    assert_listed(run, result)
    token = "200" if token_service == "on" else "404"
    assert logged(seeded) == ["metadata.MetadataApiToken %s" % token, "metadata.MetadataSecurityKey 200",
                              "iam.KeystoneListAuthProjects 200", "mrs.ShowJobExeListNew 202"]
    assert [c["source"] for c in issued(seeded)] == ["metadata"]
    assert_no_secret_in(run, seeded)


def test_instance_credentials_without_an_agency_fail_clearly(seeded, tmp_path):
    seeded.config({"huawei_metadata_agency": None})
    run, result = info(tmp_path, base_args(seeded.url, instance_credentials=True, metadata_endpoint=seeded.url))
    assert run.returncode != 0 and "| FAILED! =>" in run.stdout
    assert "no agency is bound" in result["msg"] and "Traceback" not in run.stdout + run.stderr
    assert logged(seeded) == ["metadata.MetadataApiToken 200", "metadata.MetadataSecurityKey 401"]


def test_credentials_are_refreshed_during_a_long_run(emulator, tmp_path):
    """Credentials of 3 s, a run of 7 s or more (14 batch deletes of one execution, 2 s each, 4 at a time): new
    credentials are assumed before the old ones expire, by one worker for all, and the run deletes everything."""
    ids = ["exe-%04d" % n for n in range(14)]
    emulator.seed({"mrs": [{"job_id": i, "job_state": "FINISHED", "cluster_id": CLUSTER} for i in ids]})
    emulator.config({"temporary_credential_lifetime": 3, "latency": {"mrs.BatchDeleteJobs": 2.0}})
    args = base_args(emulator.url, batch_size=1, filters={}, **keys(
        assume_role={"agency_name": creds.HUAWEI_AGENCY_NAME, "domain_name": creds.HUAWEI_DOMAIN_NAME}))
    started = time.time()
    run = run_ad_hoc(tmp_path, "mrs_job_executions", args, env=env(tmp_path))
    result = ad_hoc_result(run)
    assert run.returncode == 0 and not result.get("failed"), run.stdout[-3000:] + run.stderr[-2000:]
    assert sorted(result["deleted"]) == ids and time.time() - started > 7
    credentials = issued(emulator)
    assert len(credentials) >= 3 and {c["source"] for c in credentials} == {"CreateTemporaryAccessKeyByAgency"}
    lines = logged(emulator)
    assert lines.count("mrs.BatchDeleteJobs 202") == 14
    assert lines.count("iam.CreateTemporaryAccessKeyByAgency 201") == len(credentials)
    assert_no_secret_in(run, emulator)


def test_a_refused_call_with_temporary_credentials_refreshes_them_once(seeded, tmp_path):
    seeded.fault({"service": "mrs", "operation": "ShowJobExeListNew", "kind": "auth", "count": 1})
    run, result = info(tmp_path, base_args(seeded.url, **keys(
        assume_role={"agency_name": creds.HUAWEI_AGENCY_NAME, "domain_name": creds.HUAWEI_DOMAIN_NAME})))
    assert_listed(run, result)
    assert logged(seeded) == ["iam.CreateTemporaryAccessKeyByAgency 201", "iam.KeystoneListAuthProjects 200",
                              "mrs.ShowJobExeListNew 401", "iam.CreateTemporaryAccessKeyByAgency 201",
                              "mrs.ShowJobExeListNew 202"]
    first, second = issued(seeded)
    assert first["access"] != second["access"]
    assert_no_secret_in(run, seeded)


def test_nothing_configured_lists_every_source(emulator, tmp_path):
    run, result = info(tmp_path, base_args(emulator.url))
    assert run.returncode != 0 and "| FAILED! =>" in run.stdout
    msg = result["msg"]
    assert msg.startswith("missing Huawei Cloud credentials: set access_key and secret_key (environment variables "
                          "HW_ACCESS_KEY and HW_SECRET_KEY), or one of the other sources. Tried, in order: 1. ")
    for words in ("access_key/secret_key (HW_ACCESS_KEY, HW_SECRET_KEY, HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK)",
                  "auth_token (HW_AUTH_TOKEN)", "profile / HW_PROFILE", "shared_config_file / HW_SHARED_CONFIG_FILE",
                  "%s (HUAWEICLOUD_SDK_CREDENTIALS_FILE): not found" % (tmp_path / ".huaweicloud" / "credentials"),
                  "instance credentials: not asked for (instance_credentials=true"):
        assert words in msg, msg
    assert emulator.requests() == []


def test_expired_credentials_that_cannot_be_refreshed_fail_cleanly(seeded, tmp_path):
    """Temporary keys given as options (no expiry known, nothing to refresh them from) that expired meanwhile."""
    seeded.config({"temporary_credential_lifetime": 2})
    run, result = info(tmp_path, base_args(seeded.url, **keys(
        assume_role={"agency_name": creds.HUAWEI_AGENCY_NAME, "domain_name": creds.HUAWEI_DOMAIN_NAME})))
    assert_listed(run, result)
    stale = issued(seeded)[-1]
    time.sleep(max(0.0, stale["expires_at"] - time.time()) + 0.3)
    seeded.clear_requests()
    args = base_args(seeded.url, project_id=creds.HUAWEI_PROJECT_ID, access_key=stale["access"],
                     secret_key=stale["secret"], security_token=stale["token"])
    run, result = info(tmp_path, args)
    assert run.returncode != 0 and "| FAILED! =>" in run.stdout
    assert "error APIGW.0307" in result["msg"] and "cannot be refreshed" in result["msg"], result["msg"]
    assert result["error"]["error_code"] == "APIGW.0307" and "Traceback" not in run.stdout + run.stderr
    assert logged(seeded) == ["mrs.ShowJobExeListNew 401"]  # one attempt: no refresh, no retry
    assert_no_secret_in(run, seeded)


def test_keys_together_with_instance_credentials_are_refused_before_any_request(seeded, tmp_path):
    run, result = info(tmp_path, base_args(seeded.url, instance_credentials=True, metadata_endpoint=seeded.url,
                                           **keys()))
    assert run.returncode != 0 and "| FAILED! =>" in run.stdout
    assert "cannot be combined with instance_credentials=true" in result["msg"]
    assert "access_key/secret_key" in result["msg"]
    assert seeded.requests() == []
