# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""meta/runtime.yml must list every module in exactly the right action group.

A module missing from its group silently ignores ``module_defaults: group/...`` and then runs
without the credentials the play meant for it.
"""

from __future__ import annotations

import os

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# Which group a module belongs to is decided by the cloud it talks to.
GROUP_BY_PREFIX = (("mrs_", "huaweicloud"), ("workspace_", "huaweicloud"), ("tencent_", "tencentcloud"))


def _modules():
    names = os.listdir(os.path.join(ROOT, "plugins", "modules"))
    return sorted(n[:-3] for n in names if n.endswith(".py") and not n.startswith("_"))


def _expected_group(module):
    for prefix, group in GROUP_BY_PREFIX:
        if module.startswith(prefix):
            return group
    raise AssertionError("module %s belongs to no known cloud: extend GROUP_BY_PREFIX" % module)


def _runtime():
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def test_action_groups_list_exactly_the_modules():
    groups = _runtime()["action_groups"]
    expected = {"huaweicloud": [], "tencentcloud": []}
    for module in _modules():
        expected[_expected_group(module)].append(module)
    assert {name: sorted(members or []) for name, members in groups.items()} == expected


def test_action_groups_are_sorted_and_free_of_duplicates():
    for name, members in _runtime()["action_groups"].items():
        members = members or []
        assert members == sorted(set(members)), "group %s must be sorted and unique" % name


def test_requires_ansible_is_declared():
    assert _runtime()["requires_ansible"].startswith(">=")
