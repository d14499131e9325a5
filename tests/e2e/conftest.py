"""Hooks of the end-to-end suites (docs/reliability.md from the fault matrix); the helpers they share are in
tests/support, the fixtures every suite shares in tests/conftest.py."""

import glob
import json
import os

from support import fault_matrix
from support import reliability_report
from support.ansible_runs import REPO


def _is_controller(config):
    return not hasattr(config, "workerinput")  # pytest-xdist workers have it; a run without xdist does not


def pytest_sessionstart(session):
    if _is_controller(session.config):
        for old in glob.glob(os.path.join(fault_matrix.RESULTS_DIR, "*.json")):
            os.remove(old)


def pytest_sessionfinish(session, exitstatus):
    """Once every module's matrix ran in this session, write docs/reliability.md from the outcomes."""
    if not _is_controller(session.config):
        return
    outcomes = []
    for path in sorted(glob.glob(os.path.join(fault_matrix.RESULTS_DIR, "*.json"))):
        with open(path, encoding="utf-8") as f:
            outcomes += json.load(f)
    if {o["module"] for o in outcomes} != set(fault_matrix.modules()):
        return
    with open(os.path.join(REPO, "docs", "reliability.md"), "w", encoding="utf-8") as f:
        f.write(reliability_report.render(outcomes, fault_matrix))
