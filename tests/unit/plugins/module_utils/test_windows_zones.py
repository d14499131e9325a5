# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows zone ids (CLDR windowsZones) as Workspace task time zones: each resolves to its IANA zone, with DST."""

from __future__ import annotations

import datetime
import sys
import zoneinfo

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _selection
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import ensure_absent
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._selection import UnknownTimeZone, resolve_time_zone
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._windows_zones import WINDOWS_ZONES
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._workspace import (
    WorkspaceClient,
    expiry,
    workspace_selection,
    workspace_target,
)
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import FakeWorkspaceConnection


@pytest.fixture(autouse=True)
def forget_tzdata_imports():
    """Unimport the tzdata modules a test imported: zoneinfo imports ``tzdata.zoneinfo`` for every name it does not
    find, and once imported it outlives the ``sys.modules["tzdata"] = None`` that no-database tests rely on."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name == "tzdata" or name.startswith("tzdata."):
            del sys.modules[name]


JANUARY = datetime.datetime(2027, 1, 15, 12, 0)
JULY = datetime.datetime(2027, 7, 15, 12, 0)
NOW = 1_800_000_000.0  # 2027-01-15 08:00:00 UTC, 16:00 in Shanghai


def offset(name, when):
    return resolve_time_zone(name).utcoffset(when)


@pytest.mark.parametrize("name, iana, january, july", [
    ("China Standard Time", "Asia/Shanghai", 8, 8),
    ("Pacific Standard Time", "America/Los_Angeles", -8, -7),
    ("W. Europe Standard Time", "Europe/Berlin", 1, 2),
    ("AUS Eastern Standard Time", "Australia/Sydney", 11, 10),   # southern summer in January
    ("India Standard Time", "Asia/Calcutta", 5.5, 5.5),
])
def test_a_windows_id_resolves_to_its_iana_zone_with_its_daylight_saving_rules(name, iana, january, july):
    assert WINDOWS_ZONES[name] == iana
    assert resolve_time_zone(name) == zoneinfo.ZoneInfo(iana)
    assert offset(name, JANUARY) == datetime.timedelta(hours=january)
    assert offset(name, JULY) == datetime.timedelta(hours=july)


@pytest.mark.parametrize("name", ["UTC", "Coordinated Universal Time", "UTC-11", "UTC+12"])
def test_the_windows_utc_zones_are_fixed_offsets(name):
    hours = {"UTC": 0, "Coordinated Universal Time": 0, "UTC-11": -11, "UTC+12": 12}[name]
    assert offset(name, JANUARY) == offset(name, JULY) == datetime.timedelta(hours=hours)
    if name in WINDOWS_ZONES:  # CLDR's id is UTC; "Coordinated Universal Time" is that zone's Windows standard name
        assert zoneinfo.ZoneInfo(WINDOWS_ZONES[name]).utcoffset(JULY) == datetime.timedelta(hours=hours)


def test_coordinated_universal_time_is_no_cldr_id_but_needs_no_database():
    assert "Coordinated Universal Time" not in WINDOWS_ZONES and WINDOWS_ZONES["UTC"] == "Etc/UTC"
    assert resolve_time_zone("Coordinated Universal Time") is datetime.timezone.utc


@pytest.mark.parametrize("name, words", [
    ("Mars Standard Time", "not in this Python's time-zone database, nor a Windows zone id"),
    ("china standard time", "nor a Windows zone id"),   # ids are matched exactly, as the API returns them
    ("(UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi", "nor a Windows zone id"),   # a display name: no zone
])
def test_anything_else_stays_unknown(name, words):
    with pytest.raises(UnknownTimeZone, match=words):
        resolve_time_zone(name)


def test_an_undecidable_expiry_names_the_zone():
    expired, why = expiry({"id": "t", "expire_time": "2020-01-01 00:00:00", "time_zone": "Mars Standard Time"}, NOW)
    assert expired is None and "'Mars Standard Time'" in why and "nor a Windows zone id" in why


def test_without_a_database_a_windows_id_is_refused_with_what_to_install(monkeypatch):
    for name in ["tzdata"] + [name for name in sys.modules if name.startswith("tzdata.")]:
        monkeypatch.setitem(sys.modules, name, None)  # importing tzdata or any part of it now raises ImportError
    monkeypatch.setattr(_selection, "_DATABASE", [])
    zoneinfo.reset_tzpath(to=[])
    zoneinfo.ZoneInfo.clear_cache()
    try:
        with pytest.raises(UnknownTimeZone, match="no time-zone database.*pip install tzdata"):
            resolve_time_zone("China Standard Time")
    finally:
        zoneinfo.reset_tzpath()
        zoneinfo.ZoneInfo.clear_cache()


def test_every_zone_of_the_table_is_one_this_python_knows():
    if not zoneinfo.available_timezones():
        pytest.skip("this Python has no time-zone database (neither the system's nor the tzdata package)")
    unknown = {}
    for windows_id, iana in WINDOWS_ZONES.items():
        try:
            zoneinfo.ZoneInfo(iana)
        except zoneinfo.ZoneInfoNotFoundError:
            unknown[windows_id] = iana
    assert not unknown
    for windows_id, iana in WINDOWS_ZONES.items():  # UTC and UTC-11 resolve without zoneinfo, to the same offsets
        for when in (JANUARY, JULY):
            assert offset(windows_id, when) == zoneinfo.ZoneInfo(iana).utcoffset(when), windows_id


def test_the_table_is_cldr_territory_001_ids_each_to_one_iana_zone():
    assert len(WINDOWS_ZONES) > 130
    assert all(iana and " " not in iana and "/" in iana for iana in WINDOWS_ZONES.values())
    assert all(windows_id == windows_id.strip() for windows_id in WINDOWS_ZONES)


def task(task_id, expire_time, time_zone="China Standard Time"):
    return {"id": task_id, "task_name": task_id, "task_type": "REBOOT", "scheduled_type": "DAY",
            "expire_time": expire_time, "time_zone": time_zone}


@pytest.mark.parametrize("check_mode", [False, True], ids=["delete", "check"])
@pytest.mark.parametrize("wanted", [True, False], ids=["expired", "not-expired"])
def test_workspace_reads_expire_time_in_a_windows_zone(wanted, check_mode):
    # 16:00 in Shanghai: one minute either side, so reading the wall time as UTC would select the other task.
    conn = FakeWorkspaceConnection([task("past", "2027-01-15 15:59:00"), task("future", "2027-01-15 16:01:00")])
    target = workspace_target(WorkspaceClient(conn), workspace_selection(None, {"expired": wanted}), now=NOW)
    result = ensure_absent(target, check_mode=check_mode)
    assert result.deleted == (["past"] if wanted else ["future"])
    assert result.not_deleted == [] and not result.failed
    assert sorted(conn.tasks) == (["future", "past"] if check_mode else ["future" if wanted else "past"])
