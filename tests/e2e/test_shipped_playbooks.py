"""The playbooks the collection ships, run by name as users run them, against the emulator.

* ``cloudjobs.cleanup.nightly_cleanup``: check mode by default (no mutating request), deletes exactly the
  selection with ``cleanup_apply=true``, and a second run changes nothing and mutates nothing.
* ``cloudjobs.cleanup.fan_out_cleanup``: three "accounts" (two Huawei projects in two regions, one of them
  found through IAM, and a Tencent region) as inventory hosts, run with ``-f 3``: each account loses exactly
  its own selected records, the records of a project and a region no host names are untouched.
* Failure isolation: a missing MRS cluster or a selection over ``max_deletions`` fails that service (or cluster)
  alone; the other services are cleaned, the summary is printed as plain lines (naming what failed, saying
  "not selected" for what was not run) and the host then fails, so the run ends non-zero; in check mode too,
  and per host in the fan-out.
* A permission denial is a failure like any other: a Huawei credential that may not delete MRS executions fails
  the MRS line of the summary (naming the action to grant); Workspace, under the same credential, and Tencent are
  cleaned.
"""

import json
import re
import time

import pytest
import yaml

from ansible_runs import HUAWEI_AK, HUAWEI_SK, PROJECT, TENCENT_ID, TENCENT_KEY, ansible_env, run_playbook
from ansible_runs import mutating_requests as mutating

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _permissions as perms

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


def summaries(stdout):
    """Each host's printed summary, ``{host: [line, ...]}``: the debug message that is a list of plain strings
    starting with the mode line."""
    found = {}
    for host, block in re.findall(r'^ok: \[(\S+)\] => (\{\n.*?\n\})$', stdout, re.M | re.S):
        msg = json.loads(block).get("msg")
        if isinstance(msg, list) and msg and isinstance(msg[0], str) and msg[0].startswith("mode: "):
            assert all(isinstance(line, str) and "\n" not in line for line in msg), msg
            found[host] = msg
    return found


PART_LINE = re.compile(r"^  (cluster|region) \S+: ")


def summary(stdout, parts=False):
    """The printed summary of the nightly playbook (localhost); without ``parts``, the lines per MRS cluster and per
    Tencent region (printed under a service that ran for more than one) left out."""
    found = summaries(stdout)
    assert "localhost" in found, "no summary printed:\n" + stdout[-3000:]
    return [line for line in found["localhost"] if parts or not PART_LINE.match(line)]


CHECK = "mode: check (nothing deleted; pass -e cleanup_apply=true)"


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

    @staticmethod
    def ok(run):
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        return run

    def test_check_mode_by_default_then_deletes_the_selection_then_changes_nothing(self, emulator, tmp_path):
        seed, selected = account_records("aaaaaaaa")
        emulator.seed(merge(seed, {"mrs_clusters": ["c-empty"]}))
        before = ids(emulator.state())

        first = self.run(tmp_path, emulator)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        assert summary(first.stdout) == [CHECK, "MRS job executions to delete: 3", "Workspace scheduled tasks to delete: 2",
                                         "Tencent Batch jobs to delete: 2"]
        assert mutating(emulator) == []
        assert ids(emulator.state()) == before

        emulator.clear_requests()
        second = self.run(tmp_path, emulator, "-e", "cleanup_apply=true")
        assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
        assert summary(second.stdout) == ["mode: delete", "MRS job executions deleted: 3", "Workspace scheduled tasks deleted: 2",
                                          "Tencent Batch jobs deleted: 2"]
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

    def test_a_missing_cluster_fails_alone_and_the_host_fails_after_the_summary(self, emulator, tmp_path):
        """A decommissioned cluster (MRS answers 12000003) fails its own loop item only: the good cluster,
        Workspace and Tencent are cleaned, the summary names the cluster, then the host fails."""
        seed, selected = account_records("aaaaaaaa")
        emulator.seed(seed)   # c-gone holds no record and is not declared: the emulator says it does not exist
        before = ids(emulator.state())

        run = self.run(tmp_path, emulator, "-e", "cleanup_apply=true", "-e", '{"mrs_cluster_ids": ["c-gone", "c-etl"]}')
        assert run.returncode != 0, run.stdout[-3000:]
        lines = summary(run.stdout)
        assert lines[0] == "mode: delete"
        assert lines[1].startswith("MRS job executions deleted: 3; FAILED on cluster c-gone: "), lines
        assert "does not exist" in lines[1]
        assert lines[2:] == ["Workspace scheduled tasks deleted: 2", "Tencent Batch jobs deleted: 2"]
        assert "Cleanup failed for MRS cluster c-gone; see the summary above" in run.stdout
        assert recap(run.stdout)["localhost"]["failed"] == 1
        after = ids(emulator.state())
        assert {store: {i for _where, i in before[store] - after[store]} for store in before} == \
            {store: set(v) for store, v in selected.items()}

    def test_max_deletions_exceeded_fails_that_service_alone(self, emulator, tmp_path):
        """cleanup_max_deletions=2: the MRS selection (3) is refused before anything of it is deleted; Workspace
        and Tencent (2 each) are cleaned; the summary says MRS failed and why; the run fails."""
        seed, selected = account_records("aaaaaaaa")
        emulator.seed(merge(seed, {"mrs_clusters": ["c-empty"]}))
        before = ids(emulator.state())

        run = self.run(tmp_path, emulator, "-e", "cleanup_apply=true", "-e", "cleanup_max_deletions=2")
        assert run.returncode != 0, run.stdout[-3000:]
        lines = summary(run.stdout)
        assert lines[0] == "mode: delete"
        # Each refused record is listed under the service's line, with the guard as its reason.
        assert re.fullmatch(r"MRS job executions deleted: 0; not deleted: 3; FAILED on cluster c-etl: .*max_deletions.*",
                            lines[1]), lines
        assert "c-empty" not in lines[1]
        refused = lines[2:-2]
        assert len(refused) == 3 and all(line.endswith(": selection over max_deletions") for line in refused), lines
        assert {line.split(":")[0] for line in refused} == {"  - " + i for i in selected["mrs"]}, lines
        assert lines[-2:] == ["Workspace scheduled tasks deleted: 2", "Tencent Batch jobs deleted: 2"]
        assert "Cleanup failed for MRS cluster c-etl; see the summary above" in run.stdout
        assert recap(run.stdout)["localhost"]["failed"] == 1
        after = ids(emulator.state())
        assert before["mrs"] == after["mrs"]
        assert {store: {i for _where, i in before[store] - after[store]} for store in ("workspace", "tencent")} == \
            {store: set(selected[store]) for store in ("workspace", "tencent")}

        # A long list of records not deleted is cut short in the printed summary (all stay in the fact).
        run = self.run(tmp_path, emulator, "-e", "cleanup_apply=true", "-e", "cleanup_max_deletions=2",
                       "-e", "cleanup_summary_records=1")
        lines = summary(run.stdout)
        assert lines[2].startswith("  - ") and lines[3] == "  ... and 2 more (all in cleanup_summary.not_deleted)", lines

    def test_retention_rules_keep_and_the_summary_counts_what_was_kept(self, emulator, tmp_path):
        """cleanup_keep_latest=1: every selected MRS execution and Tencent job is its job's only finished run, so
        all are kept; cleanup_keep_name_patterns protects one Workspace task. Check, then apply: exactly the rest
        goes, and the summary line of each service says how many were kept."""
        seed, selected = account_records("aaaaaaaa")
        emulator.seed(merge(seed, {"mrs_clusters": ["c-empty"]}))
        rules = ("-e", "cleanup_keep_latest=1", "-e", '{"cleanup_keep_name_patterns": ["reboot-1"]}')
        run = self.ok(self.run(tmp_path, emulator, *rules))
        assert summary(run.stdout) == [CHECK, "MRS job executions to delete: 0; kept: 3 (keep_latest: 3)",
                                       "Workspace scheduled tasks to delete: 1; kept: 1 (keep_name_patterns: 1)",
                                       "Tencent Batch jobs to delete: 0; kept: 2 (keep_latest: 2)"]
        assert mutating(emulator) == []
        before = ids(emulator.state())
        run = self.ok(self.run(tmp_path, emulator, "-e", "cleanup_apply=true", *rules))
        assert summary(run.stdout)[1:] == ["MRS job executions deleted: 0; kept: 3 (keep_latest: 3)",
                                           "Workspace scheduled tasks deleted: 1; kept: 1 (keep_name_patterns: 1)",
                                           "Tencent Batch jobs deleted: 0; kept: 2 (keep_latest: 2)"]
        # The line of each MRS cluster (two here) says what happened there.
        assert summary(run.stdout, parts=True)[2:4] == ["  cluster c-etl: deleted 0, kept 3", "  cluster c-empty: deleted 0"]
        gone = before["workspace"] - ids(emulator.state())["workspace"]
        assert {i for _where, i in gone} == set(selected["workspace"]) - {selected["workspace"][0]}
        assert before["mrs"] == ids(emulator.state())["mrs"] and before["tencent"] == ids(emulator.state())["tencent"]

    def test_a_service_not_selected_says_so_never_zero(self, emulator, tmp_path):
        seed, _selected = account_records("aaaaaaaa")
        emulator.seed(merge(seed, {"mrs_clusters": ["c-empty"]}))

        run = self.ok(self.run(tmp_path, emulator, "-e", '{"cleanup_services": ["workspace"]}'))
        assert summary(run.stdout) == [CHECK, "MRS job executions: not selected", "Workspace scheduled tasks to delete: 2",
                                       "Tencent Batch jobs: not selected"]

        run = self.ok(self.run(tmp_path, emulator, "-e", '{"mrs_cluster_ids": []}'))
        assert summary(run.stdout) == [CHECK, "MRS job executions: not selected (no mrs_cluster_ids)",
                                       "Workspace scheduled tasks to delete: 2", "Tencent Batch jobs to delete: 2"]
        assert mutating(emulator) == []

    def test_a_permission_denial_fails_that_service_alone_and_names_the_action(self, emulator, tmp_path):
        """The Huawei credential's policy grants everything the nightly run needs but MRS's BatchDeleteJobs: MRS
        fails (its three selected executions reported not deleted, with the action to grant), Workspace under the same
        credential and Tencent are cleaned, the summary says so and the host fails after it."""
        seed, selected = account_records("aaaaaaaa")
        emulator.seed(merge(seed, {"mrs_clusters": ["c-empty"]}))
        delete_mode = perms.MODES_BY_KEY["mrs_delete"]
        granted = [a for a in delete_mode.actions(perms.CLASSIC) if a != "mrs:job:batchDelete"]
        granted += perms.MODES_BY_KEY["workspace_delete"].actions(perms.CLASSIC)
        emulator.config({"policies": {HUAWEI_AK: perms.huawei_policy(perms.CLASSIC, granted)}})
        before = ids(emulator.state())

        run = self.run(tmp_path, emulator, "-e", "cleanup_apply=true")
        assert run.returncode != 0, run.stdout[-3000:]
        lines = summary(run.stdout)
        assert lines[0] == "mode: delete"
        assert re.fullmatch(r"MRS job executions deleted: 0; not deleted: 3; FAILED on cluster c-etl: .*", lines[1]), lines
        assert "BatchDeleteJobs needs mrs:job:batchDelete" in lines[1] and "mrs:cluster:deleteJobs" in lines[1], lines
        assert "c-empty" not in lines[1]   # nothing selected there, so nothing was denied
        assert {line.split(":")[0] for line in lines[2:5]} == {"  - " + i for i in selected["mrs"]}, lines
        assert lines[5:] == ["Workspace scheduled tasks deleted: 2", "Tencent Batch jobs deleted: 2"]
        assert "Cleanup failed for MRS cluster c-etl; see the summary above" in run.stdout
        denied = [r for r in emulator.requests() if r.get("denied_action")]
        assert [r["operation"] for r in denied] == ["BatchDeleteJobs"]
        after = ids(emulator.state())  # three records are one batch: one denied call above, no retry
        assert before["mrs"] == after["mrs"]
        assert {store: {i for _where, i in before[store] - after[store]} for store in ("workspace", "tencent")} == \
            {store: set(selected[store]) for store in ("workspace", "tencent")}

    @pytest.mark.parametrize("how", [(), ("--check", "-e", "cleanup_apply=true")], ids=["report", "check-flag"])
    def test_check_mode_with_a_missing_cluster_reports_all_mutates_nothing_and_fails(self, emulator, tmp_path, how):
        seed, _selected = account_records("aaaaaaaa")
        emulator.seed(seed)
        before = ids(emulator.state())

        run = self.run(tmp_path, emulator, *how, "-e", '{"mrs_cluster_ids": ["c-etl", "c-gone"]}')
        assert run.returncode != 0, run.stdout[-3000:]
        lines = summary(run.stdout)
        assert lines[0] == (CHECK if not how else "mode: check (nothing deleted)")
        assert lines[1].startswith("MRS job executions to delete: 3; FAILED on cluster c-gone: "), lines
        assert lines[2:] == ["Workspace scheduled tasks to delete: 2", "Tencent Batch jobs to delete: 2"]
        assert recap(run.stdout)["localhost"]["failed"] == 1
        assert mutating(emulator) == []
        assert ids(emulator.state()) == before


class TestNightlyWindow:
    """The nightly playbook in a maintenance window: several Tencent regions, ``cleanup_time_budget``, and the counts
    it publishes with ``set_stats`` (shown here with ANSIBLE_SHOW_CUSTOM_STATS, as AWX stores them as artifacts)."""

    def run(self, tmp_path, emulator, *args):
        env = ansible_env(tmp_path, ANSIBLE_SHOW_CUSTOM_STATS="true")
        (tmp_path / "vars.yml").write_text(yaml.safe_dump({
            "tencentcloud_auth": {"endpoint": emulator.url, "secret_id": TENCENT_ID, "secret_key": TENCENT_KEY},
            "tencent_regions": ["ap-guangzhou", "ap-shanghai"], "cleanup_services": ["tencent"],
        }), encoding="utf-8")
        return run_playbook(tmp_path, "cloudjobs.cleanup.nightly_cleanup", "-e", "@vars.yml", *args, env=env)

    @staticmethod
    def custom_stats(stdout):
        """The CUSTOM STATS block ansible-playbook prints: ``{key: value}``."""
        block = stdout.split("CUSTOM STATS:", 1)[1]
        found = re.search(r"RUN: (\{.*\})\s*$", block, re.S)
        assert found, block[-2000:]
        return json.loads(found.group(1))

    def test_every_region_is_cleaned_with_a_line_each_and_the_counts_are_published(self, emulator, tmp_path):
        canton, shanghai = account_records("eeeeeeee", region="ap-guangzhou"), account_records("ffffffff",
                                                                                               region="ap-shanghai")
        emulator.seed({"tencent": canton[0]["tencent"] + shanghai[0]["tencent"]})
        run = self.run(tmp_path, emulator, "-e", "cleanup_apply=true")
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert summary(run.stdout, parts=True) == [
            "mode: delete", "MRS job executions: not selected", "Workspace scheduled tasks: not selected",
            "Tencent Batch jobs deleted: 4", "  region ap-guangzhou: deleted 2", "  region ap-shanghai: deleted 2"]
        left = {(r["Region"], r["JobId"]) for r in emulator.state()["tencent"]}
        assert not {("ap-guangzhou", i) for i in canton[1]["tencent"]} & left
        assert not {("ap-shanghai", i) for i in shanghai[1]["tencent"]} & left and len(left) == 4
        stats = self.custom_stats(run.stdout)["cloudjobs_cleanup"]["localhost"]
        zero = {"deleted": 0, "kept": 0, "left": 0, "not_deleted": 0}
        assert stats == {
            "mode": "delete", "failed": False, "totals": dict(zero, deleted=4),
            "services": {
                "mrs": dict(zero, selected=False, failed=False, not_reached=False,
                            kept_by_rule={"keep_latest": 0, "keep_name_patterns": 0}),
                "workspace": dict(zero, selected=False, failed=False, not_reached=False,
                                  kept_by_rule={"keep_latest": 0, "keep_name_patterns": 0}),
                "tencent": dict(zero, deleted=4, selected=True, failed=False, not_reached=False,
                                kept_by_rule={"keep_latest": 0, "keep_name_patterns": 0})}}

    def test_a_time_budget_leaves_the_rest_for_the_next_night_and_the_run_succeeds(self, emulator, tmp_path):
        """Sixty old jobs in ap-guangzhou behind DeleteJob's limit of 5 a second (12 s), cleanup_time_budget 3s for
        the whole run: the summary says how many are left, the counts say so too, the run succeeds; the next night
        (no budget) finishes them."""
        now = time.time()
        jobs = [{"Region": "ap-guangzhou", "JobId": "job-w%07d" % i, "JobName": "render", "JobState": "SUCCEED",
                 "CreateTime": _iso(int((now - (30 + i) * 86400) * 1000))} for i in range(60)]
        emulator.seed({"tencent": jobs})
        emulator.config({"rate_limits": {"tencent.DeleteJob": 5}})
        run = self.run(tmp_path, emulator, "-e", "cleanup_apply=true", "-e", "cleanup_time_budget=3s",
                       "-e", '{"tencent_regions": ["ap-guangzhou"]}', "-e", "tencent_rate_limit=5")
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        lines = summary(run.stdout)
        found = re.fullmatch(r"Tencent Batch jobs deleted: (\d+); left for the next run: (\d+) \(time budget spent\)",
                             lines[3])
        assert found and int(found.group(1)) + int(found.group(2)) == 60 and int(found.group(2)) > 0, lines
        stats = self.custom_stats(run.stdout)["cloudjobs_cleanup"]["localhost"]
        assert stats["totals"]["left"] == int(found.group(2)) and stats["totals"]["deleted"] == int(found.group(1))
        assert len(emulator.state()["tencent"]) == int(found.group(2))

        run = self.run(tmp_path, emulator, "-e", "cleanup_apply=true", "-e", '{"tencent_regions": ["ap-guangzhou"]}')
        assert run.returncode == 0 and emulator.state()["tencent"] == [], run.stdout[-3000:]

    def test_a_service_the_budget_does_not_reach_is_reported_and_fails_nothing(self, emulator, tmp_path):
        """cleanup_time_budget 2s for MRS, Workspace and Tencent; MRS's one batch delete takes 4 s (it starts within
        the budget, so it finishes and counts): Workspace and Tencent start with nothing left, are skipped - not
        run with a budget too short for their listing - and reported as not reached; the run succeeds, and check
        mode, which ignores the budget, still predicts all three."""
        seed, selected = account_records("gggggggg")
        emulator.seed(seed)
        emulator.config({"latency": {"mrs.BatchDeleteJobs": 4.0}})
        extra = {"huaweicloud_auth": {"endpoint": emulator.url, "region": "cn-north-4", "project_id": PROJECT,
                                      "access_key": HUAWEI_AK, "secret_key": HUAWEI_SK},
                 "cleanup_services": ["mrs", "workspace", "tencent"], "mrs_cluster_ids": ["c-etl"],
                 "cleanup_time_budget": "2s"}
        (tmp_path / "budget.yml").write_text(yaml.safe_dump(extra), encoding="utf-8")
        check = self.run(tmp_path, emulator, "-e", "@budget.yml")
        assert summary(check.stdout)[1:] == ["MRS job executions to delete: 3", "Workspace scheduled tasks to delete: 2",
                                             "Tencent Batch jobs to delete: 2"], check.stdout[-3000:]
        run = self.run(tmp_path, emulator, "-e", "@budget.yml", "-e", "cleanup_apply=true")
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert summary(run.stdout)[1:] == [
            "MRS job executions deleted: 3",
            "Workspace scheduled tasks deleted: 0; not reached (time budget spent)",
            "Tencent Batch jobs deleted: 0; not reached (time budget spent): region ap-guangzhou, region ap-shanghai"]
        assert summary(run.stdout, parts=True)[-2:] == ["  region ap-guangzhou: not reached (time budget spent)",
                                                        "  region ap-shanghai: not reached (time budget spent)"]
        stats = self.custom_stats(run.stdout)["cloudjobs_cleanup"]["localhost"]
        assert {name: (s["not_reached"], s["deleted"]) for name, s in stats["services"].items()} == {
            "mrs": (False, 3), "workspace": (True, 0), "tencent": (True, 0)}
        assert stats["failed"] is False
        assert {r["service"] for r in emulator.requests() if r["mutating"]} == {"mrs"}
        assert len(emulator.state()["mrs"]) == 6 - len(selected["mrs"])

    @pytest.mark.parametrize("budget", ["0s", "90", "1h-5m", "soon"])
    def test_a_malformed_time_budget_fails_before_any_request(self, emulator, tmp_path, budget):
        run = self.run(tmp_path, emulator, "-e", "cleanup_apply=true", "-e", "cleanup_time_budget=%s" % budget)
        assert run.returncode != 0 and "cleanup_time_budget must be a duration" in run.stdout, run.stdout[-3000:]
        assert emulator.requests() == []


class TestFanOutCleanup:
    """``ansible-playbook -i accounts.yml cloudjobs.cleanup.fan_out_cleanup -f 3`` over three accounts."""

    def inventory(self, url, **hosts):
        """The three accounts; ``hosts`` updates a host's variables, e.g. ``huawei_southeast={...}``."""
        hw = {"endpoint": url, "iam_endpoint": url, "access_key": HUAWEI_AK, "secret_key": HUAWEI_SK}
        tc = {"endpoint": url, "secret_id": TENCENT_ID, "secret_key": TENCENT_KEY}
        inventory = {"cleanup_accounts": {
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
        for host, variables in hosts.items():
            inventory["cleanup_accounts"]["hosts"][host.replace("_", "-")].update(variables)
        return inventory

    def run(self, tmp_path, emulator, *args, **hosts):
        (tmp_path / "accounts.yml").write_text(yaml.safe_dump(self.inventory(emulator.url, **hosts)), encoding="utf-8")
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
        huawei = ["MRS job executions to delete: 3", "Workspace scheduled tasks to delete: 2",
                  "Tencent Batch jobs: not selected"]
        tencent = ["MRS job executions: not selected", "Workspace scheduled tasks: not selected",
                   "Tencent Batch jobs to delete: 2"]
        assert summaries(check.stdout) == {"huawei-north": [CHECK] + huawei, "huawei-southeast": [CHECK] + huawei,
                                           "tencent-shanghai": [CHECK] + tencent}
        assert mutating(emulator) == []
        assert ids(emulator.state()) == before

        emulator.clear_requests()
        apply = self.run(tmp_path, emulator, "-e", "cleanup_apply=true")
        assert apply.returncode == 0, apply.stdout[-3000:] + apply.stderr[-3000:]
        huawei = ["MRS job executions deleted: 3", "Workspace scheduled tasks deleted: 2", "Tencent Batch jobs: not selected"]
        tencent = ["MRS job executions: not selected", "Workspace scheduled tasks: not selected",
                   "Tencent Batch jobs deleted: 2"]
        assert summaries(apply.stdout) == {"huawei-north": ["mode: delete"] + huawei,
                                           "huawei-southeast": ["mode: delete"] + huawei,
                                           "tencent-shanghai": ["mode: delete"] + tencent}
        assert '"msg": [\n        "none"\n    ]' in apply.stdout   # no account failed
        after = ids(emulator.state())
        assert {store: before[store] - after[store] for store in before} == expected_lost
        # Each account's calls went to its own project or region, the southeast one after a lookup among the
        # caller's own projects (KeystoneListAuthProjects, which needs no permission).
        log = emulator.requests()
        huawei_paths = {r["path"].split("/")[2] for r in log if r["service"] in ("mrs", "workspace")}
        assert huawei_paths == {PROJECT, SOUTHEAST_PROJECT}
        assert {(r["operation"], r["path"]) for r in log if r["service"] == "iam"} == \
            {("KeystoneListAuthProjects", "/v3/auth/projects")}
        assert all(stats["failed"] == 0 for stats in recap(apply.stdout).values())

        emulator.clear_requests()
        again = self.run(tmp_path, emulator, "-e", "cleanup_apply=true")
        assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
        assert {host: stats["changed"] for host, stats in recap(again.stdout).items()} == {
            "huawei-north": 0, "huawei-southeast": 0, "tencent-shanghai": 0}
        assert mutating(emulator) == []
        assert ids(emulator.state()) == after

    def test_one_failing_account_fails_alone(self, emulator, tmp_path):
        """huawei-southeast names a cluster that does not exist: its other cluster and its Workspace are cleaned,
        its summary is printed, and only it fails (recap, the list of failed accounts, the exit code)."""
        emulator.config({"projects": {"cn-north-4": PROJECT, "ap-southeast-1": SOUTHEAST_PROJECT}})
        north, north_selected = account_records("aaaaaaaa", project=PROJECT, region="ap-guangzhou")
        southeast, southeast_selected = account_records("bbbbbbbb", project=SOUTHEAST_PROJECT, region="ap-beijing")
        shanghai, shanghai_selected = account_records("cccccccc", project=STRANGER_PROJECT, region="ap-shanghai")
        emulator.seed(merge(north, southeast, shanghai))
        before = ids(emulator.state())

        run = self.run(tmp_path, emulator, "-e", "cleanup_apply=true",
                       huawei_southeast={"mrs_cluster_ids": ["c-gone", "c-etl"]})
        assert run.returncode != 0, run.stdout[-3000:]
        found = summaries(run.stdout)
        assert "huawei-southeast" in found, "the failing account printed no summary:\n" + run.stdout[-3000:]
        southeast_lines = found["huawei-southeast"]
        assert southeast_lines[1].startswith("MRS job executions deleted: 3; FAILED on cluster c-gone: "), southeast_lines
        assert southeast_lines[2:] == ["  cluster c-gone: deleted 0, FAILED", "  cluster c-etl: deleted 3",
                                       "Workspace scheduled tasks deleted: 2", "Tencent Batch jobs: not selected"]
        assert found["huawei-north"] == ["mode: delete", "MRS job executions deleted: 3",
                                         "Workspace scheduled tasks deleted: 2", "Tencent Batch jobs: not selected"]
        assert found["tencent-shanghai"] == ["mode: delete", "MRS job executions: not selected",
                                             "Workspace scheduled tasks: not selected", "Tencent Batch jobs deleted: 2"]
        assert {host: stats["failed"] for host, stats in recap(run.stdout).items()} == {
            "huawei-north": 0, "huawei-southeast": 1, "tencent-shanghai": 0}
        assert '"msg": [\n        "huawei-southeast"\n    ]' in run.stdout   # the accounts whose cleanup failed
        after = ids(emulator.state())
        assert {store: before[store] - after[store] for store in before} == {
            "mrs": {(PROJECT, i) for i in north_selected["mrs"]} | {(SOUTHEAST_PROJECT, i) for i in southeast_selected["mrs"]},
            "workspace": ({(PROJECT, i) for i in north_selected["workspace"]}
                          | {(SOUTHEAST_PROJECT, i) for i in southeast_selected["workspace"]}),
            "tencent": {("ap-shanghai", i) for i in shanghai_selected["tencent"]},
        }


def test_check_flag_wins_over_cleanup_apply(emulator, tmp_path):
    """``--check`` (an AWX job template of type Check) with ``cleanup_apply=true`` still deletes nothing."""
    seed, _selected = account_records("dddddddd")
    emulator.seed(merge(seed, {"mrs_clusters": ["c-empty"]}))
    before = ids(emulator.state())
    run = TestNightlyCleanup().run(tmp_path, emulator, "--check", "-e", "cleanup_apply=true")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert summary(run.stdout) == [
        "mode: check (nothing deleted)",   # no hint to pass cleanup_apply: it was passed
        "MRS job executions to delete: 3", "Workspace scheduled tasks to delete: 2", "Tencent Batch jobs to delete: 2"]
    assert mutating(emulator) == []
    assert ids(emulator.state()) == before
