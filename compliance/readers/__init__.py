"""Input formats. ``READERS`` is ordered: the first reader whose ``sniff`` says yes reads the file.

Add a format by writing a module with one ``Reader`` class and listing it here, before any reader
whose sniff would also accept it (the generic CSV reader stays last).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from compliance.errors import InputError, UsageError
from compliance.model import Inventory
from compliance.readers.android_pm import AndroidPackageListReader
from compliance.readers.base import DEFAULT_MAX_BYTES, Reader, Source
from compliance.readers.cyclonedx_json import CycloneDXJSONReader
from compliance.readers.cyclonedx_xml import CycloneDXXMLReader
from compliance.readers.generic_csv import GenericCSVReader, MobileAppsCSVReader
from compliance.readers.intune import IntuneDiscoveredAppsReader
from compliance.readers.jamf import JamfMobileDeviceReader
from compliance.readers.linux_packages import (
    DpkgListReader,
    DpkgQueryReader,
    RpmListReader,
    RpmQueryReader,
)
from compliance.readers.osquery import OsqueryReader
from compliance.readers.spdx_json import SPDXJSONReader
from compliance.readers.spdx_tagvalue import SPDXTagValueReader
from compliance.readers.system_profiler import SystemProfilerReader
from compliance.readers.windows_uninstall import WindowsUninstallCSVReader, WindowsUninstallJSONReader
from compliance.readers.winget_export import WingetExportReader

READERS: list[type[Reader]] = [
    CycloneDXJSONReader,
    CycloneDXXMLReader,
    SPDXJSONReader,
    SPDXTagValueReader,
    WingetExportReader,
    SystemProfilerReader,
    OsqueryReader,
    # Installed-software inventories (line and CSV formats); specific shapes before generic ones.
    WindowsUninstallJSONReader,
    JamfMobileDeviceReader,
    WindowsUninstallCSVReader,
    IntuneDiscoveredAppsReader,
    AndroidPackageListReader,
    DpkgListReader,
    DpkgQueryReader,
    RpmQueryReader,
    RpmListReader,
    MobileAppsCSVReader,
    GenericCSVReader,  # must stay last: it accepts any CSV/TSV whose header it understands
]


def reader_names() -> list[str]:
    return [r.name for r in READERS]


def reader_by_name(name: str) -> Reader:
    for cls in READERS:
        if cls.name == name:
            return cls()
    raise UsageError(f"unknown input format '{name}'; known formats: {', '.join(reader_names())}")


def detect(source: Source) -> Reader:
    if not source.data.strip():
        raise InputError(source.path, "file is empty")
    for cls in READERS:
        reader = cls()
        if reader.sniff(source):
            return reader
    formats = "; ".join(f"{r.name} ({r.label})" for r in READERS)
    raise InputError(
        source.path,
        f"format not recognised. Supported formats: {formats}. Force one with --input-format NAME",
    )


def load_source(path: str, *, max_bytes: int = DEFAULT_MAX_BYTES, options: dict[str, Any] | None = None) -> Source:
    """Read one input into memory, refusing files over ``max_bytes`` before reading them."""
    opts = dict(options or {})
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InputError("<stdin>", f"input is larger than the {max_bytes:,}-byte limit (--max-input-size)")
        return Source("<stdin>", data, opts)
    try:
        size = os.stat(path).st_size
        if size > max_bytes:
            raise InputError(path, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit (--max-input-size)")
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(path, f"file is over the {max_bytes:,}-byte limit (--max-input-size)")
    return Source(path, data, opts)


def read_source(source: Source, input_format: str | None = None) -> Inventory:
    reader = reader_by_name(input_format) if input_format else detect(source)
    return reader.read(source)


def expand_paths(paths: list[str]) -> Iterator[str]:
    """Files as given; a directory stands for every non-hidden file below it, in sorted order."""
    for p in paths:
        if p != "-" and os.path.isdir(p):
            found = False
            for child in sorted(Path(p).rglob("*")):
                rel = child.relative_to(p)
                if any(part.startswith(".") for part in rel.parts) or not child.is_file():
                    continue
                found = True
                yield str(child)
            if not found:
                raise UsageError(f"{p}: directory contains no input files")
        else:
            yield p
