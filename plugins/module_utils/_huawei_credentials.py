# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud credential sources, named as the official tools name them.

PRIVATE to this collection; no stability promise.

The vocabulary is the one both clouds share (``_credentials.py``). Precedence, the first that yields keys
(``resolve_credentials``, files read, no request sent):

1. the options ``access_key`` / ``secret_key`` / ``security_token`` (and their environment variables);
2. a KooCLI profile (``profile`` / ``shared_config_file``, env ``HW_PROFILE`` / ``HW_SHARED_CONFIG_FILE``, default
   ``~/.hcloud/config.json``), read only when one of them is set, as Huawei's Terraform provider does;
3. the SDK's credentials file (INI ``~/.huaweicloud/credentials``, env ``HUAWEICLOUD_SDK_CREDENTIALS_FILE``,
   section ``[basic]``: ``ak``, ``sk``, ``security_token``, ``project_id``);
4. instance credentials: the ECS agency's temporary keys from the metadata service, only with
   ``instance_credentials: true`` (never probed unasked).

The option ``assume_role`` then applies on top (``assume_role``): IAM ``securitytokens`` (``assume_role`` method)
without ``domain_id``, STS ``agencies/assume`` with it. ``credential_chain`` turns the plan into the ``fetch()`` of
``CurrentCredentials``: the source's keys (read again from the metadata service at each fetch), then the agency
assumed with them. Its requests go through the connection's ``credential_request`` (the one transport, signed with
the source keys). Messages name options, variables and paths, never a key, a token or a file's content.

Why one file of this size: every credential source of the official tools (options, KooCLI profiles, the SDK file,
the ECS agency, an assumed agency) and their precedence, read and listed in one place, as ``_tencent_credentials``
does.
"""

from __future__ import annotations

import configparser
import json
import os

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._credentials import (
    Credentials,
    nothing_found,
    parse_expiry,
    source_of,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError, ConfigurationError

DEFAULT_SHARED_CONFIG_FILE = "~/.hcloud/config.json"
DEFAULT_SDK_CREDENTIALS_FILE = "~/.huaweicloud/credentials"
SDK_CREDENTIALS_FILE_ENV = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"
DEFAULT_METADATA_ENDPOINT = "http://169.254.169.254"
METADATA_TOKEN_PATH = "/meta-data/latest/api/token"
METADATA_SECURITY_KEY_PATH = "/openstack/latest/securitykey"
METADATA_TOKEN_TTL = "21600"
NO_TOKEN_SERVICE = (404, 405, 503)  # the metadata token service is absent: go on without a token
IAM_SECURITYTOKENS_PATH = "/v3.0/OS-CREDENTIAL/securitytokens"
STS_ASSUME_PATH = "/v5/agencies/assume"
# (minimum, maximum, default) seconds of an assumed agency's credentials, per API.
IAM_DURATION = (900, 86400, 900)
STS_DURATION = (900, 43200, 3600)
STS_DURATION_WITH_TOKEN = 3600  # STS's maximum when the caller's keys are themselves temporary
# How messages name the services credentials come from (``_huawei.label`` names these too).
METADATA_LABEL = "Huawei Cloud ECS metadata"
IAM_LABEL = "Huawei Cloud IAM"
STS_LABEL = "Huawei Cloud STS"

ASSUME_ROLE_ENV = (("agency_name", "HW_ASSUME_ROLE_AGENCY_NAME"), ("domain_name", "HW_ASSUME_ROLE_DOMAIN_NAME"),
                   ("domain_id", "HW_ASSUME_ROLE_DOMAIN_ID"), ("duration", "HW_ASSUME_ROLE_DURATION"))
KEY_OPTIONS = ("options access_key/secret_key (HW_ACCESS_KEY, HW_SECRET_KEY, HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK), "
               "auth_token (HW_AUTH_TOKEN)")


class CredentialPlan:
    """What ``resolve_credentials`` found: the source's label, its ``keys`` (None for instance credentials and IAM
    tokens), whether to read the metadata service (``instance``), the agency to assume (``role``: a dict, or None),
    the region / project id a profile or credentials file adds, whether the run signs nothing but sends the IAM
    token (``token_auth``), and the sources ``tried`` before it."""

    def __init__(self, source, keys=None, instance=False, role=None, region=None, project_id=None, token_auth=False,
                 tried=()):
        self.source = source
        self.keys = keys
        self.instance = instance
        self.role = role
        self.region = region
        self.project_id = project_id
        self.token_auth = token_auth
        self.tried = list(tried)

    def apply(self, params):
        """``params`` with the region and project id the source adds where the options leave them unset."""
        params = dict(params)
        if self.region and not params.get("region"):
            params["region"] = self.region
        if self.project_id and not params.get("project_id"):
            params["project_id"] = self.project_id
        return params


def resolve_credentials(params, environ=None):
    """The credential source of a run, before any request: conflicts, incomplete keys, an unreadable profile or an
    out-of-range duration are a ConfigurationError; so is finding nothing (listing every source tried)."""
    env = os.environ if environ is None else environ
    assume = assume_role_settings(params, env)
    check_conflicts(params, assume)
    if params.get("auth_token"):
        return CredentialPlan("auth_token", token_auth=True)
    tried = []
    plan = (_from_options(params, tried) or _from_profile(params, tried, assume)
            or _from_sdk_file(params, env, tried, assume) or _from_instance(params, tried))
    if plan is None:
        raise nothing_found("Huawei Cloud", "access_key and secret_key (environment variables HW_ACCESS_KEY and "
                            "HW_SECRET_KEY)", tried)
    plan.role = assume
    plan.tried = tried
    if assume is not None:
        check_duration(assume, plan.instance or bool(plan.keys.token))
    return plan


def check_conflicts(params, assume=None):
    """Explicit sources that cannot be combined, refused before any request."""
    keys = [name for name in ("access_key", "secret_key", "security_token") if params.get(name)]
    if params.get("auth_token"):
        if params.get("access_key") or params.get("security_token"):
            raise ConfigurationError("auth_token cannot be combined with access_key or security_token: use an IAM "
                                     "token or AK/SK, not both")
        others = [name for name in ("profile", "shared_config_file") if params.get(name)]
        if params.get("instance_credentials"):
            others.append("instance_credentials")
        if assume is not None:
            others.append("assume_role")
        if others:
            raise ConfigurationError("auth_token (HW_AUTH_TOKEN) cannot be combined with %s: an IAM token is used as "
                                     "it is, with no other credential source" % ", ".join(others))
    if keys and params.get("instance_credentials"):
        raise ConfigurationError("%s cannot be combined with instance_credentials=true: use keys or the ECS agency's "
                                 "temporary credentials from the metadata service, not both (check HW_ACCESS_KEY, "
                                 "HW_SECRET_KEY, HW_SECURITY_TOKEN and HUAWEICLOUD_SDK_* in the environment)"
                                 % "/".join(keys))


def assume_role_settings(params, env):
    """The agency to assume: the ``assume_role`` option's members, each missing one from its ``HW_ASSUME_ROLE_*``
    variable; None when neither names anything."""
    given = params.get("assume_role") or {}
    settings = {}
    for key, variable in ASSUME_ROLE_ENV:
        value = given.get(key)
        if value is None or value == "":
            value = env.get(variable) or None
        settings[key] = value
    if not any(value is not None for value in settings.values()):
        return None
    if not settings["agency_name"]:
        raise ConfigurationError("assume_role needs agency_name (HW_ASSUME_ROLE_AGENCY_NAME)")
    if not settings["domain_name"] and not settings["domain_id"]:
        raise ConfigurationError("assume_role needs domain_name or domain_id (HW_ASSUME_ROLE_DOMAIN_NAME, "
                                 "HW_ASSUME_ROLE_DOMAIN_ID): the account that owns the agency %s"
                                 % settings["agency_name"])
    duration = settings["duration"]
    if duration is not None and not isinstance(duration, int):
        try:
            duration = int(str(duration).strip())
        except ValueError:
            raise ConfigurationError("assume_role.duration (HW_ASSUME_ROLE_DURATION) must be a number of seconds, "
                                     "got %r" % str(duration)[:40]) from None
    settings["duration"] = duration
    return settings


def check_duration(assume, source_has_token):
    """Refuse a duration the API would refuse, before any request; fill in the API's default."""
    if assume.get("domain_id"):
        low, high, default = STS_DURATION
        api = "STS agencies/assume (with domain_id)"
        if source_has_token:
            high, default = STS_DURATION_WITH_TOKEN, STS_DURATION_WITH_TOKEN
            api += " with temporary source credentials"
    else:
        low, high, default = IAM_DURATION
        api = "IAM securitytokens (with domain_name)"
    duration = assume.get("duration")
    if duration is None:
        assume["duration"] = default
        return
    if not low <= duration <= high:
        raise ConfigurationError("assume_role.duration must be between %d and %d seconds for %s, got %d"
                                 % (low, high, api, duration))


def _from_options(params, tried):
    access_key, secret_key = params.get("access_key"), params.get("secret_key")
    if access_key and secret_key:
        return CredentialPlan("options", Credentials(access_key, secret_key, params.get("security_token"),
                                                     source="options"))
    if access_key or secret_key or params.get("security_token"):
        missing = [name for name in ("access_key", "secret_key") if not params.get(name)]
        raise ConfigurationError(
            "missing Huawei Cloud credentials: set %s (environment variables HW_ACCESS_KEY and HW_SECRET_KEY, "
            "or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK), or an IAM token with auth_token (HW_AUTH_TOKEN)"
            % " and ".join(missing))
    tried.append("%s: not set" % KEY_OPTIONS)
    return None


def _from_profile(params, tried, assume):
    name, path = params.get("profile"), params.get("shared_config_file")
    if not name and not path:
        tried.append("profile: not set (profile / HW_PROFILE, shared_config_file / HW_SHARED_CONFIG_FILE, default "
                     "file %s)" % DEFAULT_SHARED_CONFIG_FILE)
        return None
    path = os.path.expanduser(path or DEFAULT_SHARED_CONFIG_FILE)
    where = "the shared config file %s (shared_config_file / HW_SHARED_CONFIG_FILE)" % path
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as exc:
        raise ConfigurationError("cannot read %s: %s" % (where, exc.strerror or type(exc).__name__)) from None
    except ValueError as exc:
        # Only the position: the message of a JSON error may quote the file, and the file holds keys.
        raise ConfigurationError("%s is not KooCLI's JSON (%s at line %s)"
                                 % (where, type(exc).__name__, getattr(exc, "lineno", "?"))) from None
    profiles = data.get("profiles") if isinstance(data, dict) else None
    if not isinstance(profiles, list):
        raise ConfigurationError("%s has no profiles list" % where)
    name = name or data.get("current")
    if not name:
        raise ConfigurationError("%s names no current profile: set profile (HW_PROFILE)" % where)
    found = [p for p in profiles if isinstance(p, dict) and p.get("name") == name]
    if not found:
        names = [str(p.get("name")) for p in profiles if isinstance(p, dict) and p.get("name")]
        raise ConfigurationError("%s has no profile %s (profiles: %s)" % (where, name, ", ".join(names) or "none"))
    profile = found[0]
    label = "profile %s in %s" % (name, path)
    region = profile.get("region") or None
    project_id = None
    if assume is None and (not params.get("region") or params.get("region") == region):
        project_id = profile.get("projectId") or None  # the profile's project, of its region and its account
    mode = str(profile.get("mode") or "AKSK")
    if mode.lower() == "ecsagency":  # KooCLI's "use the ECS agency": asked for by the profile
        return CredentialPlan("instance credentials (%s, mode ecsAgency)" % label, instance=True, region=region)
    if mode.lower() != "aksk":
        raise ConfigurationError("%s uses mode %s; only AKSK and ecsAgency profiles are read" % (label, mode))
    access_key, secret_key = profile.get("accessKeyId"), profile.get("secretAccessKey")
    if not access_key or not secret_key:
        raise ConfigurationError("%s has no accessKeyId/secretAccessKey: KooCLI encrypts them unless configured with "
                                 "hcloud configure set --cli-auth-encrypt=false" % label)
    return CredentialPlan(label, Credentials(access_key, secret_key, profile.get("securityToken"), source=label),
                          region=region, project_id=project_id)


def sdk_credentials_file(env):
    return os.path.expanduser(env.get(SDK_CREDENTIALS_FILE_ENV) or DEFAULT_SDK_CREDENTIALS_FILE)


def _from_sdk_file(params, env, tried, assume):
    path = sdk_credentials_file(env)
    label = "the SDK credentials file %s (%s)" % (path, SDK_CREDENTIALS_FILE_ENV)
    if not os.path.isfile(path):
        tried.append("%s: not found" % label)
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8") as f:
            parser.read_file(f)
    except (OSError, UnicodeError, configparser.Error) as exc:
        # Only the type: configparser's messages quote the offending lines, and the file holds keys.
        raise ConfigurationError("cannot read %s: %s" % (label, type(exc).__name__)) from None
    basic = parser["basic"] if parser.has_section("basic") else {}
    access_key, secret_key = basic.get("ak"), basic.get("sk")
    if not access_key or not secret_key:
        tried.append("%s: no ak and sk in [basic]" % label)
        return None
    project_id = (basic.get("project_id") or None) if assume is None else None
    return CredentialPlan(label, Credentials(access_key, secret_key, basic.get("security_token"), source=label),
                          project_id=project_id)


def _from_instance(params, tried):
    if not params.get("instance_credentials"):
        tried.append("instance credentials: not asked for (instance_credentials=true, on an ECS with an agency)")
        return None
    endpoint = params.get("metadata_endpoint") or DEFAULT_METADATA_ENDPOINT
    return CredentialPlan("instance credentials (metadata_endpoint %s)" % endpoint, instance=True)


def credential_chain(plan, metadata=None, sts=None):
    """The ``fetch()`` of ``CurrentCredentials``: the plan's keys, or the ECS agency's from ``metadata()`` (an
    ``InstanceMetadata``, read again at every fetch); then, when the plan has a ``role``, the agency assumed with
    them through ``sts(source)``, the connection's credential requests signed with what ``source()`` returns."""
    source = source_of(plan, metadata)
    if plan.role is None:
        return source
    role = plan.role

    def fetch():
        return assume_role(sts(source), role)
    return fetch


class InstanceMetadata:
    """The ECS agency's temporary keys from the metadata service: a metadata API token (unless the service has
    none), then ``securitykey``. ``request`` is the connection's ``credential_request`` (unsigned here, through the
    run's transport); the token joins the run's ``secrets``."""

    def __init__(self, request, secrets):
        self.request = request
        self.secrets = secrets

    def credentials(self):
        status, response = self.request(
            "metadata", "MetadataApiToken", "PUT", METADATA_TOKEN_PATH,
            headers={"X-Metadata-Token-Ttl-Seconds": METADATA_TOKEN_TTL}, passthrough=NO_TOKEN_SERVICE)
        headers = {}
        if status not in NO_TOKEN_SERVICE:
            token = (response.text or "").strip()
            if token:
                headers["X-Metadata-Token"] = token
                self.secrets.add(token)
        status, response = self.request("metadata", "MetadataSecurityKey", "GET", METADATA_SECURITY_KEY_PATH,
                                        headers=headers, passthrough=(401,))
        if status == 401:
            raise ApiError(METADATA_LABEL, "MetadataSecurityKey",
                           "the metadata service refused the security key: no agency is bound to this ECS (\"Please "
                           "configure Cloud Service Agency first\")", status=401, code="HTTP401",
                           hint="bind an agency to the ECS instance, or use another credential source than "
                                "instance_credentials")
        credential = _json(response, "credential", METADATA_LABEL, "MetadataSecurityKey")
        return _credentials(credential, ("access", "secret", "securitytoken", "expires_at"), "instance credentials",
                            METADATA_LABEL, "MetadataSecurityKey")


def assume_role(sts, role):
    """Temporary keys of the agency ``role``, asked of ``sts`` (credential requests signed with the source keys):
    IAM without domain_id, STS with it."""
    name = role["agency_name"]
    if role.get("domain_id"):
        urn = "iam::%s:agency:%s" % (role["domain_id"], name)
        body = {"agency_urn": urn, "agency_session_name": name, "duration_seconds": role["duration"]}
        dummy, response = sts("sts", "AssumeAgency", "POST", STS_ASSUME_PATH, json_body=body)
        credential = _json(response, "credentials", STS_LABEL, "AssumeAgency")
        return _credentials(credential, ("access_key_id", "secret_access_key", "security_token", "expiration"),
                            "agency %s (STS)" % urn, STS_LABEL, "AssumeAgency")
    agency = {"agency_name": name, "duration_seconds": role["duration"]}
    agency["domain_name"] = role["domain_name"]
    body = {"auth": {"identity": {"methods": ["assume_role"], "assume_role": agency}}}
    dummy, response = sts("iam", "CreateTemporaryAccessKeyByAgency", "POST", IAM_SECURITYTOKENS_PATH, json_body=body)
    credential = _json(response, "credential", IAM_LABEL, "CreateTemporaryAccessKeyByAgency")
    return _credentials(credential, ("access", "secret", "securitytoken", "expires_at"),
                        "agency %s of %s (IAM)" % (name, role["domain_name"]), IAM_LABEL,
                        "CreateTemporaryAccessKeyByAgency")


def _json(response, key, service, operation):
    try:
        body = response.json()
    except ValueError:
        body = None
    value = body.get(key) if isinstance(body, dict) else None
    if not isinstance(value, dict):
        raise ApiError(service, operation, "the answer has no %s object" % key, status=response.status_code,
                       code="MalformedResponse", request_id=response.headers.get("X-Request-Id"))
    return value


def _credentials(values, names, source, service, operation):
    access, secret, token, expires = (values.get(name) for name in names)
    if not access or not secret or not token or not expires:
        raise ApiError(service, operation, "the answer lacks %s" % ", ".join(n for n in names if not values.get(n)),
                       code="MalformedResponse")
    try:
        expires_at = parse_expiry(expires, "%s %s" % (service, operation))
    except ConfigurationError as exc:
        raise ApiError(service, operation, str(exc), code="MalformedResponse") from None
    return Credentials(access, secret, token, expires_at=expires_at, source=source)
