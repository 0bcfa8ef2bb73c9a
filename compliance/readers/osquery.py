"""osquery software tables: ``osqueryi --json "select * from <table>"`` and osqueryd results logs.

Shapes confirmed against osquery/osquery: column names from ``specs/windows/programs.table``,
``specs/darwin/apps.table``, ``specs/linux/deb_packages.table``, ``specs/linux/rpm_packages.table``
(``vendor``, ``release``, ``package_group`` in current versions), ``specs/python_packages.table``,
``specs/chrome_extensions.table`` and ``specs/darwin/homebrew_packages.table``; the results-log
formats from ``docs/wiki/deployment/logging.md``: one JSON object per line with ``name``,
``hostIdentifier``, ``calendarTime``, ``unixTime``, ``epoch``, ``counter`` and either
``"action": "added"|"removed"`` with ``columns`` (event format), ``"action": "snapshot"`` with a
``snapshot`` array, or ``diffResults: {added, removed}`` (batch format). ``osqueryi --json`` prints
a JSON array of row objects whose values are all strings.

A log aggregated from several hosts (a fleet's central log) is one input section per
``hostIdentifier`` in the report, named ``FILE#host=NAME`` (``metadata["sections"]``), so each host gets
its own verdict line in the fleet summary; a single-host log stays one section named by the file.

A differential log is replayed in order, so a row that was later ``removed`` is not installed. Rows
of scheduled queries over other tables (processes, users...) are not software and are skipped; the
skipped query names are listed in the inventory metadata, and a log with no software query at all is
an error rather than a silent pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from hashlib import blake2b
from typing import Any, ClassVar

import orjson

from compliance.errors import InputError
from compliance.identifiers import pypi_name
from compliance.model import Component, Inventory
from compliance.readers.base import Source, expect_list, expect_object, expect_str, type_name
from compliance.readers.cyclonedx_json import parse_json
from compliance.readers.jsondup import may_repeat, parse_exact
from compliance.untrusted import quoted

TABLES = ("programs", "apps", "deb_packages", "rpm_packages", "python_packages", "chrome_extensions", "homebrew_packages")
# Columns that name whoever made or packaged the software, per table.
VENDOR_COLUMNS = {
    "programs": ("publisher",),
    "apps": (),
    "deb_packages": ("maintainer",),
    "rpm_packages": ("vendor",),
    "python_packages": ("author",),
    "chrome_extensions": ("author",),
    "homebrew_packages": (),
    None: ("publisher", "maintainer", "vendor", "author"),
}
_KEY_RE = re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)"\s*:')


def _first_object(text: str) -> str:
    """The first ``{...}`` of ``text``, braces inside strings ignored (an MSI product code is
    ``"{3B9C...}"``); the rest of ``text`` if the object is cut off."""
    start = text.find("{")
    if start < 0:
        return ""
    depth = 0
    in_string = escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
    return text[start:]


_LOG_KEYS = ('"unixTime"', '"calendarTime"', '"hostIdentifier"', '"epoch"', '"counter"')


def detect_table(columns: set[str], query_name: str = "") -> str | None:
    """The osquery table a row comes from, by its columns, else by the scheduled query's name."""
    c = columns
    if "bundle_identifier" in c or "bundle_short_version" in c:
        return "apps"
    if c & {"identifying_number", "uninstall_string", "install_source"} or "publisher" in c:
        return "programs"
    if "maintainer" in c or "admindir" in c or {"revision", "arch"} <= c:
        return "deb_packages"
    if "package_group" in c or ("release" in c and c & {"epoch", "sha1", "vendor"}):
        return "rpm_packages"
    if "identifier" in c and c & {"update_url", "permissions", "optional_permissions", "profile", "persistent"}:
        return "chrome_extensions"
    if "directory" in c or {"summary", "license"} <= c:
        return "python_packages"
    if query_name:
        low = query_name.lower()
        for table in sorted(TABLES, key=len, reverse=True):
            if re.search(rf"(^|[^a-z]){table}($|[^a-z])", low) or low.endswith(table):
                return table
    if not query_name and "name" in c and "path" in c and c <= {"name", "path", "version", "prefix"}:
        return "homebrew_packages"
    return None


def _text(path: str, where: str, row: dict[str, Any], key: str) -> str:
    """A TEXT column: osquery always writes these as strings (--logger_numerics only affects numbers)."""
    return expect_str(path, where, row.get(key))


def row_component(path: str, table: str | None, row: Any, location: str, ptr: str) -> Component:
    """One osquery row as a component. ``ptr`` names the row in error messages."""
    expect_object(path, ptr, row, "a row object")
    name = _text(path, f"{ptr}/name", row, "name").strip()
    version = _text(path, f"{ptr}/version", row, "version").strip()
    vendor_fields: list[tuple[str, str]] = []
    identifiers: list[tuple[str, str, str]] = []
    purl = ""
    ctype = "application"
    for col in VENDOR_COLUMNS[table]:
        value = _text(path, f"{ptr}/{col}", row, col).strip()
        if value:
            vendor_fields.append((col, value))
    if table == "apps" or (table is None and "bundle_identifier" in row):
        bundle = _text(path, f"{ptr}/bundle_identifier", row, "bundle_identifier").strip()
        if bundle:
            identifiers.append(("bundle", bundle, "bundle_identifier"))
        if name.endswith(".app"):
            name = name[:-4]
        if not name:
            name = _text(path, f"{ptr}/bundle_name", row, "bundle_name").strip()
        version = (
            _text(path, f"{ptr}/bundle_short_version", row, "bundle_short_version").strip()
            or _text(path, f"{ptr}/bundle_version", row, "bundle_version").strip()
            or version
        )
    elif table == "deb_packages" and name:
        purl = f"pkg:deb/{_purl_part(name)}" + (f"@{_purl_part(version)}" if version else "")
        ctype = ""
    elif table == "rpm_packages" and name:
        release = _text(path, f"{ptr}/release", row, "release").strip()
        full = f"{version}-{release}" if version and release else version
        purl = f"pkg:rpm/{_purl_part(name)}" + (f"@{_purl_part(full)}" if full else "")
        ctype = ""
    elif table == "python_packages" and name:
        norm = pypi_name(name)
        purl = f"pkg:pypi/{_purl_part(norm)}" + (f"@{_purl_part(version)}" if version else "")
        ctype = "library"
    elif table == "chrome_extensions":
        ctype = "application"
    if not name:
        raise InputError(path, "row has no name", where=ptr)
    if purl:
        identifiers.append(("purl", purl, "purl"))
    return Component(
        name=name,
        version=version,
        vendor_fields=vendor_fields,
        identifiers=identifiers,
        purl=purl,
        location=location,
        type=ctype,
    )


def _events(path: str, text: str, problems: list[str]) -> Iterator[tuple[int, Any]]:
    """(line number, parsed event) of a results log: one JSON object, or one per line.

    A line that repeats a member name (``jsondup``) with different values is an error naming the line:
    which row or host it meant is ambiguous. With equal values it is a problem of the input.
    """
    try:
        whole = orjson.loads(text)
    except orjson.JSONDecodeError:
        whole = None
    if isinstance(whole, dict):
        yield 1, _checked(path, "line 1", text, whole, problems)
        return
    for n, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise InputError(path, f"invalid JSON in results log ({exc.msg})", where=f"line {n}") from None
        yield n, _checked(path, f"line {n}", line, event, problems)


def _checked(path: str, where: str, raw: str, event: Any, problems: list[str]) -> Any:
    """``event``, after a check for repeated member names (a colon count; an exact parse when it differs)."""
    if not isinstance(event, (dict, list)) or not may_repeat(raw, orjson.dumps(event).count(b":")):
        return event
    exact, dups = parse_exact(raw)
    if dups:
        rest, error = dups.judge_rest()
        if error is not None:
            raise InputError(path, f"{error[1]} (at {error[0]})", where=where)
        problems.extend(f"{where} {p}" for p in rest)
    return exact


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text``, one at a time (no list of them all), split at LF as osqueryd writes them: a
    CR before it is JSON whitespace, and U+2028, U+2029 or U+0085 inside a string are not line ends."""
    start, end = 0, len(text)
    find = text.find
    while start < end:
        stop = find("\n", start)
        if stop < 0:
            stop = end
        yield text[start:stop]
        start = stop + 1


# The columns ``row_component`` reads, besides each table's vendor columns: a row added to the state
# keeps only these (a results-log row carries install paths, dates, GUIDs... over many hosts).
_KEPT_COLUMNS = ("name", "version", "bundle_identifier", "bundle_name", "bundle_short_version", "bundle_version", "release")


def _line_number(comp: Component) -> int:
    return int(comp.location.split()[1])


def _purl_part(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe=".-_~+:")


class OsqueryReader:
    name: ClassVar[str] = "osquery"
    label: ClassVar[str] = "osquery JSON (osqueryi --json, results logs)"

    def sniff(self, source: Source) -> bool:
        head = source.head(4096).lstrip()
        if head.startswith("["):
            keys = set(_KEY_RE.findall(_first_object(head)))
            return "name" in keys and detect_table(keys) is not None
        if head.startswith("{"):
            line = head.split("\n", 1)[0] if head.count("\n") else head
            probe = line if '"name"' in line else head
            return '"name"' in probe and any(k in probe for k in _LOG_KEYS) and (
                '"columns"' in probe or '"snapshot"' in probe or '"diffResults"' in probe
            )
        return False

    def read(self, source: Source) -> Inventory:
        text = source.text.lstrip("\ufeff")
        if text.lstrip().startswith("["):
            return self._read_rows(source)
        return self._read_log(source, text)

    # -- osqueryi --json ------------------------------------------------------------------

    def _read_rows(self, source: Source) -> Inventory:
        path = source.path
        rows = parse_json(source)
        if not isinstance(rows, list):
            raise InputError(path, f"expected an array of rows, found {type_name(rows)}", where="/")
        columns: set[str] = set()
        for i, row in enumerate(rows):
            expect_object(path, f"/{i}", row, "a row object")
            columns.update(row)
        table = detect_table(columns)
        if table is None and rows and "name" not in columns:
            raise InputError(path, "rows have no name column: not an osquery software table", where="/0")
        components = [row_component(path, table, row, f"/{i}", f"/{i}") for i, row in enumerate(rows)]
        return Inventory(path=path, format=self.name, components=components, metadata={"table": table})

    # -- osqueryd results log ---------------------------------------------------------------

    def _read_log(self, source: Source, text: str) -> Inventory:
        path = source.path
        state: dict[tuple[str, str], dict[bytes, tuple[str | None, dict[str, Any], int, str]]] = {}
        # Insertion-ordered sets (dicts): a list's ``in`` made 100,000 hosts quadratic (201 s, 1.5 GB).
        hosts: dict[str, None] = {}
        skipped: dict[str, None] = {}
        problems: list[str] = []
        for n, ev in _events(path, text, problems):  # one event at a time: the parsed log is never held whole
            where = f"line {n}"
            expect_object(path, where, ev, "a results-log object")
            qname = ev.get("name")
            if not isinstance(qname, str):
                raise InputError(path, "results-log line has no query name (\"name\")", where=where)
            host = ev.get("hostIdentifier", ev.get("hostname", ""))
            if not isinstance(host, str):
                raise InputError(path, f"hostIdentifier must be a string, found {type_name(host)}", where=where)
            if host:
                hosts[host] = None
            bucket = state.setdefault((host, qname), {})
            action = ev.get("action")
            if "snapshot" in ev:
                rows = ev["snapshot"]
                if not isinstance(rows, list):
                    raise InputError(path, f"snapshot must be an array, found {type_name(rows)}", where=f"{where} /snapshot")
                bucket.clear()
                for i, row in enumerate(rows):
                    self._add(path, bucket, qname, row, n, f"{where} /snapshot/{i}")
            elif "columns" in ev:
                if action not in ("added", "removed"):
                    raise InputError(path, f"action must be 'added' or 'removed', found {quoted(action)}", where=f"{where} /action")
                row = ev["columns"]
                if action == "added":
                    self._add(path, bucket, qname, row, n, f"{where} /columns")
                else:
                    bucket.pop(self._key(path, row, f"{where} /columns"), None)
            elif "diffResults" in ev:
                diff = ev["diffResults"]
                if not isinstance(diff, dict):
                    raise InputError(path, f"diffResults must be an object, found {type_name(diff)}", where=f"{where} /diffResults")
                for kind in ("removed", "added"):
                    rows = diff.get(kind) or []
                    expect_list(path, f"{where} /diffResults/{kind}", rows)
                    for i, row in enumerate(rows):
                        ptr = f"{where} /diffResults/{kind}/{i}"
                        if kind == "added":
                            self._add(path, bucket, qname, row, n, ptr)
                        else:
                            bucket.pop(self._key(path, row, ptr), None)
            else:
                raise InputError(path, "results-log line has no columns, snapshot or diffResults", where=where)
        components: list[Component] = []
        by_host: dict[str, list[Component]] = {}
        tables: dict[str, str] = {}
        for (host, qname), bucket in state.items():
            for table, row, n, ptr in bucket.values():
                if table is None:
                    skipped[qname] = None
                    continue
                tables[qname] = table
                comp = row_component(path, table, row, f"line {n}", ptr)
                components.append(comp)
                by_host.setdefault(host, []).append(comp)
        for host, qname in state:
            if qname in tables:  # a host whose software rows were all removed is still a host, with none
                by_host.setdefault(host, [])
        if not components and skipped:
            raise InputError(
                path,
                f"no software-inventory query in this results log (queries: {', '.join(skipped)}); "
                f"schedule one over {', '.join(TABLES)}",
            )
        components.sort(key=_line_number)
        skipped_queries = list(skipped)
        metadata: dict[str, Any] = {"hosts": list(hosts), "queries": tables, "skipped_queries": skipped_queries}
        if len(by_host) > 1:
            metadata["sections"] = [
                Inventory(
                    path=f"{path}#host={host or '(none)'}",
                    format=self.name,
                    components=sorted(comps, key=_line_number),
                    metadata={"hosts": [host] if host else [], "queries": tables, "skipped_queries": skipped_queries},
                )
                for host, comps in sorted(by_host.items())
            ]
        return Inventory(path=path, format=self.name, components=components, metadata=metadata, problems=problems)

    @staticmethod
    def _key(path: str, row: Any, ptr: str) -> bytes:
        """The row's identity for ``removed`` events: a digest of its canonical JSON (orjson's output
        buffer keeps about 4 KB per row; 100,000 hosts' rows held it for the whole read)."""
        expect_object(path, ptr, row, "a row object")
        return blake2b(orjson.dumps(row, option=orjson.OPT_SORT_KEYS), digest_size=16).digest()

    def _add(self, path: str, bucket: dict, qname: str, row: Any, n: int, ptr: str) -> None:
        key = self._key(path, row, ptr)
        table = detect_table(set(row), qname)
        kept = {c: row[c] for c in (*_KEPT_COLUMNS, *VENDOR_COLUMNS[table]) if c in row}
        bucket[key] = (table, kept, n, ptr)
