# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures for GraphModule's tests: what a task gives for each way of signing in."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake


@pytest.fixture
def federated_file(cloud, tmp_path):
    """A federated token file as a platform writes it, for the emulator's workload identity app."""
    path = tmp_path / 'azure-identity-token'
    path.write_text(cloud.emulator.federated_assertion() + '\n')
    return str(path)


@pytest.fixture
def app_service(cloud, monkeypatch):
    """The environment of an App Service (or Functions) host with a managed identity."""
    monkeypatch.setenv('IDENTITY_ENDPOINT', fake.APP_SERVICE_ENDPOINT)
    monkeypatch.setenv('IDENTITY_HEADER', cloud.info['identity_header'])


@pytest.fixture
def sign_in(cloud, pki, federated_file, app_service):
    """Options for each sign-in method, with every secret it involves."""
    base = dict(tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID)
    return {
        'client_secret': dict(base, auth_method='client_secret', client_secret=fake.CLIENT_SECRET),
        'client_certificate': dict(base, auth_method='client_certificate', client_certificate_path=pki.pem_path),
        'client_certificate_encrypted': dict(base, auth_method='client_certificate', client_certificate_path=pki.encrypted_path,
                                             client_certificate_password=pki.password),
        'workload_identity': dict(tenant=fake.HOME_TENANT, client_id=cloud.info['federated_client_id'], auth_method='workload_identity',
                                  federated_token_file=federated_file),
        'managed_identity': dict(auth_method='managed_identity'),
        'access_token': dict(auth_method='access_token', access_token=cloud.ready_token()),
    }
