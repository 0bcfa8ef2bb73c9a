"""Load, validate and merge rule packs.

A pack is a directory with ``pack.yaml`` (name, version, contexts, jurisdiction codes),
``vendors/*.yaml`` (the catalog) and ``jurisdictions/*.yaml`` (the rules). Every problem is reported
as one line naming the file, the rule or vendor, and the field, and all of them are reported at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from compliance.normalize import is_distinctive, org_tokens, product_tokens
from compliance.rulepack.cache import builtin_pack_root, load_rule_pack_and_index
from compliance.rulepack.model import (
    Action,
    ContextDef,
    Ident,
    JurisdictionDef,
    Product,
    Rule,
    RulePack,
    Source,
    Unidentifiable,
    Vendor,
)
from compliance.untrusted import QUOTE_LIMIT, capped, quoted

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path


# ``pathlib`` (with ``urllib.parse``, ``ipaddress``, ``fnmatch``: ~5 ms) is imported only where a pack is
# read from YAML; a scan whose pack comes from the cache works with ``os.path`` strings alone.


def builtin_pack_dir() -> Path:
    """The pack inside an installed wheel, or the repository's ``rules/`` when run from source."""
    from pathlib import Path

    return Path(builtin_pack_root())


@cache
def _schema(name: str) -> Any:
    from importlib import resources

    import jsonschema

    text = (resources.files("compliance.rulepack") / "schemas" / f"{name}.schema.json").read_text("utf-8")
    schema = json.loads(text)
    return jsonschema.Draft202012Validator(schema)


def _load_yaml(path: Path, problems: list[str]) -> Any:
    """Untrusted YAML through ``compliance.yamlsafe``: a problem is one line, and the file is skipped.

    Imported here, not at module level: a scan whose pack comes from the cache never loads PyYAML.
    """
    from compliance.yamlsafe import YamlFileError, load_yaml

    try:
        return load_yaml(path, what="rule pack file")
    except YamlFileError as exc:
        problems.append(str(exc))
        return None


def _label(doc: Any, error_path: Iterable[Any], key: str) -> str:
    """Name the rule or vendor a schema error sits in, e.g. ``rule US-FOO`` and the field path."""
    parts = list(error_path)
    item_label = ""
    if len(parts) >= 2 and parts[0] == key and isinstance(parts[1], int):
        try:
            item = doc[key][parts[1]]
            ident = item.get("id") if isinstance(item, dict) else None
        except (IndexError, KeyError, TypeError):
            ident = None
        item_label = f"{key[:-1]} {ident or '#' + str(parts[1])}: "
        parts = parts[2:]
    field = ".".join(str(p) for p in parts) or "(top level)"
    return f"{item_label}{field}"


def _schema_message(err: Any) -> str:
    """jsonschema's message, with the offending value quoted short: a pack may hold megabytes in one field."""
    message = str(err.message)
    if len(message) <= QUOTE_LIMIT * 2:
        return message
    shown = repr(err.instance)
    if shown in message:
        message = message.replace(shown, quoted(err.instance))
    return capped(message, QUOTE_LIMIT * 4)


def _validate(doc: Any, schema: str, path: Path, key: str, problems: list[str]) -> bool:
    errors = sorted(_schema(schema).iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    for err in errors:
        problems.append(f"{path}: {_label(doc, err.absolute_path, key)}: {_schema_message(err)}")
    return not errors


def _idents(items: list[Any] | None, default_status: str = "secondary") -> list[Ident]:
    out = []
    for it in items or []:
        if isinstance(it, str):
            out.append(Ident(it, default_status))
        else:
            out.append(Ident(it.get("value") or it.get("name"), it.get("status", default_status), it.get("note", "")))
    return out


def _parse_date(value: str, where: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{where}: {quoted(value)} is not a real calendar date")
        return None


class _PackData:
    def __init__(self) -> None:
        self.manifests: list[dict[str, Any]] = []
        self.vendors: list[Vendor] = []
        self.rules: list[Rule] = []
        self.contexts: dict[str, ContextDef] = {}
        self.jurisdictions: dict[str, JurisdictionDef] = {}


def _check_requires(spec: str | None, path: Path, problems: list[str]) -> None:
    """A pack may need a newer complycheck (new fields, new contexts); say so instead of misreading it."""
    if spec is None:
        return
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    from compliance import __version__

    try:
        wanted = SpecifierSet(spec)
    except InvalidSpecifier:
        problems.append(f"{path}: requires: {quoted(spec)} is not a version specifier such as '>=0.1'")
        return
    if not wanted.contains(__version__, prereleases=True):
        problems.append(f"{path}: requires: this pack needs complycheck {spec}, but this is complycheck {__version__}")


def _read_pack_dir(root: Path, data: _PackData, problems: list[str]) -> None:
    if not root.is_dir():
        problems.append(f"{root}: rule pack directory not found")
        return
    manifest_path = root / "pack.yaml"
    manifest: dict[str, Any] = {"name": root.name, "version": "unversioned"}
    if manifest_path.exists():
        doc = _load_yaml(manifest_path, problems)
        if doc is not None and _validate(doc, "pack", manifest_path, "contexts", problems):
            manifest = doc
            _check_requires(doc.get("requires"), manifest_path, problems)
            for c in doc.get("contexts", []):
                if c["id"] in data.contexts:
                    problems.append(f"{manifest_path}: context {c['id']}: defined twice")
                implies_in = tuple((code, tuple(implied)) for code, implied in sorted(c.get("implies_in", {}).items()))
                data.contexts[c["id"]] = ContextDef(c["id"], c["description"], tuple(c.get("implies", ())), implies_in)
            for j in doc.get("jurisdictions", []):
                if j["code"] in data.jurisdictions:
                    problems.append(f"{manifest_path}: jurisdiction {j['code']}: defined twice")
                data.jurisdictions[j["code"]] = JurisdictionDef(
                    j["code"], j["name"], j.get("description", ""), tuple(j.get("includes", ()))
                )
    else:
        problems.append(f"{manifest_path}: missing (a pack needs a name and a version)")
    data.manifests.append({"name": str(manifest.get("name")), "version": str(manifest.get("version")), "path": str(root)})
    pack_name = str(manifest.get("name"))

    for vpath in sorted((root / "vendors").glob("*.y*ml")):
        doc = _load_yaml(vpath, problems)
        if doc is None or not _validate(doc, "vendors", vpath, "vendors", problems):
            continue
        for v in doc["vendors"]:
            vendor = Vendor(
                id=v["id"],
                name=v["name"],
                country=v.get("country", ""),
                summary=v.get("summary", ""),
                names=_idents(v.get("names")),
                brands=_idents(v.get("brands")),
                identifiers={k: _idents(items) for k, items in (v.get("identifiers") or {}).items()},
                sources=list(v.get("sources", [])),
                file=str(vpath),
                software_kind=v.get("software_kind", ""),
                equipment_kind=v.get("equipment_kind", ""),
            )
            for p in v.get("products", []):
                vendor.products.append(
                    Product(
                        id=p["id"],
                        vendor=vendor.id,
                        name=p["name"],
                        category=p["category"],
                        kind=p.get("kind"),
                        summary=p.get("summary", ""),
                        names=_idents(p.get("names")),
                        identifiers={k: _idents(items) for k, items in (p.get("identifiers") or {}).items()},
                    )
                )
            data.vendors.append(vendor)

    for rpath in sorted((root / "jurisdictions").glob("*.y*ml")):
        doc = _load_yaml(rpath, problems)
        if doc is None or not _validate(doc, "rules", rpath, "rules", problems):
            continue
        for r in doc["rules"]:
            where = f"{rpath}: rule {r['id']}"
            actions = []
            for i, a in enumerate(r["actions"]):
                eff = _parse_date(a["effective"], f"{where}: actions.{i}.effective", problems)
                until = _parse_date(a["until"], f"{where}: actions.{i}.until", problems) if "until" in a else None
                if eff is None:
                    continue
                if until is not None and until < eff:
                    problems.append(f"{where}: actions.{i}.until: {a['until']} is before the effective date {a['effective']}")
                actions.append(Action(a["id"], a["description"], eff, until, tuple(a.get("contexts", ())), a.get("note", "")))
            verified = _parse_date(r["verification"]["last_verified"], f"{where}: verification.last_verified", problems)
            if not actions or verified is None:
                continue
            covers = r["covers"]
            data.rules.append(
                Rule(
                    id=r["id"],
                    title=r["title"],
                    jurisdiction=r["jurisdiction"],
                    authority=r["authority"],
                    instrument=r["instrument"],
                    citation=r["citation"],
                    binding=r["binding"],
                    summary=" ".join(r["summary"].split()),
                    vendors=tuple(covers["vendors"]),
                    products=tuple(covers.get("products", ())),
                    categories=tuple(covers.get("categories", ())),
                    exclude_products=tuple(covers.get("exclude_products", ())),
                    exclusions=" ".join(covers.get("exclusions", "").split()),
                    contexts=tuple(r.get("contexts", ())),
                    actions=tuple(actions),
                    sources=tuple(Source(s["url"], s["kind"], s.get("title", "")) for s in r["sources"]),
                    verification_status=r["verification"]["status"],
                    last_verified=verified,
                    verification_notes=" ".join(r["verification"].get("notes", "").split()),
                    notes=" ".join(r.get("notes", "").split()),
                    file=str(rpath),
                    pack=pack_name,
                    kinds=frozenset(covers.get("kinds", ())),
                    unidentifiable=tuple(
                        Unidentifiable(" ".join(u["name"].split()), " ".join(u["reason"].split()))
                        for u in covers.get("unidentifiable", ())
                    ),
                )
            )


def _semantic_checks(data: _PackData, problems: list[str]) -> tuple[dict[str, Vendor], dict[str, Product]]:
    vendors: dict[str, Vendor] = {}
    products: dict[str, Product] = {}
    for v in data.vendors:
        if v.id in vendors:
            problems.append(f"{v.file}: vendor {v.id}: id: duplicate vendor id (also in {vendors[v.id].file})")
            continue
        vendors[v.id] = v
        for p in v.products:
            if p.id in products:
                problems.append(f"{v.file}: vendor {v.id}: products.{p.id}: duplicate product id")
            products[p.id] = p

    # Identifier and name collisions between vendors would make a match ambiguous.
    claimed: dict[tuple[str, str], str] = {}

    def claim(kind: str, value: str, vendor: Vendor, field: str) -> None:
        key = (kind, value)
        other = claimed.get(key)
        if other is not None and other != vendor.id:
            problems.append(f"{vendor.file}: vendor {vendor.id}: {field}: {quoted(value)} is also claimed by vendor {other}")
        claimed.setdefault(key, vendor.id)

    for v in vendors.values():
        for n in v.names:
            toks = org_tokens(n.value)
            if not is_distinctive(toks):
                problems.append(f"{v.file}: vendor {v.id}: names: {quoted(n.value)} has nothing distinctive once legal forms are removed")
            claim("org", " ".join(toks), v, "names")
        for b in v.brands:
            toks = org_tokens(b.value)
            if not is_distinctive(toks):
                problems.append(f"{v.file}: vendor {v.id}: brands: {quoted(b.value)} has nothing distinctive once legal forms are removed")
            claim("org", " ".join(toks), v, "brands")
        for kind, items in v.identifiers.items():
            for it in items:
                claim(kind, it.value.lower(), v, f"identifiers.{kind}")
        for p in v.products:
            for n in [Ident(p.name), *p.names]:
                toks = product_tokens(n.value)
                if not is_distinctive(toks):
                    problems.append(f"{v.file}: vendor {v.id}: products.{p.id}.names: {quoted(n.value)} has nothing distinctive")
                claim("product-name", " ".join(toks), v, f"products.{p.id}.names")
            for kind, items in p.identifiers.items():
                for it in items:
                    claim(f"product-{kind}", it.value.lower(), v, f"products.{p.id}.identifiers.{kind}")

    seen_rules: dict[str, str] = {}
    for r in data.rules:
        where = f"{r.file}: rule {r.id}"
        if r.id in seen_rules:
            problems.append(f"{where}: id: duplicate rule id (also in {seen_rules[r.id]})")
        seen_rules.setdefault(r.id, r.file)
        if r.jurisdiction not in data.jurisdictions:
            problems.append(f"{where}: jurisdiction: unknown code {r.jurisdiction!r} (declare it in pack.yaml)")
        for vid in r.vendors:
            if vid not in vendors:
                problems.append(f"{where}: covers.vendors: unknown vendor {vid!r}")
        for field_name, ids in (("products", r.products), ("exclude_products", r.exclude_products)):
            for pid in ids:
                if pid not in products:
                    problems.append(f"{where}: covers.{field_name}: unknown product {pid!r}")
                elif products[pid].vendor not in r.vendors:
                    problems.append(f"{where}: covers.{field_name}: product {pid!r} belongs to vendor {products[pid].vendor!r}, which the rule does not cover")
                elif field_name == "products" and r.kinds and products[pid].kind not in r.kinds:
                    problems.append(f"{where}: covers.products: product {pid!r} is of kind {products[pid].kind!r}, which covers.kinds does not list")
        for c in r.contexts:
            if c not in data.contexts:
                problems.append(f"{where}: contexts: unknown context {c!r}")
        for i, a in enumerate(r.actions):
            for c in a.contexts:
                if c not in data.contexts:
                    problems.append(f"{where}: actions.{i}.contexts: unknown context {c!r}")
        if not r.sources:
            problems.append(f"{where}: sources: a rule needs at least one source URL")
    for c in data.contexts.values():
        for implied in c.implies:
            if implied not in data.contexts:
                problems.append(f"pack.yaml: context {c.id}: implies: unknown context {implied!r}")
        for code, implied_there in c.implies_in:
            if code not in data.jurisdictions:
                problems.append(f"pack.yaml: context {c.id}: implies_in: unknown code {code!r}")
            for implied in implied_there:
                if implied not in data.contexts:
                    problems.append(f"pack.yaml: context {c.id}: implies_in.{code}: unknown context {implied!r}")
    for j in data.jurisdictions.values():
        for inc in j.includes:
            if inc not in data.jurisdictions:
                problems.append(f"pack.yaml: jurisdiction {j.code}: includes: unknown code {inc!r}")
    # Checks that parse identifier values or look across a rule's own fields (compliance.rulepack.validate).
    from compliance.rulepack.validate import (
        catalog_problems,
        completeness_problems,
        identity_overlap_problems,
        rule_problems,
    )

    problems.extend(catalog_problems(vendors.values()))
    problems.extend(identity_overlap_problems(vendors.values()))
    problems.extend(rule_problems(data.rules))
    problems.extend(completeness_problems(data.rules, products))
    return vendors, products


def collect_problems(dirs: list[Path]) -> tuple[list[str], RulePack | None]:
    """Every problem in the given packs (merged in order), and the pack when there are none."""
    from pathlib import Path

    problems: list[str] = []
    data = _PackData()
    for d in dirs:
        _read_pack_dir(Path(d), data, problems)
    vendors, products = _semantic_checks(data, problems)
    if problems:
        return problems, None
    for r in data.rules:
        r.scoped_vendors = frozenset(products[p].vendor for p in r.products)
    first = data.manifests[0] if data.manifests else {"name": "empty", "version": "0"}
    version = " + ".join(f"{m['name']} {m['version']}" for m in data.manifests)
    pack = RulePack(
        name=first["name"],
        version=version,
        contexts=data.contexts,
        jurisdictions=data.jurisdictions,
        vendors=vendors,
        products=products,
        rules=sorted(data.rules, key=lambda r: (r.jurisdiction, r.id)),
        packs=[{"name": m["name"], "version": m["version"], "path": m["path"]} for m in data.manifests],
    )
    return [], pack


def load_rule_pack(extra_dirs: list[str] | None = None, *, builtin: bool = True) -> RulePack:
    """The built-in pack (unless ``builtin=False``) merged with organisation packs, validated.

    A pack validated before, with no pack file changed since, comes from the cache
    (``compliance.rulepack.cache``) instead of being read and validated again.
    """
    return load_rule_pack_and_index(extra_dirs, builtin=builtin)[0]
