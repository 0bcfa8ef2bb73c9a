"""Linux package-manager listings: ``dpkg -l``, ``dpkg-query -W``, ``rpm -qa`` and ``rpm -qa --qf``.

Shapes confirmed against public material:

- ``dpkg -l``: the ``Desired=Unknown/Install/Remove/Purge/Hold`` / ``| Status=...`` / ``|/ Err?=...`` /
  ``||/ Name Version Architecture Description`` / ``+++-===...`` header and ``ii  name  version  arch
  description`` rows (tigefa/tigefa dpkg-l.md, an Ubuntu 14.04 listing; dpkg-query(1) on
  manpages.ubuntu.com). Old dpkg (before multiarch) has no Architecture column; multiarch names carry
  ``:amd64``. The description is free text written by the packager and is never read for matching.
- ``dpkg-query -W -f='${Package}\\t${Version}\\t${Maintainer}\\n'``: dpkg-query(1) format fields;
  Maintainer is ``Name <email>`` (Debian Policy 5.6.2), the e-mail part is dropped.
- ``rpm -qa``: NVRA strings such as ``kesl-12.0.0-6672.x86_64`` (the Kaspersky distribution file names
  on products.s.kaspersky-labs.com, quoted in public install scripts) and ``gpg-pubkey-<id>-<date>``
  (no architecture).
- ``rpm -qa --qf '%{NAME}\\t%{VERSION}\\t%{VENDOR}\\n'``: rpm prints ``(none)`` for an unset tag.

The two tab-separated query forms have the same layout; a Maintainer always carries an e-mail address
and an rpm VENDOR practically never does, so the e-mail decides (``--input-format`` overrides).

Package names are chosen by packagers, so every component gets a namespace-less purl
(``pkg:deb/<name>@<version>``, ``pkg:rpm/<name>@<version>``): honest (no distro namespace is invented)
and it tells the matcher not to trust the bare name. Identity comes only from Maintainer/Vendor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar
from urllib.parse import quote

from compliance.errors import InputError
from compliance.model import Component, Inventory
from compliance.readers.base import Source, open_text

_EMAIL = re.compile(r"<[^<>@\s]+@[^<>\s]+>")
_VERSIONISH = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+~:_\-]*$")
RPM_ARCHES = frozenset(
    ["noarch", "x86_64", "i386", "i486", "i586", "i686", "aarch64", "armv7hl", "armv7l", "armhfp", "ppc64", "ppc64le", "s390x", "riscv64", "src", "nosrc"]
)


def _purl(ptype: str, name: str, version: str, arch: str = "") -> str:
    out = f"pkg:{ptype}/{quote(name, safe='+.-_~')}"
    if version:
        out += "@" + quote(version, safe="+.-_~")
    if arch:
        out += "?arch=" + quote(arch, safe="_-")
    return out


def _lines(source: Source) -> Iterator[tuple[int, str]]:
    """Numbered lines (split at LF, CR dropped) as they are decoded: no copy of the whole text."""
    stream, nul_line = open_text(source, newline="\n")
    if nul_line is not None:
        raise InputError(source.path, "contains a NUL character: not a text listing", where=f"line {nul_line}")
    for n, line in enumerate(stream, start=1):
        if n == 1:
            line = line.lstrip("\ufeff")
        yield n, (line[:-1] if line.endswith("\n") else line).rstrip("\r")


def _head_lines(source: Source, limit: int = 20) -> list[str]:
    lines = [ln.rstrip("\r") for ln in source.head(4096).lstrip("\ufeff").split("\n")]
    if len(lines) > 1:
        lines = lines[:-1]  # possibly cut off by the head size
    return [ln for ln in lines if ln.strip()][:limit]


def _maintainer_name(value: str) -> str:
    """``Jane Doe <jane@example.org>`` -> ``Jane Doe``; a bare address is kept as it is."""
    stripped = _EMAIL.sub("", value).strip().strip(",").strip()
    return stripped or value.strip()


# -- dpkg -l -----------------------------------------------------------------------------------


class DpkgListReader:
    name: ClassVar[str] = "dpkg-list"
    label: ClassVar[str] = "Debian/Ubuntu 'dpkg -l' listing"

    def sniff(self, source: Source) -> bool:
        head = source.head(4096).lstrip("\ufeff")
        return head.startswith("Desired=") or "\n||/ Name" in head[:2048] or head.startswith("||/ Name")

    def read(self, source: Source) -> Inventory:
        components: list[Component] = []
        has_arch = True
        seen_rule = False
        not_installed = 0
        for n, line in _lines(source):
            if not line.strip():
                continue
            if not seen_rule:
                if line.startswith("+++-"):
                    # One '=' run per column: 4 with Architecture (dpkg >= 1.16.2), 3 before. Counting
                    # runs rather than reading the (translated) column titles works in every locale.
                    has_arch = len([g for g in line[4:].split("-") if g.strip("=") == "" and g]) >= 4
                    seen_rule = True
                elif not line.startswith(("Desired=", "|")):
                    raise InputError(source.path, "expected the 'dpkg -l' header block", where=f"line {n}")
                continue
            parts = line.split(None, 4 if has_arch else 3)
            if len(parts) < (4 if has_arch else 3) or len(parts[0]) < 2 or len(parts[0]) > 3:
                raise InputError(source.path, "not a 'dpkg -l' package row", where=f"line {n}")
            status = parts[0]
            if status[1] in ("n", "c"):  # not installed, or only configuration files left
                not_installed += 1
                continue
            raw_name, version = parts[1], parts[2]
            arch = parts[3] if has_arch else ""
            name, _, name_arch = raw_name.partition(":")
            arch = arch or name_arch
            components.append(
                Component(
                    name=name,
                    version=version,
                    purl=_purl("deb", name, version, arch),
                    location=f"line {n}",
                    type="deb",
                )
            )
        if not seen_rule:
            raise InputError(source.path, "the 'dpkg -l' header has no '+++-===' line; output is cut short")
        return Inventory(
            path=source.path,
            format=self.name,
            components=components,
            metadata={"not_installed_rows": not_installed, "has_architecture_column": has_arch},
        )


# -- tab-separated queries (dpkg-query -W -f / rpm -qa --qf) ------------------------------------


def _tab_rows(source: Source) -> Iterator[tuple[int, list[str]]]:
    for n, line in _lines(source):
        if line.strip():
            yield n, line.split("\t")


_TAB_NAME = re.compile(r"^[A-Za-z0-9_+][A-Za-z0-9_+.\-]*(?::[a-z0-9_\-]+)?$")  # dpkg multiarch adds ":amd64"


def _tab_row_ok(fields: list[str]) -> bool:
    return len(fields) in (2, 3) and bool(_TAB_NAME.match(fields[0].strip())) and bool(_VERSIONISH.match(fields[1].strip()))


def _tab_kind(rows: list[list[str]]) -> str | None:
    """``deb`` when the third field carries e-mail addresses (Maintainer), ``rpm`` otherwise."""
    if not rows or not all(_tab_row_ok(r) for r in rows):
        return None
    third = [r[2] for r in rows if len(r) == 3 and r[2].strip()]
    if not third:
        return None
    with_mail = sum(1 for v in third if _EMAIL.search(v))
    return "deb" if with_mail * 2 > len(third) else "rpm"


class _TabQueryReader:
    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    kind: ClassVar[str] = ""
    vendor_field: ClassVar[str] = ""

    def sniff(self, source: Source) -> bool:
        rows = [ln.split("\t") for ln in _head_lines(source)]
        return _tab_kind(rows) == self.kind

    def read(self, source: Source) -> Inventory:
        components: list[Component] = []
        for n, fields in _tab_rows(source):
            if not _tab_row_ok(fields):
                raise InputError(
                    source.path,
                    f"expected NAME<TAB>VERSION<TAB>{self.vendor_field.upper()}, found {len(fields)} field(s)",
                    where=f"line {n}",
                )
            name, version = fields[0].strip(), fields[1].strip()
            vendor = fields[2].strip() if len(fields) == 3 else ""
            if vendor == "(none)":
                vendor = ""
            if self.kind == "deb":
                vendor = _maintainer_name(vendor) if vendor else ""
                name, _, arch = name.partition(":")
            else:
                arch = ""
            components.append(
                Component(
                    name=name,
                    version=version,
                    vendor_fields=[(self.vendor_field, vendor)] if vendor else [],
                    purl=_purl(self.kind, name, version, arch),
                    location=f"line {n}",
                    type=self.kind,
                )
            )
        return Inventory(path=source.path, format=self.name, components=components, metadata={})


class DpkgQueryReader(_TabQueryReader):
    name: ClassVar[str] = "dpkg-query"
    label: ClassVar[str] = "dpkg-query -W -f='${Package}\\t${Version}\\t${Maintainer}\\n'"
    kind: ClassVar[str] = "deb"
    vendor_field: ClassVar[str] = "maintainer"


class RpmQueryReader(_TabQueryReader):
    name: ClassVar[str] = "rpm-query"
    label: ClassVar[str] = "rpm -qa --qf '%{NAME}\\t%{VERSION}\\t%{VENDOR}\\n'"
    kind: ClassVar[str] = "rpm"
    vendor_field: ClassVar[str] = "vendor"


# -- rpm -qa (NVRA) ------------------------------------------------------------------------------

_NVRA = re.compile(r"^(?P<name>[A-Za-z0-9_+][A-Za-z0-9_+.\-]*?)-(?P<ver>[^-\s]+)-(?P<rel>[^-\s]+)$")


def split_nvra(text: str) -> tuple[str, str, str, str] | None:
    """``kesl-12.0.0-6672.x86_64`` -> (kesl, 12.0.0, 6672, x86_64). Names may contain '-'; version and
    release may not, so the last two '-' separate them. The architecture is the last '.' part only when
    it is a known rpm architecture (``gpg-pubkey-...`` has none)."""
    body, arch = text, ""
    dot = text.rfind(".")
    if dot > 0 and text[dot + 1 :] in RPM_ARCHES:
        body, arch = text[:dot], text[dot + 1 :]
    m = _NVRA.match(body)
    if m is None:
        return None
    return m.group("name"), m.group("ver"), m.group("rel"), arch


class RpmListReader:
    name: ClassVar[str] = "rpm-qa"
    label: ClassVar[str] = "rpm -qa listing (name-version-release.arch)"

    def sniff(self, source: Source) -> bool:
        lines = [ln.strip() for ln in _head_lines(source)]
        if not lines or any(" " in ln or "\t" in ln for ln in lines):
            return False
        parsed = [split_nvra(ln) for ln in lines]
        # Every line must split, and at least one must carry a known architecture: this is what tells
        # an rpm listing apart from any other list of hyphenated words.
        return all(parsed) and any(p[3] for p in parsed if p)

    def read(self, source: Source) -> Inventory:
        components: list[Component] = []
        for n, line in _lines(source):
            text = line.strip()
            if not text:
                continue
            parts = split_nvra(text)
            if parts is None:
                raise InputError(source.path, f"not a name-version-release string: {text[:80]!r}", where=f"line {n}")
            name, ver, rel, arch = parts
            components.append(
                Component(
                    name=name,
                    version=f"{ver}-{rel}",
                    purl=_purl("rpm", name, f"{ver}-{rel}", arch),
                    location=f"line {n}",
                    type="rpm",
                )
            )
        return Inventory(path=source.path, format=self.name, components=components, metadata={})
