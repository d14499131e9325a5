"""AWX job slicing of the fan-out playbook, reproduced on one machine against the emulator.

How AWX slices (ansible/awx, awx/main/models/inventory.py: ``Inventory.get_script_data`` and
``Inventory.get_sliced_hosts``; awx/main/models/jobs.py: ``JobTemplate.get_effective_slice_ct`` and
``create_unified_job``; awx/main/models/workflow.py: slice jobs get ``allow_simultaneous``): a job template with
``job_slice_count`` N launches a workflow of min(N, number of hosts) jobs that may run at the same time, on any
instances of the template's instance groups. Slice job k (1-based) gets an inventory of the enabled hosts ordered by
name, taking ``hosts[k-1::N]``, with their variables, and every group with its variables and children but only the
hosts of the slice; each runs the whole playbook.

``awx_slices()`` does the same to a YAML inventory (sorted by name as Python sorts; AWX sorts in the database, so
give hosts names that sort alike, e.g. zero-padded numbers). ``fleet()`` builds many accounts (Huawei accounts with
MRS and Workspace, Tencent accounts with two regions each), their records and the inventory that cleans them;
``run_slices()`` runs the fan-out once per slice, all at once; ``reports()`` reads what each slice reported.
"""

import copy
import hashlib
import json
import os
import pathlib
import re
import subprocess
import time

import yaml

from support.ansible_runs import BIN, ansible_env
from emulator import credentials as creds
from emulator.state import TENCENT_BATCH_REGIONS

DAY_MS = 86400 * 1000
GROUP = "cleanup_accounts"
THROTTLED = ("RequestLimitExceeded", "APIGW.0308")


# -- slicing as AWX does it --------------------------------------------------------------------------------------------
def _groups(inventory):
    """Every group of a YAML inventory (nested under ``children`` too), by name."""
    found = {}

    def walk(groups):
        for name, group in (groups or {}).items():
            found[name] = group if group is not None else {}
            walk(found[name].get("children"))

    walk(inventory)
    return found


def inventory_hosts(inventory):
    return sorted({host for group in _groups(inventory).values() for host in (group.get("hosts") or {})})


def slice_count(inventory, job_slice_count):
    """What AWX runs: ``min(job_slice_count, hosts)`` slices (JobTemplate.get_effective_slice_ct)."""
    return max(1, min(job_slice_count, len(inventory_hosts(inventory))))


def awx_slices(inventory, job_slice_count):
    """The inventories of the slice jobs: slice k of N holds ``sorted(hosts)[k-1::N]``, every group keeps its
    variables and children and only the hosts of the slice."""
    hosts = inventory_hosts(inventory)
    count = slice_count(inventory, job_slice_count)
    slices = []
    for number in range(1, count + 1):
        keep = set(hosts[number - 1::count])
        part = copy.deepcopy(inventory)
        for group in _groups(part).values():
            if group.get("hosts"):
                group["hosts"] = {name: hv for name, hv in group["hosts"].items() if name in keep}
        slices.append(part)
    return slices


# -- many accounts -----------------------------------------------------------------------------------------------------
def _project(n, region):
    return hashlib.sha256(("project-%d-%s" % (n, region)).encode()).hexdigest()[:32]


def _iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


def _wall(ms):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms / 1000))


def host_name(n):
    return "account-%03d" % n


def fleet(url, accounts=12, jobs_per_region=6, rate=3.0):
    """``accounts`` accounts, odd numbers Huawei, even numbers Tencent, and what cleaning them must do.

    Huawei account n: one project in cn-north-4 with MRS cluster c-etl and Workspace tasks; every other one in the
    old form (a host is one account and region, project_id in huaweicloud_auth), the others with
    ``cleanup_regions``. Tencent account n: two regions of its own (Tencent records are per region in the emulator,
    so accounts must not share one), with ``cleanup_regions`` and ``tencent_rate_limit: rate``.
    In every region ``jobs_per_region`` selected records per service, and records that must stay: a recent and a
    running MRS execution and one of another cluster, a task that has not expired, a recent and a running job.

    Returns ``{"inventory", "seed", "selected": {(store, project or region, id)}, "config", "accounts": {host:
    account id}, "regions": {host: [project or region, ...]}}``.
    """
    now = int(time.time() * 1000)
    old, recent = now - 30 * DAY_MS, now - DAY_MS
    tencent_count = accounts // 2
    regions = list(TENCENT_BATCH_REGIONS)
    regions += ["xx-emulated-%d" % i for i in range(max(0, 2 * tencent_count - len(regions)))]
    seed = {"mrs": [], "workspace": [], "tencent": []}
    selected = set()
    hosts, account_ids, host_regions, account_projects = {}, {}, {}, {}
    for n in range(1, accounts + 1):
        name = host_name(n)
        if n % 2:
            account = creds.huawei_account(n)
            project = _project(n, "cn-north-4")
            account_projects[str(n)] = {"cn-north-4": project}
            auth = {"endpoint": url, "iam_endpoint": url, "access_key": account["access_key"],
                    "secret_key": account["secret_key"]}
            for i in range(jobs_per_region):
                job_id = "%08d-0000-4000-8000-%012d" % (n, i)
                seed["mrs"].append({"project_id": project, "job_id": job_id, "job_name": "etl-%d" % i,
                                    "job_state": ("FINISHED", "FAILED", "KILLED")[i % 3], "cluster_id": "c-etl",
                                    "submitted_time": old})
                task_id = "%08d-1111-4000-8000-%012d" % (n, i)
                seed["workspace"].append({"project_id": project, "id": task_id, "task_name": "reboot-%d" % i,
                                          "scheduled_type": "FIXED_TIME", "expire_time": _wall(now - DAY_MS),
                                          "time_zone": "UTC"})
                selected |= {("mrs", project, job_id), ("workspace", project, task_id)}
            seed["mrs"] += [
                {"project_id": project, "job_id": "%08d-0000-4000-9000-%012d" % (n, k), "job_name": "keep-%d" % k,
                 "job_state": state, "cluster_id": cluster, "submitted_time": when}
                for k, (state, cluster, when) in enumerate([("FINISHED", "c-etl", recent), ("RUNNING", "c-etl", old),
                                                            ("FINISHED", "c-other", old)])]
            seed["workspace"].append({"project_id": project, "id": "%08d-1111-4000-9000-%012d" % (n, 0),
                                      "task_name": "reboot-later", "scheduled_type": "FIXED_TIME",
                                      "expire_time": _wall(now + 90 * DAY_MS), "time_zone": "UTC"})
            host = {"cleanup_services": ["mrs", "workspace"]}
            if n % 4 == 1:  # the old form: one account and region
                host.update(huaweicloud_auth=dict(auth, region="cn-north-4", project_id=project), mrs_cluster_ids=["c-etl"])
            else:
                host.update(huaweicloud_auth=auth,
                            cleanup_regions=[{"region": "cn-north-4", "project_id": project, "mrs_cluster_ids": ["c-etl"]}])
            account_ids[name], host_regions[name] = account["account"], [project]
        else:
            account = creds.tencent_account(n)
            own = regions[n - 2:n]   # account 2: regions 0 and 1, account 4: 2 and 3, ...
            for region, letter in zip(own, "ab"):
                for i in range(jobs_per_region):
                    job_id = "job-%03d%s%04d" % (n, letter, i)
                    seed["tencent"].append({"Region": region, "JobId": job_id, "JobName": "render-%d" % i,
                                            "JobState": ("SUCCEED", "FAILED")[i % 2], "CreateTime": _iso(old)})
                    selected.add(("tencent", region, job_id))
                seed["tencent"] += [
                    {"Region": region, "JobId": "job-%03d%s9%03d" % (n, letter, k), "JobName": "keep-%d" % k,
                     "JobState": state, "CreateTime": _iso(when)}
                    for k, (state, when) in enumerate([("SUCCEED", recent), ("RUNNING", old)])]
            host = {"tencentcloud_auth": {"endpoint": url, "secret_id": account["secret_id"],
                                          "secret_key": account["secret_key"]},
                    "cleanup_services": ["tencent"], "tencent_rate_limit": rate, "cleanup_regions": own}
            account_ids[name], host_regions[name] = account["account"], own
        hosts[name] = host
    inventory = {GROUP: {"vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"}, "hosts": hosts}}
    config = {"accounts": accounts, "account_projects": account_projects, "rate_limit_scope": "account",
              "rate_limits": {"tencent.DeleteJob": rate + 1}, "tencent_batch_regions": regions}
    return {"inventory": inventory, "seed": seed, "selected": selected, "config": config, "accounts": account_ids,
            "regions": host_regions}


# -- running the slices --------------------------------------------------------------------------------------------------
class SliceRun:
    def __init__(self, number, hosts, returncode, stdout, stderr):
        self.number, self.hosts, self.returncode, self.stdout, self.stderr = number, hosts, returncode, stdout, stderr

    def output(self):
        return "slice %d (%s), exit %d:\n%s\n%s" % (
            self.number, ", ".join(self.hosts), self.returncode, self.stdout[-4000:], self.stderr[-2000:])


def run_slices(workdir, slices, *args, forks=5, timeout=600):
    """Run ``cloudjobs.cleanup.fan_out_cleanup`` once per slice inventory, all at once (as AWX runs slice jobs), with
    ``-v`` so that the facts each host sets are in its output (written to files, so that no run waits for its
    output to be read). Returns a SliceRun per slice, in slice order."""
    started = []
    try:
        for number, inventory in enumerate(slices, 1):
            run_dir = pathlib.Path(workdir) / ("slice-%d" % number)
            run_dir.mkdir(parents=True, exist_ok=True)
            (run_dir / "accounts.yml").write_text(yaml.safe_dump(inventory), encoding="utf-8")
            env = ansible_env(run_dir)
            del env["ANSIBLE_PYTHON_INTERPRETER"]   # the inventory says which Python, as the guide tells users to
            command = [os.path.join(BIN, "ansible-playbook"), "cloudjobs.cleanup.fan_out_cleanup", "-i", "accounts.yml",
                       "-f", str(forks), "-v"] + list(args)
            with open(run_dir / "stdout", "w", encoding="utf-8") as out, open(run_dir / "stderr", "w", encoding="utf-8") as err:
                process = subprocess.Popen(command, env=env, cwd=str(run_dir), stdout=out, stderr=err)
            started.append((number, inventory_hosts(inventory), run_dir, process))
        deadline = time.monotonic() + timeout
        for _number, _hosts, _run_dir, process in started:
            process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        for _number, _hosts, _run_dir, process in started:
            if process.poll() is None:
                process.kill()
                process.wait()
    return [SliceRun(number, hosts, process.returncode, (run_dir / "stdout").read_text(encoding="utf-8"),
                     (run_dir / "stderr").read_text(encoding="utf-8"))
            for number, hosts, run_dir, process in started]


_FACTS = re.compile(r'^ok: \[(\S+)\] => (\{"ansible_facts": \{"cleanup_summar.*\})$', re.M)
_DEBUG = re.compile(r'^ok: \[(\S+)\] => (\{\n.*?\n\})$', re.M | re.S)


def reports(stdout):
    """What one run reported, per host: ``{host: [{"region", "summary": cleanup_summary, "lines": printed}]}``, one
    entry per region the host cleaned (``region`` None for a host without cleanup_regions)."""
    found = {}
    for host, text in _FACTS.findall(stdout):
        facts = json.loads(text)["ansible_facts"]
        region = facts["cleanup_summaries"][-1]["region"] if "cleanup_summaries" in facts else None
        found.setdefault(host, []).append({"region": region, "summary": facts["cleanup_summary"], "lines": None})
    printed = {}
    for host, block in _DEBUG.findall(stdout):
        msg = json.loads(block).get("msg")
        if isinstance(msg, list) and msg and isinstance(msg[0], str) and msg[0].startswith(("mode: ", "region: ")):
            printed.setdefault(host, []).append(msg)
    for host, entries in found.items():
        for entry, lines in zip(entries, printed.get(host, [])):
            entry["lines"] = lines
    return found


def reported(runs, hosts_regions=None):
    """The records the runs' reports say were deleted (or would be), as a list of ``(store, where, id)`` (a record
    reported twice is there twice), ``where`` being the project or region of the host's run, taken from
    ``hosts_regions`` ({host: [project or region of each of its regions]}), else the region the report names."""
    records = []
    for run in runs:
        for host, entries in reports(run.stdout).items():
            for position, entry in enumerate(entries):
                where = entry["region"]
                if hosts_regions is not None and host in hosts_regions and position < len(hosts_regions[host]):
                    where = hosts_regions[host][position]
                summary = entry["summary"]
                records += [("mrs", where, i) for i in summary["mrs_job_executions"]]
                records += [("workspace", where, i) for i in summary["workspace_scheduled_tasks"]]
                records += [("tencent", where, i) for i in summary["tencent_batch_jobs"]]
    return records


def state_ids(state):
    """Every record the emulator holds, as ``{(store, project or region, id)}``."""
    return ({("mrs", r["project_id"], r["job_id"]) for r in state["mrs"]}
            | {("workspace", r["project_id"], r["id"]) for r in state["workspace"]}
            | {("tencent", r["Region"], r["JobId"]) for r in state["tencent"]})


def named_in_mutations(log, successful=False):
    """``[(store, where, id)]``: every id a mutating call of the log named (its ``ids``), once per call; with
    ``successful`` only the calls that went through."""
    named = []
    for entry in log:
        if entry["mutating"] and not (successful and (entry["error_code"] or entry["status"] >= 300)):
            named += [(entry["service"], entry["region"], i) for i in entry["ids"]]
    return named
