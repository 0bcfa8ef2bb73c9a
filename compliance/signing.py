"""Ed25519 keys and DSSE envelopes: what signs a rule-pack listing and a verdict.

A signature is made over DSSE's pre-authentication encoding (PAE) of a payload and its type, as in-toto,
Sigstore and cosign do, so any DSSE verifier can check what complycheck signs::

    PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body

The envelope is ``{"payload": base64(body), "payloadType": type, "signatures": [{"keyid", "sig"}]}``.
A key id is the SHA-256 of the raw 32-byte Ed25519 public key, in hex: it names a key in listings,
reports and ``rules status``, but it is only a hint; a signature counts only when it verifies with a
trusted key whose own id matches.

Trusted keys are the project's release keys shipped in ``compliance/keys/*.pub``, less the ids listed in
``compliance/keys/revoked.txt``, plus the keys an organisation adds with ``--trusted-key`` or
``trusted_keys:``. Nothing here touches the network. ``cryptography`` is imported only by the commands
that sign or verify, never on a plain scan's path.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compliance.errors import UsageError

PAE_PREFIX = b"DSSEv1"
KEYS_DIR = Path(__file__).resolve().parent / "keys"
MAX_KEY_FILE = 64 * 1024
MAX_ENVELOPE = 16 * 1024 * 1024


class SignatureError(Exception):
    """An envelope or key that does not verify; the message is one line for the user."""


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 public key with its id and where it came from (shown when it signs something)."""

    keyid: str
    raw: bytes  # the 32-byte public key
    origin: str  # "built-in release key", a file name, or "policy file"

    @property
    def short_id(self) -> str:
        return self.keyid[:16]

    def verify(self, signature: bytes, message: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            return False
        return True


def pae(payload_type: str, body: bytes) -> bytes:
    """DSSE's pre-authentication encoding: what is actually signed."""
    t = payload_type.encode("utf-8")
    return b" ".join([PAE_PREFIX, str(len(t)).encode(), t, str(len(body)).encode(), body])


def keyid_of(raw_public: bytes) -> str:
    return hashlib.sha256(raw_public).hexdigest()


# -- key files ----------------------------------------------------------------------------------


def generate_keypair(prefix: str) -> tuple[Path, Path, str]:
    """Write ``PREFIX.key`` (PKCS#8 PEM, mode 0600) and ``PREFIX.pub`` (SubjectPublicKeyInfo PEM).

    Neither file may exist yet, and neither is written through a symbolic link (``O_EXCL``). The
    private key is encrypted when ``COMPLYCHECK_KEY_PASSPHRASE`` is set. Returns both paths and the key id.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key_path, pub_path = Path(f"{prefix}.key"), Path(f"{prefix}.pub")
    for p in (key_path, pub_path):
        if os.path.lexists(p):
            raise UsageError(f"{p}: already exists; keygen never overwrites a key")
    private = Ed25519PrivateKey.generate()
    passphrase = os.environ.get("COMPLYCHECK_KEY_PASSPHRASE")
    encryption: Any = (
        serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
        if passphrase
        else serialization.NoEncryption()
    )
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    public = private.public_key()
    public_pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    _create(key_path, private_pem, 0o600)
    try:
        _create(pub_path, public_pem, 0o644)
    except BaseException:
        key_path.unlink(missing_ok=True)
        raise
    return key_path, pub_path, keyid_of(raw)


def _create(path: Path, data: bytes, mode: int) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError:
        raise UsageError(f"{path}: already exists; keygen never overwrites a key") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot create: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, mode)  # whatever the umask


def _read_key_file(path: str | os.PathLike[str]) -> bytes:
    """A key file's bytes: a regular file, opened without blocking (a FIFO or a device is refused at once)."""
    import stat

    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise UsageError(f"{p}: cannot read key: not a regular file")
            with os.fdopen(fd, "rb", closefd=False) as fh:
                data = fh.read(MAX_KEY_FILE + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        raise UsageError(f"{p}: cannot read key: {exc.strerror or exc}") from None
    if len(data) > MAX_KEY_FILE:
        raise UsageError(f"{p}: not a key file (larger than {MAX_KEY_FILE // 1024} KiB)")
    return data


def load_private_key(path: str | os.PathLike[str]) -> tuple[Any, PublicKey]:
    """An Ed25519 private key from a PEM file, and its public half."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data = _read_key_file(path)
    passphrase = os.environ.get("COMPLYCHECK_KEY_PASSPHRASE")
    try:
        key = serialization.load_pem_private_key(data, password=passphrase.encode("utf-8") if passphrase else None)
    except TypeError:
        raise UsageError(f"{path}: the private key is encrypted: set COMPLYCHECK_KEY_PASSPHRASE") from None
    except ValueError:
        raise UsageError(f"{path}: not a PEM private key (or the passphrase is wrong)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(f"{path}: not an Ed25519 key (complycheck signs with Ed25519 only)")
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return key, PublicKey(keyid_of(raw), raw, str(path))


def public_key_from_pem(data: bytes, origin: str) -> PublicKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise UsageError(f"{origin}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UsageError(f"{origin}: not an Ed25519 public key")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return PublicKey(keyid_of(raw), raw, origin)


def load_public_key(path: str | os.PathLike[str]) -> PublicKey:
    return public_key_from_pem(_read_key_file(path), str(path))


# -- trust ---------------------------------------------------------------------------------------


def revoked_keyids() -> frozenset[str]:
    """Key ids the project has revoked (``compliance/keys/revoked.txt``: one hex id per line, # comments)."""
    try:
        text = (KEYS_DIR / "revoked.txt").read_text("utf-8")
    except FileNotFoundError:
        return frozenset()
    return frozenset(
        line.split("#", 1)[0].strip().lower() for line in text.splitlines() if line.split("#", 1)[0].strip()
    )


def builtin_keys() -> list[PublicKey]:
    """The project's release keys shipped in the package."""
    return [
        public_key_from_pem(p.read_bytes(), f"built-in release key {p.name}") for p in sorted(KEYS_DIR.glob("*.pub"))
    ]


def trusted_keys(extra: Iterable[PublicKey] = ()) -> list[PublicKey]:
    """The built-in release keys plus ``extra``, less revoked ones, one entry per key id."""
    revoked = revoked_keyids()
    seen: dict[str, PublicKey] = {}
    for key in [*builtin_keys(), *extra]:
        if key.keyid not in revoked and key.keyid not in seen:
            seen[key.keyid] = key
    return list(seen.values())


# -- DSSE ----------------------------------------------------------------------------------------


def sign_envelope(payload_type: str, body: bytes, keys: Iterable[tuple[Any, PublicKey]]) -> dict[str, Any]:
    """A DSSE envelope of ``body`` signed by each (private key, public key) pair."""
    message = pae(payload_type, body)
    signatures = [
        {"keyid": public.keyid, "sig": base64.b64encode(private.sign(message)).decode("ascii")}
        for private, public in keys
    ]
    if not signatures:
        raise UsageError("nothing to sign with: give a key")
    return {
        "payload": base64.b64encode(body).decode("ascii"),
        "payloadType": payload_type,
        "signatures": signatures,
    }


def envelope_bytes(envelope: dict[str, Any]) -> bytes:
    """The envelope as written to disk: JSON, keys sorted, one trailing newline (deterministic)."""
    return (json.dumps(envelope, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode("ascii")


def parse_envelope(data: bytes, where: str) -> dict[str, Any]:
    """A DSSE envelope's fields, checked for shape (not yet for signatures)."""
    if len(data) > MAX_ENVELOPE:
        raise SignatureError(f"{where}: larger than {MAX_ENVELOPE // (1024 * 1024)} MiB: not a DSSE envelope")
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SignatureError(f"{where}: not JSON ({_short(exc)}): not a DSSE envelope") from None
    if not isinstance(doc, dict):
        raise SignatureError(f"{where}: not a DSSE envelope (a JSON object with payload, payloadType, signatures)")
    payload, ptype, sigs = doc.get("payload"), doc.get("payloadType"), doc.get("signatures")
    if not isinstance(payload, str) or not isinstance(ptype, str) or not isinstance(sigs, list):
        raise SignatureError(f"{where}: not a DSSE envelope: needs string payload and payloadType and a signatures list")
    if not sigs:
        raise SignatureError(f"{where}: the envelope carries no signature")
    for i, s in enumerate(sigs):
        if not isinstance(s, dict) or not isinstance(s.get("sig"), str) or not isinstance(s.get("keyid", ""), str):
            raise SignatureError(f"{where}: signatures[{i}]: needs a string sig (and keyid)")
    return doc


def verify_envelope(
    envelope: dict[str, Any], keys: Iterable[PublicKey], *, payload_type: str, where: str
) -> tuple[bytes, PublicKey]:
    """The payload and the trusted key that signed it; ``SignatureError`` when no trusted key did.

    Every signature is tried against every trusted key whose id it names (or every trusted key when it
    names none). One good signature by a trusted, unrevoked key is enough.
    """
    if envelope.get("payloadType") != payload_type:
        raise SignatureError(
            f"{where}: payloadType is {_short(envelope.get('payloadType'))}, expected {payload_type}"
        )
    body = _b64(envelope["payload"], f"{where}: payload")
    message = pae(payload_type, body)
    trusted = list(keys)
    revoked = revoked_keyids()
    named: list[str] = []
    for i, sig in enumerate(envelope["signatures"]):
        raw_sig = _b64(sig["sig"], f"{where}: signatures[{i}].sig")
        keyid = str(sig.get("keyid") or "").lower()
        named.append(keyid)
        for key in trusted:
            if keyid and keyid != key.keyid:
                continue
            if key.keyid in revoked:
                continue
            if key.verify(raw_sig, message):
                return body, key
    if any(k in revoked for k in named):
        raise SignatureError(f"{where}: signed by revoked key {_ids(k for k in named if k in revoked)}")
    known = {k.keyid for k in trusted}
    if named and all(k and k not in known for k in named):
        raise SignatureError(
            f"{where}: signed by unknown key {_ids(named)}: not among the trusted keys "
            "(add it with --trusted-key or trusted_keys:)"
        )
    raise SignatureError(f"{where}: bad signature: the envelope does not verify with the trusted key(s)")


def _b64(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        try:  # DSSE allows URL-safe base64 too
            return base64.urlsafe_b64decode(text)
        except (binascii.Error, ValueError):
            raise SignatureError(f"{where}: not base64") from None


def _ids(keyids: Iterable[str]) -> str:
    return ", ".join(sorted({k[:16] or "(none)" for k in keyids}))


def _short(value: object) -> str:
    text = repr(value) if not isinstance(value, BaseException) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
