"""A rule pack as a deterministic archive, and its strict extraction.

``build_archive`` writes a gzip-compressed POSIX tar of exactly the pack's files (``digest.pack_files``)
plus ``MANIFEST.sha256``: entries sorted, every time stamp the given build time, owner 0/0 with no
names, mode 0644, and a gzip header without a file name or time. The same sources and build time give
the same bytes.

``extract_archive`` trusts nothing in the archive, even one whose digest was checked: only regular
files named like pack files are taken, each at most ``MAX_MEMBER`` bytes and ``MAX_TOTAL`` in all; links,
devices, absolute names, ``..``, duplicates and names that differ only in case (one file on a
case-insensitive file system) are refused; files are written by this code into a
directory it just created, never by ``tarfile``'s own extraction.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import tarfile
from pathlib import Path

from compliance.rulepack.digest import MANIFEST_NAME, manifest, manifest_digest, pack_files

MAX_MEMBER = 16 * 1024 * 1024
MAX_TOTAL = 256 * 1024 * 1024
MAX_MEMBERS = 10_000
_MEMBER = re.compile(r"^(pack\.yaml|MANIFEST\.sha256|(vendors|jurisdictions)/[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.ya?ml)$")


class ArchiveError(Exception):
    """An archive that is not a well-formed pack; the message is one line."""


def build_archive(root: str | os.PathLike[str], mtime: int) -> tuple[bytes, str]:
    """The archive's bytes and the pack digest of what it holds."""
    base = Path(root)
    folded: dict[str, str] = {}
    for rel in pack_files(base):
        if not _MEMBER.match(rel):
            raise ArchiveError(f"{rel}: not allowed in a pack archive (file names of letters, digits, '.', '_', '-')")
        if rel.lower() in folded:
            raise ArchiveError(f"{rel}: differs from {folded[rel.lower()]} only in case (one file on macOS and Windows)")
        folded[rel.lower()] = rel
    man = manifest(base)
    buf = io.BytesIO()
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for rel in [MANIFEST_NAME, *pack_files(base)]:
            data = man if rel == MANIFEST_NAME else (base / rel).read_bytes()
            info = tarfile.TarInfo(rel)
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.type = tarfile.REGTYPE
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue(), manifest_digest(man)


def extract_archive(data: bytes, dest: Path) -> str:
    """Write the pack files of ``data`` into ``dest`` (a new, empty directory); return the pack digest.

    The manifest inside the archive must list exactly the files it holds, with their digests.
    """
    files: dict[str, bytes] = {}
    folded: dict[str, str] = {}
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for count, member in enumerate(tar, 1):
                if count > MAX_MEMBERS:
                    raise ArchiveError(f"more than {MAX_MEMBERS} entries")
                name = member.name
                if not member.isreg():
                    raise ArchiveError(f"entry {name[:80]!r} is not a regular file")
                if not _MEMBER.match(name):
                    raise ArchiveError(f"entry {name[:80]!r} is not a pack file")
                if name in files:
                    raise ArchiveError(f"entry {name!r} appears twice")
                if name.lower() in folded:  # one file on a case-insensitive file system (macOS, Windows)
                    raise ArchiveError(f"entries {folded[name.lower()]!r} and {name!r} differ only in case")
                folded[name.lower()] = name
                if member.size > MAX_MEMBER:
                    raise ArchiveError(f"entry {name!r} is larger than {MAX_MEMBER // (1024 * 1024)} MiB")
                total += member.size
                if total > MAX_TOTAL:
                    raise ArchiveError(f"the pack is larger than {MAX_TOTAL // (1024 * 1024)} MiB")
                fh = tar.extractfile(member)
                content = fh.read() if fh is not None else b""
                if len(content) != member.size:
                    raise ArchiveError(f"entry {name!r} is truncated")
                files[name] = content
    except (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile, ValueError) as exc:
        raise ArchiveError(f"not a readable pack archive ({type(exc).__name__})") from None
    man = files.pop(MANIFEST_NAME, None)
    if man is None:
        raise ArchiveError(f"no {MANIFEST_NAME} in the archive")
    if "pack.yaml" not in files:
        raise ArchiveError("no pack.yaml in the archive")
    dest.mkdir(mode=0o755)
    for rel, content in files.items():
        target = dest.joinpath(*rel.split("/"))
        target.parent.mkdir(mode=0o755, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(target, flags, 0o644), "wb") as out:
            out.write(content)
    found = manifest(dest)
    if found != man:
        raise ArchiveError(f"{MANIFEST_NAME} does not match the files in the archive")
    return manifest_digest(found)
