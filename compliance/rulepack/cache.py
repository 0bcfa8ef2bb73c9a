"""A cache of validated rule packs that nothing written into it can turn against its user.

Loading and schema-validating the pack costs about a millisecond per rule; a small scan would spend
half its time there, and a pack of thousands of rules seconds per run. So the validated ``RulePack``
and the ``VendorIndex`` built from it are kept in the user cache directory. That directory is not
trusted (a CI cache restored from another branch, a shared machine), so (docs/rule-pack-cache.md):

- **Plain data only.** An entry is msgpack decoded by msgspec into the record types named here, never
  a pickle: decoding cannot run code or build any other type.
- **Keyed by content.** The key is a SHA-256 over the format, complycheck and Python versions, the
  bytes of the code that builds the pack and the index (``_CODE``), and each pack directory's path and
  the SHA-256 of the bytes of every pack file (``compliance.rulepack.digest``): an edit that keeps the
  size and the modification time is a different key.
- **Authenticated.** Each entry carries an HMAC-SHA256 of its bytes under a random per-user key kept
  outside the cache directory (``cache_key_path``: the user state directory, created 0600). An entry
  whose MAC, format, version or key does not match (tampered, truncated, from another machine or
  user) is ignored and rebuilt from YAML, never trusted and never a traceback.
- **A directory others can change is refused.** A cache directory that is a symbolic link, is owned
  by another user or writable by group or others, or has a parent owned by another user (not root)
  or writable by everyone without the sticky bit, is not used: the pack is read from YAML and one
  warning is printed on stderr, once per process. The same for a key file that is not the user's
  own private regular file.
- Written atomically (a new 0600 file renamed into place, never through a symbolic link). Packs with
  problems are never cached. ``COMPLYCHECK_NO_CACHE=1`` turns the cache off; ``COMPLYCHECK_CACHE_DIR``
  and ``COMPLYCHECK_CACHE_KEY_FILE`` move it and its key.

Rules are stored per jurisdiction, each group encoded on its own, so a scan decodes only the rules of
the jurisdictions it evaluates. On Linux the cache and state directories are worked out here, without
importing platformdirs (which loads ``tempfile``, ``shutil`` and more: a tenth of a small scan).
"""

from __future__ import annotations

import os
import stat
import sys
from typing import TYPE_CHECKING, Any

import msgspec

from compliance import __version__
from compliance.errors import RulePackError
from compliance.readers.base import sha256
from compliance.rulepack.digest import file_digests, file_sha256
from compliance.rulepack.model import Rule, RulePack

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable
    from pathlib import Path

    from compliance.matching import VendorIndex

FORMAT = 5  # 1-4: pickles (never read); 5: msgpack, authenticated
MAGIC = b"complycheck-rulepack-cache\x00\x05"
_SUFFIX = ".msgpack"
_MAC_SIZE = _KEY_SIZE = 32
_MAC_BUILTIN_BELOW = 768 * 1024
_MAX_ENTRY = 512 * 1024 * 1024  # an entry larger than this is not ours: ignored unread
_OPEN_ENTRY = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The code that builds, validates and indexes a pack: a changed file (a development checkout whose
# version number did not move) is another key, like a changed pack file.
_CODE = tuple(
    os.path.join(_PACKAGE, *name.split("/"))
    for name in (
        "matching.py", "normalize.py", "identifiers.py", "yamlsafe.py", "rulepack/model.py", "rulepack/loader.py",
        "rulepack/validate.py",
        "rulepack/cache.py", "rulepack/digest.py", "rulepack/schemas/pack.schema.json",
        "rulepack/schemas/vendors.schema.json", "rulepack/schemas/rules.schema.json",
    )
)
_warned = False  # the one warning about an unsafe cache directory or key file has been printed


class _Entry(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """One cache file's body: its version and key, then each part encoded on its own (decoded on demand)."""

    version: str
    key: str
    pack: msgspec.Raw  # the RulePack without its rules and products
    index: msgspec.Raw  # the VendorIndex's tables, or nil
    groups: list[tuple[str, msgspec.Raw]]  # (jurisdiction, its rules), in pack order


def builtin_pack_root() -> str:
    """The built-in pack's directory as a string (``loader.builtin_pack_dir()``), found without ``pathlib``:
    inside an installed wheel, or the repository's ``rules/`` when run from source."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    for candidate in (os.path.join(package, "_rules"), os.path.join(os.path.dirname(package), "rules")):
        if os.path.isdir(candidate):
            return candidate
    from importlib import resources  # a zipped install: only then pay for importlib.resources

    installed = resources.files("compliance") / "_rules"
    if installed.is_dir():
        return str(installed)
    raise RulePackError(["built-in rule pack not found: the installation is incomplete (no compliance/_rules)"])


def load_rule_pack_and_index(
    extra_dirs: list[str] | None = None,
    *,
    builtin: bool = True,
    rules_for: Callable[[RulePack], set[str]] | None = None,
) -> tuple[RulePack, VendorIndex | None]:
    """``load_rule_pack``, and the pack's vendor index when the cache has one (None: build it).

    A scan takes the index with the pack instead of building it from the catalog on every run.
    ``rules_for`` (see ``load_entry``) lets a cached pack load only the rules of the jurisdictions it
    names; a pack read from YAML has all of them. Here rather than in the loader, which a scan whose
    pack comes from the cache then never imports; ``compliance.rulepack.loader`` offers it too.
    """
    dirs: list[str] = []  # strings: a cached pack is found without importing pathlib
    if builtin:
        dirs.append(builtin_pack_root())
    dirs.extend(os.fspath(d) for d in extra_dirs or [])
    if not dirs:
        raise RulePackError(["no rule packs selected: --no-builtin-rules needs at least one --rules DIR"])
    cached, index, key = load_entry(dirs, rules_for)
    if cached is not None:
        return cached, index
    from compliance.rulepack import loader

    problems, pack = loader.collect_problems(dirs)
    if problems or pack is None:
        raise RulePackError(problems)
    return pack, store(key, pack)


# -- where ----------------------------------------------------------------------------------------


def cache_dir() -> Path | None:
    """Where cached packs live, or None when caching is turned off."""
    from pathlib import Path

    directory = _cache_root()
    return None if directory is None else Path(directory)


def _cache_root() -> str | None:
    """``cache_dir()`` as a string, worked out without ``pathlib`` (~5 ms a warm scan does not need)."""
    if os.environ.get("COMPLYCHECK_NO_CACHE", "").strip() not in ("", "0"):
        return None
    return os.environ.get("COMPLYCHECK_CACHE_DIR") or _user_dir("XDG_CACHE_HOME", ".cache", "user_cache_dir")


def cache_key_path() -> str:
    """The file holding the key that authenticates cache entries: in the user state directory, never in
    the cache directory or the data directory (installed packs), which CI may restore from elsewhere; a
    fresh machine makes a fresh key."""
    return os.environ.get("COMPLYCHECK_CACHE_KEY_FILE") or os.path.join(
        _user_dir("XDG_STATE_HOME", os.path.join(".local", "state"), "user_state_dir"), "cache-key"
    )


def _user_dir(xdg_variable: str, home_default: str, platformdirs_name: str) -> str:
    """``platformdirs``' user cache or state directory for complycheck, on Linux without importing it.

    Its rule there is the XDG one: ``$XDG_..._HOME`` when that is an absolute path, else ``~/.cache``
    or ``~/.local/state``. Android, a relative ``$XDG_..._HOME`` (platformdirs versions differ on it)
    and a relative ``$HOME`` (platformdirs then asks the password database) are left to platformdirs.
    """
    root = _linux_root(xdg_variable, home_default)
    if root is not None:
        return os.path.join(root, "complycheck")
    try:
        import platformdirs
    except ImportError:
        base = os.environ.get(xdg_variable) or os.path.join(os.path.expanduser("~"), home_default)
        return os.path.join(base, "complycheck")
    return str(getattr(platformdirs, platformdirs_name)("complycheck", appauthor=False))


def _linux_root(xdg_variable: str, home_default: str) -> str | None:
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel") or os.environ.get("ANDROID_ROOT"):
        return None
    xdg = os.environ.get(xdg_variable, "")
    if os.path.isabs(xdg):
        return xdg
    if xdg.strip():
        return None
    home = os.environ.get("HOME")
    if home is not None and not os.path.isabs(home):
        return None
    root = os.path.expanduser(os.path.join("~", home_default))
    return root if os.path.isabs(root) else None


# -- who may change it ---------------------------------------------------------------------------


def _uid() -> int | None:
    """This process's user id; None where there is none (Windows: the profile's ACLs protect it)."""
    return os.getuid() if hasattr(os, "getuid") else None


def _warn_once(message: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        from compliance.untrusted import capped, for_terminal, path_text

        sys.stderr.write(for_terminal(capped(path_text(f"complycheck: warning: {message}"))) + "\n")
        sys.stderr.flush()


def _unsafe(directory: str) -> str | None:
    """Why ``directory`` is not a place for the cache (None: it is, or it does not exist yet).

    The directory itself must be a real directory (not a symbolic link) of this user that neither
    group nor others may write; its parents must belong to this user or root and not be writable by
    everyone unless sticky (as ``/tmp``). Group-writable parents are accepted: a home directory is
    often group-writable under user-private groups, and the entries are authenticated all the same.
    """
    uid = _uid()
    if uid is None:
        return None
    try:
        st = os.lstat(directory)
    except OSError:
        st = None  # missing (made 0700 when written), or unusable: the write fails silently
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            return "it is a symbolic link"
        if stat.S_ISDIR(st.st_mode):
            if st.st_uid != uid:
                return "it is owned by another user"
            if st.st_mode & 0o022:
                return "it is writable by group or others"
    parent = os.path.dirname(os.path.abspath(directory))
    while True:
        try:
            pst = os.stat(parent)
        except OSError:
            pst = None
        if pst is not None:
            if pst.st_uid not in (uid, 0):
                return f"its parent {parent} is owned by another user"
            if pst.st_mode & 0o002 and not pst.st_mode & stat.S_ISVTX:
                return f"its parent {parent} is writable by everyone"
        up = os.path.dirname(parent)
        if up == parent:
            return None
        parent = up


def _usable(directory: str) -> bool:
    reason = _unsafe(directory)
    if reason is not None:
        _warn_once(f"rule-pack cache {directory} not used: {reason}; the rule pack is read from its files")
    return reason is None


def _secret(create: bool) -> bytes | None:
    """The user's cache key (made when missing and ``create``); None when there is none to use."""
    path = cache_key_path()
    problem = None
    try:
        fd = os.open(path, _OPEN_ENTRY)
    except FileNotFoundError:
        return _new_secret(path) if create else None
    except OSError:
        if not os.path.islink(path):
            return None  # unreadable: only a cache
        problem = "it is a symbolic link"
        fd = -1
    if fd >= 0:
        try:
            st = os.fstat(fd)
            uid = _uid()
            if not stat.S_ISREG(st.st_mode):
                problem = "it is not a regular file"
            elif uid is not None and st.st_uid != uid:
                problem = "it is owned by another user"
            elif uid is not None and st.st_mode & 0o077:
                problem = "group or others may read or write it"
            else:
                secret = os.read(fd, _KEY_SIZE + 1)
                if len(secret) == _KEY_SIZE:
                    return secret
                problem = f"it does not hold a {_KEY_SIZE}-byte key"
        except OSError as exc:
            problem = exc.strerror or str(exc)
        finally:
            os.close(fd)
    _warn_once(f"rule-pack cache key {path} not used: {problem}; the rule pack is read from its files (delete the file to make a new key)")
    return None


def _new_secret(path: str) -> bytes | None:
    """Make the key file (0600, in a 0700 directory): written whole, then linked into place, so a
    concurrent run sees either no key or the complete one (the first to link wins)."""
    try:
        os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0), 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(os.urandom(_KEY_SIZE))
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    except OSError:
        return None
    return _secret(create=False)


def _mac(secret: bytes, data: bytes) -> bytes:
    """HMAC-SHA256 (RFC 2104). For the built-in pack's entry, a few hundred kilobytes, the interpreter's
    own SHA-256 (the ``hmac`` module would load OpenSSL, 3 to 5 ms of start-up, which the built-in one
    takes to hash about 750 KiB); OpenSSL for a larger entry. Checked against ``hmac`` in the tests."""
    block = secret.ljust(64, b"\0")
    inner = sha256(bytes(b ^ 0x36 for b in block) + data, builtin_below=_MAC_BUILTIN_BELOW)
    return bytes(sha256(bytes(b ^ 0x5C for b in block) + inner.digest()).digest())


# -- the key ---------------------------------------------------------------------------------------


def pack_key(dirs: list[str] | list[Path]) -> str | None:
    """A SHA-256 of everything a loaded pack depends on; None when a file cannot be read or a folder listed."""
    h = sha256()
    h.update(f"{FORMAT}\0{__version__}\0{sys.version_info[:3]}\0".encode())
    for code in _CODE:
        digest = file_sha256(code)
        if digest is None:
            return None
        h.update(f"code\0{os.path.relpath(code, _PACKAGE)}\0{digest}\0".encode("utf-8", "surrogateescape"))
    for d in dirs:
        root = os.fspath(d)
        files = file_digests(root)
        if files is None:
            return None
        h.update(f"dir\0{root}\0".encode("utf-8", "surrogateescape"))
        for name, digest in files:
            h.update(f"file\0{name}\0{digest or '-'}\0".encode("utf-8", "surrogateescape"))
    return str(h.hexdigest())


def _path(directory: str, key: str) -> str:
    return os.path.join(directory, f"rulepack-{__version__}-{key[:40]}{_SUFFIX}")


# -- reading -------------------------------------------------------------------------------------


_DECODERS: dict[Any, msgspec.msgpack.Decoder] = {}


def _decode(raw: bytes | memoryview, tp: Any) -> Any:
    decoder = _DECODERS.get(tp)
    if decoder is None:
        decoder = _DECODERS[tp] = msgspec.msgpack.Decoder(tp)
    return decoder.decode(raw)


def _read(path: str) -> bytes | None:
    """The bytes of the cache file at ``path`` if it is a regular file of sane size (never through a link)."""
    try:
        fd = os.open(path, _OPEN_ENTRY)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > _MAX_ENTRY:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(_MAX_ENTRY + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) <= _MAX_ENTRY else None


def _authentic(data: bytes, key: str) -> _Entry | None:
    """The entry in ``data`` if its MAC is ours and it is of this format, version and key; else None."""
    start = len(MAGIC) + _MAC_SIZE
    if not data.startswith(MAGIC) or len(data) < start:
        return None
    secret = _secret(create=False)
    if secret is None:
        return None
    from _operator import _compare_digest

    body = data[start:]  # bytes: msgspec before 0.20 mishandled some memoryviews
    if not _compare_digest(data[len(MAGIC) : start], _mac(secret, body)):
        return None
    try:
        entry = _decode(body, _Entry)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return entry if entry.version == __version__ and entry.key == key else None


def load_entry(
    dirs: list[str] | list[Path], rules_for: Callable[[RulePack], set[str]] | None = None
) -> tuple[RulePack | None, VendorIndex | None, str | None]:
    """The cached pack and its vendor index (or Nones), and the key to store a fresh pack under.

    The index was built by ``store`` right after the pack was validated (its match memos empty) and
    refers to this pack's own vendor and product records. It is None when it could not be stored.

    ``rules_for``, given the pack without its rules, names the jurisdictions whose rules the caller
    needs: only those are decoded, and the pack says which they are (``RulePack.loaded_jurisdictions``).
    A scan for one jurisdiction thus does not build the thousands of rules an organisation pack may
    hold for others. Without ``rules_for`` every rule is loaded.
    """
    directory = _cache_root()
    if directory is None or not _usable(directory):
        return None, None, None
    key = pack_key(dirs)
    if key is None:
        return None, None, None
    data = _read(_path(directory, key))
    entry = _authentic(data, key) if data is not None else None
    if entry is None:
        return None, None, key
    from compliance.readers.base import paused_gc

    try:
        with paused_gc():  # decoding creates every vendor record at once: the collector would only slow it
            pack = _decode(entry.pack, RulePack)
            pack.products = {p.id: p for v in pack.vendors.values() for p in v.products}
            index = _index_from(_decode(entry.index, _index_tables()[0] | None), pack)
    except Exception:  # noqa: BLE001 - authenticated but unusable (our own bug): ignored, never trusted
        return None, None, key
    wanted = rules_for(pack) if rules_for is not None else None  # may raise the caller's own error
    try:
        rules: list[Rule] = []
        with paused_gc():
            for code, raw in entry.groups:
                if wanted is None or code in wanted:
                    rules.extend(_decode(raw, list[Rule]))
    except Exception:  # noqa: BLE001 - as above
        return None, None, key
    pack.rules = rules
    pack.loaded_jurisdictions = None if wanted is None else frozenset(wanted)
    return pack, index, key


# -- the vendor index --------------------------------------------------------------------------------


_INDEX_TABLES: list[tuple[Any, tuple[str, ...]]] = []


def _index_tables() -> tuple[Any, tuple[str, ...]]:
    """A record type of the ``VendorIndex``'s tables, made from its class annotations, and their names.

    Every attribute of an index but ``vendors`` and ``products`` (the pack's own) is stored; an index
    with an attribute its class does not annotate is not stored (``store``), so a new table is never
    silently dropped: the scan builds the index instead.
    """
    if not _INDEX_TABLES:
        from typing import ClassVar, get_origin, get_type_hints

        from compliance.matching import VendorIndex

        hints = {
            name: tp for name, tp in get_type_hints(VendorIndex).items()
            if name not in ("vendors", "products") and get_origin(tp) is not ClassVar and tp is not ClassVar
        }
        record = msgspec.defstruct("VendorIndexTables", list(hints.items()), array_like=True, gc=False)
        _INDEX_TABLES.append((record, tuple(hints)))
    return _INDEX_TABLES[0]


def _index_from(tables: Any, pack: RulePack) -> VendorIndex | None:
    if tables is None:
        return None
    from compliance.matching import VendorIndex

    index = VendorIndex.__new__(VendorIndex)
    index.__dict__.update(zip(_index_tables()[1], msgspec.structs.astuple(tables), strict=True))
    index.vendors = pack.vendors
    index.products = pack.products
    return index


def _index_record(index: VendorIndex) -> Any:
    """The stored form of ``index``, or None when it holds anything its class does not annotate."""
    record, names = _index_tables()
    if set(vars(index)) != {*names, "vendors", "products"}:
        return None
    return record(*(getattr(index, name) for name in names))


# -- writing -------------------------------------------------------------------------------------


def store(key: str | None, pack: RulePack) -> VendorIndex | None:
    """Write the pack and its vendor index atomically, and return the index (None: caching is off).

    A cache that cannot be written is silently skipped (it is only a cache); the index is returned
    all the same, so the scan that validated the pack does not build it a second time.
    """
    directory = _cache_root()
    if directory is None or key is None or not _usable(directory):
        return None
    secret = _secret(create=True)
    if secret is None:
        return None
    from compliance.matching import VendorIndex

    try:
        index: VendorIndex | None = VendorIndex(pack)
    except Exception:  # noqa: BLE001 - the scan builds it again and reports the problem where it always did
        index = None
    encode = msgspec.msgpack.Encoder().encode
    try:
        tables = encode(_index_record(index) if index is not None else None)
    except Exception:  # noqa: BLE001 - a table msgspec cannot encode: the pack is stored without its index
        tables = encode(None)
    try:
        body = encode(
            _Entry(
                __version__, key, msgspec.Raw(encode(msgspec.structs.replace(pack, rules=[], products={}))), msgspec.Raw(tables),
                [(code, msgspec.Raw(encode(rules))) for code, rules in _rule_groups(pack)],
            )
        )
    except (msgspec.EncodeError, TypeError, ValueError, RecursionError):
        return index
    _write(directory, _path(directory, key), MAGIC + _mac(secret, body) + body)
    return index


def _rule_groups(pack: RulePack) -> list[tuple[str, list[Rule]]]:
    """The pack's rules in runs of one jurisdiction (the loader sorts rules by jurisdiction, so one run
    per jurisdiction), in pack order: the groups concatenated are the rules as they were."""
    groups: list[tuple[str, list[Rule]]] = []
    for rule in pack.rules:
        if not groups or groups[-1][0] != rule.jurisdiction:
            groups.append((rule.jurisdiction, []))
        groups[-1][1].append(rule)
    return groups


def _write(directory: str, path: str, data: bytes) -> None:
    """Write ``data`` to a new 0600 file in ``directory`` and rename it to ``path``: atomic, and a
    symbolic link at ``path`` is replaced, never followed. Then drop the files older versions wrote."""
    import tempfile  # only when writing: a warm scan never loads it

    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        if not _usable(directory):  # made by someone else meanwhile
            return
        fd, tmp = tempfile.mkstemp(prefix=".rulepack-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        for name in os.listdir(directory):
            if name.startswith("rulepack-") and (name.endswith(".pickle") or not name.startswith(f"rulepack-{__version__}-")):
                os.unlink(os.path.join(directory, name))  # another version's entry, or a pickle (format 1-4)
    except OSError:
        pass
