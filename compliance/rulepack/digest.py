"""The content digest of a rule pack: the SHA-256 of the bytes of every file the loader reads.

A pack directory holds ``pack.yaml``, ``vendors/*.y*ml`` and ``jurisdictions/*.y*ml``; those are the
files the loader reads (``pack_files``), in its order. ``file_digests`` gives each one's SHA-256 and
``pack_digest`` one SHA-256 over that list, so two directories with the same files (names and bytes)
have the same digest wherever they are and whatever their files' sizes and modification times.

The rule-pack cache keys its entries on these digests (``compliance.rulepack.cache``); a pack
channel can name a pack by ``pack_digest``. Only regular files are read (opened non-blocking, so a
FIFO never hangs the run); anything else makes the digest None, as does a folder that cannot be listed.
"""

from __future__ import annotations

import os
import stat

from compliance.readers.base import sha256

PACK_DIRS = ("vendors", "jurisdictions")
MANIFEST = "pack.yaml"
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def pack_files(root: str | os.PathLike[str]) -> list[str] | None:
    """The pack's files as names relative to ``root`` with ``/`` separators: ``pack.yaml`` first, then
    ``vendors/`` and ``jurisdictions/`` files, each folder sorted, exactly those ``Path(folder).glob("*.y*ml")``
    finds (case-insensitively where the platform is). None when a folder exists but cannot be listed."""
    out = [MANIFEST]
    for sub in PACK_DIRS:
        try:
            names = os.listdir(os.path.join(root, sub))
        except (FileNotFoundError, NotADirectoryError):
            continue  # the loader finds no file there either
        except OSError:
            return None
        # ``*.y*ml``: ends with ``ml`` and has ``.y`` before that, compared as the platform compares names.
        out.extend(f"{sub}/{n}" for n in sorted(names) if os.path.normcase(n).endswith("ml") and ".y" in os.path.normcase(n)[:-2])
    return out


def file_sha256(path: str | os.PathLike[str]) -> str | None:
    """The SHA-256 (hex) of a regular file's bytes; None when it is missing, not a regular file or unreadable."""
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


def file_digests(root: str | os.PathLike[str]) -> list[tuple[str, str | None]] | None:
    """``(name, SHA-256)`` of every pack file (``pack_files``). A missing ``pack.yaml`` has the digest None
    (the loader reports it); any other file that cannot be read, or a folder that cannot be listed, makes
    the whole answer None."""
    names = pack_files(root)
    if names is None:
        return None
    out: list[tuple[str, str | None]] = []
    for name in names:
        path = os.path.join(root, *name.split("/"))
        digest = file_sha256(path)
        if digest is None and (name != MANIFEST or os.path.lexists(path)):
            return None
        out.append((name, digest))
    return out


def pack_digest(root: str | os.PathLike[str]) -> str | None:
    """One SHA-256 (hex) over ``file_digests(root)``: the lines ``name NUL sha256 LF`` (``-`` for a missing
    ``pack.yaml``) in order, UTF-8. None when ``file_digests`` is None."""
    digests = file_digests(root)
    if digests is None:
        return None
    h = sha256()
    for name, digest in digests:
        h.update(f"{name}\0{digest or '-'}\n".encode("utf-8", "surrogateescape"))
    return str(h.hexdigest())
