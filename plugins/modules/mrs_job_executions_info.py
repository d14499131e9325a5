#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: mrs_job_executions_info
short_description: List Huawei Cloud MRS job executions
version_added: 1.0.0
description:
  - Lists job executions of a Huawei Cloud MapReduce Service (MRS) cluster with the same selectors as
    M(cloudjobs.cleanup.mrs_job_executions). Never changes anything.
  - Unlike the deleting module, executions in every state are listed unless O(filters.states) narrows them.
author:
  - cloudjobs.cleanup contributors (@cloudjobs)
options:
  cluster_id:
    description:
      - The MRS cluster. Required with O(api_version=v2), and with O(api_version=v1.1) to select by O(filters).
    type: str
  api_version:
    description: V(v2) uses the current per-cluster job API, V(v1.1) the deprecated one.
    type: str
    choices: [v2, v1.1]
    default: v2
  job_execution_ids:
    description: Ids of the executions to list. Ids that do not exist are left out.
    type: list
    elements: str
extends_documentation_fragment:
  - cloudjobs.cleanup.filters.mrs
  - cloudjobs.cleanup.huaweicloud
  - cloudjobs.cleanup.transport
  - cloudjobs.cleanup.attributes.info_module
  - cloudjobs.cleanup.attributes.huaweicloud_group
notes:
  - "Permissions: actions are given by their names in Huawei's classic policies (Version 1.1); identity policies
    (Version 5.0) name them C(mrs:cluster:listJobs) for C(mrs:job:list), C(mrs:cluster:getJob) for C(mrs:job:get), and
    either name grants the call. This module needs C(mrs:job:list), and C(mrs:job:get) only with O(job_execution_ids).
    With O(api_version=v1.1), this module needs C(mrs:job:list), and C(mrs:job:get) only with O(job_execution_ids).
    Grant them to the credential the module calls with: with O(assume_role), the agency; with O(instance_credentials),
    the ECS's agency. Copy-paste policies, exactly when each path is taken, the system policies that suffice and the AWX
    pattern: R(the collection's permissions guide, ansible_collections.cloudjobs.cleanup.docsite.permissions)."
seealso:
  - module: cloudjobs.cleanup.mrs_job_executions
"""

EXAMPLES = r"""
- name: List running executions of a cluster
  cloudjobs.cleanup.mrs_job_executions_info:
    cluster_id: "{{ mrs_cluster_id }}"
    filters:
      states: [RUNNING, ACCEPTED]
  register: running

- name: Show what a nightly cleanup would select
  cloudjobs.cleanup.mrs_job_executions_info:
    cluster_id: "{{ mrs_cluster_id }}"
    filters:
      states: [FINISHED, FAILED, KILLED]
      older_than: 7d
"""

RETURN = r"""
kept:
  description:
    - Ids that every other filter selects but a retention rule keeps (O(filters.keep_name_patterns), O(filters.keep_latest)); they are not
      listed in RV(job_executions), as the deleting module would not delete them.
  returned: always
  type: list
  elements: str
job_executions:
  description: The selected executions as the API returned them (v2 C(JobQueryBean) or v1.1 C(JobExeResult) fields).
  returned: always
  type: list
  elements: dict
  sample:
    - job_id: 981374c1-85da-44ee-be32-edfb4fba776c
      job_name: SparkSubmitTest
      job_state: RUNNING
      job_result: UNDEFINED
      job_type: SparkSubmit
      submitted_time: 1564714763119
error:
  description:
    - The call that failed, when the task failed because a call to the cloud failed (not returned for bad options).
  returned: on failure
  type: dict
  contains:
    service:
      description:
        - The service, C(Huawei Cloud MRS) (or C(Huawei Cloud IAM) for C(KeystoneListAuthProjects), when O(project_id) is resolved
          from O(region)).
      type: str
      returned: always
    operation:
      description:
        - The API operation, one of C(ShowJobExeListNew) (list), C(ShowSingleJobExe) (show); with
          O(api_version=v1.1) C(ListExecuteJob) and C(ShowJobExes), or C(KeystoneListAuthProjects) (IAM).
      type: str
      returned: always
    status:
      description:
        - The HTTP status of the answer. V(null) when no answer came (refused connection, unknown host, timeout, TLS
          failure, a request that could not be built).
      type: int
      returned: always
    error_code:
      description:
        - The service's error code or, when it gave none, the transport's - C(ConnectionRefused),
          C(NameResolutionError), C(InvalidURL) (a wrong endpoint, never retried), C(ConnectionError) (a dropped or
          reset connection), C(Timeout), C(SSLError), C(MalformedResponse), C(InvalidRequest) or C(HTTP<status>).
      type: str
      returned: always
    message:
      description: The service's error message, or what went wrong on the way.
      type: str
      returned: always
    request_id:
      description:
        - The service's request id, for support cases. V(null) when the service gave none (no answer, or an answer
          from a gateway rather than the service).
      type: str
      returned: always
    attempts:
      description: How many times the call was sent before the module gave up (retries included).
      type: int
      returned: always
    host:
      description: The endpoint the call went to, as C(scheme://host:port) (never a path or a query).
      type: str
      returned: always
    error_detail:
      description: What the service said beyond its code and message (its C(error_detail)).
      type: str
      returned: when the service gave it
    encoded_authorization_message:
      description:
        - On a permission denial, the service's encoded account of which policy refused the call. Decode it with
          STS C(DecodeAuthorizationMessage) (C(POST /v5/decode-authorization-message)), which needs the action
          C(sts::decodeAuthorizationMessage).
      type: str
      returned: when the service gave it
    required_actions:
      description:
        - On a permission denial, the actions that grant the denied operation (the classic policy name first, then
          its identity-policy alias; either one suffices), from the collection's permission table; the task's
          message names them too. The permissions guide has the minimal policy of each module and mode.
      type: list
      elements: str
      returned: on a permission denial
"""

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._supported_python import require_supported_python

require_supported_python()  # first: what follows needs a newer Python than this module file does

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei import (
    HUAWEICLOUD_ARGUMENT_SPEC,
    HuaweiCloudConnection,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._module import run_info, run_module
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._mrs import (
    MRS_FILTER_SPEC,
    MrsClient,
    mrs_selection,
    mrs_target,
)


def run(module, connection):
    params = module.params
    selection = mrs_selection(params["job_execution_ids"], params["filters"], deleting=False)
    target = mrs_target(MrsClient(connection), selection, cluster_id=params["cluster_id"],
                        api_version=params["api_version"])
    return run_info(module, target, "job_executions", dict)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            HUAWEICLOUD_ARGUMENT_SPEC,
            cluster_id=dict(type="str"),
            api_version=dict(type="str", default="v2", choices=["v2", "v1.1"]),
            job_execution_ids=dict(type="list", elements="str"),
            filters=dict(type="dict", options=MRS_FILTER_SPEC),
        ),
        supports_check_mode=True,
    )
    run_module(module, lambda m: HuaweiCloudConnection.from_params(m.params, "mrs", read_only=True), run)


if __name__ == "__main__":
    main()
