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
import ssl
from urllib.parse import urlparse

from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError, remember_secret
from ansible_collections.entra.graph.plugins.module_utils.values import GUID

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


# The environment variables each option reads when the task does not set it, in the order they are read.
ENVIRONMENT = {
    'tenant': ('AZURE_TENANT_ID', 'AZURE_TENANT'),
    'client_id': ('AZURE_CLIENT_ID',),
    'client_secret': ('AZURE_CLIENT_SECRET', 'AZURE_SECRET'),
    'client_certificate_path': ('AZURE_CLIENT_CERTIFICATE_PATH',),
    'client_certificate_password': ('AZURE_CLIENT_CERTIFICATE_PASSWORD',),
    'federated_token_file': ('AZURE_FEDERATED_TOKEN_FILE',),
    'cloud_environment': ('AZURE_CLOUD_ENVIRONMENT',),
    'authority_host': ('AZURE_AUTHORITY_HOST',),
    'token_cache': ('ENTRA_GRAPH_TOKEN_CACHE',),
    'token_cache_path': ('ENTRA_GRAPH_TOKEN_CACHE_PATH',),
}

# Options read from the environment by ConnectionSettings rather than by Ansible's argspec fallback:
# auth_method=auto must know which credentials the task itself gave (they win over the environment),
# and an argspec fallback makes an environment value look like the task's own.
SETTINGS_READ_ENVIRONMENT = ('tenant', 'client_id', 'client_secret', 'client_certificate_path', 'client_certificate_password',
                             'federated_token_file')

_PATH_OPTIONS = ('client_certificate_path', 'federated_token_file')
_NO_LOG_OPTIONS = ('client_secret', 'client_certificate_password', 'access_token')


def _fallback(option):
    return (nonblank_env_fallback, list(ENVIRONMENT[option]))


def connection_argument_spec():
    """The argument spec for the connection options; every module merges it into its own."""
    return dict(
        auth_method=dict(type='str', default='auto', choices=list(AUTH_METHODS)),
        tenant=dict(type='str'),
        client_id=dict(type='str'),
        client_secret=dict(type='str', no_log=True),
        client_certificate_path=dict(type='path'),
        client_certificate_password=dict(type='str', no_log=True),
        federated_token_file=dict(type='path'),
        access_token=dict(type='str', no_log=True),
        cloud_environment=dict(type='str', default='global', fallback=_fallback('cloud_environment')),
        authority_host=dict(type='str', fallback=_fallback('authority_host')),
        graph_endpoint=dict(type='str'),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        timeout=dict(type='float', default=30),
        max_retries=dict(type='int', default=4),
        token_cache=dict(type='bool', default=False, fallback=_fallback('token_cache')),
        token_cache_path=dict(type='path', fallback=_fallback('token_cache_path')),
    )


def environment_variables(option):
    """The environment variables an option falls back to, in the order they are read."""
    return list(ENVIRONMENT.get(option, ()))


def _first_environment_value(option, environ):
    for name in ENVIRONMENT.get(option, ()):
        value = environ.get(name)
        if value is not None and value.strip():
            return name, value
    return None, None


class ConnectionSettings:
    """Validated connection options: where to sign in, where Graph is, how to talk to both."""

    def __init__(self, params, environ=None):
        environ = os.environ if environ is None else environ
        # option -> the environment variable its value came from, for options the task left out.
        self.from_environment = {}
        values = {}
        for option in SETTINGS_READ_ENVIRONMENT:
            value = _blank_to_none(params.get(option))
            if value is None:
                name, value = _first_environment_value(option, environ)
                value = _blank_to_none(value)
                if value is not None:
                    self.from_environment[option] = name
                    if option in _PATH_OPTIONS:
                        value = os.path.expanduser(os.path.expandvars(value))
            values[option] = value
        self.auth_method = params.get('auth_method') or 'auto'
        self.tenant = values['tenant']
        self.client_id = values['client_id']
        self.client_secret = values['client_secret']
        self.client_certificate_path = values['client_certificate_path']
        self.client_certificate_password = values['client_certificate_password']
        self.federated_token_file = values['federated_token_file']
        self.access_token = _blank_to_none(params.get('access_token'))
        for option in _NO_LOG_OPTIONS:
            remember_secret(getattr(self, option))
        if self.access_token and not _TOKEN_TEXT.match(self.access_token):
            # Sent as a header: a line break or a non-ASCII character would end up quoted in an error instead.
            raise ConfigurationError('access_token must be one line of printable ASCII without spaces, as a JWT is; '
                                     'check how it was copied', option='access_token')
        if self.tenant is not None:
            check_tenant(self.tenant, self.described('tenant'))
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
        if self.ca_path:
            check_ca_bundle(self.ca_path)

    def described(self, option):
        """``option``, or ``option (from VARIABLE)`` when its value came from the environment: for messages."""
        name = self.from_environment.get(option)
        return '%s (from %s)' % (option, name) if name else option

    def secret_values(self):
        """The secrets the settings hold, wherever they came from: a module adds them to its no_log values."""
        return [value for value in (getattr(self, option) for option in _NO_LOG_OPTIONS) if value]

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
    """Check an endpoint override is an https URL of a host alone and drop any trailing slash.

    A path is refused (``https://graph.microsoft.com/v1.0`` would turn every route into a 404), and so
    are a user name and password, which are never quoted back.
    """
    url = value.strip().rstrip('/')
    try:
        parsed = urlparse(url)
        host = parsed.hostname
        dummy_port = parsed.port  # raises ValueError for a port out of range
    except ValueError as exc:
        if '@' in url:
            raise ConfigurationError('%s is not a valid URL (%s); it must not hold a user name or password' % (option, exc),
                                     option=option)
        raise ConfigurationError('%s is not a valid URL (%s), got %r' % (option, exc, value), option=option)
    if '@' in parsed.netloc:
        raise ConfigurationError('%s must not hold a user name or password (user:password@host); give the host alone, '
                                 'such as https://%s' % (option, host or 'host'), option=option)
    if parsed.scheme != 'https' or not host:
        raise ConfigurationError('%s must be an https:// URL, got %r' % (option, value), option=option)
    if parsed.query or parsed.fragment or parsed.params:
        raise ConfigurationError('%s must not have a query or fragment, got %r' % (option, value), option=option)
    if parsed.path not in ('', '/'):
        example = 'https://graph.microsoft.com' if option == 'graph_endpoint' else 'https://login.microsoftonline.com'
        which = ('the API version comes from api_version' if option == 'graph_endpoint'
                 else 'the directory comes from tenant')
        raise ConfigurationError('%s must be the host alone, such as %s, without a path (%s); got %r'
                                 % (option, example, which, value), option=option)
    return url


# A directory is named by its ID (a GUID) or by one of its verified domain names.
_DOMAIN = re.compile(r'^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$', re.IGNORECASE)


def check_tenant(value, described='tenant'):
    if GUID.match(value) or _DOMAIN.match(value):
        return
    raise ConfigurationError('%s must be your directory\'s tenant ID (a GUID) or one of its domain names, such as '
                             'contoso.onmicrosoft.com; got %r' % (described, value), option='tenant')


def check_ca_bundle(path):
    """ca_path must be a file of PEM certificates: checked before any request, so TLS cannot fail for it later."""
    if not os.path.isfile(path):
        raise ConfigurationError('ca_path %s is not a readable file' % path, option='ca_path')
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=path)
    except (ssl.SSLError, ValueError) as exc:
        raise ConfigurationError('ca_path %s holds no PEM certificate (%s); it must be a PEM bundle (-----BEGIN CERTIFICATE-----), '
                                 'so convert a DER file with: openssl x509 -inform der -in %s -out ca.pem'
                                 % (path, getattr(exc, 'reason', None) or exc, path), option='ca_path')
    except (IOError, OSError) as exc:
        raise ConfigurationError('ca_path %s cannot be read: %s' % (path, exc.strerror or exc), option='ca_path')


def _positive(value, option):
    if value is None or not math.isfinite(value) or value <= 0:
        raise ConfigurationError('%s must be a positive number of seconds, got %r' % (option, value), option=option)
    return value


def _blank_to_none(value):
    if value is None:
        return None
    value = value.strip() if isinstance(value, str) else value
    return value or None
