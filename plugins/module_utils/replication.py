# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Waiting for a new directory object to replicate: Microsoft Entra ID answers 404 for a while to reads of an
application, service principal or synchronization job it has just created (Terraform polls the same way,
Microsoft365DSC sleeps; no Microsoft page gives a number). A read is tried again with a growing pause until
it finds the object or the task's ``wait_timeout`` has passed, never longer."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.entra.graph.plugins.module_utils.errors import EntraGraphError


class ReplicationTimeout(EntraGraphError):
    """A created object was still not readable when ``wait_timeout`` ran out."""


class Replication:
    """``until_found(read, what)`` calls ``read()`` (None while Graph answers 404) until it returns an object.

    ``clock`` and ``sleep`` are injectable so that tests neither wait nor depend on timing.
    """

    def __init__(self, timeout, clock=time.monotonic, sleep=time.sleep, first_pause=1.0, longest_pause=8.0):
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep
        self.first_pause = first_pause
        self.longest_pause = longest_pause
        self.reads = 0

    def until_found(self, read, what):
        deadline = self.clock() + self.timeout
        pause = self.first_pause
        while True:
            self.reads += 1
            found = read()
            if found is not None:
                return found
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise ReplicationTimeout(
                    '%s was created but Graph still answers 404 after %s seconds (wait_timeout); Microsoft Entra ID '
                    'replicates new objects with a delay: run the task again later (it finds the object and completes '
                    'the rest) or raise wait_timeout' % (what, self.timeout))
            self.sleep(min(pause, remaining))
            pause = min(pause * 2, self.longest_pause)
