"""The validated rule-pack cache: used when nothing changed, never when anything did, never trusted blindly."""

from __future__ import annotations

import os
import pickle
import shutil
import sys
from pathlib import Path

import msgspec
import pytest
from conftest import REPO, run_cli

from compliance.rulepack import cache, loader
from compliance.rulepack.loader import load_rule_pack

ORG = REPO / "examples" / "org-policy"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("COMPLYCHECK_CACHE_DIR", str(d))
    monkeypatch.setenv("COMPLYCHECK_CACHE_KEY_FILE", str(tmp_path / "key" / "cache-key"))  # the test's own
    monkeypatch.delenv("COMPLYCHECK_NO_CACHE", raising=False)
    return d


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts full read-and-validate passes of the YAML."""
    calls: list[int] = []
    real = loader.collect_problems

    def counting(dirs):
        calls.append(1)
        return real(dirs)

    monkeypatch.setattr(loader, "collect_problems", counting)
    return calls


def _entries(cache_dir: Path) -> list[Path]:
    """The cache's entries, whatever the format that wrote them."""
    return sorted(p for p in cache_dir.glob("rulepack-*") if p.is_file()) if cache_dir.is_dir() else []


def _org_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "org"
    shutil.copytree(ORG, dest)
    return dest


def test_second_load_comes_from_the_cache(cache_dir, validations, tmp_path):
    org = _org_copy(tmp_path)
    first = load_rule_pack([str(org)])
    second = load_rule_pack([str(org)])
    assert len(validations) == 1
    assert [r.id for r in second.rules] == [r.id for r in first.rules] and second.version == first.version
    (entry,) = _entries(cache_dir)
    assert entry.stat().st_mode & 0o077 == 0  # the user's own file


def test_a_changed_added_or_removed_pack_file_is_revalidated(cache_dir, validations, tmp_path):
    org = _org_copy(tmp_path)
    load_rule_pack([str(org)])
    rule_file = next((org / "jurisdictions").glob("*.yaml"))
    rule_file.write_text(rule_file.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    load_rule_pack([str(org)])
    assert len(validations) == 2  # size changed
    st = rule_file.stat()
    os.utime(rule_file, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    load_rule_pack([str(org)])
    assert len(validations) == 2  # same bytes, new mtime: the same pack
    extra = org / "jurisdictions" / "zz-extra.yaml"
    shutil.copy(rule_file, extra)
    with pytest.raises(Exception):  # noqa: B017 - duplicate rule ids: the new file is validated, not skipped
        load_rule_pack([str(org)])
    assert len(validations) == 3
    extra.unlink()
    load_rule_pack([str(org)])
    assert len(validations) == 3  # back to the files validated on the second load: that entry is used


def test_an_invalid_pack_is_never_cached(cache_dir, tmp_path):
    org = _org_copy(tmp_path)
    (org / "pack.yaml").write_text("name: broken\n", encoding="utf-8")
    proc = run_cli("scan", str(REPO / "examples" / "sboms"), "-j", "US", "--rules", str(org))
    assert proc.returncode == 2
    assert not _entries(cache_dir)


def test_another_version_never_trusts_the_cache(cache_dir, validations, monkeypatch, tmp_path):
    load_rule_pack([])
    monkeypatch.setattr(cache, "__version__", "99.0.0")
    load_rule_pack([])
    assert len(validations) == 2
    names = sorted(p.name for p in _entries(cache_dir))
    assert names and all(n.startswith("rulepack-99.0.0-") for n in names)  # the old version's file is pruned


@pytest.mark.parametrize("content", ["empty", "garbage", "foreign", "forged"])
def test_corrupt_or_foreign_cache_files_are_ignored(cache_dir, validations, content):
    load_rule_pack([])
    (entry,) = _entries(cache_dir)
    genuine = entry.read_bytes()
    entry.write_bytes({
        "empty": b"",
        "garbage": b"\x80\x05garbage",
        "foreign": msgspec.msgpack.encode(["someone-else", "0", "key", {"rules": []}]),  # well-formed, wrong content
        "forged": cache.MAGIC + bytes(32) + msgspec.msgpack.encode(["0", "key", None, None, []]),  # our magic, no MAC
    }[content])
    assert load_rule_pack([]).rules
    assert len(validations) == 2
    assert load_rule_pack([]).rules and len(validations) == 2  # rewritten, then used
    entry.write_bytes(genuine[: len(genuine) // 2])  # truncated
    assert load_rule_pack([]).rules and len(validations) == 3


def test_cache_can_be_disabled(cache_dir, validations, monkeypatch):
    monkeypatch.setenv("COMPLYCHECK_NO_CACHE", "1")
    load_rule_pack([])
    load_rule_pack([])
    assert len(validations) == 2 and not cache_dir.exists()


def test_unwritable_cache_dir_still_scans(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("COMPLYCHECK_CACHE_DIR", str(blocker / "cache"))
    proc = run_cli("scan", str(REPO / "examples" / "sboms" / "clean-web-app.cdx.json"), "-j", "US", "--as-of", "2025-01-01")
    assert proc.returncode == 0 and proc.stderr == ""


def test_cached_and_fresh_scans_give_the_same_report(cache_dir):
    args = ("scan", str(REPO / "examples" / "sboms"), "-j", "US", "-j", "CA", "--as-of", "2025-01-01", "-f", "json")
    cold = run_cli(*args)
    assert _entries(cache_dir)
    warm = run_cli(*args)
    assert cold.returncode == warm.returncode == 1 and warm.stdout == cold.stdout


def test_default_location_is_the_user_cache_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("COMPLYCHECK_CACHE_DIR", raising=False)
    monkeypatch.delenv("COMPLYCHECK_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    where = cache.cache_dir()
    assert where is not None and where.name == "complycheck"
    assert str(where).startswith(str(tmp_path))  # the user's cache root, never a shared location


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule is worked out without platformdirs on Linux only")
@pytest.mark.parametrize(
    ("xdg", "home"),
    [("/abs/xdg", "/home/u"), (None, "/home/u"), ("", "/home/u"), ("   ", "/home/u"), ("rel/xdg", "/home/u"), (None, "rel")],
)
def test_the_linux_cache_dir_and_key_are_where_platformdirs_says(monkeypatch, xdg, home):
    """The cache and its key are found without importing platformdirs, in the very directories
    platformdirs names (the user cache directory, and the user state directory for the key)."""
    platformdirs = pytest.importorskip("platformdirs")
    for variable in ("COMPLYCHECK_CACHE_DIR", "COMPLYCHECK_NO_CACHE", "COMPLYCHECK_CACHE_KEY_FILE"):
        monkeypatch.delenv(variable, raising=False)
    for variable in ("XDG_CACHE_HOME", "XDG_STATE_HOME"):
        if xdg is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, xdg)
    monkeypatch.setenv("HOME", home)
    assert cache.cache_dir() == Path(platformdirs.user_cache_dir("complycheck", appauthor=False))
    assert cache.cache_key_path() == os.path.join(platformdirs.user_state_dir("complycheck", appauthor=False), "cache-key")


def test_a_cached_pack_equals_the_fresh_one_and_keeps_its_shared_records(cache_dir):
    """Records come back as constructor calls: equal field by field, and a product that the catalog
    and its vendor share is still one object (so matching sees the same product either way)."""
    fresh = load_rule_pack([])
    cached, _index, _key = cache.load_entry([loader.builtin_pack_dir()])
    assert cached is not None and cached is not fresh
    assert cached == fresh
    for product in cached.products.values():
        assert any(p is product for p in cached.vendors[product.vendor].products)


def test_the_cache_key_covers_exactly_the_files_the_loader_reads(tmp_path):
    """The key lists pack files with ``os`` (``digest.pack_files``): the regular files the loader's
    ``glob("*.y*ml")`` finds (a directory or FIFO of that name is the loader's error, never cached)."""
    from compliance.rulepack.digest import pack_files

    (tmp_path / "pack.yaml").write_text("", encoding="utf-8")
    for sub in ("vendors", "jurisdictions"):
        folder = tmp_path / sub
        folder.mkdir()
        for name in ("a.yaml", ".b.yml", "c.yml.bak", "d.yaml.ml", "e.y.ml", "f.yml", "gyaml", "h.txt", "i.ym"):
            (folder / name).write_text("", encoding="utf-8")
        (folder / "j.yaml").mkdir()
    globbed = [p for sub in ("vendors", "jurisdictions") for p in (tmp_path / sub).glob("*.y*ml") if p.is_file()]
    assert pack_files(tmp_path) == sorted(["pack.yaml", *(p.relative_to(tmp_path).as_posix() for p in globbed)])
    assert pack_files(tmp_path / "missing") == []  # glob finds nothing there either


def _tables(index) -> dict:
    return {k: v for k, v in vars(index).items() if k not in ("vendors", "products")}


def test_the_stored_vendor_index_is_the_one_the_pack_builds(cache_dir):
    """The index comes back with the pack it was built from (its own records), equal to a fresh one."""
    from compliance.matching import VendorIndex

    load_rule_pack([])
    pack, index, _key = cache.load_entry([loader.builtin_pack_dir()])
    assert pack is not None and index is not None
    assert index.vendors is pack.vendors and index.products is pack.products
    assert _tables(index) == _tables(VendorIndex(pack))


def test_a_scan_builds_the_vendor_index_only_when_the_cache_has_none(cache_dir, monkeypatch):
    from datetime import date

    from compliance import matching
    from compliance.scan import ScanOptions, scan

    built: list[int] = []
    real = matching.VendorIndex.__init__

    def counting(self, pack):
        built.append(1)
        real(self, pack)

    monkeypatch.setattr(matching.VendorIndex, "__init__", counting)
    paths = [str(REPO / "examples" / "sboms")]
    options = {"jurisdictions": ["US"], "as_of": date(2026, 1, 1)}
    cold = scan(paths, ScanOptions(**options))
    assert len(built) == 1  # built to be stored, and used by this scan too
    warm = scan(paths, ScanOptions(**options))
    assert len(built) == 1 and warm.to_dict() == cold.to_dict()
    given = scan(paths, ScanOptions(**options), pack=load_rule_pack([]))  # the caller's pack: built afresh
    assert len(built) == 2 and given.to_dict() == cold.to_dict()


def test_changed_index_code_never_reuses_a_stored_index(cache_dir, validations, monkeypatch, tmp_path):
    """A development checkout keeps its version number: a changed matching module misses the cache."""
    module = tmp_path / "matching.py"
    module.write_text("v1", encoding="utf-8")
    monkeypatch.setattr(cache, "_CODE", (*cache._CODE, str(module)))
    load_rule_pack([])
    load_rule_pack([])
    assert len(validations) == 1
    module.write_text("v2!", encoding="utf-8")
    load_rule_pack([])
    assert len(validations) == 2


def test_a_cache_file_of_the_pickle_format_is_never_read_and_is_removed(cache_dir, validations):
    """complycheck 0.2 wrote pickles here: none is ever opened, and the next write deletes them."""
    old = cache_dir / f"rulepack-{cache.__version__}-{'0' * 40}.pickle"
    cache_dir.mkdir(mode=0o700)
    old.write_bytes(pickle.dumps(("complycheck-rulepack-cache/4", cache.__version__, "key", None, None, [])))
    load_rule_pack([])
    assert len(validations) == 1 and not old.exists() and len(_entries(cache_dir)) == 1


def test_a_scan_loads_only_the_rules_of_its_jurisdictions_from_the_cache(cache_dir, validations, tmp_path):
    """An organisation pack's rules for another jurisdiction are not even decoded by a US scan, and
    the report is the one the whole pack gives; a scan that names the organisation's code gets them."""
    from datetime import date

    from compliance.scan import ScanOptions, scan

    org = _org_copy(tmp_path)
    full = load_rule_pack([str(org)])  # validated and stored
    org_codes = {r.jurisdiction for r in full.rules} - {r.jurisdiction for r in load_rule_pack([]).rules}
    assert org_codes  # the example pack has rules of its own jurisdiction
    pack, _index, _key = cache.load_entry([loader.builtin_pack_dir(), str(org)], lambda p: {"US"})
    assert pack is not None and pack.loaded_jurisdictions == frozenset({"US"})
    assert [r.id for r in pack.rules] == [r.id for r in full.rules if r.jurisdiction == "US"]
    assert pack.vendors.keys() == full.vendors.keys() and pack.jurisdictions.keys() == full.jurisdictions.keys()

    paths = [str(REPO / "examples" / "sboms")]
    for codes in (["US"], ["us", "CA"], ["US-TX"], sorted(org_codes), ["ALL"]):  # US-TX includes US
        opts = {"jurisdictions": codes, "as_of": date(2026, 1, 1), "rule_dirs": [str(org)]}
        warm = scan(paths, ScanOptions(**opts))
        whole = scan(paths, ScanOptions(**opts), pack=full)
        assert warm.to_dict() == whole.to_dict(), codes
    assert len(validations) == 2  # the two packs loaded first; every scan came from the cache


def test_every_rule_comes_back_in_order_without_a_selection(cache_dir):
    fresh = load_rule_pack([])
    pack, _index, _key = cache.load_entry([loader.builtin_pack_dir()])
    assert pack is not None and pack.loaded_jurisdictions is None
    assert [r.id for r in pack.rules] == [r.id for r in fresh.rules] and pack == fresh


def test_an_unknown_jurisdiction_is_the_same_usage_error_with_a_warm_cache(cache_dir):
    args = ("scan", str(REPO / "examples" / "sboms" / "clean-web-app.cdx.json"), "-j", "XX", "--as-of", "2025-01-01")
    cold, warm = run_cli(*args), run_cli(*args)
    assert cold.returncode == warm.returncode == 2 and "unknown jurisdiction XX" in warm.stderr
    assert warm.stderr == cold.stderr


def test_an_evaluator_refuses_a_pack_without_the_rules_it_needs(cache_dir):
    from datetime import date

    from compliance.engine import Evaluator

    load_rule_pack([])
    pack, _index, _key = cache.load_entry([loader.builtin_pack_dir()], lambda p: {"CA"})
    assert pack is not None
    Evaluator(pack, jurisdictions=["CA"], contexts=[], as_of=date(2026, 1, 1))  # what it was loaded for
    with pytest.raises(ValueError, match="without the rules of US"):
        Evaluator(pack, jurisdictions=["US"], contexts=[], as_of=date(2026, 1, 1))


# -- issue 17: nothing read from the cache directory may run code or change a verdict ----------------

ENDPOINT = REPO / "examples" / "sboms" / "endpoint-security-suite.cdx.json"


class _RunsCode:
    """Unpickling this creates ``path``: the proof that a cache file ran code."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def _fail_scan() -> None:
    """The endpoint-security SBOM under US rules: barred components, so FAIL and exit 1."""
    proc = run_cli("scan", str(ENDPOINT), "-j", "US", "--as-of", "2026-12-01")
    assert proc.returncode == 1 and "VERDICT: FAIL" in proc.stdout, proc.stdout + proc.stderr


def test_a_cache_file_that_would_run_code_never_runs_it(cache_dir, tmp_path):
    _fail_scan()  # fills the cache
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_RunsCode(marker))
    entries = _entries(cache_dir)
    assert entries
    for entry in entries:
        entry.write_bytes(payload)
    _fail_scan()
    assert not marker.exists()


def _empty_rule_groups(entry: Path) -> None:
    """Rewrite an entry with no rules, keeping the rest byte for byte: the magic, the MAC and the header."""
    data = entry.read_bytes()
    if entry.suffix == ".pickle":  # what complycheck 0.2 wrote: this test showed its hole on that code
        magic, version, key, pack, index, _groups = pickle.loads(data)  # noqa: S301 - the test's own file
        entry.write_bytes(pickle.dumps((magic, version, key, pack, index, [])))
        return
    start = len(cache.MAGIC) + 32
    body = msgspec.msgpack.decode(data[start:], type=cache._Entry)
    entry.write_bytes(data[:start] + msgspec.msgpack.encode(msgspec.structs.replace(body, groups=[])))


def test_an_entry_with_its_rules_emptied_never_passes(cache_dir):
    _fail_scan()
    entries = _entries(cache_dir)
    assert entries
    for entry in entries:
        _empty_rule_groups(entry)
    _fail_scan()


def test_a_same_size_edit_with_the_modification_time_kept_is_seen(cache_dir, tmp_path):
    """``cp -p``, ``rsync -t``, ``tar x`` keep modification times: an edit of the same size must count."""
    org = _org_copy(tmp_path)
    rules = org / "jurisdictions" / "ORG.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace('"2026-01-01"', '"2099-07-01"').replace('"2026-07-01"', '"2099-07-01"'), encoding="utf-8")
    args = ("scan", str(REPO / "examples" / "sboms" / "lookalikes.cdx.json"), "--rules", str(org), "-j", "ORG",
            "-c", "product-release", "--as-of", "2026-12-01")
    assert run_cli(*args).returncode == 0  # the rule is not in force before 2099
    st = rules.stat()
    text = rules.read_text(encoding="utf-8")
    edited = text.replace('"2099-07-01"', '"2026-07-01"', 1)
    assert len(edited) == len(text) and edited != text
    rules.write_text(edited, encoding="utf-8")
    os.utime(rules, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert rules.stat().st_size == st.st_size and rules.stat().st_mtime_ns == st.st_mtime_ns
    proc = run_cli(*args)
    assert proc.returncode == 1 and "ORG-NO-TENCENT-SDKS" in proc.stdout


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file modes and owners are POSIX")
@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777])
def test_a_cache_dir_others_may_write_is_not_used(cache_dir, mode):
    cache_dir.mkdir(mode=0o700)
    cache_dir.chmod(mode)
    proc = run_cli("scan", str(ENDPOINT), "-j", "US", "--as-of", "2026-12-01")
    assert proc.returncode == 1 and "VERDICT: FAIL" in proc.stdout
    (warning,) = proc.stderr.splitlines()
    assert "warning" in warning and str(cache_dir) in warning and "writable by group or others" in warning
    assert not _entries(cache_dir)  # nothing written there either


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file modes and owners are POSIX")
def test_a_cache_dir_of_another_user_is_not_used_and_the_warning_comes_once(cache_dir, validations, monkeypatch, capsys):
    fresh = load_rule_pack([])  # stored while the directory is ours
    assert _entries(cache_dir) and len(validations) == 1
    monkeypatch.setattr(cache, "_warned", False)
    monkeypatch.setattr(cache, "_uid", lambda: os.getuid() + 4242)  # now someone else owns it
    first, second = load_rule_pack([]), load_rule_pack([])
    assert first == second == fresh and len(validations) == 3  # read from YAML each time, never from there
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 1 and "owned by another user" in warnings[0] and str(cache_dir) in warnings[0]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file modes and owners are POSIX")
def test_a_parent_everyone_may_write_is_refused_unless_sticky(tmp_path, monkeypatch, capsys, validations):
    shared = tmp_path / "shared"
    shared.mkdir()
    monkeypatch.setenv("COMPLYCHECK_CACHE_DIR", str(shared / "cache"))
    monkeypatch.setenv("COMPLYCHECK_CACHE_KEY_FILE", str(tmp_path / "key" / "cache-key"))
    monkeypatch.setattr(cache, "_warned", False)
    shared.chmod(0o1777)  # as /tmp: accepted
    load_rule_pack([])
    load_rule_pack([])
    assert len(validations) == 1 and capsys.readouterr().err == ""
    shared.chmod(0o777)
    load_rule_pack([])
    assert len(validations) == 2 and "writable by everyone" in capsys.readouterr().err


def test_a_symlinked_cache_dir_or_entry_is_never_followed(cache_dir, tmp_path, validations, monkeypatch, capsys):
    load_rule_pack([])
    (entry,) = _entries(cache_dir)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    entry.unlink()
    entry.symlink_to(victim)
    load_rule_pack([])  # not read through the link; the link is replaced by a new entry
    assert len(validations) == 2 and victim.read_text(encoding="utf-8") == "precious"
    assert not entry.is_symlink() and entry.is_file()
    linked = tmp_path / "linked-cache"
    linked.symlink_to(cache_dir)
    monkeypatch.setenv("COMPLYCHECK_CACHE_DIR", str(linked))
    monkeypatch.setattr(cache, "_warned", False)
    load_rule_pack([])
    assert len(validations) == 3 and "symbolic link" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_place_of_an_entry_does_not_hang(cache_dir, validations):
    load_rule_pack([])
    (entry,) = _entries(cache_dir)
    entry.unlink()
    os.mkfifo(entry)
    assert load_rule_pack([]).rules and len(validations) == 2


def test_the_key_lives_outside_the_cache_and_another_key_trusts_nothing(cache_dir, validations, monkeypatch, tmp_path):
    load_rule_pack([])
    key_file = Path(cache.cache_key_path())
    assert key_file.stat().st_mode & 0o077 == 0 and len(key_file.read_bytes()) == 32
    assert cache_dir not in key_file.parents
    load_rule_pack([])
    assert len(validations) == 1
    monkeypatch.setenv("COMPLYCHECK_CACHE_KEY_FILE", str(tmp_path / "another-machine" / "cache-key"))
    load_rule_pack([])  # the same entry under another key: not trusted
    assert len(validations) == 2


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file modes and owners are POSIX")
def test_a_key_file_others_may_read_is_not_used(cache_dir, validations, monkeypatch, capsys):
    load_rule_pack([])
    key_file = Path(cache.cache_key_path())
    key_file.chmod(0o644)
    monkeypatch.setattr(cache, "_warned", False)
    load_rule_pack([])
    assert len(validations) == 2 and "group or others may read or write it" in capsys.readouterr().err


def test_the_mac_is_hmac_sha256():
    import hashlib
    import hmac

    for secret, data in ((b"k" * 32, b""), (os.urandom(32), os.urandom(300_000))):
        assert cache._mac(secret, data) == hmac.new(secret, data, hashlib.sha256).digest()


def test_every_vendor_index_attribute_is_annotated_so_the_cache_stores_it():
    """The cache stores an index by its class annotations; an unannotated table is never stored."""
    from typing import get_type_hints

    from compliance.matching import VendorIndex

    index = VendorIndex(load_rule_pack([]))
    assert set(vars(index)) == set(get_type_hints(VendorIndex))
    assert cache._index_record(index) is not None


def test_the_pack_digest_names_the_content_of_every_pack_file(tmp_path):
    import hashlib

    from compliance.rulepack import digest

    org = _org_copy(tmp_path)
    files = digest.file_digests(org)
    assert files == [(name, hashlib.sha256((org / name).read_bytes()).hexdigest()) for name in digest.pack_files(org)]
    assert [name for name, _ in files] == ["jurisdictions/ORG.yaml", "pack.yaml"]
    moved = tmp_path / "elsewhere"
    shutil.copytree(org, moved)  # another place, other modification times: the same pack
    assert digest.pack_digest(moved) == digest.pack_digest(org) is not None
    rules = moved / "jurisdictions" / "ORG.yaml"
    rules.write_bytes(rules.read_bytes().replace(b"2026-07-01", b"2026-07-02"))
    assert digest.pack_digest(moved) != digest.pack_digest(org)
