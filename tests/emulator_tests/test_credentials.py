"""The emulator's credentials are written once (tests/emulator/credentials.py): every way of reading them gives
the same values, and the documentation shows exactly those values."""

import json
import os
import re
import shlex
import subprocess
import sys

import pytest
import yaml

from emulator import credentials as creds
from emulator.harness import EMULATOR_DIR

REPO = os.path.dirname(os.path.dirname(EMULATOR_DIR))
# Pages that show users the emulator's credentials: whatever looks like one of them must be one of them.
DOCS = ["docs/emulator.md", "docs/docsite/rst/emulator.rst", "README.md"]
LOOKS_LIKE_A_CREDENTIAL = re.compile(r"\b(?:(?:AKID)?EMULATOR[A-Z0-9]+|emulator-[a-z-]*token|[0-9a-f]{32})\b")


def _read(path):
    with open(os.path.join(REPO, path), encoding="utf-8") as f:
        return f.read()


def _print_credentials(*args):
    return subprocess.run([sys.executable, EMULATOR_DIR, "--print-credentials"] + list(args),
                          check=True, capture_output=True, text=True, timeout=60).stdout


def test_every_value_is_exported_under_its_name():
    assert creds.CREDENTIALS["huawei_access_key"] == creds.HUAWEI_ACCESS_KEY
    assert creds.CREDENTIALS["tencent_temporary_security_token"] == creds.TENCENT_TEMPORARY_SECURITY_TOKEN
    assert len(creds.CREDENTIALS) == 20
    assert all(isinstance(value, str) and value for value in creds.CREDENTIALS.values())


def test_the_documentation_shows_every_exported_value():
    page = _read("docs/emulator.md")
    assert [name for name, value in creds.CREDENTIALS.items() if "`%s`" % value not in page] == []


@pytest.mark.parametrize("path", DOCS)
def test_the_documentation_shows_no_other_credential(path):
    shown = set(LOOKS_LIKE_A_CREDENTIAL.findall(_read(path)))
    assert shown - set(creds.CREDENTIALS.values()) == set()


def test_the_documented_variables_file_is_what_the_cli_prints():
    page = _read("docs/docsite/rst/emulator.rst")
    block = re.search(r"\.\. code-block:: yaml\n\n   # emulator\.yml\n((?:   .*\n)+)", page).group(1)
    documented = yaml.safe_load(block.replace("\n   ", "\n")[3:])
    endpoint = documented["huaweicloud_auth"]["endpoint"]
    printed = yaml.safe_load(_print_credentials("yaml", "--endpoint", endpoint))
    assert {name: documented[name] for name in printed} == printed
    assert printed == {"huaweicloud_auth": creds.huaweicloud_auth(endpoint),
                       "tencentcloud_auth": creds.tencentcloud_auth(endpoint)}


def test_json_and_shell_forms_carry_every_value():
    assert json.loads(_print_credentials("json")) == creds.CREDENTIALS
    shell = dict(line.split("=", 1) for line in shlex.split(_print_credentials("shell"), comments=True))
    assert shell == {"EMULATOR_" + name.upper(): value for name, value in creds.CREDENTIALS.items()}


def test_the_control_api_serves_them(emulator):
    assert emulator.call("GET", "credentials") == creds.CREDENTIALS
