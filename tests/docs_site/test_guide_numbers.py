"""The numbers of the maintenance-window arithmetic in the AWX guide are the arithmetic: each row of its table
"How long a backlog takes" (calls, what the API allows, time) and the nightly figures after it, recomputed.

No emulator: the guide is read, never run. What the budget does is proven end to end in tests/e2e/test_time_budget.py
and measured by `make bench` (docs/benchmarks.md)."""

import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
GUIDE = os.path.join(os.path.dirname(os.path.dirname(HERE)), "docs", "docsite", "rst", "scheduled_cleanup_awx.rst")


def number(text):
    return int(text.replace(",", ""))


def rows():
    with open(GUIDE, encoding="utf-8") as f:
        text = f.read()
    table = text.split(".. list-table:: How long a backlog takes", 1)[1].split("\n\n", 2)[1]
    cells = [c.strip() for c in re.split(r"\n\s+(?:\* )?- ", "\n" + table) if c.strip()]
    return text, [cells[i:i + 4] for i in range(0, len(cells), 4)][1:]  # without the header


def seconds(text):
    value, unit = re.fullmatch(r"(\d+) (s|min|h)", text).groups()
    return int(value) * {"s": 1, "min": 60, "h": 3600}[unit]


def rounded(actual, shown):
    """``shown`` is ``actual`` rounded to its unit."""
    unit = {"s": 1, "min": 60, "h": 3600}[shown.split()[1]]
    return round(actual / unit) * unit == seconds(shown)


def test_every_row_is_calls_divided_by_what_the_api_allows():
    _text, table = rows()
    assert len(table) == 4, table
    for backlog, calls, allowed, shown in table:
        count = number(re.match(r"[\d,]+", calls).group(0))
        per_call = re.search(r"of ([\d,]+)", calls)
        if per_call:  # batches: the calls times their size is the backlog
            assert count * number(per_call.group(1)) == number(re.match(r"[\d,]+", backlog).group(0)), backlog
        elif "pages of" not in calls:
            assert count == number(re.match(r"[\d,]+", backlog).group(0)), backlog
        rate = re.match(r"(\d+) a second", allowed)
        if rate:
            actual = count / float(rate.group(1))
        else:
            at_once, each = re.match(r"(\d+) at a time.*?, ([\d.]+) s each", allowed).groups()
            actual = count / float(at_once) * float(each)
        assert rounded(actual, shown), (backlog, allowed, actual, shown)


def test_the_nightly_figures_follow_from_the_table():
    text, table = rows()
    tencent = [r for r in table if r[0].startswith("100,000 Tencent")]
    fast, slow = (int(re.match(r"(\d+) a second", r[2]).group(1)) for r in tencent)
    budget = 50 * 60
    sentence = " ".join(text.split("a 50-minute budget deletes", 1)[1].split("nights")[0].split())
    first_night, fast_text, nightly, slow_text, nights = re.match(
        r"([\d,]+) of the 100,000 Tencent jobs the first night at (\d+) calls a second and the rest the next, or "
        r"([\d,]+) a night at (\d+) calls a second \((\d+)", sentence).groups()
    assert (int(fast_text), int(slow_text)) == (fast, slow)
    assert number(first_night) == budget * fast < 100000
    assert number(nightly) == budget * slow and int(nights) == -(-100000 // (budget * slow))


def test_what_one_night_deletes_is_the_budget_times_the_rate_over_the_calls_per_record():
    """The table "What one night deletes under a budget": a 50-minute budget, the rates of the backlog table."""
    with open(GUIDE, encoding="utf-8") as f:
        text = f.read()
    table = text.split(".. list-table:: What one night deletes under a budget", 1)[1].split("\n\n", 2)[1]
    cells = [c.strip() for c in re.split(r"\n\s+(?:\* )?- ", "\n" + table) if c.strip()]
    rows_ = [cells[i:i + 4] for i in range(0, len(cells), 4)][1:]
    budget = 50 * 60
    for service, calls, first, nights in rows_:
        rate = re.search(r"\((\d+) a second", calls)
        if rate:  # one record costs the calls named first, at the rate given
            per_record = int(re.match(r"(\d+)", calls).group(1))
            first_night = budget * int(rate.group(1)) // per_record
            assert number(first) == first_night, service
            assert int(nights) == -(-100000 // first_night), service
        else:  # batches: the whole backlog in one night
            assert first.startswith("all of them") and nights == "1", service
