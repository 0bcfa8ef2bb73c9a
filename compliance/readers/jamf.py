"""Jamf Pro mobile device inventory (Classic API), JSON or XML: the apps installed on one iPhone/iPad.

``GET /JSSResource/mobiledevices/id/{id}`` (or ``.../id/{id}/subset/Applications``) with
``Accept: application/json`` returns::

    {"mobile_device": {"general": {"os_type": "iOS", "name": ...},
                       "applications": [{"application_name": "Self Service",
                                         "application_version": "2021040101",
                                         "application_short_version": "10.10.6",
                                         "application_status": "Managed",
                                         "identifier": "com.jamfsoftware.selfservice"}, ...]}}

and, by default, the same record as XML (``<mobile_device><applications><size>2</size><application>
<application_name>...``). Shape confirmed against the Classic API example record reproduced in
SwiftyJamfPro's ModelTests.swift (Doug Penny / North Raleigh Christian Academy) and the Jamf
developer reference for mobile devices. ``identifier`` is the app's bundle id and becomes a ``bundle``
identifier; Jamf Pro manages Apple devices only.
"""

from __future__ import annotations

from typing import Any, ClassVar
from xml.etree.ElementTree import Element

from compliance.errors import InputError
from compliance.model import Component, Inventory
from compliance.readers.base import Source, expect_list, expect_object, scalar_str
from compliance.readers.cyclonedx_json import parse_json
from compliance.readers.xmlsafe import parse_xml


def _app(name: str, version: str, short: str, bundle: str, status: str, where: str) -> Component:
    return Component(
        name=name or bundle,
        version=short or version,
        identifiers=[("bundle", bundle, "identifier")] if bundle else [],
        location=where,
        type=f"ios-app ({status.lower()})" if status else "ios-app",
    )


class JamfMobileDeviceReader:
    name: ClassVar[str] = "jamf-mobile-device"
    label: ClassVar[str] = "Jamf Pro Classic API mobile device record (JSON or XML) with its applications"

    def sniff(self, source: Source) -> bool:
        head = source.head(4096).lstrip("\ufeff \t\r\n")
        if head.startswith("{"):
            return '"mobile_device"' in head[:200]
        if head.startswith("<"):
            body = head
            if body.startswith("<?xml"):
                body = body[body.find("?>") + 2 :].lstrip()
            return body.startswith("<mobile_device>")
        return False

    def read(self, source: Source) -> Inventory:
        head = source.head(64).lstrip("\ufeff \t\r\n")
        if head.startswith("<"):
            components, meta = self._read_xml(source)
        else:
            components, meta = self._read_json(source)
        return Inventory(path=source.path, format=self.name, components=components, metadata=meta)

    def _read_json(self, source: Source) -> tuple[list[Component], dict[str, Any]]:
        path = source.path
        doc = parse_json(source)
        if not isinstance(doc, dict) or not isinstance(doc.get("mobile_device"), dict):
            raise InputError(path, "expected an object with a 'mobile_device' object", where="/")
        device = doc["mobile_device"]
        general = device.get("general") if isinstance(device.get("general"), dict) else {}
        apps = device.get("applications")
        if apps is None:
            apps = []
        expect_list(path, "/mobile_device/applications", apps)
        out: list[Component] = []
        for i, app in enumerate(apps):
            ptr = f"/mobile_device/applications/{i}"
            expect_object(path, ptr, app, "an application object")
            name = scalar_str(path, f"{ptr}/application_name", app.get("application_name"))
            bundle = scalar_str(path, f"{ptr}/identifier", app.get("identifier"))
            if not name and not bundle:
                raise InputError(path, "application has neither application_name nor identifier", where=ptr)
            out.append(
                _app(
                    name,
                    scalar_str(path, f"{ptr}/application_version", app.get("application_version")),
                    scalar_str(path, f"{ptr}/application_short_version", app.get("application_short_version")),
                    bundle,
                    scalar_str(path, f"{ptr}/application_status", app.get("application_status")),
                    ptr,
                )
            )
        meta = {
            "device": scalar_str(path, "/mobile_device/general/name", general.get("name")),
            "os_type": scalar_str(path, "/mobile_device/general/os_type", general.get("os_type")),
            "applications_section": "applications" in device,
        }
        return out, meta

    def _read_xml(self, source: Source) -> tuple[list[Component], dict[str, Any]]:
        root = parse_xml(source)
        if root.tag != "mobile_device":
            raise InputError(source.path, f"root element is <{root.tag}>, expected <mobile_device>")

        def text(el: Element | None, tag: str) -> str:
            if el is None:
                return ""
            child = el.find(tag)
            return (child.text or "").strip() if child is not None else ""

        general = root.find("general")
        section = root.find("applications")
        out: list[Component] = []
        if section is not None:
            for i, app in enumerate(section.findall("application"), start=1):
                where = f"/mobile_device/applications/application[{i}]"
                name, bundle = text(app, "application_name"), text(app, "identifier")
                if not name and not bundle:
                    raise InputError(source.path, "application has neither application_name nor identifier", where=where)
                out.append(
                    _app(
                        name,
                        text(app, "application_version"),
                        text(app, "application_short_version"),
                        bundle,
                        text(app, "application_status"),
                        where,
                    )
                )
        meta = {
            "device": text(general, "name"),
            "os_type": text(general, "os_type"),
            "applications_section": section is not None,
        }
        return out, meta
