# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Beta's deleted cross-tenant sync policies through msgraph-beta-sdk: POST, the paged list (read
with the SDK's PageIterator), $count, GET, PUT, restore and permanent DELETE, and their errors."""

import datetime

from msgraph_beta.generated.models.cross_tenant_access_policy_configuration_partner import (
    CrossTenantAccessPolicyConfigurationPartner as BetaPartner,
)
from msgraph_beta.generated.models.cross_tenant_group_sync_inbound import CrossTenantGroupSyncInbound
from msgraph_beta.generated.models.cross_tenant_identity_sync_policy_partner import CrossTenantIdentitySyncPolicyPartner as BetaPolicy
from msgraph_beta.generated.models.cross_tenant_identity_sync_policy_partner_collection_response import (
    CrossTenantIdentitySyncPolicyPartnerCollectionResponse as BetaPolicyPage,
)
from msgraph_beta.generated.models.cross_tenant_role_enabled_group_sync_inbound import CrossTenantRoleEnabledGroupSyncInbound
from msgraph_beta.generated.models.cross_tenant_user_sync_inbound import CrossTenantUserSyncInbound
from msgraph_core.tasks.page_iterator import PageIterator

from sdk_support import between, deleted_sync_policies, deleted_sync_policy, new_tid, now, odata_error, partners, sync_policy, utc

DELETED_AT = datetime.datetime(2025, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)


def deleted_item(tid, **extra):
    return BetaPolicy(tenant_id=tid, display_name="deleted " + tid[:8], user_sync_inbound=CrossTenantUserSyncInbound(is_sync_allowed=True),
                      **extra)


def test_post_list_with_paging_count_get_and_purge(sdk, emu):
    emu.configure(page_size=2)
    tids = [new_tid() for dummy in range(5)]

    before = now()
    created = sdk.run(deleted_sync_policies(sdk.beta).post(deleted_item(tids[0])))
    after = now()
    assert isinstance(created, BetaPolicy)
    assert created.tenant_id == tids[0] and created.display_name == "deleted " + tids[0][:8]
    assert created.user_sync_inbound.is_sync_allowed is True
    assert created.group_sync_inbound is None and created.role_enabled_group_sync_inbound is None
    assert created.odata_type == "#microsoft.graph.crossTenantIdentitySyncPolicyPartner"
    assert between(created.deleted_date_time, before, after)  # none given: the time of the request

    # A deletedDateTime the SDK writes (an aware datetime) is kept as given.
    given = sdk.run(deleted_sync_policies(sdk.beta).post(deleted_item(tids[1], deleted_date_time=DELETED_AT)))
    assert utc(given.deleted_date_time) == DELETED_AT
    for tid in tids[2:]:
        sdk.run(deleted_sync_policies(sdk.beta).post(deleted_item(
            tid, role_enabled_group_sync_inbound=CrossTenantRoleEnabledGroupSyncInbound(is_sync_allowed=True))))

    first = sdk.run(deleted_sync_policies(sdk.beta).get())
    assert isinstance(first, BetaPolicyPage) and len(first.value) == 2
    assert first.odata_next_link.startswith(emu.info["base_url"] + "/beta/policies/deletedItems/crossTenantSyncPolicyPartners?")
    seen = []
    iterator = PageIterator(first, sdk.beta.request_adapter)
    sdk.run(iterator.iterate(lambda item: seen.append(item) is None))
    assert [p.tenant_id for p in seen] == tids
    assert all(isinstance(p, BetaPolicy) for p in seen)
    assert [p.role_enabled_group_sync_inbound.is_sync_allowed for p in seen[2:]] == [True, True, True]
    assert utc(seen[1].deleted_date_time) == DELETED_AT
    assert len([r for r in emu.requests("graph_read") if r["path"].endswith("/crossTenantSyncPolicyPartners")]) == 3

    assert sdk.run(deleted_sync_policies(sdk.beta).count.get()) == 5

    got = sdk.run(deleted_sync_policy(sdk.beta, tids[4]).get())
    assert got.tenant_id == tids[4] and got.role_enabled_group_sync_inbound.is_sync_allowed is True

    error = sdk.run(odata_error(sdk.beta, deleted_sync_policies(sdk.beta).post(deleted_item(tids[4]))))
    assert error.response_status_code == 409 and error.error.code == "Request_MultipleObjectsWithSameKeyValue"

    assert sdk.run(deleted_sync_policy(sdk.beta, tids[4]).delete()) is None
    error = sdk.run(odata_error(sdk.beta, deleted_sync_policy(sdk.beta, tids[4]).get()))
    assert error.response_status_code == 404 and error.error.code == "Request_ResourceNotFound"
    assert sdk.run(deleted_sync_policies(sdk.beta).count.get()) == 4


def test_put_replaces_a_deleted_item_and_keeps_its_deletion_time(sdk):
    tid = new_tid()
    sdk.run(deleted_sync_policies(sdk.beta).post(deleted_item(tid, deleted_date_time=DELETED_AT)))
    assert sdk.run(deleted_sync_policy(sdk.beta, tid).put(BetaPolicy(
        tenant_id=tid, group_sync_inbound=CrossTenantGroupSyncInbound(is_sync_allowed=True)))) is None
    got = sdk.run(deleted_sync_policy(sdk.beta, tid).get())
    assert got.group_sync_inbound.is_sync_allowed is True
    assert got.display_name is None and got.user_sync_inbound is None  # replaced, not merged
    assert utc(got.deleted_date_time) == DELETED_AT


def test_restore_puts_the_policy_back_under_its_partner(sdk):
    tid = new_tid()
    sdk.run(partners(sdk.beta).post(BetaPartner(tenant_id=tid)))
    sdk.run(sync_policy(sdk.beta, tid).put(BetaPolicy(
        tenant_id=tid, display_name="to restore", user_sync_inbound=CrossTenantUserSyncInbound(is_sync_allowed=True),
        role_enabled_group_sync_inbound=CrossTenantRoleEnabledGroupSyncInbound(is_sync_allowed=True))))
    sdk.run(sync_policy(sdk.beta, tid).delete())

    before = now()
    restored = sdk.run(deleted_sync_policy(sdk.beta, tid).restore.post())
    after = now()
    assert isinstance(restored, BetaPolicy)
    assert (restored.tenant_id, restored.display_name) == (tid, "to restore")
    assert restored.role_enabled_group_sync_inbound.is_sync_allowed is True
    assert between(restored.deleted_date_time, before, after)  # the documented response: time of the restore
    assert restored.additional_data["@odata.context"].endswith("/beta/$metadata#microsoft.graph.crossTenantIdentitySyncPolicyPartner")

    live = sdk.run(sync_policy(sdk.beta, tid).get())
    assert live.display_name == "to restore" and live.deleted_date_time is None
    error = sdk.run(odata_error(sdk.beta, deleted_sync_policy(sdk.beta, tid).restore.post()))
    assert error.response_status_code == 404 and error.error.code == "Request_ResourceNotFound"


def test_restore_refused_over_a_live_policy_or_without_the_partner(sdk):
    tid = new_tid()
    sdk.run(deleted_sync_policies(sdk.beta).post(deleted_item(tid)))
    error = sdk.run(odata_error(sdk.beta, deleted_sync_policy(sdk.beta, tid).restore.post()))
    assert error.response_status_code == 404 and error.error.code == "Request_ResourceNotFound"

    sdk.run(partners(sdk.beta).post(BetaPartner(tenant_id=tid)))
    sdk.run(sync_policy(sdk.beta, tid).put(BetaPolicy(tenant_id=tid, display_name="live")))
    error = sdk.run(odata_error(sdk.beta, deleted_sync_policy(sdk.beta, tid).restore.post()))
    assert error.response_status_code == 409 and error.error.code == "Request_MultipleObjectsWithSameKeyValue"
    assert sdk.run(sync_policy(sdk.beta, tid).get()).display_name == "live"
    assert sdk.run(deleted_sync_policy(sdk.beta, tid).get()).tenant_id == tid
