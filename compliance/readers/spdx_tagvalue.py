"""SPDX 2.x tag-value (``.spdx``), read line by line.

Shape confirmed against spdx/spdx-spec ``examples/SPDXTagExample-v2.3.spdx`` and the package chapter:
``SPDXVersion: SPDX-2.3``; a package section starts at ``PackageName:`` and ends at the next
``PackageName:``, ``FileName:``, ``SnippetSPDXID:`` or ``LicenseID:``; ``PackageVersion:``,
``PackageSupplier:``/``PackageOriginator:`` (``Organization: NAME (email)``, ``Person: ...`` or
``NOASSERTION``) and ``ExternalRef: CATEGORY TYPE LOCATOR`` (e.g. ``PACKAGE-MANAGER purl pkg:...``,
``SECURITY cpe23Type cpe:2.3:...``). Any value may be a ``<text>...</text>`` block spanning lines;
those lines are values, never tags, and an unterminated block is an error at the line it opened.
"""

from __future__ import annotations

import re
from typing import ClassVar

from compliance.errors import InputError
from compliance.model import Component, Inventory
from compliance.readers.base import Source
from compliance.readers.spdx_json import REF_KINDS, parse_agent
from compliance.untrusted import quoted

_TAG = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)\s*:\s?(.*)$")
_SECTION_ENDS = frozenset(["FileName", "SnippetSPDXID", "LicenseID"])


def iter_tags(path: str, text: str):  # type: ignore[no-untyped-def]
    """``(line_number, tag, value)`` for every tag, with ``<text>`` blocks joined into one value."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        n = i + 1
        i += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _TAG.match(stripped)
        if not m:
            raise InputError(path, f"expected 'Tag: value', found {stripped[:60]!r}", where=f"line {n}")
        tag, value = m.group(1), m.group(2)
        if value.lstrip().startswith("<text>") and "</text>" not in value:
            parts = [value]
            while i < len(lines) and "</text>" not in lines[i]:
                parts.append(lines[i])
                i += 1
            if i >= len(lines):
                raise InputError(path, f"<text> block of {tag} is never closed with </text>", where=f"line {n}")
            parts.append(lines[i])
            i += 1
            value = "\n".join(parts)
        if value.lstrip().startswith("<text>"):
            value = value.strip()[len("<text>") :].rsplit("</text>", 1)[0]
        yield n, tag, value.strip()


class SPDXTagValueReader:
    name: ClassVar[str] = "spdx-tag-value"
    label: ClassVar[str] = "SPDX 2.x tag-value"

    def sniff(self, source: Source) -> bool:
        for line in source.head(4096).splitlines()[:50]:
            s = line.strip().lstrip("\ufeff")
            if s.startswith("SPDXVersion:"):
                return True
            if s and not s.startswith("#") and not _TAG.match(s):
                return False
        return False

    def read(self, source: Source) -> Inventory:
        path = source.path
        components: list[Component] = []
        current: Component | None = None
        version: str | None = None
        problems: list[str] = []
        for n, tag, value in iter_tags(path, source.text.lstrip("\ufeff")):
            if tag == "SPDXVersion":
                if not value.startswith("SPDX-"):
                    raise InputError(path, f"SPDXVersion {quoted(value)} is not SPDX-2.x", where=f"line {n}")
                if not value.startswith("SPDX-2."):
                    raise InputError(path, f"unsupported SPDXVersion {quoted(value)} in tag-value (supported: SPDX-2.x)", where=f"line {n}")
                version = value
            elif tag == "PackageName":
                if not value:
                    # Its supplier, originator and references still follow: read them, say so.
                    problems.append(f"line {n}: PackageName is empty; read as '(unnamed)'")
                current = Component(name=value or "(unnamed)", location=f"line {n}")
                components.append(current)
            elif tag in _SECTION_ENDS:
                current = None
            elif current is None:
                continue
            elif tag == "PackageVersion":
                current.version = value
            elif tag == "SPDXID":
                current.bom_ref = value
            elif tag in ("PackageSupplier", "PackageOriginator"):
                agent = parse_agent(value)
                if agent:
                    field = "supplier" if tag == "PackageSupplier" else "originator"
                    current.vendor_fields.append((field, agent))
            elif tag == "ExternalRef":
                parts = value.split(None, 2)
                if len(parts) != 3:
                    raise InputError(path, "ExternalRef needs 'CATEGORY TYPE LOCATOR'", where=f"line {n}")
                kind = REF_KINDS.get(parts[1])
                if kind:
                    current.identifiers.append((kind, parts[2].strip(), f"ExternalRef.{parts[1]}"))
                    if kind == "purl" and not current.purl:
                        current.purl = parts[2].strip()
            elif tag == "PrimaryPackagePurpose":
                current.type = value.lower()
        if version is None:
            raise InputError(path, "no SPDXVersion tag: not an SPDX tag-value document", where="line 1")
        return Inventory(
            path=path, format=self.name, components=components, metadata={"spdxVersion": version}, problems=problems
        )
