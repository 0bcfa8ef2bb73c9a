"""Benchmark: end-to-end ``complycheck scan`` against a plain parse of the same file.

Run:  python benchmarks/bench_scan.py [--sizes 1000,10000,100000] [--repeat 3]

For each generated SBOM (CycloneDX 1.6, JSON and XML) it prints the wall time of the whole CLI
process, the wall time of a process that only parses the file (stdlib json / orjson / ElementTree),
their ratio, and the peak resident memory of each process. It then shows that the scan does not slow
down when the number of rules is multiplied by 100. Figures are medians of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import write_csv, write_dummy_rules, write_fleet, write_json, write_xml  # noqa: E402

PY = sys.executable
AS_OF = "2026-11-22"


def run(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB, and exit code of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss / 1024, proc.returncode


def median_run(cmd: list[str], repeat: int) -> tuple[float, float]:
    results = [run(cmd) for _ in range(repeat)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def parse_cmd(kind: str, path: Path) -> list[str]:
    code = {
        "json": "import json,sys; json.load(open(sys.argv[1],'rb'))",
        "orjson": "import orjson,sys; orjson.loads(open(sys.argv[1],'rb').read())",
        "xml": "import xml.etree.ElementTree as E,sys; E.parse(sys.argv[1])",
        "csv": "import csv,sys; sum(1 for _ in csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))",
    }[kind]
    return [PY, "-c", code, str(path)]


def scan_cmd(path: Path, extra: list[str] | None = None) -> list[str]:
    return [PY, "-m", "compliance", "scan", str(path), "--as-of", AS_OF, "--format", "json", *(extra or [])]


def fmt_row(cols: list[str], widths: list[int]) -> str:
    return "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cols, widths, strict=True)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", metavar="DIR", help="write the generated files here and keep them")
    ap.add_argument("--csv-rows", type=int, default=1_000_000, help="rows of the generic CSV inventory (0 to skip)")
    ap.add_argument("--fleet", type=int, default=200, help="devices in the fleet folder (0 to skip)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="complycheck-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; median of {args.repeat} runs; as of {AS_OF}")
    t, m = median_run([PY, "-m", "compliance", "--version"], max(args.repeat, 5))
    print(f"complycheck --version: {t:.3f} s, peak {m:.0f} MiB\n")

    widths = [22, 9, 10, 10, 10, 14, 10, 10]
    print(fmt_row(["input", "size MB", "scan s", "json s", "orjson s", "scan/fastest", "scan MiB", "parse MiB"], widths))
    biggest_json: Path | None = None
    for n in sizes:
        for kind in ("json", "xml"):
            path = work / f"sbom-{n}.cdx.{kind}"
            if not path.exists():
                (write_json if kind == "json" else write_xml)(path, n)
            mb = path.stat().st_size / 1e6
            scan_t, scan_m = median_run(scan_cmd(path), args.repeat)
            if kind == "json":
                j_t, j_m = median_run(parse_cmd("json", path), args.repeat)
                o_t, o_m = median_run(parse_cmd("orjson", path), args.repeat)
                fastest, parse_m = min(j_t, o_t), max(j_m, o_m)
                cols = [f"{n:,} {kind}", f"{mb:.1f}", f"{scan_t:.2f}", f"{j_t:.2f}", f"{o_t:.2f}",
                        f"{scan_t / fastest:.2f}x", f"{scan_m:.0f}", f"{parse_m:.0f}"]
                biggest_json = path
            else:
                x_t, x_m = median_run(parse_cmd("xml", path), args.repeat)
                cols = [f"{n:,} {kind}", f"{mb:.1f}", f"{scan_t:.2f}", f"(ET {x_t:.2f})", "-",
                        f"{scan_t / x_t:.2f}x", f"{scan_m:.0f}", f"{x_m:.0f}"]
            print(fmt_row(cols, widths), flush=True)

    if biggest_json is not None:
        from compliance.rulepack import load_rule_pack

        base_rules = len(load_rule_pack().rules)
        dummy = work / "dummy-pack"
        write_dummy_rules(dummy, base_rules * 100)
        print(f"\nRule count x100 on {biggest_json.name}: built-in {base_rules} rules vs {base_rules * 101} rules")
        t1, _ = median_run(scan_cmd(biggest_json), args.repeat)
        t2, _ = median_run(scan_cmd(biggest_json, ["--rules", str(dummy)]), args.repeat)
        print(f"  end to end: {t1:.2f} s vs {t2:.2f} s (the difference is loading and validating the extra YAML)")
    if args.csv_rows or args.fleet:
        print()
        print(fmt_row(["inventory", "size MB", "scan s", "csv s", "", "scan/parse", "scan MiB", "parse MiB"], widths))
    if args.csv_rows:
        path = work / f"inventory-{args.csv_rows}.csv"
        if not path.exists():
            write_csv(path, args.csv_rows)
        scan_t, scan_m = median_run(scan_cmd(path), args.repeat)
        c_t, c_m = median_run(parse_cmd("csv", path), args.repeat)
        print(fmt_row([f"{args.csv_rows:,} csv rows", f"{path.stat().st_size / 1e6:.1f}", f"{scan_t:.2f}", f"{c_t:.2f}", "",
                       f"{scan_t / c_t:.2f}x", f"{scan_m:.0f}", f"{c_m:.0f}"], widths), flush=True)
    if args.fleet:
        folder = work / f"fleet-{args.fleet}"
        if not folder.exists():
            write_fleet(folder, args.fleet)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        scan_t, scan_m = median_run(scan_cmd(folder, ["-c", "government", "-c", "mobile"]), args.repeat)
        print(fmt_row([f"{args.fleet} devices", f"{size:.1f}", f"{scan_t:.2f}", "-", "", "-", f"{scan_m:.0f}", "-"], widths))
    if biggest_json is not None:
        # Last, because it loads the big SBOM into this process: children forked after it would
        # report this process's memory as their peak.
        print(f"\nPhases in one process on {biggest_json.name} (rule count x1 and x100):")
        in_process(biggest_json, work / "dummy-pack")
    if not args.keep:
        print(f"\n(generated files in {work}; pass --keep DIR to reuse them)")


def in_process(path: Path, dummy: Path) -> None:
    """Time the phases in one process, so rule loading and scanning can be told apart."""
    from compliance.engine import Evaluator
    from compliance.readers import load_source, read_source
    from compliance.rulepack import load_rule_pack

    for label, dirs in (("built-in", []), ("x100", [str(dummy)])):
        t0 = time.perf_counter()
        pack = load_rule_pack(dirs)
        t1 = time.perf_counter()
        inv = read_source(load_source(str(path)))
        t2 = time.perf_counter()
        ev = Evaluator(pack, jurisdictions=[], contexts=[], as_of=__import__("datetime").date(2026, 11, 22))
        _, findings = ev.evaluate(inv)
        t3 = time.perf_counter()
        print(f"  {label:>8}: {len(pack.rules):5d} rules  load {t1 - t0:.2f} s  read {t2 - t1:.2f} s  "
              f"match+evaluate {t3 - t2:.2f} s  ({len(findings)} findings)")


if __name__ == "__main__":
    main()
