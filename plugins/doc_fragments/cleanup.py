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
      - A guard for unattended runs. When the selection holds more records to delete than this, the task
        fails before deleting anything, and reports every selected record in RV(not_deleted) with a reason that
        names the guard.
      - V(0) allows no deletion at all, which together with check mode previews a cleanup.
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
      - Once it is spent, no new stop or delete call starts; the calls in flight finish and are reported. Every
        selected record the run did not reach is reported in RV(not_deleted) with a reason that names the budget.
        These alone do not fail the task - a warning says how many are left - because deletes go oldest first and
        the next run continues where this one stopped.
      - A budget too short to finish the listing deletes nothing and fails the task; raise it, or narrow the
        selection.
      - Ignored in check mode, which predicts the whole selection.
      - Unset (the default), the run takes as long as the selection needs. Zero, negative or malformed values are
        refused before any request.
    type: str
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
  - "A cancelled run stops: when the module receives SIGINT or SIGTERM, or the process that started it exits (a
    cancelled AWX job, Ctrl-C on C(ansible-playbook)), it starts no new call, lets the calls in flight finish and
    exits. Records deleted so far stay deleted; the next run looks again and continues with what is left."
  - When some selected records cannot be deleted, the task fails and still returns exactly which records
    were deleted (RV(deleted)) and which were not (RV(not_deleted)). Every requested or selected id ends in
    exactly one of RV(deleted), RV(already_absent) and RV(not_deleted), on success and failure alike.
  - Ids are trimmed of surrounding spaces, so that the ad-hoc form C(ids="a, b") selects C(a) and C(b).
  - The modules need Python 3.9 or newer; on an older Python the task fails with a message naming the Python found.
"""
