# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Selection rules: durations, id alphabets, client-side filters, state checks."""

from __future__ import annotations

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._selection import (
    IdRule,
    RecordFilter,
    Retention,
    UnknownTimeZone,
    check_states,
    parse_duration,
    resolve_time_zone,
)


@pytest.mark.parametrize(
    "text, seconds",
    [("30m", 1800), ("12h", 43200), ("7d", 604800), ("2w", 1209600), ("1d12h", 129600), ("90s", 90), ("1w2d3h4m5s", 788645)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "7", "d", "7x", "-1d", "1h1d", "0d", "1.5d", " ", "7 d", None, 7])
def test_bad_durations_are_refused_with_the_option_name(text):
    with pytest.raises(ConfigurationError, match="older_than"):
        parse_duration(text)


RULE = IdRule(r"^[A-Za-z0-9-]+$", "letters, digits and '-'", 64)


def test_ids_are_deduplicated_in_order():
    assert RULE.validate(["b", "a", "b"], "ids") == ["b", "a"]


@pytest.mark.parametrize(
    "bad",
    ["../etc", "a/b", "a%2Fb", "a?b", "a#b", "a b", "a\nb", "abc\n", "a\x00b", "tâche", "x" * 10000, "", 7, None],
)
def test_hostile_ids_are_refused_before_any_request(bad):
    with pytest.raises(ConfigurationError) as excinfo:
        RULE.validate([bad], "job_ids")
    message = str(excinfo.value)
    assert "job_ids" in message and len(message) < 300


def test_empty_id_list_is_an_error_not_a_select_everything():
    with pytest.raises(ConfigurationError, match="at least one id"):
        RULE.validate([], "job_ids")


def test_record_filter_combines_every_condition():
    now = 1_000_000.0
    f = RecordFilter(name_pattern="etl-*", states=["FINISHED"], older_than="1h", now=now)
    f.require(lambda r: r["queue"] == "default")
    old = now - 7200
    assert f.matches({"queue": "default"}, "etl-1", "FINISHED", old)
    assert not f.matches({"queue": "default"}, "web-1", "FINISHED", old)
    assert not f.matches({"queue": "default"}, "etl-1", "RUNNING", old)
    assert not f.matches({"queue": "default"}, "etl-1", "FINISHED", now - 60)
    assert not f.matches({"queue": "default"}, "etl-1", "FINISHED", None)
    assert not f.matches({"queue": "other"}, "etl-1", "FINISHED", old)


def test_name_is_exact_and_pattern_is_case_sensitive():
    assert not RecordFilter(name="etl").matches({}, "etl-1", None, None)
    assert not RecordFilter(name_pattern="ETL*").matches({}, "etl-1", None, None)


def test_states_unknown_or_running_without_force():
    with pytest.raises(ConfigurationError, match="unknown state"):
        check_states(["DONE"], ["FINISHED", "RUNNING"], ["RUNNING"], force=False)
    with pytest.raises(ConfigurationError, match="force=true"):
        check_states(["RUNNING"], ["FINISHED", "RUNNING"], ["RUNNING"], force=False)
    assert check_states(["RUNNING"], ["FINISHED", "RUNNING"], ["RUNNING"], force=True) == ["RUNNING"]


@pytest.fixture
def no_time_zone_database(monkeypatch):
    """A Python without a time-zone database: no system zoneinfo directories and no tzdata package."""
    import sys
    import zoneinfo

    from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _selection

    monkeypatch.setitem(sys.modules, "tzdata", None)  # `import tzdata` now raises ImportError
    zoneinfo.reset_tzpath(to=[])
    zoneinfo.ZoneInfo.clear_cache()
    monkeypatch.setattr(_selection, "_DATABASE", [])
    yield
    zoneinfo.reset_tzpath()
    zoneinfo.ZoneInfo.clear_cache()


@pytest.mark.parametrize("name, hours", [("UTC", 0), ("Etc/UTC", 0), ("GMT", 0), ("UTC+8", 8), ("UTC+08:00", 8),
                                         ("GMT-05:30", -5.5), ("UTC-0330", -3.5)])
def test_utc_and_fixed_offsets_need_no_database(no_time_zone_database, name, hours):
    import datetime

    zone = resolve_time_zone(name)
    assert zone.utcoffset(datetime.datetime(2026, 1, 1)) == datetime.timedelta(hours=hours)


def test_an_iana_zone_resolves_with_the_database():
    import datetime

    zone = resolve_time_zone("Asia/Shanghai")
    assert zone.utcoffset(datetime.datetime(2026, 1, 1)) == datetime.timedelta(hours=8)


def test_without_a_database_the_zone_is_refused_with_what_to_install(no_time_zone_database):
    with pytest.raises(UnknownTimeZone, match="no time-zone database.*pip install tzdata"):
        resolve_time_zone("Asia/Shanghai")


@pytest.mark.parametrize("name, words", [("Mars/Olympus_Mons", "not in this Python's time-zone database"),
                                         ("../../etc/passwd", "not a valid time zone name"),
                                         ("UTC+15", "not a valid UTC offset")])
def test_unknown_and_malformed_zone_names_are_refused(name, words):
    with pytest.raises(UnknownTimeZone, match=words):
        resolve_time_zone(name)


def test_python_without_zoneinfo_is_refused(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "zoneinfo", None)
    with pytest.raises(UnknownTimeZone, match="no zoneinfo module"):
        resolve_time_zone("Europe/Berlin")


def _newest(records, keep_latest, states=None, patterns=None):
    """Run a Retention over ``records`` = [(id, name, state, time)] and return ``{id: why_kept}`` for the kept ones."""
    retention = Retention(keep_latest, patterns, states=states)
    retention.count(records, lambda r: r[0], lambda r: r[1], lambda r: r[2], lambda r: r[3])
    kept = {r[0]: retention.why_kept(r[0], r[1]) for r in records}
    return {k: v for k, v in kept.items() if v is not None}


DAY = 86400.0


def test_keep_latest_keeps_the_newest_of_each_name_whatever_their_age():
    # The example: job A at 1, 2, 10, 11 and 12 days old, keep_latest 2; job B has one run.
    now = 100 * DAY
    runs = [("a%d" % age, "A", "FINISHED", now - age * DAY) for age in (1, 2, 10, 11, 12)] + [("b1", "B", "FINISHED", 0.0)]
    assert sorted(_newest(runs, 2, states={"FINISHED"})) == ["a1", "a2", "b1"]  # a group smaller than N: all kept


def test_records_outside_the_counted_states_neither_count_nor_are_kept():
    runs = [("r", "A", "RUNNING", 50.0), ("f1", "A", "FINISHED", 40.0), ("f2", "A", "FAILED", 30.0),
            ("f3", "A", "FINISHED", 20.0)]
    assert sorted(_newest(runs, 2, states={"FINISHED", "FAILED"})) == ["f1", "f2"]
    assert sorted(_newest(runs, 2, states={"FINISHED"})) == ["f1", "f3"]


def test_ties_in_time_go_to_the_larger_id_whatever_the_listing_order():
    runs = [("x1", "A", "FINISHED", 10.0), ("x3", "A", "FINISHED", 10.0), ("x2", "A", "FINISHED", 10.0)]
    assert sorted(_newest(runs, 2, states={"FINISHED"})) == ["x2", "x3"]
    assert sorted(_newest(list(reversed(runs)), 2, states={"FINISHED"})) == ["x2", "x3"]


def test_a_record_without_a_time_counts_as_newest():
    runs = [("old", "A", "FINISHED", 1.0), ("new", "A", "FINISHED", 2.0), ("unknown", "A", "FINISHED", None)]
    assert sorted(_newest(runs, 1, states={"FINISHED"})) == ["unknown"]


@pytest.mark.parametrize("missing", [None, ""])
def test_records_without_a_name_form_one_group(missing):
    runs = [("n1", missing, "FINISHED", 1.0), ("n2", missing, "FINISHED", 2.0), ("n3", "", "FINISHED", 3.0)]
    assert sorted(_newest(runs, 1, states={"FINISHED"})) == ["n3"]


def test_keep_name_patterns_keep_whatever_their_age_and_say_which_pattern():
    runs = [("p1", "prod-etl", "FINISHED", 1.0), ("t1", "tmp-1", "FINISHED", 1.0)]
    kept = _newest(runs, None, patterns=["prod-*", "gold"])
    assert list(kept) == ["p1"] and "keep_name_patterns 'prod-*'" in kept["p1"]


def test_without_rules_nothing_is_kept_and_no_listing_is_needed():
    retention = Retention()
    assert not retention.counts_groups and retention.why_kept("x", "any") is None


@pytest.mark.parametrize("bad", [0, -1, True, "2"])
def test_keep_latest_must_be_a_whole_number_of_at_least_one(bad):
    with pytest.raises(ConfigurationError, match="filters.keep_latest"):
        Retention(bad)


@pytest.mark.parametrize("bad", [[""], [None], [3]])
def test_keep_name_patterns_must_be_non_empty_strings(bad):
    with pytest.raises(ConfigurationError, match="filters.keep_name_patterns"):
        Retention(None, bad)
