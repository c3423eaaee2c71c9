#!/usr/bin/env bash
# Run bondcheck's whole test suite as CI does: set up .venv if needed, install the lab's
# Debian packages (QEMU, busybox, ...) when the lab is part of this tree, then pytest,
# real-kernel lab tests included. Extra arguments go to pytest (e.g. -k verify, -x).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
if [ -f scripts/lab-deps.sh ]; then
    sh scripts/lab-deps.sh
fi
exec .venv/bin/python -m pytest "$@"
