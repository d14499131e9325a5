# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud API 3.0 ``TC3-HMAC-SHA256`` request signing. PRIVATE to this collection; no stability promise.

Byte for byte what ``tencentcloud-sdk-python-common`` produces (tests/signers proves it). The credential scope
names the *service* (``batch``), never the host, so a private or emulated endpoint signs the same way.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

ALGORITHM = "TC3-HMAC-SHA256"


def _hmac(key, message):
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def signature(secret_key, service, timestamp, canonical_request):
    date = datetime.datetime.fromtimestamp(int(timestamp), datetime.timezone.utc).strftime("%Y-%m-%d")
    scope = "%s/%s/tc3_request" % (date, service)
    string_to_sign = "\n".join(
        [ALGORITHM, str(int(timestamp)), scope, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()]
    )
    k_date = _hmac(("TC3" + secret_key).encode("utf-8"), date)
    k_service = _hmac(k_date, service)
    k_signing = _hmac(k_service, "tc3_request")
    return scope, hmac.new(k_signing, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization(secret_id, secret_key, service, timestamp, host, content_type, body):
    """The ``Authorization`` header for a POST to ``/`` with these exact ``body`` bytes and headers."""
    if not isinstance(body, bytes):
        body = body.encode("utf-8")
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            "content-type:%s\nhost:%s\n" % (content_type, host),
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope, sig = signature(secret_key, service, timestamp, canonical_request)
    return "%s Credential=%s/%s, SignedHeaders=content-type;host, Signature=%s" % (ALGORITHM, secret_id, scope, sig)


def signed_headers(action, version, region, secret_id, secret_key, token, service, host, body, timestamp,
                   content_type="application/json", language="en-US", client=None):
    """Every header of an API 3.0 call, ``Authorization`` included."""
    headers = {
        "Content-Type": content_type,
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Version": version,
        "X-TC-Timestamp": str(int(timestamp)),
        "X-TC-Language": language,
    }
    if region:
        headers["X-TC-Region"] = region
    if token:
        headers["X-TC-Token"] = token
    if client:
        headers["X-TC-RequestClient"] = client
    headers["Authorization"] = authorization(secret_id, secret_key, service, timestamp, host, content_type, body)
    return headers
