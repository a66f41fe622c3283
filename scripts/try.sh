#!/usr/bin/env bash
# Try entra.graph in a minute, without a tenant: set up .venv, start the local Microsoft Entra ID + Graph
# emulator with two tenants, build and install the collection the way a user gets it, and run
# examples/cross_tenant_sync.yml against the emulator: the target tenant's and the source tenant's setup of
# cross-tenant synchronization and one user provisioned on demand, twice (the second run changes nothing).
# Then it reads, from the target tenant, the user that arrived there.
#
# Usage: bash scripts/try.sh [--target-only] [extra ansible-playbook arguments, e.g. -v or --check --diff]
#   --target-only   the target tenant's part alone: examples/try_it.yml (examples/target_tenant.yml twice,
#                   then what it made, read back)
# With --check (-C) the playbook runs once, as a preview, and writes nothing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

target_only=false
check=false
args=()
for arg in "$@"; do
    case $arg in
        --target-only) target_only=true ;;
        --check|-C) check=true; args+=("$arg") ;;
        *) args+=("$arg") ;;
    esac
done

bash scripts/bootstrap.sh
PY="$ROOT/.venv/bin/python"
started=$SECONDS

work=$(mktemp -d)
emulator_pid=
cleanup() {
    if [[ -n $emulator_pid ]]; then
        kill "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"$PY" -m tests.emulator --port 0 --tenants 2 --state-dir "$work/emulator" >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 100); do
    [[ -s $work/emulator.out ]] && break
    kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.err" >&2; exit 1; }
    sleep 0.1
done
info=$(head -n 1 "$work/emulator.out")
field() { "$PY" -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$info" "$1"; }

printf 'try: the emulator listens on %s\n' "$(field base_url)" >&2
"$ROOT/.venv/bin/ansible-galaxy" collection build "$ROOT" --output-path "$work/dist" >/dev/null
"$ROOT/.venv/bin/ansible-galaxy" collection install -p "$work/collections" "$work"/dist/*.tar.gz >/dev/null

export ANSIBLE_COLLECTIONS_PATH="$work/collections" ANSIBLE_PYTHON_INTERPRETER="$PY"
# The emulator's sign-in host, for every tenant; never the Azure instance metadata service.
export AZURE_AUTHORITY_HOST
AZURE_AUTHORITY_HOST=$(field authority_host)
export AZURE_POD_IDENTITY_AUTHORITY_HOST=https://127.0.0.1:9

if $target_only; then
    # Sign-in comes from the environment, as an AWX credential would provide it.
    AZURE_TENANT_ID=$(field tenant) \
    AZURE_CLIENT_ID=$(field client_id) \
    AZURE_CLIENT_SECRET=$(field client_secret) \
        "$ROOT/.venv/bin/ansible-playbook" -i localhost, -c local "$ROOT/examples/try_it.yml" \
        -e graph_endpoint="$(field graph_endpoint)" -e ca_path="$(field ca_path)" ${args[@]+"${args[@]}"}
    printf 'try: done in %d s\n' $((SECONDS - started)) >&2
    cat >&2 <<'EOF'
try: that was examples/target_tenant.yml against the local emulator, which stops now. Next:
  - against your tenant: set AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, then
    ansible-playbook examples/target_tenant.yml -e source_tenant_id=<source tenant ID> --check --diff
  - both tenants in one playbook: bash scripts/try.sh (without --target-only)
  - what each step does: docs/docsite/rst/guide_target_tenant.rst
EOF
    exit 0
fi

# Both tenants' IDs and apps, and who is synchronized: the emulator's source tenant's first user and its
# Sales group. The file holds secrets; it stays in the private temporary directory.
"$PY" - "$info" >"$work/vars.json" <<'EOF'
import json
import sys

info = json.loads(sys.argv[1])
source, target = info["tenants"][0], info["tenants"][1]
sales = next(group for group in source["groups"] if group["displayName"] == "Sales")
print(json.dumps({
    "source_tenant_id": source["tenant"], "source_client_id": source["client_id"], "source_client_secret": source["client_secret"],
    "target_tenant_id": target["tenant"], "target_client_id": target["client_id"], "target_client_secret": target["client_secret"],
    "sync_assignments": [{"principal_id": source["users"][0]["id"], "principal_type": "user"},
                         {"principal_id": sales["id"], "principal_type": "group"}],
    "graph_endpoint": info["graph_endpoint"], "ca_path": info["ca_path"],
}))
EOF

play() {
    "$ROOT/.venv/bin/ansible-playbook" -i localhost, -c local "$ROOT/examples/cross_tenant_sync.yml" \
        -e @"$work/vars.json" ${args[@]+"${args[@]}"}
}

run_started=$SECONDS
play | tee "$work/first.log"
printf 'try: first run took %d s\n' $((SECONDS - run_started)) >&2
if $check; then
    printf 'try: that was a preview (check mode): nothing was written. Done in %d s\n' $((SECONDS - started)) >&2
    exit 0
fi

run_started=$SECONDS
play | tee "$work/second.log"
printf 'try: second run took %d s\n' $((SECONDS - run_started)) >&2
recap=$(grep -E '^localhost +:' "$work/second.log" | tail -n 1)
if [[ $recap != *" changed=0 "* ]]; then
    printf 'try: ERROR: the second run changed something: %s\n' "$recap" >&2
    exit 1
fi
printf 'try: the second run changed nothing\n' >&2

# What arrived in the target tenant, read with the target tenant's own app, as its administrators would.
"$PY" - "$info" <<'EOF'
import json
import sys

import msal
import requests

info = json.loads(sys.argv[1])
target = info["tenants"][1]
session = requests.Session()
session.trust_env = False
session.verify = info["ca_path"]
app = msal.ConfidentialClientApplication(
    target["client_id"], client_credential=target["client_secret"], authority="%s/%s" % (info["authority_host"], target["tenant"]),
    instance_discovery=False, http_client=session)
token = app.acquire_token_for_client(scopes=[info["scope"]])["access_token"]
url = "%s/v1.0/users?$select=id,displayName,userPrincipalName,userType,creationType,externalUserState" % info["graph_endpoint"]
print("try: GET %s in the target tenant %s:" % (url.split(info["graph_endpoint"], 1)[1], target["tenant"]), file=sys.stderr)
users = []
while url:
    page = session.get(url, headers={"Authorization": "Bearer " + token}, timeout=30)
    page.raise_for_status()
    users += page.json()["value"]
    url = page.json().get("@odata.nextLink")
arrived = [user for user in users if user.get("creationType") == "Invitation"]
for user in arrived:
    print("  %(displayName)s  %(userPrincipalName)s  userType=%(userType)s  id=%(id)s" % user)
print("try: %d synchronized user(s) among the target tenant's %d" % (len(arrived), len(users)), file=sys.stderr)
EOF

printf 'try: done in %d s\n' $((SECONDS - started)) >&2
cat >&2 <<'EOF'
try: that was examples/cross_tenant_sync.yml against the local emulator, which stops now. Next:
  - against your tenants: put the variables the playbook's header lists in a file, then
    ansible-playbook examples/cross_tenant_sync.yml -e @your.vars.yml --check --diff
  - what each step does, and the permissions each tenant's app needs: docs/docsite/rst/guide_cross_tenant_sync.rst
  - the target tenant alone: bash scripts/try.sh --target-only
EOF
