"""Untrusted text on its way out: to a terminal, into a report, into an error line.

Every string that comes from an input, a file name, a waiver file or an organisation rule pack is
untrusted. One helper per rule, so every output path applies the rule the same way:

- ``for_terminal``: control, bidi and line-separator characters become visible escapes (``\\x1b``,
  ``\\u202e``), so nothing an input says can move the cursor, retitle the window, clear the screen,
  fake a line of output or reorder what the reader sees.
- ``path_text``: a file name that is not valid UTF-8 (``os.fsdecode`` keeps its bytes as lone
  surrogates, which no UTF-8 writer accepts) becomes text with ``\\xNN`` escapes.
- ``quoted`` and ``capped``: a value quoted in an error message is cut at ``QUOTE_LIMIT`` characters
  and a whole error line at ``LINE_LIMIT``, so an error never echoes megabytes of input.
"""

from __future__ import annotations

import os
import re
import reprlib
from functools import cache

QUOTE_LIMIT = 80
LINE_LIMIT = 4000

# C0 controls except TAB, DEL, C1 controls, the Arabic letter mark, LRM/RLM, the line and paragraph
# separators, the bidi embeddings/overrides and isolates, and lone surrogates.
_OTHER_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_TERMINAL_UNSAFE = f"\n{_OTHER_UNSAFE}"
_TERMINAL_UNSAFE_IN_TEXT = _OTHER_UNSAFE  # keeps LF
_SURROGATE = "\ud800-\udfff"
# Containers are summarised, never walked whole: a value may be huge.
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 3, QUOTE_LIMIT, QUOTE_LIMIT
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 6


@cache
def _chars(ranges: str) -> re.Pattern[str]:
    """The pattern of one character class, compiled on first use.

    These classes take ~2.5 ms to compile, and the plain-ASCII fast paths below mean most runs never
    need them: compiling them at import cost every scan that time.
    """
    return re.compile(f"[{ranges}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # a byte that os.fsdecode could not decode (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: object) -> str:
    """``text`` with every character that a terminal would act on shown as an escape instead."""
    if text is None:
        return ""
    s = text if isinstance(text, str) else str(text)
    if s.isascii() and s.isprintable():
        return s
    return _chars(_TERMINAL_UNSAFE).sub(_escape, s)


def for_terminal_text(text: str) -> str:
    """``for_terminal`` for a multi-line document: keeps its line breaks (LF), escapes everything else."""
    if text.isascii() and text.replace("\n", "").isprintable():
        return text
    return _chars(_TERMINAL_UNSAFE_IN_TEXT).sub(_escape, text)


def path_text(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> str:
    """A file name as text any format can encode: undecodable bytes become ``\\xNN``."""
    s = os.fsdecode(path)
    if s.isascii():
        return s
    return _chars(_SURROGATE).sub(_escape, s)


def capped(text: str, limit: int = LINE_LIMIT) -> str:
    """``text`` cut at ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr`` of a value for an error message, cut at ``limit`` characters of its text."""
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return f"{value[:limit]!r}... ({len(value):,} characters)"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"an integer of {value.bit_length():,} bits"
    return capped(_REPR.repr(value), limit)
