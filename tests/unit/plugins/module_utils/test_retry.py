# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retry decisions of both clouds, the capped full-jitter backoff and Retry-After: pure decisions, no HTTP."""

from __future__ import annotations

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei import HuaweiRetryPolicy
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._retry import parse_retry_after
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent import TencentRetryPolicy
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import api_error


@pytest.mark.parametrize("error, retry", [
    (api_error("APIGW.0308", 429), True), (api_error("APIG.0308", 429), True), (api_error(None, 503), True),
    (api_error("x", 502), True), (api_error("ConnectionError", None), True), (api_error("Timeout", None), True),
    (api_error("APIGW.0613", 503), True), (api_error("APIGW.0301", 401), False), (api_error("0176", 400), False),
    (api_error("SSLError", None), False), (api_error("APIGW.0601", 500), True), (api_error("HTTP500", 500), True),
    # A code of the service's own error table is its answer, whatever the status (OTC lists these with 500).
    (api_error("0166", 500), False), (api_error("0176", 500), False), (api_error("0161", 500), False),
    (api_error("0183", 500), False), (api_error("12000003", 500), False), (api_error("WKS.0001", 500), False),
    (api_error("0161", 502), True), (api_error("0166", 503), True),
])
def test_huawei_retry_decisions(error, retry):
    assert HuaweiRetryPolicy().is_retryable(error) is retry


@pytest.mark.parametrize("code, retry", [
    ("RequestLimitExceeded", True), ("RequestLimitExceeded.UinLimitExceeded", True), ("InternalError", True),
    ("LimitExceeded.JobQuota", False), ("AuthFailure.SignatureFailure", False), ("ResourceNotFound.Job", False),
])
def test_tencent_retry_decisions(code, retry):
    """The same decision for reads and deletes (every delete here is idempotent): the policy takes no "mutating"."""
    assert TencentRetryPolicy().is_retryable(api_error(code, 200)) is retry


def test_backoff_is_capped_full_jitter():
    policy = HuaweiRetryPolicy(base_delay=0.5, max_delay=4.0, rng=lambda: 1.0)
    assert [policy.delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert HuaweiRetryPolicy(rng=lambda: 0.0).delay(3) == 0.0


def test_retry_after_seconds_and_dates():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
