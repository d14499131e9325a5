"""Tencent Cloud credential sources end to end: real `ansible` runs against the emulator, one per source, with HOME
set to the test's own directory so that ~/.tccli and ~/.tencentcloud are the test's. Each test asserts the requests
the emulator logged (service, operation), and that no key, secret or token of any source reaches the output.

The metadata and STS endpoints are always the emulator's: no test reaches a metadata address."""

import json
import time

import pytest

from support.ansible_runs import TENCENT_ID, TENCENT_KEY, TENCENT_REGION, ad_hoc_result, ansible_env, run_ad_hoc
from emulator import credentials as creds

ROLE_ARN = creds.TENCENT_ROLE_ARN
JOB = "job-cred0001"


def seed_jobs(emulator, count=1):
    ids = [JOB] if count == 1 else ["job-cred%04d" % n for n in range(count)]
    emulator.seed({"tencent": [{"JobId": job_id, "JobName": "cred-%s" % job_id, "JobState": "SUCCEED"} for job_id in ids]})
    return ids


def home(tmp_path):
    path = tmp_path / "home"
    path.mkdir(exist_ok=True)
    return path


def run(tmp_path, emulator, args, *extra, env=None, module="tencent_batch_job"):
    """One ad-hoc run with no credentials but ``args`` and ``env``, HOME = tmp_path/home, every endpoint the
    emulator's; returns (CompletedProcess, result dict or None)."""
    base = {"endpoint": emulator.url, "sts_endpoint": emulator.url, "metadata_endpoint": emulator.url,
            "max_retries": 2, "retry_delay": 0.1}
    base.update(args)
    process = run_ad_hoc(tmp_path, module, base, *extra, env=ansible_env(tmp_path, HOME=home(tmp_path), **(env or {})))
    try:
        result = ad_hoc_result(process)
    except (IndexError, ValueError):
        result = None
    return process, result


def logged(emulator):
    return [(r["service"], r["operation"]) for r in emulator.requests()]


def issued(emulator):
    return emulator.call("GET", "credentials/issued")


def assert_no_secret_in_output(process, emulator, *more):
    output = process.stdout + process.stderr
    secrets = [TENCENT_KEY, creds.TENCENT_TEMPORARY_SECRET_KEY] + list(more)
    for credential in issued(emulator):
        secrets += [credential["secret"], credential["token"]]
    leaked = [s[:6] + "..." for s in secrets if s and s in output]
    assert not leaked, leaked


def assert_deleted(process, result, ids):
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert result["changed"] is True and sorted(result["deleted"]) == sorted(ids), result


BATCH = [("tencent", "DescribeJobs"), ("tencent", "DeleteJob")]


def test_a_tccli_profile_gives_the_keys_and_the_region(tmp_path, emulator):
    seed_jobs(emulator)
    tccli = home(tmp_path) / ".tccli"
    tccli.mkdir()
    (tccli / "work.credential").write_text(json.dumps({"secretId": TENCENT_ID, "secretKey": TENCENT_KEY}))
    (tccli / "work.configure").write_text(json.dumps({"_sys_param": {"region": TENCENT_REGION, "output": "json"}}))
    process, result = run(tmp_path, emulator, {"job_ids": [JOB]}, "-vvv", env={"TENCENTCLOUD_PROFILE": "work"})
    assert_deleted(process, result, [JOB])
    assert logged(emulator) == BATCH
    assert_no_secret_in_output(process, emulator)


def test_the_default_tccli_profile_role_arn_is_assumed(tmp_path, emulator):
    seed_jobs(emulator)
    tccli = home(tmp_path) / ".tccli"
    tccli.mkdir()
    (tccli / "default.credential").write_text(json.dumps({
        "secretId": TENCENT_ID, "secretKey": TENCENT_KEY, "role-arn": ROLE_ARN, "role-session-name": "tccli-profile"}))
    process, result = run(tmp_path, emulator, {"job_ids": [JOB], "region": TENCENT_REGION})
    assert_deleted(process, result, [JOB])
    assert logged(emulator) == [("sts", "AssumeRole")] + BATCH
    [credential] = issued(emulator)
    assert (credential["principal"], credential["session_name"], credential["caller"]) == (ROLE_ARN, "tccli-profile", TENCENT_ID)
    assert_no_secret_in_output(process, emulator)


def test_the_sdk_credentials_file(tmp_path, emulator):
    seed_jobs(emulator)
    sdk = home(tmp_path) / ".tencentcloud"
    sdk.mkdir()
    (sdk / "credentials").write_text("[default]\nsecret_id = %s\nsecret_key = %s\n" % (TENCENT_ID, TENCENT_KEY))
    process, result = run(tmp_path, emulator, {"job_ids": [JOB], "region": TENCENT_REGION}, "-vvv")
    assert_deleted(process, result, [JOB])
    assert logged(emulator) == BATCH
    assert_no_secret_in_output(process, emulator)


def test_assume_role_from_keys(tmp_path, emulator):
    seed_jobs(emulator)
    process, result = run(tmp_path, emulator, {"job_ids": [JOB], "region": TENCENT_REGION, "secret_id": TENCENT_ID,
                                               "secret_key": TENCENT_KEY, "assume_role": {"session_duration": 900}},
                          env={"TENCENTCLOUD_ASSUME_ROLE_ARN": ROLE_ARN,
                               "TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME": "from-env"})
    assert_deleted(process, result, [JOB])
    assert logged(emulator) == [("sts", "AssumeRole")] + BATCH
    [credential] = issued(emulator)
    assert (credential["principal"], credential["session_name"], credential["caller"]) == (ROLE_ARN, "from-env", TENCENT_ID)
    assert 890 <= credential["expires_at"] - credential["issued_at"] <= 900
    assert_no_secret_in_output(process, emulator)


def test_assume_role_from_instance_credentials_in_check_mode_then_for_real(tmp_path, emulator):
    seed_jobs(emulator)
    args = {"job_ids": [JOB], "region": TENCENT_REGION, "cam_role_name": creds.TENCENT_ROLE_NAME,
            "assume_role": {"role_arn": ROLE_ARN}}
    process, result = run(tmp_path, emulator, args, "--check")
    assert process.returncode == 0 and result["changed"] is True, process.stdout[-3000:]
    assert logged(emulator) == [("metadata", "CamSecurityCredentials"), ("sts", "AssumeRole"), ("tencent", "DescribeJobs")]
    assert not [r for r in emulator.requests() if r["mutating"]]  # check mode resolves credentials, never mutates
    emulator.clear_requests()
    process, result = run(tmp_path, emulator, args)
    assert_deleted(process, result, [JOB])
    assert logged(emulator) == [("metadata", "CamSecurityCredentials"), ("sts", "AssumeRole")] + BATCH
    metadata, assumed = [c for c in issued(emulator) if c["source"] == "metadata"], \
        [c for c in issued(emulator) if c["source"] == "AssumeRole"]
    assert len(assumed) == 2 and {c["caller"] for c in assumed} <= {c["access"] for c in metadata}
    assert_no_secret_in_output(process, emulator)


def test_instance_credentials_alone_discover_the_role(tmp_path, emulator):
    seed_jobs(emulator)
    process, result = run(tmp_path, emulator, {"job_ids": [JOB], "region": TENCENT_REGION,
                                               "instance_credentials": True}, "-vvv")
    assert_deleted(process, result, [JOB])
    assert logged(emulator) == [("metadata", "CamRoleName"), ("metadata", "CamSecurityCredentials")] + BATCH
    [credential] = issued(emulator)
    assert (credential["source"], credential["principal"]) == ("metadata", creds.TENCENT_ROLE_NAME)
    assert_no_secret_in_output(process, emulator)


def test_temporary_credentials_are_refreshed_during_a_long_run(tmp_path, emulator):
    """40 deletes paced at 4/s outlive credentials of 3 s: AssumeRole again and again, every job deleted."""
    ids = seed_jobs(emulator, 40)
    emulator.config({"temporary_credential_lifetime": 3, "rate_limits": {"tencent.DeleteJob": 5}})
    started = time.monotonic()
    process, result = run(tmp_path, emulator, {"job_ids": ids, "region": TENCENT_REGION, "secret_id": TENCENT_ID,
                                               "secret_key": TENCENT_KEY, "rate_limit": 4,
                                               "assume_role": {"role_arn": ROLE_ARN}})
    elapsed = time.monotonic() - started
    assert_deleted(process, result, ids)
    assumed = [c for c in issued(emulator) if c["source"] == "AssumeRole"]
    log = logged(emulator)
    assert elapsed > 6 and len(assumed) > 2, (elapsed, len(assumed))
    assert log.count(("sts", "AssumeRole")) == len(assumed)
    assert log.count(("tencent", "DeleteJob")) >= 40 and emulator.state()["tencent"] == []
    refused = [r for r in emulator.requests() if r["error_code"] == "AuthFailure.TokenFailure"]
    assert len(refused) <= 1, refused  # refreshed ahead of expiry; at most a straggler, sent again
    assert_no_secret_in_output(process, emulator)


def test_nothing_configured_lists_every_source_and_sends_nothing(tmp_path, emulator):
    seed_jobs(emulator)
    process, result = run(tmp_path, emulator, {"job_ids": [JOB], "region": TENCENT_REGION})
    assert process.returncode != 0
    message = result["msg"]
    for needle in ("missing Tencent Cloud credentials", "secret_id", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_PROFILE",
                   str(home(tmp_path) / ".tccli" / "default.credential"),
                   str(home(tmp_path) / ".tencentcloud" / "credentials"), "/etc/tencentcloud/credentials",
                   "cam_role_name", "instance_credentials", "not asked for"):
        assert needle in message, (needle, message)
    assert logged(emulator) == []  # not even the metadata service


def test_expired_fixed_credentials_fail_cleanly(tmp_path, emulator):
    """An issued credential used as a fixed security_token after it expired: refused once, never refreshed."""
    seed_jobs(emulator)
    emulator.config({"temporary_credential_lifetime": 1})
    process, _result = run(tmp_path, emulator, {"region": TENCENT_REGION, "secret_id": TENCENT_ID, "secret_key": TENCENT_KEY,
                                                "assume_role": {"role_arn": ROLE_ARN}, "job_ids": [JOB]},
                           module="tencent_batch_job_info")
    assert process.returncode == 0, process.stdout[-3000:]
    [credential] = issued(emulator)
    time.sleep(max(0.0, credential["expires_at"] - time.time()) + 0.5)
    emulator.clear_requests()
    process, result = run(tmp_path, emulator, {"job_ids": [JOB], "region": TENCENT_REGION}, env={
        "TENCENTCLOUD_SECRET_ID": credential["access"], "TENCENTCLOUD_SECRET_KEY": credential["secret"],
        "TENCENTCLOUD_SECURITY_TOKEN": credential["token"]})
    assert process.returncode != 0
    assert "AuthFailure.TokenFailure" in result["msg"] and "cannot be refreshed" in result["msg"], result["msg"]
    assert result["deleted"] == [] and result.get("error", {}).get("error_code") == "AuthFailure.TokenFailure"
    assert [(r["service"], r["operation"], r["error_code"]) for r in emulator.requests()] == [
        ("tencent", "DescribeJobs", "AuthFailure.TokenFailure")]
    assert_no_secret_in_output(process, emulator)


@pytest.mark.parametrize("instance", [{"instance_credentials": True}, {"cam_role_name": creds.TENCENT_ROLE_NAME}])
def test_keys_together_with_instance_credentials_are_a_conflict(tmp_path, emulator, instance):
    seed_jobs(emulator)
    process, result = run(tmp_path, emulator, dict(instance, job_ids=[JOB], region=TENCENT_REGION),
                          env={"TENCENTCLOUD_SECRET_ID": TENCENT_ID, "TENCENTCLOUD_SECRET_KEY": TENCENT_KEY})
    assert process.returncode != 0
    assert "conflicting Tencent Cloud credentials" in result["msg"] and list(instance)[0] in result["msg"]
    assert "TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY" in result["msg"]
    assert logged(emulator) == []
    assert_no_secret_in_output(process, emulator)
