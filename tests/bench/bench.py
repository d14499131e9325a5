"""`make bench`: the collection against the do-it-yourself baselines, on the cloud emulator, side by side.

Writes docs/benchmarks.md and docs/benchmarks.png. Requests are counted by the emulator's log; wall times are
medians of several runs of the whole command a user would type; peak memory is the module process's maximum RSS.
Scale: pages one at a time against several at a time at 0 and 50 ms a call, result bytes per record,
time and memory from 1,000 to 50,000 records, and the fan-out run as AWX job slices.
"""

import collections
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from emulator import credentials as creds  # noqa: E402  pylint: disable=wrong-import-position
from emulator.harness import EmulatorProcess  # noqa: E402  pylint: disable=wrong-import-position

PYTHON = sys.executable
BIN = os.path.dirname(PYTHON)
PROJECT = creds.HUAWEI_PROJECT_ID
DAY_MS = 86400 * 1000
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
LIST_OPS = {"ShowJobExeListNew", "ListExecuteJob", "ListScheduledTasks", "DescribeJobs", "KeystoneListAuthProjects"}
SHOW_OPS = {"ShowSingleJobExe", "ShowJobExes", "ShowScheduledTasks", "DescribeJob"}
HUAWEI = creds.huaweicloud_auth()
TENCENT = creds.tencentcloud_auth()
ENV = dict(os.environ, ANSIBLE_PYTHON_INTERPRETER=PYTHON, ANSIBLE_LOCALHOST_WARNING="false",
           ANSIBLE_INVENTORY_UNPARSED_WARNING="false", PYTHONPATH=os.environ.get("ANSIBLE_COLLECTIONS_PATH", ""))


def counted(emu):
    log = emu.requests()
    emu.clear_requests()
    ops = collections.Counter(e["operation"] for e in log)
    return {"list": sum(n for op, n in ops.items() if op in LIST_OPS),
            "show": sum(n for op, n in ops.items() if op in SHOW_OPS),
            "mutating": sum(1 for e in log if e["mutating"]),
            "total": len(log),
            "throttled": sum(1 for e in log if e["error_code"] in ("RequestLimitExceeded", "APIGW.0308"))}


def timed(cmd):
    start = time.monotonic()
    done = subprocess.run(cmd, env=ENV, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    if done.returncode != 0:
        raise RuntimeError("%s failed:\n%s\n%s" % (" ".join(cmd[:4]), done.stdout[-2000:], done.stderr[-2000:]))
    return elapsed, done.stdout


def module(name, args, check=False):
    cmd = [os.path.join(BIN, "ansible"), "localhost", "-m", "cloudjobs.cleanup." + name, "-a", json.dumps(args), "-o"]
    return timed(cmd + (["--check"] if check else []))


def playbook(path, extra):
    return timed([os.path.join(BIN, "ansible-playbook"), os.path.join(HERE, path), "-e", json.dumps(extra)])


def module_process(name, args):
    """The module process alone, run the way Ansible runs it (one Python process, arguments in a file):
    ``{"seconds", "memory_mb" (maximum RSS), "result_bytes" (its JSON result)}``."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"ANSIBLE_MODULE_ARGS": args}, f)
    path = os.path.join(ROOT, "plugins", "modules", name + ".py")
    probe = ("import resource, subprocess, sys, time; start = time.monotonic(); "
             "out = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, check=True).stdout; "
             "print(time.monotonic() - start, len(out.strip()), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = timed([PYTHON, "-c", probe, PYTHON, path, f.name])[1]
    os.unlink(f.name)
    seconds, size, rss = out.split()[-3:]
    return {"seconds": float(seconds), "result_bytes": int(size), "memory_mb": int(rss) / 1024.0}


def measure(emu, seed, run, runs=RUNS, config=None):
    """Median wall time over ``runs``, requests of the last run; the emulator is reset and reseeded each run."""
    times = []
    requests = None
    for dummy in range(runs):
        emu.reset()
        if config:
            emu.config(config)
        seed(emu)
        emu.clear_requests()
        times.append(run()[0])
        requests = counted(emu)
    return {"seconds": statistics.median(times), "requests": requests, "runs": runs}


# -- scenarios ----------------------------------------------------------------------------------------------------
def mrs_seed(terminal, running):
    now = int(time.time() * 1000)

    def seed(emu):
        states = ("FINISHED", "FAILED", "KILLED")
        emu.seed({"mrs": [{"job_id": "old-%06d" % i, "job_state": states[i % 3], "cluster_id": "c1",
                           "submitted_time": now - 10 * DAY_MS - i} for i in range(terminal)]
                  + [{"job_id": "run-%06d" % i, "job_state": "RUNNING", "cluster_id": "c1",
                      "submitted_time": now - 60000 - i} for i in range(running)]})
    return seed


def mrs_collection(emu, check=False):
    return module("mrs_job_executions", dict(HUAWEI, endpoint=emu.url, cluster_id="c1", filters={"older_than": "7d"}),
                  check)


def mrs_baseline(emu):
    return playbook("uri_mrs_baseline.yml", {"url": emu.url, "project": PROJECT, "cluster": "c1", "token": creds.HUAWEI_AUTH_TOKEN})


def ws_seed(total, matching):
    def seed(emu):
        emu.seed({"workspace": [{"id": "t%06d" % i, "task_name": ("tmp-%06d" if i < matching else "keep-%06d") % i}
                                for i in range(total)]})
    return seed


def ws_collection(emu, check=False):
    return module("workspace_scheduled_tasks", dict(HUAWEI, endpoint=emu.url, filters={"name_pattern": "tmp-*"}), check)


def ws_baseline(emu):
    return playbook("uri_workspace_baseline.yml", {"url": emu.url, "project": PROJECT, "token": creds.HUAWEI_AUTH_TOKEN,
                                                   "pattern": "^tmp-"})


def tc_seed(n):
    def seed(emu):
        emu.seed({"tencent": [{"JobId": "job-%08d" % i, "JobState": "SUCCEED"} for i in range(n)]})
    return seed


def tc_collection(emu, check=False):
    return module("tencent_batch_job", dict(TENCENT, endpoint=emu.url, filters={}), check)


def tc_baseline(emu, n):
    return timed([PYTHON, os.path.join(HERE, "sdk_tencent_baseline.py"), str(emu.port),
                  ",".join("job-%08d" % i for i in range(n))])


def rerun(emu, seed, run, config=None):
    """An idempotent re-run: the cleanup once, then measured again with nothing left to do."""
    emu.reset()
    if config:
        emu.config(config)
    seed(emu)
    run()
    times = []
    for dummy in range(RUNS):
        emu.clear_requests()
        times.append(run()[0])
    return {"seconds": statistics.median(times), "requests": counted(emu), "runs": RUNS}


# -- scale ----------------------------------------------------------------------------------------------------------
CLOUD_LATENCY = 0.05  # a cloud API's 50 ms a call
SWEEP = (1, 2, 4, 8, 16)  # list_concurrency values timed at cloud latency; the module's default is among them


def uuid_seed(n, running=0):
    """``n`` finished, old MRS executions with ids shaped like the real ones (36-character UUIDs)."""
    now = int(time.time() * 1000)

    def seed(emu):
        emu.seed({"mrs": [{"job_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "exe-%d" % i)),
                           "job_state": ("FINISHED", "FAILED", "KILLED")[i % 3], "cluster_id": "c1",
                           "job_name": "etl-%d" % (i % 50), "submitted_time": now - 10 * DAY_MS - i}
                          for i in range(n)]
                 + [{"job_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "run-%d" % i)), "job_state": "RUNNING",
                     "cluster_id": "c1", "submitted_time": now - 60000 - i} for i in range(running)]})
    return seed


def mrs_args(emu, **extra):
    return dict(HUAWEI, endpoint=emu.url, cluster_id="c1", filters={"older_than": "7d"}, **extra)


def ws_args(emu, **extra):
    return dict(HUAWEI, endpoint=emu.url, filters={"name_pattern": "tmp-*"}, **extra)


def scale_run(emu, name, seed, args, latency, check=False):
    """One cleanup as a user runs it (``ansible localhost -m``), then the same on a fresh seed as the module process
    alone: wall times of both, requests, the module's peak memory and its result's size."""
    config = {"latency": {"*": latency}}
    row = measure(emu, seed, lambda: module(name, args, check), runs=1, config=config)
    emu.reset()
    emu.config(config)
    seed(emu)
    process = module_process(name, dict(args, _ansible_check_mode=check))
    row.update(module_seconds=process["seconds"], memory_mb=process["memory_mb"], result_bytes=process["result_bytes"],
               latency=latency)
    return row


def default_list_concurrency():
    spec = importlib.util.spec_from_file_location("_paging", os.path.join(ROOT, "plugins", "module_utils", "_paging.py"))
    paging = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(paging)
    return paging.DEFAULT_LIST_CONCURRENCY


def scale(emu):
    """Pages one at a time against several at a time, result size, memory and growth, side by side."""
    res = {"sweep_default": default_list_concurrency()}
    mrs_20k, ws_5k = uuid_seed(20000), ws_seed(5000, 4000)
    for latency in (0.0, CLOUD_LATENCY):
        key = "%dms" % (latency * 1000)
        # As before this change: pages one after another, every selected record returned in full.
        res["mrs_before_" + key] = scale_run(emu, "mrs_job_executions", mrs_20k,
                                             mrs_args(emu, list_concurrency=1, return_records=True), latency)
        res["mrs_sequential_" + key] = scale_run(emu, "mrs_job_executions", mrs_20k,
                                                 mrs_args(emu, list_concurrency=1), latency)
        res["mrs_concurrent_" + key] = scale_run(emu, "mrs_job_executions", mrs_20k, mrs_args(emu), latency)
        res["ws_sequential_" + key] = scale_run(emu, "workspace_scheduled_tasks", ws_5k,
                                                ws_args(emu, list_concurrency=1), latency)
        res["ws_concurrent_" + key] = scale_run(emu, "workspace_scheduled_tasks", ws_5k, ws_args(emu), latency)
    res["sweep"] = []
    for workers in SWEEP:
        row = measure(emu, mrs_20k, lambda w=workers: module("mrs_job_executions", mrs_args(emu, list_concurrency=w)),
                      runs=1, config={"latency": {"*": CLOUD_LATENCY}})
        row["workers"] = workers
        res["sweep"].append(row)
    # Growth at no added latency: the module's own cost, from 1,000 to 50,000 records.
    res["growth"] = []
    for n in (1000, 5000, 20000, 50000):
        row = scale_run(emu, "mrs_job_executions", uuid_seed(n), mrs_args(emu), 0.0)
        row["records"] = n
        res["growth"].append(row)
    return res


# A Tencent backlog under a time budget: 600 jobs behind DeleteJob's limit of 20 a second (30 s at best), 100 ms a
# call, a budget of 10 s. What the budget buys: records deleted per budget second against the limit's 20, and how
# long after the budget the last delete was answered (the round of calls in flight).
BUDGET_JOBS, BUDGET_SECONDS, BUDGET_RATE = 600, 10, 20


def budget_run(emu, state="SUCCEED"):
    """``state`` FAILED: each job also costs a DescribeJob (its task instances), made right before its DeleteJob; the
    rate floor is then half the limit in records a second (two calls a record)."""
    emu.reset()
    emu.config({"latency": {"*": 0.1}, "rate_limits": {"tencent.DeleteJob": BUDGET_RATE,
                                                       "tencent.DescribeJob": BUDGET_RATE}})
    now = time.time()
    emu.seed({"tencent": [{"JobId": "job-t%07d" % i, "JobName": "render", "JobState": state,
                           "CreateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - (30 + i) * 86400))}
                          for i in range(BUDGET_JOBS)]})
    emu.clear_requests()
    args = dict(TENCENT, endpoint=emu.url, filters={"older_than": "7d"}, rate_limit=BUDGET_RATE,
                time_budget="%ds" % BUDGET_SECONDS)
    seconds, out = module("tencent_batch_job", args)
    result = json.loads(out.split("=>", 1)[1])
    log = emu.requests()
    first = min(e["time"] for e in log)
    last_delete = max(e["time"] for e in log if e["mutating"])
    deleted = len(result["deleted"])
    calls_per_record = 2 if state == "FAILED" else 1
    return {"records": BUDGET_JOBS, "budget": BUDGET_SECONDS, "rate": BUDGET_RATE, "seconds": seconds, "state": state,
            "rate_floor": BUDGET_RATE / float(calls_per_record),
            "described": sum(1 for e in log if e["operation"] == "DescribeJob"),
            "deleted": deleted, "left": len(result["not_deleted"]), "per_budget_second": deleted / float(BUDGET_SECONDS),
            "last_delete_after_first_call": last_delete - first, "requests": counted(emu)}


LOW_LATENCY = {"latency": {"*": 0.005}}
TENCENT_LIMITS = {"latency": {"*": 0.1}, "rate_limits": {"tencent.DeleteJob": 20}}


def main():
    results = {}
    with EmulatorProcess() as emu:
        results["single_uri"] = statistics.median(
            playbook("uri_single_request.yml", {"url": emu.url})[0] for dummy in range(RUNS))

        # MRS bulk: 2,000 executions, 1,500 finished and old, 500 running; the baseline side by side at 600.
        results["mrs_full"] = measure(emu, mrs_seed(1500, 500), lambda: mrs_collection(emu), config=LOW_LATENCY)
        results["mrs_small"] = measure(emu, mrs_seed(450, 150), lambda: mrs_collection(emu), config=LOW_LATENCY)
        results["mrs_small_baseline"] = measure(emu, mrs_seed(450, 150), lambda: mrs_baseline(emu), runs=1,
                                                config=LOW_LATENCY)
        results["mrs_check"] = measure(emu, mrs_seed(1500, 500), lambda: mrs_collection(emu, check=True), runs=1,
                                       config=LOW_LATENCY)
        results["mrs_rerun"] = rerun(emu, mrs_seed(1500, 500), lambda: mrs_collection(emu), config=LOW_LATENCY)

        # Workspace bulk: 5,000 tasks, 4,000 matching; the baseline side by side at 600 / 480.
        results["ws_full"] = measure(emu, ws_seed(5000, 4000), lambda: ws_collection(emu), config=LOW_LATENCY)
        results["ws_small"] = measure(emu, ws_seed(600, 480), lambda: ws_collection(emu), config=LOW_LATENCY)
        results["ws_small_baseline"] = measure(emu, ws_seed(600, 480), lambda: ws_baseline(emu), runs=1,
                                               config=LOW_LATENCY)
        results["ws_check"] = measure(emu, ws_seed(5000, 4000), lambda: ws_collection(emu, check=True), runs=1,
                                      config=LOW_LATENCY)
        results["ws_rerun"] = rerun(emu, ws_seed(5000, 4000), lambda: ws_collection(emu), config=LOW_LATENCY)

        # Tencent bulk: 300 jobs, 100 ms latency, DeleteJob limited to 20/s (15 s for 300 at best).
        results["tc_full"] = measure(emu, tc_seed(300), lambda: tc_collection(emu), config=TENCENT_LIMITS)
        results["tc_baseline"] = measure(emu, tc_seed(300), lambda: tc_baseline(emu, 300), runs=1, config=TENCENT_LIMITS)
        results["tc_check"] = measure(emu, tc_seed(300), lambda: tc_collection(emu, check=True), runs=1,
                                      config=TENCENT_LIMITS)
        results["tc_rerun"] = rerun(emu, tc_seed(300), lambda: tc_collection(emu), config=TENCENT_LIMITS)

        results["tc_budget"] = budget_run(emu)
        results["tc_budget_failed"] = budget_run(emu, state="FAILED")

        results.update(scale(emu))

        sys.path.insert(0, HERE)
        from plans import run_plans  # pylint: disable=import-outside-toplevel,import-error
        results["plans"] = run_plans(emu)

        # The fan-out playbook as AWX job slices, in parallel, over many accounts.
        sys.path.insert(0, HERE)
        from slicing import run_slicing  # pylint: disable=import-outside-toplevel,import-error
        emu.reset()
        results["slicing"] = run_slicing(emu, slices=3, accounts=12, jobs_per_region=40)

    sys.path.insert(0, HERE)
    from report import write_report  # pylint: disable=import-outside-toplevel,import-error
    write_report(results, os.path.join(ROOT, "docs"))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
