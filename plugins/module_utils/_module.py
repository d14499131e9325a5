# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module's ``main()`` shares: the common options, building the connection, and turning
the collection's errors and results into ``exit_json`` / ``fail_json``.

PRIVATE to this collection; no stability promise.
"""

from __future__ import annotations

import time

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import ensure_absent
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, CloudJobsError, check_range
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._plans import PLAN_ARGUMENT_SPEC
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._run_control import RunControl, restore_signal_handlers
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._transport import HAS_REQUESTS, REQUESTS_IMPORT_ERROR

# Options of every deleting module (state, guards and force).
DELETE_ARGUMENT_SPEC = dict(
    state=dict(type="str", default="absent", choices=["absent"]),
    max_deletions=dict(type="int"),
    max_deletions_per_run=dict(type="int"),
    force=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=600),
    return_records=dict(type="bool", default=False),
    time_budget=dict(type="str"),
    **PLAN_ARGUMENT_SPEC
)


def check_delete_options(params):
    check_range(params.get("max_deletions"), "max_deletions", minimum=0)
    check_range(params.get("max_deletions_per_run"), "max_deletions_per_run", minimum=1)
    check_range(params.get("wait_timeout"), "wait_timeout", minimum=1)


def run_module(module, connect, run):
    """Build the connection with ``connect(module)``, call ``run(module, connection)`` and exit.

    ``run`` returns ``(result, failure)``: the module's return values and, when the task must fail
    (a partial failure), the message. Errors of the collection become ``fail_json`` without a traceback.

    Every call of the run passes one gate (``_run_control.RunControl``, on the connection's transport): the
    ``time_budget`` of a deleting module (counted from here, so building the connection and the look count too;
    ignored in check mode), and a cancel - SIGINT or SIGTERM, or the process that started the module exiting -
    after which no call starts and the module exits as soon as the calls in flight are done.
    """
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    handlers = {}
    echo = {"invocation": _invocation(module.params)} if isinstance(module.params.get("plan"), dict) else {}
    try:
        try:
            control = RunControl.from_params(module.params, check_mode=module.check_mode)
            handlers = control.install_signal_handlers()
            connection = connect(module)
            connection.transport.control = control
            try:
                result, failure = run(module, connection)
            finally:
                connection.close()
        except ApiError as error:
            module.fail_json(msg=str(error), error=error.to_dict(), **echo)
        except CloudJobsError as error:  # bad options, missing credentials, a cancel: no traceback
            module.fail_json(msg=str(error), **echo)
    finally:
        restore_signal_handlers(handlers)
    if failure:
        module.fail_json(msg=failure, **dict(result, **echo))
    module.exit_json(**dict(result, **echo))


def _invocation(params):
    """The task's arguments as its result echoes them (``invocation``), a plan shown by its digest and size: a plan of
    20,000 records is 1.4 MB, which the result (every AWX job event, every registered variable) would carry again.
    Secret options are masked all the same (``exit_json`` masks every value of a ``no_log`` option in the result)."""
    plan = params["plan"]
    records = plan.get("records")
    shown = {"digest": plan.get("digest"), "records": len(records) if isinstance(records, list) else None}
    return {"module_args": dict(params, plan=shown)}


def run_cleanup(module, target, records_key, render, control=None, planning=None):
    """The whole of a deleting module's ``run``: the dance, then the result in the module's shape.

    ``control``: the run's gate (the connection's ``transport.control``). Every call passes it; the dance gets only its
    ``pause``, the force wait that a cancel or the budget's end cuts short. Records the time budget or
    ``max_deletions_per_run`` left are reported in ``not_deleted`` and, alone, only warn. A cancel wins over everything
    else: whatever the budget did, a cancelled run fails.

    The result is compact: ids and counts. The selected records, each as ``render`` returns it, under
    ``records_key`` only with ``return_records``; ``--diff`` shows one line per record (``target.diff_line``).

    One path for every outcome: a failed look, the ``max_deletions`` guard, a fatal error halfway and a
    partial failure all return the same keys as a success, with what was (not) deleted and why.

    ``planning`` (a ``_plans.Planning``): a check run returns the ``plan`` of what it would delete; a run given a plan
    deletes only what still qualifies of it, reports the rest as drift or already absent, and returns
    ``plan_applied``. A plan of another scope is refused here, before the look.
    """
    target.full_records = module.params["return_records"]
    if planning is not None:
        planning.check_scope()
    result = ensure_absent(
        target,
        check_mode=module.check_mode,
        force=module.params["force"],
        max_deletions=module.params["max_deletions"],
        max_deletions_per_run=module.params.get("max_deletions_per_run"),
        wait_timeout=module.params["wait_timeout"],
        sleep=control.pause if control is not None else time.sleep,
        plan=planning.plan if planning is not None else None,
    )
    cancelled = control.cancelled() if control is not None else None
    if cancelled is not None and (result.unreached or result.look_stopped):
        result.cancel(cancelled)  # the budget stopped the run, and then it was cancelled: the report says cancelled
    values = result.as_dict(records_key, render if module.params["return_records"] else None,
                            diff_line=target.diff_line if module._diff else None, noun=target.noun)
    if planning is not None:
        values.update(planning.returned(target, result, module.check_mode))
    if result.look_stopped:
        module.warn("%s (%d calls were made)" % (result.look_stopped, control.calls_admitted if control else 0))
    elif result.unreached:
        module.warn("%s: %d selected %s(s) were not reached and are left for the next run, which goes on with the "
                    "oldest (see not_deleted); this run deleted %d" % (result.budget_stop, len(result.unreached),
                                                                       target.noun, len(result.deleted)))
    if result.left:
        module.warn("max_deletions_per_run=%d: %d more selected %s(s) are left for the next run, which goes on with the "
                    "oldest (see not_deleted)" % (module.params["max_deletions_per_run"], len(result.left), target.noun))
    if result.drifted:
        module.warn("%d of the plan's %d %s(s) changed since the plan and were not deleted (see not_deleted)"
                    % (len(result.drifted), len(planning.plan.ids), target.noun))
    if result.skipped:
        module.warn("%d selected %s(s) are not finished and were left alone (see not_deleted)%s"
                    % (len(result.skipped), target.noun, "; set force=true to stop and delete them" if target.can_stop else ""))
    return values, (result.failure_message(target.noun) if result.failed else None)


def run_info(module, target, records_key, render):
    """The whole of an ``_info`` module's ``run``: the same look, nothing else.

    It lists what the deleting module would select: the records a retention rule keeps are left out and their
    ids returned in ``kept``; a record the filters cannot decide on is left out with a warning that says why.
    """
    records, _absent = target.look()
    listed, kept = [], []
    for record in records:
        if target.kept(record) is not None:
            kept.append(target.record_id(record))
            continue
        why = target.undecidable(record)
        if why is None:
            listed.append(record)
        else:
            module.warn("%s %s is not listed: %s" % (target.noun, target.record_id(record), why))
    return {"changed": False, records_key: [render(r) for r in listed], "kept": kept}, None
