# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Paging, one page at a time and several at a time, against an in-memory listing: the same records, the same
requests, and the stable-walk guarantee when the listing shifts under a concurrent cleanup."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._paging import (
    offset_pages,
    page_number_pages,
    stable_pages,
)


class Listing:
    """A service listing ``n`` records in a stable order. ``cap`` is the largest page it really serves;
    ``total`` overrides the count it reports (None: the true count); ``vanish`` maps a request number to ids
    another run deletes just before that request is answered."""

    def __init__(self, n, cap=None, total=None, vanish=None, fail_at=None):
        self.records = ["r%04d" % i for i in range(n)]
        self.cap = cap
        self.total = total
        self.vanish = dict(vanish or {})
        self.fail_at = fail_at
        self.requests = []
        self.lock = threading.Lock()

    def _answer(self, limit, start, position):
        with self.lock:
            number = len(self.requests)
            self.requests.append(position)
            for gone in self.vanish.pop(number, ()):
                if gone in self.records:
                    self.records.remove(gone)
            if self.fail_at == number:
                raise RuntimeError("page %s failed" % position)
            size = min(limit, self.cap or limit)
            start = start(size)
            page = self.records[start:start + size]
            total = len(self.records) if self.total is None else self.total
        return [{"id": i} for i in page], total

    def by_page(self, limit, page):
        return self._answer(limit, lambda size: (page - 1) * size, page)

    def by_offset(self, limit, offset):
        return self._answer(limit, lambda size: offset, offset)


def walk(pager, listing, limit, workers):
    fetch = listing.by_page if pager is page_number_pages else listing.by_offset
    return [r["id"] for page in stable_pages(pager, fetch, limit, lambda r: r["id"], workers=workers) for r in page]


PAGERS = [page_number_pages, offset_pages]


@pytest.mark.parametrize("pager", PAGERS)
@pytest.mark.parametrize("n", [0, 1, 99, 100, 101, 1000, 2345])
@pytest.mark.parametrize("workers", [2, 8, 32])
def test_several_pages_at_a_time_list_the_same_records_with_the_same_requests(pager, n, workers):
    one, many = Listing(n), Listing(n)
    assert walk(pager, many, 100, workers) == walk(pager, one, 100, 1) == ["r%04d" % i for i in range(n)]
    assert sorted(many.requests) == sorted(one.requests) and len(many.requests) == max(1, -(-n // 100))


@pytest.mark.parametrize("pager", PAGERS)
@pytest.mark.parametrize("workers", [1, 8])
def test_a_server_that_caps_the_page_size_is_walked_with_the_size_it_serves(pager, workers):
    listing = Listing(1000, cap=30)
    assert walk(pager, listing, 100, workers) == ["r%04d" % i for i in range(1000)]
    assert len(listing.requests) == 34  # ceil(1000 / 30), no page asked twice


@pytest.mark.parametrize("pager", PAGERS)
@pytest.mark.parametrize("workers", [1, 8])
def test_a_total_larger_than_the_records_ends_on_the_first_empty_page(pager, workers):
    listing = Listing(230, total=250)
    assert walk(pager, listing, 100, workers) == ["r%04d" % i for i in range(230)]
    assert len(listing.requests) == 4  # the pages the total promised, then one more, which comes back empty


def test_an_unknown_total_is_walked_one_page_at_a_time_until_an_empty_page():
    listing = Listing(250, total=float("inf"))
    assert walk(offset_pages, listing, 100, 8) == ["r%04d" % i for i in range(250)]
    assert listing.requests == [0, 100, 200, 250]


@pytest.mark.parametrize("pager", PAGERS)
def test_the_pages_after_the_first_are_requested_together_bounded_by_workers(pager):
    gate = threading.Barrier(4, timeout=5)
    listing = Listing(900)  # the first page, then 8 more: two rounds of 4
    answer = listing._answer
    waiting = []
    lock = threading.Lock()

    def together(limit, start, position):
        if position not in (0, 1):
            with lock:
                waiting.append(max(waiting[-1:] or [0]) + 1)
            gate.wait()  # four requests must be in flight at once, or this times out
            with lock:
                waiting.append(waiting[-1] - 1)
        return answer(limit, start, position)

    listing._answer = together
    assert walk(pager, listing, 100, 4) == ["r%04d" % i for i in range(900)]
    assert len(listing.requests) == 9 and max(waiting) == 4  # never a fifth


@pytest.mark.parametrize("pager", PAGERS)
def test_a_failed_page_fails_the_walk_and_leaves_no_request_running(pager):
    listing = Listing(2000, fail_at=3)
    with pytest.raises(RuntimeError, match="failed"):
        walk(pager, listing, 100, 4)
    assert len(listing.requests) <= 3 + 4  # what was in flight when it failed, nothing started afterwards


@pytest.mark.parametrize("pager", PAGERS)
@pytest.mark.parametrize("workers", [1, 8])
def test_records_deleted_by_another_run_during_the_walk_leave_nothing_behind(pager, workers):
    # After the first page, another cleanup deletes the first 150 records: every later page has shifted.
    listing = Listing(1000, vanish={1: ["r%04d" % i for i in range(150)]})
    listed = walk(pager, listing, 100, workers)
    assert set(listing.records) <= set(listed)  # every record still there was listed
    assert len(listed) == len(set(listed))  # and none twice


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=700),
    limit=st.sampled_from([7, 50, 100]),
    workers=st.integers(min_value=1, max_value=8),
    offset_style=st.booleans(),
    vanish=st.dictionaries(st.integers(min_value=0, max_value=12),
                           st.lists(st.integers(min_value=0, max_value=699), max_size=60), max_size=3),
)
def test_a_walk_lists_every_record_that_stays_and_nothing_twice_whatever_the_workers(n, limit, workers, offset_style,
                                                                                     vanish):
    """A model of the guarantee: records another run deletes while the listing is read may or may not be listed;
    every record that is there from start to end is listed exactly once, with any number of workers."""
    pager = offset_pages if offset_style else page_number_pages
    listing = Listing(n, vanish={k: ["r%04d" % i for i in v] for k, v in vanish.items()})
    everything = set(listing.records)
    listed = walk(pager, listing, limit, workers)
    assert len(listed) == len(set(listed))
    assert set(listing.records) <= set(listed) <= everything
    if not vanish:
        assert listed == sorted(everything) and len(listing.requests) == max(1, -(-n // limit))
