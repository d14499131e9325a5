"""Make `ansible_collections.cloudjobs.cleanup` importable for plain `pytest` in the repo-root layout."""

from __future__ import annotations

import os
import sys

import yaml

ROOT = os.path.dirname(os.path.abspath(__file__))


def _collections_root():
    parts = ROOT.split(os.sep)
    if len(parts) >= 3 and parts[-3] == "ansible_collections":  # already inside a collection tree
        return os.sep.join(parts[:-3])
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as f:
        meta = yaml.safe_load(f)
    base = os.path.join(ROOT, ".cache", "collections")
    ns_dir = os.path.join(base, "ansible_collections", meta["namespace"])
    link = os.path.join(ns_dir, meta["name"])
    os.makedirs(ns_dir, exist_ok=True)
    if not os.path.islink(link):
        os.symlink(os.path.relpath(ROOT, ns_dir), link)
    return base


_BASE = _collections_root()
if _BASE not in sys.path:
    sys.path.insert(0, _BASE)
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", _BASE)
