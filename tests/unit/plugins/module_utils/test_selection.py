# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Selection rules: durations, id alphabets, client-side filters, state checks."""

from __future__ import annotations

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ConfigurationError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._selection import (
    IdRule,
    RecordFilter,
    check_states,
    parse_duration,
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
