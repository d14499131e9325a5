# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The official payloads of ``tests/fixtures/official`` (see its README): where each file is, and its content.

Found from this file's own place, walking up to the collection root (``galaxy.yml``, or ``MANIFEST.json`` in a
built collection), so the same code works in the checkout and in an ``ansible_collections/cloudjobs/cleanup/``
copy. ``relative`` paths use ``/`` and are relative to ``tests/fixtures/official``, e.g. ``huawei/mrs/error_codes.json``.
"""

from __future__ import annotations

import json
import os

FIXTURES = ("tests", "fixtures", "official")
ROOT_MARKERS = ("galaxy.yml", "MANIFEST.json")


def root():
    """The ``tests/fixtures/official`` folder of the collection this file belongs to."""
    here = os.path.dirname(os.path.abspath(__file__))
    while True:
        if any(os.path.isfile(os.path.join(here, marker)) for marker in ROOT_MARKERS):
            return os.path.join(here, *FIXTURES)
        parent = os.path.dirname(here)
        if parent == here:
            raise FileNotFoundError("no collection root (galaxy.yml) above %s" % os.path.dirname(os.path.abspath(__file__)))
        here = parent


def path(relative):
    """The absolute path of the fixture ``relative``; FileNotFoundError when there is no such file."""
    if os.path.isabs(relative) or ".." in relative.split("/"):
        raise ValueError("fixture paths are relative to tests/fixtures/official: %r" % relative)
    full = os.path.join(root(), *relative.split("/"))
    if not os.path.isfile(full):
        raise FileNotFoundError("no official fixture %s (looked for %s)" % (relative, full))
    return full


def read_bytes(relative):
    """The fixture's bytes as stored: what a server answering with that payload would send."""
    with open(path(relative), "rb") as handle:
        return handle.read()


def load(relative):
    """The fixture parsed as JSON."""
    with open(path(relative), encoding="utf-8") as handle:
        return json.load(handle)
