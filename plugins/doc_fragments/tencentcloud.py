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
      - If not set, E(TENCENTCLOUD_REGION) is used, else C(_sys_param.region) of the tccli profile's
        C(<profile>.configure) file in O(shared_credentials_dir).
    type: str
  profile:
    description:
      - The tccli profile whose C(<profile>.credential) file (JSON C(secretId), C(secretKey), C(token), C(role-arn),
        C(role-session-name)) in O(shared_credentials_dir) gives the keys when neither the options nor the environment
        give O(secret_id) and O(secret_key). Its C(role-arn) is assumed as O(assume_role) would be.
      - The V(default) profile in C(~/.tccli) is read too when none is named, as Tencent's Terraform provider does;
        a profile that is named (or a directory that is set) must exist.
      - The credential sources are tried in this order, the first that yields keys wins; O(secret_id) and
        O(secret_key) (or their environment variables), this profile, C(~/.tencentcloud/credentials), then
        C(/etc/tencentcloud/credentials) (the SDK's INI files, C([default]) C(secret_id) and C(secret_key)), and
        the CVM's CAM role, only when asked for with O(cam_role_name) or O(instance_credentials). O(assume_role)
        then applies on top. When nothing yields keys, the error lists every source tried.
      - If not set, E(TENCENTCLOUD_PROFILE) is used.
    type: str
    default: default
  shared_credentials_dir:
    description:
      - The directory of tccli's profile files, C(<profile>.credential) and C(<profile>.configure).
      - If not set, E(TENCENTCLOUD_SHARED_CREDENTIALS_DIR) is used.
    type: path
    default: ~/.tccli
  assume_role:
    description:
      - Assume this CAM role with STS C(AssumeRole) (at O(sts_endpoint)), signed by the credentials of whichever
        source resolved, and sign every call with the role's temporary credentials, fetched again before they expire.
      - Each member not given falls back to its environment variable.
    type: dict
    suboptions:
      role_arn:
        description:
          - ARN of the role, for example V(qcs::cam::uin/100000000001:roleName/cleanup).
          - If not set, E(TENCENTCLOUD_ASSUME_ROLE_ARN) is used.
        type: str
      session_name:
        description:
          - Session name, 2 to 64 letters, digits and C(+=,.@_-). Defaults to V(cloudjobs-cleanup).
          - If not set, E(TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME) is used.
        type: str
      session_duration:
        description:
          - Lifetime of the temporary credentials in seconds, at most V(43200). Defaults to V(7200).
          - If not set, E(TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION) is used.
        type: int
  sts_endpoint:
    description:
      - Base URL of STS for O(assume_role). Set it for the cloud emulator.
    type: str
    default: https://sts.tencentcloudapi.com
  cam_role_name:
    description:
      - Use the temporary credentials of this CAM role bound to the CVM the module runs on, from the instance metadata
        service at O(metadata_endpoint). Conflicts with O(secret_id), O(secret_key), O(security_token) and a named
        O(profile).
      - If not set, E(TENCENTCLOUD_CAM_ROLE_NAME) is used.
    type: str
  instance_credentials:
    description:
      - Use the temporary credentials of the CAM role bound to the CVM, discovering the role's name from the instance
        metadata service at O(metadata_endpoint) unless O(cam_role_name) names it.
      - The metadata service is never contacted unless this or O(cam_role_name) asks for it.
    type: bool
    default: false
  metadata_endpoint:
    description:
      - Base URL of the CVM instance metadata service for O(cam_role_name) and O(instance_credentials). Set it for the
        cloud emulator.
    type: str
    default: http://metadata.tencentyun.com
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
