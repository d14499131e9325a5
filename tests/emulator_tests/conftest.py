"""Fixtures: official SDK clients pointed at the emulator, and the SDKs' credential providers pointed at it."""

import pytest

# sdk_clients first: it redirects HOME before the Huawei SDK is imported.
from sdk_clients import (PROJECT, TC_ID, TC_KEY, MrsClient, MrsV1Client,  # pylint: disable=import-error
                         WorkspaceClient, huawei, tencent)
# pylint: disable=wrong-import-order
from huaweicloudsdkcore.auth import internal as huawei_internal
from huaweicloudsdkcore.auth.provider import MetadataCredentialProvider
from tencentcloud.common import credential as tencent_credential
from tencentcloud.common.profile.http_profile import HttpProfile

from emulator import credentials as creds


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


class PlainHttpProfile(HttpProfile):
    """STSAssumeRoleCredential builds its own HttpProfile (https); the emulator under test speaks plain HTTP."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("protocol", "http")
        super().__init__(*args, **kwargs)


@pytest.fixture
def sts_role(emulator, monkeypatch):
    """A factory of the SDK's STSAssumeRoleCredential with its endpoint overridden to the emulator."""
    monkeypatch.setattr(tencent_credential, "HttpProfile", PlainHttpProfile)

    def make(role_arn=creds.TENCENT_ROLE_ARN, duration=7200, secret_id=TC_ID, secret_key=TC_KEY):
        return tencent_credential.STSAssumeRoleCredential(secret_id, secret_key, role_arn, "cleanup-test", duration,
                                                          endpoint="127.0.0.1:%d" % emulator.port)
    return make


@pytest.fixture
def cvm_role(emulator, monkeypatch):
    monkeypatch.setattr(tencent_credential.CVMRoleCredential, "_role_endpoint",
                        emulator.url + "/latest/meta-data/cam/security-credentials/")
    return tencent_credential.CVMRoleCredential


@pytest.fixture
def ecs_metadata(emulator, monkeypatch):
    """huaweicloudsdkcore's metadata provider, its base URL the emulator's."""
    monkeypatch.setattr(huawei_internal.MetadataAccessor, "_METADATA_ENDPOINT", emulator.url)

    def credentials():
        provider = MetadataCredentialProvider.get_basic_credential_metadata_provider()
        provider.project_id = PROJECT
        return provider.get_credentials()
    return credentials
