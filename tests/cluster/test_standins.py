"""The stand-ins' own protocol pieces, checked against their specifications."""

from __future__ import annotations

import io
import os
import struct

from standins import websocket as ws
from standins.store import matches, parse_selector


def test_websocket_accept_key_is_the_rfc6455_example() -> None:
    assert ws.accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_subprotocol_is_the_first_offered_that_is_spoken() -> None:
    assert ws.choose_subprotocol("v5.channel.k8s.io,v4.channel.k8s.io") == "v5.channel.k8s.io"
    assert ws.choose_subprotocol("base64.channel.k8s.io, v4.channel.k8s.io") == (
        "v4.channel.k8s.io"
    )
    assert ws.choose_subprotocol(None) is None


def test_masked_fragmented_client_message_is_reassembled() -> None:
    def frame(fin: bool, opcode: int, payload: bytes) -> bytes:
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        size = len(payload)
        head = bytes([(0x80 if fin else 0) | opcode])
        if size < 126:
            head += bytes([0x80 | size])
        else:
            head += bytes([0x80 | 126]) + struct.pack("!H", size)
        return head + mask + masked

    big = b"\x00" + b"x" * 300
    data = frame(False, ws.OP_BINARY, big[:100]) + frame(True, ws.OP_CONT, big[100:])
    data += frame(True, ws.OP_CLOSE, struct.pack("!H", 1000))
    stream = io.BytesIO(data)
    assert ws.read_message(stream) == (ws.OP_BINARY, big)
    assert ws.read_message(stream) == (ws.OP_CLOSE, b"\x03\xe8")


def test_server_frames_use_the_right_length_encoding() -> None:
    assert ws.encode_frame(ws.OP_BINARY, b"\x01hi") == b"\x82\x03\x01hi"
    assert ws.encode_frame(ws.OP_BINARY, b"a" * 200)[:4] == b"\x82\x7e\x00\xc8"
    assert ws.encode_frame(ws.OP_BINARY, b"a" * 70000)[:2] == b"\x82\x7f"


def test_label_selectors() -> None:
    labels = {"node-role.kubernetes.io/worker": "", "kubernetes.io/os": "linux"}
    assert matches(parse_selector("node-role.kubernetes.io/worker="), labels)
    assert matches(parse_selector("kubernetes.io/os==linux,!gpu"), labels)
    assert not matches(parse_selector("node-role.kubernetes.io/master"), labels)
    assert not matches(parse_selector("kubernetes.io/os!=linux"), labels)
