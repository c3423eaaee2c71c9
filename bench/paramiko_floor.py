"""The paramiko floor: the least a Python SSH fan-out can cost, for comparison with bondcheck.

A bare thread pool; per node one paramiko Transport (TCP connect, key exchange with the same
cheap algorithms bondcheck asks for, host key compared with the one expected blob, public-key
login), one exec of ``cat /proc/net/bonding/bond0``, read to EOF, close. No ssh config, no
known_hosts files, no parsing, no checks, no report: what is left is paramiko's own cost, which
bondcheck cannot go below while it uses paramiko.

Prints one JSON object: {"ok": N, "failed": N, "bytes": N, "first_error": str | null}.
"""

from __future__ import annotations

import argparse
import json
import socket
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

FETCH = "cat /proc/net/bonding/bond0"
KEX = ("curve25519-sha256@libssh.org", "ecdh-sha2-nistp256")
CIPHERS = ("aes128-gcm@openssh.com", "aes128-ctr")


def _prefer(preferred: Sequence[str], supported: Sequence[str]) -> tuple[str, ...]:
    first = tuple(p for p in preferred if p in supported)
    return first + tuple(s for s in supported if s not in first)


def fetch(address: str, port: int, user: str, pkey: object, host_blob: str) -> bytes:
    import paramiko

    sock = socket.create_connection((address, port), timeout=30)
    transport = paramiko.Transport(sock)
    try:
        options = transport.get_security_options()
        options.kex = _prefer(KEX, options.kex)
        options.ciphers = _prefer(CIPHERS, options.ciphers)
        options.key_types = _prefer(("ssh-ed25519",), options.key_types)
        transport.start_client(timeout=30)
        if transport.get_remote_server_key().get_base64() != host_blob:
            raise RuntimeError(f"{address}: unexpected host key")
        transport.auth_publickey(user, pkey)  # type: ignore[arg-type]
        channel = transport.open_session(timeout=30)
        channel.exec_command(FETCH)
        chunks = []
        while True:
            chunk = channel.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        if channel.recv_exit_status() != 0:
            raise RuntimeError(f"{address}: remote command failed")
        return b"".join(chunks)
    finally:
        transport.close()


def main() -> None:
    import paramiko

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--addresses-file", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--host-key-blob", required=True)
    parser.add_argument("-j", "--jobs", type=int, default=50)
    args = parser.parse_args()
    with open(args.addresses_file) as handle:
        addresses = [line.strip() for line in handle if line.strip()]
    pkey = paramiko.PKey.from_path(args.key)
    ok = failed = size = 0
    first_error: str | None = None
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [
            pool.submit(fetch, a, args.port, args.user, pkey, args.host_key_blob) for a in addresses
        ]
        for future in futures:
            try:
                data = future.result()
            except Exception as exc:  # count it; the benchmark refuses a run with failures
                failed += 1
                first_error = first_error or f"{type(exc).__name__}: {exc}"
                continue
            ok += data.count(b"Bonding Mode:")
            size += len(data)
    print(json.dumps({"ok": ok, "failed": failed, "bytes": size, "first_error": first_error}))


if __name__ == "__main__":
    main()
