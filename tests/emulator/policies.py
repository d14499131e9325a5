"""Permission policies: which action each emulated operation needs, whose policy a call is judged by, and the
clouds' denials. The emulator's own table, from the vendors' API pages (each Huawei page lists the classic 1.1 action
and the identity-policy 5.0 action with its alias; Tencent's CAM pages the Batch and STS actions); it shares nothing
with the collection, so a wrong action name in one is not mirrored in the other.

A credential whose principal has no entry in the setting ``policies`` may do everything."""

import base64
import fnmatch
import json
from urllib.parse import parse_qsl

from emulator import credentials as creds
from emulator.wire import Reply, caller, huawei_error, request_id, tencent_error

# (service NAME, operation) -> (classic 1.1 action, identity 5.0 action). Either name grants the operation, either
# denies it; where a service has one name it is both.
HUAWEI_ACTIONS = {
    ("mrs", "ShowJobExeListNew"): ("mrs:job:list", "mrs:cluster:listJobs"),
    ("mrs", "ShowSingleJobExe"): ("mrs:job:get", "mrs:cluster:getJob"),
    ("mrs", "BatchDeleteJobs"): ("mrs:job:batchDelete", "mrs:cluster:deleteJobs"),
    ("mrs", "StopJob"): ("mrs:job:stop", "mrs:cluster:stopJob"),
    # The deprecated v1.1 pages list no identity actions: their 5.0 names are UNCONFIRMED (the v2 twins' are used),
    # and so is DeleteJobExecution's classic mrs:job:delete (the classic list's "delete a single job").
    ("mrs", "ListExecuteJob"): ("mrs:job:list", "mrs:cluster:listJobs"),
    ("mrs", "ShowJobExes"): ("mrs:job:get", "mrs:cluster:getJob"),
    ("mrs", "DeleteJobExecution"): ("mrs:job:delete", "mrs:cluster:deleteJobs"),
    # Workspace publishes identity names only; that its classic names are the same strings is UNCONFIRMED.
    # ShowScheduledTasks: support.huaweicloud.com/intl/en-us/api-workspace/ShowScheduledTasks.html
    ("workspace", "ListScheduledTasks"): ("workspace:scheduledTasks:list",) * 2,
    ("workspace", "ShowScheduledTasks"): ("workspace:scheduledTasks:get",) * 2,
    ("workspace", "BatchDeleteScheduledTasks"): ("workspace:scheduledTasks:batchDelete",) * 2,
    ("workspace", "DeleteScheduledTasks"): ("workspace:scheduledTasks:delete",) * 2,
    ("iam", "KeystoneListProjects"): ("iam:projects:listProjects",) * 2,
    ("iam", "CreateTemporaryAccessKeyByAgency"): ("iam:tokens:assume",) * 2,
    ("sts", "AssumeAgency"): ("sts:agencies:assume",) * 2,
    ("sts", "DecodeAuthorizationMessage"): ("sts::decodeAuthorizationMessage",) * 2,
}
# Any valid credential may list the projects of its own account.
UNCHECKED = {("iam", "KeystoneListAuthProjects")}

IMPLICIT = "implicit deny by identity-based policy"
EXPLICIT = "explicit deny in an identity-based policy"
# How the IAM token, a secret, is named in denials.
TOKEN_USER = "iam::%s:user:iam-token"

HUAWEI_BODIES = ("error_code", "camel", "keystone")
HUAWEI_NAMES = ("identity", "classic", "none")


# -- settings -----------------------------------------------------------------------------------------------------
def validate(key, value, default):
    """The value to store for ``policies``, ``huawei_denial`` or ``tencent_denial``; ValueError if it is not valid.
    A denial setting names only what differs from ``default``."""
    if key == "policies":
        if not isinstance(value, dict) or not all(isinstance(p, str) and p for p in value):
            raise ValueError("policies is {\"<principal>\": <policy>}")
        for principal, policy in value.items():
            try:
                statements(policy)
            except ValueError as exc:
                raise ValueError("policies[%r]: %s" % (principal, exc)) from None
        return value
    if not isinstance(value, dict) or set(value) - set(default):
        raise ValueError("%s takes the keys %s" % (key, ", ".join(sorted(default))))
    merged = dict(default, **value)
    if key == "huawei_denial":
        status = merged["status"]
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError("huawei_denial.status is an HTTP error status, 400 to 599")
        if merged["body"] not in HUAWEI_BODIES:
            raise ValueError("huawei_denial.body is one of: %s" % ", ".join(HUAWEI_BODIES))
        if merged["names_action"] not in HUAWEI_NAMES:
            raise ValueError("huawei_denial.names_action is one of: %s" % ", ".join(HUAWEI_NAMES))
        flags = ("error_detail", "encoded_authorization_message")
    else:
        flags = ("names_action",)
    if not isinstance(merged["code"], str) or not merged["code"]:
        raise ValueError("%s.code is a non-empty string" % key)
    if not all(isinstance(merged[flag], bool) for flag in flags):
        raise ValueError("%s: %s are true or false" % (key, ", ".join(flags)))
    return merged


def statements(policy):
    """A policy as ``[(effect, action patterns, resource patterns or None for every resource)]``; ValueError when it
    is none of the forms docs/emulator.md lists."""
    if isinstance(policy, list) and all(isinstance(action, str) for action in policy):
        return [("allow", list(policy), None)]
    result = []
    for document in policy if isinstance(policy, list) else [policy]:
        if not isinstance(document, dict) or not ("Statement" in document or "statement" in document):
            raise ValueError("a policy is a document with Statement (Huawei) or statement (Tencent CAM), a list of "
                             "documents, or a list of actions")
        huawei = "Statement" in document
        effect_key, action_key, resource_key, condition_key = (
            ("Effect", "Action", "Resource", "Condition") if huawei else ("effect", "action", "resource", "condition"))
        if huawei and document.get("Version") not in ("1.1", "5.0"):
            raise ValueError('a Huawei policy has Version "1.1" or "5.0"')
        listed = document["Statement" if huawei else "statement"]
        if not isinstance(listed, list):
            raise ValueError("Statement / statement is a list")
        for statement in listed:
            if not isinstance(statement, dict):
                raise ValueError("a statement is an object")
            if condition_key in statement:
                raise ValueError("conditions are not evaluated by the emulator")
            effect = statement.get(effect_key)
            if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
                raise ValueError("%s is Allow or Deny" % effect_key)
            actions = _strings(statement.get(action_key), action_key)
            resources = statement.get(resource_key)
            if resources is None or (huawei and isinstance(resources, dict) and set(resources) == {"uri"}):
                resources = None  # every resource; the classic uri form limits what the emulator does not model
            else:
                resources = _strings(resources, resource_key)
            result.append((effect.lower(), actions, resources))
    return result


def _strings(value, name):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ValueError("%s is a string or a non-empty list of strings" % name)
    return value


# -- evaluation ---------------------------------------------------------------------------------------------------
def decide(policy, actions, resource):
    """None when ``policy`` allows any of ``actions`` on ``resource``, else why not (IMPLICIT or EXPLICIT): an explicit
    Deny wins over any Allow."""
    effects = {effect for effect, patterns, resources in statements(policy)
               if _action_matches(patterns, actions) and _resource_matches(resources, resource)}
    if "deny" in effects:
        return EXPLICIT
    return None if "allow" in effects else IMPLICIT


def _action_matches(patterns, actions):
    for pattern in patterns:
        pattern = pattern.lower()
        pattern = pattern[len("name/"):] if pattern.startswith("name/") else pattern  # CAM's service prefix
        if any(fnmatch.fnmatchcase(action.lower(), pattern) for action in actions):
            return True
    return False


def _resource_matches(patterns, resource):
    return patterns is None or any(fnmatch.fnmatchcase(resource, pattern) for pattern in patterns)


def principal(state, cloud, request):
    """``(policy key, name in denials)`` of the credential that signed a verified request.

    Temporary keys stand for the agency or role they were issued for; those of the instance metadata for the bound
    agency of the demo domain, the bound role of the demo uin."""
    if cloud == "huawei" and request.headers.get("X-Auth-Token") is not None:
        return request.headers["X-Auth-Token"], TOKEN_USER % creds.HUAWEI_DOMAIN_ID
    key = caller(request)
    issued = state.issued_credential(key)
    if issued is None or issued["cloud"] != cloud:
        return key, key
    if issued["source"] != "metadata":
        return issued["principal"], issued["principal"]
    if cloud == "huawei":
        urn = "iam::%s:agency:%s" % (creds.HUAWEI_DOMAIN_ID, issued["principal"])
    else:
        urn = "qcs::cam::uin/%s:roleName/%s" % (creds.tencent_account(0)["uin"], issued["principal"])
    return urn, urn


def check(state, cloud, name, operation, params, request, account):
    """None when the call may go on, else the denial to answer (a Reply with ``denied_action``). ``account``: the
    caller's (Huawei domain id, Tencent uin)."""
    if cloud not in ("huawei", "tencent") or (name, operation) in UNCHECKED:
        return None
    key, shown = principal(state, cloud, request)
    policy = state.config["policies"].get(key)
    if policy is None:
        return None
    if cloud == "tencent":
        action = "sts:AssumeRole" if name == "sts" else "batch:" + operation
        resource = _tencent_resource(name, operation, request, account)
        failure = decide(policy, [action], resource)
        return None if failure is None else _tencent_denial(state, action, resource)
    actions = HUAWEI_ACTIONS[(name, operation)]
    resource = _huawei_resource(state, name, operation, params, request, account)
    failure = decide(policy, actions, resource)
    return None if failure is None else _huawei_denial(state, shown, actions, resource, failure)


def _huawei_resource(state, name, operation, params, request, account):
    """The URN a Huawei call acts on: an MRS cluster, a Workspace task (``*``: all of them), an STS agency; ``*`` for
    IAM (global) and the decoder."""
    groups = params.get("groups") or ()
    region = _region(state, groups[0]) if groups else "*"
    if name == "mrs":
        return "mrs:%s:%s:cluster:%s" % (region, account, _mrs_cluster(state, operation, groups, request))
    if name == "workspace":
        return "workspace:%s:%s:scheduledTask:%s" % (region, account, groups[1] if len(groups) > 1 else "*")
    if operation == "AssumeAgency":
        body = request.json()
        urn = body.get("agency_urn") if isinstance(body, dict) else None
        return urn if isinstance(urn, str) and urn else "*"
    return "*"


def _region(state, project):
    """The region whose project id ``project`` is, in the setting ``projects`` or ``account_projects``."""
    for table in [state.config["projects"]] + list(state.config["account_projects"].values()):
        for region, project_id in table.items():
            if project_id == project:
                return region
    return "*"


def _mrs_cluster(state, operation, groups, request):
    """v2: the cluster of the path; v1.1: the list's cluster_id, or the cluster of the execution the path names."""
    if operation == "ListExecuteJob":
        query = dict(parse_qsl(request.query))
        return query.get("cluster_id") or query.get("clusterId") or "*"
    if operation in ("ShowJobExes", "DeleteJobExecution"):
        key = (groups[0], groups[1])
        record = state.mrs_v1.get(key) or state.mrs.get(key)
        return record["cluster_id"] if record else "*"
    return groups[1]


def _tencent_resource(name, operation, request, account):
    body = request.json()
    body = body if isinstance(body, dict) else {}
    if name == "sts":
        arn = body.get("RoleArn")
        return arn if isinstance(arn, str) and arn else "*"
    jobs = "qcs::batch:%s:uin/%s:job/" % (request.headers.get("X-TC-Region") or "*", account)
    if operation == "DescribeJobs":
        return jobs + "*"
    if operation in ("DescribeJob", "DeleteJob", "TerminateJob"):
        job_id = body.get("JobId")
        return jobs + (job_id if isinstance(job_id, str) and job_id else "*")
    return "*"  # Batch's other actions have no resource type


# -- denials ------------------------------------------------------------------------------------------------------
def _huawei_denial(state, shown, actions, resource, failure):
    denial = state.config["huawei_denial"]
    named = actions[0] if denial["names_action"] == "classic" else actions[1]
    if denial["names_action"] == "none":
        message = "The IAM user is not authorized to access the API."
    elif failure == EXPLICIT:
        message = "User: %s is not authorized to perform action %s on resource %s with an explicit deny in an " \
                  "identity-based policy." % (shown, named, resource)
    else:
        message = "User: %s is not authorized to perform action %s on resource %s because no identity-based policy " \
                  "allows the %s action." % (shown, named, resource, named)
    status = denial["status"]
    if denial["body"] == "keystone":
        rid = request_id().replace("-", "")
        reply = Reply(status, {"error": {"code": status, "title": "Forbidden", "message": message}},
                      {"X-Request-Id": rid}, error_code=str(status))
    else:
        reply = huawei_error(status, denial["code"], message, camel=denial["body"] == "camel")
        if denial["body"] == "error_code" and denial["error_detail"]:
            reply.body["error_detail"] = "%s on %s: %s" % (named, resource, failure)
        if denial["body"] == "error_code" and denial["encoded_authorization_message"]:
            reply.body["encoded_authorization_message"] = encode(
                {"principal": shown, "action": named, "resource": resource, "failure": failure})
    reply.denied_action = named
    return reply


def _tencent_denial(state, action, resource):
    denial = state.config["tencent_denial"]
    if denial["names_action"]:
        message = "you are not authorized to perform operation (%s)\nresource (%s) has no permission" % (
            action, resource)
    else:
        message = "You are not authorized to perform this operation."
    reply = tencent_error(denial["code"], message)
    reply.denied_action = action
    return reply


def encode(decision):
    """The encoded authorization message of a decision: URL-safe base64 of its JSON (nothing secret in it)."""
    return base64.urlsafe_b64encode(json.dumps(decision, sort_keys=True).encode("utf-8")).decode("ascii")


def decode(message):
    """The JSON text an encoded authorization message carries, or None when it is not one."""
    try:
        text = base64.urlsafe_b64decode(message + "=" * (-len(message) % 4)).decode("utf-8")
        return text if isinstance(json.loads(text), dict) else None
    except ValueError:  # not base64, not UTF-8 or not JSON
        return None
