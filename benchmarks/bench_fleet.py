"""Fleet scale-out and fixed costs: --jobs 1 vs --jobs N (and a Dask LocalCluster), small scans, big packs.

    python benchmarks/bench_fleet.py            # 2,000 devices, 3 repetitions (a few minutes on 2 cores)
    python benchmarks/bench_fleet.py --quick    # 400 devices, 1 repetition, smaller SBOM
    python benchmarks/bench_fleet.py --dask     # also time --scheduler against a local Dask cluster

Every figure is the median wall time of fresh ``python -m compliance scan`` processes, so interpreter
start, imports and rule-pack loading are included, as a user sees them. Printed:

1. the fleet scanned with ``--jobs 1`` and ``--jobs N`` (N = usable CPUs): seconds, milliseconds per
   device, the speed-up and its ratio to N (the target is at least 0.8 * N: 1.6x on 2 CPUs), and whether the JSON reports
   are byte-identical;
2. a 5-component scan with the rule-pack cache cold (``COMPLYCHECK_NO_CACHE=1``) and warm;
3. a CycloneDX scan with the built-in pack vs the built-in pack plus 100x as many generated rules, both
   with a warm cache: the extra cost of a huge pack once it is cached.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from generate import write_dummy_rules, write_fleet, write_json, write_small_json  # noqa: E402

from compliance.parallel import usable_cpus  # noqa: E402

CPU: dict[tuple[str, ...], float] = {}  # median CPU seconds (user + system, workers included) per command


def timed(args: list[str], env: dict[str, str], repeat: int) -> tuple[float, bytes]:
    """Median wall seconds of ``repeat`` runs, and the last run's standard output.

    The median CPU time of the process tree (worker processes included: the scan waits for them) is
    kept in ``CPU``: on a shared machine wall time depends on the load, CPU time much less.
    """
    times = []
    cpu = []
    out = b""
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "compliance", *args], capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"scan failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
        out = proc.stdout
    CPU[tuple(args)] = statistics.median(cpu)
    return statistics.median(times), out


def cpu_of(args: list[str]) -> float:
    return CPU[tuple(args)]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devices", type=int, default=None, help="fleet size (default 2,000; 400 with --quick)")
    ap.add_argument("--jobs", type=int, default=None, help="N for --jobs N (default: the usable CPUs)")
    ap.add_argument("--repeat", type=int, default=None, help="runs per figure (default 3; 1 with --quick)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--dask", action="store_true", help="also time --scheduler on a local Dask cluster of N workers")
    ap.add_argument("--part", choices=["all", "fleet", "small", "pack"], default="all", help="run one part only")
    a = ap.parse_args()
    devices = a.devices or (400 if a.quick else 2000)
    repeat = a.repeat or (1 if a.quick else 3)
    jobs = a.jobs or usable_cpus()
    sbom_components = 20_000 if a.quick else 100_000

    with tempfile.TemporaryDirectory(prefix="complycheck-bench-") as tmp:
        root = Path(tmp)
        # Bytecode is cached (in the temporary directory) as it is for an installed package.
        env = dict(os.environ, PYTHONPATH=str(REPO), COMPLYCHECK_CACHE_DIR=str(root / "cache"),
                   PYTHONPYCACHEPREFIX=str(root / "pycache"))
        env.pop("COMPLYCHECK_NO_CACHE", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs ({usable_cpus()} usable), "
              f"median of {repeat} run(s)\n")
        if a.part in ("all", "fleet"):
            fleet_part(root, env, devices, jobs, repeat, a.dask)
        if a.part in ("all", "small"):
            small_part(root, env, repeat)
        if a.part in ("all", "pack"):
            pack_part(root, env, repeat, sbom_components)


def fleet_part(root: Path, env: dict[str, str], devices: int, jobs: int, repeat: int, dask: bool) -> None:
    fleet = root / "fleet"
    write_fleet(fleet, devices, apps_per_device=150)
    base = ["scan", str(fleet), "-j", "US", "-j", "CA", "--as-of", "2025-06-01", "-q"]
    timed(base + ["--jobs", "1"], env, 1)  # warm the rule-pack cache and the page cache

    one, _ = timed(base + ["--jobs", "1"], env, repeat)
    many, _ = timed(base + ["--jobs", str(jobs)], env, repeat)
    speedup = one / many
    json_one = timed([*base[:-1], "-f", "json", "--jobs", "1"], env, 1)[1]
    json_many = timed([*base[:-1], "-f", "json", "--jobs", str(jobs)], env, 1)[1]
    print(f"Fleet of {devices:,} devices (150 apps each; Windows CSV, Android, dpkg)")
    c1, cn = cpu_of(base + ["--jobs", "1"]), cpu_of(base + ["--jobs", str(jobs)])
    print(f"  --jobs 1      {one:7.2f} s   {one / devices * 1000:6.2f} ms/device   CPU {c1:6.2f} s "
          f"({c1 / devices * 1000:.2f} ms/device)")
    print(f"  --jobs {jobs:<6} {many:7.2f} s   {many / devices * 1000:6.2f} ms/device   CPU {cn:6.2f} s "
          f"({cn / devices * 1000:.2f} ms/device)")
    print(f"  speed-up      {speedup:7.2f}x on {jobs} jobs = {speedup / jobs:.2f} x N (target >= 0.80 x N)")
    same = json_one == json_many
    print(f"  JSON reports  {'byte-identical' if same else 'DIFFERENT'} ({digest(json_one)} / {digest(json_many)})")
    if dask:
        dask_run(base, env, repeat, jobs, devices, one)
    print()


def small_part(root: Path, env: dict[str, str], repeat: int) -> None:
    five = root / "five.cdx.json"
    write_small_json(five)
    small = ["scan", str(five), "-j", "US", "--as-of", "2025-06-01", "-q"]
    cold, _ = timed(small, dict(env, COMPLYCHECK_NO_CACHE="1"), max(repeat, 5))
    cold_cpu = cpu_of(small)
    warm, _ = timed(small, env, max(repeat, 5))
    version, _ = timed(["--version"], env, max(repeat, 5))
    print("5-component scan (target < 0.12 s)")
    print(f"  rule-pack cache off   {cold:6.3f} s   CPU {cold_cpu:.3f} s")
    print(f"  rule-pack cache warm  {warm:6.3f} s   CPU {cpu_of(small):.3f} s")
    print(f"  (complycheck --version: {version:.3f} s, CPU {cpu_of(['--version']):.3f} s: the start-up floor)\n")


def pack_part(root: Path, env: dict[str, str], repeat: int, sbom_components: int) -> None:
    sbom = root / "big.cdx.json"
    write_json(sbom, sbom_components)
    pack = root / "big-pack"
    from compliance.rulepack import load_rule_pack

    builtin_rules = len(load_rule_pack([]).rules)
    write_dummy_rules(pack, builtin_rules * 99)  # already spread over files under the YAML size limit
    plain = ["scan", str(sbom), "-j", "US", "--as-of", "2025-06-01", "-q"]
    loaded = [*plain, "--rules", str(pack)]
    selected = [*loaded, "-j", "ORG"]
    timed(loaded, env, 1)  # fill the cache for the big pack
    t_plain, _ = timed(plain, env, repeat)
    cp = cpu_of(plain)
    print(f"{sbom_components:,}-component CycloneDX scan, built-in pack ({builtin_rules} rules) vs 100x "
          f"({builtin_rules * 100} rules); target: < 20% added when cached")
    print(f"  built-in pack                      {t_plain:6.2f} s   CPU {cp:6.2f} s")
    for label, args in (("100x pack loaded, -j US", loaded), ("100x pack, its rules selected", selected)):
        t, _ = timed(args, env, repeat)
        c = cpu_of(args)
        print(f"  {label:<30} warm {t:6.2f} s ({(t / t_plain - 1) * 100:+.0f}%)   CPU {c:6.2f} s "
              f"({(c / cp - 1) * 100:+.0f}%)")
    t_cold, _ = timed(loaded, dict(env, COMPLYCHECK_NO_CACHE="1"), 1)
    print(f"  100x pack loaded, cache off        {t_cold:6.2f} s   (+{(t_cold / t_plain - 1) * 100:.0f}%)   "
          f"CPU {cpu_of(loaded):6.2f} s")


def dask_run(base: list[str], env: dict[str, str], repeat: int, jobs: int, devices: int, one: float) -> None:
    """The same fleet on a Dask LocalCluster of ``jobs`` single-threaded worker processes."""
    try:
        from distributed import LocalCluster
    except ImportError:
        print("  --scheduler   skipped: dask.distributed is not installed (pip install 'complycheck[dask]')")
        return
    with LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        args = [*base, "--scheduler", cluster.scheduler_address]
        timed(args, env, 1)  # workers import complycheck once
        t, _ = timed(args, env, repeat)
    print(f"  --scheduler   {t:7.2f} s   {t / devices * 1000:6.2f} ms/device   "
          f"({jobs} local Dask workers, speed-up {one / t:.2f}x)")


if __name__ == "__main__":
    main()
