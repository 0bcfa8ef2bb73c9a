"""Cut or corrupted inventory files give an InputError with a place, never a crash or a silent pass."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from compliance.errors import InputError
from compliance.readers import read_source
from compliance.readers.base import Source

FIX = Path(__file__).parent / "fixtures" / "inventories"
FILES = sorted(p for p in FIX.rglob("*") if p.is_file())


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIX)))
def test_truncations_never_crash(path: Path) -> None:
    data = path.read_bytes()
    for cut in range(1, len(data), max(1, len(data) // 40)):
        src = Source(str(path), data[:cut])
        try:
            inv = read_source(src)
        except InputError as exc:
            assert str(path) in str(exc)
            continue
        assert inv.components is not None


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIX)))
def test_wrong_types_never_crash(path: Path) -> None:
    text = path.read_bytes()
    for old, new in ((b'"', b"1"), (b"[", b"{"), (b":", b","), (b'"name"', b'"nome"')):
        i = text.find(old, len(text) // 3)
        if i < 0:
            continue
        mutated = text[:i] + new + text[i + len(old) :]
        with contextlib.suppress(InputError):
            read_source(Source(str(path), mutated))
