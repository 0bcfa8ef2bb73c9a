"""The library entry point: everything the CLI's ``scan`` does, callable from Python."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import msgspec

from compliance import __version__
from compliance.engine import Evaluator, Tally, selected_jurisdictions
from compliance.errors import ComplyCheckError, InputError, UsageError, internal_error
from compliance.model import Finding, InputResult, Report
from compliance.readers import display_path, expand_paths, load_source, read_source
from compliance.readers.base import DEFAULT_MAX_BYTES, paused_gc
from compliance.remote import is_url, load_url, local_path, remote_error
from compliance.rulepack.cache import load_rule_pack_and_index
from compliance.rulepack.model import RulePack
from compliance.skip import HIDDEN_DIRECTORY, is_hidden, not_inventory

FAIL_ON = ("fail", "warn", "never")
UNVERIFIED = ("warn", "fail")
ALL = "ALL"  # the explicit opt-in to every jurisdiction of the pack

# One line, for the library and the CLI alike: a gate that silently applied India's and Ukraine's rules
# to a US product would fail for reasons nobody chose.
def no_jurisdiction_message(config_file: str = ".complycheck.yaml") -> str:
    return (
        "no jurisdiction given: pass -j/--jurisdiction CODE (or -j ALL for every jurisdiction), "
        f"or set 'jurisdictions:' in {config_file} ('complycheck init' writes one)"
    )


class ScanOptions(msgspec.Struct):
    """What to scan against and how: the library form of ``complycheck scan``'s flags and policy file."""

    jurisdictions: list[str] = []
    contexts: list[str] = []
    as_of: date | None = None
    horizon_days: int = 90
    fail_on: str = "fail"
    input_format: str | None = None
    reader_options: dict[str, Any] = {}
    rule_dirs: list[str] = []
    builtin_rules: bool = True
    require_verified: bool = False
    max_input_bytes: int = DEFAULT_MAX_BYTES
    waivers: Any = None  # a loaded waiver set (compliance.waivers), applied after evaluation
    # The command the caller ran, as an argument vector, for reports that name it (the CLI passes its own).
    command: list[str] | None = None
    jobs: int | None = None  # worker processes; None: the usable CPUs; 1: in this process
    scheduler: Any = None  # a Dask scheduler address (or distributed.Client): scan on that cluster
    # Paths the caller named (set by scan()); files found below a named folder that are clearly not
    # inventories are skipped. None: nothing is ever skipped.
    named_inputs: frozenset[str] | None = None
    unverified: str = "warn"  # "fail" lets rules resting on unverified facts fail the gate
    show_out_of_scope: bool = False  # SARIF/GitHub list out-of-scope findings only when asked
    # Read remote (fsspec) URLs among the inputs: the command line's --allow-remote. Implied by a
    # scheduler. Off: a remote URL is that input's error section and nothing is fetched.
    allow_remote: bool = False
    # An input from which no component was read is an error unless this is set (a truly empty SBOM).
    allow_empty: bool = False
    # Percent (0-100) of an input's components that must carry vendor identity; below it the input is
    # an error (its findings are still reported). None: no such gate.
    min_vendor_coverage: float | None = None
    # The complycheck command ends with ``os._exit`` while it still holds these options: the last input
    # read is kept in ``last_input`` instead of being freed object by object as ``scan_one`` returns
    # (for 100,000 components about 0.1 s); the next input replaces it. Off for any other caller.
    keep_last_input: bool = False
    last_input: Any = None
    # Readers make every component (no ``Tally`` matching them as read): for ``explain``, which looks at them.
    keep_components: bool = False
    # Trusted keys, a pin, the pack age limit and the policy file's digest (compliance.rulepack.provenance).
    pack_policy: Any = None


def _canonical(names: list[str], known: list[str], what: str, plural: str) -> list[str]:
    """Names as the pack spells them, matched case-insensitively; unknown ones are a usage error."""
    by_fold = {k.casefold(): k for k in known}
    out: list[str] = []
    unknown: list[str] = []
    for name in names:
        hit = by_fold.get(name.strip().casefold())
        if hit is None:
            unknown.append(name)
        elif hit not in out:
            out.append(hit)
    if unknown:
        from compliance.lookup import unknown_names_message  # the error path only: it imports difflib

        raise UsageError(unknown_names_message(unknown, known, what, plural))
    return out


def canonical_jurisdictions(pack: RulePack, codes: list[str]) -> list[str]:
    """``us`` -> ``US``; ``ALL`` (any case) -> ``[ALL]``."""
    if any(c.strip().casefold() == ALL.casefold() for c in codes):
        return [ALL]
    return _canonical(codes, list(pack.jurisdictions), "jurisdiction", "codes")


def canonical_contexts(pack: RulePack, contexts: list[str]) -> list[str]:
    return _canonical(contexts, list(pack.contexts), "context", "contexts")


def check_selection(pack: RulePack, options: ScanOptions) -> None:
    """Normalise the jurisdictions and contexts in place; unknown ones are usage errors listing the known."""
    if not options.jurisdictions:
        raise UsageError(no_jurisdiction_message())
    options.jurisdictions = canonical_jurisdictions(pack, options.jurisdictions)
    options.contexts = canonical_contexts(pack, options.contexts)
    if options.fail_on not in FAIL_ON:
        raise UsageError(f"--fail-on must be one of {', '.join(FAIL_ON)}")
    if options.unverified not in UNVERIFIED:
        raise UsageError(f"unverified must be one of {', '.join(UNVERIFIED)}")
    if options.horizon_days < 0:
        raise UsageError("--horizon must be zero or more days")
    if options.jobs is not None and options.jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    coverage = options.min_vendor_coverage
    if coverage is not None and (isinstance(coverage, bool) or not 0 <= coverage <= 100):
        raise UsageError("--min-vendor-coverage must be a percentage from 0 to 100")


def _evaluated(pack: RulePack, options: ScanOptions) -> list[str]:
    """The jurisdictions the evaluator is given (``ALL``: every one of the pack), after ``check_selection``."""
    return sorted(pack.jurisdictions) if options.jurisdictions == [ALL] else options.jurisdictions


def _rules_needed(pack: RulePack, options: ScanOptions) -> set[str]:
    """The jurisdictions whose rules this scan evaluates: the only rules a cached pack need load."""
    check_selection(pack, options)  # canonical names (idempotent; unknown names are the usage error)
    return selected_jurisdictions(pack, _evaluated(pack, options))


def _rulepack_section(pack: RulePack, sources: list[Any] | None, options: ScanOptions, as_of: date) -> dict[str, Any]:
    """The report's ``rulepack``: each pack's name, version, digest, signer, source and age, and warnings."""
    from compliance.rulepack.provenance import describe_packs, sources_of

    if sources is None:  # a pack object the caller loaded: its directories say where it came from
        sources = sources_of(pack.packs)
    entries, warnings = describe_packs(pack.packs, sources, options.pack_policy, as_of)
    return {"name": pack.name, "version": pack.version, "packs": entries, "warnings": warnings}


def _policy_section(options: ScanOptions) -> dict[str, Any] | None:
    policy = options.pack_policy
    if policy is None or not policy.policy_file:
        return None
    return {"path": policy.policy_file, "sha256": policy.policy_sha256}


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
    index = None  # a pack the caller passes may have been changed since it was loaded: its index is built
    sources = None
    if pack is None:
        from compliance.rulepack.provenance import select_packs

        dirs, sources = select_packs(options.rule_dirs, options.builtin_rules, options.pack_policy)
        pack, index = load_rule_pack_and_index(dirs, builtin=False, rules_for=lambda p: _rules_needed(p, options))
    check_selection(pack, options)
    paths = [_as_local(p) for p in paths]  # file:///x is /x, read with every guard of a local path
    options.named_inputs = frozenset(paths)  # a file named by the caller is always read, never skipped
    as_of = options.as_of or date.today()
    rulepack = _rulepack_section(pack, sources, options, as_of)
    all_jurisdictions = options.jurisdictions == [ALL]
    evaluator = Evaluator(
        pack,
        jurisdictions=_evaluated(pack, options),
        contexts=options.contexts,
        as_of=as_of,
        horizon_days=options.horizon_days,
        require_verified=options.require_verified,
        fail_unverified=options.unverified == "fail",
        index=index,
    )
    inputs: list[InputResult] = []
    findings: list[Finding] = []
    skipped: list[dict[str, str]] = []
    with paused_gc():
        for result, found in _scan_inputs(paths, options, evaluator, progress):
            if result.skipped is not None:
                skipped.append({"path": result.path, "reason": result.skipped})
                continue
            inputs.append(result)
            findings.extend(found)
    if skipped and not inputs:  # an error section, so every requested report is still written
        folders = [p for p in paths if p != "-" and not is_url(p) and os.path.isdir(p)] or [skipped[0]["path"]]
        inputs = [
            InputResult(
                path=display_path(p), format=None,
                error=f"{display_path(p)}: no inventory to scan: every file was skipped as not an inventory",
            )
            for p in folders
        ]
    findings.sort(key=Finding.sort_key)
    report = Report(
        tool_version=__version__,
        rulepack=rulepack,
        policy=_policy_section(options),
        as_of=as_of.isoformat(),
        jurisdictions=sorted(evaluator.selected),
        contexts=sorted(evaluator.contexts),
        horizon_days=options.horizon_days,
        fail_on=options.fail_on,
        inputs=inputs,
        findings=findings,
        rules_evaluated=evaluator.rules_summary(),
        coverage_limits=evaluator.coverage_limits(),
        command=list(options.command) if options.command is not None else None,
        all_jurisdictions=all_jurisdictions,
        excluded_rules=[
            {"rule_id": r.id, "jurisdiction": r.jurisdiction, "reason": "unverified facts (--require-verified)"}
            for r in evaluator.excluded_rules
        ],
        show_out_of_scope=options.show_out_of_scope,
        skipped=skipped,
    )
    if options.waivers is not None:
        options.waivers.apply(report, as_of)
    return report


def _as_local(path: str) -> str:
    """A ``file://`` URL naming a local file as its path; anything else as given."""
    return (local_path(path) or path) if is_url(path) else path


def remote_allowed(options: ScanOptions) -> bool:
    """May remote URLs be read? Only when the caller opted in: ``allow_remote``, or a Dask scheduler."""
    return options.allow_remote or options.scheduler is not None


def expand_inputs(paths: list[str], *, remote: bool = False) -> tuple[list[str], dict[str, str]]:
    """Every input: local paths and directories (``expand_paths``) and URLs, in order.

    Returns the inputs and, for URLs that are not read (no opt-in with ``remote``, a scheme not
    offered, a failure while listing one), the error line of each: that input's error section.
    """
    from compliance.remote import expand_url

    out: list[str] = []
    failed: dict[str, str] = {}
    for p in paths:
        if not is_url(p):
            out.extend(expand_paths([p]))
            continue
        why = remote_error(p, remote)
        if why is None:
            try:
                out.extend(expand_url(p))
                continue
            except InputError as exc:
                why = exc.message
        out.append(p)
        failed[p] = f"{display_path(p)}: {why}"
    return out, failed


def _error_sections(path: str, error: str) -> list[tuple[InputResult, list[Finding]]]:
    return [(InputResult(path=display_path(path), format=None, error=error), [])]


def _scan_inputs(
    paths: list[str],
    options: ScanOptions,
    evaluator: Evaluator,
    progress: Callable[[str], None] | None,
) -> Iterator[tuple[InputResult, list[Finding]]]:
    """Every input section in input order: on a Dask cluster, in worker processes, or in this process.

    One input, or ``jobs`` 1, stays in this process: starting workers would cost more than it saves.
    Standard input is always read here (workers have no standard input), and so are the URLs that
    are not read (their error sections).
    """
    files, failed = expand_inputs(paths, remote=remote_allowed(options))
    here = {p: _error_sections(p, error) for p, error in failed.items()}
    if options.scheduler is not None:
        from compliance import parallel

        if "-" in files:
            raise UsageError("standard input ('-') cannot be scanned on a Dask cluster; give a file or URL")
        away = [p for p in files if p not in here]
        done = iter(parallel.run_dask(away, options, evaluator, options.scheduler, progress) if away else [])
        for p in files:
            yield from here[p] if p in here else next(done)
        return
    if len(files) > 1 and options.jobs != 1:
        from compliance import parallel  # imported only here: a one-input scan never pays for multiprocessing

        jobs = options.jobs if options.jobs is not None else parallel.usable_cpus()
        local = [p for p in files if p != "-" and p not in here]
        if jobs > 1 and len(local) > 1 and parallel.can_start_workers():
            if "-" in files:
                here["-"] = scan_one("-", options, evaluator)
                if progress is not None:
                    progress("-")
            scanned = iter(parallel.run_pool(local, options, evaluator, jobs, progress))
            for p in files:
                yield from here[p] if p in here else next(scanned)
            return
    for path in files:
        sections = here[path] if path in here else scan_one(path, options, evaluator)
        if progress is not None:
            progress(path)
        yield from sections


def unchecked(result: InputResult, options: ScanOptions) -> str | None:
    """Why an input that was read still does not count as checked, or None.

    A gate fails closed: a document from which no component was read (a VEX file given instead of the
    SBOM, an SPDX 3 graph without packages) checked nothing, and is an error unless ``allow_empty``;
    below ``min_vendor_coverage`` too few components say who made them for a PASS to mean much. The
    input's findings are still reported; the error makes the verdict ``error`` (exit 2).
    """
    total = result.components
    if total == 0:
        if options.allow_empty:
            return None
        return (
            f"{result.path}: 0 components read, so nothing in it was checked (an SBOM without components, or a "
            "VEX or other document given instead of one?); pass --allow-empty if it is truly empty"
        )
    floor = options.min_vendor_coverage
    if floor is None:
        return None
    known = result.components_with_vendor_identity
    if known * 100 >= floor * total:
        return None
    return (
        f"{result.path}: vendor identity on {known} of {total} components ({coverage_text(known, total)}), below the "
        f"required {floor:g}% (--min-vendor-coverage): the others could be matched by product name only"
    )


def coverage_text(known: int, total: int) -> str:
    """``known`` of ``total`` as a percentage that never rounds up to the required figure: 79.96% is 79.9%."""
    tenths = known * 1000 // total
    return f"{tenths // 10}.{tenths % 10}%"


def scan_one(path: str, options: ScanOptions, evaluator: Evaluator) -> list[tuple[InputResult, list[Finding]]]:
    """Read and evaluate one input: the single unit of work of every way to run a scan.

    The in-process loop, the worker-process pool and Dask all call this, so an input reads and fails
    the same way wherever it runs. It returns the input's report sections: one per input, except an
    osquery results log from several hosts (one per host). Whatever goes wrong becomes this input's
    error section. A file found in a folder (not in ``options.named_inputs``) that is clearly not an
    inventory comes back as one section with ``skipped`` set.

    ``from_folder``: the file was found by walking a directory, so one that is clearly not an
    inventory (a README, an image) comes back with ``skipped`` set instead of an error.

    A compliance gate fails closed and never loses the other inputs, so even an unexpected exception
    (a reader bug) is caught here, reported as an internal error naming the file, and the scan goes on.
    """
    shown = "<stdin>" if path == "-" else display_path(path)
    source = None
    found_in_folder = options.named_inputs is not None and path not in options.named_inputs
    hidden = found_in_folder and is_hidden(path)
    if hidden and not is_url(path) and os.path.isdir(path):
        return [(InputResult(path=shown, format=None, skipped=HIDDEN_DIRECTORY), [])]
    try:
        if is_url(path):
            why = remote_error(path, remote_allowed(options))
            if why is not None:
                raise InputError(shown, why)
            source = load_url(path, max_bytes=options.max_input_bytes, options=options.reader_options)
        else:
            source = load_source(path, max_bytes=options.max_input_bytes, options=options.reader_options)
        if found_in_folder and (hidden or not options.input_format):
            why = not_inventory(source, hidden=hidden)
            if why is not None:  # found in a folder and clearly not an inventory: a note, not an error
                return [(InputResult(path=shown, format=None, skipped=why), [])]
        if not options.keep_components:
            source.sink = Tally(evaluator, source.path)  # readers that can evaluate as they read keep no list
        inventory = read_source(source, options.input_format)
        sections = []
        for part in inventory.metadata.get("sections") or [inventory]:
            result, found = evaluator.evaluate(part)
            result.sha256 = source.sha256
            result.problems = inventory.problems
            result.error = unchecked(result, options)
            sections.append((result, found))
        if options.keep_last_input:
            options.last_input = inventory
        return sections
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
    return [(InputResult(path=shown, format=None, error=error, sha256=sha256), [])]
