#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: tencent_batch_job
short_description: Delete finished Tencent Cloud Batch Compute jobs
version_added: 1.0.0
description:
  - Deletes Tencent Cloud Batch Compute jobs selected by id, by filters, or both.
  - Looks first with C(DescribeJobs) (up to 100 ids per call, or filters with 100 jobs per page), then deletes only
    what exists with C(DeleteJob), one call per job, several at a time under the client-side O(rate_limit).
  - Only finished jobs (C(SUCCEED) or C(FAILED), with every task instance finished) can be deleted. Others are
    reported in RV(not_deleted) unless O(force=true), which terminates them with C(TerminateJob) and waits
    until they are finished.
author:
  - cloudjobs.cleanup contributors (@cloudjobs)
options:
  job_ids:
    description:
      - Ids of the jobs to delete, for example V(job-f5da1edl). Ids that do not exist are reported in RV(already_absent).
      - Together with O(filters), an id is deleted only if it also matches the filters.
    type: list
    elements: str
    aliases: [job_id]
extends_documentation_fragment:
  - cloudjobs.cleanup.filters.tencent
  - cloudjobs.cleanup.tencentcloud
  - cloudjobs.cleanup.transport
  - cloudjobs.cleanup.cleanup
  - cloudjobs.cleanup.attributes
  - cloudjobs.cleanup.attributes.tencentcloud_group
notes:
  - "Permissions: the CAM actions each way of running needs. Check mode needs C(batch:DescribeJobs), and
    C(batch:DescribeJob) only when a FAILED job is selected, or DescribeJobs refuses an unknown id. A real run with
    O(filters) only needs C(batch:DescribeJobs), C(batch:DeleteJob), and C(batch:DescribeJob) only when a FAILED job is
    selected. A real run with O(job_ids) needs C(batch:DescribeJobs), C(batch:DeleteJob), and C(batch:DescribeJob) only
    when a FAILED job is selected, or DescribeJobs refuses an unknown id. A real run with O(force=true) needs
    C(batch:DescribeJobs), C(batch:DescribeJob), C(batch:TerminateJob), C(batch:DeleteJob). Grant them to the credential
    the module calls with: with O(assume_role), the role; with O(instance_credentials) or O(cam_role_name), the CVM's
    role. Copy-paste policies, exactly when each path is taken, the system policies that suffice and the AWX pattern:
    R(the collection's permissions guide, ansible_collections.cloudjobs.cleanup.docsite.permissions)."
seealso:
  - module: cloudjobs.cleanup.tencent_batch_job_info
"""

EXAMPLES = r"""
- name: Delete one finished job
  cloudjobs.cleanup.tencent_batch_job:
    job_id: job-f5da1edl
    region: ap-guangzhou

- name: Nightly cleanup - finished render jobs older than three days
  cloudjobs.cleanup.tencent_batch_job:
    region: ap-guangzhou
    filters:
      name_pattern: "render-*"
      older_than: 3d
    max_deletions: 1000

- name: Terminate and delete jobs stuck with interrupted instances
  cloudjobs.cleanup.tencent_batch_job:
    region: ap-shanghai
    filters:
      states: [FAILED_INTERRUPTED]
    force: true
    wait_timeout: 1200

- name: Share credentials through module_defaults
  module_defaults:
    group/cloudjobs.cleanup.tencentcloud:
      region: ap-guangzhou
      secret_id: "{{ tencent_secret_id }}"
      secret_key: "{{ tencent_secret_key }}"
  block:
    - name: Delete failed jobs tagged as temporary
      cloudjobs.cleanup.tencent_batch_job:
        filters:
          states: [FAILED]
          tags:
            lifetime: temporary
"""

RETURN = r"""
deleted:
  description:
    - Ids deleted by this run, oldest first (see the notes). In check mode, the ids that would be deleted.
  returned: always
  type: list
  elements: str
already_absent:
  description:
    - Requested ids that did not exist, and selected ids that disappeared before this run deleted them.
  returned: always
  type: list
  elements: str
not_deleted:
  description:
    - Selected records that still exist after the run, with the reason.
    - "When the look itself failed (for example a denied list call): every requested id, with the reason
      V(not attempted: the look failed)."
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The record's id.
      type: str
      returned: always
    reason:
      description:
        - "Why it was not deleted, in a few words (for example V(delete failed), V(selection over max_deletions),
          that the run stopped before it tried this record, V(not attempted: time_budget spent), or
          V(left for the next run: max_deletions_per_run=5000, oldest first)); the whole cause is told once, in the
          task's message and in RV(error). A reason says whether a call was sent for the record: V(not attempted)
          only when none was."
      type: str
      returned: always
    error_code:
      description:
        - The service's error code, when the service refused; for a record not attempted, the code of the error
          that stopped the run.
      type: str
      returned: always
    request_id:
      description:
        - The service's request id of the record's own refused call, for support cases; V(null) for a record no call
          was made for.
      type: str
      returned: always
kept:
  description:
    - Ids that every other filter selects but a retention rule keeps (O(filters.keep_name_patterns), O(filters.keep_latest)); never
      deleted, never a failure. In check mode too; C(--diff) shows them among the records that stay.
  returned: always
  type: list
  elements: str
counts:
  description:
    - How many records the look selected, and how many ended in each list. With the ids in RV(deleted),
      RV(already_absent), RV(not_deleted) and RV(kept), this is the whole report by default (a few dozen bytes a record);
      O(return_records=true) adds the records themselves.
  returned: always
  type: dict
  contains:
    selected:
      description: Records that exist and match the selection (ids that do not exist are not counted).
      type: int
      returned: always
    deleted:
      description: The length of RV(deleted).
      type: int
      returned: always
    already_absent:
      description: The length of RV(already_absent).
      type: int
      returned: always
    not_deleted:
      description: The length of RV(not_deleted).
      type: int
      returned: always
    kept:
      description: The length of RV(kept).
      type: int
      returned: always
    kept_by_rule:
      description:
        - How many of RV(kept) each retention rule kept, by its option name (C(keep_latest),
          C(keep_name_patterns)); a record both rules protect counts under C(keep_name_patterns).
      type: dict
      returned: always
  sample:
    selected: 20000
    deleted: 20000
    already_absent: 0
    not_deleted: 0
    kept: 0
    kept_by_rule:
      keep_latest: 0
      keep_name_patterns: 0
plan:
  description:
    - In check mode (without O(plan)), the reviewed plan of what the run would delete - give it to O(plan) of a later
      run, after a person approved it, to delete exactly these records or fewer. Not returned when the check run was
      refused (for example by O(max_deletions)).
    - A few dozen bytes a planned record, so a plan of thousands of records travels through AWX artifacts, extra vars
      and approval notifications.
  returned: in check mode, without O(plan)
  type: dict
  contains:
    version:
      description: The plan format's version; a release that does not know it refuses the plan.
      type: int
      sample: 1
    module:
      description: The module that made the plan; another module refuses it.
      type: str
      sample: cloudjobs.cleanup.mrs_job_executions
    scope:
      description:
        - Where the planned records live - C(cloud), the service C(endpoint) (scheme, host and port), C(region), and
          per module C(project_id), C(cluster_id), C(api_version). A run with another scope refuses the plan.
      type: dict
      sample: {"cloud": "huaweicloud", "endpoint": "https://mrs.cn-north-4.myhuaweicloud.com:443", "region": "cn-north-4",
               "project_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9", "cluster_id": "c-etl", "api_version": "v2"}
    selection:
      description:
        - The selection options that produced the plan - the ids as given (or V(null)), the O(filters) that were set,
          and O(force). Applying the plan looks again with these.
      type: dict
      sample: {"job_execution_ids": null, "filters": {"older_than": "7d", "keep_latest": 2}, "force": false}
    fields:
      description: The names of the columns of RV(plan.records) - the id, then what made each record qualify.
      type: list
      elements: str
      sample: ["job_id", "job_name", "job_state", "submitted_time"]
    records:
      description:
        - One row per record the run would delete, in the order it would delete them (oldest first) - the id, then
          the values of the other RV(plan.fields) as the API gave them.
      type: list
      elements: list
      sample: [["4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "nightly-etl", "FINISHED", 1733011200000]]
    created_at:
      description: When the check run made the plan (UTC, ISO 8601).
      type: str
      sample: "2026-12-07T22:00:00Z"
    expires_at:
      description: RV(plan.created_at) plus O(plan_ttl); a plan applied later is refused.
      type: str
      sample: "2026-12-08T22:00:00Z"
    digest:
      description: C(sha256:) and the SHA-256 of the plan's canonical JSON without this key; an edited plan is refused.
      type: str
      sample: "sha256:9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f"
plan_applied:
  description: With O(plan), which plan the run applied and how much of it had changed.
  returned: with O(plan)
  type: dict
  contains:
    digest:
      description: The applied plan's digest.
      type: str
      sample: "sha256:9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f"
    created_at:
      description: When the plan was made.
      type: str
      sample: "2026-12-07T22:00:00Z"
    expires_at:
      description: When the plan expires.
      type: str
      sample: "2026-12-08T22:00:00Z"
    planned:
      description: How many records the plan names.
      type: int
      sample: 120
    drifted:
      description:
        - How many of them changed since the plan and were not deleted (in RV(not_deleted), their reason starts
          with C(changed since the plan)).
      type: int
      sample: 2
time_budget_spent:
  description:
    - Set when O(time_budget) ended the run before it was done, to what the run was doing then. V(look) - the
      listing did not finish, so nothing was selected or deleted (a warning says so; the next run looks again).
      V(delete) - the look finished and the run deleted the oldest part of the selection; the rest is in
      RV(not_deleted), left for the next run.
    - Neither fails the task. A shipped playbook reports a cluster, region or service whose look the budget ended as
      not reached.
  returned: when the time budget ended the run
  type: str
  choices: [look, delete]
  sample: delete
jobs:
  description: The selected jobs, with the API's field names in snake_case and tags as a dict.
  returned: when O(return_records=true)
  type: list
  elements: dict
  sample:
    - job_id: job-f5da1edl
      job_name: render-2026-11-20
      job_state: SUCCEED
      priority: 1
      placement:
        zone: ap-guangzhou-3
        project_id: 0
      create_time: "2026-11-20T02:00:00Z"
      end_time: "2026-11-20T02:30:00Z"
      task_metrics:
        succeed_count: 4
        failed_count: 0
      tags:
        lifetime: temporary
error:
  description:
    - The call that failed, when the task failed because a call to the cloud failed (not returned for bad options,
      nor for a guard such as O(max_deletions)).
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
        - The API operation, one of C(DescribeJobs) (list), C(DescribeJob) (one job with its task instances),
          C(TerminateJob) (with O(force)) and C(DeleteJob).
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

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._module import (
    DELETE_ARGUMENT_SPEC,
    check_delete_options,
    run_cleanup,
    run_module,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent import (
    TENCENTCLOUD_ARGUMENT_SPEC,
    TencentCloudConnection,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._plans import Planning
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._tencent_batch import (
    JOB_ID_RULE,
    TENCENT_FILTER_SPEC,
    TencentBatchClient,
    render_job,
    tencent_selection,
    tencent_target,
)


def run(module, connection):
    params = module.params
    check_delete_options(params)
    planning = Planning(params, "cloudjobs.cleanup.tencent_batch_job", "job_ids", TENCENT_FILTER_SPEC,
                        connection.scope, JOB_ID_RULE)
    selection = tencent_selection(planning.ids, planning.filters, force=planning.force)
    target = tencent_target(TencentBatchClient(connection), selection, instances_in_look=module.check_mode)
    return run_cleanup(module, target, "jobs", render_job, control=connection.transport.control, planning=planning)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            TENCENTCLOUD_ARGUMENT_SPEC,
            job_ids=dict(type="list", elements="str", aliases=["job_id"]),
            filters=dict(type="dict", options=TENCENT_FILTER_SPEC),
            **DELETE_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    run_module(module, lambda m: TencentCloudConnection.from_params(m.params, read_only=m.check_mode), run)


if __name__ == "__main__":
    main()
