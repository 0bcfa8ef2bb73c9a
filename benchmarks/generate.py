"""Generate large, realistic CycloneDX SBOMs (JSON and XML) for the benchmark.

Components look like a real enterprise inventory: most come from package registries with a purl and
a supplier, some are applications with publishers, and a few belong to restricted vendors
(Kaspersky, Tencent/WeChat, ByteDance/TikTok), so the scan does real matching work.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from xml.sax.saxutils import escape

SUPPLIERS = [
    "Apache Software Foundation", "Google LLC", "Amazon Web Services, Inc.", "Red Hat, Inc.", "Oracle Corporation",
    "Eclipse Foundation", "Python Software Foundation", "Meta Platforms, Inc.", "Adobe Inc.", "Cisco Systems, Inc.",
    "VMware, Inc.", "JetBrains s.r.o.", "Mozilla Corporation", "Canonical Ltd.", "SAP SE", "Atlassian Pty Ltd",
]
ECOSYSTEMS = ["maven", "npm", "pypi", "golang", "nuget", "cargo", "gem"]
RESTRICTED = [
    {"name": "Kaspersky Endpoint Security for Windows", "version": "12.1.0.506", "publisher": "AO Kaspersky Lab"},
    {"name": "WeChat", "version": "3.9.10.19", "supplier": {"name": "Tencent Technology (Shenzhen) Company Limited"}},
    {"name": "TikTok", "version": "34.1.2", "supplier": {"name": "ByteDance Ltd."}},
    {"name": "kaspersky-av-sdk", "version": "8.9", "cpe": "cpe:2.3:a:kaspersky:anti-virus:8.9:*:*:*:*:*:*:*"},
]


def make_components(n: int, seed: int = 42) -> list[dict]:
    rnd = random.Random(seed)
    comps: list[dict] = []
    for i in range(n):
        if i % 2500 == 7:
            c = dict(RESTRICTED[(i // 2500) % len(RESTRICTED)])
            c["type"] = "application"
            c["bom-ref"] = f"restricted-{i}"
            comps.append(c)
            continue
        eco = ECOSYSTEMS[i % len(ECOSYSTEMS)]
        name = f"lib{rnd.randrange(10**6):06d}-{i}"
        version = f"{rnd.randrange(1, 20)}.{rnd.randrange(0, 30)}.{rnd.randrange(0, 50)}"
        group = f"org.example{i % 97}" if eco == "maven" else None
        purl = f"pkg:{eco}/{group}/{name}@{version}" if group else f"pkg:{eco}/{name}@{version}"
        c = {
            "type": "library",
            "bom-ref": f"ref-{i}",
            "name": name,
            "version": version,
            "purl": purl,
            "supplier": {"name": SUPPLIERS[i % len(SUPPLIERS)]},
            "description": "Utility library. Compatible with Kaspersky and WeChat integrations.",
            "licenses": [{"license": {"id": "Apache-2.0"}}],
        }
        if group:
            c["group"] = group
        if i % 5 == 0:
            c["author"] = f"Maintainer {i % 311}"
        comps.append(c)
    return comps


def write_json(path: Path, n: int) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {"component": {"type": "application", "name": "benchmark-estate", "version": "1.0"}},
        "components": make_components(n),
    }
    path.write_text(json.dumps(doc), encoding="utf-8")


def write_xml(path: Path, n: int) -> None:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.6" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">',
        '<metadata><component type="application"><name>benchmark-estate</name><version>1.0</version></component></metadata>',
        "<components>",
    ]
    for c in make_components(n):
        parts = [f'<component type="{c["type"]}" bom-ref="{escape(c["bom-ref"])}">']
        sup = c.get("supplier")
        if sup:
            parts.append(f"<supplier><name>{escape(sup['name'])}</name></supplier>")
        if c.get("author"):
            parts.append(f"<author>{escape(c['author'])}</author>")
        if c.get("publisher"):
            parts.append(f"<publisher>{escape(c['publisher'])}</publisher>")
        if c.get("group"):
            parts.append(f"<group>{escape(c['group'])}</group>")
        parts.append(f"<name>{escape(c['name'])}</name><version>{escape(c['version'])}</version>")
        if c.get("description"):
            parts.append(f"<description>{escape(c['description'])}</description>")
        if c.get("cpe"):
            parts.append(f"<cpe>{escape(c['cpe'])}</cpe>")
        if c.get("purl"):
            parts.append(f"<purl>{escape(c['purl'])}</purl>")
        parts.append("</component>")
        out.append("".join(parts))
    out.append("</components></bom>")
    path.write_text("\n".join(out), encoding="utf-8")


def write_dummy_rules(pack_dir: Path, count: int) -> None:
    """An organisation pack with ``count`` rules spread over many generated vendors."""
    (pack_dir / "vendors").mkdir(parents=True, exist_ok=True)
    (pack_dir / "jurisdictions").mkdir(parents=True, exist_ok=True)
    (pack_dir / "pack.yaml").write_text(
        "name: bench-dummy\nversion: '1'\njurisdictions:\n  - {code: ORG, name: Benchmark dummy rules}\n",
        encoding="utf-8",
    )
    vendors = max(1, count // 4)
    lines = ["vendors:"]
    for v in range(vendors):
        lines.append(
            f"  - {{id: dummy-{v}, name: Dummy Vendor {v}, names: ['Dummy Vendor {v} Holdings Zeta{v}'],"
            f" identifiers: {{namespace: ['org.dummy{v}']}}, sources: ['generated']}}"
        )
    (pack_dir / "vendors" / "dummy.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rules = ["rules:"]
    for r in range(count):
        rules.append(
            f"  - {{id: ORG-DUMMY-{r}, title: Dummy rule {r}, jurisdiction: ORG, authority: Benchmark,"
            f" instrument: generated, citation: 'none', binding: ban, summary: generated,"
            f" covers: {{vendors: [dummy-{r % vendors}]}},"
            f" actions: [{{id: use, description: generated, effective: '2020-01-01'}}],"
            f" sources: [{{url: 'https://example.invalid/{r}', kind: secondary}}],"
            f" verification: {{status: unverified, last_verified: '2026-01-01'}}}}"
        )
    (pack_dir / "jurisdictions" / "ORG.yaml").write_text("\n".join(rules) + "\n", encoding="utf-8")
