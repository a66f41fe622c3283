# -*- coding: utf-8 -*-
# Copyright: entra.graph contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  auth_method:
    description:
      - How to sign in to Microsoft Entra ID.
      - V(auto) uses the first method whose inputs are set, in this order
        V(access_token), V(client_certificate), V(client_secret), V(workload_identity),
        and falls back to V(managed_identity), which needs no input.
      - Inputs the task sets win over the environment. V(auto) chooses among the task's own O(access_token),
        O(client_certificate_path), O(client_secret) and O(federated_token_file) first, and looks at their
        environment variables only when the task sets none of them; so an E(AZURE_CLIENT_CERTIFICATE_PATH)
        injected by AWX does not override a O(client_secret) the playbook passes.
      - V(client_secret) and V(client_certificate) sign in as an app registration.
      - V(workload_identity) exchanges the token in O(federated_token_file) (AKS workload identity,
        GitHub Actions OIDC and other federated credentials) for a Graph token.
      - V(managed_identity) asks the Azure host's identity endpoint; give O(client_id) for a user-assigned identity.
      - V(access_token) uses O(access_token) as it is.
    type: str
    default: auto
    choices: [auto, client_secret, client_certificate, workload_identity, managed_identity, access_token]
  tenant:
    description:
      - The directory (tenant ID or a verified domain) to sign in to.
      - This is your own directory, not the partner's tenant ID (C(tenant_id)).
      - Must be a GUID or a domain name such as V(contoso.onmicrosoft.com); anything else fails before any request.
      - If not set, the environment variable E(AZURE_TENANT_ID) is used, then E(AZURE_TENANT).
    type: str
  client_id:
    description:
      - The application (client) ID of the app registration.
      - With O(auth_method=managed_identity), the client ID of a user-assigned managed identity;
        leave it out for the system-assigned identity.
      - If not set, the environment variable E(AZURE_CLIENT_ID) is used.
    type: str
  client_secret:
    description:
      - A client secret of the app registration.
      - If not set, the environment variable E(AZURE_CLIENT_SECRET) is used, then E(AZURE_SECRET).
    type: str
  client_certificate_path:
    description:
      - A PEM file holding the app's certificate and its private key.
      - The key must be an RSA key (Microsoft Entra certificate credentials do not take EC keys), and it must
        belong to the certificate in the file; both are checked before signing in.
      - A PFX (PKCS#12) file is not supported; convert it with C(openssl pkcs12 -in app.pfx -out app.pem -nodes).
      - The thumbprint that Microsoft Entra ID matches is computed from the certificate.
      - If not set, the environment variable E(AZURE_CLIENT_CERTIFICATE_PATH) is used.
    type: path
  client_certificate_password:
    description:
      - The password of the private key in O(client_certificate_path), when it is encrypted.
      - If not set, the environment variable E(AZURE_CLIENT_CERTIFICATE_PASSWORD) is used.
    type: str
  federated_token_file:
    description:
      - A file holding a token from a trusted external identity provider, sent as the client assertion.
      - The file is read again whenever a new Graph token is needed, since platforms rotate it.
      - If not set, the environment variable E(AZURE_FEDERATED_TOKEN_FILE) is used.
    type: path
  access_token:
    description:
      - A Microsoft Graph access token obtained elsewhere, used as the bearer token.
      - No sign-in happens and nothing is cached; the token must be for the O(graph_endpoint) audience.
    type: str
  cloud_environment:
    description:
      - The national cloud, which sets the sign-in and Graph hosts.
      - One of V(global), V(us_gov) (GCC High), V(us_gov_dod) (DoD) or V(china) (operated by 21Vianet).
        The names V(AzureCloud), V(AzureUSGovernment) and V(AzureChinaCloud), which the Azure credential
        of AWX and Automation Controller uses, are accepted too.
      - If not set, the environment variable E(AZURE_CLOUD_ENVIRONMENT) is used.
    type: str
    default: global
  authority_host:
    description:
      - The sign-in host, overriding the one O(cloud_environment) sets, for example V(https://login.microsoftonline.us).
      - Must be an https URL of the host alone, without a path, a query, or a user name and password.
        For a host Microsoft does not know, MSAL's instance discovery is turned off.
      - If not set, the environment variable E(AZURE_AUTHORITY_HOST) is used.
    type: str
  graph_endpoint:
    description:
      - The Microsoft Graph host, overriding the one O(cloud_environment) sets, for example V(https://graph.microsoft.com).
      - The host alone, without a path, a query, or a user name and password; V(https://graph.microsoft.com/v1.0)
        is refused, since the module chooses the API version.
      - The token is requested for the scope V(<graph_endpoint>/.default).
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificates of the sign-in and Graph hosts.
      - Turn off only for testing; the task warns when it is off.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM bundle of the certificate authorities to trust, for sign-in and Graph alike.
      - It wins over E(REQUESTS_CA_BUNDLE) and E(CURL_CA_BUNDLE) in the environment.
      - It must hold PEM certificates; this is checked before any request.
      - Without it, a E(REQUESTS_CA_BUNDLE) (or E(CURL_CA_BUNDLE)) naming a file that does not exist fails
        before any request, with O(ca_path) named as the fix.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request to connect and to answer.
    type: float
    default: 30
  max_retries:
    description:
      - How many times to retry a request that met throttling (HTTP 429), HTTP 503 or 504, or a connection failure.
      - The wait is the server's C(Retry-After) when it gives one, else an exponential backoff with jitter
        (a C(Retry-After) date that has already passed waits the backoff).
      - A C(Retry-After) longer than 120 seconds (the collection's C(MAX_WAIT_SECONDS)) is not waited for;
        the task fails at once and says how long Graph asked to wait.
      - A 429, or a 503 with C(Retry-After), holds back every request of the task (all threads of a module
        that sends several at once) until the wait has passed.
      - A create (POST) whose answer was lost is not sent again until a read shows it did not land.
      - V(0) turns retries off.
    type: int
    default: 4
  token_cache:
    description:
      - Keep access tokens in a file between tasks, so a play signs in once rather than once per task.
      - The file is created readable by its owner only; a file that others can read is ignored with a warning,
        and so is a file in a folder that every user may write without the sticky bit.
      - A token from the cache that Graph refuses (HTTP 401 after a revocation, or 403 when it was issued
        before a permission was granted) is dropped from the file and replaced by one new sign-in, once.
      - A file whose content is not a usable token cache is discarded with a warning and rewritten.
      - Forks share the file. A lock file next to it (C(<path>.lock)) lets one process sign in while
        the others wait for its token.
      - Never used with O(access_token).
      - If not set, the environment variable E(ENTRA_GRAPH_TOKEN_CACHE) is used.
    type: bool
    default: false
  token_cache_path:
    description:
      - Where O(token_cache) keeps its file (a file path, not a folder).
      - Defaults to C(~/.cache/entra.graph/msal_token_cache.json).
      - If not set, the environment variable E(ENTRA_GRAPH_TOKEN_CACHE_PATH) is used.
    type: path
requirements:
  - python >= 3.9
  - msal >= 1.29.0 (not needed with O(auth_method=access_token))
  - requests >= 2.25.0
  - cryptography (for O(auth_method=client_certificate); installed with msal)
notes:
  - Module options for sign-in can all come from the environment, so an AWX or Automation Controller
    credential can supply them without any task option.
  - Use C(module_defaults) with the action group C(group/entra.graph.graph) to set the connection
    options once for every module of the collection.
  - A failed task says in C(msg) what went wrong, and returns what Microsoft support asks for. A refused
    Graph request returns C(status), C(error_code) (Graph's C(error.code)), C(request_id) and
    C(client_request_id). A refused sign-in returns C(auth_error) (such as C(invalid_client)),
    C(error_codes) (the AADSTS codes), C(trace_id) and C(correlation_id); a sign-in host whose answer
    was not Microsoft Entra ID's returns C(status) and, when it sent one, C(request_id). A request that
    got no answer returns C(error_kind), one of C(tls), C(timeout), C(connection), C(proxy) or C(request).
    A bad option returns C(option), its name.
  - Text a server sends back (an error message, a gateway's page) is redacted before it reaches a result,
    C(Bearer) tokens, anything shaped like a JWT, and the access token, client secret and client assertion
    the task holds.
seealso:
  - name: Microsoft Graph national cloud deployments
    description: The sign-in and Graph hosts of each national cloud.
    link: https://learn.microsoft.com/graph/deployments
'''

    ATTRIBUTES = r'''
attributes:
  action_group:
    description: Use C(group/entra.graph.graph) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - entra.graph.graph
'''
