"""Repeated member names in JSON objects: found cheaply, read exactly, judged once.

JSON parsers keep the last of a repeated member (``{"supplier": {"name": "AO Kaspersky Lab"},
"supplier": {"name": "Example"}}`` reads as Example), and orjson and msgspec say nothing. Whoever wrote
the document may have meant the first value; another tool may read it. So complycheck reads every value:

- **Finding them cheaply.** Every member has exactly one ``:`` after its name, and a ``:`` inside a
  string is written as itself or as ``\\u003a``. So a document whose objects repeat no member has as many
  colons (counting ``\\u003a`` too) as the same parsed document written back out, and one with a repeated
  member has more (the dropped member's colon). ``may_repeat`` compares the two counts: a C-speed count
  of the bytes and of the re-serialised document. Only when they differ is the document parsed again,
  exactly, by the standard library with a hook that sees every member (``parse_exact``); the few
  documents that differ for another reason (``"version": null`` dropped by the typed path) pay that
  second parse and nothing else.
- **Reading them.** A reader that turns an object into a component asks ``every_value`` for it: the
  component is read from the object as parsed and once more for each earlier value of each repeated
  member inside the object, and the evidence is merged (a second supplier becomes a second vendor field;
  a second name, a second component at the same place). Each such repeat is a *problem* of the input:
  ``/components/3: member 'supplier' appears 2 times; every value is read as evidence``.
- **Judging the rest.** A repeated member outside every object a reader read as a component (two
  ``components`` arrays, two ``bomFormat``, two ``packages``) changes what the document says when its
  values differ: the input is an error naming the place. Equal values change nothing: a problem.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from compliance.model import Component
from compliance.untrusted import quoted


def colon_bound(raw: Any) -> int:
    """Colons in the raw text, ``\\u003a`` escapes included: at least one per member of every object."""
    if not isinstance(raw, (bytes, str)):  # a mapped file: a megabyte at a time, an escape across two kept
        from compliance.readers import mapped

        colons, tail = 0, b""
        for view in mapped.chunks(raw):
            part = bytes(view)
            edge = tail + part[:5]  # an escape begun in the chunk before and ended in this one
            colons += colon_bound(part) + edge.count(b"\\u003a") + edge.count(b"\\u003A")
            tail = part[-5:]
        return colons
    if isinstance(raw, str):
        escaped = "\\u003" in raw and raw.count("\\u003a") + raw.count("\\u003A")
        return raw.count(":") + escaped
    escaped = b"\\u003" in raw and raw.count(b"\\u003a") + raw.count(b"\\u003A")
    return raw.count(b":") + escaped


def may_repeat(raw: bytes | str, written_colons: int) -> bool:
    """True when the document may repeat a member name: its raw text has more colons than the parsed
    document written back out (``written_colons``: colons in orjson's or msgspec's output)."""
    return colon_bound(raw) > written_colons


class Duplicates:
    """The objects of one parsed document that repeat a member name, with every value of each."""

    def __init__(self) -> None:
        self.values: dict[int, dict[str, list[Any]]] = {}  # id(object) -> member -> its values, in order
        self.objects: dict[int, dict[str, Any]] = {}  # keeps each object alive, so its id stays its own
        self.pointers: dict[int, str] = {}
        self.covered: set[int] = set()  # read as (part of) a component: their repeats are problems

    def __bool__(self) -> bool:
        return bool(self.values)

    def problems(self) -> list[str]:
        """One line per repeated member of a covered object."""
        out = []
        for oid in self.covered:
            for key, values in self.values[oid].items():
                out.append(
                    f"{self.pointers.get(oid, '/')}: member {quoted(key)} appears {len(values)} times; "
                    "every value is read as evidence"
                )
        return sorted(out)

    def judge_rest(self) -> tuple[list[str], tuple[str, str] | None]:
        """Problems for repeats no reader covered whose values are equal, and the first (place, reason)
        whose values differ (the input's error), in document order."""
        problems: list[str] = []
        error: tuple[str, str] | None = None
        for oid in sorted(set(self.values) - self.covered, key=lambda o: self.pointers.get(o, "")):
            where = self.pointers.get(oid, "/")
            for key, values in self.values[oid].items():
                if all(v == values[0] for v in values[1:]):
                    problems.append(f"{where}: member {quoted(key)} appears {len(values)} times with the same value")
                elif error is None:
                    error = (where, f"member {quoted(key)} appears {len(values)} times with different values; "
                                    "parsers keep different ones, so what the document says is ambiguous")
        return problems, error


def parse_exact(text: bytes | str) -> tuple[Any, Duplicates]:
    """The document as orjson parses it (the last value of a repeated member wins), and its repeats."""
    dups = Duplicates()

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: dict[str, list[Any]] = {}
            for key, value in pairs:
                seen.setdefault(key, []).append(value)
            dups.values[id(obj)] = {k: v for k, v in seen.items() if len(v) > 1}
            dups.objects[id(obj)] = obj
        return obj

    doc = json.loads(text, object_pairs_hook=hook)
    if dups.values:
        _locate(doc, dups)
    return doc, dups


def _locate(doc: Any, dups: Duplicates) -> None:
    """JSON pointers of the repeating objects, those inside dropped values too (at their member's place)."""
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        node, ptr = stack.pop()
        if isinstance(node, dict):
            oid = id(node)
            if oid in dups.values:
                dups.pointers.setdefault(oid, ptr or "/")
                for key, values in dups.values[oid].items():
                    stack.extend((v, f"{ptr}/{_escape(key)}") for v in values[:-1])
            stack.extend((v, f"{ptr}/{_escape(k)}") for k, v in node.items() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, f"{ptr}/{i}") for i, v in enumerate(node) if isinstance(v, (dict, list)))


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _variants(dups: Duplicates, obj: dict[str, Any], stop: frozenset[str]) -> Iterator[dict[str, Any]]:
    """``obj`` once for each earlier value of each repeated member inside it (``stop`` members, such as
    nested components read on their own, are not entered), each a copy along the path to that member."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(obj, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            oid = id(node)
            if oid in dups.values:
                dups.covered.add(oid)
                for key, values in dups.values[oid].items():
                    for value in values[:-1]:
                        yield _replaced(obj, (*path, key), value)
            for key, value in node.items():
                if isinstance(value, (dict, list)) and not (node is obj and key in stop):
                    stack.append((value, (*path, key)))
        elif isinstance(node, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(node) if isinstance(v, (dict, list)))


def _replaced(obj: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of ``obj`` (copied only along ``path``) with the member at ``path`` set to ``value``."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy = dict(obj) if isinstance(obj, dict) else list(obj)
    copy[head] = _replaced(obj[head], rest, value)
    return copy


def every_value(
    dups: Duplicates | None,
    obj: Any,
    build: Callable[[Any], Component],
    stop: frozenset[str] = frozenset(),
) -> list[Component]:
    """The component ``build`` makes of ``obj``, with the evidence of every value of each member repeated
    inside it: vendor fields and identifiers merged into it, and a further component for each other name."""
    first = build(obj)
    if not dups or not isinstance(obj, dict):
        return [first]
    out = [first]
    for variant in _variants(dups, obj, stop):
        other = build(variant)
        same = next((c for c in out if c.name == other.name), None)
        if same is None:
            out.append(other)
            continue
        same.vendor_fields.extend(f for f in other.vendor_fields if f not in same.vendor_fields)
        same.identifiers.extend(i for i in other.identifiers if i not in same.identifiers)
    return out
