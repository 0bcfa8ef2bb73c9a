"""A cache of validated rule packs, so a scan does not re-read and re-validate YAML it has seen.

Loading and schema-validating the pack costs about a millisecond per rule; a small scan spends half
its time there, and a pack of thousands of rules costs seconds per run. The cache holds the pickled,
already validated ``RulePack`` and the ``VendorIndex`` built from it (a scan would otherwise build it
from the catalog on every run):

- keyed on the complycheck version, the Python version, the modules that build the index (path, size,
  modification time) and, for every pack file (``pack.yaml``, ``vendors/*.yaml``,
  ``jurisdictions/*.yaml``), its path, size and modification time; any change, a new or a deleted
  file, or another complycheck version misses and re-validates;
- stored in the user cache directory (``platformdirs.user_cache_dir("complycheck")``, else
  ``$XDG_CACHE_HOME/complycheck`` or ``~/.cache/complycheck``), or ``$COMPLYCHECK_CACHE_DIR``;
  ``COMPLYCHECK_NO_CACHE=1`` turns it off. On Linux the same XDG directory is worked out here, without
  importing platformdirs (which loads ``tempfile``, ``shutil`` and more: a tenth of a small scan);
- written atomically (a temporary file renamed into place), readable only by the user, and safe to
  delete at any time; a file that cannot be read or unpickled, or whose header does not match, is
  ignored and the pack is loaded from YAML. Packs with problems are never cached.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, BinaryIO

from compliance import __version__
from compliance.errors import RulePackError
from compliance.rulepack.model import RulePack

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable
    from pathlib import Path

    from compliance.matching import VendorIndex
    from compliance.rulepack.model import Rule

MAGIC = "complycheck-rulepack-cache/4"  # /2: records as constructor calls; /3: with the vendor index; /4: rules per jurisdiction
_PACK_DIRS = ("vendors", "jurisdictions")
# The modules that build the stored vendor index from a pack: a changed one (a development checkout
# whose version number did not move) misses, like a changed pack file.
_INDEX_CODE = tuple(
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), name)
    for name in ("matching.py", "normalize.py", "identifiers.py")
)


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


def cache_dir() -> Path | None:
    """Where cached packs live, or None when caching is turned off."""
    from pathlib import Path

    directory = _cache_root()
    return None if directory is None else Path(directory)


def _cache_root() -> str | None:
    """``cache_dir()`` as a string, worked out without ``pathlib`` (~5 ms a warm scan does not need)."""
    if os.environ.get("COMPLYCHECK_NO_CACHE", "").strip() not in ("", "0"):
        return None
    override = os.environ.get("COMPLYCHECK_CACHE_DIR")
    if override:
        return override
    xdg = _linux_cache_root()
    if xdg is not None:
        return os.path.join(xdg, "complycheck")
    try:
        from platformdirs import user_cache_dir
    except ImportError:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return os.path.join(base, "complycheck")
    return user_cache_dir("complycheck", appauthor=False)


def _linux_cache_root() -> str | None:
    """``platformdirs``' user cache root on Linux, or None where only platformdirs knows it.

    Its rule there is the XDG one: ``$XDG_CACHE_HOME`` when that is an absolute path, else
    ``~/.cache``. Android, a relative ``$XDG_CACHE_HOME`` (platformdirs versions differ on it) and a
    relative ``$HOME`` (platformdirs then asks the password database) are left to platformdirs itself.
    """
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel") or os.environ.get("ANDROID_ROOT"):
        return None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return xdg
    if xdg.strip():
        return None
    home = os.environ.get("HOME")
    if home is not None and not os.path.isabs(home):
        return None
    root = os.path.expanduser("~/.cache")
    return root if os.path.isabs(root) else None


def pack_key(dirs: list[str] | list[Path]) -> str | None:
    """A digest of everything a loaded pack depends on; None when a directory cannot be listed.

    Listed with ``os`` rather than ``Path.glob``: the same files (``_pack_files``), a millisecond
    less on every warm scan.
    """
    from compliance.readers.base import sha256

    h = sha256()
    h.update(f"{MAGIC}\0{__version__}\0{sys.version_info[:3]}\0".encode())
    for code in _INDEX_CODE:
        try:
            st = os.stat(code)
        except OSError:
            return None
        h.update(f"code\0{code}\0{st.st_size}\0{st.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
    for d in dirs:
        root = os.fspath(d)
        h.update(f"dir\0{root}\0".encode("utf-8", "surrogateescape"))
        files = [os.path.join(root, "pack.yaml")]
        for sub in _PACK_DIRS:
            listed = _pack_files(os.path.join(root, sub))
            if listed is None:
                return None
            files.extend(listed)
        for f in files:
            try:
                st = os.stat(f)
            except FileNotFoundError:
                h.update(f"missing\0{f}\0".encode("utf-8", "surrogateescape"))
                continue
            except OSError:
                return None
            h.update(f"file\0{f}\0{st.st_size}\0{st.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def _pack_files(folder: str) -> list[str] | None:
    """The files the loader reads from ``folder`` (``Path(folder).glob("*.y*ml")``), sorted; None if unlistable.

    ``*.y*ml`` means: ends with ``ml`` and has ``.y`` before that. Names are compared as the
    platform compares them (``normcase``: case-insensitive on Windows, as ``glob`` there).
    """
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []  # glob finds nothing there either
    except OSError:
        return None
    out = []
    for name in names:
        folded = os.path.normcase(name)
        if folded.endswith("ml") and ".y" in folded[:-2]:
            out.append(os.path.join(folder, name))
    return sorted(out)


def _path(directory: str | Path, key: str) -> str:
    return os.path.join(directory, f"rulepack-{__version__}-{key[:40]}.pickle")


def load_entry(
    dirs: list[str] | list[Path], rules_for: Callable[[RulePack], set[str]] | None = None
) -> tuple[RulePack | None, VendorIndex | None, str | None]:
    """The cached pack and its vendor index (or Nones), and the key to store a fresh pack under.

    The index comes from the same file as the pack (one pickle: it refers to the pack's own vendor
    and product records) and was built by ``store`` right after the pack was validated, so its match
    memos are empty. It is None when the pack's index could not be built then.

    Rules are stored per jurisdiction, each group pickled on its own. ``rules_for``, given the pack
    without its rules, names the jurisdictions whose rules the caller needs: only those are
    unpickled, and the pack says which they are (``RulePack.loaded_jurisdictions``). A scan for one
    jurisdiction thus does not build the thousands of rules an organisation pack may hold for others.
    Without ``rules_for`` every rule is loaded.
    """
    directory = _cache_root()
    key = pack_key(dirs) if directory is not None else None
    if directory is None or key is None:
        return None, None, key
    from compliance.readers.base import paused_gc

    try:
        # The C unpickler itself: ``pickle`` adds ~2 ms of module set-up (the pure-Python pickler) a
        # warm scan never uses; it is imported where the cache is written.
        from _pickle import load as unpickle
        from _pickle import loads as unpickle_bytes
    except ImportError:
        from pickle import load as unpickle
        from pickle import loads as unpickle_bytes
    try:
        # Unpickling creates every rule and vendor record at once: with the collector on it takes 2.5x longer.
        with open(_path(directory, key), "rb") as fh, paused_gc():
            magic, version, stored_key, pack, index, groups = unpickle(fh)  # noqa: S301 - our own file in the user's cache
    except FileNotFoundError:
        return None, None, key
    except Exception:  # noqa: BLE001 - a corrupt or foreign cache file is ignored, never trusted
        return None, None, key
    if magic != MAGIC or version != __version__ or stored_key != key or not isinstance(pack, RulePack):
        return None, None, key
    if index is not None:
        from compliance.matching import VendorIndex  # loaded by the unpickling already

        if not isinstance(index, VendorIndex) or index.vendors is not pack.vendors or index.products is not pack.products:
            return None, None, key
    wanted = rules_for(pack) if rules_for is not None else None  # may raise the caller's own error
    try:
        rules = []
        with paused_gc():
            for code, blob in groups:
                if wanted is None or code in wanted:
                    rules.extend(unpickle_bytes(blob))  # noqa: S301 - our own file in the user's cache
    except Exception:  # noqa: BLE001 - as above: a corrupt cache is ignored
        return None, None, key
    pack.rules = rules
    pack.loaded_jurisdictions = None if wanted is None else frozenset(wanted)
    return pack, index, key


def store(key: str | None, pack: RulePack) -> VendorIndex | None:
    """Write the pack and its vendor index atomically, and return the index (None: caching is off).

    A cache that cannot be written is silently skipped (it is only a cache); the index is returned
    all the same, so the scan that validated the pack does not build it a second time.
    """
    directory = cache_dir()
    if directory is None or key is None:
        return None
    from dataclasses import replace

    from compliance.matching import VendorIndex

    try:
        index: VendorIndex | None = VendorIndex(pack)
    except Exception:  # noqa: BLE001 - the scan builds it again and reports the problem where it always did
        index = None
    import pickle
    import tempfile  # only when writing: a warm scan never loads it
    from pathlib import Path

    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".rulepack-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                _pickler(fh).dump((MAGIC, __version__, key, replace(pack, rules=[]), index, _rule_groups(pack)))
            os.replace(tmp, _path(directory, key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(directory, keep=Path(_path(directory, key)))
    except (OSError, pickle.PicklingError, RecursionError):
        pass
    return index


def _rule_groups(pack: RulePack) -> list[tuple[str, bytes]]:
    """The pack's rules as ``(jurisdiction, pickled rules)``: one group per run of rules of one
    jurisdiction (the loader sorts rules by jurisdiction, so one per jurisdiction), in pack order, so
    the groups concatenated are the rules as they were."""
    import io

    groups: list[tuple[str, list[Rule]]] = []
    for rule in pack.rules:
        if not groups or groups[-1][0] != rule.jurisdiction:
            groups.append((rule.jurisdiction, []))
        groups[-1][1].append(rule)
    out = []
    for code, rules in groups:
        buf = io.BytesIO()
        _pickler(buf).dump(rules)
        out.append((code, buf.getvalue()))
    return out


def _pickler(fh: BinaryIO) -> Any:
    """A pickler that stores each rule-pack record as a call of its constructor with its field values.

    By default a ``slots=True`` dataclass is restored through the generic ``__setstate__`` of
    ``dataclasses``, which looks the fields up again for every object: that doubled the time a warm
    scan spends unpickling the pack. Only records whose ``__init__`` takes every field (no
    ``__post_init__``) are stored this way; anything else pickles as usual.
    """
    import dataclasses
    import pickle

    class _RecordPickler(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            cls = type(obj)
            if cls.__module__ != RulePack.__module__ or not dataclasses.is_dataclass(cls):
                return NotImplemented
            fields = dataclasses.fields(cls)
            if hasattr(cls, "__post_init__") or not all(f.init for f in fields):
                return NotImplemented
            return cls, tuple(getattr(obj, f.name) for f in fields)

    return _RecordPickler(fh, protocol=pickle.HIGHEST_PROTOCOL)


def _prune(directory: Path, keep: Path) -> None:
    """Drop packs cached by other complycheck versions: they are never read again."""
    for old in directory.glob("rulepack-*.pickle"):
        if old != keep and not old.name.startswith(f"rulepack-{__version__}-"):
            old.unlink(missing_ok=True)
