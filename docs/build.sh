#!/usr/bin/env bash
# Build the entra.graph documentation site: the modules' own documentation plus the guides in
# docs/docsite/, rendered by antsibull-docs and Sphinx into HTML. Works offline.
#
#   bash docs/build.sh          # from anywhere; writes build/docs/html/index.html
#
# Steps:
#   1. build the collection tarball and install it into a scratch collections path, so that the
#      site documents exactly what users install (and nothing else installed on this machine);
#   2. lint the plugin docs and the guides (antsibull-docs lint-collection-docs);
#   3. generate a Sphinx project (antsibull-docs sphinx-init) whose intersphinx mapping uses a local
#      inventory, so nothing is fetched from the internet;
#   4. render the collection to RST (antsibull-docs collection) and build the HTML with Sphinx,
#      warnings being errors.
#
# Environment:
#   PYTHON        the Python whose environment has ansible-core and antsibull-docs (default: python3,
#                 the first on PATH, normally the project's virtual environment)
#   DOCS_OUT      output folder (default: build/docs in the repository, which git ignores)
#   DOCS_INSTALL  "no" to fail when Sphinx, the theme or antsibull-docs are missing, instead of
#                 pip-installing docs/requirements.txt into PYTHON's environment (the default)
set -euo pipefail

DOCS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$DOCS_DIR")
OUT=${DOCS_OUT:-$ROOT/build/docs}
PYTHON=${PYTHON:-python3}
COLLECTION=entra.graph

log() {
    printf 'docs: %s\n' "$*" >&2
}

die() {
    printf 'docs: ERROR: %s\n' "$*" >&2
    exit 1
}

command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found; put the project's virtual environment on PATH or set PYTHON"
# The tools are console scripts next to the interpreter; make sure they are the ones found.
BIN=$("$PYTHON" -c 'import os, sys; print(os.path.dirname(sys.executable))')
export PATH="$BIN:$PATH"

# --- tools ---------------------------------------------------------------------------------------

"$PYTHON" -c 'import ansible' 2>/dev/null || die "ansible-core is not installed in $PYTHON's environment"
missing=$("$PYTHON" - <<'EOF'
import importlib.util
modules = ('antsibull_docs', 'sphinx', 'sphinx_ansible_theme', 'ansible_pygments')
print(' '.join(m for m in modules if importlib.util.find_spec(m) is None))
EOF
)
if [[ -n $missing ]]; then
    [[ ${DOCS_INSTALL:-yes} != no ]] || die "missing Python packages for the docs: $missing (pip install -r docs/requirements.txt)"
    log "installing docs tools from docs/requirements.txt (missing: $missing)"
    "$PYTHON" -m pip install --disable-pip-version-check --quiet -r "$DOCS_DIR/requirements.txt"
fi
for tool in ansible-galaxy antsibull-docs; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found next to $PYTHON"
done

# --- a scratch installation of the collection -----------------------------------------------------

rm -rf "$OUT/dist" "$OUT/collections" "$OUT/no-collections" "$OUT/site" "$OUT/html"
mkdir -p "$OUT/dist" "$OUT/collections" "$OUT/tmp"

# Only the scratch path: no other copy of the collection (in ~/.ansible, in site-packages) can be documented.
export ANSIBLE_COLLECTIONS_PATH=$OUT/collections
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_LOCAL_TEMP=$OUT/tmp
export ANSIBLE_NOCOLOR=1

log "building and installing the $COLLECTION tarball"
ansible-galaxy collection build "$ROOT" --output-path "$OUT/dist" >/dev/null
tarballs=("$OUT"/dist/*.tar.gz)
((${#tarballs[@]} == 1)) || die "expected one tarball in $OUT/dist, found ${#tarballs[@]}"
ansible-galaxy collection install --force -p "$OUT/collections" "${tarballs[0]}" >/dev/null
INSTALLED=$OUT/collections/ansible_collections/${COLLECTION/.//}
[[ -f $INSTALLED/MANIFEST.json ]] || die "the collection was not installed at $INSTALLED"

# --- lint ------------------------------------------------------------------------------------------

# The linter copies the collection to a temporary folder and documents that copy. It must not see
# another installed copy of entra.graph (such as the scratch one): it may then take the collection's
# metadata from that one, compute bogus "edit on GitHub" paths through the temporary folder, and fail
# at random when that folder's name ends with "_" (an RST reference). So it runs with no collections.
log "antsibull-docs lint-collection-docs (plugin docs and guides)"
mkdir -p "$OUT/no-collections"
(
    cd "$ROOT"
    ANSIBLE_COLLECTIONS_PATH=$OUT/no-collections antsibull-docs lint-collection-docs \
        --plugin-docs --check-extra-docs-refs --validate-collection-refs all --disallow-unknown-collection-refs .
)

# --- Sphinx project --------------------------------------------------------------------------------

# antsibull-docs wants destination folders that only their owner can write to.
mkdir -m 700 "$OUT/site"
log "generating the Sphinx project in ${OUT#"$ROOT"/}/site"
antsibull-docs sphinx-init --use-current --dest-dir "$OUT/site" \
    --project "$COLLECTION" --copyright 'entra.graph contributors' \
    --title 'entra.graph collection documentation' --html-short-title "$COLLECTION" \
    --index-rst-source "$DOCS_DIR/site_index.rst" \
    --no-add-antsibull-docs-version \
    "$COLLECTION" >/dev/null
# The generated conf.py would download intersphinx inventories from docs.python.org and
# docs.ansible.com. Instead, write a small local inventory of the Ansible documentation labels the
# generated pages refer to, so that those links still point at docs.ansible.com.
"$PYTHON" - "$OUT/site/ansible_devel.inv" <<'EOF'
import sys
import zlib

# name, domain:role, uri, title; antsibull-docs' module pages and indexes refer to these labels.
LABELS = (
    ('common_return_values', 'std:label', 'reference_appendices/common_return_values.html', 'Return Values'),
    ('ansible_configuration_settings', 'std:label', 'reference_appendices/config.html', 'Ansible Configuration Settings'),
    ('list_of_collections', 'std:label', 'collections/index.html', 'Collection Index'),
)
body = ''.join('%s %s -1 %s %s\n' % entry for entry in LABELS)
with open(sys.argv[1], 'wb') as handle:
    handle.write(b'# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
                 b'# The remainder of this file is compressed using zlib.\n')
    handle.write(zlib.compress(body.encode('utf-8')))
EOF
cat >>"$OUT/site/conf.py" <<'EOF'

# Added by entra.graph's docs/build.sh: build offline, with a local inventory for docs.ansible.com.
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '../ansible_devel.inv'),
}
EOF

log "rendering the collection to RST"
mkdir -p "$OUT/site/rst"
chmod 700 "$OUT/site/rst"
antsibull-docs --config-file "$OUT/site/antsibull-docs.cfg" collection \
    --use-current --fail-on-error --cleanup everything \
    --dest-dir "$OUT/site/rst" "$COLLECTION"

log "building the HTML with Sphinx"
"$PYTHON" -m sphinx -b html -c "$OUT/site" -W --keep-going -q -d "$OUT/site/doctrees" \
    "$OUT/site/rst" "$OUT/html"

log "done: ${OUT}/html/index.html"
