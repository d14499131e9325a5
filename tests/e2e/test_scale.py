"""Large cleanups as users run them: compact results, pages fetched several at a time with the same
requests as one at a time, one line per record in ``--diff``, and the records themselves one switch away.

The emulator's request log is the witness: which calls were made, how many were in flight at once, and that
check mode changed nothing. Nothing here asserts a time."""

import collections
import json
import time
import uuid
from urllib.parse import parse_qs

import pytest

from support.ansible_runs import ad_hoc_result, mutating_requests, run_ad_hoc
from emulator import credentials as creds

CLUSTER = "c-bulk"
DAY_MS = 86400 * 1000
NOW_MS = 1764547200000  # 2025-12-01T00:00:00Z: every seeded execution is years older than older_than


def executions(n, running=0):
    """``n`` finished executions with 36-character ids (as MRS's are), and ``running`` ones started just now."""
    return ([{"job_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "exe-%d" % i)), "cluster_id": CLUSTER,
              "job_state": ("FINISHED", "FAILED", "KILLED")[i % 3], "job_name": "etl-%d" % (i % 40),
              "submitted_time": NOW_MS - 10 * DAY_MS - i * 1000} for i in range(n)]
            + [{"job_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "run-%d" % i)), "cluster_id": CLUSTER,
                "job_state": "RUNNING", "submitted_time": int(time.time() * 1000) - i * 1000} for i in range(running)])


def args(emulator, **extra):
    return dict(dict(creds.huaweicloud_auth(), endpoint=emulator.url, cluster_id=CLUSTER, filters={"older_than": "7d"}),
                **extra)


def calls(emulator):
    """The calls the emulator answered, as a multiset of (operation, query, mutating)."""
    return collections.Counter((r["operation"], r["query"], r["mutating"]) for r in emulator.requests())


def test_twenty_thousand_records_return_ids_and_counts_in_under_100_bytes_a_record(emulator, tmp_path):
    emulator.seed({"mrs": executions(20000, running=7)})
    emulator.clear_requests()
    run = run_ad_hoc(tmp_path, "mrs_job_executions", args(emulator))
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    result = ad_hoc_result(run)
    assert result["counts"] == {"selected": 20000, "deleted": 20000, "already_absent": 0, "not_deleted": 0,
                                "kept": 0, "kept_by_rule": {"keep_latest": 0, "keep_name_patterns": 0}}
    assert sorted(result["deleted"]) == sorted(e["job_id"] for e in executions(20000))
    assert "job_executions" not in result and "diff" not in result
    size = len(json.dumps(result, separators=(",", ":")))
    assert size / 20000.0 <= 100, size  # the budget: at most 100 bytes of result per deleted record
    # 200 pages of 100 and 20 batch deletes of 1,000: as many requests as a walk one page at a time makes.
    made = collections.Counter(r["operation"] for r in emulator.requests())
    assert made == {"ShowJobExeListNew": 200, "BatchDeleteJobs": 20}
    assert len(emulator.state()["mrs"]) == 7


def test_return_records_returns_the_selected_records_as_the_info_module_lists_them(emulator, tmp_path):
    emulator.seed({"mrs": executions(250, running=3)})
    finished = {"older_than": "7d", "states": ["FINISHED", "FAILED", "KILLED"]}
    info = ad_hoc_result(run_ad_hoc(tmp_path, "mrs_job_executions_info", args(emulator, filters=finished)))
    run = run_ad_hoc(tmp_path, "mrs_job_executions", args(emulator, return_records=True), "--check")
    result = ad_hoc_result(run)
    assert result["job_executions"] == info["job_executions"] and len(info["job_executions"]) == 250
    assert sorted(result["deleted"]) == sorted(e["job_id"] for e in info["job_executions"])
    assert mutating_requests(emulator) == []


@pytest.mark.parametrize("list_concurrency", [1, 8, 32])
def test_pages_fetched_several_at_a_time_make_the_same_requests_and_select_the_same(emulator, tmp_path,
                                                                                    list_concurrency):
    """Check mode over 2,345 executions: the same calls whatever ``list_concurrency`` says, and the same ids."""
    emulator.seed({"mrs": executions(2345, running=5)})
    emulator.config({"latency": {"mrs.ShowJobExeListNew": 0.02}})
    emulator.clear_requests()
    run = run_ad_hoc(tmp_path, "mrs_job_executions", args(emulator, list_concurrency=list_concurrency), "--check")
    result = ad_hoc_result(run)
    assert sorted(result["deleted"]) == sorted(e["job_id"] for e in executions(2345))
    made = calls(emulator)
    assert sum(made.values()) == 24 and not [c for c in made if c[2]]  # 24 list pages, each once, nothing mutating
    assert sorted(int(parse_qs(query)["offset"][0]) for _op, query, _m in made) == list(range(1, 25))
    assert len(emulator.state()["mrs"]) == 2350


def test_diff_shows_one_line_per_record_and_the_deleted_ones_as_removed(emulator, tmp_path):
    emulator.seed({"mrs": executions(30, running=2)})
    run = run_ad_hoc(tmp_path, "mrs_job_executions", args(emulator, filters={"older_than": "7d", "name": "etl-3"}),
                     "--check", "--diff")
    assert run.returncode == 0, run.stdout[-2000:]
    removed = [line[1:] for line in run.stdout.splitlines() if line.startswith("-") and not line.startswith("---")]
    selected = [e for e in executions(30) if e["job_name"] == "etl-3"]
    assert [line.split("  ")[0] for line in removed] == [e["job_id"] for e in selected]
    assert all(line.split("  ")[1:3] == ["etl-3", e["job_state"]] for line, e in zip(removed, selected))
    assert all(line.split("  ")[3].startswith("2025-11-") for line in removed)
    assert "job_result" not in run.stdout and mutating_requests(emulator) == []


@pytest.mark.parametrize("list_concurrency", [1, 4])
def test_the_emulator_sees_at_most_list_concurrency_pages_in_flight(emulator, tmp_path, list_concurrency):
    """The emulator's log counts the calls it was serving when each arrived: one page at a time with 1, and with 4
    the pages after the first overlap, never more than 4 at once."""
    emulator.seed({"mrs": executions(1200)})
    emulator.config({"latency": {"mrs.ShowJobExeListNew": 0.1}})
    emulator.clear_requests()
    run = run_ad_hoc(tmp_path, "mrs_job_executions", args(emulator, list_concurrency=list_concurrency), "--check")
    assert len(ad_hoc_result(run)["deleted"]) == 1200
    seen = [r["in_flight"] for r in emulator.requests() if r["operation"] == "ShowJobExeListNew"]
    assert len(seen) == 12 and seen[0] == 1  # the first page alone: it tells how many follow
    assert max(seen) == list_concurrency
