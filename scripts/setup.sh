#!/usr/bin/env bash
# Set up bondcheck in ./.venv on Debian/Ubuntu: the Python venv module from apt when it is
# missing, then the project (editable) with its test extra from PyPI. Safe to run again:
# each step is skipped when already done, and pip runs again only when pyproject.toml changed.
#
#   ./scripts/setup.sh            # then: .venv/bin/bondcheck --help
#   BONDCHECK_PYTHON=python3.12 ./scripts/setup.sh   # another interpreter (>= 3.10)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; else SUDO=; fi

# Debian's own python3 first: it is what a fresh Debian 12 has, and it does not change when
# some other interpreter comes first in PATH.
PY="${BONDCHECK_PYTHON:-}"
if [ -z "$PY" ]; then
    if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
fi

if ! command -v "$PY" >/dev/null 2>&1 || ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    echo "setup: installing python3 and python3-venv from apt"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        python3 python3-venv python3-pip >/dev/null
fi

if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "setup: $("$PY" --version 2>&1) is too old; bondcheck needs Python >= 3.10" >&2
    exit 2
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $("$PY" --version 2>&1)"
    "$PY" -m venv .venv
fi

STAMP=.venv/.bondcheck-installed
WANT="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ] || [ ! -x .venv/bin/bondcheck ]; then
    echo "setup: installing bondcheck and its test tools into .venv (pip)"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
    echo "$WANT" > "$STAMP"
fi
echo "setup: ok ($(.venv/bin/bondcheck --version))"
