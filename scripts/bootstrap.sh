#!/usr/bin/env bash
# shellcheck disable=SC1091,SC2153  # SERIES, PYTHONS_OF and PYTHON_OF come from scripts/pythons.sh
# Set up what the tests need, idempotently, and quickly when nothing changed:
#
#   .venv                  everything in requirements-dev.txt (ansible-core 2.19, lint, docs, changelog,
#                          execution environment, tests), on the Python of the argument 2.19=P.Q, else
#                          $PYTHON, else the one scripts/pythons.sh picks for 2.19 (3.11 where there is one)
#   .venv-core-X.Y         for each X.Y=P.Q argument: Python P.Q with ansible-core X.Y and what the
#                          end-to-end tests need (tests/e2e/requirements.txt)
#   .venv-sdk              with the argument "sdk": tests/sdk/requirements.txt and pytest
#   ~/.ansible/test/cache  the pip bootstrap script each of those ansible-test versions looks for there
#
# Usage: bash scripts/bootstrap.sh [X.Y=P.Q ...] [sdk]      e.g.  bash scripts/bootstrap.sh 2.21=3.13
# Environment: PYTHON, the interpreter .venv is made from when no 2.19=P.Q argument names one.
# Python P.Q is looked for on PATH, then in $PYENV_ROOT/versions (scripts/pythons.sh, find_python).
#
# A venv is made again from scratch when its interpreter changed; when only its requirements
# changed, they are installed into it where it stands (a test running from it keeps its tools).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() {
    printf 'bootstrap: %s\n' "$*" >&2
}

die() {
    printf 'bootstrap: ERROR: %s\n' "$*" >&2
    exit 1
}

# interpreter PYTHON: its version and the real interpreter behind it (a venv's base)
interpreter() {
    "$1" -c 'import os, sys; print(sys.version.split()[0], os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable))'
}

# shellcheck source=scripts/pythons.sh
source "$ROOT/scripts/pythons.sh"
OLDEST=${SERIES[0]}

# .venv's interpreter: the one an argument OLDEST=P.Q names, else $PYTHON, else the Python
# plan_pythons gives the oldest series.
for arg in "$@"; do
    [[ $arg == sdk ]] && continue
    [[ $arg =~ ^([0-9]+\.[0-9]+)=([0-9]+\.[0-9]+)$ ]] || die "not X.Y=P.Q (an ansible-core series and its Python) nor sdk: $arg"
    [[ " ${PYTHONS_OF[${BASH_REMATCH[1]}]:-} " == *" ${BASH_REMATCH[2]} "* ]] ||
        die "ansible-core ${BASH_REMATCH[1]} is not tested on Python ${BASH_REMATCH[2]} (series and their Pythons: scripts/pythons.sh)"
    if [[ $arg == "$OLDEST="* ]]; then
        PYTHON=$(find_python "${arg#*=}") || die "no Python ${arg#*=} found for ansible-core $OLDEST (looked on PATH and in ${PYENV_ROOT:-$HOME/.pyenv}/versions)"
    fi
done
if [[ -z ${PYTHON:-} ]]; then
    plan_pythons
    PYTHON=${PYTHON_PATH_OF[$OLDEST]:-} || true
    [[ -n $PYTHON ]] || die "$(no_python_reason "$OLDEST"); .venv, with every tool, runs on it"
fi
command -v "$PYTHON" >/dev/null 2>&1 || die "PYTHON=$PYTHON not found"
# With .venv/bin first on PATH (scripts/test.sh puts it there), "python3" is the .venv's own
# interpreter, which is gone once .venv is rebuilt: make the environments from the one behind it.
PYTHON=$(interpreter "$PYTHON") && PYTHON=${PYTHON#* }
"$PYTHON" -c 'import sys; sys.exit("%d.%d" % sys.version_info[:2] not in sys.argv[1].split())' "${PYTHONS_OF[$OLDEST]}" \
    || die "$PYTHON is $("$PYTHON" -V 2>&1); ansible-core $OLDEST (in .venv) runs on Python ${PYTHONS_OF[$OLDEST]// /, }"

# One bootstrap at a time per checkout (scripts/test.sh and scripts/try.sh both call this one):
# a second one waits instead of rebuilding a venv under the first.
mkdir -p "$ROOT/build"
exec 9>"$ROOT/build/.bootstrap.lock"
if command -v flock >/dev/null 2>&1 && ! flock --nonblock 9; then
    log "waiting for another bootstrap of this checkout to finish"
    flock 9
fi

hash_of() {  # FILE...: one hash of their contents
    cat "$@" | sha256sum | cut -d' ' -f1
}

# ensure_venv DIR PYTHON ID PIP-INSTALL-ARGS...
# Make DIR a venv of PYTHON holding the pip install arguments, unless its stamp says that was done
# for this ID (a hash of what is asked for).
ensure_venv() {
    local dir=$1 python=$2 id=$3
    shift 3
    local stamp="$dir/.bootstrap-stamp" want have
    want=$(interpreter "$python")
    have=$(interpreter "$dir/bin/python" 2>/dev/null || true)
    if [[ $have != "$want" ]]; then
        log "creating ${dir#"$ROOT"/} with Python ${want%% *}"
        rm -rf "$dir"
        "$python" -m venv "$dir"
        "$dir/bin/python" -m pip install --disable-pip-version-check --quiet --upgrade pip
    elif [[ -f $stamp && $(<"$stamp") == "$id" ]]; then
        log "${dir#"$ROOT"/} is up to date"
        return 0
    fi
    log "installing into ${dir#"$ROOT"/}: $*"
    "$dir/bin/python" -m pip install --disable-pip-version-check --quiet "$@"
    printf '%s' "$id" >"$stamp"
}

# ensure_get_pip VENV
# ansible-test --requirements creates empty virtual environments and puts pip into each by running
# a get-pip script it downloads from a host this machine cannot reach, unless a copy is cached at
# ~/.ansible/test/cache/get_pip_<version>.py. Write that copy: a few lines that run pip from the
# pip wheel of that version (from PyPI) next to it, passing on the arguments ansible-test gives.
ensure_get_pip() {
    local venv=$1 cache="$HOME/.ansible/test/cache" req version script wheel
    req=$(find "$venv"/lib/python*/site-packages/ansible_test/_internal -name python_requirements.py -print -quit)
    [[ -n $req ]] || die "ansible-test not found in ${venv#"$ROOT"/}"
    version=$(sed -n "s/^ *pip='\([0-9.]*\)',\$/\1/p" "$req" | head -n 1)
    [[ -n $version ]] || die "cannot tell which pip version $req bootstraps"
    script="$cache/get_pip_${version//./_}.py"
    wheel="$cache/pip-$version-py3-none-any.whl"

    mkdir -p "$cache"
    if [[ ! -f $wheel ]]; then
        log "downloading the pip $version wheel for ansible-test"
        "$venv/bin/python" -m pip download --disable-pip-version-check --quiet \
            --no-deps --only-binary=:all: --dest "$cache" "pip==$version"
        [[ -f $wheel ]] || die "pip download did not produce $wheel"
    fi

    local new
    new=$(cat <<EOF
"""Stand-in for get-pip.py $version, written by entra.graph's scripts/bootstrap.sh.

ansible-test runs this with the packages to install (pip==$version, ...) and --no-setuptools /
--no-wheel; like get-pip.py it runs pip from a bundled copy (the wheel next to this file) to
install them, plus setuptools and wheel unless told not to.
"""
import os
import sys

WHEEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'pip-$version-py3-none-any.whl')


def main():
    args = sys.argv[1:]
    names = [arg.split('=')[0].split('<')[0].split('>')[0].lower() for arg in args if not arg.startswith('-')]
    for option, package in (('--no-setuptools', 'setuptools'), ('--no-wheel', 'wheel')):
        if option in args:
            args.remove(option)
        elif package not in names:
            args.append(package)
    sys.path.insert(0, WHEEL)
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel
    return pip_main(['install', '--upgrade', '--force-reinstall'] + args)


if __name__ == '__main__':
    sys.exit(main())
EOF
)
    if [[ ! -f $script || $(<"$script") != "$new" ]]; then
        log "writing $script"
        printf '%s\n' "$new" >"$script"
    fi
}

E2E_REQS=$ROOT/tests/e2e/requirements.txt
SDK_REQS=$ROOT/tests/sdk/requirements.txt

ensure_venv "$ROOT/.venv" "$PYTHON" "$(hash_of "$ROOT/requirements-dev.txt" "$E2E_REQS" "$ROOT/docs/requirements.txt")" \
    -r "$ROOT/requirements-dev.txt"
ensure_get_pip "$ROOT/.venv"

for arg in "$@"; do
    if [[ $arg == sdk ]]; then
        ensure_venv "$ROOT/.venv-sdk" "$PYTHON" "$(hash_of "$SDK_REQS")" -r "$SDK_REQS" pytest
        continue
    fi
    [[ $arg =~ ^([0-9]+\.[0-9]+)=([0-9]+\.[0-9]+)$ ]] || die "not X.Y=P.Q (an ansible-core series and its Python) nor sdk: $arg"
    series=${BASH_REMATCH[1]}
    [[ $series == "$OLDEST" ]] && continue  # .venv, above
    python=$(find_python "${BASH_REMATCH[2]}") || die "no Python ${BASH_REMATCH[2]} found for ansible-core $series (looked on PATH and in ${PYENV_ROOT:-$HOME/.pyenv}/versions)"
    ensure_venv "$ROOT/.venv-core-$series" "$python" "ansible-core==$series.* $(hash_of "$E2E_REQS")" \
        "ansible-core==$series.*" -r "$E2E_REQS"
    ensure_get_pip "$ROOT/.venv-core-$series"
done
