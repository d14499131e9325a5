#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: tencent_batch_job_info
short_description: List Tencent Cloud Batch Compute jobs
version_added: 1.0.0
description:
  - Lists Tencent Cloud Batch Compute jobs with the same selectors as M(cloudjobs.cleanup.tencent_batch_job).
    Never changes anything.
  - Unlike the deleting module, jobs in every state are listed unless O(filters.states) narrows them.
author:
  - cloudjobs.cleanup contributors (@cloudjobs)
options:
  job_ids:
    description: Ids of the jobs to list. Ids that do not exist are left out.
    type: list
    elements: str
    aliases: [job_id]
extends_documentation_fragment:
  - cloudjobs.cleanup.filters.tencent
  - cloudjobs.cleanup.tencentcloud
  - cloudjobs.cleanup.transport
  - cloudjobs.cleanup.attributes.info_module
  - cloudjobs.cleanup.attributes.tencentcloud_group
notes:
  - "Permissions: the CAM actions each way of running needs. This module needs C(batch:DescribeJobs), and
    C(batch:DescribeJob) only when a FAILED job is selected, or DescribeJobs refuses an unknown id. Grant them to the
    credential the module calls with: with O(assume_role), the role; with O(instance_credentials) or O(cam_role_name),
    the CVM's role. Copy-paste policies, exactly when each path is taken, the system policies that suffice and the AWX
    pattern: R(the collection's permissions guide, ansible_collections.cloudjobs.cleanup.docsite.permissions)."
seealso:
  - module: cloudjobs.cleanup.tencent_batch_job
"""

EXAMPLES = r"""
- name: List jobs that are still running
  cloudjobs.cleanup.tencent_batch_job_info:
    region: ap-guangzhou
    filters:
      states: [RUNNING, STARTING]
  register: running
"""

RETURN = r"""
kept:
  description:
    - Ids that every other filter selects but a retention rule keeps (O(filters.keep_name_patterns), O(filters.keep_latest)); they are not
      listed in RV(jobs), as the deleting module would not delete them.
  returned: always
  type: list
  elements: str
jobs:
  description: The selected jobs, with the API's field names in snake_case and tags as a dict.
  returned: always
  type: list
  elements: dict
  sample:
    - job_id: job-f5da1edl
      job_name: render-2026-11-20
      job_state: RUNNING
      create_time: "2026-11-20T02:00:00Z"
      tags: {}
error:
  description:
    - The call that failed, when the task failed because a call to the cloud failed (not returned for bad options).
  returned: on failure
  type: dict
  contains:
    service:
      description:
        - The service, C(Tencent Cloud Batch).
      type: str
      returned: always
    operation:
      description:
        - The API operation, one of C(DescribeJobs) (list) and C(DescribeJob) (one job with its task instances).
      type: str
      returned: always
    status:
      description:
        - The HTTP status of the answer, V(200) for the service's own errors (API 3.0 reports them inside an HTTP
          200) and another status when a gateway answered instead. V(null) when no answer came (refused connection,
          unknown host, timeout, TLS failure, a request that could not be built).
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
    required_actions:
      description:
        - On a permission denial, the actions that grant the denied operation (the CAM action), from the collection's
          permission table; the task's message names them too. The permissions guide has the minimal policy of
          each module and mode.
      type: list
      elements: str
      returned: on a permission denial
"""

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._supported_python import require_supported_python

require_supported_python()  # first: what follows needs a newer Python than this module file does

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._module import run_info, run_module
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent import (
    TENCENTCLOUD_ARGUMENT_SPEC,
    TencentCloudConnection,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent_batch import (
    TENCENT_FILTER_SPEC,
    TencentBatchClient,
    render_job,
    tencent_selection,
    tencent_target,
)


def run(module, connection):
    selection = tencent_selection(module.params["job_ids"], module.params["filters"], deleting=False)
    return run_info(module, tencent_target(TencentBatchClient(connection), selection), "jobs", render_job)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            TENCENTCLOUD_ARGUMENT_SPEC,
            job_ids=dict(type="list", elements="str", aliases=["job_id"]),
            filters=dict(type="dict", options=TENCENT_FILTER_SPEC),
        ),
        supports_check_mode=True,
    )
    run_module(module, lambda m: TencentCloudConnection.from_params(m.params, read_only=True), run)


if __name__ == "__main__":
    main()
