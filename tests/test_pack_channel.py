"""The signed rule-pack channel end to end: keygen, rules build, import, update over a real local HTTP
server, status, and the pack digest, signer, pin and age in every report. Keys are generated here."""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import os
import shutil
import stat
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from compliance.rulepack.cache import builtin_pack_root
from compliance.rulepack.digest import pack_digest
from tests.conftest import EXAMPLES, assert_clean_error, run_cli

SBOM = EXAMPLES / "endpoint-security-suite.cdx.json"
BUILTIN = Path(builtin_pack_root())


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("COMPLYCHECK_DATA_DIR", str(d))
    monkeypatch.delenv("COMPLYCHECK_PACK_URL", raising=False)
    return d


def keygen(tmp_path: Path, name: str = "org") -> tuple[Path, Path]:
    proc = run_cli("keygen", str(tmp_path / name))
    assert proc.returncode == 0, proc.stderr
    return tmp_path / f"{name}.key", tmp_path / f"{name}.pub"


def pack_copy(tmp_path: Path, version: str, name: str = "pack", edit: tuple[str, str] | None = None) -> Path:
    """A copy of the built-in pack with another version (and optionally one text edit in US.yaml)."""
    dest = tmp_path / name
    shutil.copytree(BUILTIN, dest, ignore=shutil.ignore_patterns("*.md"))
    manifest = dest / "pack.yaml"
    text = manifest.read_text("utf-8")
    old = next(line for line in text.splitlines() if line.startswith("version:"))
    manifest.write_text(text.replace(old, f'version: "{version}"'), "utf-8")
    if edit:
        us = dest / "jurisdictions" / "US.yaml"
        us.write_text(us.read_text("utf-8").replace(*edit), "utf-8")
    return dest


def build(tmp_path: Path, src: Path, key: Path, out: str = "pub", *extra: str) -> Path:
    proc = run_cli("rules", "build", str(src), "--sign-key", str(key), "-o", str(tmp_path / out), *extra)
    assert proc.returncode == 0, proc.stderr
    return tmp_path / out


def scan_json(*extra: str) -> dict:
    proc = run_cli("scan", str(SBOM), "-j", "US", "--as-of", "2026-12-07", "-f", "json", *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


# -- keys and the archive ---------------------------------------------------------------------------


def test_keygen_writes_a_private_key_only_the_user_can_read_and_never_overwrites(tmp_path: Path) -> None:
    key, pub = keygen(tmp_path)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert pub.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    before = key.read_bytes()
    assert_clean_error(run_cli("keygen", str(tmp_path / "org")), "org.key", "already exists")
    assert key.read_bytes() == before


def test_keygen_never_writes_through_a_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (tmp_path / "k.key").symlink_to(victim)
    assert_clean_error(run_cli("keygen", str(tmp_path / "k")), "k.key")
    assert victim.read_text() == "keep"


def test_build_is_byte_identical_and_its_digest_is_the_built_in_packs(tmp_path: Path) -> None:
    key, _pub = keygen(tmp_path)
    a = build(tmp_path, BUILTIN, key, "a")
    b = build(tmp_path, BUILTIN, key, "b")
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    envelope = json.loads((a / "listing.json").read_text())
    listing = json.loads(base64.b64decode(envelope["payload"]))
    assert envelope["payloadType"] == "application/vnd.complycheck.pack-listing+json"
    assert listing["digest"]["sha256"] == pack_digest(BUILTIN)
    archive = a / listing["archive"]["name"]
    assert listing["archive"]["size"] == archive.stat().st_size
    assert listing["archive"]["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert listing["built"] == "2026-11-23T00:00:00Z" or listing["built"].endswith("T00:00:00Z")
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
    assert all(m.isreg() and m.uid == 0 and m.mode == 0o644 for m in members)
    assert [m.name for m in members][0] == "MANIFEST.sha256"


def test_build_refuses_an_invalid_pack_and_signs_nothing(tmp_path: Path) -> None:
    key, _pub = keygen(tmp_path)
    bad = pack_copy(tmp_path, "2099.1.1.1", edit=("effective:", "effectiv:"))
    proc = run_cli("rules", "build", str(bad), "--sign-key", str(key), "-o", str(tmp_path / "out"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "listing.json").exists()


# -- import, status, scans -------------------------------------------------------------------------


def test_import_installs_a_newer_signed_pack_that_scans_then_use_and_name(tmp_path: Path, data_dir: Path) -> None:
    key, pub = keygen(tmp_path)
    src = pack_copy(tmp_path, "2099.1.1.1")
    out = build(tmp_path, src, key)
    proc = run_cli("rules", "import", str(out), "--trusted-key", str(pub))
    assert proc.returncode == 0, proc.stderr
    assert "installed: complycheck-builtin 2099.1.1.1" in proc.stdout

    status = run_cli("rules", "status", "--trusted-key", str(pub))
    assert status.returncode == 0, status.stderr
    assert "complycheck-builtin 2099.1.1.1" in status.stdout
    assert f"sha256:{pack_digest(src)}" in status.stdout
    assert "source:       installed" in status.stdout

    [pack] = scan_json("--trusted-key", str(pub))["rulepack"]["packs"]
    assert pack["version"] == "2099.1.1.1" and pack["source"] == "installed"
    assert pack["digest"] == f"sha256:{pack_digest(src)}"
    assert len(pack["signer"]) == 64
    # Importing the same listing again is a no-op, not an error (CI runs it on every job).
    again = run_cli("rules", "import", str(out), "--trusted-key", str(pub))
    assert again.returncode == 0 and "already installed" in again.stdout


def test_a_scan_without_the_signing_key_refuses_the_installed_pack_instead_of_falling_back(
    tmp_path: Path, data_dir: Path
) -> None:
    key, pub = keygen(tmp_path)
    out = build(tmp_path, pack_copy(tmp_path, "2099.1.1.1"), key)
    assert run_cli("rules", "import", str(out), "--trusted-key", str(pub)).returncode == 0
    proc = run_cli("scan", str(SBOM), "-j", "US")
    assert_clean_error(proc, "installed rule pack complycheck-builtin 2099.1.1.1", "unknown key")


def test_tampered_installed_files_are_refused_at_scan_time(tmp_path: Path, data_dir: Path) -> None:
    key, pub = keygen(tmp_path)
    out = build(tmp_path, pack_copy(tmp_path, "2099.1.1.1"), key)
    assert run_cli("rules", "import", str(out), "--trusted-key", str(pub)).returncode == 0
    us = data_dir / "packs" / "complycheck-builtin" / "2099.1.1.1" / "pack" / "jurisdictions" / "US.yaml"
    us.write_text(us.read_text("utf-8").replace("2024-07-20", "2099-07-20"), "utf-8")
    proc = run_cli("scan", str(SBOM), "-j", "US", "--trusted-key", str(pub))
    assert_clean_error(proc, "do not match their signed digest")


def test_import_refuses_unknown_keys_bad_signatures_and_tampered_archives(tmp_path: Path, data_dir: Path) -> None:
    key, pub = keygen(tmp_path)
    _other_key, other_pub = keygen(tmp_path, "other")
    out = build(tmp_path, pack_copy(tmp_path, "2099.1.1.1"), key)

    assert_clean_error(run_cli("rules", "import", str(out)), "unknown key")
    assert_clean_error(run_cli("rules", "import", str(out), "--trusted-key", str(other_pub)), "unknown key")

    listing = out / "listing.json"
    good = listing.read_bytes()
    envelope = json.loads(good)
    payload = json.loads(base64.b64decode(envelope["payload"]))
    payload["status"] = "deprecated"  # any change to the signed bytes
    envelope["payload"] = base64.b64encode(json.dumps(payload).encode()).decode()
    listing.write_text(json.dumps(envelope))
    assert_clean_error(run_cli("rules", "import", str(out), "--trusted-key", str(pub)), "bad signature")

    listing.write_bytes(good)
    archive = next(out.glob("*.tar.gz"))
    blob = bytearray(archive.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    archive.write_bytes(bytes(blob))
    assert_clean_error(run_cli("rules", "import", str(out), "--trusted-key", str(pub)), "sha256 does not match")
    archive.write_bytes(bytes(blob[:-100]))
    assert_clean_error(run_cli("rules", "import", str(out), "--trusted-key", str(pub)), "truncated")
    assert not (data_dir / "packs" / "complycheck-builtin" / "active.json").exists()


def test_downgrades_are_refused_unless_allowed_and_a_failed_update_keeps_the_installed_pack(
    tmp_path: Path, data_dir: Path
) -> None:
    key, pub = keygen(tmp_path)
    new = build(tmp_path, pack_copy(tmp_path, "2099.2.1.1", "new"), key, "new-out")
    old = build(tmp_path, pack_copy(tmp_path, "2099.1.1.1", "old"), key, "old-out")
    assert run_cli("rules", "import", str(new), "--trusted-key", str(pub)).returncode == 0
    assert_clean_error(run_cli("rules", "import", str(old), "--trusted-key", str(pub)),
                       "older than the pack in use (2099.2.1.1)", "--allow-downgrade")
    assert scan_json("--trusted-key", str(pub))["rulepack"]["packs"][0]["version"] == "2099.2.1.1"
    # An older pack than the built-in one is refused too: it would never be used.
    ancient = build(tmp_path, pack_copy(tmp_path, "2020.1.1.1", "ancient"), key, "ancient-out")
    assert_clean_error(run_cli("rules", "import", str(ancient), "--trusted-key", str(pub)), "older")
    proc = run_cli("rules", "import", str(old), "--trusted-key", str(pub), "--allow-downgrade")
    assert proc.returncode == 0, proc.stderr
    assert scan_json("--trusted-key", str(pub))["rulepack"]["packs"][0]["version"] == "2099.1.1.1"


def test_a_republished_version_with_other_content_is_refused(tmp_path: Path, data_dir: Path) -> None:
    key, pub = keygen(tmp_path)
    a = build(tmp_path, pack_copy(tmp_path, "2099.1.1.1", "a"), key, "a-out")
    b = build(tmp_path, pack_copy(tmp_path, "2099.1.1.1", "b", edit=("2024-07-20", "2024-07-21")), key, "b-out")
    assert run_cli("rules", "import", str(a), "--trusted-key", str(pub)).returncode == 0
    assert_clean_error(run_cli("rules", "import", str(b), "--trusted-key", str(pub)), "differs from the pack of the same version")


def test_a_listing_of_a_newer_schema_is_refused(tmp_path: Path, data_dir: Path) -> None:
    """A listing this version cannot read is refused, even when it is correctly signed."""
    key, pub = keygen(tmp_path)
    out = build(tmp_path, pack_copy(tmp_path, "2099.1.1.1"), key)
    from compliance.signing import envelope_bytes, load_private_key, sign_envelope

    envelope = json.loads((out / "listing.json").read_text())
    payload = json.loads(base64.b64decode(envelope["payload"]))
    payload["schemaVersion"] = 99
    signed = sign_envelope(envelope["payloadType"], json.dumps(payload).encode(), [load_private_key(key)])
    (out / "listing.json").write_bytes(envelope_bytes(signed))
    assert_clean_error(run_cli("rules", "import", str(out), "--trusted-key", str(pub)), "listing schema 99")


# -- rules update over HTTP -----------------------------------------------------------------------


class _Server:
    """Serves a directory, except: ``truncate`` names sent half (with the full Content-Length), ``trickle``
    names sent one byte every 0.1 s (200 bytes at most), ``redirect`` paths answered with a 302 to a URL."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.truncate: set[str] = set()
        self.trickle: set[str] = set()
        self.redirect: dict[str, str] = {}
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):  # type: ignore[no-untyped-def]
                super().__init__(*a, directory=str(server.root), **kw)

            def log_message(self, *_a):  # type: ignore[no-untyped-def]
                pass

            def do_GET(self):  # type: ignore[no-untyped-def]
                name = self.path.rsplit("/", 1)[-1]
                if self.path.lstrip("/") in server.redirect:
                    self.send_response(302)
                    self.send_header("Location", server.redirect[self.path.lstrip("/")])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if name in server.trickle:
                    data = (server.root / name).read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    for i in range(min(len(data), 200)):
                        try:
                            self.wfile.write(data[i : i + 1])
                            self.wfile.flush()
                        except OSError:
                            return
                        time.sleep(0.1)
                    return
                if name in server.truncate:
                    data = (server.root / name).read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                super().do_GET()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[_Server]:
    root = tmp_path / "mirror"
    root.mkdir()
    s = _Server(root)
    yield s
    s.close()


def publish(server: _Server, out: Path) -> None:
    for f in out.iterdir():
        shutil.copy(f, server.root / f.name)


def test_update_from_a_local_http_mirror(tmp_path: Path, data_dir: Path, server: _Server) -> None:
    key, pub = keygen(tmp_path)
    publish(server, build(tmp_path, pack_copy(tmp_path, "2099.1.1.1"), key))
    proc = run_cli("rules", "update", "--from", server.url, "--trusted-key", str(pub))
    assert proc.returncode == 0, proc.stderr
    assert "installed: complycheck-builtin 2099.1.1.1" in proc.stdout
    status = run_cli("rules", "status", "--trusted-key", str(pub))
    assert f"from {server.url}listing.json" in status.stdout


def test_update_refusals_over_http_install_nothing(tmp_path: Path, data_dir: Path, server: _Server) -> None:
    key, pub = keygen(tmp_path)
    _k2, other_pub = keygen(tmp_path, "other")
    out = build(tmp_path, pack_copy(tmp_path, "2099.1.1.1"), key)
    publish(server, out)
    archive = next(out.glob("*.tar.gz")).name

    assert_clean_error(run_cli("rules", "update", "--from", server.url, "--trusted-key", str(other_pub)), "unknown key")

    server.truncate.add(archive)
    assert_clean_error(run_cli("rules", "update", "--from", server.url, "--trusted-key", str(pub)), "truncated")
    server.truncate.clear()

    blob = bytearray((server.root / archive).read_bytes())
    blob[100] ^= 1
    (server.root / archive).write_bytes(bytes(blob))
    assert_clean_error(run_cli("rules", "update", "--from", server.url, "--trusted-key", str(pub)), "sha256 does not match")

    (server.root / archive).unlink()
    assert_clean_error(run_cli("rules", "update", "--from", server.url, "--trusted-key", str(pub)), "HTTP 404")
    assert not (data_dir / "packs" / "complycheck-builtin" / "active.json").exists()


def test_update_with_the_server_down_is_one_line_and_keeps_the_installed_pack(
    tmp_path: Path, data_dir: Path, server: _Server
) -> None:
    key, pub = keygen(tmp_path)
    publish(server, build(tmp_path, pack_copy(tmp_path, "2099.1.1.1"), key))
    assert run_cli("rules", "update", "--from", server.url, "--trusted-key", str(pub)).returncode == 0
    url = server.url
    server.close()
    assert_clean_error(run_cli("rules", "update", "--from", url, "--trusted-key", str(pub)), "cannot download")
    assert scan_json("--trusted-key", str(pub))["rulepack"]["packs"][0]["version"] == "2099.1.1.1"


def test_update_needs_a_source(data_dir: Path) -> None:
    assert_clean_error(run_cli("rules", "update"), "--from")


# -- every report names its basis; pins and age ----------------------------------------------------


def test_reports_name_the_pack_digest_signer_and_policy_digest(tmp_path: Path) -> None:
    policy = tmp_path / ".complycheck.yaml"
    policy.write_text("jurisdictions: [US]\n", "utf-8")
    digest = pack_digest(BUILTIN)
    policy_sha = hashlib.sha256(policy.read_bytes()).hexdigest()
    for fmt in ("json", "sarif", "text", "markdown", "html", "junit"):
        proc = run_cli("scan", str(SBOM), "--config", str(policy), "--as-of", "2026-12-07", "-f", fmt)
        assert proc.returncode == 1, proc.stderr
        assert digest in proc.stdout, fmt
        assert policy_sha in proc.stdout, fmt
    report = json.loads(run_cli("scan", str(SBOM), "--config", str(policy), "-f", "json").stdout)
    assert report["policy"] == {"path": str(policy), "sha256": policy_sha}
    org = Path(__file__).resolve().parent.parent / "examples" / "org-policy"
    proc = run_cli("scan", str(SBOM), "-j", "US", "--rules", str(org))
    assert proc.returncode == 1, proc.stderr
    assert "unsigned local pack" in proc.stdout and pack_digest(org) in proc.stdout


def test_a_pin_refuses_any_other_pack(tmp_path: Path) -> None:
    digest = pack_digest(BUILTIN)
    policy = tmp_path / ".complycheck.yaml"
    policy.write_text(f"jurisdictions: [US]\nrule_pack: {{sha256: '{digest}'}}\n", "utf-8")
    assert run_cli("scan", str(SBOM), "--config", str(policy)).returncode == 1
    policy.write_text(f"jurisdictions: [US]\nrule_pack: {{sha256: '{'0' * 64}'}}\n", "utf-8")
    assert_clean_error(run_cli("scan", str(SBOM), "--config", str(policy)), "rule_pack pins sha256:0000")
    policy.write_text("jurisdictions: [US]\nrule_pack: {version: '1999.1.1.1'}\n", "utf-8")
    assert_clean_error(run_cli("scan", str(SBOM), "--config", str(policy)), "pins version 1999.1.1.1")
    policy.write_text("jurisdictions: [US]\nrule_pack: {sha256: nothex}\n", "utf-8")
    assert_clean_error(run_cli("scan", str(SBOM), "--config", str(policy)), "line 2", "64 hex digits")


def test_max_pack_age_warns_or_fails_as_of_the_evaluation_date(tmp_path: Path) -> None:
    built = json.loads(run_cli("scan", str(SBOM), "-j", "US", "-f", "json", "--as-of", "2026-12-07").stdout)
    age = built["rulepack"]["packs"][0]["age_days"]
    assert age is not None and age >= 0
    ok = run_cli("scan", str(SBOM), "-j", "US", "--as-of", "2026-12-07", "--max-pack-age", str(age + 1))
    assert ok.returncode == 1 and "warning" not in ok.stderr
    warn = run_cli("scan", str(SBOM), "-j", "US", "--as-of", "2026-12-07", "--max-pack-age", str(max(age - 1, 1)), "-f", "json")
    if age > 1:
        assert warn.returncode == 1 and "max_pack_age" in warn.stderr
        assert json.loads(warn.stdout)["rulepack"]["warnings"]
        fail = run_cli("scan", str(SBOM), "-j", "US", "--as-of", "2026-12-07", "--max-pack-age", str(age - 1),
                       "--stale-pack", "fail")
        assert_clean_error(fail, "max_pack_age")
    policy = tmp_path / "p.yaml"
    policy.write_text("jurisdictions: [US]\nmax_pack_age: 1\nstale_pack: fail\n", "utf-8")
    assert_clean_error(run_cli("scan", str(SBOM), "--config", str(policy), "--as-of", "2099-01-01"), "max_pack_age 1")


def test_policy_trusted_keys_stay_inside_the_policy_directory(tmp_path: Path) -> None:
    _key, pub = keygen(tmp_path)
    sub = tmp_path / "repo"
    sub.mkdir()
    policy = sub / ".complycheck.yaml"
    policy.write_text(f"jurisdictions: [US]\ntrusted_keys: ['{pub}']\n", "utf-8")
    assert_clean_error(run_cli("scan", str(SBOM), "--config", str(policy)), "line 2", "outside the policy file's directory")
    policy.write_text("jurisdictions: [US]\ntrusted_keys: ['../org.pub']\n", "utf-8")
    assert_clean_error(run_cli("scan", str(SBOM), "--config", str(policy)), "outside the policy file's directory")
    shutil.copy(pub, sub / "org.pub")
    policy.write_text("jurisdictions: [US]\ntrusted_keys: [org.pub]\n", "utf-8")
    assert run_cli("scan", str(SBOM), "--config", str(policy)).returncode == 1


def test_the_project_release_key_ships_in_the_package_and_revocation_is_honoured(tmp_path: Path) -> None:
    from compliance.signing import builtin_keys, revoked_keyids, trusted_keys

    keys = builtin_keys()
    assert keys, "the project's release public key must ship in compliance/keys/"
    assert all(len(k.raw) == 32 for k in keys)
    assert not {k.keyid for k in keys} & revoked_keyids()
    assert {k.keyid for k in trusted_keys()} == {k.keyid for k in keys}
    assert not any((Path(__file__).resolve().parent.parent / "compliance" / "keys").glob("*.key")), "no private key in the package"


def test_the_data_directory_must_not_be_writable_by_others(tmp_path: Path, data_dir: Path) -> None:
    key, pub = keygen(tmp_path)
    out = build(tmp_path, pack_copy(tmp_path, "2099.1.1.1"), key)
    assert run_cli("rules", "import", str(out), "--trusted-key", str(pub)).returncode == 0
    os.chmod(data_dir / "packs", 0o777)
    assert_clean_error(run_cli("scan", str(SBOM), "-j", "US", "--trusted-key", str(pub)), "writable by others")


def test_an_organisation_add_on_pack_is_built_signed_imported_and_used_by_name(tmp_path: Path, data_dir: Path) -> None:
    key, pub = keygen(tmp_path)
    org = Path(__file__).resolve().parent.parent / "examples" / "org-policy"
    out = build(tmp_path, org, key, "org-out", "--with-builtin", "--built", "2026-12-01")
    assert run_cli("rules", "import", str(out), "--trusted-key", str(pub)).returncode == 0
    proc = run_cli("scan", str(SBOM), "-j", "US", "--rules", "pack:example-org-policy", "--trusted-key", str(pub), "-f", "json")
    assert proc.returncode == 1, proc.stderr
    packs = json.loads(proc.stdout)["rulepack"]["packs"]
    assert [p["source"] for p in packs] == ["built-in", "installed"]
    assert packs[1]["digest"] == f"sha256:{pack_digest(org)}" and packs[1]["signer"]
    assert_clean_error(run_cli("scan", str(SBOM), "-j", "US", "--rules", "pack:nope"), "pack:nope", "no pack of that name")
