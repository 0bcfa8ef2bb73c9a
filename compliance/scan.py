"""The library entry point: everything the CLI's ``scan`` does, callable from Python."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from compliance import __version__
from compliance.engine import Evaluator
from compliance.errors import ComplyCheckError, InputError, UsageError, internal_error
from compliance.model import Finding, InputResult, Report
from compliance.readers import display_path, expand_paths, load_source, read_source
from compliance.readers.base import DEFAULT_MAX_BYTES, paused_gc
from compliance.rulepack import RulePack, load_rule_pack

FAIL_ON = ("fail", "warn", "never")


@dataclass
class ScanOptions:
    jurisdictions: list[str] = field(default_factory=list)
    contexts: list[str] = field(default_factory=list)
    as_of: date | None = None
    horizon_days: int = 90
    fail_on: str = "fail"
    input_format: str | None = None
    reader_options: dict[str, Any] = field(default_factory=dict)
    rule_dirs: list[str] = field(default_factory=list)
    builtin_rules: bool = True
    require_verified: bool = False
    max_input_bytes: int = DEFAULT_MAX_BYTES
    waivers: Any = None  # a loaded waiver set (compliance.waivers), applied after evaluation
    # The command the caller ran, as an argument vector, for reports that name it (the CLI passes its own).
    command: list[str] | None = None


def check_selection(pack: RulePack, options: ScanOptions) -> None:
    """Unknown jurisdictions or contexts are usage errors that list what is known."""
    unknown_j = [j for j in options.jurisdictions if j not in pack.jurisdictions]
    if unknown_j:
        known = ", ".join(sorted(pack.jurisdictions))
        raise UsageError(f"unknown jurisdiction {', '.join(unknown_j)}; known codes: {known}")
    unknown_c = [c for c in options.contexts if c not in pack.contexts]
    if unknown_c:
        known = ", ".join(sorted(pack.contexts))
        raise UsageError(f"unknown context {', '.join(unknown_c)}; known contexts: {known}")
    if options.fail_on not in FAIL_ON:
        raise UsageError(f"--fail-on must be one of {', '.join(FAIL_ON)}")
    if options.horizon_days < 0:
        raise UsageError("--horizon must be zero or more days")


def unverified_rules(evaluator: Evaluator) -> list[str]:
    return [r.id for r in evaluator.selected_rules if r.verification_status == "unverified"]


def scan(
    paths: list[str],
    options: ScanOptions | None = None,
    *,
    pack: RulePack | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Read every input, evaluate the selected rules, and return the report.

    An unusable input becomes an error section in the report (and exit code 2); the other inputs
    are still scanned. Usage errors (unknown jurisdiction, unknown context) raise ``UsageError``.
    """
    options = options or ScanOptions()
    if pack is None:
        pack = load_rule_pack(options.rule_dirs, builtin=options.builtin_rules)
    check_selection(pack, options)
    as_of = options.as_of or date.today()
    evaluator = Evaluator(
        pack,
        jurisdictions=options.jurisdictions,
        contexts=options.contexts,
        as_of=as_of,
        horizon_days=options.horizon_days,
    )
    if options.require_verified:
        bad = unverified_rules(evaluator)
        if bad:
            raise UsageError(
                f"--require-verified: the selected rules include unverified facts: {', '.join(bad)}"
            )
    inputs: list[InputResult] = []
    findings: list[Finding] = []
    with paused_gc():
        _scan_inputs(paths, options, evaluator, inputs, findings, progress)
    findings.sort(key=Finding.sort_key)
    report = Report(
        tool_version=__version__,
        rulepack={"name": pack.name, "version": pack.version, "packs": [dict(p) for p in pack.packs]},
        as_of=as_of.isoformat(),
        jurisdictions=sorted(evaluator.selected),
        contexts=sorted(evaluator.contexts),
        horizon_days=options.horizon_days,
        fail_on=options.fail_on,
        inputs=inputs,
        findings=findings,
        rules_evaluated=evaluator.rules_summary(),
        command=list(options.command) if options.command is not None else None,
    )
    if options.waivers is not None:
        options.waivers.apply(report, as_of)
    return report


def _scan_inputs(
    paths: list[str],
    options: ScanOptions,
    evaluator: Evaluator,
    inputs: list[InputResult],
    findings: list[Finding],
    progress: Callable[[str], None] | None,
) -> None:
    for path in expand_paths(paths):
        if progress is not None:
            progress(path)
        result, found = scan_one(path, options, evaluator)
        inputs.append(result)
        findings.extend(found)


def scan_one(path: str, options: ScanOptions, evaluator: Evaluator) -> tuple[InputResult, list[Finding]]:
    """Read and evaluate one input. Whatever goes wrong becomes this input's error section.

    A compliance gate fails closed and never loses the other inputs, so even an unexpected exception
    (a reader bug) is caught here, reported as an internal error naming the file, and the scan goes on.
    """
    shown = "<stdin>" if path == "-" else display_path(path)
    source = None
    try:
        source = load_source(path, max_bytes=options.max_input_bytes, options=options.reader_options)
        inventory = read_source(source, options.input_format)
        result, found = evaluator.evaluate(inventory)
        result.sha256 = source.sha256
        result.problems = inventory.problems
        return result, found
    except InputError as exc:
        error = str(exc)
    except ComplyCheckError:
        raise  # usage errors (an unknown --input-format) stop the whole scan
    except RecursionError:
        error = f"{shown}: input is nested too deeply to read"
    except MemoryError:
        error = f"{shown}: input is too large to hold in memory"
    except Exception as exc:  # noqa: BLE001 - fail closed: a reader bug is this input's error, not the scan's
        error = internal_error(shown, exc)
    # An input that was read but not understood is still named by its digest.
    sha256 = source.sha256 if source is not None else None
    return InputResult(path=shown, format=None, error=error, sha256=sha256), []
