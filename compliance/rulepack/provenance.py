"""Which packs a scan rests on, proven: the directories to load, their digests and signers, pins and age.

``select_packs`` turns ``ScanOptions`` into the pack directories to load (the active installed pack in
place of the built-in one when it is newer and verifies; ``--rules`` directories as they are) and one
``PackSource`` each. ``describe_packs`` adds each pack's content digest, checks a pin
(``rule_pack: {version, sha256}``) and the pack age (``max_pack_age``), and returns the entries every
report prints. A plain scan with no installed pack stays on the fast path: one ``lstat`` of the
active-pack record, no ``cryptography`` import.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from compliance.errors import UsageError

STALE_ACTIONS = ("warn", "fail")


@dataclass
class PackPolicy:
    """What the command line and the policy file say about packs (``ScanOptions.pack_policy``)."""

    trusted_keys: list[Any] = field(default_factory=list)  # compliance.signing.PublicKey, besides the built-in keys
    pin: dict[str, str] | None = None  # {"version": ..., "sha256": ..., optional "name"}
    max_pack_age: int | None = None  # days
    stale_pack: str = "warn"
    policy_file: str | None = None
    policy_sha256: str | None = None


@dataclass(frozen=True)
class PackSource:
    """Where one loaded pack came from, for reports (its digest is computed from its files)."""

    directory: str
    source: str  # "built-in", "installed" or "local directory"
    signer: str | None  # key id, or None (the built-in pack is covered by the package; a local pack is unsigned)
    signer_origin: str | None
    built: str | None  # ISO date of an installed pack's signed build time; the built-in's comes from its version
    status: str | None
    origin: str | None  # where an installed pack was taken from


def builtin_source(root: str) -> PackSource:
    return PackSource(root, "built-in", None, None, None, "active", None)


def local_source(directory: str) -> PackSource:
    return PackSource(directory, "local directory", None, None, None, None, None)


def version_date(version: str) -> str | None:
    """``2026.11.23.4`` -> ``2026-11-23``: the built-in pack's version starts with the date its facts were assembled."""
    found = re.match(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})", version)
    if not found:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3])).isoformat()
    except ValueError:
        return None


def _active_record_exists() -> bool:
    """Is any built-in-name pack installed? Worked out with ``os.path`` only (a plain scan's fast path)."""
    override = os.environ.get("COMPLYCHECK_DATA_DIR")
    if override:
        root = override
    elif sys.platform == "linux":
        xdg = os.environ.get("XDG_DATA_HOME", "")
        root = os.path.join(xdg if os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"), ".local", "share"),
                            "complycheck")
    else:
        from compliance.rulepack.channel import data_root

        root = str(data_root())
    return os.path.lexists(os.path.join(root, "packs", "complycheck-builtin", "active.json"))


def select_packs(rule_dirs: list[str], builtin: bool, policy: PackPolicy | None) -> tuple[list[str], list[Any]]:
    """The pack directories to load, in order, and where each came from (``channel.PackSource``)."""
    dirs: list[str] = []
    sources: list[Any] = []
    if builtin:
        if _active_record_exists():
            from compliance.rulepack.channel import resolve_builtin
            from compliance.signing import trusted_keys

            source = resolve_builtin(trusted_keys(policy.trusted_keys if policy else ()))
        else:
            from compliance.rulepack.cache import builtin_pack_root

            source = builtin_source(builtin_pack_root())
        dirs.append(source.directory)
        sources.append(source)
    for d in rule_dirs:
        text = os.fspath(d)
        if text.startswith(INSTALLED_PREFIX):
            source = installed_source(text[len(INSTALLED_PREFIX):], policy)
        else:
            source = local_source(text)
        dirs.append(source.directory)
        sources.append(source)
    return dirs, sources


INSTALLED_PREFIX = "pack:"


def installed_source(name: str, policy: PackPolicy | None, installed: Any = None) -> PackSource:
    """``--rules pack:NAME``: the active installed pack of that name, verified like the built-in one."""
    if installed is None:
        from compliance.rulepack.channel import check_pack_name, read_active
        from compliance.signing import trusted_keys

        check_pack_name(name, f"--rules pack:{name}")
        installed = read_active(name, trusted_keys(policy.trusted_keys if policy else ()))
    if installed is None:
        raise UsageError(f"--rules pack:{name}: no pack of that name is installed ('complycheck rules import' installs one)")
    return PackSource(
        str(installed.directory), "installed", installed.keyid, installed.key_origin,
        installed.listing.built[:10], installed.listing.status, str(installed.origin.get("from") or "") or None,
    )


def sources_of(packs: list[dict[str, Any]]) -> list[PackSource]:
    """For a pack object a library caller loaded itself: its directories, as local or built-in packs."""
    from compliance.rulepack.cache import builtin_pack_root

    builtin = os.path.realpath(builtin_pack_root())
    out = []
    for p in packs:
        path = str(p.get("path") or "")
        out.append(builtin_source(path) if path and os.path.realpath(path) == builtin else local_source(path))
    return out


def describe_packs(
    packs: list[dict[str, Any]], sources: list[Any], policy: PackPolicy | None, as_of: date
) -> tuple[list[dict[str, Any]], list[str]]:
    """Report entries for the loaded packs (name, version, digest, signer, source, built, age) and warnings.

    A pin that does not match, or a pack older than ``max_pack_age`` with ``stale_pack: fail``, is a
    ``UsageError``: the scan does not run on facts the user did not accept.
    """
    from compliance.rulepack.digest import pack_digest

    entries: list[dict[str, Any]] = []
    warnings: list[str] = []
    for manifest, source in zip(packs, sources, strict=True):
        built = source.built or (version_date(str(manifest.get("version"))) if source.source == "built-in" else None)
        age = (as_of - date.fromisoformat(built)).days if built else None
        entry = {
            "name": str(manifest.get("name")),
            "version": str(manifest.get("version")),
            "digest": "sha256:" + pack_digest(source.directory),
            "signer": source.signer,
            "source": source.source,
            "built": built,
            "age_days": age,
        }
        if source.status == "deprecated":
            warnings.append(f"rule pack {entry['name']} {entry['version']} is deprecated by its publisher: update it")
        entries.append(entry)
    if policy is not None and policy.pin:
        _check_pin(entries, policy)
    if policy is not None and policy.max_pack_age is not None:
        for entry in entries:
            age = entry["age_days"]
            if age is not None and age > policy.max_pack_age:
                message = (
                    f"rule pack {entry['name']} {entry['version']} was built {age} days before {as_of.isoformat()} "
                    f"(max_pack_age {policy.max_pack_age}): run 'complycheck rules update'"
                )
                if policy.stale_pack == "fail":
                    raise UsageError(message)
                warnings.append(message)
    return entries, warnings


def _check_pin(entries: list[dict[str, Any]], policy: PackPolicy) -> None:
    pin = policy.pin or {}
    name = pin.get("name")
    target = next((e for e in entries if e["name"] == name), None) if name else (entries[0] if entries else None)
    where = policy.policy_file or "rule_pack"
    if target is None:
        raise UsageError(f"{where}: rule_pack pins {name}, which this scan does not load")
    want_version, want_digest = pin.get("version"), (pin.get("sha256") or "").lower().removeprefix("sha256:")
    have_digest = target["digest"].removeprefix("sha256:")
    if want_version and want_version != target["version"]:
        raise UsageError(
            f"{where}: rule_pack pins version {want_version}, but the active pack is {target['name']} {target['version']} "
            f"(sha256:{have_digest[:16]}…); refused"
        )
    if want_digest and want_digest != have_digest:
        raise UsageError(
            f"{where}: rule_pack pins sha256:{want_digest[:16]}…, but {target['name']} {target['version']} "
            f"is sha256:{have_digest[:16]}…; refused"
        )
