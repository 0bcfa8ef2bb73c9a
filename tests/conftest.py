"""Shared helpers: write CycloneDX documents and run the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from compliance.matching import VendorIndex
from compliance.rulepack import load_rule_pack

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "sboms"


def cdx(components: list[dict[str, Any]], spec: str = "1.6", **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"bomFormat": "CycloneDX", "specVersion": spec, "version": 1, "components": components}
    doc.update(extra)
    return doc


@pytest.fixture(scope="session")
def index() -> VendorIndex:
    """The built-in pack's vendor index, built once for the session (lookups only add to its memos)."""
    return VendorIndex(load_rule_pack())


@pytest.fixture
def write_bom(tmp_path: Path) -> Callable[..., Path]:
    """Write a CycloneDX JSON document built from components; returns its path."""
    counter = {"n": 0}

    def _write(components: list[dict[str, Any]], spec: str = "1.6", name: str | None = None, **extra: Any) -> Path:
        counter["n"] += 1
        path = tmp_path / (name or f"bom{counter['n']}.cdx.json")
        path.write_text(json.dumps(cdx(components, spec, **extra)), encoding="utf-8")
        return path

    return _write


def cli_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "compliance", *args]


def cli_env() -> dict[str, str]:
    """The environment of a user's run from this checkout: its source on PYTHONPATH, no debug tracebacks."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("COMPLYCHECK_DEBUG", None)
    return env


def run_cli(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m compliance`` exactly as a user would, from the repository's source."""
    env = cli_env()
    proc = subprocess.run(
        cli_argv(*args),
        input=stdin,
        capture_output=True,
        cwd=str(cwd or REPO),
        env=env,
        timeout=120,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    )


def assert_clean_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit 2, one line on stderr naming what is wrong, never a traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The rule-pack cache of every test (and every CLI the tests start) and its key live in temporary directories."""
    os.environ["COMPLYCHECK_CACHE_DIR"] = str(tmp_path_factory.mktemp("complycheck-cache"))
    os.environ["COMPLYCHECK_CACHE_KEY_FILE"] = str(tmp_path_factory.mktemp("complycheck-key") / "cache-key")
    # Installed rule packs too: a developer's own installed pack must never change what a test sees.
    os.environ["COMPLYCHECK_DATA_DIR"] = str(tmp_path_factory.mktemp("complycheck-data"))
    os.environ.pop("COMPLYCHECK_NO_CACHE", None)
