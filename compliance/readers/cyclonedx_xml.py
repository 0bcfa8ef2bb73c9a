"""CycloneDX XML (spec 1.0 to 1.7), streamed from the C parser.

Parsing goes through ``xmlsafe`` (prolog checked, any DTD refused, so no entity can expand). Each
component is turned into a ``Component`` when its end tag is parsed and its elements are dropped at
once, so the reader holds components, not the document; nesting costs no recursion, and locations of
deeply nested components are parent-pointer chains (``Location``), not one full path string per level.
Output order and locations are those of the earlier whole-tree reader: each container's components,
then (depth first) the containers nested in them.

With a sink (``Source.sink``, set by a scan) nothing is kept: the metadata component goes to it when
<metadata> ends, each top-level component or service when it ends, and the nested ones (one in fifty,
held until then) when their top-level container ends, in the order above for a document in the
schema's order (metadata, components, services).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar
from xml.etree.ElementTree import Element

from compliance.errors import InputError
from compliance.model import Component, Inventory, Location
from compliance.readers.base import Source, longest_field, paused_gc, subject_of
from compliance.readers.cyclonedx_json import IDENTIFIER_PROPERTIES, SUPPORTED_SPECS
from compliance.readers.xmlsafe import xml_event_batches
from compliance.untrusted import quoted

_NS_RE = re.compile(r"^\{http://cyclonedx\.org/schema/bom/(\d+\.\d+)\}bom$")
# Locations up to this length stay plain strings; deeper ones become Location chains.
_MAX_PLAIN_LOCATION = 256


class _Walker:
    """Turns one finished <component>/<service> element into a ``Component`` (one pass over its children)."""

    def __init__(self, path: str, ns: str) -> None:
        self.path = path
        self.ns = ns
        self.q = lambda tag: f"{{{ns}}}{tag}"
        self.tags = {self.q(t): t for t in _FIELDS}
        self.name_tag = self.q("name")
        self.author_tag = self.q("author")
        self.property_tag = self.q("property")
        # Off-spec fields read past without hiding who made a component, as in the JSON reader.
        self.problems: list[str] = []
        self.longest = 0  # of any component's bounded fields (``compliance.readers.base.longest_field``)
        self.measuring = True  # not when a sink takes the components: it measures them itself

    def org(self, el: Element | None, label: str, out: list[tuple[str, str]]) -> None:
        """An organisation's ``<name>`` as the vendor field ``label`` (``supplier.name``...)."""
        if el is None:
            return
        child = el.find(self.name_tag)
        name = (child.text or "").strip() if child is not None else ""
        if name:
            out.append((label, name))

    def component(self, el: Element, where: str | Location, *, service: bool = False) -> Component:
        # The first child element of each known field name (what ``el.find(tag)`` would return),
        # found in one pass over the children. Runs once per component: each field is then looked
        # up only when present (``in f``), written out field by field; a loop over the field names
        # cost about 3,000 instructions per component (2% of reading a large SBOM, callgrind).
        tags = self.tags
        f: dict[str, Element] = {}
        for child in el:
            t = tags.get(child.tag)
            if t is not None and t not in f:
                f[t] = child
        if "name" in f:
            name = (f["name"].text or "").strip()
        else:
            # A missing name hides no vendor: record it and read the component (as the JSON reader does).
            self.problems.append(f"{where}: {'service' if service else 'component'} has no name; read as '(unnamed)'")
            name = "(unnamed)"
        vendor_fields: list[tuple[str, str]] = []
        identifiers: list[tuple[str, str, str]] = []
        if service:
            if "provider" in f:
                self.org(f["provider"], "provider.name", vendor_fields)
        else:
            if "supplier" in f:
                self.org(f["supplier"], "supplier.name", vendor_fields)
            if "manufacturer" in f:
                self.org(f["manufacturer"], "manufacturer.name", vendor_fields)
        if "publisher" in f:
            value = (f["publisher"].text or "").strip()
            if value:
                vendor_fields.append(("publisher", value))
        if "author" in f:
            value = (f["author"].text or "").strip()
            if value:
                vendor_fields.append(("author", value))
        if "authors" in f:
            for a in f["authors"].iterfind(self.author_tag):
                self.org(a, "authors.name", vendor_fields)
        if "group" in f:
            value = (f["group"].text or "").strip()
            if value:
                identifiers.append(("namespace", value, "group"))
        purl = ""
        if "purl" in f:
            purl = (f["purl"].text or "").strip()
            if purl:
                identifiers.append(("purl", purl, "purl"))
        if "cpe" in f:
            value = (f["cpe"].text or "").strip()
            if value:
                identifiers.append(("cpe", value, "cpe"))
        if "swid" in f:
            tag_id = f["swid"].get("tagId")
            if tag_id:
                identifiers.append(("swid", tag_id, "swid.tagId"))
        if "properties" in f:
            for prop in f["properties"].iterfind(self.property_tag):
                kind = IDENTIFIER_PROPERTIES.get(prop.get("name", ""))
                if kind is not None and prop.text and prop.text.strip():
                    identifiers.append((kind, prop.text.strip(), f"properties.{prop.get('name')}"))
        comp = Component(
            name,
            (f["version"].text or "").strip() if "version" in f else "",
            vendor_fields,
            identifiers,
            purl,
            el.get("bom-ref", ""),
            where,
            "service" if service else el.get("type", ""),
        )
        if self.measuring:
            self.measure(comp)
        return comp

    def measure(self, comp: Component) -> None:
        """Keep the longest field for ``bound_fields``, measured while the component is fresh in the
        cache: components are made far apart in memory, between the parser's elements, and a later
        pass over 100,000 of them costs about 0.2 s."""
        n = longest_field(comp)
        if n > self.longest:
            self.longest = n


_FIELDS = (
    "name", "version", "provider", "supplier", "manufacturer", "publisher", "author", "authors", "group",
    "purl", "cpe", "swid", "properties",
)  # fmt: skip


Block = list[tuple["Component | None", "Block | None"]]


@dataclass
class _Container:
    """An open <components>/<services> element: its items so far, in order."""

    item_tag: str
    service: bool
    base: str | Location
    items: Block = field(default_factory=list)
    count: int = 0
    step: str = ""
    # A top-level container whose components go to the source's sink as they end (their nested
    # containers follow when it ends): ``walk order`` then holds, as everything before it is handed on.
    emit: Callable[[Component], None] | None = None

    def __post_init__(self) -> None:
        self.step = "/service[%d]" if self.service else "/component[%d]"


_DOCUMENT = object()  # the parent of the root element
_ROOT = object()  # the role of the <bom> element


@dataclass
class _Item:
    """An open <component>/<service> that will become a Component at its end tag."""

    container: _Container | None  # None for the metadata component
    location: str | Location
    nested: _Container | None = None
    seen_nested: bool = False


@dataclass
class _Metadata:
    item: _Item | None = None
    component: Component | None = None
    nested: Block | None = None
    handed: bool = False  # given to the sink already


def _flatten(blocks: list[Block], emit: Callable[[Component], None]) -> None:
    """Each container's components, then the containers nested in them, depth first (a component
    already handed on, None here, leaves only its nested container)."""
    stack = list(reversed(blocks))
    while stack:
        block = stack.pop()
        children = []
        for comp, nested in block:
            if comp is not None:
                emit(comp)
            if nested is not None:
                children.append(nested)
        stack.extend(reversed(children))


def _child_location(parent: str | Location, step: str) -> str | Location:
    if type(parent) is str and len(parent) < _MAX_PLAIN_LOCATION:
        return parent + step
    return Location(parent, step)


class CycloneDXXMLReader:
    name: ClassVar[str] = "cyclonedx-xml"
    label: ClassVar[str] = "CycloneDX 1.0-1.7 XML"

    def sniff(self, source: Source) -> bool:
        head = source.head(4096).lstrip()
        return head.startswith("<") and "cyclonedx.org/schema/bom" in head

    def read(self, source: Source) -> Inventory:
        with paused_gc():
            return self._read(source)

    def _read(self, source: Source) -> Inventory:
        path = source.path
        # Open elements and what each is (None: a field, or something this reader ignores). The
        # parser runs up to a chunk ahead of these events, so a finished element is removed from its
        # parent by identity; its earlier siblings are gone already, so it is found first.
        stack: list[Element] = []
        roles: list[object] = [_DOCUMENT]
        kept = 0  # open items/metadata: their subtrees are kept until their end tag
        w: _Walker | None = None
        q_components = q_services = q_component = q_service = q_metadata = ""
        spec = ""
        serial: str | None = None
        root_blocks: dict[str, Block | None] = {}  # None: handed to the sink already
        metadata: _Metadata | None = None
        sink = source.sink
        push, pop = stack.append, stack.pop
        push_role, pop_role = roles.append, roles.pop
        # Inside a kept item or the metadata, an element with no role (a field) and its subtree need
        # no bookkeeping: the item reads them when it ends. ``skip`` counts that subtree's open elements.
        skip = 0
        for batch in xml_event_batches(source):
            for event, el in batch:  # the parser's queue, read in place and cleared below
                if event == "start":
                    if skip:
                        skip += 1
                        continue
                    parent_role = roles[-1]
                    if parent_role is None:  # ignored, outside any item: removed when it ends
                        push(el)
                        push_role(None)
                        continue
                    role: object = None
                    ptype = type(parent_role)
                    if ptype is _Container:
                        if el.tag == parent_role.item_tag:  # type: ignore[attr-defined]
                            parent_role.count += 1  # type: ignore[attr-defined]
                            role = _Item(
                                parent_role,  # type: ignore[arg-type]
                                _child_location(parent_role.base, parent_role.step % parent_role.count),  # type: ignore[attr-defined]
                            )
                            kept += 1
                    elif ptype is _Item:
                        item: _Item = parent_role  # type: ignore[assignment]
                        service = item.container is not None and item.container.service
                        if not item.seen_nested and el.tag == (q_services if service else q_components):
                            item.seen_nested = True
                            role = item.nested = _Container(
                                q_service if service else q_component,
                                service,
                                _child_location(item.location, "/services" if service else "/components"),
                            )
                    elif parent_role is _ROOT:
                        tag = el.tag
                        if tag in (q_components, q_services) and tag not in root_blocks:
                            service = tag == q_services
                            container = _Container(
                                q_service if service else q_component, service, "/bom/services" if service else "/bom/components"
                            )
                            root_blocks[tag] = container.items
                            # Stream it when everything walk order puts first is handed on already.
                            if sink is not None and (metadata is None or metadata.handed) and not any(
                                b is not None for b in root_blocks.values() if b is not container.items
                            ):
                                container.emit = sink
                            role = container
                        elif tag == q_metadata and metadata is None:
                            role = metadata = _Metadata()
                            kept += 1
                    elif ptype is _Metadata:
                        meta: _Metadata = parent_role  # type: ignore[assignment]
                        if el.tag == q_component and meta.item is None:
                            role = meta.item = _Item(None, "/bom/metadata/component")
                            kept += 1
                    elif parent_role is _DOCUMENT:
                        spec = self._check_root(path, el)
                        w = _Walker(path, f"http://cyclonedx.org/schema/bom/{spec}")
                        w.measuring = sink is None
                        q_components, q_services = w.q("components"), w.q("services")
                        q_component, q_service, q_metadata = w.q("component"), w.q("service"), w.q("metadata")
                        serial = el.get("serialNumber")
                        role = _ROOT
                    if role is None and kept:
                        skip = 1
                        continue
                    push(el)
                    push_role(role)
                    continue
                if skip:
                    skip -= 1
                    continue
                role = pop_role()
                pop()
                if role is None:
                    if not kept and stack:
                        stack[-1].remove(el)  # outside any component: not needed
                    continue
                assert w is not None
                rtype = type(role)
                if rtype is _Item:
                    kept -= 1
                    item = role  # type: ignore[assignment]
                    container = item.container
                    comp = w.component(el, item.location, service=container is not None and container.service)
                    nested = item.nested.items if item.nested is not None else None
                    if container is None:
                        assert metadata is not None
                        metadata.component, metadata.nested = comp, nested
                    elif container.emit is not None:
                        container.emit(comp)
                        if nested is not None:
                            container.items.append((None, nested))
                    else:
                        container.items.append((comp, nested))
                    stack[-1].remove(el)  # the component is read: drop its elements
                elif rtype is _Metadata:
                    kept -= 1
                    meta = role  # type: ignore[assignment]
                    subject: list[tuple[str, str]] = []
                    w.org(el.find(w.q("supplier")), "metadata.supplier.name", subject)
                    w.org(el.find(w.q("manufacturer")), "metadata.manufacturer.name", subject)
                    w.org(el.find(w.q("manufacture")), "metadata.manufacture.name", subject)
                    if meta.component is not None:
                        meta.component.vendor_fields.extend(subject)
                    elif subject:
                        meta.component = Component(name="(SBOM subject)", vendor_fields=subject, location="/bom/metadata")
                    if sink is not None and not root_blocks:  # walk order puts it first: hand it on now
                        if meta.component is not None:
                            _flatten([[(meta.component, meta.nested)]], sink)
                        meta.handed = True
                    elif meta.component is not None:
                        w.measure(meta.component)
                    stack[-1].remove(el)
                elif rtype is _Container and stack:
                    if role.emit is not None:  # type: ignore[attr-defined]
                        _flatten([role.items], role.emit)  # type: ignore[attr-defined]
                        role.items.clear()  # type: ignore[attr-defined]
                        root_blocks[el.tag] = None
                    stack[-1].remove(el)
            batch.clear()
        out: list[Component] = []
        emit = out.append if sink is None else sink
        if metadata is not None and metadata.component is not None and not metadata.handed:
            _flatten([[(metadata.component, metadata.nested)]], emit)
        _flatten([root_blocks.get(q_components) or [], root_blocks.get(q_services) or []], emit)
        meta: dict[str, Any] = {"specVersion": spec, "serialNumber": serial if serial and serial.strip() else None}
        if metadata is not None and metadata.item is not None and metadata.component is not None:
            meta["subject"] = subject_of(metadata.component)
        return Inventory(
            path=path, format=self.name, components=out if sink is None else sink, metadata=meta,
            problems=w.problems if w else [], longest_field=w.longest if w else 0,
        )

    @staticmethod
    def _check_root(path: str, root: Element) -> str:
        m = _NS_RE.match(root.tag)
        if not m:
            raise InputError(path, f"root element is {quoted(root.tag)}, expected a CycloneDX <bom>", where="line 1")
        spec = m.group(1)
        if spec not in SUPPORTED_SPECS:
            raise InputError(
                path, f"unsupported CycloneDX spec {spec} (supported: {', '.join(SUPPORTED_SPECS)})", where="/bom"
            )
        return spec
