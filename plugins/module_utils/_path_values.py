# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Values a request's URL is built from (project, region, endpoints), checked before any request is sent.

PRIVATE to this collection; no stability promise.

A project id or a region goes into a path or a host name as given: ``x/../<another project>`` would address another
project on the wire, ``x?y=1`` would move the rest of the path into the query, and a stray space reads as an
unavailable project. So each value gets the rules record ids have (``_selection.IdRule``): spaces around it are
trimmed (a common slip when pasting into an AWX credential form), a blank value means "not set" (AWX and CI systems
export every variable, empty ones included), and anything outside the alphabet is refused with one line naming the
option and its environment variable.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ConfigurationError

_PROJECT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_REGION = re.compile(r"[A-Za-z0-9-]{1,64}")


def _shown(value, limit=80):
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _trimmed(value, option):
    """``value`` without the spaces around it; None when unset or blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigurationError("%s must be a string, got %r" % (option, value))
    return value.strip() or None


def _checked(value, option, pattern, rule):
    trimmed = _trimmed(value, option)
    if trimmed is None:
        return None
    if not pattern.fullmatch(trimmed):
        raise ConfigurationError("%s: %s is not valid (%s); nothing was sent" % (option, _shown(value), rule))
    return trimmed


def project_id(value, option="project_id (HW_PROJECT_ID)"):
    """A Huawei Cloud project id, trimmed; None when unset or blank."""
    return _checked(value, option, _PROJECT_ID,
                    "a project id uses letters, digits, '-' and '_', at most 64 characters, e.g. "
                    "0a1b2c3d4e5f60718293a4b5c6d7e8f9")


def region(value, option):
    """A region name, trimmed; None when unset or blank."""
    return _checked(value, option, _REGION, "a region uses letters, digits and '-', e.g. cn-north-4 or ap-guangzhou")


def endpoint(value, option):
    """An http(s) base URL, trimmed; None when unset or blank. Its path may name a prefix (a private cloud's gateway),
    but no ``.``/``..`` segment, query, fragment, percent-escape, space or control character."""
    trimmed = _trimmed(value, option)
    if trimmed is None:
        return None
    rule = ("an endpoint is an http(s) base URL such as https://mrs.cn-north-4.myhuaweicloud.com, with no query, "
            "fragment, '.' or '..' path segment, '%', space or control character")
    parts = urlsplit(trimmed)
    bad = (parts.scheme not in ("http", "https") or not parts.netloc or "?" in trimmed or "#" in trimmed
           or "%" in parts.path or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in trimmed)
           or any(segment in (".", "..") for segment in parts.path.split("/")))
    if bad:  # the value itself is not shown: a URL may carry user info (a password)
        raise ConfigurationError("%s is not valid (%s); nothing was sent" % (option, rule))
    return trimmed


def checked_params(params, regions=(), endpoints=(), projects=()):
    """``params`` with each named value trimmed and checked: ``regions``, ``endpoints`` and ``projects`` are
    ``(option, label)`` pairs, the label naming the option and its environment variable in a message."""
    checked = dict(params)
    for names, check in ((regions, region), (endpoints, endpoint), (projects, project_id)):
        for option, label in names:
            if option in checked:
                checked[option] = check(checked[option], label)
    return checked
