"""macOS ``system_profiler SPApplicationsDataType -json``: the applications on a Mac.

Shape confirmed against real outputs published on GitHub (yaronp/go-gql-mac-info's
``SPApplicationsDataType`` struct; test fixtures quoting Python.app, Microsoft Edge and Apple apps):
``{"SPApplicationsDataType": [{"_name", "version"?, "obtained_from", "signed_by"?: [leaf, CA, root],
"path", "lastModified", "arch_kind", "info"?}]}``. ``obtained_from`` is ``apple``,
``identified_developer``, ``mac_app_store`` or ``unknown``.

The leaf signer ``Developer ID Application: Tencent Technology (Shenzhen) Company Limited (5A4RE8SF68)``
gives the vendor field ``signed_by`` (the organisation) and the identifier ``team_id``. Mac App Store
apps are re-signed by Apple (``Apple Mac OS Application Signing``), so they name no developer and
only their name can identify them. The bundle id is not in this output and is never guessed.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from compliance.errors import InputError
from compliance.model import Component, Inventory
from compliance.readers.base import Source, expect_list, expect_object, expect_str, require_str
from compliance.readers.cyclonedx_json import parse_json

TOP_KEY = "SPApplicationsDataType"

# Certificate kinds whose parenthesised suffix is the Apple Developer Team ID. For "Apple Development:"
# and "Mac Developer:" certificates the suffix identifies a person's certificate, not the team.
_TEAM_CERTS = (
    "Developer ID Application",
    "Apple Distribution",
    "3rd Party Mac Developer Application",
)
_PERSONAL_CERTS = ("Apple Development", "Mac Developer")
# Apple's own signers: they say nothing about who wrote an App Store app.
APPLE_SIGNERS = frozenset(
    ["Software Signing", "macOS Software Signing", "Apple Mac OS Application Signing", "Apple iPhone OS Application Signing"]
)
_SUFFIX = re.compile(r"^(?P<org>.*\S)\s+\((?P<id>[A-Z0-9]{10})\)$")


def parse_signer(leaf: str) -> tuple[str, str]:
    """``(organisation, team_id)`` from a leaf signing authority; empty strings when absent."""
    leaf = leaf.strip()
    if not leaf or leaf in APPLE_SIGNERS:
        return "", ""
    kind, sep, rest = leaf.partition(": ")
    if not sep:
        return "", ""
    m = _SUFFIX.match(rest.strip())
    org, ident = (m.group("org"), m.group("id")) if m else (rest.strip(), "")
    if kind in _TEAM_CERTS:
        return org, ident
    if kind in _PERSONAL_CERTS:
        return org, ""
    return "", ""


def app_component(path: str, ptr: str, app: Any) -> Component:
    """One entry of the ``SPApplicationsDataType`` array."""
    expect_object(path, ptr, app, "an application object")
    name = require_str(path, ptr, app.get("_name"), "_name", "application")
    version = expect_str(path, f"{ptr}/version", app.get("version"))
    expect_str(path, f"{ptr}/obtained_from", app.get("obtained_from"))
    vendor_fields: list[tuple[str, str]] = []
    identifiers: list[tuple[str, str, str]] = []
    signed_by = app.get("signed_by")
    if signed_by is not None:
        expect_list(path, f"{ptr}/signed_by", signed_by)
        for i, entry in enumerate(signed_by):
            expect_str(path, f"{ptr}/signed_by/{i}", entry, allow_none=False)
        if signed_by:
            org, team = parse_signer(signed_by[0])
            if org:
                vendor_fields.append(("signed_by", org))
            if team:
                identifiers.append(("team_id", team, "signed_by"))
    return Component(
        name=name,
        version=version,
        vendor_fields=vendor_fields,
        identifiers=identifiers,
        location=ptr,
        type="application",
    )


def parse_applications(path: str, doc: Any) -> list[Component]:
    """Every application in a parsed ``system_profiler SPApplicationsDataType -json`` document."""
    expect_object(path, "/", doc, "a system_profiler object")
    apps = doc.get(TOP_KEY)
    if apps is None:
        raise InputError(path, f"no {TOP_KEY} array (run: system_profiler {TOP_KEY} -json)", where=f"/{TOP_KEY}")
    expect_list(path, f"/{TOP_KEY}", apps)
    return [app_component(path, f"/{TOP_KEY}/{i}", app) for i, app in enumerate(apps)]


class SystemProfilerReader:
    name: ClassVar[str] = "system-profiler"
    label: ClassVar[str] = "macOS system_profiler SPApplicationsDataType -json"

    def sniff(self, source: Source) -> bool:
        head = source.head(1024)
        return head.lstrip().startswith("{") and f'"{TOP_KEY}"' in head

    def read(self, source: Source) -> Inventory:
        components = parse_applications(source.path, parse_json(source))
        return Inventory(path=source.path, format=self.name, components=components, metadata={})
