"""Inputs named by URL: ``file://`` read as local files, remote URLs only when the user opts in.

Offline means offline. A plain ``complycheck scan`` never opens a network connection: a remote URL
among the inputs becomes that input's error section (one line, exit 2), the other inputs are still
scanned, and nothing is fetched. Remote inputs are read only when the command line asks for it,
with ``--allow-remote`` or ``--scheduler`` (a Dask cluster reads its inputs where they are, so a
fleet in object storage is never copied through the machine that runs ``complycheck``). A policy
file cannot opt in: it may arrive with a pull request, and network access from a CI runner is not
its decision.

Only the schemes in ``REMOTE_SCHEMES`` are read, through fsspec and the filesystem's own package
(``s3fs`` for s3://, ``gcsfs`` for gs://...); any failure while listing or reading a URL (a refused
connection, a missing package, a missing object) is that input's error section. ``file://`` URLs
name local files and go through the same reader as a path, with its guards (no FIFO waited on for
ever, no device read).
"""

from __future__ import annotations

import os
import re
from typing import Any

from compliance.errors import InputError
from compliance.readers.base import Source, read_capped, source_of
from compliance.untrusted import capped

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")

# The remote schemes read with --allow-remote or --scheduler. Object storage and HTTPS; plain-text
# FTP, SFTP/SSH (the user's keys) and fsspec's chaining (``zip://...::s3://...``) are not offered.
# ``memory://`` is fsspec's in-process store: for library callers and tests, it never leaves the process.
REMOTE_SCHEMES = ("s3", "gs", "gcs", "az", "abfs", "abfss", "http", "https", "memory")

OPT_IN = "--allow-remote"


def is_url(path: str) -> bool:
    """``scheme://...`` other than a local ``file://``-less path (Windows drive letters never match)."""
    return bool(_URL.match(path))


def scheme_of(url: str) -> str:
    return url.split("://", 1)[0].lower()


def local_path(url: str) -> str | None:
    """The local path a ``file://`` URL names (``file:///srv/x%20y.json`` -> ``/srv/x y.json``).

    None for any other URL, and for a ``file://`` URL that does not name a file on this machine
    (another host, a query or fragment): those are refused by ``remote_error``.
    """
    if scheme_of(url) != "file":
        return None
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or parts.query or parts.fragment or not parts.path:
        return None
    if os.name == "nt":  # pragma: no cover - file:///C:/x -> C:\x
        from urllib.request import url2pathname

        return url2pathname(parts.path)
    return unquote(parts.path)


def remote_error(url: str, allowed: bool) -> str | None:
    """Why ``url`` is not read, as the message of its error section; None when it may be read.

    Decided without touching the network: the opt-in, the scheme, and fsspec chaining.
    """
    scheme = scheme_of(url)
    accepted = ", ".join(f"{s}://" for s in REMOTE_SCHEMES)
    if scheme == "file":
        return "a file:// URL must name a local file (file:///path/to/file, no host, query or fragment)"
    if scheme not in REMOTE_SCHEMES or "::" in url:
        return f"{scheme}:// is not a scheme complycheck reads (remote inputs: {accepted}; file:// for local files)"
    if not allowed:
        return (
            f"remote input not read: complycheck works offline unless the command line passes {OPT_IN} "
            f"(or --scheduler); remote schemes: {accepted}"
        )
    return None


def _failure(exc: BaseException) -> str:
    """One short line for an exception raised while listing or reading a URL (its text may come from a server)."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    text = " ".join(str(getattr(exc, "strerror", None) or exc).split())
    return f"cannot read ({type(exc).__name__}: {capped(text, 200)})" if text else f"cannot read ({type(exc).__name__})"


def filesystem(url: str) -> tuple[Any, str]:
    """The fsspec filesystem for a URL and the path inside it; ``InputError`` naming what is missing."""
    try:
        import fsspec
    except ImportError:
        raise InputError(url, "reading URLs needs fsspec: pip install 'complycheck[dask]'") from None
    scheme = scheme_of(url)
    try:
        fs, path = fsspec.core.url_to_fs(url)
    except ImportError as exc:
        raise InputError(url, f"the {scheme}:// filesystem needs a package that is not installed ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - fsspec and its plug-ins raise what they like
        raise InputError(url, _failure(exc)) from None
    return fs, path


def expand_url(url: str) -> list[str]:
    """A URL as given; a URL naming a directory (prefix) stands for every non-hidden file below it.

    ``InputError`` for anything that goes wrong, so that the URL becomes its own error section.
    """
    fs, path = filesystem(url)
    try:
        is_dir = fs.isdir(path)
        if not is_dir:
            return [url]
        protocol = url.split("://", 1)[0]
        root = path.rstrip("/")
        found = []
        for child in sorted(fs.find(root)):
            rel = child[len(root) :].lstrip("/")
            if rel and not any(part.startswith(".") for part in rel.split("/")):
                found.append(f"{protocol}://{child}")
    except Exception as exc:  # noqa: BLE001 - a refused connection, a timeout, a server error: this input's error
        raise InputError(url, _failure(exc)) from None
    if not found:
        raise InputError(url, "directory contains no input files")
    return found


def load_url(url: str, *, max_bytes: int, options: dict[str, Any] | None = None) -> Source:
    """Read one URL into memory with the same size limit as a local file; ``InputError`` on any failure.

    The caller has decided that the URL may be read (``remote_error``).
    """
    fs, path = filesystem(url)
    try:
        size = fs.size(path)
        if size is not None and size > max_bytes:
            raise InputError(url, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit (--max-input-size)")
        with fs.open(path, "rb") as fh:
            data = read_capped(fh, max_bytes + 1, (size + 1) if size is not None else 1 << 20)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of the network or the filesystem is this input's error
        raise InputError(url, _failure(exc)) from None
    return source_of(url, data, max_bytes, dict(options or {}))
