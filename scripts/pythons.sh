# shellcheck shell=bash
# The ansible-core series entra.graph is tested on, the Pythons each supports, and which of those
# this machine has. Sourced by scripts/test.sh and scripts/bootstrap.sh (ROOT must be set).
#
# plan_pythons gives each series a Python the machine has, a distinct one per series where there is
# a choice: going from the oldest series to the newest, each takes the oldest supported Python no
# series before it took, else (all taken) the newest it supports. With 3.11, 3.12 and 3.13 that is
# 2.19 on 3.11, 2.20 on 3.12, 2.21 on 3.13; with 3.11 alone, 2.19 on 3.11 and no Python for the
# others; with 3.12 alone, every series on 3.12.

# Oldest first. The oldest is the one requirements-dev.txt pins, in .venv with every tool.
SERIES=(2.19 2.20 2.21)
# The controller Pythons of each series, oldest first (ansible-core's support matrix; README.md,
# "Supported versions").
declare -A PYTHONS_OF=([2.19]="3.11 3.12 3.13" [2.20]="3.12 3.13 3.14" [2.21]="3.12 3.13 3.14")
# The Python to suggest installing when a series has none (the one it runs on in CI).
declare -A SUGGESTED_PYTHON_OF=([2.19]=3.11 [2.20]=3.12 [2.21]=3.13)

# find_python P.Q: print the real interpreter (not a venv's) of Python P.Q: $PYTHON if it is that
# version, else pythonP.Q on PATH outside the repo's venvs, else the newest
# $PYENV_ROOT/versions/P.Q.* (PYENV_ROOT defaults to ~/.pyenv), else /usr/local/bin or /usr/bin.
find_python() {
    local want=$1 candidate found=''
    local candidates=()
    [[ -n ${PYTHON:-} ]] && candidates+=("$PYTHON")
    candidate=$(PATH=$(tr ':' '\n' <<<"$PATH" | grep -v "^$ROOT/\.venv" | paste -sd: -) command -v "python$want" || true)
    [[ -n $candidate ]] && candidates+=("$candidate")
    while IFS= read -r candidate; do
        candidates+=("$candidate")
    done < <(compgen -G "${PYENV_ROOT:-$HOME/.pyenv}/versions/$want.*/bin/python$want" | sort -t. -k3,3nr)
    candidates+=("/usr/local/bin/python$want" "/usr/bin/python$want")
    for candidate in "${candidates[@]}"; do
        # a venv's python reports the venv as sys.executable: print the interpreter behind it
        if found=$("$candidate" -c '
import os, sys
if "%d.%d" % sys.version_info[:2] == sys.argv[1]:
    print(os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable))' "$want" 2>/dev/null) &&
            [[ -n $found ]]; then
            printf '%s\n' "$found"
            return 0
        fi
    done
    return 1
}

# plan_pythons: set PYTHON_OF[X.Y]=P.Q and PYTHON_PATH_OF[X.Y]=interpreter for each series that has
# a Python here; a series without one is left out of both. With $PYTHON set, the oldest series runs
# on it when it supports its version.
plan_pythons() {
    # shellcheck disable=SC2034  # the callers read them
    declare -gA PYTHON_OF=() PYTHON_PATH_OF=()
    local -A found=()
    local version path series choice used=' ' pinned=''
    for version in $(printf '%s\n' "${PYTHONS_OF[@]}" | tr ' ' '\n' | sort -uV); do
        path=$(find_python "$version") && found[$version]=$path
    done
    if [[ -n ${PYTHON:-} ]]; then
        pinned=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || pinned=''
        [[ " ${PYTHONS_OF[${SERIES[0]}]} " == *" $pinned "* && -n ${found[$pinned]:-} ]] || pinned=''
    fi
    for series in "${SERIES[@]}"; do
        choice=''
        if [[ $series == "${SERIES[0]}" && -n $pinned ]]; then
            choice=$pinned
        else
            for version in ${PYTHONS_OF[$series]}; do
                if [[ -n ${found[$version]:-} && $used != *" $version "* ]]; then
                    choice=$version
                    break
                fi
            done
            if [[ -z $choice ]]; then
                for version in ${PYTHONS_OF[$series]}; do
                    [[ -n ${found[$version]:-} ]] && choice=$version
                done
            fi
        fi
        [[ -n $choice ]] || continue
        used+="$choice "
        # shellcheck disable=SC2034
        PYTHON_OF[$series]=$choice
        # shellcheck disable=SC2034
        PYTHON_PATH_OF[$series]=${found[$choice]}
    done
    return 0
}

# how_to_get_python P.Q: the command that would provide Python P.Q on this machine
how_to_get_python() {
    if command -v pyenv >/dev/null 2>&1 || [[ -d ${PYENV_ROOT:-$HOME/.pyenv} ]]; then
        printf 'pyenv install %s' "$1"
    elif command -v apt-get >/dev/null 2>&1; then
        printf 'apt-get install python%s python%s-venv (where the distribution packages it; else pyenv install %s)' "$1" "$1" "$1"
    elif command -v dnf >/dev/null 2>&1; then
        printf 'dnf install python%s' "$1"
    else
        printf 'pyenv install %s' "$1"
    fi
}

# no_python_reason X.Y: why series X.Y cannot run, and how to fix that
no_python_reason() {
    local versions=${PYTHONS_OF[$1]}
    printf 'no Python %s found for ansible-core %s (looked on PATH and in %s/versions); provide one: %s' \
        "${versions// /, }" "$1" "${PYENV_ROOT:-$HOME/.pyenv}" "$(how_to_get_python "${SUGGESTED_PYTHON_OF[$1]}")"
}
