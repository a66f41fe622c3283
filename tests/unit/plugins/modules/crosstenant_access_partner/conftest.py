# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures of the crosstenant_access_partner tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake


@pytest.fixture
def task(secret_auth):
    """A task's options: the sign-in plus the partner's tenant ID."""
    return dict(secret_auth, tenant_id=fake.PARTNER)
