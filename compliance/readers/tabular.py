"""Shared machinery for every CSV/TSV inventory reader.

One place decides the dialect (comma, semicolon or tab), drops a PowerShell ``#TYPE`` line,
normalises header names, numbers rows the way a spreadsheet does (the first line of the file is
row 1, so ``row N`` is what the user sees when opening the file in Excel), caps field sizes and turns
every ``csv.Error`` into an ``InputError`` that names the file and the row.

Decoding (UTF-8 with or without BOM, UTF-16 LE/BE with BOM) is done by ``Source.text``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from compliance.errors import InputError
from compliance.readers.base import Source

# csv.field_size_limit is process-wide; it is set only while one of our readers runs and restored after.
MAX_FIELD_CHARS = 128 * 1024
DELIMITERS = (",", ";", "\t")
_NORM = re.compile(r"[^0-9a-z]+")


def norm_header(text: str) -> str:
    """``"Bundle Identifier"``, ``bundle_id`` and ``BundleID`` -> ``bundleidentifier``/``bundleid``."""
    return _NORM.sub("", text.strip().strip('"').casefold())


@contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    old = csv.field_size_limit()
    csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def split_type_line(text: str) -> tuple[str | None, str, int]:
    """Drop Windows PowerShell's ``#TYPE System.Management.Automation.PSCustomObject`` first line.

    Returns the type line (or None), the remaining text and how many lines were dropped.
    """
    if text.startswith("#TYPE"):
        end = text.find("\n")
        if end < 0:
            return text.strip(), "", 1
        return text[:end].strip(), text[end + 1 :], 1
    return None, text, 0


def first_line(text: str) -> str:
    end = text.find("\n")
    return (text if end < 0 else text[:end]).rstrip("\r")


def count_outside_quotes(line: str, ch: str) -> int:
    n = 0
    quoted = False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == ch and not quoted:
            n += 1
    return n


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line most often (comma wins ties)."""
    best, best_n = ",", 0
    for d in DELIMITERS:
        n = count_outside_quotes(header_line, d)
        if n > best_n:
            best, best_n = d, n
    return best


def header_cells(header_line: str, delimiter: str | None = None) -> list[str]:
    """Split a header line for sniffing; never raises."""
    delim = delimiter or sniff_delimiter(header_line)
    try:
        return next(csv.reader([header_line], delimiter=delim), [])
    except csv.Error:
        return []


def head_header(source: Source) -> tuple[str | None, list[str]]:
    """For ``sniff``: the ``#TYPE`` line if any and the header cells from the start of the file."""
    head = source.head(8192)
    type_line, rest, _ = split_type_line(head.lstrip("\ufeff"))
    return type_line, header_cells(first_line(rest))


def sniff_header_names(source: Source) -> set[str] | None:
    """Normalised header names for a format-specific sniff, or None when ``--columns`` is given.

    ``--columns`` means the user maps the columns, which is the generic CSV reader's job.
    """
    if source.options.get("columns"):
        return None
    _type_line, cells = head_header(source)
    return {norm_header(c) for c in cells}


def looks_like_header(cells: list[str]) -> bool:
    """Header cells are short labels, not data: no empty cell, nothing over 64 characters, not numbers."""
    if not cells:
        return False
    for c in cells:
        s = c.strip()
        if not s or len(s) > 64 or s.replace(".", "").isdigit():
            return False
    return True


@dataclass
class Table:
    """A parsed CSV/TSV: the header as written, the normalised header, and numbered data rows."""

    path: str
    header: list[str]
    norm: list[str]
    rows: list[tuple[int, list[str]]]
    delimiter: str
    type_line: str | None = None
    blank_rows: int = 0
    index: dict[str, int] = field(default_factory=dict)

    def col(self, *names: str) -> int | None:
        """Index of the first column whose normalised header is one of ``names``."""
        for n in names:
            i = self.index.get(n)
            if i is not None:
                return i
        return None


def read_table(source: Source, *, delimiter: str | None = None, max_field: int = MAX_FIELD_CHARS) -> Table:
    """Parse the whole file strictly. Every problem is an ``InputError`` at ``row N``."""
    text = source.text
    type_line, body, skipped = split_type_line(text)
    nul = body.find("\x00")
    if nul >= 0:
        row = body.count("\n", 0, nul) + 1 + skipped
        raise InputError(source.path, "contains a NUL character: this is not a text CSV export", where=f"row {row}")
    header_line = first_line(body)
    if not header_line.strip():
        raise InputError(source.path, "the header row is empty", where=f"row {1 + skipped}")
    delim = delimiter or sniff_delimiter(header_line)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delim, strict=True)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    blank = 0
    last_line = 0
    width = 0
    with _field_limit(max_field):
        try:
            for record in reader:
                start = last_line + 1 + skipped
                last_line = reader.line_num
                if header is None:
                    header = [h.strip() for h in record]
                    if header and header[0].startswith("\ufeff"):
                        header[0] = header[0].lstrip("\ufeff")
                    width = len(header)
                    continue
                if len(record) != width:
                    if not record or not "".join(record).strip():
                        blank += 1
                        continue
                    raise InputError(
                        source.path,
                        f"row has {len(record)} fields but the header has {width}",
                        where=f"row {start}",
                    )
                if not "".join(record).strip():
                    blank += 1
                    continue
                rows.append((start, record))
        except csv.Error as exc:
            msg = str(exc)
            if "field larger than field limit" in msg:
                msg = f"a field is longer than {max_field:,} characters"
            elif "unexpected end of data" in msg or "EOF" in msg:
                msg = "unterminated quoted field (a '\"' opens a value that never closes)"
            else:
                msg = f"malformed CSV ({msg})"
            raise InputError(source.path, msg, where=f"row {last_line + 1 + skipped}") from None
    if header is None:
        raise InputError(source.path, "no header row", where=f"row {1 + skipped}")
    norm = [norm_header(h) for h in header]
    index: dict[str, int] = {}
    for i, n in enumerate(norm):
        index.setdefault(n, i)
    return Table(source.path, header, norm, rows, delim, type_line, blank, index)


_REVERSE_DNS = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+){1,}$")


def reverse_dns(value: str) -> bool:
    """``com.tencent.mm`` or ``com.ss.iphone.ugc.Aweme``: a package or bundle id, not a display name."""
    return bool(_REVERSE_DNS.match(value))


def platform_kind(platform: str) -> str | None:
    """Identifier kind implied by a platform column: ``android`` or ``bundle`` (Apple), else None.

    Intune writes values such as ``Android``, ``AndroidWorkProfile``, ``iOS``, ``macOS``; spreadsheets
    write ``Android``, ``iOS``, ``iPadOS``.
    """
    p = norm_header(platform)
    if p.startswith("android"):
        return "android"
    if p.startswith(("ios", "ipados", "macos", "osx", "tvos", "watchos", "visionos", "iphone", "ipad")):
        return "bundle"
    return None


def cell(row: list[str], i: int | None) -> str:
    """The stripped value of column ``i``, or "" when the column is absent."""
    if i is None:
        return ""
    return row[i].strip()
