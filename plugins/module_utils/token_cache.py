# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An opt-in token cache that outlives one task: MSAL's serializable cache in a
file only its owner can read.

Every task is a new process, so without it a loop of N tasks signs in N
times. The file holds access tokens, so it is created 0600 in a 0700 folder,
and one that others could read or write is left alone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat
import tempfile
import time

from ansible.module_utils.six.moves.urllib.parse import urlparse

DEFAULT_PATH = os.path.join('~', '.cache', 'entra.graph', 'msal_token_cache.json')

# A cached token this close to expiry is not used: the task's own requests must finish before it lapses.
MIN_REMAINING_SECONDS = 300


def token_cache_for(settings, warn):
    """The cache the settings ask for, or None. A ready access token is never cached."""
    if not settings.token_cache or settings.auth_method == 'access_token' or settings.access_token:
        return None
    return TokenCacheFile(os.path.expanduser(settings.token_cache_path or DEFAULT_PATH), warn)


class TokenCacheFile:
    def __init__(self, path, warn):
        self.path = path
        self.warn = warn
        self._text = None
        self._usable = None
        self._msal_cache = None

    def _load(self):
        """The file's text, or None when absent, unsafe or unreadable (each said once in a warning)."""
        if self._usable is not None:
            return self._text
        self._usable = True
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO) or info.st_uid != os.getuid():
            self._usable = False
            self.warn('token cache %s is ignored: it must be owned by this user and not readable or writable by others '
                      '(chmod 600 %s)' % (self.path, self.path))
            return None
        try:
            with open(self.path, 'r') as handle:
                self._text = handle.read()
        except (IOError, OSError, UnicodeDecodeError) as exc:
            self.warn('token cache %s could not be read and is ignored: %s' % (self.path, exc))
            return None
        return self._text

    def cached_token(self, client_id, authority, scope):
        """A still-valid access token for this client, authority and scope, found without MSAL."""
        text = self._load()
        if not text:
            return None
        try:
            entries = json.loads(text).get('AccessToken') or {}
        except (ValueError, AttributeError):
            return None  # corrupt: msal_cache() discards it and the next save rewrites the file
        parsed = urlparse(authority)
        realm = parsed.path.strip('/').split('/')[0]
        hosts = (parsed.hostname, parsed.netloc)
        now = time.time()
        for entry in entries.values() if isinstance(entries, dict) else ():
            if not isinstance(entry, dict):
                continue
            if (entry.get('client_id') == client_id and entry.get('realm') == realm and entry.get('environment') in hosts
                    and scope in (entry.get('target') or '').split()):
                try:
                    expires_on = int(entry.get('expires_on'))
                except (TypeError, ValueError):
                    continue
                if expires_on - now > MIN_REMAINING_SECONDS and entry.get('secret'):
                    return entry['secret']
        return None

    def msal_cache(self, msal):
        """MSAL's SerializableTokenCache, filled from the file when the file is sound."""
        if self._msal_cache is None:
            cache = msal.SerializableTokenCache()
            text = self._load()
            if text:
                try:
                    if not _msal_cache_shape(json.loads(text)):
                        raise ValueError('not an MSAL token cache')
                    cache.deserialize(text)
                except (ValueError, TypeError, AttributeError):
                    self.warn('token cache %s was corrupt and has been discarded' % self.path)
                    cache = msal.SerializableTokenCache()
                    cache.has_state_changed = True
            self._msal_cache = cache
        return self._msal_cache

    def save(self):
        """Write the cache atomically, 0600, when MSAL changed it and the file may be written."""
        cache = self._msal_cache
        if cache is None or not cache.has_state_changed or self._usable is False:
            return
        folder = os.path.dirname(self.path)
        try:
            if not os.path.isdir(folder):
                os.makedirs(folder, 0o700)
            handle, temp_path = tempfile.mkstemp(prefix='.msal_token_cache.', dir=folder)
            try:
                os.fchmod(handle, 0o600)
                with os.fdopen(handle, 'w') as out:
                    out.write(cache.serialize())
                os.rename(temp_path, self.path)
            except BaseException:
                os.unlink(temp_path)
                raise
        except (IOError, OSError) as exc:
            self.warn('token cache %s could not be written: %s' % (self.path, exc))
            return
        cache.has_state_changed = False


def _msal_cache_shape(data):
    """MSAL's cache is an object of credential types, each an object of entries; it fails late on any other JSON."""
    return isinstance(data, dict) and all(
        isinstance(entries, dict) and all(isinstance(entry, dict) for entry in entries.values()) for entries in data.values())
