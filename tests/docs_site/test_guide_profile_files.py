"""The example CLI profile files of the authentication guide are files the collection reads as the guide says.

docs/docsite/rst/authentication.rst shows KooCLI's ``~/.hcloud/config.json`` and tccli's ``~/.tccli/default.credential``
and ``default.configure`` as ``.. code-block:: json`` blocks captioned with their paths. Each is written where its
caption says, under a private HOME, and read with the collection's own resolvers
(``_huawei_credentials.resolve_credentials``, ``_tencent_credentials.resolve_credentials``): the keys, region and
project id they give must be the example's.

No emulator and no request: resolving reads files only.
"""

import json
import os
import re
import textwrap

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _huawei_credentials, _tencent_credentials
from support.ansible_runs import REPO

GUIDE = os.path.join(REPO, "docs", "docsite", "rst", "authentication.rst")


def captioned_json_blocks(text):
    """``{caption: text}`` of every ``.. code-block:: json`` with a ``:caption:`` option."""
    blocks = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        match = re.match(r"^(\s*)\.\. code-block::\s*json\s*$", lines[i])
        i += 1
        if not match:
            continue
        indent, caption = len(match.group(1)), None
        while i < len(lines) and re.match(r"^\s+:[\w-]+:", lines[i]):
            option = re.match(r"^\s+:caption:\s*(.+?)\s*$", lines[i])
            caption = option.group(1) if option else caption
            i += 1
        start = i
        while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
            i += 1
        if caption:
            blocks[caption] = textwrap.dedent("\n".join(lines[start:i])).strip() + "\n"
    return blocks


@pytest.fixture(scope="module")
def examples():
    with open(GUIDE, encoding="utf-8") as f:
        blocks = captioned_json_blocks(f.read())
    assert set(blocks) == {"~/.hcloud/config.json", "~/.tccli/default.credential", "~/.tccli/default.configure"}, \
        sorted(blocks)
    return blocks


@pytest.fixture
def home(tmp_path, monkeypatch, examples):
    """A HOME holding the guide's example files, at the paths their captions name."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for caption, text in examples.items():
        path = tmp_path / caption[len("~/"):]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_examples_are_json(examples):
    for caption, text in examples.items():
        assert isinstance(json.loads(text), dict), caption


def test_the_koocli_example_gives_keys_region_and_project_id(home, examples):
    document = json.loads(examples["~/.hcloud/config.json"])
    current = next(p for p in document["profiles"] if p["name"] == document["current"])
    assert current["mode"] == "AKSK"
    for params in ({"profile": document["current"]}, {"shared_config_file": "~/.hcloud/config.json"}):
        plan = _huawei_credentials.resolve_credentials(params, environ={})
        assert not plan.instance
        keys = plan.keys
        assert (keys.key_id, keys.secret, keys.token) == (current["accessKeyId"], current["secretAccessKey"], None)
        applied = plan.apply({})
        assert (applied["region"], applied["project_id"]) == (current["region"], current["projectId"])
        assert str(home / ".hcloud" / "config.json") in plan.source


def test_the_koocli_ecs_agency_profile_means_instance_credentials(home, examples):
    document = json.loads(examples["~/.hcloud/config.json"])
    agency = next(p for p in document["profiles"] if p["mode"] == "ecsAgency")
    plan = _huawei_credentials.resolve_credentials({"profile": agency["name"]}, environ={})
    assert plan.instance and plan.keys is None
    assert plan.apply({})["region"] == agency["region"]


def test_the_tccli_example_gives_keys_and_region(home, examples):
    credential = json.loads(examples["~/.tccli/default.credential"])
    configure = json.loads(examples["~/.tccli/default.configure"])
    plan = _tencent_credentials.resolve_credentials({}, environ={})  # no options: the default profile in ~/.tccli
    assert (plan.keys.key_id, plan.keys.secret, plan.keys.token) == (credential["secretId"], credential["secretKey"], None)
    assert "the tccli profile 'default'" in plan.keys.source
    assert plan.region == configure["_sys_param"]["region"]
    assert plan.role is None and not plan.instance


def test_the_reader_finds_captioned_blocks_only():
    text = textwrap.dedent("""\
        .. code-block:: json
           :caption: ~/a.json

           {"a": 1}

        .. code-block:: json

           {"b": 2}
        """)
    assert captioned_json_blocks(text) == {"~/a.json": '{"a": 1}\n'}
