# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Tencent Cloud connection and authentication options (action group cloudjobs.cleanup.tencentcloud).
    DOCUMENTATION = r"""
options:
  secret_id:
    description:
      - SecretId that signs requests with C(TC3-HMAC-SHA256).
      - If not set, E(TENCENTCLOUD_SECRET_ID) is used.
    type: str
  secret_key:
    description:
      - SecretKey that signs requests. Never sent, never shown.
      - If not set, E(TENCENTCLOUD_SECRET_KEY) is used.
    type: str
  security_token:
    description:
      - Token of temporary credentials (STS or a CVM role), sent as C(X-TC-Token).
      - If not set, E(TENCENTCLOUD_SECURITY_TOKEN) or E(TENCENTCLOUD_TOKEN) is used, the first one set wins.
    type: str
  region:
    description:
      - Region, for example V(ap-guangzhou). Sent as C(X-TC-Region) with every call.
      - If not set, E(TENCENTCLOUD_REGION) is used.
    type: str
  endpoint:
    description:
      - Base URL of the API, for example V(https://batch.ap-guangzhou.tencentcloudapi.com). Set it for the cloud emulator.
    type: str
    default: https://batch.tencentcloudapi.com
  max_retries:
    description:
      - How often a request is retried after throttling (C(RequestLimitExceeded) and its variants), C(InternalError),
        HTTP 500, 502, 503 or 504, a dropped or reset connection, a timeout or an unreadable answer, with capped
        exponential backoff and jitter. Authentication and validation errors are never retried.
    type: int
    default: 8
  rate_limit:
    description:
      - Client-side limit in requests per second, shared by the concurrent workers of one task. When the service
        throttles anyway, the rate is halved and then recovers step by step.
    type: float
    default: 20
"""
