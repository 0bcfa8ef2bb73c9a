"""The rule-pack channel: signed listings, offline-first installs, and the pack a scan rests on.

A published pack is two files side by side:

- ``NAME-VERSION.tar.gz``: the deterministic archive of the pack (``archive.build_archive``);
- ``listing.json``: a DSSE envelope (``signing``) whose payload is the listing: schema version, pack
  name, version, ``requires``, pack format, build time, status (active / deprecated), the pack's
  content digest, and the archive's file name, size and sha256. The listing is what is signed; the
  archive is trusted only through it.

``rules update --from URL|PATH`` and ``rules import FILE`` verify the listing against the trusted keys,
take the archive (size, sha256, then the digest of what it holds), and install it atomically under the
user data directory::

    <data>/packs/<name>/<version>/pack/...        the pack files
    <data>/packs/<name>/<version>/listing.json    the envelope, as received
    <data>/packs/<name>/<version>/origin.json     where it came from and when
    <data>/packs/<name>/active.json               which installed version is active

Everything is prepared in a temporary directory beside them and renamed into place, so a failed
update leaves the installed pack as it was. A scan never touches the network: it uses the active
installed pack of the built-in pack's name when that is newer than the built-in pack, after checking
its signature and its files' digest again (the data directory may be a shared or restored CI cache).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compliance.errors import RulePackError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from compliance.rulepack.provenance import PackSource

LISTING_TYPE = "application/vnd.complycheck.pack-listing+json"
LISTING_SCHEMA = 1  # the listing's own format; a newer one is refused
PACK_FORMAT = 1  # the YAML layout of a pack (pack.yaml, vendors/, jurisdictions/)
STATUSES = ("active", "deprecated")
BUILTIN_NAME = "complycheck-builtin"
MAX_LISTING = 1024 * 1024
MAX_ARCHIVE = 256 * 1024 * 1024
TIMEOUT = 30.0  # seconds a connection may stay silent
UPDATE_TIMEOUT = 300.0  # seconds a whole update may take (``rules update --timeout``): a server that trickles is cut off
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")
# A pack name is a directory name in the data directory: lower case, so that two names never meet on a
# case-insensitive file system (macOS, Windows) as one directory.
_PACK_NAME = re.compile(r"^[a-z0-9][a-z0-9._+-]{0,99}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class ChannelError(UsageError):
    """An update, import or installed pack that is refused: one line, exit 2, nothing installed."""


# -- the listing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    name: str
    version: str
    requires: str | None
    built: str  # ISO 8601 UTC, e.g. 2026-12-07T00:00:00Z
    status: str
    digest: str  # the pack's content digest (hex)
    archive_name: str
    archive_size: int
    archive_sha256: str
    pack_format: int = PACK_FORMAT
    schema_version: int = LISTING_SCHEMA

    def payload(self) -> bytes:
        doc = {
            "schemaVersion": self.schema_version,
            "name": self.name,
            "version": self.version,
            "requires": self.requires,
            "packFormat": self.pack_format,
            "built": self.built,
            "status": self.status,
            "digest": {"sha256": self.digest},
            "archive": {"name": self.archive_name, "size": self.archive_size, "sha256": self.archive_sha256},
        }
        return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")

    @property
    def built_date(self) -> date:
        return datetime.strptime(self.built[:10], "%Y-%m-%d").date()

    @classmethod
    def from_payload(cls, body: bytes, where: str) -> Listing:
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ChannelError(f"{where}: the signed listing is not JSON") from None
        if not isinstance(doc, dict):
            raise ChannelError(f"{where}: the signed listing is not a JSON object")
        schema = doc.get("schemaVersion")
        if not isinstance(schema, int) or isinstance(schema, bool):
            raise ChannelError(f"{where}: the listing has no schemaVersion")
        if schema > LISTING_SCHEMA:
            raise ChannelError(
                f"{where}: listing schema {schema} is newer than this complycheck reads ({LISTING_SCHEMA}): upgrade complycheck"
            )
        fmt = doc.get("packFormat")
        if fmt != PACK_FORMAT:
            raise ChannelError(f"{where}: pack format {fmt!r} is not one this complycheck reads ({PACK_FORMAT})")
        archive, digest = doc.get("archive"), doc.get("digest")
        if not isinstance(archive, dict) or not isinstance(digest, dict):
            raise ChannelError(f"{where}: the listing needs 'archive' and 'digest' objects")
        fields = {
            "name": doc.get("name"),
            "version": doc.get("version"),
            "built": doc.get("built"),
            "status": doc.get("status"),
            "digest": digest.get("sha256"),
            "archive_name": archive.get("name"),
            "archive_sha256": archive.get("sha256"),
        }
        for key, value in fields.items():
            if not isinstance(value, str) or not value:
                raise ChannelError(f"{where}: listing field {key} is missing or not a string")
        size = archive.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0 or size > MAX_ARCHIVE:
            raise ChannelError(f"{where}: listing archive size {size!r} is not a size up to {MAX_ARCHIVE:,} bytes")
        for key in ("name", "version", "archive_name"):
            if not _SAFE_NAME.match(fields[key]):
                raise ChannelError(f"{where}: listing field {key} {fields[key][:60]!r} is not a plain name")
        if not _PACK_NAME.match(fields["name"]):
            raise ChannelError(f"{where}: listing field name {fields['name'][:60]!r} is not a lower-case pack name")
        for key in ("digest", "archive_sha256"):
            if not _HEX64.match(fields[key]):
                raise ChannelError(f"{where}: listing field {key} is not a hex SHA-256")
        if fields["status"] not in STATUSES:
            raise ChannelError(f"{where}: listing status {fields['status'][:30]!r} is not one of {', '.join(STATUSES)}")
        try:
            datetime.strptime(fields["built"], "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            raise ChannelError(f"{where}: listing build time {fields['built'][:40]!r} is not YYYY-MM-DDTHH:MM:SSZ") from None
        requires = doc.get("requires")
        if requires is not None and not isinstance(requires, str):
            raise ChannelError(f"{where}: listing field requires is not a string")
        _check_version(fields["version"], where)
        return cls(
            name=fields["name"], version=fields["version"], requires=requires, built=fields["built"],
            status=fields["status"], digest=fields["digest"], archive_name=fields["archive_name"],
            archive_size=size, archive_sha256=fields["archive_sha256"], pack_format=fmt, schema_version=schema,
        )


def _check_version(version: str, where: str) -> Any:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version)
    except InvalidVersion:
        raise ChannelError(f"{where}: pack version {version[:40]!r} is not a version (e.g. 2026.12.07.1)") from None


def version_key(version: str) -> Any:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version)
    except InvalidVersion:
        return Version("0")


def built_time(version: str, explicit: str | None = None) -> tuple[str, int]:
    """The build time a listing records: ``explicit``, else ``SOURCE_DATE_EPOCH``, else the date the
    pack version starts with (``2026.12.07.1`` -> 2026-12-07T00:00:00Z), so a rebuild is byte-identical."""
    if explicit:
        try:
            moment = datetime.strptime(explicit, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            try:
                moment = datetime.strptime(explicit, "%Y-%m-%d").replace(tzinfo=timezone.utc)
            except ValueError:
                raise UsageError(f"--built {explicit[:40]!r}: give YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ") from None
    elif os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        try:
            moment = datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise UsageError("SOURCE_DATE_EPOCH is not a whole number of seconds") from None
    else:
        found = re.match(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})", version)
        try:
            if not found:
                raise ValueError
            moment = datetime(int(found[1]), int(found[2]), int(found[3]), tzinfo=timezone.utc)
        except ValueError:
            raise UsageError(
                f"pack version {version!r} does not start with a date: give --built or set SOURCE_DATE_EPOCH"
            ) from None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ"), int(moment.timestamp())


# -- build ----------------------------------------------------------------------------------------


def build(
    source: Path, out_dir: Path, sign_keys: list[str], *, status: str = "active", built: str | None = None,
    with_builtin: bool = False,
) -> tuple[Listing, Path, Path]:
    """Validate the pack in ``source``, write its archive and signed listing into ``out_dir``."""
    from compliance.readers.base import sha256
    from compliance.reportfile import write_atomically
    from compliance.rulepack.archive import ArchiveError, build_archive
    from compliance.rulepack.cache import builtin_pack_root
    from compliance.rulepack.loader import collect_problems
    from compliance.signing import envelope_bytes, load_private_key, sign_envelope

    if status not in STATUSES:
        raise UsageError(f"--status {status!r}: one of {', '.join(STATUSES)}")
    if not sign_keys:
        raise UsageError("rules build needs --sign-key KEY: an unsigned pack cannot be installed by anyone")
    keys = [load_private_key(k) for k in sign_keys]  # before any work: a wrong key fails fast
    if not (source / "pack.yaml").is_file():
        raise UsageError(f"{source}: no pack.yaml: not a rule-pack directory")
    dirs = [Path(builtin_pack_root()), source] if with_builtin else [source]
    problems, pack = collect_problems(dirs)
    if problems or pack is None:
        raise RulePackError(problems or [f"{source}: the pack could not be loaded"])
    manifest = pack.packs[-1]
    name, version = str(manifest["name"]), str(manifest["version"])
    where = str(source / "pack.yaml")
    for label, value in (("name", name), ("version", version)):
        if not _SAFE_NAME.match(value):
            raise UsageError(f"{where}: {label} {value[:60]!r} is not a plain name (letters, digits, . _ + -)")
    if not _PACK_NAME.match(name):
        raise UsageError(f"{where}: name {name[:60]!r} must be lower case (it names a directory on every system)")
    _check_version(version, where)
    built_iso, mtime = built_time(version, built)
    try:
        data, digest = build_archive(source, mtime)
    except ArchiveError as exc:
        raise UsageError(f"{source}/{exc}") from None
    archive_name = f"{name}-{version}.tar.gz"
    listing = Listing(
        name=name, version=version, requires=_requires(source), built=built_iso, status=status, digest=digest,
        archive_name=archive_name, archive_size=len(data), archive_sha256=sha256(data).hexdigest(),
    )
    envelope = sign_envelope(LISTING_TYPE, listing.payload(), keys)
    out_dir.mkdir(parents=True, exist_ok=True)
    archive_path, listing_path = out_dir / archive_name, out_dir / "listing.json"
    for target in (archive_path, listing_path):
        if target.is_symlink():
            raise UsageError(f"{target}: is a symbolic link; rules build never writes through one")
    write_atomically(str(archive_path), data)
    write_atomically(str(listing_path), envelope_bytes(envelope))
    return listing, archive_path, listing_path


def _requires(source: Path) -> str | None:
    from compliance.yamlsafe import parse_yaml, read_text

    doc = parse_yaml(read_text(source / "pack.yaml", what="pack manifest"), str(source / "pack.yaml"))
    value = doc.get("requires") if isinstance(doc, dict) else None
    return str(value) if value is not None else None


# -- fetching -------------------------------------------------------------------------------------


def _is_url(text: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text))


def listing_location(source: str) -> str:
    """Where the listing is: ``source`` itself, or ``source/listing.json`` for a directory or a URL ending in /."""
    if _is_url(source):
        return source + "listing.json" if source.endswith("/") else source
    return os.path.join(source, "listing.json") if os.path.isdir(source) else source


def archive_location(listing_at: str, archive_name: str) -> str:
    """The archive beside the listing (the listing names a file, never a URL or a path)."""
    if _is_url(listing_at):
        from urllib.parse import urljoin

        return urljoin(listing_at, archive_name)
    return os.path.join(os.path.dirname(listing_at) or ".", archive_name)


def fetch(location: str, limit: int, what: str, deadline: float | None = None) -> bytes:
    """The bytes at a local path or an http(s)/file URL, at most ``limit``; ``ChannelError`` otherwise.

    ``deadline``: a ``time.monotonic()`` value by which a download must be complete.
    """
    if not _is_url(location):
        return _read_local(location, limit, what)
    from urllib.parse import urlsplit

    parts = urlsplit(location)
    scheme = parts.scheme.lower()
    if scheme == "file":
        from urllib.request import url2pathname

        return _read_local(url2pathname(parts.path), limit, what)
    if scheme not in ("http", "https"):
        raise ChannelError(f"{location}: scheme {scheme}:// is not supported for updates (https, http, file, a path)")
    return _download(location, limit, what, deadline)


def _read_local(path: str, limit: int, what: str) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ChannelError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ChannelError(f"{path}: cannot read {what}: not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ChannelError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ChannelError(f"{path}: {what} is larger than {limit:,} bytes")
    return data


def _download(url: str, limit: int, what: str, deadline: float | None = None) -> bytes:
    """GET ``url``: at most ``limit`` bytes, by ``deadline`` (default ``UPDATE_TIMEOUT`` from now), no redirect
    to another host or scheme, a silent connection cut after ``TIMEOUT`` seconds."""
    import http.client
    import time
    import urllib.error
    import urllib.request
    from urllib.parse import urlsplit

    origin = urlsplit(url)
    origin_host, origin_scheme = origin.netloc.lower(), origin.scheme.lower()
    deadline = deadline if deadline is not None else time.monotonic() + UPDATE_TIMEOUT

    class _SameOrigin(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
            target = urlsplit(newurl)
            if target.netloc.lower() != origin_host:
                raise ChannelError(f"{url}: redirected to another host ({target.netloc[:60]}); refused")
            if target.scheme.lower() != origin_scheme:  # https -> http, or to ftp: on the same host
                raise ChannelError(f"{url}: redirected from {origin_scheme}:// to {target.scheme[:10]}://; refused")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left

    # Only the handlers an http(s) download needs: no ftp:, file: or data: handler a redirect could reach.
    handlers: list[Any] = [urllib.request.ProxyHandler(), urllib.request.HTTPHandler(),
                           urllib.request.HTTPSHandler(), urllib.request.HTTPDefaultErrorHandler(), _SameOrigin(),
                           urllib.request.HTTPErrorProcessor()]
    opener = urllib.request.OpenerDirector()
    for handler in handlers:
        opener.add_handler(handler)
    request = urllib.request.Request(url, headers={"User-Agent": "complycheck rules update", "Accept-Encoding": "identity"})
    try:
        with opener.open(request, timeout=min(TIMEOUT, remaining())) as response:
            declared = response.headers.get("Content-Length")
            chunks: list[bytes] = []
            size = 0
            while size <= limit:  # each read waits at most TIMEOUT; the deadline is checked between reads
                chunk = response.read1(min(64 * 1024, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                remaining()
            data = b"".join(chunks)
    except ChannelError:
        raise
    except TimeoutError:
        raise ChannelError(
            f"{url}: {what} not downloaded within the time allowed (a slow or stalled server; "
            "'rules update --timeout SECONDS' allows more)"
        ) from None
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"{url}: cannot download {what}: HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise ChannelError(
                f"{url}: {what} not downloaded within the time allowed (a slow or stalled server; "
                "'rules update --timeout SECONDS' allows more)"
            ) from None
        raise ChannelError(f"{url}: cannot download {what}: {exc.reason}") from None
    except http.client.IncompleteRead as exc:
        raise ChannelError(f"{url}: {what} is truncated ({len(exc.partial):,} bytes received)") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:  # resets, bad responses
        raise ChannelError(f"{url}: cannot download {what}: {type(exc).__name__}: {exc}"[:300]) from None
    if len(data) > limit:
        raise ChannelError(f"{url}: {what} is larger than {limit:,} bytes")
    if declared is not None and declared.isdigit() and int(declared) != len(data):
        raise ChannelError(f"{url}: {what} is truncated ({len(data):,} of {int(declared):,} bytes)")
    return data


# -- the data directory --------------------------------------------------------------------------


def data_root() -> Path:
    """``$COMPLYCHECK_DATA_DIR``, else the user data directory (XDG on Linux) + ``complycheck``."""
    override = os.environ.get("COMPLYCHECK_DATA_DIR")
    if override:
        return Path(override)
    if sys.platform == "linux":
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"
        return base / "complycheck"
    from platformdirs import user_data_dir

    return Path(user_data_dir("complycheck", appauthor=False))


def packs_root() -> Path:
    return data_root() / "packs"


def _check_private_dir(path: Path) -> None:
    """Refuse a data directory someone else could write: it decides which rules a scan applies."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise ChannelError(f"{path}: the rule-pack data directory is not a plain directory")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise ChannelError(f"{path}: the rule-pack data directory belongs to another user")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ChannelError(f"{path}: the rule-pack data directory is writable by others (chmod go-w it)")


def _check_private_tree(top: Path) -> None:
    """An installed version's directory and everything in it: directories and regular files only, no symbolic
    link, owned by this user and writable by nobody else. Its files are verified, then loaded: nobody but the
    user may be able to change them in between (a link into /tmp would let another local user do so)."""
    _check_private_dir(top)
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        for entry in [*dirnames, *filenames]:
            path = os.path.join(dirpath, entry)
            info = os.lstat(path)
            if stat.S_ISDIR(info.st_mode):
                _check_private_dir(Path(path))
                continue
            if not stat.S_ISREG(info.st_mode):
                raise ChannelError(f"{path}: not a regular file (a link or a special file) in an installed rule pack")
            if (hasattr(os, "getuid") and info.st_uid != os.getuid()) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                raise ChannelError(f"{path}: an installed rule-pack file that another user owns or can write")


def _installed_versions(name: str) -> list[str]:
    """The version directories under ``packs/NAME`` (names only, nothing verified)."""
    try:
        entries = list(os.scandir(packs_root() / name))
    except OSError:
        return []
    return [e.name for e in entries if not e.name.startswith(".") and _SAFE_NAME.match(e.name)
            and e.is_dir(follow_symlinks=False)]


def _private_mkdir(path: Path) -> None:
    """``path`` and the missing directories above it, each made 0700 (``mkdir(parents=True)`` makes the
    parents by the umask, and a umask of 002 would leave them group-writable, which scans then refuse)."""
    missing = [p for p in (path, *path.parents) if not os.path.lexists(p)]
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir(mode=0o700)
            os.chmod(directory, 0o700)
    _check_private_dir(path)


# -- installing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Installed:
    """An installed pack that verified: its files, its listing and the key that signed it."""

    directory: Path  # the pack directory (…/<version>/pack)
    listing: Listing
    keyid: str
    key_origin: str
    origin: dict[str, Any]


def _active_file(name: str) -> Path:
    return packs_root() / name / "active.json"


def check_pack_name(name: str, where: str) -> None:
    """A pack name as the data directory uses it (``--rules pack:NAME``, ``rules: [pack:NAME]``)."""
    if not _PACK_NAME.match(name):
        raise ChannelError(f"{where}: {name[:60]!r} is not a pack name (lower-case letters, digits, . _ + -)")


def read_active(name: str, keys: Iterable[Any]) -> Installed | None:
    """The active installed pack of ``name`` checked again (signature and files), or None when none is installed.

    Anything wrong (a missing file, a bad signature, changed files) is a ``ChannelError``: an installed
    pack that no longer verifies is never used, and never silently replaced by an older one.
    """
    from compliance.signing import SignatureError, parse_envelope, verify_envelope

    check_pack_name(name, "rule pack")
    active = _active_file(name)
    if not os.path.lexists(active):
        return None
    root = packs_root()
    for d in (root.parent, root, root / name):
        _check_private_dir(d)
    where = str(active)
    try:
        pointer = json.loads(_read_local(str(active), 64 * 1024, "active pack record"))
        version = pointer["version"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ChannelError(f"{where}: not an active-pack record; run 'complycheck rules update' or remove it") from None
    if not isinstance(version, str) or not _SAFE_NAME.match(version):
        raise ChannelError(f"{where}: names no installed version")
    # An install activates the version it installs and a downgrade removes the newer ones, so a newer
    # version beside the active one means the record was moved back: a rollback to an older signed pack.
    newer = [v for v in _installed_versions(name) if version_key(v) > version_key(version)]
    if newer:
        raise ChannelError(
            f"{where}: names {name} {version}, but {max(newer, key=version_key)} is installed too: the active-pack "
            "record was moved back to an older pack (a rollback); refused. Run 'complycheck rules import' or "
            "'rules update' again, or 'rules import --allow-downgrade' for the older one"
        )
    home = root / name / version
    try:
        _check_private_tree(home)
    except OSError as exc:
        raise ChannelError(f"{home}: cannot read the installed pack: {exc.strerror or exc}") from None
    listing_path = home / "listing.json"
    try:
        envelope = parse_envelope(_read_local(str(listing_path), MAX_LISTING, "listing"), str(listing_path))
        body, key = verify_envelope(envelope, keys, payload_type=LISTING_TYPE, where=str(listing_path))
    except SignatureError as exc:
        raise ChannelError(f"installed rule pack {name} {version}: {exc}") from None
    listing = Listing.from_payload(body, str(listing_path))
    if listing.name != name or listing.version != version:
        raise ChannelError(f"{listing_path}: the signed listing is for {listing.name} {listing.version}, not {name} {version}")
    from compliance.rulepack.digest import pack_digest

    directory = home / "pack"
    try:
        found = pack_digest(directory)
    except OSError as exc:
        raise ChannelError(f"{directory}: cannot read the installed pack: {exc.strerror or exc}") from None
    if found != listing.digest:
        raise ChannelError(
            f"{directory}: the installed files do not match their signed digest (sha256:{listing.digest[:16]}…); "
            "reinstall with 'complycheck rules import' or 'rules update'"
        )
    try:
        origin = json.loads(_read_local(str(home / "origin.json"), 64 * 1024, "origin record"))
    except (ChannelError, ValueError, UnicodeDecodeError):
        origin = {}
    return Installed(directory, listing, key.keyid, key.origin, origin if isinstance(origin, dict) else {})


def install(
    listing_bytes: bytes,
    listing_where: str,
    get_archive: Callable[[Listing], bytes],
    keys: list[Any],
    *,
    allow_downgrade: bool = False,
    origin: str,
) -> tuple[str, Installed]:
    """Verify and install a pack; returns ("installed" | "already installed", the installed pack)."""
    from compliance import __version__
    from compliance.readers.base import sha256
    from compliance.rulepack.archive import ArchiveError, extract_archive
    from compliance.signing import SignatureError, parse_envelope, verify_envelope

    try:
        envelope = parse_envelope(listing_bytes, listing_where)
        body, key = verify_envelope(envelope, keys, payload_type=LISTING_TYPE, where=listing_where)
    except SignatureError as exc:
        raise ChannelError(str(exc)) from None
    listing = Listing.from_payload(body, listing_where)
    if listing.requires:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            ok = SpecifierSet(listing.requires).contains(__version__, prereleases=True)
        except InvalidSpecifier:
            ok = False
        if not ok:
            raise ChannelError(
                f"{listing_where}: {listing.name} {listing.version} needs complycheck {listing.requires}; this is {__version__}"
            )
    current = _current_version(listing.name, keys)
    if current is not None:
        cur_version, cur_digest = current
        if version_key(listing.version) == version_key(cur_version):  # "2099.1.1" is "2099.1.1.0" and "2099.01.1"
            if listing.digest == cur_digest:
                return "already installed", _reread(listing.name, keys)
            raise ChannelError(
                f"{listing_where}: {listing.name} {listing.version} differs from the pack of the same version "
                "already in use (a published version never changes); refused"
            )
        if version_key(listing.version) < version_key(cur_version) and not allow_downgrade:
            raise ChannelError(
                f"{listing_where}: {listing.name} {listing.version} is older than the pack in use ({cur_version}); "
                "refused (rollback protection; --allow-downgrade to install it anyway)"
            )
    data = get_archive(listing)
    if len(data) != listing.archive_size:
        raise ChannelError(
            f"{listing.archive_name}: {len(data):,} bytes, the signed listing says {listing.archive_size:,} "
            "(truncated or replaced download)"
        )
    if sha256(data).hexdigest() != listing.archive_sha256:
        raise ChannelError(f"{listing.archive_name}: sha256 does not match the signed listing (corrupt or tampered archive)")
    root = packs_root() / listing.name
    _private_mkdir(root)
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=root))
    try:
        try:
            digest = extract_archive(data, staging / "pack")
        except ArchiveError as exc:
            raise ChannelError(f"{listing.archive_name}: {exc}") from None
        if digest != listing.digest:
            raise ChannelError(f"{listing.archive_name}: the pack inside does not match the signed digest")
        _check_pack_loads(staging / "pack", listing)
        (staging / "listing.json").write_bytes(listing_bytes)
        record = {"from": origin, "installed": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "keyid": key.keyid}
        (staging / "origin.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", "utf-8")
        for written in ("listing.json", "origin.json"):  # whatever the umask (002 on many systems)
            os.chmod(staging / written, 0o644)
        final = root / listing.version
        if final.is_symlink() or final.is_file():  # never followed: removed as the entry it is
            final.unlink()
        elif final.exists():  # left by an earlier install that was not activated, or a downgrade target
            shutil.rmtree(final)
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _write_active(listing.name, listing.version)
    for other in _installed_versions(listing.name):  # a downgrade: the newer versions go (see read_active)
        if version_key(other) > version_key(listing.version):
            shutil.rmtree(root / other, ignore_errors=True)
    return "installed", _reread(listing.name, keys)


def _reread(name: str, keys: list[Any]) -> Installed:
    installed = read_active(name, keys)
    if installed is None:  # pragma: no cover - just written
        raise ChannelError(f"{name}: the pack was installed but cannot be read back")
    return installed


def _current_version(name: str, keys: list[Any]) -> tuple[str, str] | None:
    """The version and digest in use for ``name``: the active installed one, or the built-in pack's."""
    installed = None
    with contextlib.suppress(ChannelError):  # a broken install must not block its own repair
        installed = read_active(name, keys)
    builtin = _builtin_identity() if name == BUILTIN_NAME else None
    candidates = [c for c in ((installed.listing.version, installed.listing.digest) if installed else None, builtin) if c]
    if not candidates:
        return None
    return max(candidates, key=lambda c: version_key(c[0]))


def _builtin_identity() -> tuple[str, str]:
    from compliance.rulepack.cache import builtin_pack_root
    from compliance.rulepack.digest import pack_digest

    root = builtin_pack_root()
    return builtin_version(root), pack_digest(root)


def _version_date(version: str) -> str | None:
    from compliance.rulepack.provenance import version_date

    return version_date(version)


def builtin_version(root: str) -> str:
    """The ``version:`` of a pack's manifest, read without loading the pack."""
    from compliance.yamlsafe import parse_yaml, read_text

    doc = parse_yaml(read_text(os.path.join(root, "pack.yaml"), what="pack manifest"), "pack.yaml")
    return str(doc.get("version", "")) if isinstance(doc, dict) else ""


def _check_pack_loads(directory: Path, listing: Listing) -> None:
    """The pack validates (with the built-in catalog when it is an organisation pack) and its manifest agrees."""
    from compliance.rulepack.cache import builtin_pack_root
    from compliance.rulepack.loader import collect_problems

    dirs = [directory] if listing.name == BUILTIN_NAME else [Path(builtin_pack_root()), directory]
    problems, pack = collect_problems(dirs)
    if problems or pack is None:
        first = (problems or ["it does not load"])[0]
        raise ChannelError(f"{listing.archive_name}: the pack does not validate: {first}"[:400])
    manifest = pack.packs[-1]
    if manifest.get("name") != listing.name or str(manifest.get("version")) != listing.version:
        raise ChannelError(f"{listing.archive_name}: pack.yaml says {manifest.get('name')} {manifest.get('version')}, "
                           f"the signed listing {listing.name} {listing.version}")


def _write_active(name: str, version: str) -> None:
    from compliance.reportfile import write_atomically

    write_atomically(str(_active_file(name)), json.dumps({"version": version}, sort_keys=True) + "\n")


# -- what a scan uses ----------------------------------------------------------------------------


def resolve_builtin(keys: list[Any]) -> PackSource:
    """The pack a scan uses for the built-in rules: the active installed pack when it is newer, else the built-in."""
    from compliance.rulepack.cache import builtin_pack_root
    from compliance.rulepack.provenance import builtin_source, installed_source

    root = builtin_pack_root()
    installed = read_active(BUILTIN_NAME, keys) if os.path.lexists(_active_file(BUILTIN_NAME)) else None
    if installed is not None and version_key(installed.listing.version) > version_key(builtin_version(root)):
        return installed_source(BUILTIN_NAME, None, installed)
    return builtin_source(root)


def status_lines(keys: list[Any], today: date) -> list[str]:
    """``rules status``: the active pack and what else is installed."""
    from compliance.rulepack.cache import builtin_pack_root
    from compliance.rulepack.digest import pack_digest

    active = resolve_builtin(keys)
    version = builtin_version(active.directory) if active.source == "built-in" else None
    built = active.built or _version_date(version or "")
    if active.source == "installed":
        installed = read_active(BUILTIN_NAME, keys)
        assert installed is not None
        version = installed.listing.version
    age = (today - date.fromisoformat(built)).days if built else None
    lines = [
        f"active pack:  {BUILTIN_NAME} {version}",
        f"digest:       sha256:{pack_digest(active.directory)}",
        f"signer:       {active.signer} ({active.signer_origin})" if active.signer
        else "signer:       none: the built-in pack, covered by the installed complycheck package",
        f"built:        {built or 'unknown'}" + (f" ({age} days ago)" if age is not None else ""),
        f"status:       {active.status or 'unknown'}",
        f"source:       {active.source}" + (f", from {active.origin}" if active.origin else ""),
        f"location:     {active.directory}",
    ]
    builtin_root = builtin_pack_root()
    if active.source != "built-in":
        lines.append(f"built-in:     {BUILTIN_NAME} {builtin_version(builtin_root)} (fallback)")
    root = packs_root()
    if root.is_dir():
        for pack_dir in sorted(p for p in root.iterdir() if p.is_dir()):
            versions = sorted((v.name for v in pack_dir.iterdir() if v.is_dir() and not v.name.startswith(".")),
                              key=version_key)
            if versions:
                lines.append(f"installed:    {pack_dir.name}: {', '.join(versions)}")
    return lines

