"""Shared machinery for every CSV/TSV inventory reader.

One place decides the dialect (comma, semicolon or tab), drops a PowerShell ``#TYPE`` line,
normalises header names, numbers rows the way a spreadsheet does (the first line of the file is
row 1, so ``row N`` is what the user sees when opening the file in Excel), caps field sizes and turns
every ``csv.Error`` into an ``InputError`` that names the file and the row.

Decoding (UTF-8 with or without BOM, UTF-16 LE/BE with BOM) is done incrementally by ``open_text``:
rows are parsed as the bytes are decoded, never from a copy of the whole text.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import compress, count, repeat
from operator import itemgetter, or_
from typing import Any

from compliance.errors import InputError
from compliance.readers.base import Source, open_text

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
    """A CSV/TSV being read: the header as written, the normalised header, and (by iterating) the rows.

    Iterating yields ``(row number, cells)`` for each data row straight from the decoder and the CSV
    parser, so a million-row export is never held in memory as text or as a list of rows. Blank rows
    are counted in ``blank_rows`` as they are passed.
    """

    path: str
    header: list[str]
    norm: list[str]
    delimiter: str
    type_line: str | None = None
    blank_rows: int = 0
    index: dict[str, int] = field(default_factory=dict)
    _reader: Any = field(default=None, repr=False)  # the csv reader, positioned after the header
    _skipped: int = 0
    first_line: int = 0  # the parser's line count after the header
    _max_field: int = MAX_FIELD_CHARS

    def col(self, *names: str) -> int | None:
        """Index of the first column whose normalised header is one of ``names``."""
        for n in names:
            i = self.index.get(n)
            if i is not None:
                return i
        return None

    @property
    def row_base(self) -> int:
        """Add to the parser's line count after a row to get the next row's number (``#TYPE`` counts)."""
        return 1 + self._skipped

    @contextmanager
    def parsing(self) -> Iterator[Any]:
        """The CSV parser over the data rows, with the field-size limit set while it runs.

        For the loops that run a million times: the caller numbers rows itself (``row_base`` plus the
        parser's ``line_num`` after the previous row, starting from ``first_line``), passes rows whose
        width differs to ``odd_row``, asks ``is_blank`` only when a row's key cell is empty, and turns
        ``csv.Error`` into ``csv_error(exc, row)``. ``iter(table)`` does all of that for other readers.
        """
        reader = self._reader
        if reader is None:
            raise RuntimeError("the rows of a table can be read only once")
        self._reader = None
        with _field_limit(self._max_field):
            yield reader

    def restart(self, source: Source) -> None:
        """Rows from the first data row again, counters cleared: for a fast pass that gave up part way."""
        again = read_table(source, delimiter=self.delimiter, max_field=self._max_field)
        self._reader, self.first_line, self.blank_rows = again._reader, again.first_line, 0

    def odd_row(self, record: list[str], row: int) -> None:
        """A row whose width is not the header's: counted if blank, else an error naming the row."""
        if record and "".join(record).strip():
            raise InputError(
                self.path, f"row has {len(record)} fields but the header has {len(self.header)}", where=f"row {row}"
            )
        self.blank_rows += 1

    def is_blank(self, record: list[str]) -> bool:
        """True (and counted) for a row of empty or whitespace-only cells."""
        if "".join(record).strip():
            return False
        self.blank_rows += 1
        return True

    def keep(self, record: list[str], row: int) -> bool:
        """Whether a data row is one to read: an odd width is refused (``odd_row``), a blank row counted."""
        if len(record) != len(self.header):
            self.odd_row(record, row)
            return False
        return not self.is_blank(record)

    def csv_error(self, exc: csv.Error, row: int) -> InputError:
        return _csv_error(self.path, self._max_field, exc, row)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        base, last = self.row_base, self.first_line
        with self.parsing() as reader:
            try:
                for record in reader:
                    row = last + base
                    last = reader.line_num
                    if self.keep(record, row):
                        yield row, record
            except csv.Error as exc:
                raise self.csv_error(exc, last + base) from None


def _csv_error(path: str, max_field: int, exc: csv.Error, row: int) -> InputError:
    """A ``csv.Error`` in the user's words, at the row being parsed."""
    msg = str(exc)
    if "field larger than field limit" in msg:
        msg = f"a field is longer than {max_field:,} characters"
    elif "unexpected end of data" in msg or "EOF" in msg:
        msg = "unterminated quoted field (a '\"' opens a value that never closes)"
    else:
        msg = f"malformed CSV ({msg})"
    return InputError(path, msg, where=f"row {row}")


def read_table(source: Source, *, delimiter: str | None = None, max_field: int = MAX_FIELD_CHARS) -> Table:
    """Read the header strictly and return the table whose rows stream on iteration.

    Every problem is an ``InputError`` at ``row N`` (spreadsheet numbering: the ``#TYPE`` line counts).
    """
    stream, nul_line = open_text(source)
    first = stream.readline()
    type_line: str | None = None
    skipped = 0
    if first.startswith("#TYPE"):
        type_line, skipped = first.strip(), 1
        first = stream.readline()
    if nul_line is not None:
        raise InputError(source.path, "contains a NUL character: this is not a text CSV export", where=f"row {nul_line}")
    header_line = first.rstrip("\r\n")
    if not header_line.strip():
        raise InputError(source.path, "the header row is empty", where=f"row {1 + skipped}")
    delim = delimiter or sniff_delimiter(header_line)
    reader = csv.reader(itertools.chain((first,), stream), delimiter=delim, strict=True)
    with _field_limit(max_field):
        try:
            record = next(reader, None)
        except csv.Error as exc:
            raise _csv_error(source.path, max_field, exc, 1 + skipped) from None
    if record is None:
        raise InputError(source.path, "no header row", where=f"row {1 + skipped}")
    header = [h.strip() for h in record]
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0].lstrip("\ufeff")
    norm = [norm_header(h) for h in header]
    index: dict[str, int] = {}
    for i, n in enumerate(norm):
        index.setdefault(n, i)
    return Table(
        source.path, header, norm, delim, type_line, 0, index, reader, skipped, reader.line_num, max_field
    )


class Shared:
    """Values that repeat across rows (publishers, product names, versions) stored once.

    A fleet export repeats the same few thousand titles over a million rows; keeping one string and
    one ``vendor_fields`` list per distinct value instead of one per row more than halves the memory
    of a large inventory. The lists are shared between components, which is safe because nothing
    changes a component's ``vendor_fields`` after its reader returns.
    """

    def __init__(self, vendor_field: str) -> None:
        self._strings: dict[str, str] = {}
        self.vendors: dict[str, list[tuple[str, str]]] = {}
        self._field = vendor_field
        self.text = self._strings.setdefault  # text(s, s): the stored copy of s

    def vendor_list(self, vendor: str) -> list[tuple[str, str]]:
        """``[(vendor field, vendor)]``, or ``[]`` for an empty cell: one list per distinct vendor."""
        found = self.vendors.get(vendor)
        if found is None:
            found = self.vendors[vendor] = [(self._field, self.text(vendor, vendor))] if vendor else []
        return found


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


# Rows read at a time by ``tally_rows``: a chunk's rows are all alive at once, and 1,024 of them (about
# 300 KB) stay in a core's cache, where 4,096 measured 10-20% slower for the whole read.
CHUNK_ROWS = 1024


class _Again(Exception):
    """A chunk whose rows the parser's line count cannot number (a quoted cell over several lines), or a
    parser error whose row only a row-by-row read can name: the table is read again row by row."""


def tally_rows(
    source: Source,
    table: Table,
    sink: Any,
    shared: Shared,
    *,
    name: int,
    version: int | None,
    vendor: int | None,
    key: int | None = None,
    lossy: bool = False,
    distinct: bool = False,
) -> tuple[int, int]:
    """Every data row of a name/version/vendor table matched as it is read, into the scan's ``Tally``
    (``Source.sink``). Returns the rows without a name (blank rows are counted in ``table.blank_rows``)
    and, with ``lossy``, the rows whose name or vendor holds "??" (characters an ASCII export lost).

    Rows are read a chunk at a time and judged with C-level ``map``s: each distinct vendor cell is
    matched once, and only the names the index's ``NameScreen`` cannot clear are matched whole, so a
    merged fleet export's million distinct titles cost about what parsing them costs. Only the rows that
    matched become components, and of those only the ones a selected rule covers are kept (``Tally.row``);
    every row is counted as a component, with vendor identity when its vendor cell is not blank.

    Rows are numbered as ``Table`` numbers them: chunks of rows that are one line each (the usual case)
    from the parser's count; a chunk with a quoted cell over several lines, or a parser error, reads the
    table again row by row (``_Again``). Odd widths are refused and blank rows counted as ``Table.keep``
    does. ``key``: the column that becomes ``bom_ref``. ``distinct``: a match without a finding is listed
    once per distinct row, without a location (the generic CSV reader's report).
    """
    try:
        return _tally(table, sink, shared, name, version, vendor, key, lossy, distinct, exact=False)
    except _Again:
        sink.clear()
        table.restart(source)
        return _tally(table, sink, shared, name, version, vendor, key, lossy, distinct, exact=True)


def _tally(
    table: Table, sink: Any, shared: Shared, name: int, version: int | None, vendor: int | None, key: int | None,
    lossy: bool, distinct: bool, *, exact: bool,
) -> tuple[int, int]:
    """``tally_rows``, read fast (``_Again`` when it cannot be) or ``exact``ly row by row."""
    from compliance.model import UNFLAGGED_LISTED, Component
    from compliance.readers.base import MAX_FIELD_CHARS, cut_fields

    index, screen = sink.evaluator.index, sink.evaluator.screen
    text, vendor_list, covered = shared.text, shared.vendor_list, sink.covered
    cols = [i for i in (name, version, vendor) if i is not None]
    get_name = itemgetter(name)
    get_vendor = itemgetter(vendor) if vendor is not None else None
    get_version = itemgetter(version) if version is not None else None
    vendors: dict[str, tuple[list[Any], bool, bool]] = {}  # vendor cell -> its matches, identity, covered
    skipped = lossy_rows = 0

    def vendor_info(cell: str) -> tuple[list[Any], bool, bool]:
        fields = vendor_list(cell.strip())
        matches = index.match(Component("", "", fields, [], "", "", "", "application")) if fields else []
        info = (matches, bool(fields), bool(matches) and covered(matches))
        if len(vendors) < 65536:
            vendors[cell] = info
        return info

    def component(row: list[str], row_no: int | None) -> Component:
        nm = row[name].strip()
        ver = row[version].strip() if version is not None else ""
        return Component(
            text(nm, nm), text(ver, ver), vendor_list(row[vendor].strip() if vendor is not None else ""), [], "",
            row[key].strip() if key is not None else "", f"row {row_no}" if row_no is not None else "", "application",
        )

    def hit(row: list[str], row_no: int, comp: Component | None, matches: list[Any], is_covered: bool) -> None:
        if not is_covered and len(sink.listed) >= UNFLAGGED_LISTED:  # counted only: no component needed
            sink.matched += 1
            sink.no_rule += 1
            return
        if comp is None or (distinct and not is_covered):
            comp = component(row, None if distinct and not is_covered else row_no)
        sink.row(comp, matches, is_covered, tuple(map(row.__getitem__, cols)) if distinct else None)

    def long_row(row: list[str], row_no: int) -> None:
        """A row with a field over ``MAX_FIELD_CHARS``: cut and noted first, as ``bound_fields`` does."""
        comp = component(row, row_no)
        cut_fields(comp, sink.cut_notes)
        sink.count += 1
        sink.with_identity += bool(comp.vendor_fields)
        matches = index.match(comp)
        if matches:
            hit(row, row_no, comp, matches, covered(matches))

    def batch(rows: list[list[str]], numbers: Any) -> None:
        nonlocal lossy_rows
        names = list(map(get_name, rows))
        cells = list(map(get_vendor, rows)) if get_vendor is not None else [""] * len(rows)
        limit = MAX_FIELD_CHARS
        if max(map(len, names)) > limit or max(map(len, cells)) > limit or (
            get_version is not None and max(map(len, map(get_version, rows))) > limit
        ):
            for row, row_no in zip(rows, numbers, strict=True):  # in row order, so notes and listings are too
                if max(len(row[i]) for i in cols) > limit:
                    long_row(row, row_no)
                else:
                    batch([row], [row_no])
            return
        if lossy and ("??" in "\n".join(names) or "??" in "\n".join(cells)):
            lossy_rows += sum(map(or_, map(str.__contains__, names, repeat("??")), map(str.__contains__, cells, repeat("??"))))
        infos = list(map(vendors.get, cells))
        if None in infos:
            for i in [i for i, info in enumerate(infos) if info is None]:
                infos[i] = vendors.get(cells[i]) or vendor_info(cells[i])
        sink.count += len(rows)
        sink.with_identity += sum(map(itemgetter(1), infos))
        by_vendor = list(map(itemgetter(0), infos))
        named = set(screen.candidates(names, by_vendor))
        each: Any = compress(count(), by_vendor)
        if len(sink.listed) >= UNFLAGGED_LISTED:  # rows no rule covers are only counted now: in bulk
            covered_rows = list(map(itemgetter(2), infos))
            each = compress(count(), covered_rows)
            bulk = sum(map(bool, by_vendor)) - sum(covered_rows)  # (covered rows are among the vendor's matches)
            bulk -= sum(1 for i in named if by_vendor[i] and not covered_rows[i])
            sink.matched += bulk
            sink.no_rule += bulk
        for i in sorted(named.union(each)):
            if i in named:
                comp = component(rows[i], numbers[i])
                matches = index.match(comp)
                if matches:
                    hit(rows[i], numbers[i], comp, matches, covered(matches))
            else:
                matches, _identity, is_covered = infos[i]
                hit(rows[i], numbers[i], None, matches, is_covered)

    width, base, last = len(table.header), table.row_base, table.first_line
    with table.parsing() as reader:
        if exact:
            rows: list[list[str]] = []
            numbers: list[int] = []
            try:
                for row in reader:
                    row_no = last + base
                    last = reader.line_num
                    if not table.keep(row, row_no):
                        continue
                    if not row[name].strip():
                        skipped += 1  # a vendor or version but no name
                        continue
                    rows.append(row)
                    numbers.append(row_no)
                    if len(rows) == CHUNK_ROWS:
                        batch(rows, numbers)
                        rows, numbers = [], []
            except csv.Error as exc:
                raise table.csv_error(exc, last + base) from None
            if rows:
                batch(rows, numbers)
            return skipped, lossy_rows
        strip = str.strip
        while True:
            try:
                chunk = list(itertools.islice(reader, CHUNK_ROWS))
            except csv.Error:
                raise _Again from None
            if not chunk:
                return skipped, lossy_rows
            if reader.line_num - last != len(chunk):
                raise _Again
            first = last + base
            last = reader.line_num
            if set(map(len, chunk)) == {width} and all(map(strip, map(get_name, chunk))):
                batch(chunk, range(first, first + len(chunk)))
                continue
            rows, numbers = [], []
            for row_no, row in enumerate(chunk, first):  # the row-by-row rules of Table
                if not table.keep(row, row_no):
                    continue
                if not row[name].strip():
                    skipped += 1
                    continue
                rows.append(row)
                numbers.append(row_no)
            if rows:
                batch(rows, numbers)
