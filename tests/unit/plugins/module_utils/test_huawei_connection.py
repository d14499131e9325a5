# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud connection settings: service endpoints by region, and which options and variables are required."""

from __future__ import annotations

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _huawei
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei import service_endpoint


@pytest.mark.parametrize("service, region, expected", [
    ("mrs", "cn-north-4", "https://mrs.cn-north-4.myhuaweicloud.com"),
    ("mrs", "ap-southeast-1", "https://mrs.ap-southeast-1.myhuaweicloud.cn"),
    ("mrs", "eu-west-101", "https://mrs.eu-west-101.myhuaweicloud.eu"),
    ("workspace", "eu-west-101", "https://workspace.eu-west-101.myhuaweicloud.com"),
    ("workspace", "cn-east-3", "https://workspace.cn-east-3.myhuaweicloud.com"),
])
def test_endpoints_follow_the_sdk_region_tables(service, region, expected):
    assert service_endpoint(service, region) == expected


def test_other_clouds_use_their_domain():
    assert service_endpoint("mrs", "ap-southeast-1", "example.cloud") == "https://mrs.ap-southeast-1.example.cloud"


def test_missing_huawei_credentials_name_options_and_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.huaweicloud/credentials of the machine running the tests
    monkeypatch.delenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", raising=False)
    with pytest.raises(ConfigurationError) as excinfo:
        _huawei.check_params({"region": "cn-north-4"})
    for word in ("access_key", "secret_key", "HW_ACCESS_KEY", "HUAWEICLOUD_SDK_AK", "auth_token", "HW_PROFILE",
                 "instance_credentials"):
        assert word in str(excinfo.value)


def test_missing_region_is_named():
    with pytest.raises(ConfigurationError, match="HW_REGION_NAME"):
        _huawei.check_params({"access_key": "a", "secret_key": "b"})


def test_empty_variables_count_as_unset():
    """AWX credential types inject every field, empty ones as ""; that must not read as a second auth mode."""
    _huawei.check_params({"access_key": "a", "secret_key": "b", "auth_token": "", "security_token": "", "region": "r"})
    with pytest.raises(ConfigurationError, match="cannot be combined"):
        _huawei.check_params({"access_key": "a", "secret_key": "b", "auth_token": "t", "region": "r"})
