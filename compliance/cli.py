"""The command line: parse flags, call the library, map the result to an exit code.

Exit codes: 0 pass, 1 a finding at or above --fail-on, 2 usage error or unusable input.
Nothing here decides a verdict, and no error ever reaches the user as a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import sys
from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

import click

from compliance import __version__

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2

# ``complycheck config`` and ``explain`` run scan's own flag handling with this key in the context's meta:
# scan then stores its settings there (a ``ScanSettings``) instead of scanning, so they are exactly a scan's.
SETTINGS_ONLY = "complycheck.settings-only"


class ScanSettings(NamedTuple):
    options: Any  # compliance.scan.ScanOptions, waivers loaded
    policy: Any  # compliance.config.Policy ("" path: none read)
    config_path: str | None
    format: str  # the report format for standard output
    stdout_target: str | None  # a plain -o FILE
    outputs: list[tuple[str, str]]  # FORMAT=FILE extras

# The modules a command imports as it starts, which ``compliance.__main__`` loads while the garbage
# collector is paused. Only a speed hint: a module missing here is still imported when it is used.
STARTUP_MODULES: dict[str, tuple[str, ...]] = {
    "scan": ("compliance.config", "compliance.formats", "compliance.readers", "compliance.scan"),
}


def _err(line: str) -> None:
    """One line on stderr. It may carry file names, CSV headers, waiver keys: escaped and capped."""
    from compliance.untrusted import capped, for_terminal

    click.echo(for_terminal(capped(line)), err=True)


def _die(message: str) -> None:
    _err(f"complycheck: error: {message}")
    sys.exit(EXIT_ERROR)


def _out(text: str | bytes, *, nl: bool = True, exit_code: int = EXIT_ERROR, terminal: bool = False) -> None:
    """Write to standard output now (flushed), so a failed write is reported here, as one line.

    ``terminal``: the text is for people (not JSON, CSV...): escape what a terminal would act on.
    ``exit_code`` is what the run exits with when the reader has gone (broken pipe): the verdict's
    code, so a closed pipe never turns a FAIL into a pass; a PASS that was not delivered exits 2.
    """
    if terminal and isinstance(text, str):
        from compliance.untrusted import for_terminal_text

        text = for_terminal_text(text)
    if nl:
        text = text + (b"\n" if isinstance(text, bytes) else "\n")
    try:
        _write_stdout(text)
    except BrokenPipeError:
        _stdout_failed("the reader closed it (broken pipe)", exit_code or EXIT_ERROR)
    except OSError as exc:
        _stdout_failed(exc.strerror or str(exc), EXIT_ERROR)


def _write_stdout(text: str | bytes) -> None:
    """All of ``text`` or an ``OSError``. A pipe or file gets UTF-8 bytes in a loop: a buffered stream
    whose big write is cut short by a closed pipe reports the part written, not the error, and
    ``TextIOWrapper.write`` ignores that count, so the loss would go unnoticed. Bytes (a rendered
    JSON or SARIF document) go out as they are."""
    stream = sys.stdout
    if stream is None:  # started with standard output closed (``>&-``)
        raise OSError(errno.EBADF, "it is closed")
    binary = getattr(stream, "buffer", None)
    if binary is None or stream.isatty():
        click.echo(text.decode("utf-8") if isinstance(text, bytes) else text, nl=False)
        return
    stream.flush()
    view = memoryview(text if isinstance(text, bytes) else text.encode("utf-8"))
    while view:
        written = binary.write(view)
        if not written:
            raise OSError(errno.EIO, "short write")
        view = view[written:]
    binary.flush()


def _stdout_failed(reason: str, exit_code: int) -> None:
    """Point stdout at devnull (as the Python docs advise for SIGPIPE) so the flush at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # no file descriptor behind stdout
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    with contextlib.suppress(OSError):
        _err(f"complycheck: error: cannot write to standard output: {reason}")
    sys.exit(exit_code)


class _Group(click.Group):
    """Turns every library error into one line and exit 2; a bug too, without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from compliance.errors import ComplyCheckError, RulePackError

        try:
            return super().invoke(ctx)
        except RulePackError as exc:
            for line in exc.problems:
                _err(f"complycheck: rule pack: {line}")
            sys.exit(EXIT_ERROR)
        except ComplyCheckError as exc:
            _die(str(exc))
        except click.ClickException as exc:
            from compliance.untrusted import capped, for_terminal

            exc.message = for_terminal(capped(exc.message))  # it may quote a hostile argument
            raise
        except (click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("complycheck: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:  # a write that did not go through _out
            _stdout_failed("the reader closed it (broken pipe)", EXIT_ERROR)
        except Exception as exc:  # noqa: BLE001 - a bug must still not print a traceback
            if os.environ.get("COMPLYCHECK_DEBUG"):
                raise
            _die(f"internal error ({type(exc).__name__}: {exc}); this is a bug, rerun with COMPLYCHECK_DEBUG=1 for details")


class _Command(click.Command):
    """A command whose short options skip click's spelling suggestions meant for long ones.

    Click reads ``-j US`` by first trying ``-j`` as a long option; that failure computes "did you
    mean" suggestions with difflib (importing it: ~2 ms of a small scan) and is then thrown away for
    the short-option match. Only such single-dash arguments, whose long-option failure click never
    shows, skip the suggestions; a misspelt ``--option`` gets them as before. Should click's parser
    lack the method, it is left alone.
    """

    def make_parser(self, ctx: click.Context) -> Any:
        parser = super().make_parser(ctx)
        match_long = getattr(parser, "_match_long_opt", None)
        long_opts = getattr(parser, "_long_opt", None)
        if match_long is None or not isinstance(long_opts, dict):
            return parser

        def match_long_opt(opt: str, explicit_value: Any, state: Any) -> Any:
            if opt not in long_opts and opt[:1] == "-" and opt[1:2].isalnum():
                raise click.NoSuchOption(opt, ctx=ctx)  # click goes on to the short options
            return match_long(opt, explicit_value, state)

        parser._match_long_opt = match_long_opt
        return parser


def _parse_date(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form", param_hint=flag) from None


def _parse_size(value: str) -> int:
    units = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
    text = value.strip().upper().removesuffix("B").removesuffix("I")
    unit = text[-1:] if text[-1:] in ("K", "M", "G") else ""
    number = text[: -len(unit)] if unit else text
    try:
        size = int(float(number) * units[unit])
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a size such as 500M or 2G", param_hint="--max-input-size") from None
    if size <= 0:
        raise click.BadParameter("must be positive", param_hint="--max-input-size")
    return size


def _parse_columns(value: str | None) -> dict[str, str]:
    if not value:
        return {}
    out = {}
    for part in value.split(","):
        key, sep, col = part.partition("=")
        if not sep or not key.strip() or not col.strip():
            raise click.BadParameter(f"{part!r} is not ROLE=COLUMN", param_hint="--columns")
        out[key.strip().lower()] = col.strip()
    return out


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="complycheck")
def main() -> None:
    """Check SBOMs and software inventories against government software bans.

    \b
    Examples:
      complycheck scan sbom.cdx.json --jurisdiction US
      complycheck scan phone.xml -j CA -c government -c mobile --as-of 2024-01-15
      complycheck scan sbom.json -j US -j CA --format json -o report.json
      complycheck rules list --jurisdiction CA
    """


def _complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of -j codes and -c contexts (only when the shell asks: never on a scan's path)."""
    from compliance.lookup import complete

    return complete(param.name or "", incomplete)


@main.command(cls=_Command)
@click.argument("paths", nargs=-1, required=True, metavar="INPUT...")
@click.option("-j", "--jurisdiction", "jurisdictions", multiple=True, metavar="CODE", shell_complete=_complete,
              help="Jurisdiction code, any case (repeatable); ALL for every jurisdiction. Required here or in the config file.")
@click.option("-c", "--context", "contexts", multiple=True, metavar="CONTEXT", shell_complete=_complete,
              help="Where the software is used (repeatable): government, federal, mobile, procurement...")
@click.option("--config", "config_file", metavar="FILE",
              help="Policy file (jurisdictions, contexts, gate, waivers...). Default: ./.complycheck.yaml if present.")
@click.option("--no-config", "no_config", is_flag=True, help="Ignore ./.complycheck.yaml: only flags and defaults apply.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Evaluate the rules as of this date. Default: today.")
@click.option("--horizon", "horizon", type=click.IntRange(min=0), metavar="DAYS",
              help="Warn about rules coming into force within this many days.  [default: 90]")
@click.option("--fail-on", "fail_on", type=click.Choice(["fail", "warn", "never"]),
              help="Exit 1 when a finding reaches this severity.  [default: fail]")
@click.option("--fail-on-unverified", is_flag=True, default=None,
              help="Let rules resting on unverified facts fail the scan (by default they only warn).")
@click.option("-f", "--format", "fmt", metavar="FORMAT",
              help="Report format for standard output (or for a plain -o FILE).  [default: text, or from -o FILE's extension]")
@click.option("-o", "--output", "outputs", multiple=True, metavar="FILE|FORMAT=FILE",
              help="Write the report to FILE (format from its extension unless -f), or FORMAT=FILE for an extra format (repeatable).")
@click.option("--show-out-of-scope", is_flag=True, default=None,
              help="List out-of-scope findings one by one in text, SARIF and GitHub annotations too.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the verdict line to standard output.")
@click.option("-v", "--verbose", is_flag=True,
              help="Text: each rule's reason, dates and source under its component, and the matches without a finding.")
@click.option("--input-format", "input_format", metavar="NAME", help="Skip detection and read inputs as NAME (see 'complycheck formats').")
@click.option("--columns", "columns", metavar="ROLE=COLUMN,...", help="Column mapping for CSV/TSV inputs, e.g. name=App,vendor=Maker.")
@click.option("--rules", "rule_dirs", multiple=True, metavar="DIR", help="Add an organisation rule pack (repeatable).")
@click.option("--no-builtin-rules", is_flag=True, default=None, help="Use only the packs given with --rules.")
@click.option("--require-verified", is_flag=True, default=None,
              help="Leave out rules resting on unverified facts, naming each one.")
@click.option("--max-input-size", "max_size", default="4G", show_default=True, metavar="SIZE",
              help="Refuse inputs larger than this.")
@click.option("--waivers", "waivers_file", metavar="FILE",
              help="Waivers YAML (rule, component, reason, optional expiry). Default: the config file's waivers.")
@click.option("--jobs", "jobs", type=click.IntRange(min=1), metavar="N",
              help="Scan inputs in N worker processes (1: in this process). Default: the usable CPUs.")
@click.option("--scheduler", "scheduler", metavar="ADDRESS",
              help="Scan on a Dask distributed cluster (tcp://host:8786); needs complycheck[dask]. Reads URL inputs.")
@click.option("--allow-remote", "allow_remote", is_flag=True,
              help="Read remote URL inputs (s3://, gs://, https://...; needs complycheck[dask]). Off: offline.")
@click.option("--allow-empty", is_flag=True, default=None,
              help="An input from which no component was read passes (by default it is an error: nothing was checked).")
@click.option("--min-vendor-coverage", "min_vendor_coverage", type=click.FloatRange(0, 100), metavar="PCT",
              help="Error (exit 2) for an input where fewer than PCT% of components carry vendor identity.")
@click.option("--junit-per-rule", "junit_per_rule", is_flag=True, default=None,
              help="JUnit: one testcase per rule listing the failing inputs (automatic above 10,000 input x rule pairs).")
@click.option("--trusted-key", "trusted_key_files", multiple=True, metavar="PUB",
              help="Also trust this Ed25519 public key for installed rule packs (repeatable).")
@click.option("--max-pack-age", "max_pack_age", type=click.IntRange(min=1), metavar="DAYS",
              help="Warn (or fail, --stale-pack fail) when the rule pack was built longer ago than this.")
@click.option("--stale-pack", "stale_pack", type=click.Choice(["warn", "fail"]), help="What --max-pack-age does.")
@click.option("--attest", "attest", metavar="FILE", help="Write a signed SLSA verification summary (needs --sign-key).")
@click.option("--sign-key", "sign_key", metavar="KEY", help="Ed25519 private key (PEM) that signs --attest.")
@click.option("--verifier-id", "verifier_id", metavar="URI", help="verifier.id of the --attest statement.")
def scan(
    paths: tuple[str, ...],
    jurisdictions: tuple[str, ...],
    contexts: tuple[str, ...],
    config_file: str | None,
    no_config: bool,
    as_of: str | None,
    horizon: int | None,
    fail_on: str | None,
    fail_on_unverified: bool | None,
    fmt: str | None,
    outputs: tuple[str, ...],
    show_out_of_scope: bool | None,
    quiet: bool,
    verbose: bool,
    input_format: str | None,
    columns: str | None,
    rule_dirs: tuple[str, ...],
    no_builtin_rules: bool | None,
    require_verified: bool | None,
    max_size: str,
    waivers_file: str | None,
    jobs: int | None,
    scheduler: str | None,
    allow_remote: bool,
    allow_empty: bool | None,
    min_vendor_coverage: float | None,
    junit_per_rule: bool | None,
    trusted_key_files: tuple[str, ...],
    max_pack_age: int | None,
    stale_pack: str | None,
    attest: str | None,
    sign_key: str | None,
    verifier_id: str | None,
) -> None:
    """Scan SBOMs or inventories (files, directories, or - for standard input)."""
    from compliance import config
    from compliance.formats import format_for_path, format_names, get_format
    from compliance.formats.base import render_bytes
    from compliance.readers import reader_names
    from compliance.scan import ScanOptions, no_jurisdiction_message
    from compliance.scan import scan as run_scan

    if input_format and input_format not in reader_names():
        raise click.BadParameter("unknown input format; see 'complycheck formats'", param_hint="--input-format")
    if no_config and config_file:
        _die("--config FILE and --no-config exclude each other: give one")
    config_path = None if no_config else config_file or config.discover()
    policy = config.load_policy(config_path) if config_path else config.Policy(path="")
    meta = click.get_current_context().meta
    if not jurisdictions and not policy.jurisdictions and SETTINGS_ONLY not in meta:
        _die(no_jurisdiction_message(config_path or ".complycheck.yaml"))
    if bool(attest) != bool(sign_key):
        _die("--attest FILE needs --sign-key KEY (and --sign-key is only for --attest)")
    if sign_key:
        from compliance.signing import load_private_key

        load_private_key(sign_key)  # a wrong key fails before the scan, not after it
    from compliance.cli_channel import pack_policy_for_scan

    pack_policy = pack_policy_for_scan(policy, trusted_key_files, max_pack_age, stale_pack)
    stdout_target: str | None = None
    extra: list[tuple[str, str]] = []
    for spec in outputs or tuple(policy.outputs):
        name, sep, target = spec.partition("=")
        if sep and name in format_names():
            if not target:
                raise click.BadParameter(f"{spec!r} names no file", param_hint="--output")
            extra.append((name, target))
        elif sep and "/" not in name and "." not in name:
            raise click.BadParameter(
                f"unknown format {name!r} in {spec!r}; known formats: {', '.join(format_names())}", param_hint="--output"
            )
        else:
            if stdout_target is not None:
                raise click.BadParameter("only one plain -o FILE; use FORMAT=FILE for more", param_hint="--output")
            stdout_target = spec
    if extra or stdout_target or attest:  # before anything is read or written: no report over an input, through a link, or twice
        from compliance.reportfile import check_targets

        check_targets(
            [(f"{name}={target}", target) for name, target in extra]
            + [(stdout_target or "the report on standard output", stdout_target or "-")]
            + ([(f"--attest {attest}", attest)] if attest else []),
            [*paths, *filter(None, (config_path, waivers_file, sign_key)), *(rule_dirs or policy.rules)],
        )
    # -f wins; else a plain -o FILE's extension (report.json -> json); else the config file; else text.
    inferred = format_for_path(stdout_target) if stdout_target and not fmt else None
    stdout_format = get_format(fmt or inferred or policy.format or "text")
    options = ScanOptions(
        jurisdictions=list(jurisdictions or policy.jurisdictions),
        contexts=list(contexts or policy.contexts),
        as_of=_parse_date(as_of, "--as-of"),
        horizon_days=_first(horizon, policy.horizon, 90),
        fail_on=_first(fail_on, policy.fail_on, "fail"),
        input_format=input_format,
        reader_options={"columns": _parse_columns(columns)} if columns else {},
        rule_dirs=list(rule_dirs or policy.rules),
        builtin_rules=False if no_builtin_rules else _first(policy.builtin_rules, True),
        require_verified=_first(require_verified, policy.require_verified, False),
        max_input_bytes=_parse_size(max_size),
        # Reports name the exact command (argv as given, the program as "complycheck" so it is the same
        # wherever it is installed), less --jobs/--scheduler: where a scan runs never changes its report.
        command=["complycheck", *_without_execution_flags(sys.argv[1:])],
        jobs=jobs,
        scheduler=scheduler,
        allow_remote=allow_remote,
        unverified="fail" if fail_on_unverified else (policy.unverified or "warn"),
        show_out_of_scope=_first(show_out_of_scope, policy.show_out_of_scope, False),
        allow_empty=_first(allow_empty, policy.allow_empty, False),
        min_vendor_coverage=min_vendor_coverage if min_vendor_coverage is not None else policy.min_vendor_coverage,
        keep_last_input=FAST_EXIT,  # this process ends in _finish while ``options`` is still held
        pack_policy=pack_policy,
    )
    if waivers_file:
        from compliance.waivers import load_waivers  # only now: a scan without waivers never loads PyYAML

        options.waivers = load_waivers(waivers_file)
    else:
        options.waivers = policy.waivers
    if SETTINGS_ONLY in meta:  # complycheck config / explain: these settings, and no scan
        meta[SETTINGS_ONLY] = ScanSettings(options, policy, config_path, stdout_format.name, stdout_target, extra)
        return
    if junit_per_rule:
        from compliance.formats.junit import JUnitFormat

        JUnitFormat.per_rule = True
    if verbose:
        from compliance.formats.text import TextFormat

        TextFormat.verbose = True
    if policy.information_uri:
        from compliance.formats.sarif import SarifFormat

        SarifFormat.information_uri = policy.information_uri
    progress = _progress_printer(paths)
    report = run_scan(list(paths), options, progress=progress)
    # The report and its inputs live until exit: move them out of the collector's sight so rendering
    # a large report does not rescan millions of long-lived objects.
    gc.freeze()
    if progress is not None:
        click.echo("", err=True)
    for warning in report.rulepack.get("warnings") or []:
        _err(f"complycheck: warning: {warning}")
    for rule in report.excluded_rules:
        click.echo(f"complycheck: note: --require-verified leaves out {rule['rule_id']} (unverified facts)", err=True)
    for skip in report.skipped:
        click.echo(f"complycheck: note: skipped {skip['path']}: {skip['reason']}", err=True)
    for inp in report.inputs:
        if inp.error:
            _err(f"complycheck: error: {inp.error}")
    # Every requested report is written whatever happened, even when no input could be read: a CI step
    # that uploads the SARIF or JUnit file must find one, saying ERROR.
    code = report.exit_code
    if attest and sign_key:
        from compliance.cli_channel import write_attestation

        write_attestation(report, attest, sign_key, verifier_id, code)
    for name, target in extra:
        _write(target, render_bytes(get_format(name), report), code)
    if stdout_target is not None:
        _write(stdout_target, render_bytes(stdout_format, report), code)
    if quiet:
        from compliance.formats.text import verdict_line

        _out(verdict_line(report), exit_code=code)
    elif stdout_target is None:
        _out(render_bytes(stdout_format, report), nl=False, exit_code=code)
    _finish(code)


# Set by the complycheck command itself (``compliance.__main__.run``), never by a program that calls
# ``main`` in its own process: only then may a finished scan end the process without tearing down.
FAST_EXIT = False


def _finish(code: int) -> None:
    """Exit with ``code`` once every report is written.

    From the command, after a scan that ran in this process alone (no worker processes, no other
    threads), the process ends here without freeing the report object by object: for 100,000
    components that teardown is millions of deallocations, 3-5% of the scan, and nothing is left to
    do (reports are written and flushed; ``-o`` files are closed and renamed). Anywhere else, and if
    flushing fails, it is an ordinary ``sys.exit``, so every exit path and code stays as it is.
    """
    threading = sys.modules.get("threading")
    alone = "multiprocessing" not in sys.modules and (threading is None or threading.active_count() == 1)
    if FAST_EXIT and alone:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # the ordinary exit reports it as it always has
        else:
            os._exit(code)
    sys.exit(code)


def _without_execution_flags(argv: list[str]) -> list[str]:
    """``argv`` without ``--jobs N`` and ``--scheduler ADDRESS`` (either spelling)."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--jobs", "--scheduler"):
            skip = True
        elif not arg.startswith(("--jobs=", "--scheduler=")):
            out.append(arg)
    return out


def _first(*values: Any) -> Any:
    """The first value that is set: a flag, then the config file, then the default."""
    return next(v for v in values if v is not None)


def _progress_printer(paths: tuple[str, ...]) -> Callable[[str], None] | None:
    """A progress line on a terminal's stderr when there are several inputs; silent otherwise."""
    if not sys.stderr.isatty():
        return None
    from compliance.readers import expand_paths

    try:
        total = sum(1 for _ in expand_paths(list(paths)))
    except Exception:  # noqa: BLE001 - the scan itself reports bad paths
        return None
    if total < 2:
        return None
    from compliance.untrusted import for_terminal

    state = {"n": 0}

    def tick(path: str) -> None:
        state["n"] += 1
        width = 30
        done = int(width * state["n"] / total)
        shown = for_terminal(path)
        name = shown if len(shown) <= 40 else "..." + shown[-37:]
        click.echo(f"\r[{'#' * done}{'.' * (width - done)}] {state['n']}/{total} {name:<40}", err=True, nl=False)

    return tick


def _write(target: str, text: str | bytes, exit_code: int = EXIT_ERROR) -> None:
    """A report to a file, complete or not at all (``compliance.reportfile``), or to stdout for ``-``."""
    if target == "-":
        _out(text, nl=False, exit_code=exit_code)
        return
    from compliance.reportfile import write_atomically

    try:
        write_atomically(target, text)
    except OSError as exc:
        _die(f"{target}: cannot write report: {exc.strerror or exc}")


# -- rules ---------------------------------------------------------------------------------


def _pack_options(f):  # type: ignore[no-untyped-def]
    """--rules DIR (repeatable) and --no-builtin-rules, as on scan."""
    f = click.option("--no-builtin-rules", is_flag=True, help="Use only the packs given with --rules.")(f)
    return click.option("--rules", "rule_dirs", multiple=True, metavar="DIR",
                        help="Add an organisation rule pack (repeatable).")(f)


def _load_pack(rule_dirs: tuple[str, ...], no_builtin_rules: bool):  # type: ignore[no-untyped-def]
    from compliance.rulepack import load_rule_pack

    return load_rule_pack(list(rule_dirs), builtin=not no_builtin_rules)


_LIST_FORMAT = click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text",
                            show_default=True, help="Output format.")
_WIDE = click.option("--wide", is_flag=True,
                     help="Full-width text lines (by default a terminal's width, or COLUMNS, is fitted).")


def _width(fmt: str, wide: bool) -> int | None:
    """The width text listings are fitted to (``compliance.termtable``); None: full width."""
    from compliance.termtable import output_width

    return output_width(wide) if fmt == "text" else None


@main.group()
def rules() -> None:
    """Inspect and validate rule packs."""


@rules.command("list")
@click.option("-j", "--jurisdiction", "jurisdictions", multiple=True, metavar="CODE",
              help="Only these jurisdictions (and what they include: US-TX also lists US).")
@click.option("-c", "--context", "contexts", multiple=True, metavar="CONTEXT",
              help="Only rules that need one of these contexts (or a context they imply).")
@click.option("--stale", "stale_days", type=click.IntRange(min=0), metavar="DAYS",
              help="Only rules last verified more than DAYS days before --as-of.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Reference date for --stale. Default: today.")
@_LIST_FORMAT
@_WIDE
@_pack_options
def rules_list(jurisdictions: tuple[str, ...], contexts: tuple[str, ...], stale_days: int | None, as_of: str | None,
               fmt: str, wide: bool, rule_dirs: tuple[str, ...], no_builtin_rules: bool) -> None:
    """List rules: id, jurisdiction, binding, effective dates, contexts, verification status."""
    from compliance.rulepack.listing import render_rules, select_rules
    from compliance.scan import ALL, canonical_contexts, canonical_jurisdictions

    pack = _load_pack(rule_dirs, no_builtin_rules)
    codes = canonical_jurisdictions(pack, list(jurisdictions))
    selected = select_rules(pack, jurisdictions=[] if codes == [ALL] else codes,
                            contexts=canonical_contexts(pack, list(contexts)), stale_days=stale_days,
                            as_of=_parse_date(as_of, "--as-of"))
    _out(render_rules(selected, fmt, _width(fmt, wide)), nl=False, terminal=fmt == "text")


@rules.command("show")
@click.argument("rule_id")
@_pack_options
def rules_show(rule_id: str, rule_dirs: tuple[str, ...], no_builtin_rules: bool) -> None:
    """Everything about one rule, in plain words, with the vendors and identifiers it matches."""
    from compliance.lookup import find_rule
    from compliance.rulepack.describe import describe_rule

    pack = _load_pack(rule_dirs, no_builtin_rules)
    _out(describe_rule(pack, find_rule(pack, rule_id)), terminal=True)


@rules.command("validate")
@click.argument("paths", nargs=-1, metavar="[PACK_DIR...]")
@click.option("--with-builtin", is_flag=True,
              help="Also load the built-in pack first (for organisation packs that use its vendor catalog).")
def rules_validate(paths: tuple[str, ...], with_builtin: bool) -> None:
    """Check rule packs (default: the built-in pack); several directories are checked merged.

    Exit 0 with a one-line summary when valid; exit 2 with one line per problem
    (FILE: rule ID: FIELD: message) otherwise.
    """
    from compliance.rulepack.loader import builtin_pack_dir
    from compliance.rulepack.validate import validate

    dirs = [str(builtin_pack_dir())] if with_builtin or not paths else []
    result = validate(dirs + list(paths))
    if not result.ok:
        for line in result.problems:
            _err(line)
        _err(f"complycheck: rule pack: {len(result.problems)} problem(s)")
        sys.exit(EXIT_ERROR)
    _out(result.summary(), terminal=True)


# -- vendors, jurisdictions, contexts -------------------------------------------------------


@main.group()
def vendors() -> None:
    """Inspect the vendor catalog."""


@vendors.command("list")
@_LIST_FORMAT
@_WIDE
@_pack_options
def vendors_list(fmt: str, wide: bool, rule_dirs: tuple[str, ...], no_builtin_rules: bool) -> None:
    """List catalog vendors with their product and rule counts."""
    from compliance.rulepack.listing import render_vendors

    text = render_vendors(_load_pack(rule_dirs, no_builtin_rules), fmt, _width(fmt, wide))
    _out(text, nl=False, terminal=fmt == "text")


@vendors.command("show")
@click.argument("vendor_id", metavar="VENDOR")
@_pack_options
def vendors_show(vendor_id: str, rule_dirs: tuple[str, ...], no_builtin_rules: bool) -> None:
    """One vendor (by id, name, brand or product name, any case): names, identifiers, products, rules."""
    from compliance.lookup import find_vendor
    from compliance.matching import VendorIndex
    from compliance.rulepack.describe import describe_vendor

    pack = _load_pack(rule_dirs, no_builtin_rules)
    vendor = find_vendor(pack, VendorIndex(pack), vendor_id)
    covering = [r for r in pack.rules if vendor.id in r.vendors]
    lines = [describe_vendor(vendor), "Rules:" if covering else "Rules:        none"]
    lines += [f"  {r.id} [{r.jurisdiction}] {r.binding}: {r.title}" for r in covering]
    _out("\n".join(lines), terminal=True)


@main.command("jurisdictions")
@_LIST_FORMAT
@_WIDE
@_pack_options
def jurisdictions_cmd(fmt: str, wide: bool, rule_dirs: tuple[str, ...], no_builtin_rules: bool) -> None:
    """Jurisdiction codes: names, what each includes, and rule counts."""
    from compliance.rulepack.listing import render_jurisdictions

    text = render_jurisdictions(_load_pack(rule_dirs, no_builtin_rules), fmt, _width(fmt, wide))
    _out(text, nl=False, terminal=fmt == "text")


@main.command("contexts")
@_LIST_FORMAT
@_WIDE
@_pack_options
def contexts_cmd(fmt: str, wide: bool, rule_dirs: tuple[str, ...], no_builtin_rules: bool) -> None:
    """The context vocabulary: what each context means, what it implies, and which rules need it."""
    from compliance.rulepack.listing import render_contexts

    text = render_contexts(_load_pack(rule_dirs, no_builtin_rules), fmt, _width(fmt, wide))
    _out(text, nl=False, terminal=fmt == "text")


@main.command("formats")
def formats_cmd() -> None:
    """Input formats that scan recognises (the names --input-format takes), and the report formats."""
    from compliance.formats import FORMATS
    from compliance.readers import READERS

    width = max(len(r.name) for r in READERS) + 2
    click.echo("Input formats (detected from content; force one with --input-format NAME):")
    for r in READERS:
        click.echo(f"  {r.name:<{width}}{r.label}")
    click.echo("")
    click.echo("Report formats (-f NAME, -o FORMAT=FILE):")
    for name, cls in FORMATS.items():
        click.echo(f"  {name:<{width}}{cls.label}")


@main.command("init")
@click.argument("path", default=".complycheck.yaml", metavar="[FILE]")
@click.option("-j", "--jurisdiction", "jurisdictions", multiple=True, metavar="CODE",
              help="Jurisdiction to write into the file (repeatable); otherwise edit the file before scanning.")
@click.option("-c", "--context", "contexts", multiple=True, metavar="CONTEXT", help="Context to write (repeatable).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init_cmd(path: str, jurisdictions: tuple[str, ...], contexts: tuple[str, ...], force: bool) -> None:
    """Write a commented policy file (default ./.complycheck.yaml) that scan then reads."""
    from compliance import config
    from compliance.rulepack import load_rule_pack
    from compliance.scan import canonical_contexts, canonical_jurisdictions

    pack = load_rule_pack([])
    codes = canonical_jurisdictions(pack, list(jurisdictions))
    names = canonical_contexts(pack, list(contexts))
    if os.path.lexists(path) and not force:
        _die(f"{path}: already exists; use --force to overwrite it")
    from compliance.reportfile import write_atomically

    try:
        write_atomically(path, config.starter(codes, names))  # never through a link at that name
    except OSError as exc:
        _die(f"{path}: cannot write config file: {exc.strerror or exc}")
    config.load_policy(path)  # what init writes must load
    click.echo(f"wrote {path}")
    if not codes:
        click.echo(f"next: set 'jurisdictions:' in {path} (e.g. [US]); scan refuses to run without one", err=True)


# -- collect -------------------------------------------------------------------------------


@main.command()
@click.option("-o", "--output", "output", default="-", show_default=True, metavar="FILE",
              help="Write the SBOM to FILE ('-' for standard output).")
@click.option("--timestamp", is_flag=True, help="Record the collection time (off by default: output is reproducible).")
@click.option("--no-python", is_flag=True, help="Linux: leave out the Python distributions of this interpreter.")
def collect(output: str, timestamp: bool, no_python: bool) -> None:
    """Write a CycloneDX 1.6 SBOM of the software installed on this machine.

    \b
    Linux: dpkg or rpm packages plus this Python's distributions; macOS: system_profiler
    applications; Windows: the Uninstall registry keys. Pipe it into a scan:
      complycheck collect | complycheck scan - --jurisdiction US
    """
    from compliance.collect import collect as run_collect

    _write(output, run_collect(include_python=not no_python, timestamp=timestamp))


# The signed pack channel and signed verdicts (keygen, rules build/update/import/status, verify-attestation), and
# lookups that explain (vendors match, explain, config): each module registers its commands on main, rules, vendors.
from compliance import cli_channel, cli_lookups  # noqa: E402,F401

if __name__ == "__main__":  # pragma: no cover
    main()
