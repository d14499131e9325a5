# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Workspace decisions: both listings, paging, what the look costs, batches and vanished ids."""

from __future__ import annotations

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._cleanup import ensure_absent
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._workspace import (
    WorkspaceClient,
    expiry,
    workspace_selection,
    workspace_target,
)
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import FakeWorkspaceConnection


def tasks(n, prefix="t", scheduled_type="DAY"):
    return [{"id": "%s%05d" % (prefix, i), "task_name": "%s-%d" % (prefix, i), "task_type": "REBOOT",
             "scheduled_type": scheduled_type} for i in range(n)]


def target(conn, task_ids=None, filters=None, batch_size=1000):
    return workspace_target(WorkspaceClient(conn), workspace_selection(task_ids, filters), batch_size=batch_size)


def test_filters_read_both_listings_in_pages_of_50():
    conn = FakeWorkspaceConnection(tasks(120) + tasks(3, prefix="lc", scheduled_type="LIFE_CYCLE"))
    records, dummy = target(conn, filters={}).look()
    assert len(records) == 123
    assert conn.count("ListScheduledTasks") == 3 + 1
    assert {c.query["limit"] for c in conn.calls} == {"50"}


def test_scheduled_type_filter_reads_one_listing():
    conn = FakeWorkspaceConnection(tasks(10) + tasks(3, prefix="lc", scheduled_type="LIFE_CYCLE"))
    records, dummy = target(conn, filters={"scheduled_type": "LIFE_CYCLE"}).look()
    assert len(records) == 3 and conn.count("ListScheduledTasks") == 1


def test_one_id_costs_one_show_even_a_triggered_one():
    conn = FakeWorkspaceConnection(tasks(500) + tasks(1, prefix="lc", scheduled_type="LIFE_CYCLE"))
    records, absent = target(conn, task_ids=["lc00000"]).look()
    assert [r["id"] for r in records] == ["lc00000"] and absent == []
    assert [c[0] for c in conn.calls] == ["ShowScheduledTasks"]


def test_an_undocumented_show_error_is_confirmed_by_the_list():
    conn = FakeWorkspaceConnection(tasks(3))
    records, absent = target(conn, task_ids=["nope"]).look()
    assert records == [] and absent == ["nope"]
    assert conn.count("ListScheduledTasks") >= 2  # never read "gone" from the show error alone


def test_many_ids_in_few_pages_use_the_list():
    conn = FakeWorkspaceConnection(tasks(60))
    ids = ["t%05d" % i for i in range(40)] + ["missing"]
    records, absent = target(conn, task_ids=ids).look()
    assert len(records) == 40 and absent == ["missing"]
    assert conn.count("ShowScheduledTasks") == 0 and conn.count("ListScheduledTasks") == 3


def test_4000_of_5000_cost_the_pages_plus_one_batch_per_batch_size():
    conn = FakeWorkspaceConnection(tasks(4000, prefix="del") + tasks(1000, prefix="keep"))
    result = ensure_absent(target(conn, filters={"name_pattern": "del-*"}))
    assert len(result.deleted) == 4000 and len(conn.tasks) == 1000
    assert conn.count("ListScheduledTasks") == 100 + 1
    assert conn.count("BatchDeleteScheduledTasks") == 4


def test_vanished_id_in_a_batch_under_both_settings():
    for setting in ("reject", "ignore"):
        conn = FakeWorkspaceConnection(tasks(10), unknown_ids=setting)
        conn.vanish_on_delete = {"t00003"}
        result = ensure_absent(target(conn, filters={}))
        assert not result.failed, setting
        assert sorted(result.deleted + result.already_absent) == ["t%05d" % i for i in range(10)], setting
        assert conn.tasks == {}, setting


def test_check_mode_makes_no_batch_delete():
    conn = FakeWorkspaceConnection(tasks(5))
    result = ensure_absent(target(conn, filters={}), check_mode=True)
    assert len(result.deleted) == 5 and conn.count("BatchDeleteScheduledTasks") == 0


# Each filter the list API applies on the server, with a value the "match" task has and the "other" task lacks.
SERVER_FILTERS = {
    "name": ("task_name", "keep-me", "other-name"),
    "task_type": ("task_type", "REBOOT", "STOP"),
    "scheduled_type": ("scheduled_type", "WEEK", "DAY"),
    "last_status": ("last_status", "FAIL", "SUCCESS"),
}


@pytest.mark.parametrize("check_mode", [False, True], ids=["delete", "check"])
@pytest.mark.parametrize("how_many", [1, 3], ids=["one-id", "several-ids"])
@pytest.mark.parametrize("option", sorted(SERVER_FILTERS))
def test_an_existing_task_that_does_not_match_a_server_side_filter_is_in_no_list(option, how_many, check_mode):
    field, wanted, other = SERVER_FILTERS[option]
    base = {"task_name": "n", "task_type": "REBOOT", "scheduled_type": "DAY", "last_status": "SUCCESS", "enable": True}
    conn = FakeWorkspaceConnection([dict(base, id="match", **{field: wanted}), dict(base, id="other", **{field: other})])
    requested = {1: ["other"], 3: ["match", "other", "missing"]}[how_many]
    result = ensure_absent(target(conn, task_ids=requested, filters={option: wanted}), check_mode=check_mode)
    expected_deleted = ["match"] if "match" in requested else []
    assert result.deleted == expected_deleted
    assert result.already_absent == [i for i in requested if i == "missing"]
    assert result.not_deleted == [] and not result.failed
    assert "other" in conn.tasks and [r["id"] for r in result.records] == expected_deleted
    assert ("match" in conn.tasks) == (check_mode or "match" not in requested)


NOW = 1_800_000_000.0  # 2027-01-15 08:00:00 UTC


def expiring(task_id, expire_time, time_zone):
    task = {"id": task_id, "task_name": task_id, "task_type": "REBOOT", "scheduled_type": "DAY", "expire_time": expire_time}
    if time_zone is not None:
        task["time_zone"] = time_zone
    return task


@pytest.mark.parametrize("expire_time, time_zone, expired", [
    ("2027-01-15 15:59:00", "Asia/Shanghai", True),    # 07:59 UTC
    ("2027-01-15 16:01:00", "Asia/Shanghai", False),   # 08:01 UTC
    ("2027-01-15 07:59:00", "UTC", True),
    ("2027-01-15 13:31:00", "UTC+05:30", False),
    ("", "UTC", False),                                # never expires
])
def test_expiry_is_read_in_the_tasks_own_time_zone(expire_time, time_zone, expired):
    assert expiry(expiring("t", expire_time, time_zone), NOW) == (expired, None)


@pytest.mark.parametrize("expire_time, time_zone, words", [
    ("2027-01-01 00:00:00", None, "has no time_zone"),
    ("2027-01-01 00:00:00", "Mars/Olympus_Mons", "'Mars/Olympus_Mons'"),
    ("01/01/2027", "UTC", "not a time"),
])
def test_an_expiry_that_cannot_be_decided_is_never_guessed(expire_time, time_zone, words):
    expired, why = expiry(expiring("t", expire_time, time_zone), NOW)
    assert expired is None and words in why


@pytest.mark.parametrize("wanted", [True, False])
@pytest.mark.parametrize("check_mode", [False, True])
def test_tasks_whose_expiry_cannot_be_decided_are_not_deleted_and_fail_the_task(wanted, check_mode):
    conn = FakeWorkspaceConnection([expiring("old", "2020-01-01 00:00:00", "UTC"),
                                    expiring("new", "2099-01-01 00:00:00", "UTC"),
                                    expiring("mars", "2020-01-01 00:00:00", "Mars/Olympus_Mons"),
                                    expiring("nozone", "2020-01-01 00:00:00", None)])
    t = target(conn, filters={"expired": wanted})
    t.now = NOW
    result = ensure_absent(t, check_mode=check_mode)
    assert result.deleted == (["old"] if wanted else ["new"])
    assert sorted(n["id"] for n in result.not_deleted) == ["mars", "nozone"]
    assert all("cannot be decided" in n["reason"] for n in result.not_deleted)
    assert result.failed and {"mars", "nozone"} <= set(conn.tasks)
    sent = [c.json_body["task_ids"] for c in conn.ops("BatchDeleteScheduledTasks")]
    assert sent == ([] if check_mode else [result.deleted])
