# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The transport is driven through a module's Graph client, the way every request reaches it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.tests.unit.helpers.client import graph_client


@pytest.fixture
def waits():
    """The waits the client's retries asked for, in order (recorded instead of slept)."""
    return []


@pytest.fixture
def client(cloud, secret_auth, waits):
    """A module's Graph client with a fixed jitter, so that each backoff is exactly min(30, 2**n) * 0.75."""
    return graph_client(waits=waits, rand=lambda: 0.5, **secret_auth)
