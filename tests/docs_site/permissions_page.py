#!/usr/bin/env python
"""The permissions guide and each module's "Permissions:" note, generated from the permission table.

    python tests/docs_site/permissions_page.py           write docs/docsite/rst/permissions.rst and rewrite the
                                                         "Permissions:" entry of each module's notes
    python tests/docs_site/permissions_page.py --check   exit 1, saying what differs, when the committed files are
                                                         not what the table renders

Everything the page and the notes name comes from plugins/module_utils/_permissions.py (PERMISSIONS, MODES,
MODULE_MODES, SYSTEM_POLICIES and its policy and message helpers); only the wording is here. Change the table,
then run this script: never edit the page or the notes entry by hand. tests/docs_site/test_permissions_page.py
checks that the committed files are what this renders.

``render_page()`` and ``render_note(module)`` are importable; the table is loaded by its file path (it imports only
the standard library), so the script runs from a plain checkout, without the ansible_collections layout.
"""

import argparse
import difflib
import importlib.util
import json
import os
import re
import sys
import textwrap

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

# The placeholders of the copy-paste policies.
REGION, ACCOUNT, CLUSTER = "<region>", "<account-id>", "<cluster-id>"
OWNER_UIN, TRUSTED_UIN = "<owner-uin>", "<trusted-uin>"
# A realistic denial, for the example message.
EXAMPLE_REGION = "cn-north-4"
EXAMPLE_ACCOUNT = "0d0e0f1a2b3c4d5e6f7a8b9c0d1e2f3a"
EXAMPLE_CLUSTER = "6bd5a2b7-7a5c-4b26-9b44-7a0b22a2bfbe"
EXAMPLE_REQUEST_ID = "3f6c1d2e8a9b4c7d9e0f1a2b3c4d5e6f"
# The real runs the shipped playbooks make (nightly_cleanup, fan_out_cleanup: api_version v2, no force).
AWX_RUN_MODES = ("mrs_delete", "workspace_delete", "tencent_delete")
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
    return [m for m in P.MODES if not m.credential]


def credential_modes():
    return [m for m in P.MODES if m.credential]


def is_read(mode):
    """A look-only mode: the one an _info module runs."""
    return not mode.credential and any(module.endswith("_info") for module in mode.modules or ())


def union(modes, system):
    """The actions of ``modes`` in ``system``, each once, in table order."""
    wanted = {name for mode in modes for name in mode.actions(system)}
    names = []
    for permission in P.PERMISSIONS.values():
        name = permission.names.get(system)
        if name in wanted and name not in names:
            names.append(name)
    return names


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
    rows = [[SYSTEM_LABELS_LONG[system], lits(mode.actions(system)) or "none"] for system in P.SYSTEMS[mode.cloud]]
    return list_table(["policy", "actions to grant"], rows)


SYSTEM_LABELS_LONG = {system: "%s (%s)" % ("Huawei" if system != P.CAM else "Tencent", P.SYSTEM_LABELS[system])
                      for system in P.SYSTEM_LABELS}


def policies(mode, scoped=True):
    """The copy-paste policy documents of a mode."""
    lines = []
    actions = {system: mode.actions(system) for system in P.SYSTEMS[mode.cloud]}
    if mode.cloud == P.HUAWEI:
        lines += code_block("json", policy_json(P.huawei_policy(P.CLASSIC, actions[P.CLASSIC])),
                            SYSTEM_TITLES[P.CLASSIC])
        urns = [P.mrs_cluster_urn(REGION, ACCOUNT, CLUSTER)] if scoped else None
        scoped_mrs = scoped and any(a.startswith("mrs:") for a in actions[P.IDENTITY])
        caption = SYSTEM_TITLES[P.IDENTITY]
        if scoped_mrs:
            caption += ", for one MRS cluster: fill in %s, %s and %s" % (REGION, ACCOUNT, CLUSTER)
        lines += code_block("json", policy_json(P.huawei_policy(P.IDENTITY, actions[P.IDENTITY], urns)), caption)
    else:
        resources = [P.tencent_job_resource(REGION, OWNER_UIN)] if scoped else []
        caption = SYSTEM_TITLES[P.CAM]
        if any(a.startswith("batch:") for a in actions[P.CAM]):
            caption += ", for the jobs of one account and region: fill in %s and %s" % (REGION, OWNER_UIN)
        lines += code_block("json", policy_json(P.tencent_policy(actions[P.CAM], resources)), caption)
    return lines


def calls_line(mode):
    return "Calls: %s." % lits(p.operation for p in mode.permissions())


def scope_line(mode):
    """Where a credential mode's action can be narrowed to a resource type."""
    scoped = [p for p in mode.permissions() if p.names and p.resource]
    if not scoped:
        return []
    return para("A policy may scope %s instead of %s." % (
        " and ".join("%s to a resource of type %s" % (lits(p.actions), lit(p.resource)) for p in scoped), lit("*")))


def module_runs():
    lines = [".. _%s.module_runs:" % LABEL, ""]
    lines += heading("Module runs", "-")
    lines += para("Grant these to the credential the module ends up calling with. A real run also looks first, so "
                  "it needs the look-only actions too; they are included below. The identity and CAM policies scope "
                  "the job actions to one MRS cluster or to one account's jobs in one region; use %s for every "
                  "resource." % lit('"*"'))
    for mode in module_modes():
        lines += heading(mode.title, "~")
        lines += para("Modules: %s. %s" % (lits("cloudjobs.cleanup." + m for m in mode.modules), calls_line(mode)))
        lines += actions_table(mode)
        lines += policies(mode)
        system = P.SYSTEM_POLICIES.get(mode.key)
        if system:
            lines += para("System policies that already grant these (and more):")
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
    run = read + [P.MODES_BY_KEY[key] for key in AWX_RUN_MODES]
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
        cells = [code_block("json", policy_json(awx_policy(system, union(modes, system))))[:-1]
                 for modes in (read_cloud, run_cloud)]
        rows.append([SYSTEM_TITLES[system]] + cells)
    lines += list_table(["", "*Check*: read-only credential", "*Run*: delete credential"], rows, widths=[2, 5, 5])
    extra = []
    for mode in module_modes():
        if mode in run:
            continue
        system = P.CLASSIC if mode.cloud == P.HUAWEI else P.CAM
        added = [n for n in mode.actions(system) if n not in union(run, system)]
        if added:
            extra.append("%s: %s." % (mode.title, lits(added)))
    lines += para(
        "The delete credential covers the runs the shipped playbooks make (%s); the identity-policy (Version 5.0) "
        "variants hold the same calls' identity names (:ref:`%s.module_runs`)." % (
            "; ".join(P.MODES_BY_KEY[key].title for key in AWX_RUN_MODES), LABEL))
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
        "one: a call its credential's policy does not grant is refused as the cloud refuses it." % EMULATOR_LABEL)
    return lines


# -- the modules' notes ---------------------------------------------------------------------------------------------
def mode_label(mode, module):
    """How a note names a mode of ``module``."""
    if mode.key.endswith("_read"):
        label = "this module" if module.endswith("_info") else "check mode"
    elif mode.key.endswith("_force"):
        label = "a real run with O(force=true)"
    elif mode.key.endswith("_delete"):
        label = "a real run"
    else:
        return mode.title
    if "_v11_" in mode.key:
        label = "with O(api_version=v1.1), " + label
    return label


def note_names(cloud, names_by_system):
    """``classic C(a), C(b); identity C(c)``, or one list where the systems' names are the same."""
    def codes(names):
        return ", ".join("C(%s)" % n for n in names)
    systems = P.SYSTEMS[cloud]
    lists = [names_by_system[s] for s in systems]
    if len(systems) == 1:
        return codes(lists[0])
    if all(names == lists[0] for names in lists):
        return "%s (classic and identity)" % codes(lists[0])
    return "; ".join("%s %s" % (s, codes(names_by_system[s])) for s in systems if names_by_system[s])


def render_note(module):
    modes = [P.MODES_BY_KEY[key] for key in P.MODULE_MODES[module]]
    cloud = modes[0].cloud
    if cloud == P.HUAWEI:
        parts = ["%s the action names are those of Huawei's classic policies (Version 1.1) and identity policies "
                 "(Version 5.0); either name grants the call." % NOTE_PREFIX]
    else:
        parts = ["%s the CAM actions each run needs." % NOTE_PREFIX]
    seen = []
    for mode in modes:
        label = mode_label(mode, module)
        base = None
        for earlier in seen:  # the latest earlier mode whose calls this one makes too
            if set(earlier.operations) <= set(mode.operations):
                base = earlier
        names = {}
        for system in P.SYSTEMS[cloud]:
            before = base.actions(system) if base else []
            names[system] = [n for n in mode.actions(system) if n not in before]
        if base is None:
            parts.append(sentence("%s needs %s" % (label, note_names(cloud, names))))
        elif any(names.values()):
            parts.append(sentence("%s adds %s" % (label, note_names(cloud, names))))
        else:
            parts.append(sentence("%s needs nothing more" % label))
        seen.append(mode)
    if cloud == P.HUAWEI:
        parts.append("Grant them to the credential the module calls with: with O(assume_role), the agency; with "
                     "O(instance_credentials), the ECS's agency.")
    else:
        parts.append("Grant them to the credential the module calls with: with O(assume_role), the role; with "
                     "O(instance_credentials) or O(cam_role_name), the CVM's role.")
    parts.append("Copy-paste policies, the system policies that suffice and the AWX pattern: R(the collection's "
                 "permissions guide, %s)." % LABEL)
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
    for module in P.MODULE_MODES:
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
