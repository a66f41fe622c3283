# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where Microsoft's sources disagree, the emulator can answer either way: one switch per contested rule
(README.md, "Switches"), its first choice the default. Also the throttle, off by default."""

import math
import threading
import time

# name -> its choices, the default first.
SWITCHES = {
    # Tutorial troubleshooting table: PUT over an existing sync policy is 409; the metadata's UpdateMethod=PUT
    # (and three public providers) say PUT updates.
    "put_over_existing": ("conflict", "update"),
    # Graph's reference pages of the deleted items: the rendered permission tables say "Not supported" for
    # application permissions; the emulator used to serve app-only tokens there.
    "deleted_items_app_only": ("allowed", "forbidden"),
    # Continuous access evaluation: documented for clients that declare cp1, not for managed identities.
    "revocation": ("all", "cp1"),
    # Microsoft Graph throttling limits, "Identity and access service limits".
    "throttle": ("off", "on"),
}
DEFAULTS = dict((name, choices[0]) for name, choices in SWITCHES.items())


def switch_value(name, value):
    if value not in SWITCHES[name]:
        raise ValueError("%s must be one of %s" % (name, ", ".join(SWITCHES[name])))
    return value


def scale_value(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1000:
        raise ValueError("throttle_scale must be a number above 0 (1 = the documented limits)")
    return float(value)


# "Identity and access service limits" (https://learn.microsoft.com/graph/throttling-limits, CROSS_TENANT_SYNC.md 7):
# per app and tenant, a small tenant (under 50 users) gets 3,500 resource units per 10 seconds and 3,000 writes
# per 2 minutes 30 seconds. A request costs 1 unit ($select one less, $expand one more, never under 1); a write
# also costs a write. That these buckets count the cross-tenant policies is an assumption: the page lists
# policyBase, not their types.
RESOURCE_UNITS, RESOURCE_SECONDS = 3500, 10.0
WRITES, WRITE_SECONDS = 3000, 150.0


def request_cost(method, query):
    units = 1
    if "$select" in query or "select" in query:
        units -= 1
    if "$expand" in query or "expand" in query:
        units += 1
    return max(units, 1), (0 if method in ("GET", "HEAD") else 1)


class Bucket:
    """A token bucket: `capacity` tokens, refilled evenly over `seconds`."""

    def __init__(self, capacity, seconds):
        self.capacity = capacity
        self.rate = capacity / seconds
        self.tokens = capacity
        self.stamp = time.monotonic()

    def refill(self, now):
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_for(self, cost):
        """Seconds until `cost` tokens are there (0 when they are)."""
        return 0.0 if self.tokens >= cost else (cost - self.tokens) / self.rate


class Throttle:
    """Per (tenant, app) buckets of resource units and writes. take() answers None (go ahead, tokens taken) or
    the whole seconds to put in Retry-After."""

    def __init__(self):
        self._lock = threading.Lock()
        self._buckets = {}

    def clear(self):
        with self._lock:
            self._buckets.clear()

    def take(self, client, method, query, scale):
        units, writes = request_cost(method, query)
        now = time.monotonic()
        with self._lock:
            pair = self._buckets.get(client)
            if pair is None or pair[2] != scale:
                # A bucket holds at least one request's worth, so a small scale slows clients rather than stopping them.
                pair = (Bucket(max(RESOURCE_UNITS * scale, 2), RESOURCE_SECONDS),
                        Bucket(max(WRITES * scale, 1), WRITE_SECONDS), scale)
                self._buckets[client] = pair
            unit_bucket, write_bucket = pair[0], pair[1]
            unit_bucket.refill(now)
            write_bucket.refill(now)
            wait = max(unit_bucket.wait_for(units), write_bucket.wait_for(writes) if writes else 0.0)
            if wait > 0:
                return max(1, int(math.ceil(wait)))
            unit_bucket.tokens -= units
            write_bucket.tokens -= writes
            return None
