"""Fixtures and hooks of the end-to-end suites; the helpers they share are in ansible_runs.py."""

import glob
import json
import os
import subprocess

import pytest
import yaml

import fault_matrix
import reliability_report
from ansible_runs import BIN, REPO


@pytest.fixture(scope="session")
def collection_tarball(tmp_path_factory):
    """The collection as `ansible-galaxy collection build` packs it from this checkout (one per test worker)."""
    with open(os.path.join(REPO, "galaxy.yml"), encoding="utf-8") as f:
        meta = yaml.safe_load(f)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(dist), REPO],
                   check=True, capture_output=True, timeout=300)
    tarball = dist / ("%s-%s-%s.tar.gz" % (meta["namespace"], meta["name"], meta["version"]))
    assert tarball.is_file(), sorted(p.name for p in dist.iterdir())
    return tarball


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
