"""CycloneDX XML (spec 1.0 to 1.7), parsed with defusedxml.

A vendor's SBOM is untrusted input: any DTD is refused outright, which rules out external entities
and entity-expansion bombs before they are expanded.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from compliance.errors import InputError
from compliance.model import Component, Inventory
from compliance.readers.base import Source, paused_gc, subject_of
from compliance.readers.cyclonedx_json import IDENTIFIER_PROPERTIES, SUPPORTED_SPECS
from compliance.untrusted import quoted

_NS_RE = re.compile(r"^\{http://cyclonedx\.org/schema/bom/(\d+\.\d+)\}bom$")


def parse_xml(source: Source) -> Element:
    """Parse untrusted XML: no DTDs, no entities, no external references."""
    try:
        with paused_gc():
            return SafeET.fromstring(source.data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise InputError(source.path, "XML with a DTD (<!DOCTYPE>) is refused: SBOMs never need one") from None
    except defusedxml.EntitiesForbidden:
        raise InputError(source.path, "XML entity declarations are refused (entity-expansion protection)") from None
    except defusedxml.ExternalReferenceForbidden:
        raise InputError(source.path, "XML external references are refused") from None
    except ParseError as exc:
        line, col = getattr(exc, "position", (None, None))
        reason = str(exc).split(":")[0]
        if "no element found" in str(exc):
            reason = "truncated XML (no element found)"
        raise InputError(source.path, f"invalid XML ({reason})", where=f"line {line} column {col}") from None
    except ValueError as exc:  # e.g. an unsupported encoding declaration
        raise InputError(source.path, f"invalid XML ({exc})") from None


class _Walker:
    def __init__(self, path: str, ns: str) -> None:
        self.path = path
        self.q = lambda tag: f"{{{ns}}}{tag}"

    def text(self, el: Element, tag: str) -> str:
        child = el.find(self.q(tag))
        if child is None or child.text is None:
            return ""
        return child.text.strip()

    def org(self, el: Element | None, field: str, out: list[tuple[str, str]]) -> None:
        if el is None:
            return
        name = self.text(el, "name")
        if name:
            out.append((f"{field}.name", name))

    def component(self, el: Element, where: str, *, service: bool = False) -> Component:
        q = self.q
        name = self.text(el, "name")
        if not name and el.find(q("name")) is None:
            raise InputError(self.path, "component has no <name>", where=where)
        vendor_fields: list[tuple[str, str]] = []
        identifiers: list[tuple[str, str, str]] = []
        if service:
            self.org(el.find(q("provider")), "provider", vendor_fields)
        else:
            self.org(el.find(q("supplier")), "supplier", vendor_fields)
            self.org(el.find(q("manufacturer")), "manufacturer", vendor_fields)
        for tag in ("publisher", "author"):
            value = self.text(el, tag)
            if value:
                vendor_fields.append((tag, value))
        authors = el.find(q("authors"))
        if authors is not None:
            for a in authors.findall(q("author")):
                self.org(a, "authors", vendor_fields)
        group = self.text(el, "group")
        if group:
            identifiers.append(("namespace", group, "group"))
        purl = self.text(el, "purl")
        if purl:
            identifiers.append(("purl", purl, "purl"))
        cpe = self.text(el, "cpe")
        if cpe:
            identifiers.append(("cpe", cpe, "cpe"))
        swid = el.find(q("swid"))
        if swid is not None and swid.get("tagId"):
            identifiers.append(("swid", swid.get("tagId", ""), "swid.tagId"))
        props = el.find(q("properties"))
        if props is not None:
            for prop in props.findall(q("property")):
                kind = IDENTIFIER_PROPERTIES.get(prop.get("name", ""))
                if kind is not None and prop.text and prop.text.strip():
                    identifiers.append((kind, prop.text.strip(), f"properties.{prop.get('name')}"))
        return Component(
            name=name,
            version=self.text(el, "version"),
            vendor_fields=vendor_fields,
            identifiers=identifiers,
            purl=purl,
            bom_ref=el.get("bom-ref", ""),
            location=where,
            type="service" if service else el.get("type", ""),
        )

    def walk(self, container: Element | None, where: str, out: list[Component], *, service: bool) -> None:
        if container is None:
            return
        tag = "service" if service else "component"
        plural = "services" if service else "components"
        stack = [(container, where)]
        while stack:
            parent, base = stack.pop()
            children = []
            for i, el in enumerate(parent.findall(self.q(tag)), start=1):
                loc = f"{base}/{tag}[{i}]"
                out.append(self.component(el, loc, service=service))
                nested = el.find(self.q(plural))
                if nested is not None:
                    children.append((nested, f"{loc}/{plural}"))
            stack.extend(reversed(children))


class CycloneDXXMLReader:
    name: ClassVar[str] = "cyclonedx-xml"
    label: ClassVar[str] = "CycloneDX 1.0-1.7 XML"

    def sniff(self, source: Source) -> bool:
        head = source.head(4096).lstrip()
        return head.startswith("<") and "cyclonedx.org/schema/bom" in head

    def read(self, source: Source) -> Inventory:
        root = parse_xml(source)
        m = _NS_RE.match(root.tag)
        if not m:
            raise InputError(source.path, f"root element is {quoted(root.tag)}, expected a CycloneDX <bom>", where="line 1")
        spec = m.group(1)
        if spec not in SUPPORTED_SPECS:
            raise InputError(
                source.path,
                f"unsupported CycloneDX spec {spec} (supported: {', '.join(SUPPORTED_SPECS)})",
                where="/bom",
            )
        ns = f"http://cyclonedx.org/schema/bom/{spec}"
        w = _Walker(source.path, ns)
        q = w.q
        out: list[Component] = []
        serial = root.get("serialNumber")
        meta: dict[str, Any] = {"specVersion": spec, "serialNumber": serial if serial and serial.strip() else None}
        with paused_gc():
            metadata = root.find(q("metadata"))
            if metadata is not None:
                subject: list[tuple[str, str]] = []
                w.org(metadata.find(q("supplier")), "metadata.supplier", subject)
                w.org(metadata.find(q("manufacturer")), "metadata.manufacturer", subject)
                w.org(metadata.find(q("manufacture")), "metadata.manufacture", subject)
                mc = metadata.find(q("component"))
                if mc is not None:
                    comp = w.component(mc, "/bom/metadata/component")
                    comp.vendor_fields.extend(subject)
                    out.append(comp)
                    meta["subject"] = subject_of(comp)
                    w.walk(mc.find(q("components")), "/bom/metadata/component/components", out, service=False)
                elif subject:
                    out.append(Component(name="(SBOM subject)", vendor_fields=subject, location="/bom/metadata"))
            w.walk(root.find(q("components")), "/bom/components", out, service=False)
            w.walk(root.find(q("services")), "/bom/services", out, service=True)
        return Inventory(path=source.path, format=self.name, components=out, metadata=meta)
