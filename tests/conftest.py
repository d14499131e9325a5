"""Fixtures of every pytest suite: the cloud emulator (tests/emulator_tests, tests/signers, tests/e2e, tests/docs_site)
and the collection's tarball."""

import os
import subprocess
import sys

import pytest
import yaml

TESTS = os.path.dirname(os.path.abspath(__file__))
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

from emulator.harness import EmulatorProcess  # noqa: E402  pylint: disable=wrong-import-position
from support.ansible_runs import BIN, REPO  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="session")
def emulator_server():
    """One emulator process per test worker."""
    with EmulatorProcess() as emu:
        yield emu


@pytest.fixture
def emulator(emulator_server):
    """The emulator, empty, with default settings and an empty log."""
    emulator_server.reset()
    return emulator_server


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
