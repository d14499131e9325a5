"""The collection's SDK-HMAC-SHA256 signer is byte-identical to huaweicloudsdkcore's ``Signer``."""

import json
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from hypothesis import given, settings, strategies as st
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei_signer import sign_request

AK, SK, DATE = "AKEXAMPLE0000000000", "SKEXAMPLEsecretkey0000000000000000000000", "20240101T000000Z"


def official(method, url, headers, body, query, ak=AK, sk=SK):
    parts = urlsplit(url)
    request = SdkRequest(method=method, schema=parts.scheme, host=parts.netloc, resource_path=parts.path,
                         query_params=list(query), header_params=dict(headers, **{"X-Sdk-Date": DATE}), body=body)
    Signer(SimpleNamespace(ak=ak, sk=sk)).sign(request)
    return request.header_params["Authorization"], request.uri


def ours(method, url, headers, body, query, ak=AK, sk=SK):
    wire_url, signed = sign_request(method, url, headers, body, ak, sk, query=query, sdk_date=DATE)
    parts = urlsplit(wire_url)
    return signed["Authorization"], parts.path + ("?" + parts.query if parts.query else "")


def test_published_vector_batch_delete():
    url = ("https://mrs.cn-north-4.myhuaweicloud.com/v2/0123456789abcdef0123456789abcdef/clusters/cluster-1/"
           "job-executions/batch-delete")
    headers = {"Content-Type": "application/json", "X-Project-Id": "0123456789abcdef0123456789abcdef"}
    auth = ours("POST", url, headers, '{"job_id_list": ["job-1", "job-2"]}', [])[0]
    assert auth.endswith("Signature=7caedea890d250873ae7a1edfd82841e270a7cf91203da3b9dc30433f1a258a6")
    assert "SignedHeaders=content-type;host;x-project-id;x-sdk-date," in auth


def test_published_vector_list_with_query():
    url = "https://workspace.cn-north-4.myhuaweicloud.com/v2/0123456789abcdef0123456789abcdef/scheduled-tasks"
    auth, uri = ours("GET", url, {"Content-Type": "application/json"}, None,
                     [("limit", "10"), ("offset", "0"), ("task_name", "my task")])
    assert auth.endswith("Signature=38da37c49f5b6ba7e9aec64431857b4433bca9ed5c7164ab097cba4c23b8e88c")
    assert uri.endswith("/scheduled-tasks?limit=10&offset=0&task_name=my%20task")


def test_quirks_match_the_official_signer():
    url = "https://h.example.com/v2/p/a%20b/c:d@e/"
    query = [("z", "1"), ("a", "x y/+~"), ("a", "0"), ("b", "true"), ("m", "2"), ("m", "1")]
    headers = {"Content-Type": "text/plain", "X_Under": "kept", "X-Spaced": "  v  "}
    assert ours("PUT", url, headers, "hello", query) == official("PUT", url, headers, "hello", query)
    assert "x-sdk-content-sha256" in ours("PUT", url, headers, "hello", query)[0]
    assert "x_under" not in ours("PUT", url, headers, "hello", query)[0]


segment = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"), max_size=12)
query_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=10)
json_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(
    method=st.sampled_from(["GET", "POST", "DELETE", "PUT", "PATCH"]),
    segments=st.lists(segment, min_size=1, max_size=5),
    query=st.lists(st.tuples(query_text, query_text), max_size=6),
    body=st.one_of(st.none(), st.just(""), json_text.map(lambda t: json.dumps({"k": t}, ensure_ascii=False))),
    content_type=st.sampled_from(["application/json", "application/json;charset=UTF-8", "text/plain", "application/octet-stream"]),
    token=st.one_of(st.none(), st.text(alphabet="abcdefXYZ0123456789-_=", min_size=1, max_size=40)),
    project=st.booleans(),
)
def test_equivalence_on_generated_requests(method, segments, query, body, content_type, token, project):
    path = "/" + "/".join(quote(s, safe="") for s in segments)
    url = "https://mrs.cn-north-4.myhuaweicloud.com:8443" + path
    headers = {"Content-Type": content_type}
    if project:
        headers["X-Project-Id"] = "0123456789abcdef0123456789abcdef"
    if token:
        headers["X-Security-Token"] = token
    assert ours(method, url, headers, body, query) == official(method, url, headers, body, query)
