#!/usr/bin/env bash
# Try entra.graph in a minute, without a tenant: set up .venv, start the local
# Microsoft Entra ID + Graph emulator, build and install the collection the way a
# user gets it, and run examples/try_it.yml against the emulator: the target-tenant
# job of examples/target_tenant.yml twice (the second run changes nothing), then
# the objects it made, read back.
#
# Usage: bash scripts/try.sh [extra ansible-playbook arguments, e.g. -v or --check --diff]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/bootstrap.sh
PY="$ROOT/.venv/bin/python"

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

"$PY" -m tests.emulator --port 0 --state-dir "$work/emulator" >"$work/emulator.out" 2>"$work/emulator.err" &
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

# Sign-in comes from the environment, as an AWX credential would provide it.
AZURE_TENANT_ID=$(field tenant) \
AZURE_CLIENT_ID=$(field client_id) \
AZURE_CLIENT_SECRET=$(field client_secret) \
AZURE_AUTHORITY_HOST=$(field authority_host) \
AZURE_POD_IDENTITY_AUTHORITY_HOST=https://127.0.0.1:9 \
ANSIBLE_COLLECTIONS_PATH="$work/collections" \
ANSIBLE_PYTHON_INTERPRETER="$PY" \
    "$ROOT/.venv/bin/ansible-playbook" -i localhost, -c local "$ROOT/examples/try_it.yml" \
    -e graph_endpoint="$(field graph_endpoint)" -e ca_path="$(field ca_path)" "$@"

cat >&2 <<'EOF'
try: that was examples/target_tenant.yml against the local emulator, which stops now. Next:
  - against your tenant: set AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, then
    ansible-playbook examples/target_tenant.yml -e source_tenant_id=<source tenant ID> --check --diff
  - what each step does, and the source tenant's part: docs/docsite/rst/guide_target_tenant.rst
EOF
