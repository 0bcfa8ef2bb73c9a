"""The policy file: ``.complycheck.yaml`` states a repository's or a review team's policy once.

It holds what ``complycheck scan`` would otherwise need on every command line: jurisdictions,
contexts, the gate (``fail_on``, ``unverified``), the look-ahead, extra rule packs, waivers and the
report outputs. Flags given on the command line override the file, key by key. Unknown keys are
errors naming the file and the line: a misspelt ``fail-on`` must not silently leave the gate at its
default.

The file may arrive with a pull request, so it is untrusted like any input: every path it names
(rule pack directories under ``rules:``, report files under ``outputs:``) is relative to the
directory that holds it and must stay inside that directory (``compliance.paths``); only the command
line writes or reads elsewhere. It cannot allow network access either (``--allow-remote`` is a
command-line flag only).
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import msgspec

from compliance.errors import UsageError
from compliance.untrusted import path_text

if TYPE_CHECKING:
    import yaml

    from compliance.waivers import WaiverSet

# PyYAML, ``compliance.yamlsafe`` and ``compliance.waivers`` are imported by the functions that read a
# file: a scan with no policy file (the common case in CI) never loads them (about 15 ms of start-up).

# The policy file ``scan`` reads when ``--config`` is not given (a waivers file may be this file too).
DEFAULT_FILE = ".complycheck.yaml"

# Settings a policy file may not make: they widen what the run touches, which only the command line decides.
COMMAND_LINE_ONLY = {"allow_remote": "--allow-remote"}

FAIL_ON = ("fail", "warn", "never")
UNVERIFIED = ("warn", "fail")

# key -> (expected kind, one-line meaning used in the error message)
KEYS: dict[str, str] = {
    "jurisdictions": "a list of jurisdiction codes, or ALL",
    "contexts": "a list of contexts",
    "fail_on": "one of " + ", ".join(FAIL_ON),
    "horizon": "a whole number of days (0 or more)",
    "rules": "a list of rule pack directories (inside the policy file's directory)",
    "builtin_rules": "true or false",
    "require_verified": "true or false",
    "unverified": "one of " + ", ".join(UNVERIFIED),
    "show_out_of_scope": "true or false",
    "allow_empty": "true or false",
    "min_vendor_coverage": "a percentage from 0 to 100",
    "format": "a report format name",
    "outputs": "a list of FORMAT=FILE entries (files inside the policy file's directory)",
    "waivers": "a list of waivers",
    "trusted_keys": "a list of Ed25519 public key files (PEM), relative to this file",
    "rule_pack": "a mapping with version and/or sha256 (and optionally name) the active rule pack must have",
    "max_pack_age": "a whole number of days (1 or more)",
    "stale_pack": "one of warn, fail",
    "information_uri": "an http(s) URL where readers of the SARIF report learn about complycheck",
}


class Policy(msgspec.Struct):
    """The settings a policy file gives. ``None`` (or empty) means "not set here": the default applies."""

    path: str
    jurisdictions: list[str] = []
    contexts: list[str] = []
    fail_on: str | None = None
    horizon: int | None = None
    rules: list[str] = []
    builtin_rules: bool | None = None
    require_verified: bool | None = None
    unverified: str | None = None
    show_out_of_scope: bool | None = None
    allow_empty: bool | None = None
    min_vendor_coverage: float | None = None
    format: str | None = None
    outputs: list[str] = []
    waivers: WaiverSet | None = None
    # trusted_keys (paths), rule_pack (pin), max_pack_age, stale_pack: see compliance.rulepack.provenance
    pack_settings: dict[str, Any] = {}
    sha256: str | None = None  # of the file's bytes, named in every report
    information_uri: str | None = None


def discover(directory: str = ".") -> str | None:
    """``.complycheck.yaml`` in ``directory`` when present (used when ``--config`` is not given)."""
    candidate = DEFAULT_FILE if directory == "." else os.path.join(directory, DEFAULT_FILE)
    return candidate if os.path.isfile(candidate) else None


def _compose(path: str) -> tuple[Any, yaml.Node | None, str]:
    """The loaded data, its node tree (for line numbers) and the sha256 of the file's bytes (UTF-8 text
    decoded strictly, so encoding it again gives the same bytes). Any problem is one line naming the file.

    The file is untrusted (a repository's policy may come from anyone): ``compliance.yamlsafe`` reads
    it under its limits (size, depth, no aliases, no repeated keys, no special files), and the same
    parse gives the line of each key.
    """
    from compliance.yamlsafe import parse_yaml_node, read_text

    text = read_text(path, what="config file")
    data, node = parse_yaml_node(text, path_text(path))
    import hashlib

    return data, (node if isinstance(data, dict) else None), hashlib.sha256(text.encode("utf-8")).hexdigest()


def _key_lines(node: yaml.Node | None) -> dict[str, int]:
    from yaml import MappingNode

    if not isinstance(node, MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _v in node.value}


def _str_list(path: str, line: int, key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [v for v in value.replace(",", " ").split() if v]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise UsageError(f"{path}: line {line}: '{key}' must be {KEYS[key]}")
    return [v.strip() for v in value]


def _choice(path: str, line: int, key: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value.strip().lower() not in choices:
        raise UsageError(f"{path}: line {line}: '{key}' is {value!r}; it must be {KEYS[key]}")
    return value.strip().lower()


def _bool(path: str, line: int, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise UsageError(f"{path}: line {line}: '{key}' is {value!r}; it must be {KEYS[key]}")
    return value


def _output(path: str, line: int, entry: str) -> str:
    """``FORMAT=FILE`` with FILE inside the policy file's directory (``-``: standard output)."""
    from compliance.paths import STDIO, inside_policy_dir

    name, sep, target = entry.partition("=")
    if not sep:
        raise UsageError(f"{path}: line {line}: 'outputs' entry {entry!r} is not FORMAT=FILE")
    if target == STDIO or not target:
        return entry  # standard output, or no file (refused with the other -o checks)
    return f"{name}={inside_policy_dir(path, target, f'{path}: line {line}: output file')}"


def _pack_setting(path: str, line: int, key: str, value: Any) -> Any:
    """``trusted_keys``, ``rule_pack``, ``max_pack_age`` or ``stale_pack``, checked."""
    if key == "trusted_keys":
        from compliance.paths import inside_policy_dir

        where = f"{path}: line {line}: trusted key"
        return [os.path.realpath(inside_policy_dir(path, item, where)) for item in _str_list(path, line, key, value)]
    if key == "stale_pack":
        return _choice(path, line, key, value, ("warn", "fail"))
    if key == "max_pack_age":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise UsageError(f"{path}: line {line}: 'max_pack_age' is {value!r}; it must be {KEYS[key]}")
        return value
    if not isinstance(value, dict) or not value or set(value) - {"version", "sha256", "name"}:
        raise UsageError(f"{path}: line {line}: 'rule_pack' must be {KEYS[key]}")
    pin = {}
    for k, v in value.items():
        if not isinstance(v, (str, int, float)) or isinstance(v, bool) or not str(v).strip():
            raise UsageError(f"{path}: line {line}: rule_pack {k} must be a string")
        pin[str(k)] = str(v).strip()
    digest = pin.get("sha256", "").lower().removeprefix("sha256:")
    if "sha256" in pin and (len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest)):
        raise UsageError(f"{path}: line {line}: rule_pack sha256 must be 64 hex digits (as 'complycheck rules status' prints)")
    return pin


def load_policy(path: str) -> Policy:
    """Read and validate a policy file; every problem is a ``UsageError`` naming the file and the line."""
    from compliance.paths import inside_policy_dir
    from compliance.waivers import parse_waivers

    data, node, digest = _compose(path)
    policy = Policy(path=path, sha256=digest)
    if data is None:
        return policy
    if isinstance(data, list):  # the 0.1 form: a bare list of waivers
        policy.waivers = parse_waivers(data, path)
        return policy
    if not isinstance(data, dict):
        raise UsageError(f"{path}: line 1: the config file must be a mapping of settings (see 'complycheck init')")
    lines = _key_lines(node)
    seen: dict[str, str] = {}
    for raw_key, value in data.items():
        line = lines.get(str(raw_key), 1)
        key = str(raw_key).replace("-", "_")
        if key in COMMAND_LINE_ONLY:
            raise UsageError(
                f"{path}: line {line}: '{raw_key}' cannot be set in a policy file (it may come from a pull "
                f"request); pass {COMMAND_LINE_ONLY[key]} on the command line"
            )
        if key not in KEYS:
            raise UsageError(f"{path}: line {line}: unknown key '{raw_key}'; allowed: {', '.join(KEYS)}")
        if key in seen:  # fail-on and fail_on: one key spelt two ways (yamlsafe refuses the same spelling)
            first = seen[key]
            raise UsageError(
                f"{path}: line {line}: key '{key}' given twice (first at line {lines.get(first, 1)} as '{first}')"
            )
        seen[key] = str(raw_key)
        if value is None:
            continue  # "contexts:" with nothing after it: not set
        if key in ("jurisdictions", "contexts", "rules", "outputs"):
            items = _str_list(path, line, key, value)
            if key == "rules":
                items = [item if item.startswith("pack:")  # an installed add-on pack, by name
                         else inside_policy_dir(path, item, f"{path}: line {line}: 'rules' entry") for item in items]
            if key == "outputs":
                items = [_output(path, line, item) for item in items]
            setattr(policy, key, items)
        elif key == "fail_on":
            policy.fail_on = _choice(path, line, key, value, FAIL_ON)
        elif key == "unverified":
            policy.unverified = _choice(path, line, key, value, UNVERIFIED)
        elif key == "horizon":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise UsageError(f"{path}: line {line}: 'horizon' is {value!r}; it must be {KEYS[key]}")
            policy.horizon = value
        elif key == "min_vendor_coverage":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
                raise UsageError(f"{path}: line {line}: 'min_vendor_coverage' is {value!r}; it must be {KEYS[key]}")
            policy.min_vendor_coverage = float(value)
        elif key == "format":
            if not isinstance(value, str) or not value.strip():
                raise UsageError(f"{path}: line {line}: 'format' must be {KEYS[key]}")
            policy.format = value.strip()
        elif key == "waivers":
            policy.waivers = parse_waivers({"waivers": value}, path)
        elif key in ("trusted_keys", "rule_pack", "max_pack_age", "stale_pack"):
            policy.pack_settings[key] = _pack_setting(path, line, key, value)
        elif key == "information_uri":
            if not isinstance(value, str) or not re.fullmatch(r"https?://[^\s<>\"'`]+", value.strip()):
                raise UsageError(f"{path}: line {line}: 'information_uri' must be {KEYS[key]}")
            policy.information_uri = value.strip()
        else:
            setattr(policy, key, _bool(path, line, key, value))
    return policy


STARTER = """\
# complycheck policy file: the settings every `complycheck scan` in this directory uses.
# Flags on the command line override these, key by key. Unknown keys are errors.
# Docs: README.md, "Policy file".

# Where the software is used, as jurisdiction codes (`complycheck jurisdictions` lists them;
# US-TX includes US). Required: a scan without any jurisdiction is refused. ALL applies every
# jurisdiction in the rule pack (India's and Ukraine's rules too), and the report says so.
jurisdictions: {jurisdictions}

# How the software is used (`complycheck contexts` explains each). A rule whose contexts are not
# all given is "out of scope": reported, never failing. Examples: government, federal,
# state-government, mobile, procurement, contractor.
contexts: {contexts}

# Exit 1 when a finding reaches this severity: fail (default), warn, or never (report only).
fail_on: fail

# Rules coming into force within this many days are reported as upcoming (warn).
horizon: 90

# Rules that rest on unverified facts warn instead of failing; "fail" lets them fail the gate.
unverified: warn

# true: leave rules resting on unverified facts out entirely (each is named in the report).
require_verified: false

# Out-of-scope findings are a summary line in text and omitted from SARIF and GitHub annotations;
# true lists them everywhere.
show_out_of_scope: false

# An input from which no component was read is an error (nothing in it was checked); true lets a
# truly empty SBOM pass.
allow_empty: false

# Percent of each input's components that must say who made them (supplier, publisher, purl
# namespace, CPE...); below it the input is an error. Off unless set, e.g. 80.
# min_vendor_coverage: 80

# Organisation rule packs, relative to this file (inside its directory).
rules: []

# Report format on standard output, and extra reports (FORMAT=FILE, relative to this file's directory,
# which they cannot leave; the command line's -o can write anywhere).
format: text
outputs: []
#   - sarif=complycheck.sarif
#   - html=complycheck-review.html

# SARIF: where code-scanning readers learn about complycheck (driver.informationUri), for example
# the URL of the copy of complycheck your organisation installs. Not set: the home page the installed
# package declares, if any; otherwise none.
# information_uri: https://git.example.org/tools/complycheck

# Documented, expiring exceptions (see README.md, "Waivers").
waivers: []
#   - id: KSN-OFF
#     rule: US-ICTS-KASPERSKY-2024
#     bom-ref: ksn
#     reason: Cloud lookups disabled in our deployment profile (vendor letter 2026-10-15)
#     approver: procurement-security@example.org
#     expires: 2027-03-31
"""


def starter(jurisdictions: list[str], contexts: list[str]) -> str:
    """The commented file ``complycheck init`` writes."""

    def flow(items: list[str]) -> str:
        return "[" + ", ".join(items) + "]"

    return STARTER.format(jurisdictions=flow(jurisdictions), contexts=flow(contexts))


def key_lines(path: str) -> dict[str, int]:
    """The line of each key of a policy file, keys spelt with ``_`` (``fail-on`` -> ``fail_on``): what
    ``complycheck config`` names as the place a setting came from. Read under the same limits as ``load_policy``."""
    _data, node = _compose(path)[:2]
    return {key.replace("-", "_"): line for key, line in _key_lines(node).items()}
