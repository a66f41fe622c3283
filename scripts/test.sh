#!/usr/bin/env bash
# Run every test of the entra.graph collection; on a fresh machine, this sets up what it needs first.
#
#   bash scripts/test.sh               every stage but the opt-in ones
#   bash scripts/test.sh sanity units  only those stages (see --help and --list)
#
# Stages run in order, each timed; a failing stage does not stop the ones after it. The last line
# printed is "N passed, N failed", counting stages, and the exit status is non-zero when any stage
# failed. Each stage's output is also kept in build/test-logs/<stage>.log.
#
# ansible-test needs the collection laid out as .../ansible_collections/entra/graph, so the setup
# stage copies the repo's files (tracked, and untracked but not ignored) to
# build/collections/ansible_collections/entra/graph; every stage but e2e and sdk works on that copy.
#
# Environment: CI=true (or no terminal) turns colour off; PYTHON is passed on to scripts/bootstrap.sh.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

# The supported ansible-core series, oldest first, each with the Python it is tested on (README.md,
# "Supported versions"). The oldest runs from .venv (requirements-dev.txt pins it there, with the
# lint, docs and build tools); each other one from .venv-core-X.Y. Sanity and units run on every
# series, e2e on the oldest and the newest.
CORE=(2.19=3.11 2.20=3.12 2.21=3.13)
OLDEST=${CORE[0]%=*}
NEWEST=${CORE[-1]%=*}

ALL_STAGES=()
for kind in sanity units; do
    for entry in "${CORE[@]}"; do
        ALL_STAGES+=("$kind-${entry%=*}")
    done
done
ALL_STAGES+=("e2e-$OLDEST" "e2e-$NEWEST" coverage lint docs changelog build ee)
OPT_IN_STAGES=(sdk)

BUILD=$ROOT/build
COLLECTIONS=$BUILD/collections
STAGED=$COLLECTIONS/ansible_collections/entra/graph
LOGS=$BUILD/test-logs
VENV=$ROOT/.venv

usage() {
    cat <<EOF
usage: bash scripts/test.sh [STAGE...]

Stages, in the order they run (default: all but the opt-in ones):
  sanity-X.Y  ansible-test sanity on ansible-core X.Y ($(printf '%s ' "${CORE[@]}")| series=Python)
  units-X.Y   ansible-test units on ansible-core X.Y (tests/unit); units-$OLDEST measures coverage
  e2e-X.Y     pytest tests/e2e with ansible-core X.Y ($OLDEST and $NEWEST): real playbooks and an
              ansible-runner job against the local Graph emulator; measures the modules' coverage
  coverage    ansible-test coverage: units and e2e combined, report and HTML in build/coverage
              (run it together with units-$OLDEST and the e2e stages)
  lint        ansible-lint (production profile, .ansible-lint) and ruff (ruff.toml)
  docs        the docs site (docs/build.sh) into build/docs
  changelog   antsibull-changelog lint
  build       ansible-galaxy collection build: the tarball ships only the collection's files,
              installs, every module's documentation renders and every module imports
  ee          ansible-builder introspect, and the build context of tests/ee/execution-environment.yml
              (this tarball, ansible-core $NEWEST) and of each execution-environment.yml under docs/
"sanity", "units" and "e2e" name all stages of that kind.
Opt-in stages (run only when named):
  sdk         pytest tests/sdk in .venv-sdk (tests/sdk/requirements.txt: the Microsoft Graph SDKs)
EOF
}

if [[ ${CI:-} == true || ! -t 1 ]]; then
    COLOR=no
    export NO_COLOR=1 ANSIBLE_NOCOLOR=1 PY_COLORS=0
    unset FORCE_COLOR ANSIBLE_FORCE_COLOR
    BOLD='' RED='' GREEN='' RESET=''
else
    COLOR=yes
    BOLD=$'\e[1m' RED=$'\e[31m' GREEN=$'\e[32m' RESET=$'\e[0m'
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
        sanity | units | e2e)
            for stage in "${ALL_STAGES[@]}"; do
                [[ $stage == "$arg"-* ]] && selected+=("$stage")
            done
            ;;
        *)
            if [[ " ${ALL_STAGES[*]} ${OPT_IN_STAGES[*]} " != *" $arg "* ]]; then
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
for stage in "${ALL_STAGES[@]}" "${OPT_IN_STAGES[@]}"; do
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

python_of() {  # X.Y -> the Python version that series is tested on
    local entry
    for entry in "${CORE[@]}"; do
        [[ ${entry%=*} == "$1" ]] && printf '%s' "${entry#*=}" && return 0
    done
    return 1
}

venv_of() {  # X.Y -> the venv holding that ansible-core series
    if [[ $1 == "$OLDEST" ]]; then
        printf '%s' "$VENV"
    else
        printf '%s' "$ROOT/.venv-core-$1"
    fi
}

# Copy the repo's files (git-tracked, and untracked but not ignored) to $STAGED, afresh. The copy is
# a git repository of its own (nothing committed) so that ansible-test lists its files with git, as
# it would in a checkout, instead of finding the enclosing repo, where build/ is ignored.
stage_tree() {
    rm -rf "$STAGED"
    mkdir -p "$STAGED"
    git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' path; do
            # tracked files deleted in the work tree are still listed
            if [[ -e $path || -L $path ]]; then
                printf '%s\0' "$path"
            fi
        done |
        tar -C "$ROOT" --null --no-recursion --ignore-failed-read --warning=no-file-changed -T - -cf - |
        tar -C "$STAGED" -xf -
    git -C "$STAGED" init --quiet
}

# ansible-test of series X.Y, with that venv's bin first on PATH so that its Python is the one
# ansible-test finds and makes its own venvs from.
ansible_test() {  # X.Y ARGS...
    local venv
    venv=$(venv_of "$1")
    shift
    (cd "$STAGED" && PATH="$venv/bin:$PATH" "$venv/bin/ansible-test" "$@")
}

# --- stages --------------------------------------------------------------------------------------

stage_setup() {
    local wanted=() entry
    for entry in "${CORE[@]:1}"; do
        if [[ " ${stages[*]} " == *-"${entry%=*} "* ]]; then
            wanted+=("$entry")
        fi
    done
    if [[ " ${stages[*]} " == *" sdk "* ]]; then
        wanted+=(sdk)
    fi
    bash "$ROOT/scripts/bootstrap.sh" "${wanted[@]}"
    stage_tree
    echo "staged the collection at ${STAGED#"$ROOT"/} ($(find "$STAGED" -path "$STAGED/.git" -prune -o -type f -print | wc -l) files)"
}

stage_sanity() {  # X.Y
    ansible_test "$1" --version
    # The bar is a clean run: no entries in ignore files (fix the code instead).
    local ignores
    ignores=$(cd "$STAGED" && grep -sHvE '^[[:space:]]*(#|$)' tests/sanity/ignore-*.txt || true)
    if [[ -n $ignores ]]; then
        printf 'tests/sanity ignore files have entries; fix the code instead of ignoring it:\n%s\n' "$ignores"
        return 1
    fi
    ansible_test "$1" sanity --venv --python "$(python_of "$1")" --requirements --color "$COLOR"
}

stage_units() {  # X.Y
    local coverage=()
    # the oldest series measures coverage for the coverage stage
    [[ $1 == "$OLDEST" ]] && coverage=(--coverage)
    ansible_test "$1" units --venv --python "$(python_of "$1")" --requirements --color "$COLOR" "${coverage[@]}"
}

stage_e2e() {  # X.Y
    local venv
    venv=$(venv_of "$1")
    "$venv/bin/ansible" --version | head -n 1
    # ansible-core's AnsiballZ coverage hook: each module a playbook runs writes coverage data where
    # ansible-test's coverage commands look for it (tests/output/coverage of the staged copy).
    local output=$STAGED/tests/output/coverage
    mkdir -p "$output"
    printf '[run]\nbranch = True\nparallel = True\ninclude = */ansible_collections/entra/graph/plugins/*\n' >"$BUILD/e2e-coveragerc"
    export _ANSIBLE_ANSIBALLZ_COVERAGE_CONFIG="{\"config\": \"$BUILD/e2e-coveragerc\", \"output\": \"$output/e2e=$1=controller\"}"
    "$venv/bin/python" -m pytest tests/e2e --color "$COLOR"
}

stage_coverage() {
    if ! compgen -G "$STAGED/tests/output/coverage/*=coverage.*" >/dev/null; then
        echo "no coverage data: run this stage together with units-$OLDEST and the e2e stages"
        return 1
    fi
    local out=$BUILD/coverage
    rm -rf "$out"
    mkdir -p "$out"
    ansible_test "$OLDEST" coverage combine --venv --requirements --color "$COLOR"
    ansible_test "$OLDEST" coverage html --venv --color "$COLOR" --include 'plugins/*'
    cp -r "$STAGED/tests/output/reports/coverage" "$out/html"
    ansible_test "$OLDEST" coverage report --venv --color "$COLOR" --include 'plugins/*' --show-missing | tee "$out/report.txt"
    echo "coverage of plugins/ (units on $OLDEST, e2e on $OLDEST and $NEWEST): $(awk '/^TOTAL/ {print $NF}' "$out/report.txt")"
    echo "report: ${out#"$ROOT"/}/report.txt, HTML: ${out#"$ROOT"/}/html/index.html"
}

stage_lint() {
    # ansible-lint resolves entra.graph.* through the staged copy, and lints from there too, so
    # that what it writes (its .ansible/ cache) stays under build/. Its own ANSIBLE_HOME keeps
    # a copy of entra.graph installed in ~/.ansible/collections from shadowing the staged one
    # (ansible-lint puts $ANSIBLE_HOME/collections first).
    cd "$STAGED"
    ansible-lint --version
    ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS ANSIBLE_HOME=$BUILD/ansible-lint-home ansible-lint
    ruff --version
    ruff check --no-cache .
}

stage_docs() {
    cd "$STAGED"
    PYTHON=$VENV/bin/python DOCS_OUT=$BUILD/docs bash docs/build.sh
}

stage_changelog() {
    cd "$STAGED"
    antsibull-changelog lint
    antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
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
    # galaxy.yml's build_ignore decides what ships; here, check that the tarball holds nothing but
    # the collection's own files (git-tracked or new, as staged): no cache, venv or build output
    local listing stray
    listing=$(tar -tzf "$TARBALL")
    stray=$(grep -v -e '/$' -e '^MANIFEST\.json$' -e '^FILES\.json$' <<<"$listing" |
        while IFS= read -r path; do
            [[ -f $STAGED/$path ]] || printf '%s\n' "$path"
        done)
    if [[ -n $stray ]]; then
        printf 'the tarball holds files that are not part of the collection:\n%s\n' "$stray"
        return 1
    fi
    echo "${TARBALL#"$ROOT"/}: $(wc -l <<<"$listing") entries, $(du -k "$TARBALL" | cut -f1) KiB"

    # install it as a user would; every module's documentation renders and every module imports
    local dest=$BUILD/dist/collections modules=() name
    ansible-galaxy collection install --force --collections-path "$dest" "$TARBALL"
    for name in "$dest"/ansible_collections/entra/graph/plugins/modules/*.py; do
        name=$(basename "$name" .py)
        [[ $name != __init__ ]] && modules+=("$name")
    done
    for name in "${modules[@]}"; do
        ANSIBLE_COLLECTIONS_PATH=$dest ansible-doc -t module "entra.graph.$name" >/dev/null
        (cd "$BUILD" && PYTHONPATH=$dest python -c 'import importlib, sys; importlib.import_module(sys.argv[1])' \
            "ansible_collections.entra.graph.plugins.modules.$name")
        echo "entra.graph.$name: documentation renders, module imports"
    done
}

stage_ee() {
    # what ansible-builder's introspection (which every EE build runs) finds for this collection
    local found
    found=$(ansible-builder introspect "$COLLECTIONS")
    printf '%s\n' "$found"
    if ! grep -q 'from collection entra.graph' <<<"$found"; then
        echo "ansible-builder introspect found no Python requirements of entra.graph (meta/execution-environment.yml)"
        return 1
    fi

    # the build context of an execution environment holding this tarball, on the newest ansible-core
    local ee=$BUILD/ee definition=$STAGED/tests/ee/execution-environment.yml pin
    pin=$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["dependencies"]["ansible_core"]["package_pip"])' "$definition")
    if [[ $pin != "ansible-core==$NEWEST.*" ]]; then
        echo "${definition#"$STAGED"/} installs $pin; it should pin the newest tested series, ansible-core==$NEWEST.*"
        return 1
    fi
    build_tarball
    rm -rf "$ee"
    mkdir -p "$ee"
    cp "$definition" "$ee/"
    cp "$TARBALL" "$ee/entra-graph.tar.gz"
    ansible-builder create --file "$ee/execution-environment.yml" --context "$ee/context"
    test -f "$ee/context/_build/collections/entra-graph.tar.gz"
    grep -q "ansible-core==$NEWEST" "$ee/context/Containerfile"

    # and the build context of each example definition the docs ship
    local n=0
    while IFS= read -r -d '' definition; do
        n=$((n + 1))
        echo "ansible-builder create: ${definition#"$STAGED"/}"
        (cd "$(dirname "$definition")" &&
            ansible-builder create --file "$(basename "$definition")" --context "$ee/docs-$n")
    done < <(find "$STAGED/docs" -type f \( -name execution-environment.yml -o -name execution-environment.yaml \) -print0)
}

stage_sdk() {
    "$ROOT/.venv-sdk/bin/python" -m pytest tests/sdk --color "$COLOR"
}

# --- run -----------------------------------------------------------------------------------------

mkdir -p "$LOGS"
# One run at a time per checkout: a second one would re-stage the tree under the first.
exec 8>"$BUILD/.test.lock"
if ! flock --nonblock 8; then
    echo "test.sh: waiting for another scripts/test.sh run in this checkout to finish" >&2
    flock 8
fi
export PATH="$VENV/bin:$PATH"

passed=0 failed=0
summary=()

dispatch() {  # NAME: run that stage
    case $1 in
        setup) stage_setup ;;
        sanity-*) stage_sanity "${1#*-}" ;;
        units-*) stage_units "${1#*-}" ;;
        e2e-*) stage_e2e "${1#*-}" ;;
        coverage) stage_coverage ;;
        lint) stage_lint ;;
        docs) stage_docs ;;
        changelog) stage_changelog ;;
        build) stage_build ;;
        ee) stage_ee ;;
        sdk) stage_sdk ;;
    esac
}

run_stage() {  # NAME
    local name=$1 rc start elapsed
    printf '\n%s==> %s%s\n' "$BOLD" "$name" "$RESET"
    start=$(now_ms)
    (
        set -e
        dispatch "$name"
    ) </dev/null 8>&- 2>&1 | tee "$LOGS/$name.log"
    rc=${PIPESTATUS[0]}
    elapsed=$(seconds $(($(now_ms) - start)))
    if ((rc != 0)); then
        failed=$((failed + 1))
        printf '%s==> %s FAILED (exit %d) after %s; log: %s%s\n' "$RED" "$name" "$rc" "$elapsed" "${LOGS#"$ROOT"/}/$name.log" "$RESET"
        summary+=("$(printf '%-12s %8s  FAILED' "$name" "$elapsed")")
    else
        passed=$((passed + 1))
        printf '%s==> %s passed in %s%s\n' "$GREEN" "$name" "$elapsed" "$RESET"
        summary+=("$(printf '%-12s %8s  passed' "$name" "$elapsed")")
    fi
}

finish() {
    printf '\n%sSummary%s (%s total)\n' "$BOLD" "$RESET" "$(seconds $(($(now_ms) - suite_start)))"
    printf '  %s\n' "${summary[@]}"
    printf '%d passed, %d failed\n' "$passed" "$failed"
    exit $((failed > 0))
}

suite_start=$(now_ms)
run_stage setup
if ((failed > 0)); then
    echo "setup failed; no test stage can run" >&2
    finish
fi
for name in "${stages[@]}"; do
    run_stage "$name"
done
finish
