# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.entra.graph.plugins.doc_fragments.access_partner import ModuleDocFragment as AccessPartner

_TENANT_ID = r'''
      tenant_id:
        description:
          - The partner tenant's ID, a GUID; the key of the item. Each partner may be listed once.
        type: str
        required: true
'''


def config_items(documentation):
    """The options of a single module's fragment as the suboptions of a bulk module's ``config``, written once:
    each line indented under ``config``, and each reference to one of them made a reference to the item's option."""
    body = documentation.split('options:\n', 1)[1]
    # O(name...) of this fragment's own options; references to another module's options (with #) stay as they are.
    body = re.sub(r'O\((?![^)]*#)', 'O(config[].', body)
    body = ''.join(('    ' + line) if line.strip() else line for line in body.splitlines(True))
    return 'options:\n  config:\n    suboptions:' + _TENANT_ID + body


class ModuleDocFragment(object):
    """The items of a bulk module's ``config``, documented where the single module's options are."""

    DOCUMENTATION = r'''
options: {}
'''

    ACCESS_PARTNER = config_items(AccessPartner.DOCUMENTATION)
