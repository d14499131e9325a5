"""AWX job slicing of ``cloudjobs.cleanup.fan_out_cleanup``, reproduced against the emulator.

Twelve accounts (six Huawei accounts with MRS and Workspace, half of them in the one-host-per-account-and-region
form, half with ``cleanup_regions``; six Tencent accounts with two regions each, listed in ``cleanup_regions``) are
written as one inventory, cut into three slices exactly as AWX cuts it for ``job_slice_count: 3`` (awx_slicing.py
says where in AWX), and the slices run at once as separate ``ansible-playbook`` processes against one emulator, whose
rate limits count per account (``rate_limit_scope: account``) with a Tencent DeleteJob limit just above each host's
``tencent_rate_limit``.

Check mode first: no mutating request, and the union of the slices' reports is exactly the selection. Then the
cleanup: the union of the reports is what the check predicted and what the emulator lost; every deleted id was
named by exactly one mutating request across all slices; nothing outside the selection went; no call was
throttled; each account's calls used its own keys, and a Tencent account's regions were cleaned one after the
other. Then again: nothing left to do, no mutating request.
"""

import collections
import re

import yaml

from support.ansible_runs import run_playbook, ansible_env
from support.awx_slicing import (
    GROUP,
    THROTTLED,
    awx_slices,
    fleet,
    inventory_hosts,
    named_in_mutations,
    reported,
    reports,
    run_slices,
    state_ids,
)


ACCOUNTS = 12
SLICES = 3            # job_slice_count
JOBS_PER_REGION = 6   # selected records per service and region: more than a DeleteJob bucket holds (rate + 1)
RATE = 3.0            # each Tencent host's tencent_rate_limit; the emulator allows RATE + 1 per account


def ok(runs):
    for run in runs:
        assert run.returncode == 0, run.output()
        assert '"msg": [\n        "none"\n    ]' in run.stdout, run.output()   # no account failed
    return runs


def recap(stdout):
    return {host: {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", counts)}
            for host, counts in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", stdout, re.M)}


def test_sliced_fan_out_check_then_cleanup_then_nothing_left(emulator, tmp_path):
    """One run of the slices per pass is all the time this suite spends, so one test checks every pass: each
    ``assert_*`` below is one claim of the module docstring."""
    sliced = run_three_passes(emulator, tmp_path)
    assert_each_host_and_account_is_in_exactly_one_slice(sliced)
    assert_check_mode_slices_mutate_nothing_and_predict_the_cleanup(sliced)
    assert_the_slices_delete_the_selection_once_without_throttling(sliced)
    assert_each_account_uses_its_own_keys_and_one_region_at_a_time(sliced)
    assert_a_second_run_of_the_slices_changes_nothing(sliced)


def run_three_passes(emulator, workdir):
    """The fleet, its slices, and three passes of all slices at once (check mode, the cleanup, the cleanup again),
    with the emulator's state and request log after each."""
    plan = fleet(emulator.url, accounts=ACCOUNTS, jobs_per_region=JOBS_PER_REGION, rate=RATE)
    emulator.config(plan["config"])
    emulator.seed(plan["seed"])
    result = {"plan": plan, "before": state_ids(emulator.state()), "slices": awx_slices(plan["inventory"], SLICES)}
    for name, args in (("check", ()), ("apply", ("-e", "cleanup_apply=true")), ("again", ("-e", "cleanup_apply=true"))):
        emulator.clear_requests()
        result[name] = ok(run_slices(workdir / name, result["slices"], *args))
        result[name + "_log"] = emulator.requests()
        result[name + "_state"] = state_ids(emulator.state())
    return result


def assert_each_host_and_account_is_in_exactly_one_slice(sliced):
    plan, slices = sliced["plan"], sliced["slices"]
    hosts = inventory_hosts(plan["inventory"])
    assert len(hosts) == ACCOUNTS and len(slices) == SLICES
    parts = [inventory_hosts(part) for part in slices]
    assert parts == [hosts[k::SLICES] for k in range(SLICES)]   # sorted by name, slice k gets [k-1::N]
    assert collections.Counter(h for part in parts for h in part) == collections.Counter(hosts)
    for part in slices:   # group variables go to every slice, host variables with their host
        assert part[GROUP]["vars"] == plan["inventory"][GROUP]["vars"]
        assert all(hv == plan["inventory"][GROUP]["hosts"][h] for h, hv in part[GROUP]["hosts"].items())
    accounts = [{plan["accounts"][h] for h in part} for part in parts]
    assert sum(len(a) for a in accounts) == len(set().union(*accounts)) == ACCOUNTS
    # and each ran only its own hosts, every host of the slice
    for name in ("check", "apply"):
        assert [sorted(reports(run.stdout)) for run in sliced[name]] == parts


def assert_check_mode_slices_mutate_nothing_and_predict_the_cleanup(sliced):
    plan = sliced["plan"]
    assert [e for e in sliced["check_log"] if e["mutating"]] == []
    assert sliced["check_state"] == sliced["before"]
    predicted = reported(sliced["check"], plan["regions"])
    assert len(predicted) == len(set(predicted))
    assert set(predicted) == plan["selected"] == sliced["before"] - sliced["apply_state"]
    assert set(predicted) == set(reported(sliced["apply"], plan["regions"]))
    for run in sliced["check"]:
        for host, entries in reports(run.stdout).items():
            regions = plan["inventory"][GROUP]["hosts"][host].get("cleanup_regions")
            assert len(entries) == len(regions or [None])
            for entry, region in zip(entries, regions or [None]):
                lines = entry["lines"]
                if region:   # a host with cleanup_regions: each summary says which region it is for
                    assert lines[0] == "region: " + (region["region"] if isinstance(region, dict) else region)
                    lines = lines[1:]
                assert lines[0] == "mode: check (nothing deleted; pass -e cleanup_apply=true)"


def assert_the_slices_delete_the_selection_once_without_throttling(sliced):
    plan, log = sliced["plan"], sliced["apply_log"]
    assert len(plan["selected"]) == ACCOUNTS // 2 * JOBS_PER_REGION * 4 and plan["selected"] < sliced["before"]
    deleted = reported(sliced["apply"], plan["regions"])
    assert len(deleted) == len(set(deleted)) and set(deleted) == plan["selected"]   # the union of the reports
    assert sliced["before"] - sliced["apply_state"] == plan["selected"]   # nothing outside the selection went
    named = collections.Counter(named_in_mutations(log))
    assert set(named) == plan["selected"] and set(named.values()) == {1}   # each id in exactly one mutating call
    assert [e for e in log if e["error_code"] in THROTTLED] == []
    for run in sliced["apply"]:
        for entries in reports(run.stdout).values():
            assert all(e["summary"]["mode"] == "delete" and e["summary"]["failed"] == [] for e in entries)


def assert_each_account_uses_its_own_keys_and_one_region_at_a_time(sliced):
    plan, log = sliced["plan"], sliced["apply_log"]
    assert all(e["account"] for e in log)
    owner = {where: plan["accounts"][host] for host, places in plan["regions"].items() for where in places}
    assert all(e["account"] == owner[e["region"]] for e in log)
    for host, places in plan["regions"].items():
        if len(places) > 1:   # the account's DeleteJob limit is used by one region, then the next
            order = [e["region"] for e in log if e["operation"] == "DeleteJob" and e["account"] == plan["accounts"][host]]
            assert order == sorted(order, key=places.index) and len(order) == len(places) * JOBS_PER_REGION, order


def assert_a_second_run_of_the_slices_changes_nothing(sliced):
    assert [e for e in sliced["again_log"] if e["mutating"]] == []
    assert reported(sliced["again"], sliced["plan"]["regions"]) == []
    assert all(stats["changed"] == 0 for run in sliced["again"] for stats in recap(run.stdout).values())
    assert sliced["again_state"] == sliced["apply_state"]


def test_a_failing_region_fails_its_account_after_its_other_regions(emulator, tmp_path):
    """A Tencent account whose first region is a typo: its second region is still cleaned, its summaries say which
    region each is, then it fails, naming the region, as does the list of failed accounts. A Huawei account's second
    region has its own cleanup_services and no project_id: the project is looked up through IAM for that region,
    not taken from the host's huaweicloud_auth. A malformed cleanup_regions fails its host before any call."""
    plan = fleet(emulator.url, accounts=2, jobs_per_region=2, rate=RATE)
    inventory = plan["inventory"]
    huawei, tencent = inventory[GROUP]["hosts"]["account-001"], inventory[GROUP]["hosts"]["account-002"]
    north = huawei["huaweicloud_auth"]["project_id"]
    southeast = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e"
    huawei["cleanup_regions"] = [{"region": "cn-north-4", "project_id": north, "mrs_cluster_ids": ["c-etl"]},
                                 {"region": "ap-southeast-1", "cleanup_services": ["workspace"]}]
    del huawei["mrs_cluster_ids"]   # per region only; the host keeps its project_id, which must not leak
    good = tencent["cleanup_regions"][1]
    tencent["cleanup_regions"] = ["ap-guangzho", good]
    inventory[GROUP]["hosts"]["account-003"] = dict(tencent, cleanup_regions=[{"regoin": "ap-tokyo"}])
    # account-001's own projects (what its lookup, GET /v3/auth/projects, sees) gain one in ap-southeast-1.
    projects = {n: dict(regions) for n, regions in plan["config"]["account_projects"].items()}
    projects["1"]["ap-southeast-1"] = southeast
    emulator.config(dict(plan["config"], account_projects=projects))
    emulator.seed(plan["seed"])
    emulator.seed({"workspace": [{"project_id": southeast, "id": "5e5e0000-1111-4000-8000-000000000001",
                                  "task_name": "old", "scheduled_type": "FIXED_TIME", "expire_time": "2020-01-01 00:00:00",
                                  "time_zone": "UTC"}]})
    before = state_ids(emulator.state())

    (tmp_path / "accounts.yml").write_text(yaml.safe_dump(inventory), encoding="utf-8")
    env = ansible_env(tmp_path)
    del env["ANSIBLE_PYTHON_INTERPRETER"]
    run = run_playbook(tmp_path, "cloudjobs.cleanup.fan_out_cleanup", "-i", "accounts.yml", "-f", "3", "-v",
                       "-e", "cleanup_apply=true", env=env)
    assert run.returncode != 0, run.stdout[-3000:]
    found = reports(run.stdout)
    for entries in found.values():   # without the line under each service that says what it selected
        for entry in entries:
            entry["lines"] = [line for line in entry["lines"] or [] if not line.startswith("  selection: ")]
    assert [e["lines"] for e in found["account-001"]] == [
        ["region: cn-north-4", "mode: delete", "MRS job executions deleted: 2", "Workspace scheduled tasks deleted: 2",
         "Tencent Batch jobs: not selected"],
        ["region: ap-southeast-1", "mode: delete", "MRS job executions: not selected",
         "Workspace scheduled tasks deleted: 1", "Tencent Batch jobs: not selected"]]
    first, second = [e["lines"] for e in found["account-002"]]
    assert first[:4] == ["region: ap-guangzho", "mode: delete", "MRS job executions: not selected",
                         "Workspace scheduled tasks: not selected"]
    assert first[4].startswith("Tencent Batch jobs deleted: 0; FAILED: ") and "UnsupportedRegion" in first[4], first
    assert second == ["region: " + good, "mode: delete", "MRS job executions: not selected",
                      "Workspace scheduled tasks: not selected", "Tencent Batch jobs deleted: 2"]
    assert "account-003" not in found
    assert "cleanup_regions of account-003 must be a non-empty list" in run.stdout
    assert "Cleanup failed for Tencent Batch in ap-guangzho; see the summaries above" in run.stdout
    assert {host: stats["failed"] for host, stats in recap(run.stdout).items()} == {
        "account-001": 0, "account-002": 1, "account-003": 1}
    assert '"msg": [\n        "account-002 (ap-guangzho)",\n        "account-003"\n    ]' in run.stdout
    lost = before - state_ids(emulator.state())
    assert lost == {r for r in plan["selected"] if r[1] != plan["regions"]["account-002"][0]} | {
        ("workspace", southeast, "5e5e0000-1111-4000-8000-000000000001")}
    log = emulator.requests()
    assert {(e["operation"], e["path"]) for e in log if e["service"] == "iam"} == {("KeystoneListAuthProjects", "/v3/auth/projects")}
    assert {e["region"] for e in log if e["service"] == "workspace"} == {north, southeast}
