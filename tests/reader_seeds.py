"""Seed documents per reader, from examples/ and tests/fixtures: real-shaped inputs that property
tests and the fuzz targets mutate. Shared so both start from the same corpus."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from compliance.errors import InputError
from compliance.readers import READERS, detect, load_source

REPO = Path(__file__).resolve().parent.parent
SEED_DIRS = (REPO / "examples", REPO / "tests" / "fixtures")
# Crashing inputs found by fuzzing and fixed: regression fixtures, also seeds.
REGRESSIONS = REPO / "tests" / "fixtures" / "fuzz-regressions"
_SKIP_SUFFIXES = (".md", ".html", ".sarif", ".xml.gz", ".yaml", ".yml")


@lru_cache(maxsize=1)
def seeds_by_reader() -> dict[str, list[Path]]:
    """Every example and fixture file, grouped by the reader that detects it (sorted, deterministic)."""
    out: dict[str, list[Path]] = {cls.name: [] for cls in READERS}
    for base in SEED_DIRS:
        for path in sorted(base.rglob("*")):
            if not path.is_file() or path.name.endswith(_SKIP_SUFFIXES) or "reports" in path.parts:
                continue
            try:
                reader = detect(load_source(str(path)))
            except InputError:
                continue
            out[reader.name].append(path)
    return out


def seed_bytes(reader: str) -> list[bytes]:
    return [p.read_bytes() for p in seeds_by_reader()[reader]]
