"""Offline means offline; URLs are inputs like any other (issue 17, section 4).

A plain scan opens no connection: a remote URL is that input's error section (one line naming it,
exit 2) and the other inputs are still scanned and reported. ``--allow-remote`` (or ``--scheduler``)
opts in, for a documented list of schemes; a failure while listing or reading a URL is again that
input's error section. ``file://`` URLs are local files, read with every guard of a path.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLES, assert_clean_error, run_cli

from compliance.scan import ScanOptions, scan

SBOM = EXAMPLES / "endpoint-security-suite.cdx.json"  # three Kaspersky violations under -j US
SCAN = ("-j", "US", "--as-of", "2025-06-01", "-f", "json")
OPTS = dict(jurisdictions=["US"])


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return Path(shutil.copy(SBOM, tmp_path / "good.cdx.json"))


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A TCP port on this machine that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    seen: list[str] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            seen.append("connected")
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join(5)
    server.close()


def sections(proc) -> dict[str, str | None]:
    return {i["path"]: i.get("error") for i in json.loads(proc.stdout)["inputs"]}


def assert_only_the_url_failed(proc, good: Path, url: str, *needles: str) -> None:
    """Exit 2, one error line naming the URL, and the good input's findings still in the report."""
    assert_clean_error(proc, f"complycheck: error: {url}: ", *needles)
    report = json.loads(proc.stdout)
    assert sections(proc) == {str(good): None, url: proc.stderr.strip().removeprefix("complycheck: error: ")}
    assert {f["rule_id"] for f in report["findings"]} >= {"US-ICTS-KASPERSKY-2024"}
    assert report["verdict"] == "error"


# -- no opt-in: nothing is fetched --------------------------------------------------------------------


def test_a_plain_scan_opens_no_connection(good: Path, listener) -> None:
    port, seen = listener
    url = f"ftp://127.0.0.1:{port}/x.json"
    proc = run_cli("scan", str(good), url, *SCAN)
    time.sleep(0.3)  # a connection, had one been made, has been accepted by now
    assert seen == []
    assert_only_the_url_failed(proc, good, url, "not a scheme complycheck reads")


@pytest.mark.parametrize("url", ["https://127.0.0.1:{port}/sbom.json", "s3://bucket/fleet/device.json", "memory://x/y.json"])
def test_a_remote_url_without_the_opt_in_is_its_own_error_section(good: Path, listener, url: str) -> None:
    port, seen = listener
    url = url.format(port=port)
    proc = run_cli("scan", str(good), url, *SCAN)
    assert seen == []
    assert_only_the_url_failed(proc, good, url, "remote input not read", "--allow-remote")


def test_a_policy_file_cannot_opt_in_to_the_network(good: Path) -> None:
    (good.parent / ".complycheck.yaml").write_text("jurisdictions: [US]\nallow_remote: true\n", encoding="utf-8")
    proc = run_cli("scan", good.name, "-q", cwd=good.parent)
    assert_clean_error(proc, ".complycheck.yaml: line 2: 'allow_remote' cannot be set in a policy file", "--allow-remote")


def test_the_library_is_offline_unless_asked(good: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    fsspec.filesystem("memory").pipe("/offline-test/sbom.json", SBOM.read_bytes())
    url = "memory:///offline-test/sbom.json"
    off = scan([str(good), url], ScanOptions(**OPTS))
    assert [i.error for i in off.inputs][0] is None and "remote input not read" in off.inputs[1].error
    on = scan([str(good), url], ScanOptions(allow_remote=True, jobs=1, **OPTS))  # memory:// is this process
    assert [i.error for i in on.inputs] == [None, None]
    assert len(on.findings) == 2 * len(off.findings)


# -- with the opt-in: the documented schemes, each failure its input's own ---------------------------


def test_schemes_outside_the_list_are_refused_even_with_the_opt_in(good: Path, listener) -> None:
    port, seen = listener
    for url in (f"ftp://127.0.0.1:{port}/x.json", f"sftp://127.0.0.1:{port}/x.json", "zip://x.json::memory://a.zip",
                f"memory://a.json::http://127.0.0.1:{port}/b"):
        proc = run_cli("scan", str(good), url, *SCAN, "--allow-remote")
        assert_only_the_url_failed(proc, good, url, "is not a scheme complycheck reads", "s3://")
    assert seen == []
    from compliance.remote import REMOTE_SCHEMES

    assert "ftp" not in REMOTE_SCHEMES and "file" not in REMOTE_SCHEMES


def test_a_missing_filesystem_package_is_that_inputs_error(good: Path) -> None:
    try:
        import s3fs  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("s3fs is installed here")
    url = "s3://bucket/fleet/device.json"
    proc = run_cli("scan", str(good), url, *SCAN, "--allow-remote")
    assert_only_the_url_failed(proc, good, url, "s3://")


def test_a_failure_while_listing_or_reading_a_url_is_that_inputs_error(good: Path, monkeypatch) -> None:
    """A refused connection in the middle of a scan: the URL's error section, the rest reported."""
    fsspec = pytest.importorskip("fsspec")
    from fsspec.implementations.memory import MemoryFileSystem

    def refused(*_args, **_kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    mem = fsspec.filesystem("memory")
    mem.pipe("/refused-test/fleet/a.json", SBOM.read_bytes())
    monkeypatch.setattr(MemoryFileSystem, "isdir", refused)
    report = scan([str(good), "memory:///refused-test/fleet", str(good)], ScanOptions(allow_remote=True, jobs=1, **OPTS))
    errors = [i.error for i in report.inputs]
    assert errors[0] is None and errors[2] is None
    assert errors[1].startswith("memory:///refused-test/fleet: cannot read (ConnectionRefusedError")
    monkeypatch.undo()
    monkeypatch.setattr(MemoryFileSystem, "open", refused)
    report = scan([str(good), "memory:///refused-test/fleet"], ScanOptions(allow_remote=True, jobs=1, **OPTS))
    assert [i.error is None for i in report.inputs] == [True, False]
    assert report.inputs[1].error.startswith("memory:///refused-test/fleet/a.json: cannot read (ConnectionRefusedError")
    assert report.findings and report.exit_code == 2


def test_an_empty_remote_folder_is_that_inputs_error(good: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    fsspec.filesystem("memory").mkdir("/empty-test/folder")
    report = scan([str(good), "memory:///empty-test/folder"], ScanOptions(allow_remote=True, jobs=1, **OPTS))
    assert report.inputs[0].error is None
    assert report.inputs[1].error == "memory:///empty-test/folder: directory contains no input files"


# -- file:// is a local path, guards included -------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev as on POSIX")
def test_file_urls_go_through_the_local_reader_and_its_guards(good: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    started = time.monotonic()
    proc = run_cli("scan", good.as_uri(), fifo.as_uri(), "file:///dev/zero", *SCAN)
    assert time.monotonic() - started < 60  # a FIFO with no writer waits 2 s, never for ever
    assert proc.returncode == 2, proc.stderr
    found = sections(proc)
    assert found[str(good)] is None
    assert found[str(fifo)] == f"{fifo}: is a FIFO with no writer (none came within 2 s)"
    assert found["/dev/zero"] == "/dev/zero: is a character device, not a regular file; only files and pipes are read"


def test_a_file_url_is_decoded_and_needs_no_opt_in(tmp_path: Path) -> None:
    spaced = Path(shutil.copy(SBOM, tmp_path / "my sbom.cdx.json"))
    assert "%20" in spaced.as_uri()
    proc = run_cli("scan", spaced.as_uri(), *SCAN)
    assert proc.returncode == 1, proc.stderr
    assert sections(proc) == {str(spaced): None}


def test_a_file_url_naming_another_host_is_its_own_error(good: Path) -> None:
    url = "file://fileserver/share/sbom.json"
    proc = run_cli("scan", str(good), url, *SCAN)
    assert_only_the_url_failed(proc, good, url, "must name a local file")
