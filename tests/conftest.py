"""Fixtures for the suites that need the cloud emulator (tests/emulator_tests, tests/signers, tests/e2e)."""

import os
import sys

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

from emulator.harness import EmulatorProcess  # noqa: E402  pylint: disable=wrong-import-position


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
