"""``complycheck collect``: a CycloneDX 1.6 SBOM of the software installed on this machine.

Built and serialised with cyclonedx-python-lib so the output is a standard BOM any tool can read,
including ``complycheck scan``. Sources per platform:

- Linux: ``dpkg-query -W`` (Package, Version, Architecture, Maintainer, status) or ``rpm -qa``
  (NAME, VERSION, RELEASE, ARCH, VENDOR), plus the Python distributions of the running interpreter.
- macOS: ``system_profiler SPApplicationsDataType -json``, parsed by the system_profiler reader.
- Windows: the ``Uninstall`` registry keys (HKLM, HKLM\\WOW6432Node, HKCU) that "Programs and
  Features" lists: ``DisplayName``, ``DisplayVersion``, ``Publisher``.

Output is deterministic: no timestamp unless asked, and a serial number derived from the host and
the component list, so two runs on an unchanged machine produce identical files.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import platform as _platform
import re
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from compliance import __version__
from compliance.errors import ComplyCheckError, InputError
from compliance.identifiers import pypi_name

RunFn = Callable[[list[str]], str]

DPKG_FORMAT = "${Package}\\t${Version}\\t${Architecture}\\t${Maintainer}\\t${db:Status-Abbrev}\\n"
RPM_FORMAT = "%{NAME}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{VENDOR}\\n"
UNINSTALL_KEYS = (
    ("HKEY_LOCAL_MACHINE", r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"),
    ("HKEY_LOCAL_MACHINE", r"SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall"),
    ("HKEY_CURRENT_USER", r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"),
)


class CollectError(ComplyCheckError):
    """The inventory command this platform needs is missing or failed (exit 2, one line)."""


@dataclass
class Found:
    """One installed item, before it becomes a CycloneDX component."""

    name: str
    version: str = ""
    kind: str = "application"  # application | library | operating-system
    supplier: str = ""
    publisher: str = ""
    author: str = ""
    purl: str = ""
    source: str = ""
    properties: dict[str, str] = field(default_factory=dict)


def run_command(argv: list[str]) -> str:
    """Run an inventory command; a missing or failing command is a one-line ``CollectError``."""
    exe = shutil.which(argv[0])
    if exe is None:
        raise CollectError(f"'{argv[0]}' is not available on this machine; cannot list installed software with it")
    try:
        proc = subprocess.run([exe, *argv[1:]], capture_output=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CollectError(f"'{' '.join(argv)}' failed: {exc}") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CollectError(f"'{' '.join(argv)}' exited with {proc.returncode}: {err[-1] if err else 'no message'}")
    return proc.stdout.decode("utf-8", "replace")


# -- Linux ---------------------------------------------------------------------------------------

_EMAIL = re.compile(r"\s*<[^>]*>\s*$")


def os_release_id(path: str = "/etc/os-release") -> str:
    """The distribution id (``debian``, ``ubuntu``, ``fedora``) used as the purl namespace."""
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                key, _, value = line.strip().partition("=")
                if key == "ID":
                    return value.strip().strip('"').lower()
    except OSError:
        pass
    return ""


def _tab_rows(output: str, tool: str, fields: int) -> Iterator[list[str]]:
    """Lines of a ``--queryformat`` listing split on tabs; a line of another shape is an error."""
    for n, line in enumerate(output.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != fields:
            raise InputError(tool, f"unexpected output line (expected {fields} tab-separated fields)", where=f"line {n}")
        yield parts


def parse_dpkg(output: str, distro: str = "") -> list[Found]:
    """Installed packages from ``dpkg-query -W -f DPKG_FORMAT`` (status ``ii``/``hi``: installed)."""
    out: list[Found] = []
    for name, version, arch, maintainer, status in _tab_rows(output, "dpkg-query", 5):
        if len(status) < 2 or status[1] != "i":
            continue  # removed with config files left (rc), half-installed...
        ns = f"{distro}/" if distro else ""
        qual = f"?arch={arch}" if arch else ""
        out.append(
            Found(
                name=name,
                version=version,
                kind="application",
                supplier=_EMAIL.sub("", maintainer).strip(),
                purl=f"pkg:deb/{ns}{name}@{_q(version)}{qual}",
                source="dpkg",
                properties={"complycheck:collect:maintainer": maintainer} if maintainer else {},
            )
        )
    return out


def parse_rpm(output: str, distro: str = "") -> list[Found]:
    """Installed packages from ``rpm -qa --queryformat RPM_FORMAT``."""
    out: list[Found] = []
    for name, version, release, arch, vendor in _tab_rows(output, "rpm", 5):
        vendor = "" if vendor == "(none)" else vendor
        full = f"{version}-{release}" if release and release != "(none)" else version
        ns = f"{distro}/" if distro else ""
        qual = f"?arch={arch}" if arch and arch != "(none)" else ""
        out.append(Found(name=name, version=full, supplier=vendor, purl=f"pkg:rpm/{ns}{name}@{_q(full)}{qual}", source="rpm"))
    return out


def python_distributions(dists: Iterable[Any] | None = None) -> list[Found]:
    """Python distributions importable by the running interpreter (importlib.metadata)."""
    out: list[Found] = []
    seen: set[tuple[str, str]] = set()
    for dist in dists if dists is not None else importlib.metadata.distributions():
        meta = dist.metadata
        name = (meta.get("Name") or "").strip()
        version = (meta.get("Version") or dist.version or "").strip()
        if not name or (name.lower(), version) in seen:
            continue
        seen.add((name.lower(), version))
        author = (meta.get("Author") or "").strip()
        if not author:
            email = (meta.get("Author-email") or "").strip()
            author = re.sub(r"\s*<[^>]*>", "", email).strip().strip('"') or email
        norm = pypi_name(name)
        out.append(Found(name=name, version=version, kind="library", author=author, purl=f"pkg:pypi/{norm}@{_q(version)}", source="python"))
    return out


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe=".-_~+")


def collect_linux(
    run: RunFn,
    *,
    include_python: bool = True,
    distro: str | None = None,
    which: Callable[[str], str | None] = shutil.which,
) -> list[Found]:
    """dpkg packages, else rpm packages, plus this interpreter's Python distributions."""
    distro = os_release_id() if distro is None else distro
    if which("dpkg-query"):
        found = parse_dpkg(run(["dpkg-query", "-W", "-f", DPKG_FORMAT]), distro)
    elif which("rpm"):
        found = parse_rpm(run(["rpm", "-qa", "--queryformat", RPM_FORMAT]), distro)
    else:
        raise CollectError("neither dpkg-query nor rpm is available; cannot list installed packages on this Linux system")
    return found + (python_distributions() if include_python else [])


# -- macOS ---------------------------------------------------------------------------------------


def parse_system_profiler(output: str) -> list[Found]:
    """Applications from ``system_profiler SPApplicationsDataType -json`` output."""
    from compliance.readers.system_profiler import parse_applications

    try:
        doc = json.loads(output)
    except json.JSONDecodeError as exc:
        raise InputError("system_profiler", f"invalid JSON ({exc.msg})", where=f"line {exc.lineno}") from None
    out: list[Found] = []
    apps = doc.get("SPApplicationsDataType") if isinstance(doc, dict) else None
    for comp, raw in zip(parse_applications("system_profiler", doc), apps or [], strict=True):
        props: dict[str, str] = {}
        for kind, value, _ in comp.identifiers:
            if kind == "team_id":
                props["complycheck:apple:team_id"] = value
        for key in ("obtained_from", "path"):
            if isinstance(raw.get(key), str):
                props[f"complycheck:macos:{key}"] = raw[key]
        signer = next((v for f, v in comp.vendor_fields if f == "signed_by"), "")
        out.append(Found(name=comp.name, version=comp.version, supplier=signer, source="system_profiler", properties=props))
    return out


def collect_macos(run: RunFn) -> list[Found]:
    return parse_system_profiler(run(["system_profiler", "SPApplicationsDataType", "-json"]))


# -- Windows -------------------------------------------------------------------------------------


def iter_uninstall_entries(winreg: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(key path, values)`` for every subkey of the Uninstall keys; ``winreg`` may be a fake."""
    for hive_name, path in UNINSTALL_KEYS:
        hive = getattr(winreg, hive_name)
        try:
            root = winreg.OpenKey(hive, path)
        except OSError:
            continue
        with root:
            i = 0
            while True:
                try:
                    sub = winreg.EnumKey(root, i)
                except OSError:
                    break
                i += 1
                values: dict[str, Any] = {}
                try:
                    key = winreg.OpenKey(root, sub)
                except OSError:
                    continue
                with key:
                    for value_name in ("DisplayName", "DisplayVersion", "Publisher", "SystemComponent", "ParentKeyName"):
                        with contextlib.suppress(OSError):
                            values[value_name] = winreg.QueryValueEx(key, value_name)[0]
                yield f"{hive_name}\\{path}\\{sub}", values


def parse_uninstall(entries: Iterable[tuple[str, dict[str, Any]]]) -> list[Found]:
    """What "Programs and Features" shows: entries with a DisplayName, not system components or updates."""
    out: list[Found] = []
    seen: set[tuple[str, str, str]] = set()
    for key, values in entries:
        name = values.get("DisplayName")
        if not isinstance(name, str) or not name.strip():
            continue
        if values.get("SystemComponent") == 1 or values.get("ParentKeyName"):
            continue
        version = values.get("DisplayVersion")
        version = version.strip() if isinstance(version, str) else ""
        publisher = values.get("Publisher")
        publisher = publisher.strip() if isinstance(publisher, str) else ""
        ident = (name.strip(), version, publisher)
        if ident in seen:
            continue
        seen.add(ident)
        out.append(Found(name=name.strip(), version=version, publisher=publisher, source="registry",
                         properties={"complycheck:windows:uninstall_key": key}))
    return out


def collect_windows(winreg: Any | None = None) -> list[Found]:
    if winreg is None:
        try:
            import winreg as winreg_mod  # type: ignore[import-not-found]
        except ImportError:
            raise CollectError("the Windows registry (winreg) is not available on this platform") from None
        winreg = winreg_mod
    return parse_uninstall(iter_uninstall_entries(winreg))


# -- the BOM -------------------------------------------------------------------------------------


def collect(
    system: str | None = None,
    *,
    run: RunFn = run_command,
    winreg: Any = None,
    which: Callable[[str], str | None] = shutil.which,
    include_python: bool = True,
    hostname: str | None = None,
    timestamp: bool = False,
) -> str:
    """Inventory this machine (or the given platform's recorded output) as CycloneDX 1.6 JSON text."""
    system = system or sys.platform
    if system.startswith("linux"):
        found = collect_linux(run, include_python=include_python, which=which)
    elif system == "darwin":
        found = collect_macos(run)
    elif system in ("win32", "cygwin", "windows"):
        found = collect_windows(winreg)
    else:
        raise CollectError(f"collecting installed software is not supported on platform '{system}'")
    return to_cyclonedx(found, hostname=hostname or socket.gethostname(), system=system, timestamp=timestamp)


def to_cyclonedx(found: list[Found], *, hostname: str, system: str, timestamp: bool = False) -> str:
    """Serialise with cyclonedx-python-lib (JsonV1Dot6)."""
    from cyclonedx.model import Property
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.contact import OrganizationalContact, OrganizationalEntity
    from cyclonedx.output.json import JsonV1Dot6
    from packageurl import PackageURL

    kinds = {"application": ComponentType.APPLICATION, "library": ComponentType.LIBRARY}
    components = []
    refs: set[str] = set()
    for i, f in enumerate(found):
        ref = f.purl or f"{f.source}:{f.name}@{f.version}"
        if ref in refs:
            ref = f"{ref}#{i}"
        refs.add(ref)
        props = [Property(name="complycheck:collect:source", value=f.source)]
        props += [Property(name=k, value=v) for k, v in sorted(f.properties.items())]
        components.append(
            Component(
                name=f.name,
                version=f.version or None,
                type=kinds.get(f.kind, ComponentType.APPLICATION),
                bom_ref=ref,
                supplier=OrganizationalEntity(name=f.supplier) if f.supplier else None,
                publisher=f.publisher or None,
                authors=[OrganizationalContact(name=f.author)] if f.author else None,
                purl=PackageURL.from_string(f.purl) if f.purl else None,
                properties=props,
            )
        )
    digest = "\n".join(sorted(f"{f.source}\t{f.name}\t{f.version}\t{f.supplier}\t{f.publisher}" for f in found))
    serial = uuid.uuid5(uuid.NAMESPACE_URL, f"complycheck-collect:{hostname}:{digest}")
    tool = Component(name="complycheck", version=__version__, type=ComponentType.APPLICATION)
    metadata = BomMetaData(
        properties=[
            Property(name="complycheck:collect:hostname", value=hostname),
            Property(name="complycheck:collect:platform", value=f"{system} ({_platform.platform()})"),
            Property(name="complycheck:collect:collector", value=f"complycheck {__version__}"),
        ],
    )
    metadata.tools.components.add(tool)
    metadata.timestamp = datetime.now(timezone.utc).replace(microsecond=0) if timestamp else None
    bom = Bom(components=components, serial_number=serial, metadata=metadata)
    return JsonV1Dot6(bom).output_as_string(indent=2) + "\n"
