# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every value a URL is built from is checked before any request: project, region, endpoints (cluster ids and record
ids have their IdRule). Trimmed where a stray space is a slip, refused in one line where it would change the URL."""

from __future__ import annotations

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _path_values
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei import HuaweiCloudConnection
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent import TencentCloudConnection

PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
HOSTILE = ["0a1b/../x", "x/../" + PROJECT, "x?y=1", "x#y", "x%2Fy", "a b", "x\n", "x\ty", "é", "a" * 65, "x/"]


def huawei_params(**extra):
    params = dict(access_key="AKTEST", secret_key="SKTEST", region="cn-north-4", project_id=PROJECT,
                  endpoint="https://mrs.cn-north-4.myhuaweicloud.com", validate_certs=True, timeout=5.0, max_retries=0,
                  cloud="myhuaweicloud.com")
    params.update(extra)
    return params


def tencent_params(**extra):
    params = dict(secret_id="AKIDTEST", secret_key="SKTEST", region="ap-guangzhou",
                  endpoint="https://batch.tencentcloudapi.com", timeout=5.0, max_retries=0)
    params.update(extra)
    return params


@pytest.mark.parametrize("value", [v for v in HOSTILE if v.strip() == v])
def test_a_project_id_that_would_change_the_path_is_refused_naming_the_option(value):
    with pytest.raises(ConfigurationError) as raised:
        HuaweiCloudConnection.from_params(huawei_params(project_id=value), "mrs")
    message = str(raised.value)
    assert message.startswith("project_id (HW_PROJECT_ID): ") and "nothing was sent" in message
    assert "\n" not in message


@pytest.mark.parametrize("value, expected", [(" %s " % PROJECT, PROJECT), ("  ", None), ("", None), (None, None)])
def test_spaces_around_a_project_id_are_trimmed_and_a_blank_one_is_unset(value, expected):
    connection = HuaweiCloudConnection.from_params(huawei_params(project_id=value), "mrs")
    assert connection.params["project_id"] == expected
    if expected:
        assert connection.project_id == PROJECT  # no lookup: the trimmed id is used as given


@pytest.mark.parametrize("value", ["cn-north-4/../x", "cn-north-4.evil.example", "cn north 4", "cn-north-4?x", "ünï"])
def test_a_region_outside_its_alphabet_is_refused_for_both_clouds(value):
    with pytest.raises(ConfigurationError, match=r"^region \(HW_REGION_NAME\): "):
        HuaweiCloudConnection.from_params(huawei_params(region=value, endpoint=None), "mrs")
    with pytest.raises(ConfigurationError, match=r"^region \(TENCENTCLOUD_REGION\): "):
        TencentCloudConnection.from_params(tencent_params(region=value))


def test_spaces_around_a_region_are_trimmed():
    connection = HuaweiCloudConnection.from_params(huawei_params(region=" cn-north-4 ", endpoint=None), "mrs")
    assert connection.endpoint == "https://mrs.cn-north-4.myhuaweicloud.com"
    assert TencentCloudConnection.from_params(tencent_params(region=" ap-guangzhou")).region == "ap-guangzhou"


@pytest.mark.parametrize("url", ["mrs.cn-north-4.myhuaweicloud.com", "htp://mrs.example.com", "https://h/x/../y",
                                 "https://h/./y", "https://h/x?y=1", "https://h/#x", "https://h/a%2e%2e/b", "https://h /x",
                                 "https:///x", "https://admin:hunter2@h/x?y"])
def test_an_endpoint_that_is_not_a_plain_base_url_is_refused_without_echoing_it(url):
    with pytest.raises(ConfigurationError) as raised:
        HuaweiCloudConnection.from_params(huawei_params(endpoint=url), "mrs")
    assert str(raised.value).startswith("endpoint is not valid") and "hunter2" not in str(raised.value)
    with pytest.raises(ConfigurationError, match="^iam_endpoint"):
        HuaweiCloudConnection.from_params(huawei_params(iam_endpoint=url), "mrs")
    with pytest.raises(ConfigurationError, match="^endpoint is not valid"):
        TencentCloudConnection.from_params(tencent_params(endpoint=url))


@pytest.mark.parametrize("url", ["https://mrs.cn-north-4.myhuaweicloud.com", "http://127.0.0.1:8080/",
                                 " https://gateway.private.example/mrs ", "https://[::1]:8443/prefix/v1"])
def test_a_base_url_with_a_path_prefix_is_accepted(url):
    assert _path_values.endpoint(url, "endpoint") == url.strip()


def test_a_project_id_iam_answers_is_checked_like_one_given():
    with pytest.raises(ConfigurationError, match="the project id IAM answered"):
        _path_values.project_id("x/../y", "the project id IAM answered for cn-north-4")
