"""Inventory tables matched as they are read (issue 20): the screen gives what the whole matcher gives.

A merged fleet export has a million distinct titles, so a scan cuts each title's words once, at C speed,
and only titles the ``NameScreen`` cannot clear go through ``VendorIndex._match_name``; the others take
their vendor cell's matches (``tabular.tally_rows``). Each shortcut is held here to the whole matcher:
on names built to trip it (catalog words, split words, legal forms, dotted abbreviations, invisible
characters, homoglyphs, native scripts, right-to-left overrides), and on whole tables scanned both ways.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inventory_support import write

from compliance.matching import NameScreen, VendorIndex
from compliance.model import Component
from compliance.normalize import (
    ASCII_WORDS,
    ascii_equivalents,
    confusable_org_name,
    confusable_product_tokens,
    display_order,
    org_name,
    org_tokens,
    product_tokens,
    screen_words,
    tokens,
)
from compliance.readers.tabular import CHUNK_ROWS
from compliance.rulepack import load_rule_pack
from compliance.scan import ScanOptions, scan


@pytest.fixture(scope="module")
def screen(index: VendorIndex) -> NameScreen:
    return NameScreen(index)


# -- the normaliser's shortcuts -------------------------------------------------------------------------


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
@settings(max_examples=500, derandomize=True)
def test_ascii_words_are_the_tokens(text: str) -> None:
    assert [w.decode() for w in text.encode().translate(ASCII_WORDS).split()] == list(tokens(text))


NAMEISH = st.text(alphabet=st.sampled_from(
    list("Kaspersky WeChat qQ.-_()®™é\u0301\u200b\u00ad\u2060\ufeff\u0430\u0435\u043e\u0441腾讯有限公司АОЗ1 x64")
    + ["\U000e0001", "\u202e", "\u202c", "ﬁ", "Ｋ", "\u0308", "\u3164", "ß", "İ", "¼", "①", "ǅ", "\u2800"]
), max_size=24)


@given(st.one_of(NAMEISH, st.text(max_size=24)))
@settings(max_examples=1500, derandomize=True)
def test_an_ascii_equivalent_reads_as_the_text_does(text: str) -> None:
    same = ascii_equivalents([text])[0]
    assert ascii_equivalents(["Zoom™", text, "微信"]) == ["ZoomTM", same, None]  # the same in a batch
    if same is None:
        return
    assert same.isascii()
    assert tokens(same) == tokens(text)
    assert org_name(same) == org_name(text)
    assert product_tokens(same) == product_tokens(text)
    # and no other reading the matcher tries when the plain one finds nothing
    assert confusable_org_name(text) is None
    assert confusable_product_tokens(text) is None
    assert display_order(text) is None


@given(st.one_of(NAMEISH, st.text(max_size=24)))
@settings(max_examples=1500, derandomize=True)
def test_screen_words_are_the_tokens_and_cover_the_organisation_tokens(text: str) -> None:
    words = screen_words(text)
    if words is None:
        return
    assert tuple(words[0]) == tokens(text)
    assert set(org_tokens(text)) <= words[1]
    assert confusable_org_name(text) is None
    assert confusable_product_tokens(text) is None
    assert display_order(text) is None


def test_ascii_equivalents_of_what_fleet_exports_hold() -> None:
    assert ascii_equivalents(["Microsoft® Office", "Zoom™ Client", "Bürosoft Planer", "Kasper\u200bsky"]) == [
        "Microsoft  Office",
        "ZoomTM Client",  # NFKD writes ™ as TM: one word with Zoom
        "Burosoft Planer",
        "Kaspersky",  # invisible: dropped, not a separator
    ]
    # native scripts, homoglyphs, overrides, letters that casefold apart; a NUL inside a text
    texts = ["微信", "K\u0430spersky", "AO \u202eyksrepsaK\u202c Lab", "Straße", "Caf\u00e9\x00Bar"]
    assert ascii_equivalents(texts) == [None, None, None, None, "Cafe\x00Bar"]


# -- a row's name: cleared, or sent the whole way ---------------------------------------------------------

WORDS = ["kaspersky", "Kaspersky", "endpoint", "security", "for", "Windows", "x64", "12.1", "qq", "QQ", "music",
         "wechat", "WeChat", "Open", "SDK", "microsoft", "Microsoft", "windows", "8", "tiktok", "Tik", "Tok", "Lite",
         "AO", "Lab", "the", "Inc.", "LLC", "k.a.s.p.e.r.s.k.y.", "K.", "Update", "Contoso", "Sync", "Agent", "v2",
         "2024", "mobile", "legends", "free", "fire", "clean", "master", "tiger", "telegram", "Desktop", "huawei",
         "zte", "dji", "ai", "group", "ib", "Technologies", "Positive", "sap", "oracle", "Kasper", "sky", "Kas",
         "persky", "Kasper\u200bsky", "K\u0430spersky", "Tenc\u0435nt", "腾讯", "微信", "腾讯有限公司", "有限公司",
         "腾讯科技", "Лаборатория", "Касперского", "ООО", "Kaspersky™", "Kaspersky®", "Ｋａｓｐｅｒｓｋｙ",
         "Kasp-ersky", "Micro", "soft", "es", "file", "explorer", "cam", "scanner", "u", "dictionary", "\u202eyksrepsaK",
         "Wee\u0301Chat", "S.A.P.", "Pony", "Pony.ai", "mi", "community", "для", "Антивирус", "Касперского"]
SEPARATORS = [" ", " ", ", ", " - ", "_", "(", ")", "/", ".", "", "\u00ad", "®", "™"]
VENDORS = ["", "Contoso Ltd", "Microsoft Corporation", "AO Kaspersky Lab", "Tencent", "Kaspersky <a@kaspersky.com>"]


@st.composite
def names(draw: Any) -> str:
    parts = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(parts), max_size=len(parts)))
    return "".join(w + s for w, s in zip(parts, seps, strict=True))


def row_matches(index: VendorIndex, name: str, vendor: str) -> list[Any]:
    comp = Component(name, "", [("Publisher", vendor)] if vendor else [], [], "", "", "", "application")
    return index._match(comp)


def assert_screen_keeps_every_match(index: VendorIndex, screen: NameScreen, rows: list[tuple[str, str]]) -> None:
    alone = [row_matches(index, "", vendor) for _name, vendor in rows]
    sent = set(screen.candidates([name for name, _vendor in rows], alone))
    for i, (name, vendor) in enumerate(rows):
        if i not in sent:
            assert row_matches(index, name, vendor) == alone[i], (name, vendor)


@given(st.lists(st.tuples(names(), st.sampled_from(VENDORS)), min_size=1, max_size=40))
@settings(max_examples=400, derandomize=True, deadline=None)
def test_a_name_the_screen_clears_adds_nothing_to_its_vendors_matches(
    index: VendorIndex, screen: NameScreen, rows: list[tuple[str, str]]
) -> None:
    assert_screen_keeps_every_match(index, screen, rows)


def test_every_catalog_name_and_brand_is_sent_the_whole_way(index: VendorIndex, screen: NameScreen) -> None:
    """Each catalog product name (with its qualifiers and a version), alias, native-script name and brand
    as a title, alone and beside each vendor, and the dodges the identity tests use on them."""
    pack = load_rule_pack()
    titles: list[str] = []
    for vendor in pack.vendors.values():
        titles += [b.value for b in vendor.brands] + [f"{b.value} Helper 2.0" for b in vendor.brands]
        titles += [n.value for n in vendor.names]
        for product in vendor.products:
            for name in [product.name, *(n.value for n in product.names)]:
                titles += [name, f"{name} 12.1", f"{name} for Windows (x64)", name.upper(), name.replace(" ", ""),
                           name[:3] + " " + name[3:], name[:4] + "\u200b" + name[4:], name[:2] + "\u00ad" + name[2:]]
    rows = [(title, vendor) for title in titles for vendor in VENDORS]
    for start in range(0, len(rows), CHUNK_ROWS):
        assert_screen_keeps_every_match(index, screen, rows[start : start + CHUNK_ROWS])
    matched = [t for t in titles if row_matches(index, t, "")]
    assert len(matched) > len(titles) // 2  # the titles above do name the catalog


@pytest.mark.parametrize(
    ("name", "vendor", "sent"),
    [
        ("Contoso Sync Agent 4.2.1187", "Contoso Ltd", False),
        ("Microsoft Visual C++ 2022 X64 Minimum Runtime", "Microsoft Corporation", False),  # no product
        ("Microsoft Windows 10", "Microsoft Corporation", True),  # a one-word product, then qualifiers
        ("Kaspersky Endpoint Security for Windows", "AO Kaspersky Lab", True),
        ("QQ 9.7.1", "Tencent", True),  # a one-word product, then a version
        ("Huawei Fan Tool", "Contoso Ltd", True),  # a brand in the name and no vendor matched
        ("Huawei Fan Tool", "Microsoft Corporation", False),  # a vendor matched: no brand is looked for
        ("K.A.S.P.E.R.S.K.Y. Tool", "", True),  # a dotted abbreviation collapses into the brand
        ("K\u0430spersky Tool", "", True),  # a homoglyph: its confusable reading may match
        ("Tik Tok", "", True),  # a catalog word split apart
        ("微信", "", True),  # a native-script product name
        ("Bürosoft Planer 2.1", "Bürosoft GmbH", False),
        ("データ工房 Data Assistant", "", False),
        ("Zoom™ Client 5.1", "Zoom Video", False),
    ],
)
def test_the_screen_on_fleet_titles(screen: NameScreen, index: VendorIndex, name: str, vendor: str, sent: bool) -> None:
    alone = row_matches(index, "", vendor)
    assert (screen.candidates([name], [alone]) == [0]) is sent
    assert_screen_keeps_every_match(index, screen, [(name, vendor)])


# -- whole tables, scanned as read and from the list of every component -----------------------------------


def _scanned(path: Path, keep_components: bool) -> dict[str, Any]:
    options = ScanOptions(jurisdictions=["US"], as_of=date(2026, 11, 22), jobs=1, keep_components=keep_components)
    report = scan([str(path)], options).to_dict()
    report.pop("duration_seconds", None)
    return report


def _uninstall_export(rows: list[tuple[str, str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    out.write("#TYPE System.Management.Automation.PSCustomObject\r\n")
    writer.writerow(["DisplayName", "DisplayVersion", "Publisher", "InstallLocation", "PSChildName"])
    for i, (name, vendor, version) in enumerate(rows):
        writer.writerow([name, version, vendor, "", f"{{GUID-{i}}}"])
    return out.getvalue()


def test_an_uninstall_export_reports_the_same_read_either_way(tmp_path: Path) -> None:
    """Three chunks of tricky titles, a Microsoft title beside each (more matches without a finding than a
    report lists), blank and nameless keys, a field over the limit and a two-line name."""
    rows = []
    for i in range(CHUNK_ROWS * 3):
        word = WORDS[i % len(WORDS)]
        name = f"{word} {WORDS[(i * 7) % len(WORDS)]} {i}" if i % 3 else word
        rows.append((name, VENDORS[i % len(VENDORS)], f"1.{i}"))
        rows.append((f"Microsoft Tool {i}", "Microsoft Corporation", "1.0"))
    rows[5] = ("", "Someone", "1.0")
    rows[6] = ("", "", "")
    rows[CHUNK_ROWS + 9] = ("Kaspersky " + "x" * 3000, "AO Kaspersky Lab", "12")
    path = write(tmp_path, "apps.csv", _uninstall_export(rows))
    assert _scanned(path, False) == _scanned(path, True)
    rows[CHUNK_ROWS * 2 + 1] = ("WeChat\nfor Windows", "Tencent", "3.9")  # a quoted name over two lines
    path = write(tmp_path, "apps2.csv", _uninstall_export(rows))
    report = _scanned(path, False)
    assert report == _scanned(path, True)
    assert report["inputs"][0]["matched_without_findings"]["count"] > 50
