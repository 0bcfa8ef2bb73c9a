"""Regenerate the example reports in examples/reports from the example SBOMs, or check they are current.

    python examples/reports/regenerate.py            # rewrite the reports (and docs/img/html-report.png
                                                     # when chromium is installed)
    python examples/reports/regenerate.py --check    # exit 1 naming each report the current code would change

Each report is produced by the real command line, run from the repository root with relative paths and a
fixed --as-of date, so the files are byte-identical wherever they are regenerated and the command each
report records is the one written here. ``--check`` runs the same commands in a scratch copy of
``examples/`` and compares, so the committed reports never drift from what the code produces.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "img" / "html-report.png"
REVIEW_HTML = "examples/reports/endpoint-security-suite.review.html"

# The worked pre-procurement review of docs/reports.md, and the SARIF of every example SBOM.
COMMANDS: list[list[str]] = [
    [
        "scan", "examples/sboms/endpoint-security-suite.cdx.json",
        "--jurisdiction", "US", "--context", "procurement", "--as-of", "2026-11-22",
        "--waivers", "examples/reports/waivers.yaml", "--quiet",
        "--output", f"html={REVIEW_HTML}",
        "--output", "markdown=examples/reports/endpoint-security-suite.review.md",
        "--output", "json=examples/reports/endpoint-security-suite.json",
    ],
    [
        "scan", "examples/sboms/", "-j", "US", "-j", "CA", "--as-of", "2026-11-22", "--quiet",
        "--output", "sarif=examples/reports/example-sboms.sarif",
    ],
]


def outputs(command: list[str]) -> list[str]:
    """The files a command writes (its ``--output FORMAT=FILE`` values)."""
    return [command[i + 1].split("=", 1)[1] for i, arg in enumerate(command) if arg == "--output"]


def run(command: list[str], cwd: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("COMPLYCHECK_DEBUG", None)
    proc = subprocess.run([sys.executable, "-m", "compliance", *command], cwd=cwd, env=env,
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):  # 1 is the expected FAIL verdict of the review
        raise SystemExit(f"complycheck {' '.join(command)} exited {proc.returncode}: {proc.stderr.strip()}")


def screenshot() -> None:
    """The README/docs picture of the HTML review, when a headless Chromium is available."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        print("chromium not found: docs/img/html-report.png left as it is", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
             "--disable-background-networking", f"--user-data-dir={profile}", "--window-size=1200,1600",
             f"--screenshot={SCREENSHOT}", (ROOT / REVIEW_HTML).as_uri()],
            capture_output=True, check=True, timeout=120,
        )


def check(committed_root: Path = ROOT) -> list[str]:
    """Reports under ``committed_root`` whose bytes differ from what the current code produces."""
    stale = []
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        shutil.copytree(ROOT / "examples", work / "examples")
        for command in COMMANDS:
            for out in outputs(command):
                (work / out).unlink(missing_ok=True)
            run(command, work)
            for out in outputs(command):
                committed = committed_root / out
                if not committed.is_file() or committed.read_bytes() != (work / out).read_bytes():
                    stale.append(out)
    return stale


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python examples/reports/regenerate.py", description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when a committed report is out of date")
    args = ap.parse_args(argv)
    if args.check:
        stale = check()
        for out in stale:
            print(f"{out}: out of date; run python examples/reports/regenerate.py", file=sys.stderr)
        return 1 if stale else 0
    for command in COMMANDS:
        run(command, ROOT)
    screenshot()
    return 0


if __name__ == "__main__":
    sys.exit(main())
