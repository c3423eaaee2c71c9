#!/bin/sh
# Install what the bondcheck real-kernel lab and image tests need on a Debian/Ubuntu host
# (run as root).
#
# Idempotent: apt-get install is a no-op for packages already present, and nothing here
# starts a service. openssh-server is deliberately NOT installed: the lab fetches it with
# `apt-get download` and unpacks it into the guest initramfs, so no sshd runs on the host.
# The guest kernel (linux-image-cloud-amd64) is likewise fetched by the lab itself, never
# installed.
set -eu

# The image tests (tests/image) build bondcheck's container image with podman (runc; the
# Debian base is made with mmdebstrap, as is the systemd lab guest's userland): installing
# podman starts no daemon.
PACKAGES="qemu-system-x86 busybox-static kmod iproute2 coreutils openssh-client libwrap0 \
dash bash podman runc mmdebstrap"

if ! command -v apt-get >/dev/null 2>&1; then
    echo "lab-deps: apt-get not found; the lab needs a Debian or Ubuntu host" >&2
    exit 2
fi

if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

# apt-get update is always run: the lab resolves the current cloud kernel with apt-cache,
# which needs fresh package lists even when every host package is already installed.
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        $missing
fi
echo "lab-deps: ok (qemu $(qemu-system-x86_64 --version | head -n1 | awk '{print $4}'))"
