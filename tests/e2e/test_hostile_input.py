"""Hostile and wrong input: every case fails with a clear message that names the option, and the emulator's request
log shows that no request was sent (or, where the module has to look before it can tell, that nothing was changed).

Every case runs the module's ``main()`` through the module layer (support/module_layer.py: the module's code and
result as in a task, without Ansible's half second per task). One real `ansible-playbook` run carries the cases where
Ansible's own path matters (``REAL_CASES``: values YAML and the module's JSON arguments carry badly, ansible-core's
type check, a look before the refusal, an empty credential over module_defaults): they pass the same checks there,
with the module layer's outcome. The same run proves that spaces around path values are trimmed (``TRIMMED``).
"""

import pytest

from support import fault_matrix
from support import module_layer
from support.ansible_runs import PROJECT, cloud_defaults, run_cells

HOSTILE_IDS = {
    "dot-dot-slash": "../../v2/other-project/clusters",
    "slash": "a/b",
    "encoded slash": "a%2Fb",
    "question mark": "a?limit=1",
    "hash": "a#b",
    "space": "a b",
    "newline at the end": "abc\n",
    "control character": "a\x1b[31mb",
    "NUL": "a\x00b",
    "non-ASCII": "tâche-作业",
    "10,000 characters": "a" * 10000,
    "empty string": "",
}

HOSTILE_PATH_VALUES = {
    "traversal": "/../x",
    "slash": "/",
    "query": "?y=1",
    "hash": "#y",
    "space inside": " x",
    "percent escape": "%2Fx",
    "newline inside": "\nx",
}

ID_OPTIONS = {
    "mrs_job_executions": ("job_execution_ids", {"cluster_id": fault_matrix.CLUSTER}),
    "mrs_job_executions_info": ("job_execution_ids", {"cluster_id": fault_matrix.CLUSTER}),
    "workspace_scheduled_tasks": ("task_ids", {}),
    "workspace_scheduled_tasks_info": ("task_ids", {}),
    "tencent_batch_job": ("job_ids", {}),
    "tencent_batch_job_info": ("job_ids", {}),
}


def cases():
    """``name -> (module, args, words the message must contain, reads allowed)``."""
    found = {}
    for module, (option, base) in ID_OPTIONS.items():
        for label, value in HOSTILE_IDS.items():
            prefix = "job-" if module.startswith("tencent") and label != "empty string" else ""
            found["%s: %s id" % (module, label)] = (module, dict(base, **{option: [prefix + value]}), [option], False)
        found["%s: empty id list" % module] = (module, dict(base, **{option: []}), [option, "at least one"], False)
        found["%s: a dict for the id list" % module] = (module, dict(base, **{option: {"id": 1}}), [option], False)
        found["%s: unknown filter key" % module] = (module, dict(base, filters={"nmae": "x"}), ["nmae"], False)
        # ansible-core's own type check answers this one, without naming the option.
        found["%s: a list for filters" % module] = (module, dict(base, filters=["name"]), ["dictionary requested"], False)
        for duration in ("7 days", "-1d", "0d", "1h1d", "1.5d"):
            found["%s: older_than %r" % (module, duration)] = (
                module, dict(base, filters={"older_than": duration}), ["older_than"], False)
        found["%s: unknown state" % module] = (module, dict(base, filters={"states": ["BOGUS"]}), ["BOGUS"], False) \
            if not module.startswith("workspace") else (module, dict(base, filters={"last_status": "BOGUS"}), ["BOGUS"], False)
        found["%s: negative max_retries" % module] = (module, dict(base, filters={}, max_retries=-1), ["max_retries"], False)
        found["%s: negative retry_delay" % module] = (module, dict(base, filters={}, retry_delay=-1), ["retry_delay"], False)
        found["%s: zero timeout" % module] = (module, dict(base, filters={}, timeout=0), ["timeout"], False)

    # Values a URL is built from besides ids: project, region, cluster. Refused in one line naming the option.
    for label, value in HOSTILE_PATH_VALUES.items():
        for module, (_option, base) in ID_OPTIONS.items():
            if not module.startswith("tencent"):
                found["%s: project_id with a %s" % (module, label)] = (
                    module, dict(base, filters={}, project_id=PROJECT + value), ["project_id", "HW_PROJECT_ID"], False)
            found["%s: region with a %s" % (module, label)] = (
                module, dict(base, filters={}, region="cn-north-4" + value), ["region"], False)
        found["mrs_job_executions: cluster_id with a %s" % label] = (
            "mrs_job_executions", {"cluster_id": fault_matrix.CLUSTER + value, "filters": {}}, ["cluster_id"], False)
    found["mrs_job_executions: hostile cluster_id"] = (
        "mrs_job_executions", {"cluster_id": "../x", "filters": {}}, ["cluster_id"], False)
    found["mrs_job_executions: no cluster_id with v2"] = ("mrs_job_executions", {"filters": {}}, ["cluster_id"], False)
    for module, option in (("mrs_job_executions", "batch_size"), ("workspace_scheduled_tasks", "batch_size")):
        base = ID_OPTIONS[module][1]
        for value in (0, -5):
            found["%s: %s %d" % (module, option, value)] = (module, dict(base, filters={}, **{option: value}), [option], False)
    found["workspace_scheduled_tasks: batch_size over the API's 5000"] = (
        "workspace_scheduled_tasks", {"filters": {}, "batch_size": 5001}, ["batch_size", "5000"], False)
    for value in (0, -2):
        found["tencent_batch_job: rate_limit %d" % value] = ("tencent_batch_job", {"filters": {}, "rate_limit": value},
                                                             ["rate_limit"], False)
    for module in ("mrs_job_executions", "workspace_scheduled_tasks", "tencent_batch_job"):
        base = ID_OPTIONS[module][1]
        found["%s: negative max_deletions" % module] = (module, dict(base, filters={}, max_deletions=-1), ["max_deletions"], False)
        found["%s: zero wait_timeout" % module] = (module, dict(base, filters={}, wait_timeout=0), ["wait_timeout"], False)
        found["%s: state present" % module] = (module, dict(base, filters={}, state="present"), ["state"], False)
    found["mrs_job_executions: running states without force"] = (
        "mrs_job_executions", {"cluster_id": fault_matrix.CLUSTER, "filters": {"states": ["RUNNING", "FINISHED"]}},
        ["force", "RUNNING"], False)
    found["tencent_batch_job: running states without force"] = (
        "tencent_batch_job", {"filters": {"states": ["RUNNING"]}}, ["force", "RUNNING"], False)
    found["mrs_job_executions v1.1: force"] = (
        "mrs_job_executions", {"api_version": "v1.1", "cluster_id": fault_matrix.LEGACY_CLUSTER, "filters": {}, "force": True},
        ["force"], False)
    # The look is needed to count the selection: reads, but nothing deleted.
    found["mrs_job_executions: max_deletions exceeded"] = (
        "mrs_job_executions", {"cluster_id": fault_matrix.CLUSTER, "filters": {"name_pattern": "nightly-*"}, "max_deletions": 1},
        ["max_deletions=1", "nothing was deleted"], True)
    found["workspace_scheduled_tasks: max_deletions exceeded"] = (
        "workspace_scheduled_tasks", {"filters": {"name_pattern": "tmp-*"}, "max_deletions": 1},
        ["max_deletions=1", "nothing was deleted"], True)
    found["tencent_batch_job: max_deletions exceeded"] = (
        "tencent_batch_job", {"filters": {"name_pattern": "render-*"}, "max_deletions": 1},
        ["max_deletions=1", "nothing was deleted"], True)
    found["tencent_batch_job: missing secret_key"] = (
        "tencent_batch_job", {"filters": {}, "secret_key": ""}, ["secret_key", "TENCENTCLOUD_SECRET_KEY"], False)
    found["workspace_scheduled_tasks: missing secret_key"] = (
        "workspace_scheduled_tasks", {"filters": {}, "secret_key": ""}, ["secret_key", "HW_SECRET_KEY"], False)
    found["workspace_scheduled_tasks: auth_token with access_key"] = (
        "workspace_scheduled_tasks", {"filters": {}, "auth_token": "MIIEhostileInputTestToken0123456789"}, ["auth_token", "access_key"], False)
    return found


CASES = cases()


# Run by `ansible-playbook` as well: NUL, control and non-ASCII characters and a trailing newline in ids and paths
# (YAML, Jinja and the module's JSON arguments between them), ansible-core's own type check, reads before a refusal,
# and an empty credential over module_defaults.
REAL_CASES = (
    "mrs_job_executions: NUL id",
    "tencent_batch_job_info: control character id",
    "workspace_scheduled_tasks: non-ASCII id",
    "workspace_scheduled_tasks_info: newline at the end id",
    "mrs_job_executions: project_id with a newline inside",
    "mrs_job_executions_info: a list for filters",
    "tencent_batch_job: max_deletions exceeded",
    "workspace_scheduled_tasks: missing secret_key",
)


def _cells(cases, seed):
    return {name: {"task": {"cloudjobs.cleanup.%s" % cases[name][0]: cases[name][1]}, "seed": seed} for name in cases}


@pytest.fixture(scope="module")
def outcomes(emulator_server):
    """Every case through the module layer."""
    emulator_server.reset()
    seed = fault_matrix.seed()
    return module_layer.run_cells(emulator_server, _cells(CASES, seed), cloud_defaults).lines, seed


def _assert_refused(name, line, seed):
    _module, _args, words, reads_allowed = CASES[name]
    result = line["result"]
    assert line["status"] == "failed", "accepted: %r" % result
    message = result.get("msg") or ""
    for word in words:
        assert word in message, "%r does not mention %r" % (message, word)
    assert "Traceback" not in str(result.get("exception", "")) + message
    assert len(message) < 1500, "the message is not short and clear: %d characters" % len(message)
    sent = line["requests"]
    if reads_allowed:
        assert [r["operation"] for r in sent if r["mutating"]] == []
    else:
        assert sent == [], "requests were sent: %s" % [(r["operation"], r["path"]) for r in sent]
    for store in fault_matrix.STATE_KEYS:
        assert fault_matrix.ids_in(line["state"], store) == fault_matrix.ids_in(seed, store), \
            "%s records changed" % store


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_refused_before_any_request(name, outcomes):
    lines, seed = outcomes
    _assert_refused(name, lines[name], seed)


TRIMMED = {
    "mrs_job_executions: spaces around project_id, region and cluster_id": (
        "mrs_job_executions", {"cluster_id": " %s " % fault_matrix.CLUSTER, "region": " cn-north-4 ",
                               "project_id": "  %s " % PROJECT, "filters": {"name": "no-such-job"}}),
    "workspace_scheduled_tasks_info: spaces around project_id": (
        "workspace_scheduled_tasks_info", {"project_id": " %s" % PROJECT}),
    "tencent_batch_job_info: spaces around region": ("tencent_batch_job_info", {"region": " ap-guangzhou "}),
    "mrs_job_executions_info: an empty project_id is unset, and looked up from region": (
        "mrs_job_executions_info", {"cluster_id": fault_matrix.CLUSTER, "project_id": ""}),
}


@pytest.fixture(scope="module")
def real_run(emulator_server, tmp_path_factory):
    """One `ansible-playbook` run: the REAL_CASES, then the TRIMMED cases."""
    tmp_path = tmp_path_factory.mktemp("hostile-real")
    seed = fault_matrix.seed()
    cells = _cells({name: CASES[name] for name in REAL_CASES}, seed)
    cells.update({name: {"task": {"cloudjobs.cleanup.%s" % module: args}, "seed": fault_matrix.seed()}
                  for name, (module, args) in TRIMMED.items()})
    return run_cells(tmp_path, emulator_server, cells, cloud_defaults(emulator_server.url)).lines, seed


@pytest.mark.parametrize("name", REAL_CASES)
def test_hostile_input_is_refused_in_a_real_run_as_in_the_module_layer(name, real_run, outcomes):
    lines, seed = real_run
    line = lines.get(name)
    assert line is not None, "the task did not run"
    _assert_refused(name, line, seed)
    assert module_layer.comparable(line) == module_layer.comparable(outcomes[0][name])


@pytest.mark.parametrize("name", sorted(TRIMMED))
def test_spaces_around_path_values_are_trimmed_and_a_blank_value_is_unset(name, real_run):
    line = real_run[0][name]
    assert line["status"] == "ok", line["result"]
    paths = [r["path"] for r in line["requests"]]
    assert paths and all(" " not in path and "%20" not in path for path in paths), paths
    if TRIMMED[name][1].get("project_id", "x").strip():
        assert all("/v3/auth/projects" not in path for path in paths)
    else:
        assert any("/v3/auth/projects" in path for path in paths)
        assert any(PROJECT in path for path in paths if path.startswith("/v2/"))
