"""Identity dodges beyond format characters, tried on real export shapes through the CLI.

Every Unicode Default_Ignorable_Code_Point is invisible in a rendered report, so inserting one into a
restricted vendor's or product's name must not change what the name identifies: the Hangul fillers
(U+115F, U+1160, U+3164, U+FFA0 — Lo, not Cf), the COMBINING GRAPHEME JOINER (U+034F, Mn), variation
selectors (U+FE00-FE0F, U+E0100-E01EF) and the Mongolian free variation selectors (U+180B-180F).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compliance import normalize
from tests.conftest import run_cli

AS_OF = ("--as-of", "2026-12-07")

# Each is Default_Ignorable_Code_Point and none is a format character (category Cf).
IGNORABLE_NOT_CF = {
    "hangul-choseong-filler": "\u115f",
    "hangul-jungseong-filler": "\u1160",
    "hangul-filler": "\u3164",
    "halfwidth-hangul-filler": "\uffa0",
    "combining-grapheme-joiner": "\u034f",
    "variation-selector-16": "\ufe0f",
    "variation-selector-17": "\U000e0100",
    "mongolian-fvs-1": "\u180b",
    "mongolian-fvs-4": "\u180f",
    "khmer-inherent-vowel": "\u17b4",
}


def scan(tmp_path: Path, component: dict, *extra: str) -> tuple[int, dict]:
    path = tmp_path / "sbom.cdx.json"
    path.write_text(
        json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [component]},
                   ensure_ascii=False), "utf-8")
    proc = run_cli("scan", str(path), "-j", "ALL", *AS_OF, "-f", "json", *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@pytest.mark.parametrize("char", list(IGNORABLE_NOT_CF.values()), ids=list(IGNORABLE_NOT_CF))
def test_an_ignorable_character_inside_a_supplier_name_still_fails(tmp_path: Path, char: str) -> None:
    code, report = scan(tmp_path, {"type": "application", "bom-ref": "a", "name": "Endpoint Agent", "version": "1",
                                   "supplier": {"name": f"AO Kasper{char}sky Lab"}})
    assert code == 1
    evidence = [e for f in report["findings"] for e in f["evidence"] if e["field"] == "supplier.name"]
    assert evidence and all(e["strength"] == "strong" for e in evidence)
    assert all("contains invisible characters" in e.get("folded", []) for e in evidence)


@pytest.mark.parametrize("char", list(IGNORABLE_NOT_CF.values()), ids=list(IGNORABLE_NOT_CF))
def test_an_ignorable_character_inside_a_product_name_or_app_id_still_fails(tmp_path: Path, char: str) -> None:
    # -j ALL without contexts: the device bans are findings reported out of scope (exit 0), but found
    _code, report = scan(tmp_path, {"type": "application", "bom-ref": "w", "name": f"We{char}Chat", "version": "8"})
    assert {f.get("product") for f in report["findings"]} == {"wechat"}
    _code, report = scan(tmp_path, {"type": "application", "bom-ref": "t", "name": "app", "version": "1",
                                    "purl": f"pkg:android/com.zhiliao{char}app.musically@30.1"})
    assert {f.get("product") for f in report["findings"]} == {"tiktok"}


def test_the_lookalikes_stay_clean_with_ignorable_characters(tmp_path: Path) -> None:
    code, report = scan(tmp_path, {"type": "library", "bom-ref": "k", "name": "kaspa\u3164", "version": "1",
                                   "supplier": {"name": "Kasperskyi\u034f Ltd"}})
    assert code == 0 and not report["findings"]


def test_the_ignorable_ranges_hold_every_default_ignorable_code_point_that_is_not_a_format_character() -> None:
    import unicodedata

    regex = pytest.importorskip("regex")
    pattern = regex.compile(r"\p{Default_Ignorable_Code_Point}")
    missing = [
        f"U+{cp:04X}" for cp in range(0x110000)
        if pattern.match(chr(cp)) and unicodedata.category(chr(cp)) != "Cf" and not normalize._maybe_ignorable(chr(cp))
    ]
    assert missing == []
    assert all(normalize.fold(f"a{c}b") == "ab" for c in IGNORABLE_NOT_CF.values())


# -- a word split apart -------------------------------------------------------------------------------


def supplier_scan(tmp_path: Path, supplier: str, *extra: str) -> tuple[int, dict]:
    return scan(tmp_path, {"type": "application", "bom-ref": "a", "name": "Endpoint Agent", "version": "1",
                           "supplier": {"name": supplier}}, *extra)


@pytest.mark.parametrize("supplier", ["AO Kas persky Lab", "AO Kas-persky Lab", "AO Kas.persky Lab",
                                      "AO Kasper\u2800sky Lab", "AO Ka spers ky Lab"])
def test_a_legal_name_with_a_word_split_apart_still_fails(tmp_path: Path, supplier: str) -> None:
    code, report = supplier_scan(tmp_path, supplier)
    assert code == 1
    evidence = [e for f in report["findings"] for e in f["evidence"] if e["field"] == "supplier.name"]
    assert evidence and {e["strength"] for e in evidence} == {"strong"}
    assert all("a word split apart" in e.get("folded", []) for e in evidence)


@pytest.mark.parametrize("supplier", ["Kas persky Lab", "Kasper Sky"])
def test_a_split_name_without_its_legal_form_is_a_warning_to_look_at(tmp_path: Path, supplier: str) -> None:
    # "Kasper Sky" may be a person; "Kas persky Lab" a dodge: either way a reviewer should look, and
    # neither fails the gate on a guess.
    code, report = supplier_scan(tmp_path, supplier)
    assert code == 0 and report["summary"]["warn"] == 1 and report["summary"]["fail"] == 0
    assert {e["strength"] for f in report["findings"] for e in f["evidence"]} == {"weak"}


def test_split_words_leave_real_two_word_names_alone(tmp_path: Path) -> None:
    code, report = scan(tmp_path, {"type": "library", "bom-ref": "s", "name": "sky-utils", "version": "1.0",
                                   "author": "Kasper Sky", "purl": "pkg:npm/sky-utils@1.0"})
    assert code == 0 and report["summary"]["warn"] == 0 and report["summary"]["fail"] == 0
    code, report = scan(tmp_path, {"type": "application", "bom-ref": "c", "name": "Tik Tok Timer", "version": "2"})
    assert code == 0 and not report["findings"]


# -- look-alikes read as written: case changes the look ----------------------------------------------


@pytest.mark.parametrize("supplier", ["AO KASPERSKΥ LAB", "AO ΚΑSΡΕRSΚΥ Lab"])  # Greek capitals: Υ reads as Y
def test_capital_look_alikes_are_read_in_their_own_case(tmp_path: Path, supplier: str) -> None:
    code, report = supplier_scan(tmp_path, supplier)
    assert code == 1
    evidence = [e for f in report["findings"] for e in f["evidence"] if e["field"] == "supplier.name"]
    assert evidence and {e["strength"] for e in evidence} == {"strong"}
    assert all("mixed-script" in e.get("folded", []) for e in evidence)


def test_an_all_capital_product_name_with_a_greek_letter_is_its_product(tmp_path: Path) -> None:
    # Greek capital nu reads as N; its small letter ν, which casefolding gives, as v
    _code, report = scan(tmp_path, {"type": "application", "bom-ref": "d", "name": "DI\u039dGTALK", "version": "7"})
    assert {f.get("product") for f in report["findings"]} == {"dingtalk"}


# -- right-to-left overrides: stored backwards, shown forwards ---------------------------------------


@pytest.mark.parametrize("supplier", ["AO \u202eyksrepsaK\u202c Lab", "\u202ebaL yksrepsaK OA",  # shown as AO Kaspersky Lab
                                      "AO \u202eKaspersky\u202c Lab"])  # stored forwards, shown backwards
def test_a_name_inside_a_right_to_left_override_fails_in_either_order(tmp_path: Path, supplier: str) -> None:
    code, report = supplier_scan(tmp_path, supplier)
    assert code == 1
    evidence = [e for f in report["findings"] for e in f["evidence"] if e["field"] == "supplier.name"]
    assert evidence and all("contains invisible characters" in e.get("folded", []) for e in evidence)


@pytest.mark.parametrize("component", [{"name": "\u202etahCeW"}, {"purl": "pkg:android/\u202emm.tnecnet.moc\u202c@8.0"},
                                       {"swid": {"tagId": "\u202emm.tnecnet.moc", "name": "app"}}],
                         ids=["name", "purl", "swid"])
def test_a_product_or_app_id_shown_forwards_by_an_override_is_its_product(tmp_path: Path, component: dict) -> None:
    _code, report = scan(tmp_path, {"type": "application", "bom-ref": "w", "name": "app", "version": "8", **component})
    assert {f.get("product") for f in report["findings"]} == {"wechat"}
