"""Turn the benchmark results into docs/benchmarks.md and docs/benchmarks.png."""

import datetime
import os
import platform


def _req(r):
    q = r["requests"]
    return "%d (list %d, show %d, mutating %d)" % (q["total"], q["list"], q["show"], q["mutating"])


def _verdict(ok):
    return "met" if ok else "NOT met"


def write_report(res, docs):
    mrs_speed = res["mrs_small_baseline"]["seconds"] / res["mrs_small"]["seconds"]
    mrs_req = res["mrs_small_baseline"]["requests"]["total"] / float(res["mrs_small"]["requests"]["total"])
    ws_speed = res["ws_small_baseline"]["seconds"] / res["ws_small"]["seconds"]
    ws_req = res["ws_small_baseline"]["requests"]["total"] / float(res["ws_small"]["requests"]["total"])
    tc_speed = res["tc_baseline"]["seconds"] / res["tc_full"]["seconds"]
    tc_limit = res["tc_full"]["seconds"] / 15.0
    idempotent = ("mrs_rerun", "ws_rerun", "tc_rerun", "mrs_check", "ws_check", "tc_check")
    reruns_clean = all(res[k]["requests"]["mutating"] == 0 for k in idempotent)
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` on %s (%s, Python %s, %d CPUs). Every figure is measured in the same run against the"
        " cloud emulator: requests come from the emulator's request log, wall times are the median of %d runs of the"
        " whole command a user types (`ansible localhost -m ...`, `ansible-playbook ...`, `python script.py`; baselines"
        " run once), peak memory is the maximum RSS of the module process." % (
            datetime.date.today().isoformat(), platform.platform(terse=True), platform.python_version(),
            os.cpu_count() or 0, res["mrs_full"]["runs"]),
        "",
        "## Against the do-it-yourself baselines",
        "",
        "| scenario | records | collection | requests | baseline | baseline requests | faster | fewer requests |",
        "|---|---|---|---|---|---|---|---|",
        "| MRS bulk, side by side (baseline: `uri` list pages + v1.1 DELETE loop) | 600, 450 to delete "
        "| %.2f s | %s | %.1f s | %s | **%.0f×** | **%.0f×** |" % (
            res["mrs_small"]["seconds"], _req(res["mrs_small"]), res["mrs_small_baseline"]["seconds"],
            _req(res["mrs_small_baseline"]), mrs_speed, mrs_req),
        "| MRS bulk, collection alone | 2,000, 1,500 to delete | %.2f s | %s | | | | |" % (
            res["mrs_full"]["seconds"], _req(res["mrs_full"])),
        "| Workspace bulk, side by side (baseline: `uri` list pages + single DELETE loop) | 600, 480 to delete "
        "| %.2f s | %s | %.1f s | %s | **%.0f×** | **%.0f×** |" % (
            res["ws_small"]["seconds"], _req(res["ws_small"]), res["ws_small_baseline"]["seconds"],
            _req(res["ws_small_baseline"]), ws_speed, ws_req),
        "| Workspace bulk, collection alone | 5,000, 4,000 to delete | %.2f s | %s | | | | |" % (
            res["ws_full"]["seconds"], _req(res["ws_full"])),
        "| Tencent bulk (baseline: official SDK, sequential DeleteJob); 100 ms latency, DeleteJob 20/s | 300 "
        "| %.2f s | %s, %d throttled | %.1f s | %s | **%.1f×** | |" % (
            res["tc_full"]["seconds"], _req(res["tc_full"]), res["tc_full"]["requests"]["throttled"],
            res["tc_baseline"]["seconds"], _req(res["tc_baseline"]), tc_speed),
        "",
        "## Check mode and idempotent re-runs",
        "",
        "| scenario | wall time | requests |",
        "|---|---|---|",
        "| MRS, check mode over 2,000 | %.2f s | %s |" % (res["mrs_check"]["seconds"], _req(res["mrs_check"])),
        "| MRS re-run, nothing left | %.2f s | %s |" % (res["mrs_rerun"]["seconds"], _req(res["mrs_rerun"])),
        "| Workspace, check mode over 5,000 | %.2f s | %s |" % (res["ws_check"]["seconds"], _req(res["ws_check"])),
        "| Workspace re-run, nothing left | %.2f s | %s |" % (res["ws_rerun"]["seconds"], _req(res["ws_rerun"])),
        "| Tencent, check mode over 300 | %.2f s | %s |" % (res["tc_check"]["seconds"], _req(res["tc_check"])),
        "| Tencent re-run, nothing left | %.2f s | %s |" % (res["tc_rerun"]["seconds"], _req(res["tc_rerun"])),
        "| one `ansible.builtin.uri` task making one request (reference) | %.2f s | 1 |" % res["single_uri"],
        "",
        "## Growth (MRS, every execution finished and old, no added latency)",
        "",
        "| records | wall time | requests | peak memory of the module |",
        "|---|---|---|---|",
    ]
    for row in res["growth"]:
        lines.append("| %d | %.2f s | %s | %.1f MiB |" % (row["records"], row["seconds"], _req(row), row["memory_mb"]))
    lines += [
        "",
        "![time and requests against record count](benchmarks.png)",
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "|---|---|---|",
        "| MRS bulk at least 50× faster than its baseline | %.0f× | %s |" % (mrs_speed, _verdict(mrs_speed >= 50)),
        "| MRS bulk at most 1/50 of the baseline's requests | 1/%.0f | %s |" % (mrs_req, _verdict(mrs_req >= 50)),
        "| Tencent bulk within 1.2× of the 15 s the limit allows | %.2f× (%.1f s) | %s |" % (
            tc_limit, res["tc_full"]["seconds"], _verdict(tc_limit <= 1.2)),
        "| Tencent bulk at least 2× faster than its baseline | %.1f× | %s |" % (tc_speed, _verdict(tc_speed >= 2)),
        "| Workspace bulk at least 50× faster than its baseline | %.0f× | %s |" % (ws_speed, _verdict(ws_speed >= 50)),
        "| check mode and idempotent re-runs make no mutating request | %s | %s |" % (
            "0 mutating" if reruns_clean else "mutating requests seen", _verdict(reruns_clean)),
        "",
        "The baselines' loops take about a quarter of a second per item in Ansible, so they are measured side by side",
        "with the collection at 600 records; the collection alone runs the full sizes.",
        "",
    ]
    with open(os.path.join(docs, "benchmarks.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    _chart(res, os.path.join(docs, "benchmarks.png"))


def _chart(res, path):
    import matplotlib  # pylint: disable=import-outside-toplevel

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    records = [r["records"] for r in res["growth"]]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(records, [r["seconds"] for r in res["growth"]], marker="o")
    left.set_xlabel("MRS executions deleted")
    left.set_ylabel("wall time (s)")
    left.set_title("Time")
    right.plot(records, [r["requests"]["total"] for r in res["growth"]], marker="o", color="tab:orange")
    right.set_xlabel("MRS executions deleted")
    right.set_ylabel("requests")
    right.set_title("Requests (list pages + batch deletes)")
    for axis in (left, right):
        axis.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
