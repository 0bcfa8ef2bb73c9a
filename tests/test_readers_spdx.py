"""SPDX 2.2/2.3 JSON, SPDX 2.x tag-value and SPDX 3.0 JSON-LD."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import run_cli
from inventory_support import hits, read

from compliance.errors import InputError
from compliance.readers import detect, load_source
from compliance.readers.spdx_json import parse_agent

FIX = Path(__file__).parent / "fixtures" / "inventories" / "spdx"
ALL = ["device-2.2.spdx.json", "device-2.3.spdx.json", "device-2.3.spdx", "device-3.0.spdx.json"]






@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("Organization: AO Kaspersky Lab", "AO Kaspersky Lab"),
        ("Organization: AO Kaspersky Lab (info@kaspersky.com)", "AO Kaspersky Lab"),
        ("Organization: ExampleCodeInspect ()", "ExampleCodeInspect"),
        ("Organization: Tencent Technology (Shenzhen) Company Limited", "Tencent Technology (Shenzhen) Company Limited"),
        ("Person: Jane Doe (jane.doe@example.com)", "Jane Doe"),
        ("NOASSERTION", ""),
        ("", ""),
    ],
)
def test_parse_agent(value: str, name: str) -> None:
    assert parse_agent(value) == name


@pytest.mark.parametrize("name", ALL)
def test_detect(name: str) -> None:
    fmt = "spdx-tag-value" if name.endswith(".spdx") else "spdx-json"
    assert detect(load_source(str(FIX / name))).name == fmt


def test_json_fields() -> None:
    by = {c.name: c for c in read(FIX / "device-2.3.spdx.json").components}
    kes = by["Kaspersky Endpoint Security for Windows"]
    assert kes.vendor_fields == [("supplier", "AO Kaspersky Lab")]
    assert kes.identifiers[0][0] == "cpe" and kes.identifiers[0][2] == "externalRefs.cpe23Type"
    assert kes.location == "/packages/0" and kes.bom_ref == "SPDXRef-Package-kes"
    assert by["kaspresso"].purl.startswith("pkg:maven/com.kaspersky.android-components/kaspresso")
    assert by["kaspresso"].vendor_fields == [("originator", "KasperskyLab")]
    assert by["TikTok"].vendor_fields == []


def test_tag_value_skips_text_blocks() -> None:
    inv = read(FIX / "device-2.3.spdx")
    assert inv.metadata["spdxVersion"] == "SPDX-2.3"
    names = [c.name for c in inv.components]
    assert names == ["7-Zip", "Kaspersky Endpoint Security for Windows", "WeChat", "TikTok", "kaspresso", "tiktoken"]
    by = {c.name: c for c in inv.components}
    assert by["7-Zip"].vendor_fields == [("supplier", "Igor Pavlov")]
    assert by["7-Zip"].identifiers == []
    assert by["Kaspersky Endpoint Security for Windows"].location == "line 33"
    assert by["Kaspersky Endpoint Security for Windows"].vendor_fields == [
        ("supplier", "AO Kaspersky Lab"),
        ("originator", "AO Kaspersky Lab"),
    ]
    assert by["tiktoken"].identifiers == [("purl", "pkg:pypi/tiktoken@0.7.0", "ExternalRef.purl")]


def test_spdx3_fields() -> None:
    by = {c.name: c for c in read(FIX / "device-3.0.spdx.json").components}
    assert set(by) == {"Kaspersky Endpoint Security for Windows", "WeChat", "kaspresso", "UltraAV"}
    assert by["WeChat"].vendor_fields == [("suppliedBy", "Tencent Technology (Shenzhen) Company Limited")]
    assert by["UltraAV"].vendor_fields == [("originatedBy", "Pango Group")]
    assert ("purl", "pkg:generic/ultraav@1.3.0", "externalIdentifier.packageUrl") in by["UltraAV"].identifiers
    assert by["kaspresso"].identifiers == [
        ("purl", "pkg:maven/com.kaspersky.android-components/kaspresso@1.5.3", "software_packageUrl")
    ]


@pytest.mark.parametrize("name", ALL)
def test_verdicts(name: str) -> None:
    f = FIX / name
    kes = ("US-ICTS-KASPERSKY-2024", "Kaspersky Endpoint Security for Windows")
    assert hits(f, "US", date(2024, 6, 1)) == set()
    assert hits(f, "US", date(2024, 10, 1)) == {kes}
    ctx = ("government", "mobile")
    assert hits(f, "CA", date(2022, 10, 1), ctx) == set()
    after = hits(f, "CA", date(2023, 11, 1), ctx)
    assert ("CA-TBS-WECHAT-KASPERSKY-2023", "WeChat") in after
    assert ("CA-TBS-WECHAT-KASPERSKY-2023", "Kaspersky Endpoint Security for Windows") in after
    assert not any(n in ("kaspresso", "tiktoken", "deepspeed", "UltraAV", "Douyin") for _, n in after)


def test_traps() -> None:
    for j in ("US", "CA"):
        assert hits(FIX / "traps-2.3.spdx.json", j, date(2024, 10, 1), ("government", "mobile")) == set()


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ({"spdxVersion": 2.3}, "/spdxVersion"),
        ({"spdxVersion": "SPDX-2.3", "packages": {}}, "/packages"),
        ({"spdxVersion": "SPDX-2.3", "packages": [{"name": ["a"], "versionInfo": "1"}]}, "/packages/0/name"),
        ({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [{"type": ["software_Package", 7]}]},
         "/@graph/0/type/1"),
        ({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [{"type": {"a": 1}}]}, "/@graph/0/type"),
        ({"spdxVersion": "SPDX-2.3", "packages": [{"name": "a", "supplier": {"name": "x"}}]}, "/packages/0/supplier"),
        ({"spdxVersion": "SPDX-2.3", "packages": [{"name": "a", "externalRefs": [{"referenceType": "purl", "referenceLocator": 1}]}]},
         "/packages/0/externalRefs/0/referenceLocator"),
        ({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": {}}, "/@graph"),
        ({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [{"type": "software_Package", "name": "a", "suppliedBy": 5}]},
         "/@graph/0/suppliedBy"),
        ({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [{"type": "software_Package", "name": "a",
          "externalIdentifier": [{"externalIdentifierType": "packageUrl", "identifier": ["x"]}]}]}, "/@graph/0/externalIdentifier/0/identifier"),
    ],
)
def test_malformed_json(tmp_path: Path, doc: dict, where: str) -> None:
    p = tmp_path / "bad.spdx.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(InputError) as exc:
        read(p)
    assert exc.value.where == where


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("SPDXVersion: SPDX-2.3\nPackageName: a\nPackageDescription: <text>never closed\nmore\n", "line 3"),
        ("SPDXVersion: SPDX-2.3\nPackageName: a\nthis is not a tag line\n", "line 3"),
        ("SPDXVersion: SPDX-2.3\nPackageName: a\nExternalRef: SECURITY cpe23Type\n", "line 3"),
        ("SPDXVersion: SPDX-3.0\n", "line 1"),
    ],
)
def test_malformed_tag_value(tmp_path: Path, text: str, where: str) -> None:
    p = tmp_path / "bad.spdx"
    p.write_text(text)
    with pytest.raises(InputError) as exc:
        read(p)
    assert exc.value.where == where


def test_cli(tmp_path: Path) -> None:
    r = run_cli("scan", str(FIX / "device-2.3.spdx"), "-j", "US", "--as-of", "2024-10-01")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    r = run_cli("scan", str(FIX / "device-3.0.spdx.json"), "-j", "US", "--as-of", "2024-10-01")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    r = run_cli("scan", str(FIX / "traps-2.3.spdx.json"), "-j", "US", "-j", "CA", "--as-of", "2024-10-01")
    assert r.returncode == 0 and "Traceback" not in r.stderr
    bad = tmp_path / "bad.spdx"
    bad.write_text("SPDXVersion: SPDX-2.3\nPackageName: a\nPackageComment: <text>open\n")
    r = run_cli("scan", "-j", "US", str(bad))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "line 3" in r.stderr


def test_spdx3_ai_and_dataset_packages_are_read() -> None:
    """Issue 9 item 14: an AI SBOM once read as 0 components and passed."""
    inv = read(FIX / "ai-dataset-3.0.spdx.json")
    got = [(c.name, c.type, c.vendor_fields) for c in inv.components]
    assert got == [
        ("DeepSeek-R1-Distill-Qwen-7B", "model", [("suppliedBy", "Hangzhou DeepSeek Artificial Intelligence Co., Ltd.")]),
        ("chat-corpus", "data", [("originatedBy", "Tencent Technology (Shenzhen) Company Limited")]),
        ("inference-runtime", "", []),
        ("tokenizer", "", []),
    ]
    assert inv.components[0].purl == "pkg:huggingface/deepseek-ai/DeepSeek-R1-Distill-Qwen-7B@1.0"
    assert inv.problems == []


def test_spdx3_ai_sbom_through_the_cli(tmp_path: Path) -> None:
    proc = run_cli("scan", "-j", "US", "--as-of", "2026-01-01", "-f", "json", str(FIX / "ai-dataset-3.0.spdx.json"))
    assert proc.returncode in (0, 1), proc.stderr
    section = json.loads(proc.stdout)["inputs"][0]
    assert section["components"] == 4 and section["components_with_vendor_identity"] == 2
    assert section["components_matched"] >= 1  # the dataset's originator is Tencent


def test_tag_value_empty_package_name_is_a_problem_and_the_supplier_still_counts(tmp_path: Path) -> None:
    doc = (
        "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n\n"
        "PackageName:\nSPDXID: SPDXRef-kes\nPackageVersion: 12.1\n"
        "PackageSupplier: Organization: AO Kaspersky Lab (info@kaspersky.com)\n"
    )
    path = tmp_path / "unnamed.spdx"
    path.write_text(doc)
    proc = run_cli("scan", "-j", "US", "--as-of", "2026-01-01", "-f", "json", str(path))
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["inputs"][0]["problems"] == ["line 5: PackageName is empty; read as '(unnamed)'"]
    assert report["findings"][0]["component"]["name"] == "(unnamed)"
