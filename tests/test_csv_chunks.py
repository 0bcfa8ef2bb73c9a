"""Inventory tables read a chunk of rows at a time give what a row-by-row reader gives.

A scan matches a large export a chunk of rows at a time (``CHUNK_ROWS``, ``tabular.tally_rows``); chunks
with blank rows, rows without a name or odd widths take the row-by-row rules, and quoted cells spanning
lines or parser errors read the table again row by row. These tests put each of those in the middle of
tables larger than a chunk and check the components (read without a scan), and the row numbers, counts,
findings and error places a scan reports (``both_ways``: the scan as read, and evaluated from the list).
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import assert_clean_error, run_cli
from inventory_support import read, write

from compliance.model import Component
from compliance.readers.tabular import CHUNK_ROWS

N = CHUNK_ROWS * 2 + 500  # three chunks, the last one partial
APPS = [("Google Chrome", "Google LLC", "120.0"), ("7-Zip", "Igor Pavlov", "23.01"), ("Zoom", "Zoom Video", "5.1")]
KASPERSKY = ("Kaspersky Endpoint Security for Windows", "AO Kaspersky Lab", "12.3")


def table(rows: dict[int, str]) -> tuple[str, list[tuple[int, str, str, str]]]:
    """A CSV whose data row ``i`` (spreadsheet row ``i + 2``) is ``rows[i]`` as raw text, else an app.

    Returns the text and, for every row the reader should keep, (row number, name, vendor, version).
    """
    lines = ["Computer,Software,Manufacturer,Version"]
    kept: list[tuple[int, str, str, str]] = []
    row_no = 2
    for i in range(N):
        if i in rows:
            raw = rows[i]
        else:
            name, vendor, version = KASPERSKY if i % 997 == 0 else APPS[i % len(APPS)]
            raw = f'PC-{i % 50},"{name}","{vendor}",{version}'
            kept.append((row_no, name, vendor, version))
        lines.append(raw)
        row_no += 1 + raw.count("\n")
    return "\n".join(lines) + "\n", kept


def expected(kept: list[tuple[int, str, str, str]]) -> list[tuple[str, str, list[tuple[str, str]], str]]:
    return [(name, version, [("Manufacturer", vendor)], f"row {row}") for row, name, vendor, version in kept]


def seen(components: list[Component]) -> list[tuple[str, str, list[tuple[str, str]], str]]:
    return [(c.name, c.version, list(c.vendor_fields), str(c.location)) for c in components]


def both_ways(path: Path) -> dict[str, object]:
    """What a scan reports of ``path`` (counts, the rows of its findings, the matches without one), the same
    whether the reader matched its rows as it read them (a ``Tally``) or made every component first."""
    from datetime import date

    from compliance.scan import ScanOptions, scan

    seen_ways = []
    for keep in (False, True):
        options = ScanOptions(jurisdictions=["US"], as_of=date(2026, 11, 22), jobs=1, keep_components=keep)
        report = scan([str(path)], options)
        section = report.inputs[0]
        assert section.error is None, section.error
        seen_ways.append({
            "counts": (section.components, section.components_with_vendor_identity, section.components_matched,
                       section.matched_without_findings),
            "findings": sorted((f.component.location, f.rule_id, f.message) for f in report.findings),
        })
    assert seen_ways[0] == seen_ways[1]
    return seen_ways[0]


def test_clean_table_reads_every_row(tmp_path: Path) -> None:
    text, kept = table({})
    path = write(tmp_path, "apps.csv", text)
    inv = read(path)
    assert seen(inv.components) == expected(kept)
    restricted = sorted(f"row {row}" for row, name, _v, _ver in kept if name == KASPERSKY[0])
    assert sorted({loc for loc, _r, _m in both_ways(path)["findings"]}) == restricted


def test_blank_rows_empty_names_and_padded_cells_mid_chunk(tmp_path: Path) -> None:
    special = {
        10: ",,,",  # blank: counted, not a component
        CHUNK_ROWS + 7: "PC-1,,Someone,1.0",  # no name: skipped
        CHUNK_ROWS + 8: 'PC-1,"  Zoom ","Zoom Video",5.1',  # padded cells read as the stripped values
    }
    text, kept = table(special)
    kept.append((CHUNK_ROWS + 8 + 2, "Zoom", "Zoom Video", "5.1"))
    kept.sort()
    path = write(tmp_path, "apps.csv", text)
    inv = read(path)
    assert seen(inv.components) == expected(kept)
    assert inv.metadata["skipped_empty_rows"] == 2
    assert both_ways(path)["counts"][0] == len(kept)


def test_quoted_cell_spanning_lines_keeps_spreadsheet_row_numbers(tmp_path: Path) -> None:
    text, kept = table({CHUNK_ROWS + 3: 'PC-9,"Notes\nApp","Acme",1.0'})
    row = CHUNK_ROWS + 3 + 2
    kept.append((row, "Notes\nApp", "Acme", "1.0"))
    kept.sort()
    path = write(tmp_path, "apps.csv", text)
    inv = read(path)
    assert seen(inv.components) == expected(kept)
    # Rows after the two-line cell are numbered as a spreadsheet shows them, in a scan too.
    assert str(inv.components[-1].location) == f"row {N + 2}"
    restricted = {f"row {row}" for row, name, _v, _ver in kept if name == KASPERSKY[0]}
    assert {loc for loc, _r, _m in both_ways(path)["findings"]} == restricted


def test_odd_row_in_a_later_chunk_is_an_error_at_its_row(tmp_path: Path) -> None:
    text, _ = table({CHUNK_ROWS * 2 + 17: "PC-1,Zoom,Zoom Video"})
    proc = run_cli("scan", str(write(tmp_path, "apps.csv", text)), "-j", "US", "--as-of", "2026-11-22")
    assert_clean_error(proc, "apps.csv", f"row {CHUNK_ROWS * 2 + 17 + 2}", "3 fields but the header has 4")


def test_unterminated_quote_after_a_clean_chunk_is_an_error_at_its_row(tmp_path: Path) -> None:
    text, _ = table({CHUNK_ROWS + 5: 'PC-1,"Zoom,Zoom Video,5.1'})
    proc = run_cli("scan", str(write(tmp_path, "apps.csv", text)), "-j", "US", "--as-of", "2026-11-22")
    assert_clean_error(proc, "apps.csv", f"row {CHUNK_ROWS + 5 + 2}")


def test_findings_name_every_restricted_row_and_counts_cover_every_row(tmp_path: Path) -> None:
    text, kept = table({5: ",,,", CHUNK_ROWS + 1: 'PC-9,"Multi\nLine","Acme",1.0'})
    proc = run_cli("scan", str(write(tmp_path, "apps.csv", text)), "-j", "US", "--as-of", "2026-11-22", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    restricted = [f"row {row}" for row, name, _v, _ver in kept if name == KASPERSKY[0]]
    locations = sorted({f["component"]["location"] for f in report["findings"]}, key=lambda s: int(s.split()[1]))
    assert locations == restricted
    section = report["inputs"][0]
    assert section["components"] == len(kept) + 1  # the two-line row is a component too
    assert section["components_matched"] == len(restricted)


def _big_utf8_table(tmp_path: Path, tail: bytes) -> Path:
    """A CSV larger than one ``_CHECK_CHUNK`` (what the UTF-8 check decodes at a time) with a two-byte
    character straddling the end of the first chunk, in the name of the row ending ``...y\u00e9``; ``tail`` is appended as more rows."""
    from compliance.readers.base import _CHECK_CHUNK

    row = b'PC-1,"Caf\xc3\xa9 App","Acme",1.0\n'
    data = b"Computer,Software,Manufacturer,Version\n" + row * ((_CHECK_CHUNK - 1000) // len(row))
    prefix = data + b'PC-3,"'
    name = b"y" * (_CHECK_CHUNK - 1 - len(prefix)) + b"\xc3\xa9"  # its first byte is the chunk's last
    return write(tmp_path, "big.csv", prefix + name + b'","Acme",1.0\n' + row + tail)


def test_utf8_check_carries_a_character_across_its_chunks(tmp_path: Path) -> None:
    inv = read(_big_utf8_table(tmp_path, b""))
    assert any(c.name.endswith("y\u00e9") for c in inv.components)


def test_invalid_utf8_after_the_first_chunk_names_its_byte(tmp_path: Path) -> None:
    path = _big_utf8_table(tmp_path, b'PC-4,"Bad \xff","Acme",1.0\n')
    offset = path.read_bytes().index(b"\xff")
    proc = run_cli("scan", str(path), "-j", "US", "--as-of", "2026-11-22")
    assert_clean_error(proc, "big.csv", f"byte {offset}", "not valid UTF-8")


def test_rows_without_a_name_among_new_titles_keep_every_title(tmp_path: Path) -> None:
    """A chunk that brings new titles and a row without a name is read again row by row: no title is
    lost, no nameless row becomes a component, and the rows after it keep their numbers."""
    special = {
        0: 'PC-1,"Brand New App","NewCo",2.0',
        1: 'PC-1,"   ","Someone",1.0',  # a name of blanks: skipped
        2: 'PC-1,"Second New App","OtherCo",3.0',
        CHUNK_ROWS + 3: 'PC-1,"Third New App","ThirdCo",1.0',
        CHUNK_ROWS + 4: "PC-1,,Someone,1.0",  # no name: skipped
        CHUNK_ROWS * 2 + 9: "  ,  ,  ,  ",  # blank: counted
    }
    text, kept = table(special)
    kept += [(2, "Brand New App", "NewCo", "2.0"), (4, "Second New App", "OtherCo", "3.0"),
             (CHUNK_ROWS + 5, "Third New App", "ThirdCo", "1.0")]
    kept.sort()
    path = write(tmp_path, "apps.csv", text)
    inv = read(path)
    assert seen(inv.components) == expected(kept)
    assert inv.metadata["skipped_empty_rows"] == 3
    assert both_ways(path)["counts"][0] == len(kept)


def test_a_name_of_blanks_in_a_clean_chunk_is_read_row_by_row(tmp_path: Path) -> None:
    special = {CHUNK_ROWS + 20: 'PC-1,"   ",Someone,1.0', CHUNK_ROWS + 21: '  ,   ,  ,  '}
    text, kept = table(special)
    inv = read(write(tmp_path, "apps.csv", text))
    assert seen(inv.components) == expected(kept)
    assert inv.metadata["skipped_empty_rows"] == 2  # one skipped (a vendor, no name), one blank
