"""The playbooks the collection ships, run by name as users run them, against the emulator.

* ``cloudjobs.cleanup.nightly_cleanup``: check mode by default (no mutating request), deletes exactly the
  selection with ``cleanup_apply=true``, and a second run changes nothing and mutates nothing.
* ``cloudjobs.cleanup.fan_out_cleanup``: three "accounts" (two Huawei projects in two regions, one of them
  found through IAM, and a Tencent region) as inventory hosts, run with ``-f 3``: each account loses exactly
  its own selected records, the records of a project and a region no host names are untouched.
"""

import ast
import re
import time

import pytest
import yaml

from ansible_runs import HUAWEI_AK, HUAWEI_SK, PROJECT, TENCENT_ID, TENCENT_KEY, ansible_env, run_playbook
from ansible_runs import mutating_requests as mutating

DAY_MS = 86400 * 1000
SOUTHEAST_PROJECT = "1b2c3d4e5f60718293a4b5c6d7e8f90a"
STRANGER_PROJECT = "2c3d4e5f60718293a4b5c6d7e8f90a1b"   # a project no inventory host names

pytestmark = pytest.mark.xdist_group("shipped_playbooks")


def _iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


def _wall(ms):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms / 1000))


def account_records(tag, project=None, region=None):
    """One account's records: ``(seed, ids that a default cleanup selects)``.

    Selected: old finished MRS executions, expired Workspace tasks, old finished Tencent jobs. Kept: recent
    or running executions, an execution of another cluster, tasks that have not expired, recent or running jobs.
    """
    now = int(time.time() * 1000)
    old, recent = now - 30 * DAY_MS, now - 1 * DAY_MS
    hw = {"project_id": project} if project else {}
    tc = {"Region": region} if region else {}

    def mrs(n, state, when, cluster="c-etl"):
        return dict(hw, job_id="%s-0000-4000-8000-%012d" % (tag, n), job_name="etl-%d" % n, job_state=state,
                    cluster_id=cluster, submitted_time=when)

    def task(n, expire):
        return dict(hw, id="%s-1111-4000-8000-%012d" % (tag, n), task_name="reboot-%d" % n,
                    scheduled_type="FIXED_TIME", expire_time=_wall(expire), time_zone="UTC")

    def job(n, state, when):
        return dict(tc, JobId="job-%s%02d" % (tag[:6], n), JobName="render-%d" % n, JobState=state, CreateTime=_iso(when))

    seed = {
        "mrs": [mrs(1, "FINISHED", old), mrs(2, "FAILED", old), mrs(3, "KILLED", old),
                mrs(4, "FINISHED", recent), mrs(5, "RUNNING", old), mrs(6, "FINISHED", old, cluster="c-other")],
        "workspace": [task(1, now - DAY_MS), task(2, now - 2 * DAY_MS), task(3, now + 90 * DAY_MS)],
        "tencent": [job(1, "SUCCEED", old), job(2, "FAILED", old), job(3, "SUCCEED", recent), job(4, "RUNNING", old)],
    }
    selected = {
        "mrs": [r["job_id"] for r in seed["mrs"][:3]],
        "workspace": [r["id"] for r in seed["workspace"][:2]],
        "tencent": [r["JobId"] for r in seed["tencent"][:2]],
    }
    return seed, selected


def merge(*seeds):
    merged = {}
    for seed in seeds:
        for store, records in seed.items():
            merged.setdefault(store, []).extend(records)
    return merged


def ids(state):
    """Every record id the emulator holds, per store, with its project or region."""
    return {
        "mrs": {(r["project_id"], r["job_id"]) for r in state["mrs"]},
        "workspace": {(r["project_id"], r["id"]) for r in state["workspace"]},
        "tencent": {(r["Region"], r["JobId"]) for r in state["tencent"]},
    }


def recap(stdout):
    """``{host: {"ok": n, "changed": n, "failed": n, ...}}`` from the PLAY RECAP."""
    hosts = {}
    for host, counts in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", stdout, re.M):
        hosts[host] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", counts)}
    return hosts


def host_summaries(stdout):
    """Each host's printed summary: ``{host: (mode, mrs, workspace, tencent, not deleted)}``."""
    found = {}
    pattern = (r'ok: \[(\S+)\] => \{\s+"msg": \[\s+"mode: (\w+)[^"]*",\s+"MRS job executions [\w ]+: (\d+)",\s+'
               r'"Workspace scheduled tasks [\w ]+: (\d+)",\s+"Tencent Batch jobs [\w ]+: (\d+)",\s+"not deleted: (.*)"')
    for host, mode, mrs, workspace, tencent, not_deleted in re.findall(pattern, stdout):
        found[host] = (mode, int(mrs), int(workspace), int(tencent), len(ast.literal_eval(not_deleted)))
    return found


class TestNightlyCleanup:
    """``ansible-playbook cloudjobs.cleanup.nightly_cleanup`` as the README and `make demo` run it."""

    def run(self, tmp_path, emulator, *args):
        extra = {
            "huaweicloud_auth": {"endpoint": emulator.url, "region": "cn-north-4", "project_id": PROJECT,
                                 "access_key": HUAWEI_AK, "secret_key": HUAWEI_SK},
            "tencentcloud_auth": {"endpoint": emulator.url, "region": "ap-guangzhou",
                                  "secret_id": TENCENT_ID, "secret_key": TENCENT_KEY},
            "mrs_cluster_ids": ["c-etl", "c-empty"],
        }
        (tmp_path / "vars.yml").write_text(yaml.safe_dump(extra), encoding="utf-8")
        return run_playbook(tmp_path, "cloudjobs.cleanup.nightly_cleanup", "-e", "@vars.yml", *args)

    def test_check_mode_by_default_then_deletes_the_selection_then_changes_nothing(self, emulator, tmp_path):
        seed, selected = account_records("aaaaaaaa")
        emulator.seed(merge(seed, {"mrs_clusters": ["c-empty"]}))
        before = ids(emulator.state())

        first = self.run(tmp_path, emulator)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        assert "mode: check (nothing deleted; pass -e cleanup_apply=true)" in first.stdout
        assert "MRS job executions to delete: 3" in first.stdout
        assert "Workspace scheduled tasks to delete: 2" in first.stdout
        assert "Tencent Batch jobs to delete: 2" in first.stdout
        assert mutating(emulator) == []
        assert ids(emulator.state()) == before

        emulator.clear_requests()
        second = self.run(tmp_path, emulator, "-e", "cleanup_apply=true")
        assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
        assert "MRS job executions deleted: 3" in second.stdout
        assert "Workspace scheduled tasks deleted: 2" in second.stdout
        assert "Tencent Batch jobs deleted: 2" in second.stdout
        after = ids(emulator.state())
        lost = {store: {i for _where, i in before[store] - after[store]} for store in before}
        assert lost == {store: set(v) for store, v in selected.items()}
        assert recap(second.stdout)["localhost"]["changed"] == 3   # one per service

        emulator.clear_requests()
        third = self.run(tmp_path, emulator, "-e", "cleanup_apply=true")
        assert third.returncode == 0, third.stdout[-3000:] + third.stderr[-3000:]
        assert recap(third.stdout)["localhost"]["changed"] == 0
        assert mutating(emulator) == []
        assert ids(emulator.state()) == after


class TestFanOutCleanup:
    """``ansible-playbook -i accounts.yml cloudjobs.cleanup.fan_out_cleanup -f 3`` over three accounts."""

    def inventory(self, url):
        hw = {"endpoint": url, "iam_endpoint": url, "access_key": HUAWEI_AK, "secret_key": HUAWEI_SK}
        tc = {"endpoint": url, "secret_id": TENCENT_ID, "secret_key": TENCENT_KEY}
        return {"cleanup_accounts": {
            "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
            "hosts": {
                "huawei-north": {
                    "huaweicloud_auth": dict(hw, region="cn-north-4", project_id=PROJECT),
                    "cleanup_services": ["mrs", "workspace"], "mrs_cluster_ids": ["c-etl"]},
                "huawei-southeast": {   # no project_id: the modules look it up through IAM by region
                    "huaweicloud_auth": dict(hw, region="ap-southeast-1"),
                    "cleanup_services": ["mrs", "workspace"], "mrs_cluster_ids": ["c-etl"]},
                "tencent-shanghai": {
                    "tencentcloud_auth": dict(tc, region="ap-shanghai"),
                    "cleanup_services": ["tencent"], "tencent_rate_limit": 5},
            }}}

    def run(self, tmp_path, emulator, *args):
        (tmp_path / "accounts.yml").write_text(yaml.safe_dump(self.inventory(emulator.url)), encoding="utf-8")
        env = ansible_env(tmp_path)
        del env["ANSIBLE_PYTHON_INTERPRETER"]   # the inventory says which Python, as the guide tells users to
        return run_playbook(tmp_path, "cloudjobs.cleanup.fan_out_cleanup", "-i", "accounts.yml", "-f", "3", *args,
                            env=env)

    def test_three_accounts_in_parallel_each_loses_exactly_its_selection(self, emulator, tmp_path):
        emulator.config({"projects": {"cn-north-4": PROJECT, "ap-southeast-1": SOUTHEAST_PROJECT,
                                      "eu-west-101": STRANGER_PROJECT}})
        north, north_selected = account_records("aaaaaaaa", project=PROJECT, region="ap-guangzhou")
        southeast, southeast_selected = account_records("bbbbbbbb", project=SOUTHEAST_PROJECT, region="ap-beijing")
        shanghai, shanghai_selected = account_records("cccccccc", project=STRANGER_PROJECT, region="ap-shanghai")
        emulator.seed(merge(north, southeast, shanghai))
        before = ids(emulator.state())
        expected_lost = {
            "mrs": {(PROJECT, i) for i in north_selected["mrs"]} | {(SOUTHEAST_PROJECT, i) for i in southeast_selected["mrs"]},
            "workspace": ({(PROJECT, i) for i in north_selected["workspace"]}
                          | {(SOUTHEAST_PROJECT, i) for i in southeast_selected["workspace"]}),
            "tencent": {("ap-shanghai", i) for i in shanghai_selected["tencent"]},
        }

        check = self.run(tmp_path, emulator)
        assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
        assert host_summaries(check.stdout) == {"huawei-north": ("check", 3, 2, 0, 0),
                                                "huawei-southeast": ("check", 3, 2, 0, 0),
                                                "tencent-shanghai": ("check", 0, 0, 2, 0)}
        assert mutating(emulator) == []
        assert ids(emulator.state()) == before

        emulator.clear_requests()
        apply = self.run(tmp_path, emulator, "-e", "cleanup_apply=true")
        assert apply.returncode == 0, apply.stdout[-3000:] + apply.stderr[-3000:]
        assert host_summaries(apply.stdout) == {"huawei-north": ("delete", 3, 2, 0, 0),
                                                "huawei-southeast": ("delete", 3, 2, 0, 0),
                                                "tencent-shanghai": ("delete", 0, 0, 2, 0)}
        assert '"msg": [\n        "none"\n    ]' in apply.stdout   # no account failed
        after = ids(emulator.state())
        assert {store: before[store] - after[store] for store in before} == expected_lost
        # Each account's calls went to its own project or region, the southeast one after an IAM lookup.
        log = emulator.requests()
        huawei_paths = {r["path"].split("/")[2] for r in log if r["service"] in ("mrs", "workspace")}
        assert huawei_paths == {PROJECT, SOUTHEAST_PROJECT}
        assert {r["query"] for r in log if r["service"] == "iam"} == {"name=ap-southeast-1"}
        assert all(stats["failed"] == 0 for stats in recap(apply.stdout).values())

        emulator.clear_requests()
        again = self.run(tmp_path, emulator, "-e", "cleanup_apply=true")
        assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
        assert {host: stats["changed"] for host, stats in recap(again.stdout).items()} == {
            "huawei-north": 0, "huawei-southeast": 0, "tencent-shanghai": 0}
        assert mutating(emulator) == []
        assert ids(emulator.state()) == after


def test_check_flag_wins_over_cleanup_apply(emulator, tmp_path):
    """``--check`` (an AWX job template of type Check) with ``cleanup_apply=true`` still deletes nothing."""
    seed, _selected = account_records("dddddddd")
    emulator.seed(merge(seed, {"mrs_clusters": ["c-empty"]}))
    before = ids(emulator.state())
    run = TestNightlyCleanup().run(tmp_path, emulator, "--check", "-e", "cleanup_apply=true")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "mode: check (nothing deleted)" in run.stdout   # no hint to pass cleanup_apply: it was passed
    assert "MRS job executions to delete: 3" in run.stdout
    assert "Tencent Batch jobs to delete: 2" in run.stdout
    assert mutating(emulator) == []
    assert ids(emulator.state()) == before
