# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile

# ansible-test runs each test in a fork of the process that collected the tests, so whatever is
# imported or built here is done once, not once per test: MSAL (which the collection imports
# lazily, on first sign-in) takes a third of a second to import, an RSA key as long to make.
import msal  # noqa: F401 pylint: disable=unused-import
import pytest
from cryptography import x509  # noqa: F401 pylint: disable=unused-import
from hypothesis import HealthCheck, settings

from ansible_collections.entra.graph.tests.unit.helpers import cloud as fake
from ansible_collections.entra.graph.tests.unit.helpers.pki import AppCertificate

_PKI_FOLDER = tempfile.mkdtemp(prefix='entra-graph-unit-pki-')
_PKI = AppCertificate(_PKI_FOLDER)
# The emulator makes its RSA keys once per process and reuses them; make them here, before the forks.
fake.FakeCloud(certificate=_PKI).close()

settings.register_profile(
    'entra-graph-units', max_examples=40, deadline=None, database=None, derandomize=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.load_profile('entra-graph-units')

# Variables that would change what a module does or where its requests go.
_ISOLATED_PREFIXES = ('AZURE_', 'IDENTITY_', 'MSI_', 'ENTRA_GRAPH_TOKEN_CACHE')
_ISOLATED_NAMES = ('IMDS_ENDPOINT', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY',
                   'http_proxy', 'https_proxy', 'all_proxy', 'no_proxy', 'MSAL_FORCE_REGION', 'REGION_NAME')


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmp_path):
    """No credential, proxy, CA bundle or managed identity variable of the machine running the tests leaks in."""
    for name in list(os.environ):
        if name.startswith(_ISOLATED_PREFIXES) or name in _ISOLATED_NAMES:
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / 'home'
    home.mkdir()
    monkeypatch.setenv('HOME', str(home))
    return home


def pytest_sessionstart(session):
    # Settle pytest's base temporary folder here too; a fork would otherwise make (and prune) one per test.
    factory = getattr(session.config, '_tmp_path_factory', None)
    if factory is not None:
        factory.getbasetemp()


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_PKI_FOLDER, ignore_errors=True)


@pytest.fixture
def pki():
    """A throwaway app certificate (made once per test process), in every PEM layout the tests need."""
    return _PKI


@pytest.fixture
def cloud(pki):
    """The emulator's Entra ID and Graph, installed under requests for the test's duration."""
    with fake.FakeCloud(certificate=pki) as the_cloud:
        yield the_cloud
    assert the_cloud.unexpected == [], 'requests for URLs the emulator does not own: %s' % the_cloud.unexpected


@pytest.fixture
def secret_auth():
    """Connection options for the client secret sign-in, the most common one."""
    return dict(auth_method='client_secret', tenant=fake.HOME_TENANT, client_id=fake.CLIENT_ID, client_secret=fake.CLIENT_SECRET)
