# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud ``SDK-HMAC-SHA256`` request signing. PRIVATE to this collection; no stability promise.

Byte for byte what ``huaweicloudsdkcore``'s ``Signer`` produces (tests/signers proves it): canonical URI with a
trailing slash, sorted canonical query that is also the query sent on the wire, every header signed except
names containing ``_``, and ``UNSIGNED-PAYLOAD`` for bodies that are not JSON.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from urllib.parse import quote, unquote, urlsplit

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"


def _quote(value):
    return quote(value, safe="~")


def canonical_uri(path):
    uri = "/".join(_quote(segment) for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def _query_value(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def canonical_query(params):
    """``params`` is a list of (key, value) pairs, or a dict; list values become repeated keys."""
    items = params.items() if isinstance(params, dict) else params
    pairs = []
    for key, value in items:
        values = sorted(_query_value(v) for v in value) if isinstance(value, (list, tuple)) else [_query_value(value)]
        pairs.extend((str(key), v) for v in values)
    return "&".join("%s=%s" % (_quote(k), _quote(v)) for k, v in sorted(pairs))


def sign_request(method, url, headers, body, access_key, secret_key, query=None, sdk_date=None):
    """Sign a request. Returns ``(wire_url, headers)``: send exactly these.

    ``url`` carries scheme, host and path; ``query`` the parameters as pairs or a dict (never both in ``url``).
    ``headers`` are copied, never changed in place.
    """
    parts = urlsplit(url)
    signed = {}
    for name, value in headers.items():
        signed[name] = str(value).strip()
    if body is None:
        body = b""
    elif not isinstance(body, bytes):
        body = body.encode("utf-8")

    content_type = next((v for k, v in signed.items() if k.lower() == "content-type"), None)
    if content_type is not None and not content_type.startswith(("application/json", "application/bson")):
        signed["X-Sdk-Content-Sha256"] = UNSIGNED_PAYLOAD

    date_header = next((k for k in signed if k.lower() == "x-sdk-date"), None)
    if date_header is None:
        if sdk_date is None:
            sdk_date = datetime.datetime.now(datetime.timezone.utc).strftime(DATE_FORMAT)
        signed["X-Sdk-Date"] = sdk_date
        date_value = sdk_date
    else:
        date_value = signed[date_header]
    if not any(k.lower() == "host" for k in signed):
        signed["Host"] = parts.netloc

    lowered = {k.lower(): v for k, v in signed.items()}
    signed_names = sorted(k for k in lowered if "_" not in k)
    query_string = canonical_query(query or [])

    if not body:
        payload_hash = EMPTY_BODY_SHA256
    elif "x-sdk-content-sha256" in lowered:
        payload_hash = lowered["x-sdk-content-sha256"]
    else:
        payload_hash = hashlib.sha256(body).hexdigest()

    canonical_request = "\n".join(
        [
            method.upper(),
            canonical_uri(parts.path),
            query_string,
            "".join("%s:%s\n" % (name, lowered[name]) for name in signed_names),
            ";".join(signed_names),
            payload_hash,
        ]
    )
    string_to_sign = "\n".join(
        [ALGORITHM, date_value, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()]
    )
    signature = hmac.new(secret_key.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    signed["Authorization"] = "%s Access=%s, SignedHeaders=%s, Signature=%s" % (
        ALGORITHM,
        access_key,
        ";".join(signed_names),
        signature,
    )
    wire_path = parts.path + ("?" + query_string if query_string else "")
    return "%s://%s%s" % (parts.scheme, parts.netloc, wire_path), signed
