# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""When to try a request again and how long to wait first.

Graph asks throttled clients to wait for ``Retry-After`` seconds and warns
against immediate retries; without that header the wait grows exponentially,
with jitter so that parallel forks do not come back in lockstep.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import math
import random
import time

RETRYABLE_STATUSES = frozenset([429, 503, 504])

# The longest single wait, whatever the server asks: a task that sleeps for
# an hour looks hung, and max_retries already bounds the number of waits.
MAX_WAIT_SECONDS = 120.0


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or HTTP-date); None if unusable."""
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
        return min(seconds, MAX_WAIT_SECONDS)
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return None
    now = time.time() if now is None else now
    return min(max(0.0, parsed.timestamp() - now), MAX_WAIT_SECONDS)


class RetryPolicy:
    """Backoff for attempt ``n`` (0 for the first retry): ``min(cap, base * 2**n)`` scaled by a random factor in [0.5, 1]."""

    def __init__(self, max_retries=4, base=1.0, cap=30.0, sleep=time.sleep, rand=random.random):
        self.max_retries = max_retries
        self.base = base
        self.cap = cap
        self._sleep = sleep
        self._rand = rand

    def backoff(self, retry_number):
        ceiling = min(self.cap, self.base * (2 ** retry_number))
        return ceiling * (0.5 + self._rand() / 2.0)

    def delay(self, retry_number, retry_after=None):
        """The wait before retry ``retry_number``: the server's ``Retry-After`` if it gave one."""
        waited = parse_retry_after(retry_after)
        if waited is not None:
            return waited
        return self.backoff(retry_number)

    def wait(self, retry_number, retry_after=None):
        seconds = self.delay(retry_number, retry_after)
        if seconds > 0:
            self._sleep(seconds)
        return seconds
