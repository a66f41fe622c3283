# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Graph client GraphClient's tests talk through: a module's, signed in with the client secret."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.tests.unit.helpers.client import graph_client


@pytest.fixture
def client(cloud, secret_auth):
    """Built as a module builds it; a retry's wait is recorded, never slept."""
    return graph_client(waits=[], rand=lambda: 0.5, **secret_auth)
