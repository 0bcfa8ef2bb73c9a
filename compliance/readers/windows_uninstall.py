"""Windows "Uninstall" registry exports made with PowerShell (CSV and JSON).

The command, run on the machine being checked::

    Get-ItemProperty HKLM:\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*,
        HKLM:\\Software\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*,
        HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\* | Export-Csv apps.csv

(or ``| ConvertTo-Json``). Shapes confirmed against public material:

- Column and property names (DisplayName, DisplayVersion, Publisher, InstallDate, InstallLocation,
  UninstallString, URLInfoAbout, PSChildName...): scripts in HP04Harsh/Powershell-Tutorials
  (HandsOn/SoftwareList.ps1), fabio-e-azevedo/learning-powershell (list-all-installed-software.ps1) and
  a commented real ``Get-ItemProperty`` record (PSChildName = the MSI ProductCode GUID) found in
  public code.
- ``ConvertTo-Json`` of ``Get-ItemProperty`` on the registry adds PSPath
  ("Microsoft.PowerShell.Core\\Registry::HKEY_LOCAL_MACHINE\\..."), PSParentPath, PSChildName, and
  PSDrive/PSProvider as nested objects (Windows PowerShell 5.1) or strings; one object instead of an
  array when only one key matched.
- Windows PowerShell 5.1 ``Export-Csv`` writes ``#TYPE System.Management.Automation.PSCustomObject``
  (``#TYPE Selected....`` after Select-Object) unless ``-NoTypeInformation`` (PowerShell/PowerShell
  issue #5131), quotes every value, takes its columns from the FIRST object only, and defaults to
  ASCII, turning 腾讯科技(深圳)有限公司 into ``??????(??)????`` (Microsoft Learn Export-Csv 5.1;
  t0pcyber/hawk issue #81). Such lossy values are counted in ``metadata["ascii_lossy_values"]``.
  ``> file`` / ``Out-File`` / ``-Encoding Unicode`` give UTF-16LE with a BOM.

Keys without a DisplayName (patch entries, leftovers) are not shown in Programs and Features; they are
skipped and counted in ``metadata["skipped_without_displayname"]``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from compliance.errors import InputError
from compliance.model import Component, Inventory
from compliance.readers.base import Source, expect_object, scalar_str, type_name
from compliance.readers.cyclonedx_json import parse_json
from compliance.readers.tabular import Shared, Table, norm_header, read_table, sniff_header_names, tally_rows

# Registry value names that only the Uninstall key carries; one of them next to DisplayName is enough.
_UNINSTALL_COLUMNS = frozenset(
    norm_header(c)
    for c in (
        "DisplayVersion",
        "Publisher",
        "UninstallString",
        "QuietUninstallString",
        "InstallLocation",
        "PSChildName",
        "PSPath",
        "URLInfoAbout",
        "EstimatedSize",
        "SystemComponent",
        "WindowsInstaller",
    )
)
def _component(name: str, version: str, publisher: str, key: str, location: str) -> Component:
    vendor_fields = [("publisher", publisher)] if publisher else []
    return Component(
        name=name,
        version=version,
        vendor_fields=vendor_fields,
        bom_ref=key,
        location=location,
        type="application",
    )


class WindowsUninstallCSVReader:
    """``Get-ItemProperty ...\\Uninstall\\* | Export-Csv`` (with or without ``#TYPE``; UTF-8/UTF-16)."""

    name: ClassVar[str] = "windows-uninstall-csv"
    label: ClassVar[str] = "Windows Uninstall registry export (PowerShell Export-Csv)"

    def sniff(self, source: Source) -> bool:
        norm = sniff_header_names(source)
        return norm is not None and "displayname" in norm and bool(norm & _UNINSTALL_COLUMNS)

    def read(self, source: Source) -> Inventory:
        table = read_table(source)
        i_name = table.col("displayname")
        if i_name is None:
            raise InputError(
                source.path,
                f"no DisplayName column; the header is: {', '.join(table.header)}",
                where="row 1",
            )
        i_ver = table.col("displayversion")
        i_pub = table.col("publisher")
        i_key = table.col("pschildname")
        shared = Shared("publisher")
        components: Any = source.sink
        if components is not None:  # a scan: keys matched as they are read ("??": Export-Csv -Encoding ASCII)
            skipped, lossy = tally_rows(
                source, table, components, shared, name=i_name, version=i_ver, vendor=i_pub, key=i_key, lossy=True
            )
        else:
            components, skipped, lossy = _components(table, shared, i_name, i_ver, i_pub, i_key)
        meta: dict[str, Any] = {
            "skipped_without_displayname": skipped,
            "type_line": table.type_line,
            "encoding": source.encoding,
            "has_publisher_column": i_pub is not None,
        }
        if lossy:
            meta["ascii_lossy_values"] = lossy
        return Inventory(path=source.path, format=self.name, components=components, metadata=meta)




def _components(
    table: Table, shared: Shared, i_name: int, i_ver: int | None, i_pub: int | None, i_key: int | None
) -> tuple[list[Component], int, int]:
    """One component per registry key with a DisplayName; the keys without one; those with "??"."""
    components: list[Component] = []
    text, vendor_list = shared.text, shared.vendor_list
    skipped = lossy = 0
    for row_no, row in table:
        name = row[i_name].strip()
        if not name:
            skipped += 1
            continue
        publisher = row[i_pub].strip() if i_pub is not None else ""
        if "??" in publisher or "??" in name:  # Export-Csv -Encoding ASCII lost characters
            lossy += 1
        version = row[i_ver].strip() if i_ver is not None else ""
        components.append(
            Component(
                text(name, name), text(version, version), vendor_list(publisher), [], "",
                row[i_key].strip() if i_key is not None else "", f"row {row_no}", "application",
            )
        )
    return components, skipped, lossy


def _looks_like_uninstall_json(head: str) -> bool:
    s = head.lstrip("\ufeff \t\r\n")
    if not s.startswith(("[", "{")):
        return False
    if '"DisplayName"' not in head:
        return False
    return any(f'"{k}"' in head for k in ("PSChildName", "PSPath", "UninstallString", "DisplayVersion", "Publisher"))


class WindowsUninstallJSONReader:
    """``Get-ItemProperty ...\\Uninstall\\* | ConvertTo-Json``: an array of objects, or one object."""

    name: ClassVar[str] = "windows-uninstall-json"
    label: ClassVar[str] = "Windows Uninstall registry export (PowerShell ConvertTo-Json)"

    def sniff(self, source: Source) -> bool:
        return _looks_like_uninstall_json(source.head(8192))

    def read(self, source: Source) -> Inventory:
        doc = parse_json(source)
        if isinstance(doc, dict):
            items: list[tuple[str, Any]] = [("", doc)]
        elif isinstance(doc, list):
            items = [(f"/{i}", obj) for i, obj in enumerate(doc)]
        else:
            raise InputError(source.path, f"expected an array of registry entries, found {type_name(doc)}", where="/")
        path = source.path
        components: list[Component] = []
        skipped = 0
        for ptr, obj in items:
            expect_object(path, ptr or "/", obj, "a registry entry object")
            name = scalar_str(path, f"{ptr}/DisplayName", obj.get("DisplayName"))
            if not name:
                skipped += 1
                continue
            components.append(
                _component(
                    name,
                    scalar_str(path, f"{ptr}/DisplayVersion", obj.get("DisplayVersion")),
                    scalar_str(path, f"{ptr}/Publisher", obj.get("Publisher")),
                    scalar_str(path, f"{ptr}/PSChildName", obj.get("PSChildName")),
                    ptr or "/",
                )
            )
        return Inventory(
            path=source.path,
            format=self.name,
            components=components,
            metadata={"skipped_without_displayname": skipped, "entries": len(items)},
        )
