"""The normaliser's contract (compliance/normalize.py): what each step does, the ASCII fast path, the
legal forms across languages, and the confusable skeleton read from Unicode's data on first use only."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pytest

from compliance import normalize
from compliance.normalize import (
    FOLD_CONFUSABLE,
    FOLD_INVISIBLE,
    FOLD_MIXED,
    confusable_org_name,
    confusable_product_tokens,
    fold,
    folds,
    identifier_text,
    legal_form_spellings,
    org_name,
    product_tokens,
    tokens,
)

# -- step 1: format characters are dropped, not turned into separators ---------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "AO Kasper\u200bsky Lab",  # ZERO WIDTH SPACE
        "AO Kasper\u00adsky Lab",  # SOFT HYPHEN
        "AO Kasper\u2060sky Lab",  # WORD JOINER
        "AO Kasper\u200dsky Lab",  # ZERO WIDTH JOINER
        "AO Kasper\u200csky Lab",  # ZERO WIDTH NON-JOINER
        "AO Kasper\ufeffsky Lab",  # BOM / ZERO WIDTH NO-BREAK SPACE
        "AO Kasper\u202esky Lab",  # RIGHT-TO-LEFT OVERRIDE
    ],
)
def test_format_characters_are_dropped_inside_a_word(text):
    assert unicodedata.category(next(ch for ch in text if not ch.isprintable() or ch == "\u00ad")) == "Cf"
    assert org_name(text) == org_name("AO Kaspersky Lab")
    assert folds(text) == (FOLD_INVISIBLE,)
    assert folds("AO Kaspersky Lab") == ()


def test_invisible_characters_in_product_names_and_identifiers():
    assert tokens("Tik\u200bTok") == ("tiktok",) and tokens("We\u200bChat") == ("wechat",)
    assert identifier_text("com.ten\u200bcent.mm") == ("com.tencent.mm", (FOLD_INVISIBLE,))
    assert identifier_text("com.tencent.mm") == ("com.tencent.mm", ())


# -- step 2 and the ASCII fast path ----------------------------------------------------------------------


def _general_fold(text: str) -> str:
    """Steps 1-2 without the fast path, as the contract states them (Default_Ignorable from ``regex``, ungated)."""
    import regex

    ignorable = regex.compile(r"\p{Default_Ignorable_Code_Point}")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf" and not ignorable.match(ch))
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def test_plain_ascii_needs_only_casefold():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=400, derandomize=True, deadline=None)
    @given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
    def check(text: str) -> None:
        assert fold(text) == _general_fold(text) == text.lower()
        assert confusable_org_name(text) is None and confusable_product_tokens(text) is None
        assert identifier_text(text) == (text, ())

    check()


def test_non_ascii_text_follows_the_general_steps():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, derandomize=True, deadline=None)
    @given(st.text(max_size=20))
    def check(text: str) -> None:
        assert fold(text) == _general_fold(text)

    check()
    assert tokens("ＫＡＳＰＥＲＳＫＹ Société") == ("kaspersky", "societe")


# -- step 4: legal forms across languages -----------------------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [
        ["AO Kaspersky Lab", "АО Kaspersky Lab", "Kaspersky Lab JSC", "JSC Kaspersky Lab", "Kaspersky Lab, Joint Stock Company"],
        ["Kaspersky Lab ZAO", "ЗАО Kaspersky Lab", "Kaspersky Lab CJSC", "Closed Joint Stock Company Kaspersky Lab"],
        ["OAO Example", "ОАО Example", "Example OJSC", "Open Joint-Stock Company Example"],
        ["PAO Example", "ПАО Example", "Example PJSC", "Public Joint Stock Company Example"],
        ["OOO Kaspersky Group", "ООО Kaspersky Group", "Kaspersky Group LLC", "Kaspersky Group Limited Liability Company"],
        ["АО «Лаборатория Касперского»", "АО Лаборатория Касперского", 'Акционерное общество "Лаборатория Касперского"'],
        ["腾讯科技(深圳)有限公司", "腾讯科技(深圳)有限责任公司", "腾讯科技(深圳)股份有限公司"],
    ],
)
def test_one_legal_form_in_every_language_and_spelling(names):
    assert len({org_name(n) for n in names}) == 1, [org_name(n) for n in names]


def test_different_legal_forms_stay_different():
    assert org_name("AO Example")[1] != org_name("PAO Example")[1]
    assert org_name("Pacific Networks Corp.")[1] != org_name("Pacific Networks Inc.")[1]
    assert org_name("Tencent Co., Ltd.")[1] == org_name("腾讯 有限公司")[1] == frozenset({"co", "ltd"})
    # A phrase counts only whole: "open" and "limited" alone are words of the name or single forms.
    assert org_name("Open Source Company") == (("open", "source"), frozenset({"co"}))
    assert org_name("Limited Edition Co") == (("edition",), frozenset({"ltd", "co"}))


def test_legal_forms_as_written_are_kept_for_the_evidence():
    assert legal_form_spellings("Kaspersky Lab JSC") == {"jsc"}
    assert legal_form_spellings("АО Лаборатория Касперского") == {"ао"}
    assert legal_form_spellings("Joint Stock Company Positive Technologies") == {"joint stock company"}
    assert len(normalize.LEGAL_FORM_NOTES) == 6


def test_russian_for_is_a_trailing_qualifier():
    assert product_tokens("Kaspersky Endpoint Security 12 для Windows") == ("kaspersky", "endpoint", "security")
    assert product_tokens("Kaspersky Endpoint Security для Windows") == product_tokens("Kaspersky Endpoint Security for Windows")


# -- confusables ------------------------------------------------------------------------------------------


def test_mixed_script_tokens_fold_to_their_skeleton():
    assert org_name("AO K\u0430spersky Lab") != org_name("AO Kaspersky Lab")  # the plain step does not fold it
    assert confusable_org_name("AO K\u0430spersky Lab") == (("kaspersky", "lab"), frozenset({"ao"}), FOLD_MIXED)
    # Capital Cyrillic К's prototype is K; the small к's is ĸ (kra), so the capital decides.
    assert confusable_org_name("\u043aaspersky")[0] == ("kaspersky",)
    assert confusable_product_tokens("Tik\u0422ok") == (("tiktok",), FOLD_MIXED)
    assert confusable_product_tokens("W\u0435Chat 8.0") == (("wechat",), FOLD_MIXED)
    assert identifier_text("\u0441om.tencent.mm") == ("com.tencent.mm", (FOLD_MIXED,))


def test_whole_script_lookalikes_fold_and_native_words_do_not():
    # Every letter Cyrillic, every one with a Latin prototype: a lookalike of an ASCII word.
    assert confusable_org_name("\u0441\u043e\u0440\u0435") == (("cope",), frozenset(), FOLD_CONFUSABLE)
    # Real Russian words have letters with no ASCII prototype: they are read as written.
    assert confusable_org_name("АО Лаборатория Касперского") is None
    assert confusable_product_tokens("Антивирус Касперского") is None
    # Chinese is never looked up in the confusables data.
    assert confusable_org_name("腾讯科技(深圳)有限公司") is None


def test_cjk_ranges_skipped_without_the_data_have_no_ascii_prototype():
    table = normalize.ascii_prototypes()
    assert len(table) > 1000 and table["\u0430"] == "a" and table["\u041a"] == "K"
    inside = [ch for ch in table if any(lo <= ord(ch) <= hi for lo, hi in normalize.NO_ASCII_PROTOTYPE_RANGES)]
    assert inside == []
    assert "\u3007" in table  # IDEOGRAPHIC NUMBER ZERO looks like O: it is outside the skipped ranges


def test_the_confusables_data_is_read_only_when_a_token_needs_it():
    code = (
        "from compliance import normalize as n\n"
        "n.org_name('AO Kaspersky Lab'); n.org_name('腾讯科技(深圳)有限公司'); n.product_tokens('微信')\n"
        "n.confusable_org_name('腾讯科技'); n.identifier_text('com.tencent.mm')\n"
        "assert n.ascii_prototypes.cache_info().currsize == 0, 'read too early'\n"
        "import sys; assert 'confusable_homoglyphs' not in sys.modules\n"
        "n.confusable_org_name('AO K\\u0430spersky Lab')\n"
        "assert n.ascii_prototypes.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
