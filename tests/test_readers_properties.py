"""Property tests for every reader (issue 9, "keep it fixed").

Whatever the bytes, and whatever JSON value of whatever type sits at whatever place of a real-shaped
document, a reader gives an inventory or an ``InputError`` naming the file, never another exception.
A CSV, TSV or line export with any text in any line is held to the same promise. The budget is bounded
and the examples derandomized so the suite stays fast and CI is deterministic.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import assert_clean_error, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reader_seeds import REGRESSIONS, seed_bytes, seeds_by_reader

from compliance.errors import InputError
from compliance.model import Inventory
from compliance.readers import READERS, read_source
from compliance.readers.base import Source

NAMES = [cls.name for cls in READERS]
PATH = "fuzzed-input"
BUDGET = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def read_or_clean_error(data: bytes, reader: str | None) -> Inventory | None:
    """The promise under test: an inventory, or an InputError naming the file; nothing else escapes."""
    try:
        inventory = read_source(Source(PATH, data), reader)
    except InputError as exc:
        assert exc.path == PATH and str(exc).startswith(PATH), str(exc)
        assert "\n" not in exc.message, exc.message
        return None
    assert all(isinstance(p, str) and "\n" not in p for p in inventory.problems)
    for comp in inventory.components:
        assert isinstance(comp.name, str) and isinstance(comp.version, str)
        assert all(isinstance(v, str) for _f, v in comp.vendor_fields)
        assert all(isinstance(v, str) for _k, v, _f in comp.identifiers)
    return inventory


def _places(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document: each object member and array item, at any depth."""
    out = [path]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out.extend(_places(value, (*path, key)))
    elif isinstance(doc, list):
        for i, value in enumerate(doc[:8]):  # the first items are shaped like the rest
            out.extend(_places(value, (*path, i)))
    return out


def _places_by_field(doc: Any) -> list[list[tuple[Any, ...]]]:
    """Places grouped by field name (array items as one group), so every field is drawn as often as
    any other: a rare member such as ``properties[].name`` gets the same chance as ``name``."""
    groups: dict[str, list[tuple[Any, ...]]] = {}
    for place in _places(doc):
        key = "[]" if place and isinstance(place[-1], int) else str(place[-1] if place else "/")
        groups.setdefault(key, []).append(place)
    return [groups[k] for k in sorted(groups)]


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[head] = _replace(doc[head], rest, value)
    return copy


def _json_seeds(reader: str) -> list[Any]:
    docs = []
    for data in seed_bytes(reader):
        try:
            docs.append(json.loads(data.decode("utf-8-sig")))
        except (UnicodeDecodeError, ValueError):
            continue  # a UTF-16 or line-delimited seed: covered by the byte and line properties
    return docs


JSON_READERS = [n for n in NAMES if _json_seeds(n)]
TEXT_READERS = [n for n in NAMES if n not in JSON_READERS]


def test_every_reader_has_seeds() -> None:
    assert all(seeds_by_reader()[n] for n in NAMES), {n: len(s) for n, s in seeds_by_reader().items()}


@pytest.mark.parametrize("reader", [*NAMES, None], ids=[*NAMES, "detect"])
@BUDGET
@given(data=st.binary(max_size=600))
def test_any_bytes(reader: str | None, data: bytes) -> None:
    read_or_clean_error(data, reader)


@pytest.mark.parametrize("reader", NAMES)
@BUDGET
@given(choice=st.data())
def test_mutated_seed_bytes(reader: str, choice: st.DataObject) -> None:
    """Real documents with bytes flipped, cut or inserted: the shapes a corrupted export has."""
    seed = bytearray(choice.draw(st.sampled_from(seed_bytes(reader)), label="seed"))
    for _ in range(choice.draw(st.integers(1, 4), label="edits")):
        at = choice.draw(st.integers(0, len(seed)), label="at")
        op = choice.draw(st.sampled_from(["flip", "cut", "insert"]), label="op")
        if op == "flip" and at < len(seed):
            seed[at] = choice.draw(st.integers(0, 255), label="byte")
        elif op == "cut":
            del seed[at : at + choice.draw(st.integers(1, 64), label="len")]
        else:
            seed[at:at] = choice.draw(st.binary(min_size=1, max_size=16), label="insert")
    read_or_clean_error(bytes(seed), reader)
    read_or_clean_error(bytes(seed), None)


@pytest.mark.parametrize("reader", JSON_READERS)
@BUDGET
@given(choice=st.data(), value=json_values)
def test_any_json_value_at_any_place(reader: str, choice: st.DataObject, value: Any) -> None:
    doc = choice.draw(st.sampled_from(_json_seeds(reader)), label="seed")
    group = choice.draw(st.sampled_from(_places_by_field(doc)), label="field")
    place = choice.draw(st.sampled_from(group), label="place")
    mutated = json.dumps(_replace(doc, place, value)).encode()
    read_or_clean_error(mutated, reader)
    read_or_clean_error(mutated, None)


# One value of every JSON type, and the container shapes readers most often trip on.
WRONG_TYPES: tuple[Any, ...] = (None, True, 0, -1.5, "", "x", [], ["x"], [{}], {}, {"name": ["x"]})


@pytest.mark.parametrize("reader", JSON_READERS)
def test_every_json_type_at_every_place(reader: str) -> None:
    """Exhaustive where it is cheap: every place of every seed (first items of long arrays) holding
    each JSON type in turn. Random values (above) cannot be relied on to reach a rare member."""
    tried = 0
    for doc in _json_seeds(reader):
        for place in _places(doc)[:400]:
            for value in WRONG_TYPES:
                read_or_clean_error(json.dumps(_replace(doc, place, value)).encode(), reader)
                tried += 1
    assert tried > 100


@pytest.mark.parametrize("reader", NAMES)
@BUDGET
@given(choice=st.data(), text=st.text(max_size=80))
def test_any_text_in_any_line(reader: str, choice: st.DataObject, text: str) -> None:
    """CSV/TSV cells and export lines of the wrong shape: quotes, separators, blanks, any characters."""
    raw = choice.draw(st.sampled_from(seed_bytes(reader)), label="seed")
    try:
        lines = raw.decode("utf-8-sig").split("\n")
    except UnicodeDecodeError:
        lines = raw.decode("utf-16", errors="replace").split("\n")
    at = choice.draw(st.integers(0, len(lines) - 1), label="line")
    if choice.draw(st.booleans(), label="whole line"):
        lines[at] = text
    else:
        cells = lines[at].split(choice.draw(st.sampled_from([",", "\t", " ", '"']), label="sep"))
        cells[choice.draw(st.integers(0, len(cells) - 1), label="cell")] = text
        lines[at] = ",".join(cells)
    data = "\n".join(lines).encode("utf-8", errors="surrogatepass")
    read_or_clean_error(data, reader)


@pytest.mark.parametrize("reader", NAMES)
def test_garbage_through_the_cli_is_one_line_and_exit_2(reader: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "garbage.bin"
    path.write_bytes(b"\x00\xff\xfe{[<\x01" * 40)
    proc = run_cli("scan", "-j", "US", "--as-of", "2026-01-01", "--input-format", reader, str(path))
    assert_clean_error(proc, str(path))


REGRESSION_FILES = sorted(p for p in REGRESSIONS.rglob("*") if p.is_file())


@pytest.mark.parametrize("path", REGRESSION_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fuzz_regressions(path) -> None:  # type: ignore[no-untyped-def]
    """Inputs that once crashed a reader (the directory names the reader): read, or a clean error."""
    read_or_clean_error(path.read_bytes(), path.parent.name)
    read_or_clean_error(path.read_bytes(), None)


def test_regression_outcomes_are_the_intended_ones() -> None:
    """Not only no crash: each fixed case now means what it should."""
    by_name = {p.name: p for p in REGRESSION_FILES}
    props = read_source(Source(PATH, by_name["properties-name-list.json"].read_bytes()))
    assert props.problems == ["/components/0/properties/0/name: expected a string, found an array; property ignored"]
    types = read_source(Source(PATH, by_name["type-list.json"].read_bytes()))
    assert [(c.name, c.vendor_fields) for c in types.components] == [("kes", [("suppliedBy", "AO Kaspersky Lab")])]
    with pytest.raises(InputError, match="expected a class name string, found an object") as exc:
        read_source(Source(PATH, by_name["type-object.json"].read_bytes()))
    assert exc.value.where == "/@graph/0/type"
