"""Any CSV/TSV with a header row: asset-management exports, spreadsheets, MDM app lists.

Columns are found by their header (case, spaces and punctuation ignored), or named explicitly with
``--columns name=App,vendor=Maker,version=Ver,bundle=Bundle,android=Pkg,purl=PURL,cpe=CPE,winget=Id``.
Detection is deliberately conservative: the first line must be a header of short labels of which at
least one is a product-name or identifier column this module knows. Random text is therefore "format
not recognised" rather than a silent empty pass.

Two readers share this code:

- ``mobile-apps-csv``: a header with a bundle/package id column (Bundle Identifier, bundle_id,
  BundleID, Package, package_name, App ID...), as exported by MDM consoles and app-vetting tools. Ids
  become ``bundle`` identifiers, or ``android`` when the column is an Android "package" column or a
  Platform/OS column says Android on that row.
- ``csv``: everything else with a product column. It is the last reader in ``READERS``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from compliance.errors import InputError
from compliance.model import Component, Inventory
from compliance.readers.base import Source
from compliance.readers.tabular import (
    Shared,
    Table,
    head_header,
    looks_like_header,
    norm_header,
    platform_kind,
    read_table,
    reverse_dns,
    tally_rows,
)
from compliance.untrusted import capped, quoted

# Normalised header spellings per role, most specific first.
ROLE_HEADERS: dict[str, tuple[str, ...]] = {
    "name": (
        "displayname", "productname", "softwarename", "applicationname", "appname", "programname",
        "name", "product", "software", "application", "app", "title", "program",
    ),
    "vendor": (
        "publisher", "vendor", "vendorname", "manufacturer", "supplier", "company", "companyname",
        "developer", "developername", "publishername", "maker",
    ),
    "version": (
        "version", "displayversion", "productversion", "softwareversion", "applicationversion",
        "appversion", "shortversion", "versionstring",
    ),
    "bundle": ("bundleid", "bundleidentifier", "bundle", "appid", "applicationidentifier", "appidentifier"),
    "android": ("packagename", "package", "androidpackage", "androidpackagename", "packageid"),
    "purl": ("purl", "packageurl"),
    "cpe": ("cpe", "cpe23", "cpename", "cpe23uri"),
    "winget": ("wingetid", "winget", "wingetpackageid", "packageidentifier"),
    "platform": ("platform", "os", "ostype", "operatingsystem", "devicetype"),
}
ROLES = tuple(ROLE_HEADERS)
IDENTIFIER_ROLES = ("bundle", "android", "purl", "cpe", "winget")
MOBILE_ROLES = ("bundle", "android")


def detect_roles(norm: list[str]) -> dict[str, int]:
    """Column index per role from normalised headers; each column serves at most one role."""
    index: dict[str, int] = {}
    for i, n in enumerate(norm):
        index.setdefault(n, i)
    used: set[int] = set()
    out: dict[str, int] = {}
    for role, names in ROLE_HEADERS.items():
        for n in names:
            i = index.get(n)
            if i is not None and i not in used:
                out[role] = i
                used.add(i)
                break
    return out


def mapped_roles(source: Source, table: Table) -> dict[str, int]:
    """Roles from ``--columns``; any other role still comes from the header. Unknown names are errors."""
    mapping: dict[str, str] = source.options.get("columns") or {}
    roles = detect_roles(table.norm)
    if not mapping:
        return roles
    for role, column in mapping.items():
        if role not in ROLES:
            raise InputError(
                source.path, f"--columns: unknown role {role!r}; roles are: {', '.join(ROLES)}", where="row 1"
            )
        want = column.strip()
        idx = next((i for i, h in enumerate(table.header) if h == want), None)
        if idx is None:
            idx = next((i for i, h in enumerate(table.header) if h.casefold() == want.casefold()), None)
        if idx is None:
            idx = table.index.get(norm_header(want))
        if idx is None:
            raise InputError(
                source.path,
                f"--columns: no column named {quoted(want)}; the header is: {capped(', '.join(table.header), 400)}",
                where=f"row {1 + (1 if table.type_line else 0)}",
            )
        for r, i in list(roles.items()):
            if i == idx:
                del roles[r]
        roles[role] = idx
    return roles


def _sniff_roles(source: Source) -> dict[str, int] | None:
    _t, cells = head_header(source)
    if not looks_like_header(cells):
        return None
    return detect_roles([norm_header(c) for c in cells])


def _rows_to_components(source: Source, table: Table, roles: dict[str, int]) -> tuple[Any, int]:
    """One component per row, straight from the CSV parser; in a scan the usual name/vendor/version export
    is matched as it is read instead (``tally_rows``: the scan's ``Tally``). Repeated values are stored once
    (``Shared``)."""
    i_name = roles.get("name")
    i_vendor = roles.get("vendor")
    i_version = roles.get("version")
    i_platform = roles.get("platform")
    vendor_field = table.header[i_vendor] if i_vendor is not None else ""
    name_field = table.header[i_name] if i_name is not None else "name"
    explicit = source.options.get("columns") or {}
    id_columns = [(role, roles[role], table.header[roles[role]]) for role in IDENTIFIER_ROLES if role in roles]
    platform_kinds: dict[str, str | None] = {}
    shared = Shared(vendor_field)
    text, vendor_list = shared.text, shared.vendor_list
    components: list[Component] = []
    append = components.append
    skipped = 0
    if i_name is not None and i_platform is None and not id_columns:
        # The usual asset export (name, publisher, version): nothing but three cells per row.
        if source.sink is not None:  # a scan: rows matched as they are read
            return source.sink, tally_rows(
                source, table, source.sink, shared, name=i_name, version=i_version, vendor=i_vendor, distinct=True
            )[0]
        for row_no, row in table:
            name = row[i_name].strip()
            if not name:
                skipped += 1
                continue
            version = row[i_version].strip() if i_version is not None else ""
            vendor = row[i_vendor].strip() if i_vendor is not None else ""
            append(
                Component(
                    text(name, name), text(version, version), vendor_list(vendor), [], "", "", f"row {row_no}",
                    "application",
                )
            )
        return components, skipped
    for row_no, row in table:
        platform = row[i_platform].strip() if i_platform is not None else ""
        row_kind = None
        if platform:
            if platform not in platform_kinds:
                platform_kinds[platform] = platform_kind(platform)
            row_kind = platform_kinds[platform]
        identifiers: list[tuple[str, str, str]] = []
        purl = ""
        for role, i, header in id_columns:
            value = row[i].strip()
            if not value:
                continue
            kind = role
            if row_kind is not None and role in MOBILE_ROLES and role not in explicit:
                kind = row_kind  # the row's platform says which store the id belongs to
            if role == "purl":
                purl = value
            identifiers.append((kind, value, header))
        name = row[i_name].strip() if i_name is not None else ""
        if name and row_kind is not None and not identifiers and reverse_dns(name):
            # "com.kms.free" in a name column on an Android row is the package id itself.
            identifiers.append((row_kind, name, name_field))
        if not name:
            mobile = next((v for k, v, _ in identifiers if k in MOBILE_ROLES or k == "winget"), "")
            name = mobile or (identifiers[0][1] if identifiers else "")
        if not name:
            skipped += 1
            continue
        version = row[i_version].strip() if i_version is not None else ""
        append(
            Component(
                text(name, name),
                text(version, version),
                vendor_list(row[i_vendor].strip() if i_vendor is not None else ""),
                identifiers,
                purl,
                "",
                f"row {row_no}",
                f"application ({platform})" if platform else "application",
            )
        )
    return components, skipped


class _TableReader:
    name: ClassVar[str] = ""
    label: ClassVar[str] = ""

    def _require(self, source: Source, table: Table, roles: dict[str, int]) -> None:
        if "name" not in roles and not any(r in roles for r in IDENTIFIER_ROLES):
            raise InputError(
                source.path,
                "no product-name or identifier column; name one with --columns name=COLUMN. "
                f"The header is: {', '.join(table.header)}",
                where="row 1",
            )

    def read(self, source: Source) -> Inventory:
        table = read_table(source)
        roles = mapped_roles(source, table)
        self._require(source, table, roles)
        components, skipped = _rows_to_components(source, table, roles)
        meta: dict[str, Any] = {
            "columns": {role: table.header[i] for role, i in roles.items()},
            "delimiter": {",": "comma", ";": "semicolon", "\t": "tab"}[table.delimiter],
            "skipped_empty_rows": skipped + table.blank_rows,
        }
        return Inventory(path=source.path, format=self.name, components=components, metadata=meta)


class MobileAppsCSVReader(_TableReader):
    name: ClassVar[str] = "mobile-apps-csv"
    label: ClassVar[str] = "iOS/Android app list CSV with a bundle or package id column"

    def sniff(self, source: Source) -> bool:
        roles = _sniff_roles(source)
        return roles is not None and any(r in roles for r in MOBILE_ROLES)


class GenericCSVReader(_TableReader):
    name: ClassVar[str] = "csv"
    label: ClassVar[str] = "CSV/TSV with a header row (use --columns for unusual column names)"

    def sniff(self, source: Source) -> bool:
        roles = _sniff_roles(source)
        if roles is None:
            return False
        if "name" in roles or any(r in roles for r in IDENTIFIER_ROLES):
            return True
        # --columns names the columns itself: accept any header-looking first line.
        return bool(source.options.get("columns"))
