# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two paging styles of these APIs, walked to the end with as few requests as the API allows.

PRIVATE to this collection; no stability promise.

``fetch(limit, position)`` returns ``(items, total)`` for one page, where ``total`` counts every match.
Paging stops when ``total`` items were seen or a page comes back empty, never on "a short page" alone:
a server that quietly caps ``limit`` below what was asked returns short pages long before the end. The one
exception is a listing whose total is known to be unreliable (``short_page_pages``, MRS v1.1).

Concurrent paging: the first page tells the total, so the positions of every other page are known. With
``workers`` above 1 they are fetched that many at a time and yielded in order, through the same ``fetch``
(the connection's retry loop and rate limiter). A listing that stays put costs exactly the requests a
sequential walk makes; one that shifts during the walk is caught by ``stable_pages`` and walked again.
"""

from __future__ import annotations

import collections
import concurrent.futures
import itertools
import math

# Pages fetched at a time after the first one (the modules' ``list_concurrency``), chosen with `make bench`:
# at 50 ms a call, 8 workers list 20,000 MRS executions 7.5x faster than one; more add little and load the service.
DEFAULT_LIST_CONCURRENCY = 8
MAX_LIST_CONCURRENCY = 32


def _pages_at(fetch, limit, positions, workers):
    """``fetch(limit, p)`` for each position, in order; up to ``workers`` requests in flight.

    A consumer that stops early (an empty page) leaves no request behind: the ones not started are cancelled
    and the ones in flight are waited for. A failed fetch raises here, in order, as a sequential walk would."""
    if workers <= 1 or len(positions) <= 1:
        for position in positions:
            yield fetch(limit, position)
        return
    remaining = iter(positions)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=min(workers, len(positions)),
                                                 thread_name_prefix="cloudjobs-list")
    try:
        in_flight = collections.deque(pool.submit(fetch, limit, p) for p in itertools.islice(remaining, workers))
        while in_flight:
            page = in_flight.popleft().result()
            following = next(remaining, None)
            if following is not None:
                in_flight.append(pool.submit(fetch, limit, following))
            yield page
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _known_total(total):
    return isinstance(total, int) and total >= 0


def page_number_pages(fetch, limit, first_page=1, workers=1):
    """Pages addressed by page number (MRS v2 ``offset`` and v1.1 ``current_page``, both starting at 1)."""
    items, total = fetch(limit, first_page)
    if not items:
        return
    if len(items) < limit and len(items) < total:
        # The server caps the page size: carry on with the size it really uses, so that page numbers
        # keep addressing consecutive records.
        limit = len(items)
    yield items
    seen = len(items)
    page = first_page + 1
    if _known_total(total) and seen < total:
        planned = list(range(page, first_page + int(math.ceil(total / float(limit)))))
        for items, total in _pages_at(fetch, limit, planned, workers):
            if not items:
                return
            yield items
            seen += len(items)
            page += 1
    while seen < total:  # a server whose pages hold fewer records than its total says: on, one page at a time
        items, total = fetch(limit, page)
        if not items:
            return
        yield items
        seen += len(items)
        page += 1


def short_page_pages(fetch, limit, first_page=1, workers=1):  # pylint: disable=unused-argument
    """Pages addressed by page number, one at a time, until a page holds fewer than ``limit`` records: for a listing
    whose total cannot be trusted (MRS v1.1, whose reference example answers a total of 14 with one record). At
    most one request more than the pages that hold records. ``limit`` must be the API's documented page maximum,
    so that a short page is the last one; ``workers`` is accepted for ``stable_pages`` and unused (without a
    trusted total, no page after the next is known to exist)."""
    page = first_page
    while True:
        items, _total = fetch(limit, page)
        if not items:
            return
        yield items
        if len(items) < limit:
            return
        page += 1


def offset_pages(fetch, limit, workers=1):
    """Pages addressed by record offset (Workspace ``offset`` from 0, Tencent ``Offset``)."""
    items, total = fetch(limit, 0)
    if not items:
        return
    step = len(items) if len(items) < limit and len(items) < total else limit  # a capped page size, as above
    yield items
    seen = len(items)
    if _known_total(total) and seen < total:
        for items, total in _pages_at(fetch, limit, list(range(step, total, step)), workers):
            if not items:
                return
            yield items
            seen += len(items)
    while seen < total:  # an unknown total, or fewer records than it says: one page at a time
        items, total = fetch(limit, seen)
        if not items:
            return
        yield items
        seen += len(items)


def stable_pages(pager, fetch, limit, record_id, max_passes=3, workers=1):
    """The pages of ``pager(fetch, limit, workers=workers)``, robust to records that others delete or add
    during the walk.

    When the service's ``total`` changes between pages, the pages have shifted and records may have been
    skipped (a concurrent cleanup deleting what this one is still listing): the walk is repeated, up to
    ``max_passes`` walks, and only records not seen before are yielded. A stable walk costs nothing extra.
    """
    seen = set()
    totals = []

    def observed(page_limit, position):
        items, total = fetch(page_limit, position)
        totals.append(total)  # list.append is atomic: safe from the paging workers
        return items, total

    for walk in range(max_passes):
        del totals[:]
        for page in pager(observed, limit, workers=workers):
            fresh = [item for item in page if record_id(item) not in seen]
            seen.update(record_id(item) for item in fresh)
            if fresh:
                yield fresh
        if len(set(totals)) <= 1 or walk == max_passes - 1:
            return
