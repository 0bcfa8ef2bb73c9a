"""The signed rule-pack channel under attack: each test is an attack tried on the channel as shipped, with
the refusal the contract asks for (exit 2, one line naming the file or URL and what is wrong, nothing
installed). Keys are generated here; the HTTP servers are the standard library's, on 127.0.0.1."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import time
from pathlib import Path

import pytest

from tests.conftest import assert_clean_error, run_cli
from tests.test_pack_channel import SBOM, _Server, build, keygen, pack_copy, publish, scan_json, server  # noqa: F401 (a fixture)

data_dir = pytest.fixture(lambda tmp_path, monkeypatch: _data_dir(tmp_path, monkeypatch))


def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("COMPLYCHECK_DATA_DIR", str(d))
    monkeypatch.delenv("COMPLYCHECK_PACK_URL", raising=False)
    return d


def installed(data_dir: Path, version: str) -> Path:
    return data_dir / "packs" / "complycheck-builtin" / version


# -- a server that misbehaves ----------------------------------------------------------------------


def test_a_server_that_trickles_is_cut_off_by_the_update_deadline(tmp_path: Path, data_dir: Path, server: _Server) -> None:  # noqa: F811 (the imported fixture)
    key, pub = keygen(tmp_path)
    publish(server, build(tmp_path, pack_copy(tmp_path, "2099.1.1.1"), key))
    server.trickle.add("listing.json")  # a byte every 0.1 s: no single read ever times out
    started = time.monotonic()
    proc = run_cli("rules", "update", "--from", server.url, "--trusted-key", str(pub), "--timeout", "2")
    assert time.monotonic() - started < 15
    assert_clean_error(proc, f"{server.url}listing.json", "time allowed")
    assert not (data_dir / "packs" / "complycheck-builtin" / "active.json").exists()


def test_a_redirect_to_another_scheme_on_the_same_host_is_refused(tmp_path: Path, data_dir: Path, server: _Server) -> None:  # noqa: F811 (the imported fixture)
    key, pub = keygen(tmp_path)
    publish(server, build(tmp_path, pack_copy(tmp_path, "2099.1.1.1"), key))
    host = server.url.split("//", 1)[1]
    server.redirect["listing.json"] = f"ftp://{host}listing.json"  # urllib would log in as anonymous
    proc = run_cli("rules", "update", "--from", server.url, "--trusted-key", str(pub))
    assert_clean_error(proc, "listing.json", "redirected from http:// to ftp://")


def test_a_redirect_on_the_same_host_and_scheme_is_followed(tmp_path: Path, data_dir: Path, server: _Server) -> None:  # noqa: F811 (the imported fixture)
    key, pub = keygen(tmp_path)
    out = build(tmp_path, pack_copy(tmp_path, "2099.1.1.1"), key)
    (server.root / "v2").mkdir()
    publish(server, out)
    for f in out.iterdir():
        shutil.copy(f, server.root / "v2" / f.name)
    server.redirect["listing.json"] = f"{server.url}v2/listing.json"
    proc = run_cli("rules", "update", "--from", server.url, "--trusted-key", str(pub))
    assert proc.returncode == 0, proc.stderr


# -- versions and the data directory ----------------------------------------------------------------


def test_a_respelled_version_with_other_content_is_the_same_version_and_refused(tmp_path: Path, data_dir: Path) -> None:
    key, pub = keygen(tmp_path)
    first = build(tmp_path, pack_copy(tmp_path, "2099.1.1.1", "a"), key, "a-out")
    assert run_cli("rules", "import", str(first), "--trusted-key", str(pub)).returncode == 0
    # 2099.1.1.1.0 is version 2099.1.1.1 written otherwise: a published version never changes.
    again = build(tmp_path, pack_copy(tmp_path, "2099.1.1.1.0", "b", edit=("2024-07-20", "2099-07-20")), key, "b-out")
    assert_clean_error(run_cli("rules", "import", str(again), "--trusted-key", str(pub)),
                       "differs from the pack of the same version")
    assert scan_json("--trusted-key", str(pub))["rulepack"]["packs"][0]["version"] == "2099.1.1.1"


def test_moving_the_active_record_back_to_an_older_signed_pack_is_refused(tmp_path: Path, data_dir: Path) -> None:
    key, pub = keygen(tmp_path)
    old = build(tmp_path, pack_copy(tmp_path, "2099.1.1.1", "old"), key, "old-out")
    new = build(tmp_path, pack_copy(tmp_path, "2099.2.1.1", "new"), key, "new-out")
    for out in (old, new):
        assert run_cli("rules", "import", str(out), "--trusted-key", str(pub)).returncode == 0
    active = data_dir / "packs" / "complycheck-builtin" / "active.json"
    active.write_text(json.dumps({"version": "2099.1.1.1"}) + "\n", "utf-8")  # validly signed, but older
    proc = run_cli("scan", str(SBOM), "-j", "US", "--trusted-key", str(pub))
    assert_clean_error(proc, str(active), "2099.2.1.1 is installed too", "rollback")
    # The user's own downgrade stays possible, and leaves a consistent data directory.
    proc = run_cli("rules", "import", str(old), "--trusted-key", str(pub), "--allow-downgrade")
    assert proc.returncode == 0, proc.stderr
    assert not installed(data_dir, "2099.2.1.1").exists()
    assert scan_json("--trusted-key", str(pub))["rulepack"]["packs"][0]["version"] == "2099.1.1.1"


def test_a_link_out_of_an_installed_pack_is_refused_even_to_identical_bytes(tmp_path: Path, data_dir: Path) -> None:
    """Verified, then loaded: a file reached through a link (into /tmp, say) could change in between."""
    key, pub = keygen(tmp_path)
    assert run_cli("rules", "import", str(build(tmp_path, pack_copy(tmp_path, "2099.1.1.1"), key)),
                   "--trusted-key", str(pub)).returncode == 0
    us = installed(data_dir, "2099.1.1.1") / "pack" / "jurisdictions" / "US.yaml"
    outside = tmp_path / "elsewhere-US.yaml"
    shutil.copy(us, outside)
    us.unlink()
    us.symlink_to(outside)
    assert_clean_error(run_cli("scan", str(SBOM), "-j", "US", "--trusted-key", str(pub)), "US.yaml", "not a regular file")


def test_an_installed_pack_directory_others_can_write_is_refused(tmp_path: Path, data_dir: Path) -> None:
    key, pub = keygen(tmp_path)
    assert run_cli("rules", "import", str(build(tmp_path, pack_copy(tmp_path, "2099.1.1.1"), key)),
                   "--trusted-key", str(pub)).returncode == 0
    vendors = installed(data_dir, "2099.1.1.1") / "pack" / "vendors"
    os.chmod(vendors, 0o777)
    assert_clean_error(run_cli("scan", str(SBOM), "-j", "US", "--trusted-key", str(pub)), "vendors", "writable by others")


def test_a_pack_name_that_walks_out_of_the_data_directory_is_refused(tmp_path: Path, data_dir: Path) -> None:
    assert_clean_error(run_cli("scan", str(SBOM), "-j", "US", "--rules", "pack:../../etc"), "pack:../../etc",
                       "not a pack name")


# -- archives a trusted key signed (a publisher's mistake or a stolen key) --------------------------


def signed_archive(tmp_path: Path, members: list[tuple[str, bytes, bytes]], version: str = "2099.1.1.1") -> tuple[Path, Path]:
    """A listing signed by a fresh key for an archive of ``members`` (name, tar type, data)."""
    from compliance.rulepack.channel import LISTING_TYPE, Listing
    from compliance.signing import envelope_bytes, load_private_key, sign_envelope

    key, pub = keygen(tmp_path, "publisher")
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.REGTYPE:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                info.linkname = data.decode()
                tar.addfile(info)
    blob = buf.getvalue()
    out = tmp_path / "server"
    out.mkdir()
    name = f"complycheck-builtin-{version}.tar.gz"
    (out / name).write_bytes(blob)
    listing = Listing(name="complycheck-builtin", version=version, requires=None, built="2099-01-01T00:00:00Z",
                      status="active", digest="0" * 64, archive_name=name, archive_size=len(blob),
                      archive_sha256=hashlib.sha256(blob).hexdigest())
    (out / "listing.json").write_bytes(envelope_bytes(sign_envelope(LISTING_TYPE, listing.payload(), [load_private_key(key)])))
    return out, pub


@pytest.mark.parametrize(
    ("members", "needle"),
    [
        ([("pack.yaml", tarfile.SYMTYPE, b"/etc/passwd")], "not a regular file"),
        ([("pack.yaml", tarfile.LNKTYPE, b"/etc/passwd")], "not a regular file"),
        ([("pack.yaml", tarfile.CHRTYPE, b"")], "not a regular file"),
        ([("../pack.yaml", tarfile.REGTYPE, b"x")], "not a pack file"),
        ([("/pack.yaml", tarfile.REGTYPE, b"x")], "not a pack file"),
        ([("vendors/../../x.yaml", tarfile.REGTYPE, b"x")], "not a pack file"),
        ([("pack.yaml", tarfile.REGTYPE, b"a"), ("pack.yaml", tarfile.REGTYPE, b"b")], "appears twice"),
        ([("vendors/acme.yaml", tarfile.REGTYPE, b"a"), ("vendors/ACME.yaml", tarfile.REGTYPE, b"b")],
         "differ only in case"),
        ([("MANIFEST.sha256", tarfile.REGTYPE, b"0" * 64 + b"  pack.yaml\n"), ("pack.yaml", tarfile.REGTYPE, b"x")],
         "does not match the files"),
    ],
    ids=["symlink", "hardlink", "device", "dotdot", "absolute", "dotdot-inside", "duplicate", "case-variants",
         "lying-manifest"],
)
def test_server_archive_members_are_refused_and_nothing_is_installed(
    tmp_path: Path, data_dir: Path, members: list, needle: str
) -> None:
    out, pub = signed_archive(tmp_path, members)
    proc = run_cli("rules", "import", str(out), "--trusted-key", str(pub))
    assert_clean_error(proc, "complycheck-builtin-2099.1.1.1.tar.gz", needle)
    assert not (data_dir / "packs" / "complycheck-builtin" / "active.json").exists()
    leftovers = list((data_dir / "packs" / "complycheck-builtin").glob("*")) if (data_dir / "packs").exists() else []
    assert leftovers == []


def test_rules_build_refuses_pack_files_that_differ_only_in_case(tmp_path: Path) -> None:
    key, _pub = keygen(tmp_path)
    src = pack_copy(tmp_path, "2099.1.1.1")
    shutil.copy(src / "vendors" / "kaspersky.yaml", src / "vendors" / "Kaspersky.yaml")
    proc = run_cli("rules", "build", str(src), "--sign-key", str(key), "-o", str(tmp_path / "out"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "listing.json").exists()


# -- verify-attestation never waits on a pipe -------------------------------------------------------


def test_verify_attestation_refuses_a_fifo_as_input_or_key_at_once(tmp_path: Path) -> None:
    key, pub = keygen(tmp_path, "ci")
    attestation = tmp_path / "v.intoto.json"
    proc = run_cli("scan", str(SBOM), "-j", "US", "--attest", str(attestation), "--sign-key", str(key), "-q")
    assert proc.returncode == 1, proc.stderr
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert_clean_error(run_cli("verify-attestation", str(attestation), "--key", str(pub), "--input", str(fifo)),
                       str(fifo), "not a regular file")
    assert_clean_error(run_cli("verify-attestation", str(attestation), "--key", str(fifo), "--any-subject"), str(fifo),
                       "not a regular file")


def test_a_link_planted_where_a_version_will_be_installed_is_replaced_never_followed(tmp_path: Path, data_dir: Path) -> None:
    key, pub = keygen(tmp_path)
    out = build(tmp_path, pack_copy(tmp_path, "2099.1.1.1"), key)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("keep", "utf-8")
    home = data_dir / "packs" / "complycheck-builtin"
    home.mkdir(parents=True, mode=0o700)
    os.chmod(data_dir, 0o700)
    os.chmod(data_dir / "packs", 0o700)
    (home / "2099.1.1.1").symlink_to(victim, target_is_directory=True)
    proc = run_cli("rules", "import", str(out), "--trusted-key", str(pub))
    assert proc.returncode == 0, proc.stderr
    assert (victim / "keep.txt").read_text("utf-8") == "keep"
    assert not (home / "2099.1.1.1").is_symlink()
    assert scan_json("--trusted-key", str(pub))["rulepack"]["packs"][0]["version"] == "2099.1.1.1"


def test_an_install_under_a_umask_of_002_is_still_private_and_scans(tmp_path: Path, data_dir: Path) -> None:
    """Many systems give users a umask of 002; nothing installed may then be group-writable, or the scan's
    own checks would refuse the pack it just installed."""
    key, pub = keygen(tmp_path)
    out = build(tmp_path, pack_copy(tmp_path, "2099.1.1.1"), key)
    old = os.umask(0o002)
    try:
        assert run_cli("rules", "import", str(out), "--trusted-key", str(pub)).returncode == 0
    finally:
        os.umask(old)
    assert scan_json("--trusted-key", str(pub))["rulepack"]["packs"][0]["version"] == "2099.1.1.1"
