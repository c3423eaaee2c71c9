#!/usr/bin/env bash
# Build bondcheck's container image with podman and print the image reference it built as the
# last line of its output.
#
#   scripts/build-image.sh                 # base: BASE, else a local Debian base (below)
#   BASE=docker.io/library/python:3.11-slim-bookworm scripts/build-image.sh
#   TAG=registry.example.com/bondcheck:0.1.0 scripts/build-image.sh
#
# Offline-capable: Python packages come from a wheelhouse made here with `pip wheel` (the
# image installs them with --no-index), and without BASE the base image is made from Debian's
# packages with mmdebstrap and `podman import` (python3, python3-venv, iproute2), once, and
# reused. PODMAN_FLAGS holds what podman needs on this kind of machine (runc, cgroupfs, the
# rlimits the sandbox permits); override it where podman's defaults work.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
[ -x "$PY" ] || ./scripts/setup.sh >&2
VERSION="$("$PY" -c 'import bondcheck; print(bondcheck.__version__)')"
TAG="${TAG:-localhost/bondcheck:$VERSION}"
LOCAL_BASE="localhost/bondcheck-base:bookworm"
read -r -a PODMAN_FLAGS <<< "${PODMAN_FLAGS:---runtime runc --cgroup-manager cgroupfs --storage-driver vfs}"
RUN_LIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
podman=(podman "${PODMAN_FLAGS[@]}")

for tool in podman; do
    command -v "$tool" >/dev/null || { echo "build-image: $tool is missing (apt-get install podman runc)" >&2; exit 2; }
done

if [ -z "${BASE:-}" ]; then
    BASE="$LOCAL_BASE"
    if ! "${podman[@]}" image exists "$BASE"; then
        command -v mmdebstrap >/dev/null || { echo "build-image: mmdebstrap is missing (apt-get install mmdebstrap)" >&2; exit 2; }
        echo "build-image: making $BASE from Debian packages (mmdebstrap)" >&2
        mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,iproute2,ca-certificates \
            --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
            --dpkgopt='path-exclude=/usr/share/locale/*' \
            --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
            bookworm - | "${podman[@]}" import --quiet - "$BASE" >&2
    fi
fi

echo "build-image: wheelhouse (pip wheel)" >&2
rm -rf build/wheelhouse
mkdir -p build/wheelhouse
PIP_FIND_LINKS= "$PY" -m pip wheel --quiet --disable-pip-version-check --wheel-dir build/wheelhouse \
    . "setuptools>=77" wheel >&2
rm -f build/wheelhouse/bondcheck-*.whl  # built again inside, from the sources in the context

SOURCE="$(git remote get-url origin 2>/dev/null || echo local)"
echo "build-image: building $TAG on $BASE" >&2
"${podman[@]}" build --quiet "${RUN_LIMITS[@]}" --build-arg "BASE=$BASE" \
    --build-arg "VERSION=$VERSION" --build-arg "SOURCE=$SOURCE" \
    -f Containerfile -t "$TAG" . >&2
echo "$TAG"
