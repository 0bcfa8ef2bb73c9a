"""Lookups that explain (registered on ``compliance.cli``): ``vendors match``, ``explain`` and ``config``.

Each command parses its flags and prints; the work is done by the code a scan runs: the vendor index
(``compliance.match_explain`` around ``VendorIndex``), ``scan()`` and the scan command's own settings
(``compliance.cli.scan_settings``). Nothing here is imported on a scan's path but this module itself,
which imports click and ``compliance.cli`` only.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from compliance.cli import (
    EXIT_FAIL,
    EXIT_PASS,
    SETTINGS_ONLY,
    ScanSettings,
    _load_pack,
    _out,
    _pack_options,
    main,
    scan,
    vendors,
)

_ROLE_HELP = (
    "What STRING is: vendor (publisher, supplier...), name (component name), purl, cpe, app-id (Android "
    "and Apple), android, bundle, team-id, winget, swid, namespace. Default: guessed from its shape."
)


@vendors.command("match")
@click.argument("string")
@click.option("--as", "role", metavar="KIND", help=_ROLE_HELP)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"], case_sensitive=False), default="text",
              show_default=True, help="Output format.")
@_pack_options
def vendors_match(string: str, role: str | None, fmt: str, rule_dirs: tuple[str, ...], no_builtin_rules: bool) -> None:
    """Which catalog vendor or product STRING matches, how strongly, and why (or why not).

    \b
    The string is matched exactly as a scan matches a component's field. Exit 0: it matched;
    1: it matched nothing; 2: usage error.
    \b
    Examples:
      complycheck vendors match "AO Kaspersky Lab"
      complycheck vendors match pkg:maven/com.tencent.mm.opensdk/wechat-sdk-android
      complycheck vendors match com.tencent.mm --as android -f json
    """
    from compliance import match_explain
    from compliance.matching import VendorIndex

    if role is not None:
        wanted = role.strip().lower().replace("_", "-")
        if wanted not in match_explain.ROLE_NAMES:
            from compliance.errors import UsageError
            from compliance.lookup import did_you_mean

            raise UsageError(f"--as {role!r}{did_you_mean(role, match_explain.ROLE_NAMES)}: "
                             f"it must be one of {', '.join(match_explain.ROLE_NAMES)}")
        role = wanted
    pack = _load_pack(rule_dirs, no_builtin_rules)
    readings = match_explain.read_all(VendorIndex(pack), string, role)
    matched = any(r.matches for r in readings)
    code = EXIT_PASS if matched else EXIT_FAIL
    if fmt.lower() == "json":
        _out(match_explain.render_json(string, readings), nl=False, exit_code=code)
    else:
        _out(match_explain.render_text(readings), nl=False, terminal=True, exit_code=code)
    sys.exit(code)


# -- the scan's own settings ---------------------------------------------------------------------


def scan_settings(ctx: click.Context, params: dict[str, Any]) -> ScanSettings:
    """The settings ``complycheck scan`` would use with these parameters: scan's own flag handling runs
    (policy file, flags, defaults, waivers, key files) and stops before reading any input."""
    ctx.meta[SETTINGS_ONLY] = None
    try:
        ctx.invoke(scan, **params)
        settings = ctx.meta[SETTINGS_ONLY]
    finally:
        ctx.meta.pop(SETTINGS_ONLY, None)
    assert isinstance(settings, ScanSettings)
    return settings


def scan_pack(options: Any) -> tuple[Any, Any]:
    """The rule pack (every rule) and its vendor index, selected and verified as a scan selects them."""
    from compliance.rulepack.cache import load_rule_pack_and_index
    from compliance.rulepack.provenance import select_packs

    dirs, _sources = select_packs(options.rule_dirs, options.builtin_rules, options.pack_policy)
    return load_rule_pack_and_index(dirs, builtin=False)


def _given(ctx: click.Context) -> dict[str, str]:
    """The parameters given on the command line (or from the environment), each with its flag spelling."""
    from click.core import ParameterSource

    out = {}
    for param in ctx.command.params:
        if param.name and ctx.get_parameter_source(param.name) in (ParameterSource.COMMANDLINE,
                                                                    ParameterSource.ENVIRONMENT):
            out[param.name] = "/".join(param.opts)
    return out


def _with_params(params: list[click.Parameter], *, inputs: bool) -> list[click.Parameter]:
    """Scan's options (the same objects, so a flag added to scan is here too), inputs optional or absent."""
    out: list[click.Parameter] = [p for p in params if p.name != "paths"]
    if inputs:
        out.insert(0, click.Argument(["paths"], nargs=-1, required=False, metavar="[INPUT...]"))
    return out


def config_cmd(paths: tuple[str, ...], **params: Any) -> None:
    """Print the settings a scan with these flags would use, and where each came from.

    \b
    Takes every flag of 'complycheck scan' (inputs are optional and not read): each setting is
    the flag's, the policy file's (with its line) or the default. -f json prints JSON.
    Jurisdictions and contexts are checked against the rule pack, as a scan checks them.
    """
    from compliance import config, effective_config
    from compliance.scan import check_selection

    ctx = click.get_current_context()
    settings = scan_settings(ctx, {"paths": paths, **params})
    options = settings.options
    if options.jurisdictions:
        pack, _index = scan_pack(options)
        check_selection(pack, options)  # canonical names; an unknown one is the scan's usage error
    lines = config.key_lines(settings.config_path) if settings.config_path else {}
    rows = effective_config.rows(settings, {"paths": paths, **params}, _given(ctx), list(config.KEYS), lines)
    if not options.jurisdictions:
        for row in rows:
            if row.name == "jurisdictions":
                row.value = "(none: scan refuses to run without one)"
    if params.get("fmt") == "json":
        _out(effective_config.render_json(settings, rows), nl=False, exit_code=EXIT_PASS)
    else:
        _out(effective_config.render_text(settings, rows, bool(params.get("no_config")), None), nl=False,
             terminal=True, exit_code=EXIT_PASS)


main.add_command(click.Command(
    "config", callback=config_cmd, params=_with_params(scan.params, inputs=True), help=config_cmd.__doc__,
    short_help="Print the effective settings of a scan and where each came from.",
    context_settings={"max_content_width": 100},
))


# -- explain ---------------------------------------------------------------------------------------

# The scan flags explain takes: what decides a component's rules (not where reports go or how a scan runs).
EXPLAIN_FLAGS = ("jurisdictions", "contexts", "config_file", "no_config", "as_of", "horizon", "fail_on_unverified",
                 "require_verified", "input_format", "columns", "rule_dirs", "no_builtin_rules", "max_size",
                 "waivers_file", "trusted_key_files", "max_pack_age", "stale_pack")


def explain_cmd(file: str, component: str, explain_format: str, **params: Any) -> None:
    """Why COMPONENT of FILE is (or is not) tied to a vendor, and what each rule on it says.

    \b
    COMPONENT is a bom-ref, a name (or "name version"), a purl, or a row or line number. FILE is
    scanned as 'complycheck scan' would scan it with the same flags and policy file, and the
    component's fields, its match and the rules of the selected jurisdictions on its vendor are
    shown: each with its status (fail, warn, out of scope, upcoming), its actions, their dates and
    the contexts each needs. Exit 0 when explained, 2 on a usage error or an unusable input.
    \b
    Examples:
      complycheck explain sbom.cdx.json kav-sdk -j US
      complycheck explain inventory.csv 12 -j CA -c government -c mobile --as-of 2024-01-15
    """
    import os

    from compliance import explain
    from compliance.cli import _die
    from compliance.matching import VendorIndex
    from compliance.scan import no_jurisdiction_message
    from compliance.scan import scan as run_scan

    if file != "-" and os.path.isdir(file):
        _die(f"{file}: is a directory; explain takes one input file")
    settings = scan_settings(click.get_current_context(), params)
    options = settings.options
    if not options.jurisdictions:
        _die(no_jurisdiction_message(settings.config_path or ".complycheck.yaml"))
    pack, index = scan_pack(options)
    options.jobs, options.scheduler, options.keep_last_input = 1, None, True  # in this process, keep what it read
    options.keep_components = True  # every component, not only the matches
    report = run_scan([file], options, pack=pack)
    section = report.inputs[0] if report.inputs else None
    if section is None or section.error or options.last_input is None:
        _die(section.error if section is not None and section.error else f"{file}: nothing was read")
    inventory = options.last_input
    inventories = inventory.metadata.get("sections") or [inventory]
    result = explain.explain(report, pack, index or VendorIndex(pack), inventories, component, options.horizon_days)
    if explain_format == "json":
        _out(explain.render_json(result), nl=False, exit_code=EXIT_PASS)
    else:
        _out(explain.render_text(result), nl=False, terminal=True, exit_code=EXIT_PASS)


main.add_command(click.Command(
    "explain", callback=explain_cmd, help=explain_cmd.__doc__,
    short_help="Why a component is tied to a vendor, and what each rule on it says.",
    params=[
        click.Argument(["file"], metavar="FILE"),
        click.Argument(["component"], metavar="COMPONENT"),
        *(p for p in scan.params if p.name in EXPLAIN_FLAGS),
        click.Option(["-f", "--format", "explain_format"], type=click.Choice(["text", "json"]), default="text",
                     show_default=True, help="Output format."),
    ],
    context_settings={"max_content_width": 100},
))
