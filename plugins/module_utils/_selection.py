# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deciding *what* to delete: id validation, durations and the client-side record filters.

PRIVATE to this collection; no stability promise.

Everything here is pure: no requests are made, so bad input is rejected before any call is sent.
"""

from __future__ import annotations

import datetime
import fnmatch
import re
import sys
import time

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._windows_zones import WINDOWS_ZONES

_DURATION_RE = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_DURATION_UNITS = (7 * 86400, 86400, 3600, 60, 1)


def parse_duration(text, option="filters.older_than"):
    """Seconds in a duration such as ``30m``, ``12h``, ``7d``, ``2w`` or ``1d12h``."""
    if not isinstance(text, str) or not text:
        raise ConfigurationError("%s must be a duration such as 30m, 12h, 7d, 2w or 1d12h, got %r" % (option, text))
    match = _DURATION_RE.fullmatch(text.strip())
    if not match or not any(match.groups()):
        raise ConfigurationError(
            "%s: %r is not a duration; use a number with units w, d, h, m or s, largest first, e.g. 30m, 12h, 7d, 1d12h"
            % (option, text)
        )
    seconds = sum(int(value) * unit for value, unit in zip(match.groups(), _DURATION_UNITS) if value)
    if seconds <= 0:
        raise ConfigurationError("%s must be longer than zero, got %r" % (option, text))
    return seconds


class IdRule:
    """The alphabet and length of one service's ids.

    Ids go into URL paths and request bodies; anything outside the service's alphabet (path separators,
    ``?``, ``#``, ``%``, spaces, control characters) is refused here so that no request is ever built from it.
    """

    def __init__(self, pattern, description, max_length):
        self._regex = re.compile(pattern)
        self.description = description
        self.max_length = max_length

    def validate(self, ids, option):
        """Return the ids, trimmed of spaces and without duplicates (first occurrence wins), or raise
        ConfigurationError."""
        if ids is None:
            return None
        if not ids:
            raise ConfigurationError("%s must name at least one id; omit the option to select by filters" % option)
        seen, known = [], set()  # a set beside the list: a plan of 20,000 ids is checked in linear time
        for value in ids:
            if isinstance(value, str):
                # An ad-hoc "ids=a, b" arrives as ["a", " b"]: spaces around an id are never part of it.
                value = value.strip(" ")
            if not isinstance(value, str) or not value:
                raise ConfigurationError("%s: every id must be a non-empty string, got %r" % (option, value))
            # fullmatch: with match(), "$" would also accept an id that ends in a newline.
            if len(value) > self.max_length or not self._regex.fullmatch(value):
                raise ConfigurationError(
                    "%s: %s is not a valid id (%s)" % (option, _shorten(value), self.description)
                )
            if value not in known:
                known.add(value)
                seen.append(value)
        return seen


def _shorten(value, limit=80):
    shown = value if len(value) <= limit else value[:limit] + "..."
    # repr() makes control characters and non-ASCII visible instead of letting them garble the message.
    return repr(shown)


class RecordFilter:
    """The client-side half of ``filters``: whatever the API could not filter on the server.

    ``fields`` maps a generic filter to the service's own field names:
    ``name`` (the record's name), ``state`` (its state), ``time`` (a callable record -> epoch seconds or None).
    """

    def __init__(self, name=None, name_pattern=None, states=None, older_than=None, now=None):
        self.name = name
        self.name_pattern = name_pattern
        self.states = set(states) if states is not None else None
        self.cutoff = None
        if older_than is not None:
            self.cutoff = (time.time() if now is None else now) - parse_duration(older_than)
        self._extra = []

    def require(self, predicate):
        """Add a service-specific test (record -> bool)."""
        self._extra.append(predicate)
        return self

    def matches(self, record, name, state, created):
        if self.name is not None and name != self.name:
            return False
        if self.name_pattern is not None and not fnmatch.fnmatchcase(name or "", self.name_pattern):
            return False
        if self.states is not None and state not in self.states:
            return False
        if self.cutoff is not None and (created is None or created >= self.cutoff):
            return False
        return all(predicate(record) for predicate in self._extra)


class Retention:
    """The retention rules in ``filters``: what a cleanup keeps although every other filter selects it.

    ``keep_latest``         for each job name, the N most recent records in ``states`` are kept, whatever their age
    ``keep_name_patterns``  records whose name matches one of these shell globs are kept
    ``states``              the states the newest records are counted in (the filters' states, else the finished)

    ``count()`` must see every record of the scope (one MRS cluster, one Tencent region) in ``states`` before
    ``why_kept()`` can answer for ``keep_latest``: a run that uses it lists the whole scope.
    """

    def __init__(self, keep_latest=None, keep_name_patterns=None, states=None):
        if keep_latest is not None and (isinstance(keep_latest, bool) or not isinstance(keep_latest, int)
                                        or keep_latest < 1):
            raise ConfigurationError("filters.keep_latest must be a whole number of at least 1, got %r" % (keep_latest,))
        for pattern in keep_name_patterns or ():
            if not isinstance(pattern, str) or not pattern:
                raise ConfigurationError("filters.keep_name_patterns: every pattern must be a non-empty string, got %r"
                                         % (pattern,))
        self.keep_latest = keep_latest
        self.keep_name_patterns = list(keep_name_patterns or ())
        self.states = set(states) if states is not None else None
        self._newest = set()

    @property
    def counts_groups(self):
        """Whether the whole scope must be listed to decide (``keep_latest`` is set)."""
        return self.keep_latest is not None

    def count(self, records, record_id, name, state, created):
        """Remember the ``keep_latest`` newest records of each name among ``records`` in ``states``.

        Newest by ``created`` (epoch seconds); a record without a time cannot be shown to be older, so it counts
        as newest; ties go to the larger id, so the answer never depends on the order the API listed them in.
        Records without a name form one group.
        """
        if self.keep_latest is None:
            return
        groups = {}
        for record in records:
            if self.states is None or state(record) in self.states:
                groups.setdefault(name(record) or "", []).append(record)
        for group in groups.values():
            group.sort(key=lambda r: (created(r) is None, created(r) or 0.0, record_id(r) or ""), reverse=True)
            self._newest.update(record_id(r) for r in group[:self.keep_latest])

    def why_kept(self, record_id, name):
        """None, or why a rule keeps this record (a ``KeptReason``: its ``rule`` names the option)."""
        for pattern in self.keep_name_patterns:
            if fnmatch.fnmatchcase(name or "", pattern):
                return KeptReason("its name matches keep_name_patterns %r" % pattern, KEEP_NAME_PATTERNS)
        if record_id in self._newest:
            return KeptReason("one of the %d newest records named %r (keep_latest)" % (self.keep_latest, name or ""),
                              KEEP_LATEST)
        return None


KEEP_LATEST = "keep_latest"
KEEP_NAME_PATTERNS = "keep_name_patterns"
RETENTION_RULES = (KEEP_LATEST, KEEP_NAME_PATTERNS)


class KeptReason(str):
    """Why a retention rule keeps a record, and which rule (``rule``: one of RETENTION_RULES)."""

    def __new__(cls, text, rule):
        reason = super().__new__(cls, text)
        reason.rule = rule
        return reason


class Selection:
    """What a module's options select, validated before any request; targets read this, never module options.

    ``ids``            the requested ids (validated, trimmed, without duplicates), or None to select by filters only
    ``filters``        the ``filters`` option as given (``{}`` when absent): services read their server-side filters
    ``states``         the states selected, or None for every state
    ``record_filter``  the client-side test every record passes before it is selected
    ``force``          stop records that are still running before deleting them
    ``retention``      what is kept although it matches (``Retention``)
    """

    def __init__(self, ids, filters, states, record_filter, force=False, retention=None):
        self.ids = ids
        self.filters = filters
        self.states = states
        self.record_filter = record_filter
        self.force = force
        self.retention = retention or Retention()

    def require(self, option, field, record_value=None):
        """Select only records whose ``field`` (or ``record_value(record)``) is one of ``filters[option]``."""
        wanted = self.filters.get(option)
        if wanted is None:
            return
        allowed = set(wanted) if isinstance(wanted, list) else {wanted}
        value = record_value or (lambda record: record.get(field))
        self.record_filter.require(lambda record: value(record) in allowed)


def select(ids, filters, id_rule, id_option, states=(), finished=(), unfinished=(), deleting=False, force=False,
           now=None):
    """The ``Selection`` of ids and filters, with the rules every service shares.

    ``states`` are the service's states (empty when it has none), ``finished`` the ones a deleting module selects
    by default and ``unfinished`` those that need ``force``. An ``_info`` module lists every state by default.
    """
    ids = id_rule.validate(ids, id_option)
    filters = filters or {}
    wanted = filters.get("states")
    if wanted is not None:
        wanted = check_states(wanted, states, unfinished if deleting else (), force)
    elif deleting and ids is None and finished:
        wanted = list(finished)  # a filter-only cleanup touches finished records unless told otherwise
    record_filter = RecordFilter(name=filters.get("name"), name_pattern=filters.get("name_pattern"), states=wanted,
                                 older_than=filters.get("older_than"), now=now)
    counted_states = filters.get("states") or (list(finished) if finished else None)
    retention = Retention(filters.get("keep_latest"), filters.get("keep_name_patterns"), states=counted_states)
    return Selection(ids, filters, wanted, record_filter, force=force, retention=retention)


def check_states(states, allowed, running, force, option="filters.states"):
    """Validate requested states; selecting running ones by filter needs ``force``."""
    unknown = sorted(set(states) - set(allowed))
    if unknown:
        raise ConfigurationError(
            "%s: unknown state(s) %s; choose from %s" % (option, ", ".join(unknown), ", ".join(allowed))
        )
    busy = sorted(set(states) & set(running))
    if busy and not force:
        raise ConfigurationError(
            "%s selects unfinished state(s) %s: set force=true to stop them before deleting, "
            "or select finished states only" % (option, ", ".join(busy))
        )
    return list(states)


# Zone names that need no time-zone database, and fixed offsets written as UTC+8, GMT-05:30 or UTC+08:00.
# "Coordinated Universal Time" is the Windows standard name of the zone whose Windows id is UTC.
_UTC_NAMES = ("UTC", "Etc/UTC", "GMT", "Etc/GMT", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu",
              "Coordinated Universal Time")
_OFFSET_RE = re.compile(r"^(?:UTC|GMT)([+-])(\d{1,2})(?::?(\d{2}))?$")
TZDATA_HINT = "install the tzdata Python package (pip install tzdata) or the system's tzdata package"


class UnknownTimeZone(Exception):
    """A time zone this Python cannot resolve; the message says why and what to install."""


def resolve_time_zone(name):
    """The ``tzinfo`` for an IANA zone name (``Asia/Shanghai``), ``UTC``, a fixed offset (``UTC+08:00``) or a
    Windows zone id (``China Standard Time``).

    A name that is not an IANA zone but a Windows zone id is read as the IANA zone CLDR's windowsZones table gives
    it (``Asia/Shanghai``), so daylight-saving rules apply; Windows display names (``(UTC+08:00) Beijing, ...``)
    are not understood. Raises UnknownTimeZone rather than guess: a wrong zone shifts every expiry by hours.
    """
    if name in _UTC_NAMES:
        return datetime.timezone.utc
    offset = _OFFSET_RE.fullmatch(name)
    if offset:
        sign, hours, minutes = offset.groups()
        delta = datetime.timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta > datetime.timedelta(hours=14):
            raise UnknownTimeZone("it is not a valid UTC offset")
        return datetime.timezone(-delta if sign == "-" else delta)
    try:
        import zoneinfo  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise UnknownTimeZone("Python %d.%d has no zoneinfo module (Python 3.9 or newer is needed)"
                              % sys.version_info[:2])
    try:
        return zoneinfo.ZoneInfo(name)
    except zoneinfo.ZoneInfoNotFoundError:
        if name not in WINDOWS_ZONES:
            raise _not_in_database(zoneinfo, "it is not in this Python's time-zone database, nor a Windows zone id "
                                             "of CLDR's windowsZones table")
    except (ValueError, OSError):
        raise UnknownTimeZone("it is not a valid time zone name")
    try:
        return zoneinfo.ZoneInfo(WINDOWS_ZONES[name])
    except zoneinfo.ZoneInfoNotFoundError:
        raise _not_in_database(zoneinfo, "it is the Windows zone id of %s, which is not in this Python's time-zone "
                                         "database" % WINDOWS_ZONES[name])


def _not_in_database(zoneinfo, why):
    if not _have_time_zone_database(zoneinfo):
        return UnknownTimeZone("this Python has no time-zone database to resolve it; %s" % TZDATA_HINT)
    return UnknownTimeZone("%s; if it is a new zone, update tzdata (pip install -U tzdata, or the system's tzdata "
                           "package)" % why)


_DATABASE = []


def _have_time_zone_database(zoneinfo):
    if not _DATABASE:
        _DATABASE.append(bool(zoneinfo.available_timezones()))
    return _DATABASE[0]
