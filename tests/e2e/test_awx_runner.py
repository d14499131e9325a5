"""Scheduled cleanup as AWX runs it: the documented credential types and project, through ansible-runner.

AWX validates a custom credential type's injectors, renders their ``env`` templates with a sandboxed Jinja2
environment in which only the inputs that have a value are defined (so an empty optional field becomes an
empty variable), syncs the project's ``collections/requirements.yml`` into ``requirements_collections``, and
runs the job with ansible-runner in a private data directory. This suite does the same with the YAML of
docs/awx/, the project layout of the scheduled cleanup guide and the built collection tarball, against the
emulator, and asserts on ansible-runner's job events:

* the job template as first created (no ``cleanup_apply``) and a job of type Check (``--check``) with
  ``cleanup_apply: true`` succeed and make no mutating request;
* with ``cleanup_apply: true`` the job succeeds and deletes exactly what its events report;
* the same job again succeeds with ``changed=0`` and makes no mutating request;
* no secret appears in any job event (AWX stores them all).
"""

import json
import os
import re
import shutil
import sys
import time

import ansible_runner
import pytest
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from support.ansible_runs import BIN, HUAWEI_AK, HUAWEI_SK, PROJECT, REPO, TENCENT_ID, TENCENT_KEY, install_collection
from support.ansible_runs import mutating_requests as mutating
from emulator import credentials as creds

AWX_DOCS = os.path.join(REPO, "docs", "awx")
GUIDE = os.path.join(REPO, "docs", "docsite", "rst", "scheduled_cleanup_awx.rst")

# What AWX refuses in custom injectors (awx.main.constants.ENV_BLOCKLIST, and any ANSIBLE_* variable).
ENV_BLOCKLIST = {"VIRTUAL_ENV", "PATH", "PYTHONPATH", "JOB_ID", "INVENTORY_ID", "INVENTORY_SOURCE_ID",
                 "INVENTORY_UPDATE_ID", "AD_HOC_COMMAND_ID", "REST_API_URL", "REST_API_TOKEN", "MAX_EVENT_RES",
                 "CALLBACK_QUEUE", "CALLBACK_CONNECTION", "CACHE", "JOB_CALLBACK_DEBUG", "INVENTORY_HOSTVARS",
                 "AWX_HOST", "PROJECT_REVISION", "SUPERVISOR_CONFIG_PATH"}

# Credentials as an AWX admin would fill them in: optional fields left empty are simply absent.
CREDENTIALS = {
    "huaweicloud_credential_type.yml": {"access_key": HUAWEI_AK, "secret_key": HUAWEI_SK, "region": "cn-north-4",
                                        "project_id": PROJECT, "security_token": "", "auth_token": ""},
    "tencentcloud_credential_type.yml": {"secret_id": TENCENT_ID, "secret_key": TENCENT_KEY, "region": "ap-guangzhou",
                                         "security_token": ""},
}
SECRETS = [HUAWEI_SK, TENCENT_KEY]


def load_credential_type(name):
    with open(os.path.join(AWX_DOCS, name), encoding="utf-8") as f:
        return yaml.safe_load(f)


def validate_credential_type(cred_type):
    """The checks AWX makes when a custom credential type is saved."""
    fields = cred_type["inputs"]["fields"]
    ids = [field["id"] for field in fields]
    assert len(ids) == len(set(ids))
    for field in fields:
        assert set(field) <= {"id", "label", "type", "secret", "help_text", "multiline", "format", "choices", "default"}
        assert field["type"] in ("string", "boolean") and field["label"]
    assert set(cred_type["inputs"].get("required", [])) <= set(ids)
    assert cred_type["kind"] in ("cloud", "net")
    # Every template may use only the type's own fields (AWX renders them with StrictUndefined to check).
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    example = {field_id: "EXAMPLE" for field_id in ids}
    for env_var, template in cred_type["injectors"]["env"].items():
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env_var)
        assert env_var not in ENV_BLOCKLIST and not env_var.startswith("ANSIBLE_")
        strict.from_string(template).render(**example)
    assert set(cred_type["injectors"]) == {"env"}


def inject(cred_type, inputs):
    """The environment AWX injects for a credential with these ``inputs``."""
    namespace = {"tower": {}}
    namespace.update({field_id: value for field_id, value in inputs.items() if value})
    sandbox = ImmutableSandboxedEnvironment()
    return {env_var: sandbox.from_string(template).render(**namespace)
            for env_var, template in cred_type["injectors"]["env"].items()}


def guide_files():
    """The project files of the scheduled cleanup guide: each ``code-block`` whose first line is ``# <path>``."""
    with open(GUIDE, encoding="utf-8") as f:
        text = f.read()
    files = {}
    for block in re.findall(r"\.\. code-block:: yaml\n\n((?:   .*\n|\n)+)", text):
        lines = [line[3:] for line in block.splitlines()]
        while lines and not lines[-1]:
            lines.pop()
        match = re.fullmatch(r"# (\S+\.yml)", lines[0])
        if match:
            files[match.group(1)] = "\n".join(lines[1:]) + "\n"
    return files


@pytest.fixture(scope="module")
def credential_env():
    env = {}
    for name, inputs in CREDENTIALS.items():
        cred_type = load_credential_type(name)
        validate_credential_type(cred_type)
        env.update(inject(cred_type, inputs))
    return env


@pytest.fixture
def job(tmp_path, collection_tarball, credential_env, emulator, monkeypatch):
    """Runs a job of the scheduled cleanup template; returns ``run(extravars, cmdline)``.

    Like AWX, every job gets a fresh private data directory (ansible-runner keeps state such as env/cmdline
    in it): the synced project, the synced collections, the inventory, the injected environment, extra vars.
    """
    for name in [n for n in os.environ if n.startswith(("HW_", "HUAWEICLOUD_", "TENCENTCLOUD_"))]:
        monkeypatch.delenv(name)   # only the credentials attached to the job template
    monkeypatch.setenv("PATH", BIN + os.pathsep + os.environ.get("PATH", ""))
    synced = tmp_path / "project_cache"
    for path, content in guide_files().items():
        (synced / "project" / path).parent.mkdir(parents=True, exist_ok=True)
        (synced / "project" / path).write_text(content, encoding="utf-8")
    # The project sync: AWX installs collections/requirements.yml into requirements_collections; offline, the
    # requirement (cloudjobs.cleanup) is installed from the tarball this checkout builds.
    requirements = yaml.safe_load((synced / "project" / "collections" / "requirements.yml").read_text(encoding="utf-8"))
    assert [c["name"] for c in requirements["collections"]] == ["cloudjobs.cleanup"]
    install_collection(synced / "requirements_collections", collection_tarball)
    jobs = []

    def run_job(extravars, cmdline=None, credentials=None):
        """``credentials``: the environment of other credentials attached to the template (default: the keys)."""
        data = tmp_path / ("job%d" % (len(jobs) + 1))
        jobs.append(data)
        shutil.copytree(synced, data, symlinks=True)
        (data / "inventory").mkdir()
        (data / "inventory" / "hosts").write_text(
            "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable, encoding="utf-8")
        (data / "env").mkdir()
        envvars = dict(credentials or credential_env, ANSIBLE_COLLECTIONS_PATH=str(data / "requirements_collections"),
                       ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(data / "tmp"), ANSIBLE_HOME=str(data / "home"))
        (data / "env" / "envvars").write_text(yaml.safe_dump(envvars), encoding="utf-8")
        # The endpoints are the only thing a real job template would not need: they point at the emulator.
        extravars = dict(extravars, huaweicloud_auth={"endpoint": emulator.url, "iam_endpoint": emulator.url,
                                                      "sts_endpoint": emulator.url},
                         tencentcloud_auth={"endpoint": emulator.url, "sts_endpoint": emulator.url})
        (data / "env" / "extravars").write_text(yaml.safe_dump(extravars), encoding="utf-8")
        emulator.clear_requests()
        runner = ansible_runner.run(private_data_dir=str(data), playbook="cleanup.yml", cmdline=cmdline,
                                    quiet=True, timeout=600)
        return runner, list(runner.events)

    return run_job


def summary(events):
    """``cleanup_summary`` as the playbook recorded it (the set_fact task's event)."""
    facts = [e["event_data"]["res"]["ansible_facts"]["cleanup_summary"] for e in events
             if e["event"] == "runner_on_ok" and "cleanup_summary" in e["event_data"].get("res", {}).get("ansible_facts", {})]
    assert len(facts) == 1
    return facts[0]


def stats(events):
    return [e["event_data"] for e in events if e["event"] == "playbook_on_stats"][0]


def held(state):
    return {("mrs", r["job_id"]) for r in state["mrs"]} | {("workspace", r["id"]) for r in state["workspace"]} | \
        {("tencent", r["JobId"]) for r in state["tencent"]}


def assert_no_secret(events):
    text = json.dumps(events)
    for secret in SECRETS:
        assert secret not in text and secret[:12] not in text


def test_credential_types_render_as_awx_injects_them(credential_env):
    assert credential_env == {
        "HW_ACCESS_KEY": HUAWEI_AK, "HW_SECRET_KEY": HUAWEI_SK, "HW_SECURITY_TOKEN": "", "HW_AUTH_TOKEN": "",
        "HW_REGION_NAME": "cn-north-4", "HW_PROJECT_ID": PROJECT,
        "HW_ASSUME_ROLE_AGENCY_NAME": "", "HW_ASSUME_ROLE_DOMAIN_NAME": "", "HW_ASSUME_ROLE_DOMAIN_ID": "",
        "HW_ASSUME_ROLE_DURATION": "",
        "TENCENTCLOUD_SECRET_ID": TENCENT_ID, "TENCENTCLOUD_SECRET_KEY": TENCENT_KEY,
        "TENCENTCLOUD_SECURITY_TOKEN": "", "TENCENTCLOUD_REGION": "ap-guangzhou", "TENCENTCLOUD_CAM_ROLE_NAME": "",
        "TENCENTCLOUD_ASSUME_ROLE_ARN": "", "TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME": "",
        "TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION": "",
    }


def test_scheduled_cleanup_job_through_ansible_runner(job, emulator):
    emulator.seed({"demo": True})
    template = {"cleanup_services": ["mrs", "workspace", "tencent"], "cleanup_older_than": "7d",
                "cleanup_max_deletions": 5000, "mrs_cluster_ids": ["mrs-prod-etl", "mrs-adhoc"]}
    before = held(emulator.state())

    # The new job template, before anyone sets cleanup_apply: a report only.
    runner, events = job(template)
    assert (runner.status, runner.rc) == ("successful", 0)
    first = summary(events)
    assert first["mode"] == "check" and first["mrs_job_executions"] and first["tencent_batch_jobs"]
    assert mutating(emulator) == [] and held(emulator.state()) == before

    # A job of type Check runs ansible-playbook --check: still nothing deleted, whatever the extra vars say.
    runner, events = job(dict(template, cleanup_apply=True), cmdline="--check")
    assert (runner.status, runner.rc) == ("successful", 0)
    assert summary(events)["mode"] == "check"
    assert mutating(emulator) == [] and held(emulator.state()) == before

    # The scheduled run: deletes what the report listed, and its events say exactly what went.
    runner, events = job(dict(template, cleanup_apply=True))
    assert (runner.status, runner.rc) == ("successful", 0)
    done = summary(events)
    assert done["mode"] == "delete"
    reported = {("mrs", i) for i in done["mrs_job_executions"]} | \
        {("workspace", i) for i in done["workspace_scheduled_tasks"]} | {("tencent", i) for i in done["tencent_batch_jobs"]}
    assert reported == {("mrs", i) for i in first["mrs_job_executions"]} | \
        {("workspace", i) for i in first["workspace_scheduled_tasks"]} | {("tencent", i) for i in first["tencent_batch_jobs"]}
    after = held(emulator.state())
    assert before - after == reported and after < before
    assert stats(events)["changed"] == {"localhost": 3}
    assert not stats(events)["failures"]
    assert_no_secret(events)

    # The next night: nothing left to do.
    runner, events = job(dict(template, cleanup_apply=True))
    assert (runner.status, runner.rc) == ("successful", 0)
    assert stats(events)["changed"] == {}
    assert summary(events)["mrs_job_executions"] == [] and summary(events)["tencent_batch_jobs"] == []
    assert mutating(emulator) == [] and held(emulator.state()) == after
    assert_no_secret(events)


def notification(artifacts, status):
    """docs/awx/notification_body.j2 as AWX renders a custom notification (a sandboxed Jinja2 environment, the job's
    allowed fields, ``artifacts`` among them); the guide shows the same text."""
    with open(os.path.join(AWX_DOCS, "notification_body.j2"), encoding="utf-8") as f:
        template = f.read()
    with open(GUIDE, encoding="utf-8") as f:
        guide = f.read()
    shown = "\n".join(("   " + line) if line.strip() else line for line in template.splitlines())
    assert shown in guide, "the guide's notification body differs from docs/awx/notification_body.j2"
    job = {"name": "Nightly cleanup", "id": 42, "status": status, "elapsed": 61.5, "artifacts": artifacts}
    return ImmutableSandboxedEnvironment(undefined=StrictUndefined).from_string(template).render(job=job)


def test_the_check_job_publishes_its_counts_and_the_workflow_deletes_only_when_it_selected_something(job, emulator):
    """The AWX workflow of the scheduled cleanup guide: a Check job, whose set_stats (``cloudjobs_cleanup``) become
    the job's artifacts and the next job's extra vars; then the delete job with ``cleanup_after_check``, which
    deletes what the Check job counted, or, when it counted nothing, ends without a call."""
    emulator.seed({"demo": True})
    template = {"cleanup_services": ["mrs", "workspace", "tencent"], "cleanup_older_than": "7d",
                "mrs_cluster_ids": ["mrs-prod-etl", "mrs-adhoc"], "cleanup_apply": True}

    runner, events = job(template, cmdline="--check")
    assert (runner.status, runner.rc) == ("successful", 0)
    checked = summary(events)
    artifacts = stats(events)["artifact_data"]
    entry = artifacts["cloudjobs_cleanup"]["localhost"]
    assert entry["mode"] == "check" and entry["failed"] is False
    counted = {"mrs": len(checked["mrs_job_executions"]), "workspace": len(checked["workspace_scheduled_tasks"]),
               "tencent": len(checked["tencent_batch_jobs"])}
    assert {name: service["deleted"] for name, service in entry["services"].items()} == counted
    assert entry["totals"]["deleted"] == sum(counted.values()) > 0
    assert {name: service["kept"] for name, service in entry["services"].items()} == {
        name: len(ids) for name, ids in checked["kept"].items()}
    # The guide's notification body, rendered as AWX renders custom notification messages.
    body = notification(artifacts, status="successful")
    assert "localhost (check): to delete %d, kept %d" % (sum(counted.values()), entry["totals"]["kept"]) in body, body
    assert "  tencent: %d to delete" % counted["tencent"] in body, body
    assert "No cleanup counts were published" in notification({}, status="failed")

    # The delete job after it, with the artifacts as extra vars (what AWX passes to the next node).
    emulator.clear_requests()
    runner, events = job(dict(template, cleanup_after_check=True, **artifacts))
    assert (runner.status, runner.rc) == ("successful", 0)
    done = summary(events)
    assert len(done["mrs_job_executions"]) == counted["mrs"] and len(done["tencent_batch_jobs"]) == counted["tencent"]
    assert stats(events)["artifact_data"]["cloudjobs_cleanup"]["localhost"]["totals"]["deleted"] == sum(counted.values())

    # The next night the Check job counts nothing: the delete job ends before any call.
    runner, events = job(template, cmdline="--check")
    nothing = stats(events)["artifact_data"]
    assert nothing["cloudjobs_cleanup"]["localhost"]["totals"]["deleted"] == 0
    emulator.clear_requests()
    runner, events = job(dict(template, cleanup_after_check=True, **nothing))
    assert (runner.status, runner.rc) == ("successful", 0)
    assert emulator.requests() == [] and not [e for e in events if e["event"] == "runner_on_ok"
                                              and "cleanup_summary" in json.dumps(e["event_data"].get("res", {}))]

    # Without a Check job's counts, cleanup_after_check refuses rather than guess.
    runner, events = job(dict(template, cleanup_after_check=True))
    assert runner.status == "failed" and emulator.requests() == []
    assert "no counts of a Check job" in json.dumps(events)


def test_the_reviewed_plan_workflow_deletes_exactly_the_approved_plan_and_reports_drift(job, emulator):
    """The guide's workflow with an approval node: the Check job (cleanup_plan_mode=create) publishes its plans and the
    lines a person approves; hours later the Run job (cleanup_plan_mode=apply), given the Check job's artifacts as extra
    vars, deletes the planned records that still qualify and nothing else. A record deleted meanwhile is already
    absent, a record running again is reported as changed since the plan, a new record that qualifies is untouched.
    A plan that expired before the approval deletes nothing."""
    emulator.seed({"demo": True})
    template = {"cleanup_services": ["mrs", "workspace", "tencent"], "cleanup_older_than": "7d",
                "mrs_cluster_ids": ["mrs-prod-etl", "mrs-adhoc"], "cleanup_apply": True}

    runner, events = job(dict(template, cleanup_plan_mode="create", cleanup_plan_ttl="4h"), cmdline="--check")
    assert (runner.status, runner.rc) == ("successful", 0) and mutating(emulator) == []
    artifacts = stats(events)["artifact_data"]
    plans = artifacts["cloudjobs_cleanup_plans"]["localhost"]
    assert sorted(plans) == ["mrs", "tencent", "workspace"] and sorted(plans["mrs"]) == ["mrs-adhoc", "mrs-prod-etl"]
    assert sorted(plans["tencent"]) == ["default"]
    planned = {("mrs", r[0]) for p in plans["mrs"].values() for r in p["records"]} | \
        {("workspace", r[0]) for r in plans["workspace"]["records"]} | {("tencent", r[0]) for r in plans["tencent"]["default"]["records"]}
    checked = summary(events)
    assert planned == {("mrs", i) for i in checked["mrs_job_executions"]} | \
        {("workspace", i) for i in checked["workspace_scheduled_tasks"]} | {("tencent", i) for i in checked["tencent_batch_jobs"]}
    lines = artifacts["cloudjobs_cleanup_plan_summary"]["localhost"]
    etl = plans["mrs"]["mrs-prod-etl"]
    assert any(line.startswith("MRS job executions cluster mrs-prod-etl: %d to delete (" % len(etl["records"]))
               and etl["digest"][:19] in line and "submitted_time " in line for line in lines), lines
    assert "plans to approve" in json.dumps(events)

    # While the approval waits: another run deletes one planned execution, a planned Tencent job is running again,
    # and a new execution that qualifies arrives.
    gone = etl["records"][0][0]
    again = plans["tencent"]["default"]["records"][0][0]
    newcomer = dict([r for r in emulator.state()["mrs"] if r["job_id"] == gone][0], job_id="0e0e0000-0000-4000-8000-000000000001")

    def change(state):
        state["mrs"] = [r for r in state["mrs"] if r["job_id"] != gone] + [newcomer]
        for record in state["tencent"]:
            if record["JobId"] == again:
                record["JobState"] = "RUNNING"
    emulator.rewrite(change)
    before = held(emulator.state())

    runner, events = job(dict(template, cleanup_plan_mode="apply", **artifacts))
    assert (runner.status, runner.rc) == ("successful", 0)
    done = summary(events)
    deleted = {("mrs", i) for i in done["mrs_job_executions"]} | \
        {("workspace", i) for i in done["workspace_scheduled_tasks"]} | {("tencent", i) for i in done["tencent_batch_jobs"]}
    assert deleted == planned - {("mrs", gone), ("tencent", again)}
    assert before - held(emulator.state()) == deleted and ("mrs", newcomer["job_id"]) in held(emulator.state())
    drift = [n for n in done["not_deleted"] if n["id"] == again]
    assert len(drift) == 1 and drift[0]["reason"] == "changed since the plan: JobState RUNNING (planned %s)" % (
        plans["tencent"]["default"]["records"][0][2])
    assert [n for n in done["not_deleted"] if n["id"] != again] == []
    applied = {(a["service"], a["where"]): a["plan_applied"] for a in done["plans_applied"]}
    assert applied[("tencent", "")]["drifted"] == 1 and applied[("mrs", "cluster mrs-prod-etl")]["drifted"] == 0
    assert "1 changed since the plan" in json.dumps(events)
    assert_no_secret(events)

    # A plan that expired before anyone approved it: the Run job fails, nothing is deleted.
    runner, events = job(dict(template, cleanup_plan_mode="create", cleanup_plan_ttl="1s"), cmdline="--check")
    expired = stats(events)["artifact_data"]
    time.sleep(1.5)
    before = held(emulator.state())
    runner, events = job(dict(template, cleanup_plan_mode="apply", **expired))
    assert runner.status == "failed" and mutating(emulator) == [] and held(emulator.state()) == before
    assert "expired at" in json.dumps(events)

    # A Run job without a Check job's plans refuses rather than select on its own.
    runner, events = job(dict(template, cleanup_plan_mode="apply"))
    assert runner.status == "failed" and emulator.requests() == []
    assert "no plans of a Check job" in json.dumps(events)


def test_a_job_whose_credentials_assume_roles_in_the_target_account(job, emulator):
    """The credential types with an agency (Huawei, via IAM) and a CAM role (Tencent, via STS) to assume: the
    job's calls are signed with the assumed temporary keys, the keys themselves only ask for them."""
    emulator.seed({"demo": True})
    assumed = {
        "huaweicloud_credential_type.yml": dict(CREDENTIALS["huaweicloud_credential_type.yml"],
                                                assume_role_agency_name=creds.HUAWEI_AGENCY_NAME,
                                                assume_role_domain_name=creds.HUAWEI_DOMAIN_NAME),
        "tencentcloud_credential_type.yml": dict(CREDENTIALS["tencentcloud_credential_type.yml"],
                                                 assume_role_arn=creds.TENCENT_ROLE_ARN,
                                                 assume_role_session_name="awx-nightly"),
    }
    env = {}
    for name, inputs in assumed.items():
        env.update(inject(load_credential_type(name), inputs))
    assert env["HW_ASSUME_ROLE_AGENCY_NAME"] == creds.HUAWEI_AGENCY_NAME and env["TENCENTCLOUD_ASSUME_ROLE_ARN"]
    template = {"cleanup_services": ["mrs", "workspace", "tencent"], "cleanup_older_than": "7d",
                "mrs_cluster_ids": ["mrs-prod-etl", "mrs-adhoc"], "cleanup_apply": True}
    before = held(emulator.state())

    runner, events = job(template, credentials=env)
    assert (runner.status, runner.rc) == ("successful", 0)
    done = summary(events)
    assert done["mrs_job_executions"] and done["workspace_scheduled_tasks"] and done["tencent_batch_jobs"]
    assert held(emulator.state()) < before

    operations = {(r["service"], r["operation"]) for r in emulator.requests()}
    assert ("iam", "CreateTemporaryAccessKeyByAgency") in operations and ("sts", "AssumeRole") in operations
    issued = emulator.call("GET", "credentials/issued")
    assert {i["cloud"] for i in issued} == {"huawei", "tencent"}
    assert {i["caller"] for i in issued} == {creds.HUAWEI_ACCESS_KEY, creds.TENCENT_SECRET_ID}
    assert_no_secret(events)
    text = json.dumps(events)
    for credential in issued:
        assert credential["secret"] not in text and credential["token"] not in text
