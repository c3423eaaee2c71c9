"""The server half of RFC 6455, as much as a Kubernetes exec stream needs.

The kubernetes Python client execs over WebSocket (websocket-client) with the
``v5.channel.k8s.io`` / ``v4.channel.k8s.io`` subprotocols: every binary message starts with a
channel byte (0 stdin, 1 stdout, 2 stderr, 3 error/status, 255 close-channel in v5). The API
server stand-in uses these helpers to do the handshake, send server frames (never masked) and
read client frames (always masked).
"""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Protocol


class Reader(Protocol):
    """What reading a client message needs: a blocking ``read``."""

    def read(self, size: int, /) -> bytes: ...


class Writer(Protocol):
    """What sending server frames needs."""

    def write(self, data: bytes, /) -> int | None: ...

    def flush(self) -> None: ...


GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
SUBPROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io", "channel.k8s.io")


def accept_key(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a client's ``Sec-WebSocket-Key``."""
    digest = hashlib.sha1((key.strip() + GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def choose_subprotocol(offered: str | None) -> str | None:
    """The first protocol the client offers that the server speaks (the apiserver's rule)."""
    for proto in (p.strip() for p in (offered or "").split(",")):
        if proto in SUBPROTOCOLS:
            return proto
    return None


def encode_frame(opcode: int, payload: bytes) -> bytes:
    """One final, unmasked frame."""
    head = bytes([0x80 | opcode])
    size = len(payload)
    if size < 126:
        head += bytes([size])
    elif size < 1 << 16:
        head += bytes([126]) + struct.pack("!H", size)
    else:
        head += bytes([127]) + struct.pack("!Q", size)
    return head + payload


def close_frame(code: int = 1000, reason: str = "") -> bytes:
    return encode_frame(OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8"))


def _read_exact(stream: Reader, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            raise EOFError("connection closed mid-frame")
        data += chunk
    return data


def read_message(stream: Reader) -> tuple[int, bytes]:
    """One whole client message (continuation frames joined): (opcode, payload)."""
    opcode: int | None = None
    payload = b""
    while True:
        b0, b1 = _read_exact(stream, 2)
        fin, op = b0 & 0x80, b0 & 0x0F
        size = b1 & 0x7F
        if size == 126:
            size = struct.unpack("!H", _read_exact(stream, 2))[0]
        elif size == 127:
            size = struct.unpack("!Q", _read_exact(stream, 8))[0]
        mask = _read_exact(stream, 4) if b1 & 0x80 else b""
        data = _read_exact(stream, size)
        if mask:
            data = bytes(byte ^ mask[i % 4] for i, byte in enumerate(data))
        if op >= 0x8:  # control frames may interleave a fragmented message
            return op, data
        if opcode is None:
            opcode = op
        payload += data
        if fin:
            return opcode, payload
