# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""python -m tests.emulator --port 0 --state-dir DIR [--page-size N] [--latency-ms N] [--tenants N] [--replication-delay S] [switches]

Prints one line of JSON (the same as DIR/emulator.json) once it is ready, then serves until
SIGTERM or SIGINT."""

import argparse
import json
import signal
import sys
import threading

from .rules import SWITCHES
from .server import Emulator


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--state-dir", required=True, help="directory for ca.pem, keys, tokens and emulator.json")
    parser.add_argument("--page-size", type=int, default=100, help="Graph list page size")
    parser.add_argument("--latency-ms", type=int, default=0, help="latency added to every Entra and Graph request")
    parser.add_argument("--token-lifetime", type=int, default=3600, help="access token lifetime in seconds")
    parser.add_argument("--tenants", type=int, default=2, help="how many tenants (the first is the home tenant)")
    parser.add_argument("--replication-delay", type=float, default=0.0,
                        help="seconds a new service principal (and its application) answers 404 after instantiate")
    for name, choices in SWITCHES.items():
        parser.add_argument("--" + name.replace("_", "-"), choices=choices, default=choices[0],
                            help="contested rule (tests/emulator/README.md, Switches); default %s" % choices[0])
    parser.add_argument("--throttle-scale", type=float, default=1.0,
                        help="with --throttle on: the documented limits times this (1 = as documented)")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    args = parser.parse_args(argv)

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        emulator = Emulator(args.state_dir, port=args.port, page_size=args.page_size, latency_ms=args.latency_ms,
                            token_lifetime=args.token_lifetime, verbose=args.verbose, tenants=args.tenants,
                            replication_delay=args.replication_delay,
                            rules=dict([(name, getattr(args, name)) for name in SWITCHES] + [("throttle_scale", args.throttle_scale)])).start()
    except (OSError, ValueError) as exc:
        sys.stderr.write("emulator: cannot start: %s\n" % exc)
        return 1
    sys.stdout.write(json.dumps(emulator.info, sort_keys=True) + "\n")
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            continue
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
