# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client-side rate limiter, on a fake clock: pacing, halving on throttling, recovery, no limit."""

from __future__ import annotations

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._rate_limit import RateLimiter
from ansible_collections.cloudjobs.cleanup.tests.unit.plugins.fakes import FakeClock


def test_rate_limiter_paces_to_the_rate():
    clock = FakeClock()
    limiter = RateLimiter(4.0, clock=clock, sleep=clock.sleep)
    for dummy in range(9):
        limiter.acquire()
    assert 1.9 <= clock.now <= 2.1


def test_rate_limiter_halves_on_throttling_and_recovers():
    clock = FakeClock()
    limiter = RateLimiter(20.0, clock=clock, sleep=clock.sleep)
    limiter.on_throttled()
    limiter.on_throttled()
    assert limiter.current_rate == 5.0
    for dummy in range(200):
        limiter.on_success()
    assert limiter.current_rate == 20.0


def test_unlimited_rate_never_waits():
    clock = FakeClock()
    limiter = RateLimiter(None, clock=clock, sleep=clock.sleep)
    for dummy in range(100):
        limiter.acquire()
    assert clock.now == 0.0
