"""Microsoft Intune "Discovered apps" CSV exports (AppInvAggregate and AppInvRawData).

Intune admin center > Apps > Monitor > Discovered apps > Export, and the Graph export job
``POST /beta/deviceManagement/reports/exportJobs {"reportName": "AppInvAggregate", "format": "csv"}``,
produce a zipped CSV whose columns are the report's property names. Confirmed on Microsoft Learn,
"Intune reports and properties available using Graph API" (reports-export-graph-available-reports):

- AppInvAggregate: ApplicationId, ApplicationKey, ApplicationName, ApplicationPublisher,
  ApplicationShortVersion, ApplicationVersion, DeviceCount, Platform
- AppInvRawData: ApplicationKey, ApplicationName, ApplicationPublisher, ApplicationShortVersion,
  ApplicationVersion, DeviceId, DeviceName, EmailAddress, OSDescription, OSVersion, Platform, UserId,
  UserName

(an independent public importer checks the same header order, ApplicationKey first). The export may
carry a UTF-8 BOM. Display-titled exports ("Application name", "Device count"...) could not be
confirmed and are left to the generic CSV reader, which understands those titles.

Intune does not document what ApplicationId holds for mobile apps, so no identifier is derived from
it. When an Android or Apple row's ApplicationName is itself a reverse-DNS id (``com.tencent.mm``), it
is also kept as an ``android``/``bundle`` identifier; otherwise identity comes from
ApplicationPublisher and the product name.
"""

from __future__ import annotations

from typing import ClassVar

from compliance.errors import InputError
from compliance.model import Component, Inventory
from compliance.readers.base import Source
from compliance.readers.tabular import (
    cell,
    norm_header,
    platform_kind,
    read_table,
    reverse_dns,
    sniff_header_names,
)

_MARKERS = frozenset(norm_header(c) for c in ("ApplicationPublisher", "ApplicationKey", "DeviceCount", "ApplicationShortVersion"))


class IntuneDiscoveredAppsReader:
    name: ClassVar[str] = "intune-discovered-apps"
    label: ClassVar[str] = "Microsoft Intune Discovered apps export (AppInvAggregate / AppInvRawData CSV)"

    def sniff(self, source: Source) -> bool:
        norm = sniff_header_names(source)
        return norm is not None and "applicationname" in norm and len(norm & _MARKERS) >= 2

    def read(self, source: Source) -> Inventory:
        table = read_table(source)
        i_name = table.col("applicationname")
        if i_name is None:
            raise InputError(
                source.path, f"no ApplicationName column; the header is: {', '.join(table.header)}", where="row 1"
            )
        i_pub = table.col("applicationpublisher")
        i_ver = table.col("applicationversion")
        i_short = table.col("applicationshortversion")
        i_plat = table.col("platform")
        i_key = table.col("applicationkey")
        i_dev = table.col("devicename")
        components: list[Component] = []
        platforms: dict[str, int] = {}
        devices: set[str] = set()
        skipped = 0
        for row_no, row in table:
            name = cell(row, i_name)
            if not name:
                skipped += 1
                continue
            publisher = cell(row, i_pub)
            platform = cell(row, i_plat)
            if platform:
                platforms[platform] = platforms.get(platform, 0) + 1
            if i_dev is not None and cell(row, i_dev):
                devices.add(cell(row, i_dev))
            identifiers = []
            kind = platform_kind(platform)
            if kind and reverse_dns(name):
                identifiers.append((kind, name, "ApplicationName"))
            components.append(
                Component(
                    name=name,
                    version=cell(row, i_ver) or cell(row, i_short),
                    vendor_fields=[("ApplicationPublisher", publisher)] if publisher else [],
                    identifiers=identifiers,
                    bom_ref=cell(row, i_key),
                    location=f"row {row_no}",
                    type=f"application ({platform})" if platform else "application",
                )
            )
        meta: dict[str, object] = {
            "report": "AppInvRawData" if i_dev is not None else "AppInvAggregate",
            "platforms": platforms,
            "skipped_without_name": skipped,
        }
        if devices:
            meta["devices"] = len(devices)
        return Inventory(path=source.path, format=self.name, components=components, metadata=meta)
