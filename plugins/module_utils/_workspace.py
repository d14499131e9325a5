# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud Workspace scheduled tasks.

PRIVATE to this collection; no stability promise.

``WorkspaceClient`` speaks the scheduled-task paths and paging; ``WorkspaceScheduledTasks`` is the cleanup target.
The list is the authoritative look: the API documents no "task does not exist" code, so a failed ``show``
is never read as "gone" on its own.
"""

from __future__ import annotations

import datetime
import time

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._batches import (
    ABORT,
    BATCH_DELETE_WORKERS,
    FAILED,
    SPLIT_BATCH,
    delete_in_batches,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import CleanupTarget
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ApiError
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._huawei import is_auth_failure, is_gateway_404
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._paging import offset_pages, stable_pages
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._selection import (
    IdRule,
    UnknownTimeZone,
    resolve_time_zone,
    select,
)

TASK_TYPES = ("START", "STOP", "REBOOT", "HIBERNATE", "REBUILD", "EXECUTE_SCRIPT", "CREATE_SNAPSHOT", "DELETE_BLACK_ECS")
SCHEDULED_TYPES = ("FIXED_TIME", "DAY", "WEEK", "MONTH", "LIFE_CYCLE")
LAST_STATUSES = ("SUCCESS", "SKIP", "FAIL")
# Triggered tasks only appear in the list when this scheduled_type is asked for.
LIFE_CYCLE = "LIFE_CYCLE"
# The two unfiltered listings that together hold every task: whether an id exists is asked of these.
EXISTENCE_LISTINGS = ({}, {"scheduled_type": LIFE_CYCLE})

LIST_PAGE_SIZE = 50  # documented maximum
MAX_BATCH_SIZE = 5000  # documented maximum of task_ids in one batch-delete
DEFAULT_BATCH_SIZE = 1000

TASK_ID_RULE = IdRule(r"^[A-Za-z0-9_-]+$", "task ids use letters, digits, '_' and '-', at most 255 characters", 255)


class WorkspaceClient:
    """Every Workspace request the collection makes."""

    def __init__(self, connection):
        self._conn = connection
        self._workers = getattr(connection, "list_concurrency", 1)

    def _path(self, suffix=""):
        return "/v2/%s/scheduled-tasks%s" % (self._conn.project_id, suffix)

    def list_page(self, query, limit, offset):
        params = dict(query, limit=str(limit), offset=str(offset))
        body = self._conn.request("ListScheduledTasks", "GET", self._path(), query=params) or {}
        items = body.get("scheduled_tasks") or []
        try:
            total = int(body.get("total_count"))
        except (TypeError, ValueError):
            total = len(items) + offset if len(items) < limit else float("inf")
        return items, total

    def list_scheduled_tasks(self, query, first_page=None):
        """Every task matching ``query``; ``first_page`` reuses a page already fetched at offset 0."""

        reusable = [first_page] if first_page is not None else []

        def fetch(limit, offset):
            if offset == 0 and reusable:
                return reusable.pop()  # only for the first walk: a repeated walk asks again
            return self.list_page(query, limit, offset)

        for page in stable_pages(offset_pages, fetch, LIST_PAGE_SIZE, lambda task: task.get("id"),
                                 workers=self._workers):
            yield from page

    def show_scheduled_task(self, task_id):
        return self._conn.request("ShowScheduledTasks", "GET", self._path("/" + task_id))

    def batch_delete_scheduled_tasks(self, task_ids):
        self._conn.request(
            "BatchDeleteScheduledTasks",
            "POST",
            self._path("/batch-delete"),
            json_body={"task_ids": list(task_ids)},
            mutating=True,
        )


def expiry(task, now):
    """``(expired, why_undecided)``: whether ``expire_time`` has passed, or None and the reason it cannot be told.

    ``expire_time`` ("yyyy-MM-dd HH:mm:ss") is wall time in the task's ``time_zone``; a task without one never
    expires. Nothing is guessed: an unreadable time, a missing or unresolvable zone leave the answer open.
    """
    text = task.get("expire_time")
    if not text:
        return False, None
    try:
        moment = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return None, "expire_time %r is not a time in the yyyy-MM-dd HH:mm:ss format" % (text,)
    name = task.get("time_zone")
    if not name:
        return None, "the task has no time_zone, so the moment expire_time %s means is unknown" % text
    try:
        zone = resolve_time_zone(name)
    except UnknownTimeZone as error:
        return None, "time_zone %r of expire_time %s: %s" % (name, text, error)
    return moment.replace(tzinfo=zone).timestamp() < now, None


def workspace_selection(task_ids, filters, now=None):
    """The ``Selection`` the Workspace modules' ``task_ids`` and ``filters`` describe. Tasks have no states."""
    selection = select(task_ids, filters, TASK_ID_RULE, "task_ids", now=now)
    for option in ("task_type", "scheduled_type", "last_status"):
        selection.require(option, option)
    selection.require("enabled", "enable", lambda task: bool(task.get("enable")))
    return selection


def workspace_target(client, selection, batch_size=DEFAULT_BATCH_SIZE, now=None):
    """The cleanup target of ``selection``: Workspace has one account-wide list, so no other setting."""
    return WorkspaceScheduledTasks(client, selection, batch_size=batch_size, now=now)


class WorkspaceScheduledTasks(CleanupTarget):
    """Scheduled tasks of one project: definitions, not runs, so nothing to stop or wait for."""

    noun = "Workspace scheduled task"
    record_fields = ("id", "task_name", "last_status", "expire_time", "time_zone")
    # The time zone is not a column: a plan's filters (expired) are evaluated again with it when the plan is applied.
    plan_columns = ("id", "task_name", "last_status", "expire_time")

    def __init__(self, client, selection, batch_size=DEFAULT_BATCH_SIZE, now=None):
        self.client = client
        self.selection = selection
        self.ids = selection.ids
        self.filters = selection.filters
        self.record_filter = selection.record_filter
        self.batch_size = batch_size
        self.now = time.time() if now is None else now

    def record_id(self, record):
        return record.get("id")

    def _listings(self):
        """The server-side queries that together list every selectable task."""
        base = {}
        for key, param in (("name", "task_name"), ("task_type", "task_type"), ("last_status", "last_status")):
            if self.filters.get(key) is not None:
                base[param] = self.filters[key]
        scheduled_type = self.filters.get("scheduled_type")
        if scheduled_type is not None:
            return [dict(base, scheduled_type=scheduled_type)]
        return [base, dict(base, scheduled_type=LIFE_CYCLE)]

    def _matches(self, task):
        """Whether the filters select ``task``; a task whose expiry cannot be decided stays a candidate, and
        ``undecidable`` then says why it is not deleted."""
        if not self.record_filter.matches(task, task.get("task_name"), None, None):
            return False
        wanted = self.filters.get("expired")
        if wanted is None:
            return True
        expired, _why = expiry(task, self.now)
        return expired is None or expired == wanted

    def kept(self, record):
        return self.selection.retention.why_kept(self.record_id(record), record.get("task_name"))

    def summary(self, record):
        expires = record.get("expire_time")
        if expires and record.get("time_zone"):
            expires = "%s %s" % (expires, record["time_zone"])
        return record.get("id"), record.get("task_name"), record.get("last_status"), expires and "expires " + expires

    def plan_fields(self, record):
        return tuple(record.get(field) for field in self.plan_columns[1:])

    def find(self, ids):
        return self._find(ids, needs_list_fields=True)  # the plan's columns include last_status, which show lacks

    def undecidable(self, record):
        if self.filters.get("expired") is None:
            return None
        _expired, why = expiry(record, self.now)
        if why is None:
            return None
        return "whether it has expired cannot be decided: %s" % why

    def _list_all(self, listings, first_pages=None, selected=None):
        """Every task of ``listings`` by id (the first listing that holds it wins); with ``selected``, only the tasks
        it accepts, as ``keep`` holds them, so a listing of tens of thousands keeps only what the run needs."""
        tasks, seen = {}, set()
        for index, query in enumerate(listings):
            first = first_pages[index] if first_pages else None
            for task in self.client.list_scheduled_tasks(query, first_page=first):
                task_id = task.get("id")
                if task_id not in seen:
                    seen.add(task_id)
                    if selected is None:
                        tasks[task_id] = task
                    elif selected(task):
                        tasks[task_id] = self.keep(task)
        return tasks

    def look(self):
        if self.ids is None:
            return list(self._list_all(self._listings(), selected=self._matches).values()), []
        return self._look_up_ids(self.ids)

    def _look_up_ids(self, ids):
        """Whether each id exists, judged without the filters (a task that exists but does not match them is
        not "already absent"); the filters are then applied to what exists."""
        needs_list_fields = any(self.filters.get(k) is not None for k in ("last_status", "enabled"))
        found = self._find(ids, needs_list_fields)
        absent = [i for i in ids if i not in found]
        records = [found[i] for i in ids if i in found and self._matches(found[i])]
        return records, absent

    def _find(self, ids, needs_list_fields=False):
        """``{id: task}`` of the ids that exist: both listings unfiltered, or one ``show`` per id when that costs
        fewer calls (and the list's own fields are not needed: ``show`` lacks ``last_status`` and ``enable``)."""
        found = {}
        unresolved = list(ids)
        if len(ids) > 1 or needs_list_fields:
            first_pages = [self.client.list_page(q, LIST_PAGE_SIZE, 0) for q in EXISTENCE_LISTINGS]
            wanted = set(ids)
            for page in first_pages:
                for task in page[0]:
                    if task.get("id") in wanted:
                        found[task["id"]] = task
            unresolved = [i for i in ids if i not in found]
            more_pages = sum(max(0, -(-int(min(page[1], 10 ** 9)) // LIST_PAGE_SIZE) - 1) for page in first_pages)
            if unresolved and (needs_list_fields or more_pages <= len(unresolved)):
                everything = self._list_all(EXISTENCE_LISTINGS, first_pages)
                found.update({i: everything[i] for i in unresolved if i in everything})
                unresolved = []
        for task_id in unresolved:
            task = self._show(task_id)
            if task is not None:
                found[task_id] = task
        return found

    def _show(self, task_id):
        """A task by id. A refusal (4xx other than auth/throttling) means "maybe gone": the list decides.
        Anything else (a server error, no answer, an unreadable one) is a failure of this look."""
        try:
            return self.client.show_scheduled_task(task_id)
        except ApiError as error:
            if self.classify(error) == ABORT or error.status is None or not 400 <= error.status < 500:
                raise
        return self._list_all(EXISTENCE_LISTINGS).get(task_id)

    def blocker(self, record):
        return None  # a scheduled task can be deleted whatever it is doing

    def delete(self, ids, result):
        delete_in_batches(ids, self.batch_size, self.client.batch_delete_scheduled_tasks, self.classify, result,
                          workers=BATCH_DELETE_WORKERS, existing=lambda still: set(self._find(still)),
                          confirm_absent=self.confirm_absent)

    def confirm_absent(self, ids):
        """The ids a fresh listing no longer holds: Workspace has no "not found" code, so a lone id refused with a 4xx
        may simply be gone (a concurrent run), and only the list can say so."""
        still_there = self._list_all(EXISTENCE_LISTINGS)
        return [i for i in ids if i not in still_there]

    def classify(self, error):
        if is_auth_failure(error) or is_gateway_404(error):
            return ABORT  # every further call is refused the same way (a gateway 404: the API is not served here)
        if error.status is not None and 400 <= error.status < 500:
            return SPLIT_BATCH
        return FAILED


# The ``filters`` option of both Workspace modules, validated by AnsibleModule.
WORKSPACE_FILTER_SPEC = dict(
    name=dict(type="str"),
    name_pattern=dict(type="str"),
    task_type=dict(type="str", choices=list(TASK_TYPES)),
    scheduled_type=dict(type="str", choices=list(SCHEDULED_TYPES)),
    last_status=dict(type="str", choices=list(LAST_STATUSES)),
    enabled=dict(type="bool"),
    expired=dict(type="bool"),
    keep_name_patterns=dict(type="list", elements="str"),
)
