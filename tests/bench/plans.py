"""Reviewed plans in numbers (`make bench`): how large a plan is per record, and what applying a plan of 20,000 MRS
executions costs against a fresh filtered run of the same cleanup, in calls (the emulator's log) and wall time.

Both runs go through `ansible-playbook plan_apply.yml` (the module's arguments in a file: a plan of 20,000 records is
larger than one command-line argument may be), on the same fresh seed, at a cloud's 50 ms a call.
"""

import json
import os
import tempfile
import time
import uuid

from bench import BIN, CLOUD_LATENCY, HERE, HUAWEI, TENCENT, counted, module, module_process, timed, uuid_seed

PLAN_RECORDS = 20000


def _check_plan(name, args):
    """The plan of a check run (`ansible localhost -m ... --check`) and its size."""
    _seconds, out = module(name, args, check=True)
    plan = json.loads(out.split("=>", 1)[1])["plan"]
    text = json.dumps(plan, separators=(",", ":"))
    rows = [len(json.dumps(row, separators=(",", ":"))) for row in plan["records"]]
    return plan, {"records": len(rows), "plan_bytes": len(text), "bytes_per_record": len(text) / float(max(1, len(rows))),
                  "row_bytes_max": max(rows or [0]), "row_bytes_mean": sum(rows) / float(max(1, len(rows)))}


def _tencent_seed(n):
    now = time.time()

    def seed(emu):
        emu.seed({"tencent": [{"JobId": "job-%08x" % (0x1000000 + i), "JobName": "render-%d" % (i % 40),
                               "JobState": ("SUCCEED", "FAILED")[i % 2],
                               "CreateTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - (10 + i % 30) * 86400))}
                              for i in range(n)]})
    return seed


def _workspace_seed(n):
    """Scheduled tasks shaped like the real ones: UUID ids, a name, a last status, an expiry in a named zone."""
    def seed(emu):
        emu.seed({"workspace": [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, "task-%d" % i)), "task_name": "tmp-reboot-%d" % i,
                                 "scheduled_type": "FIXED_TIME", "last_status": ("SUCCESS", "FAIL")[i % 2],
                                 "expire_time": "2026-%02d-%02d 03:00:00" % (1 + i % 12, 1 + i % 28),
                                 "time_zone": "Asia/Shanghai"} for i in range(n)]})
    return seed


def _apply_run(emu, args):
    """One `ansible-playbook plan_apply.yml` run: wall time, the module's result, the requests it made."""
    with tempfile.TemporaryDirectory() as tmp:
        args_file, result_file = os.path.join(tmp, "args.json"), os.path.join(tmp, "result.json")
        with open(args_file, "w", encoding="utf-8") as f:
            json.dump({"args": args, "result_file": result_file}, f)
        emu.clear_requests()
        seconds, _out = timed([os.path.join(BIN, "ansible-playbook"), os.path.join(HERE, "plan_apply.yml"),
                               "-e", "@" + args_file])
        with open(result_file, encoding="utf-8") as f:
            result = json.load(f)
    return {"seconds": seconds, "deleted": len(result["deleted"]), "already_absent": len(result["already_absent"]),
            "not_deleted": len(result["not_deleted"]), "requests": counted(emu)}


def run_plans(emu):
    res = {}
    config = {"latency": {"*": CLOUD_LATENCY}}
    mrs = uuid_seed(PLAN_RECORDS)
    mrs_args = dict(HUAWEI, endpoint=emu.url, cluster_id="c1", filters={"older_than": "7d"})

    emu.reset()
    mrs(emu)
    plan, res["size_mrs"] = _check_plan("mrs_job_executions", mrs_args)
    for key, name, seed, args in (
            ("size_tencent", "tencent_batch_job", _tencent_seed(2000), dict(TENCENT, endpoint=emu.url,
                                                                            filters={"older_than": "7d"})),
            ("size_workspace", "workspace_scheduled_tasks", _workspace_seed(2000),
             dict(HUAWEI, endpoint=emu.url, filters={"name_pattern": "tmp-*"}))):
        emu.reset()
        seed(emu)
        res[key] = _check_plan(name, args)[1]

    for key, args in (("fresh", mrs_args), ("apply", dict(mrs_args, filters=None, plan=plan))):
        args = {k: v for k, v in args.items() if v is not None}
        emu.reset()
        emu.config(config)
        mrs(emu)
        res[key] = _apply_run(emu, args)
        if key == "apply":
            res["apply_again"] = _apply_run(emu, args)
        # The module process alone, as Ansible runs it on the target: what the plan costs the module itself.
        emu.reset()
        emu.config(config)
        mrs(emu)
        res[key]["module_seconds"] = module_process("mrs_job_executions", args)["seconds"]
    res["latency"] = CLOUD_LATENCY
    return res


def plan_section(res):
    """The report's lines of the plans benchmark."""
    p = res["plans"]
    fresh, apply, again = p["fresh"], p["apply"], p["apply_again"]

    def calls(row):
        r = row["requests"]
        return "%d (%d list, %d delete)" % (r["total"], r["list"], r["mutating"])

    lines = [
        "## Reviewed plans",
        "",
        "A check run's `plan`, as returned (compact JSON), per record; a row is the id and the fields that made the record"
        " qualify:",
        "",
        "| module | records planned | plan size | bytes per record | a row, mean / largest |",
        "|---|---|---|---|---|",
    ]
    for key, name in (("size_mrs", "mrs_job_executions"), ("size_tencent", "tencent_batch_job"),
                      ("size_workspace", "workspace_scheduled_tasks")):
        s = p[key]
        lines.append("| %s | {:,} | %.0f KiB | %.0f | %.0f / %d B |".format(s["records"]) % (
            name, s["plan_bytes"] / 1024.0, s["bytes_per_record"], s["row_bytes_mean"], s["row_bytes_max"]))
    lines += [
        "",
        "Applying the plan of {:,} MRS executions against a fresh filtered run of the same cleanup (`older_than: 7d`), each"
        " through `ansible-playbook` on the same fresh seed at %d ms a call:".format(p["size_mrs"]["records"])
        % (p["latency"] * 1000),
        "",
        "| run | wall time, `ansible-playbook` | the module process alone | calls | deleted |",
        "|---|---|---|---|---|",
        "| fresh filtered run | %.1f s | %.2f s | %s | {:,} |".format(fresh["deleted"]) % (
            fresh["seconds"], fresh["module_seconds"], calls(fresh)),
        "| the plan applied | %.1f s (%.2f×) | %.2f s (%.2f×) | %s | {:,} |".format(apply["deleted"]) % (
            apply["seconds"], apply["seconds"] / fresh["seconds"], apply["module_seconds"],
            apply["module_seconds"] / fresh["module_seconds"], calls(apply)),
        "| the plan applied again | %.1f s | | %s | 0 ({:,} already absent) |".format(again["already_absent"]) % (
            again["seconds"], calls(again)),
        "",
        "Applying a plan costs the look of a fresh run (the plan's own filters) and the same deletes; applied again, the"
        " planned ids the listing no longer shows are looked up by id, here with one count and the cluster's listing."
        " The module's own extra time is reading and checking the plan (its digest, its ids); the rest of the"
        " difference in the whole command is Ansible's, reading %.0f KiB of extra variables and templating them into"
        " the task's arguments, as it does for any variable of that size." % (p["size_mrs"]["plan_bytes"] / 1024.0),
        "",
    ]
    return lines
