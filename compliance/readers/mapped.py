"""Large input files mapped into memory instead of copied into it.

A gigabyte SBOM read with ``read()`` is a gigabyte of this process's memory for the whole scan, on top
of everything made from it. Mapped (``mmap``), its bytes are the operating system's page cache: each
pass over the input (hashing, the UTF-8 check, the parser) goes front to back and gives back the pages
it has passed (``release``), so they leave this process's resident memory as it goes. A reader sees the
map as it saw the bytes: slicing, ``len``, ``find`` and the buffer protocol (``memoryview``, which
orjson, msgspec, the decoders and ``hashlib`` take without a copy).

A mapped file changed or cut short while it is read would make the bytes hashed differ from the bytes
judged (and a truncated map faults): ``unchanged`` compares the file's identity, size and change time
with those taken when it was mapped, and the scan refuses the input when they differ.
"""

from __future__ import annotations

import io
import mmap
import os
from collections.abc import Iterator
from typing import Any

# Regular files at least this large are mapped; smaller ones are read (a map costs a few system calls,
# which a small scan's start-up would notice, and saves nothing there).
MAP_ABOVE = 64 * 1024 * 1024
# Passes give back the pages behind them every this many bytes.
RELEASE_EVERY = 16 * 1024 * 1024

def map_file(fd: int, size: int) -> mmap.mmap:
    """The first ``size`` bytes of an open regular file, mapped read-only."""
    return mmap.mmap(fd, size, access=mmap.ACCESS_READ)


def file_state(st: os.stat_result) -> tuple[int, ...]:
    """What changes when a file is written, replaced or cut: compared before and after reading."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def release(data: Any, upto: int) -> None:
    """Give back the mapped pages of ``data`` below offset ``upto`` (no-op for bytes). Their content
    stays the file's: a later pass reads them in again."""
    if type(data) is mmap.mmap and upto > 0:
        end = min(upto, len(data))
        end -= end % mmap.PAGESIZE
        if end > 0:
            data.madvise(mmap.MADV_DONTNEED, 0, end)


def chunks(data: Any, start: int = 0, size: int = 1 << 20) -> Iterator[memoryview]:
    """``data[start:]`` as views of ``size`` bytes, giving back the pages passed as it goes."""
    view = memoryview(data)
    released = start
    try:
        for pos in range(start, len(data), size):
            yield view[pos : pos + size]
            if pos - released >= RELEASE_EVERY:
                release(data, pos)
                released = pos
    finally:
        view.release()
    release(data, len(data))


def is_blank(data: Any) -> bool:
    """True when ``data`` holds only ASCII whitespace (or nothing), looked at 1 MB at a time."""
    if type(data) is not mmap.mmap:
        return not data or data.isspace()
    return all(bytes(part).isspace() for part in chunks(data))


def is_ascii(data: Any) -> bool:
    if type(data) is not mmap.mmap:
        return bool(data.isascii())
    return all(bytes(part).isascii() for part in chunks(data))


class MappedStream(io.RawIOBase):
    """A mapped file read front to back as a raw stream (for ``io.TextIOWrapper``), giving back the
    pages it has passed."""

    def __init__(self, data: mmap.mmap, start: int = 0) -> None:
        super().__init__()
        self._data = data
        self._view = memoryview(data)
        self._pos = start
        self._released = start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        end = min(self._pos + len(buffer), len(self._data))
        n = end - self._pos
        if n <= 0:
            return 0
        memoryview(buffer)[:n] = self._view[self._pos : end]
        self._pos = end
        if end - self._released >= RELEASE_EVERY:
            release(self._data, end)
            self._released = end
        return n
