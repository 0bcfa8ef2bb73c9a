"""Paths complycheck did not choose: those a policy file names, and the identity of files on disk.

A policy file (``.complycheck.yaml``) may arrive with a pull request, so the paths it names (report
``outputs:``, rule pack directories under ``rules:``) are read relative to the directory that holds
it and must stay inside that directory once every symbolic link is resolved: no absolute path, no
``..`` that climbs out, no link to a directory elsewhere. Only the command line, which the person or
the CI job running complycheck wrote, may name a place outside.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from compliance.errors import UsageError
from compliance.untrusted import path_text, quoted

STDIO = "-"  # standard input or output, never a file on disk


def inside_policy_dir(policy_file: str, value: str, where: str) -> str:
    """``value`` joined to the policy file's directory; a ``UsageError`` when it would leave it.

    ``where`` names the place in the file for the message (``.complycheck.yaml: line 4: 'outputs' entry``).
    The check resolves symbolic links of every part that exists now, so ``out -> /home/me`` in the
    repository is caught as well as ``../``.
    """
    base = os.path.dirname(policy_file)
    outside = f"{where} {quoted(value)} is outside the policy file's directory"
    rule = "paths in a policy file stay inside it; name other places on the command line"
    if os.path.isabs(value) or os.path.splitdrive(value)[0]:
        raise UsageError(f"{outside} (an absolute path); {rule}")
    joined = os.path.join(base, value) if base else value
    root = os.path.realpath(base or os.curdir)
    resolved = os.path.realpath(joined)
    if not _within(resolved, root):
        how = "it climbs out with '..'" if os.pardir in _parts(value) else "through a symbolic link"
        raise UsageError(f"{outside} ({how}); {rule}")
    return joined


def _parts(value: str) -> list[str]:
    return (value.replace(os.altsep, os.sep) if os.altsep else value).split(os.sep)


def _within(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # different drives
        return False


FileId = tuple[int, int]


def file_id(path: str, *, follow: bool = True) -> FileId | None:
    """``(st_dev, st_ino)`` of an existing file; None when there is none (or it cannot be examined)."""
    try:
        st = os.stat(path) if follow else os.lstat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def stdin_id() -> FileId | None:
    """The identity of standard input when it is a regular file (``complycheck scan - < sbom.json``)."""
    import stat
    import sys

    try:
        st = os.fstat(sys.stdin.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def local_files(inputs: Iterable[str]) -> Iterator[tuple[str, FileId]]:
    """Every local file the inputs stand for (a folder: each file below it), with its identity.

    Walks folders as the scan does (``compliance.readers.expand_paths``), following symbolic links.
    URLs other than ``file://`` are not local and are left out; standard input counts when it is a
    file. A folder that cannot be walked is left to the scan, which reports it.
    """
    from compliance.errors import ComplyCheckError
    from compliance.readers import expand_paths
    from compliance.remote import is_url, local_path

    for given in inputs:
        if given == STDIO:
            ident = stdin_id()
            if ident is not None:
                yield "<stdin>", ident
            continue
        path = local_path(given) if is_url(given) else given
        if path is None:
            continue
        try:
            for found in expand_paths([path]):
                ident = file_id(found)
                if ident is not None:
                    yield path_text(found), ident
        except (ComplyCheckError, OSError):
            continue
