# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What clients sent, kept for tests to read back."""

import collections
import threading

LOG_LIMIT = 20000
KINDS = ("discovery", "token", "managed_identity", "graph_read", "graph_write", "other")


class RequestLog:
    """What clients sent, without bodies or headers: nothing here can hold a secret or a token."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = collections.deque(maxlen=LOG_LIMIT)

    def add(self, entry):
        with self._lock:
            self._entries.append(entry)

    def list(self, kind=None):
        with self._lock:
            return [dict(e) for e in self._entries if kind is None or e["kind"] == kind]

    def clear(self):
        with self._lock:
            self._entries.clear()
