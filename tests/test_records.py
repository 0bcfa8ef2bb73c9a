"""The records' written-out ``__init__`` and shared ``repr``, ``==`` and ``hash`` (compliance.records)
behave as ``dataclasses`` generates them.

Each record class is compared with a twin that ``dataclasses`` builds from the same fields, on real
records of a scan, its inputs and its rule pack: the same ``__init__`` signature, the same fields set
from the same arguments (fresh default-factory values, ``__post_init__`` called), the same text from
``repr``, the same answers from ``==`` (also with each field changed), the same hash, or unhashable alike.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from datetime import date
from typing import Any
from unittest import mock

import pytest
from conftest import EXAMPLES

from compliance.config import Policy
from compliance.engine import Evaluator
from compliance.matching import VendorIndex
from compliance.model import Component
from compliance.readers import load_source, read_source
from compliance.records import FACTORY, FrozenRecord, Record
from compliance.rulepack import load_rule_pack
from compliance.scan import ScanOptions, scan

_TWINS: dict[type, type] = {}


def _twin(cls: type) -> type:
    """``cls`` as plain ``@dataclass`` makes it: same fields, same flags, every method generated."""
    if cls not in _TWINS:
        specs = [
            (f.name, f.type, dataclasses.field(
                default=f.default, default_factory=f.default_factory, repr=f.repr, compare=f.compare, hash=f.hash
            ))
            for f in dataclasses.fields(cls)
        ]
        twin = dataclasses.make_dataclass(cls.__name__, specs, frozen=issubclass(cls, FrozenRecord))
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
        next(u for r in pack.rules for u in r.unidentifiable),
    ]


RECORDS = _records()


def test_every_record_class_is_covered() -> None:
    classes = {type(r) for r in RECORDS}
    assert all(issubclass(c, Record) for c in classes) and len(classes) == 22
    # Nothing generated: each generated method is compiled on every start-up (about 0.4 ms an __init__).
    generated = {"__setattr__", "__delattr__", "__repr__", "__eq__", "__hash__"}
    assert sorted(c.__name__ for c in classes if c.__dataclass_params__.init or "__init__" not in vars(c)) == []
    assert sorted(c.__name__ for c in classes if generated & set(vars(c))) == []


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_init_is_the_generated_one(record: Any) -> None:
    cls, twin = type(record), _twin(type(record))
    params, expected = inspect.signature(cls).parameters, inspect.signature(twin).parameters
    assert [(p.name, p.kind) for p in params.values()] == [(p.name, p.kind) for p in expected.values()]
    fields = dataclasses.fields(cls)
    for f in fields:
        default = params[f.name].default
        if f.default_factory is not dataclasses.MISSING:
            assert default is FACTORY and repr(default) == repr(expected[f.name].default) == "<factory>", f.name
        else:
            assert (type(default), default) == (type(expected[f.name].default), expected[f.name].default), f.name
    values = [getattr(record, f.name) for f in fields]
    with mock.patch.object(cls, "__post_init__", create=True) as post_init:
        by_name = cls(**{f.name: v for f, v in zip(fields, values, strict=True)})
        by_position = cls(*values)  # how the rule-pack cache rebuilds a record
    assert post_init.call_count == (2 if "__post_init__" in vars(cls) else 0)
    for made in (by_name, by_position):
        assert all(getattr(made, f.name) is v for f, v in zip(fields, values, strict=True))
    required = {f.name: v for f, v in zip(fields, values, strict=True) if params[f.name].default is inspect.Parameter.empty}
    first, second, generated = cls(**required), cls(**required), twin(**required)
    for f in fields:
        assert getattr(first, f.name) == getattr(generated, f.name), f.name
        if f.default_factory is not dataclasses.MISSING:
            assert getattr(first, f.name) is not getattr(second, f.name), f.name  # fresh for each record


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_records_are_still_dataclasses(record: Any) -> None:
    """``fields``, ``replace``, ``asdict`` and frozen-ness work as on any dataclass."""
    first = dataclasses.fields(record)[0]
    changed = dataclasses.replace(record, **{first.name: "changed"})
    assert getattr(changed, first.name) == "changed" and type(changed) is type(record)
    assert all(getattr(changed, f.name) is getattr(record, f.name) for f in dataclasses.fields(record)[1:])
    assert set(dataclasses.asdict(record)) == {f.name for f in dataclasses.fields(record)}


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_frozen_records_stay_frozen_as_generated(record: Any) -> None:
    """A frozen record refuses to change (the same error and message as the twin); a mutable one changes."""
    twin = _as_twin(record)
    for name in (dataclasses.fields(record)[-1].name, "other"):
        for change in (lambda obj, name=name: setattr(obj, name, "x"), lambda obj, name=name: delattr(obj, name)):
            if isinstance(record, FrozenRecord):
                with pytest.raises(dataclasses.FrozenInstanceError) as raised:
                    change(record)
                with pytest.raises(dataclasses.FrozenInstanceError) as expected:
                    change(twin)
                assert str(raised.value) == str(expected.value)
            elif name != "other":  # (a slotted record has no room for another attribute)
                change(copy.copy(record))


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_records_pickle_and_copy(record: Any) -> None:
    """Parallel scans send records between processes; copies are equal records with the same fields."""
    restored = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(restored) is type(record) and _as_twin(restored) == _as_twin(record)
    for made in (copy.copy(record), copy.deepcopy(record)):
        assert type(made) is type(record) and _as_twin(made) == _as_twin(record)


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
