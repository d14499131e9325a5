"""Reviewed plans end to end, for each service: `ansible --check` writes the plan, the records change meanwhile, then
one playbook tries every plan that must be refused, applies the plan in check mode with --diff, applies it for real
and applies it again.

Between the plan and the apply, as an approval node's hours allow: a new record that qualifies arrives, a planned
record runs again (its state or status changed), a planned record is deleted by another run, and (MRS and Tencent)
the two newest runs of a job are deleted, so that two planned runs are now the ones `keep_latest` keeps. The apply
deletes exactly the planned records that still qualify; the others are reported as drift or already absent, and the
emulator's state is the witness that nothing else was touched. Expired, edited, foreign, mixed and unknown-version
plans are refused, each in one line, with zero mutating calls (the emulator's log).
"""

import copy
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from support.ansible_runs import (
    REPO,
    ad_hoc_result,
    ansible_env,
    huawei_auth,
    localhost_play,
    mutating_requests,
    run_ad_hoc,
    run_playbook,
    tencent_auth,
    write_playbook,
)

DAY = 86400
CLUSTER = "mrs-plans"


def _ago(days):
    return time.time() - days * DAY


def _mrs(n, name, days, state="FINISHED"):
    return {"job_id": "9a9a0000-0000-4000-8000-%012d" % n, "job_name": name, "job_state": state, "cluster_id": CLUSTER,
            "submitted_time": int(_ago(days) * 1000)}


def _v1(n, name, days, state="FINISHED"):
    job_state, final = {"FINISHED": (3, 2), "FAILED": (3, 1), "RUNNING": (2, 0)}[state]
    return {"id": "5b5b0000-0000-4000-8000-%012d" % n, "job_name": name, "job_state": job_state,
            "job_final_status": final, "cluster_id": CLUSTER, "create_at": int(_ago(days) * 1000)}


def _job(n, name, days, state="SUCCEED"):
    return {"JobId": "job-pl%06d" % n, "JobName": name, "JobState": state,
            "CreateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(_ago(days)))}


def _task(n, name, expired_days_ago, status="SUCCESS"):
    return {"id": "7c7c0000-1111-4000-8000-%012d" % n, "task_name": name, "scheduled_type": "FIXED_TIME",
            "last_status": status, "time_zone": "UTC",
            "expire_time": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(_ago(expired_days_ago)))}


def _retention_story(make, failed, running):
    """MRS and Tencent: (seed, ids by role, the seed after the changes, what the plan's apply must report)."""
    a = {n: make(n, "nightly", 9 + n) for n in range(1, 6)}      # a1 (10 days) .. a5 (14 days): planned
    newest = [make(11, "nightly", 1), make(12, "nightly", 2)]    # kept by keep_latest: 2
    etl_newest = [make(13, "etl", 1), make(14, "etl", 2)]        # kept too, and still there after
    b1, b2 = make(21, "etl", 20, failed), make(22, "etl", 21)      # planned
    busy = make(31, "etl", 30, running)                            # running: never planned
    seed = list(a.values()) + newest + etl_newest + [b1, b2, busy]

    def key(record):
        return record.get("job_id") or record.get("id") or record.get("JobId")

    planned = [key(r) for r in (b2, b1, a[5], a[4], a[3], a[2], a[1])]  # oldest first
    newcomer = make(41, "nightly", 30)                             # arrives after the plan, qualifies: untouched
    changed = dict(make(21, "etl", 20, running))                   # b1 runs again
    after = [a[2], a[3], a[4], a[5], b2, changed, busy, newcomer] + etl_newest  # a1, the newest nightly: deleted
    expect = {"deleted": [key(b2), key(a[5]), key(a[4])], "already_absent": [key(a[1])],
              "drift": {key(b1): "state", key(a[2]): "keep_latest", key(a[3]): "keep_latest"}}
    survivors = sorted(key(r) for r in [a[2], a[3], changed, busy, newcomer] + etl_newest)
    return seed, planned, after, expect, survivors


def _workspace_story():
    t = {n: _task(n, "reboot-%d" % n, 20 + n) for n in range(1, 6)}    # expired 21..25 days ago: planned
    live = _task(9, "reboot-9", -30)                                  # expires in 30 days: never planned
    seed = list(t.values()) + [live]
    planned = [t[n]["id"] for n in range(1, 6)]
    newcomer = _task(41, "reboot-41", 40)                             # arrives after the plan, qualifies: untouched
    ran_again = dict(t[2], last_status="FAIL")                        # ran again since the plan
    extended = dict(t[3], expire_time=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(_ago(-60))))  # renewed
    after = [ran_again, extended, t[4], t[5], live, newcomer]         # t1 deleted by another run
    expect = {"deleted": [t[4]["id"], t[5]["id"]], "already_absent": [t[1]["id"]],
              "drift": {t[2]["id"]: "last_status", t[3]["id"]: "expire_time"}}
    survivors = sorted([t[2]["id"], t[3]["id"], live["id"], newcomer["id"]])
    return seed, planned, after, expect, survivors


RETENTION = {"older_than": "7d", "keep_latest": 2}
SERVICES = {
    "mrs v2": dict(module="mrs_job_executions", store="mrs", field="job_id", cloud="huawei",
                   story=lambda: _retention_story(_mrs, "FAILED", "RUNNING"),
                   args={"cluster_id": CLUSTER, "filters": RETENTION}, scope={"cluster_id": "mrs-other"}),
    "mrs v1.1": dict(module="mrs_job_executions", store="mrs_v1", field="id", cloud="huawei",
                     story=lambda: _retention_story(_v1, "FAILED", "RUNNING"),
                     args={"cluster_id": CLUSTER, "api_version": "v1.1", "filters": RETENTION},
                     scope={"cluster_id": "mrs-other"}),
    "tencent": dict(module="tencent_batch_job", store="tencent", field="JobId", cloud="tencent",
                    story=lambda: _retention_story(_job, "FAILED", "RUNNING"),
                    args={"filters": RETENTION}, scope={"region": "ap-shanghai"}),
    "workspace": dict(module="workspace_scheduled_tasks", store="workspace", field="id", cloud="huawei",
                      story=_workspace_story, args={"filters": {"expired": True}},
                      scope={"project_id": "f" * 32}),
}


def _auth(service, url, **extra):
    return huawei_auth(url, **extra) if service["cloud"] == "huawei" else tencent_auth(url, **extra)


def _with_digest(plan):
    """A plan changed on purpose and given a matching digest, as only someone recomputing it could (expired and
    unknown-version plans must be refused for what they say, not for their digest)."""
    import hashlib  # pylint: disable=import-outside-toplevel
    body = {k: v for k, v in plan.items() if k != "digest"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return dict(plan, digest="sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest())


def _refusals(service, plan, auth):
    """(task name, module args, what the one-line message must say) of every plan that must be refused."""
    edited = copy.deepcopy(plan)
    edited["records"][0][0], edited["records"][-1][0] = edited["records"][-1][0], edited["records"][0][0]
    edited["records"].append(list(edited["records"][0]))
    edited["records"][-1][0] = edited["records"][-1][0][:-1] + ("9" if edited["records"][-1][0][-1] != "9" else "8")
    foreign_module = "tencent_batch_job" if service["module"] != "tencent_batch_job" else "mrs_job_executions"
    base = dict(service["args"], **auth)
    base.pop("filters")
    return [
        ("expired", dict(base, plan=_with_digest(dict(plan, expires_at="2020-01-01T00:00:00Z"))), "expired at"),
        ("edited", dict(base, plan=edited), "does not match its digest"),
        ("unknown version", dict(base, plan=_with_digest(dict(plan, version=2))), "version 2 is not one"),
        ("mixed", dict(base, plan=plan, filters=service["args"]["filters"]), "plan cannot be given together with"),
        ("other scope", dict(base, plan=plan, **service["scope"]), "made for another scope"),
        ("other module", dict(base, plan=_with_digest(dict(plan, module="cloudjobs.cleanup." + foreign_module))),
         "the plan was made by cloudjobs.cleanup.%s" % foreign_module),
    ]


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_plan_then_apply_deletes_exactly_what_still_qualifies_and_refuses_bad_plans(emulator, tmp_path, name):
    service = SERVICES[name]
    seed, planned, after, expect, survivors = service["story"]()
    emulator.seed({service["store"]: seed})
    auth = _auth(service, emulator.url)

    check = run_ad_hoc(tmp_path, service["module"], dict(service["args"], plan_ttl="2h", **auth), "--check")
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    plan = ad_hoc_result(check)["plan"]
    assert [row[0] for row in plan["records"]] == planned
    assert plan["module"] == "cloudjobs.cleanup." + service["module"] and plan["version"] == 1
    assert plan["selection"]["filters"] == service["args"]["filters"]
    created = time.mktime(time.strptime(plan["created_at"], "%Y-%m-%dT%H:%M:%SZ"))
    expires = time.mktime(time.strptime(plan["expires_at"], "%Y-%m-%dT%H:%M:%SZ"))
    assert expires - created == 7200
    assert len(json.dumps(plan["records"], separators=(",", ":"))) / len(planned) <= 110
    assert mutating_requests(emulator) == []

    # Hours pass in the approval node: records change.
    emulator.reset()
    emulator.seed({service["store"]: after})
    emulator.clear_requests()

    refusals = _refusals(service, plan, auth)
    apply_args = dict({k: v for k, v in service["args"].items() if k != "filters"}, plan=plan, **auth)
    tasks = [{"name": title, "cloudjobs.cleanup.%s" % service["module"]: args, "register": "r", "ignore_errors": True}
             for title, args, _said in refusals]
    for task in tasks:
        task["register"] = "refused_%d" % tasks.index(task)
    tasks += [
        {"name": "apply in check mode", "cloudjobs.cleanup.%s" % service["module"]: apply_args, "check_mode": True,
         "diff": True, "register": "predicted"},
        {"name": "apply", "cloudjobs.cleanup.%s" % service["module"]: apply_args, "register": "applied"},
        {"name": "apply again", "cloudjobs.cleanup.%s" % service["module"]: apply_args, "register": "again"},
        {"name": "write what happened", "ansible.builtin.copy": {
            "dest": str(tmp_path / "results.json"),
            "content": "{{ {'refused': [%s], 'predicted': predicted, 'applied': applied, 'again': again} | to_json }}"
                       % ", ".join("refused_%d" % i for i in range(len(refusals)))}},
    ]
    run = run_playbook(tmp_path, write_playbook(tmp_path / "apply.yml", localhost_play(tasks)),
                       env=ansible_env(tmp_path))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))

    for (title, _args, said), result in zip(refusals, results["refused"]):
        assert result.get("failed") and said in result["msg"], (title, result.get("msg"))
        assert "\n" not in result["msg"] and result.get("deleted", []) == [], title

    predicted, applied, again = results["predicted"], results["applied"], results["again"]
    for result in (predicted, applied):
        assert result["deleted"] == expect["deleted"], result
        assert result["already_absent"] == expect["already_absent"]
        drift = {n["id"]: n["reason"] for n in result["not_deleted"]}
        assert sorted(drift) == sorted(expect["drift"])
        for record_id, what in expect["drift"].items():
            assert drift[record_id].startswith("changed since the plan: ") and what in drift[record_id].lower(), drift
        assert not result.get("failed") and result["plan_applied"]["drifted"] == len(expect["drift"])
        assert result["plan_applied"]["digest"] == plan["digest"] and "plan" not in result
    assert sorted(line.split("  ")[0] for line in predicted["diff"]["before"].splitlines()) == sorted(
        expect["deleted"] + list(expect["drift"]))
    assert any("changed since the plan" in w for w in applied["warnings"])
    # Applied again: nothing left to do, the same drift, the deleted ones already absent.
    assert again["changed"] is False and again["deleted"] == []
    assert sorted(again["already_absent"]) == sorted(expect["already_absent"] + expect["deleted"])
    assert sorted(n["id"] for n in again["not_deleted"]) == sorted(expect["drift"])

    # The witness: the planned records that still qualified are gone, everything else is there, and the only
    # mutating calls of the whole playbook were the apply's deletes of exactly those records.
    state = emulator.state()
    assert sorted(r[service["field"]] for r in state[service["store"]]) == survivors
    mutating = mutating_requests(emulator)
    assert all("delete" in r["operation"].lower() for r in mutating), mutating
    # (A call the service throttled is sent again: each id once with success, and never another id.)
    assert sorted(i for r in mutating if r["error_code"] is None for i in r["ids"]) == sorted(expect["deleted"])
    assert {i for r in mutating for i in r["ids"]} == set(expect["deleted"])


GUIDE = os.path.join(REPO, "docs", "docsite", "rst", "scheduled_cleanup_awx.rst")


def test_the_guides_two_commands_plan_then_apply_as_written(emulator, tmp_path):
    """The scheduled cleanup guide's console example, run as written in a shell (the emulator's endpoint added to each
    module's arguments, the credentials from the environment): the first command writes plan.json, the second applies
    it and deletes exactly the planned executions."""
    with open(GUIDE, encoding="utf-8") as f:
        commands = [line.strip()[2:] for line in _joined(f.read()) if line.strip().startswith("$ ansible localhost")]
    assert len(commands) == 2, commands
    now = int(time.time() * 1000)
    emulator.seed({"mrs": [{"job_id": "3c3c0000-0000-4000-8000-%012d" % n, "job_name": "etl", "job_state": "FINISHED",
                            "cluster_id": "c-etl", "submitted_time": now - (8 + n) * DAY * 1000} for n in range(3)]
                   + [{"job_id": "3c3c0000-0000-4000-8000-000000000009", "job_name": "etl", "job_state": "FINISHED",
                       "cluster_id": "c-etl", "submitted_time": now - DAY * 1000}]})
    plan_cmd = commands[0].replace('{"cluster_id": "c-etl",', '{"cluster_id": "c-etl", "endpoint": "%s",' % emulator.url)
    apply_cmd = commands[1].replace("cluster_id=c-etl", "cluster_id=c-etl endpoint=%s" % emulator.url)
    assert plan_cmd != commands[0] and apply_cmd != commands[1]
    if shutil.which("jq") is None:  # the guide's jq, where the machine has none: the same filter in Python
        plan_cmd = plan_cmd.replace("jq .plan", "python -c 'import json, sys; print(json.dumps(json.load(sys.stdin)[\"plan\"]))'")
    auth = huawei_auth(emulator.url)
    env = ansible_env(tmp_path, HW_ACCESS_KEY=auth["access_key"], HW_SECRET_KEY=auth["secret_key"],
                      HW_REGION_NAME=auth["region"], HW_PROJECT_ID=auth["project_id"],
                      PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    for command in (plan_cmd, apply_cmd):
        run = subprocess.run(command, shell=True, cwd=str(tmp_path), env=env, capture_output=True, text=True,
                             timeout=300, check=False)
        assert run.returncode == 0, command + "\n" + run.stdout[-2000:] + run.stderr[-2000:]
    plan = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    applied = ad_hoc_result(run)
    assert applied["deleted"] == [row[0] for row in plan["records"]] and len(applied["deleted"]) == 3
    assert [r["job_id"] for r in emulator.state()["mrs"]] == ["3c3c0000-0000-4000-8000-000000000009"]


def _joined(text):
    """The guide's lines, a console line continued with a backslash joined to the next."""
    joined, pending = [], ""
    for line in text.splitlines():
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1].rstrip() + " "
            continue
        joined.append(pending + line.strip() if pending else line)
        pending = ""
    return joined


def test_a_plan_under_a_time_budget_deletes_its_oldest_first_and_the_next_run_of_it_goes_on(emulator, tmp_path):
    """A plan of 40 Tencent jobs applied at 5 DeleteJob calls a second under a 3 s budget: the run deletes the plan's
    oldest, reports the rest as left for the next run (no failure), and the same plan applied again goes on with the
    oldest left; a job that qualified after the plan is never touched."""
    jobs = [_job(n, "render", 10 + n) for n in range(40)]
    emulator.seed({"tencent": jobs})
    args = dict(tencent_auth(emulator.url), filters={"older_than": "7d"}, rate_limit=5)
    check = run_ad_hoc(tmp_path, "tencent_batch_job", args, "--check")
    plan = ad_hoc_result(check)["plan"]
    oldest = [j["JobId"] for j in sorted(jobs, key=lambda j: j["CreateTime"])]
    assert [row[0] for row in plan["records"]] == oldest
    emulator.seed({"tencent": [_job(99, "render", 90)]})  # older than all of them, and not in the plan
    emulator.config({"rate_limits": {"tencent.DeleteJob": 5}})
    apply_args = dict({k: v for k, v in args.items() if k != "filters"}, plan=plan, time_budget="3s")
    gone = []
    for _run in range(2):
        result = ad_hoc_result(run_ad_hoc(tmp_path, "tencent_batch_job", apply_args))
        assert not result.get("failed") and result["deleted"], result.get("msg")
        assert result["deleted"] == oldest[len(gone):len(gone) + len(result["deleted"])]
        assert sorted(result["already_absent"]) == sorted(gone)
        assert {n["reason"] for n in result["not_deleted"]} <= {"not attempted: time_budget spent"}
        gone += result["deleted"]
    assert "job-pl000099" in [j["JobId"] for j in emulator.state()["tencent"]]
