"""The collection's TC3-HMAC-SHA256 signer is byte-identical to tencentcloud-sdk-python-common's."""

import json
from unittest import mock

from hypothesis import given, settings, strategies as st
from tencentcloud.common import credential
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.http.request import RequestInternal
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent_signer import authorization, signed_headers


def sdk_client(secret_id="AKIDEXAMPLE0123456789", secret_key="SECRETKEYEXAMPLE0123456789", token=None,
               endpoint="batch.tencentcloudapi.com", region="ap-guangzhou"):
    cred = credential.Credential(secret_id, secret_key, token)
    profile = ClientProfile(httpProfile=HttpProfile(endpoint=endpoint), language="en-US")
    return CommonClient("batch", "2017-03-12", cred, region, profile=profile)


def sdk_request(client, action, params, timestamp):
    """Headers and body exactly as the official SDK would send them (nothing is sent)."""
    req = RequestInternal(client.profile.httpProfile.endpoint, "POST", "/", header={})
    with mock.patch("tencentcloud.common.abstract_client.time.time", return_value=timestamp):
        client._build_req_with_tc3_signature(action, params, req)  # pylint: disable=protected-access
    return req


def test_published_vector_delete_job():
    auth = authorization("AKIDEXAMPLE0123456789", "SECRETKEYEXAMPLE0123456789", "batch", 1700000000,
                         "batch.tencentcloudapi.com", "application/json", b'{"JobId": "job-f5da1edl"}')
    assert auth == ("TC3-HMAC-SHA256 Credential=AKIDEXAMPLE0123456789/2023-11-14/batch/tc3_request, "
                    "SignedHeaders=content-type;host, "
                    "Signature=e740c03f1187198e9dbadfa55a0ee13103eeb9d46f28efbcc94312bc8223ec75")


def test_published_vector_signature_v3_doc_example():
    body = json.dumps({"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]})
    auth = authorization("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "cvm",
                         1551113065, "cvm.tencentcloudapi.com", "application/json; charset=utf-8", body)
    assert auth.endswith("Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")


def test_every_header_matches_the_sdk_for_a_temporary_credential():
    client = sdk_client(token="session-token-value", endpoint="127.0.0.1:18080")
    req = sdk_request(client, "DescribeJobs", {"JobIds": ["job-f5da1edl"], "Limit": 100}, 1700000123)
    ours = signed_headers("DescribeJobs", "2017-03-12", "ap-guangzhou", "AKIDEXAMPLE0123456789",
                          "SECRETKEYEXAMPLE0123456789", "session-token-value", "batch", "127.0.0.1:18080",
                          req.data.encode() if isinstance(req.data, str) else req.data, 1700000123)
    for name in ("Authorization", "Content-Type", "Host", "X-TC-Action", "X-TC-Version", "X-TC-Timestamp",
                 "X-TC-Region", "X-TC-Token", "X-TC-Language"):
        assert ours[name] == req.header[name], name


params_strategy = st.dictionaries(
    st.sampled_from(["JobId", "JobIds", "Limit", "Offset", "Filters", "Name"]),
    st.one_of(st.text(max_size=20), st.integers(0, 1000), st.lists(st.text(max_size=10), max_size=5),
              st.lists(st.fixed_dictionaries({"Name": st.text(max_size=8), "Values": st.lists(st.text(max_size=8), max_size=3)}), max_size=3)),
    max_size=4,
)


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(
    action=st.sampled_from(["DescribeJob", "DescribeJobs", "DeleteJob", "TerminateJob"]),
    params=params_strategy,
    timestamp=st.integers(1_500_000_000, 2_000_000_000),
    token=st.one_of(st.none(), st.text(alphabet="abcdefXYZ0123456789", min_size=1, max_size=30)),
    host=st.sampled_from(["batch.tencentcloudapi.com", "batch.ap-shanghai.tencentcloudapi.com", "127.0.0.1:8080"]),
    region=st.sampled_from(["ap-guangzhou", "ap-shanghai", "na-siliconvalley"]),
)
def test_equivalence_on_generated_requests(action, params, timestamp, token, host, region):
    client = sdk_client(token=token, endpoint=host, region=region)
    req = sdk_request(client, action, params, timestamp)
    body = json.dumps(params).encode("utf-8")
    sent = req.data.encode("utf-8") if isinstance(req.data, str) else req.data
    assert sent == body
    ours = signed_headers(action, "2017-03-12", region, "AKIDEXAMPLE0123456789", "SECRETKEYEXAMPLE0123456789",
                          token, "batch", host, body, timestamp)
    assert ours["Authorization"] == req.header["Authorization"]
    assert ours["X-TC-Timestamp"] == req.header["X-TC-Timestamp"]
