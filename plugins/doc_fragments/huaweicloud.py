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
      - If not set, E(HW_AUTH_TOKEN) is used. Mutually exclusive with O(access_key) and O(security_token), and with
        the other credential sources (O(profile), O(shared_config_file), O(assume_role), O(instance_credentials)).
    type: str
  region:
    description:
      - Region of the service, for example V(cn-north-4). Used to build endpoints and to look up O(project_id).
      - If not set, E(HW_REGION_NAME) is used.
    type: str
  project_id:
    description:
      - IAM project id of the region.
      - If not set, E(HW_PROJECT_ID) or E(HUAWEICLOUD_SDK_PROJECT_ID) is used; otherwise it is looked up once among
        the caller's own projects with IAM C(GET /v3/auth/projects) (KeystoneListAuthProjects, which needs no
        permission), taking the project named after O(region).
    type: str
  endpoint:
    description:
      - Full base URL of the service, for example V(https://mrs.cn-north-4.myhuaweicloud.com). Overrides the endpoint
        built from O(region) and O(cloud); use it for private clouds and for the cloud emulator.
      - Only the service's own calls use it. The O(project_id) lookup uses O(iam_endpoint), not this endpoint, so with
        a private endpoint set O(iam_endpoint) as well, or O(project_id) to skip the lookup.
    type: str
  iam_endpoint:
    description:
      - Base URL of IAM for the O(project_id) lookup (and for O(assume_role) without O(assume_role.domain_id)).
      - Defaults to C(https://iam.<region>.<cloud>), the public IAM with the default O(cloud), also when O(endpoint) is
        set; the lookup never uses O(endpoint).
      - If not set, E(HUAWEICLOUD_SDK_IAM_ENDPOINT) is used.
    type: str
  cloud:
    description:
      - Domain suffix of built endpoints, for other clouds on the Huawei Cloud stack.
      - If not set, E(HW_CLOUD) is used.
    type: str
    default: myhuaweicloud.com
  profile:
    description:
      - Name of a profile in KooCLI's (C(hcloud)) JSON configuration O(shared_config_file), used when no keys are given
        in O(access_key) and O(secret_key). Without it the file's C(current) profile is used.
      - The file is read only when O(profile) or O(shared_config_file) is set, as Huawei's Terraform provider does.
      - Profiles in C(AKSK) mode give C(accessKeyId), C(secretAccessKey) and C(securityToken); C(ecsAgency) mode means
        O(instance_credentials). The profile's C(region) and C(projectId) fill O(region) and O(project_id) when they
        are not set (the project id only for the profile's region, and not with O(assume_role)).
      - Keys must be stored unencrypted (C(hcloud configure set --cli-auth-encrypt=false)).
      - If not set, E(HW_PROFILE) is used.
    type: str
  shared_config_file:
    description:
      - Path of KooCLI's JSON configuration; C(~/.hcloud/config.json) when only O(profile) is set.
      - If not set, E(HW_SHARED_CONFIG_FILE) is used.
      - When no keys come from the options or a profile, the SDK's credentials file is read, as C(huaweicloudsdkcore)
        does; the INI file C(~/.huaweicloud/credentials) (or the path in E(HUAWEICLOUD_SDK_CREDENTIALS_FILE)), section
        C([basic]) with C(ak), C(sk) and optionally C(security_token) and C(project_id).
    type: path
  assume_role:
    description:
      - Assume an IAM agency with the credentials resolved otherwise (keys, profile, credentials file or instance
        credentials) and use its temporary credentials, which are fetched again before they expire.
      - Without O(assume_role.domain_id), IAM C(POST /v3.0/OS-CREDENTIAL/securitytokens) (method C(assume_role)) at
        O(iam_endpoint); with it, STS C(POST /v5/agencies/assume) at O(sts_endpoint).
      - Each member not given here is read from its environment variable.
    type: dict
    suboptions:
      agency_name:
        description:
          - Name of the agency to assume. If not set, E(HW_ASSUME_ROLE_AGENCY_NAME) is used.
        type: str
      domain_name:
        description:
          - Name of the account (domain) that owns the agency. If not set, E(HW_ASSUME_ROLE_DOMAIN_NAME) is used.
        type: str
      domain_id:
        description:
          - Id of the account (domain) that owns the agency; when set, the agency is assumed through STS with the URN
            C(iam::<domain_id>:agency:<agency_name>) and the agency name as session name.
          - If not set, E(HW_ASSUME_ROLE_DOMAIN_ID) is used.
        type: str
      duration:
        description:
          - Lifetime of the temporary credentials in seconds. IAM accepts 900 to 86400 (default 900); STS 900 to 43200
            (default 3600), at most 3600 when the source credentials are themselves temporary.
          - If not set, E(HW_ASSUME_ROLE_DURATION) is used.
        type: int
  instance_credentials:
    description:
      - Use the temporary credentials of the agency bound to the ECS instance the module runs on, from the metadata
        service at O(metadata_endpoint), as C(huaweicloudsdkcore) does; they are fetched again before they expire.
      - Never probed unless set. Mutually exclusive with O(access_key), O(secret_key) and O(security_token).
    type: bool
    default: false
  metadata_endpoint:
    description:
      - Base URL of the ECS metadata service for O(instance_credentials).
    type: str
    default: http://169.254.169.254
  sts_endpoint:
    description:
      - Base URL of STS for O(assume_role) with O(assume_role.domain_id). Defaults to C(https://sts.<region>.<cloud>).
      - If not set, E(HUAWEICLOUD_SDK_STS_ENDPOINT) is used.
    type: str
  max_retries:
    description:
      - How often a request is retried after throttling (HTTP 429 C(APIGW.0308)), HTTP 500, 502, 503 or 504, C(APIGW.0613),
        a dropped or reset connection, a timeout or an unreadable answer, with capped exponential backoff and jitter.
        Authentication and validation errors are never retried.
    type: int
    default: 5
"""
