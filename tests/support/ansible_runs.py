"""Running real `ansible-playbook` / `ansible` against the emulator, as the end-to-end suites do.

The collection is found through ANSIBLE_COLLECTIONS_PATH, which the repository's root conftest.py points at
a live view of the checkout (or the ansible_collections tree the tests run in).
"""

import json
import os
import subprocess
import sys

import yaml

from emulator import credentials as creds  # tests/ is on sys.path (tests/conftest.py)
from support.module_layer import cloud_free_environ

HERE = os.path.dirname(os.path.abspath(__file__))  # tests/support
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)

# The emulator's credentials and its default project and regions (tests/emulator/credentials.py).
HUAWEI_AK = creds.HUAWEI_ACCESS_KEY
HUAWEI_SK = creds.HUAWEI_SECRET_KEY
HUAWEI_REGION = creds.HUAWEI_REGION
PROJECT = creds.HUAWEI_PROJECT_ID
TENCENT_ID = creds.TENCENT_SECRET_ID
TENCENT_KEY = creds.TENCENT_SECRET_KEY
TENCENT_REGION = creds.TENCENT_REGION


def huawei_auth(url, **extra):
    auth = dict(creds.huaweicloud_auth(url), iam_endpoint=url)
    auth.update(extra)
    return {k: v for k, v in auth.items() if v is not None}


def tencent_auth(url, **extra):
    auth = creds.tencentcloud_auth(url)
    auth.update(extra)
    return {k: v for k, v in auth.items() if v is not None}


def ansible_env(tmp_path, **extra):
    """The environment of an ansible run: this venv's Python, no colour, no chatter, a private temp dir."""
    env = cloud_free_environ()  # the tests say which credentials a run has
    env.update({
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def mutating_requests(emulator):
    """The emulator's log entries of the calls that changed something."""
    return [r for r in emulator.requests() if r["mutating"]]


def install_collection(target, *source, cwd=None):
    """``ansible-galaxy collection install -p <target> <source...>`` (a tarball, or ``-r requirements.yml`` run in
    ``cwd``) with only ``target`` as the collections path, as in a fresh image or an AWX job: the tests' own path
    holds the live checkout, which galaxy would take for "already installed"."""
    run = subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "-p", str(target)]
                         + [str(s) for s in source],
                         env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(target)), cwd=cwd and str(cwd),
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return target


def write_playbook(path, plays):
    path.write_text(yaml.safe_dump(plays, sort_keys=False), encoding="utf-8")
    return path


def run_playbook(tmp_path, playbook, *args, env=None, timeout=900):
    """``ansible-playbook`` as a user runs it; returns the CompletedProcess (text)."""
    command = [os.path.join(BIN, "ansible-playbook"), str(playbook)] + list(args)
    return subprocess.run(command, env=env or ansible_env(tmp_path), cwd=str(tmp_path), capture_output=True,
                          text=True, timeout=timeout, check=False)


def run_ad_hoc(tmp_path, module, args, *extra, env=None, timeout=300):
    """``ansible localhost -m cloudjobs.cleanup.<module> -a <args>`` as a user types it (``args``: key=value text,
    or a dict sent as JSON); returns the CompletedProcess (text)."""
    if isinstance(args, dict):
        args = json.dumps(args)
    command = [os.path.join(BIN, "ansible"), "localhost", "-m", "cloudjobs.cleanup.%s" % module, "-a", args] + list(extra)
    return subprocess.run(command, env=env or ansible_env(tmp_path), cwd=str(tmp_path), capture_output=True, text=True,
                          timeout=timeout, check=False)


def ad_hoc_result(run):
    """The module result an ad-hoc run printed after ``localhost | STATUS =>``."""
    return json.loads(run.stdout.split("=>", 1)[1])


def localhost_play(tasks, module_defaults=None, name="e2e"):
    play = {"name": name, "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}
    if module_defaults:
        play["module_defaults"] = module_defaults
    return [play]


class CellsRun:
    """The outcome of run_cells(): ``lines[name]`` is ``{"status", "result", "state", "requests"}`` per cell;
    ``stdout`` / ``stderr`` are the playbook run's own output."""

    def __init__(self, lines, process):
        self.lines = lines
        self.stdout = process.stdout
        self.stderr = process.stderr


def run_cells(tmp_path, emulator, cells, module_defaults=None, args=(), env=None):
    """Run one playbook with a task per cell (``args`` go to ansible-playbook, e.g. ``-vvvv``; ``env`` adds
    environment variables).

    ``cells`` maps a task name to ``{"task": {...}, "config": {...}, "seed": {...}, "faults": [...]}``; just
    before each task the emulator is reset and armed with that cell (callback_plugins/cloudjobs_cells.py), and
    just after it the module's result is recorded with the emulator's final state and request log.
    """
    plan = {"emulator": emulator.url,
            "cells": {name: {k: v for k, v in cell.items() if k != "task"} for name, cell in cells.items()}}
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    out = tmp_path / "cells.jsonl"
    tasks = [dict(cell["task"], name=name, ignore_errors=True) for name, cell in cells.items()]
    playbook = write_playbook(tmp_path / "cells.yml", localhost_play(tasks, module_defaults))
    run_env = ansible_env(
        tmp_path,
        CLOUDJOBS_CELLS_PLAN=tmp_path / "plan.json",
        CLOUDJOBS_CELLS_OUT=out,
        ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, "callback_plugins"),
        ANSIBLE_CALLBACKS_ENABLED="cloudjobs_cells",
        ANSIBLE_DISPLAY_OK_HOSTS="false",
        ANSIBLE_DISPLAY_SKIPPED_HOSTS="false",
        **(env or {}),
    )
    run = run_playbook(tmp_path, playbook, *args, env=run_env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    lines = {}
    if out.exists():
        with open(out, encoding="utf-8") as f:
            for text in f:
                line = json.loads(text)
                lines[line["cell"]] = line
    return CellsRun(lines, run)


def cloud_defaults(url):
    """module_defaults that point both clouds' modules at the emulator."""
    return {"group/cloudjobs.cleanup.huaweicloud": huawei_auth(url),
            "group/cloudjobs.cleanup.tencentcloud": tencent_auth(url)}
