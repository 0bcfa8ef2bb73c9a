"""SPDX JSON: 2.2 and 2.3 documents, and SPDX 3.0 JSON-LD.

SPDX 2.x shape confirmed against spdx/spdx-spec ``examples/SPDXJSONExample-v2.3.spdx.json`` and the
package chapter: ``spdxVersion``, ``packages[]`` with ``name``, ``versionInfo``, ``supplier`` and
``originator`` (``"Organization: NAME (email)"``, ``"Person: NAME (email)"`` or ``NOASSERTION``) and
``externalRefs[]`` of ``{referenceCategory, referenceType, referenceLocator}`` where ``referenceType``
is ``purl``, ``cpe23Type``, ``cpe22Type`` or ``swid``.

SPDX 3.0 shape confirmed against spdx/spdx-spec ``examples/jsonld/package_sbom.json`` and
published 3.0.1 documents: ``@context`` ``https://spdx.org/rdf/3.0.x/spdx-context.jsonld``,
``@graph`` elements; ``software_Package`` (and its subclasses ``ai_AIPackage`` and
``dataset_DatasetPackage``) has ``name``, ``software_packageVersion``,
``software_packageUrl``, ``suppliedBy`` (one agent) and ``originatedBy`` (a list), each an ``spdxId``
of an ``Organization``/``Person``/``SoftwareAgent`` element carrying ``name``, and
``externalIdentifier[]`` of ``{externalIdentifierType: packageUrl|cpe23|cpe22|swid, identifier}``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from compliance.errors import InputError
from compliance.model import Component, Inventory
from compliance.readers.base import Source, expect_list, expect_object, expect_str, require_str, type_name
from compliance.readers.cyclonedx_json import parse_json
from compliance.readers.jsondup import every_value
from compliance.untrusted import quoted

_EMAIL_SUFFIX = re.compile(r"\s*\(([^()]*)\)\s*$")
REF_KINDS = {"purl": "purl", "cpe23Type": "cpe", "cpe22Type": "cpe", "swid": "swid"}
ID3_KINDS = {"packageUrl": "purl", "cpe23": "cpe", "cpe22": "cpe", "swid": "swid"}
AGENT_TYPES = frozenset(["Organization", "Person", "SoftwareAgent", "Agent"])
# Every SPDX 3.0 class that is a package: ``ai_AIPackage`` and ``dataset_DatasetPackage`` are
# subclasses of ``software_Package`` with the same name, version, supplier and identifier properties.
PACKAGE_TYPES = frozenset(["software_Package", "ai_AIPackage", "dataset_DatasetPackage"])
# The same classes written as full IRIs (an expanded rather than compacted JSON-LD document).
_IRI_TAILS = {
    "/Software/Package": "software_Package",
    "/AI/AIPackage": "ai_AIPackage",
    "/Dataset/DatasetPackage": "dataset_DatasetPackage",
    "/Core/Organization": "Organization",
    "/Core/Person": "Person",
    "/Core/SoftwareAgent": "SoftwareAgent",
    "/Core/Agent": "Agent",
    "/Core/CreationInfo": "CreationInfo",
}


def element_types(path: str, ptr: str, el: dict[str, Any]) -> list[str]:
    """An element's classes: ``type`` (or ``@type``) is one class or, in JSON-LD, an array of them.

    Full IRIs are read as their compact names. A class that is not a string is an error: the element
    could be a package, and skipping it could hide who made it.
    """
    key = "type" if "type" in el else "@type"
    value = el.get(key)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for i, t in enumerate(items):
        if not isinstance(t, str):
            where = f"{ptr}/{key}/{i}" if isinstance(value, list) else f"{ptr}/{key}"
            raise InputError(path, f"expected a class name string, found {type_name(t)}", where=where)
        if "://" in t:
            for tail, compact in _IRI_TAILS.items():
                if t.endswith(tail):
                    t = compact
                    break
        out.append(t)
    return out


def parse_agent(value: str) -> str:
    """``"Organization: AO Kaspersky Lab (info@kaspersky.com)"`` -> ``"AO Kaspersky Lab"``; "" for NOASSERTION.

    Only a trailing parenthesis that is empty or holds an e-mail address is dropped, so a name such
    as ``Tencent Technology (Shenzhen) Company Limited`` keeps its own parentheses.
    """
    text = value.strip()
    if not text or text.upper() == "NOASSERTION":
        return ""
    _kind, sep, rest = text.partition(":")
    if sep and _kind.strip() in ("Organization", "Person", "Tool"):
        text = rest.strip()
    m = _EMAIL_SUFFIX.search(text)
    if m and (not m.group(1).strip() or "@" in m.group(1)):
        text = text[: m.start()].strip()
    return "" if text.upper() == "NOASSERTION" else text


def package2_component(path: str, ptr: str, pkg: Any, problems: list[str]) -> Component:
    """One SPDX 2.x ``packages[]`` entry."""
    expect_object(path, ptr, pkg, "a package object")
    name = _name(path, ptr, pkg, "package", problems)
    version = expect_str(path, f"{ptr}/versionInfo", pkg.get("versionInfo"))
    vendor_fields: list[tuple[str, str]] = []
    for field in ("supplier", "originator"):
        raw = expect_str(path, f"{ptr}/{field}", pkg.get(field))
        agent = parse_agent(raw)
        if agent:
            vendor_fields.append((field, agent))
    identifiers: list[tuple[str, str, str]] = []
    purl = _typed_refs(
        path, f"{ptr}/externalRefs", pkg.get("externalRefs"), ("referenceType", "referenceLocator"), REF_KINDS, identifiers
    )
    spdxid = pkg.get("SPDXID")
    return Component(
        name=name,
        version=version,
        vendor_fields=vendor_fields,
        identifiers=identifiers,
        purl=purl,
        bom_ref=spdxid if isinstance(spdxid, str) else "",
        location=ptr,
        type=_purpose(pkg.get("primaryPackagePurpose")),
    )


def _typed_refs(
    path: str,
    ptr: str,
    refs: Any,
    keys: tuple[str, str],
    kinds: dict[str, str],
    identifiers: list[tuple[str, str, str]],
) -> str:
    """SPDX 2 ``externalRefs`` and SPDX 3 ``externalIdentifier``: typed values, some of them identifiers.

    Appends the ones ``kinds`` maps and returns the first package URL found ("" if none).
    """
    if refs is None:
        return ""
    type_key, value_key = keys
    member = ptr.rsplit("/", 1)[-1]
    purl = ""
    for i, ref in enumerate(expect_list(path, ptr, refs)):
        rptr = f"{ptr}/{i}"
        expect_object(path, rptr, ref)
        rtype = expect_str(path, f"{rptr}/{type_key}", ref.get(type_key))
        value = expect_str(path, f"{rptr}/{value_key}", ref.get(value_key)).strip()
        kind = kinds.get(rtype)
        if kind and value:
            identifiers.append((kind, value, f"{member}.{rtype}"))
            if kind == "purl" and not purl:
                purl = value
    return purl


def _name(path: str, ptr: str, obj: dict[str, Any], what: str, problems: list[str]) -> str:
    """A package name: missing is a problem (the package is still read, its supplier still checked);
    a name that is not a string is an error, since it could be the only thing naming the product."""
    value = obj.get("name")
    if value is None:
        problems.append(f"{ptr}: {what} has no name; read as '(unnamed)'")
        return "(unnamed)"
    return require_str(path, ptr, value, "name", what)


def _purpose(value: Any) -> str:
    return value.lower() if isinstance(value, str) else ""


def read_spdx2(path: str, doc: dict[str, Any], fmt: str, dups: Any = None) -> Inventory:
    version = doc.get("spdxVersion")
    if not isinstance(version, str):
        raise InputError(path, f"spdxVersion must be a string, found {type_name(version)}", where="/spdxVersion")
    if not version.startswith("SPDX-2."):
        raise InputError(path, f"unsupported spdxVersion {quoted(version)} (supported: SPDX-2.2, SPDX-2.3)", where="/spdxVersion")
    packages = doc.get("packages")
    components: list[Component] = []
    problems: list[str] = []
    if packages is not None:
        expect_list(path, "/packages", packages)
        for i, p in enumerate(packages):
            ptr = f"/packages/{i}"
            components.extend(every_value(dups, p, lambda q, ptr=ptr: package2_component(path, ptr, q, problems)))
    name = doc.get("name")
    return Inventory(
        path=path,
        format=fmt,
        components=components,
        metadata={"spdxVersion": version, "name": name if isinstance(name, str) else None},
        problems=problems,
    )


def read_spdx3(path: str, doc: dict[str, Any], fmt: str, dups: Any = None) -> Inventory:
    graph = doc.get("@graph")
    if not isinstance(graph, list):
        raise InputError(path, f"expected an @graph array, found {type_name(graph)}", where="/@graph")
    agents: dict[str, list[str]] = {}
    types: list[list[str]] = []
    ids: set[str] = set()  # every element's id: a reference to none of them is a listed problem
    for i, el in enumerate(graph):
        expect_object(path, f"/@graph/{i}", el, "an element object")
        types.append(element_types(path, f"/@graph/{i}", el))
        eid = el.get("spdxId", el.get("@id"))
        if isinstance(eid, str):
            ids.add(eid)
        if not AGENT_TYPES.isdisjoint(types[i]):
            sid = el.get("spdxId", el.get("@id"))
            # Every value of a repeated name is kept: one vendor field each where a package refers to it.
            for agent in every_value(dups, el, lambda a, i=i: _agent_component(path, f"/@graph/{i}", a)):
                if isinstance(sid, str) and agent.name:
                    agents.setdefault(sid, [])
                    if agent.name not in agents[sid]:
                        agents[sid].append(agent.name)
    components: list[Component] = []
    problems: list[str] = []
    refs = _AgentRefs(path, agents, ids, problems)
    spec_version = None
    for i, el in enumerate(graph):
        ptr = f"/@graph/{i}"
        etypes = types[i]
        if "CreationInfo" in etypes and isinstance(el.get("specVersion"), str):
            spec_version = el["specVersion"]
        package_types = PACKAGE_TYPES.intersection(etypes)
        if not package_types:
            continue
        kind = min(package_types)
        components.extend(every_value(
            dups, el, lambda e, ptr=ptr, kind=kind: _package3_component(path, ptr, e, kind, refs, problems)
        ))
    return Inventory(
        path=path, format=fmt, components=components, metadata={"spdxVersion": spec_version}, problems=problems
    )


def _agent_component(path: str, ptr: str, el: dict[str, Any]) -> Component:
    """An agent element's name, as a component only to read every value of a repeated name."""
    return Component(name=expect_str(path, f"{ptr}/name", el.get("name")).strip())


def _package3_component(
    path: str, ptr: str, el: dict[str, Any], kind: str, refs: _AgentRefs, problems: list[str]
) -> Component:
    """One SPDX 3 package element."""
    name = _name(path, ptr, el, kind, problems)
    version = expect_str(path, f"{ptr}/software_packageVersion", el.get("software_packageVersion"))
    vendor_fields: list[tuple[str, str]] = []
    supplied = el.get("suppliedBy")
    if supplied is not None:
        refs.add(f"{ptr}/suppliedBy", supplied, "suppliedBy", vendor_fields)
    originated = el.get("originatedBy")
    if originated is not None:
        expect_list(path, f"{ptr}/originatedBy", originated)
        for j, ref in enumerate(originated):
            refs.add(f"{ptr}/originatedBy/{j}", ref, "originatedBy", vendor_fields)
    identifiers: list[tuple[str, str, str]] = []
    purl = expect_str(path, f"{ptr}/software_packageUrl", el.get("software_packageUrl")).strip()
    if purl:
        identifiers.append(("purl", purl, "software_packageUrl"))
    found = _typed_refs(
        path, f"{ptr}/externalIdentifier", el.get("externalIdentifier"), ("externalIdentifierType", "identifier"),
        ID3_KINDS, identifiers,
    )
    purl = purl or found
    sid = el.get("spdxId")
    return Component(
        name=name,
        version=version,
        vendor_fields=vendor_fields,
        identifiers=identifiers,
        purl=purl,
        bom_ref=sid if isinstance(sid, str) else "",
        location=ptr,
        type=_purpose(el.get("software_primaryPurpose")),
    )


# The last segment of an IRI or id (after the last '/', '#' or ':'), when it has a letter.
_REF_TAIL = re.compile(r"[^/#:]*[^\W\d_][^/#:]*$")


class _AgentRefs:
    """Agent references of SPDX 3 packages, resolved against the document's agent elements."""

    def __init__(self, path: str, agents: dict[str, list[str]], ids: set[str], problems: list[str]) -> None:
        self.path = path
        self.agents = agents
        self.ids = ids
        self.problems = problems

    def add(self, ptr: str, ref: Any, field: str, out: list[tuple[str, str]]) -> None:
        """An ``spdxId`` string, or (in compacted documents) an inline agent object.

        A reference to an element the document does not contain would silently drop the supplier: it
        is a listed problem, and the reference's last segment is kept as evidence under
        ``<field> (unresolved)``: an IRI such as ``https://example.com/agent/AO-Kaspersky-Lab`` often
        ends in the organisation's name (a bare number or an opaque id matches nothing).
        """
        if isinstance(ref, dict):
            names = [expect_str(self.path, f"{ptr}/name", ref.get("name")).strip()]
        elif isinstance(ref, str):
            names = self.agents.get(ref, [])
            if not names:
                if ref in self.ids:
                    why = "an element that is no agent with a name"
                else:
                    why = "no element of this document"
                self.problems.append(f"{ptr}: {field} {quoted(ref)} is {why}; the reference is kept as evidence")
                tail = _REF_TAIL.search(ref)
                if tail is not None:
                    out.append((f"{field} (unresolved)", tail.group(0)))
                return
        else:
            raise InputError(self.path, f"expected an spdxId string, found {type_name(ref)}", where=ptr)
        out.extend((field, name) for name in names if name)


class SPDXJSONReader:
    name: ClassVar[str] = "spdx-json"
    label: ClassVar[str] = "SPDX 2.2/2.3 JSON and SPDX 3.0 JSON-LD"

    def sniff(self, source: Source) -> bool:
        head = source.head(4096)
        if not head.lstrip().startswith("{"):
            return False
        if '"spdxVersion"' in head or "spdx.org/rdf/3." in head:
            return True
        tail = source.data[-4096:]
        return b'"spdxVersion"' in tail and b'"SPDX-2.' in tail

    def read(self, source: Source) -> Inventory:
        doc = parse_json(source)
        expect_object(source.path, "/", doc, "an SPDX document object")
        if "@graph" in doc or "@context" in doc:
            return read_spdx3(source.path, doc, self.name, source.duplicates)
        if "spdxVersion" not in doc:
            raise InputError(source.path, "not an SPDX document: no spdxVersion", where="/spdxVersion")
        return read_spdx2(source.path, doc, self.name, source.duplicates)
