"""Identity text, normalised once and in one place: the catalog index and every lookup use these functions.

The contract, in the order the steps run (``tokens``, ``org_name`` and ``product_tokens``):

1. **Invisible characters are dropped**, not turned into separators: format characters (Unicode category Cf:
   ZERO WIDTH SPACE, ZWNJ, ZWJ, WORD JOINER, SOFT HYPHEN, the BOM, bidi controls, tag characters) and every
   other Default_Ignorable_Code_Point (the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, the COMBINING
   GRAPHEME JOINER, variation selectors U+FE00-FE0F and U+E0100-E01EF, the Mongolian free variation
   selectors): ``"Kasper\\u200bsky"`` and ``"Kasper\\u3164sky"`` are ``kaspersky``. The property comes from the
   ``regex`` package's Unicode data (the standard library has no Default_Ignorable), imported only for text
   holding a character of the few blocks where such characters live (``IGNORABLE_RANGES``).
2. **Compatibility decomposition, accents, case**: NFKD (fullwidth ``Ｋ`` is ``K``, ``ﬁ`` is ``fi``), combining
   marks dropped (``é`` is ``e``, ``й`` is ``и``), then casefold.
3. **Tokens**: split at every run of characters that are not letters or digits (``_`` splits too).
4. **Legal forms** (``org_name`` only): removed from the tokens and kept apart, every spelling folded to one
   designator across languages: АО = AO = JSC, ЗАО = ZAO = CJSC, ОАО = OAO = OJSC, ПАО = PAO = PJSC,
   ООО = OOO = LLC, "joint stock company" = JSC, 有限公司 = 股份有限公司 = "Co., Ltd." (``LEGAL_FORM_NOTES``).
   Dotted abbreviations collapse first ("S.A." is ``sa``).

**Plain ASCII text needs only casefold and the token and legal-form rules** (steps 3 and 4): it has no
format characters, nothing to decompose and no confusable characters, so ``text.isascii()`` decides the
fast path and ``text.lower()`` equals step 2 for it.

**Confusables** are a separate step a caller takes only when the plain tokens matched nothing
(``confusable_org_name``, ``confusable_product_tokens``, ``identifier_text``): a token that is not ASCII is
rewritten character by character to the ASCII prototypes of Unicode's confusables data (UTS #39
``confusables.txt``, as shipped by the ``confusable-homoglyphs`` package), and the rewrite is kept only if
the whole token becomes ASCII. ``AO K\\u0430spersky Lab`` (Cyrillic а) is then ``("kaspersky", "lab")``. The
data is read on first use only, and never for tokens made of ASCII and CJK ideographs, kana and Hangul (no
character there has an ASCII prototype but U+3007, which sits outside the skipped ranges; a test holds the
ranges to the data). The catalog's own names are never rewritten: a native-script name is written in its
script and matched as written.

``folds`` says which of these a value needed (``FOLD_INVISIBLE``, ``FOLD_MIXED``, ``FOLD_CONFUSABLE``), for
the evidence; folding never makes a match weaker.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# What folding a value needed, as evidence records it.
FOLD_INVISIBLE = "contains invisible characters"
FOLD_MIXED = "mixed-script"
FOLD_CONFUSABLE = "confusable characters"
FOLD_SPLIT = "a word split apart"
FOLD_PLACE = "a registration place read off"

# Legal forms and corporate suffixes, written as tokens after normalisation.
LEGAL_FORMS = frozenset(
    ["ao", "zao", "oao", "pao", "ooo", "ojsc", "cjsc", "jsc", "pjsc", "llc", "llp", "lp", "ltd", "ltda", "limited", "inc", "incorporated", "corp", "corporation", "co", "company", "cos", "plc", "pte", "pty", "pvt", "private", "gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "ug", "se", "sa", "sas", "sasu", "sarl", "srl", "spa", "sl", "slu", "sro", "as", "asa", "ab", "oy", "oyj", "aps", "bv", "nv", "vof", "kk", "kabushiki", "kaisha", "yk", "gk", "sdn", "bhd", "tbk", "the", "ао", "зао", "оао", "пао", "ооо"]
)

# Legal forms written in several words, longest first: each run of tokens is one designator.
_FORM_PHRASES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("общество", "с", "ограниченнои", "ответственностью"), "llc"),  # й loses its breve in step 2
    (("публичное", "акционерное", "общество"), "pao"),
    (("закрытое", "акционерное", "общество"), "zao"),
    (("открытое", "акционерное", "общество"), "oao"),
    (("public", "joint", "stock", "company"), "pao"),
    (("closed", "joint", "stock", "company"), "zao"),
    (("open", "joint", "stock", "company"), "oao"),
    (("limited", "liability", "company"), "llc"),
    (("акционерное", "общество"), "ao"),
    (("joint", "stock", "company"), "ao"),
)
_PHRASE_HEADS = frozenset(words[0] for words, _ in _FORM_PHRASES)

# CJK legal-form suffixes, longest first; stripped from the end of a token.
CJK_LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "株式会社",
    "公司",
)

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}")
_DOTTED_ANY_CASE = re.compile(r"\b(?:[a-zA-Z]\.){2,}")


# Every Default_Ignorable_Code_Point that is not a format character (Cf) lies in one of these ranges, and
# most text has no character in them, so ``regex`` (and its Unicode data) is loaded only for text that does.
# ``tests/test_identity_dodges.py`` holds the ranges to the data.
IGNORABLE_RANGES = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0xE0000, 0xE0FFF),
)


def _maybe_ignorable(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in IGNORABLE_RANGES)


@lru_cache(maxsize=1)
def _ignorable_pattern():  # type: ignore[no-untyped-def]
    import regex

    return regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Cf}]")


@lru_cache(maxsize=8192)
def _invisible(ch: str) -> bool:
    """Step 1's test for one character that is not ASCII."""
    if unicodedata.category(ch) == "Cf":
        return True
    return _maybe_ignorable(ch) and _ignorable_pattern().match(ch) is not None


def display_order(text: str) -> str | None:
    """``text`` with each RIGHT-TO-LEFT OVERRIDE run (U+202E up to U+202C or the end) in the order it is
    displayed, or None when it has none: ``AO \u202eyksrepsaK\u202c Lab`` shows as "AO Kaspersky Lab"
    (UAX #9: an override makes every character inside strong right-to-left, so the run is shown
    reversed). The matcher tries this reading when the text as stored matched nothing: a name must not
    pass because it is stored backwards and shown forwards."""
    if "\u202e" not in text:
        return None
    out: list[str] = []
    i = 0
    while (start := text.find("\u202e", i)) >= 0:
        end = text.find("\u202c", start + 1)
        end = len(text) if end < 0 else end
        out += [text[i:start], text[start + 1 : end][::-1]]
        i = end
    out.append(text[i:])
    return "".join(out)


def _drop_format(text: str) -> str:
    """Step 1 for text that is not ASCII."""
    for ch in [ch for ch in set(_NON_ASCII.findall(text)) if _invisible(ch)]:
        text = text.replace(ch, "")
    return text


def fold(text: str) -> str:
    """Steps 1 and 2: format characters dropped, NFKD without combining marks, casefolded."""
    if text.isascii():
        return text.lower()
    return _fold_keep_case(text).casefold()


def _fold_keep_case(text: str) -> str:
    """Step 1 and step 2 less the casefold: what the confusables step reads, since a letter's look depends
    on its case (Greek capital Υ looks like Y, its small letter υ like u)."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", _drop_format(text))
    for ch in [ch for ch in set(_NON_ASCII.findall(text)) if unicodedata.combining(ch)]:
        text = text.replace(ch, "")  # only characters outside ASCII combine
    return text


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """Case-, accent- and punctuation-folded tokens, legal forms kept (steps 1-3)."""
    return tuple(t for t in _NON_WORD.split(fold(text)) if t)


# Steps 1-3 of ASCII text as bytes: letters lower-cased, digits kept, anything else a space, so that
# ``text.encode().translate(ASCII_WORDS).split()`` is ``tokens(text)`` (as bytes) with no regular expression.
ASCII_WORDS = bytes(b + 32 if 65 <= b <= 90 else b if 48 <= b <= 57 or 97 <= b <= 122 else 32 for b in range(256))
ASCII_LINES = ASCII_WORDS[:10] + b"\n" + ASCII_WORDS[11:]  # the same, line breaks kept

# Characters outside ASCII -> what ``ascii_equivalents`` writes for them (None: the text has no equivalent).
_PLAIN: dict[str, str | None] = {}


def _plain_char(ch: str) -> str | None:
    """What steps 1 and 2 make of one character outside ASCII, when that is all a match can see of it."""
    if ch == "\u202e":
        return None  # a right-to-left override: the matcher also reads the text in display order
    folded = _fold_keep_case(ch)
    if folded.isascii():
        return folded  # dropped (invisible, a combining mark), an accent dropped, "™" as "TM", "ﬁ" as "fi"
    return " " if _NON_WORD.fullmatch(folded) else None  # "®" separates words; a letter of another script


def ascii_equivalents(texts: list[str]) -> list[str | None]:
    """For each of ``texts``, ASCII text that steps 1-4 and every lookup read exactly as they read it, or None.

    Each character outside ASCII is replaced by what steps 1 and 2 make of it when that is ASCII ("é" is
    "e", "™" is "TM", an invisible character is nothing) or holds no letter or digit ("®" then separates
    words, as punctuation does). Steps 1 and 2 work character by character (NFKD decomposes each
    character on its own; only the combining marks it would reorder are dropped), so the tokens,
    organisation tokens and product tokens are the same, and an ASCII text has no confusable or
    display-order reading for the matcher to try. A text with a letter of another script (a native-script
    name, a homoglyph) or a right-to-left override gets None. The texts are joined, so a fleet export's
    chunk of titles takes one ``str.replace`` per distinct character.
    """
    joined = "\x00".join(texts)
    if joined.count("\x00") == len(texts) - 1:
        out = _replace_plain(joined).split("\x00")
    else:  # a text holds the separator
        out = list(map(_replace_plain, texts))
    return [t if t.isascii() else None for t in out]


def _replace_plain(text: str) -> str:
    """``text`` with each character outside ASCII that has a plain equivalent (``_plain_char``) replaced."""
    table = _PLAIN
    for ch in set(_NON_ASCII.findall(text)):
        if ch not in table:
            table[ch] = _plain_char(ch)
        plain = table[ch]
        if plain is not None:
            text = text.replace(ch, plain)
    return text


def has_format_characters(text: str) -> bool:
    """True when ``text`` holds a character that step 1 drops."""
    if text.isascii():
        return False
    return any(map(_invisible, set(_NON_ASCII.findall(text))))


# A company registered in mainland China is named "place + trade name + industry + legal form" (北京字节跳动科技有限公司,
# "Beijing ByteDance Technology Co., Ltd."): the leading administrative division says where it is registered,
# as "(Shenzhen)" does inside "Tencent Technology (Shenzhen) Company Limited". ``registered_place_cut`` takes
# it off so that the trade name leads. Provinces and the cities where software companies usually register,
# in pinyin and in Chinese (with or without 市/省).
PRC_PLACES = frozenset({
    "beijing", "shanghai", "tianjin", "chongqing", "shenzhen", "guangzhou", "hangzhou", "nanjing", "wuhan",
    "chengdu", "xiamen", "suzhou", "zhuhai", "hefei", "xian", "dongguan", "jinan", "qingdao", "changsha",
    "fuzhou", "guangdong", "zhejiang", "jiangsu", "fujian", "hubei", "sichuan", "anhui", "shandong", "hainan",
})
_PRC_PLACES_CJK = (
    "北京", "上海", "天津", "重庆", "深圳", "广州", "杭州", "南京", "武汉", "成都", "厦门", "苏州", "珠海", "合肥",
    "西安", "东莞", "济南", "青岛", "长沙", "福州", "广东", "浙江", "江苏", "福建", "湖北", "四川", "安徽", "山东",
    "海南",
)


def unspaced(ch: str) -> bool:
    """Whether ``ch`` is written without spaces between words: CJK ideographs and kana (not Hangul)."""
    cp = ord(ch)
    return 0x3040 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF


def registered_place_cut(toks: tuple[str, ...]) -> tuple[str, ...] | None:
    """The tokens of a company name without the mainland-Chinese place it leads with ("beijing bytedance
    technology" -> "bytedance technology"; "北京字节跳动科技" -> "字节跳动科技"); None when it leads with none."""
    if len(toks) > 1 and toks[0] in PRC_PLACES:
        return toks[1:]
    first = toks[0] if toks else ""
    if not first.isascii():
        for place in _PRC_PLACES_CJK:
            if first.startswith(place):
                rest = first[len(place):].removeprefix("市").removeprefix("省")
                if rest:
                    return (rest, *toks[1:])
    return None


def _strip_cjk_suffix(token: str) -> str:
    for suffix in CJK_LEGAL_SUFFIXES:
        if token.endswith(suffix) and len(token) > len(suffix):
            return token[: -len(suffix)]
    return token


# Spellings of the same legal form, folded to one designator so that "Co., Ltd." equals "Company Limited"
# and "JSC" equals "AO". Words that are not designators ("the") are absent and never count as a legal form.
_FORM_SYNONYMS = {
    "incorporated": "inc", "corporation": "corp", "limited": "ltd", "company": "co", "cos": "co",
    "mbh": "gmbh", "private": "pvt", "kabushiki": "kk", "kaisha": "kk",
    # Russian forms in Cyrillic, in Latin transliteration and in English translation are one form each.
    "ао": "ao", "jsc": "ao",
    "зао": "zao", "cjsc": "zao",
    "оао": "oao", "ojsc": "oao",
    "пао": "pao", "pjsc": "pao",
    "ооо": "llc", "ooo": "llc",
}
_CJK_FORMS = {
    "股份有限公司": ("co", "ltd"), "有限责任公司": ("co", "ltd"), "有限責任公司": ("co", "ltd"),
    "有限公司": ("co", "ltd"), "株式会社": ("kk",), "公司": ("co",),
}

# The cross-language equivalences of ``_FORM_SYNONYMS`` and ``_FORM_PHRASES``, in words (docs and tests).
LEGAL_FORM_NOTES = (
    "АО = AO = JSC = joint stock company = акционерное общество",
    "ЗАО = ZAO = CJSC = closed joint stock company",
    "ОАО = OAO = OJSC = open joint stock company",
    "ПАО = PAO = PJSC = public joint stock company",
    "ООО = OOO = LLC = limited liability company = общество с ограниченной ответственностью",
    "有限公司 = 有限责任公司 = 股份有限公司 = Co., Ltd.",
)


def _org_fold(raw: list[str]) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
    """Step 4 over folded tokens: (name tokens, legal forms as designators, legal forms as spelt)."""
    out: list[str] = []
    forms: set[str] = set()
    spelt: set[str] = set()
    i, n = 0, len(raw)
    while i < n:
        tok = raw[i]
        if tok in _PHRASE_HEADS:
            phrase = next((pf for pf in _FORM_PHRASES if tuple(raw[i : i + len(pf[0])]) == pf[0]), None)
            if phrase is not None:
                forms.add(phrase[1])
                spelt.add(" ".join(phrase[0]))
                i += len(phrase[0])
                continue
        i += 1
        if tok in LEGAL_FORMS:
            if tok != "the":
                forms.add(_FORM_SYNONYMS.get(tok, tok))
                spelt.add(tok)
            continue
        if tok in CJK_LEGAL_SUFFIXES:
            forms.update(_CJK_FORMS[tok])
            spelt.add(tok)
            continue
        stripped = _strip_cjk_suffix(tok)
        if stripped != tok:
            forms.update(_CJK_FORMS[tok[len(stripped):]])
            spelt.add(tok[len(stripped):])
        out.append(stripped)
    return tuple(out), frozenset(forms), frozenset(spelt)


def _org_tokens_raw(text: str, keep_case: bool = False) -> list[str]:
    """Steps 1-3 for an organisation name, dotted abbreviations ("S.A.", "L.L.C.") collapsed first;
    ``keep_case``: without the casefold (for the confusables step)."""
    raw = _fold_keep_case(text) if keep_case else fold(text)
    if "." in raw:
        raw = (_DOTTED_ANY_CASE if keep_case else _DOTTED).sub(lambda m: m.group(0).replace(".", ""), raw)
    return [t for t in _NON_WORD.split(raw) if t]


def screen_words(text: str) -> tuple[list[str], set[str]] | None:
    """For ``matching.NameScreen``: ``tokens(text)``, uncached (a fleet export's distinct names are each
    asked about once), and a superset of ``org_tokens(text)`` (each token also with a CJK legal form cut
    from its end, and the tokens once dotted abbreviations collapse); None when a confusable reading
    (``skeleton``) or a display-order reading (``display_order``) of ``text`` may give other tokens."""
    if "\u202e" in text:
        return None
    kept = _fold_keep_case(text)
    if not kept.isascii() and any(skeleton(t) is not None for t in _NON_WORD.split(kept) if t and not t.isascii()):
        return None
    folded = kept.casefold() if not kept.isascii() else kept.lower()
    toks = [t for t in _NON_WORD.split(folded) if t]
    org = {*toks, *(_strip_cjk_suffix(t) for t in toks if not t.isascii() and t.endswith(CJK_LEGAL_SUFFIXES))}
    if "." in folded:
        collapsed = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), folded)
        org.update(t for t in _NON_WORD.split(collapsed) if t)
    return toks, org


@lru_cache(maxsize=65536)
def org_name(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """Tokens of an organisation name with legal forms removed, and the legal forms removed (designators).

    The forms are kept apart because they tell companies apart: "Pacific Networks Corp." and "Pacific
    Networks Inc." have the same tokens but are not the same company.
    """
    toks, forms, _ = _org_fold(_org_tokens_raw(text))
    return toks, forms


@lru_cache(maxsize=4096)
def legal_form_spellings(text: str) -> frozenset[str]:
    """The legal forms of an organisation name as written (folded: ``{"jsc"}``, ``{"ао"}``), for evidence
    that says a form was read as another spelling of itself."""
    return _org_fold(_org_tokens_raw(text))[2]


def org_tokens(text: str) -> tuple[str, ...]:
    """Tokens of an organisation name with legal forms removed (see ``org_name``)."""
    return org_name(text)[0]


def forms_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two names with the same tokens are different companies when both give a legal form and neither
    form set contains the other ("Corp." vs "Inc."); "Co." vs "Co., Ltd." is one company written twice."""
    return bool(a) and bool(b) and not (a <= b or b <= a)


# Words that qualify a product name without changing which product it is ("для" is Russian "for").
PRODUCT_QUALIFIERS = frozenset(
    ["for", "для", "windows", "win", "win32", "win64", "mac", "macos", "osx", "os", "x", "linux", "android", "ios", "ipados", "iphone", "ipad", "desktop", "x64", "x86", "x86_64", "amd64", "arm64", "aarch64", "64", "32", "bit", "64bit", "32bit", "app", "application", "edition"]
)


def trimmable(tok: str) -> bool:
    """A token ``product_tokens`` trims from the end of a product name: a platform word or a version."""
    return tok in PRODUCT_QUALIFIERS or tok.isdigit() or _is_version(tok)


def _product_trim(toks: tuple[str, ...]) -> tuple[str, ...]:
    end = len(toks)
    while end and trimmable(toks[end - 1]):
        end -= 1
    return toks[:end]


@lru_cache(maxsize=131072)
def product_tokens(text: str) -> tuple[str, ...]:
    """Tokens of a product name with trailing platform words and version numbers removed.

    "Kaspersky Endpoint Security for Windows (x64) 12.1" -> ("kaspersky", "endpoint", "security"), and so is
    "Kaspersky Endpoint Security 12 для Windows". Only trailing qualifiers go: "WeChat Open SDK" keeps
    "open sdk" and so is not "WeChat".
    """
    return _product_trim(tokens(text))


_VERSION = re.compile(r"^v?\d+[a-z]?\d*$")

# "Name <local@domain>", as npm, PyPI, Debian and RPM metadata write a person or a maintainer, with npm's
# optional "(url)" after it. The whole value must have this shape; anything else is read as a name.
_PERSON = re.compile(r"\s*([^<>]*?)\s*<\s*[^<>@\s]+@([^<>@\s]+?)\.?\s*>\s*(?:\([^()]*\))?\s*")


def person_address(value: str) -> tuple[str, str] | None:
    """``("Jane Doe", "example.com")`` for ``"Jane Doe <jane@example.com>"``: the name to look up as a
    vendor name (the address is no part of it) and the address's domain, lower-cased; None when the value
    is not a name with an address."""
    m = _PERSON.fullmatch(value)
    if m is None:
        return None
    return m.group(1), m.group(2).lower()


def _is_version(tok: str) -> bool:
    return bool(_VERSION.match(tok))


def is_distinctive(toks: tuple[str, ...]) -> bool:
    """A name must keep something distinctive after folding; otherwise it may match nothing."""
    if not toks:
        return False
    return any(len(t) >= 2 or not t.isascii() for t in toks if not t.isdigit())


def folds(text: str) -> tuple[str, ...]:
    """What the plain steps had to fold in ``text`` for the evidence: ``(FOLD_INVISIBLE,)`` or ``()``."""
    return (FOLD_INVISIBLE,) if has_format_characters(text) else ()


def joined_tokens(toks: tuple[str, ...], words: frozenset[str]) -> tuple[str, ...] | None:
    """``toks`` with every run of two or three adjacent tokens whose concatenation is one of ``words`` joined
    into it (``("kas", "persky", "lab")`` -> ``("kaspersky", "lab")``), or None when nothing joins.

    ``words`` are the catalog's distinctive name words (``VendorIndex.split_words``): a space, a hyphen, a
    dot or a visible blank (U+2800) inside "Kaspersky" is visible but reads past a hurried reviewer, and
    splitting a catalog word in two never makes another company's name.
    """
    out: list[str] = []
    changed = False
    i, n = 0, len(toks)
    while i < n:
        for width in (2, 3):
            if i + width <= n and "".join(toks[i : i + width]) in words:
                out.append("".join(toks[i : i + width]))
                i += width
                changed = True
                break
        else:
            out.append(toks[i])
            i += 1
    return tuple(out) if changed else None


# -- confusables (UTS #39) ---------------------------------------------------------------------------

# Code points whose characters have no ASCII prototype in the confusables data (CJK ideographs, kana,
# Hangul, and their compatibility forms): tokens made of these and ASCII are skipped without the data.
# ``tests/test_normalize.py`` checks every range against the data.
NO_ASCII_PROTOTYPE_RANGES = ((0x3040, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))


def _skipped(ch: str) -> bool:
    cp = ord(ch)
    return cp < 0x80 or any(lo <= cp <= hi for lo, hi in NO_ASCII_PROTOTYPE_RANGES)


@lru_cache(maxsize=1)
def ascii_prototypes() -> dict[str, str]:
    """Non-ASCII character -> its ASCII prototype (letters and digits), from Unicode's confusables data.

    The data is the ``confusables.json`` that ``confusable-homoglyphs`` generates from UTS #39
    ``confusables.txt``; it lists each pair both ways, so a source character's list holds its prototype.
    It is read directly (with orjson) rather than through the package's module, whose import also loads
    ``urllib.request``: parsing the 0.9 MB of JSON takes 25-37 ms and the extraction 10-20 ms, once per
    process (measured on a loaded 2-core machine), against about 70 ms for the module's import alone.
    """
    import importlib.util
    import os

    import orjson

    spec = importlib.util.find_spec("confusable_homoglyphs")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the confusable-homoglyphs package is not installed: reinstall complycheck")
    path = os.path.join(list(spec.submodule_search_locations)[0], "confusables.json")
    with open(path, "rb") as handle:
        data = orjson.loads(handle.read())
    table: dict[str, str] = {}
    for char, homoglyphs in data.items():
        if char.isascii():
            continue
        if len(char) != 1:
            char = char.replace("\u200e", "")  # the data wraps right-to-left characters in LRM marks
            if len(char) != 1:
                continue
        for entry in homoglyphs:
            proto = entry["c"]  # an ASCII prototype is never wrapped in LRM marks
            if proto.isascii() and proto.isalnum():
                table[char] = proto
                break
    return table


def _prototype(ch: str, table: dict[str, str]) -> str | None:
    """The ASCII prototype (lower-cased) of a character as written, or else of its capital: Cyrillic к's own
    prototype is ĸ (kra), its capital К's is K, and we compare without case. As written, because case
    changes the look: Greek capital Υ reads as Y, its small letter υ as u."""
    proto = table.get(ch)
    if proto is None:
        upper = ch.upper()
        if len(upper) == 1 and upper != ch:
            proto = table.get(upper)
    return proto.lower() if proto is not None else None


def _script(ch: str) -> str:
    """The script of a letter as the first word of its Unicode name (LATIN, CYRILLIC, GREEK...)."""
    return unicodedata.name(ch, "?").split(" ", 1)[0]


@lru_cache(maxsize=16384)
def skeleton(token: str) -> tuple[str, str] | None:
    """A folded token rewritten to ASCII prototypes, with ``FOLD_MIXED`` or ``FOLD_CONFUSABLE``; None when
    the token is ASCII, needs no data, or cannot become all ASCII."""
    if token.isascii() or all(_skipped(ch) for ch in token):
        return None
    table = ascii_prototypes()
    out = []
    for ch in token:
        if ch < "\x80":
            out.append(ch.lower())
            continue
        proto = _prototype(ch, table)
        if proto is None:
            return None
        out.append(proto)
    letters = {("LATIN" if ch < "\x80" else _script(ch)) for ch in token if ch.isalpha()}
    return "".join(out), (FOLD_MIXED if len(letters) > 1 else FOLD_CONFUSABLE)


def _skeleton_tokens(raw: list[str]) -> tuple[list[str], str] | None:
    changed: list[str] = []
    flag = ""
    for tok in raw:  # tokens as written (case kept): a letter's look depends on its case
        skel = skeleton(tok)
        if skel is None:
            changed.append(tok.casefold())
        else:
            changed.append(skel[0])
            flag = FOLD_MIXED if FOLD_MIXED in (flag, skel[1]) else skel[1]
    return (changed, flag) if flag else None


@lru_cache(maxsize=4096)
def confusable_org_name(text: str) -> tuple[tuple[str, ...], frozenset[str], str] | None:
    """``org_name`` of ``text`` with confusable tokens read as ASCII, and which fold it took; None when no
    token of ``text`` changes. Ask only when the plain name matched nothing."""
    if text.isascii():
        return None
    found = _skeleton_tokens(_org_tokens_raw(text, keep_case=True))
    if found is None:
        return None
    toks, forms, _ = _org_fold(found[0])
    if (toks, forms) == org_name(text):
        return None  # only legal forms changed ("АО" is "AO" either way)
    return toks, forms, found[1]


@lru_cache(maxsize=4096)
def confusable_product_tokens(text: str) -> tuple[tuple[str, ...], str] | None:
    """``product_tokens`` of ``text`` with confusable tokens read as ASCII, and the fold; None if unchanged."""
    if text.isascii():
        return None
    found = _skeleton_tokens([t for t in _NON_WORD.split(_fold_keep_case(text)) if t])
    if found is None:
        return None
    toks = _product_trim(tuple(found[0]))
    return None if toks == product_tokens(text) else (toks, found[1])


@lru_cache(maxsize=16384)
def identifier_text(value: str) -> tuple[str, tuple[str, ...]]:
    """An identifier (app id, purl, CPE, winget id) as it should be looked up, and the folds it needed.

    Identifiers are ASCII; anything else is folded: format characters dropped, NFKC (fullwidth forms), and
    characters with an ASCII prototype replaced by it when that makes the whole value ASCII (Cyrillic "с" in
    "сom.tencent.mm"). Case is kept: the lookups decide it.
    """
    if value.isascii():
        return value, ()
    found: list[str] = []
    text = _drop_format(value)
    if text != value:
        found.append(FOLD_INVISIBLE)
    compatible = unicodedata.normalize("NFKC", text)
    if compatible != text:
        found.append(FOLD_CONFUSABLE)
        text = compatible
    if not text.isascii() and not all(_skipped(ch) for ch in text):
        table = ascii_prototypes()
        out = []
        for ch in text:
            proto = ch if ch < "\x80" else (table.get(ch) or _prototype(ch, table))
            if proto is None:
                break
            out.append(proto)
        else:
            text = "".join(out)
            found.append(FOLD_MIXED)
    return text, tuple(found)
