"""Generate the benchmark's inputs in the shapes real tools produce (issue 20: honest benchmark data).

- **SBOMs** (``write_json``, ``write_xml``) shaped like cdxgen and syft output: components from 11 purl
  ecosystems with group, purl, bom-ref, hashes, licences, external references, tool properties and
  (for most) a CPE; one in fifty bundles nested components; ``author`` written "Name <email>" with an
  address of its own on half the components; ``restricted`` (1% or 50%) of them from restricted
  vendors (Kaspersky, Tencent, ByteDance), each with a version, hashes and bom-ref of its own. About
  1,070 bytes a component in JSON: 1,000,000 components are about 1 GB, as in real large SBOMs.
- **Inventories** as a merged fleet export has them, almost every row distinct (the product names
  carry versions, architectures, languages): ``write_inventory_csv`` (a generic asset export with 200
  publishers) and ``write_uninstall_csv`` (Windows PowerShell ``Export-Csv`` of the Uninstall keys: the
  ``#TYPE`` line, 9 quoted columns, a GUID per key). About 1% of rows are restricted products, about
  5% of names are not ASCII (®, ™, accents, CJK, Cyrillic), as in real exports.
- ``write_repeated_csv``: the earlier inventory, a few thousand titles repeated over many rows.
- ``write_fleet`` (per-device exports) and ``write_dummy_rules`` (a 100x organisation rule pack).

Everything is seeded: the same arguments give the same bytes. ``describe`` says what a file holds, for
the benchmark to print next to its figures.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import orjson

# -- vocabulary ---------------------------------------------------------------------------------------

_SYL = ["ac", "al", "ar", "ba", "be", "bo", "ca", "ce", "co", "da", "de", "do", "el", "en", "fa", "fi", "ga", "ge",
        "ha", "he", "in", "ka", "ke", "la", "le", "li", "lo", "ma", "me", "mi", "mo", "na", "ne", "no", "or", "pa",
        "pe", "po", "ra", "re", "ri", "ro", "sa", "se", "si", "so", "ta", "te", "ti", "to", "ul", "va", "ve", "vi",
        "xa", "ya", "za", "ze"]  # fmt: skip
_WORDS = ["async", "cache", "codec", "config", "core", "crypto", "data", "date", "http", "json", "log", "math",
          "net", "parse", "path", "pool", "queue", "retry", "schema", "stream", "sync", "test", "text", "time",
          "token", "util", "xml", "yaml", "zip", "auth", "cli", "color", "diff", "event", "file", "glob", "hash",
          "image", "io", "lint", "mock", "proto", "rpc", "shell", "sql", "state", "task", "tree", "url", "web"]  # fmt: skip
_FIRST = ["Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jakub", "Kemal", "Lena",
          "Marco", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Sven", "Tomas", "Uma", "Viktor", "Wen", "Yusuf"]
_LAST = ["Andersen", "Baker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Huang", "Ivanova", "Jensen",
         "Kowalski", "Lopez", "Meyer", "Novak", "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka", "Weber"]
_MAIL = ["gmail.com", "outlook.com", "users.noreply.github.com", "protonmail.com", "apache.org", "redhat.com",
         "example.org", "fastmail.com", "posteo.de", "yandex.ru", "qq.com", "163.com"]
_ORGS = ["Apache Software Foundation", "Google LLC", "Amazon Web Services, Inc.", "Red Hat, Inc.",
         "Oracle Corporation", "Eclipse Foundation", "Python Software Foundation", "Meta Platforms, Inc.",
         "The Debian Project", "Alpine Linux", "OpenJS Foundation", "Rust Foundation", "JetBrains s.r.o."]
_LICENSES = ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "GPL-2.0-only", "LGPL-2.1-or-later", "MPL-2.0", "BSD-2-Clause"]

# (purl type, syft cataloger, language, layout of the file it was found in)
ECOSYSTEMS = [
    ("npm", "javascript-lock-cataloger", "javascript", "/app/node_modules/{n}/package.json"),
    ("pypi", "python-installed-package-cataloger", "python", "/usr/lib/python3/site-packages/{n}.dist-info/METADATA"),
    ("maven", "java-archive-cataloger", "java", "/app/lib/{n}.jar"),
    ("golang", "go-module-binary-cataloger", "go", "/usr/local/bin/{n}"),
    ("nuget", "dotnet-deps-cataloger", "dotnet", "/app/{n}.deps.json"),
    ("cargo", "rust-cargo-lock-cataloger", "rust", "/src/Cargo.lock"),
    ("gem", "ruby-installed-gemspec-cataloger", "ruby", "/usr/lib/ruby/gems/3.2.0/specifications/{n}.gemspec"),
    ("composer", "php-composer-installed-cataloger", "php", "/var/www/vendor/composer/installed.json"),
    ("deb", "dpkg-db-cataloger", "", "/var/lib/dpkg/status"),
    ("rpm", "rpm-db-cataloger", "", "/var/lib/rpm/rpmdb.sqlite"),
    ("apk", "apk-db-cataloger", "", "/lib/apk/db/installed"),
]

NESTED_EVERY = 50  # one component in fifty bundles nested components (shaded jars, vendored modules)
NESTED_CHILDREN = 3


def _hex(rnd: random.Random, n: int) -> str:
    return f"{rnd.getrandbits(n * 4):0{n}x}"


def _author(rnd: random.Random) -> str:
    """A maintainer as npm, PyPI and Debian metadata write one: "Name <address>", the address their own."""
    first, last = rnd.choice(_FIRST), rnd.choice(_LAST)
    domain = rnd.choice(_MAIL)
    if domain == "users.noreply.github.com":
        local = f"{rnd.randrange(10**7, 10**8)}+{first.lower()}{last.lower()}"
    else:
        local = f"{first.lower()}.{last.lower()}{rnd.randrange(10**5)}"
    return f"{first} {last} <{local}@{domain}>"


def _package(rnd: random.Random, i: int, email_authors: float) -> dict:
    eco, cataloger, language, where = ECOSYSTEMS[i % len(ECOSYSTEMS)]
    name = f"{rnd.choice(_SYL)}{rnd.choice(_SYL)}{rnd.choice(_SYL)}-{rnd.choice(_WORDS)}"
    version = f"{rnd.randrange(0, 12)}.{rnd.randrange(0, 40)}.{rnd.randrange(0, 60)}"
    owner = f"{rnd.choice(_SYL)}{rnd.choice(_SYL)}{rnd.choice(_WORDS)}"
    group = ""
    qualifiers = ""
    if eco == "npm" and i % 3 == 0:
        group = f"@{owner}"
        purl = f"pkg:npm/%40{owner}/{name}@{version}"
    elif eco == "maven":
        group = f"org.{owner}.{rnd.choice(_WORDS)}"
        purl = f"pkg:maven/{group}/{name}@{version}?type=jar"
    elif eco == "golang":
        group = f"github.com/{owner}"
        version = "v" + version
        purl = f"pkg:golang/{group}/{name}@{version}"
    elif eco == "composer":
        group = owner
        purl = f"pkg:composer/{group}/{name}@{version}"
    elif eco in ("deb", "rpm", "apk"):
        distro = {"deb": ("debian", "debian-12"), "rpm": ("redhat", "rhel-9.3"), "apk": ("alpine", "alpine-3.19")}[eco]
        version = f"{version}-{rnd.randrange(1, 9)}"
        qualifiers = f"?arch={'amd64' if eco == 'deb' else 'x86_64'}&distro={distro[1]}"
        purl = f"pkg:{eco}/{distro[0]}/{name}@{version}{qualifiers}"
    else:
        purl = f"pkg:{eco}/{name}@{version}"
    c: dict = {
        "bom-ref": f"{purl.split('?')[0]}?package-id={_hex(rnd, 16)}",
        "type": "library",
    }
    if rnd.random() < email_authors:
        c["author"] = _author(rnd)
    elif i % 4 == 0:
        c["supplier"] = {"name": rnd.choice(_ORGS)}
    if group:
        c["group"] = group
    c["name"] = name
    c["version"] = version
    c["description"] = f"{rnd.choice(_WORDS).capitalize()} {rnd.choice(_WORDS)} helpers for {rnd.choice(_WORDS)} workloads"
    c["scope"] = "required"
    c["hashes"] = [{"alg": "SHA-256", "content": _hex(rnd, 64)}]
    if eco in ("npm", "maven", "nuget"):
        c["hashes"].append({"alg": "SHA-512", "content": _hex(rnd, 128)})
    lic = rnd.choice(_LICENSES)
    c["licenses"] = [{"license": {"id": lic}}] if i % 7 else [{"expression": f"{lic} OR MIT"}]
    if i % 10 < 6:  # syft derives CPEs for most packages
        c["cpe"] = f"cpe:2.3:a:{owner}:{name}:{version}:*:*:*:*:*:*:*"
    c["purl"] = purl
    c["externalReferences"] = [
        {"type": "vcs", "url": f"https://github.com/{owner}/{name}"},
        {"type": "website", "url": f"https://{owner}.example.org/{name}"},
    ]
    props = [{"name": "syft:package:foundBy", "value": cataloger}]
    if language:
        props.append({"name": "syft:package:language", "value": language})
    props.append({"name": "syft:package:type", "value": eco})
    props.append({"name": "syft:location:0:path", "value": where.format(n=name)})
    c["properties"] = props
    if i % 5 < 3:  # cdxgen records how each identity was found
        c["evidence"] = {"identity": [{"field": "purl", "confidence": 1, "methods": [
            {"technique": "manifest-analysis", "confidence": 1, "value": where.format(n=name)}]}]}
    return c


# Restricted components as SBOMs show them; {v} is a version of each component's own.
RESTRICTED = [
    {"type": "library", "name": "kavsdk", "version": "8.9.{v}", "author": "AO Kaspersky Lab <support@kaspersky.com>",
     "cpe": "cpe:2.3:a:kaspersky:anti-virus:8.9.{v}:*:*:*:*:*:*:*", "purl": "pkg:generic/kaspersky/kavsdk@8.9.{v}"},
    {"type": "application", "name": "Kaspersky Endpoint Security for Windows", "version": "12.{v}",
     "publisher": "AO Kaspersky Lab"},
    {"type": "application", "name": "kesl", "version": "12.1.0-{v}", "author": "Kaspersky Lab <kesl@kaspersky.com>",
     "purl": "pkg:deb/debian/kesl@12.1.0-{v}?arch=amd64&distro=debian-12"},
    {"type": "library", "name": "wechat-sdk-android", "version": "6.8.{v}", "group": "com.tencent.mm.opensdk",
     "purl": "pkg:maven/com.tencent.mm.opensdk/wechat-sdk-android@6.8.{v}?type=aar"},
    {"type": "application", "name": "TikTok", "version": "34.{v}", "supplier": {"name": "ByteDance Ltd."}},
    {"type": "application", "name": "WeChat", "version": "3.9.{v}",
     "supplier": {"name": "Tencent Technology (Shenzhen) Company Limited"}},
]


def _restricted(rnd: random.Random, i: int) -> dict:
    shape = RESTRICTED[i % len(RESTRICTED)]
    v = f"{rnd.randrange(100)}.{rnd.randrange(10000)}"
    c = {k: (val.replace("{v}", v) if isinstance(val, str) else val) for k, val in shape.items()}
    c["bom-ref"] = f"{c.get('purl', c['name']).split('?')[0]}?package-id={_hex(rnd, 16)}"
    c["hashes"] = [{"alg": "SHA-256", "content": _hex(rnd, 64)}, {"alg": "SHA-512", "content": _hex(rnd, 128)}]
    c["licenses"] = [{"license": {"name": "Proprietary"}}]
    c["externalReferences"] = [{"type": "website", "url": "https://vendor.example.com/download"}]
    c["properties"] = [{"name": "syft:package:foundBy", "value": "binary-classifier-cataloger"},
                       {"name": "syft:location:0:path", "value": f"/opt/vendor/{c['name']}"}]
    return c


def components(n: int, *, restricted: float = 0.01, email_authors: float = 0.5, seed: int = 42) -> Iterator[dict]:
    """``n`` components in all (nested ones count), as top-level component objects, in document order."""
    rnd = random.Random(seed)
    every = round(1 / restricted) if restricted else 0
    made = 0

    def one(i: int) -> dict:
        if every and i % every == every // 2:
            return _restricted(rnd, i // every)
        return _package(rnd, i, email_authors)

    while made < n:
        c = one(made)
        made += 1
        if made % NESTED_EVERY == 0 and c["type"] == "library":
            kids = []
            for _ in range(min(NESTED_CHILDREN, n - made)):
                kids.append(one(made))
                made += 1
            if kids:
                c["components"] = kids
        yield c


def _metadata() -> dict:
    return {
        "timestamp": "2026-11-30T09:14:03Z",
        "tools": {"components": [{"type": "application", "author": "anchore", "name": "syft", "version": "1.17.0"}]},
        "component": {"bom-ref": "estate", "type": "application", "name": "benchmark-estate", "version": "1.0"},
    }


def write_json(path: Path, n: int, *, restricted: float = 0.01, email_authors: float = 0.5, seed: int = 42) -> None:
    """A CycloneDX 1.6 JSON SBOM of ``n`` components, written one top-level component at a time."""
    head = orjson.dumps({"$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json", "bomFormat": "CycloneDX",
                         "specVersion": "1.6", "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
                         "version": 1, "metadata": _metadata()})
    with path.open("wb") as fh:
        fh.write(head[:-1] + b',"components":[')
        for k, c in enumerate(components(n, restricted=restricted, email_authors=email_authors, seed=seed)):
            if k:
                fh.write(b",")
            fh.write(orjson.dumps(c))
        fh.write(b"]}")


def _xml_component(c: dict, out: list[str]) -> None:
    out.append(f'<component type="{c["type"]}" bom-ref={quoteattr(c["bom-ref"])}>')
    if "supplier" in c:
        out.append(f"<supplier><name>{escape(c['supplier']['name'])}</name></supplier>")
    for key in ("author", "publisher", "group"):
        if key in c:
            out.append(f"<{key}>{escape(c[key])}</{key}>")
    out.append(f"<name>{escape(c['name'])}</name><version>{escape(c['version'])}</version>")
    if "description" in c:
        out.append(f"<description>{escape(c['description'])}</description>")
    if "scope" in c:
        out.append(f"<scope>{c['scope']}</scope>")
    out.append("<hashes>")
    out.extend(f'<hash alg="{h["alg"]}">{h["content"]}</hash>' for h in c["hashes"])
    out.append("</hashes><licenses>")
    for lic in c["licenses"]:
        if "expression" in lic:
            out.append(f"<expression>{escape(lic['expression'])}</expression>")
        elif "id" in lic["license"]:
            out.append(f"<license><id>{lic['license']['id']}</id></license>")
        else:
            out.append(f"<license><name>{escape(lic['license']['name'])}</name></license>")
    out.append("</licenses>")
    for key in ("cpe", "purl"):
        if key in c:
            out.append(f"<{key}>{escape(c[key])}</{key}>")
    out.append("<externalReferences>")
    out.extend(f'<reference type="{r["type"]}"><url>{escape(r["url"])}</url></reference>' for r in c["externalReferences"])
    out.append("</externalReferences><properties>")
    out.extend(f"<property name={quoteattr(p['name'])}>{escape(p['value'])}</property>" for p in c["properties"])
    out.append("</properties>")
    if c.get("components"):
        out.append("<components>")
        for kid in c["components"]:
            _xml_component(kid, out)
        out.append("</components>")
    out.append("</component>\n")


def write_xml(path: Path, n: int, *, restricted: float = 0.01, email_authors: float = 0.5, seed: int = 42) -> None:
    """The same components as ``write_json`` as CycloneDX 1.6 XML."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<bom xmlns="http://cyclonedx.org/schema/bom/1.6" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-'
                 'a58921a69b79" version="1">\n<metadata><timestamp>2026-11-30T09:14:03Z</timestamp>'
                 '<component type="application" bom-ref="estate"><name>benchmark-estate</name><version>1.0</version>'
                 "</component></metadata>\n<components>\n")
        out: list[str] = []
        for c in components(n, restricted=restricted, email_authors=email_authors, seed=seed):
            _xml_component(c, out)
            if len(out) > 4096:
                fh.write("".join(out))
                out.clear()
        fh.write("".join(out))
        fh.write("</components></bom>\n")


# -- inventories: a merged fleet export, almost every row distinct --------------------------------------

_REAL_PUBLISHERS = [
    ("Microsoft Corporation", "Microsoft"), ("Google LLC", "Google"), ("Adobe Inc.", "Adobe"),
    ("Oracle Corporation", "Oracle"), ("Mozilla", "Mozilla"), ("Zoom Video Communications, Inc.", "Zoom"),
    ("Cisco Systems, Inc.", "Cisco"), ("Intel Corporation", "Intel"), ("NVIDIA Corporation", "NVIDIA"),
    ("Dell Inc.", "Dell"), ("HP Inc.", "HP"), ("Lenovo", "Lenovo"), ("VMware, Inc.", "VMware"),
    ("Citrix Systems, Inc.", "Citrix"), ("Python Software Foundation", "Python"), ("Igor Pavlov", "7-Zip"),
    ("Notepad++ Team", "Notepad++"), ("Slack Technologies Inc.", "Slack"), ("JetBrains s.r.o.", "JetBrains"),
    ("Apple Inc.", "Apple"), ("Realtek Semiconductor Corp.", "Realtek"), ("Autodesk, Inc.", "Autodesk"),
    ("SAP SE", "SAP"), ("Atlassian", "Atlassian"), ("TeamViewer Germany GmbH", "TeamViewer"),
]
_NON_ASCII_PUBLISHERS = [("Bürosoft GmbH", "Bürosoft"), ("Éditions Logicielles SARL", "Éditions"),
                         ("株式会社データ工房", "データ工房"), ("北京文档科技有限公司", "文档助手"), ("ООО Планировщик", "Планировщик")]
_FICTIONAL_A = ["Contoso", "Fabrikam", "Northwind", "Tailspin", "Woodgrove", "Litware", "Proseware", "Adatum",
                "Lucerne", "Wingtip", "Alpine Ski", "Coho", "Blue Yonder", "Humongous", "Trey", "Margie"]
_FICTIONAL_B = ["Software", "Systems", "Labs", "Technologies", "Solutions", "Networks", "Data", "Digital", "Works"]
_FORMS = ["Inc.", "Ltd.", "LLC", "GmbH", "S.A.", "B.V.", "Corp.", "AB", "Pty Ltd", "S.r.l.", ""]
_PRODUCT_A = ["Sync", "Backup", "Update", "Print", "Scan", "Device", "Remote", "Cloud", "Secure", "Media", "Office",
              "Data", "Client", "Desktop", "Network", "Endpoint", "Asset", "Report", "Workflow", "Graphics"]
_PRODUCT_B = ["Agent", "Manager", "Service", "Helper", "Tools", "Studio", "Viewer", "Editor", "Connector", "Driver",
              "Runtime", "Suite", "Console", "Center", "Assistant", "Monitor", "Launcher", "Framework"]
_ARCH = ["(x64)", "(x86)", "(64-bit)", "(32-bit)", "x64", "(ARM64)"]
_LANG = ["en-us", "de-de", "fr-fr", "ja-jp", "es-es", "pt-br", "zh-cn", "nl-nl"]
_MARKS = ["®", "™", "(R)", "(TM)", ""]

# (name, publisher, version pattern) rows of restricted products, as Windows and asset tools list them
RESTRICTED_ROWS = [
    ("Kaspersky Endpoint Security for Windows", "AO Kaspersky Lab", "12.{a}.0.{b}"),
    ("Kaspersky Security Center Network Agent", "AO Kaspersky Lab", "14.{a}.0.{b}"),
    ("Kaspersky Total Security", "Kaspersky", "21.{a}.{b}.0"),
    ("Kaspersky Small Office Security", "Kaspersky Lab", "21.{a}.{b}.0"),
    ("WeChat", "Tencent", "3.9.{a}.{b}"),
    ("微信", "腾讯科技(深圳)有限公司", "3.9.{a}.{b}"),
    ("QQ", "Tencent Technology (Shenzhen) Company Limited", "9.7.{a}.{b}"),
    ("TikTok", "TikTok Pte. Ltd.", "1.{a}.{b}"),
]


def _publishers(n: int = 200) -> list[tuple[str, str]]:
    """``n`` publishers: real large ones first, some not in ASCII, the rest fictional (publisher, brand)."""
    out = list(_REAL_PUBLISHERS) + list(_NON_ASCII_PUBLISHERS)
    k = 0
    while len(out) < n:
        a, b = _FICTIONAL_A[k % len(_FICTIONAL_A)], _FICTIONAL_B[(k // len(_FICTIONAL_A)) % len(_FICTIONAL_B)]
        form = _FORMS[k % len(_FORMS)]
        out.append((f"{a} {b} {form}".strip(), a))
        k += 1
    return out[:n]


def _title(rnd: random.Random, brand: str) -> str:
    """A product name as Programs and Features shows it: versions, architectures and languages in it."""
    mark = rnd.choice(_MARKS) if rnd.random() < 0.15 else ""
    base = f"{brand}{mark} {rnd.choice(_PRODUCT_A)} {rnd.choice(_PRODUCT_B)}"
    maj, mn, build = rnd.randrange(1, 30), rnd.randrange(0, 20), rnd.randrange(0, 100_000)
    style = rnd.randrange(6)
    if style == 0:
        return f"{base} {maj}.{mn}.{build}"
    if style == 1:
        return f"{base} {maj}.{mn} {rnd.choice(_ARCH)} - {rnd.choice(_LANG)} ({build})"
    if style == 2:
        return f"{base} {2015 + maj % 10}-{build} {rnd.choice(_ARCH)}"
    if style == 3:
        return f"{base} - {rnd.choice(_LANG)} {maj}.{mn}.{build}"
    if style == 4:
        return f"Update for {base} (KB{build + 5_000_000})"
    return f"{base} {maj}.{mn}.{build}.{rnd.randrange(100)}"


def _inventory_rows(rows: int, restricted: float, seed: int) -> Iterator[tuple[str, str, str]]:
    """(name, publisher, version) rows, almost all distinct."""
    rnd = random.Random(seed)
    publishers = _publishers()
    every = round(1 / restricted) if restricted else 0
    for i in range(rows):
        version = f"{rnd.randrange(1, 30)}.{rnd.randrange(0, 20)}.{rnd.randrange(0, 10_000)}"
        if every and i % every == every // 2:
            name, publisher, pattern = RESTRICTED_ROWS[(i // every) % len(RESTRICTED_ROWS)]
            yield name, publisher, pattern.format(a=rnd.randrange(10), b=rnd.randrange(10_000))
            continue
        # Real fleets: a few publishers make most rows (Microsoft above all), a long tail the rest.
        r = rnd.random()
        k = 0 if r < 0.2 else (rnd.randrange(1, 25) if r < 0.6 else rnd.randrange(25, len(publishers)))
        publisher, brand = publishers[k]
        yield _title(rnd, brand), publisher, version


def write_inventory_csv(path: Path, rows: int, *, restricted: float = 0.01, seed: int = 7) -> None:
    """A generic asset-management export merged from a fleet: device, name, publisher, version, date (column
    names of no one tool, so the generic CSV reader reads it: "DisplayName" beside "Publisher" is the
    Windows Uninstall export's header, which the Windows reader would take)."""
    rnd = random.Random(seed + 1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("Computer,Software,Manufacturer,Version,InstallDate\r\n")
        lines = []
        for i, (name, publisher, version) in enumerate(_inventory_rows(rows, restricted, seed)):
            date = f"20{rnd.randrange(18, 27)}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}"
            lines.append(f'WS-{i // 150:05d},"{name}","{publisher}",{version},{date}\r\n')
            if len(lines) >= 8192:
                fh.write("".join(lines))
                lines.clear()
        fh.write("".join(lines))


_UNINSTALL_HEADER = ('"PSComputerName","DisplayName","DisplayVersion","Publisher","InstallDate","InstallLocation",'
                     '"UninstallString","EstimatedSize","PSChildName"')


def write_uninstall_csv(path: Path, rows: int, *, restricted: float = 0.01, seed: int = 13) -> None:
    """``Get-ItemProperty ...\\Uninstall\\* | Select-Object ... | Export-Csv`` from many machines, merged.

    Windows PowerShell 5.1 writes the ``#TYPE`` line and quotes every value; each registry key is a
    GUID (MSI products) or a product name; about 2% of keys have no DisplayName (patches, leftovers).
    """
    rnd = random.Random(seed + 1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("#TYPE Selected.System.Management.Automation.PSCustomObject\r\n" + _UNINSTALL_HEADER + "\r\n")
        lines = []
        for i, (name, publisher, version) in enumerate(_inventory_rows(rows, restricted, seed)):
            guid = f"{{{_hex(rnd, 8).upper()}-{_hex(rnd, 4).upper()}-{_hex(rnd, 4).upper()}-{_hex(rnd, 4).upper()}-{_hex(rnd, 12).upper()}}}"
            if rnd.random() < 0.02:
                name = version = publisher = ""  # a key without DisplayName: not shown in Programs and Features
            msi = rnd.random() < 0.6
            folder = f"C:\\Program Files\\{publisher.split(' ')[0] or 'Common'}\\{name[:24].strip()}\\" if name and not msi else ""
            uninstall = f"MsiExec.exe /X{guid}" if msi else (f'"{folder}uninstall.exe"' if folder else "")
            key = guid if msi else (name[:40] or guid)
            date = f"20{rnd.randrange(18, 27)}{rnd.randrange(1, 13):02d}{rnd.randrange(1, 29):02d}" if name else ""
            size = str(rnd.randrange(100, 2_000_000)) if name else ""
            cells = [f"PC-{i // 150:05d}", name, version, publisher, date, folder, uninstall, size, key]
            lines.append(",".join('"' + c.replace('"', '""') + '"' for c in cells) + "\r\n")
            if len(lines) >= 8192:
                fh.write("".join(lines))
                lines.clear()
        fh.write("".join(lines))


def write_repeated_csv(path: Path, rows: int, seed: int = 7) -> None:
    """The earlier benchmark inventory: nine titles and three restricted ones repeated over every row."""
    rnd = random.Random(seed)
    titles = [
        ("Google Chrome", "Google LLC"), ("Microsoft Edge", "Microsoft Corporation"), ("7-Zip 23.01 (x64)", "Igor Pavlov"),
        ("Zoom Workplace", "Zoom Video Communications, Inc."), ("Adobe Acrobat (64-bit)", "Adobe"),
        ("Notepad++ (64-bit x64)", "Notepad++ Team"), ("Mozilla Firefox (x64 en-US)", "Mozilla"),
        ("Slack", "Slack Technologies Inc."), ("Python 3.12.4 (64-bit)", "Python Software Foundation"),
    ]  # fmt: skip
    restricted = [("Kaspersky Endpoint Security for Windows", "AO Kaspersky Lab"),
                  ("WeChat", "腾讯科技(深圳)有限公司"), ("TikTok", "TikTok Pte. Ltd.")]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("Computer,Software,Manufacturer,Version\r\n")
        for i in range(rows):
            name, maker = restricted[i % 3] if i % 100 == 11 else titles[i % len(titles)]
            fh.write(f"WS-{i // 120:05d},\"{name}\",\"{maker}\",{rnd.randrange(1, 30)}.{rnd.randrange(0, 9)}\r\n")


def describe(path: Path) -> dict[str, object]:
    """What a generated file holds, counted from the file itself (for the benchmark to print)."""
    import csv

    out: dict[str, object] = {"file": path.name, "bytes": path.stat().st_size}
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            first = fh.readline()
            if not first.startswith("#TYPE"):
                fh.seek(0)
            reader = csv.reader(fh)
            header = next(reader)
            i_name = next(i for i, h in enumerate(header) if h in ("DisplayName", "Software"))
            i_pub = next(i for i, h in enumerate(header) if h in ("Publisher", "Manufacturer"))
            names: set[str] = set()
            pubs: set[str] = set()
            rows = ascii_names = 0
            for row in reader:
                rows += 1
                names.add(row[i_name])
                pubs.add(row[i_pub])
                ascii_names += row[i_name].isascii()
        out.update(rows=rows, columns=len(header), distinct_names=len(names), publishers=len(pubs - {""}),
                   non_ascii_names=rows - ascii_names, type_line=first.startswith("#TYPE"))
    return out


# -- fleets and rule packs --------------------------------------------------------------------------------


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


def write_small_json(path: Path) -> None:
    """The 5-component SBOM of the start-up figure (4 libraries and one restricted application)."""
    comps = [{"type": "library", "name": f"lib{i}", "version": "1.0", "purl": f"pkg:pypi/lib{i}@1.0"} for i in range(4)]
    comps.append({"type": "application", "name": "Kaspersky Anti-Virus", "version": "21.3",
                  "supplier": {"name": "AO Kaspersky Lab"}})
    path.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": comps}))


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
