# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The cross-tenant access settings a partner configuration and the default configuration share
(inbound trust, B2B collaboration and direct connect, tenant restrictions): their options and how they
map to Graph's JSON. Documented once in ``plugins/doc_fragments/access_settings.py``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError
from ansible_collections.entra.graph.plugins.module_utils.resource import Prop

# What a refusal (403) anywhere under /policies/crossTenantAccessPolicy adds: what the partner configurations, their
# sync policies and the default configuration need (Graph's permission tables of those pages).
PERMISSION_HINT = ' (the app or identity needs Policy.ReadWrite.CrossTenantAccess to write, Policy.Read.All to read)'

B2B_SETTINGS = ('b2b_collaboration_inbound', 'b2b_collaboration_outbound', 'b2b_direct_connect_inbound',
                'b2b_direct_connect_outbound', 'tenant_restrictions')


def _camel(option):
    # Graph writes the acronym in lower case (b2bCollaborationInbound); b2BCollaborationInbound is refused with 400.
    first, rest = option.split('_', 1) if '_' in option else (option, '')
    return first + ''.join(part[:1].upper() + part[1:] for part in rest.split('_') if part)


def _targets_setting(option, name):
    return Prop(option, name, 'dict', children=[
        Prop('access_type', 'accessType', choices=('allowed', 'blocked')),
        # Nullable="false" in Graph's metadata: a target configuration without targets holds [].
        Prop('targets', 'targets', 'list', empty=[], children=[
            Prop('target', 'target', required=True),
            Prop('target_type', 'targetType', required=True, choices=('user', 'group', 'application')),
        ]),
    ])


def _b2b_setting(option):
    children = [_targets_setting('users_and_groups', 'usersAndGroups'), _targets_setting('applications', 'applications')]
    if option == 'tenant_restrictions':
        # crossTenantAccessPolicyTenantRestrictions also carries a device filter, which no option manages yet.
        children.append(Prop('devices', 'devices', 'dict', writable=False,
                             children=[Prop('mode', 'mode', writable=False), Prop('rule', 'rule', writable=False)]))
    return Prop(option, _camel(option), 'dict', children=children)


def consent_setting():
    """``automaticUserConsentSettings``: a partner's to set. The default configuration's is read-only (Graph documents
    both values as always false there), so it is no option of that module."""
    return Prop('automatic_user_consent_settings', 'automaticUserConsentSettings', 'dict', children=[
        Prop('inbound_allowed', 'inboundAllowed', 'bool'),
        Prop('outbound_allowed', 'outboundAllowed', 'bool'),
    ])


def access_settings():
    """Fresh ``Prop``s of the shared settings, in the order the options are documented."""
    return [
        Prop('inbound_trust', 'inboundTrust', 'dict', children=[
            Prop('is_mfa_accepted', 'isMfaAccepted', 'bool'),
            Prop('is_compliant_device_accepted', 'isCompliantDeviceAccepted', 'bool'),
            Prop('is_hybrid_azure_ad_joined_device_accepted', 'isHybridAzureADJoinedDeviceAccepted', 'bool'),
        ]),
    ] + [_b2b_setting(option) for option in B2B_SETTINGS]


_GUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
# Graph's page of crossTenantAccessPolicyTarget: a target is the object ID of the user, group or application, or
# a keyword: AllUsers; for applications AllApplications and the reserved AllMicrosoftApps and Office365.
TARGET_KEYWORDS = {'user': ('AllUsers',), 'group': ('AllUsers',),
                   'application': ('AllApplications', 'AllMicrosoftApps', 'Office365')}


def validate_targets(params):
    """Fail before any request on a target Graph would refuse ("Found invalid target"), naming the option and value."""
    for option in B2B_SETTINGS:
        setting = params.get(option) or {}
        for part in ('users_and_groups', 'applications'):
            for index, item in enumerate((setting.get(part) or {}).get('targets') or []):
                target, kind = item.get('target'), item.get('target_type')
                keywords = TARGET_KEYWORDS.get(kind, ())
                if target in keywords or _GUID.match(target or ''):
                    continue
                raise ConfigurationError(
                    '%s.%s.targets[%d].target is %r, which Graph does not take for target_type=%s: use %s, or the object ID '
                    '(a GUID) of the %s' % (option, part, index, target, kind, ' or '.join(keywords), kind), option=option)
