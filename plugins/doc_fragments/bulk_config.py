# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.entra.graph.plugins.doc_fragments.access_partner import ModuleDocFragment as AccessPartner
from ansible_collections.entra.graph.plugins.doc_fragments.access_settings import ModuleDocFragment as AccessSettings
from ansible_collections.entra.graph.plugins.doc_fragments.sync_policy import ModuleDocFragment as SyncPolicy

_TENANT_ID = r'''
      tenant_id:
        description:
          - The partner tenant's ID, a GUID; the key of the item. Each partner may be listed once.
        type: str
        required: true
'''


def config_items(*documentations):
    """The options of a single module's fragments as the suboptions of a bulk module's ``config``, written once:
    each line indented under ``config``, and each reference to one of them made a reference to the item's option."""
    body = ''.join(documentation.split('options:\n', 1)[1] for documentation in documentations)
    # References to the fragment's own options become references to the item's; others (the bulk module's own
    # options, another module's) stay as they are.
    names = re.findall(r'^  ([a-z_0-9]+):', body, flags=re.MULTILINE)
    body = re.sub(r'O\((%s)(?=[.=\[)])' % '|'.join(names), r'O(config[].\1', body)
    body = ''.join(('    ' + line) if line.strip() else line for line in body.splitlines(True))
    return 'options:\n  config:\n    suboptions:' + _TENANT_ID + body


class ModuleDocFragment(object):
    """The items of a bulk module's ``config``, documented where the single module's options are."""

    DOCUMENTATION = r'''
options: {}
'''


# Set after the class: ansible-test's yamllint reads every assignment in a fragment's class as a literal string.
ModuleDocFragment.ACCESS_PARTNER_ITEMS = config_items(AccessPartner.DOCUMENTATION, AccessSettings.DOCUMENTATION)
ModuleDocFragment.SYNC_POLICY_ITEMS = config_items(SyncPolicy.DOCUMENTATION)
