"""Inputs read where they are: fsspec URLs (``s3://bucket/fleet/``, ``gcs://...``) next to local paths.

A Dask cluster scans inputs on its workers, so a fleet in object storage is never copied through
the machine that runs ``complycheck``. URL support needs ``fsspec`` and the filesystem's own
package (``s3fs`` for s3://, ``gcsfs`` for gcs://...); without them a URL is a usage error that
says what to install, never a silent skip.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from compliance.errors import InputError, UsageError
from compliance.readers.base import Source, read_capped, source_of

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def is_url(path: str) -> bool:
    """``scheme://...`` other than a local ``file://``-less path (Windows drive letters never match)."""
    return bool(_URL.match(path))


def filesystem(url: str) -> tuple[Any, str]:
    """The fsspec filesystem for a URL and the path inside it; a usage error naming what is missing."""
    try:
        import fsspec
    except ImportError:
        raise UsageError(f"{url}: reading URLs needs fsspec: pip install 'complycheck[dask]'") from None
    scheme = url.split("://", 1)[0].lower()
    try:
        fs, path = fsspec.core.url_to_fs(url)
    except ImportError as exc:
        raise UsageError(f"{url}: the {scheme}:// filesystem needs a package that is not installed ({exc})") from None
    except ValueError as exc:
        raise UsageError(f"{url}: {scheme}:// is not a filesystem fsspec knows ({exc})") from None
    return fs, path


def check_urls(paths: list[str]) -> None:
    """Fail early (before any worker starts) when a URL's filesystem cannot be loaded here."""
    for p in paths:
        if is_url(p):
            filesystem(p)


def expand_urls(url: str) -> Iterator[str]:
    """A URL as given; a URL naming a directory (prefix) stands for every non-hidden file below it."""
    fs, path = filesystem(url)
    try:
        is_dir = fs.isdir(path)
    except OSError:
        is_dir = False
    if not is_dir:
        yield url
        return
    protocol = url.split("://", 1)[0]
    root = path.rstrip("/")
    found = False
    for child in sorted(fs.find(root)):
        rel = child[len(root) :].lstrip("/")
        if not rel or any(part.startswith(".") for part in rel.split("/")):
            continue
        found = True
        yield f"{protocol}://{child}"
    if not found:
        raise UsageError(f"{url}: directory contains no input files")


def load_url(url: str, *, max_bytes: int, options: dict[str, Any] | None = None) -> Source:
    """Read one URL into memory with the same size limit as a local file."""
    fs, path = filesystem(url)
    try:
        size = fs.size(path)
        if size is not None and size > max_bytes:
            raise InputError(url, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit (--max-input-size)")
        with fs.open(path, "rb") as fh:
            data = read_capped(fh, max_bytes + 1, (size + 1) if size is not None else 1 << 20)
    except FileNotFoundError:
        raise InputError(url, "no such file") from None
    except PermissionError:
        raise InputError(url, "permission denied") from None
    except OSError as exc:
        raise InputError(url, f"cannot read: {exc.strerror or exc}") from None
    return source_of(url, data, max_bytes, dict(options or {}))
