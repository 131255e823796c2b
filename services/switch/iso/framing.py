"""Message framing on the TCP stream: a 2-byte big-endian length (jPOS NACChannel style) or,
by configuration, 4 ASCII digits, before every message.
"""

from __future__ import annotations

import asyncio
import struct

BINARY_HEADER = "binary"
ASCII_HEADER = "ascii"
HEADER_KINDS = (BINARY_HEADER, ASCII_HEADER)
MAX_FRAME_BYTES = 4096  # a full 0200 with every field we use is under 400 bytes
_BINARY = struct.Struct(">H")


class FrameError(Exception):
    """The stream cannot be read as frames any more: the connection must close."""


def header_size(kind: str) -> int:
    return _BINARY.size if kind == BINARY_HEADER else 4


def frame(payload: bytes, kind: str = BINARY_HEADER) -> bytes:
    if len(payload) > MAX_FRAME_BYTES:
        raise ValueError(f"message of {len(payload)} bytes exceeds {MAX_FRAME_BYTES}")
    if kind == BINARY_HEADER:
        return _BINARY.pack(len(payload)) + payload
    return b"%04d" % len(payload) + payload


def parse_header(header: bytes, kind: str) -> int:
    if kind == BINARY_HEADER:
        return _BINARY.unpack(header)[0]
    if not header.isdigit():
        raise FrameError(f"length header {header!r} is not 4 ASCII digits")
    return int(header)


async def read_frame(reader: asyncio.StreamReader, kind: str = BINARY_HEADER) -> bytes:
    """The next message's bytes; b"" for a zero-length keep-alive. Raises IncompleteReadError at
    end of stream and FrameError when a length cannot be trusted (the stream is out of step)."""
    length = parse_header(await reader.readexactly(header_size(kind)), kind)
    if length > MAX_FRAME_BYTES:
        raise FrameError(f"frame of {length} bytes exceeds {MAX_FRAME_BYTES}")
    return await reader.readexactly(length) if length else b""


class Outbox:
    """A connection's outgoing frames, written once per loop iteration: answers that are ready
    together (a batch's) go out in one write, one system call instead of one each."""

    def __init__(self, writer: asyncio.StreamWriter):
        self.writer = writer
        self.frames: list[bytes] = []

    def send(self, framed: bytes) -> None:
        if not self.frames:
            asyncio.get_running_loop().call_soon(self._flush)
        self.frames.append(framed)

    def _flush(self) -> None:
        frames, self.frames = self.frames, []
        if not self.writer.is_closing():
            self.writer.write(b"".join(frames))
