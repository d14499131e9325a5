"""The fault-injection matrix (see fault_matrix.py), run as real `ansible-playbook` runs against the emulator.

One playbook per module: a task per cell, armed just before it runs. Each cell is checked on its own; the
whole matrix is written to docs/reliability.md (by conftest.py) when every module ran.
"""

import json
import os

import pytest

from support import fault_matrix
from support.ansible_runs import cloud_defaults, run_cells


def _slug(module):
    return module.replace(" ", "_").replace(".", "")


@pytest.mark.parametrize("module", fault_matrix.modules(), ids=_slug)
def test_fault_matrix(module, emulator, tmp_path):
    cells = fault_matrix.cells([row for row in fault_matrix.rows() if row.module == module])
    initial = fault_matrix.seed()
    lines = run_cells(tmp_path, emulator, {
        cell.name: {"task": cell.task(), "config": fault_matrix.CONFIG, "seed": initial, "faults": [cell.emulator_fault()]}
        for cell in cells
    }, cloud_defaults(emulator.url)).lines

    outcomes = []
    for cell in cells:
        line = lines.get(cell.name)
        store_ids = fault_matrix.ids_in(initial, cell.row.store)
        problems = ["the task did not run"] if line is None else fault_matrix.evaluate(cell, line, store_ids)
        outcomes.append({"module": cell.row.module, "operation": cell.row.operation, "fault": cell.fault.name,
                         "mode": cell.mode, "check": cell.check, "failed": bool(line and line["status"] == "failed"),
                         "problems": problems})
    os.makedirs(fault_matrix.RESULTS_DIR, exist_ok=True)
    with open(os.path.join(fault_matrix.RESULTS_DIR, _slug(module) + ".json"), "w", encoding="utf-8") as f:
        json.dump(outcomes, f, indent=1)
    bad = ["%s | %s | %s | %s%s: %s" % (o["module"], o["operation"], o["fault"], o["mode"], " | check" if o["check"] else "",
                                        "; ".join(o["problems"])) for o in outcomes if o["problems"]]
    assert not bad, "%d of %d cells are red:\n%s" % (len(bad), len(outcomes), "\n".join(bad))
