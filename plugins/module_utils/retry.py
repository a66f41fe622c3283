# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""When to try a request again, how many times, and how long to wait first.

Graph asks throttled clients to wait for ``Retry-After`` seconds and warns
against immediate retries; without that header the wait grows exponentially,
with jitter so that parallel forks do not come back in lockstep.

The policy is shared by every request of a task, threads included: a 429 (or
a 503 that says how long to wait) on any request holds back every request of
the task until that wait has passed, since Graph throttles the app, not the
one request. ``transport.Transport.send`` is the one loop that applies it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import math
import random
import threading
import time

RETRYABLE_STATUSES = frozenset([429, 503, 504])

# The longest wait the collection accepts from a Retry-After header. A server that asks for longer
# (a day, say) fails the task at once with the wait it asked for, rather than holding it silently.
MAX_WAIT_SECONDS = 120.0


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or HTTP-date); None if unusable.

    The value is not capped here (``RetryPolicy.too_long`` says whether it is too long). A date in
    the past gives None, so the caller waits its own backoff rather than coming back at once.
    """
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is not None:
        if math.isnan(seconds) or math.isinf(seconds) or seconds < 0:
            return None
        return seconds
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    now = time.time() if now is None else now
    try:
        seconds = parsed.timestamp() - now
    except (OverflowError, OSError, ValueError):
        return None
    return seconds if seconds > 0 else None


def describe_wait(seconds):
    """``86400`` -> ``'86400 seconds (about 24 hours)'``."""
    text = '%g seconds' % round(seconds, 1)
    if seconds >= 2 * 3600:
        text += ' (about %d hours)' % round(seconds / 3600.0)
    elif seconds >= 120:
        text += ' (about %d minutes)' % round(seconds / 60.0)
    return text


class RetryPolicy:
    """How many retries, the wait before each, and the hold that throttling puts on every thread of the task.

    Backoff for retry ``n`` (0 for the first retry) is ``min(cap, base * 2**n)`` scaled by a random
    factor in [0.5, 1]. ``sleep`` and ``clock`` are the only ways it touches time, for tests.
    """

    def __init__(self, max_retries=4, base=1.0, cap=30.0, sleep=time.sleep, rand=random.random, clock=None,
                 max_wait=MAX_WAIT_SECONDS):
        self.max_retries = max_retries
        self.base = base
        self.cap = cap
        self.max_wait = max_wait
        self._rand = rand
        self._lock = threading.Lock()
        self._hold_until = None
        if clock is None and sleep is not time.sleep:
            # A stand-in sleep (a test's) does not pass time: keep a clock that its sleeps move on.
            self._elapsed = 0.0
            clock = self._virtual_clock
            sleep = self._virtual_sleep(sleep)
        self._sleep = sleep
        self._clock = clock or time.monotonic

    def _virtual_clock(self):
        return self._elapsed

    def _virtual_sleep(self, sleep):
        def advance(seconds):
            self._elapsed += seconds
            sleep(seconds)
        return advance

    def backoff(self, retry_number):
        ceiling = min(self.cap, self.base * (2 ** retry_number))
        return ceiling * (0.5 + self._rand() / 2.0)

    def server_wait(self, retry_after):
        """The wait a ``Retry-After`` header asks for, or None when it gives no usable one."""
        return parse_retry_after(retry_after)

    def delay(self, retry_number, retry_after=None):
        """The wait before retry ``retry_number``: the server's ``Retry-After`` if it gave a usable one, else the backoff."""
        waited = self.server_wait(retry_after)
        return self.backoff(retry_number) if waited is None else waited

    def too_long(self, seconds):
        return seconds is not None and seconds > self.max_wait

    def pause(self, seconds):
        """This thread waits ``seconds`` (a backoff after a failure that concerns this request alone)."""
        if seconds > 0:
            self._sleep(seconds)

    def hold(self, seconds):
        """No request of the task is sent before ``seconds`` from now (throttling concerns the whole app)."""
        if seconds <= 0:
            return
        with self._lock:
            until = self._clock() + seconds
            if self._hold_until is None or until > self._hold_until:
                self._hold_until = until

    def wait_turn(self):
        """Called before every send: wait out a hold another request (or this one) put on the task."""
        slept_until = None
        while True:
            with self._lock:
                until = self._hold_until
            if until is None or (slept_until is not None and until <= slept_until):
                return
            remaining = until - self._clock()
            if remaining <= 0:
                return
            self._sleep(remaining)
            slept_until = until
