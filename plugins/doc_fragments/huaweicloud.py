# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Huawei Cloud connection and authentication options (action group cloudjobs.cleanup.huaweicloud).
    DOCUMENTATION = r"""
options:
  access_key:
    description:
      - Access key id (AK) used to sign requests with C(SDK-HMAC-SHA256).
      - If not set, the environment variables E(HW_ACCESS_KEY) or E(HUAWEICLOUD_SDK_AK) are used, the first one set wins.
      - Mutually exclusive with O(auth_token).
    type: str
  secret_key:
    description:
      - Secret access key (SK) that signs requests. Never sent, never shown.
      - If not set, E(HW_SECRET_KEY) or E(HUAWEICLOUD_SDK_SK) is used.
    type: str
  security_token:
    description:
      - Security token of temporary AK/SK credentials, sent in the signed C(X-Security-Token) header.
      - If not set, E(HW_SECURITY_TOKEN) or E(HUAWEICLOUD_SDK_SECURITY_TOKEN) is used.
    type: str
  auth_token:
    description:
      - An IAM token (the C(X-Subject-Token) of C(POST /v3/auth/tokens)) sent as C(X-Auth-Token) instead of signing.
      - If not set, E(HW_AUTH_TOKEN) is used. Mutually exclusive with O(access_key) and O(security_token).
    type: str
  region:
    description:
      - Region of the service, for example V(cn-north-4). Used to build endpoints and to look up O(project_id).
      - If not set, E(HW_REGION_NAME) is used.
    type: str
  project_id:
    description:
      - IAM project id of the region.
      - If not set, E(HW_PROJECT_ID) or E(HUAWEICLOUD_SDK_PROJECT_ID) is used; otherwise it is looked up once with
        IAM C(GET /v3/projects?name=<region>).
    type: str
  endpoint:
    description:
      - Full base URL of the service, for example V(https://mrs.cn-north-4.myhuaweicloud.com). Overrides the endpoint
        built from O(region) and O(cloud); use it for private clouds and for the cloud emulator.
    type: str
  iam_endpoint:
    description:
      - Base URL of IAM for the O(project_id) lookup. Defaults to C(https://iam.<region>.<cloud>).
      - If not set, E(HUAWEICLOUD_SDK_IAM_ENDPOINT) is used.
    type: str
  cloud:
    description:
      - Domain suffix of built endpoints, for other clouds on the Huawei Cloud stack.
      - If not set, E(HW_CLOUD) is used.
    type: str
    default: myhuaweicloud.com
  max_retries:
    description:
      - How often a request is retried after throttling (HTTP 429 C(APIGW.0308)), HTTP 500, 502, 503 or 504, C(APIGW.0613),
        a dropped or reset connection, a timeout or an unreadable answer, with capped exponential backoff and jitter.
        Authentication and validation errors are never retried.
    type: int
    default: 5
"""
