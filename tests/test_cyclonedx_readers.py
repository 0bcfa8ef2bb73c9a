"""CycloneDX JSON and XML readers: every vendor-bearing field, every spec version, nesting, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLES, assert_clean_error, cdx, run_cli

from compliance.errors import InputError
from compliance.readers import detect, load_source, read_source

FULL_COMPONENT = {
    "type": "application",
    "bom-ref": "ref-1",
    "supplier": {"name": "Supplier Org"},
    "manufacturer": {"name": "Maker Org"},
    "publisher": "Publisher Org",
    "author": "Author Person",
    "authors": [{"name": "Second Author"}],
    "group": "com.example",
    "name": "thing",
    "version": "1.0",
    "purl": "pkg:maven/com.example/thing@1.0",
    "cpe": "cpe:2.3:a:example:thing:1.0:*:*:*:*:*:*:*",
    "swid": {"tagId": "swidgen-example-thing", "name": "thing"},
}


def read(path: Path):
    return read_source(load_source(str(path)))


def test_json_reads_every_vendor_bearing_field(write_bom):
    inv = read(write_bom([FULL_COMPONENT]))
    (c,) = inv.components
    assert inv.format == "cyclonedx-json"
    assert c.name == "thing" and c.version == "1.0" and c.bom_ref == "ref-1"
    assert dict(c.vendor_fields) == {
        "supplier.name": "Supplier Org",
        "manufacturer.name": "Maker Org",
        "publisher": "Publisher Org",
        "author": "Author Person",
        "authors.name": "Second Author",
    }
    kinds = {(k, v) for k, v, _ in c.identifiers}
    assert ("namespace", "com.example") in kinds
    assert ("purl", "pkg:maven/com.example/thing@1.0") in kinds
    assert ("cpe", FULL_COMPONENT["cpe"]) in kinds
    assert ("swid", "swidgen-example-thing") in kinds
    assert c.location == "/components/0"


def test_json_nested_components_services_and_metadata(write_bom):
    deep = {"name": "leaf", "version": "3"}
    for depth in range(50):
        deep = {"name": f"level{depth}", "components": [deep]}
    path = write_bom(
        [deep, {"name": "sibling"}],
        metadata={
            "component": {"name": "product", "components": [{"name": "meta-child"}]},
            "supplier": {"name": "AO Kaspersky Lab"},
            "manufacturer": {"name": "Maker"},
        },
        services=[{"name": "api", "provider": {"name": "Provider Co"}, "services": [{"name": "inner-api"}]}],
    )
    inv = read(path)
    names = [c.name for c in inv.components]
    assert names[0] == "product"
    assert ("metadata.supplier.name", "AO Kaspersky Lab") in inv.components[0].vendor_fields
    assert "meta-child" in names and "leaf" in names and "sibling" in names
    assert len([n for n in names if n.startswith("level")]) == 50
    api = next(c for c in inv.components if c.name == "api")
    assert api.type == "service" and ("provider.name", "Provider Co") in api.vendor_fields
    assert any(c.name == "inner-api" for c in inv.components)
    leaf = next(c for c in inv.components if c.name == "leaf")
    assert leaf.location.startswith("/components/0/components/0/") and leaf.location.endswith("/components/0")


@pytest.mark.parametrize("spec", ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"])
def test_json_each_spec_version_finds_kaspersky(write_bom, spec):
    path = write_bom([{"name": "Kaspersky Anti-Virus", "supplier": {"name": "AO Kaspersky Lab"}}], spec=spec)
    proc = run_cli("scan", str(path), "-j", "US", "--as-of", "2024-10-01", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert [f["rule_id"] for f in report["findings"] if f["severity"] == "fail"] == ["US-ICTS-KASPERSKY-2024"]


def xml_bom(spec: str, body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/{spec}" version="1">{body}</bom>'


@pytest.mark.parametrize("spec", ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"])
def test_xml_each_spec_version(tmp_path, spec):
    body = (
        "<metadata><component type='application'><name>product</name></component>"
        "<supplier><name>Meta Supplier</name></supplier></metadata>"
        "<components><component type='library' bom-ref='k'>"
        "<supplier><name>AO Kaspersky Lab</name></supplier><publisher>Kaspersky</publisher>"
        "<group>com.kaspersky</group><name>engine</name><version>1</version>"
        "<cpe>cpe:2.3:a:kaspersky:anti-virus:1:*:*:*:*:*:*:*</cpe><purl>pkg:generic/engine@1</purl>"
        "<swid tagId='regid.2006-05.com.kaspersky.engine' name='engine'/>"
        "<components><component type='library'><name>nested</name></component></components>"
        "</component></components>"
        "<services><service><provider><name>Provider Co</name></provider><name>api</name></service></services>"
    )
    path = tmp_path / "bom.xml"
    path.write_text(xml_bom(spec, body), encoding="utf-8")
    inv = read(path)
    assert inv.format == "cyclonedx-xml" and inv.metadata["specVersion"] == spec
    names = [c.name for c in inv.components]
    assert names == ["product", "engine", "nested", "api"]
    assert ("metadata.supplier.name", "Meta Supplier") in inv.components[0].vendor_fields
    engine = inv.components[1]
    assert ("supplier.name", "AO Kaspersky Lab") in engine.vendor_fields
    assert ("publisher", "Kaspersky") in engine.vendor_fields
    assert {k for k, _, _ in engine.identifiers} == {"namespace", "cpe", "purl", "swid"}
    assert engine.bom_ref == "k" and engine.location == "/bom/components/component[1]"
    assert ("provider.name", "Provider Co") in inv.components[3].vendor_fields


def test_xml_manufacturer_and_authors_16(tmp_path):
    body = (
        "<components><component type='application'><manufacturer><name>Tencent</name></manufacturer>"
        "<authors><author><name>Some Dev</name></author></authors><name>x</name></component></components>"
    )
    path = tmp_path / "bom.xml"
    path.write_text(xml_bom("1.6", body), encoding="utf-8")
    (c,) = read(path).components
    assert ("manufacturer.name", "Tencent") in c.vendor_fields and ("authors.name", "Some Dev") in c.vendor_fields


def test_examples_are_detected():
    for path in EXAMPLES.iterdir():
        reader = detect(load_source(str(path)))
        assert reader.name == ("cyclonedx-xml" if path.suffix == ".xml" else "cyclonedx-json")


def test_stdin_is_read(write_bom):
    data = write_bom([{"name": "WeChat", "supplier": {"name": "Tencent"}}]).read_bytes()
    proc = run_cli("scan", "-", "-j", "CA", "-c", "government", "-c", "mobile", "--as-of", "2024-01-15", stdin=data)
    assert proc.returncode == 1, proc.stderr
    assert "<stdin>" in proc.stdout and "CA-TBS-WECHAT-KASPERSKY-2023" in proc.stdout


def test_bom_and_utf16_json_are_decoded(tmp_path):
    doc = json.dumps(cdx([{"name": "TikTok", "publisher": "ByteDance Ltd."}]))
    for enc, bom in (("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        path = tmp_path / f"{enc}.json"
        path.write_bytes(bom + doc.encode(enc))
        inv = read(path)
        assert inv.components[0].name == "TikTok", enc


# -- bad input: exit 2, one line naming the file and the place, never a traceback --------------

BAD_JSON = {
    "not-json.json": (b"this is not json at all", "format not recognised"),
    "truncated.json": (json.dumps(cdx([{"name": "a"}, {"name": "b"}])).encode()[:-20], "truncated JSON"),
    "empty.json": (b"", "file is empty"),
    "whitespace.json": (b"   \n\t  ", "file is empty"),
    "array.json": (b'[{"bomFormat": "CycloneDX"}]', "format not recognised"),
    "wrong-format.json": (b'{"bomFormat": "SPDX", "specVersion": "1.6"}', "bomFormat"),
    "bad-spec.json": (b'{"bomFormat": "CycloneDX", "specVersion": "9.9"}', "/specVersion"),
    "spec-number.json": (b'{"bomFormat": "CycloneDX", "specVersion": 1.6}', "/specVersion"),
    "components-object.json": (b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {"a": 1}}', "/components"),
    "component-string.json": (b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": ["x"]}', "/components/0"),
    "name-number.json": (b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": 5}]}', "/components/0/name"),
    "authors-number.json": (
        b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "a", "authors": 5}]}',
        "/components/0/authors",
    ),
    "property-identifier-list.json": (
        b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "a", "properties": '
        b'[{"name": "complycheck:winget:id", "value": ["Tencent.WeChat"]}]}]}',
        "/components/0/properties/0/value",
    ),
    "supplier-string.json": (
        b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "a", "supplier": "Kaspersky"}]}',
        "/components/0/supplier",
    ),
    "supplier-name-list.json": (
        b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "a", "supplier": {"name": ["K"]}}]}',
        "/components/0/supplier/name",
    ),
    "publisher-object.json": (
        b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "a", "publisher": {}}]}',
        "/components/0/publisher",
    ),
    "purl-number.json": (
        b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "a", "purl": 7}]}',
        "/components/0/purl",
    ),
    "nested-bad.json": (
        b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "a", "components": [{"name": "b", "cpe": false}]}]}',
        "/components/0/components/0/cpe",
    ),
    "latin1.json": ('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "caf\u00e9"}]}'.encode("latin-1"), "UTF-8"),
    "binary.json": (b"\x00\x01\x02\x03" * 100, "not recognised"),
    "deep.json": (b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": ' + b"[" * 5000 + b"]" * 5000 + b"}", ""),  # refused by the JSON parser (its words) or by the reader: one line either way
}


@pytest.mark.parametrize("name", sorted(BAD_JSON))
def test_bad_json_input_exits_2_with_place(tmp_path, name):
    data, needle = BAD_JSON[name]
    path = tmp_path / name
    path.write_bytes(data)
    proc = run_cli("scan", str(path), "-j", "US")
    assert_clean_error(proc, name, needle)


BAD_XML = {
    "billion-laughs.xml": (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components><component><name>&lol2;</name></component></components></bom>',
        "DTD",
    ),
    "xxe.xml": (
        '<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components><component><name>&xxe;</name></component></components></bom>',
        "DTD",
    ),
    "truncated.xml": ('<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components><component><name>a', "line"),
    "mismatched.xml": ('<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components></component></bom>', "line 1"),
    "bad-version.xml": ('<bom xmlns="http://cyclonedx.org/schema/bom/9.9"><components/></bom>', "unsupported CycloneDX spec 9.9"),
}


@pytest.mark.parametrize("name", sorted(BAD_XML))
def test_hostile_or_broken_xml_exits_2(tmp_path, name):
    text, needle = BAD_XML[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    proc = run_cli("scan", str(path), "-j", "US")
    assert_clean_error(proc, name, needle)
    assert "root:" not in proc.stdout  # the XXE never resolved


def test_oversized_input_is_refused_before_reading(write_bom):
    path = write_bom([{"name": f"c{i}"} for i in range(200)])
    proc = run_cli("scan", "-j", "US", str(path), "--max-input-size", "1K")
    assert_clean_error(proc, str(path), "limit")


def test_missing_file_and_directory_without_inputs(tmp_path):
    assert_clean_error(run_cli("scan", "-j", "US", str(tmp_path / "nope.json")), "nope.json", "no such file")
    empty = tmp_path / "empty-dir"
    empty.mkdir()
    assert_clean_error(run_cli("scan", "-j", "US", str(empty)), "no input files")


def test_reader_errors_are_input_errors_in_the_library(tmp_path):
    path = tmp_path / "t.json"
    path.write_bytes(b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": 1}]}')
    with pytest.raises(InputError) as exc:
        read(path)
    assert exc.value.where == "/components/0/name"


def test_identifier_properties_round_trip_from_collect(write_bom, tmp_path):
    props = [{"name": "complycheck:apple:team_id", "value": "5A4RE8SF68"},
             {"name": "complycheck:apple:bundle_id", "value": "com.tencent.xinWeChat"},
             {"name": "unrelated", "value": "x"}]
    (c,) = read(write_bom([{"name": "WeChat", "properties": props}])).components
    assert ("team_id", "5A4RE8SF68", "properties.complycheck:apple:team_id") in c.identifiers
    assert ("bundle", "com.tencent.xinWeChat", "properties.complycheck:apple:bundle_id") in c.identifiers
    xml = tmp_path / "p.xml"
    xml.write_text(xml_bom("1.6", "<components><component type='application'><name>WeChat</name><properties>"
                           "<property name='complycheck:apple:team_id'>5A4RE8SF68</property></properties>"
                           "</component></components>"), encoding="utf-8")
    (c,) = read(xml).components
    assert ("team_id", "5A4RE8SF68", "properties.complycheck:apple:team_id") in c.identifiers
    bad = write_bom([{"name": "x", "properties": {"a": 1}}])
    with pytest.raises(InputError) as exc:
        read(bad)
    assert exc.value.where == "/components/0/properties"


CDX_FIX = Path(__file__).parent / "fixtures" / "cyclonedx"


@pytest.mark.parametrize(
    ("name", "spec", "components"),
    [("bom-1.0.xml", "1.0", 2), ("bom-1.1.xml", "1.1", 3), ("bom-1.1.json", "1.1", 2)],
)
def test_cyclonedx_1_0_and_1_1_are_read(name: str, spec: str, components: int) -> None:
    """1.0 and 1.1 SBOMs (the spec's own 1.1 test documents have this shape) are read, not refused."""
    proc = run_cli("scan", "-j", "US", "--as-of", "2026-01-01", "-f", "json", str(CDX_FIX / name))
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["inputs"][0]["components"] == components
    kaspersky = [f for f in report["findings"] if f["vendor"] == "kaspersky"]
    assert kaspersky and kaspersky[0]["component"]["name"].startswith("Kaspersky")
    inv = read_source(load_source(str(CDX_FIX / name)))
    assert inv.metadata["specVersion"] == spec


def test_harmless_off_spec_fields_are_problems_and_the_scan_goes_on(tmp_path):
    """Issue 9 item 13: decided per field. What hides no vendor identity is a listed problem."""
    doc = cdx(
        [
            {"name": "Kaspersky Endpoint Security", "authors": "AO Kaspersky Lab", "bom-ref": 12,
             "properties": [{"name": ["x"], "value": "y"}, {"name": "complycheck:winget:id", "value": "Kaspersky.KES"}]},
            {"version": 3, "supplier": {"name": "Tencent Technology (Shenzhen) Company Limited"}},
        ],
        metadata={"component": {"type": "application", "supplier": {"name": "Example Corp"}}},
    )
    path = tmp_path / "offspec.cdx.json"
    path.write_text(json.dumps(doc))
    proc = run_cli("scan", "-j", "US", "--as-of", "2026-01-01", "-f", "json", str(path))
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    section = report["inputs"][0]
    assert "error" not in section and section["components"] == 3
    assert section["problems"] == [
        "/metadata/component: component has no name; read as '(unnamed)'",
        "/components/0/authors: expected an array, found a string; read as one author's name",
        "/components/0/properties/0/name: expected a string, found an array; property ignored",
        "/components/0/bom-ref: expected a string, found a number; bom-ref ignored",
        "/components/1: component has no name; read as '(unnamed)'",
        "/components/1/version: expected a string, found a number; version ignored",
    ]
    # The author string still counts as vendor identity: the component is matched.
    assert any(f["component"]["name"] == "Kaspersky Endpoint Security" for f in report["findings"])
    text = run_cli("scan", "-j", "US", "--as-of", "2026-01-01", str(path))
    assert "6 problems" in text.stdout and "/components/0/authors: expected an array" in text.stdout


def test_empty_document_is_a_visible_problem(tmp_path):
    path = tmp_path / "empty.cdx.json"
    path.write_text(json.dumps(cdx([])))
    # By default nothing checked is an error (issue 17 item 5); --allow-empty lets a truly empty SBOM pass.
    proc = run_cli("scan", "-j", "US", "--as-of", "2026-01-01", "-f", "json", "--allow-empty", str(path))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["inputs"][0]["problems"] == [
        "0 components read from a non-empty document: nothing in it was checked"
    ]
    strict = run_cli("scan", "-j", "US", "--as-of", "2026-01-01", "-f", "json", str(path))
    assert strict.returncode == 2 and json.loads(strict.stdout)["verdict"] == "error"


def test_huge_expanding_field_is_cut_before_normalising(tmp_path):
    """Issue 9 item 6: U+FDFA expands 18-fold under NFKD; a 4 MB name once took 57 s and 2 GB."""
    from compliance.readers.base import MAX_FIELD_CHARS

    name = "\ufdfa" * 1_000_000
    path = tmp_path / "fdfa.cdx.json"
    path.write_text(json.dumps(cdx([{"name": "x", "supplier": {"name": "AO Kaspersky Lab " + name}}])), encoding="utf-8")
    inv = read_source(load_source(str(path)))
    supplier = dict(inv.components[0].vendor_fields)["supplier.name"]
    assert len(supplier) == MAX_FIELD_CHARS and supplier.startswith("AO Kaspersky Lab")
    assert inv.problems == [
        f"/components/0: supplier.name is {len(name) + 17:,} characters long; only the first {MAX_FIELD_CHARS:,} were read"
    ]


def test_xml_component_without_a_name_is_a_problem_and_the_scan_goes_on(tmp_path):
    """Issue 9 item 13 for XML as for JSON: a missing <name> hides no vendor, so it is listed, not fatal."""
    path = tmp_path / "noname.cdx.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">'
        '<metadata><component type="application"><version>1.0</version></component></metadata>'
        "<components>"
        '<component type="library"><version>1.0</version><purl>pkg:npm/left-pad@1.0.0</purl></component>'
        '<component type="application"><supplier><name>AO Kaspersky Lab</name></supplier>'
        "<name>kav</name><version>1</version></component>"
        "</components></bom>",
        encoding="utf-8",
    )
    proc = run_cli("scan", "-j", "US", "--as-of", "2026-01-01", "-f", "json", "--jobs", "1", str(path))
    assert proc.returncode == 1, proc.stderr
    section = json.loads(proc.stdout)["inputs"][0]
    assert "error" not in section and section["components"] == 3
    assert section["problems"] == [
        "/bom/metadata/component: component has no name; read as '(unnamed)'",
        "/bom/components/component[1]: component has no name; read as '(unnamed)'",
    ]


def test_xml_long_fields_are_cut_including_the_metadata_supplier(tmp_path):
    """The XML reader measures fields as it makes components; what it measures still gets cut and noted,
    including a metadata supplier added to the subject after the subject component was made."""
    from compliance.readers.base import MAX_FIELD_CHARS

    long_name = "AO Kaspersky Lab " + "k" * 5000
    path = tmp_path / "long.cdx.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">'
        f"<metadata><supplier><name>{long_name}</name></supplier>"
        '<component type="application"><name>app</name></component></metadata>'
        '<components><component type="library"><name>lib</name>'
        f"<purl>pkg:npm/{'p' * 3000}@1</purl></component></components></bom>",
        encoding="utf-8",
    )
    inv = read_source(load_source(str(path)))
    subject, lib = inv.components
    assert dict(subject.vendor_fields)["metadata.supplier.name"] == long_name[:MAX_FIELD_CHARS]
    assert len(lib.purl) == MAX_FIELD_CHARS
    assert inv.problems == [
        f"/bom/metadata/component: metadata.supplier.name is {len(long_name):,} characters long; "
        f"only the first {MAX_FIELD_CHARS:,} were read",
        f"/bom/components/component[1]: purl is {len('pkg:npm/') + 3000 + 2:,} characters long; "
        f"only the first {MAX_FIELD_CHARS:,} were read",
    ]


def test_xml_long_metadata_supplier_alone_is_cut(tmp_path):
    from compliance.readers.base import MAX_FIELD_CHARS

    long_name = "Tencent " + "t" * 3000
    path = tmp_path / "subject.cdx.xml"
    path.write_text(
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">'
        f"<metadata><manufacturer><name>{long_name}</name></manufacturer></metadata></bom>",
        encoding="utf-8",
    )
    inv = read_source(load_source(str(path)))
    (subject,) = inv.components
    assert subject.name == "(SBOM subject)"
    assert dict(subject.vendor_fields)["metadata.manufacturer.name"] == long_name[:MAX_FIELD_CHARS]
    assert len(inv.problems) == 1 and "characters long" in inv.problems[0]
