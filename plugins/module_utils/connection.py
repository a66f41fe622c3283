# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Connection options shared by every module: the argument spec, the national
clouds and the checks that turn raw options into settings a client can use."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import os
import re

from ansible.module_utils.errors import AnsibleFallbackNotFound
from ansible.module_utils.six.moves.urllib.parse import urlparse

from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError

AUTH_METHODS = ('auto', 'client_secret', 'client_certificate', 'workload_identity', 'managed_identity', 'access_token')

# Sign-in and Graph hosts per national cloud (Microsoft Graph "national cloud deployments").
CLOUDS = {
    'global': ('https://login.microsoftonline.com', 'https://graph.microsoft.com'),
    'us_gov': ('https://login.microsoftonline.us', 'https://graph.microsoft.us'),
    'us_gov_dod': ('https://login.microsoftonline.us', 'https://dod-graph.microsoft.us'),
    'china': ('https://login.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn'),
}

# AWX's Azure credential and the Azure SDKs name the clouds differently; accept their spellings.
CLOUD_ALIASES = {
    'azurecloud': 'global',
    'azurepubliccloud': 'global',
    'public': 'global',
    'azureusgovernment': 'us_gov',
    'azureusgovernmentcloud': 'us_gov',
    'usgovernment': 'us_gov',
    'azurechinacloud': 'china',
}

# Hosts MSAL already knows; for any other host instance discovery must be off,
# or MSAL asks login.microsoftonline.com about it first.
KNOWN_AUTHORITY_HOSTS = frozenset([
    'login.microsoftonline.com', 'login.microsoft.com', 'login.windows.net', 'sts.windows.net',
    'login.microsoftonline.us', 'login.usgovcloudapi.net',
    'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn',
])


_TOKEN_TEXT = re.compile(r'^[\x21-\x7e]+$')


def nonblank_env_fallback(*names):
    """The first of the environment variables that holds a value.

    Unlike ansible-core's env_fallback, a variable set to an empty string does
    not hide the next one: AWX renders an empty credential field as "", and the
    AWX and azure-identity names of one setting may both be present.
    """
    for name in names:
        value = os.environ.get(name)
        if value is not None and value.strip():
            return value
    raise AnsibleFallbackNotFound


def connection_argument_spec():
    """The argument spec for the connection options; every module merges it into its own."""
    return dict(
        auth_method=dict(type='str', default='auto', choices=list(AUTH_METHODS)),
        tenant=dict(type='str', fallback=(nonblank_env_fallback, ['AZURE_TENANT_ID', 'AZURE_TENANT'])),
        client_id=dict(type='str', fallback=(nonblank_env_fallback, ['AZURE_CLIENT_ID'])),
        client_secret=dict(type='str', no_log=True, fallback=(nonblank_env_fallback, ['AZURE_CLIENT_SECRET', 'AZURE_SECRET'])),
        client_certificate_path=dict(type='path', fallback=(nonblank_env_fallback, ['AZURE_CLIENT_CERTIFICATE_PATH'])),
        client_certificate_password=dict(type='str', no_log=True, fallback=(nonblank_env_fallback, ['AZURE_CLIENT_CERTIFICATE_PASSWORD'])),
        federated_token_file=dict(type='path', fallback=(nonblank_env_fallback, ['AZURE_FEDERATED_TOKEN_FILE'])),
        access_token=dict(type='str', no_log=True),
        cloud_environment=dict(type='str', default='global', fallback=(nonblank_env_fallback, ['AZURE_CLOUD_ENVIRONMENT'])),
        authority_host=dict(type='str', fallback=(nonblank_env_fallback, ['AZURE_AUTHORITY_HOST'])),
        graph_endpoint=dict(type='str'),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        timeout=dict(type='float', default=30),
        max_retries=dict(type='int', default=4),
        token_cache=dict(type='bool', default=False, fallback=(nonblank_env_fallback, ['ENTRA_GRAPH_TOKEN_CACHE'])),
        token_cache_path=dict(type='path', fallback=(nonblank_env_fallback, ['ENTRA_GRAPH_TOKEN_CACHE_PATH'])),
    )


def environment_variables(option):
    """The environment variables an option falls back to, in the order they are read."""
    fallback = connection_argument_spec()[option].get('fallback')
    return list(fallback[1]) if fallback else []


class ConnectionSettings:
    """Validated connection options: where to sign in, where Graph is, how to talk to both."""

    def __init__(self, params):
        self.auth_method = params.get('auth_method') or 'auto'
        self.tenant = _blank_to_none(params.get('tenant'))
        self.client_id = _blank_to_none(params.get('client_id'))
        self.client_secret = _blank_to_none(params.get('client_secret'))
        self.client_certificate_path = _blank_to_none(params.get('client_certificate_path'))
        self.client_certificate_password = _blank_to_none(params.get('client_certificate_password'))
        self.federated_token_file = _blank_to_none(params.get('federated_token_file'))
        self.access_token = _blank_to_none(params.get('access_token'))
        if self.access_token and not _TOKEN_TEXT.match(self.access_token):
            # Sent as a header: a line break or a non-ASCII character would end up quoted in an error instead.
            raise ConfigurationError('access_token must be one line of printable ASCII without spaces, as a JWT is; '
                                     'check how it was copied', option='access_token')
        self.cloud = resolve_cloud(params.get('cloud_environment'))
        default_authority, default_graph = CLOUDS[self.cloud]
        self.authority_host = https_base_url(params.get('authority_host') or default_authority, 'authority_host')
        self.graph_endpoint = https_base_url(params.get('graph_endpoint') or default_graph, 'graph_endpoint')
        self.validate_certs = params.get('validate_certs', True)
        self.ca_path = params.get('ca_path')
        self.timeout = _positive(params.get('timeout', 30), 'timeout')
        self.max_retries = params.get('max_retries', 4)
        if self.max_retries is None or self.max_retries < 0:
            raise ConfigurationError('max_retries must be 0 or more, got %r' % self.max_retries, option='max_retries')
        self.token_cache = bool(params.get('token_cache'))
        self.token_cache_path = params.get('token_cache_path')
        if self.ca_path and not os.path.isfile(self.ca_path):
            raise ConfigurationError('ca_path %s is not a readable file' % self.ca_path, option='ca_path')

    @property
    def scope(self):
        return self.graph_endpoint + '/.default'

    @property
    def authority(self):
        return '%s/%s' % (self.authority_host, self.tenant)

    @property
    def instance_discovery(self):
        return urlparse(self.authority_host).hostname in KNOWN_AUTHORITY_HOSTS

    @property
    def verify(self):
        """What requests' ``verify`` must be for every call, MSAL's included."""
        if not self.validate_certs:
            return False
        return self.ca_path or True


def resolve_cloud(value):
    name = (value or 'global').strip()
    key = name.lower()
    if key in CLOUDS:
        return key
    if key in CLOUD_ALIASES:
        return CLOUD_ALIASES[key]
    raise ConfigurationError(
        'cloud_environment %r is not known; use one of %s (AzureCloud, AzureUSGovernment and AzureChinaCloud are accepted too)'
        % (name, ', '.join(sorted(CLOUDS))), option='cloud_environment')


def https_base_url(value, option):
    """Check an endpoint override is an https URL and drop any trailing slash."""
    url = value.strip().rstrip('/')
    try:
        parsed = urlparse(url)
        host = parsed.hostname
        dummy_port = parsed.port  # raises ValueError for a port out of range
    except ValueError as exc:
        raise ConfigurationError('%s is not a valid URL (%s), got %r' % (option, exc, value), option=option)
    if parsed.scheme != 'https' or not host:
        raise ConfigurationError('%s must be an https:// URL, got %r' % (option, value), option=option)
    if parsed.query or parsed.fragment:
        raise ConfigurationError('%s must not have a query or fragment, got %r' % (option, value), option=option)
    return url


def _positive(value, option):
    if value is None or not math.isfinite(value) or value <= 0:
        raise ConfigurationError('%s must be a positive number of seconds, got %r' % (option, value), option=option)
    return value


def _blank_to_none(value):
    if value is None:
        return None
    value = value.strip() if isinstance(value, str) else value
    return value or None
