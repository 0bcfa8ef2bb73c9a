"""Fleets in worker processes: same bytes as --jobs 1, crashes stay per input, Ctrl-C stops workers."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import EXAMPLES, REPO, run_cli

from compliance import parallel
from compliance.scan import ScanOptions, scan

INVENTORIES = REPO / "examples" / "inventories"


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    """A fleet folder of mixed formats: SBOMs, inventories, one unreadable input, in nested folders."""
    root = tmp_path / "fleet"
    for i, src in enumerate(sorted(EXAMPLES.iterdir()) + sorted(INVENTORIES.iterdir())):
        dest = root / f"site-{i % 3}" / f"{i:02d}-{src.name}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dest)
    (root / "site-0" / "zz-broken.cdx.json").write_text('{"bomFormat": "CycloneDX", "components": [', encoding="utf-8")
    return root


@pytest.mark.parametrize("fmt", ["json", "sarif", "markdown", "junit", "text", "csv"])
def test_jobs_output_is_byte_identical_to_one_process(fleet, fmt):
    args = ("scan", str(fleet), "-j", "US", "-j", "CA", "--as-of", "2025-06-01", "-f", fmt)
    one = run_cli(*args, "--jobs", "1")
    many = run_cli(*args, "--jobs", "3")
    assert one.returncode == many.returncode == 2  # the broken input makes it an error verdict
    assert "zz-broken.cdx.json" in one.stderr
    assert many.stdout == one.stdout and len(one.stdout) > 1000
    assert many.stderr == one.stderr


def test_library_scan_in_workers_keeps_input_order(fleet):
    opts = dict(jurisdictions=["US"], as_of=date(2025, 6, 1))
    one = scan([str(fleet)], ScanOptions(jobs=1, **opts))
    many = scan([str(fleet)], ScanOptions(jobs=2, **opts))
    assert [i.path for i in many.inputs] == [i.path for i in one.inputs]
    assert [i.path for i in one.inputs] == sorted(i.path for i in one.inputs)
    assert many.to_dict() == one.to_dict()
    assert one.findings, "the fleet has restricted software: the comparison must cover findings"


def test_worker_crash_is_that_inputs_error_section(fleet, monkeypatch):
    """A worker that dies (here: os._exit in the middle of one input) loses no other input."""
    from compliance import scan as scan_mod

    real = scan_mod.scan_one

    def crashing(path, options, evaluator):
        if path.endswith("endpoint-security-suite.cdx.json"):
            os._exit(13)
        return real(path, options, evaluator)

    monkeypatch.setattr(scan_mod, "scan_one", crashing)
    # Forked workers inherit the patch (threads left by other tests would otherwise select forkserver).
    fork = multiprocessing.get_context("fork")
    monkeypatch.setattr(parallel, "_context", lambda: fork)
    opts = dict(jurisdictions=["US"], as_of=date(2025, 6, 1))
    report = scan([str(fleet)], ScanOptions(jobs=2, **opts))
    monkeypatch.setattr(scan_mod, "scan_one", real)
    expected = scan([str(fleet)], ScanOptions(jobs=1, **opts))
    crashed = [i for i in report.inputs if i.path.endswith("endpoint-security-suite.cdx.json")]
    assert len(crashed) == 1 and "worker process scanning this input died" in crashed[0].error
    rest = [i.to_dict() for i in report.inputs if i is not crashed[0]]
    assert rest == [i.to_dict() for i in expected.inputs if not i.path.endswith("endpoint-security-suite.cdx.json")]
    assert report.exit_code == 2


def test_single_input_and_jobs_one_stay_in_process(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr(parallel, "run_pool", no_pool)
    opts = dict(jurisdictions=["US"], as_of=date(2025, 6, 1))
    one = scan([str(EXAMPLES / "endpoint-security-suite.cdx.json")], ScanOptions(jobs=4, **opts))
    assert one.findings
    two = scan([str(EXAMPLES)], ScanOptions(jobs=1, **opts))
    assert len(two.inputs) > 1


def test_default_jobs_is_the_usable_cpus(monkeypatch):
    if hasattr(os, "sched_getaffinity"):
        assert parallel.usable_cpus() == len(os.sched_getaffinity(0))
    seen = {}

    def fake_pool(paths, options, evaluator, jobs, progress):
        seen["jobs"] = jobs
        return [parallel_scan_one(p, options, evaluator) for p in paths]

    from compliance.scan import scan_one as parallel_scan_one

    monkeypatch.setattr(parallel, "run_pool", fake_pool)
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 5)
    scan([str(EXAMPLES)], ScanOptions(jurisdictions=["US"], as_of=date(2025, 6, 1)))
    assert seen["jobs"] == 5


def test_chunks_cover_every_input_once():
    for n in (1, 2, 7, 100, 2000):
        for workers in (1, 2, 8):
            chunks = parallel.chunked(n, workers)
            assert [i for c in chunks for i in c] == list(range(n))
            assert max(len(c) for c in chunks) <= parallel.MAX_CHUNK
    assert len(parallel.chunked(2000, 2)) < 2000 / 10  # many inputs per message to a worker


def test_jobs_must_be_positive(fleet):
    proc = run_cli("scan", str(fleet), "-j", "US", "--jobs", "0")
    assert proc.returncode == 2 and "--jobs" in proc.stderr and "Traceback" not in proc.stderr


def test_stdin_with_files_in_workers(fleet):
    sbom = EXAMPLES / "endpoint-security-suite.cdx.json"
    args = ("scan", "-", str(fleet / "site-1"), "-j", "US", "--as-of", "2025-06-01", "-f", "json")
    one = run_cli(*args, "--jobs", "1", stdin=sbom.read_bytes())
    many = run_cli(*args, "--jobs", "2", stdin=sbom.read_bytes())
    assert one.returncode == 1 and '"<stdin>"' in one.stdout
    assert many.stdout == one.stdout


def _session_processes(sid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getsid(int(entry)) == sid:
                    out.append(int(entry))
            except OSError:
                continue
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and process sessions")
def test_ctrl_c_stops_the_workers_cleanly(fleet):
    """SIGINT to the whole process group (what Ctrl-C does): exit 130, one line, no worker left behind."""
    slow = (
        "import time, compliance.scan as s\n"
        "real = s.scan_one\n"
        "def slow(*a):\n"
        "    time.sleep(0.5)\n"
        "    return real(*a)\n"
        "s.scan_one = slow\n"
        "from compliance.cli import main\n"
        "main()\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, "-c", slow, "scan", str(fleet), "-j", "US", "--jobs", "2", "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while len(_session_processes(proc.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)  # the parent and its two workers
    assert len(_session_processes(proc.pid)) >= 3
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (proc.returncode, err)
    assert err.decode().strip() == "complycheck: interrupted"
    deadline = time.monotonic() + 10
    while _session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _session_processes(proc.pid) == []


def _scan_in_daemon(path: str) -> list[str]:
    report = scan([path], ScanOptions(jurisdictions=["US"], as_of=date(2025, 6, 1)))
    return [i.path for i in report.inputs]


def test_scan_inside_a_pool_worker_stays_in_process(fleet):
    """A library caller's own multiprocessing pool: its daemonic workers may not start workers."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:
        paths = pool.apply(_scan_in_daemon, (str(fleet),))
    assert len(paths) > 10 and not any("died" in p for p in paths)


def test_scan_from_a_threaded_caller(fleet):
    """With other threads alive, workers are not forked (that can deadlock) but still give the same report."""
    import threading

    stop = threading.Event()
    busy = threading.Thread(target=stop.wait, daemon=True)
    busy.start()
    try:
        assert parallel._context().get_start_method() != "fork"
        opts = dict(jurisdictions=["US"], as_of=date(2025, 6, 1))
        many = scan([str(fleet)], ScanOptions(jobs=2, **opts))
    finally:
        stop.set()
        busy.join()
    one = scan([str(fleet)], ScanOptions(jobs=1, **opts))
    assert many.to_dict() == one.to_dict()
