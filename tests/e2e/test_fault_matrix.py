"""The fault-injection matrix (see fault_matrix.py), run as real `ansible-playbook` runs against the emulator.

One playbook per module: a task per cell, armed by a test-only callback just before it runs. Each cell is
checked on its own; the whole matrix is written to docs/reliability.md when every module ran.
"""

import json
import os

import pytest

import fault_matrix
from ansible_runs import E2E, ansible_env, huawei_auth, localhost_play, run_playbook, tencent_auth, write_playbook

MODULES = fault_matrix.modules()
RESULTS_DIR = fault_matrix.RESULTS_DIR


def _slug(module):
    return module.replace(" ", "_").replace(".", "")


@pytest.mark.parametrize("module", MODULES, ids=_slug)
def test_fault_matrix(module, emulator, tmp_path):
    rows = [row for row in fault_matrix.rows() if row.module == module]
    cells = fault_matrix.cells(rows)
    initial = fault_matrix.seed()
    plan = {
        "emulator": emulator.url,
        "cells": {cell.name: {"config": fault_matrix.CONFIG, "seed": initial, "faults": [cell.emulator_fault()]}
                  for cell in cells},
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    out = tmp_path / "cells.jsonl"
    defaults = {"group/cloudjobs.cleanup.huaweicloud": huawei_auth(emulator.url),
                "group/cloudjobs.cleanup.tencentcloud": tencent_auth(emulator.url)}
    playbook = write_playbook(tmp_path / "matrix.yml", localhost_play([cell.task(None) for cell in cells], defaults))
    env = ansible_env(
        tmp_path,
        CLOUDJOBS_MATRIX_PLAN=tmp_path / "plan.json",
        CLOUDJOBS_MATRIX_OUT=out,
        ANSIBLE_CALLBACK_PLUGINS=os.path.join(E2E, "callback_plugins"),
        ANSIBLE_CALLBACKS_ENABLED="cloudjobs_fault_matrix",
        ANSIBLE_DISPLAY_OK_HOSTS="false",
        ANSIBLE_DISPLAY_SKIPPED_HOSTS="false",
    )
    run = run_playbook(tmp_path, playbook, env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    lines = {}
    with open(out, encoding="utf-8") as f:
        for text in f:
            line = json.loads(text)
            lines[line["cell"]] = line
    outcomes = []
    for cell in cells:
        line = lines.get(cell.name)
        store_ids = fault_matrix.ids_in(initial, cell.row.store)
        problems = ["the task did not run"] if line is None else fault_matrix.evaluate(cell, line, store_ids)
        outcomes.append({"module": cell.row.module, "operation": cell.row.operation, "fault": cell.fault.name,
                         "mode": cell.mode, "check": cell.check, "failed": bool(line and line["status"] == "failed"),
                         "problems": problems})
    os.makedirs(RESULTS_DIR, exist_ok=True)
    with open(os.path.join(RESULTS_DIR, _slug(module) + ".json"), "w", encoding="utf-8") as f:
        json.dump(outcomes, f, indent=1)
    bad = ["%s | %s | %s | %s%s: %s" % (o["module"], o["operation"], o["fault"], o["mode"], " | check" if o["check"] else "",
                                        "; ".join(o["problems"])) for o in outcomes if o["problems"]]
    assert not bad, "%d of %d cells are red:\n%s" % (len(bad), len(outcomes), "\n".join(bad))
