# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Injected failures (and odd successes) for the next requests matching a method and path."""

import copy
import json
import re
import threading
import uuid

FAULT_KINDS = ("status", "delay", "drop", "hang")
ECHO_MODES = (False, True, "header", "token")


def positive_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value or value < minimum:
        raise ValueError("%s must be an integer >= %d" % (name, minimum))
    return int(value)


def seconds_value(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError("%s must be a number of seconds >= 0" % name)
    return float(value)


class Fault:
    """One injected failure (or odd success), consumed by the next `count` requests it matches."""

    _FIELDS = ("method", "path", "count", "kind", "status", "retry_after", "seconds", "body", "apply", "content_type",
               "echo_authorization", "body_update")

    def __init__(self, method="*", path=".*", count=1, kind="status", status=None, retry_after=None,
                 seconds=None, body=None, apply=False, content_type=None, echo_authorization=False, body_update=None):
        if kind not in FAULT_KINDS:
            raise ValueError("kind must be one of %s" % ", ".join(FAULT_KINDS))
        if not isinstance(method, str) or not method:
            raise ValueError("method must be an HTTP method or '*'")
        if not isinstance(path, str):
            raise ValueError("path must be a regular expression string")
        try:
            self.regex = re.compile(path)
        except re.error as exc:
            raise ValueError("path is not a valid regular expression: %s" % exc)
        self.id = str(uuid.uuid4())
        self.method = method.upper()
        self.path = path
        self.count = positive_int(count, "count")
        self.kind = kind
        self.status = positive_int(503 if status is None else status, "status", 100)
        if self.status > 599:
            raise ValueError("status must be an HTTP status code")
        if retry_after is not None and not isinstance(retry_after, (str, int)):
            raise ValueError("retry_after must be a string (seconds or an HTTP-date)")
        self.retry_after = None if retry_after is None else str(retry_after)
        default_seconds = {"delay": 1.0, "hang": 30.0}.get(kind, 0.0)
        self.seconds = default_seconds if seconds is None else seconds_value(seconds, "seconds")
        self.body = body
        if not isinstance(apply, bool):
            raise ValueError("apply must be a boolean")
        self.apply = apply
        if content_type is not None and (not isinstance(content_type, str) or not content_type.strip()):
            raise ValueError("content_type must be a media type string")
        self.content_type = content_type
        if echo_authorization not in ECHO_MODES or echo_authorization is None:
            raise ValueError("echo_authorization must be false, true, 'header' or 'token'")
        self.echo_authorization = "header" if echo_authorization is True else echo_authorization
        if body_update is not None:
            if not isinstance(body_update, dict):
                raise ValueError("body_update must be an object")
            if kind != "status" or not 200 <= self.status < 300 or body is not None:
                raise ValueError("body_update needs kind 'status' with a 2xx status and no body")
        self.body_update = body_update

    @classmethod
    def from_spec(cls, spec):
        if not isinstance(spec, dict):
            raise ValueError("a fault is a JSON object")
        unknown = set(spec) - set(cls._FIELDS)
        if unknown:
            raise ValueError("unknown fault field(s): %s" % ", ".join(sorted(unknown)))
        return cls(**spec)

    @property
    def carried_out(self):
        """Whether the request is handled before the fault shapes the answer."""
        return self.kind == "delay" or self.apply or self.body_update is not None

    def matches(self, method, path):
        return (self.method == "*" or self.method == method) and self.regex.search(path) is not None

    def as_dict(self):
        data = {name: getattr(self, name) for name in self._FIELDS}
        data["id"] = self.id
        return data


class FaultSet:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []

    def add(self, fault):
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method, path):
        """The first fault matching the request, with one use consumed."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self):
        with self._lock:
            self._faults = []

    def list(self):
        with self._lock:
            return [fault.as_dict() for fault in self._faults]


def authorization(req):
    header = req.header("authorization") or ""
    scheme, _sep, token = header.strip().partition(" ")
    return header, (token.strip() if scheme else "")


def substitute(value, header, token):
    if isinstance(value, str):
        return value.replace("{authorization}", header).replace("{token}", token)
    if isinstance(value, list):
        return [substitute(item, header, token) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, header, token) for key, item in value.items()}
    return value


def deep_update(target, update):
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            deep_update(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
    return target


def real_json(resp):
    payload = json.loads(resp.body.decode("utf-8"))
    if not isinstance(payload, dict):
        raise ValueError("not an object")
    return payload
