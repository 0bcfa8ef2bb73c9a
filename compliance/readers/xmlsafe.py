"""Untrusted XML on the C parser (expat through ElementTree's C ``XMLPullParser``), with no DTD.

A vendor's SBOM or an MDM export is untrusted input. A DTD is the only way XML can declare entities
(billion laughs, external files, network fetches), and the XML grammar allows a DTD only in the
prolog, before the root element. So the prolog is checked first and any ``<!DOCTYPE`` is refused;
after the root element starts, a DTD or an entity declaration is a syntax error and an undeclared
entity reference is an error ("undefined entity"). Nothing can expand.

The bytes are decoded here, not by expat: by BOM, else by the encoding the XML declaration names
(checked to be a known text codec, so ``encoding="WTF-8"`` or ``rot13`` is a clean input error),
else as UTF-8. The decoded text is what the prolog check sees and exactly what the parser gets (a
``str`` fed to the parser is read as that text, whatever its declaration says), chunk by chunk: the
document is never decoded as a whole.
"""

from __future__ import annotations

import codecs
import re
from collections import deque
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from compliance.errors import InputError
from compliance.readers import mapped
from compliance.readers.base import Source, detect_encoding

# Text fed to the parser at a time. Each chunk's events (and the elements they carry) are handled after
# the parser has made all of them: 16 KB of XML (as ``iterparse`` reads) makes a few hundred, still in
# the core's cache when the reader gets to them; a megabyte made ~50,000, and reading a 100,000-component
# SBOM took about 1.5 times as long.
_CHUNK = 1 << 14
_DECLARED = re.compile(rb"""^<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']{0,64})["']""")
DTD_REFUSED = "XML with a DTD (<!DOCTYPE>) is refused: SBOMs and inventories never need one"


# XML 1.0 production [81] EncName: [A-Za-z] ([A-Za-z0-9._] | '-')*
_ENC_NAME = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")


def xml_encoding(source: Source) -> tuple[str, int]:
    """The codec and BOM length: a BOM wins, then the XML declaration, then UTF-8."""
    data = source.data
    encoding, offset = detect_encoding(data)
    if offset or encoding != "utf-8":
        return encoding, offset
    m = _DECLARED.match(data[:256])
    if m is None:
        return "utf-8", 0
    name = m.group(1).decode("ascii", "replace").strip()
    if not _ENC_NAME.fullmatch(name):  # a NUL byte made codecs.lookup raise ValueError: an internal error
        raise InputError(
            source.path, f"the XML declaration's encoding {name!r} is not an encoding name (XML 1.0 EncName)",
            where="line 1",
        )
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise InputError(source.path, f"the XML declaration names an unknown encoding {name!r}", where="line 1") from None
    if not getattr(info, "_is_text_encoding", True):
        raise InputError(source.path, f"the XML declaration names {name!r}, which is not a text encoding", where="line 1")
    return info.name, 0


def _chunks(source: Source) -> Iterator[str]:
    """The document as text, ``_CHUNK`` bytes at a time; undecodable bytes are an error at their offset."""
    data = source.data
    encoding, offset = xml_encoding(source)
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    released = offset
    try:
        for start in range(offset, len(data), _CHUNK):
            end = start + _CHUNK
            text = decoder.decode(view[start:end], end >= len(data))
            if text:
                yield text
            if end - released >= mapped.RELEASE_EVERY:  # a mapped file's pages passed are given back
                mapped.release(data, end)
                released = end
    except UnicodeDecodeError:
        try:  # error path: the whole text names the first bad byte exactly, even one a chunk split
            data[offset:].decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(
                source.path, f"not valid {encoding.upper()} text ({exc.reason})", where=f"byte {offset + exc.start}"
            ) from None
        raise  # not reached: a strict decoder refuses the whole text where it refused a part of it


def _prolog_end(text: str) -> int | None:
    """Where the root element starts, or None when more text is needed. Refuses a DTD."""
    pos = 0
    n = len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n\ufeff":
            pos += 1
        if pos >= n:
            return None
        if text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
            if end < 0:
                return None
            pos = end + 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            if end < 0:
                return None
            pos = end + 3
        elif text.startswith("<!", pos):
            if n - pos < 9:
                return None
            if text.startswith("<!DOCTYPE", pos):
                raise _Refused
            return pos  # anything else is not well-formed: the parser reports it
        else:
            return pos  # the root element (or text the parser rejects)


class _Refused(Exception):
    pass


def xml_event_batches(source: Source, events: tuple[str, ...] = ("start", "end")) -> Iterator[deque[Any]]:
    """Parse events from the C parser, after the prolog check, a batch per chunk of text.

    Each batch is the parser's own queue of ``(event, element)`` pairs: draining it directly saves a
    Python generator step per element (``XMLPullParser.read_events``), which is most of the cost of
    reading a large SBOM. Errors are ``InputError``s.
    """
    parser = XMLPullParser(events=events)
    queue: deque[Any] = parser._events_queue  # type: ignore[attr-defined]  # what read_events drains
    prolog: list[str] = []
    checked = False
    size = recheck = 0  # the prolog so far, and its size at which to look at it again
    try:
        for text in _chunks(source):
            if not checked:
                prolog.append(text)
                size += len(text)
                if size < recheck:
                    continue
                head = "".join(prolog)
                if _prolog_end(head) is None:
                    # Looked at again once it has doubled: a long prolog (a megabyte-long comment) is
                    # joined and scanned a logarithmic number of times, not once per chunk.
                    prolog[:] = [head]
                    recheck = 2 * size
                    continue
                checked = True
                prolog.clear()
                text = head
            parser.feed(text)
            yield _checked(queue)
        if not checked and prolog:
            head = "".join(prolog)
            _prolog_end(head)  # refuses a DTD even in a document that ends inside it
            parser.feed(head)
        parser.close()
        yield _checked(queue)
    except _Refused:
        raise InputError(source.path, DTD_REFUSED) from None
    except ParseError as exc:
        line, col = getattr(exc, "position", (None, None))
        reason = str(exc).split(":")[0]
        if "no element found" in str(exc):
            reason = "truncated XML (no element found)"
        raise InputError(source.path, f"invalid XML ({reason})", where=f"line {line} column {col}") from None


def _checked(queue: deque[Any]) -> deque[Any]:
    """The pull parser queues a syntax error after the events before it: raise it first."""
    if queue and isinstance(queue[-1], BaseException):
        raise queue[-1]
    return queue


def iter_xml(source: Source, events: tuple[str, ...] = ("start", "end")) -> Iterator[tuple[str, Element]]:
    """``(event, element)`` pairs one at a time, for small documents."""
    for batch in xml_event_batches(source, events):
        while batch:
            yield batch.popleft()


def parse_xml(source: Source) -> Element:
    """The whole tree, for small documents (a Jamf device record): same checks as ``iter_xml``."""
    root: Element | None = None
    for _event, el in iter_xml(source, ("start",)):
        if root is None:
            root = el
    if root is None:
        raise InputError(source.path, "invalid XML (no element found)", where="line 1 column 0")
    return root
