"""The validated rule-pack cache: used when nothing changed, never when anything did, never trusted blindly."""

from __future__ import annotations

import os
import pickle
import shutil
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from compliance.rulepack import cache, loader
from compliance.rulepack.loader import load_rule_pack

ORG = REPO / "examples" / "org-policy"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("COMPLYCHECK_CACHE_DIR", str(d))
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
    (entry,) = cache_dir.glob("rulepack-*.pickle")
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
    assert len(validations) == 3  # same size, new mtime
    extra = org / "jurisdictions" / "zz-extra.yaml"
    shutil.copy(rule_file, extra)
    with pytest.raises(Exception):  # noqa: B017 - duplicate rule ids: the new file is validated, not skipped
        load_rule_pack([str(org)])
    assert len(validations) == 4
    extra.unlink()
    load_rule_pack([str(org)])
    assert len(validations) == 4  # back to the files validated on the third load: that entry is used


def test_an_invalid_pack_is_never_cached(cache_dir, tmp_path):
    org = _org_copy(tmp_path)
    (org / "pack.yaml").write_text("name: broken\n", encoding="utf-8")
    proc = run_cli("scan", str(REPO / "examples" / "sboms"), "-j", "US", "--rules", str(org))
    assert proc.returncode == 2
    assert not any(cache_dir.glob("rulepack-*.pickle")) if cache_dir.exists() else True


def test_another_version_never_trusts_the_cache(cache_dir, validations, monkeypatch, tmp_path):
    load_rule_pack([])
    monkeypatch.setattr(cache, "__version__", "99.0.0")
    load_rule_pack([])
    assert len(validations) == 2
    names = sorted(p.name for p in cache_dir.glob("rulepack-*.pickle"))
    assert names and all(n.startswith("rulepack-99.0.0-") for n in names)  # the old version's file is pruned


def test_corrupt_or_foreign_cache_files_are_ignored(cache_dir, validations):
    load_rule_pack([])
    (entry,) = cache_dir.glob("rulepack-*.pickle")
    entry.write_bytes(b"\x80\x05garbage")
    assert load_rule_pack([]).rules
    assert len(validations) == 2
    with open(entry, "wb") as fh:  # well-formed pickle, wrong content
        pickle.dump(("someone-else", "0", "key", {"rules": []}), fh)
    assert load_rule_pack([]).rules
    assert len(validations) == 3
    assert load_rule_pack([]).rules and len(validations) == 3  # rewritten, then used


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
    assert any(cache_dir.glob("rulepack-*.pickle"))
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
def test_the_linux_cache_dir_is_the_one_platformdirs_gives(monkeypatch, xdg, home):
    """The cache is found without importing platformdirs, in the very directory platformdirs names."""
    platformdirs = pytest.importorskip("platformdirs")
    monkeypatch.delenv("COMPLYCHECK_CACHE_DIR", raising=False)
    monkeypatch.delenv("COMPLYCHECK_NO_CACHE", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    monkeypatch.setenv("HOME", home)
    assert cache.cache_dir() == Path(platformdirs.user_cache_dir("complycheck", appauthor=False))


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
    """The key lists pack files with ``os``; it must find what the loader's ``glob("*.y*ml")`` finds."""
    folder = tmp_path / "vendors"
    folder.mkdir()
    for name in ("a.yaml", ".b.yml", "c.yml.bak", "d.yaml.ml", "e.y.ml", "f.yml", "gyaml", "h.txt", "i.ym"):
        (folder / name).write_text("", encoding="utf-8")
    (folder / "j.yaml").mkdir()
    assert cache._pack_files(str(folder)) == [str(p) for p in sorted(folder.glob("*.y*ml"))]
    assert cache._pack_files(str(tmp_path / "missing")) == [] == list((tmp_path / "missing").glob("*.y*ml"))


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
    monkeypatch.setattr(cache, "_INDEX_CODE", (*cache._INDEX_CODE, str(module)))
    load_rule_pack([])
    load_rule_pack([])
    assert len(validations) == 1
    module.write_text("v2!", encoding="utf-8")
    load_rule_pack([])
    assert len(validations) == 2


def test_a_cache_file_of_the_previous_format_is_not_used(cache_dir, validations):
    load_rule_pack([])
    (entry,) = cache_dir.glob("rulepack-*.pickle")
    magic, version, key, pack, index, groups = pickle.loads(entry.read_bytes())
    entry.write_bytes(pickle.dumps(("complycheck-rulepack-cache/3", version, key, pack, index)))
    assert load_rule_pack([]).rules and len(validations) == 2


def test_a_scan_loads_only_the_rules_of_its_jurisdictions_from_the_cache(cache_dir, validations, tmp_path):
    """An organisation pack's rules for another jurisdiction are not even unpickled by a US scan, and
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
