# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A local Microsoft Entra ID + Microsoft Graph (v1.0 and beta) stand-in over TLS, for end-to-end tests.

    from tests.emulator import Emulator
    emu = Emulator(state_dir).start()          # tenants=2: emu.info["tenants"][0] the source, [1] the target
    emu.info["base_url"], emu.info["ca_path"], emu.info["client_id"], ...
    emu.run_sync_cycle()                       # one cycle of every started synchronization job
    emu.stop()

Or as a process: python -m tests.emulator --port 0 --state-dir DIR [--tenants N] (prints one JSON line).
Without sockets, for unit tests: tests.emulator.inprocess.InProcessEmulator (the same model)."""

from .server import Emulator, Fault

__all__ = ["Emulator", "Fault"]
