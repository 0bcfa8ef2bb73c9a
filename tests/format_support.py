"""Shared helpers for the format and waiver tests: real scans of small CycloneDX fixtures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from compliance.model import Report
from compliance.scan import ScanOptions, scan
from compliance.waivers import WaiverSet, parse_waivers

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "formats"
KASPERSKY = str(FIXTURES / "kaspersky.cdx.json")
CLEAN = str(FIXTURES / "clean.cdx.json")
HOSTILE = str(FIXTURES / "hostile.cdx.json")
HOSTILE_NAME = json.loads(Path(HOSTILE).read_text(encoding="utf-8"))["components"][0]["name"]


def make_report(
    *paths: str,
    as_of: str = "2024-10-01",
    jurisdictions: tuple[str, ...] = ("US",),
    contexts: tuple[str, ...] = (),
    fail_on: str = "fail",
    horizon: int = 90,
    waivers: list[dict] | WaiverSet | None = None,
    show_out_of_scope: bool = False,
) -> Report:
    """A report from the real ``scan()``; ``waivers`` may be YAML-shaped entries."""
    if isinstance(waivers, list):
        waivers = parse_waivers(waivers, "waivers.yaml")
    options = ScanOptions(
        jurisdictions=list(jurisdictions),
        contexts=list(contexts),
        as_of=date.fromisoformat(as_of),
        horizon_days=horizon,
        fail_on=fail_on,
        waivers=waivers,
        show_out_of_scope=show_out_of_scope,
    )
    return scan(list(paths or (KASPERSKY,)), options)


def procurement_review(tmp_path: Path, sbom_name: str, fmt: str) -> tuple[Path, Path]:
    """The example vendor SBOM copied under ``sbom_name`` and reviewed through the CLI into a ``fmt`` file."""
    sbom = tmp_path / sbom_name
    sbom.write_bytes((ROOT / "examples" / "sboms" / "endpoint-security-suite.cdx.json").read_bytes())
    out = tmp_path / f"review.{fmt}"
    proc = run_cli("scan", str(sbom), "-j", "US", "-c", "procurement", "--as-of", "2026-11-22", "-q",
                   "--output", f"{fmt}={out}")
    assert proc.returncode == 1, proc.stderr
    return sbom, out


def run_cli(*args: str, cwd: str | Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real entry point, ``python -m compliance``, with this checkout importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("COMPLYCHECK_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "compliance", *args],
        cwd=str(cwd or ROOT),
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
