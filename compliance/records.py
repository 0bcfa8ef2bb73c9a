"""``__repr__``, ``__eq__`` and ``__hash__`` for the record dataclasses, written once instead of per class.

In Python 3.11 ``@dataclass`` writes the source of every method it generates and compiles it with
``exec`` as the class is created: for the twenty-one record classes a scan imports, sixty-odd
compilations and more than a third of its own start-up. So none is generated:

- ``__init__`` is written out in each class (``@dataclass(init=False, ...)``), compiled into the
  module's bytecode like any method. It takes the fields in order, with their defaults; a field with a
  ``default_factory`` defaults to ``FACTORY`` and gets a fresh value; a frozen record sets its fields
  with ``object.__setattr__``; ``__post_init__`` is called last where a class has one. Exactly what
  the generated one does (``fields``, ``replace`` and ``asdict`` work as on any dataclass).

``__repr__``, ``__eq__``, ``__hash__`` and a frozen record's ``__setattr__`` and ``__delattr__`` come
from these base classes, and behave exactly as the generated ones:

- ``repr``: ``QualName(field=value!r, ...)`` over the fields with ``repr=True``, ``...`` for a record
  already being shown further up the same call (a cycle);
- ``==``: the tuples of the ``compare=True`` fields when both are of exactly the same class, else
  ``NotImplemented``;
- ``hash``: ``Record`` is unhashable (as a mutable dataclass with ``eq``); ``FrozenRecord`` hashes the
  tuple of its hashed fields (as a frozen one);
- frozen: a ``FrozenRecord``'s fields cannot be set or deleted (``FrozenInstanceError``, the same
  message); it pickles and copies as a call of its constructor.

A record class is ``@dataclass(init=False, [slots=True,] repr=False, eq=False)`` on ``Record``, or on
``FrozenRecord`` for a frozen one (``slots=True`` where a run makes many); ``tests/test_records.py``
checks each against the methods ``dataclasses`` generates for a twin (``frozen=True`` for a
``FrozenRecord``), ``__init__``'s signature included.
"""

from __future__ import annotations

from _thread import get_ident
from collections.abc import Callable
from dataclasses import Field, FrozenInstanceError, fields
from operator import attrgetter
from typing import Any

# Per class: the getter of the compared fields' values, and of the hashed ones (a tuple either way).
_COMPARED: dict[type, Callable[[Any], tuple]] = {}
_HASHED: dict[type, Callable[[Any], tuple]] = {}
_ALL: dict[type, Callable[[Any], tuple]] = {}  # every field's value: what a frozen record is pickled as
_REPR_RUNNING: set[tuple[int, int]] = set()


class _Factory:
    """The type of ``FACTORY``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<factory>"  # as the generated ``__init__``'s signature shows such a default


# The default of an ``__init__`` parameter whose field has a ``default_factory``: the field then gets a
# fresh value, exactly as from the ``__init__`` dataclasses generates (``None`` could not tell an
# explicit ``None`` apart).
FACTORY: Any = _Factory()


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple]:
    if len(names) >= 2:
        return attrgetter(*names)  # a tuple of the values, in C
    return lambda obj: tuple(getattr(obj, n) for n in names)


def _values_of(
    store: dict[type, Callable[[Any], tuple]], cls: type, keep: Callable[[Field], bool]
) -> Callable[[Any], tuple]:
    """The getter of the values of ``cls``'s fields that ``keep`` selects, made once per class."""
    get = store.get(cls)
    if get is None:
        get = store[cls] = _getter(tuple(f.name for f in fields(cls) if keep(f)))
    return get


def _is_compared(f: Field) -> bool:
    return f.compare


def _is_hashed(f: Field) -> bool:
    return f.compare if f.hash is None else f.hash


def _any_field(f: Field) -> bool:
    return True


class Record:
    """Base of a mutable record dataclass (declared with ``repr=False, eq=False``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        key = (id(self), get_ident())
        if key in _REPR_RUNNING:
            return "..."
        _REPR_RUNNING.add(key)
        try:
            shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)  # type: ignore[arg-type]
            return f"{self.__class__.__qualname__}({shown})"
        finally:
            _REPR_RUNNING.discard(key)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            get = _values_of(_COMPARED, self.__class__, _is_compared)
            return get(self) == get(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class FrozenRecord(Record):
    """Base of a frozen record dataclass (declared with ``init=False, repr=False, eq=False``).

    Its fields are set once, by the class's ``__init__`` (with ``object.__setattr__``); setting or
    deleting one afterwards raises ``FrozenInstanceError``, as on a ``frozen=True`` dataclass.
    """

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[type, tuple]:
        """Pickled and copied as a call of the constructor with the field values, in field order
        (``__init__`` takes every field): restoring the fields one by one would meet ``__setattr__``."""
        cls = self.__class__
        return cls, _values_of(_ALL, cls, _any_field)(self)

    def __hash__(self) -> int:
        return hash(_values_of(_HASHED, self.__class__, _is_hashed)(self))
