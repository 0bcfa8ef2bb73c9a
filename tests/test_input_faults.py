"""Fault cases of issue 9: nothing that cannot be read is skipped silently, and one bad input never
loses the others. Each path that cannot be listed or read is an error section and exit 2."""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, assert_clean_error, cdx, run_cli

from compliance.readers import expand_paths
from compliance.scan import ScanOptions, scan

KASPERSKY = {"name": "Kaspersky Endpoint Security", "version": "12", "supplier": {"name": "AO Kaspersky Lab"}}
CLEAN = {"name": "requests", "version": "2.32.0", "purl": "pkg:pypi/requests@2.32.0"}
SCAN = ("scan", "-j", "US", "--as-of", "2026-01-01", "-f", "json")


def _write_bom(path: Path, component: dict) -> Path:
    path.write_text(json.dumps(cdx([component])), encoding="utf-8")
    return path


def _report(proc: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(proc.stdout)


def _errors(report: dict) -> dict[str, str]:
    return {i["path"]: i["error"] for i in report["inputs"] if "error" in i}


def _without_dac_override(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI as this user but without the capabilities that let root ignore permissions."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is needed to drop root's permission override")
    caps = "-dac_override,-dac_read_search"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", sys.executable, "-m", "compliance", *args],
        capture_output=True, text=True, env=env, timeout=120, cwd=str(REPO),
    )
    if "setpriv:" in proc.stderr:
        pytest.skip(f"cannot drop capabilities here: {proc.stderr.strip()}")
    return proc


def _unreadable(path: Path, mode: int = 0) -> None:
    path.chmod(mode)
    if os.getuid() != 0:
        try:
            os.listdir(path) if path.is_dir() else path.read_bytes()
        except PermissionError:
            return
        pytest.skip("the file system ignores permissions")


def _run_unprivileged(*args: str) -> subprocess.CompletedProcess[str]:
    return _without_dac_override(*args) if os.getuid() == 0 else run_cli(*args)


def test_unreadable_subdirectory_is_an_error_and_the_rest_is_scanned(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    (fleet / "locked").mkdir(parents=True)
    _write_bom(fleet / "a.cdx.json", CLEAN)
    _write_bom(fleet / "locked" / "k.cdx.json", KASPERSKY)
    _write_bom(fleet / "z.cdx.json", KASPERSKY)
    fleet.chmod(0o755)
    _unreadable(fleet / "locked")
    try:
        proc = _run_unprivileged(*SCAN, str(fleet))
    finally:
        (fleet / "locked").chmod(0o755)
    assert proc.returncode == 2, proc.stderr
    report = _report(proc)
    assert report["verdict"] == "error"
    assert _errors(report) == {str(fleet / "locked"): f"{fleet / 'locked'}: cannot list directory: {os.strerror(errno.EACCES)}"}
    scanned = [i["path"] for i in report["inputs"] if "error" not in i]
    assert scanned == [str(fleet / "a.cdx.json"), str(fleet / "z.cdx.json")]
    assert {f["component"]["input"] for f in report["findings"]} == {str(fleet / "z.cdx.json")}
    assert "cannot list directory" in proc.stderr and "Traceback" not in proc.stderr


def test_unreadable_file_is_an_error_and_the_rest_is_scanned(tmp_path: Path) -> None:
    good = _write_bom(tmp_path / "good.cdx.json", CLEAN)
    bad = _write_bom(tmp_path / "secret.cdx.json", KASPERSKY)
    _unreadable(bad)
    proc = _run_unprivileged(*SCAN, str(bad), str(good))
    assert proc.returncode == 2, proc.stderr
    report = _report(proc)
    assert _errors(report) == {str(bad): f"{bad}: permission denied"}
    assert [i["components"] for i in report["inputs"]] == [0, 1]


def test_broken_symlink_and_symlink_loop_in_a_directory_are_errors(tmp_path: Path) -> None:
    _write_bom(tmp_path / "b.cdx.json", CLEAN)
    (tmp_path / "a-dangling.json").symlink_to(tmp_path / "gone.json")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "parent").symlink_to(tmp_path)  # a directory loop is walked once, not forever
    proc = run_cli(*SCAN, str(tmp_path))
    assert proc.returncode == 2, proc.stderr
    errors = _errors(_report(proc))
    assert errors[str(tmp_path / "a-dangling.json")].endswith("broken symbolic link (its target does not exist)")
    assert "Too many levels of symbolic links" in errors[str(tmp_path / "loop")]
    assert [i["path"] for i in _report(proc)["inputs"]] == [
        str(tmp_path / "a-dangling.json"), str(tmp_path / "b.cdx.json"), str(tmp_path / "loop")
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="this platform has no FIFOs")
def test_fifo_without_writer_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "inventory.json"
    os.mkfifo(fifo)
    good = _write_bom(tmp_path / "good.cdx.json", CLEAN)
    proc = run_cli(*SCAN, str(fifo), str(good))  # run_cli times out (and fails) if this blocks
    assert proc.returncode == 2, proc.stderr
    assert _errors(_report(proc)) == {str(fifo): f"{fifo}: is a FIFO with no writer (none came within 2 s)"}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="this platform has no FIFOs")
def test_fifo_whose_writer_leaves_without_writing_is_an_error(tmp_path: Path) -> None:
    fifo = tmp_path / "inventory.json"
    os.mkfifo(fifo)
    closer = subprocess.Popen([sys.executable, "-c", f"open({str(fifo)!r}, 'w').close()"])
    try:
        proc = run_cli(*SCAN, str(fifo))
    finally:
        closer.wait(timeout=60)
    assert_clean_error(proc, str(fifo), "is a pipe or FIFO that gave no data")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="this platform has no FIFOs")
def test_fifo_with_a_writer_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "bom.json"
    os.mkfifo(fifo)
    writer = subprocess.Popen(
        [sys.executable, "-c", f"open({str(fifo)!r}, 'w').write({json.dumps(json.dumps(cdx([KASPERSKY])))})"]
    )
    try:
        proc = run_cli(*SCAN, str(fifo))
    finally:
        writer.wait(timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert _report(proc)["inputs"][0]["components"] == 1


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="this platform has no Unix sockets")
def test_special_files_in_a_directory_are_errors(tmp_path: Path) -> None:
    _write_bom(tmp_path / "b.cdx.json", CLEAN)
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "agent.sock"))
        proc = run_cli(*SCAN, str(tmp_path), "/dev/null")
    finally:
        sock.close()
    assert proc.returncode == 2, proc.stderr
    errors = _errors(_report(proc))
    assert errors[str(tmp_path / "agent.sock")].endswith("is a socket, not a regular file; only files and pipes are read")
    assert errors["/dev/null"] == "/dev/null: is a character device, not a regular file; only files and pipes are read"


def test_non_utf8_file_names_survive_into_every_report(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path)
    bad_name = raw + b"/bom-\xff.cdx.json"
    broken = raw + b"/broken-\xfe.json"
    try:
        with open(bad_name, "wb") as fh:
            fh.write(json.dumps(cdx([KASPERSKY])).encode())
        with open(broken, "wb") as fh:
            fh.write(b"{not json")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system refuses file names that are not UTF-8")
    proc = run_cli(*SCAN, str(tmp_path))
    assert proc.returncode == 2, proc.stderr
    report = _report(proc)
    assert [i["path"] for i in report["inputs"]] == [f"{tmp_path}/bom-\\xff.cdx.json", f"{tmp_path}/broken-\\xfe.json"]
    assert report["findings"][0]["component"]["input"] == f"{tmp_path}/bom-\\xff.cdx.json"
    assert f"{tmp_path}/broken-\\xfe.json: format not recognised" in proc.stderr
    for fmt in ("sarif", "html", "junit", "markdown", "csv", "text"):
        out = run_cli("scan", "-j", "US", "--as-of", "2026-01-01", "-f", fmt, str(tmp_path))
        assert out.returncode == 2 and out.stdout, (fmt, out.stderr)
        assert any(f in out.stdout for f in ("bom-\\xff.cdx.json", "bom-\\\\xff.cdx.json", "bom-%5Cxff.cdx.json")), fmt


def test_stdin_still_reads() -> None:
    proc = run_cli(*SCAN, "-", stdin=json.dumps(cdx([KASPERSKY])).encode())
    assert proc.returncode == 1, proc.stderr
    assert _report(proc)["inputs"][0]["path"] == "<stdin>"


def test_an_unexpected_reader_exception_is_that_inputs_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from compliance.readers.cyclonedx_json import CycloneDXJSONReader

    first = _write_bom(tmp_path / "a.cdx.json", CLEAN)
    second = tmp_path / "b.spdx.json"
    second.write_text(json.dumps({"spdxVersion": "SPDX-2.3", "packages": [{"name": "x", "supplier": "Organization: AO Kaspersky Lab"}]}))

    def boom(self, source):  # type: ignore[no-untyped-def]
        raise KeyError("x" * 500)

    monkeypatch.setattr(CycloneDXJSONReader, "read", boom)
    # jobs=1: the patched reader exists only in this process (workers may be started fresh).
    report = scan([str(first), str(second)], ScanOptions(jurisdictions=["US"], jobs=1))
    assert report.exit_code == 2
    error = report.inputs[0].error
    assert error is not None and error.startswith(f"internal error reading {first} (KeyError: 'xxx")
    assert error.endswith("...): this is a bug, please report it") and len(error) < 400
    assert report.inputs[1].error is None and report.inputs[1].components == 1
    assert {f.input_path for f in report.findings} == {str(second)}


def test_directory_order_is_sorted_depth_first(tmp_path: Path) -> None:
    for rel in ("b/x.json", "a-x.json", "a/b.json", "a/c/d.json", ".hidden/e.json", "a/.f.json", "c.json"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    got = [os.path.relpath(p, tmp_path) for p in expand_paths([str(tmp_path)])]
    # Hidden entries are handed on too (a hidden directory unexpanded): scan_one reads a hidden file a
    # reader recognises and lists the rest as skipped, so nothing is dropped silently.
    assert got == [".hidden", "a/.f.json", "a/b.json", "a/c/d.json", "a-x.json", "b/x.json", "c.json"]
