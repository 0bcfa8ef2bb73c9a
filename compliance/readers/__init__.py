"""Input formats. ``READERS`` is ordered: the first reader whose ``sniff`` says yes reads the file.

Add a format by writing a module with one ``Reader`` class and listing it in ``_REGISTRY``, before
any reader whose sniff would also accept it (the generic CSV reader stays last).

The registry names each reader's module instead of importing it: a scan imports only the readers
it tries, in order, and stops at the first that recognises the input. A CycloneDX JSON scan (the
first entry) so never loads the XML, CSV, osquery or Android readers; importing all 18 readers cost
a small scan about a fifth of its start-up. Detection is unchanged: the same sniffs in the same order.
"""

from __future__ import annotations

import importlib
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO, overload

from compliance.errors import InputError, UsageError
from compliance.model import Inventory
from compliance.readers import mapped
from compliance.readers.base import (
    DEFAULT_MAX_BYTES,
    Reader,
    Source,
    bound_fields,
    cap_problems,
    check_unchanged,
    read_capped,
    settle_text,
    source_of,
)
from compliance.untrusted import path_text

# (name, module, class) in detection order. The names are what --input-format takes; a test checks
# that each equals its class's ``name``.
_REGISTRY: tuple[tuple[str, str, str], ...] = (
    ("cyclonedx-json", "cyclonedx_json", "CycloneDXJSONReader"),
    ("cyclonedx-xml", "cyclonedx_xml", "CycloneDXXMLReader"),
    ("spdx-json", "spdx_json", "SPDXJSONReader"),
    ("spdx-tag-value", "spdx_tagvalue", "SPDXTagValueReader"),
    ("winget-export", "winget_export", "WingetExportReader"),
    ("system-profiler", "system_profiler", "SystemProfilerReader"),
    ("osquery", "osquery", "OsqueryReader"),
    # Installed-software inventories (line and CSV formats); specific shapes before generic ones.
    ("windows-uninstall-json", "windows_uninstall", "WindowsUninstallJSONReader"),
    ("jamf-mobile-device", "jamf", "JamfMobileDeviceReader"),
    ("windows-uninstall-csv", "windows_uninstall", "WindowsUninstallCSVReader"),
    ("intune-discovered-apps", "intune", "IntuneDiscoveredAppsReader"),
    ("android-pm-list", "android_pm", "AndroidPackageListReader"),
    ("dpkg-list", "linux_packages", "DpkgListReader"),
    ("dpkg-query", "linux_packages", "DpkgQueryReader"),
    ("rpm-query", "linux_packages", "RpmQueryReader"),
    ("rpm-qa", "linux_packages", "RpmListReader"),
    ("mobile-apps-csv", "generic_csv", "MobileAppsCSVReader"),
    ("csv", "generic_csv", "GenericCSVReader"),  # must stay last: it accepts any CSV/TSV whose header it understands
)


def _reader_class(index: int) -> type[Reader]:
    """The reader class of registry entry ``index``, importing its module on first use."""
    _name, module, cls = _REGISTRY[index]
    reader: type[Reader] = getattr(importlib.import_module(f"compliance.readers.{module}"), cls)
    return reader


class _LazyReaders(Sequence["type[Reader]"]):
    """``READERS[i]`` imports that reader's module on first use; ``len`` and the names need no import."""

    @overload
    def __getitem__(self, index: int) -> type[Reader]: ...
    @overload
    def __getitem__(self, index: slice) -> list[type[Reader]]: ...
    def __getitem__(self, index: int | slice) -> type[Reader] | list[type[Reader]]:
        if isinstance(index, slice):
            return [_reader_class(i) for i in range(len(_REGISTRY))[index]]
        return _reader_class(range(len(_REGISTRY))[index])  # range: negative indexes and IndexError as a list

    def __len__(self) -> int:
        return len(_REGISTRY)


READERS: Sequence[type[Reader]] = _LazyReaders()


def reader_names() -> list[str]:
    return [name for name, _module, _cls in _REGISTRY]


def reader_by_name(name: str) -> Reader:
    for i, (known, _module, _cls) in enumerate(_REGISTRY):
        if known == name:
            return _reader_class(i)()
    raise UsageError(f"unknown input format '{name}'; known formats: {', '.join(reader_names())}")


def detect(source: Source) -> Reader:
    if mapped.is_blank(source.data):  # no copy of a large input
        raise InputError(source.path, "file is empty")
    for cls in READERS:
        reader = cls()
        if reader.sniff(source):
            return reader
    raise InputError(
        source.path,
        "format not recognised; 'complycheck formats' lists the supported formats, --input-format NAME forces one",
    )


def display_path(path: str) -> str:
    """A path as text that any report format can carry: undecodable bytes become ``\\xNN``.

    ``os`` hands back undecodable file-name bytes as lone surrogates (PEP 383); those cannot be
    encoded as UTF-8, so they are shown as backslash escapes while the raw name is still used to open
    the file. One rule for every output: ``compliance.untrusted.path_text``.
    """
    return path_text(path)


_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _special_kind(mode: int) -> str | None:
    """What a non-regular, non-pipe file is; None for a regular file or a pipe/FIFO."""
    for test, kind in _FILE_KINDS:
        if test(mode):
            return kind
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return None
    return "not a regular file"


def load_source(path: str, *, max_bytes: int = DEFAULT_MAX_BYTES, options: dict[str, Any] | None = None) -> Source:
    """Read one input into memory, refusing files over ``max_bytes`` before reading them.

    Only regular files and pipes are read. The file is opened with ``O_NONBLOCK`` so that a FIFO
    with no writer cannot block the scan (after a short wait for one it is an error); devices and
    sockets are refused.
    """
    opts = dict(options or {})
    if path == "-":
        return source_of("<stdin>", read_capped(sys.stdin.buffer, max_bytes + 1), max_bytes, opts)
    shown = display_path(path)
    try:
        st = os.stat(path)
        kind = _special_kind(st.st_mode)
        if kind == "a directory":
            try:
                _list_directory(path)
            except OSError as exc:  # the unlistable directory that expansion handed on
                raise InputError(shown, f"cannot list directory: {exc.strerror or exc}") from None
            raise InputError(shown, "directory contains no input files")
        if kind is not None:
            raise InputError(shown, f"is {kind}, not a regular file; only files and pipes are read")
        if st.st_size > max_bytes:
            raise InputError(shown, f"file is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit (--max-input-size)")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        with open(fd, "rb") as fh:
            fifo = stat.S_ISFIFO(os.fstat(fd).st_mode)
            if fifo:
                piped = _read_pipe(fh, fd, max_bytes + 1)
                if piped is None:
                    raise InputError(shown, f"is a FIFO with no writer (none came within {FIFO_WAIT_MS // 1000} s)")
                data = piped
            else:
                os.set_blocking(fd, True)
                st = os.fstat(fd)
                if mapped.MAP_ABOVE <= st.st_size <= max_bytes:
                    # Mapped, not copied; hashed here, and checked unchanged when it has been read.
                    data = mapped.map_file(fd, st.st_size)
                    source = source_of(shown, data, max_bytes, opts)
                    source.origin, source.state = path, mapped.file_state(st)
                    return source
                data = read_capped(fh, max_bytes + 1, st.st_size + 1)
    except FileNotFoundError:
        if os.path.islink(path):
            raise InputError(shown, "broken symbolic link (its target does not exist)") from None
        raise InputError(shown, "no such file") from None
    except PermissionError:
        raise InputError(shown, "permission denied") from None
    except OSError as exc:
        raise InputError(shown, f"cannot read: {exc.strerror or exc}") from None
    if fifo and not data:
        raise InputError(shown, "is a pipe or FIFO that gave no data (no writer, or the writer wrote nothing)")
    # Hashed once, where the bytes are read: reports name exactly which file they judged.
    return source_of(shown, data, max_bytes, opts)


# How long a FIFO may wait for its writer: enough for a producer started alongside the scan
# (`mkfifo p; producer > p & complycheck scan p`), never an indefinite block.
FIFO_WAIT_MS = 2000


def _read_pipe(fh: BinaryIO, fd: int, limit: int) -> bytes | None:
    """Read a pipe opened without blocking; None when no writer comes within ``FIFO_WAIT_MS``.

    A first non-blocking read tells which case this is: data (a writer wrote), ``EAGAIN`` (a writer is
    attached and has not written yet: wait for it) or end of file (no writer attached yet: give one a
    moment to connect rather than block forever).
    """
    try:
        first: bytes = os.read(fd, 65536)
    except BlockingIOError:
        first = b""
        writer = True
    else:
        writer = bool(first)
    import select  # a FIFO without a writer yet: not loaded for regular files

    if not writer and hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        if not poller.poll(FIFO_WAIT_MS):
            return None
    os.set_blocking(fd, True)
    return read_capped(fh, limit, first=first)



def _list_directory(path: str) -> list[os.DirEntry[str]]:
    """The entries of a directory, sorted by name; ``OSError`` names the directory that failed."""
    with os.scandir(path) as it:
        return sorted(it, key=lambda e: e.name)


def read_source(source: Source, input_format: str | None = None) -> Inventory:
    """Read one input; a non-empty document that yields no component says so as a problem."""
    reader = reader_by_name(input_format) if input_format else detect(source)
    try:
        inventory = reader.read(source)
    except Exception:  # not Ctrl-C: that stays an interruption
        settle_text(source, failed=True)  # bad bytes, if any, are the error to report
        raise
    settle_text(source, failed=False)
    check_unchanged(source)
    if source.duplicates:
        _judge_duplicates(source, inventory)
    if not len(inventory.components) and not mapped.is_blank(source.data):
        inventory.problems.append("0 components read from a non-empty document: nothing in it was checked")
    if source.sink is not None and inventory.components is source.sink:
        inventory.problems.extend(source.sink.cut_notes)  # cut as they came, listed as bound_fields lists them
        cap_problems(inventory.problems)
    else:
        bound_fields(inventory)
    return inventory


def _judge_duplicates(source: Source, inventory: Inventory) -> None:
    """Repeated JSON members: a problem where a reader read every value (inside a component), else a
    problem when the values are equal and the input's error when they differ (``jsondup``)."""
    dups = source.duplicates
    rest, error = dups.judge_rest()
    if error is not None:
        raise InputError(source.path, error[1], where=error[0])
    inventory.problems[:0] = dups.problems() + rest


def expand_paths(paths: list[str]) -> Iterator[str]:
    """Files as given; a directory stands for every entry below it, in sorted order.

    Hidden directories are handed on unexpanded (``scan_one`` lists them as skipped); a directory
    with no entry at all is handed on itself, and is that input's error.

    Nothing below a directory is dropped silently: a subdirectory that cannot be listed, a broken
    symbolic link or a special file is handed on like a file, and ``load_source`` turns it into
    that input's error. Symbolic links to directories are followed once (a loop is not re-entered).
    """
    for p in paths:
        if p != "-" and os.path.isdir(p):
            found = False
            for child in _walk(p):
                found = True
                yield child
            if not found:
                yield p  # load_source makes it this input's error: every requested report is still written
        else:
            yield p


def _walk(top: str) -> Iterator[str]:
    """Depth-first, names sorted at each level: the order of ``sorted(Path(top).rglob("*"))``."""
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[bool, str]] = [(True, top)]  # (is a directory to expand, path)
    while stack:
        expand, current = stack.pop()
        if not expand:
            yield current
            continue
        try:
            st = os.stat(current)
            if (st.st_dev, st.st_ino) in seen:
                continue  # a symbolic-link loop: already walked
            seen.add((st.st_dev, st.st_ino))
            entries = _list_directory(current)
        except OSError:
            yield current  # load_source reports why it cannot be listed
            continue
        children: list[tuple[bool, str]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()  # follows a symbolic link
            except OSError:
                is_dir = False
            # A hidden directory (.git) is handed on unexpanded and listed as skipped; a hidden file is
            # read when a reader recognises it (compliance.skip).
            expand = is_dir and not entry.name.startswith(".")
            children.append((expand, os.path.join(current, entry.name)))
        stack.extend(reversed(children))
