"""The report is exactly true, end to end: real `ansible-playbook` / `ansible` runs against the emulator, with
the emulator's state and request log as the witness.

* Workspace ids with a filter the list API applies on the server: an existing task that does not match is in
  none of deleted / already_absent / not_deleted (it used to be reported already absent).
* ``max_deletions`` exceeded: the task fails and still returns every documented key, each selected record in
  ``not_deleted`` with the guard as its reason, for all three deleting modules, in check mode too.
* ``filters.expired`` with no time-zone database: the tasks whose expiry cannot be decided are not deleted and
  the message names the zone and what to install; a task in UTC still goes.
* A Python older than the modules support fails with one line naming it.
* Ad-hoc ids written ``a, b`` are trimmed.
"""

import os
import shutil
import subprocess
import time

import pytest

from support import fault_matrix
from support.ansible_runs import ad_hoc_result, cloud_defaults, huawei_auth, mutating_requests, run_ad_hoc, run_cells

DAY = 86400

# A filter the Workspace list API applies on the server -> (the task field, a value the match has, one it lacks).
SERVER_FILTERS = {
    "name": ("task_name", "keep-me", "other-name"),
    "task_type": ("task_type", "REBOOT", "STOP"),
    "scheduled_type": ("scheduled_type", "WEEK", "DAY"),
    "last_status": ("last_status", "FAIL", "SUCCESS"),
}
MATCH, OTHER, MISSING = "wks-match-0001", "wks-other-0002", "wks-missing-0003"


def _wall(seconds):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))


def _workspace_task(task_id, **fields):
    task = {"id": task_id, "task_name": "n", "task_type": "REBOOT", "scheduled_type": "DAY", "last_status": "SUCCESS",
            "enable": True, "expire_time": "", "time_zone": "UTC"}
    task.update(fields)
    return task


def _ids(state, key, field):
    return sorted(r[field] for r in state.get(key, []))


def test_workspace_ids_with_server_side_filters_report_only_what_does_not_exist(emulator, tmp_path):
    cells = {}
    for option, (field, wanted, other) in sorted(SERVER_FILTERS.items()):
        seed = {"workspace": [_workspace_task(MATCH, **{field: wanted}), _workspace_task(OTHER, **{field: other})]}
        for check in (False, True):
            name = "%s=%s%s" % (option, wanted, " (check mode)" if check else "")
            task = {"cloudjobs.cleanup.workspace_scheduled_tasks": {"task_ids": [MATCH, OTHER, MISSING],
                                                                    "filters": {option: wanted},
                                                                    "return_records": True}}
            if check:
                task["check_mode"] = True
            cells[name] = {"task": task, "seed": seed}
    run = run_cells(tmp_path, emulator, cells, module_defaults=cloud_defaults(emulator.url))
    assert sorted(run.lines) == sorted(cells), run.stdout[-3000:]
    for name, line in run.lines.items():
        result = line["result"]
        assert line["status"] == "ok", (name, result.get("msg"))
        assert result["deleted"] == [MATCH], (name, result)
        assert result["already_absent"] == [MISSING], (name, result)
        assert result["not_deleted"] == [], (name, result)
        assert [t["id"] for t in result["scheduled_tasks"]] == [MATCH], name
        remaining = _ids(line["state"], "workspace", "id")
        assert remaining == ([MATCH, OTHER] if "check mode" in name else [OTHER]), name
        if "check mode" in name:
            assert not [r for r in line["requests"] if r["mutating"]], name


def _guard_cells():
    """Each deleting module over a selection of three with max_deletions 2, plus a requested id that is absent."""
    seed = fault_matrix.seed()
    missing = {"mrs": "1a2b3c4d-0000-4000-8000-999999999999", "workspace": "9c8d7e6f-0000-4000-8000-999999999999",
               "tencent": "job-99999999"}
    tasks = {
        "mrs_job_executions": ({"cluster_id": fault_matrix.CLUSTER,
                                "job_execution_ids": [fault_matrix.E1, fault_matrix.E2, fault_matrix.E4, missing["mrs"]]},
                               "job_executions", missing["mrs"], [fault_matrix.E1, fault_matrix.E2, fault_matrix.E4]),
        "workspace_scheduled_tasks": ({"task_ids": [fault_matrix.T1, fault_matrix.T2, fault_matrix.T3, missing["workspace"]]},
                                      "scheduled_tasks", missing["workspace"],
                                      [fault_matrix.T1, fault_matrix.T2, fault_matrix.T3]),
        "tencent_batch_job": ({"job_ids": [fault_matrix.J1, fault_matrix.J2, fault_matrix.J4, missing["tencent"]]},
                              "jobs", missing["tencent"], [fault_matrix.J1, fault_matrix.J2, fault_matrix.J4]),
    }
    cells = {}
    for module, (args, key, absent, selected) in tasks.items():
        for check in (False, True):
            # The real run also returns the records (return_records), check mode the compact result.
            task = {"cloudjobs.cleanup.%s" % module: dict(args, max_deletions=2, return_records=not check,
                                                          **fault_matrix.FAST_RETRIES)}
            if check:
                task["check_mode"] = True
            cells["%s%s" % (module, " (check mode)" if check else "")] = {
                "task": task, "seed": seed, "expect": (key, absent, selected)}
    return cells


def test_max_deletions_exceeded_returns_every_documented_key(emulator, tmp_path):
    cells = _guard_cells()
    run = run_cells(tmp_path, emulator, {n: {k: v for k, v in c.items() if k != "expect"} for n, c in cells.items()},
                    module_defaults=cloud_defaults(emulator.url))
    assert sorted(run.lines) == sorted(cells), run.stdout[-3000:]
    before = fault_matrix.seed()
    for name, line in run.lines.items():
        key, absent, selected = cells[name]["expect"]
        result = line["result"]
        assert line["status"] == "failed", name
        assert "max_deletions=2" in result["msg"] and "nothing was deleted" in result["msg"], name
        assert result["deleted"] == [] and result["changed"] is False, name
        assert result["already_absent"] == [absent], (name, result)
        assert sorted(n["id"] for n in result["not_deleted"]) == sorted(selected), (name, result)
        assert all(n["reason"] == "selection over max_deletions" for n in result["not_deleted"]), name
        assert result["counts"] == {"selected": 3, "deleted": 0, "already_absent": 1, "not_deleted": 3, "kept": 0,
                                    "kept_by_rule": {"keep_latest": 0, "keep_name_patterns": 0}}, name
        if "check mode" in name:
            assert key not in result, name
        else:
            id_field = {"job_executions": "job_id", "scheduled_tasks": "id", "jobs": "job_id"}[key]
            assert sorted(r[id_field] for r in result[key]) == sorted(selected), name
        assert not [r for r in line["requests"] if r["mutating"]], name
        for service in ("mrs", "workspace", "tencent"):
            assert len(line["state"][service]) == len(before[service]), (name, service)


def _no_time_zone_database(tmp_path):
    """Environment for a module run on a Python with no time-zone database: zoneinfo's search path is empty
    (PYTHONTZPATH) and the tzdata package cannot be imported (a stand-in on PYTHONPATH refuses to load)."""
    blocker = tmp_path / "no-tzdata" / "tzdata"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('tzdata is not installed here')\n", encoding="utf-8")
    return {"PYTHONTZPATH": "", "PYTHONPATH": str(blocker.parent)}


def _expiry_seed():
    long_ago = time.time() - 30 * DAY
    return {"workspace": [
        _workspace_task("wks-utc-0001", task_name="tmp-utc", expire_time=_wall(long_ago), time_zone="UTC"),
        _workspace_task("wks-sha-0002", task_name="tmp-shanghai", expire_time=_wall(long_ago), time_zone="Asia/Shanghai"),
        _workspace_task("wks-new-0003", task_name="tmp-later", expire_time=_wall(time.time() + 30 * DAY), time_zone="UTC"),
    ]}


@pytest.mark.parametrize("database", [True, False], ids=["with a time-zone database", "without one"])
def test_expired_never_guesses_a_time_zone(emulator, tmp_path, database):
    seed = _expiry_seed()
    cells = {
        "delete": {"task": {"cloudjobs.cleanup.workspace_scheduled_tasks": {"filters": {"expired": True}}}, "seed": seed},
        "check": {"task": {"cloudjobs.cleanup.workspace_scheduled_tasks": {"filters": {"expired": True}},
                           "check_mode": True}, "seed": seed},
        "info": {"task": {"cloudjobs.cleanup.workspace_scheduled_tasks_info": {"filters": {"expired": True}}}, "seed": seed},
    }
    env = {} if database else _no_time_zone_database(tmp_path)
    run = run_cells(tmp_path, emulator, cells, module_defaults=cloud_defaults(emulator.url), env=env)
    delete, check, info = run.lines["delete"], run.lines["check"], run.lines["info"]
    if database:
        assert delete["status"] == "ok" and sorted(delete["result"]["deleted"]) == ["wks-sha-0002", "wks-utc-0001"]
        assert _ids(delete["state"], "workspace", "id") == ["wks-new-0003"]
        assert sorted(t["id"] for t in info["result"]["scheduled_tasks"]) == ["wks-sha-0002", "wks-utc-0001"]
        return
    for line in (delete, check):
        result = line["result"]
        assert line["status"] == "failed" and result["deleted"] == ["wks-utc-0001"], result
        [refused] = result["not_deleted"]
        assert refused["id"] == "wks-sha-0002"
        for words in ("Asia/Shanghai", "cannot be decided", "no time-zone database", "pip install tzdata"):
            assert words in refused["reason"] and words in result["msg"], (words, result["msg"])
    assert _ids(delete["state"], "workspace", "id") == ["wks-new-0003", "wks-sha-0002"]
    assert [r["operation"] for r in delete["requests"] if r["mutating"]] == ["BatchDeleteScheduledTasks"]
    assert not [r for r in check["requests"] if r["mutating"]]
    assert [t["id"] for t in info["result"]["scheduled_tasks"]] == ["wks-utc-0001"]
    assert any("wks-sha-0002" in w and "tzdata" in w for w in info["result"].get("warnings", [])), info["result"]


def _ad_hoc(tmp_path, module, args, *extra):
    return run_ad_hoc(tmp_path, module, args, *extra)


def _key_value(auth):
    return " ".join("%s=%s" % (k, v) for k, v in auth.items())


def test_ad_hoc_ids_written_with_spaces_after_commas_are_trimmed(emulator, tmp_path):
    emulator.seed({"workspace": [_workspace_task("wks-a-0001"), _workspace_task("wks-b-0002"),
                                 _workspace_task("wks-c-0003")]})
    emulator.clear_requests()
    args = "task_ids='wks-a-0001, wks-b-0002' " + _key_value(huawei_auth(emulator.url))
    run = _ad_hoc(tmp_path, "workspace_scheduled_tasks", args)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert '"wks-a-0001"' in run.stdout and '"wks-b-0002"' in run.stdout
    assert _ids(emulator.state(), "workspace", "id") == ["wks-c-0003"]
    sent = mutating_requests(emulator)
    assert len(sent) == 1 and sent[0]["operation"] == "BatchDeleteScheduledTasks"


def _python(version):
    """An interpreter of ``version`` (e.g. "3.8") if this machine has one, found on PATH or through pyenv."""
    candidates = [shutil.which("python%s" % version)]
    if shutil.which("pyenv"):
        prefix = subprocess.run(["pyenv", "prefix", version], capture_output=True, text=True, check=False)
        if prefix.returncode == 0 and prefix.stdout.strip():
            candidates.insert(0, os.path.join(prefix.stdout.strip().splitlines()[0], "bin", "python%s" % version))
    for candidate in candidates:
        if candidate and os.path.exists(candidate):
            probe = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                   capture_output=True, text=True, check=False)
            if probe.returncode == 0 and probe.stdout.strip() == version:
                return candidate
    return None


# The newest Python below the supported range that ansible-core runs modules with (2.19 supports 3.8 targets).
OLD_PYTHON = _python("3.8")


@pytest.mark.skipif(OLD_PYTHON is None, reason="no Python 3.8 on this machine")
@pytest.mark.parametrize("module", ["workspace_scheduled_tasks", "workspace_scheduled_tasks_info", "tencent_batch_job"])
def test_an_older_python_fails_with_one_line_naming_it(emulator, tmp_path, module):
    emulator.seed(_expiry_seed())
    emulator.clear_requests()
    auth = huawei_auth(emulator.url) if module.startswith("workspace") else {"endpoint": emulator.url}
    # The implicit localhost runs the controller's Python unless the variable says otherwise.
    run = _ad_hoc(tmp_path, module, "filters={} " + _key_value(auth), "-e", "ansible_python_interpreter=" + OLD_PYTHON)
    assert run.returncode != 0
    result = ad_hoc_result(run)
    assert result["msg"] == ("cloudjobs.cleanup modules need Python 3.9 or newer; found Python %s at %s. "
                             "Set ansible_python_interpreter to a newer Python." % (
                                 subprocess.run([OLD_PYTHON, "-c", "import platform; print(platform.python_version())"],
                                                capture_output=True, text=True, check=True).stdout.strip(), OLD_PYTHON))
    assert "Traceback" not in run.stdout + run.stderr and "SyntaxError" not in run.stdout + run.stderr
    assert emulator.requests() == [] and len(emulator.state()["workspace"]) == 3
