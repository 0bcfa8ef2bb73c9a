"""``winget export -o packages.json``: the packages winget can see on a Windows machine.

Shape confirmed against microsoft/winget-cli ``schemas/JSON/packages/packages.schema.2.0.json``
(``Sources[].SourceDetails{Name, Identifier, Argument, Type}``, ``Sources[].Packages[]`` with the
required ``PackageIdentifier`` and optional ``Version``, ``Channel``, ``Scope``) and real exports on
GitHub (e.g. buddhiko1/system, WebPavel.github.io). winget exports no display name or publisher, so
the component name is the identifier and the evidence is the ``winget`` identifier alone.
Packages from the ``msstore`` source carry Microsoft Store product ids (``9NBLGGH4NNS1``) instead.
"""

from __future__ import annotations

from typing import Any, ClassVar

from compliance.errors import InputError
from compliance.model import Component, Inventory
from compliance.readers.base import Source, expect_list, expect_object, expect_str
from compliance.readers.cyclonedx_json import parse_json

SCHEMA_MARK = "winget-packages.schema"


class WingetExportReader:
    name: ClassVar[str] = "winget-export"
    label: ClassVar[str] = "winget export JSON"

    def sniff(self, source: Source) -> bool:
        head = source.head(4096)
        if not head.lstrip().startswith("{"):
            return False
        if SCHEMA_MARK in head:
            return True
        return '"Sources"' in head and '"PackageIdentifier"' in head

    def read(self, source: Source) -> Inventory:
        path = source.path
        doc = parse_json(source)
        expect_object(path, "/", doc, "a winget export object")
        sources = doc.get("Sources")
        if sources is None:
            raise InputError(path, "winget export has no Sources array", where="/Sources")
        expect_list(path, "/Sources", sources)
        components: list[Component] = []
        source_names: list[str] = []
        for i, src in enumerate(sources):
            ptr = f"/Sources/{i}"
            expect_object(path, ptr, src)
            details = src.get("SourceDetails")
            source_name = ""
            if details is not None:
                expect_object(path, f"{ptr}/SourceDetails", details)
                source_name = expect_str(path, f"{ptr}/SourceDetails/Name", details.get("Name"))
            source_names.append(source_name)
            packages = src.get("Packages")
            if packages is None:
                raise InputError(path, "source has no Packages array", where=f"{ptr}/Packages")
            expect_list(path, f"{ptr}/Packages", packages)
            for j, pkg in enumerate(packages):
                components.append(_package(path, f"{ptr}/Packages/{j}", pkg))
        return Inventory(
            path=path,
            format=self.name,
            components=components,
            metadata={
                "schema": _opt_str(doc.get("$schema")),
                "creationDate": _opt_str(doc.get("CreationDate")),
                "wingetVersion": _opt_str(doc.get("WinGetVersion")),
                "sources": source_names,
            },
        )


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _package(path: str, ptr: str, pkg: Any) -> Component:
    expect_object(path, ptr, pkg, "a package object")
    ident = pkg.get("PackageIdentifier")
    if ident is None:
        raise InputError(path, "package has no PackageIdentifier", where=ptr)
    ident = expect_str(path, f"{ptr}/PackageIdentifier", ident).strip()
    if not ident:
        raise InputError(path, "PackageIdentifier is empty", where=f"{ptr}/PackageIdentifier")
    version = expect_str(path, f"{ptr}/Version", pkg.get("Version"))
    return Component(
        name=ident,
        version=version,
        identifiers=[("winget", ident, "PackageIdentifier")],
        location=ptr,
        type="application",
    )
