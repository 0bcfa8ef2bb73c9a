"""Signed verdicts under attack: a PASSED attestation must not stand in for a verdict it is not.

A CI key signs every verdict its pipeline reaches, so a verifier holding that key can be shown any of them:
a clean product's PASSED verdict in place of the product under review, a verdict reached for another
jurisdiction, or one reached under a policy file a pull request rewrote. Each is refused once the verifier
says what it expects; and a listing envelope (a pack signature) is never accepted as a verdict.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

from tests.conftest import assert_clean_error, run_cli
from tests.test_attestation import CLEAN, FAILING, attest, keygen


def test_a_clean_products_passed_verdict_does_not_verify_for_another_sbom(tmp_path: Path) -> None:
    key, pub = keygen(tmp_path)
    code, out = attest(tmp_path, CLEAN, key)
    assert code == 0
    # The replay: the PASSED attestation of a clean SBOM shown for the failing one.
    assert_clean_error(run_cli("verify-attestation", str(out), "--key", str(pub)), str(out), "--input")
    assert_clean_error(run_cli("verify-attestation", str(out), "--key", str(pub), "--input", str(FAILING)),
                       str(FAILING), "not a subject")
    proc = run_cli("verify-attestation", str(out), "--key", str(pub), "--any-subject")
    assert proc.returncode == 0, proc.stderr  # asked for explicitly: signature and result only
    assert run_cli("verify-attestation", str(out), "--key", str(pub), "--input", str(CLEAN)).returncode == 0


def test_a_verdict_for_another_jurisdiction_is_refused_when_the_verifier_names_one(tmp_path: Path) -> None:
    key, pub = keygen(tmp_path)
    out = tmp_path / "v.json"
    # Kaspersky is not restricted in India's rules: a PASS for the failing SBOM under -j IN.
    proc = run_cli("scan", str(FAILING), "-j", "IN", "--as-of", "2026-12-07", "--attest", str(out), "--sign-key", str(key), "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_clean_error(run_cli("verify-attestation", str(out), "--key", str(pub), "--input", str(FAILING), "-j", "US"),
                       str(out), "not US")
    assert run_cli("verify-attestation", str(out), "--key", str(pub), "--input", str(FAILING), "-j", "IN").returncode == 0


def test_a_verdict_under_a_rewritten_policy_file_is_refused_when_the_verifier_gives_the_reviewed_one(tmp_path: Path) -> None:
    key, pub = keygen(tmp_path)
    reviewed = tmp_path / "main" / ".complycheck.yaml"
    reviewed.parent.mkdir()
    reviewed.write_text("jurisdictions: [US]\n", "utf-8")
    pr = tmp_path / "pr" / ".complycheck.yaml"
    pr.parent.mkdir()
    # The pull request's policy file leaves out every rule resting on facts not yet verified
    pr.write_text("jurisdictions: [US]\nrequire_verified: true\n", "utf-8")
    sbom = tmp_path / "pr" / "sbom.json"
    shutil.copy(FAILING, sbom)
    out = tmp_path / "v.json"
    run_cli("scan", str(sbom), "--config", str(pr), "--as-of", "2026-12-07", "--attest", str(out), "--sign-key", str(key), "-q")
    assert_clean_error(
        run_cli("verify-attestation", str(out), "--key", str(pub), "--input", str(sbom), "--policy-file", str(reviewed)),
        str(reviewed), "another policy file")
    proc = run_cli("verify-attestation", str(out), "--key", str(pub), "--input", str(sbom), "--policy-file", str(pr))
    assert proc.returncode in (0, 1), proc.stderr


def test_a_pack_listing_signed_by_the_same_key_is_not_a_verdict(tmp_path: Path) -> None:
    """One key signing both packs and verdicts: DSSE's payloadType is part of what is signed."""
    key, pub = keygen(tmp_path)
    code, out = attest(tmp_path, CLEAN, key)
    envelope = json.loads(out.read_text())
    envelope["payloadType"] = "application/vnd.complycheck.pack-listing+json"
    confused = tmp_path / "confused.json"
    confused.write_text(json.dumps(envelope))
    assert_clean_error(run_cli("verify-attestation", str(confused), "--key", str(pub), "--input", str(CLEAN)),
                       "payloadType")
    assert_clean_error(run_cli("rules", "import", str(out), "--trusted-key", str(pub)), "payloadType")


def test_a_signature_naming_one_key_is_not_checked_with_another(tmp_path: Path) -> None:
    key, pub = keygen(tmp_path)
    _other_key, other_pub = keygen(tmp_path, "other")
    code, out = attest(tmp_path, CLEAN, key)
    envelope = json.loads(out.read_text())
    other_id = run_cli("keygen", str(tmp_path / "third")).stdout.rsplit("key id: ", 1)[1].strip()
    envelope["signatures"] = [{"keyid": other_id, "sig": envelope["signatures"][0]["sig"]},
                              {"keyid": "", "sig": base64.b64encode(b"\0" * 64).decode()}]
    relabelled = tmp_path / "relabelled.json"
    relabelled.write_text(json.dumps(envelope))
    proc = run_cli("verify-attestation", str(relabelled), "--key", str(pub), "--key", str(other_pub), "--input", str(CLEAN))
    assert_clean_error(proc, str(relabelled))
