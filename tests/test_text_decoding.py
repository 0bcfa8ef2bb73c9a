"""Bad bytes in a streamed UTF-8 text input are always the error reported, wherever they are.

Large UTF-8 exports are checked by the decoder that streams them, not by a pass of their own
(``open_text``/``settle_text``). A user must still get the same one line naming the first bad byte,
whether the bytes come after the rows, after a row the reader would refuse, in a table the fast CSV
path gave up on, or cut off at the very end; and a clean non-ASCII file must still read.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import assert_clean_error, run_cli
from inventory_support import read, write

from compliance.errors import InputError
from compliance.readers import load_source, read_source
from compliance.readers.tabular import CHUNK_ROWS

HEADER = b"Computer,Software,Manufacturer,Version\n"
ROW = b'PC-1,"Caf\xc3\xa9 App","Acme",1.0\n'  # not ASCII, so the text is checked as it streams


def _scan_error(path: Path) -> str:
    proc = run_cli("scan", str(path), "-j", "US", "--as-of", "2026-11-22")
    assert_clean_error(proc, path.name)
    return proc.stderr.strip()


@pytest.mark.parametrize(
    ("label", "middle"),
    [
        ("after every row", b""),
        ("after a row of the wrong width", b"PC-2,Only two\n"),
        ("after a quoted cell spanning lines", b'PC-2,"Two\nlines",Acme,1.0\n'),
        ("after a blank row", b",,,\n"),
    ],
)
def test_a_bad_byte_late_in_a_csv_is_the_error(tmp_path: Path, label: str, middle: bytes) -> None:
    data = HEADER + ROW * (CHUNK_ROWS + 10) + middle + ROW * 5 + b'PC-9,"Bad \xff","Acme",1.0\n' + ROW
    path = write(tmp_path, "apps.csv", data)
    bad_at = data.index(b"\xff")
    line = _scan_error(path)
    assert f"byte {bad_at}" in line, label
    assert "not valid UTF-8" in line, label


def test_a_character_cut_off_at_the_end_is_the_error(tmp_path: Path) -> None:
    data = HEADER + ROW * 100 + b'PC-9,"Cut \xc3'
    path = write(tmp_path, "cut.csv", data)
    line = _scan_error(path)
    assert f"byte {len(data) - 1}" in line and "not valid UTF-8" in line


def test_a_bad_byte_late_in_a_package_listing_is_the_error(tmp_path: Path) -> None:
    lines = [f"caf\u00e9-tools-{i}\t1.{i}\tamd64".encode() for i in range(5000)]
    data = b"\n".join([*lines, b"bad\xfe-name\t1.0\tamd64", b"zlib1g\t1.2\tamd64"]) + b"\n"
    path = write(tmp_path, "packages.tsv", data)
    bad_at = data.index(b"\xfe")
    proc = run_cli("scan", str(path), "--input-format", "dpkg-query", "-j", "US", "--as-of", "2026-11-22")
    assert_clean_error(proc, "packages.tsv", f"byte {bad_at}", "not valid UTF-8")


def test_a_reader_that_stops_early_still_gets_the_whole_text_checked(tmp_path: Path) -> None:
    """The library path: a reader that leaves its stream part-read does not skip the bytes it left."""
    from compliance.readers.base import open_text, settle_text

    data = HEADER + ROW * 50_000 + b'PC-9,"Bad \xff","Acme",1.0\n'
    source = load_source(str(write(tmp_path, "apps.csv", data)))
    stream, _nul = open_text(source)
    stream.readline()  # a reader that read only its header and returned
    with pytest.raises(InputError) as err:
        settle_text(source, failed=False)
    assert err.value.where == "byte " + str(data.index(b"\xff"))


def test_clean_non_ascii_text_reads_and_leaves_nothing_unchecked(tmp_path: Path) -> None:
    data = HEADER + ROW * (CHUNK_ROWS * 2) + 'PC-3,"\u5fae\u4fe1","Tencent",8.0\n'.encode()
    source = load_source(str(write(tmp_path, "apps.csv", data)))
    inv = read_source(source)
    assert len(inv.components) == CHUNK_ROWS * 2 + 1
    assert {c.name for c in inv.components} == {"Caf\u00e9 App", "\u5fae\u4fe1"}
    assert source.unchecked == []  # settled: nothing to hold the stream (or pickle) afterwards
    assert read(write(tmp_path, "again.csv", data)).components[-1].name == "\u5fae\u4fe1"


def test_a_bad_sequence_split_by_the_xml_chunks_names_its_first_byte(tmp_path: Path) -> None:
    """XML is decoded a chunk at a time: a sequence cut by a chunk's end is still reported where it starts."""
    from compliance.readers.xmlsafe import _CHUNK

    ns = "http://cyclonedx.org/schema/bom/1.6"
    head = f'<?xml version="1.0" encoding="UTF-8"?><bom xmlns="{ns}"><components>'.encode()
    item = '<component type="library"><name>caf\u00e9</name></component>'.encode()
    body = head + item * (3 * _CHUNK // len(item))
    prefix = body + b'<component type="library"><name>'
    pad = b"x" * ((-len(prefix) - 1) % _CHUNK)  # the lead byte below is a chunk's last byte
    data = prefix + pad + b"\xc3A</name></component></components></bom>"
    bad_at = data.index(b"\xc3A")
    assert (bad_at + 1) % _CHUNK == 0
    path = write(tmp_path, "split.cdx.xml", data)
    proc = run_cli("scan", str(path), "-j", "US", "--as-of", "2026-11-22")
    assert_clean_error(proc, "split.cdx.xml", f"byte {bad_at}", "not valid UTF-8")


def test_the_chunked_utf8_check_agrees_with_decoding_the_whole_text() -> None:
    """``check_utf8`` runs the decoder a chunk at a time: characters cut by a chunk's end are carried over,
    and it accepts and refuses exactly what one ``decode`` of the whole text does."""
    from compliance.readers.base import _CHECK_CHUNK, check_utf8

    for cut in range(1, 4):  # a 4-byte character whose first 1, 2 or 3 bytes end the first chunk
        good = b"a" * (_CHECK_CHUNK - cut) + "\U0001f600".encode() + b"b" * 10
        check_utf8(good)
        good.decode("utf-8")
        for bad in (good[:-11], good[: _CHECK_CHUNK] + b"\xff" + good[_CHECK_CHUNK + 1 :], b"\xe9" + good):
            with pytest.raises(UnicodeDecodeError):
                bad.decode("utf-8")
            with pytest.raises(UnicodeDecodeError):
                check_utf8(bad)
    check_utf8(b"\xef\xbb\xbf" + "caf\u00e9".encode(), 3)  # after a BOM
