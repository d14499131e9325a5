# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The ``filters`` option of each service, shared by its deleting and its _info module (the argument specs are
    # MRS_FILTER_SPEC, WORKSPACE_FILTER_SPEC and TENCENT_FILTER_SPEC in module_utils; validate-modules checks that
    # these docs and the specs agree).
    MRS = r"""
options:
  filters:
    description:
      - Select executions by their attributes. Filters the list API supports are sent to the server; the others are
        applied to each record.
      - Without O(job_execution_ids), the deleting module selects only finished executions (V(FINISHED), V(FAILED),
        V(KILLED)) unless O(filters.states) says otherwise; the C(_info) module lists every state.
    type: dict
    suboptions:
      name:
        description: Exact job name.
        type: str
      name_pattern:
        description: Shell-style pattern the job name must match, for example V(nightly-etl-*). Case-sensitive.
        type: str
      states:
        description:
          - Job states to select. To delete unfinished states (V(NEW), V(NEW_SAVING), V(SUBMITTED), V(ACCEPTED),
            V(RUNNING)), the deleting module requires its C(force) option.
          - With O(api_version=v1.1), V(RUNNING) maps to the numeric states 1 and 2, V(FINISHED) to 3, V(FAILED) to 4 and 5, V(KILLED) to -1.
        type: list
        elements: str
        choices: [NEW, NEW_SAVING, SUBMITTED, ACCEPTED, RUNNING, FINISHED, FAILED, KILLED]
      older_than:
        description:
          - Select executions submitted longer ago than this, for example V(30m), V(12h), V(7d), V(2w) or V(1d12h).
        type: str
      job_types:
        description: Job types to select (v2 only).
        type: list
        elements: str
        choices: [MapReduce, SparkSubmit, HiveScript, HiveSql, DistCp, SparkScript, SparkSql, Flink]
      user:
        description: The user who submitted the job (v2 only).
        type: str
      queue:
        description: The YARN queue of the job (v2 only).
        type: str
      keep_latest:
        description:
          - Retention - for each job name, the N most recent executions (by submit time) in the states the filters select (the
            finished ones unless O(filters.states) says otherwise) are kept, whatever their age; the other filters
            then select from the rest. Their ids are returned in C(kept).
          - Example - executions of one job at 1, 2, 10, 11 and 12 days old, all finished, with V(older_than=7d) and
            V(keep_latest=2) - the two newest are kept, the three older ones are deleted.
          - Records in other states (still running, for example) neither count nor are deleted by this rule. Ties in
            time go to the larger id; a record without a time counts as newest; records without a name form one group.
          - The newest are counted over every execution of the cluster named by C(cluster_id) (also with
            V(api_version=v1.1)), whatever ids are given, so a run that uses this option lists the whole cluster
            (more list requests); without it nothing changes.
        type: int
      keep_name_patterns:
        description:
          - Retention - Executions whose name matches any of these shell-style patterns are kept, whatever else matches;
            their ids are returned in C(kept). With ids, a protected id is kept and does not fail the task.
        type: list
        elements: str
"""

    WORKSPACE = r"""
options:
  filters:
    description:
      - Select tasks by their attributes. C(task_name), C(task_type), C(scheduled_type) and C(last_status) are sent
        to the server; the others are applied to each task.
    type: dict
    suboptions:
      name:
        description: Exact task name.
        type: str
      name_pattern:
        description: Shell-style pattern the task name must match, for example V(tmp-*). Case-sensitive.
        type: str
      task_type:
        description: The task's action.
        type: str
        choices: [START, STOP, REBOOT, HIBERNATE, REBUILD, EXECUTE_SCRIPT, CREATE_SNAPSHOT, DELETE_BLACK_ECS]
      scheduled_type:
        description: How the task is scheduled. V(LIFE_CYCLE) selects triggered tasks.
        type: str
        choices: [FIXED_TIME, DAY, WEEK, MONTH, LIFE_CYCLE]
      last_status:
        description: Result of the task's last execution.
        type: str
        choices: [SUCCESS, SKIP, FAIL]
      enabled:
        description: V(true) selects enabled tasks, V(false) disabled ones.
        type: bool
      expired:
        description:
          - V(true) selects tasks whose C(expire_time) has passed, read in the task's own C(time_zone), V(false)
            those that have not expired or never expire.
          - Nothing is guessed. A task whose expiry cannot be decided (no C(time_zone), a zone this Python
            cannot resolve because it has no time-zone database or does not know the name, an unreadable
            C(expire_time)) is not deleted; the deleting module reports it in C(not_deleted) with the zone and
            what to install, and fails; the C(_info) module leaves it out with a warning that says the same.
          - C(time_zone) may be an IANA zone name (C(Asia/Shanghai)), C(UTC), a fixed offset (C(UTC+08:00)) or a
            Windows zone name (C(China Standard Time)), read as the IANA zone CLDR's windowsZones table maps it to, so
            daylight saving time applies. Windows display names, which start with an offset in parentheses, are not
            understood.
          - Zone names need a time-zone database, the system's (C(/usr/share/zoneinfo)) or the C(tzdata) Python
            package; C(UTC), C(Coordinated Universal Time) and fixed offsets such as C(UTC+08:00) do not.
        type: bool
      keep_name_patterns:
        description:
          - Retention - Tasks whose name matches any of these shell-style patterns are kept, whatever else matches;
            their ids are returned in C(kept). With ids, a protected id is kept and does not fail the task.
          - Scheduled tasks are definitions, not runs, so there is no C(keep_latest) here.
        type: list
        elements: str
"""

    TENCENT = r"""
options:
  filters:
    description:
      - Select jobs by their attributes. Name, states, zone and tags are sent to the server as C(DescribeJobs)
        filters; the others are applied to each job.
      - Without O(job_ids), the deleting module selects only finished jobs (V(SUCCEED), V(FAILED)) unless
        O(filters.states) says otherwise; the C(_info) module lists every state.
    type: dict
    suboptions:
      name:
        description: Exact job name.
        type: str
      name_pattern:
        description: Shell-style pattern the job name must match, for example V(render-*). Case-sensitive.
        type: str
      states:
        description:
          - Job states to select. To delete unfinished states (everything but V(SUCCEED) and V(FAILED)), the deleting
            module requires its C(force) option.
        type: list
        elements: str
        choices: [SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEED, FAILED, FAILED_INTERRUPTED]
      older_than:
        description: Select jobs created longer ago than this, for example V(30m), V(12h), V(7d), V(2w) or V(1d12h).
        type: str
      zone:
        description: Availability zone of the job, for example V(ap-guangzhou-3).
        type: str
      tags:
        description: Tags the job must carry, as a dict of key and value.
        type: dict
      keep_latest:
        description:
          - Retention - for each job name, the N most recent jobs (by create time) in the states the filters select (the
            finished ones unless O(filters.states) says otherwise) are kept, whatever their age; the other filters
            then select from the rest. Their ids are returned in C(kept).
          - Example - executions of one job at 1, 2, 10, 11 and 12 days old, all finished, with V(older_than=7d) and
            V(keep_latest=2) - the two newest are kept, the three older ones are deleted.
          - Records in other states (still running, for example) neither count nor are deleted by this rule. Ties in
            time go to the larger id; a record without a time counts as newest; records without a name form one group.
          - The newest are counted over every job of the region, whatever ids are given, so a run that uses this option lists the whole
            region (more list requests); without it nothing changes.
        type: int
      keep_name_patterns:
        description:
          - Retention - Jobs whose name matches any of these shell-style patterns are kept, whatever else matches;
            their ids are returned in C(kept). With ids, a protected id is kept and does not fail the task.
        type: list
        elements: str
"""
