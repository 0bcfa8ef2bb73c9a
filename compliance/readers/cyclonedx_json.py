"""CycloneDX JSON (spec 1.2 to 1.7, and 1.0/1.1 documents written as JSON), read directly and linearly.

cyclonedx-python-lib's ``Bom.from_json`` grows faster than linearly (about 17 s for 10,000
components on a 2-core machine), so the scan path walks the parsed document itself with an explicit
stack: nested components at any depth cost the same as flat ones and cannot overflow recursion.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import orjson

from compliance.errors import InputError
from compliance.model import Component, Inventory
from compliance.readers.base import (
    Source,
    expect_list,
    expect_object,
    expect_str,
    longest_field,
    paused_gc,
    subject_of,
    type_name,
)
from compliance.readers.base import decode as decode_text
from compliance.readers.jsondup import every_value
from compliance.untrusted import quoted

# One table for JSON and XML. 1.0 and 1.1 were published for XML only, but real 1.1 SBOMs exist and
# their components carry the same vendor-bearing fields (publisher, group, purl, cpe) as later ones.
SUPPORTED_SPECS = ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7")

# Component properties that carry identifiers CycloneDX has no field for (``complycheck collect``
# writes them; so can any producer).
IDENTIFIER_PROPERTIES = {
    "complycheck:apple:team_id": "team_id",
    "complycheck:apple:bundle_id": "bundle",
    "complycheck:android:package": "android",
    "complycheck:winget:id": "winget",
}


def parse_json(source: Source) -> Any:
    """Parse JSON with orjson, with the garbage collector paused while millions of objects appear."""
    data: bytes | memoryview | str = source.data if type(source.data) is bytes else memoryview(source.data)
    if source.data[:3] == b"\xef\xbb\xbf":
        data = memoryview(source.data)[3:]  # no copy of the whole input
    elif source.data[:2] in (b"\xff\xfe", b"\xfe\xff") or (
        len(source.data) > 1 and (source.data[0] == 0 or source.data[1] == 0)
    ):
        data = source.text  # orjson reads the text itself: no second, UTF-8 copy
    try:
        with paused_gc():
            doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}" if getattr(exc, "lineno", None) else None
        reason = str(exc.msg) if getattr(exc, "msg", None) else str(exc)
        if "utf-8" in reason.lower() or "utf8" in reason.lower():
            raise InputError(source.path, f"not valid UTF-8 JSON text ({reason})", where=f"byte {exc.pos}") from None
        truncated = exc.pos >= len((bytes(data) if isinstance(data, memoryview) else data).rstrip())
        reason = f"truncated JSON ({reason})" if truncated else f"invalid JSON ({reason})"
        raise InputError(source.path, reason, where=where) from None
    if isinstance(doc, (dict, list)):
        doc = _with_every_value(source, data, doc)
    return doc


def _with_every_value(source: Source, data: bytes | memoryview | str, doc: Any) -> Any:
    """``doc``, or, when it may repeat a member name, the same document parsed exactly with its repeats
    kept on ``source.duplicates`` (``compliance.readers.jsondup``)."""
    from compliance.readers.jsondup import may_repeat, parse_exact

    if not may_repeat(data, orjson.dumps(doc).count(b":")):  # a mapped file's view is counted in place
        return doc
    with paused_gc():
        exact, dups = parse_exact(bytes(data) if isinstance(data, memoryview) else data)
    if dups:
        source.duplicates = dups
    return exact


def _looks_like_cyclonedx(source: Source) -> bool:
    head = source.head(4096)
    if not head.lstrip().startswith("{"):
        return False
    if '"bomFormat"' in head or "cyclonedx.org/schema/bom" in head:
        return True
    tail = source.data[-4096:]
    return b'"bomFormat"' in tail and b"CycloneDX" in tail


def _org_name(path: str, ptr: str, value: Any, field: str, out: list[tuple[str, str]]) -> None:
    """An organizationalEntity ({"name": ...}); its name is a vendor-bearing string."""
    if value is None:
        return
    expect_object(path, ptr, value)
    name = value.get("name")
    if name is None:
        return
    if not isinstance(name, str):
        raise InputError(path, f"expected a string, found {type_name(name)}", where=f"{ptr}/name")
    if name.strip():
        out.append((f"{field}.name", name))


def component_from_dict(
    path: str, ptr: str, obj: Any, problems: list[str], *, service: bool = False
) -> Component:
    """One CycloneDX component or service object, with every vendor-bearing field it carries.

    Per field: a vendor-bearing value of the wrong type could hide who made the component, so it is
    an ``InputError``; an off-spec field that hides nothing (no name, ``authors`` as one string, a
    version written as a number, a property name that is not a string) is appended to ``problems``.
    This runs once per component on the scan path: plain dict probes, no per-field helper calls
    unless a field is present.
    """
    if type(obj) is not dict:
        raise InputError(path, f"expected a component object, found {type_name(obj)}", where=ptr)
    get = obj.get
    name = get("name")
    if type(name) is not str:
        if name is not None:
            raise InputError(path, f"expected a string, found {type_name(name)}", where=f"{ptr}/name")
        problems.append(f"{ptr}: {'service' if service else 'component'} has no name; read as '(unnamed)'")
        name = "(unnamed)"
    version = get("version")
    if version is not None and type(version) is not str:
        problems.append(f"{ptr}/version: expected a string, found {type_name(version)}; version ignored")
        version = str(version) if type(version) in (int, float) else ""
    vendor_fields: list[tuple[str, str]] = []
    identifiers: list[tuple[str, str, str]] = []

    for key in ("provider",) if service else ("supplier", "manufacturer"):
        org = get(key)
        if org is not None:
            if type(org) is dict and type(org.get("name")) is str:
                if org["name"].strip():
                    vendor_fields.append((f"{key}.name", org["name"]))
            else:
                _org_name(path, f"{ptr}/{key}", org, key, vendor_fields)
    publisher = get("publisher")
    if publisher is not None and expect_str(path, f"{ptr}/publisher", publisher).strip():
        vendor_fields.append(("publisher", publisher))
    author = get("author")
    if author is not None and expect_str(path, f"{ptr}/author", author).strip():
        vendor_fields.append(("author", author))
    authors = get("authors")
    if authors is not None:
        if type(authors) is str:
            problems.append(f"{ptr}/authors: expected an array, found a string; read as one author's name")
            if authors.strip():
                vendor_fields.append(("authors", authors))
        elif type(authors) is not list:
            raise InputError(path, f"expected an array, found {type_name(authors)}", where=f"{ptr}/authors")
        else:
            for i, a in enumerate(authors):
                _org_name(path, f"{ptr}/authors/{i}", a, "authors", vendor_fields)
    group = get("group")
    if group is not None and expect_str(path, f"{ptr}/group", group).strip():
        identifiers.append(("namespace", group, "group"))
    purl = get("purl")
    if purl is not None and expect_str(path, f"{ptr}/purl", purl):
        identifiers.append(("purl", purl, "purl"))
    cpe = get("cpe")
    if cpe is not None and expect_str(path, f"{ptr}/cpe", cpe):
        identifiers.append(("cpe", cpe, "cpe"))
    swid = get("swid")
    if swid is not None:
        if type(swid) is not dict:
            raise InputError(path, f"expected an object, found {type_name(swid)}", where=f"{ptr}/swid")
        tag = expect_str(path, f"{ptr}/swid/tagId", swid.get("tagId"))
        if tag:
            identifiers.append(("swid", tag, "swid.tagId"))
    props = get("properties")
    if props is not None:
        if type(props) is not list:
            raise InputError(path, f"expected an array, found {type_name(props)}", where=f"{ptr}/properties")
        for i, prop in enumerate(props):
            if type(prop) is not dict:
                raise InputError(path, f"expected an object, found {type_name(prop)}", where=f"{ptr}/properties/{i}")
            pname = prop.get("name")
            if type(pname) is not str:
                problems.append(
                    f"{ptr}/properties/{i}/name: expected a string, found {type_name(pname)}; property ignored"
                )
                continue
            kind = IDENTIFIER_PROPERTIES.get(pname)
            if kind is not None:
                value = expect_str(path, f"{ptr}/properties/{i}/value", prop.get("value"))
                if value:
                    identifiers.append((kind, value, f"properties.{prop['name']}"))
    bom_ref = get("bom-ref")
    if bom_ref is not None and type(bom_ref) is not str:
        problems.append(f"{ptr}/bom-ref: expected a string, found {type_name(bom_ref)}; bom-ref ignored")
        bom_ref = ""
    ctype = get("type")
    return Component(
        name,
        version or "",
        vendor_fields,
        identifiers,
        purl or "",
        bom_ref or "",
        ptr,
        "service" if service else (ctype if type(ctype) is str else ""),
    )


def walk_bom(
    path: str, doc: dict[str, Any], problems: list[str], meta: dict[str, Any] | None = None, dups: Any = None
) -> list[Component]:
    """Components (at any depth), services (at any depth) and the metadata subject, in document order.

    The component lists of ``doc`` are consumed (emptied as they are read) to keep memory down.

    ``meta`` receives ``subject`` (name, version, supplier of ``metadata.component``) when there is one.
    ``dups``: the document's repeated members (``jsondup``); every value of each is read as evidence.
    """
    out: list[Component] = []
    metadata = doc.get("metadata")
    if metadata is not None:
        expect_object(path, "/metadata", metadata)
        subject_vendors: list[tuple[str, str]] = []
        _org_name(path, "/metadata/supplier", metadata.get("supplier"), "metadata.supplier", subject_vendors)
        _org_name(path, "/metadata/manufacturer", metadata.get("manufacturer"), "metadata.manufacturer", subject_vendors)
        _org_name(path, "/metadata/manufacture", metadata.get("manufacture"), "metadata.manufacture", subject_vendors)
        if dups:  # a repeated supplier of the document itself: every value is a subject vendor
            subject_vendors = _metadata_vendors(path, metadata, dups, subject_vendors)
        mc = metadata.get("component")
        if mc is not None:
            found = every_value(dups, mc, lambda c: component_from_dict(path, "/metadata/component", c, problems), _NESTED)
            comp = found[0]
            comp.vendor_fields.extend(subject_vendors)
            out.extend(found)
            if meta is not None:
                meta["subject"] = subject_of(comp)
            nested = mc.get("components")
            if nested is not None:
                _walk_list(path, "/metadata/component/components", nested, out, problems, service=False, dups=dups)
        elif subject_vendors:
            out.append(Component(name="(SBOM subject)", vendor_fields=subject_vendors, location="/metadata"))
    comps = doc.get("components")
    if comps is not None:
        _walk_list(path, "/components", comps, out, problems, service=False, dups=dups)
    services = doc.get("services")
    if services is not None:
        _walk_list(path, "/services", services, out, problems, service=True, dups=dups)
    return out


# Members of a component read as components of their own: a repeat inside them is theirs.
_NESTED = frozenset(("components", "services"))


def _metadata_vendors(
    path: str, metadata: dict[str, Any], dups: Any, found: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The document's supplier and manufacturer names from every value of a repeated member."""
    out = list(found)
    subject = Component(name="(SBOM subject)")

    def build(meta: Any) -> Component:
        vendors: list[tuple[str, str]] = []
        for key in ("supplier", "manufacturer", "manufacture"):
            _org_name(path, f"/metadata/{key}", meta.get(key), f"metadata.{key}", vendors)
        return Component(name=subject.name, vendor_fields=vendors)

    for comp in every_value(dups, metadata, build, frozenset(("component",))):
        out.extend(v for v in comp.vendor_fields if v not in out)
    return out


def _walk_list(
    path: str, ptr: str, items: Any, out: list[Component], problems: list[str], *, service: bool, dups: Any = None
) -> None:
    """Walk one list and its nested lists, releasing each parsed object as soon as it is read.

    Each slot of the parsed list is emptied once its component is built, so the parsed document
    shrinks while the components grow: the peak is the document, not the document plus the components.
    """
    expect_list(path, ptr, items)
    _walk_items(path, ptr, _taken(items), out, problems, service=service, dups=dups)


def _taken(seq: list[Any]) -> Iterator[tuple[int, Any]]:
    for i in range(len(seq)):
        obj = seq[i]
        seq[i] = None
        yield i, obj


def _walk_items(
    path: str,
    ptr: str,
    first: Iterable[tuple[int, Any]],
    out: list[Component],
    problems: list[str],
    *,
    service: bool,
    dups: Any = None,
) -> None:
    """``first`` is the top list's (index, object) pairs; nested lists follow, each list's items first."""
    key = "services" if service else "components"
    stack: list[tuple[str, Any]] = [(ptr, first)]
    append = out.append
    while stack:
        base, pairs = stack.pop()
        if pairs is not first:
            pairs = _taken(expect_list(path, base, pairs))
        children: list[tuple[str, Any]] = []
        for i, obj in pairs:
            where = f"{base}/{i}"
            if dups:
                out.extend(every_value(
                    dups, obj, lambda o, w=where: component_from_dict(path, w, o, problems, service=service), _NESTED
                ))
            else:
                append(component_from_dict(path, where, obj, problems, service=service))
            nested = obj.get(key)
            if nested is not None:
                children.append((f"{where}/{key}", nested))
        stack.extend(reversed(children))


# -- large documents: one top-level component at a time -----------------------------------------

# Above this the typed (msgspec) path is tried first; below it importing msgspec (about 8 ms) costs
# more than it saves (about 2.5 microseconds per component).
TYPED_ABOVE = 1024 * 1024  # bytes
STREAM_ABOVE = 64 * 1024 * 1024  # bytes; smaller documents are parsed whole by orjson (faster)
_WS = re.compile(r"[ \t\n\r]*")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_INT64 = (-(2**63), 2**64 - 1)


class _Fallback(Exception):
    """The streaming parser met something to be judged exactly as orjson judges it."""


def _int(text: str) -> int:
    value = int(text)
    if not _INT64[0] <= value <= _INT64[1]:
        raise _Fallback  # orjson refuses integers beyond 64 bits
    return value


def _constant(_name: str) -> Any:
    raise _Fallback  # NaN and Infinity are not JSON; orjson refuses them


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object of the streamed document; a repeated member sends it to ``parse_json``, which reads
    every value (``jsondup``)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Fallback
    return obj


def _stream_read(source: Source) -> tuple[dict[str, Any], dict[str, tuple[list[Component], list[str]]]]:
    """Parse a large CycloneDX JSON document holding one top-level component at a time.

    The top-level ``components`` and ``services`` arrays are parsed element by element by the standard
    library's C scanner, and each element becomes a ``Component`` at once (nested lists follow, as in
    ``walk_bom``); every other member is parsed whole (they are small). Returns the other members and,
    per streamed array, its components and problems. Anything unusual raises ``_Fallback`` (or a
    parse error) and the caller reads the document with orjson, so every message is the same as for a
    small document.
    """
    path = source.path
    text, _encoding = decode_text(path, source.data)  # not source.text: that would keep it cached
    if _SURROGATE_ESCAPE.search(text):
        raise _Fallback  # escaped surrogates: orjson's checks decide
    decode = json.JSONDecoder(parse_int=_int, parse_constant=_constant, object_pairs_hook=_unique).raw_decode
    ws = _WS.match
    doc: dict[str, Any] = {}
    sections: dict[str, tuple[list[Component], list[str]]] = {}
    i = ws(text, 0).end()
    if text[i : i + 1] != "{":
        raise _Fallback
    i = ws(text, i + 1).end()
    if text[i : i + 1] == "}":
        i += 1
    else:
        while True:
            key, i = decode(text, i)
            if type(key) is not str or key in doc:
                raise _Fallback  # not a member name, or a repeated one (orjson keeps the last)
            i = ws(text, i).end()
            if text[i : i + 1] != ":":
                raise _Fallback
            i = ws(text, i + 1).end()
            if key in ("components", "services") and text[i : i + 1] == "[":
                end = [0]
                out: list[Component] = []
                problems: list[str] = []
                items = _array_items(text, i, decode, end)
                _walk_items(path, f"/{key}", items, out, problems, service=key == "services")
                sections[key] = (out, problems)
                doc[key] = []
                i = end[0]
            else:
                doc[key], i = decode(text, i)
            i = ws(text, i).end()
            c = text[i : i + 1]
            if c == "}":
                i += 1
                break
            if c != ",":
                raise _Fallback
            i = ws(text, i + 1).end()
    if ws(text, i).end() != len(text):
        raise _Fallback
    return doc, sections


def _array_items(text: str, i: int, decode: Any, end: list[int]) -> Iterator[tuple[int, Any]]:
    """The elements of the array that starts at ``text[i]``, parsed one at a time; ``end[0]`` is set
    to the index after the closing bracket once the last one is taken."""
    ws = _WS.match
    i = ws(text, i + 1).end()
    if text[i : i + 1] == "]":
        end[0] = i + 1
        return
    n = 0
    while True:
        obj, i = decode(text, i)
        yield n, obj
        n += 1
        i = ws(text, i).end()
        c = text[i : i + 1]
        if c == "]":
            end[0] = i + 1
            return
        if c != ",":
            raise _Fallback
        i = ws(text, i + 1).end()


def _serial(value: Any) -> str | None:
    """The serial number when it is a string (a malformed one is not worth refusing the SBOM for)."""
    return value if isinstance(value, str) and value.strip() else None


class CycloneDXJSONReader:
    name: ClassVar[str] = "cyclonedx-json"
    label: ClassVar[str] = "CycloneDX 1.0-1.7 JSON"

    def sniff(self, source: Source) -> bool:
        return _looks_like_cyclonedx(source)

    def read(self, source: Source) -> Inventory:
        if len(source.data) > TYPED_ABOVE:
            from compliance.readers.cyclonedx_typed import read_typed  # imports msgspec and this module

            with paused_gc():
                # With a sink the typed components are evaluated as they are made. Should the typed
                # path give up part way, the orjson path returns a list and the sink is not used.
                typed = read_typed(source, source.sink.bounded if source.sink is not None else None)
            if typed is not None:
                return self._from_typed(source, *typed)
        streamed = None
        if len(source.data) > STREAM_ABOVE:
            try:
                with paused_gc():
                    streamed = _stream_read(source)
            except (_Fallback, InputError, ValueError, RecursionError):
                streamed = None  # read it whole below: same result, or the same error as always
        doc = streamed[0] if streamed is not None else parse_json(source)
        meta = self._header(source, doc)
        problems: list[str] = []
        with paused_gc():
            components = walk_bom(source.path, doc, problems, meta, source.duplicates)
        if streamed is not None:  # the streamed arrays come after the metadata, components first
            for key in ("components", "services"):
                found, found_problems = streamed[1].get(key, ([], []))
                components.extend(found)
                problems.extend(found_problems)
        return Inventory(path=source.path, format=self.name, components=components, metadata=meta, problems=problems)

    def _header(self, source: Source, doc: Any) -> dict[str, Any]:
        """``bomFormat`` and ``specVersion`` checked; the inventory metadata they give."""
        expect_object(source.path, "/", doc, "a CycloneDX BOM object")
        fmt = doc.get("bomFormat")
        if fmt != "CycloneDX":
            raise InputError(source.path, f"bomFormat is {quoted(fmt)}, expected 'CycloneDX'", where="/bomFormat")
        spec = doc.get("specVersion")
        if not isinstance(spec, str):
            raise InputError(source.path, f"specVersion must be a string, found {type_name(spec)}", where="/specVersion")
        if spec not in SUPPORTED_SPECS:
            raise InputError(
                source.path,
                f"unsupported CycloneDX specVersion {quoted(spec)} (supported: {', '.join(SUPPORTED_SPECS)})",
                where="/specVersion",
            )
        return {"specVersion": spec, "serialNumber": _serial(doc.get("serialNumber"))}

    def _from_typed(self, source: Source, doc: dict[str, Any], typed: list[Component]) -> Inventory:
        """The typed path's document: checked and walked in the orjson path's order (header, metadata,
        components, services), so its errors come in the same order too. The typed components have no
        field over the limit (the typed records refuse one); the few made here from metadata and
        services are measured here, so ``bound_fields`` need not look at 100,000 components."""
        meta, problems = self._header(source, doc), []
        services = doc.pop("services", None)
        with paused_gc():
            components = walk_bom(source.path, doc, problems, meta)
            others = len(components)
            components.extend(typed)
            if services is not None:
                _walk_list(source.path, "/services", services, components, problems, service=True)
        rest = components[:others] + components[others + len(typed) :]
        if source.sink is not None:  # the typed components went to it; the others follow, in order
            for comp in rest:
                source.sink(comp)
            return Inventory(path=source.path, format=self.name, components=source.sink, metadata=meta, problems=problems)
        longest = max([0, *map(longest_field, rest)])
        return Inventory(
            path=source.path, format=self.name, components=components, metadata=meta, problems=problems,
            longest_field=longest,
        )
