"""The content digest of a rule pack: what every report, pin and attestation names.

A pack is the files the loader reads: ``pack.yaml``, ``vendors/*.yaml`` and ``jurisdictions/*.yaml``
(``*.y*ml``, as the loader globs). Its manifest lists each file's SHA-256 and path relative to the pack
directory, one per line, sorted by path, in ``sha256sum`` form::

    3f5a...e1  jurisdictions/US.yaml

and the pack digest is the SHA-256 of that manifest. So the digest depends on the bytes of the pack
files only, never on where the directory is, file times, or how an archive was compressed: the built-in
pack in the wheel, the same sources in a git checkout and the same pack installed from a signed archive
all have one digest, and ``sha256sum -c MANIFEST.sha256`` checks an extracted archive by hand.
"""

from __future__ import annotations

import os
import stat

from compliance.readers.base import sha256

MANIFEST_NAME = "MANIFEST.sha256"
PACK_DIRS = ("vendors", "jurisdictions")


def pack_files(root: str | os.PathLike[str]) -> list[str]:
    """The pack's files as relative POSIX paths, sorted: ``pack.yaml`` and the YAML files the loader reads."""
    base = os.fspath(root)
    out = ["pack.yaml"] if os.path.isfile(os.path.join(base, "pack.yaml")) else []
    for sub in PACK_DIRS:
        try:
            names = os.listdir(os.path.join(base, sub))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            folded = os.path.normcase(name)
            if folded.endswith("ml") and ".y" in folded[:-2] and os.path.isfile(os.path.join(base, sub, name)):
                out.append(f"{sub}/{name}")
    return sorted(out)


def manifest(root: str | os.PathLike[str]) -> bytes:
    """The pack's manifest (``sha256  path`` lines, sorted by path)."""
    base = os.fspath(root)
    lines = []
    for rel in pack_files(base):
        with open(os.path.join(base, *rel.split("/")), "rb") as fh:
            lines.append(f"{sha256(fh.read()).hexdigest()}  {rel}\n")
    return "".join(lines).encode("utf-8", "surrogateescape")


def manifest_digest(manifest_bytes: bytes) -> str:
    return sha256(manifest_bytes).hexdigest()


def pack_digest(root: str | os.PathLike[str]) -> str:
    """The pack's content digest (hex SHA-256 of its manifest)."""
    return manifest_digest(manifest(root))


# The rule-pack cache keys its entries on each file's digest (``compliance.rulepack.cache``); a scan
# computes them on every run, so they are taken without blocking and without raising.

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def file_sha256(path: str | os.PathLike[str]) -> str | None:
    """The SHA-256 (hex) of a regular file's bytes; None when it is missing, not a regular file (a FIFO
    never hangs the run: it is opened non-blocking) or unreadable."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        h = sha256(os.read(fd, 1 << 20))  # OpenSSL for a large file, the built-in SHA-256 for a small one
        while chunk := os.read(fd, 1 << 20):
            h.update(chunk)
        return str(h.hexdigest())
    except OSError:
        return None
    finally:
        os.close(fd)


def file_digests(root: str | os.PathLike[str]) -> list[tuple[str, str]] | None:
    """``(path, SHA-256)`` of every pack file (``pack_files``: the lines of ``manifest``), or None when a
    folder cannot be listed or a file read."""
    try:
        names = pack_files(root)
    except OSError:
        return None
    out = []
    for name in names:
        digest = file_sha256(os.path.join(root, *name.split("/")))
        if digest is None:
            return None
        out.append((name, digest))
    return out
