"""Generate large, realistic CycloneDX SBOMs (JSON and XML) and inventories for the benchmark.

Components look like a real enterprise SBOM: most come from package registries with a purl and a
supplier, a fifth carry a CPE, some are applications with publishers, one in fifty has nested
components (bundled libraries), and about 1% belong to restricted vendors (Kaspersky, Tencent/WeChat,
ByteDance/TikTok) so the scan does real matching and reporting work.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

SUPPLIERS = [
    "Apache Software Foundation", "Google LLC", "Amazon Web Services, Inc.", "Red Hat, Inc.", "Oracle Corporation",
    "Eclipse Foundation", "Python Software Foundation", "Meta Platforms, Inc.", "Adobe Inc.", "Cisco Systems, Inc.",
    "VMware, Inc.", "JetBrains s.r.o.", "Mozilla Corporation", "Canonical Ltd.", "SAP SE", "Atlassian Pty Ltd",
]  # fmt: skip
ECOSYSTEMS = ["maven", "npm", "pypi", "golang", "nuget", "cargo", "gem"]
RESTRICTED = [
    {"name": "Kaspersky Endpoint Security for Windows", "version": "12.1.0.506", "publisher": "AO Kaspersky Lab"},
    {"name": "WeChat", "version": "3.9.10.19", "supplier": {"name": "Tencent Technology (Shenzhen) Company Limited"}},
    {"name": "TikTok", "version": "34.1.2", "supplier": {"name": "ByteDance Ltd."}},
    {"name": "kaspersky-av-sdk", "version": "8.9", "cpe": "cpe:2.3:a:kaspersky:anti-virus:8.9:*:*:*:*:*:*:*"},
]
RESTRICTED_EVERY = 100  # about 1% of components
NESTED_EVERY = 50  # one component in fifty bundles nested components
NESTED_CHILDREN = 3


def _library(rnd: random.Random, i: int) -> dict:
    if i % RESTRICTED_EVERY == 7:
        c = dict(RESTRICTED[(i // RESTRICTED_EVERY) % len(RESTRICTED)])
        c["type"] = "application"
        c["bom-ref"] = f"restricted-{i}"
        return c
    eco = ECOSYSTEMS[i % len(ECOSYSTEMS)]
    name = f"lib{rnd.randrange(10**6):06d}-{i}"
    version = f"{rnd.randrange(1, 20)}.{rnd.randrange(0, 30)}.{rnd.randrange(0, 50)}"
    group = f"org.example{i % 97}" if eco == "maven" else None
    supplier = SUPPLIERS[i % len(SUPPLIERS)]
    c: dict = {
        "type": "library",
        "bom-ref": f"ref-{i}",
        "name": name,
        "version": version,
        "purl": f"pkg:{eco}/{group}/{name}@{version}" if group else f"pkg:{eco}/{name}@{version}",
        "supplier": {"name": supplier},
        "description": "Utility library. Compatible with Kaspersky and WeChat integrations.",
        "licenses": [{"license": {"id": "Apache-2.0"}}],
    }
    if group:
        c["group"] = group
    if i % 5 == 0:
        c["author"] = f"Maintainer {i % 311}"
    if i % 5 == 1:
        vendor = supplier.split()[0].lower().strip(",")
        c["cpe"] = f"cpe:2.3:a:{vendor}:{name}:{version}:*:*:*:*:*:*:*"
    return c


def make_components(n: int, seed: int = 42) -> list[dict]:
    """``n`` components in all, nested ones included (they count towards ``n``)."""
    rnd = random.Random(seed)
    comps: list[dict] = []
    i = 0
    while i < n:
        c = _library(rnd, i)
        i += 1
        if i % NESTED_EVERY == 0 and c["type"] == "library":
            kids = []
            for _ in range(min(NESTED_CHILDREN, n - i)):
                kids.append(_library(rnd, i))
                i += 1
            if kids:
                c["components"] = kids
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
    with path.open("w", encoding="utf-8") as fh:
        json.dump(doc, fh)


def _xml_component(c: dict, out: list[str]) -> None:
    out.append(f'<component type="{c["type"]}" bom-ref={quoteattr(c["bom-ref"])}>')
    sup = c.get("supplier")
    if sup:
        out.append(f"<supplier><name>{escape(sup['name'])}</name></supplier>")
    for key in ("author", "publisher", "group"):
        if c.get(key):
            out.append(f"<{key}>{escape(c[key])}</{key}>")
    out.append(f"<name>{escape(c['name'])}</name><version>{escape(c['version'])}</version>")
    if c.get("description"):
        out.append(f"<description>{escape(c['description'])}</description>")
    for key in ("cpe", "purl"):
        if c.get(key):
            out.append(f"<{key}>{escape(c[key])}</{key}>")
    if c.get("components"):
        out.append("<components>")
        for kid in c["components"]:
            _xml_component(kid, out)
        out.append("</components>")
    out.append("</component>\n")


def write_xml(path: Path, n: int) -> None:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.6" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">\n',
        '<metadata><component type="application"><name>benchmark-estate</name><version>1.0</version></component></metadata>\n',
        "<components>\n",
    ]
    for c in make_components(n):
        _xml_component(c, out)
    out.append("</components></bom>\n")
    path.write_text("".join(out), encoding="utf-8")


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
    per_file = 1000  # rule-pack files have a size limit (2 MiB): a thousand rules per file stay below it
    for start in range(0, count, per_file):
        rules = ["rules:"]
        for r in range(start, min(count, start + per_file)):
            rules.append(
                f"  - {{id: ORG-DUMMY-{r}, title: Dummy rule {r}, jurisdiction: ORG, authority: Benchmark,"
                f" instrument: generated, citation: 'none', binding: ban, summary: generated,"
                f" covers: {{vendors: [dummy-{r % vendors}], kinds: [sdk]}},"
                f" actions: [{{id: use, description: generated, effective: '2020-01-01'}}],"
                f" sources: [{{url: 'https://example.invalid/{r}', kind: secondary}}],"
                f" verification: {{status: unverified, last_verified: '2026-01-01'}}}}"
            )
        (pack_dir / "jurisdictions" / f"ORG-{start // per_file:03d}.yaml").write_text("\n".join(rules) + "\n", encoding="utf-8")


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    """A software-inventory CSV as an asset-management tool exports it: one row per device and title."""
    rnd = random.Random(seed)
    titles = [
        ("Google Chrome", "Google LLC"), ("Microsoft Edge", "Microsoft Corporation"), ("7-Zip 23.01 (x64)", "Igor Pavlov"),
        ("Zoom Workplace", "Zoom Video Communications, Inc."), ("Adobe Acrobat (64-bit)", "Adobe"),
        ("Notepad++ (64-bit x64)", "Notepad++ Team"), ("Mozilla Firefox (x64 en-US)", "Mozilla"),
        ("Slack", "Slack Technologies Inc."), ("Python 3.12.4 (64-bit)", "Python Software Foundation"),
    ]
    restricted = [("Kaspersky Endpoint Security for Windows", "AO Kaspersky Lab"),
                  ("WeChat", "腾讯科技(深圳)有限公司"), ("TikTok", "TikTok Pte. Ltd.")]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("Computer,Software,Manufacturer,Version\r\n")
        for i in range(rows):
            name, maker = restricted[i % 3] if i % RESTRICTED_EVERY == 11 else titles[i % len(titles)]
            fh.write(f"WS-{i // 120:05d},\"{name}\",\"{maker}\",{rnd.randrange(1, 30)}.{rnd.randrange(0, 9)}\r\n")


def write_fleet(folder: Path, devices: int, apps_per_device: int = 300, seed: int = 11) -> None:
    """One export per device, in the formats fleets really produce: Windows CSV, Android pm list, dpkg-query."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for d in range(devices):
        kind = d % 3
        flagged = d % 7 == 0
        if kind == 0:
            lines = ['"DisplayName","DisplayVersion","Publisher","InstallDate","PSChildName"']
            for a in range(apps_per_device):
                lines.append(f'"App {a} Suite","{rnd.randrange(1, 9)}.{a}","Vendor {a % 40} Inc.","20240101","{{{d:08d}-{a:04d}}}"')
            if flagged:
                lines.append('"Kaspersky Endpoint Security for Windows","12.5.0.538","AO Kaspersky Lab","20240312","{6B3C}"')
            (folder / f"pc-{d:03d}.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
        elif kind == 1:
            lines = [f"package:com.example.app{a}  installer=com.android.vending" for a in range(apps_per_device)]
            if flagged:
                lines += ["package:com.tencent.mm  installer=com.android.vending", "package:com.tencent.mobileqq  installer=null"]
            (folder / f"phone-{d:03d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        else:
            lines = [f"lib{a}-tools\t{rnd.randrange(1, 9)}.{a}-1\tUbuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>"
                     for a in range(apps_per_device)]
            if flagged:
                lines.append("kesl\t12.1.0-1297\tAO Kaspersky Lab <support@kaspersky.com>")
            (folder / f"server-{d:03d}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


# Windows programs as osquery's ``programs`` table reports them (name, version, publisher...).
OSQUERY_PROGRAMS = [
    ("7-Zip 24.08 (x64)", "24.08", "Igor Pavlov"),
    ("Google Chrome", "131.0.6778.86", "Google LLC"),
    ("Microsoft Edge", "131.0.2903.70", "Microsoft Corporation"),
    ("Mozilla Firefox (x64 en-US)", "133.0", "Mozilla"),
    ("Notepad++ (64-bit x64)", "8.7.1", "Notepad++ Team"),
    ("Zoom Workplace (64-bit)", "6.2.11", "Zoom Video Communications, Inc."),
    ("Microsoft Teams", "24295.605.3225.8804", "Microsoft Corporation"),
    ("Adobe Acrobat (64-bit)", "24.004.20272", "Adobe"),
    ("VLC media player", "3.0.21", "VideoLAN"),
    ("Git", "2.47.0", "The Git Development Community"),
]
OSQUERY_RESTRICTED = ("Kaspersky Standard", "21.19.7.527", "AO Kaspersky Lab")


def write_osquery_log(path: Path, hosts: int, apps_per_host: int = 2, seed: int = 5) -> None:
    """An osqueryd results log collected centrally from ``hosts`` hosts, as the daemon writes it.

    One line per row event of the scheduled ``pack_software_programs`` query over the ``programs``
    table (event format: ``"action": "added"`` or ``"removed"`` with the row in ``columns``), with the
    usual envelope (``hostIdentifier``, ``calendarTime``, ``unixTime``, ``epoch``, ``counter``,
    ``numerics``, ``decorations``). Each host adds ``apps_per_host`` programs; every tenth host later
    removes one; every fiftieth has Kaspersky. Hosts are interleaved as a central log receives them.
    """
    rnd = random.Random(seed)
    t0 = 1732100000

    def columns_of(host: int, row: tuple[str, str, str]) -> dict[str, str]:
        name, version, publisher = row
        return {
            "name": name, "version": version, "publisher": publisher,
            "install_location": f"C:\\Program Files\\{name.split()[0]}\\", "install_source": "",
            "install_date": "20241015", "identifying_number": f"{{{host:08X}-{rnd.randrange(16**4):04X}}}",
            "uninstall_string": f"MsiExec.exe /X{{{host:08X}}}", "language": "1033",
        }

    def line(host: int, columns: dict[str, str], action: str, t: int) -> str:
        event = {
            "name": "pack_software_programs", "hostIdentifier": f"WIN-{host:06d}.corp.example",
            "calendarTime": "Wed Nov 20 12:00:00 2024 UTC", "unixTime": t, "epoch": 0, "counter": 1,
            "numerics": False, "decorations": {"host_uuid": f"{host:08x}-0000-4000-8000-000000000000"},
            "columns": columns, "action": action,
        }
        return json.dumps(event, separators=(",", ":"))

    with path.open("w", encoding="utf-8") as fh:
        for host in range(hosts):
            rows = [OSQUERY_PROGRAMS[(host + a) % len(OSQUERY_PROGRAMS)] for a in range(apps_per_host)]
            if host % 50 == 7:
                rows.append(OSQUERY_RESTRICTED)
            added = [columns_of(host, row) for row in rows]
            for columns in added:
                fh.write(line(host, columns, "added", t0 + host) + "\n")
            if host % 10 == 3:  # the removed row is the added one, column for column
                fh.write(line(host, added[0], "removed", t0 + host + 3600) + "\n")
