#!/usr/bin/env bash
# shellcheck disable=SC1091,SC2153  # SERIES, PYTHONS_OF and PYTHON_OF come from scripts/pythons.sh
# Run every test of the entra.graph collection; on a fresh machine, this sets up what it needs first.
#
#   bash scripts/test.sh                   every stage
#   bash scripts/test.sh sanity units-2.21  only those stages (--list names them, --help says what they do)
#
# Stages run in order, each timed (wall clock and CPU); a failing stage does not stop the ones after
# it. The last line printed is "N passed, N failed" (", N skipped" when some did not run), counting
# stages, and the exit status is non-zero when any stage failed. Each stage's output is also kept in
# build/test-logs/<stage>.log.
#
# Each ansible-core series runs on a Python it supports that this machine has (scripts/pythons.sh:
# PATH, then $PYENV_ROOT/versions), a distinct one per series where there is a choice. The stages of
# a series with no such Python are not run: the run says so at its start and in its summary, with
# the command that would provide one, and still exits 0 when every stage that ran passed. Under CI
# (CI=true) a stage that cannot run fails the run instead, so that CI is never green on less than
# the whole matrix.
#
# ansible-test needs the collection laid out as .../ansible_collections/entra/graph, so the setup
# stage copies the repo's files (tracked, and untracked but not ignored) to
# build/collections/ansible_collections/entra/graph; every stage but e2e and sdk works on that copy.
#
# Environment: CI=true makes a series that cannot run a failure (and, like no terminal, turns colour
# off); PYTHON, an interpreter for the oldest series and the tools' .venv (scripts/bootstrap.sh).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

# The supported ansible-core series, oldest first, and the Pythons each supports (SERIES and
# PYTHONS_OF). The oldest runs from .venv, with the lint, docs and build tools
# (requirements-dev.txt); each other one from .venv-core-X.Y (scripts/bootstrap.sh).
# shellcheck source=scripts/pythons.sh
source "$ROOT/scripts/pythons.sh"
OLDEST=${SERIES[0]}
NEWEST=${SERIES[-1]}

# sanity and units on every series, e2e on the oldest and the newest
ALL_STAGES=("${SERIES[@]/#/sanity-}" "${SERIES[@]/#/units-}" "e2e-$OLDEST" "e2e-$NEWEST"
    coverage lint docs changelog build ee sdk)

BUILD=$ROOT/build
COLLECTIONS=$BUILD/collections
STAGED=$COLLECTIONS/ansible_collections/entra/graph
LOGS=$BUILD/test-logs
VENV=$ROOT/.venv

usage() {
    plan_pythons
    cat <<EOF
usage: bash scripts/test.sh [STAGE...]     (sanity, units, e2e: every series of that stage;
                                          setup alone: only set up)

Stages, in the order they run (default: all):
  sanity-X.Y  ansible-test sanity on ansible-core X.Y, no ignore entries allowed
  units-X.Y   ansible-test units on ansible-core X.Y; units-$OLDEST measures coverage
  e2e-X.Y     pytest tests/e2e with ansible-core X.Y: playbooks and an ansible-runner job against the
              local Graph emulator; measures the coverage of the modules the playbooks run
  coverage    ansible-test coverage of units-$OLDEST and e2e combined: build/coverage/report.txt, html/
  lint        ansible-lint (production profile) and ruff (ruff.toml)
  docs        the docs site (docs/build.sh) into build/docs
  changelog   antsibull-changelog lint
  build       the tarball holds only the collection's files, installs, and every module's
              documentation renders and every module imports
  ee          ansible-builder introspect; the build context of tests/ee/execution-environment.yml
              (the tarball on ansible-core $NEWEST) and of the example under docs/
  sdk         pytest tests/sdk in .venv-sdk: the Microsoft Graph SDKs (tests/sdk/requirements.txt)
              against the emulator
Series, the Pythons each supports, and the one it runs on here (none: its stages are not run):
$(for s in "${SERIES[@]}"; do printf '  %s on %-16s here: %s\n' "$s" "${PYTHONS_OF[$s]// /, }" "${PYTHON_PATH_OF[$s]:-none}"; done)
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

selected=" " named=no
for arg in "$@"; do
    named=yes
    case $arg in
        -h | --help) usage && exit 0 ;;
        setup) ;;  # always runs first
        --list) printf '%s\n' "${ALL_STAGES[@]}" && exit 0 ;;
        sanity | units | e2e) selected+="$(printf '%s ' "${ALL_STAGES[@]}" | grep -o "$arg-[0-9.]* " | tr -d '\n')" ;;
        *)
            if [[ " ${ALL_STAGES[*]} " != *" $arg "* ]]; then
                printf 'test.sh: unknown stage: %s\n\n' "$arg" >&2
                usage >&2
                exit 2
            fi
            selected+="$arg "
            ;;
    esac
done
[[ $named == no ]] && selected=" ${ALL_STAGES[*]} "
# Which Python each series runs on; the stages of a series without one are not run.
plan_pythons
declare -A NOT_RUN=()  # stage -> why it is not run
stages=()  # in the canonical order, each once
for stage in "${ALL_STAGES[@]}"; do
    [[ $selected == *" $stage "* ]] || continue
    series=${stage#*-}
    if [[ $stage == *-* && -z ${PYTHON_OF[$series]:-} ]]; then
        NOT_RUN[$stage]=$(no_python_reason "$series")
    else
        stages+=("$stage")
    fi
done

# --- helpers -------------------------------------------------------------------------------------

venv_of() {  # X.Y -> the venv holding that ansible-core series
    if [[ $1 == "$OLDEST" ]]; then printf '%s' "$VENV"; else printf '%s' "$ROOT/.venv-core-$1"; fi
}

# ansible-test of series X.Y in the staged copy, with that venv's bin first on PATH so that its
# Python is the one ansible-test finds and makes its own venvs from.
ansible_test() {  # X.Y ARGS...
    local venv
    venv=$(venv_of "$1")
    shift
    (cd "$STAGED" && PATH="$venv/bin:$PATH" "$venv/bin/ansible-test" "$@" --color "$COLOR")
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
            if [[ -e $path || -L $path ]]; then printf '%s\0' "$path"; fi
        done |
        tar -C "$ROOT" --null --no-recursion --ignore-failed-read --warning=no-file-changed -T - -cf - |
        tar -C "$STAGED" -xf -
    git -C "$STAGED" init --quiet
}

# Build the collection tarball from the staged copy into $BUILD/dist, once per run.
build_tarball() {
    if ! compgen -G "$BUILD/dist/entra-graph-*.tar.gz" >/dev/null; then
        rm -rf "$BUILD/dist"
        ansible-galaxy collection build "$STAGED" --output-path "$BUILD/dist"
    fi
    TARBALL=$(compgen -G "$BUILD/dist/entra-graph-*.tar.gz" | head -n 1)
}

# --- stages --------------------------------------------------------------------------------------

stage_setup() {
    local wanted=() series
    for series in "${SERIES[@]}"; do
        [[ -n ${PYTHON_OF[$series]:-} ]] || continue
        # .venv (the oldest series and the tools) is always made; a newer series' venv when it runs
        if [[ $series == "$OLDEST" || " ${stages[*]} " == *-"$series "* ]]; then
            wanted+=("$series=${PYTHON_OF[$series]}")
        fi
    done
    [[ " ${stages[*]} " == *" sdk "* ]] && wanted+=(sdk)
    for series in "${SERIES[@]}"; do
        printf 'ansible-core %s: %s\n' "$series" "${PYTHON_PATH_OF[$series]:-not run, no Python ${PYTHONS_OF[$series]// /, } here}"
    done
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
    ansible_test "$1" sanity --venv --python "${PYTHON_OF[$1]}" --requirements
}

stage_units() {  # X.Y
    local coverage=()
    [[ $1 == "$OLDEST" ]] && coverage=(--coverage)
    ansible_test "$1" units --venv --python "${PYTHON_OF[$1]}" --requirements "${coverage[@]}"
}

stage_e2e() {  # X.Y
    local venv output=$STAGED/tests/output/coverage
    venv=$(venv_of "$1")
    "$venv/bin/ansible" --version | sed -n 1p
    # ansible-core's AnsiballZ coverage hook: each module a playbook runs writes coverage data where
    # ansible-test's coverage commands look for it (tests/output/coverage of the staged copy).
    mkdir -p "$output"
    printf '[run]\nbranch = True\nparallel = True\ninclude = */ansible_collections/entra/graph/plugins/*\n' >"$BUILD/e2e-coveragerc"
    export _ANSIBLE_ANSIBALLZ_COVERAGE_CONFIG="{\"config\": \"$BUILD/e2e-coveragerc\", \"output\": \"$output/e2e=$1=controller\"}"
    # two workers; each test file stays in one, so its module-scoped fixtures are set up once
    "$venv/bin/python" -m pytest tests/e2e --color "$COLOR" --numprocesses 2 --dist loadfile
}

stage_coverage() {
    if ! compgen -G "$STAGED/tests/output/coverage/*=coverage.*" >/dev/null; then
        echo "no coverage data: run this stage together with units-$OLDEST and the e2e stages"
        return 1
    fi
    local out=$BUILD/coverage
    rm -rf "$out"
    mkdir -p "$out"
    ansible_test "$OLDEST" coverage combine --venv --requirements --all
    ansible_test "$OLDEST" coverage html --venv
    cp -r "$STAGED/tests/output/reports/coverage" "$out/html"
    ansible_test "$OLDEST" coverage report --venv --include 'plugins/*' --show-missing | tee "$out/report.txt"
    echo "coverage of plugins/ (units-$OLDEST and the e2e stages that ran): $(awk '/^TOTAL/ {print $NF}' "$out/report.txt")"
}

stage_lint() {
    # ansible-lint resolves entra.graph.* through the staged copy, and lints from there too, so
    # that what it writes (its .ansible/ cache) stays under build/. Its own ANSIBLE_HOME keeps
    # a copy of entra.graph installed in ~/.ansible/collections from shadowing the staged one.
    cd "$STAGED"
    ansible-lint --version
    ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS ANSIBLE_HOME=$BUILD/ansible-lint-home ansible-lint
    ruff --version
    ruff check --no-cache .
}

stage_docs() {
    cd "$STAGED"
    PYTHON=$VENV/bin/python DOCS_OUT=$BUILD/docs DOCS_INSTALL=no bash docs/build.sh
}

stage_changelog() {
    cd "$STAGED"
    antsibull-changelog lint
    antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
}

stage_build() {
    rm -rf "$BUILD/dist"
    build_tarball
    # galaxy.yml's build_ignore decides what ships; the tarball must hold nothing but files of the
    # staged copy (git-tracked or new): no cache, venv or build output lying around the checkout
    local listing stray dest=$BUILD/dist/collections module
    listing=$(tar -tzf "$TARBALL")
    stray=$(grep -v -e '/$' -e '^MANIFEST\.json$' -e '^FILES\.json$' <<<"$listing" |
        while IFS= read -r path; do [[ -f $STAGED/$path ]] || printf '%s\n' "$path"; done)
    if [[ -n $stray ]]; then
        printf 'the tarball holds files that are not part of the collection:\n%s\n' "$stray"
        return 1
    fi
    echo "${TARBALL#"$ROOT"/}: $(wc -l <<<"$listing") entries, $(du -k "$TARBALL" | cut -f1) KiB"

    # install it as a user would; every module's documentation renders and every module imports
    ansible-galaxy collection install --force --collections-path "$dest" "$TARBALL"
    for module in "$dest"/ansible_collections/entra/graph/plugins/modules/[!_]*.py; do
        module=$(basename "$module" .py)
        ANSIBLE_COLLECTIONS_PATH=$dest ansible-doc -t module "entra.graph.$module" >/dev/null
        (cd "$BUILD" && PYTHONPATH=$dest python -c 'import importlib, sys; importlib.import_module(sys.argv[1])' \
            "ansible_collections.entra.graph.plugins.modules.$module")
        echo "entra.graph.$module: documentation renders, module imports"
    done
}

stage_ee() {
    # what ansible-builder's introspection (which every EE build runs) finds for this collection
    local found ee=$BUILD/ee definition=$STAGED/tests/ee/execution-environment.yml example
    found=$(ansible-builder introspect "$COLLECTIONS")
    printf '%s\n' "$found"
    if ! grep -q 'from collection entra.graph' <<<"$found"; then
        echo "ansible-builder introspect found no Python requirements of entra.graph (meta/execution-environment.yml)"
        return 1
    fi

    # the build context of an execution environment holding this tarball, on the newest series
    if ! grep -qF "package_pip: ansible-core==$NEWEST.*" "$definition"; then
        echo "${definition#"$STAGED"/} should install the newest tested ansible-core series, ansible-core==$NEWEST.*"
        return 1
    fi
    build_tarball
    rm -rf "$ee"
    mkdir -p "$ee"
    cp "$definition" "$ee/"
    cp "$TARBALL" "$ee/entra-graph.tar.gz"
    ansible-builder create --file "$ee/execution-environment.yml" --context "$ee/context"
    test -f "$ee/context/_build/collections/entra-graph.tar.gz"
    # (a Containerfile for podman, a Dockerfile when ansible-builder finds no podman)
    grep -qsF "ansible-core==$NEWEST." "$ee/context/Containerfile" "$ee/context/Dockerfile"

    # and the build context of the example the docs ship
    example=$STAGED/docs/execution-environment
    (cd "$example" && ansible-builder create --file execution-environment.yml --context "$ee/docs-example")
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

now_ms() {
    local t=${EPOCHREALTIME/[.,]/}
    printf '%s' $((t / 1000))
}

# CPU_MS: the CPU time (user + system) of the finished child processes so far. "times" runs in
# this shell, not in a subshell, which would count only its own children.
cpu_ms() {
    times >"$LOGS/.times"
    CPU_MS=$(awk 'END { split($0, f, /[ms ]+/); printf "%d", ((f[1] + f[3]) * 60 + f[2] + f[4]) * 1000 }' "$LOGS/.times")
}

seconds() {  # milliseconds -> "12.3s"
    printf '%d.%ds' $(($1 / 1000)) $(($1 % 1000 / 100))
}

passed=0 failed=0 summary=()

run_stage() {  # NAME
    local name=$1 rc start cpu elapsed result
    printf '\n%s==> %s%s\n' "$BOLD" "$name" "$RESET"
    start=$(now_ms)
    cpu_ms
    cpu=$CPU_MS
    (
        set -e
        dispatch "$name"
    ) </dev/null 8>&- 2>&1 | tee "$LOGS/$name.log"
    rc=${PIPESTATUS[0]}
    cpu_ms
    elapsed="$(seconds $(($(now_ms) - start))) (CPU $(seconds $((CPU_MS - cpu))))"
    if ((rc != 0)); then
        failed=$((failed + 1)) result=FAILED
        printf '%s==> %s FAILED (exit %d) after %s; log: %s%s\n' "$RED" "$name" "$rc" "$elapsed" "${LOGS#"$ROOT"/}/$name.log" "$RESET"
    else
        passed=$((passed + 1)) result=passed
        printf '%s==> %s passed in %s%s\n' "$GREEN" "$name" "$elapsed" "$RESET"
    fi
    summary+=("$(printf '%-12s %-24s %s' "$name" "$elapsed" "$result")")
}

# The stages that cannot run here, a line per series: which, why, and what would provide a Python.
# Under CI they fail the run.
report_not_run() {
    local series stage names colour=$YELLOW verdict='NOT RUN'
    [[ ${CI:-} == true ]] && colour=$RED verdict='NOT RUN, which fails a CI run'
    for series in "${SERIES[@]}"; do
        names=''
        for stage in "${ALL_STAGES[@]}"; do
            [[ $stage == *"-$series" && -n ${NOT_RUN[$stage]:-} ]] && names+=" $stage"
        done
        [[ -n $names ]] || continue
        printf '%s%s%s:%s (%s)%s\n' "$colour" "$BOLD" "$verdict" "$names" "${NOT_RUN[${names##* }]}" "$RESET"
    done
}

suite_start=$(now_ms)
if ((${#NOT_RUN[@]} > 0)); then
    echo
    report_not_run
fi
run_stage setup
if ((failed == 0)); then
    for name in "${stages[@]}"; do
        run_stage "$name"
    done
else
    echo "setup failed; no test stage can run" >&2
fi
skipped=0
for name in "${ALL_STAGES[@]}"; do
    [[ -n ${NOT_RUN[$name]:-} ]] || continue
    if [[ ${CI:-} == true ]]; then
        failed=$((failed + 1))
        summary+=("$(printf '%-12s %-24s %s' "$name" '-' 'FAILED: not run, no Python for it (CI=true)')")
    else
        skipped=$((skipped + 1))
        summary+=("$(printf '%-12s %-24s %s' "$name" '-' 'NOT RUN: no Python for it here')")
    fi
done
printf '\n%sSummary%s (%s total)\n' "$BOLD" "$RESET" "$(seconds $(($(now_ms) - suite_start)))"
printf '  %s\n' "${summary[@]}"
if ((${#NOT_RUN[@]} > 0)); then
    report_not_run
    if [[ ${CI:-} == true ]]; then
        printf '%sCI=true: every supported ansible-core series must run, so the stages above count as failed.%s\n' "$RED" "$RESET"
    else
        printf '%sThe stages above did not run; the run passes on the stages that ran (under CI=true it would fail).%s\n' "$YELLOW" "$RESET"
    fi
fi
if ((skipped > 0)); then
    printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
else
    printf '%d passed, %d failed\n' "$passed" "$failed"
fi
exit $((failed > 0))
