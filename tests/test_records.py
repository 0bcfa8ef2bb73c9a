"""The records' shared ``repr``, ``==`` and ``hash`` (compliance.records) behave as ``dataclasses`` generates them.

Each record class is compared with a twin that ``dataclasses`` builds from the same fields, on real
records of a scan, its inputs and its rule pack: the same text from ``repr``, the same answers from
``==`` (also with each field changed), the same hash, or unhashable alike.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import date
from typing import Any

import pytest
from conftest import EXAMPLES

from compliance.config import Policy
from compliance.engine import Evaluator
from compliance.matching import VendorIndex
from compliance.model import Component
from compliance.readers import load_source, read_source
from compliance.records import FrozenRecord, Record
from compliance.rulepack import load_rule_pack
from compliance.scan import ScanOptions, scan

_TWINS: dict[type, type] = {}


def _twin(cls: type) -> type:
    """``cls`` as plain ``@dataclass`` makes it: same fields, same flags, every method generated."""
    if cls not in _TWINS:
        params = cls.__dataclass_params__  # type: ignore[attr-defined]
        specs = [
            (f.name, f.type, dataclasses.field(repr=f.repr, compare=f.compare, hash=f.hash))
            for f in dataclasses.fields(cls)
        ]
        twin = dataclasses.make_dataclass(cls.__name__, specs, frozen=params.frozen)
        twin.__qualname__ = cls.__qualname__
        _TWINS[cls] = twin
    return _TWINS[cls]


def _as_twin(obj: Any) -> Any:
    return _twin(type(obj))(**{f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)})


def _records() -> list[Any]:
    """One or more real records of every class that uses the shared methods."""
    pack = load_rule_pack([])
    report = scan([str(EXAMPLES / "endpoint-security-suite.cdx.json")], ScanOptions(jurisdictions=["US"], as_of=date(2026, 1, 1)))
    finding = report.findings[0]
    rule = pack.rules[0]
    vendor = next(v for v in pack.vendors.values() if v.products and v.names)
    source = load_source(str(EXAMPLES / "clean-web-app.cdx.json"))
    inventory = read_source(source)
    (match, *_rest) = VendorIndex(pack).match(finding.component)
    evaluator = Evaluator(pack, jurisdictions=["US"], contexts=[], as_of=date(2026, 1, 1))
    return [
        report, report.inputs[0], finding, finding.component, finding.evidence[0], finding.actions[0],
        pack, vendor, vendor.products[0], vendor.names[0], rule, rule.actions[0], rule.sources[0],
        next(iter(pack.contexts.values())), next(iter(pack.jurisdictions.values())), inventory,
        Policy(path="p.yaml", jurisdictions=["US"]), ScanOptions(jurisdictions=["US"], last_input=object()),
        source, match, next(iter(evaluator.outcomes.values())),
    ]


RECORDS = _records()


def test_every_record_class_is_covered() -> None:
    classes = {type(r) for r in RECORDS}
    assert all(issubclass(c, Record) for c in classes) and len(classes) == 21


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_repr_is_the_generated_one(record: Any) -> None:
    assert repr(record) == repr(_as_twin(record))


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_equality_is_the_generated_one(record: Any) -> None:
    twin = _as_twin(record)
    assert record == copy.copy(record) and twin == copy.copy(twin)
    assert record.__eq__(twin) is NotImplemented and (record == twin) is False  # another class
    for f in dataclasses.fields(record):
        changed, twin_changed = copy.copy(record), copy.copy(twin)
        object.__setattr__(changed, f.name, object())
        object.__setattr__(twin_changed, f.name, object())
        assert (record == changed) is (twin == twin_changed) is (not f.compare), f.name


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_hash_is_the_generated_one(record: Any) -> None:
    twin = _as_twin(record)
    if isinstance(record, FrozenRecord):
        try:
            expected = hash(twin)
        except TypeError:  # a frozen record holding an unhashable one (a Match and its Vendor): both refuse
            with pytest.raises(TypeError):
                hash(record)
            return
        assert hash(record) == expected == hash(copy.copy(record))
    else:
        assert type(record).__hash__ is None and type(twin).__hash__ is None
        with pytest.raises(TypeError):
            hash(record)


def test_a_record_inside_itself_is_shown_as_dots() -> None:
    comp = Component("x")
    comp.vendor_fields.append(comp)  # type: ignore[arg-type]
    twin = _as_twin(comp)
    twin.vendor_fields = [twin]
    assert repr(comp) == repr(twin) and "vendor_fields=[...]" in repr(comp)
