"""An append-only journal of framed records, made durable with group commit.

Each frame is ``length (4 bytes, little-endian) | CRC-32 of the payload (4) |
payload``. A process killed in the middle of an append leaves a frame whose
length runs past the end of the file or whose checksum does not match: a torn
tail. Reading stops at the first such frame, reports it, and recovery cuts the
file there; every frame before it was whole when written.

Durability: ``append`` writes the frame to the file (the page cache: it
survives the process being killed) under the caller's lock, and ``sync``
(outside that lock) returns once an ``fdatasync`` covering the frame has
completed (it survives the machine losing power). Threads that sync while
another's ``fdatasync`` runs find their frames covered by the next one: one
disk flush for many writes, the group commit of embedded databases.
"""

from __future__ import annotations

import logging
import os
import struct
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

_HEADER = struct.Struct("<II")
MAX_FRAME_BYTES = 1 << 30


@dataclass
class Scan:
    """What reading a journal found: whole payloads, and where the whole part ends."""

    payloads: list[bytes]
    valid_bytes: int
    torn_bytes: int


class Journal:
    """One journal file, open for appending."""

    def __init__(self, path: Path, durable: bool = True) -> None:
        self.path = path
        self.durable = durable
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.size = os.fstat(self._fd).st_size
        self._written = 0
        self._synced = 0
        self._sync_lock = threading.Lock()
        self._closed = False
        if durable:
            fsync_dir(path.parent)

    def append(self, payload: bytes) -> int:
        """Write one frame (callers serialise appends); returns its sequence number for ``sync``."""
        if len(payload) > MAX_FRAME_BYTES:
            raise ValueError(f"journal frame of {len(payload)} bytes is over the limit")
        frame = _HEADER.pack(len(payload), zlib.crc32(payload)) + payload
        view = memoryview(frame)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self.size += len(frame)
        self._written += 1
        return self._written

    def sync(self, seq: int) -> None:
        """Return once frame ``seq`` and all before it are on disk."""
        if not self.durable or self._synced >= seq:
            return
        with self._sync_lock:
            if self._synced >= seq or self._closed:
                return
            covered = self._written
            os.fdatasync(self._fd)
            self._synced = max(self._synced, covered)

    def close(self) -> None:
        with self._sync_lock:
            if self._closed:
                return
            if self.durable:
                os.fdatasync(self._fd)
            self._synced = self._written
            self._closed = True
            os.close(self._fd)


def read(path: Path) -> Scan:
    """Every whole frame of a journal file, in order, and the size of its torn tail (0: none)."""
    data = path.read_bytes()
    payloads = []
    offset = 0
    while offset + _HEADER.size <= len(data):
        length, checksum = _HEADER.unpack_from(data, offset)
        start, end = offset + _HEADER.size, offset + _HEADER.size + length
        if length > MAX_FRAME_BYTES or end > len(data):
            break
        payload = data[start:end]
        if zlib.crc32(payload) != checksum:
            break
        payloads.append(payload)
        offset = end
    return Scan(payloads, offset, len(data) - offset)


def cut_torn_tail(path: Path, scan: Scan) -> None:
    """Drop the torn tail a crash left, so new frames follow the last whole one."""
    if scan.torn_bytes:
        log.warning("journal %s: torn tail of %d byte(s) after %d whole frame(s) dropped", path.name,
                    scan.torn_bytes, len(scan.payloads))
        with path.open("r+b") as f:
            f.truncate(scan.valid_bytes)
            f.flush()
            os.fsync(f.fileno())


def fsync_dir(directory: Path) -> None:
    """Make a directory's entries (a file created or renamed in it) durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

