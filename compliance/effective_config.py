"""What ``complycheck config`` prints: every setting a scan would use, and where each came from.

The values are the scan command's own (``compliance.cli.ScanSettings``: its flags merged with the policy
file and the defaults by the code a scan runs); this module only says, per setting, whether a flag, a
line of the policy file or the default gave it. Policy keys added later appear without a change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

# setting -> (policy file key or None, scan parameters that set it). Keys of ``compliance.config.KEYS``
# missing here are shown too, under their own name (see ``rows``).
SETTINGS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "jurisdictions": ("jurisdictions", ("jurisdictions",)),
    "contexts": ("contexts", ("contexts",)),
    "as_of": (None, ("as_of",)),
    "horizon": ("horizon", ("horizon",)),
    "fail_on": ("fail_on", ("fail_on",)),
    "unverified": ("unverified", ("fail_on_unverified",)),
    "require_verified": ("require_verified", ("require_verified",)),
    "show_out_of_scope": ("show_out_of_scope", ("show_out_of_scope",)),
    "rules": ("rules", ("rule_dirs",)),
    "builtin_rules": ("builtin_rules", ("no_builtin_rules",)),
    "format": ("format", ("fmt",)),
    "outputs": ("outputs", ("outputs",)),
    "waivers": ("waivers", ("waivers_file",)),
    "input_format": (None, ("input_format",)),
    "columns": (None, ("columns",)),
    "max_input_size": (None, ("max_size",)),
    "jobs": (None, ("jobs",)),
    "scheduler": (None, ("scheduler",)),
    "trusted_keys": ("trusted_keys", ("trusted_key_files",)),
    "rule_pack": ("rule_pack", ()),
    "max_pack_age": ("max_pack_age", ("max_pack_age",)),
    "stale_pack": ("stale_pack", ("stale_pack",)),
}

# Parameters of scan that are not settings of the scan's evaluation (what to read, where to sign).
NOT_SETTINGS = frozenset({"paths", "config_file", "no_config", "quiet", "verbose", "junit_per_rule", "attest", "sign_key",
                          "verifier_id"})


@dataclass
class Setting:
    name: str
    value: Any  # JSON-able
    source: str  # "flag -j/--jurisdiction", ".complycheck.yaml line 3", "default"
    overrides: str = ""  # the policy file line a flag overrides

    def shown(self) -> str:
        v = self.value
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return ", ".join(str(x) for x in v) if v else "(none)"
        if isinstance(v, dict):
            return ", ".join(f"{k}={x}" for k, x in v.items()) if v else "(none)"
        return "(none)" if v is None else str(v)

    def source_text(self) -> str:
        return self.source + (f" (overrides {self.overrides})" if self.overrides else "")


def _size(n: int) -> str:
    for unit, size in (("G", 1024**3), ("M", 1024**2), ("K", 1024)):
        if n % size == 0:
            return f"{n // size}{unit}"
    return str(n)


def _value(name: str, settings: Any, params: dict[str, Any]) -> Any:
    o = settings.options
    pp = o.pack_policy
    policy = settings.policy
    if name == "as_of":
        return (o.as_of or date.today()).isoformat() + ("" if o.as_of else " (today)")
    if name == "horizon":
        return o.horizon_days
    if name == "rules":
        return list(o.rule_dirs)
    if name == "format":
        return settings.format
    if name == "outputs":
        return [f"{n}={t}" for n, t in settings.outputs] + ([settings.stdout_target] if settings.stdout_target else [])
    if name == "waivers":
        waivers = o.waivers.waivers if o.waivers is not None else []
        return [w.label for w in waivers] if waivers else []
    if name == "input_format":
        return o.input_format or "(detected from content)"
    if name == "columns":
        return dict(o.reader_options.get("columns") or {})
    if name == "max_input_size":
        return _size(o.max_input_bytes)
    if name == "jobs":
        return o.jobs if o.jobs is not None else "(the usable CPUs)"
    if name == "trusted_keys":
        return [*params.get("trusted_key_files", ()), *(policy.pack_settings.get("trusted_keys") or [])]
    if name == "rule_pack":
        return dict(pp.pin) if pp is not None and pp.pin else None
    if name in ("max_pack_age", "stale_pack"):
        return getattr(pp, name, None)
    if hasattr(o, name):
        value = getattr(o, name)
        return list(value) if isinstance(value, (list, tuple)) else value
    if name in params:
        value = params[name]
        return list(value) if isinstance(value, tuple) else value
    return getattr(policy, name, None)


def rows(settings: Any, params: dict[str, Any], given: dict[str, str], policy_keys: list[str],
         key_lines: dict[str, int]) -> list[Setting]:
    """Every setting with its value and source.

    ``params``: the command's parameter values; ``given``: the parameters given on the command line, each
    with its flag spelling; ``policy_keys``: every key a policy file may set (``config.KEYS``);
    ``key_lines``: the keys the policy file sets, with their lines.
    """
    table = dict(SETTINGS)
    for key in policy_keys:
        table.setdefault(key, (key, (key,) if key in params else ()))
    covered = {p for _key, ps in table.values() for p in ps}
    for param in given:
        if param not in covered and param not in NOT_SETTINGS:
            table[param] = (None, (param,))
    path = settings.config_path
    out = []
    for name, (key, param_names) in table.items():
        flags = [given[p] for p in param_names if p in given]
        line = key_lines.get(key) if key else None
        in_file = f"{path} line {line}" if path and line else ""
        if name == "format" and not flags and settings.stdout_target and "outputs" in given:
            flags = [f"{given['outputs']} {settings.stdout_target} (its extension)"]
        if flags and name == "trusted_keys" and in_file:
            source, overrides = f"flag {', '.join(flags)} and {in_file}", ""
        elif flags:
            source, overrides = f"flag {', '.join(flags)}", in_file
        elif in_file:
            source, overrides = in_file, ""
        else:
            source, overrides = "default", ""
        out.append(Setting(name, _value(name, settings, params), source, overrides))
    return out


def policy_line(settings: Any, no_config: bool) -> str:
    if settings.config_path:
        return f"Policy file: {settings.config_path} (sha256 {settings.policy.sha256})"
    if no_config:
        return "Policy file: none (--no-config)"
    return "Policy file: none (no .complycheck.yaml in the working directory)"


def render_text(settings: Any, settings_rows: list[Setting], no_config: bool, width: int | None) -> str:
    from compliance.rulepack.listing import render

    table = [{"setting": s.name, "value": s.shown(), "from": s.source_text()} for s in settings_rows]
    columns = (("setting", "SETTING", 18), ("value", "VALUE", 20), ("from", "FROM", 0))
    return policy_line(settings, no_config) + "\n" + render(table, "text", columns)


def render_json(settings: Any, settings_rows: list[Setting]) -> bytes:
    import orjson

    doc = {
        "policy_file": {"path": settings.config_path, "sha256": settings.policy.sha256} if settings.config_path else None,
        "settings": {
            s.name: {"value": s.value, "from": s.source, **({"overrides": s.overrides} if s.overrides else {})}
            for s in settings_rows
        },
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"
