"""Parsing of package URLs, CPEs and reverse-DNS identifiers into comparable keys.

These run once per component on the scan path, so they are small string operations, not a full
spec validator. Malformed identifiers give ``None`` (they simply do not match); they are never an error,
because real SBOMs carry plenty of them.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=131072)
def purl_key(purl: str) -> str | None:
    """``pkg:Type/Name/Space/Name@1.0?q=1#sub`` -> ``"type/name/space/name"`` (lower-cased, decoded).

    Versions, qualifiers and subpaths are dropped: identity is the package, not the release.
    """
    if not purl.startswith("pkg:"):
        return None
    body = purl[4:].lstrip("/")
    body = body.split("#", 1)[0].split("?", 1)[0]
    slash = body.rfind("/")
    at = body.rfind("@")
    if at > slash:
        body = body[:at]
    if "%" in body:
        from urllib.parse import unquote  # only for escaped purls: not on every scan's start-up

        body = "/".join(unquote(p) for p in body.split("/"))
    if "//" in body:
        body = "/".join(p for p in body.split("/") if p)
    if body.find("/") <= 0 or body.endswith("/"):
        return None
    return body.lower()



def path_prefixes_in(key: str, sep: str, known: frozenset[str] | set[str]) -> list[str]:
    """Prefixes of ``key`` at ``sep`` boundaries that are in ``known``, longest first.

    ``known`` holds every prefix of every catalog entry, so the walk stops at the first miss:
    for ``org.example.lib`` that is usually after one probe.
    """
    found: list[str] = []
    start = 0
    while True:
        cut = key.find(sep, start)
        prefix = key if cut < 0 else key[:cut]
        if prefix not in known:
            break
        found.append(prefix)
        if cut < 0:
            break
        start = cut + 1
    found.reverse()
    return found


_CPE_SPLIT = re.compile(r"(?<!\\):")


@lru_cache(maxsize=65536)
def cpe_vendor_product(cpe: str) -> tuple[str, str] | None:
    """Vendor and product of a CPE 2.3 formatted string or a CPE 2.2 URI, lower-cased."""
    text = cpe.strip()
    low = text.lower()
    if low.startswith("cpe:2.3:"):
        # Only an escaped colon needs the regular expression; most CPEs have no backslash at all.
        fields = _CPE_SPLIT.split(text) if "\\" in text else text.split(":", 5)
        if len(fields) < 5:
            return None
        vendor, product = fields[3], fields[4]
    elif low.startswith("cpe:/"):
        fields = text[5:].split(":")
        if len(fields) < 3:
            return None
        vendor, product = fields[1], fields[2]
        from urllib.parse import unquote

        vendor, product = unquote(vendor), unquote(product)
    else:
        return None
    vendor = vendor.replace("\\", "").lower()
    product = product.replace("\\", "").lower()
    if vendor in ("", "*", "-"):
        return None
    return vendor, product



_REGID = re.compile(r"regid\.\d{4}-\d{2}\.([A-Za-z0-9.-]+)")


def swid_namespace(tag: str) -> str | None:
    """The reverse domain inside a SWID regid (``regid.2006-05.com.kaspersky`` -> ``com.kaspersky``)."""
    m = _REGID.search(tag)
    if not m:
        return None
    return m.group(1).strip(".").lower() or None


def pypi_name(name: str) -> str:
    """PEP 503 normalised project name, as PyPI purls carry it (``Foo_Bar`` -> ``foo-bar``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def winget_publisher(identifier: str) -> str:
    """winget ids are ``Publisher.Package``; the publisher part is chosen by the manifest author."""
    return identifier.split(".", 1)[0].lower()
