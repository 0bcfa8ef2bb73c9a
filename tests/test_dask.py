"""--scheduler: the same per-input work on a real dask.distributed cluster, inputs read where they are."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import EXAMPLES, REPO, assert_clean_error, run_cli

from compliance.scan import ScanOptions, scan

distributed = pytest.importorskip("distributed")
fsspec = pytest.importorskip("fsspec")

INVENTORIES = REPO / "examples" / "inventories"
OPTS = dict(jurisdictions=["US", "CA"], as_of=date(2025, 6, 1))


@pytest.fixture(scope="module")
def cluster():
    """Two in-process workers: a real scheduler on a TCP port, real task serialisation."""
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None,
                                 protocol="tcp", host="127.0.0.1") as lc,
        distributed.Client(lc, set_as_default=False) as client,
    ):
        yield lc, client


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    root = tmp_path / "fleet"
    root.mkdir()
    for i, src in enumerate(sorted(EXAMPLES.iterdir()) + sorted(INVENTORIES.iterdir())):
        shutil.copy(src, root / f"{i:02d}-{src.name}")
    (root / "zz-broken.cdx.json").write_text("{", encoding="utf-8")
    return root


def test_cluster_report_equals_local_report(cluster, fleet):
    _, client = cluster
    local = scan([str(fleet)], ScanOptions(jobs=1, **OPTS))
    remote = scan([str(fleet)], ScanOptions(scheduler=client, **OPTS))
    assert remote.to_dict() == local.to_dict()
    assert remote.findings and remote.has_errors  # findings and the broken input's error section both travel


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit"])
def test_cli_scheduler_address_is_byte_identical(cluster, fleet, fmt):
    lc, _ = cluster
    args = ("scan", str(fleet), "-j", "US", "--as-of", "2025-06-01", "-f", fmt)
    local = run_cli(*args, "--jobs", "1")
    remote = run_cli(*args, "--scheduler", lc.scheduler_address)
    assert remote.returncode == local.returncode == 2
    assert remote.stdout == local.stdout and remote.stderr == local.stderr


def test_fsspec_urls_are_read_on_the_workers(cluster, fleet):
    """A memory:// folder (shared with the in-process workers) stands for object storage such as s3://."""
    _, client = cluster
    mem = fsspec.filesystem("memory")
    for f in sorted(fleet.iterdir()):
        mem.pipe(f"/fleet-{id(fleet)}/{f.name}", f.read_bytes())
    url = f"memory:///fleet-{id(fleet)}"
    remote = scan([url], ScanOptions(scheduler=client, **OPTS))
    local = scan([str(fleet)], ScanOptions(jobs=1, **OPTS))
    assert [i.path.rsplit("/", 1)[1] for i in remote.inputs] == [i.path.rsplit("/", 1)[1] for i in local.inputs]
    assert [i.path for i in remote.inputs][0].startswith("memory://")
    assert [(f.rule_id, f.component.name) for f in remote.findings] == [(f.rule_id, f.component.name) for f in local.findings]


def test_file_urls_without_a_cluster(fleet):
    sbom = fleet / "01-endpoint-security-suite.cdx.json"
    assert sbom.exists()
    proc = run_cli("scan", sbom.as_uri(), "-j", "US", "--as-of", "2025-06-01", "-f", "json")
    assert proc.returncode == 1 and "US-ICTS-KASPERSKY-2024" in proc.stdout
    # A URL input is identified like a local file: the review names the SHA-256 of the bytes judged.
    section = json.loads(proc.stdout)["inputs"][0]
    assert section["sha256"] == hashlib.sha256(sbom.read_bytes()).hexdigest()


def test_url_of_a_missing_filesystem_package_is_that_inputs_error():
    try:
        import s3fs  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("s3fs is installed here")
    proc = run_cli("scan", "s3://bucket/fleet/device.json", "-j", "US", "--allow-remote")
    assert_clean_error(proc, "s3://bucket/fleet/device.json: the s3:// filesystem needs a package")


def test_unknown_url_scheme_is_that_inputs_error():
    proc = run_cli("scan", "nosuch://bucket/device.json", "-j", "US", "--allow-remote")
    assert_clean_error(proc, "nosuch://bucket/device.json", "nosuch")


def test_stdin_on_a_cluster_is_a_usage_error(cluster):
    lc, _ = cluster
    proc = run_cli("scan", "-", "-j", "US", "--scheduler", lc.scheduler_address, stdin=b"{}")
    assert_clean_error(proc, "standard input")


def test_unreachable_scheduler_is_a_usage_error(fleet):
    proc = run_cli("scan", str(fleet), "-j", "US", "--scheduler", "tcp://127.0.0.1:9")
    assert_clean_error(proc, "--scheduler", "tcp://127.0.0.1:9")
