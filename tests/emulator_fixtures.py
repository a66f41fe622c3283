# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Pytest fixtures the end-to-end and the SDK suites share, imported by their conftest.py:
``loopback_only`` (session, autouse there) refuses, inside the test process, any TCP connection that
would leave the machine (requests, MSAL and httpx's asyncio transport all end in socket.connect);
``emulator`` is one running emulator per session, and ``emu`` the same emulator reset before a test."""

import ipaddress
import socket

import pytest


def is_loopback_host(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(scope="session", autouse=True)
def loopback_only():
    original, original_ex = socket.socket.connect, socket.socket.connect_ex

    def check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and not is_loopback_host(str(address[0])):
            raise ConnectionRefusedError("these tests only talk to 127.0.0.1; refused a connection to %s" % (address,))

    def connect(sock, address):
        check(sock, address)
        return original(sock, address)

    def connect_ex(sock, address):
        check(sock, address)
        return original_ex(sock, address)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex = original, original_ex


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    from tests.emulator import Emulator

    instance = Emulator(str(tmp_path_factory.mktemp("emulator"))).start()
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture
def emu(emulator):
    emulator.reset()
    return emulator
