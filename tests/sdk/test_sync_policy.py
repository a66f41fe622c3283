# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The live cross-tenant identity synchronization policy of a partner, through msgraph-sdk (v1.0)
and msgraph-beta-sdk (beta): PUT creates, GET, PATCH (no patch() in either SDK: sent as a
RequestInformation through the SDK's request adapter), DELETE; the documented errors as ODataError;
roleEnabledGroupSyncInbound (beta metadata only) round-tripped by the beta SDK."""

from msgraph.generated.models.cross_tenant_access_policy_configuration_partner import (
    CrossTenantAccessPolicyConfigurationPartner as V1Partner,
)
from msgraph.generated.models.cross_tenant_identity_sync_policy_partner import CrossTenantIdentitySyncPolicyPartner as V1Policy
from msgraph.generated.models.cross_tenant_user_sync_inbound import CrossTenantUserSyncInbound as V1UserSync
from msgraph_beta.generated.models.cross_tenant_access_policy_configuration_partner import (
    CrossTenantAccessPolicyConfigurationPartner as BetaPartner,
)
from msgraph_beta.generated.models.cross_tenant_group_sync_inbound import CrossTenantGroupSyncInbound
from msgraph_beta.generated.models.cross_tenant_identity_sync_policy_partner import CrossTenantIdentitySyncPolicyPartner as BetaPolicy
from msgraph_beta.generated.models.cross_tenant_role_enabled_group_sync_inbound import CrossTenantRoleEnabledGroupSyncInbound
from msgraph_beta.generated.models.cross_tenant_user_sync_inbound import CrossTenantUserSyncInbound as BetaUserSync

from sdk_support import between, deleted_sync_policy, new_tid, now, odata_error, partners, raw_patch, sync_policy

CONFLICTING = "A conflicting object with one or more of the specified property values is present in the directory."
CONTEXT_ONLY = {"@odata.context"}


def test_v1_put_get_patch_delete(sdk, emu):
    tid = new_tid()
    sdk.run(partners(sdk.v1).post(V1Partner(tenant_id=tid)))

    created = sdk.run(sync_policy(sdk.v1, tid).put(V1Policy(
        tenant_id=tid, display_name="Fabrikam", user_sync_inbound=V1UserSync(is_sync_allowed=True))))
    assert created is None  # 204: the SDK returns nothing

    got = sdk.run(sync_policy(sdk.v1, tid).get())
    assert isinstance(got, V1Policy)
    assert got.tenant_id == tid
    assert got.display_name == "Fabrikam"
    assert isinstance(got.user_sync_inbound, V1UserSync) and got.user_sync_inbound.is_sync_allowed is True
    # Nothing the v1.0 model lacks: beta-only properties (groupSyncInbound, deletedDateTime, ...) stay out.
    assert set(got.additional_data) == CONTEXT_ONLY, got.additional_data
    assert got.additional_data["@odata.context"].startswith(emu.info["base_url"] + "/v1.0/$metadata#")

    sdk.run(raw_patch(sdk.v1, sync_policy(sdk.v1, tid), V1Policy(user_sync_inbound=V1UserSync(is_sync_allowed=False))))
    got = sdk.run(sync_policy(sdk.v1, tid).get())
    assert got.user_sync_inbound.is_sync_allowed is False
    assert got.display_name == "Fabrikam"  # left out of the PATCH, kept

    before = now()
    assert sdk.run(sync_policy(sdk.v1, tid).delete()) is None
    after = now()
    error = sdk.run(odata_error(sdk.v1, sync_policy(sdk.v1, tid).get()))
    assert error.response_status_code == 404 and error.error.code == "Request_ResourceNotFound"
    # A v1.0 delete lands in beta's deleted items, as the beta SDK reads it.
    deleted = sdk.run(deleted_sync_policy(sdk.beta, tid).get())
    assert deleted.tenant_id == tid and deleted.display_name == "Fabrikam"
    assert between(deleted.deleted_date_time, before, after)


def test_v1_put_over_an_existing_policy_is_the_documented_409(sdk):
    tid = new_tid()
    sdk.run(partners(sdk.v1).post(V1Partner(tenant_id=tid)))
    sdk.run(sync_policy(sdk.v1, tid).put(V1Policy(tenant_id=tid, user_sync_inbound=V1UserSync(is_sync_allowed=True))))

    error = sdk.run(odata_error(sdk.v1, sync_policy(sdk.v1, tid).put(V1Policy(tenant_id=tid, display_name="again"))))
    assert error.response_status_code == 409
    assert error.error.code == "Request_MultipleObjectsWithSameKeyValue"
    assert error.error.message == CONFLICTING
    assert [detail.code for detail in error.error.details] == ["ConflictingObjects"]
    assert sdk.run(sync_policy(sdk.v1, tid).get()).display_name is None  # the first policy, untouched


def test_v1_refuses_beta_only_properties_the_sdk_passes_through(sdk):
    tid = new_tid()
    sdk.run(partners(sdk.v1).post(V1Partner(tenant_id=tid)))
    body = V1Policy(tenant_id=tid, additional_data={"roleEnabledGroupSyncInbound": {"isSyncAllowed": True}})
    error = sdk.run(odata_error(sdk.v1, sync_policy(sdk.v1, tid).put(body)))
    assert error.response_status_code == 400
    assert error.error.code == "Request_BadRequest"
    assert error.error.message == "Invalid property 'roleEnabledGroupSyncInbound'."
    error = sdk.run(odata_error(sdk.v1, sync_policy(sdk.v1, tid).get()))
    assert error.response_status_code == 404


def test_put_without_a_partner_configuration_and_patch_of_a_missing_policy(sdk):
    tid = new_tid()
    error = sdk.run(odata_error(sdk.beta, sync_policy(sdk.beta, tid).put(BetaPolicy(tenant_id=tid))))
    assert error.response_status_code == 404 and error.error.code == "Request_ResourceNotFound"

    sdk.run(partners(sdk.beta).post(BetaPartner(tenant_id=tid)))
    patch = raw_patch(sdk.v1, sync_policy(sdk.v1, tid), V1Policy(display_name="x"))
    error = sdk.run(odata_error(sdk.v1, patch))
    assert error.response_status_code == 404
    assert error.error.code == "Directory_ObjectNotFound"
    assert error.error.message == "Unable to read the company information from the directory."


def test_beta_put_get_patch_delete_with_every_property(sdk):
    tid = new_tid()
    sdk.run(partners(sdk.beta).post(BetaPartner(tenant_id=tid)))
    app_id = new_tid()
    sdk.run(sync_policy(sdk.beta, tid).put(BetaPolicy(
        tenant_id=tid, display_name="Contoso", external_cloud_authorized_application_id=app_id,
        user_sync_inbound=BetaUserSync(is_sync_allowed=True),
        group_sync_inbound=CrossTenantGroupSyncInbound(is_sync_allowed=True),
        role_enabled_group_sync_inbound=CrossTenantRoleEnabledGroupSyncInbound(is_sync_allowed=True))))

    got = sdk.run(sync_policy(sdk.beta, tid).get())
    assert isinstance(got, BetaPolicy)
    assert (got.tenant_id, got.display_name, got.external_cloud_authorized_application_id) == (tid, "Contoso", app_id)
    assert got.user_sync_inbound.is_sync_allowed is True
    assert got.group_sync_inbound.is_sync_allowed is True
    assert isinstance(got.role_enabled_group_sync_inbound, CrossTenantRoleEnabledGroupSyncInbound)
    assert got.role_enabled_group_sync_inbound.is_sync_allowed is True
    assert got.deleted_date_time is None
    assert set(got.additional_data) == CONTEXT_ONLY, got.additional_data

    sdk.run(raw_patch(sdk.beta, sync_policy(sdk.beta, tid), BetaPolicy(
        group_sync_inbound=CrossTenantGroupSyncInbound(is_sync_allowed=False), display_name="Contoso (groups off)")))
    got = sdk.run(sync_policy(sdk.beta, tid).get())
    assert got.group_sync_inbound.is_sync_allowed is False
    assert got.display_name == "Contoso (groups off)"
    assert got.user_sync_inbound.is_sync_allowed is True
    assert got.role_enabled_group_sync_inbound.is_sync_allowed is True

    # The v1.0 SDK reads the same policy with only its own properties.
    v1 = sdk.run(sync_policy(sdk.v1, tid).get())
    assert (v1.tenant_id, v1.display_name, v1.user_sync_inbound.is_sync_allowed) == (tid, "Contoso (groups off)", True)
    assert set(v1.additional_data) == CONTEXT_ONLY, v1.additional_data

    sdk.run(sync_policy(sdk.beta, tid).delete())
    error = sdk.run(odata_error(sdk.beta, sync_policy(sdk.beta, tid).get()))
    assert error.response_status_code == 404
    deleted = sdk.run(deleted_sync_policy(sdk.beta, tid).get())
    assert deleted.group_sync_inbound.is_sync_allowed is False
    assert deleted.role_enabled_group_sync_inbound.is_sync_allowed is True
    assert deleted.deleted_date_time is not None


def test_role_enabled_group_sync_inbound_round_trip(sdk, emu):
    tid = new_tid()
    sdk.run(partners(sdk.beta).post(BetaPartner(tenant_id=tid)))
    sdk.run(sync_policy(sdk.beta, tid).put(BetaPolicy(
        tenant_id=tid, user_sync_inbound=BetaUserSync(is_sync_allowed=True),
        role_enabled_group_sync_inbound=CrossTenantRoleEnabledGroupSyncInbound(is_sync_allowed=True))))
    assert emu.objects()["partner_policy"][0]["roleEnabledGroupSyncInbound"] == {"isSyncAllowed": True}
    assert sdk.run(sync_policy(sdk.beta, tid).get()).role_enabled_group_sync_inbound.is_sync_allowed is True

    sdk.run(raw_patch(sdk.beta, sync_policy(sdk.beta, tid), BetaPolicy(
        role_enabled_group_sync_inbound=CrossTenantRoleEnabledGroupSyncInbound(is_sync_allowed=False))))
    got = sdk.run(sync_policy(sdk.beta, tid).get())
    assert got.role_enabled_group_sync_inbound.is_sync_allowed is False
    assert got.user_sync_inbound.is_sync_allowed is True

    # Cleared by an explicit null (the SDK writes null for a property named in additional_data).
    sdk.run(raw_patch(sdk.beta, sync_policy(sdk.beta, tid), BetaPolicy(additional_data={"roleEnabledGroupSyncInbound": None})))
    assert sdk.run(sync_policy(sdk.beta, tid).get()).role_enabled_group_sync_inbound is None

    # The v1.0 SDK never sees it.
    v1 = sdk.run(sync_policy(sdk.v1, tid).get())
    assert "roleEnabledGroupSyncInbound" not in v1.additional_data


def test_select_through_the_query_parameters_of_each_sdk(sdk):
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph.generated.policies.cross_tenant_access_policy.partners.item.identity_synchronization import (
        identity_synchronization_request_builder as v1_builder,
    )
    from msgraph_beta.generated.policies.cross_tenant_access_policy.partners.item.identity_synchronization import (
        identity_synchronization_request_builder as beta_builder,
    )

    tid = new_tid()
    sdk.run(partners(sdk.beta).post(BetaPartner(tenant_id=tid)))
    sdk.run(sync_policy(sdk.beta, tid).put(BetaPolicy(
        tenant_id=tid, display_name="selected", user_sync_inbound=BetaUserSync(is_sync_allowed=True),
        role_enabled_group_sync_inbound=CrossTenantRoleEnabledGroupSyncInbound(is_sync_allowed=False))))

    v1_query = v1_builder.IdentitySynchronizationRequestBuilder.IdentitySynchronizationRequestBuilderGetQueryParameters
    got = sdk.run(sync_policy(sdk.v1, tid).get(RequestConfiguration(query_parameters=v1_query(select=["userSyncInbound"]))))
    assert got.user_sync_inbound.is_sync_allowed is True
    assert got.display_name is None and got.tenant_id is None
    assert got.additional_data["@odata.context"].endswith("/identitySynchronization(userSyncInbound)/$entity")

    beta_query = beta_builder.IdentitySynchronizationRequestBuilder.IdentitySynchronizationRequestBuilderGetQueryParameters
    got = sdk.run(sync_policy(sdk.beta, tid).get(RequestConfiguration(
        query_parameters=beta_query(select=["tenantId", "roleEnabledGroupSyncInbound"]))))
    assert got.tenant_id == tid and got.role_enabled_group_sync_inbound.is_sync_allowed is False
    assert got.display_name is None and got.user_sync_inbound is None

    # v1.0 has no such property to select.
    error = sdk.run(odata_error(sdk.v1, sync_policy(sdk.v1, tid).get(RequestConfiguration(
        query_parameters=v1_query(select=["roleEnabledGroupSyncInbound"])))))
    assert error.response_status_code == 400 and error.error.code == "BadRequest"
    assert "roleEnabledGroupSyncInbound" in error.error.message
