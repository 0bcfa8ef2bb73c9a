"""Property tests for the untrusted YAML files (issue 9, "keep it fixed"): waivers and rule packs.

Whatever the bytes, whatever YAML-shaped text (tags, anchors, flow and block nesting), and whatever JSON
value of whatever type sits at whatever place of a real waiver or rule, loading gives a result or one
clean line naming the file, never another exception. The budget is bounded and derandomized.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from test_readers_properties import BUDGET, _places, json_values
from test_rules_validate import MANIFEST, RULE, VENDORS, write_pack

from compliance.errors import UsageError
from compliance.rulepack.validate import validate
from compliance.waivers import WaiverSet, load_waivers

WAIVER = {"rule": "US-*", "purl": "pkg:generic/kaspersky/endpoint", "name": "KES", "reason": "r", "expires": "2030-01-01"}

# Text made of YAML's own syntax, line by line, so the loader's tag, anchor, nesting and scalar paths
# are all reached: indentation, "- ", a key, a tag or anchor, a scalar or a flow collection.
_TAGS = ["", "", "!!int ", "!!float ", "!!timestamp ", "!!binary ", "!!set ", "!!str ", "!!map ", "!!seq ",
         "!!omap ", "!!bool ", "!!null ", "!!python/name:os.system ", "&a ", "*a ", "!local "]
_SCALARS = ["abc", "9" * 60, "2025-02-30", "2025-01-31", "0x1F", "0o7", ".inf", "1e999", "~", "'q'", '"\\e[2J"', "[a, *a]",
            "{<<: {x: 1}}", "[[[[[[]]]]]]", "{a: [b, {c: d}]}", "|\n  block", "x\x1b]0;t\x07", "", "-", ":"]
_KEYS = ["", "rule: ", "reason: ", "waivers: ", "expires: ", "name: ", "<<: ", "? ", "rules: ", "id: "]
_line = st.tuples(st.sampled_from(["", "  ", "    ", "\t"]), st.sampled_from(["", "- "]), st.sampled_from(_KEYS),
                  st.sampled_from(_TAGS), st.sampled_from(_SCALARS)).map("".join)
yaml_text = st.lists(_line, max_size=8).map("\n".join)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def waivers_or_clean_error(path: Path, data: bytes) -> WaiverSet | None:
    path.write_bytes(data)
    try:
        return load_waivers(str(path))
    except UsageError as exc:
        assert str(exc).startswith(f"{path}: "), str(exc)
        assert "\n" not in str(exc) and len(str(exc)) < 5000, str(exc)[:300]
        return None


def pack_problems(root: Path, rules_file: bytes) -> list[str]:
    (root / "jurisdictions" / "XX.yaml").write_bytes(rules_file)
    result = validate([root])
    for line in result.problems:
        assert "\n" not in line and len(line) < 5000, line[:300]
    return result.problems


def _set(doc: Any, place: tuple[Any, ...], value: Any) -> Any:
    if not place:
        return value
    out = copy.deepcopy(doc)
    target = out
    for key in place[:-1]:
        target = target[key]
    target[place[-1]] = value
    return out


@BUDGET
@given(data=st.binary(max_size=400))
def test_any_bytes_as_a_waiver_file(workdir: Path, data: bytes) -> None:
    waivers_or_clean_error(workdir / "bytes.yaml", data)


@BUDGET
@given(text=yaml_text)
def test_any_yaml_shaped_text_as_a_waiver_file(workdir: Path, text: str) -> None:
    waivers_or_clean_error(workdir / "text.yaml", text.encode("utf-8", "surrogatepass"))


@BUDGET
@given(data=st.data(), value=json_values)
def test_any_value_at_any_place_of_a_waiver(workdir: Path, data: st.DataObject, value: Any) -> None:
    doc = {"waivers": [WAIVER]}
    place = data.draw(st.sampled_from(_places(doc)))
    text = yaml.safe_dump(_set(doc, place, value), allow_unicode=True)
    waivers_or_clean_error(workdir / "value.yaml", text.encode("utf-8", "surrogatepass"))


@pytest.fixture(scope="module")
def pack(workdir: Path) -> Path:
    return write_pack(workdir / "pack", manifest=copy.deepcopy(MANIFEST), vendors=copy.deepcopy(VENDORS))


@BUDGET
@given(data=st.binary(max_size=400))
def test_any_bytes_as_a_rule_pack_file(pack: Path, data: bytes) -> None:
    pack_problems(pack, data)


@BUDGET
@given(text=yaml_text)
def test_any_yaml_shaped_text_as_a_rule_pack_file(pack: Path, text: str) -> None:
    pack_problems(pack, text.encode("utf-8", "surrogatepass"))


@BUDGET
@given(data=st.data(), value=json_values)
def test_any_value_at_any_place_of_a_rule(pack: Path, data: st.DataObject, value: Any) -> None:
    doc = {"rules": [RULE]}
    place = data.draw(st.sampled_from(_places(doc)))
    pack_problems(pack, yaml.safe_dump(_set(doc, place, value), allow_unicode=True).encode("utf-8", "surrogatepass"))
