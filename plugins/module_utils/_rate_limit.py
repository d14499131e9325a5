# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A client-side rate limiter that worker threads share. PRIVATE to this collection; no stability promise.

A token bucket at ``rate`` requests per second. When the service says it throttled us, the rate is halved
(down to a floor); every success then adds a little back until the configured rate is reached again, so a
bulk run settles just under whatever the service really allows.
"""

from __future__ import annotations

import threading
import time


class RateLimiter:
    def __init__(self, rate=None, burst=None, clock=time.monotonic, sleep=time.sleep):
        if rate is not None and rate <= 0:
            raise ValueError("rate must be positive")
        self.configured_rate = rate
        self._rate = rate
        self._burst = float(burst if burst is not None else max(1.0, rate or 1.0))
        self._tokens = 1.0
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()

    @property
    def current_rate(self):
        return self._rate

    @property
    def floor(self):
        return max(0.2, (self.configured_rate or 0) / 16.0)

    def _refill(self, now):
        elapsed = max(0.0, now - self._last)
        self._last = now
        self._tokens = min(self._burst, self._tokens + elapsed * self._rate)

    def acquire(self, wait=None):
        """Block until a request may be sent; True then. ``wait(seconds)`` (the run's ``RunControl.wait``) does the
        waiting when given: it answers False when the run must stop, and then no token is taken and False is returned,
        so that a cancel or the end of the budget is never held up by the limiter."""
        if self._rate is None:
            return True
        while True:
            with self._lock:
                self._refill(self._clock())
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return True
                pause = (1.0 - self._tokens) / self._rate
            if wait is None:
                self._sleep(pause)
            elif not wait(pause):
                return False

    def on_throttled(self):
        """The service throttled a request: halve the rate (multiplicative decrease)."""
        if self._rate is None:
            return
        with self._lock:
            self._refill(self._clock())
            self._rate = max(self.floor, self._rate / 2.0)
            self._tokens = min(self._tokens, 0.0)
            self._burst = max(1.0, min(self._burst, self._rate))

    def on_success(self):
        """A request went through: recover towards the configured rate (additive increase)."""
        if self._rate is None or self._rate >= self.configured_rate:
            return
        with self._lock:
            self._rate = min(self.configured_rate, self._rate + max(0.05, self.configured_rate / 50.0))
            self._burst = max(1.0, min(float(self.configured_rate), self._rate))
