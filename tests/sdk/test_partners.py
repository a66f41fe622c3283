# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Cross-tenant access partner configurations through msgraph-sdk (v1.0) and msgraph-beta-sdk
(beta): POST, GET ($select, $expand), PATCH, DELETE, the paged list; the duplicate POST and the
delete refused while a sync policy lives, as ODataError; beta's deleted partners: list (paged), get,
restore, permanent delete."""

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.cross_tenant_access_policy_b2_b_setting import CrossTenantAccessPolicyB2BSetting
from msgraph.generated.models.cross_tenant_access_policy_configuration_partner import (
    CrossTenantAccessPolicyConfigurationPartner as V1Partner,
)
from msgraph.generated.models.cross_tenant_access_policy_inbound_trust import CrossTenantAccessPolicyInboundTrust
from msgraph.generated.models.cross_tenant_access_policy_target import CrossTenantAccessPolicyTarget
from msgraph.generated.models.cross_tenant_access_policy_target_configuration import CrossTenantAccessPolicyTargetConfiguration
from msgraph.generated.models.cross_tenant_access_policy_target_configuration_access_type import (
    CrossTenantAccessPolicyTargetConfigurationAccessType as AccessType,
)
from msgraph.generated.models.cross_tenant_access_policy_target_type import CrossTenantAccessPolicyTargetType as TargetType
from msgraph.generated.models.cross_tenant_access_policy_tenant_restrictions import CrossTenantAccessPolicyTenantRestrictions
from msgraph.generated.models.cross_tenant_identity_sync_policy_partner import CrossTenantIdentitySyncPolicyPartner as V1Policy
from msgraph.generated.models.cross_tenant_user_sync_inbound import CrossTenantUserSyncInbound as V1UserSync
from msgraph.generated.models.devices_filter import DevicesFilter
from msgraph.generated.models.inbound_outbound_policy_configuration import InboundOutboundPolicyConfiguration
from msgraph.generated.policies.cross_tenant_access_policy.partners.item import (
    cross_tenant_access_policy_configuration_partner_tenant_item_request_builder as v1_item,
)
from msgraph.generated.policies.cross_tenant_access_policy.partners.partners_request_builder import PartnersRequestBuilder
from msgraph_beta.generated.models.cross_tenant_access_policy_configuration_partner import (
    CrossTenantAccessPolicyConfigurationPartner as BetaPartner,
)
from msgraph_beta.generated.models.cross_tenant_access_policy_configuration_partner_collection_response import (
    CrossTenantAccessPolicyConfigurationPartnerCollectionResponse as BetaPartnerPage,
)
from msgraph_beta.generated.models.cross_tenant_access_policy_inbound_trust import (
    CrossTenantAccessPolicyInboundTrust as BetaInboundTrust,
)
from msgraph_beta.generated.models.cross_tenant_identity_sync_policy_partner import CrossTenantIdentitySyncPolicyPartner as BetaPolicy
from msgraph_beta.generated.models.cross_tenant_role_enabled_group_sync_inbound import CrossTenantRoleEnabledGroupSyncInbound
from msgraph_beta.generated.policies.cross_tenant_access_policy.partners.partners_request_builder import (
    PartnersRequestBuilder as BetaPartnersRequestBuilder,
)
from msgraph_core.tasks.page_iterator import PageIterator

from sdk_support import between, deleted_partner, deleted_partners, new_tid, now, odata_error, partner, partners, sync_policy

PARTNER_V1_NAMES = {"tenantId", "isServiceProvider", "isInMultiTenantOrganization", "inboundTrust", "automaticUserConsentSettings",
                    "b2bCollaborationInbound", "b2bCollaborationOutbound", "b2bDirectConnectInbound", "b2bDirectConnectOutbound",
                    "tenantRestrictions"}


def targets(access, *pairs):
    return CrossTenantAccessPolicyTargetConfiguration(
        access_type=access, targets=[CrossTenantAccessPolicyTarget(target=target, target_type=kind) for target, kind in pairs])


def full_v1_partner(tid, group):
    return V1Partner(
        tenant_id=tid,
        is_service_provider=True,
        inbound_trust=CrossTenantAccessPolicyInboundTrust(
            is_mfa_accepted=True, is_compliant_device_accepted=False, is_hybrid_azure_a_d_joined_device_accepted=True),
        automatic_user_consent_settings=InboundOutboundPolicyConfiguration(inbound_allowed=True, outbound_allowed=False),
        b2b_collaboration_inbound=CrossTenantAccessPolicyB2BSetting(
            users_and_groups=targets(AccessType.Allowed, (group, TargetType.Group)),
            applications=targets(AccessType.Allowed, ("AllApplications", TargetType.Application))),
        b2b_direct_connect_outbound=CrossTenantAccessPolicyB2BSetting(
            users_and_groups=targets(AccessType.Blocked, ("AllUsers", TargetType.User))),
        tenant_restrictions=CrossTenantAccessPolicyTenantRestrictions(
            users_and_groups=targets(AccessType.Blocked, ("AllUsers", TargetType.User)),
            applications=targets(AccessType.Blocked, ("AllApplications", TargetType.Application)),
            devices=DevicesFilter(mode=AccessType.Allowed, rule='device.trustType -eq "AzureAD"')),
    )


def assert_full_v1_partner(got, tid, group):
    assert isinstance(got, V1Partner)
    assert got.tenant_id == tid
    assert got.is_service_provider is True
    assert got.is_in_multi_tenant_organization is False
    trust = got.inbound_trust
    assert (trust.is_mfa_accepted, trust.is_compliant_device_accepted, trust.is_hybrid_azure_a_d_joined_device_accepted) == (True, False, True)
    assert (got.automatic_user_consent_settings.inbound_allowed, got.automatic_user_consent_settings.outbound_allowed) == (True, False)
    inbound = got.b2b_collaboration_inbound
    assert inbound.users_and_groups.access_type is AccessType.Allowed
    assert [(t.target, t.target_type) for t in inbound.users_and_groups.targets] == [(group, TargetType.Group)]
    assert [(t.target, t.target_type) for t in inbound.applications.targets] == [("AllApplications", TargetType.Application)]
    assert got.b2b_direct_connect_outbound.users_and_groups.access_type is AccessType.Blocked
    assert got.b2b_direct_connect_outbound.applications is None
    assert got.b2b_collaboration_outbound is None and got.b2b_direct_connect_inbound is None
    restrictions = got.tenant_restrictions
    assert isinstance(restrictions, CrossTenantAccessPolicyTenantRestrictions)
    assert restrictions.devices.mode is AccessType.Allowed
    assert restrictions.devices.rule == 'device.trustType -eq "AzureAD"'
    assert restrictions.applications.access_type is AccessType.Blocked


def test_v1_post_get_patch_list_delete(sdk, emu):
    tid, group = new_tid(), new_tid()
    created = sdk.run(partners(sdk.v1).post(full_v1_partner(tid, group)))
    assert_full_v1_partner(created, tid, group)
    assert created.additional_data["@odata.context"] == (
        emu.info["base_url"] + "/v1.0/$metadata#policies/crossTenantAccessPolicy/partners/$entity")

    got = sdk.run(partner(sdk.v1, tid).get())
    assert_full_v1_partner(got, tid, group)
    assert set(got.additional_data) == {"@odata.context"}, got.additional_data

    # PATCH names one member of inboundTrust and one whole setting; everything else keeps its value.
    assert sdk.run(partner(sdk.v1, tid).patch(V1Partner(
        inbound_trust=CrossTenantAccessPolicyInboundTrust(is_mfa_accepted=False),
        b2b_collaboration_outbound=CrossTenantAccessPolicyB2BSetting(users_and_groups=targets(AccessType.Blocked, ("AllUsers", TargetType.User))),
    ))) is None
    got = sdk.run(partner(sdk.v1, tid).get())
    assert got.inbound_trust.is_mfa_accepted is False
    assert got.inbound_trust.is_hybrid_azure_a_d_joined_device_accepted is True
    assert got.b2b_collaboration_outbound.users_and_groups.access_type is AccessType.Blocked
    assert [t.target for t in got.b2b_collaboration_inbound.users_and_groups.targets] == [group]

    listed = sdk.run(partners(sdk.v1).get())
    assert [p.tenant_id for p in listed.value] == [tid]
    assert listed.odata_next_link is None

    assert sdk.run(partner(sdk.v1, tid).delete()) is None
    error = sdk.run(odata_error(sdk.v1, partner(sdk.v1, tid).get()))
    assert error.response_status_code == 404 and error.error.code == "Request_ResourceNotFound"
    assert sdk.run(partners(sdk.v1).get()).value == []


@pytest.mark.parametrize("version", ["v1", "beta"])
def test_duplicate_post_is_409(sdk, version):
    client = getattr(sdk, version)
    model = V1Partner if version == "v1" else BetaPartner
    tid = new_tid()
    sdk.run(partners(client).post(model(tenant_id=tid)))
    error = sdk.run(odata_error(client, partners(client).post(model(tenant_id=tid.upper()))))
    assert error.response_status_code == 409
    assert error.error.code == "Request_MultipleObjectsWithSameKeyValue"
    assert error.error.message == "Another object with the same value for property tenantId already exists."


def test_v1_select_expand_and_paging_with_the_page_iterator(sdk, emu):
    emu.configure(page_size=2)
    tids = [new_tid() for dummy in range(5)]
    for tid in tids:
        sdk.run(partners(sdk.v1).post(V1Partner(tenant_id=tid, is_service_provider=True)))
    sdk.run(sync_policy(sdk.v1, tids[3]).put(V1Policy(tenant_id=tids[3], user_sync_inbound=V1UserSync(is_sync_allowed=True))))

    query = PartnersRequestBuilder.PartnersRequestBuilderGetQueryParameters(
        select=["tenantId", "isServiceProvider"], expand=["identitySynchronization"])
    first = sdk.run(partners(sdk.v1).get(RequestConfiguration(query_parameters=query)))
    assert len(first.value) == 2 and first.odata_next_link
    assert "$skiptoken=" in first.odata_next_link

    seen = []

    def collect(item):
        seen.append(item)
        return True

    sdk.run(PageIterator(first, sdk.v1.request_adapter).iterate(collect))
    assert [p.tenant_id for p in seen] == tids
    assert all(isinstance(p, V1Partner) and p.is_service_provider is True for p in seen)
    # $select leaves the rest out: the SDK sees no inboundTrust, not even null.
    assert all(p.inbound_trust is None and p.is_in_multi_tenant_organization is None for p in seen)
    with_policy = [p for p in seen if p.identity_synchronization is not None]
    assert [p.tenant_id for p in with_policy] == [tids[3]]
    assert isinstance(with_policy[0].identity_synchronization, V1Policy)
    assert with_policy[0].identity_synchronization.user_sync_inbound.is_sync_allowed is True

    one = sdk.run(partner(sdk.v1, tids[3]).get(RequestConfiguration(
        query_parameters=v1_item.CrossTenantAccessPolicyConfigurationPartnerTenantItemRequestBuilder.
        CrossTenantAccessPolicyConfigurationPartnerTenantItemRequestBuilderGetQueryParameters(expand=["identitySynchronization"]))))
    assert one.identity_synchronization.tenant_id == tids[3]
    assert one.inbound_trust is None and one.is_service_provider is True


def test_beta_post_get_patch_and_delete_refused_while_a_policy_lives(sdk):
    tid = new_tid()
    created = sdk.run(partners(sdk.beta).post(BetaPartner(
        tenant_id=tid, block_service_provider_outbound_access=True, inbound_trust=BetaInboundTrust(is_mfa_accepted=True))))
    assert isinstance(created, BetaPartner)
    assert created.tenant_id == tid and created.block_service_provider_outbound_access is True
    assert created.deleted_date_time is None and created.is_in_multi_tenant_organization is False

    sdk.run(partner(sdk.beta, tid).patch(BetaPartner(block_service_provider_outbound_access=False, is_service_provider=True)))
    got = sdk.run(partner(sdk.beta, tid).get())
    assert (got.block_service_provider_outbound_access, got.is_service_provider, got.inbound_trust.is_mfa_accepted) == (False, True, True)
    # v1.0 reads the same object without the beta-only properties.
    v1 = sdk.run(partner(sdk.v1, tid).get())
    assert set(v1.additional_data) == {"@odata.context"}, v1.additional_data

    sdk.run(sync_policy(sdk.beta, tid).put(BetaPolicy(
        tenant_id=tid, role_enabled_group_sync_inbound=CrossTenantRoleEnabledGroupSyncInbound(is_sync_allowed=True))))
    listed = sdk.run(partners(sdk.beta).get(RequestConfiguration(
        query_parameters=BetaPartnersRequestBuilder.PartnersRequestBuilderGetQueryParameters(expand=["identitySynchronization"]))))
    assert isinstance(listed, BetaPartnerPage) and [p.tenant_id for p in listed.value] == [tid]
    (item,) = listed.value
    assert isinstance(item, BetaPartner) and item.deleted_date_time is None and item.block_service_provider_outbound_access is False
    assert isinstance(item.identity_synchronization, BetaPolicy)
    assert item.identity_synchronization.role_enabled_group_sync_inbound.is_sync_allowed is True

    error = sdk.run(odata_error(sdk.beta, partner(sdk.beta, tid).delete()))
    assert error.response_status_code == 400 and error.error.code == "Request_BadRequest"
    assert "identity synchronization policy" in error.error.message
    assert sdk.run(partner(sdk.beta, tid).get()).tenant_id == tid

    sdk.run(sync_policy(sdk.beta, tid).delete())
    sdk.run(partner(sdk.beta, tid).delete())
    assert sdk.run(odata_error(sdk.beta, partner(sdk.beta, tid).get())).response_status_code == 404


def test_beta_deleted_partners_list_get_restore_and_purge(sdk, emu):
    emu.configure(page_size=2)
    tids = [new_tid() for dummy in range(3)]
    before = now()
    for tid in tids:
        sdk.run(partners(sdk.v1).post(full_v1_partner(tid, new_tid())))
        sdk.run(partner(sdk.v1, tid).delete())
    after = now()

    first = sdk.run(deleted_partners(sdk.beta).get())
    assert isinstance(first, BetaPartnerPage) and len(first.value) == 2 and first.odata_next_link
    seen = []
    sdk.run(PageIterator(first, sdk.beta.request_adapter).iterate(lambda item: seen.append(item) is None))
    assert [p.tenant_id for p in seen] == tids
    assert all(isinstance(p, BetaPartner) and between(p.deleted_date_time, before, after) for p in seen)

    got = sdk.run(deleted_partner(sdk.beta, tids[0]).get())
    assert got.tenant_id == tids[0] and got.is_service_provider is True
    assert got.tenant_restrictions.devices.rule == 'device.trustType -eq "AzureAD"'

    before = now()
    restored = sdk.run(deleted_partner(sdk.beta, tids[0]).restore.post())
    after = now()
    assert isinstance(restored, BetaPartner)
    assert restored.tenant_id == tids[0] and restored.is_service_provider is True
    assert between(restored.deleted_date_time, before, after)  # the documented response: time of the restore
    live = sdk.run(partner(sdk.beta, tids[0]).get())
    assert live.deleted_date_time is None and live.inbound_trust.is_mfa_accepted is True
    assert sdk.run(odata_error(sdk.beta, deleted_partner(sdk.beta, tids[0]).get())).response_status_code == 404

    # A second partner for a tenant that is live again: restore answers 409.
    sdk.run(partners(sdk.v1).post(V1Partner(tenant_id=tids[1])))
    error = sdk.run(odata_error(sdk.beta, deleted_partner(sdk.beta, tids[1]).restore.post()))
    assert error.response_status_code == 409 and error.error.code == "Request_MultipleObjectsWithSameKeyValue"

    assert sdk.run(deleted_partner(sdk.beta, tids[2]).delete()) is None
    assert sdk.run(odata_error(sdk.beta, deleted_partner(sdk.beta, tids[2]).get())).error.code == "Request_ResourceNotFound"
    left = sdk.run(deleted_partners(sdk.beta).get())
    assert [p.tenant_id for p in left.value] == [tids[1]]
