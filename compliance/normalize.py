"""Name normalisation: compare vendor and product names token by token, never by substring.

"AO Kaspersky Lab", "Kaspersky Lab, Inc." and "KASPERSKY LAB ZAO" all become ``("kaspersky", "lab")``.
Legal forms, case, accents and punctuation are folded away. A name that is nothing but legal forms
("Co., Ltd.") normalises to the empty tuple, and the empty tuple never matches anything.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Legal forms and corporate suffixes, written as tokens after normalisation.
LEGAL_FORMS = frozenset(
    ["ao", "zao", "oao", "pao", "ooo", "ojsc", "cjsc", "jsc", "pjsc", "llc", "llp", "lp", "ltd", "ltda", "limited", "inc", "incorporated", "corp", "corporation", "co", "company", "cos", "plc", "pte", "pty", "pvt", "private", "gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "ug", "se", "sa", "sas", "sasu", "sarl", "srl", "spa", "sl", "slu", "sro", "as", "asa", "ab", "oy", "oyj", "aps", "bv", "nv", "vof", "kk", "kabushiki", "kaisha", "yk", "gk", "sdn", "bhd", "tbk", "jsc", "the", "ао", "зао", "оао", "пао", "ооо"]
)

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


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.casefold()


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """Case-, accent- and punctuation-folded tokens, legal forms kept."""
    return tuple(t for t in _NON_WORD.split(_fold(text)) if t)


def _strip_cjk_suffix(token: str) -> str:
    for suffix in CJK_LEGAL_SUFFIXES:
        if token.endswith(suffix) and len(token) > len(suffix):
            return token[: -len(suffix)]
    return token


# Spellings of the same legal form, folded to one designator so that "Co., Ltd." equals "Company Limited".
# Words that are not designators ("the") are absent and never count as a legal form.
_FORM_SYNONYMS = {
    "incorporated": "inc", "corporation": "corp", "limited": "ltd", "company": "co", "cos": "co",
    "mbh": "gmbh", "private": "pvt", "kabushiki": "kk", "kaisha": "kk",
    "ао": "ao", "зао": "zao", "оао": "oao", "пао": "pao", "ооо": "ooo",
}
_CJK_FORMS = {
    "股份有限公司": ("co", "ltd"), "有限责任公司": ("co", "ltd"), "有限責任公司": ("co", "ltd"),
    "有限公司": ("co", "ltd"), "株式会社": ("kk",), "公司": ("co",),
}


@lru_cache(maxsize=65536)
def org_name(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """Tokens of an organisation name with legal forms removed, and the legal forms removed.

    Dotted abbreviations ("S.A.", "L.L.C.") collapse first so that their letters do not survive
    as separate tokens. The forms are kept apart because they tell companies apart: "Pacific Networks
    Corp." and "Pacific Networks Inc." have the same tokens but are not the same company.
    """
    raw = _fold(text)
    raw = re.sub(r"\b(?:[a-z]\.){2,}", lambda m: m.group(0).replace(".", ""), raw)
    out: list[str] = []
    forms: set[str] = set()
    for tok in _NON_WORD.split(raw):
        if not tok:
            continue
        if tok in LEGAL_FORMS:
            if tok != "the":
                forms.add(_FORM_SYNONYMS.get(tok, tok))
            continue
        if tok in CJK_LEGAL_SUFFIXES:
            forms.update(_CJK_FORMS[tok])
            continue
        stripped = _strip_cjk_suffix(tok)
        if stripped != tok:
            forms.update(_CJK_FORMS[tok[len(stripped):]])
        out.append(stripped)
    return tuple(out), frozenset(forms)


def org_tokens(text: str) -> tuple[str, ...]:
    """Tokens of an organisation name with legal forms removed (see ``org_name``)."""
    return org_name(text)[0]


def forms_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two names with the same tokens are different companies when both give a legal form and neither
    form set contains the other ("Corp." vs "Inc."); "Co." vs "Co., Ltd." is one company written twice."""
    return bool(a) and bool(b) and not (a <= b or b <= a)


# Words that qualify a product name without changing which product it is.
PRODUCT_QUALIFIERS = frozenset(
    ["for", "windows", "win", "win32", "win64", "mac", "macos", "osx", "os", "x", "linux", "android", "ios", "ipados", "iphone", "ipad", "desktop", "x64", "x86", "x86_64", "amd64", "arm64", "aarch64", "64", "32", "bit", "64bit", "32bit", "app", "application", "edition"]
)


@lru_cache(maxsize=131072)
def product_tokens(text: str) -> tuple[str, ...]:
    """Tokens of a product name with trailing platform words and version numbers removed.

    "Kaspersky Endpoint Security for Windows (x64) 12.1" -> ("kaspersky", "endpoint", "security").
    Only trailing qualifiers go: "WeChat Open SDK" keeps "open sdk" and so is not "WeChat".
    """
    toks = list(tokens(text))
    while toks and (toks[-1] in PRODUCT_QUALIFIERS or toks[-1].isdigit() or _is_version(toks[-1])):
        toks.pop()
    return tuple(toks)


_VERSION = re.compile(r"^v?\d+[a-z]?\d*$")


def _is_version(tok: str) -> bool:
    return bool(_VERSION.match(tok))


def is_distinctive(toks: tuple[str, ...]) -> bool:
    """A name must keep something distinctive after folding; otherwise it may match nothing."""
    if not toks:
        return False
    return any(len(t) >= 2 or not t.isascii() for t in toks if not t.isdigit())
