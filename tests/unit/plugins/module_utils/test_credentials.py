# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credentials whatever their source: refreshed before they expire, once after an "expired" answer, thread-safe."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._credentials import (
    Credentials,
    CurrentCredentials,
    Secrets,
    parse_expiry,
)
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ConfigurationError


class Clock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def issuer(clock, lifetime):
    issued = []

    def fetch():
        issued.append(Credentials("AK%d" % len(issued), "SK%d" % len(issued), "TOKEN%d" % len(issued),
                                  expires_at=clock() + lifetime, source="test role"))
        return issued[-1]

    return fetch, issued


def test_long_lived_keys_are_fetched_once_and_never_refreshed():
    fetches = []
    current = CurrentCredentials(lambda: fetches.append(1) or Credentials("AK", "SK"))
    first = current.get()
    assert current.get() is first and len(fetches) == 1
    assert current.refresh(first) is False  # nothing to refresh: the refusal stands


def test_temporary_credentials_are_refreshed_before_they_expire():
    clock = Clock()
    fetch, issued = issuer(clock, lifetime=3600)
    current = CurrentCredentials(fetch, margin=300, clock=clock)
    assert current.get().key_id == "AK0"
    clock.now += 3600 - 301
    assert current.get().key_id == "AK0"
    clock.now += 2  # within 300 s of the expiry
    assert current.get().key_id == "AK1" and len(issued) == 2


def test_short_lived_credentials_refresh_at_half_their_life_not_on_every_call():
    clock = Clock()
    fetch, issued = issuer(clock, lifetime=4)
    current = CurrentCredentials(fetch, margin=300, clock=clock)
    current.get()
    clock.now += 1.9
    current.get()
    assert len(issued) == 1
    clock.now += 0.2
    assert current.get().key_id == "AK1"


def test_an_expired_answer_refreshes_once_even_when_many_workers_see_it():
    clock = Clock()
    fetch, issued = issuer(clock, lifetime=3600)
    current = CurrentCredentials(fetch, clock=clock)
    stale = current.get()
    barrier = threading.Barrier(8)
    outcomes = []

    def worker():
        barrier.wait()
        outcomes.append(current.refresh(stale))

    threads = [threading.Thread(target=worker, name="worker-%d" % n) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == [True] * 8 and len(issued) == 2 and current.get().key_id == "AK1"


def test_secrets_are_the_secret_key_and_the_token_only():
    assert Credentials("AKID", "SECRET", "TOKEN").secrets() == ["SECRET", "TOKEN"]
    assert Credentials("AKID", "SECRET").secrets() == ["SECRET"]


def test_the_secret_registry_remembers_every_fetch_in_order_once():
    secrets = Secrets(["OPTION", None, ""])
    fetch = secrets.remember(lambda: Credentials("AKID", "SECRET", "TOKEN"))
    fetch()
    fetch()
    secrets.add("OPTION", "METADATA-TOKEN")
    assert list(secrets) == ["OPTION", "SECRET", "TOKEN", "METADATA-TOKEN"] == secrets.values()


@pytest.mark.parametrize("value, epoch", [
    ("2026-11-30T01:02:03.587000Z", 1796000523.587), ("2026-11-30T01:02:03.158Z", 1796000523.158),
    ("2026-11-30T01:02:03Z", 1796000523.0), (1796000523, 1796000523.0), ("1796000523", 1796000523.0),
])
def test_the_clouds_expiry_formats(value, epoch):
    assert parse_expiry(value, "test") == pytest.approx(epoch)


@pytest.mark.parametrize("value", ["tomorrow", None, True, "2026-11-30 01:02:03"])
def test_an_unknown_expiry_format_is_an_error(value):
    with pytest.raises(ConfigurationError, match="expiry"):
        parse_expiry(value, "test")
