"""Writing report files: never half a report, never through a link, never over an input.

A report shows a verdict near its top: a truncated file (full disk, killed process) can look complete
and say PASS. So the text goes to a temporary file in the target's directory, is flushed to disk, and
only then renamed over the target, which the file system does in one step. A failure leaves the old
file (or none) and removes the temporary one.

Before a scan starts, ``check_targets`` refuses report targets that would destroy or mislead:

- a target that is the same file as an input (compared by ``(st_dev, st_ino)``, so a hard link, a
  symbolic link or a file found under a scanned folder is caught too): ``scan x.json -o x.json``
  would replace the SBOM with its own report;
- a symbolic link at the target path: writing through it would replace whatever file it points to
  (a ``report.sarif -> ~/.bashrc`` committed to a repository). A link to a device or a pipe, such as
  ``/dev/stdout`` on a terminal or a pipe, is still written straight through;
- two targets that are one file (two spellings, a link, a hard link), or standard output twice: the
  second report would silently replace the first.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable, Sequence

from compliance.errors import UsageError
from compliance.paths import STDIO, FileId, local_files
from compliance.untrusted import path_text

LINK_REFUSED = (
    "is a symbolic link; complycheck never writes a report through one "
    "(name the file it points to, or '-' for standard output)"
)


def _default_mode() -> int:
    """What ``open(..., "w")`` would give a new file: 0o666 less the umask (mkstemp uses 0o600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _link_to_regular(target: str) -> bool:
    """True when ``target`` is a symbolic link that does not end at a device or pipe (or ends nowhere)."""
    try:
        if not stat.S_ISLNK(os.lstat(target).st_mode):
            return False
        return stat.S_ISREG(os.stat(target).st_mode)
    except FileNotFoundError:
        return os.path.islink(target)  # a dangling link: writing would create the file it names
    except OSError:
        return False  # cannot be examined: the write reports why


def check_targets(targets: Sequence[tuple[str, str]], inputs: Iterable[str]) -> None:
    """Refuse report targets that would destroy an input, write through a link, or collide.

    ``targets``: ``(label, path)`` pairs, the label as the user gave it (``sarif=out.sarif``), the path
    ``-`` for standard output. ``inputs``: every file the run reads (scan inputs, folders, the policy
    and waivers files, rule pack directories); they are walked only when a target already exists, as
    a new file cannot be an input. Raises ``UsageError`` (one line naming the target).
    """
    seen: dict[object, str] = {}
    existing: dict[FileId, str] = {}
    for label, target in targets:
        key: object
        if target == STDIO:
            key = STDIO
        else:
            if _link_to_regular(target):
                raise UsageError(f"{path_text(target)}: {LINK_REFUSED}")
            try:
                info: os.stat_result | None = os.stat(target)
            except OSError:
                info = None  # not there yet (or unreachable: the write says why)
            if info is not None and not stat.S_ISREG(info.st_mode):
                continue  # /dev/null, a terminal, a pipe: nothing on disk is replaced
            if info is not None:
                key = (info.st_dev, info.st_ino)
                existing[key] = target
            else:
                key = os.path.realpath(target)
        if key in seen:
            shown = "standard output" if target == STDIO else path_text(target)
            raise UsageError(
                f"{shown}: named by two reports ({path_text(seen[key])} and {path_text(label)}); "
                "each report needs a file of its own"
            )
        seen[key] = label
    if existing:
        for found, ident in local_files(inputs):
            if ident in existing:
                target = existing[ident]
                same = "" if found == path_text(target) else f" ({found})"
                raise UsageError(
                    f"{path_text(target)}: the report file is also an input{same}; "
                    "complycheck never overwrites an input: name another report file"
                )


def write_atomically(target: str, text: str | bytes) -> None:
    """Replace ``target`` with ``text`` (UTF-8, LF; bytes as they are) in one rename; ``OSError`` when it cannot.

    A target that exists and is not a regular file (``/dev/null``, a FIFO, a terminal, or a link to
    one such as ``/dev/stdout``) cannot be replaced and is written straight through, opened without
    creating or truncating anything and checked before the first byte. A symbolic link to a regular
    file (or to nothing) is refused with ``ELOOP``: the rename would never follow it, and writing
    through it would replace a file the user did not name.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        info: os.stat_result | None = os.lstat(target)
    except FileNotFoundError:
        info = None
    if info is not None and (stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode)):
        _write_through(target, data, follow=stat.S_ISLNK(info.st_mode))
        return
    import tempfile  # only when a report file is written: every scan checks its targets, few write one

    directory = os.path.dirname(target) or os.curdir
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(info.st_mode) if info is not None else _default_mode())
        os.replace(tmp, target)  # rename(2) replaces a link put there meanwhile, never its target
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_through(target: str, data: bytes, *, follow: bool) -> None:
    """Write into a device or pipe: no ``O_CREAT``, no ``O_TRUNC``, and a regular file is refused unwritten."""
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags)
    except FileNotFoundError:
        if follow:
            raise OSError(errno.ELOOP, LINK_REFUSED) from None  # a dangling link
        raise
    with open(fd, "wb") as fh:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.ELOOP, LINK_REFUSED)
        fh.write(data)
