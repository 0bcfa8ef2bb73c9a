"""Helpers shared by the installed-software inventory reader tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from compliance.model import Inventory
from compliance.readers import detect, load_source, read_source
from compliance.scan import ScanOptions, scan

INV = Path(__file__).parent / "fixtures" / "inventories"
GOV_MOBILE = ("government", "mobile")


def detected(path: Path, **options: object) -> str:
    return detect(load_source(str(path), options=dict(options))).name


def read(path: Path, **options: object) -> Inventory:
    return read_source(load_source(str(path), options=dict(options)))


def write(tmp: Path, name: str, data: bytes | str) -> Path:
    p = tmp / name
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


def bad(path: Path, input_format: str | None = None, **options: object) -> str:
    """The InputError message for an unusable input (scan keeps it as the input's error)."""
    report = scan(
        [str(path)],
        ScanOptions(jurisdictions=["US"], as_of=date(2024, 10, 1), input_format=input_format, reader_options=dict(options)),
    )
    assert report.has_errors, "expected an input error"
    err = report.inputs[0].error
    assert err is not None
    return err


def hits(
    path: Path,
    j: str,
    as_of: date,
    contexts: tuple[str, ...] = (),
    severities: tuple[str, ...] = ("fail", "warn"),
    **options: object,
) -> set[tuple[str, str]]:
    """(rule id, component name) of every finding at the given severities (default: fail and warn)."""
    report = scan(
        [str(path)],
        ScanOptions(jurisdictions=[j], contexts=list(contexts), as_of=as_of, reader_options=dict(options)),
    )
    assert not report.has_errors, report.inputs[0].error
    return {(f.rule_id, f.component.name) for f in report.findings if f.severity in severities}


def read_as(path: Path, input_format: str, **options: object) -> Inventory:
    """Read with a named reader, skipping detection (as --input-format does)."""
    return read_source(load_source(str(path), options=dict(options)), input_format)
