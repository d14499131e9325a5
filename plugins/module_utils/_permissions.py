# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The permissions each call of the collection needs: one table, read by the error messages, the docs and the tests.

PRIVATE to this collection; no stability promise.

``PERMISSIONS`` names, per client operation, the actions that grant it: for Huawei Cloud the classic (policy
``Version 1.1``) name and its identity-policy (``Version 5.0``) name, which the API pages list side by side (the
identity name's "Alias" is the classic one; either grants the call); for Tencent Cloud the CAM name. ``denial`` turns
a refused call into what the task's message says: the operation, the actions to grant, and how to decode the
service's ``encoded_authorization_message``.

Which operations each way of running a module calls (always, or only on a named path) is docs and test data, not
needed by a module run: it lives with the permissions guide's generator, tests/docs_site/permissions_page.py, which
reads this table. Keep this module to the standard library: every module run imports it.
"""

from __future__ import annotations

import json
import re
from collections import namedtuple

HUAWEI = "huawei"
TENCENT = "tencent"

CLASSIC = "classic"  # Huawei role/policy-based authorization, "Version": "1.1"
IDENTITY = "identity"  # Huawei identity policy-based authorization (IAM 5.0), "Version": "5.0"
CAM = "cam"  # Tencent Cloud CAM
SYSTEMS = {HUAWEI: (CLASSIC, IDENTITY), TENCENT: (CAM,)}
SYSTEM_LABELS = {CLASSIC: "classic policy, Version 1.1", IDENTITY: "identity policy, Version 5.0", CAM: "CAM"}

# The action that reads an encoded authorization message, and the call that does it.
DECODE_ACTION = "sts::decodeAuthorizationMessage"
DECODE_CALL = "STS DecodeAuthorizationMessage (POST /v5/decode-authorization-message)"


class Permission(namedtuple("Permission", "cloud service operation call names resource unconfirmed")):
    """What one client operation needs.

    ``names``: ``{system: action}`` (CLASSIC and IDENTITY for Huawei, CAM for Tencent), empty when the call needs no
    permission. ``resource``: the resource type a policy may scope it to (None: no resource type, ``*`` only).
    ``unconfirmed``: what the vendor's pages do not state directly (docs say so)."""

    @property
    def actions(self):
        """The distinct action names, classic first."""
        seen = []
        for system in SYSTEMS[self.cloud]:
            name = self.names.get(system)
            if name and name not in seen:
                seen.append(name)
        return tuple(seen)


def _huawei(service, operation, call, classic, identity=None, resource=None, unconfirmed=None):
    names = {CLASSIC: classic, IDENTITY: identity or classic} if classic else {}
    return Permission(HUAWEI, service, operation, call, names, resource, unconfirmed)


def _tencent(service, operation, call, action, resource=None):
    return Permission(TENCENT, service, operation, call, {CAM: action} if action else {}, resource, None)


_V11 = "the v1.1 pages list no identity-policy actions; the v2 twin's name is given"
PERMISSIONS = {
    (p.service, p.operation): p
    for p in (
        _huawei("mrs", "ShowJobExeListNew", "GET /v2/{project_id}/clusters/{cluster_id}/job-executions",
                "mrs:job:list", "mrs:cluster:listJobs", "cluster"),
        _huawei("mrs", "ShowSingleJobExe", "GET /v2/{project_id}/clusters/{cluster_id}/job-executions/{job_id}",
                "mrs:job:get", "mrs:cluster:getJob", "cluster"),
        _huawei("mrs", "BatchDeleteJobs", "POST /v2/{project_id}/clusters/{cluster_id}/job-executions/batch-delete",
                "mrs:job:batchDelete", "mrs:cluster:deleteJobs", "cluster"),
        _huawei("mrs", "StopJob", "POST /v2/{project_id}/clusters/{cluster_id}/job-executions/{job_id}/kill",
                "mrs:job:stop", "mrs:cluster:stopJob", "cluster"),
        _huawei("mrs", "ListExecuteJob", "GET /v1.1/{project_id}/job-exes",
                "mrs:job:list", "mrs:cluster:listJobs", "cluster", _V11),
        _huawei("mrs", "ShowJobExes", "GET /v1.1/{project_id}/job-exes/{job_exe_id}",
                "mrs:job:get", "mrs:cluster:getJob", "cluster", _V11),
        _huawei("mrs", "DeleteJobExecution", "DELETE /v1.1/{project_id}/job-executions/{job_execution_id}",
                "mrs:job:delete", "mrs:cluster:deleteJobs", "cluster",
                "the classic name is the classic list's \"delete a single job\"; " + _V11),
        _huawei("workspace", "ListScheduledTasks", "GET /v2/{project_id}/scheduled-tasks",
                "workspace:scheduledTasks:list", resource="scheduledTask",
                unconfirmed="Workspace publishes identity-policy names only; the classic names are taken to be the "
                            "same strings"),
        _huawei("workspace", "ShowScheduledTasks", "GET /v2/{project_id}/scheduled-tasks/{task_id}",
                "workspace:scheduledTasks:get", resource="scheduledTask",
                unconfirmed="Workspace publishes identity-policy names only; the classic names are taken to be the "
                            "same strings"),
        _huawei("workspace", "BatchDeleteScheduledTasks", "POST /v2/{project_id}/scheduled-tasks/batch-delete",
                "workspace:scheduledTasks:batchDelete", resource="scheduledTask",
                unconfirmed="Workspace publishes identity-policy names only; the classic names are taken to be the "
                            "same strings"),
        _huawei("iam", "KeystoneListAuthProjects", "GET /v3/auth/projects", None),
        _huawei("iam", "CreateTemporaryAccessKeyByAgency", "POST /v3.0/OS-CREDENTIAL/securitytokens",
                "iam:tokens:assume"),
        _huawei("sts", "AssumeAgency", "POST /v5/agencies/assume", "sts:agencies:assume", resource="agency"),
        _huawei("metadata", "MetadataApiToken", "PUT /meta-data/latest/api/token (ECS metadata)", None),
        _huawei("metadata", "MetadataSecurityKey", "GET /openstack/latest/securitykey (ECS metadata)", None),
        _tencent("batch", "DescribeJobs", "DescribeJobs (batch 2017-03-12)", "batch:DescribeJobs", "job"),
        _tencent("batch", "DescribeJob", "DescribeJob (batch 2017-03-12)", "batch:DescribeJob", "job"),
        _tencent("batch", "DeleteJob", "DeleteJob (batch 2017-03-12)", "batch:DeleteJob", "job"),
        _tencent("batch", "TerminateJob", "TerminateJob (batch 2017-03-12)", "batch:TerminateJob", "job"),
        _tencent("sts", "AssumeRole", "AssumeRole (sts 2018-08-13)", "sts:AssumeRole", "roleName"),
        _tencent("metadata", "CamRoleName", "GET /latest/meta-data/cam/security-credentials/ (CVM metadata)", None),
        _tencent("metadata", "CamSecurityCredentials",
                 "GET /latest/meta-data/cam/security-credentials/{role} (CVM metadata)", None),
    )
}


def required_actions(service, operation):
    """The actions that grant ``operation`` of ``service``, classic first; () when it needs none or is not in the
    table."""
    permission = PERMISSIONS.get((service, operation))
    return permission.actions if permission is not None else ()


# -- denials ------------------------------------------------------------------------------------------------------
# API Gateway's "not authorized to access the API" and "access denied" (both spellings of the prefix occur); the
# project-unavailable 403 (APIGW.0310) is not about permissions.
HUAWEI_DENIAL_CODES = ("APIGW.0302", "APIGW.0306", "APIG.0302", "APIG.0306")
HUAWEI_NOT_DENIALS = ("APIGW.0310", "APIG.0310")
# The identity-policy text ("User: x is not authorized to perform action a on resource r ..."), API Gateway's ("The
# IAM user is not authorized to access the API") and IAM's own ("You do not have permission ...", "Policy doesn't
# allow ...").
DENIAL_TEXT = re.compile(r"not authori[sz]ed|do(?:es)? not have (?:the )?permission|policy doesn'?t allow|"
                         r"permission denied|access denied", re.IGNORECASE)
TENCENT_DENIAL_PREFIXES = ("AuthFailure.UnauthorizedOperation", "UnauthorizedOperation")


def is_huawei_denial(status, code, message, encoded_authorization_message=None):
    """Whether a Huawei answer refuses the call for want of a permission, whatever its shape: any 403 but the
    project-unavailable one, an encoded authorization message, API Gateway's denial codes, or a denial's text
    under another status or code."""
    code = str(code or "")
    if code in HUAWEI_NOT_DENIALS or status == 401:  # 401: who is asking is not known (a key, a token), not a grant
        return False
    return bool(status == 403 or encoded_authorization_message or code in HUAWEI_DENIAL_CODES
                or DENIAL_TEXT.search(str(message or "")))


def is_tencent_denial(code):
    return str(code or "").startswith(TENCENT_DENIAL_PREFIXES)


def denial_hint(service, operation, encoded=False):
    """What the task's message says after a denial of ``operation``: the actions to grant, from the table, and how
    to read the service's encoded authorization message when it gave one."""
    permission = PERMISSIONS.get((service, operation))
    if permission is None or not permission.names:
        text = "permission denied: the credential may not call %s" % operation
    else:
        names = ["%s (%s)" % (permission.names[system], SYSTEM_LABELS[system])
                 for system in SYSTEMS[permission.cloud] if system in permission.names]
        if permission.cloud == HUAWEI and len(permission.actions) == 1:
            names = ["%s (classic and identity policies)" % permission.actions[0]]
        text = "permission denied: %s needs %s; grant it to the credential the module runs with" % (
            operation, " or ".join(names))
    text += " (see the collection's permissions guide for the minimal policy of each module)"
    if encoded:
        text += ("; the encoded_authorization_message in error says why: decode it with %s, which needs %s"
                 % (DECODE_CALL, DECODE_ACTION))
    return text


# -- policy documents ---------------------------------------------------------------------------------------------
def huawei_policy(system, actions, cluster_urns=None):
    """A Huawei custom policy granting ``actions``: classic (project-wide, no resource) or identity (MRS actions
    scoped to ``cluster_urns``, others on every resource)."""
    if system == CLASSIC:
        return {"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": list(actions)}]}
    mrs = [a for a in actions if a.startswith("mrs:")]
    other = [a for a in actions if not a.startswith("mrs:")]
    statements = []
    if mrs:
        statements.append({"Effect": "Allow", "Action": mrs, "Resource": list(cluster_urns or ["*"])})
    if other:
        statements.append({"Effect": "Allow", "Action": other, "Resource": ["*"]})
    return {"Version": "5.0", "Statement": statements}


def tencent_policy(actions, job_resources):
    """A Tencent CAM custom policy granting ``actions`` on ``job_resources`` (``qcs::batch:...:job/*``)."""
    batch = [a for a in actions if a.startswith("batch:")]
    other = [a for a in actions if not a.startswith("batch:")]
    statements = []
    if batch:
        statements.append({"effect": "allow", "action": batch, "resource": list(job_resources)})
    if other:
        statements.append({"effect": "allow", "action": other, "resource": ["*"]})
    return {"version": "2.0", "statement": statements}


def mrs_cluster_urn(region, account, cluster_id):
    return "mrs:%s:%s:cluster:%s" % (region, account, cluster_id)


def tencent_job_resource(region, uin, job="*"):
    return "qcs::batch:%s:uin/%s:job/%s" % (region, uin, job)


def policy_json(policy):
    return json.dumps(policy, indent=2)
