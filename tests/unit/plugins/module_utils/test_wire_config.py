# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options, endpoints, retry decisions and the rate limiter: pure decisions, no HTTP."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _huawei, _tencent
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei import HuaweiRetryPolicy, service_endpoint
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._rate_limit import RateLimiter
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._retry import parse_retry_after
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent import TencentRetryPolicy
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._version import COLLECTION_VERSION

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


def err(code=None, status=None):
    return ApiError("S", "Op", "m", status=status, code=code)


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


def test_missing_huawei_credentials_name_options_and_variables():
    with pytest.raises(ConfigurationError) as excinfo:
        _huawei.check_params({"region": "cn-north-4"})
    for word in ("access_key", "secret_key", "HW_ACCESS_KEY", "HUAWEICLOUD_SDK_AK", "auth_token"):
        assert word in str(excinfo.value)


def test_missing_region_is_named():
    with pytest.raises(ConfigurationError, match="HW_REGION_NAME"):
        _huawei.check_params({"access_key": "a", "secret_key": "b"})


def test_missing_tencent_credentials_name_the_variables():
    with pytest.raises(ConfigurationError, match="TENCENTCLOUD_SECRET_ID"):
        _tencent.check_params({"region": "ap-guangzhou"})
    with pytest.raises(ConfigurationError, match="rate_limit"):
        _tencent.check_params({"secret_id": "a", "secret_key": "b", "region": "r", "rate_limit": 0})


def test_env_fallbacks_match_the_design():
    spec = _huawei.HUAWEICLOUD_ARGUMENT_SPEC
    assert spec["access_key"]["fallback"][1] == ["HW_ACCESS_KEY", "HUAWEICLOUD_SDK_AK"]
    assert spec["secret_key"]["no_log"] and spec["security_token"]["no_log"] and spec["auth_token"]["no_log"]
    assert _tencent.TENCENTCLOUD_ARGUMENT_SPEC["security_token"]["fallback"][1] == [
        "TENCENTCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_TOKEN"]


@pytest.mark.parametrize("fragment, spec", [("huaweicloud", _huawei.HUAWEICLOUD_ARGUMENT_SPEC),
                                            ("tencentcloud", _tencent.TENCENTCLOUD_ARGUMENT_SPEC)])
def test_doc_fragments_document_exactly_the_argument_spec(fragment, spec):
    namespace = {}
    with open(os.path.join(ROOT, "plugins", "doc_fragments", fragment + ".py"), encoding="utf-8") as f:
        exec(compile(f.read(), fragment, "exec"), namespace)  # pylint: disable=exec-used
    options = yaml.safe_load(namespace["ModuleDocFragment"].DOCUMENTATION)["options"]
    assert set(options) == set(spec)
    for name, option in options.items():
        assert option["type"] == spec[name]["type"], name
        assert option.get("default") == spec[name].get("default"), name


def test_version_matches_galaxy_yml():
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as f:
        assert yaml.safe_load(f)["version"] == COLLECTION_VERSION


@pytest.mark.parametrize("error, retry", [
    (err("APIGW.0308", 429), True), (err("APIG.0308", 429), True), (err(None, 503), True), (err("x", 502), True),
    (err("ConnectionError"), True), (err("Timeout"), True), (err("APIGW.0613", 503), True),
    (err("APIGW.0301", 401), False), (err("0176", 400), False), (err("SSLError"), False), (err("0166", 500), True), (err("APIGW.0601", 500), True),
])
def test_huawei_retry_decisions(error, retry):
    assert HuaweiRetryPolicy().is_retryable(error) is retry


@pytest.mark.parametrize("code, mutating, retry", [
    ("RequestLimitExceeded", True, True), ("RequestLimitExceeded.UinLimitExceeded", True, True),
    ("InternalError", False, True), ("InternalError", True, True), ("LimitExceeded.JobQuota", False, False),
    ("AuthFailure.SignatureFailure", False, False), ("ResourceNotFound.Job", False, False),
])
def test_tencent_retry_decisions(code, mutating, retry):
    assert TencentRetryPolicy().is_retryable(err(code, 200), mutating) is retry


def test_backoff_is_capped_full_jitter():
    policy = HuaweiRetryPolicy(base_delay=0.5, max_delay=4.0, rng=lambda: 1.0)
    assert [policy.delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert HuaweiRetryPolicy(rng=lambda: 0.0).delay(3) == 0.0


def test_retry_after_seconds_and_dates():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_rate_limiter_paces_to_the_rate():
    clock = FakeClock()
    limiter = RateLimiter(4.0, clock=clock, sleep=clock.sleep)
    for dummy in range(9):
        limiter.acquire()
    assert 1.9 <= clock.now <= 2.1


def test_rate_limiter_halves_on_throttling_and_recovers():
    clock = FakeClock()
    limiter = RateLimiter(20.0, clock=clock, sleep=clock.sleep)
    limiter.on_throttled()
    limiter.on_throttled()
    assert limiter.current_rate == 5.0
    for dummy in range(200):
        limiter.on_success()
    assert limiter.current_rate == 20.0


def test_unlimited_rate_never_waits():
    clock = FakeClock()
    limiter = RateLimiter(None, clock=clock, sleep=clock.sleep)
    for dummy in range(100):
        limiter.acquire()
    assert clock.now == 0.0


def test_empty_variables_count_as_unset():
    """AWX credential types inject every field, empty ones as ""; that must not read as a second auth mode."""
    _huawei.check_params({"access_key": "a", "secret_key": "b", "auth_token": "", "security_token": "", "region": "r"})
    with pytest.raises(ConfigurationError, match="cannot be combined"):
        _huawei.check_params({"access_key": "a", "secret_key": "b", "auth_token": "t", "region": "r"})
