# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two paging styles of these APIs, walked to the end with as few requests as the API allows.

PRIVATE to this collection; no stability promise.

``fetch(limit, offset)`` returns ``(items, total)`` for one page, where ``total`` counts every match.
Paging stops when ``total`` items were seen or a page comes back empty, never on "a short page" alone:
a server that quietly caps ``limit`` below what was asked returns short pages long before the end.
"""

from __future__ import annotations


def page_number_pages(fetch, limit, first_page=1):
    """Pages addressed by page number (MRS v2 ``offset`` and v1.1 ``current_page``, both starting at 1)."""
    seen = 0
    page = first_page
    while True:
        items, total = fetch(limit, page)
        if not items:
            return
        if len(items) < limit and seen + len(items) < total and page == first_page:
            # The server caps the page size: carry on with the size it really uses, so that page numbers
            # keep addressing consecutive records.
            limit = len(items)
        yield items
        seen += len(items)
        if seen >= total:
            return
        page += 1


def offset_pages(fetch, limit):
    """Pages addressed by record offset (Workspace ``offset`` from 0, Tencent ``Offset``)."""
    seen = 0
    while True:
        items, total = fetch(limit, seen)
        if not items:
            return
        yield items
        seen += len(items)
        if seen >= total:
            return


def stable_pages(pager, fetch, limit, record_id, max_passes=3):
    """The pages of ``pager(fetch, limit)``, robust to records that others delete or add during the walk.

    When the service's ``total`` changes between pages, the pages have shifted and records may have been
    skipped (a concurrent cleanup deleting what this one is still listing): the walk is repeated, up to
    ``max_passes`` walks, and only records not seen before are yielded. A stable walk costs nothing extra.
    """
    seen = set()
    totals = []

    def observed(page_limit, position):
        items, total = fetch(page_limit, position)
        totals.append(total)
        return items, total

    for walk in range(max_passes):
        del totals[:]
        for page in pager(observed, limit):
            fresh = [item for item in page if record_id(item) not in seen]
            seen.update(record_id(item) for item in fresh)
            if fresh:
                yield fresh
        if len(set(totals)) <= 1 or walk == max_passes - 1:
            return
