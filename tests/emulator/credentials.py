"""The credentials the emulator accepts, and its default project and regions: the one place they are written.

Python reads the constants (``from emulator.credentials import HUAWEI_ACCESS_KEY``); shell and YAML read
``python tests/emulator --print-credentials shell|yaml|json``; a playbook reads ``GET /_emulator/credentials``
of a running emulator. docs/emulator.md shows the same values to users (tests/emulator_tests/test_credentials.py
keeps them equal). Stdlib only: printing them must not need the SDKs the server verifies signatures with.
"""

import hashlib
import json
import shlex

HUAWEI_REGION = "cn-north-4"
HUAWEI_PROJECT_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"  # the project of HUAWEI_REGION, also what IAM answers
HUAWEI_ACCESS_KEY = "EMULATORAK00000000000"
HUAWEI_SECRET_KEY = "EMULATORSK0000000000000000000000000000000"
HUAWEI_AUTH_TOKEN = "emulator-token"  # an IAM token, sent as X-Auth-Token
HUAWEI_TEMPORARY_ACCESS_KEY = "EMULATORTMPAK000000000"  # accepted only with its security token
HUAWEI_TEMPORARY_SECRET_KEY = "EMULATORTMPSK00000000000000000000000000000"
HUAWEI_TEMPORARY_SECURITY_TOKEN = "emulator-security-token"
HUAWEI_DOMAIN_ID = "0d0e0f1a2b3c4d5e6f7a8b9c0d1e2f3a"  # the account (domain) of the demo project
HUAWEI_DOMAIN_NAME = "emulator-domain"
HUAWEI_AGENCY_NAME = "cleanup"  # the demo agency: assumable, and bound to the emulated ECS (metadata)
HUAWEI_AGENCY_URN = "iam::%s:agency:%s" % (HUAWEI_DOMAIN_ID, HUAWEI_AGENCY_NAME)  # what STS AssumeAgency takes

TENCENT_REGION = "ap-guangzhou"
TENCENT_SECRET_ID = "AKIDEMULATOR00000000000000000000000"
TENCENT_SECRET_KEY = "EMULATORKEY0000000000000000000000"
TENCENT_TEMPORARY_SECRET_ID = "AKIDEMULATORTMP000000000000000000000"  # accepted only with its token
TENCENT_TEMPORARY_SECRET_KEY = "EMULATORTMPKEY00000000000000000000"
TENCENT_TEMPORARY_SECURITY_TOKEN = "emulator-tc-token"
TENCENT_ROLE_NAME = "cleanup"  # the demo CAM role: assumable with STS AssumeRole, and bound to the emulated CVM
TENCENT_ROLE_ARN = "qcs::cam::uin/100000000001:roleName/" + TENCENT_ROLE_NAME

# Every value above under its name in lower case: the JSON of `--print-credentials json` and of
# `GET /_emulator/credentials`; `--print-credentials shell` prints them as EMULATOR_<NAME>=value.
CREDENTIALS = {name.lower(): value for name, value in sorted(globals().items())
               if name.startswith(("HUAWEI_", "TENCENT_")) and isinstance(value, str)}


# Further accounts, for tests with many accounts (AWX job slicing): the emulator accepts accounts 1..N of these when
# its setting `accounts` is N. Account n has the demo keys with their trailing zeros replaced by n (zero-padded to
# the same length); account 0 is the demo account itself. Each account has its own id, which the request log's
# `account` field names: the Huawei domain id, the Tencent account (uin).
MAX_ACCOUNTS = 999
_DEMO_TENCENT_UIN = 100000000001  # the uin of the demo CAM role (TENCENT_ROLE_ARN)


def huawei_account(n):
    """Account ``n`` of Huawei Cloud: ``{"access_key", "secret_key", "domain_id", "account"}`` (``account`` is the
    domain id)."""
    _check_account_number(n)
    domain = HUAWEI_DOMAIN_ID if n == 0 else hashlib.sha256(b"emulator-domain-%d" % n).hexdigest()[:32]
    return {"access_key": "EMULATORAK%011d" % n, "secret_key": "EMULATORSK%031d" % n, "domain_id": domain,
            "account": domain}


def tencent_account(n):
    """Account ``n`` of Tencent Cloud: ``{"secret_id", "secret_key", "uin", "account"}`` (``account`` is the uin)."""
    _check_account_number(n)
    uin = str(_DEMO_TENCENT_UIN + n)
    return {"secret_id": "AKIDEMULATOR%023d" % n, "secret_key": "EMULATORKEY%022d" % n, "uin": uin, "account": uin}


def account_number(key):
    """``n`` of the permanent key (Huawei AK or Tencent SecretId) of account ``n``, else None."""
    for prefix, width in (("EMULATORAK", 11), ("AKIDEMULATOR", 23)):
        digits = key[len(prefix):] if isinstance(key, str) and key.startswith(prefix) else ""
        if len(digits) == width and digits.isdigit() and int(digits) <= MAX_ACCOUNTS:
            return int(digits)
    return None


def _check_account_number(n):
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_ACCOUNTS:
        raise ValueError("account number %r: an integer from 0 (the demo account) to %d" % (n, MAX_ACCOUNTS))


def huaweicloud_auth(endpoint=None):
    """The collection's Huawei Cloud options for the emulator (``huaweicloud_auth`` of the shipped playbooks)."""
    auth = {"endpoint": endpoint, "region": HUAWEI_REGION, "project_id": HUAWEI_PROJECT_ID,
            "access_key": HUAWEI_ACCESS_KEY, "secret_key": HUAWEI_SECRET_KEY}
    return {k: v for k, v in auth.items() if v is not None}


def tencentcloud_auth(endpoint=None):
    """The collection's Tencent Cloud options for the emulator (``tencentcloud_auth`` of the shipped playbooks)."""
    auth = {"endpoint": endpoint, "region": TENCENT_REGION, "secret_id": TENCENT_SECRET_ID,
            "secret_key": TENCENT_SECRET_KEY}
    return {k: v for k, v in auth.items() if v is not None}


def render(form, endpoint=None):
    """The text `--print-credentials FORM` prints.

    ``json``: CREDENTIALS. ``shell``: one ``EMULATOR_<NAME>=value`` line each, for ``eval``. ``yaml``: the
    variables ``huaweicloud_auth`` and ``tencentcloud_auth`` of the shipped playbooks, with ``endpoint`` if given.
    """
    if form == "json":
        return json.dumps(CREDENTIALS, indent=2, sort_keys=True) + "\n"
    if form == "shell":
        return "".join("EMULATOR_%s=%s\n" % (name.upper(), shlex.quote(value)) for name, value in CREDENTIALS.items())
    if form == "yaml":
        lines = []
        for var, auth in (("huaweicloud_auth", huaweicloud_auth(endpoint)), ("tencentcloud_auth", tencentcloud_auth(endpoint))):
            lines.append("%s:" % var)
            lines.extend("  %s: %s" % (key, json.dumps(value)) for key, value in auth.items())  # JSON strings are YAML
        return "\n".join(lines) + "\n"
    raise ValueError("unknown form %r: json, shell or yaml" % form)
