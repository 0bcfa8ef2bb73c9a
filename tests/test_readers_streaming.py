"""Streaming readers (CSV and line formats, CycloneDX JSON/XML, Jamf XML) read exactly what the
whole-document readers of 0.1 read.

``fixtures/streaming/before-streaming.json`` was written by the 0.1 readers (which decoded the whole
text, materialised every row and parsed XML with defusedxml) from every fixture and example these
readers handle: every component with every field and location, and the readers' metadata.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import assert_clean_error, run_cli

from compliance.model import Inventory, Location
from compliance.readers import detect, load_source, read_source

REPO = Path(__file__).resolve().parent.parent
SNAPSHOT = json.loads((REPO / "tests" / "fixtures" / "streaming" / "before-streaming.json").read_text(encoding="utf-8"))


def snapshot(inv: Inventory) -> dict[str, Any]:
    comps = [
        [c.name, c.version, [list(v) for v in c.vendor_fields], [list(i) for i in c.identifiers], c.purl, c.bom_ref,
         str(c.location), c.type]
        for c in inv.components
    ]
    meta = json.loads(json.dumps(inv.metadata, default=str, sort_keys=True))
    if inv.format.startswith("cyclonedx"):
        meta = {"specVersion": meta["specVersion"]}
    return {"format": inv.format, "components": comps, "metadata": meta}


@pytest.mark.parametrize("rel", sorted(SNAPSHOT))
def test_streaming_reader_reads_what_the_whole_document_reader_read(rel: str) -> None:
    source = load_source(str(REPO / rel))
    inv = detect(source).read(source)
    got = snapshot(inv)
    want = SNAPSHOT[rel]
    assert got["format"] == want["format"]
    assert got["components"] == want["components"]
    # Readers may add metadata keys; every key they had keeps its value.
    assert {k: got["metadata"].get(k) for k in want["metadata"]} == want["metadata"]


# -- CSV and line formats: encodings, BOMs and error places in a stream ----------------------------

STREAMING = REPO / "tests" / "fixtures" / "streaming"
AS_OF = "2026-11-22"


def scan_json(*paths: Path) -> tuple[int, dict[str, Any]]:
    proc = run_cli("scan", *map(str, paths), "-j", "US", "--as-of", AS_OF, "-f", "json")
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_utf16le_export_csv_with_type_line_is_read_row_by_row() -> None:
    code, report = scan_json(STREAMING / "uninstall-type-utf16le.csv")
    assert code == 1
    where = {f["component"]["name"]: f["component"]["location"] for f in report["findings"]}
    # Spreadsheet numbering: the #TYPE line is row 1, the header row 2, Kaspersky row 3.
    assert where["Kaspersky Endpoint Security for Windows"] == "row 3"
    inv = read_fixture("uninstall-type-utf16le.csv")
    assert inv.metadata["encoding"] == "utf-16-le" and inv.metadata["type_line"].startswith("#TYPE")
    names = [c.name for c in inv.components]
    assert names == ["Kaspersky Endpoint Security for Windows", "WeChat", "Multi\r\nline app", "7-Zip 23.01 (x64)"]
    assert [str(c.location) for c in inv.components] == ["row 3", "row 6", "row 7", "row 9"]


def test_utf8_bom_csv_header_and_quoted_newlines() -> None:
    inv = read_fixture("bom-semicolon.csv")
    assert inv.format == "mobile-apps-csv" and inv.metadata["delimiter"] == "semicolon"
    assert [(c.name, c.location) for c in inv.components] == [
        ("WeChat", "row 2"), ("TikTok\nLite", "row 4"), ("com.kms.free", "row 6")
    ]
    assert inv.metadata["skipped_empty_rows"] == 2


def read_fixture(name: str) -> Inventory:
    source = load_source(str(STREAMING / name))
    return detect(source).read(source)


BIG_ROWS = 40_000  # about 1.7 MB: errors lie past the first decoded chunk of a megabyte


def big_csv(tail: bytes) -> bytes:
    return b"Name,Publisher,Version\r\n" + b"Some App,Some Vendor,1.0\r\n" * BIG_ROWS + tail


@pytest.mark.parametrize(
    ("tail", "needle"),
    [
        (b'"Unclosed,Vendor,1\r\n', f"row {BIG_ROWS + 2}: unterminated quoted field"),
        (b"A,B,C,D\r\n", f"row {BIG_ROWS + 2}: row has 4 fields but the header has 3"),
        (b"Nul\x00App,B,1\r\n", f"row {BIG_ROWS + 2}: contains a NUL character"),
        (b"Caf\xe9,B,1\r\n", f"byte {24 + 26 * BIG_ROWS + 3}: not valid UTF-8 text"),
    ],
)
def test_errors_deep_in_a_streamed_csv_name_the_row_or_byte(tmp_path: Path, tail: bytes, needle: str) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(big_csv(tail))
    proc = run_cli("scan", str(path), "-j", "US", "--as-of", AS_OF)
    assert_clean_error(proc, "big.csv", needle)


def test_errors_deep_in_a_streamed_line_listing_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "dpkg.tsv"
    good = b"bash\t5.2-1\tMatthias Klose <doko@debian.org>\n"
    path.write_bytes(good * BIG_ROWS + b"broken line without tabs\n")
    proc = run_cli("scan", str(path), "-j", "US", "--as-of", AS_OF)
    assert_clean_error(proc, "dpkg.tsv", f"line {BIG_ROWS + 1}", "NAME<TAB>VERSION")


# -- XML: hostile documents on the C-parser path ---------------------------------------------------

CDX_NS = "http://cyclonedx.org/schema/bom/1.6"
BODY = f'<bom xmlns="{CDX_NS}"><components><component><name>&x;</name></component></components></bom>'
HOSTILE_XML = {
    "billion-laughs": '<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY x "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>' + BODY,
    "external-entity": '<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + BODY,
    "external-dtd": f'<?xml version="1.0"?><!DOCTYPE bom SYSTEM "http://127.0.0.1:9/evil.dtd"><bom xmlns="{CDX_NS}"/>',
    "parameter-entity": '<!DOCTYPE bom [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>' + BODY,
    "after-comment-and-pi": '<?xml version="1.0"?><!-- a comment --><?pi data?>\n<!DOCTYPE bom [<!ENTITY x "y">]>' + BODY,
    "after-a-long-comment": "<!--" + "x" * 1_500_000 + '--><!DOCTYPE bom [<!ENTITY x "y">]>' + BODY,
}


@pytest.mark.parametrize("case", sorted(HOSTILE_XML))
def test_hostile_xml_is_refused_before_anything_expands(tmp_path: Path, case: str) -> None:
    path = tmp_path / f"{case}.cdx.xml"
    path.write_text(HOSTILE_XML[case], encoding="utf-8")
    proc = run_cli("scan", str(path), "-j", "US", "--as-of", AS_OF, "--input-format", "cyclonedx-xml")
    assert_clean_error(proc, f"{case}.cdx.xml", "DTD")
    assert "root:" not in proc.stdout + proc.stderr


def test_dtd_in_a_utf16_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "utf16.cdx.xml"
    path.write_bytes(b"\xff\xfe" + HOSTILE_XML["external-entity"].encode("utf-16-le"))
    assert_clean_error(run_cli("scan", str(path), "-j", "US", "--input-format", "cyclonedx-xml"), "utf16.cdx.xml", "DTD")


def test_undeclared_entity_is_an_error_not_a_lookup(tmp_path: Path) -> None:
    path = tmp_path / "undeclared.cdx.xml"
    path.write_text(BODY, encoding="utf-8")
    # The file and the line are ours; the rest is the XML parser's own wording.
    assert_clean_error(run_cli("scan", str(path), "-j", "US"), "undeclared.cdx.xml", "line 1")


def test_jamf_xml_with_a_dtd_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "device.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE mobile_device [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    "<mobile_device><applications><application><application_name>&x;</application_name>"
                    "</application></applications></mobile_device>", encoding="utf-8")
    proc = run_cli("scan", str(path), "-j", "US", "--input-format", "jamf-mobile-device")
    assert_clean_error(proc, "device.xml", "DTD")


# -- XML encoding declarations (issue 9 item 3) ----------------------------------------------------


def cdx_xml(encoding: str, name: str = "Kaspersky Endpoint Security") -> str:
    return (f'<?xml version="1.0" encoding="{encoding}"?><bom xmlns="{CDX_NS}" version="1"><components>'
            f"<component type='application'><supplier><name>AO Kaspersky Lab</name></supplier><name>{name}</name>"
            "</component>"
            "</components></bom>")


@pytest.mark.parametrize(
    ("encoding", "needle"), [("WTF-8", "unknown encoding 'WTF-8'"), ("rot13", "'rot13', which is not a text encoding")]
)
def test_bad_encoding_declaration_is_that_inputs_error_only(tmp_path: Path, encoding: str, needle: str) -> None:
    bad = tmp_path / "bad.cdx.xml"
    bad.write_text(cdx_xml(encoding), encoding="utf-8")
    jamf = tmp_path / "device.xml"
    jamf.write_text(f'<?xml version="1.0" encoding="{encoding}"?><mobile_device><general/></mobile_device>', encoding="utf-8")
    good = tmp_path / "good.cdx.xml"
    good.write_text(cdx_xml("UTF-8"), encoding="utf-8")
    code, report = scan_json(bad, jamf, good)
    assert code == 2
    errors = {Path(i["path"]).name: i.get("error") for i in report["inputs"]}
    assert needle in errors["bad.cdx.xml"] and "line 1" in errors["bad.cdx.xml"]
    assert needle in errors["device.xml"]
    assert errors["good.cdx.xml"] is None
    assert any(f["component"]["name"] == "Kaspersky Endpoint Security" for f in report["findings"])  # still scanned


def test_declared_single_byte_encoding_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "latin1.cdx.xml"
    path.write_bytes(cdx_xml("ISO-8859-1", "Caf\xe9 App").encode("latin-1"))
    assert [c.name for c in read_path(path).components] == ["Caf\xe9 App"]


def read_path(path: Path) -> Inventory:
    source = load_source(str(path))
    return detect(source).read(source)


# -- deep nesting (issue 9 item 5) -------------------------------------------------------------------

DEPTH = 10_000
MEMORY_BOUND_MIB = 400  # the whole-path locations of 0.1 needed about 2,400 MiB for this file


def deep_xml(depth: int) -> str:
    opening = "".join(f'<component type="library"><name>c{i}</name><components>' for i in range(depth))
    leaf = ("<component type='application'><supplier><name>AO Kaspersky Lab</name></supplier>"
            "<name>Kaspersky Endpoint Security</name></component>")
    return (f'<?xml version="1.0"?><bom xmlns="{CDX_NS}"><components>' + opening + leaf
            + "</components></component>" * depth + "</components></bom>")


def test_ten_thousand_levels_of_nesting_read_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "deep.cdx.xml"
    path.write_text(deep_xml(DEPTH), encoding="utf-8")
    code = (
        "import resource, sys\n"
        "from compliance.readers import load_source, read_source\n"
        "inv = read_source(load_source(sys.argv[1]))\n"
        "print(len(inv.components), len(str(inv.components[-1].location)),"
        " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    count, location_chars, peak_mib = map(int, proc.stdout.split())
    assert count == DEPTH + 1
    assert location_chars == len("/bom/components") + (DEPTH + 1) * len("/component[1]") + DEPTH * len("/components")
    assert peak_mib < MEMORY_BOUND_MIB, f"peak {peak_mib} MiB"


def test_deep_finding_reports_the_full_location(tmp_path: Path) -> None:
    path = tmp_path / "deep.cdx.xml"
    path.write_text(deep_xml(300), encoding="utf-8")
    code, report = scan_json(path)
    assert code == 1
    (finding,) = [f for f in report["findings"] if f["component"]["name"] == "Kaspersky Endpoint Security"][:1]
    loc = finding["component"]["location"]
    assert loc == "/bom/components" + "/component[1]/components" * 300 + "/component[1]"


def test_location_chain_is_text_when_pickled() -> None:
    loc = Location(Location("/bom/components/component[1]", "/components"), "/component[2]")
    assert str(loc) == "/bom/components/component[1]/components/component[2]"
    assert pickle.loads(pickle.dumps(loc)) == str(loc)


# -- large CycloneDX JSON: one top-level component at a time --------------------------------------

JSON_FIXTURES = sorted(rel for rel, v in SNAPSHOT.items() if v["format"] == "cyclonedx-json")


@pytest.mark.parametrize("rel", JSON_FIXTURES)
def test_component_at_a_time_json_reads_what_orjson_reads(rel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The path taken above 64 MB, forced on every JSON fixture: same components, places and metadata."""
    from compliance.readers import cyclonedx_json, cyclonedx_typed

    whole = snapshot(read_path(REPO / rel))
    monkeypatch.setattr(cyclonedx_typed, "read_typed", lambda s, *a: None)  # the path for documents msgspec refuses
    monkeypatch.setattr(cyclonedx_json, "STREAM_ABOVE", 0)
    calls: list[int] = []
    real = cyclonedx_json._stream_read
    monkeypatch.setattr(cyclonedx_json, "_stream_read", lambda s: calls.append(1) or real(s))
    assert snapshot(read_path(REPO / rel)) == whole
    assert calls == [1]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "a"}, {"name": NaN}]}', "invalid JSON"),
        ('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "a"},]}', "invalid JSON"),
        ('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": 5}]}', "/components/0/name"),
        ('{"bomFormat": "CycloneDX", "specVersion": "9.9", "components": [{"name": "a"}]}', "specVersion"),
        ('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "a"}', "truncated JSON"),
    ],
)
def test_component_at_a_time_json_errors_are_orjsons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, needle: str
) -> None:
    from compliance.errors import InputError
    from compliance.readers import cyclonedx_json, cyclonedx_typed

    path = tmp_path / "bom.cdx.json"
    path.write_text(text, encoding="utf-8")
    source = load_source(str(path))
    with pytest.raises(InputError) as whole:
        cyclonedx_json.CycloneDXJSONReader().read(source)
    monkeypatch.setattr(cyclonedx_typed, "read_typed", lambda s, *a: None)
    monkeypatch.setattr(cyclonedx_json, "STREAM_ABOVE", 0)
    with pytest.raises(InputError) as streamed:
        cyclonedx_json.CycloneDXJSONReader().read(load_source(str(path)))
    assert str(streamed.value) == str(whole.value)
    assert needle in str(whole.value)


# -- the typed (msgspec) path for the usual document ----------------------------------------------


@pytest.mark.parametrize("rel", JSON_FIXTURES)
def test_typed_json_reads_what_orjson_reads(rel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every JSON fixture, read by the typed path and by the orjson path: same components, places,
    metadata and problems. Fixtures with off-spec fields leave the typed path (it returns None)."""
    from compliance.readers import cyclonedx_json, cyclonedx_typed

    monkeypatch.setattr(cyclonedx_json, "TYPED_ABOVE", 0)  # small files too
    source = load_source(str(REPO / rel))
    typed = cyclonedx_typed.read_typed(source)
    inv = read_path(REPO / rel)
    monkeypatch.setattr(cyclonedx_typed, "read_typed", lambda s, *a: None)
    plain = read_path(REPO / rel)
    assert snapshot(inv) == snapshot(plain)
    assert inv.problems == plain.problems
    if typed is None:
        assert plain.problems or not plain.components, "only off-spec documents leave the typed path"


def test_typed_json_is_taken_for_the_fixtures_without_problems() -> None:
    from compliance.readers import cyclonedx_typed

    clean = [rel for rel in JSON_FIXTURES if not read_path(REPO / rel).problems]
    assert clean
    assert all(cyclonedx_typed.read_typed(load_source(str(REPO / rel))) is not None for rel in clean)


@pytest.mark.parametrize(
    ("member", "needle"),
    [
        ('{"name": "a", "description": "caf\xe9"}', "not valid UTF-8"),  # Latin-1 byte in an unread member
        ('{"name": "a", "properties": [{"name": "complycheck:android:package", "value": 5}]}',
         "/components/0/properties/0/value"),
        ('{"name": "a", "supplier": "Tencent"}', "/components/0/supplier"),
        ('{"name": "a", "licenses": [{"x": "\\ud800"}]}', "invalid JSON"),
    ],
)
def test_typed_json_leaves_bad_documents_to_the_orjson_path(tmp_path: Path, member: str, needle: str) -> None:
    path = tmp_path / "bom.cdx.json"
    padding = ', {"name": "filler", "description": "' + "x" * 2_000_000 + '"}'  # above TYPED_ABOVE
    text = '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [' + member + padding + "]}"
    path.write_bytes(text.encode("latin-1"))
    proc = run_cli("scan", str(path), "-j", "US", "--as-of", AS_OF)
    assert_clean_error(proc, "bom.cdx.json", needle)


def test_typed_json_long_fields_are_cut_in_components_metadata_and_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A component field over the limit sends the document to the orjson path (the typed records refuse
    it); metadata and services components are measured by the reader. Each long field is cut and noted,
    as on the orjson path."""
    from compliance.readers import cyclonedx_json, cyclonedx_typed
    from compliance.readers.base import MAX_FIELD_CHARS

    monkeypatch.setattr(cyclonedx_json, "TYPED_ABOVE", 0)
    for long_at in ("component", "metadata", "service"):
        doc = {
            "bomFormat": "CycloneDX", "specVersion": "1.6",
            "metadata": {"supplier": {"name": "S" * (3000 if long_at == "metadata" else 5)},
                         "component": {"name": "app"}},
            "components": [{"name": "lib", "purl": "pkg:npm/" + "p" * (3000 if long_at == "component" else 5)}],
            "services": [{"name": "svc", "provider": {"name": "P" * (3000 if long_at == "service" else 5)}}],
        }
        path = tmp_path / f"{long_at}.cdx.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        typed = cyclonedx_typed.read_typed(load_source(str(path)))
        assert (typed is None) == (long_at == "component")
        inv = read_source(load_source(str(path)))
        assert len(inv.problems) == 1 and "characters long" in inv.problems[0], (long_at, inv.problems)
        assert all(len(v) <= MAX_FIELD_CHARS for c in inv.components for _f, v in c.vendor_fields)
        assert all(len(c.purl) <= MAX_FIELD_CHARS for c in inv.components)
        monkeypatch.setattr(cyclonedx_typed, "read_typed", lambda s, *a: None)
        assert read_source(load_source(str(path))).problems == inv.problems
        monkeypatch.undo()
        monkeypatch.setattr(cyclonedx_json, "TYPED_ABOVE", 0)
