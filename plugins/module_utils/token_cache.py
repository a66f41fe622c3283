# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An opt-in token cache that outlives one task: MSAL's serializable cache in a
file only its owner can read.

Every task is a new process, so without it a loop of N tasks signs in N
times. The file holds access tokens, so it is created 0600 in a 0700 folder,
and one that others could read or write (or replace, in a folder anyone may
write) is left alone. Forks of one play share it: a lock file next to it lets
one process sign in while the others wait and then read its token, and every
write is an atomic rename, so a reader never sees half a file. Anything wrong
inside the file means a warning, a sign-in and a rewritten file, never a
failed task.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import errno
import json
import os
import stat
import tempfile
import time
from urllib.parse import urlparse

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX; the cache then works without the lock
    fcntl = None

DEFAULT_PATH = os.path.join('~', '.cache', 'entra.graph', 'msal_token_cache.json')
DEFAULT_FILE_NAME = 'msal_token_cache.json'

# A cached token this close to expiry is not used: the task's own requests must finish before it lapses.
MIN_REMAINING_SECONDS = 300

# Fields of an access token entry MSAL reads as text, those it compares (text or null: a system-assigned
# managed identity has no client_id), and those it reads as a number of seconds.
_TEXT_FIELDS = ('secret', 'target')
_KEY_FIELDS = ('credential_type', 'client_id', 'environment', 'realm', 'home_account_id')
_SECONDS_FIELDS = ('expires_on', 'cached_at', 'extended_expires_on', 'refresh_on')


def token_cache_for(settings, warn):
    """The cache the settings ask for, or None. A ready access token is never cached."""
    if not settings.token_cache or settings.auth_method == 'access_token' or settings.access_token:
        return None
    return TokenCacheFile(os.path.expanduser(settings.token_cache_path or DEFAULT_PATH), warn)


class TokenCacheFile:
    def __init__(self, path, warn):
        self.path = path
        self._warn = warn
        self._said = set()
        self._text = None
        self._loaded = False
        # False once the file was found unsafe: it is then neither read nor written.
        self._usable = None
        self._msal_cache = None
        # Tokens Graph refused: never handed out again, and dropped from the file at the next write.
        self._forgotten = set()
        # The file's content was discarded: write it even when MSAL has nothing new.
        self._rewrite = False

    def warn(self, text):
        # The file may be read again (after waiting for the lock, or to replace a refused token): say each thing once.
        if text not in self._said:
            self._said.add(text)
            self._warn(text)

    # -- reading -------------------------------------------------------------------------------

    def _check_place(self):
        """Whether the path may hold the cache at all; says why not, once."""
        if os.path.isdir(self.path):
            self.warn('token cache is not used: token_cache_path %s is a directory; give the path of a file, such as %s'
                      % (self.path, os.path.join(self.path, DEFAULT_FILE_NAME)))
            return False
        folder = os.path.dirname(self.path) or '.'
        try:
            info = os.stat(folder)
        except OSError:
            return True  # made 0700 at the first write
        if info.st_mode & stat.S_IWOTH and not info.st_mode & stat.S_ISVTX:
            self.warn('token cache %s is not used: its folder %s can be written by every user and has no sticky bit, so '
                      'anyone could replace the file with tokens of their own; use a folder only you can write (the '
                      'default is %s)' % (self.path, folder, DEFAULT_PATH))
            return False
        return True

    def _load(self):
        """The file's text, or None when absent, unsafe, unreadable or unusable (each said in a warning)."""
        if self._loaded:
            return self._text
        self._loaded = True
        self._text = None
        if self._usable is None:
            self._usable = self._check_place()
        if not self._usable:
            return None
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
                text = handle.read()
        except (IOError, OSError, UnicodeDecodeError) as exc:
            self.warn('token cache %s could not be read and is ignored: %s' % (self.path, exc))
            return None
        if not text.strip():
            return None
        problem = cache_problem(text)
        if problem:
            self.discard(problem)
            return None
        self._text = text
        return text

    def discard(self, reason):
        """Forget the file's content (it is rewritten after the next sign-in) and say why."""
        self.warn('token cache %s was discarded and will be rewritten after signing in: %s' % (self.path, reason))
        self._text = None
        self._loaded = True
        self._msal_cache = None
        self._rewrite = True

    def reload(self):
        """Read the file again at the next use: another process may have written it."""
        self._loaded = False
        self._msal_cache = None

    def forget(self, token):
        """Never hand out ``token`` again, and drop it from the file at the next write."""
        self._forgotten.add(token)
        self._msal_cache = None

    def cached_token(self, client_id, authority, scope):
        """A still-valid access token for this client, authority and scope, found without MSAL."""
        text = self._load()
        if not text:
            return None
        entries = json.loads(text).get('AccessToken') or {}  # the shape was checked by _load
        parsed = urlparse(authority)
        realm = parsed.path.strip('/').split('/')[0]
        hosts = (parsed.hostname, parsed.netloc)
        now = time.time()
        for entry in entries.values():
            if (entry.get('client_id') == client_id and entry.get('realm') == realm and entry.get('environment') in hosts
                    and scope in entry['target'].split() and entry['secret'] not in self._forgotten
                    and int(entry['expires_on']) - now > MIN_REMAINING_SECONDS):
                return entry['secret']
        return None

    def msal_cache(self, msal):
        """MSAL's SerializableTokenCache, filled from the file (less the forgotten tokens) when the file is sound."""
        if self._msal_cache is None:
            cache = msal.SerializableTokenCache()
            text = self._load()
            changed = self._rewrite
            if text:
                data = json.loads(text)
                tokens = data.get('AccessToken') or {}
                kept = dict((key, entry) for key, entry in tokens.items() if entry['secret'] not in self._forgotten)
                if len(kept) != len(tokens):
                    data['AccessToken'] = kept
                    changed = True
                cache.deserialize(json.dumps(data))
            if changed:
                cache.has_state_changed = True
            self._msal_cache = cache
        return self._msal_cache

    # -- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self, timeout):
        """Hold the cache's lock file while signing in, so that forks sign in once rather than once each.

        Waits at most ``timeout`` seconds, then goes on without the lock: a slow neighbour costs a
        second sign-in, never a failed task.
        """
        handle = self._lock(timeout)
        try:
            yield
        finally:
            if handle is not None:
                try:
                    fcntl.flock(handle, fcntl.LOCK_UN)
                finally:
                    os.close(handle)

    def _lock(self, timeout):
        if fcntl is None:
            return None
        if self._usable is None:
            self._usable = self._check_place()
        if not self._usable:
            return None
        try:
            _make_folder(os.path.dirname(self.path))
            handle = os.open(self.path + '.lock', os.O_RDWR | os.O_CREAT, 0o600)
        except (IOError, OSError):
            return None
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return handle
            except (IOError, OSError) as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK) or time.monotonic() >= deadline:
                    os.close(handle)
                    return None
            time.sleep(0.05)

    def save(self):
        """Write the cache atomically, 0600, when it changed and the file may be written."""
        cache = self._msal_cache
        if cache is None or self._usable is False or not (cache.has_state_changed or self._rewrite):
            return
        folder = os.path.dirname(self.path)
        try:
            _make_folder(folder)
            handle, temp_path = tempfile.mkstemp(prefix='.msal_token_cache.', dir=folder or '.')
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
        self._rewrite = False


def _make_folder(folder):
    if folder and not os.path.isdir(folder):
        os.makedirs(folder, 0o700, exist_ok=True)  # forks may race to make it


def cache_problem(text):
    """Why the text is not a token cache MSAL can use, or None. Never quotes a token."""
    try:
        data = json.loads(text)
    except ValueError:
        return 'it is not JSON'
    if not isinstance(data, dict):
        return 'it is not a JSON object'
    for kind, entries in data.items():
        if not isinstance(entries, dict):
            return '%s is not an object' % _label(kind)
        for entry in entries.values():
            if not isinstance(entry, dict):
                return 'an entry of %s is not an object' % _label(kind)
            if kind == 'AccessToken':
                problem = _access_token_problem(entry)
                if problem:
                    return 'an access token entry %s' % problem
    return None


def _access_token_problem(entry):
    for field in _TEXT_FIELDS:
        if not isinstance(entry.get(field), str) or not entry[field]:
            return 'has no usable %s' % field
    for field in _KEY_FIELDS:
        if entry.get(field) is not None and not isinstance(entry[field], str):
            return 'has a %s that is not text' % field
    for field in _SECONDS_FIELDS:
        if field == 'expires_on' or field in entry:
            value = entry.get(field)
            if not _seconds(value):
                return 'has %s %s, not a number of seconds' % (field, json.dumps(value)[:40])
    return None


def _seconds(value):
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, str):
        try:
            int(value)
        except ValueError:
            return False
        return True
    return False


def _label(kind):
    return json.dumps(kind)[:40]
