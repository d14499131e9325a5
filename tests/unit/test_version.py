# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's version in the code (sent in the User-Agent) is the one galaxy.yml publishes."""

from __future__ import annotations

import os

import yaml

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._version import COLLECTION_VERSION

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def test_version_matches_galaxy_yml():
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as f:
        assert yaml.safe_load(f)["version"] == COLLECTION_VERSION
