"""Writing a report file so that a reader never sees half of one.

A report shows a verdict near its top: a truncated file (full disk, killed process) can look complete
and say PASS. So the text goes to a temporary file in the target's directory, is flushed to disk, and
only then renamed over the target, which the file system does in one step. A failure leaves the old
file (or none) and removes the temporary one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile


def _default_mode() -> int:
    """What ``open(..., "w")`` would give a new file: 0o666 less the umask (mkstemp uses 0o600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(target: str, text: str | bytes) -> None:
    """Replace ``target`` with ``text`` (UTF-8, LF; bytes as they are) in one rename; ``OSError`` when it cannot.

    A target that exists and is not a regular file (``/dev/stdout``, ``/dev/null``, a FIFO) cannot
    be replaced and is written straight through. A symlink keeps pointing at the file it names.
    """
    try:
        info: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        info = None
    data = text.encode("utf-8") if isinstance(text, str) else text
    if info is not None and not stat.S_ISREG(info.st_mode):
        with open(target, "wb") as fh:
            fh.write(data)
        return
    real = os.path.realpath(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(real)}.", suffix=".tmp", dir=os.path.dirname(real))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(info.st_mode) if info is not None else _default_mode())
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
