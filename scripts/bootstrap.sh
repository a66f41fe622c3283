#!/usr/bin/env bash
# Set up what the tests need, idempotently, and quickly when nothing changed:
#
#   .venv                  everything in requirements-dev.txt (ansible-core, lint, docs, changelog, tests)
#   .venv-core-X.Y         ansible-core X.Y only, for each X.Y given as an argument
#                          (scripts/test.sh runs ansible-test sanity on those older series with it)
#   ~/.ansible/test/cache  the pip bootstrap script each ansible-test version looks for there
#
# Usage: bash scripts/bootstrap.sh [X.Y ...]
# Environment: PYTHON (default python3) is the interpreter the virtual environments are made from.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}

log() {
    printf 'bootstrap: %s\n' "$*" >&2
}

die() {
    printf 'bootstrap: ERROR: %s\n' "$*" >&2
    exit 1
}

command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found; set PYTHON to a Python 3.11 interpreter"
# With .venv/bin first on PATH (scripts/test.sh puts it there), "python3" is the .venv's own interpreter,
# which is gone once .venv is rebuilt: make the environments from the interpreter behind it.
PYTHON=$("$PYTHON" -c 'import sys; print(getattr(sys, "_base_executable", None) or sys.executable)')
"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' \
    || die "$PYTHON is $("$PYTHON" -V 2>&1); ansible-core 2.19 needs Python 3.11 or newer"
PY_ID=$("$PYTHON" -c 'import sys; print(sys.version.split()[0], sys.platform)')

# One bootstrap at a time per checkout (scripts/test.sh and scripts/try.sh both call this one):
# a second one waits instead of rebuilding a venv under the first.
mkdir -p "$ROOT/build"
exec 9>"$ROOT/build/.bootstrap.lock"
if command -v flock >/dev/null 2>&1 && ! flock --nonblock 9; then
    log "waiting for another bootstrap of this checkout to finish"
    flock 9
fi

# ensure_venv DIR ID PIP-INSTALL-ARGS...
# Create DIR as a virtual environment and pip install the arguments into it, unless the stamp
# file in DIR says that was already done for this ID (a hash of what is installed) and interpreter.
ensure_venv() {
    local dir=$1 id=$2
    shift 2
    local stamp="$dir/.bootstrap-stamp" want="$id $PY_ID"

    if [[ -f $stamp && $(<"$stamp") == "$want" ]] && "$dir/bin/python" -c '' 2>/dev/null; then
        log "${dir#"$ROOT"/} is up to date"
        return 0
    fi

    log "creating ${dir#"$ROOT"/} ($*)"
    rm -rf "$dir"
    "$PYTHON" -m venv "$dir"
    "$dir/bin/python" -m pip install --disable-pip-version-check --quiet --upgrade pip
    "$dir/bin/python" -m pip install --disable-pip-version-check --quiet "$@"
    printf '%s' "$want" >"$stamp"
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

hash_of() {
    "$PYTHON" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"
}

ensure_venv "$ROOT/.venv" "requirements-dev.txt:$(hash_of "$ROOT/requirements-dev.txt")" -r "$ROOT/requirements-dev.txt"
ensure_get_pip "$ROOT/.venv"

for series in "$@"; do
    [[ $series =~ ^[0-9]+\.[0-9]+$ ]] || die "not an ansible-core series (X.Y): $series"
    ensure_venv "$ROOT/.venv-core-$series" "ansible-core==$series.*" "ansible-core==$series.*"
    ensure_get_pip "$ROOT/.venv-core-$series"
done
