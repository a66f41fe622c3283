# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the source tenant's playbook tests share: a play signed in to tenants[0], and the Graph writes a run made."""

from harness import module_task, of_kind, run_playbook

CONFIGURATION = "entra.graph.crosstenant_sync_configuration"
INFO = "entra.graph.crosstenant_sync_configuration_info"
PROVISION = "entra.graph.crosstenant_sync_provision"


def source_connection(emu, index=0):
    info = emu.info
    tenant = info["tenants"][index]
    return dict(auth_method="client_secret", tenant=tenant["tenant"], client_id=tenant["client_id"],
                client_secret=tenant["client_secret"], authority_host=info["authority_host"],
                graph_endpoint=info["graph_endpoint"], ca_path=info["ca_path"])


class Played:
    """A PlaybookRun whose ``result(task)`` also says ``failed`` (the callback's status; Ansible leaves the key out)."""

    def __init__(self, run):
        self.run = run
        self.output = run.output

    def result(self, name):
        return dict(self.run.result(name), failed=self.run.status(name) == "failed")


def play(collection, emu, tasks, connection=None, **kwargs):
    """Run ``tasks`` (task dicts) signed in to the source tenant."""
    return Played(run_playbook(collection, tasks=tasks, module_defaults=connection or source_connection(emu), **kwargs))


def task(name, module, args, **keywords):
    return module_task(name, module, args, ignore_errors=True, register="out", **keywords)


def writes(emu):
    """The Graph writes of the run (validateCredentials, a check that changes nothing, left out)."""
    return [(e["method"], e["path"], e["status"]) for e in of_kind(emu.requests(), "graph_write")
            if not e["path"].endswith("/validateCredentials")]
