"""An osqueryd results log from many hosts: time and peak memory of ``complycheck scan`` as hosts grow.

    python benchmarks/bench_osquery.py                 # 1,000, 10,000 and 100,000 hosts
    python benchmarks/bench_osquery.py --hosts 20000   # one size

Each log comes from ``generate.write_osquery_log`` (one line per row event of a ``programs`` query
per host, added and removed actions). Every figure is one fresh ``python -m compliance scan -f json``
process: wall seconds, CPU seconds of the child, its peak resident memory, and seconds per 1,000
hosts, which stays flat when the cost is linear in hosts.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import write_osquery_log  # noqa: E402


def run(log: Path) -> tuple[float, float, float, int]:
    """(wall s, child CPU s, child peak MB, exit code) of one scan."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "compliance", "scan", str(log), "-j", "US", "--as-of", "2024-12-01", "-f", "json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"scan failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[:400]}")
    return wall, cpu, after.ru_maxrss / 1024, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, action="append", help="host count (repeatable)")
    args = parser.parse_args()
    sizes = args.hosts or [1_000, 10_000, 100_000]
    print("| Hosts | Log size | Wall | CPU | Peak | per 1,000 hosts |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for hosts in sizes:
            log = Path(tmp) / f"results-{hosts}.log"
            write_osquery_log(log, hosts)
            wall, cpu, peak, _code = run(log)
            size = log.stat().st_size / 1e6
            print(f"| {hosts:,} | {size:.1f} MB | {wall:.2f} s | {cpu:.2f} s | {peak:,.0f} MB | {wall * 1000 / hosts:.3f} s |")
            log.unlink()


if __name__ == "__main__":
    main()
