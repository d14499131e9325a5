"""Fixtures: official SDK clients pointed at the emulator."""

import pytest

from sdk_clients import MrsClient, MrsV1Client, WorkspaceClient, huawei, tencent  # pylint: disable=import-error


@pytest.fixture
def mrs(emulator):
    return huawei(MrsClient, emulator)


@pytest.fixture
def mrs_v1(emulator):
    return huawei(MrsV1Client, emulator)


@pytest.fixture
def workspace(emulator):
    return huawei(WorkspaceClient, emulator)


@pytest.fixture
def batch(emulator):
    return tencent(emulator)
