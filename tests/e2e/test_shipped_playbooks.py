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
  the MRS line of the summary, and one line under it names the actions to grant, once; Workspace, under the same
  credential, and Tencent are cleaned.
* A variable named ``cleanup_*`` that the playbook does not take (a misspelling) fails the run before any request,
  naming the closest variable; each service's summary says what it selected (age, states, retention rules,
  max_deletions, time budget).
* The counts published with ``set_stats`` and the AWX notification body that reads them (no blank lines).
"""

import json
import os
import re
import time

import pytest
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from support.ansible_runs import HUAWEI_AK, HUAWEI_SK, PROJECT, REPO, TENCENT_ID, TENCENT_KEY, ansible_env, run_playbook
from support.ansible_runs import mutating_requests as mutating

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _permissions as perms
from docs_site.permissions_page import MODES_BY_KEY  # the ways of running and the actions each needs

DAY_MS = 86400 * 1000
SOUTHEAST_PROJECT = "1b2c3d4e5f60718293a4b5c6d7e8f90a"
STRANGER_PROJECT = "2c3d4e5f60718293a4b5c6d7e8f90a1b"   # a project no inventory host names


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


PART_LINE = re.compile(r"^  (cluster|region) \S+: ")
SELECTION_LINE = re.compile(r"^  selection: ")


def summaries(stdout, selection=False):
    """Each host's printed summary, ``{host: [line, ...]}``: the debug message that is a list of plain strings
    starting with the mode line; without ``selection``, the line under each service that says what it selected
    left out."""
    found = {}
    for host, block in re.findall(r'^ok: \[(\S+)\] => (\{\n.*?\n\})$', stdout, re.M | re.S):
        msg = json.loads(block).get("msg")
        if isinstance(msg, list) and msg and isinstance(msg[0], str) and msg[0].startswith("mode: "):
            assert all(isinstance(line, str) and "\n" not in line for line in msg), msg
            found[host] = [line for line in msg if selection or not SELECTION_LINE.match(line)]
    return found


def summary(stdout, parts=False, selection=False):
    """The printed summary of the nightly playbook (localhost); without ``parts``, the lines per MRS cluster and per
    Tencent region (printed under a service that ran for more than one) left out, without ``selection`` the line of
    each service's selection."""
    found = summaries(stdout, selection=selection)
    assert "localhost" in found, "no summary printed:\n" + stdout[-3000:]
    return [line for line in found["localhost"] if parts or not PART_LINE.match(line)]


# The selection lines of a run with the playbook's defaults (and two MRS clusters).
DEFAULT_SELECTION = {
    "mrs": "  selection: older than 7d; states FINISHED, FAILED, KILLED; name *; max_deletions 5000 per cluster; "
           "no time budget",
    "workspace": "  selection: expired; max_deletions 5000; no time budget",
    "tencent": "  selection: older than 7d; states SUCCEED, FAILED; name *; max_deletions 5000 per region; no time budget",
}


CHECK = "mode: check (nothing deleted; pass -e cleanup_apply=true)"


def notification(artifacts, status):
    """docs/awx/notification_body.j2 rendered as AWX renders a custom notification message: a sandboxed Jinja2
    environment with its default settings (no trim_blocks), the job's fields, its artifacts among them."""
    with open(os.path.join(REPO, "docs", "awx", "notification_body.j2"), encoding="utf-8") as f:
        template = f.read()
    job = {"name": "Nightly cleanup", "id": 42, "status": status, "elapsed": 61.5, "artifacts": artifacts}
    return ImmutableSandboxedEnvironment(undefined=StrictUndefined).from_string(template).render(job=job)


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
        fails in both clusters with something to delete (their selected executions reported not deleted), each named
        briefly on the MRS line, and the actions to grant are printed once, under it; Workspace under the same
        credential and Tencent are cleaned, the summary says so and the host fails after it."""
        seed, selected = account_records("aaaaaaaa")
        other, other_selected = account_records("abababab")   # as many again, in a second cluster
        seed["mrs"] += [dict(r, cluster_id="c-adhoc") for r in other["mrs"] if r["cluster_id"] == "c-etl"]
        emulator.seed(merge(seed, {"mrs_clusters": ["c-empty"]}))
        delete_mode = MODES_BY_KEY["mrs_filters"]  # the nightly run: filters only
        granted = [a for a in delete_mode.actions(perms.CLASSIC) if a != "mrs:job:batchDelete"]
        granted += MODES_BY_KEY["workspace_filters"].actions(perms.CLASSIC)
        emulator.config({"policies": {HUAWEI_AK: perms.huawei_policy(perms.CLASSIC, granted)}})
        before = ids(emulator.state())

        run = self.run(tmp_path, emulator, "-e", "cleanup_apply=true",
                       "-e", '{"mrs_cluster_ids": ["c-etl", "c-empty", "c-adhoc"]}')
        assert run.returncode != 0, run.stdout[-3000:]
        lines = summary(run.stdout)
        assert lines[0] == "mode: delete"
        denial = r"permission denied for BatchDeleteJobs \(HTTP 403, error APIGW\.0302, request id \w+\)"
        assert re.fullmatch(r"MRS job executions deleted: 0; not deleted: 6; FAILED on cluster c-etl: %s; "
                            r"FAILED on cluster c-adhoc: %s" % (denial, denial), lines[1]), lines
        # The emulator's denials carry an encoded_authorization_message, as IAM's do: the line says where it is.
        assert lines[2] == ("  permission to grant: BatchDeleteJobs needs mrs:job:batchDelete or mrs:cluster:deleteJobs "
                            "(to the credential of this run; the collection's permissions guide has the minimal policy "
                            "of each module); why it was denied: the error's encoded_authorization_message in "
                            "cleanup_summary.failed, to decode with STS DecodeAuthorizationMessage"), lines
        assert sum("BatchDeleteJobs needs" in line for line in lines) == 1
        assert {line.split(":")[0] for line in lines[3:9]} == {"  - " + i for i in selected["mrs"] + other_selected["mrs"]}
        assert lines[9:] == ["Workspace scheduled tasks deleted: 2", "Tencent Batch jobs deleted: 2"]
        assert "Cleanup failed for MRS cluster c-etl, MRS cluster c-adhoc; see the summary above" in run.stdout
        denied = [r for r in emulator.requests() if r.get("denied_action")]
        assert [r["operation"] for r in denied] == ["BatchDeleteJobs", "BatchDeleteJobs"]
        after = ids(emulator.state())  # three records are one batch: one denied call per cluster, no retry
        assert before["mrs"] == after["mrs"]
        assert {store: {i for _where, i in before[store] - after[store]} for store in ("workspace", "tencent")} == \
            {store: set(selected[store]) for store in ("workspace", "tencent")}

    @pytest.mark.parametrize("typo, named", [
        ({"cleanup_older_then": "30d"}, "Unknown variable cleanup_older_then (did you mean cleanup_older_than?): "),
        ({"cleanup_keep_lastest": 2, "cleanup_aply": True},
         "Unknown variables cleanup_aply (did you mean cleanup_apply?), cleanup_keep_lastest (did you mean "
         "cleanup_keep_latest?): "),
        ({"cleanup_budget": "45m"}, "Unknown variable cleanup_budget (did you mean cleanup_time_budget?): "),
        ({"cleanup_keep": 2}, "Unknown variable cleanup_keep (did you mean cleanup_keep_latest or "
                              "cleanup_keep_name_patterns?): "),
        ({"cleanup_regions": ["ap-shanghai"]},
         "Unknown variable cleanup_regions (only cloudjobs.cleanup.fan_out_cleanup takes it): "),
        ({"cleanup_owner": "team-a"}, "Unknown variable cleanup_owner: "),   # nothing close: the list below
    ], ids=["older_then", "two", "budget", "keep", "fan-out-only", "far"])
    def test_an_unknown_cleanup_variable_fails_the_run_before_any_request(self, emulator, tmp_path, typo, named):
        """A misspelled knob would be ignored and its default used (7d for cleanup_older_then=30d): the run stops
        first, naming the closest knob and listing the playbook's own, with cleanup_apply=true too."""
        seed, _selected = account_records("aaaaaaaa")
        emulator.seed(merge(seed, {"mrs_clusters": ["c-empty"]}))
        before = ids(emulator.state())
        run = self.run(tmp_path, emulator, "-e", "cleanup_apply=true", "-e", json.dumps(typo))
        assert run.returncode != 0, run.stdout[-3000:]
        assert named in run.stdout, run.stdout[-3000:]
        assert ("Its cleanup_* variables: cleanup_after_check, cleanup_apply, cleanup_keep_latest, "
                "cleanup_keep_name_patterns, cleanup_max_deletions, cleanup_max_deletions_per_run, cleanup_older_than, "
                "cleanup_plan_mode, cleanup_plan_ttl, cleanup_services, cleanup_summary_records, cleanup_time_budget (") \
            in run.stdout, run.stdout[-3000:]
        assert "localhost" not in summaries(run.stdout)   # stopped before the cleanup, not after it
        assert emulator.requests() == []
        assert ids(emulator.state()) == before

    def test_the_summary_says_what_each_service_selected(self, emulator, tmp_path):
        """Under each service's line, its selection as the module got it: the age filter first, the states and
        names, the retention rules, max_deletions and the time budget (ignored in check mode)."""
        seed, _selected = account_records("aaaaaaaa")
        emulator.seed(merge(seed, {"mrs_clusters": ["c-empty"]}))
        knobs = {"cleanup_older_than": "14d", "cleanup_keep_latest": 2, "cleanup_keep_name_patterns": ["nightly-*", "keep-*"],
                 "cleanup_max_deletions": 100, "cleanup_time_budget": "45m", "mrs_states": ["FAILED"],
                 "workspace_filters": {"expired": True, "scheduled_type": "FIXED_TIME"}, "tencent_name_pattern": "render-*"}
        (tmp_path / "knobs.yml").write_text(yaml.safe_dump(knobs), encoding="utf-8")
        retention = "keep_latest 2; keep_name_patterns nightly-*, keep-*"
        mrs = "  selection: older than 14d; states FAILED; name *; %s; max_deletions 100 per cluster; " % retention
        workspace = "  selection: expired; scheduled_type FIXED_TIME; keep_name_patterns nightly-*, keep-*; max_deletions 100; "
        tencent = "  selection: older than 14d; states SUCCEED, FAILED; name render-*; %s; max_deletions 100 per region; " % retention

        check = self.ok(self.run(tmp_path, emulator, "-e", "@knobs.yml"))
        lines = summary(check.stdout, selection=True)
        assert [lines[i] for i in (2, 4, 6)] == [mrs + "time budget 45m ignored in check mode",
                                                 workspace + "time budget 45m ignored in check mode",
                                                 tencent + "time budget 45m ignored in check mode"], lines
        assert [line.split(" to delete")[0] for line in lines[1::2]] == [
            "MRS job executions", "Workspace scheduled tasks", "Tencent Batch jobs"], lines

        run = self.ok(self.run(tmp_path, emulator, "-e", "@knobs.yml", "-e", "cleanup_apply=true"))
        assert [line for line in summary(run.stdout, selection=True) if SELECTION_LINE.match(line)] == [
            mrs + "time budget 45m for the whole run", workspace + "time budget 45m for the whole run",
            tencent + "time budget 45m for the whole run"]

        # A service the run leaves out has no selection line.
        run = self.ok(self.run(tmp_path, emulator, "-e", '{"cleanup_services": ["workspace"]}'))
        assert summary(run.stdout, selection=True) == [
            CHECK, "MRS job executions: not selected", "Workspace scheduled tasks to delete: 0",
            DEFAULT_SELECTION["workspace"], "Tencent Batch jobs: not selected"]

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
        published = self.custom_stats(run.stdout)
        stats = published["cloudjobs_cleanup"]["localhost"]
        zero = {"deleted": 0, "kept": 0, "left": 0, "not_deleted": 0}
        # enabled: the run included the service; selected, its former name (deprecated), says the same.
        assert stats == {
            "mode": "delete", "failed": False, "totals": dict(zero, deleted=4),
            "services": {
                "mrs": dict(zero, enabled=False, selected=False, failed=False, not_reached=False,
                            kept_by_rule={"keep_latest": 0, "keep_name_patterns": 0}),
                "workspace": dict(zero, enabled=False, selected=False, failed=False, not_reached=False,
                                  kept_by_rule={"keep_latest": 0, "keep_name_patterns": 0}),
                "tencent": dict(zero, deleted=4, enabled=True, selected=True, failed=False, not_reached=False,
                                kept_by_rule={"keep_latest": 0, "keep_name_patterns": 0})}}

        # The AWX guide's notification body, rendered from these counts as AWX renders it: one line per entry and per
        # service that ran, no blank line.
        assert notification(published, "successful").splitlines() == [
            "Nightly cleanup #42 successful after 61 s",
            "localhost (delete): deleted 4, kept 0, left for the next run 0, not deleted 0",
            "  tencent: 4 deleted, 0 kept, 0 left, 0 not deleted"]
        assert notification({}, "failed").splitlines() == [
            "Nightly cleanup #42 failed after 61 s", "No cleanup counts were published (the job ended before its summary)."]

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

    @staticmethod
    def seed_accounts(emulator):
        """The three accounts' records in the emulator, each project known in its region: what each would select."""
        emulator.config({"projects": {"cn-north-4": PROJECT, "ap-southeast-1": SOUTHEAST_PROJECT,
                                      "eu-west-101": STRANGER_PROJECT}})
        north, north_selected = account_records("aaaaaaaa", project=PROJECT, region="ap-guangzhou")
        southeast, southeast_selected = account_records("bbbbbbbb", project=SOUTHEAST_PROJECT, region="ap-beijing")
        shanghai, shanghai_selected = account_records("cccccccc", project=STRANGER_PROJECT, region="ap-shanghai")
        emulator.seed(merge(north, southeast, shanghai))
        return north_selected, southeast_selected, shanghai_selected

    def run(self, tmp_path, emulator, *args, env=None, **hosts):
        (tmp_path / "accounts.yml").write_text(yaml.safe_dump(self.inventory(emulator.url, **hosts)), encoding="utf-8")
        env = ansible_env(tmp_path, **(env or {}))
        del env["ANSIBLE_PYTHON_INTERPRETER"]   # the inventory says which Python, as the guide tells users to
        return run_playbook(tmp_path, "cloudjobs.cleanup.fan_out_cleanup", "-i", "accounts.yml", "-f", "3", *args,
                            env=env)

    def test_three_accounts_in_parallel_each_loses_exactly_its_selection(self, emulator, tmp_path):
        north_selected, southeast_selected, shanghai_selected = self.seed_accounts(emulator)
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

    def test_reviewed_plans_per_account_and_region_delete_exactly_what_was_planned(self, emulator, tmp_path):
        """cleanup_plan_mode=create over the three accounts (the Tencent one by cleanup_regions, so its plans are
        published as "<host>/<region>"); meanwhile one planned record of each Huawei account is deleted by another run
        and a new old execution arrives; cleanup_plan_mode=apply with the published stats as extra vars deletes the rest
        of each plan and nothing else."""
        north_selected, southeast_selected, shanghai_selected = self.seed_accounts(emulator)
        tencent = {"tencentcloud_auth": {"endpoint": emulator.url, "secret_id": TENCENT_ID, "secret_key": TENCENT_KEY},
                   "cleanup_regions": ["ap-shanghai"]}
        env = {"ANSIBLE_SHOW_CUSTOM_STATS": "true"}

        check = self.run(tmp_path, emulator, "-e", "cleanup_plan_mode=create", env=env, tencent_shanghai=tencent)
        assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
        assert mutating(emulator) == []
        stats = json.loads(re.search(r"^\s*RUN: (\{.*\})$", check.stdout, re.M).group(1))
        plans = stats["cloudjobs_cleanup_plans"]
        assert sorted(plans) == ["huawei-north", "huawei-southeast", "tencent-shanghai/ap-shanghai"]
        assert sorted(r[0] for r in plans["huawei-north"]["mrs"]["c-etl"]["records"]) == sorted(north_selected["mrs"])
        # In the region loop the entry names the region; the plan of its one Tencent task is its "default" one.
        assert sorted(plans["tencent-shanghai/ap-shanghai"]) == ["tencent"]
        assert sorted(plans["tencent-shanghai/ap-shanghai"]["tencent"]) == ["default"]
        lines = stats["cloudjobs_cleanup_plan_summary"]["tencent-shanghai/ap-shanghai"]
        assert len(lines) == 1 and lines[0].startswith("Tencent Batch jobs: 2 to delete (FAILED 1, SUCCEED 1); "), lines

        # Meanwhile: another run deletes one planned execution of each Huawei account; a new old one arrives.
        gone = {(PROJECT, north_selected["mrs"][0]), (SOUTHEAST_PROJECT, southeast_selected["mrs"][0])}
        newcomer = dict([r for r in emulator.state()["mrs"] if (r["project_id"], r["job_id"]) in gone][0],
                        job_id="dddddddd-0000-4000-8000-000000000009")

        def change(state):
            state["mrs"] = [r for r in state["mrs"] if (r["project_id"], r["job_id"]) not in gone] + [newcomer]
        emulator.rewrite(change)
        before = ids(emulator.state())
        (tmp_path / "stats.json").write_text(json.dumps(stats), encoding="utf-8")

        apply = self.run(tmp_path, emulator, "-e", "cleanup_apply=true", "-e", "cleanup_plan_mode=apply",
                         "-e", "@stats.json", tencent_shanghai=tencent)
        assert apply.returncode == 0, apply.stdout[-3000:] + apply.stderr[-3000:]
        after = ids(emulator.state())
        assert {store: before[store] - after[store] for store in before} == {
            "mrs": ({(PROJECT, i) for i in north_selected["mrs"]} | {(SOUTHEAST_PROJECT, i) for i in southeast_selected["mrs"]})
            - gone,
            "workspace": ({(PROJECT, i) for i in north_selected["workspace"]}
                          | {(SOUTHEAST_PROJECT, i) for i in southeast_selected["workspace"]}),
            "tencent": {("ap-shanghai", i) for i in shanghai_selected["tencent"]},
        }
        assert (PROJECT, newcomer["job_id"]) in after["mrs"]
        found = summaries(apply.stdout)
        assert found["huawei-north"][1] == "MRS job executions deleted: 2"
        assert "plan %s applied to MRS job executions cluster c-etl: 3 planned, 0 changed since the plan" % (
            plans["huawei-north"]["mrs"]["c-etl"]["digest"][:19]) in apply.stdout

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

    def test_an_account_with_an_unknown_cleanup_variable_fails_alone_before_its_first_request(self, emulator, tmp_path):
        """huawei-southeast's inventory misspells cleanup_max_deletions: that account fails before any call of its own
        (not even the project lookup), naming the variable meant; the two other accounts are cleaned."""
        emulator.config({"projects": {"cn-north-4": PROJECT, "ap-southeast-1": SOUTHEAST_PROJECT}})
        north, north_selected = account_records("aaaaaaaa", project=PROJECT, region="ap-guangzhou")
        southeast, _southeast_selected = account_records("bbbbbbbb", project=SOUTHEAST_PROJECT, region="ap-beijing")
        shanghai, shanghai_selected = account_records("cccccccc", project=STRANGER_PROJECT, region="ap-shanghai")
        emulator.seed(merge(north, southeast, shanghai))
        before = ids(emulator.state())

        run = self.run(tmp_path, emulator, "-e", "cleanup_apply=true", huawei_southeast={"cleanup_max_deletion": 10})
        assert run.returncode != 0, run.stdout[-3000:]
        assert "Unknown variable cleanup_max_deletion (did you mean cleanup_max_deletions?): " in run.stdout
        assert "cleanup_hosts, cleanup_keep_latest" in run.stdout   # the fan-out's own variables are listed too
        assert sorted(summaries(run.stdout)) == ["huawei-north", "tencent-shanghai"]
        assert {host: stats["failed"] for host, stats in recap(run.stdout).items()} == {
            "huawei-north": 0, "huawei-southeast": 1, "tencent-shanghai": 0}
        log = emulator.requests()
        assert {r["path"].split("/")[2] for r in log if r["service"] in ("mrs", "workspace")} == {PROJECT}
        assert [r for r in log if r["service"] == "iam"] == []
        after = ids(emulator.state())
        assert {store: before[store] - after[store] for store in before} == {
            "mrs": {(PROJECT, i) for i in north_selected["mrs"]},
            "workspace": {(PROJECT, i) for i in north_selected["workspace"]},
            "tencent": {("ap-shanghai", i) for i in shanghai_selected["tencent"]},
        }


def test_the_variable_check_knows_every_cleanup_name_the_playbooks_use():
    """tasks/check_variables.yml refuses cleanup_* names it does not know: its lists must hold the knobs documented
    at the top of tasks/cleanup.yml (and fan_out_cleanup.yml's), and every other cleanup_* name the playbooks use."""
    playbooks = os.path.join(REPO, "playbooks")
    with open(os.path.join(playbooks, "tasks", "check_variables.yml"), encoding="utf-8") as f:
        check = yaml.safe_load(f)[0]["vars"]
    texts = {}
    for name in ("nightly_cleanup.yml", "fan_out_cleanup.yml", os.path.join("tasks", "cleanup.yml")):
        with open(os.path.join(playbooks, name), encoding="utf-8") as f:
            texts[name] = f.read()
    documented = set(re.findall(r"^#   (cleanup_\w+) ", texts[os.path.join("tasks", "cleanup.yml")], re.M))
    assert documented == set(check["common_knobs"])
    assert set(check["fan_out_knobs"]) == {"cleanup_hosts", "cleanup_regions"}
    code = re.sub(r"^\s*#.*$", "", "\n".join(texts.values()), flags=re.M)   # not the comments' examples of typos
    used = set(re.findall(r"\bcleanup_[a-z_]*[a-z]\b", code)) - {"cleanup_accounts"}   # a group, not a variable
    known = set(check["common_knobs"]) | set(check["fan_out_knobs"]) | set(check["own_names"])
    assert used <= known, sorted(used - known)
    assert set(check["own_names"]) <= used, sorted(set(check["own_names"]) - used)   # no name left from the past


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
