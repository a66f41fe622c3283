# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The default configuration of the cross-tenant access policy (crossTenantAccessPolicyConfigurationDefault),
one object per tenant at ``/policies/crossTenantAccessPolicy/default``: read it, PATCH what differs, or put
Microsoft's system default back with ``resetToSystemDefault``; and what a task decides from it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.entra.graph.plugins.module_utils.access_settings import PERMISSION_HINT, access_settings, validate_targets
from ansible_collections.entra.graph.plugins.module_utils.errors import ConfigurationError, GraphError
from ansible_collections.entra.graph.plugins.module_utils.resource import ResourceType, choose_api_version, overlay_object

# automaticUserConsentSettings is read-only here (both values always false); isServiceDefault says whether the
# object is Microsoft's system default (true) or customized (false).
ACCESS_DEFAULT = ResourceType('microsoft.graph.crossTenantAccessPolicyConfigurationDefault', access_settings(),
                              read_only=('isServiceDefault', 'automaticUserConsentSettings'), key=None)

STATES = ('present', 'reset')
NOUN = 'the default cross-tenant access configuration'


def access_default_argument_spec():
    spec = ACCESS_DEFAULT.argument_spec()
    spec['state'] = dict(type='str', default='present', choices=list(STATES))
    return spec


class DefaultConfiguration:
    """``/policies/crossTenantAccessPolicy/default`` reached with ``client`` (one API version)."""

    path = '/policies/crossTenantAccessPolicy/default'

    def __init__(self, client, resource=ACCESS_DEFAULT):
        self.client = client
        self.resource = resource

    def get(self):
        """The object, shaped. It always exists: Graph answers any failure (a 404 included) with an error."""
        found = self.client.get(self.path, permission_hint=PERMISSION_HINT)
        if not isinstance(found, dict) or not [name for name in found if not name.startswith('@')]:
            raise GraphError('GET %s answered with %s instead of the %s; refusing to use it'
                             % (self.path, 'an empty object' if isinstance(found, dict) else 'something that is not an object',
                                self.resource.odata_type))
        return self.resource.shape(found, self.client.api_version)

    def update(self, body):
        """PATCH only what differs; complex values in ``body`` are already complete. Graph answers 204."""
        self.client.request('PATCH', self.path, body=body, permission_hint=PERMISSION_HINT)

    def reset(self):
        """POST ``resetToSystemDefault`` (204). A lost answer is settled by reading ``isServiceDefault``."""
        self.client.request('POST', self.path + '/resetToSystemDefault', verify_write=self._is_service_default,
                            permission_hint=PERMISSION_HINT)

    def _is_service_default(self):
        found = self.get()
        return found if found.get('isServiceDefault') is True else None


def decide(module):
    """What ``crosstenant_access_default`` does: the result dict."""
    params = module.params
    state = params['state']
    desired = ACCESS_DEFAULT.desired(params)
    if state == 'reset' and desired:
        raise ConfigurationError('state=reset puts back Microsoft\'s system default for every setting, so it takes no '
                                 'setting; remove %s, or use state=present' % ', '.join(ACCESS_DEFAULT.options(desired)),
                                 option='state')
    validate_targets(params)
    module.api_version = choose_api_version(params['api_version'], [])
    default = DefaultConfiguration(module.client(api_version=module.api_version))
    before = default.get()
    if state == 'reset':
        changed, changed_properties, after = ensure_reset(module, default, before)
    else:
        changed, changed_properties, after = ensure_present(module, default, before, desired)

    result = dict(changed=changed, default=after, changed_properties=changed_properties, api_version=module.api_version,
                  ansible_facts=dict(crosstenant_access_default=after))
    if module.diff_mode:
        result['diff'] = dict(before=before, after=after)
    return result


def ensure_present(module, default, before, desired):
    """PATCH the properties that differ from ``desired``; nothing when none does."""
    names = ACCESS_DEFAULT.differences(before, desired)
    if not names:
        return False, [], before
    left_out = []
    body = ACCESS_DEFAULT.patch_body(before, desired, names, left_out)
    if left_out:
        module.warn('the update of %s leaves out %s: Graph returned them, but no option describes them, and Graph refuses a '
                    'write carrying a member it does not know. Graph keeps a member a PATCH leaves out when it merges complex '
                    'values member by member (OData 4.01), and clears it if it replaces the value whole'
                    % (NOUN, ', '.join(sorted(set(left_out)))))
    after = ACCESS_DEFAULT.shape(overlay_object(before, body), module.api_version)
    # A customized default is no longer Microsoft's system default.
    after['isServiceDefault'] = False
    if not module.check_mode:
        default.update(body)
        module.record('updated %s (%s)' % (NOUN, ', '.join(names)))
    return True, names, after


def ensure_reset(module, default, before):
    """``resetToSystemDefault`` unless the object already is the system default. The values Microsoft's default
    holds are Graph's to set, so they are read back afterwards; check mode cannot know them beforehand."""
    if before.get('isServiceDefault') is True:
        return False, [], before
    if module.check_mode:
        return True, ['isServiceDefault'], dict(before, isServiceDefault=True)
    default.reset()
    module.record('reset %s to the system default' % NOUN)
    after = default.get()
    return True, sorted(name for name in after if after[name] != before.get(name)), after
