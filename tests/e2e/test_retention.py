"""Retention rules end to end: `ansible localhost -m ...` against the emulator, for MRS v2, MRS v1.1 and Tencent.

Each service gets the issue's example (runs of one job at 1, 2, 10, 11 and 12 days, `older_than: 7d`,
`keep_latest: 2`) plus a job whose only run is old (kept: it is that job's newest), a protected name, a running
run (neither counted nor deleted) and a requested id that is kept. Check mode predicts exactly; the real run
deletes exactly the prediction (the emulator's state is the witness); a re-run makes no mutating request.
"""

import time

import pytest

from support.ansible_runs import ad_hoc_result, huawei_auth, mutating_requests, run_ad_hoc, tencent_auth

DAY = 86400
CLUSTER = "mrs-retention"


def _ago(days):
    return time.time() - days * DAY


def _mrs(job_id, name, days, state="FINISHED"):
    return {"job_id": job_id, "job_name": name, "job_state": state, "cluster_id": CLUSTER,
            "submitted_time": int(_ago(days) * 1000)}


def _v1(exe_id, name, days, job_state=3):
    return {"id": exe_id, "job_name": name, "job_state": job_state, "job_final_status": 0 if job_state == 2 else 1,
            "cluster_id": CLUSTER, "create_at": int(_ago(days) * 1000)}


def _job(job_id, name, days, state="SUCCEED"):
    return {"JobId": job_id, "JobName": name, "JobState": state,
            "CreateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(_ago(days)))}


def _example(make, ids, running_state):
    """Records of the example, and the outcome the rules must give: (seed, to delete, kept)."""
    a = [make(ids % ("a", age), "nightly-a", age) for age in (1, 2, 10, 11, 12)]
    return (a + [make(ids % ("m", 40), "monthly", 40),          # the only run of its job: kept though old
                 make(ids % ("g", 30), "gold-report", 30),      # a protected name
                 make(ids % ("g", 31), "gold-report", 31),
                 make(ids % ("r", 0), "nightly-a", 20, running_state)],  # running: neither counted nor deleted
            sorted([ids % ("a", 10), ids % ("a", 11), ids % ("a", 12)]),
            sorted([ids % ("m", 40), ids % ("g", 30), ids % ("g", 31)]))


SERVICES = {
    "mrs v2": ("mrs_job_executions", "mrs", "job_id", lambda: _example(_mrs, "1a2b3c4d-0000-4000-%s000-%012d", "RUNNING"),
               {"cluster_id": CLUSTER}),
    "mrs v1.1": ("mrs_job_executions", "mrs_v1", "id", lambda: _example(_v1, "5e6f7a8b-0000-4000-%s000-%012d", 2),
                 {"cluster_id": CLUSTER, "api_version": "v1.1"}),
    "tencent": ("tencent_batch_job", "tencent", "JobId", lambda: _example(_job, "job-%s%07d", "RUNNING"), {}),
}
FILTERS = {"older_than": "7d", "keep_latest": 2, "keep_name_patterns": ["gold-*"]}


def _ids(state, key, field):
    return sorted(r[field] for r in state.get(key, []))


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_check_mode_predicts_the_real_run_exactly_and_a_rerun_mutates_nothing(emulator, tmp_path, service):
    module, key, field, example, settings = SERVICES[service]
    # MRS v1.1 ids: the 'a'/'m'/... letter stands where a hex digit would; the emulator accepts any id alphabet.
    seed, to_delete, kept = example()
    emulator.seed({key: seed})
    auth = huawei_auth(emulator.url) if module.startswith("mrs") else tencent_auth(emulator.url)
    args = dict(settings, filters=FILTERS, **auth)
    before = _ids(emulator.state(), key, field)

    emulator.clear_requests()
    check = run_ad_hoc(tmp_path, module, args, "--check")
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    predicted = ad_hoc_result(check)
    assert sorted(predicted["deleted"]) == to_delete and sorted(predicted["kept"]) == kept
    assert predicted["not_deleted"] == [] and mutating_requests(emulator) == []
    assert _ids(emulator.state(), key, field) == before

    # The _info module, asked for the deleting module's default states, lists what it would delete and keep.
    finished = ["SUCCEED", "FAILED"] if module.startswith("tencent") else ["FINISHED", "FAILED", "KILLED"]
    info = run_ad_hoc(tmp_path, module + "_info", dict(args, filters=dict(FILTERS, states=finished)))
    listed = ad_hoc_result(info)
    records_key = "jobs" if module.startswith("tencent") else "job_executions"
    id_key = "job_id" if module.startswith("tencent") or key == "mrs" else "id"
    assert sorted(r[id_key] for r in listed[records_key]) == to_delete and sorted(listed["kept"]) == kept

    real = run_ad_hoc(tmp_path, module, args)
    assert real.returncode == 0, real.stdout[-3000:] + real.stderr[-3000:]
    done = ad_hoc_result(real)
    assert sorted(done["deleted"]) == to_delete and sorted(done["kept"]) == kept and done["changed"] is True
    assert _ids(emulator.state(), key, field) == sorted(set(before) - set(to_delete))

    emulator.clear_requests()
    again = run_ad_hoc(tmp_path, module, args)
    assert again.returncode == 0
    assert ad_hoc_result(again)["deleted"] == [] and ad_hoc_result(again)["changed"] is False
    assert mutating_requests(emulator) == []


def test_a_requested_id_protected_by_a_rule_is_kept_and_does_not_fail(emulator, tmp_path):
    seed, _to_delete, _kept = _example(_mrs, "1a2b3c4d-0000-4000-%s000-%012d", "RUNNING")
    emulator.seed({"mrs": seed})
    newest, oldest, gold = ("1a2b3c4d-0000-4000-a000-%012d" % 1, "1a2b3c4d-0000-4000-a000-%012d" % 12,
                            "1a2b3c4d-0000-4000-g000-%012d" % 30)
    args = dict(cluster_id=CLUSTER, job_execution_ids=[newest, oldest, gold],
                filters={"keep_latest": 2, "keep_name_patterns": ["gold-*"]}, **huawei_auth(emulator.url))
    run = run_ad_hoc(tmp_path, "mrs_job_executions", args)
    assert run.returncode == 0, run.stdout[-3000:]
    result = ad_hoc_result(run)
    assert result["deleted"] == [oldest] and sorted(result["kept"]) == sorted([newest, gold])
    assert result["not_deleted"] == [] and result["already_absent"] == []


def test_keep_latest_is_refused_for_workspace_naming_the_option(emulator, tmp_path):
    run = run_ad_hoc(tmp_path, "workspace_scheduled_tasks", dict(filters={"keep_latest": 2}, **huawei_auth(emulator.url)))
    assert run.returncode != 0 and "keep_latest" in ad_hoc_result(run)["msg"]
    assert emulator.requests() == []


@pytest.mark.parametrize("bad, words", [({"keep_latest": 0}, "keep_latest"), ({"keep_latest": -3}, "keep_latest"),
                                        ({"keep_name_patterns": {"a": 1}}, "keep_name_patterns")])
def test_bad_retention_input_is_refused_before_any_request(emulator, tmp_path, bad, words):
    run = run_ad_hoc(tmp_path, "tencent_batch_job", dict(filters=bad, **tencent_auth(emulator.url)))
    assert run.returncode != 0 and words in ad_hoc_result(run)["msg"]
    assert emulator.requests() == []
