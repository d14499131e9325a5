# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Options every deleting module shares.
    DOCUMENTATION = r"""
options:
  state:
    description:
      - The only state is V(absent). The module looks first and deletes only what exists, so deleting
        records that are already gone reports C(ok), never an error.
    type: str
    choices: [absent]
    default: absent
  max_deletions:
    description:
      - A guard for unattended runs. When the run would delete more records than this, the task fails before
        deleting anything, and reports every selected record in RV(not_deleted) with a reason that names the guard.
      - V(0) allows no deletion at all, which together with check mode previews a cleanup.
      - What the run would delete is the whole selection, or with O(max_deletions_per_run) the oldest that many of
        it. So a backlog larger than the guard drains in steps without raising the guard, and a filter gone wrong
        still cannot delete more than the guard in one run.
    type: int
  max_deletions_per_run:
    description:
      - Delete at most this many records in this run, the oldest first; every other selected record is reported in
        RV(not_deleted) as left for the next run, which goes on with the oldest. Like a spent O(time_budget), this
        alone does not fail the task (a warning says how many are left).
      - So a backlog larger than O(max_deletions) drains night after night without raising the guard, which counts
        what the run deletes (at most this cap); a cap larger than the guard is refused before any delete.
      - Check mode predicts it exactly (the same oldest records). With O(force), the records that can go now come
        first, then those to stop, oldest first within each.
      - Unset (the default), every selected record is deleted. Zero and negative values are refused.
    type: int
  force:
    description:
      - Stop selected records that are still running, wait until they are finished, then delete them.
      - Without O(force), a selected record that is still running is not deleted and is reported in
        RV(not_deleted). If it was asked for by id, the task fails; if it only matched O(filters), the task
        warns and goes on, so that a nightly cleanup is not failed by a job that is still finishing.
      - Selecting unfinished states in O(filters) requires O(force=true).
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for stopped records to finish when O(force=true).
    type: int
    default: 600
  time_budget:
    description:
      - How long the run may take, for a maintenance window or a job template timeout, as a duration such as V(90s),
        V(45m), V(2h) or V(1h30m) (weeks V(w), days V(d), hours V(h), minutes V(m) and seconds V(s), largest first).
        Counted from the module's start, so building the connection and the listing count too.
      - The budget is per task run, not shared - each task, and each item of a loop, gets all of it, so a loop over
        two regions with V(45s) may take 90 seconds and more. To share one window between tasks, note the time once
        before them, pass each task what is left of the window (the window minus the seconds spent so far, followed
        by V(s)), and skip a task that would start with nothing left, since zero is refused. The shipped playbook
        C(cloudjobs.cleanup.nightly_cleanup) does so with its variable C(cleanup_time_budget) (see
        C(playbooks/tasks/cleanup.yml)), and the
        R(scheduled cleanup guide,ansible_collections.cloudjobs.cleanup.docsite.scheduled_cleanup_awx) shows the
        pattern for tasks of your own.
      - Once it is spent, no new call starts and no wait goes on (for the rate limit, a retry's backoff, a
        C(Retry-After) or the O(force) wait); the calls in flight finish and are reported. Delete calls start oldest
        first, so the records deleted are the oldest of the selection. Every selected record the run did not reach
        is reported in RV(not_deleted) with a reason that names the budget and says whether a call was sent for it.
        These alone do not fail the task - a warning says how many are left - because the next run continues where
        this one stopped.
      - A budget spent before the listing finished deletes nothing and does not fail the task either; a warning says
        so and how many calls the look made. If every run ends so, raise the budget or narrow the selection.
      - A cancel wins over the budget; a run cancelled after its budget was spent fails as cancelled.
      - Ignored in check mode, which predicts the whole selection.
      - Unset (the default), the run takes as long as the selection needs. Zero, negative or malformed values are
        refused before any request.
    type: str
  plan:
    description:
      - A reviewed plan - the RV(plan) a check run of this module returned - to apply instead of selecting. The run
        deletes only the plan's records, and of those only the ones that still exist and still qualify as recorded -
        selected by the plan's own filters and retention rules, with the same name, state and time (for scheduled
        tasks - last status and expiry). Every other plan id is reported - in RV(already_absent) when it is gone, in
        RV(not_deleted) with a reason that starts with C(changed since the plan) when it changed (it runs again, a
        retention rule now keeps it, the filters no longer select it). Such drift does not fail the task; a warning
        counts it. Records that are not in the plan are never touched, whatever they are.
      - Refused before any request, in one line - a plan whose RV(plan.expires_at) has passed, one whose digest does
        not match (it was edited), one of another module or of a plan version this release does not know, and a plan
        given together with the module's ids or O(filters) (the plan replaces them). A plan of another scope (cloud,
        endpoint, region, project, cluster) is refused before any mutating call.
      - The connection options (credentials, region, endpoint, C(cluster_id) and C(api_version) for MRS) are given as
        for the check run. O(max_deletions), O(max_deletions_per_run), O(time_budget) (the oldest planned records
        first), O(force), check mode and C(--diff) work as without a plan. Applying a plan again is harmless - what it
        deleted is already absent.
      - The digest catches a plan changed on the way; it is not a signature. Who may approve and apply a plan is the
        job of AWX's roles and approval nodes (see the
        R(scheduled cleanup guide,ansible_collections.cloudjobs.cleanup.docsite.scheduled_cleanup_awx)).
    type: dict
  plan_ttl:
    description:
      - How long the RV(plan) a check run returns can be applied, as a duration such as V(30m), V(12h) or V(7d).
        Long enough for the approval, short enough that the records the approver saw are still the ones to delete.
      - Applying a plan checks the plan's own RV(plan.expires_at), not this option.
    type: str
    default: 24h
  return_records:
    description:
      - Also return every selected record in full, as the API listed it, under the module's records key
        (C(job_executions), C(scheduled_tasks) or C(jobs)).
      - By default the result holds the ids in RV(deleted), RV(already_absent), RV(not_deleted) and RV(kept), and
        RV(counts) - under 100 bytes a record, so that a cleanup of tens of thousands of records stays small in
        Ansible's output, in AWX job events and in registered variables. The C(_info) modules always return full
        records.
      - With C(--diff), each selected record is shown as one line (id, name, state, time) whatever this option says.
    type: bool
    default: false
notes:
  - Records that another run deletes between this module's look and its delete count as already absent.
  - Deletes go oldest first, by the records' submit or create time (records without one last), so that every run,
    however it ends, removes the oldest history first; RV(deleted) lists the ids in that order, in check mode too.
  - "A cancelled run stops: when the module receives SIGINT, SIGTERM or SIGHUP, or the ansible run that started it
    is gone however it ended (a cancelled or timed-out AWX job, which ansible-runner ends with SIGKILL to the
    process group of C(ansible-playbook); Ctrl-C; a closed terminal), it starts no new call within a second, cuts
    every wait short, lets the calls in flight finish and exits. It watches the processes it runs under up to the
    C(ansible) process that started the run. Records deleted so far stay deleted; the next run looks again and
    continues with what is left. On a remote host over ssh, the module sees its shell end when the connection
    drops; in an execution environment container, the container ends with the job."
  - When some selected records cannot be deleted, the task fails and still returns exactly which records
    were deleted (RV(deleted)) and which were not (RV(not_deleted)). Every requested or selected id ends in
    exactly one of RV(deleted), RV(already_absent) and RV(not_deleted), on success and failure alike.
  - Ids are trimmed of surrounding spaces, so that the ad-hoc form C(ids="a, b") selects C(a) and C(b).
  - The modules need Python 3.9 or newer; on an older Python the task fails with a message naming the Python found.
"""
