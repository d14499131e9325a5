"""The fault-injection matrix (see fault_matrix.py): every cell against the emulator, and a real `ansible-playbook` run.

Every cell runs the module's ``main()`` through the module layer (support/module_layer.py: the module's code and
result exactly as in a task, without Ansible's half second per task), on a few lanes side by side, each on a freshly
armed emulator of its own. Each cell is checked on its own; the whole matrix is written to docs/reliability.md (by
conftest.py) when every module ran.

What only a real run shows is proven by one `ansible-playbook` run with a few cells of every module
(``fault_matrix.real_run_cells``: a transient fault, a persistent one, a check-mode run), armed by the cells callback:
the same checks hold there, and each cell's outcome is the module layer's.
"""

import json
import os

import pytest

from support import fault_matrix
from support import module_layer
from support.ansible_runs import cloud_defaults, run_cells

LANES = 4  # cells wait more than they compute (timeouts, backoff): four lanes overlap the waits on two cores


def _slug(module):
    return module.replace(" ", "_").replace(".", "")


@pytest.fixture(scope="module")
def lanes(emulator_server):
    with module_layer.Lanes(emulator_server, LANES) as running:
        yield running


@pytest.mark.parametrize("module", fault_matrix.modules(), ids=_slug)
def test_fault_matrix(module, lanes):
    cells = fault_matrix.cells([row for row in fault_matrix.rows() if row.module == module])
    initial = fault_matrix.seed()
    lines = lanes.run_cells(fault_matrix.armed(cells, initial), cloud_defaults).lines

    outcomes = [fault_matrix.outcome(cell, lines.get(cell.name), initial) for cell in cells]
    os.makedirs(fault_matrix.RESULTS_DIR, exist_ok=True)
    with open(os.path.join(fault_matrix.RESULTS_DIR, _slug(module) + ".json"), "w", encoding="utf-8") as f:
        json.dump(outcomes, f, indent=1)
    bad = ["%s | %s | %s | %s%s: %s" % (o["module"], o["operation"], o["fault"], o["mode"],
                                        " | check" if o["check"] else "", "; ".join(o["problems"]))
           for o in outcomes if o["problems"]]
    assert not bad, "%d of %d cells are red:\n%s" % (len(bad), len(outcomes), "\n".join(bad))


@pytest.fixture(scope="module")
def worker():
    with module_layer.ModuleLayer() as layer:
        yield layer


@pytest.fixture(scope="module")
def real_run(emulator_server, tmp_path_factory):
    """One `ansible-playbook` run of the real-run cells of every module."""
    emulator_server.reset()
    cells = [cell for module in fault_matrix.modules() for cell in fault_matrix.real_run_cells(module)]
    initial = fault_matrix.seed()
    run = run_cells(tmp_path_factory.mktemp("fault-matrix-real"), emulator_server, fault_matrix.armed(cells, initial),
                    cloud_defaults(emulator_server.url))
    return initial, run.lines


@pytest.mark.parametrize("module", fault_matrix.modules(), ids=_slug)
def test_fault_matrix_real_run(module, real_run, emulator_server, worker):
    initial, real = real_run
    cells = fault_matrix.real_run_cells(module)
    armed = fault_matrix.armed(cells, initial)
    layer = {name: module_layer.run_cell(emulator_server, worker, name, cell, cloud_defaults(emulator_server.url))
             for name, cell in armed.items()}
    for cell in cells:
        line = real.get(cell.name)
        assert line is not None, "%s: the task did not run" % cell.name
        assert fault_matrix.evaluate(cell, line, fault_matrix.ids_in(initial, cell.row.store)) == [], cell.name
        assert module_layer.comparable(line) == module_layer.comparable(layer[cell.name]), \
            "%s: the module layer's outcome is not the real run's" % cell.name
        for store in fault_matrix.STATE_KEYS:
            assert fault_matrix.ids_in(line["state"], store) == fault_matrix.ids_in(layer[cell.name]["state"], store), \
                "%s: the emulator's %s records differ between the real run and the module layer" % (cell.name, store)
