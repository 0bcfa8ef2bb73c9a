"""Large inputs: mapped instead of copied, never a read of the whole limit, and evaluated as they are read.

Issue 20: a real million-component SBOM is about 1 GB; the default ``--max-input-size`` must not refuse
it, reading must not hold its bytes twice nor reserve the limit, and the large readers hand each
component to the scan's ``Tally`` as they make it (only what matched is kept). Each way of reading is
held here to the plain one: the same inventory, the same evaluation, the same report.
"""

from __future__ import annotations

import json
import mmap
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

from compliance.engine import Evaluator, Tally
from compliance.readers import base, cyclonedx_json, cyclonedx_typed, load_source, mapped, read_source
from compliance.rulepack.cache import load_rule_pack_and_index

REPO = Path(__file__).resolve().parent.parent
INPUTS = sorted(
    p for top in ("examples/sboms", "examples/inventories", "tests/fixtures")
    for p in (REPO / top).rglob("*") if p.is_file() and p.suffix not in (".yaml", ".py", ".md")
)
SBOMS = [p for p in INPUTS if p.name.endswith((".cdx.json", ".cdx.xml")) or p.parent.name == "cyclonedx"]


def outcome(read: Any) -> Any:
    """What reading gives: the inventory's components and problems, or the error."""
    try:
        inv = read()
    except Exception as exc:  # noqa: BLE001 - the error is the outcome to compare
        return ("error", type(exc).__name__, str(exc))
    comps = [(c.name, c.version, c.vendor_fields, c.identifiers, c.purl, c.bom_ref, str(c.location), c.type)
             for c in inv.components]
    return (inv.format, comps, inv.problems, json.dumps(inv.metadata, default=str, sort_keys=True))


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: str(p.relative_to(REPO)))
def test_a_mapped_input_reads_as_the_same_bytes_read(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = outcome(lambda: read_source(load_source(str(path))))
    digest = load_source(str(path)).sha256
    monkeypatch.setattr(mapped, "MAP_ABOVE", 1)  # every non-empty file mapped
    source = load_source(str(path))
    assert type(source.data) is mmap.mmap or path.stat().st_size == 0
    assert source.sha256 == digest
    assert outcome(lambda: read_source(source)) == plain


def test_a_mapped_input_is_hashed_as_its_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    path = tmp_path / "big.bin"
    data = os.urandom(3 * 1024 * 1024 + 17)
    path.write_bytes(data)
    monkeypatch.setattr(mapped, "MAP_ABOVE", 1)
    monkeypatch.setattr(mapped, "RELEASE_EVERY", 4096)  # pages given back many times on the way
    source = load_source(str(path))
    assert type(source.data) is mmap.mmap
    assert source.sha256 == hashlib.sha256(data).hexdigest()
    assert source.data[:] == data  # what was given back reads in again


def test_a_file_changed_while_it_is_read_is_that_inputs_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mapped, "MAP_ABOVE", 1)
    path = tmp_path / "sbom.cdx.json"
    path.write_bytes((REPO / "examples/sboms/clean-web-app.cdx.json").read_bytes())
    source = load_source(str(path))
    with path.open("ab") as fh:  # another process appends while the scan reads
        fh.write(b"\n")
    with pytest.raises(Exception, match="changed while it was being read"):
        read_source(source)


def test_reading_never_reserves_the_limit(tmp_path: Path) -> None:
    """``read(max_bytes + 1)`` reserved the whole limit first: with a limit of a petabyte it failed."""
    path = tmp_path / "sbom.cdx.json"
    path.write_bytes((REPO / "examples/sboms/clean-web-app.cdx.json").read_bytes())
    source = load_source(str(path), max_bytes=1 << 50)
    assert source.data == path.read_bytes()
    proc = run_cli("scan", "-", "-j", "US", "--as-of", "2026-11-22", "--max-input-size", "1000000G",
                   stdin=path.read_bytes())
    assert proc.returncode == 0, proc.stderr


def test_the_default_limit_takes_a_million_component_sbom() -> None:
    """A real million-component SBOM is about 1 GB (benchmarks/generate.py writes 1.02 GB of JSON,
    1.09 GB of XML); the default was 1 GiB and refused the larger ones."""
    assert base.DEFAULT_MAX_BYTES >= 4 * 1024**3
    assert "[default: 4G]" in " ".join(run_cli("scan", "--help").stdout.split())


# -- the scan's Tally: components evaluated as they are read ----------------------------------------


@pytest.fixture(scope="module")
def evaluator() -> Evaluator:
    pack, index = load_rule_pack_and_index([], builtin=True, rules_for=lambda p: set(p.jurisdictions))
    return Evaluator(pack, jurisdictions=sorted(pack.jurisdictions), contexts=["government", "mobile", "federal"],
                     as_of=date(2026, 11, 22), index=index)


def evaluated(path: Path, evaluator: Evaluator, sink: bool) -> Any:
    try:
        source = load_source(str(path))
        if sink:
            source.sink = Tally(evaluator, source.path)
        inv = read_source(source)
        result, findings = evaluator.evaluate(inv)
    except Exception as exc:  # noqa: BLE001
        return ("error", str(exc))
    findings.sort(key=lambda f: f.sort_key())
    return (result.to_dict(), inv.problems, [f.to_dict() for f in findings])


def evaluated_both(path: Path, evaluator: Evaluator) -> tuple[Any, Any]:
    return evaluated(path, evaluator, sink=False), evaluated(path, evaluator, sink=True)


@pytest.mark.parametrize("path", SBOMS, ids=lambda p: str(p.relative_to(REPO)))
def test_evaluating_as_read_gives_what_evaluating_the_list_gives(
    path: Path, evaluator: Evaluator, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed, tallied = evaluated_both(path, evaluator)
    assert tallied == listed
    if path.suffix == ".json":  # the typed path (above 1 MB), one pass and component at a time
        monkeypatch.setattr(cyclonedx_json, "TYPED_ABOVE", 0)
        assert evaluated_both(path, evaluator) == (listed, listed)
        monkeypatch.setattr(cyclonedx_typed, "RAW_ABOVE", 0)
        assert evaluated_both(path, evaluator) == (listed, listed)


def _xml(parts: list[str]) -> str:
    return '<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">' + "".join(parts) + "</bom>"


LONG = "K" * 3000
XML_METADATA = '<metadata><component type="application"><name>app</name><supplier><name>AO Kaspersky Lab</name></supplier></component></metadata>'
XML_COMPONENTS = (
    '<components><component type="application"><name>Kaspersky Anti-Virus</name><publisher>AO Kaspersky Lab</publisher>'
    f'<components><component type="library"><name>inner</name><publisher>{LONG}</publisher></component></components>'
    f'</component><component type="library"><name>{LONG}</name><cpe>cpe:2.3:a:kaspersky:anti-virus:1:*:*:*:*:*:*:*</cpe>'
    "</component></components>"
)
XML_SERVICES = f'<services><service><name>svc</name><provider><name>{LONG}</name></provider></service></services>'
# Another vendor's product as the subject: the Kaspersky components' findings concern that product (white-label).
XML_OTHER_SUBJECT = ('<metadata><component type="application"><name>Contoso MailShield</name><version>5</version>'
                     "<supplier><name>Contoso Security Ltd</name></supplier></component></metadata>")


@pytest.mark.parametrize(
    "order",
    [
        [XML_METADATA, XML_COMPONENTS, XML_SERVICES],  # the schema's order: streamed
        [XML_COMPONENTS, XML_METADATA, XML_SERVICES],  # out of order: the metadata is handed on last
        [XML_SERVICES, XML_COMPONENTS],
        [XML_COMPONENTS],
        [XML_OTHER_SUBJECT, XML_COMPONENTS],
        [XML_COMPONENTS, XML_OTHER_SUBJECT],  # the subject last: findings wait for it
    ],
)
def test_xml_evaluated_as_read_keeps_walk_order_and_cut_notes(
    tmp_path: Path, evaluator: Evaluator, order: list[str]
) -> None:
    path = tmp_path / "bom.cdx.xml"
    path.write_text(_xml(order), encoding="utf-8")
    listed, tallied = evaluated_both(path, evaluator)
    assert listed[1], "the long fields are cut and noted"
    assert listed[2], "the Kaspersky components have findings"
    if XML_OTHER_SUBJECT in order:
        assert any(f["integrated_into"] for f in listed[2])
    if order[0] in (XML_METADATA, XML_OTHER_SUBJECT):
        assert tallied == listed  # notes in walk order too
    else:  # the same counts and findings; cut notes may come in another order
        assert (tallied[0], sorted(tallied[1]), tallied[2]) == (listed[0], sorted(listed[1]), listed[2])


def test_a_million_component_sbom_is_not_held_as_components(tmp_path: Path, evaluator: Evaluator) -> None:
    """The Tally keeps matched components only: a scan returns a sized count, not a list."""
    path = tmp_path / "bom.cdx.json"
    comps = [{"type": "library", "name": f"lib{i}", "version": "1", "purl": f"pkg:npm/lib{i}@1",
              "author": f"Dev {i} <dev{i}@example.com>"} for i in range(3000)]
    comps.append({"type": "application", "name": "Kaspersky Anti-Virus", "publisher": "AO Kaspersky Lab"})
    path.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": comps}) + " " * (1 << 20))
    source = load_source(str(path))
    source.sink = Tally(evaluator, source.path)
    inv = read_source(source)
    assert inv.components is source.sink and len(inv.components) == 3001
    result, findings = evaluator.evaluate(inv)
    assert (result.components, result.components_matched) == (3001, 1) and findings


def test_a_repeated_member_inside_a_large_documents_component_is_read_every_value(
    tmp_path: Path, evaluator: Evaluator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decoded a component at a time, a component's repeated member (its colons counted against the
    component written back out, ``jsondup``) sends the document to the path that reads every value."""
    path = tmp_path / "dup.cdx.json"
    path.write_text(
        '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "lib", "version": "1"},'
        ' {"name": "av", "supplier": {"name": "AO Kaspersky Lab"}, "supplier": {"name": "Example"}}]}',
        encoding="utf-8",
    )
    listed = evaluated(path, evaluator, sink=False)
    assert any("appears 2 times" in p for p in listed[1]) and listed[2], "every supplier read, Kaspersky found"
    monkeypatch.setattr(cyclonedx_json, "TYPED_ABOVE", 0)
    monkeypatch.setattr(cyclonedx_typed, "RAW_ABOVE", 0)
    assert evaluated_both(path, evaluator) == (listed, listed)


def test_colons_of_a_mapped_file_are_counted_as_of_its_bytes(tmp_path: Path) -> None:
    """``jsondup.colon_bound`` counts a mapped file a megabyte at a time: an escaped colon across two
    chunks is counted once."""
    from compliance.readers.jsondup import colon_bound

    mb = 1 << 20
    for shift in range(7):
        data = bytearray(b"x" * (2 * mb + 100))
        start = mb - shift
        data[start : start + 6] = b"\\u003a"
        data[10:11] = b":"
        data[mb + 50 : mb + 56] = b"\\u003A"
        path = tmp_path / f"c{shift}.json"
        path.write_bytes(bytes(data))
        with path.open("rb") as fh:
            view = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            assert colon_bound(view) == colon_bound(bytes(data)) == 3, shift
