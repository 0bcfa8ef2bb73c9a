"""CycloneDX JSON components decoded straight into typed records by msgspec, for the usual document.

A parse into dicts (orjson) builds every member of every component, descriptions and licences
included, and the reader then probes a dozen keys per dict. msgspec decodes only the members that
carry identity, checks their JSON types in C while it parses and skips the rest unbuilt: for
100,000 components about 0.2 s instead of 0.55 s, and a fraction of the memory.

The typed records are strict: every field has the one JSON type the reader accepts without a
problem note. Anything else (a wrong type, a missing name, a non-string property name, a member no
CycloneDX schema defines, a repeated member, a byte order mark, UTF-16, invalid UTF-8, nesting deeper
than msgspec's limit, malformed JSON) makes ``read_typed`` return None and the reader parses the document with orjson as before, so every
error and problem message is the one ``component_from_dict`` gives. The ``metadata`` and ``services``
members are kept as raw JSON and read by that same code. Where msgspec and orjson judge valid
JSON differently the document is read either way (a number beyond the range of a float in a
member no reader looks at is accepted here, refused by orjson); nothing complycheck reads differs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import msgspec
import orjson
from msgspec import UNSET, UnsetType

from compliance.model import Component
from compliance.readers import mapped
from compliance.readers.base import MAX_FIELD_CHARS, Source, check_utf8
from compliance.readers.cyclonedx_json import IDENTIFIER_PROPERTIES
from compliance.readers.jsondup import may_repeat

# A string the reader keeps: no longer than bound_fields allows. A longer one fails the typed path and the
# orjson path reads the document, cutting it and noting the cut; so typed components need no measuring.
_Kept = Annotated[str, msgspec.Meta(max_length=MAX_FIELD_CHARS)]


# Every record is total: each member the CycloneDX 1.2-1.7 schemas define for its object is a field
# (those complycheck does not read are kept as raw JSON, ``_Rest``), and any other member fails the typed
# path (``forbid_unknown_fields``). So the records written back out (``omit_defaults``) hold every member
# of the document once, and a repeated member shows as a colon more in the raw text (``jsondup``).
_Rest = msgspec.Raw | UnsetType
_TOTAL: dict[str, Any] = {"forbid_unknown_fields": True, "omit_defaults": True}


class _Org(msgspec.Struct, **_TOTAL):
    """organizationalEntity (supplier, manufacturer) and organizationalContact (authors)."""

    name: _Kept | None = None
    url: _Rest = UNSET
    contact: _Rest = UNSET
    address: _Rest = UNSET
    email: _Rest = UNSET
    phone: _Rest = UNSET
    bom_ref: _Rest = msgspec.field(default=UNSET, name="bom-ref")


class _Swid(msgspec.Struct, **_TOTAL):
    tagId: _Kept | None = None  # noqa: N815 - the CycloneDX member name
    name: _Rest = UNSET
    version: _Rest = UNSET
    tagVersion: _Rest = UNSET  # noqa: N815
    patch: _Rest = UNSET
    text: _Rest = UNSET
    url: _Rest = UNSET


class _Property(msgspec.Struct, **_TOTAL):
    name: str
    # Kept as raw JSON: only identifier properties' values are read (tools write several properties per
    # component, and making a string of every value cost more than the rest of the component).
    value: msgspec.Raw = msgspec.Raw(b"null")


class _Component(msgspec.Struct, **_TOTAL):
    name: _Kept
    version: _Kept | None = None
    type: str | None = None
    supplier: _Org | None = None
    manufacturer: _Org | None = None
    publisher: _Kept | None = None
    author: _Kept | None = None
    authors: list[_Org | None] | None = None
    group: _Kept | None = None
    purl: _Kept | None = None
    cpe: _Kept | None = None
    swid: _Swid | None = None
    properties: list[_Property] | None = None
    bom_ref: str | None = msgspec.field(default=None, name="bom-ref")
    components: list[_Component] | None = None
    mime_type: _Rest = msgspec.field(default=UNSET, name="mime-type")
    description: _Rest = UNSET
    scope: _Rest = UNSET
    hashes: _Rest = UNSET
    licenses: _Rest = UNSET
    copyright: _Rest = UNSET
    omniborId: _Rest = UNSET  # noqa: N815
    swhid: _Rest = UNSET
    modified: _Rest = UNSET
    pedigree: _Rest = UNSET
    externalReferences: _Rest = UNSET  # noqa: N815
    evidence: _Rest = UNSET
    releaseNotes: _Rest = UNSET  # noqa: N815
    modelCard: _Rest = UNSET  # noqa: N815
    data: _Rest = UNSET
    cryptoProperties: _Rest = UNSET  # noqa: N815
    signature: _Rest = UNSET
    tags: _Rest = UNSET
    isExternal: _Rest = UNSET  # noqa: N815
    versionRange: _Rest = UNSET  # noqa: N815
    patentAssertions: _Rest = UNSET  # noqa: N815


_ABSENT = msgspec.Raw(b"null")  # a member left out reads as JSON null, as ``dict.get`` gives None


class _Bom(msgspec.Struct, **_TOTAL):
    bomFormat: Any = None  # noqa: N815 - checked by the reader, as for the orjson path
    specVersion: Any = None  # noqa: N815
    serialNumber: Any = None  # noqa: N815
    metadata: msgspec.Raw = _ABSENT  # raw JSON (msgspec.Raw takes no union with None): orjson parses it
    components: list[_Component] | None = None
    services: msgspec.Raw = _ABSENT
    schema: _Rest = msgspec.field(default=UNSET, name="$schema")
    version: _Rest = UNSET
    externalReferences: _Rest = UNSET  # noqa: N815
    dependencies: _Rest = UNSET
    compositions: _Rest = UNSET
    properties: _Rest = UNSET
    vulnerabilities: _Rest = UNSET
    annotations: _Rest = UNSET
    formulation: _Rest = UNSET
    declarations: _Rest = UNSET
    definitions: _Rest = UNSET
    citations: _Rest = UNSET
    signature: _Rest = UNSET


class _BomOfRaw(_Bom):
    """A large document: components kept as raw JSON and decoded one at a time (``_walk``)."""

    components: list[msgspec.Raw] | None = None  # type: ignore[assignment]


_DECODER = msgspec.json.Decoder(_Bom)
_RAW_DECODER = msgspec.json.Decoder(_BomOfRaw)
_COMPONENT = msgspec.json.Decoder(_Component)
# Above this size the components are decoded one at a time from raw JSON: all of a million components'
# typed records at once would take more memory than the input itself. Below it one pass is faster.
RAW_ABOVE = 256 * 1024 * 1024


class _NotTyped(Exception):
    """A value the typed records let through but the reader must judge itself (a property value)."""


def read_typed(
    source: Source, emit: Callable[[Component], None] | None = None
) -> tuple[dict[str, Any], list[Component]] | None:
    """The document's other members (``metadata`` and ``services`` parsed by orjson) and its
    components in ``walk_bom`` order, none with a field over ``MAX_FIELD_CHARS``, or None for
    anything the orjson path must judge. With ``emit``, each component goes to it as it is made and
    the list comes back empty."""
    data = source.data
    try:
        check_utf8(data)  # msgspec does not check the strings it skips
    except UnicodeDecodeError:
        return None
    raw_path = len(data) > RAW_ABOVE
    try:
        bom = (_RAW_DECODER if raw_path else _DECODER).decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None
    if raw_path:
        # Written back out whole, a million components would be another gigabyte: each is counted as
        # ``_walk`` decodes it, the rest here (the "components" member's own colon included).
        written = [msgspec.json.encode(msgspec.structs.replace(bom, components=None)).count(b":")
                   + (bom.components is not None)]
    elif may_repeat(data, msgspec.json.encode(bom).count(b":")):
        return None  # a member may be repeated: the orjson path reads every value (jsondup)
    mapped.release(data, len(data))  # the next pass reads the components' pages in again as it goes
    doc: dict[str, Any] = {"bomFormat": bom.bomFormat, "specVersion": bom.specVersion, "serialNumber": bom.serialNumber}
    try:
        doc["metadata"] = orjson.loads(memoryview(bom.metadata))  # orjson takes no other buffer type
        doc["services"] = orjson.loads(memoryview(bom.services))
    except (orjson.JSONDecodeError, RecursionError):
        return None
    out: list[Component] = []
    if bom.components is not None:
        try:
            _walk("/components", bom.components, out.append if emit is None else emit, data,
                  written if raw_path else None)
        except (_NotTyped, msgspec.DecodeError, msgspec.ValidationError, RecursionError):
            return None
    if raw_path and may_repeat(data, written[0]):
        return None  # a component may repeat a member: the orjson path reads every value (jsondup)
    return doc, out


def _walk(
    ptr: str, first: list[Any], emit: Callable[[Component], None], data: Any, written: list[int] | None = None
) -> None:
    """``_walk_items`` of the orjson path over typed records: each list's items, then their nested
    lists in order; each record is released as soon as its component is made. Items still raw JSON
    (a large document's) are decoded here, the colons of each written back out added to
    ``written[0]`` (``jsondup``), and the pages of the input they came from given back."""
    stack: list[tuple[str, list[Any]]] = [(ptr, first)]
    done = 0  # bytes of raw components decoded: the input's pages below are no longer needed
    while stack:
        base, items = stack.pop()
        children: list[tuple[str, list[_Component]]] = []
        for i in range(len(items)):
            c = items[i]
            items[i] = None
            if type(c) is msgspec.Raw:
                done += len(c)
                c = _COMPONENT.decode(c)
                if written is not None:
                    written[0] += msgspec.json.encode(c).count(b":")
                if not i & 0x3FFF:
                    mapped.release(data, done)
            where = f"{base}/{i}"
            emit(_component(c, where))
            if c.components is not None:
                children.append((f"{where}/components", c.components))
        stack.extend(reversed(children))


def _component(c: _Component, where: str) -> Component:
    """What ``component_from_dict`` makes of the same object when every field has its expected type."""
    vendor_fields: list[tuple[str, str]] = []
    identifiers: list[tuple[str, str, str]] = []
    org = c.supplier
    if org is not None and org.name is not None and org.name.strip():
        vendor_fields.append(("supplier.name", org.name))
    org = c.manufacturer
    if org is not None and org.name is not None and org.name.strip():
        vendor_fields.append(("manufacturer.name", org.name))
    if c.publisher is not None and c.publisher.strip():
        vendor_fields.append(("publisher", c.publisher))
    if c.author is not None and c.author.strip():
        vendor_fields.append(("author", c.author))
    if c.authors is not None:
        for a in c.authors:
            if a is not None and a.name is not None and a.name.strip():
                vendor_fields.append(("authors.name", a.name))
    if c.group is not None and c.group.strip():
        identifiers.append(("namespace", c.group, "group"))
    if c.purl:
        identifiers.append(("purl", c.purl, "purl"))
    if c.cpe:
        identifiers.append(("cpe", c.cpe, "cpe"))
    if c.swid is not None and c.swid.tagId:
        identifiers.append(("swid", c.swid.tagId, "swid.tagId"))
    if c.properties is not None:
        for prop in c.properties:
            kind = IDENTIFIER_PROPERTIES.get(prop.name)
            if kind is not None:
                value = msgspec.json.decode(prop.value)
                if value is None:
                    continue
                if type(value) is not str or len(value) > MAX_FIELD_CHARS:
                    raise _NotTyped  # the orjson path names the place of the wrong type, or cuts it
                if value:
                    identifiers.append((kind, value, f"properties.{prop.name}"))
    return Component(
        c.name, c.version or "", vendor_fields, identifiers, c.purl or "", c.bom_ref or "", where, c.type or ""
    )
