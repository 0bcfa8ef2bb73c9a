"""The reader interface: every input format is a ``Reader`` with ``sniff`` and ``read``.

Reading bytes, enforcing the size limit and decoding (UTF-8 with or without BOM, UTF-16 and UTF-32
with a BOM) happen once here, so that each reader only deals with text and structure.
"""

from __future__ import annotations

import codecs
import gc
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, BinaryIO, ClassVar, Protocol

import msgspec

from compliance.errors import InputError
from compliance.model import Component, Inventory
from compliance.readers import mapped

# 4 GiB; change with --max-input-size. A real SBOM of a million components is about 1 GB of JSON or XML
# (hashes, licences, tools' properties); inputs are mapped, not copied (``compliance.readers.mapped``),
# and the large readers keep only what matched, so a scan's memory no longer grows with this limit.
DEFAULT_MAX_BYTES = 4 * 1024 * 1024 * 1024

# Longest name, version, vendor string or identifier read from an input. Matching folds names with
# Unicode NFKD, which can expand one character into 18 (U+FDFA): one 4 MB name took 57 s and 2 GB.
# Real names and identifiers are far shorter; a longer value is cut here, before any normalisation,
# and the cut is recorded as a problem of the input.
MAX_FIELD_CHARS = 2048
# Problems listed per input; the rest are counted in one closing line.
MAX_PROBLEMS = 100

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class Source(msgspec.Struct):
    """One input: its display path, raw bytes, and (on demand) its decoded text.

    ``data`` is ``bytes``, or for a large regular file an ``mmap`` of it (``compliance.readers.mapped``:
    slices, ``len``, ``find`` and ``memoryview`` as for bytes; use ``mapped.is_blank``/``is_ascii``
    and ``open_text`` rather than the bytes-only methods). ``state`` is the mapped file's identity,
    size and change times, checked again when it has been read (``check_unchanged``).

    ``sink``, when set (a scan sets it), takes each component a reader makes instead of the
    inventory's list: a reader that supports it calls ``sink(comp)`` (or ``sink.bounded(comp)`` for a
    component whose fields it knows to be within ``MAX_FIELD_CHARS``) and returns the sink as the
    inventory's components (``len`` is the count). Readers that do not support it return a list.
    """

    path: str
    data: Any  # bytes | mmap.mmap
    options: dict[str, Any] = {}
    _text: str | None = None
    encoding: str | None = None
    sha256: str | None = None  # hex digest of the bytes read, set by load_source
    # UTF-8 text streams handed out by ``open_text`` whose bytes are checked only as they are decoded
    # (``read_source`` settles them when the reader is done: ``settle_text``).
    unchecked: list[io.TextIOWrapper] = []
    origin: str | None = None  # the path a mapped file was opened by
    state: tuple[int, ...] | None = None  # ``mapped.file_state`` when it was mapped
    sink: Any = None
    # Repeated member names of a JSON document (``compliance.readers.jsondup.Duplicates``), set by the
    # parse that found them; ``read_source`` judges those no reader read as part of a component.
    duplicates: Any = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text, self.encoding = decode(self.path, self.data)
        return self._text

    def head(self, size: int = 4096) -> str:
        """Decoded start of the file for sniffing; never raises on a cut multi-byte character."""
        data = self.data[: size * 4]
        for bom, enc in _BOMS:
            if data.startswith(bom):
                return data[len(bom) :].decode(enc, errors="ignore")[:size]
        if len(data) >= 2 and data[0] == 0 and data[1] != 0:
            return data.decode("utf-16-be", errors="ignore")[:size]
        if len(data) >= 2 and data[1] == 0 and data[0] != 0:
            return data.decode("utf-16-le", errors="ignore")[:size]
        return data.decode("utf-8", errors="ignore")[:size]



def source_of(shown: str, data: bytes, max_bytes: int, options: dict[str, Any]) -> Source:
    """The ``Source`` for bytes read with a ``max_bytes + 1`` cap, wherever they came from.

    One place for the size refusal and the SHA-256 that reports name, so stdin, local files and
    remote (fsspec) inputs are judged and identified alike.
    """
    if len(data) > max_bytes:
        raise InputError(shown, f"input is over the {max_bytes:,}-byte limit (--max-input-size)")
    return Source(shown, data, options, sha256=digest(data))


def digest(data: Any) -> str:
    """The SHA-256 hex digest of bytes or of a mapped file (hashed a megabyte at a time, its pages
    given back as it goes)."""
    if type(data) is bytes:
        return str(sha256(data).hexdigest())
    import hashlib  # OpenSSL's: several times faster per byte than the built-in one

    h = hashlib.sha256()
    for part in mapped.chunks(data):
        h.update(part)
    return str(h.hexdigest())


def check_unchanged(source: Source) -> None:
    """``InputError`` when a mapped input's file was changed, replaced or cut while it was read: the
    bytes hashed would not be the bytes judged."""
    if source.state is None or source.origin is None:
        return
    try:
        now = mapped.file_state(os.stat(source.origin))
    except OSError:
        now = None
    if now != source.state:
        raise InputError(source.path, "the file changed while it was being read; scan it again when it is complete")


def read_capped(fh: BinaryIO, limit: int, size_hint: int = 1 << 20, first: bytes = b"") -> bytes:
    """Everything ``fh`` gives, up to ``limit`` bytes, read as it comes.

    ``read(limit)`` would reserve the whole limit (gigabytes) before the first byte: a regular file
    is read at its size (``size_hint``, the size plus one to see it has grown), a pipe a megabyte at
    a time.
    """
    parts = [first] if first else []
    got = len(first)
    want = min(size_hint, limit - got)
    while want > 0:
        part = fh.read(want)
        if not part:
            break
        parts.append(part)
        got += len(part)
        want = min(1 << 20, limit - got)
    return parts[0] if len(parts) == 1 else b"".join(parts)


# Below this size a SHA-256 is taken with the interpreter's built-in implementation: ``hashlib`` loads
# OpenSSL, about 5 ms of a small scan's start-up, while the built-in one hashes 256 KiB in about 1.5 ms.
# Larger inputs (or a process that has loaded hashlib anyway) use OpenSSL, several times faster per byte.
_BUILTIN_SHA256_BELOW = 256 * 1024


def sha256(data: bytes = b"", *, builtin_below: int = _BUILTIN_SHA256_BELOW) -> Any:
    """A SHA-256 hash object of ``data`` (``update`` and ``hexdigest`` as ``hashlib.sha256``); the built-in
    implementation for ``data`` under ``builtin_below`` bytes unless ``hashlib`` is loaded already."""
    if len(data) < builtin_below and "hashlib" not in sys.modules:
        builtin = _builtin_sha256()
        if builtin is not None:
            return builtin(data)
    import hashlib

    return hashlib.sha256(data)


@cache
def _builtin_sha256() -> Any:
    """The interpreter's own SHA-256 constructor, or None; looked up once, because an import that
    fails (``_sha2`` before Python 3.12) searches the whole ``sys.path`` again every time."""
    try:
        from _sha2 import sha256 as builtin  # Python 3.12+
    except ImportError:
        try:
            from _sha256 import sha256 as builtin  # Python 3.10, 3.11
        except ImportError:  # an interpreter built without them
            return None
    return builtin


def detect_encoding(data: bytes) -> tuple[str, int]:
    """The encoding and the BOM length: by BOM, else UTF-16 by NUL pattern, else UTF-8."""
    start = data[:4]
    for bom, enc in _BOMS:
        if start.startswith(bom):
            return enc, len(bom)
    if len(data) >= 2 and data[0] == 0 and data[1] != 0:
        return "utf-16-be", 0
    if len(data) >= 2 and data[1] == 0 and data[0] != 0:
        return "utf-16-le", 0
    return "utf-8", 0


def decode(path: str, data: bytes) -> tuple[str, str]:
    """Decode by BOM, else UTF-16 by NUL pattern, else strict UTF-8. Errors name the byte offset."""
    encoding, offset = detect_encoding(data)
    try:
        text = data[offset:].decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            path,
            f"not valid {encoding.upper()} text ({exc.reason}); save the file as UTF-8 or UTF-16 with a BOM",
            where=f"byte {exc.start + offset}",
        ) from None
    if "\x00" in text[:4096]:
        raise InputError(path, "contains NUL characters: this is a binary file, not a text export")
    return text, encoding


def bound_fields(inventory: Inventory) -> None:
    """Cut over-long strings of every component to ``MAX_FIELD_CHARS`` and cap the problem list.

    It bounds the work any single field can cause downstream, whatever reader produced it. A reader
    that measured its components as it made them (``Inventory.longest_field``) is settled at once; otherwise one pass of ``len`` checks per component
    (plain loops, ``longest_field`` inlined: about 0.1 s for 100,000 components).
    """
    limit = MAX_FIELD_CHARS
    if inventory.longest_field is not None and inventory.longest_field <= limit:
        cap_problems(inventory.problems)  # the reader measured its fields as it made them: none is long
        return
    for comp in inventory.components:
        long = len(comp.name) > limit or len(comp.version) > limit or len(comp.purl) > limit
        if not long:
            for _f, v in comp.vendor_fields:
                if len(v) > limit:
                    long = True
                    break
        if not long:
            for _k, v, _f in comp.identifiers:
                if len(v) > limit:
                    long = True
                    break
        if long:
            cut_fields(comp, inventory.problems)
    cap_problems(inventory.problems)


def longest_field(comp: Component) -> int:
    """The length of the longest string of ``comp`` that ``bound_fields`` bounds."""
    n = max(len(comp.name), len(comp.version), len(comp.purl))
    for _f, v in comp.vendor_fields:
        if len(v) > n:
            n = len(v)
    for _k, v, _f in comp.identifiers:
        if len(v) > n:
            n = len(v)
    return n


def cap_problems(problems: list[str]) -> None:
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        del problems[MAX_PROBLEMS:]
        problems.append(f"... and {more:,} more problems not listed")


def cut_fields(comp: Component, problems: list[str]) -> None:
    """Cut ``comp``'s strings to ``MAX_FIELD_CHARS``, noting each cut in ``problems``."""
    limit = MAX_FIELD_CHARS
    for field_name in ("name", "version"):
        value = getattr(comp, field_name)
        if len(value) > limit:
            problems.append(_cut_note(comp.location, field_name, len(value)))
            setattr(comp, field_name, value[:limit])
    comp.purl = comp.purl[:limit]
    for f, v in comp.vendor_fields:
        if len(v) > limit:
            problems.append(_cut_note(comp.location, f, len(v)))
    comp.vendor_fields = [(f, v[:limit]) for f, v in comp.vendor_fields]
    for _k, v, f in comp.identifiers:
        if len(v) > limit:
            problems.append(_cut_note(comp.location, f, len(v)))
    comp.identifiers = [(k, v[:limit], f) for k, v, f in comp.identifiers]


def _cut_note(location: str, field: str, length: int) -> str:
    place = location or "(component)"
    return f"{place}: {field} is {length:,} characters long; only the first {MAX_FIELD_CHARS:,} were read"


# Bytes decoded at a time by the checks that must not keep the text (``open_text``, ``check_utf8``): each
# chunk's text is dropped at once and stays in the processor's cache; 16 MB chunks took as long as one
# whole decode.
_CHECK_CHUNK = 1 << 16


def open_text(source: Source, *, newline: str = "") -> tuple[io.TextIOWrapper, int | None]:
    """The input as a text stream decoded incrementally: no copy of the whole text is ever made.

    Undecodable bytes must be reported exactly as ``decode`` reports them (the first bad byte's
    offset), and before anything else the reader might find wrong. UTF-16/32 is checked chunk by chunk
    first. UTF-8 (almost every large export) is not decoded twice: the stream's own decoder checks it
    as the reader goes, and ``read_source`` settles the stream afterwards (``settle_text``): a reader
    that fails or stops early gets the whole text checked, so the decode error still comes first.
    Returns the stream (BOM skipped; ``newline`` as for ``open``) and the 1-based line of the first
    NUL character, if the text has one, for the reader to report in its own words.
    """
    data = source.data
    encoding, offset = detect_encoding(data)
    source.encoding = encoding
    deferred = False
    if encoding == "utf-8":
        has_nul = data.find(b"\x00") >= 0  # in UTF-8 a NUL byte is a NUL character: one C search finds it
        deferred = not has_nul and not mapped.is_ascii(data)  # ASCII is UTF-8 and needs no check at all
    else:
        view = memoryview(data)
        has_nul = False
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(offset, len(data), _CHECK_CHUNK):
                end = start + _CHECK_CHUNK
                if "\x00" in decoder.decode(view[start:end], end >= len(data)):
                    has_nul = True
                    break
        except UnicodeDecodeError:
            _undecodable(source)
    nul_line = None
    if has_nul:  # error path: decoding it all gives the same message and line as before streaming
        text, _ = decode(source.path, data)
        nul_line = text.count("\n", 0, text.index("\x00")) + 1
    if type(data) is bytes:
        raw: Any = io.BytesIO(data)  # shares the bytes object, no copy
        raw.seek(offset)
    else:
        raw = io.BufferedReader(mapped.MappedStream(data, offset), 1 << 16)
    stream = io.TextIOWrapper(raw, encoding=encoding, newline=newline)
    if deferred:
        source.unchecked.append(stream)
    return stream, nul_line


def settle_text(source: Source, failed: bool) -> None:
    """Finish the UTF-8 check of the streams ``open_text`` handed out; the decode error if the bytes are bad.

    A stream its reader read to the end was checked by its own decoder (which checks the final bytes
    at the end too). When the reader failed (its error may stem from, or come before, a bad byte) or
    left a stream part-read, the whole text is checked here, so that bad bytes are always the
    reported error, as when the text was checked before reading.
    """
    streams, source.unchecked = source.unchecked, []
    if not streams:
        return
    if not failed:
        try:
            if all(not s.closed and s.read(1) == "" for s in streams):
                return
        except UnicodeDecodeError:
            pass
    try:
        check_utf8(source.data, detect_encoding(source.data)[1])
    except UnicodeDecodeError:
        _undecodable(source)


def check_utf8(data: bytes, start: int = 0) -> None:
    """``UnicodeDecodeError`` unless ``data[start:]`` is UTF-8, checked without decoding it whole.

    Python has no check-only UTF-8 call, so the C decoder runs over ``_CHECK_CHUNK`` bytes at a time
    (an incomplete sequence at a chunk's end carried into the next) and each chunk's text is dropped
    at once: the text stays in the processor's cache, and a 34 MB SBOM is checked in about 9 ms where
    one ``decode`` took 30 ms (and up to four times the file's size in memory).
    """
    if type(data) is bytes and data.isascii():
        return
    view = memoryview(data)
    pos, size = start, len(data)
    released = pos
    while pos < size:
        end = pos + _CHECK_CHUNK
        _text, used = codecs.utf_8_decode(view[pos:end], "strict", end >= size)
        pos += used
        if pos - released >= mapped.RELEASE_EVERY:
            mapped.release(data, pos)
            released = pos
    view.release()
    mapped.release(data, size)


def _undecodable(source: Source) -> None:
    """Raise the ``InputError`` naming the first byte that does not decode (``decode``'s own message)."""
    decode(source.path, source.data)
    raise InputError(source.path, f"not valid {(source.encoding or 'utf-8').upper()} text")


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic collector while millions of acyclic objects are created.

    Parsing 100,000 components creates millions of young objects; with the collector running, it
    keeps rescanning them and parsing takes more than twice as long. When the outermost pause ends,
    the survivors (the inventory, the findings, the report) are frozen rather than collected: they live
    on, so a collection would only walk millions of objects to free nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


# Where a document's subject names its supplier, most specific first (CycloneDX field names as read).
_SUBJECT_SUPPLIER_FIELDS = (
    "supplier.name",
    "metadata.supplier.name",
    "manufacturer.name",
    "metadata.manufacturer.name",
    "metadata.manufacture.name",
)


def subject_of(component: Component) -> dict[str, str | None]:
    """What an SBOM describes (its ``metadata.component``), for reports that name the product under review."""
    fields = dict(reversed(component.vendor_fields))  # first value of each field wins
    supplier = next((fields[f] for f in _SUBJECT_SUPPLIER_FIELDS if fields.get(f)), None)
    return {"name": component.name or None, "version": component.version or None, "supplier": supplier,
            "purl": component.purl or None}


class Reader(Protocol):
    """One input format. ``name`` is what ``--input-format`` accepts."""

    name: ClassVar[str]
    label: ClassVar[str]

    def sniff(self, source: Source) -> bool:
        """Cheap check on ``source.head()``: is this file in my format?"""
        ...

    def read(self, source: Source) -> Inventory:
        """Parse the whole input. Raise ``InputError`` naming the place for anything unusable."""
        ...


def expect_str(path: str, pointer: str, value: Any, *, allow_none: bool = True) -> str:
    """A vendor-bearing field must be a string; anything else is an input error, not a silent skip."""
    if value is None and allow_none:
        return ""
    if isinstance(value, str):
        return value
    raise InputError(path, f"expected a string, found {type_name(value)}", where=pointer)


def expect_list(path: str, pointer: str, value: Any) -> list[Any]:
    """A JSON array where the format has one; anything else is an input error naming the place."""
    if not isinstance(value, list):
        raise InputError(path, f"expected an array, found {type_name(value)}", where=pointer)
    return value


def expect_object(path: str, pointer: str, value: Any, what: str = "an object") -> dict[str, Any]:
    """A JSON object where the format has one (``what`` names it: "a package object")."""
    if not isinstance(value, dict):
        raise InputError(path, f"expected {what}, found {type_name(value)}", where=pointer)
    return value


def require_str(path: str, pointer: str, value: Any, key: str, what: str) -> str:
    """A required string member: missing names the object, a wrong type names the member."""
    if value is None:
        raise InputError(path, f"{what} has no {key}", where=pointer)
    return expect_str(path, f"{pointer}/{key}", value)


def scalar_str(path: str, pointer: str, value: Any) -> str:
    """Exports write some values as numbers (a REG_DWORD version, a Jamf id); a container is an error."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise InputError(path, f"expected a string, found {type_name(value)}", where=pointer)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
