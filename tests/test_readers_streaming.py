"""Streaming readers (CSV and line formats, CycloneDX JSON/XML, Jamf XML) read exactly what the
whole-document readers of 0.1 read.

``fixtures/streaming/before-streaming.json`` was written by the 0.1 readers (which decoded the whole
text, materialised every row and parsed XML with defusedxml) from every fixture and example these
readers handle: every component with every field and location, and the readers' metadata.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from compliance.model import Inventory
from compliance.readers import detect, load_source

REPO = Path(__file__).resolve().parent.parent
SNAPSHOT = json.loads((REPO / "tests" / "fixtures" / "streaming" / "before-streaming.json").read_text(encoding="utf-8"))


def snapshot(inv: Inventory) -> dict[str, Any]:
    comps = [
        [c.name, c.version, [list(v) for v in c.vendor_fields], [list(i) for i in c.identifiers], c.purl, c.bom_ref,
         c.location, c.type]
        for c in inv.components
    ]
    meta = json.loads(json.dumps(inv.metadata, default=str, sort_keys=True))
    if inv.format.startswith("cyclonedx"):
        meta = {"specVersion": meta["specVersion"]}
    return {"format": inv.format, "components": comps, "metadata": meta}


@pytest.mark.parametrize("rel", sorted(SNAPSHOT))
def test_streaming_reader_reads_what_the_whole_document_reader_read(rel: str) -> None:
    source = load_source(str(REPO / rel))
    inv = detect(source).read(source)
    got = snapshot(inv)
    want = SNAPSHOT[rel]
    assert got["format"] == want["format"]
    assert got["components"] == want["components"]
    # Readers may add metadata keys; every key they had keeps its value.
    assert {k: got["metadata"].get(k) for k in want["metadata"]} == want["metadata"]
