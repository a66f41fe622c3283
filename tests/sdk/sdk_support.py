# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the SDK tests share: the paths the SDKs build, PATCH where a request builder has none, and
the check that an error reached the caller as the SDK's typed ODataError."""

import asyncio
import datetime
import ssl
import uuid

from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation


class Sdk:
    """A v1.0 and a beta GraphServiceClient on the emulator, sharing one event loop and one credential.

    Each has its own httpx.AsyncClient (trusting only the emulator's CA, no proxies from the
    environment, base URL {emulator}/{version}) wrapped by msgraph_core's GraphClientFactory in the
    SDK's default middleware (retry, redirect, telemetry, ...), exactly as the SDKs build their own.
    With sdk_base_url=True the request adapter keeps the base URL it takes from httpx, with the trailing
    slash that the SDKs' default clients have too (their requests then go to /v1.0//policies/...)."""

    def __init__(self, emulator, credential, sdk_base_url=False):
        import httpx
        from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
        from msgraph import GraphRequestAdapter as V1Adapter, GraphServiceClient as V1Client
        from msgraph_beta import GraphRequestAdapter as BetaAdapter, GraphServiceClient as BetaClient
        from msgraph_core import APIVersion, GraphClientFactory

        info = emulator.info
        self.info = info
        self.loop = asyncio.new_event_loop()
        tls = ssl.create_default_context(cafile=info["ca_path"])
        self._http = []

        def adapter(adapter_class, version, api_version):
            http = httpx.AsyncClient(verify=tls, trust_env=False, base_url="%s/%s" % (info["base_url"], version),
                                     timeout=httpx.Timeout(30.0, connect=10.0))
            self._http.append(http)
            http = GraphClientFactory.create_with_default_middleware(api_version=api_version, client=http)
            # The scope is the emulator's resource; only its host may receive the token.
            auth = AzureIdentityAuthenticationProvider(credential, scopes=[info["scope"]], allowed_hosts=["127.0.0.1"])
            made = adapter_class(auth, client=http)
            if not sdk_base_url:
                # httpx keeps its base URL with a trailing slash, which gives "/v1.0//policies/...": the
                # adapter's own base URL, without it, is the one the request builders expand.
                made.base_url = "%s/%s" % (info["base_url"], version)
            return made

        self.v1 = V1Client(request_adapter=adapter(V1Adapter, "v1.0", APIVersion.v1))
        self.beta = BetaClient(request_adapter=adapter(BetaAdapter, "beta", APIVersion.beta))

    def run(self, awaitable):
        return self.loop.run_until_complete(awaitable)

    def close(self):
        for http in self._http:
            self.run(http.aclose())
        self.loop.close()


def new_tid():
    return str(uuid.uuid4())


def odata_error_class(client):
    """The ODataError of the SDK the client comes from (msgraph or msgraph_beta)."""
    if type(client).__module__.startswith("msgraph_beta"):
        from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError
    else:
        from msgraph.generated.models.o_data_errors.o_data_error import ODataError
    return ODataError


def partners(client):
    return client.policies.cross_tenant_access_policy.partners


def partner(client, tenant_id):
    return partners(client).by_cross_tenant_access_policy_configuration_partner_tenant_id(tenant_id)


def sync_policy(client, tenant_id):
    return partner(client, tenant_id).identity_synchronization


def deleted_sync_policies(beta):
    return beta.policies.deleted_items.cross_tenant_sync_policy_partners


def deleted_sync_policy(beta, tenant_id):
    return deleted_sync_policies(beta).by_cross_tenant_identity_sync_policy_partner_tenant_id(tenant_id)


def deleted_partners(beta):
    return beta.policies.deleted_items.cross_tenant_partners


def deleted_partner(beta, tenant_id):
    return deleted_partners(beta).by_cross_tenant_access_policy_configuration_partner_tenant_id(tenant_id)


async def raw_patch(client, builder, body):
    """PATCH through the SDK's own machinery where its request builder has no patch(): a
    RequestInformation on the builder's URL template, the body serialized by the SDK's JSON writer,
    sent by the client's request adapter (auth, middleware, error mapping)."""
    adapter = client.request_adapter
    info = RequestInformation(Method.PATCH, builder.url_template, builder.path_parameters)
    info.headers.try_add("Accept", "application/json")
    info.set_content_from_parsable(adapter, "application/json", body)
    await adapter.send_no_response_content_async(info, {"XXX": odata_error_class(client)})


async def odata_error(client, awaitable):
    """Await a call that must fail; return the SDK's ODataError after checking what every Graph
    error carries: the status, a code and message, and innerError's request-id echoing the header."""
    error_class = odata_error_class(client)
    try:
        result = await awaitable
    except error_class as exc:
        assert exc.response_status_code and exc.response_status_code >= 400
        assert exc.error is not None, "the SDK parsed no error object"
        assert exc.error.code and exc.error.message
        inner = exc.error.inner_error
        assert inner is not None, "the SDK parsed no innerError"
        assert inner.request_id == exc.response_headers["request-id"]
        assert inner.client_request_id == exc.response_headers["client-request-id"]
        assert isinstance(inner.date, datetime.datetime)
        return exc
    raise AssertionError("expected an ODataError, the call returned %r" % (result,))


def utc(value):
    """A datetime the SDK parsed, as an aware UTC datetime (it must carry an offset)."""
    assert isinstance(value, datetime.datetime), value
    assert value.tzinfo is not None, "DateTimeOffset parsed without an offset: %r" % (value,)
    return value.astimezone(datetime.timezone.utc)


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def between(value, before, after):
    """Whether a server time falls between two moments taken around the call (the emulator stamps
    whole seconds, so `before` is taken down to its second)."""
    return before.replace(microsecond=0) <= utc(value) <= after
