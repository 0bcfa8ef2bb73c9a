"""Commands of the signed rule-pack channel and of signed verdicts (registered on ``compliance.cli``).

``keygen``, ``rules build``, ``rules update``, ``rules import``, ``rules status`` and
``verify-attestation``. The work is done in ``compliance.signing``, ``compliance.rulepack.channel`` and
``compliance.attestation``; this module only parses flags and prints. Only ``rules update`` touches the
network, and only the URL it is given (``--from`` or ``COMPLYCHECK_PACK_URL``).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from compliance.cli import EXIT_ERROR, EXIT_FAIL, EXIT_PASS, _die, _out, main, rules

TRUSTED_KEY = click.option(
    "--trusted-key", "trusted_key_files", multiple=True, metavar="PUB",
    help="Also trust this Ed25519 public key (PEM) besides the project's release keys (repeatable).",
)


def extra_keys(files: tuple[str, ...] | list[str]) -> list[Any]:
    """Public keys from ``--trusted-key`` files (or a policy file's ``trusted_keys``)."""
    from compliance.signing import load_public_key

    return [load_public_key(f) for f in files]


def pack_policy_for_scan(policy: Any, trusted_key_files: tuple[str, ...], max_pack_age: int | None,
                         stale_pack: str | None) -> Any:
    """``ScanOptions.pack_policy`` from the flags and the policy file (flags win, key by key)."""
    from compliance.rulepack.provenance import PackPolicy

    settings = policy.pack_settings
    key_files = [*trusted_key_files, *settings.get("trusted_keys", [])]
    return PackPolicy(
        trusted_keys=extra_keys(key_files) if key_files else [],
        pin=settings.get("rule_pack"),
        max_pack_age=max_pack_age if max_pack_age is not None else settings.get("max_pack_age"),
        stale_pack=stale_pack or settings.get("stale_pack") or "warn",
        policy_file=policy.path or None,
        policy_sha256=policy.sha256,
    )


@main.command("keygen")
@click.argument("prefix")
def keygen(prefix: str) -> None:
    """Write an Ed25519 key pair: PREFIX.key (private, mode 0600) and PREFIX.pub (public), both PEM.

    Set COMPLYCHECK_KEY_PASSPHRASE to encrypt the private key. Existing files are never overwritten.
    """
    from compliance.signing import generate_keypair

    key, pub, keyid = generate_keypair(prefix)
    _out(f"wrote {key} (private: keep it secret) and {pub}\nkey id: {keyid}", terminal=True, exit_code=EXIT_PASS)


@rules.command("build")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--sign-key", "sign_keys", multiple=True, required=True, metavar="KEY",
              help="Ed25519 private key (PEM) to sign the listing with (repeatable, e.g. during a key rotation).")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              metavar="OUTDIR", help="Directory for listing.json and the archive.")
@click.option("--status", type=click.Choice(["active", "deprecated"]), default="active", show_default=True)
@click.option("--built", metavar="DATE", help="Build time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ). Default: "
              "SOURCE_DATE_EPOCH, else the date the pack version starts with.")
@click.option("--with-builtin", is_flag=True, help="Validate an organisation pack together with the built-in catalog.")
def rules_build(directory: str, sign_keys: tuple[str, ...], out_dir: str, status: str, built: str | None,
                with_builtin: bool) -> None:
    """Build DIRECTORY into a deterministic archive and a signed listing in OUTDIR."""
    from pathlib import Path

    from compliance.rulepack.channel import build

    listing, archive, listing_path = build(Path(directory), Path(out_dir), list(sign_keys), status=status, built=built,
                                           with_builtin=with_builtin)
    _out(
        f"built {listing.name} {listing.version} ({listing.status}, built {listing.built})\n"
        f"archive: {archive} ({listing.archive_size:,} bytes, sha256:{listing.archive_sha256})\n"
        f"listing: {listing_path}\n"
        f"pack digest: sha256:{listing.digest}",
        terminal=True, exit_code=EXIT_PASS,
    )


def _install(listing_at: str, trusted_key_files: tuple[str, ...], allow_downgrade: bool, origin: str,
             timeout: float | None = None) -> None:
    import time

    from compliance.rulepack.channel import (
        MAX_ARCHIVE,
        MAX_LISTING,
        UPDATE_TIMEOUT,
        archive_location,
        fetch,
        install,
    )
    from compliance.signing import trusted_keys

    keys = trusted_keys(extra_keys(trusted_key_files))
    deadline = time.monotonic() + (timeout or UPDATE_TIMEOUT)  # one budget for the listing and the archive
    listing_bytes = fetch(listing_at, MAX_LISTING, "listing", deadline)

    def get_archive(listing: Any) -> bytes:
        return fetch(archive_location(listing_at, listing.archive_name), min(MAX_ARCHIVE, listing.archive_size),
                     "archive", deadline)

    outcome, installed = install(listing_bytes, listing_at, get_archive, keys, allow_downgrade=allow_downgrade,
                                 origin=origin)
    lst = installed.listing
    lines = [
        f"{outcome}: {lst.name} {lst.version} (sha256:{lst.digest})",
        f"signed by {installed.keyid} ({installed.key_origin}); built {lst.built}; status {lst.status}",
    ]
    if lst.status == "deprecated":
        lines.append("warning: the publisher marks this pack deprecated")
    _out("\n".join(lines), terminal=True, exit_code=EXIT_PASS)


@rules.command("update")
@click.option("--from", "source", metavar="URL|PATH",
              help="Where the listing is: an https URL, a mirror directory, or listing.json. "
              "Default: $COMPLYCHECK_PACK_URL.")
@TRUSTED_KEY
@click.option("--allow-downgrade", is_flag=True, help="Install a pack older than the one in use.")
@click.option("--timeout", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="Give up when the download takes longer than this (default 300; a silent connection: 30).")
def rules_update(source: str | None, trusted_key_files: tuple[str, ...], allow_downgrade: bool,
                 timeout: float | None) -> None:
    """Download, verify and install the rule pack a signed listing names (the only command that uses the network)."""
    from compliance.rulepack.channel import listing_location

    source = source or os.environ.get("COMPLYCHECK_PACK_URL")
    if not source:
        _die("rules update: no source: give --from URL|PATH (or set COMPLYCHECK_PACK_URL)")
    assert source is not None
    where = listing_location(source)
    _install(where, trusted_key_files, allow_downgrade, where, timeout)


@rules.command("import")
@click.argument("listing", metavar="LISTING")
@TRUSTED_KEY
@click.option("--allow-downgrade", is_flag=True, help="Install a pack older than the one in use.")
def rules_import(listing: str, trusted_key_files: tuple[str, ...], allow_downgrade: bool) -> None:
    """Verify and install a pack from files (air-gapped): LISTING is listing.json or the folder holding it and the archive."""
    from compliance.rulepack.channel import listing_location

    where = listing_location(listing)
    if "://" in where and not where.lower().startswith("file://"):
        _die(f"{where}: rules import reads local files only; use 'rules update --from' for a URL")
    _install(where, trusted_key_files, allow_downgrade, os.path.abspath(where) if "://" not in where else where)


@rules.command("status")
@TRUSTED_KEY
def rules_status(trusted_key_files: tuple[str, ...]) -> None:
    """The active rule pack: name, version, digest, signer, build date, age and where it came from."""
    from datetime import date

    from compliance.rulepack.channel import status_lines
    from compliance.signing import trusted_keys

    lines = status_lines(trusted_keys(extra_keys(trusted_key_files)), date.today())
    _out("\n".join(lines), terminal=True, exit_code=EXIT_PASS)


@main.command("verify-attestation")
@click.argument("attestation", metavar="FILE")
@click.option("--key", "key_files", multiple=True, required=True, metavar="PUB",
              help="Public key (PEM) the attestation must be signed with (repeatable: any one will do).")
@click.option("--input", "input_files", multiple=True, metavar="FILE",
              help="An input that must be a subject of the attestation (its sha256 is checked; repeatable).")
@click.option("--any-subject", is_flag=True,
              help="Check the signature and the result only, whatever files the verdict is about (no --input).")
@click.option("-j", "--jurisdiction", "jurisdictions", multiple=True, metavar="CODE",
              help="A jurisdiction the verdict must have been reached for (repeatable; ALL covers every code).")
@click.option("--policy-file", "policy_file", metavar="FILE",
              help="The policy file (.complycheck.yaml) the scan must have read: its sha256 is compared.")
def verify_attestation(attestation: str, key_files: tuple[str, ...], input_files: tuple[str, ...],
                       any_subject: bool, jurisdictions: tuple[str, ...], policy_file: str | None) -> None:
    """Check a signed verdict (--attest): signature, subjects, and the result.

    Exit 0: it verifies and the verdict is PASSED. Exit 1: it verifies and the verdict is FAILED.
    Exit 2: it does not verify (bad or unknown signature, a given input that is not a subject) or cannot be read.
    Give the files the verdict must be about with --input: without it, any PASSED attestation the key ever
    signed (of another product's SBOM, say) would do, so it is refused unless --any-subject says so.
    """
    from compliance.attestation import AttestationError, summary_lines, verify
    from compliance.rulepack.channel import ChannelError, _read_local
    from compliance.signing import MAX_ENVELOPE, load_public_key

    if not input_files and not any_subject:
        _die(f"{attestation}: give --input FILE for each file the verdict must be about (or --any-subject to check "
             "the signature and the result only): any PASSED verdict the key signed would verify otherwise")
    if input_files and any_subject:
        _die("--any-subject and --input exclude each other")
    keys = [load_public_key(k) for k in key_files]
    try:
        data = _read_local(attestation, MAX_ENVELOPE, "attestation")
    except ChannelError as exc:
        _die(str(exc))
    inputs = [(f, _file_sha256(f)) for f in input_files]
    policy = (policy_file, _file_sha256(policy_file)) if policy_file else None
    try:
        statement, key = verify(data, attestation, keys, inputs, jurisdictions=jurisdictions, policy_file=policy)
    except AttestationError as exc:
        _die(str(exc))
    result = statement["predicate"]["verificationResult"]
    _out("\n".join(summary_lines(statement, key)), terminal=True, exit_code=EXIT_PASS)
    sys.exit(EXIT_PASS if result == "PASSED" else EXIT_FAIL)


def _file_sha256(path: str) -> str:
    """The sha256 of a file, read in chunks (an SBOM may be a gigabyte); a regular file only, opened without
    blocking (a FIFO given as --input would otherwise wait for a writer for ever)."""
    import stat

    from compliance.readers.base import sha256

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        _die(f"{path}: cannot read: {exc.strerror or exc}")
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            _die(f"{path}: not a regular file")
        h = sha256()
        with os.fdopen(fd, "rb", closefd=False) as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError as exc:
        _die(f"{path}: cannot read: {exc.strerror or exc}")
    finally:
        os.close(fd)
    return str(h.hexdigest())


def write_attestation(report: Any, target: str, key_path: str, verifier_id: str | None, exit_code: int) -> None:
    """``scan --attest FILE --sign-key KEY``: the signed VSA of this report."""
    from compliance.attestation import DEFAULT_VERIFIER, AttestationError, build_statement, sign_statement
    from compliance.cli import _write
    from compliance.signing import envelope_bytes

    try:
        envelope = sign_statement(build_statement(report, verifier_id or DEFAULT_VERIFIER), key_path)
    except AttestationError as exc:
        _die(f"--attest {target}: {exc}")
    _write(target, envelope_bytes(envelope), exit_code)


__all__ = ["EXIT_ERROR", "pack_policy_for_scan", "write_attestation"]
