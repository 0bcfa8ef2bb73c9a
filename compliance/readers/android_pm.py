"""Android ``adb shell pm list packages`` output, with any of ``-f``, ``-i``, ``-U``, ``--show-versioncode``.

Line grammar taken from AOSP ``PackageManagerShellCommand.runListPackages`` (frameworks/base), which
prints, in this order::

    package:[<sourceDir>=]<packageName>[ versionCode:<n>][  installer=<installer>][ uid:<uid>]

so ``-f`` gives ``package:/data/app/~~Q1w==/com.tencent.mm-Zx9==/base.apk=com.tencent.mm`` (the APK
path itself may contain ``=``, so the package is what follows the last ``=``), ``-i`` appends two
spaces and ``installer=com.android.vending`` (``installer=null`` for preinstalled apps). ``adb`` on
Windows turns line ends into CRLF; both are accepted. Each line becomes one component whose name is
the package id, with an ``android`` identifier; installers are summarised in the metadata because the
installer (Play Store, sideload, OEM store) matters when deciding how an app got onto a device.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from compliance.errors import InputError
from compliance.model import Component, Inventory
from compliance.readers.base import Source, open_text

_PKG = r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*"
_LINE = re.compile(
    r"^package:(?:(?P<path>\S*)=)?(?P<pkg>" + _PKG + r")"
    r"(?: versionCode:(?P<vc>-?\d+))?"
    r"(?:\s+installer=(?P<inst>\S+))?"
    r"(?: uid:(?P<uid>[\d,]+))?\s*$"
)


def _numbered_lines(source: Source) -> Iterator[tuple[int, str]]:
    """Lines numbered as ``str.splitlines`` numbers them, decoded as they are read (no whole-text copy)."""
    stream, _nul_line = open_text(source)  # a NUL fails the line grammar on its own line
    n = 0
    for physical in stream:
        if n == 0:
            physical = physical.lstrip("\ufeff")
        for line in physical.splitlines():
            n += 1
            yield n, line


class AndroidPackageListReader:
    name: ClassVar[str] = "android-pm-list"
    label: ClassVar[str] = "Android 'pm list packages' output (plain, -f, -i, -U, --show-versioncode)"

    def sniff(self, source: Source) -> bool:
        lines = [ln.strip() for ln in source.head(4096).lstrip("\ufeff").splitlines() if ln.strip()]
        if not lines:
            return False
        sample = lines[:20] if len(lines) > 20 else lines[:-1] or lines  # the last line may be cut off
        return all(_LINE.match(ln) for ln in sample)

    def read(self, source: Source) -> Inventory:
        components: list[Component] = []
        installers: dict[str, int] = {}
        by_package: dict[str, str] = {}
        for n, raw in _numbered_lines(source):
            line = raw.strip()
            if not line:
                continue
            m = _LINE.match(line)
            if m is None:
                shown = line if len(line) <= 80 else line[:77] + "..."
                raise InputError(source.path, f"not a 'pm list packages' line: {shown!r}", where=f"line {n}")
            pkg = m.group("pkg")
            inst = m.group("inst")
            if inst is not None:
                installers[inst] = installers.get(inst, 0) + 1
                by_package[pkg] = inst
            components.append(
                Component(
                    name=pkg,
                    version=m.group("vc") or "",
                    identifiers=[("android", pkg, "package")],
                    location=f"line {n}",
                    type="android-app",
                )
            )
        meta: dict[str, object] = {}
        if installers:
            meta["installers"] = installers
            meta["installer_by_package"] = by_package
        return Inventory(path=source.path, format=self.name, components=components, metadata=meta)
