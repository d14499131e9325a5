# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where Tencent Cloud credentials come from, named as tccli, tencentcloud-sdk-python and Tencent's Terraform
provider name them. PRIVATE to this collection; no stability promise.

The vocabulary is the one both clouds share (``_credentials.py``). ``resolve_credentials(params)`` decides, reading
files but sending nothing, which source yields the keys. The first that yields them wins:

1. the options ``secret_id`` / ``secret_key`` (and ``security_token``);
2. the environment (``TENCENTCLOUD_SECRET_ID`` ... : Ansible's fallbacks of the same options);
3. tccli's profile: ``<shared_credentials_dir>/<profile>.credential`` (JSON ``secretId``, ``secretKey``, ``token``,
   ``role-arn``, ``role-session-name``); the ``default`` profile in ``~/.tccli`` is read too when nothing names one;
4. the SDK's INI ``~/.tencentcloud/credentials``, then ``/etc/tencentcloud/credentials`` (``[default]``
   ``secret_id``, ``secret_key``);
5. the instance's CAM role from the CVM metadata service, ONLY when asked for (``cam_role_name`` or
   ``instance_credentials``): no metadata address is ever probed unasked. Asking for it explicitly also skips the
   implicit files of 3 and 4; together with keys (or a named profile) it is a conflict.

The option ``assume_role`` (or a profile's ``role-arn``) then applies on top (``assume_role``): STS ``AssumeRole``
signed by whatever resolved. ``credential_chain`` turns the plan into the ``fetch()`` of the ``CurrentCredentials``
the connection signs with: the source's keys, kept fresh on their own by the connection to STS, then the role assumed
with them. ``<profile>.configure`` gives the region (``_sys_param.region``) when none is set (``apply``). Messages
name options, variables and paths, never a secret, a token or a file's content.

Why one file of this size: every credential source of the official tools (options, tccli profiles, the SDK files,
the CVM role, an assumed role) and their precedence, read and listed in one place, as ``_huawei_credentials`` does.
"""

from __future__ import annotations

import configparser
import json
import os
import re

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._credentials import (
    Credentials,
    nothing_found,
    parse_expiry,
    source_of,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._path_values import region as checked_region

DEFAULT_PROFILE = "default"
DEFAULT_SHARED_CREDENTIALS_DIR = "~/.tccli"
# tencentcloud-sdk-python's ProfileCredential: the user's file, then the system's. ``~`` is the HOME of the run.
SDK_CREDENTIALS_FILE = "~/.tencentcloud/credentials"
SYSTEM_CREDENTIALS_FILE = "/etc/tencentcloud/credentials"

DEFAULT_STS_ENDPOINT = "https://sts.tencentcloudapi.com"
STS_VERSION = "2018-08-13"
STS_SERVICE = "sts"
STS_LABEL = "Tencent Cloud STS"
DEFAULT_SESSION_DURATION = 7200  # the SDK's STSAssumeRoleCredential default
MAX_SESSION_DURATION = 43200
DEFAULT_SESSION_NAME = "cloudjobs-cleanup"
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")

DEFAULT_METADATA_ENDPOINT = "http://metadata.tencentyun.com"
METADATA_PATH = "/latest/meta-data/cam/security-credentials/"
METADATA_LABEL = "Tencent Cloud CVM metadata"
ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")

ASSUME_ROLE_ENV = {
    "role_arn": "TENCENTCLOUD_ASSUME_ROLE_ARN",
    "session_name": "TENCENTCLOUD_ASSUME_ROLE_SESSION_NAME",
    "session_duration": "TENCENTCLOUD_ASSUME_ROLE_SESSION_DURATION",
}

INSTANCE_OPTIONS = "cam_role_name (TENCENTCLOUD_CAM_ROLE_NAME) or instance_credentials=true"


class RoleToAssume:
    """STS ``AssumeRole`` parameters, where the role came from (``origin``) and what it is assumed with
    (``source``), both for messages."""

    __slots__ = ("role_arn", "session_name", "duration", "origin", "source")

    def __init__(self, role_arn, session_name, duration, origin, source):
        self.role_arn = role_arn
        self.session_name = session_name
        self.duration = duration
        self.origin = origin
        self.source = source


class CredentialPlan:
    """What ``resolve_credentials`` found, before any request: long-lived or fixed ``keys``, or the CVM role to ask
    the metadata service for (``instance``, with ``cam_role_name`` or None to discover it); the ``role`` to assume on
    top; the ``region`` a profile gives; and the sources ``tried`` in order (for messages)."""

    def __init__(self, keys=None, instance=False, cam_role_name=None, role=None, region=None, tried=()):
        self.keys = keys
        self.instance = instance
        self.cam_role_name = cam_role_name
        self.role = role
        self.region = region
        self.tried = list(tried)

    @property
    def source(self):
        """Where the keys come from, before any role."""
        if self.keys is not None:
            return self.keys.source
        if self.cam_role_name:
            return "the CAM role %s of this instance (metadata)" % self.cam_role_name
        return "the CAM role of this instance (metadata)"

    @property
    def description(self):
        """What the calls are signed with: the source, and the role assumed with it."""
        if self.role is not None:
            return "role %s (STS AssumeRole, %s) with %s" % (self.role.role_arn, self.role.origin, self.source)
        return self.source

    def apply(self, params):
        """``params`` with the region the profile gives where the options leave it unset (checked: it goes into
        the signature and the host's scope)."""
        if params.get("region") or not self.region:
            return params
        return dict(params, region=checked_region(self.region, "the tccli profile's _sys_param.region"))


def _home(path):
    return os.path.abspath(os.path.expanduser(path))


def _environment_names(params, env):
    """Which of the key options came from the environment (Ansible's fallbacks leave no other trace)."""
    names = []
    for option, variables in (("secret_id", ["TENCENTCLOUD_SECRET_ID"]), ("secret_key", ["TENCENTCLOUD_SECRET_KEY"]),
                              ("security_token", ["TENCENTCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_TOKEN"])):
        value = params.get(option)
        for variable in variables:
            if value and env.get(variable) == value:
                names.append(variable)
                break
    return names


def _read_json(path, what):
    """The JSON object in ``path``, or None when there is no such file. Errors name the file, never its content."""
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, UnicodeError) as exc:
        raise ConfigurationError("cannot read %s %s (%s)" % (what, path, type(exc).__name__))
    except ValueError:
        raise ConfigurationError("%s %s is not valid JSON" % (what, path))
    if not isinstance(data, dict):
        raise ConfigurationError("%s %s is not a JSON object" % (what, path))
    return data


def _read_ini_default(path):
    """``(secret_id, secret_key)`` of the ``[default]`` section of an SDK credentials file, None when there is no such
    file; either may be empty."""
    if not os.path.isfile(path):
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8") as f:
            parser.read_file(f)
    except (OSError, UnicodeError) as exc:
        raise ConfigurationError("cannot read the Tencent Cloud SDK credentials file %s (%s)" % (path, type(exc).__name__))
    except configparser.Error as exc:  # its text quotes the offending line: only the type
        raise ConfigurationError("the Tencent Cloud SDK credentials file %s is not a valid INI file (%s)"
                                 % (path, type(exc).__name__))
    if not parser.has_section("default"):
        return "", ""
    section = parser["default"]
    return (section.get("secret_id") or "").strip(), (section.get("secret_key") or "").strip()


def _string(data, key):
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _assume_role_request(params, env):
    """``(role_arn, session_name, duration)`` from the ``assume_role`` option, each member falling back to its
    environment variable; checked before any request."""
    option = params.get("assume_role") or {}
    arn = option.get("role_arn") or env.get(ASSUME_ROLE_ENV["role_arn"]) or None
    name = option.get("session_name") or env.get(ASSUME_ROLE_ENV["session_name"]) or None
    duration = option.get("session_duration")
    duration_name = "assume_role.session_duration"
    if duration is None and env.get(ASSUME_ROLE_ENV["session_duration"], "").strip():
        duration_name = ASSUME_ROLE_ENV["session_duration"]
        try:
            duration = int(env[ASSUME_ROLE_ENV["session_duration"]].strip())
        except ValueError:
            raise ConfigurationError("%s must be a whole number of seconds (1 to %d)"
                                     % (duration_name, MAX_SESSION_DURATION))
    if duration is not None and not 1 <= duration <= MAX_SESSION_DURATION:
        raise ConfigurationError("%s must be between 1 and %d seconds (STS AssumeRole allows at most 12 hours), got %d"
                                 % (duration_name, MAX_SESSION_DURATION, duration))
    if name is not None and not SESSION_NAME.match(name):
        raise ConfigurationError("assume_role.session_name (%s) must be 2 to 64 characters of letters, digits and "
                                 "+=,.@_-" % ASSUME_ROLE_ENV["session_name"])
    if not arn and any(option.get(k) is not None for k in ("session_name", "session_duration")):
        raise ConfigurationError("assume_role needs role_arn (or the environment variable %s)" % ASSUME_ROLE_ENV["role_arn"])
    return arn, name, duration


def resolve_credentials(params, environ=None):
    """Decide where the keys come from, reading files but sending nothing; raises ConfigurationError for conflicting
    sources, bad values, or when nothing yields keys (listing every source tried, in order)."""
    env = os.environ if environ is None else environ
    secret_id, secret_key = params.get("secret_id") or "", params.get("secret_key") or ""
    token = params.get("security_token") or ""
    cam_role_name = params.get("cam_role_name") or None
    instance = bool(params.get("instance_credentials")) or cam_role_name is not None
    profile = params.get("profile") or DEFAULT_PROFILE
    directory = _home(params.get("shared_credentials_dir") or DEFAULT_SHARED_CREDENTIALS_DIR)
    profile_named = profile != DEFAULT_PROFILE or directory != _home(DEFAULT_SHARED_CREDENTIALS_DIR)
    arn, session_name, duration = _assume_role_request(params, env)

    asked = "cam_role_name" if cam_role_name else "instance_credentials"
    if instance and (secret_id or secret_key or token):
        given = [n for n, v in (("secret_id", secret_id), ("secret_key", secret_key), ("security_token", token)) if v]
        where = _environment_names(params, env)
        raise ConfigurationError(
            "conflicting Tencent Cloud credentials: %s asks for the instance's CAM role, but keys are set too (%s%s); "
            "use one source: remove the keys, or unset %s" % (
                asked, ", ".join(given), " from the environment: %s" % ", ".join(where) if where else "", asked))
    if instance and profile_named:
        raise ConfigurationError(
            "conflicting Tencent Cloud credentials: %s asks for the instance's CAM role, but the tccli profile %r in %s "
            "(profile, shared_credentials_dir) is asked for too; use one source" % (asked, profile, directory))

    plan = CredentialPlan(instance=instance, cam_role_name=cam_role_name)
    configure = _read_json(os.path.join(directory, profile + ".configure"), "the tccli configuration")
    if configure is not None and isinstance(configure.get("_sys_param"), dict):
        plan.region = _string(configure["_sys_param"], "region") or None

    profile_role = None
    if secret_id or secret_key or token:
        missing = [n for n, v in (("secret_id", secret_id), ("secret_key", secret_key)) if not v]
        if missing:
            variables = {"secret_id": "TENCENTCLOUD_SECRET_ID", "secret_key": "TENCENTCLOUD_SECRET_KEY"}
            raise ConfigurationError(
                "missing Tencent Cloud credentials: set %s (environment variable%s %s): %s" % (
                    " and ".join(missing), "s" if len(missing) > 1 else "",
                    " and ".join(variables[n] for n in missing),
                    "security_token is given without them" if len(missing) == 2
                    else "%s is given without it" % ("secret_id" if secret_id else "secret_key")))
        where = _environment_names(params, env)
        source = "the environment (%s)" % ", ".join(where) if where else "the options secret_id and secret_key"
        plan.keys = Credentials(secret_id, secret_key, token or None, source=source)
    elif not instance:
        plan.tried.append("the options secret_id and secret_key: not set")
        plan.tried.append("the environment variables TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY "
                          "(TENCENTCLOUD_SECURITY_TOKEN or TENCENTCLOUD_TOKEN for a token): not set")
        plan.keys, profile_role = _from_profile(plan, profile, directory, profile_named)
        if plan.keys is None:
            plan.keys = _from_sdk_files(plan)
        if plan.keys is None:
            plan.tried.append("instance credentials of the CVM's CAM role (%s; never probed unless asked): not asked for"
                              % INSTANCE_OPTIONS)
            raise nothing_found("Tencent Cloud", "secret_id and secret_key (environment variables "
                                "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY)", plan.tried)

    if arn:
        plan.role = RoleToAssume(arn, session_name or DEFAULT_SESSION_NAME, duration or DEFAULT_SESSION_DURATION,
                                 "assume_role" if (params.get("assume_role") or {}).get("role_arn")
                                 else ASSUME_ROLE_ENV["role_arn"], plan.source)
    elif profile_role is not None:
        role_arn, role_session = profile_role
        if role_session and not SESSION_NAME.match(role_session):
            raise ConfigurationError("the role-session-name of the tccli profile %r must be 2 to 64 characters of "
                                     "letters, digits and +=,.@_-" % profile)
        plan.role = RoleToAssume(role_arn, session_name or role_session or DEFAULT_SESSION_NAME,
                                 duration or DEFAULT_SESSION_DURATION, "role-arn of the tccli profile %r" % profile,
                                 plan.source)
    return plan


def _from_profile(plan, profile, directory, named):
    """tccli's ``<profile>.credential``: ``(Credentials or None, (role-arn, role-session-name) or None)``."""
    path = os.path.join(directory, profile + ".credential")
    what = "the tccli profile %r (options profile / TENCENTCLOUD_PROFILE, shared_credentials_dir / " \
           "TENCENTCLOUD_SHARED_CREDENTIALS_DIR) at %s" % (profile, path)
    data = _read_json(path, "the tccli credential file")
    if data is None:
        if named:
            raise ConfigurationError("missing Tencent Cloud credentials: %s, but there is no such file" % what)
        plan.tried.append("%s: no such file" % what)
        return None, None
    secret_id, secret_key = _string(data, "secretId"), _string(data, "secretKey")
    if not (secret_id and secret_key):
        if named:
            raise ConfigurationError("missing Tencent Cloud credentials: %s has no secretId and secretKey" % what)
        plan.tried.append("%s: no secretId and secretKey" % what)
        return None, None
    keys = Credentials(secret_id, secret_key, _string(data, "token") or None,
                       source="the tccli profile %r (%s)" % (profile, path))
    role_arn = _string(data, "role-arn")
    return keys, ((role_arn, _string(data, "role-session-name") or None) if role_arn else None)


def _from_sdk_files(plan):
    for path in (_home(SDK_CREDENTIALS_FILE), SYSTEM_CREDENTIALS_FILE):
        what = "the Tencent Cloud SDK credentials file %s ([default] secret_id, secret_key)" % path
        found = _read_ini_default(path)
        if found is None:
            plan.tried.append("%s: no such file" % what)
            continue
        secret_id, secret_key = found
        if secret_id and secret_key:
            return Credentials(secret_id, secret_key, source="the Tencent Cloud SDK credentials file %s" % path)
        plan.tried.append("%s: no [default] secret_id and secret_key" % what)
    return None


class InstanceMetadata:
    """Temporary keys of the CVM's CAM role: ``GET {endpoint}/latest/meta-data/cam/security-credentials/[<role>]``,
    as tencentcloud-sdk-python's CVMRoleCredential. Unsigned reads through the run's transport (its retries,
    timeouts and TLS settings), never rate limited, never mutating."""

    def __init__(self, transport, policy, endpoint=None, role_name=None):
        self.transport = transport
        self.policy = policy
        self.base = (endpoint or DEFAULT_METADATA_ENDPOINT).rstrip("/") + METADATA_PATH
        self.role_name = role_name

    def _get(self, operation, url, parse):
        def sign():
            return "GET", url, {"Accept": "application/json, text/plain"}, None

        return self.transport.send(METADATA_LABEL, operation, sign, parse, self.policy)

    def discover_role_name(self):
        def parse(response):
            if response.status_code == 404:
                raise ApiError(METADATA_LABEL, "CamRoleName", "no CAM role is bound to this instance", status=404,
                               code="HTTP404", hint="bind a CAM role to the CVM, or set cam_role_name")
            _check_status(response, "CamRoleName")
            lines = (response.text or "").strip().splitlines()
            name = lines[0].strip() if lines else ""
            if not ROLE_NAME.match(name):
                raise ApiError(METADATA_LABEL, "CamRoleName", "the answer is not a CAM role name", status=200,
                               code="MalformedResponse")
            return name

        return self._get("CamRoleName", self.base, parse)

    def credentials(self):
        if self.role_name is None:
            self.role_name = self.discover_role_name()
        role = self.role_name

        def parse(response):
            if response.status_code == 404:
                raise ApiError(METADATA_LABEL, "CamSecurityCredentials",
                               "the CAM role %s is not bound to this instance" % role, status=404, code="HTTP404",
                               hint="check cam_role_name, or use instance_credentials=true to discover the role")
            _check_status(response, "CamSecurityCredentials")
            try:
                data = response.json()
            except ValueError:
                data = None
            if not isinstance(data, dict):
                raise ApiError(METADATA_LABEL, "CamSecurityCredentials", "the answer is not JSON", status=200,
                               code="MalformedResponse")
            if data.get("Code") != "Success":
                code = data.get("Code") if isinstance(data.get("Code"), str) else "MalformedResponse"
                raise ApiError(METADATA_LABEL, "CamSecurityCredentials",
                               "the metadata service did not hand out credentials of the role %s" % role, status=200,
                               code=code)
            return _temporary(data, "TmpSecretId", "TmpSecretKey", "Token", data.get("ExpiredTime"),
                              "the CAM role %s of this instance (metadata)" % role, METADATA_LABEL,
                              "CamSecurityCredentials")

        return self._get("CamSecurityCredentials", self.base + role, parse)


def _check_status(response, operation):
    if response.status_code != 200:
        raise ApiError(METADATA_LABEL, operation, "the metadata service answered HTTP %d" % response.status_code,
                       status=response.status_code, code="HTTP%d" % response.status_code)


def _temporary(data, id_key, secret_key, token_key, expiry, source, service, operation):
    values = [data.get(k) for k in (id_key, secret_key, token_key)]
    if not all(isinstance(v, str) and v for v in values) or expiry is None:
        raise ApiError(service, operation, "the answer lacks %s, %s, %s or its expiry" % (id_key, secret_key, token_key),
                       status=200, code="MalformedResponse")
    return Credentials(values[0], values[1], values[2], expires_at=parse_expiry(expiry, "%s %s" % (service, operation)),
                       source=source)


def assume_role(sts, role):
    """Temporary keys of ``role`` from STS ``AssumeRole``; ``sts`` is a connection to STS signed by the source keys."""
    result = sts.call("AssumeRole", {"RoleArn": role.role_arn, "RoleSessionName": role.session_name,
                                     "DurationSeconds": role.duration})
    credentials = result.get("Credentials") if isinstance(result, dict) else None
    expiry = result.get("ExpiredTime") if isinstance(result, dict) else None
    if expiry is None and isinstance(result, dict):
        expiry = result.get("Expiration")
    return _temporary(credentials if isinstance(credentials, dict) else {}, "TmpSecretId", "TmpSecretKey", "Token",
                      expiry, "role %s (STS AssumeRole with %s)" % (role.role_arn, role.source), STS_LABEL,
                      "AssumeRole")


def credential_chain(plan, metadata=None, sts=None):
    """The ``fetch()`` of ``CurrentCredentials``: the plan's keys, or the CVM role's from ``metadata()`` (an
    ``InstanceMetadata``); then, when the plan has a ``role``, the role assumed through ``sts(source)``, a connection
    to STS that signs with what ``source()`` returns and keeps those fresh on its own (the metadata service is read
    again only when they are due)."""
    source = source_of(plan, metadata)
    if plan.role is None:
        return source
    connection = sts(source)
    role = plan.role

    def fetch():
        return assume_role(connection, role)
    return fetch
