#!/usr/bin/env bash
# Run every test of the entra.graph collection; on a fresh machine, this sets up what it needs first.
#
#   bash scripts/test.sh               every stage
#   bash scripts/test.sh sanity units  only those stages (see --list)
#
# Stages run in order, each timed; a failing stage does not stop the ones after it. The last line
# printed is "N passed, N failed" (", N skipped" when a stage had nothing to check yet), counting
# stages, and the exit status is non-zero when any stage failed. Each stage's output is also kept
# in build/test-logs/<stage>.log.
#
# ansible-test needs the collection laid out as .../ansible_collections/entra/graph, so the setup
# stage copies the repo's files (tracked, and untracked but not ignored) to
# build/ansible_collections/entra/graph, and ansible-test, ansible-lint and the docs, changelog and
# execution environment checks work on that copy.
#
# Environment: CI=true (or no terminal) turns colour off; PYTHON is passed on to scripts/bootstrap.sh.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

# ansible-core series ansible-test sanity runs on. The first is the one in .venv (pinned in
# requirements-dev.txt); each other one gets its own .venv-core-X.Y. All run on Python 3.11:
# 2.17 is the oldest that meta/runtime.yml's requires_ansible admits, 2.19 the newest for 3.11.
CORE_SERIES=(2.19 2.18 2.17)
ALL_STAGES=()
for series in "${CORE_SERIES[@]}"; do
    ALL_STAGES+=("sanity-$series")
done
ALL_STAGES+=(units e2e lint docs changelog build ee)

BUILD=$ROOT/build
COLLECTIONS=$BUILD/collections
STAGED=$COLLECTIONS/ansible_collections/entra/graph
LOGS=$BUILD/test-logs
VENV=$ROOT/.venv

usage() {
    cat <<EOF
usage: bash scripts/test.sh [STAGE...]

Stages, in the order they run (default: all):
  sanity-X.Y  ansible-test sanity --venv on ansible-core X.Y (${CORE_SERIES[*]}); "sanity" = all of them
  units       ansible-test units --venv (tests/unit)
  e2e         pytest tests/e2e (real playbooks against the local Graph emulator)
  lint        ansible-lint, production profile (.ansible-lint)
  docs        the docs site build (docs/build.sh), or antsibull-docs lint-collection-docs until it exists
  changelog   antsibull-changelog lint (when changelogs/config.yaml exists)
  build       ansible-galaxy collection build: the tarball ships no caches or tooling, installs,
              every module's documentation renders and every module imports
  ee          ansible-builder introspect; create the build context of an execution environment
              holding the tarball, and of each execution-environment.yml the repo ships
              (when meta/execution-environment.yml exists)
EOF
}

if [[ ${CI:-} == true || ! -t 1 ]]; then
    COLOR=no
    export NO_COLOR=1 ANSIBLE_NOCOLOR=1 PY_COLORS=0
    unset FORCE_COLOR ANSIBLE_FORCE_COLOR
    BOLD='' RED='' GREEN='' YELLOW='' RESET=''
else
    COLOR=yes
    BOLD=$'\e[1m' RED=$'\e[31m' GREEN=$'\e[32m' YELLOW=$'\e[33m' RESET=$'\e[0m'
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

# --- which stages --------------------------------------------------------------------------------

selected=()
for arg in "$@"; do
    case $arg in
        -h | --help)
            usage
            exit 0
            ;;
        --list)
            printf '%s\n' "${ALL_STAGES[@]}"
            exit 0
            ;;
        sanity)
            for series in "${CORE_SERIES[@]}"; do
                selected+=("sanity-$series")
            done
            ;;
        *)
            if [[ " ${ALL_STAGES[*]} " != *" $arg "* ]]; then
                printf 'test.sh: unknown stage: %s\n\n' "$arg" >&2
                usage >&2
                exit 2
            fi
            selected+=("$arg")
            ;;
    esac
done
if ((${#selected[@]} == 0)); then
    selected=("${ALL_STAGES[@]}")
fi
# run in the canonical order, each once
stages=()
for stage in "${ALL_STAGES[@]}"; do
    if [[ " ${selected[*]} " == *" $stage "* ]]; then
        stages+=("$stage")
    fi
done

# --- helpers -------------------------------------------------------------------------------------

now_ms() {
    local t=${EPOCHREALTIME/[.,]/}
    printf '%s' $((t / 1000))
}

seconds() {  # milliseconds -> "12.3s"
    printf '%d.%ds' $(($1 / 1000)) $(($1 % 1000 / 100))
}

# A stage calls skip when what it checks does not exist yet; it then counts as skipped, not passed.
skip() {
    printf 'SKIPPED: %s\n' "$*"
    printf '%s' "$*" >"$SKIP_MARK"
    exit 0
}

python_version() {
    "$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])'
}

has_files() {  # DIR NAME-PATTERN: is there such a file under DIR?
    [[ -d $1 ]] && [[ -n $(find "$1" -name "$2" -type f -print -quit) ]]
}

# Copy the repo's files (git-tracked, and untracked but not ignored) to $STAGED, afresh. The copy is
# a git repository of its own (nothing committed) so that ansible-test lists its files with git, as
# it would in a checkout, instead of finding the enclosing repo, where build/ is ignored.
stage_tree() {
    rm -rf "$STAGED"
    mkdir -p "$STAGED"
    if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' path; do
                # tracked files deleted in the work tree are still listed
                if [[ -e $path || -L $path ]]; then
                    printf '%s\0' "$path"
                fi
            done |
            tar -C "$ROOT" --null --no-recursion --ignore-failed-read --warning=no-file-changed -T - -cf - |
            tar -C "$STAGED" -xf -
    else
        tar -C "$ROOT" --exclude=./build --exclude='./.venv*' --exclude=./.git \
            --exclude='*/tests/output' --exclude='__pycache__' -cf - . |
            tar -C "$STAGED" -xf -
    fi
    git -C "$STAGED" init --quiet
}

# --- stages --------------------------------------------------------------------------------------

stage_setup() {
    local older=() stage
    for stage in "${stages[@]}"; do
        if [[ $stage == sanity-* && $stage != "sanity-${CORE_SERIES[0]}" ]]; then
            older+=("${stage#sanity-}")
        fi
    done
    bash "$ROOT/scripts/bootstrap.sh" "${older[@]}"
    stage_tree
    echo "staged the collection at ${STAGED#"$ROOT"/} ($(find "$STAGED" -path "$STAGED/.git" -prune -o -type f -print | wc -l) files)"
}

sanity() {  # X.Y
    local series=$1 venv=$VENV
    if [[ $series != "${CORE_SERIES[0]}" ]]; then
        venv=$ROOT/.venv-core-$series
    fi
    "$venv/bin/ansible-test" --version
    cd "$STAGED"
    # The bar is a clean run: no entries in ignore files (fix the code instead).
    local ignores
    ignores=$(grep -sHvE '^[[:space:]]*(#|$)' tests/sanity/ignore-*.txt || true)
    if [[ -n $ignores ]]; then
        printf 'tests/sanity ignore files have entries; fix the code instead of ignoring it:\n%s\n' "$ignores"
        return 1
    fi
    "$venv/bin/ansible-test" sanity --venv --python "$(python_version)" --requirements --color "$COLOR"
}

stage_units() {
    cd "$STAGED"
    has_files tests/unit 'test_*.py' || skip "no tests in tests/unit yet"
    "$VENV/bin/ansible-test" units --venv --python "$(python_version)" --requirements --color "$COLOR"
}

stage_e2e() {
    has_files tests/e2e 'test_*.py' || skip "no tests in tests/e2e yet"
    "$VENV/bin/python" -m pytest tests/e2e --color "$COLOR"
}

stage_lint() {
    # ansible-lint resolves entra.graph.* through the staged copy, and lints from there too, so
    # that what it writes (its .ansible/ cache) stays under build/. Its own ANSIBLE_HOME keeps
    # a copy of entra.graph installed in ~/.ansible/collections from shadowing the staged one
    # (ansible-lint puts $ANSIBLE_HOME/collections first).
    export ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS ANSIBLE_HOME=$BUILD/ansible-lint-home
    cd "$STAGED"
    ansible-lint --version
    ansible-lint
}

stage_docs() {
    export ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS
    local script=''
    if [[ -d $STAGED/docs ]]; then
        script=$(cd "$STAGED" && find docs -maxdepth 2 -name build.sh -type f -print -quit)
    fi
    if [[ -z $script ]]; then
        echo "no antsibull-docs build script (docs/build.sh or docs/*/build.sh) yet; linting the plugin docs only"
        (cd "$STAGED" && antsibull-docs lint-collection-docs --plugin-docs .)
        echo "antsibull-docs lint-collection-docs --plugin-docs: no errors"
        return 0
    fi
    local site
    site=$STAGED/$(dirname "$script")
    # antsibull-docs sphinx-init puts the site's own requirements (Sphinx, its theme) beside build.sh
    if [[ -f $site/requirements.txt ]]; then
        local want stamp=$VENV/.docs-requirements-stamp
        want=$(sha256sum "$site/requirements.txt" | cut -d' ' -f1)
        if [[ ! -f $stamp || $(<"$stamp") != "$want" ]]; then
            python -m pip install --quiet -r "$site/requirements.txt"
            printf '%s' "$want" >"$stamp"
        fi
    fi
    echo "building the docs site with $script (output in ${BUILD#"$ROOT"/}/docs)"
    (cd "$site" && PYTHON=$VENV/bin/python DOCS_OUT=$BUILD/docs bash ./build.sh)
}

stage_changelog() {
    cd "$STAGED"
    [[ -f changelogs/config.yaml ]] || skip "no changelogs/config.yaml yet"
    antsibull-changelog lint
    if [[ -f changelogs/changelog.yaml ]]; then
        antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
    fi
}

# Build the collection tarball from the staged copy into $BUILD/dist, once per run.
build_tarball() {
    if ! compgen -G "$BUILD/dist/entra-graph-*.tar.gz" >/dev/null; then
        rm -rf "$BUILD/dist"
        mkdir -p "$BUILD/dist"
        ansible-galaxy collection build "$STAGED" --output-path "$BUILD/dist"
    fi
    TARBALL=$(compgen -G "$BUILD/dist/entra-graph-*.tar.gz" | head -n 1)
}

stage_build() {
    rm -rf "$BUILD/dist"
    build_tarball
    local listing unwanted
    listing=$(tar -tzf "$TARBALL")
    # the tarball holds the collection only: no VCS data, caches, virtual environments, build
    # output, CI or developer tooling
    unwanted=$(grep -E -e '(^|/)(\.git|\.venv[^/]*|__pycache__|\.pytest_cache|\.hypothesis|\.cache|\.ansible)(/|$)' \
        -e '^(\.ci|build|dist|scripts|tests/output)(/|$)' \
        -e '^(\.gitignore|\.ansible-lint|pytest\.ini|requirements-dev\.txt)$' \
        -e '\.(py[co]|tar\.gz|whl)$' <<<"$listing" || true)
    if [[ -n $unwanted ]]; then
        printf 'the tarball holds files a collection should not ship (see build_ignore in galaxy.yml):\n%s\n' "$unwanted"
        return 1
    fi
    echo "${TARBALL#"$ROOT"/}: $(wc -l <<<"$listing") entries, $(du -k "$TARBALL" | cut -f1) KiB"

    # install it as a user would; every module's documentation renders and every module imports
    local dest=$BUILD/dist/collections modules=() name
    ansible-galaxy collection install --force --collections-path "$dest" "$TARBALL"
    for name in "$dest"/ansible_collections/entra/graph/plugins/modules/*.py; do
        name=$(basename "$name" .py)
        if [[ $name != __init__ && $name != '*' ]]; then
            modules+=("$name")
        fi
    done
    if ((${#modules[@]} == 0)); then
        echo "the tarball holds no modules"
        return 1
    fi
    for name in "${modules[@]}"; do
        ANSIBLE_COLLECTIONS_PATH=$dest ansible-doc -t module "entra.graph.$name" >/dev/null
        (cd "$BUILD" && PYTHONPATH=$dest python -c 'import importlib, sys; importlib.import_module(sys.argv[1])' \
            "ansible_collections.entra.graph.plugins.modules.$name")
        echo "entra.graph.$name: documentation renders, module imports"
    done
}

stage_ee() {
    [[ -f $STAGED/meta/execution-environment.yml ]] || skip "no meta/execution-environment.yml yet"

    # what ansible-builder's introspection (which every EE build runs) finds for this collection
    local found
    found=$(ansible-builder introspect "$COLLECTIONS")
    printf '%s\n' "$found"
    if ! grep -q 'from collection entra.graph' <<<"$found"; then
        echo "ansible-builder introspect found no Python requirements of entra.graph (meta/execution-environment.yml)"
        return 1
    fi

    # the build context of an execution environment that installs this collection's tarball
    build_tarball
    local ee=$BUILD/ee tarball_name requires
    tarball_name=$(basename "$TARBALL")
    requires=$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["requires_ansible"])' \
        "$STAGED/meta/runtime.yml")
    rm -rf "$ee"
    mkdir -p "$ee"
    cp "$TARBALL" "$ee/"
    cat >"$ee/execution-environment.yml" <<END
---
# written by scripts/test.sh: an execution environment holding entra.graph from its tarball
version: 3
images:
  base_image:
    name: ghcr.io/ansible-community/community-ee-base:latest
dependencies:
  ansible_core:
    package_pip: "ansible-core$requires"
  ansible_runner:
    package_pip: ansible-runner
  galaxy:
    collections:
      - name: collections/$tarball_name
        type: file
additional_build_files:
  - src: $tarball_name
    dest: collections
END
    cat "$ee/execution-environment.yml"
    ansible-builder create --file "$ee/execution-environment.yml" --context "$ee/context"
    test -f "$ee/context/_build/collections/$tarball_name"
    test -f "$ee/context/_build/requirements.yml"

    # and the build context of each execution environment definition the repo ships (examples)
    local definition n=0
    while IFS= read -r -d '' definition; do
        n=$((n + 1))
        echo "ansible-builder create: ${definition#"$STAGED"/}"
        (cd "$(dirname "$definition")" &&
            ansible-builder create --file "$(basename "$definition")" --context "$ee/repo-$n")
    done < <(find "$STAGED" \( -path "$STAGED/meta" -o -path "$STAGED/build" -o -path "$STAGED/tests/output" \
        -o -path "$STAGED/.git" \) -prune -o -type f \( -name execution-environment.yml -o -name execution-environment.yaml \) -print0)
}

# --- run -----------------------------------------------------------------------------------------

mkdir -p "$LOGS"
# One run at a time per checkout: a second one would re-stage the tree under the first.
exec 8>"$BUILD/.test.lock"
if command -v flock >/dev/null 2>&1 && ! flock --nonblock 8; then
    echo "test.sh: waiting for another scripts/test.sh run in this checkout to finish" >&2
    flock 8
fi
SKIP_MARK=$LOGS/.skipped
export PATH="$VENV/bin:$PATH"

passed=0 failed=0 skipped=0
summary=()

dispatch() {  # NAME: run that stage
    case $1 in
        setup) stage_setup ;;
        sanity-*) sanity "${1#sanity-}" ;;
        units) stage_units ;;
        e2e) stage_e2e ;;
        lint) stage_lint ;;
        docs) stage_docs ;;
        changelog) stage_changelog ;;
        build) stage_build ;;
        ee) stage_ee ;;
        *)
            echo "no such stage: $1" >&2
            return 2
            ;;
    esac
}

run_stage() {  # NAME
    local name=$1 rc start elapsed result
    printf '\n%s==> %s%s\n' "$BOLD" "$name" "$RESET"
    rm -f "$SKIP_MARK"
    start=$(now_ms)
    (
        set -e
        dispatch "$name"
    ) </dev/null 8>&- 2>&1 | tee "$LOGS/$name.log"
    rc=${PIPESTATUS[0]}
    elapsed=$(seconds $(($(now_ms) - start)))
    if ((rc != 0)); then
        failed=$((failed + 1))
        result=FAILED
        printf '%s==> %s FAILED (exit %d) after %s; log: %s%s\n' "$RED" "$name" "$rc" "$elapsed" "${LOGS#"$ROOT"/}/$name.log" "$RESET"
    elif [[ -f $SKIP_MARK ]]; then
        skipped=$((skipped + 1))
        result="skipped ($(<"$SKIP_MARK"))"
        printf '%s==> %s skipped after %s%s\n' "$YELLOW" "$name" "$elapsed" "$RESET"
    else
        passed=$((passed + 1))
        result=passed
        printf '%s==> %s passed in %s%s\n' "$GREEN" "$name" "$elapsed" "$RESET"
    fi
    summary+=("$(printf '%-12s %8s  %s' "$name" "$elapsed" "$result")")
    return "$rc"
}

finish() {
    printf '\n%sSummary%s (%s total)\n' "$BOLD" "$RESET" "$(seconds $(($(now_ms) - suite_start)))"
    printf '  %s\n' "${summary[@]}"
    if ((skipped > 0)); then
        printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
    else
        printf '%d passed, %d failed\n' "$passed" "$failed"
    fi
    exit $((failed > 0))
}

suite_start=$(now_ms)
# (not in an if: a condition would switch off set -e inside the stage)
run_stage setup
if ((failed > 0)); then
    echo "setup failed; no test stage can run" >&2
    finish
fi
for name in "${stages[@]}"; do
    run_stage "$name"
done
finish
