#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: workspace_scheduled_tasks_info
short_description: List Huawei Cloud Workspace scheduled tasks
version_added: 1.0.0
description:
  - Lists Huawei Cloud Workspace scheduled tasks with the same selectors as
    M(cloudjobs.cleanup.workspace_scheduled_tasks), triggered (C(LIFE_CYCLE)) tasks included. Never changes anything.
author:
  - cloudjobs.cleanup contributors (@cloudjobs)
options:
  task_ids:
    description: Ids of the tasks to list. Ids that do not exist are left out.
    type: list
    elements: str
requirements:
  - tzdata (the Python package) or the system's time-zone database, for O(filters.expired) with named zones
extends_documentation_fragment:
  - cloudjobs.cleanup.filters.workspace
  - cloudjobs.cleanup.huaweicloud
  - cloudjobs.cleanup.transport
  - cloudjobs.cleanup.attributes.info_module
  - cloudjobs.cleanup.attributes.huaweicloud_group
notes:
  - "Permissions: the action names are the same in Huawei's classic policies (Version 1.1) and identity policies
    (Version 5.0). This module needs C(workspace:scheduledTasks:list), and C(workspace:scheduledTasks:get) only with
    O(task_ids). Grant them to the credential the module calls with: with O(assume_role), the agency; with
    O(instance_credentials), the ECS's agency. Copy-paste policies, exactly when each path is taken, the system policies
    that suffice and the AWX pattern: R(the collection's permissions guide,
    ansible_collections.cloudjobs.cleanup.docsite.permissions)."
seealso:
  - module: cloudjobs.cleanup.workspace_scheduled_tasks
"""

EXAMPLES = r"""
- name: List every scheduled task, triggered ones included
  cloudjobs.cleanup.workspace_scheduled_tasks_info:
  register: tasks

- name: List tasks whose last run failed
  cloudjobs.cleanup.workspace_scheduled_tasks_info:
    filters:
      last_status: FAIL
"""

RETURN = r"""
kept:
  description:
    - Ids that every other filter selects but a retention rule keeps (O(filters.keep_name_patterns)); they are not
      listed in RV(scheduled_tasks), as the deleting module would not delete them.
  returned: always
  type: list
  elements: str
scheduled_tasks:
  description: The selected scheduled tasks as the API returned them (C(ScheduledTask) fields).
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0d5c0c8b-7e0e-4a3e-8d3c-5b7f2c5e8a11
      task_name: nightly-reboot
      task_type: REBOOT
      scheduled_type: DAY
      last_status: FAIL
      enable: true
error:
  description:
    - The call that failed, when the task failed because a call to the cloud failed (not returned for bad options).
  returned: on failure
  type: dict
  contains:
    service:
      description:
        - The service, C(Huawei Cloud Workspace) (or C(Huawei Cloud IAM) for C(KeystoneListAuthProjects), when O(project_id) is
          resolved from O(region)).
      type: str
      returned: always
    operation:
      description:
        - The API operation, one of C(ListScheduledTasks) (list) and C(ShowScheduledTasks) (show), or
          C(KeystoneListAuthProjects) (IAM).
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
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._workspace import (
    WORKSPACE_FILTER_SPEC,
    WorkspaceClient,
    workspace_selection,
    workspace_target,
)


def run(module, connection):
    selection = workspace_selection(module.params["task_ids"], module.params["filters"])
    target = workspace_target(WorkspaceClient(connection), selection)
    return run_info(module, target, "scheduled_tasks", dict)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            HUAWEICLOUD_ARGUMENT_SPEC,
            task_ids=dict(type="list", elements="str"),
            filters=dict(type="dict", options=WORKSPACE_FILTER_SPEC),
        ),
        supports_check_mode=True,
    )
    run_module(module, lambda m: HuaweiCloudConnection.from_params(m.params, "workspace", read_only=True), run)


if __name__ == "__main__":
    main()
