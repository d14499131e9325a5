#!/usr/bin/env python
"""The permissions guide and each module's "Permissions:" note, generated from the permission table.

    python tests/docs_site/permissions_page.py           write docs/docsite/rst/permissions.rst and rewrite the
                                                         "Permissions:" entry of each module's notes
    python tests/docs_site/permissions_page.py --check   exit 1, saying what differs, when the committed files are
                                                         not what the table renders

The actions come from plugins/module_utils/_permissions.py (PERMISSIONS, the one table the modules' error messages
use, and its policy and message helpers); which operations each way of running a module calls - always, or only on
a named path - is the mode table below (MODES, MODULE_MODES, SYSTEM_POLICIES), docs and test data that a module run
never needs. Change the tables, then run this script: never edit the page or the notes entry by hand.
tests/docs_site/test_permissions_page.py checks that the committed files are what this renders, and
tests/e2e/test_least_privilege.py proves each mode's policy end to end.

``render_page()``, ``render_note(module)`` and the mode table are importable; the operation table is loaded by its
file path (it imports only the standard library), so the script runs from a plain checkout, without the
ansible_collections layout.
"""

import argparse
import difflib
import importlib.util
import json
import os
import re
import sys
import textwrap
from collections import namedtuple

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLE = os.path.join("plugins", "module_utils", "_permissions.py")
PAGE = os.path.join("docs", "docsite", "rst", "permissions.rst")
MODULES_DIR = os.path.join("plugins", "modules")

LABEL = "ansible_collections.cloudjobs.cleanup.docsite.permissions"
AWX_LABEL = "ansible_collections.cloudjobs.cleanup.docsite.scheduled_cleanup_awx"
EMULATOR_LABEL = "ansible_collections.cloudjobs.cleanup.docsite.emulator"
AUTH_LABEL = "ansible_collections.cloudjobs.cleanup.docsite.authentication"
NOTE_PREFIX = "Permissions:"
WIDTH = 120


def _load_table():
    spec = importlib.util.spec_from_file_location("cloudjobs_cleanup_permissions", os.path.join(REPO, TABLE))
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)
    return table


P = _load_table()


# -- the ways of running a module, and what each one calls -----------------------------------------------------------
# Read from the client code (plugins/module_utils/_mrs.py, _workspace.py, _tencent_batch.py, _batches.py) and measured
# with the emulator's request log; tests/e2e/test_least_privilege.py runs each mode's plain path under exactly its
# "always" actions, takes each of them away, and runs each named path with and without its action. Texts mark options
# O(name), as the modules' docs do; the page shows them as literals.
class Need(namedtuple("Need", "service operation when detail")):
    """One operation a mode calls: on every run of it (``when`` None), or only on the path ``when`` names in a few
    words (the modules' notes); ``detail`` says exactly when (the page)."""

    @property
    def key(self):
        return (self.service, self.operation)

    @property
    def permission(self):
        return P.PERMISSIONS[self.key]


def always(service, *operations):
    return tuple(Need(service, operation, None, None) for operation in operations)


def only(service, operation, when, detail):
    return (Need(service, operation, when, detail),)


def _names(permissions, system):
    names = []
    for permission in permissions:
        name = permission.names.get(system)
        if name and name not in names:
            names.append(name)
    return names


class Mode(namedtuple("Mode", "key cloud title label modules plain needs credential")):
    """One way of running the modules. ``needs``: every operation it may call, always or only on a named path; the
    always ones are those its plain path (``plain``) calls. ``label``: how the modules' notes name it (None for a
    look-only mode: "check mode", or "this module" in an _info module's notes). ``credential`` modes add to any other:
    their actions belong to the credential the module starts from, the others' to the one it ends up with (an assumed
    agency or role, an instance's agency or role)."""

    @property
    def operations(self):
        """The ``(service, operation)`` keys of ``PERMISSIONS`` the mode may call, the always ones first."""
        return tuple(need.key for need in self.always() + self.conditional())

    def always(self):
        return [need for need in self.needs if need.when is None]

    def conditional(self):
        return [need for need in self.needs if need.when is not None]

    def permissions(self):
        return [need.permission for need in self.always() + self.conditional()]

    def actions(self, system):
        """The actions every run of the mode needs in ``system``, in order, each once: its minimal policy."""
        return _names([need.permission for need in self.always()], system)

    def conditional_actions(self, system):
        """``[(action, need)]``: the actions only some paths need in ``system`` (those the always ones do not grant)."""
        granted, found = set(self.actions(system)), []
        for need in self.conditional():
            name = need.permission.names.get(system)
            if name and name not in granted and name not in [n for n, _need in found]:
                found.append((name, need))
        return found

    @property
    def cluster_scoped(self):
        """Whether an identity policy can scope the mode's MRS actions to one cluster: the v2 paths name the cluster;
        a v1.1 path does not, and a call the service cannot place in one cluster (the show of an unknown id, a
        listing without cluster_id) is judged on any cluster, so a policy scoped to one refuses it."""
        return self.key.startswith("mrs_") and not self.key.startswith("mrs_v11_")

    def every_action(self, system):
        """The actions of every path of the mode: the always ones, then those only some paths need."""
        return self.actions(system) + [name for name, _need in self.conditional_actions(system)]


MRS, V11, WORKSPACE, BATCH = "mrs", "mrs", "workspace", "batch"
_MRS_RECHECK = (
    "on the re-check that follows a batch delete MRS refuses because members may be gone (another run deleted them: "
    "0176, 0201) or answers with a 404 without an MRS not-found code: a single id still to delete is shown, and so "
    "are several when they are no more than the cluster's pages of 100 executions (else one count and one listing)")
_MRS_SEVERAL = (
    "with more than one id: one count of the cluster's executions first, then one listing when that takes fewer "
    "calls than a show per id (the re-check after a refused batch delete does the same); and with "
    "O(filters.keep_latest), whose newest executions are counted in a listing")
_V11_LISTING = (
    "when a show or a delete is answered with a 404 that carries no MRS not-found code (0176, 0201): one listing of "
    "the cluster (of the project without O(cluster_id)) tells whether those executions are gone; and with "
    "O(filters.keep_latest), whose newest executions are counted in a listing")
_WORKSPACE_IDS_READ = (
    "with O(task_ids): one id is shown (unless O(filters.last_status) or O(filters.enabled) is set: those fields are "
    "only listed); several are looked for on the first pages of the two listings (scheduled and LIFE_CYCLE tasks), "
    "and those not there are shown when they are fewer than the listings' further pages of 50 tasks (else both "
    "listings are read whole)")
_WORKSPACE_RECHECK = (
    "on the re-check that follows a batch delete Workspace refuses with a 4xx (members may be gone: another run "
    "deleted them): the ids still to delete that are not on the listings' first pages are shown one by one when they "
    "are fewer than the listings' further pages of 50 tasks (else both listings are read whole)")
_WORKSPACE_LISTING = (
    "with more than one id, or with O(filters.last_status) or O(filters.enabled) (fields only the listing has): the "
    "first pages of the two listings, then all pages when that takes fewer calls than a show per id (the re-check "
    "after a refused batch delete does the same); and when Workspace refuses a show or a delete with a 4xx: only "
    "the listing can tell whether the task is gone")
_TENCENT_FAILED = (
    "for each FAILED job the look selects: DescribeJobs does not count a job's task instances, which may still be "
    "running")
_TENCENT_UNKNOWN_ID = (
    "and with O(job_ids), for each id when the service refuses DescribeJobs for an unknown id "
    "(ResourceNotFound.Job, on some deployments)")

MODES = (
    Mode("mrs_read", P.HUAWEI, "MRS v2, look only: the _info module, and check mode", None,
         ("mrs_job_executions_info", "mrs_job_executions"), "O(filters) select the executions, one listing reads them",
         always(MRS, "ShowJobExeListNew")
         + only(MRS, "ShowSingleJobExe", "with O(job_execution_ids)",
                "with O(job_execution_ids): one id is shown, and so are several when they are no more than the "
                "cluster's pages of 100 executions (else one count and one listing)"),
         False),
    Mode("mrs_filters", P.HUAWEI, "MRS v2, a real run with filters only (no ids, no force): the nightly cleanup",
         "a real run with O(filters) only", ("mrs_job_executions",),
         "the listing, then batch deletes; a re-check after a refused batch delete that counts and lists the "
         "cluster needs nothing more",
         always(MRS, "ShowJobExeListNew", "BatchDeleteJobs")
         + only(MRS, "ShowSingleJobExe", "on the re-check after a refused batch delete", _MRS_RECHECK),
         False),
    Mode("mrs_ids", P.HUAWEI, "MRS v2, a real run with job_execution_ids", "a real run with O(job_execution_ids)",
         ("mrs_job_executions",), "one id, one show of it, then one batch delete",
         always(MRS, "ShowSingleJobExe", "BatchDeleteJobs")
         + only(MRS, "ShowJobExeListNew", "with several ids or O(filters.keep_latest)", _MRS_SEVERAL),
         False),
    Mode("mrs_force", P.HUAWEI, "MRS v2, a real run with force=true (kills unfinished executions first)",
         "a real run with O(force=true)", ("mrs_job_executions",),
         "O(filters) select a running execution; the listing, the kill, a show of each killed execution until it "
         "has finished, then batch deletes (with one id instead of O(filters), no listing)",
         always(MRS, "ShowJobExeListNew", "ShowSingleJobExe", "StopJob", "BatchDeleteJobs"),
         False),
    Mode("mrs_v11_read", P.HUAWEI, "MRS api_version v1.1, look only: the _info module, and check mode", None,
         ("mrs_job_executions_info", "mrs_job_executions"), "O(filters) select the executions, one listing reads them",
         always(V11, "ListExecuteJob")
         + only(V11, "ShowJobExes", "with O(job_execution_ids)",
                "with O(job_execution_ids): one show per id (a show answered with a 404 that carries no MRS "
                "not-found code is then looked for in one listing)"),
         False),
    Mode("mrs_v11_filters", P.HUAWEI, "MRS api_version v1.1, a real run with filters only",
         "a real run with O(filters) only", ("mrs_job_executions",),
         "the listing of the cluster, then one delete per execution (a delete answered with a 404 that carries no "
         "MRS not-found code is re-checked in a listing too)",
         always(V11, "ListExecuteJob", "DeleteJobExecution"),
         False),
    Mode("mrs_v11_ids", P.HUAWEI, "MRS api_version v1.1, a real run with job_execution_ids",
         "a real run with O(job_execution_ids)", ("mrs_job_executions",),
         "one show per id, then one delete per execution",
         always(V11, "ShowJobExes", "DeleteJobExecution")
         + only(V11, "ListExecuteJob", "when a show or a delete answers a 404 without an MRS not-found code, or "
                "with O(filters.keep_latest)", _V11_LISTING),
         False),
    Mode("workspace_read", P.HUAWEI, "Workspace, look only: the _info module, and check mode", None,
         ("workspace_scheduled_tasks_info", "workspace_scheduled_tasks"),
         "O(filters) select the tasks, the two listings (scheduled and LIFE_CYCLE tasks) read them",
         always(WORKSPACE, "ListScheduledTasks")
         + only(WORKSPACE, "ShowScheduledTasks", "with O(task_ids)", _WORKSPACE_IDS_READ),
         False),
    Mode("workspace_filters", P.HUAWEI, "Workspace, a real run with filters only (no ids): the nightly cleanup",
         "a real run with O(filters) only", ("workspace_scheduled_tasks",),
         "the two listings, then batch deletes; a re-check after a refused batch delete that reads the listings "
         "needs nothing more",
         always(WORKSPACE, "ListScheduledTasks", "BatchDeleteScheduledTasks")
         + only(WORKSPACE, "ShowScheduledTasks", "on the re-check after a refused batch delete", _WORKSPACE_RECHECK),
         False),
    Mode("workspace_ids", P.HUAWEI, "Workspace, a real run with task_ids", "a real run with O(task_ids)",
         ("workspace_scheduled_tasks",), "one id, one show of it, then one batch delete",
         always(WORKSPACE, "ShowScheduledTasks", "BatchDeleteScheduledTasks")
         + only(WORKSPACE, "ListScheduledTasks", "with several ids, O(filters.last_status) or O(filters.enabled), "
                "or when a show or a delete is refused", _WORKSPACE_LISTING),
         False),
    Mode("tencent_read", P.TENCENT, "Tencent Batch, look only: the _info module, and check mode", None,
         ("tencent_batch_job_info", "tencent_batch_job"), "no FAILED job is selected, one DescribeJobs call per page",
         always(BATCH, "DescribeJobs")
         + only(BATCH, "DescribeJob", "when a FAILED job is selected, or DescribeJobs refuses an unknown id",
                "%s; %s" % (_TENCENT_FAILED, _TENCENT_UNKNOWN_ID)),
         False),
    Mode("tencent_filters", P.TENCENT, "Tencent Batch, a real run with filters only (no ids, no force): the nightly "
         "cleanup", "a real run with O(filters) only", ("tencent_batch_job",),
         "no FAILED job is selected; DescribeJobs, then one DeleteJob per job (a job another run deleted meanwhile "
         "is answered ResourceNotFound.Job, and reported already absent)",
         always(BATCH, "DescribeJobs", "DeleteJob")
         + only(BATCH, "DescribeJob", "when a FAILED job is selected", _TENCENT_FAILED),
         False),
    Mode("tencent_ids", P.TENCENT, "Tencent Batch, a real run with job_ids", "a real run with O(job_ids)",
         ("tencent_batch_job",), "no FAILED job among the ids; one DescribeJobs, then one DeleteJob per job",
         always(BATCH, "DescribeJobs", "DeleteJob")
         + only(BATCH, "DescribeJob", "when a FAILED job is selected, or DescribeJobs refuses an unknown id",
                "%s; %s" % (_TENCENT_FAILED, _TENCENT_UNKNOWN_ID)),
         False),
    Mode("tencent_force", P.TENCENT, "Tencent Batch, a real run with force=true (terminates unfinished jobs first)",
         "a real run with O(force=true)", ("tencent_batch_job",),
         "a running job is selected; DescribeJobs, TerminateJob, DescribeJob of each terminated job until it has "
         "finished, one DeleteJob per job",
         always(BATCH, "DescribeJobs", "DescribeJob", "TerminateJob", "DeleteJob"),
         False),
    Mode("huawei_project_lookup", P.HUAWEI, "Huawei, region without project_id (the project is looked up)", None,
         None, None, always("iam", "KeystoneListAuthProjects"), True),
    Mode("huawei_assume_role", P.HUAWEI, "Huawei, assume_role without domain_id (IAM securitytokens)", None,
         None, None, always("iam", "CreateTemporaryAccessKeyByAgency"), True),
    Mode("huawei_assume_role_sts", P.HUAWEI, "Huawei, assume_role with domain_id (STS AssumeAgency)", None,
         None, None, always("sts", "AssumeAgency"), True),
    Mode("huawei_instance", P.HUAWEI, "Huawei, instance_credentials (the ECS's agency)", None,
         None, None, always("metadata", "MetadataApiToken", "MetadataSecurityKey"), True),
    Mode("tencent_assume_role", P.TENCENT, "Tencent, assume_role", None, None, None, always("sts", "AssumeRole"),
         True),
    Mode("tencent_instance", P.TENCENT, "Tencent, instance_credentials or cam_role_name (the CVM's role)", None,
         None, None, always("metadata", "CamRoleName", "CamSecurityCredentials"), True),
)
MODES_BY_KEY = {mode.key: mode for mode in MODES}

# The modules whose documentation notes name the actions, and the modes each one's notes cover, in that order.
MODULE_MODES = {
    "mrs_job_executions": ("mrs_read", "mrs_filters", "mrs_ids", "mrs_force", "mrs_v11_read", "mrs_v11_filters",
                           "mrs_v11_ids"),
    "mrs_job_executions_info": ("mrs_read", "mrs_v11_read"),
    "workspace_scheduled_tasks": ("workspace_read", "workspace_filters", "workspace_ids"),
    "workspace_scheduled_tasks_info": ("workspace_read",),
    "tencent_batch_job": ("tencent_read", "tencent_filters", "tencent_ids", "tencent_force"),
    "tencent_batch_job_info": ("tencent_read",),
}

# System (preset) policies that already grant every action of a mode (those of every path), from the vendors'
# published policy contents: ``{mode key: [(policy, what to know)]}``. A mode not listed has none to name.
_MRS_ALL = ("MRS FullAccess", "everything in MRS")
_MRS_COMMON = ("MRS CommonOperations", "mrs:*:get*, mrs:*:list*, and job submit, stop, delete and batchDelete; "
               "no cluster changes")
SYSTEM_POLICIES = {
    "mrs_read": [("MRS ReadOnlyAccess", "read only; its published description, not its action list, says so"),
                 _MRS_COMMON, _MRS_ALL],
    "mrs_filters": [_MRS_COMMON, _MRS_ALL],
    "mrs_ids": [_MRS_COMMON, _MRS_ALL],
    "mrs_force": [_MRS_COMMON, _MRS_ALL],
    "mrs_v11_read": [("MRS ReadOnlyAccess", "read only"), _MRS_COMMON, _MRS_ALL],
    "mrs_v11_filters": [_MRS_COMMON, _MRS_ALL],
    "mrs_v11_ids": [_MRS_COMMON, _MRS_ALL],
    "workspace_read": [("Workspace ReadOnlyAccess", "read only; that it covers scheduled tasks is UNCONFIRMED"),
                       ("Workspace FullAccess", "everything in Workspace")],
    "workspace_filters": [("Workspace FullAccess", "everything in Workspace")],
    "workspace_ids": [("Workspace FullAccess", "everything in Workspace")],
    "tencent_read": [("QcloudBatchReadOnlyAccess", "read only: DescribeJobs, DescribeJob"),
                     ("QcloudBatchFullAccess", "read and write on every Batch resource")],
    "tencent_filters": [("QcloudBatchFullAccess", "read and write on every Batch resource")],
    "tencent_ids": [("QcloudBatchFullAccess", "read and write on every Batch resource")],
    "tencent_force": [("QcloudBatchFullAccess", "read and write on every Batch resource")],
}

# The placeholders of the copy-paste policies.
REGION, ACCOUNT, CLUSTER = "<region>", "<account-id>", "<cluster-id>"
OWNER_UIN, TRUSTED_UIN = "<owner-uin>", "<trusted-uin>"
# A realistic denial, for the example message.
EXAMPLE_REGION = "cn-north-4"
EXAMPLE_ACCOUNT = "0d0e0f1a2b3c4d5e6f7a8b9c0d1e2f3a"
EXAMPLE_CLUSTER = "6bd5a2b7-7a5c-4b26-9b44-7a0b22a2bfbe"
EXAMPLE_REQUEST_ID = "3f6c1d2e8a9b4c7d9e0f1a2b3c4d5e6f"
# The real runs the shipped playbooks make (nightly_cleanup, fan_out_cleanup: api_version v2, no force).
AWX_RUN_MODES = ("mrs_filters", "workspace_filters", "tencent_filters")
# A Tencent role's trust policy that lets one account assume it.
TRUST_POLICY = {"version": "2.0", "statement": [
    {"action": "name/sts:AssumeRole", "effect": "allow", "principal": {"qcs": ["qcs::cam::uin/%s:root" % TRUSTED_UIN]}},
]}
CLOUD_LABELS = {P.HUAWEI: "Huawei Cloud", P.TENCENT: "Tencent Cloud"}
SYSTEM_TITLES = {P.CLASSIC: "Huawei classic policy (Version 1.1)", P.IDENTITY: "Huawei identity policy (Version 5.0)",
                 P.CAM: "Tencent CAM policy"}


# -- reStructuredText -----------------------------------------------------------------------------------------------
def lit(text):
    return "``%s``" % text


def lits(names):
    return ", ".join(lit(n) for n in names)


def heading(text, char):
    return [text, char * len(text), ""]


def para(text, indent="", first=None):
    """A paragraph wrapped at WIDTH; ``first`` starts its first line (a bullet, a footnote label)."""
    first = indent if first is None else first
    return textwrap.wrap(text, width=WIDTH, initial_indent=first, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False) + [""]


def bullets(items):
    lines = []
    for item in items:
        lines += para(item, "  ", "* ")[:-1]
    return lines + [""]


def code_block(language, text, caption=None, indent=""):
    lines = [indent + ".. code-block:: %s" % language]
    if caption:
        lines.append(indent + "   :caption: %s" % caption)
    lines.append("")
    lines += [(indent + "   " + line) if line else "" for line in text.split("\n")]
    return lines + [""]


def list_table(header, rows, widths=None, title=None):
    """A list-table; each cell is a list of lines (or a string, one paragraph)."""
    lines = [".. list-table::" + (" " + title if title else ""), "   :header-rows: 1"]
    if widths:
        lines.append("   :widths: %s" % " ".join(str(w) for w in widths))
    lines.append("")
    for row in [header] + rows:
        for i, cell in enumerate(row):
            cell_lines = [cell] if isinstance(cell, str) else list(cell)
            while cell_lines and not cell_lines[-1]:
                cell_lines.pop()
            first = "   * - " if i == 0 else "     - "
            if not cell_lines or not cell_lines[0]:
                lines.append(first.rstrip())
                continue
            lines.append(first + cell_lines[0])
            lines += [("       " + line) if line else "" for line in cell_lines[1:]]
    return lines + [""]


def policy_json(policy):
    return json.dumps(policy, indent=2)


ACTION_LIKE = re.compile(r"(?<![\w`])([a-z]+:[\w*:]+)")


def prose(text):
    """The table's free text as reStructuredText: action names and patterns (``mrs:*:get*``) as literals."""
    return ACTION_LIKE.sub(r"``\1``", text)


# -- what the table says --------------------------------------------------------------------------------------------
def module_modes():
    return [m for m in MODES if not m.credential]


def credential_modes():
    return [m for m in MODES if m.credential]


def is_read(mode):
    """A look-only mode: the one an _info module runs."""
    return not mode.credential and any(module.endswith("_info") for module in mode.modules or ())


def union(modes, system, every_path=False):
    """The actions of ``modes`` in ``system`` (with ``every_path``, those only some paths need too), each once, in
    table order."""
    wanted = {name for mode in modes for name in (mode.every_action(system) if every_path else mode.actions(system))}
    names = []
    for permission in P.PERMISSIONS.values():
        name = permission.names.get(system)
        if name in wanted and name not in names:
            names.append(name)
    return names


OPTION = re.compile(r"O\(([^)]*)\)")


def options(text):
    """A mode's text as reStructuredText: its O(option) marks as literals."""
    return OPTION.sub(r"``\1``", text)


def footnotes():
    """``{unconfirmed text: footnote label}``, in table order."""
    labels = {}
    for permission in P.PERMISSIONS.values():
        if permission.unconfirmed and permission.unconfirmed not in labels:
            labels[permission.unconfirmed] = "u%d" % (len(labels) + 1)
    return labels


def sentence(text):
    text = text.strip()
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


# -- the page -------------------------------------------------------------------------------------------------------
def render_page():
    lines = [".. _%s:" % LABEL, "",
             ".. Generated from plugins/module_utils/_permissions.py by tests/docs_site/permissions_page.py:",
             "   change the table (or the script) and run the script; do not edit this page.", ""]
    lines += heading("Permissions: the least each run needs", "=")
    lines += intro()
    lines += every_call()
    lines += module_runs()
    lines += credential_sources()
    lines += awx()
    lines += denials()
    lines += unconfirmed_and_tests()
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def intro():
    lines = para(
        "Each module needs a few actions, and nothing more. This page lists them per call and per way of running a "
        "module, with policies to copy; it is generated from the table the modules' own error messages use, so a "
        "denied call names the same actions.")
    lines += para(
        "Huawei Cloud has two authorization systems, and an account uses either: classic role/policy-based "
        "authorization (custom policies with %s) and identity policy-based authorization (IAM 5.0, %s). Each "
        "identity action's alias is the classic one, and either name grants the call; the tables give both. Tencent "
        "Cloud uses CAM policies (%s)." % (lit('"Version": "1.1"'), lit('"Version": "5.0"'), lit('"version": "2.0"')))
    lines += para(
        "Grant a module run's actions (:ref:`%s.module_runs`) to the credential the module ends up calling with: "
        "with %s, the assumed agency or role; with %s (or %s), the ECS's agency or the CVM's role; otherwise the "
        "keys, token or profile themselves. Grant the credential sources' actions (:ref:`%s.credential_sources`) to "
        "the credential the module starts from. Where the credentials come from: :ref:`%s`."
        % (LABEL, lit("assume_role"), lit("instance_credentials"), lit("cam_role_name"), LABEL, AUTH_LABEL))
    return lines


def action_cell(permission, system):
    if not permission.names:
        return "none needed"
    name = permission.names.get(system)
    return lit(name) if name else ""


def every_call():
    lines = heading("Every call", "-")
    lines += para("Every call the modules make, and the action that grants it. The resource type after *on* is what "
                  "an identity or CAM policy can scope the action to (%s: it cannot be scoped)." % lit("*"))
    notes = footnotes()
    for cloud in (P.HUAWEI, P.TENCENT):
        systems = P.SYSTEMS[cloud]
        rows = []
        for permission in P.PERMISSIONS.values():
            if permission.cloud != cloud:
                continue
            operation = lit(permission.operation)
            if permission.unconfirmed:
                operation += " [#%s]_" % notes[permission.unconfirmed]
            cells = [action_cell(permission, system) for system in systems]
            if permission.names:  # the resource type goes with the scoped (identity or CAM) name
                cells[-1] += " on %s" % lit(permission.resource or "*")
            rows.append([permission.service, "%s: %s" % (operation, lit(permission.call))] + cells)
        header = ["service", "operation: call"] + [ACTION_HEADERS[system] for system in systems]
        lines += list_table(header, rows, title=CLOUD_LABELS[cloud])
    for text, label in notes.items():
        lines += para("UNCONFIRMED: %s." % prose(text.rstrip(".")), "   ", ".. [#%s] " % label)
    return lines


ACTION_HEADERS = {P.CLASSIC: "classic action (Version 1.1)",
                  P.IDENTITY: "identity action (Version 5.0) on resource type", P.CAM: "CAM action on resource type"}


def actions_table(mode):
    """Per naming system: the actions every run needs, and those only some paths need."""
    conditional = any(mode.conditional_actions(system) for system in P.SYSTEMS[mode.cloud])
    rows = []
    for system in P.SYSTEMS[mode.cloud]:
        row = [SYSTEM_LABELS_LONG[system], lits(mode.actions(system)) or "none"]
        if conditional:
            row.append(lits(name for name, _need in mode.conditional_actions(system)) or "none")
        rows.append(row)
    header = ["policy", "always"] + (["only on some paths"] if conditional else [])
    return list_table(header, rows)


SYSTEM_LABELS_LONG = {system: "%s (%s)" % ("Huawei" if system != P.CAM else "Tencent", P.SYSTEM_LABELS[system])
                      for system in P.SYSTEM_LABELS}


def policies(mode, scoped=True):
    """The copy-paste policy documents of a mode."""
    lines = []
    actions = {system: mode.actions(system) for system in P.SYSTEMS[mode.cloud]}
    if mode.cloud == P.HUAWEI:
        lines += code_block("json", policy_json(P.huawei_policy(P.CLASSIC, actions[P.CLASSIC])),
                            SYSTEM_TITLES[P.CLASSIC])
        scoped = scoped and mode.cluster_scoped
        urns = [P.mrs_cluster_urn(REGION, ACCOUNT, CLUSTER)] if scoped else None
        scoped_mrs = scoped and any(a.startswith("mrs:") for a in actions[P.IDENTITY])
        caption = SYSTEM_TITLES[P.IDENTITY]
        if scoped_mrs:
            caption += ", for one MRS cluster: fill in %s, %s and %s" % (REGION, ACCOUNT, CLUSTER)
        elif mode.key.startswith("mrs_v11_"):
            caption += (", on every cluster: a v1.1 path names no cluster, so a show or delete of an execution the "
                        "service cannot place in one, or a listing without cluster_id, is judged on any cluster")
        lines += code_block("json", policy_json(P.huawei_policy(P.IDENTITY, actions[P.IDENTITY], urns)), caption)
    else:
        resources = [P.tencent_job_resource(REGION, OWNER_UIN)] if scoped else []
        caption = SYSTEM_TITLES[P.CAM]
        if any(a.startswith("batch:") for a in actions[P.CAM]):
            caption += ", for the jobs of one account and region: fill in %s and %s" % (REGION, OWNER_UIN)
        lines += code_block("json", policy_json(P.tencent_policy(actions[P.CAM], resources)), caption)
    return lines


def calls_line(mode):
    text = "Calls: %s." % lits(need.operation for need in mode.always())
    if mode.conditional():
        text = "Calls always: %s; only on some paths: %s." % (
            lits(need.operation for need in mode.always()), lits(need.operation for need in mode.conditional()))
    return text


def action_names(permission, system):
    """An action as the bullets name it: the classic name, and the identity one where it differs."""
    name = lit(permission.names[system])
    if system == P.CLASSIC and permission.names.get(P.IDENTITY) not in (None, permission.names[system]):
        name += " (identity %s)" % lit(permission.names[P.IDENTITY])
    return name


def conditional_lines(mode):
    """Which actions only some paths need, and exactly when."""
    system = P.SYSTEMS[mode.cloud][0]
    found = mode.conditional_actions(system)
    if not found:
        return []
    lines = para("Only on some paths:")
    lines += bullets("%s, for %s, is needed only %s." % (
        action_names(need.permission, system), lit(need.operation), options(need.detail)) for _name, need in found)
    lines += para(
        "A run that takes such a path without the action fails there: the cloud refuses the call, and nothing is "
        "deleted that the policy does not allow. To cover those paths too, add their actions to the policies "
        "below, which hold what every run of this kind needs.")
    return lines


def scope_line(mode):
    """Where a credential mode's action can be narrowed to a resource type."""
    scoped = [p for p in mode.permissions() if p.names and p.resource]
    if not scoped:
        return []
    return para("A policy may scope %s instead of %s." % (
        " and ".join("%s to a resource of type %s" % (lits(p.actions), lit(p.resource)) for p in scoped), lit("*")))


def glance():
    """Every way of running the modules, with what it always needs and what only some paths need."""
    lines = para(
        "At a glance, in the classic names (Huawei) and CAM names (Tencent); each mode below gives the identity "
        "names too, exactly when each path is taken, and the policies to copy.")
    for cloud in (P.HUAWEI, P.TENCENT):
        system = P.SYSTEMS[cloud][0]
        rows = []
        for mode in module_modes():
            if mode.cloud != cloud:
                continue
            found = mode.conditional_actions(system)
            rows.append([":ref:`%s <%s.%s>`" % (mode.title, LABEL, mode.key), lits(mode.actions(system)),
                         ["%s: %s" % (lit(name), options(need.when)) for name, need in found] or "none"])
        lines += list_table(["way of running", "always", "only on some paths"], rows, widths=[4, 4, 5],
                            title=CLOUD_LABELS[cloud])
    return lines


def module_runs():
    lines = [".. _%s.module_runs:" % LABEL, ""]
    lines += heading("Module runs", "-")
    lines += para(
        "Grant these to the credential the module ends up calling with. What a run calls depends on how it selects "
        "(filters, or ids), on %s and on check mode, so each way of running has its own policy: the actions every "
        "run of that kind needs. A real run also looks first; its look-only actions are included. A few actions are "
        "needed only on some paths (a look at records another run deleted meanwhile, a FAILED job): each mode names "
        "them, and exactly when. The identity and CAM policies scope the job actions to one MRS cluster or to one "
        "account's jobs in one region; use %s for every resource." % (lit("force"), lit('"*"')))
    lines += glance()
    for mode in module_modes():
        lines += [".. _%s.%s:" % (LABEL, mode.key), ""]
        lines += heading(mode.title, "~")
        lines += para("Modules: %s. %s The plain run: %s." % (
            lits("cloudjobs.cleanup." + m for m in mode.modules), calls_line(mode), options(mode.plain)))
        lines += actions_table(mode)
        lines += conditional_lines(mode)
        lines += policies(mode)
        system = SYSTEM_POLICIES.get(mode.key)
        if system:
            lines += para("System policies that grant these and the actions of every other path (and more):")
            lines += bullets("%s: %s." % (lit(name), prose(remark.rstrip("."))) for name, remark in system)
        else:
            lines += para("No system policy is known to grant exactly these; use the custom policy.")
    return lines


CREDENTIAL_NOTES = {
    "huawei_project_lookup": [
        "No permission is needed: %s lists the caller's own projects and needs no IAM right, unlike %s, which needs "
        "%s. To skip the lookup, set %s (or %s)." % (
            lit("GET /v3/auth/projects"), lit("GET /v3/projects"), lit("iam:projects:listProjects"),
            lit("project_id"), lit("HW_PROJECT_ID"))],
    "huawei_assume_role": [
        "Grant this to the credential the module starts from. The agency, in the account that owns the records, is "
        "delegated to that credential's account, and the agency's own policy must grant the module's actions "
        "(:ref:`%s.module_runs`): the module calls with the agency's temporary credentials." % LABEL],
    "huawei_assume_role_sts": [
        "Grant this to the credential the module starts from. The agency, in the account that owns the records, is "
        "delegated to that credential's account, and the agency's own policy must grant the module's actions "
        "(:ref:`%s.module_runs`): the module calls with the agency's temporary credentials." % LABEL],
    "huawei_instance": [
        "No permission is needed: the metadata service hands the ECS the temporary credentials of the agency bound "
        "to it. Bind an agency to the ECS whose policy grants the module's actions (:ref:`%s.module_runs`); the "
        "module calls with that agency's credentials." % LABEL],
    "tencent_assume_role": [
        "Grant this to the credential the module starts from. The role's own policy must grant the module's "
        "actions (:ref:`%s.module_runs`): the module calls with the role's temporary credentials. The role's trust "
        "policy must name the caller's account, for example:" % LABEL],
    "tencent_instance": [
        "No permission is needed: the metadata service hands the CVM the temporary credentials of the CAM role bound "
        "to it. Bind a CVM role (a CAM role whose trusted entity is CVM) to the instance, with a policy that grants "
        "the module's actions (:ref:`%s.module_runs`); %s names the role, or %s finds it."
        % (LABEL, lit("cam_role_name"), lit("instance_credentials: true"))],
}


def credential_sources():
    lines = [".. _%s.credential_sources:" % LABEL, ""]
    lines += heading("Credential sources", "-")
    lines += para("These add to a module run's actions, on the credential the module starts from (its keys, "
                  "profile or instance credentials), never on the assumed agency or role.")
    for mode in credential_modes():
        lines += heading(mode.title, "~")
        lines += para(calls_line(mode))
        has_actions = any(mode.actions(system) for system in P.SYSTEMS[mode.cloud])
        for text in CREDENTIAL_NOTES.get(mode.key, []):
            lines += para(text)
        if mode.key == "tencent_assume_role":
            lines += code_block("json", policy_json(TRUST_POLICY), "Trust policy of the role: fill in %s, the "
                                "account of the credential the module starts from" % TRUSTED_UIN)
        if has_actions:
            lines += actions_table(mode)
            lines += policies(mode, scoped=False)
            lines += scope_line(mode)
        elif mode.key not in CREDENTIAL_NOTES:
            lines += para("No permission is needed.")
    return lines


def awx_policy(system, actions):
    if system == P.CAM:
        return P.tencent_policy(actions, [P.tencent_job_resource(REGION, OWNER_UIN)])
    return P.huawei_policy(system, actions)


def awx():
    read = [m for m in module_modes() if is_read(m)]
    run = read + [MODES_BY_KEY[key] for key in AWX_RUN_MODES]
    lines = heading("AWX: a read-only credential for Check, the delete credential for Run", "-")
    lines += para(
        "Give the job template that only looks a credential that cannot delete. In the setup of :ref:`%s`, the "
        "job template of job type *Check* (and any template that runs only the %s modules, or runs without %s) "
        "gets a credential whose policy holds only the look-only actions. Only the job template of job type *Run* "
        "with %s gets the delete credential. Both are credentials of the same credential type, each with the keys "
        "of a different IAM (CAM) user, or a different agency (role) to assume. Should a read-only job ever try to "
        "delete, the cloud refuses the call and the job fails, naming the missing action."
        % (AWX_LABEL, lit("_info"), lit("cleanup_apply: true"), lit("cleanup_apply: true")))
    rows = []
    for cloud, system in ((P.HUAWEI, P.CLASSIC), (P.TENCENT, P.CAM)):
        read_cloud = [m for m in read if m.cloud == cloud]
        run_cloud = [m for m in run if m.cloud == cloud]
        cells = [code_block("json", policy_json(awx_policy(system, union(modes, system, every_path=True))))[:-1]
                 for modes in (read_cloud, run_cloud)]
        rows.append([SYSTEM_TITLES[system]] + cells)
    lines += list_table(["", "*Check*: read-only credential", "*Run*: delete credential"], rows, widths=[2, 5, 5])
    some_paths = ["%s %s" % (lit(name), options(need.when)) for key in AWX_RUN_MODES
                  for name, need in MODES_BY_KEY[key].conditional_actions(P.SYSTEMS[MODES_BY_KEY[key].cloud][0])]
    lines += para(
        "The delete credential covers the runs the shipped playbooks make (%s); the identity-policy (Version 5.0) "
        "variants hold the same calls' identity names. Both credentials hold the actions of every path of those "
        "runs, also those only some paths need, because a scheduled job runs unattended and a refused call fails it "
        "on such a path. In the delete credential those are %s. For the least a nightly run needs, take the policies "
        "of those modes instead." % (
            "; ".join(":ref:`%s <%s.%s>`" % (MODES_BY_KEY[key].title, LABEL, key) for key in AWX_RUN_MODES),
            "; ".join(some_paths)))
    extra = []
    for mode in module_modes():
        if mode in run:
            continue
        system = P.SYSTEMS[mode.cloud][0]
        added = [n for n in mode.every_action(system) if n not in union(run, system, every_path=True)]
        if added:
            extra.append("%s: %s." % (mode.title, lits(added)))
    if extra:
        lines += para("A Run job template whose tasks do more adds:")
        lines += bullets(extra)
    return lines


def example_denial():
    permission = P.PERMISSIONS[("mrs", "BatchDeleteJobs")]
    resource = P.mrs_cluster_urn(EXAMPLE_REGION, EXAMPLE_ACCOUNT, EXAMPLE_CLUSTER)
    action = permission.names[P.IDENTITY]
    message = ("User: iam::%s:user:cleanup is not authorized to perform action %s on resource %s because no "
               "identity-based policy allows the %s action." % (EXAMPLE_ACCOUNT, action, resource, action))
    return "Huawei Cloud MRS %s failed: HTTP 403, error APIGW.0302: %s (request id %s); %s" % (
        permission.operation, message, EXAMPLE_REQUEST_ID, P.denial_hint("mrs", "BatchDeleteJobs", encoded=True))


def denials():
    lines = heading("When a permission is missing", "-")
    lines += para(
        "A call the cloud refuses for want of a permission ends the run at once: it is not retried, and no further "
        "call of that operation is made beyond those already in flight. Every selected id is still reported once, "
        "in %s. The task fails with a message that names the operation and the actions to grant, for example:"
        % lit("not_deleted"))
    message = textwrap.wrap(example_denial(), width=WIDTH - 3, break_long_words=False, break_on_hyphens=False)
    lines += code_block("text", "\n".join(message))
    lines += para(
        "The task's %s return value holds %s (the actions that grant the refused operation) and, when the service "
        "gave them, %s and %s; the %s entries of the refused records carry the last two as well. The encoded "
        "message says which action on which resource was refused, and why: decode it with %s, which needs %s."
        % (lit("error"), lit("required_actions"), lit("error_detail"), lit("encoded_authorization_message"),
           lit("not_deleted"), P.DECODE_CALL, lit(P.DECODE_ACTION)))
    lines += para(
        "What counts as refused: on Tencent Cloud, the error codes starting with %s; on Huawei Cloud, any HTTP 403 "
        "(API Gateway's %s, an IAM-style body, a service's own code) except %s (the project is not available), and, "
        "under another status, an %s or a denial's text. A 401 is not a refusal: the credential itself was not "
        "accepted."
        % (" or ".join(lit(p) for p in P.TENCENT_DENIAL_PREFIXES), lits(P.HUAWEI_DENIAL_CODES),
           " or ".join(lit(c) for c in P.HUAWEI_NOT_DENIALS), lit("encoded_authorization_message")))
    return lines


def unconfirmed_and_tests():
    lines = heading("What is not confirmed, and how this is tested", "-")
    groups = {}
    for permission in P.PERMISSIONS.values():
        if permission.unconfirmed:
            groups.setdefault(permission.unconfirmed, []).append(permission.operation)
    lines += para("The vendors' pages do not state every name directly. UNCONFIRMED:")
    lines += bullets("%s: %s." % (lits(operations), prose(text.rstrip("."))) for text, operations in groups.items())
    lines += para(
        "If the cloud refuses a call although its action is granted, the task's message names the operation and the "
        "action; please report it. The cloud emulator the collection's tests run against (:ref:`%s`) enforces such "
        "policies, in both Huawei systems and in CAM, with its own table of actions written independently of this "
        "one: a call its credential's policy does not grant is refused as the cloud refuses it. Against it, each way "
        "of running above runs its plain path under exactly the policy given, in each naming system, and with each "
        "of those actions taken away (the run fails, naming that action); each path that needs one more action runs "
        "with it and without it (the run fails, naming it). The lists of calls above are what the emulator's log of "
        "those runs shows."
        % EMULATOR_LABEL)
    return lines


# -- the modules' notes ---------------------------------------------------------------------------------------------
def mode_label(mode, module):
    """How a note names a mode of ``module``."""
    if mode.label is None:
        label = "this module" if module.endswith("_info") else "check mode"
    else:
        label = mode.label
    if mode.key.startswith("mrs_v11_"):
        label = "with O(api_version=v1.1), " + label
    return label


def codes(names):
    return ", ".join("C(%s)" % n for n in names)


def aliases(modes):
    """``C(identity) for C(classic)[ and C(classic)]``, for every Huawei action of ``modes`` whose names differ."""
    by_identity = {}
    for mode in modes:
        for permission in mode.permissions():
            classic, identity = permission.names.get(P.CLASSIC), permission.names.get(P.IDENTITY)
            if classic and identity and classic != identity:
                by_identity.setdefault(identity, [])
                if classic not in by_identity[identity]:
                    by_identity[identity].append(classic)
    return ["C(%s) for %s" % (identity, " and ".join("C(%s)" % c for c in classics))
            for identity, classics in by_identity.items()]


def render_note(module):
    modes = [MODES_BY_KEY[key] for key in MODULE_MODES[module]]
    cloud = modes[0].cloud
    system = P.SYSTEMS[cloud][0]
    if cloud == P.TENCENT:
        parts = ["%s the CAM actions each way of running needs." % NOTE_PREFIX]
    elif aliases(modes):
        parts = ["%s actions are given by their names in Huawei's classic policies (Version 1.1); identity policies "
                 "(Version 5.0) name them %s, and either name grants the call." % (
                     NOTE_PREFIX, ", ".join(aliases(modes)))]
    else:
        parts = ["%s the action names are the same in Huawei's classic policies (Version 1.1) and identity policies "
                 "(Version 5.0)." % NOTE_PREFIX]
    for mode in modes:
        text = "%s needs %s" % (mode_label(mode, module), codes(mode.actions(system)))
        found = mode.conditional_actions(system)
        if found:
            text += ", and " + "; ".join("C(%s) only %s" % (name, need.when) for name, need in found)
        parts.append(sentence(text))
    if cloud == P.HUAWEI:
        parts.append("Grant them to the credential the module calls with: with O(assume_role), the agency; with "
                     "O(instance_credentials), the ECS's agency.")
    else:
        parts.append("Grant them to the credential the module calls with: with O(assume_role), the role; with "
                     "O(instance_credentials) or O(cam_role_name), the CVM's role.")
    parts.append("Copy-paste policies, exactly when each path is taken, the system policies that suffice and the AWX "
                 "pattern: R(the collection's permissions guide, %s)." % LABEL)
    return " ".join(parts)


def note_lines(note, indent):
    """The notes entry as YAML lines: a double-quoted scalar (the text has ': '), wrapped at WIDTH."""
    if '"' in note or "\\" in note:
        raise ValueError("a note with a double quote or a backslash needs escaping: %r" % note)
    return textwrap.wrap('"%s"' % note, width=WIDTH, initial_indent=indent + "- ", subsequent_indent=indent + "  ",
                         break_long_words=False, break_on_hyphens=False)


DOC_STRING = re.compile(r'(^DOCUMENTATION\s*=\s*r?""")(.*?)(""")', re.DOTALL | re.MULTILINE)
TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*:")


def _entry_text(line):
    """The start of a notes entry's text: ``- "Permissions: ...`` and ``- Permissions: ...`` both read so."""
    return line.lstrip()[2:].lstrip().lstrip("\"'")


def rewrite_documentation(doc, module):
    """``doc`` (a module's DOCUMENTATION) with the "Permissions:" notes entry rendered: replaced where it is, else
    added at the end of ``notes`` (created before ``seealso`` or at the end where there is none)."""
    lines = doc.split("\n")
    tops = [i for i, line in enumerate(lines) if TOP_KEY.match(line)]
    notes = next((i for i in tops if lines[i].rstrip() == "notes:"), None)
    if notes is None:
        seealso = next((i for i in tops if lines[i].startswith("seealso:")), None)
        at = seealso if seealso is not None else len(lines) - (1 if lines[-1] == "" else 0)
        return "\n".join(lines[:at] + ["notes:"] + note_lines(render_note(module), "  ") + lines[at:])
    end = next((i for i in tops if i > notes), len(lines))
    while end > notes + 1 and not lines[end - 1].strip():
        end -= 1
    items = [i for i in range(notes + 1, end) if re.match(r"^\s*- ", lines[i])]
    indent = re.match(r"^(\s*)", lines[items[0]]).group(1) if items else "  "
    items = [i for i in items if lines[i].startswith(indent + "- ")]
    new = note_lines(render_note(module), indent)
    for n, start in enumerate(items):
        if _entry_text(lines[start]).startswith(NOTE_PREFIX):
            stop = items[n + 1] if n + 1 < len(items) else end
            return "\n".join(lines[:start] + new + lines[stop:])
    return "\n".join(lines[:end] + new + lines[end:])


def rewrite_module_source(source, module):
    match = DOC_STRING.search(source)
    if not match:
        raise ValueError("%s: no DOCUMENTATION = r\"\"\"...\"\"\" string" % module)
    doc = rewrite_documentation(match.group(2), module)
    return source[:match.start(2)] + doc + source[match.end(2):]


# -- the command ----------------------------------------------------------------------------------------------------
def rendered_files():
    """``{path relative to the repository: the text this renders}``."""
    files = {PAGE: render_page()}
    for module in MODULE_MODES:
        path = os.path.join(MODULES_DIR, module + ".py")
        with open(os.path.join(REPO, path), encoding="utf-8") as f:
            files[path] = rewrite_module_source(f.read(), module)
    return files


def _read(path):
    try:
        with open(os.path.join(REPO, path), encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 and show the differences when a file is not what this renders")
    args = parser.parse_args(argv)
    differ = 0
    for path, text in rendered_files().items():
        current = _read(path)
        if current == text:
            continue
        differ += 1
        if args.check:
            print("%s: not what %s renders%s" % (path, TABLE, "" if current is not None else " (missing)"))
            diff = list(difflib.unified_diff((current or "").splitlines(), text.splitlines(), "committed", "rendered",
                                             lineterm="", n=1))
            for line in diff[:60]:
                print("    " + line)
            if len(diff) > 60:
                print("    ... %d more diff lines" % (len(diff) - 60))
        else:
            with open(os.path.join(REPO, path), "w", encoding="utf-8") as f:
                f.write(text)
            print("wrote %s" % path)
    if args.check:
        if differ:
            print("%d file(s) differ: run python tests/docs_site/permissions_page.py" % differ)
            return 1
        print("the permissions page and the modules' notes are what %s renders" % TABLE)
    elif not differ:
        print("nothing to change")
    return 0


if __name__ == "__main__":
    sys.exit(main())
