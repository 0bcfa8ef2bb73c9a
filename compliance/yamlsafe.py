"""The one way complycheck reads YAML it did not write: waiver files, rule packs, the config file.

These files are untrusted (an organisation pack or a project's ``.complycheck.yaml`` may come from
anyone), so loading is bounded and every failure is one line ``FILE: line N: message``:

- only regular files, opened without blocking (a FIFO or a device is refused, never waited on);
- at most ``MAX_BYTES`` bytes, strict UTF-8;
- no anchors or aliases (``&a`` / ``*a``): they buy nothing in these files and are how a few lines
  expand into billions of values (the "billion laughs" alias bomb);
- nesting at most ``MAX_DEPTH`` deep and at most ``MAX_NODES`` values, checked while parsing, so a
  hostile file stops early instead of exhausting the stack (libyaml's composer crashes on deep nests);
- integers of at most ``MAX_INT_DIGITS`` characters; any value a tag cannot build (``!!int abc``,
  ``!!float abc``, ``!!timestamp nope``) is an error at its line, never an internal error;
- dates stay strings (no implicit timestamps), so each caller checks them against its own entry;
- a mapping key given twice is an error naming both lines (``key 'fail_on' given twice (first at
  line 2)``): YAML would silently keep the last value, so a reviewer reading the first
  ``fail_on: fail`` or ``expires:`` would not read what complycheck reads. Keys are compared as
  built (``on``/``true``, ``1``/``0x1`` are the same key), merge keys (``<<``) included.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.resolver import Resolver

from compliance.errors import UsageError
from compliance.untrusted import path_text, quoted

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 500_000
MAX_INT_DIGITS = 40

try:  # libyaml's parser when PyYAML was built with it
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - pure-Python PyYAML

    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)


class YamlFileError(UsageError):
    """A YAML file that cannot be used: ``FILE: line N: message`` (the line when one is known)."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}: line {line}: {message}" if line else f"{path}: {message}")


class _Refused(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.line = mark.line + 1 if mark is not None else None
        self.message = message


class _Resolver(Resolver):
    """YAML 1.1 implicit types without timestamps: ``2025-01-31`` stays the string the caller checks."""


_Resolver.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in Resolver.yaml_implicit_resolvers.items()
}


class _Constructor(SafeConstructor):
    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (_Refused, yaml.YAMLError, RecursionError, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - a tag that cannot build its value is the file's fault
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            value = quoted(node.value) if isinstance(node, ScalarNode) else "this value"
            raise _Refused(node.start_mark, f"{value} is not a valid {tag} value ({type(exc).__name__})") from None

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        """The base mapping, after refusing a key given twice (PyYAML keeps the last one silently)."""
        if isinstance(node, MappingNode):
            self.flatten_mapping(node)  # merge keys (``<<: {...}``) become ordinary pairs first
            first: dict[Any, Node] = {}
            for key_node, _value in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    earlier = first.setdefault(key, key_node)
                except TypeError:
                    continue  # an unhashable key: the base class refuses it with its own mark
                if earlier is not key_node:
                    raise _Refused(
                        key_node.start_mark,
                        f"key {quoted(str(key))} given twice (first at line {earlier.start_mark.line + 1})",
                    )
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

    def construct_yaml_int(self, node: ScalarNode) -> int:
        if len(node.value) > MAX_INT_DIGITS:
            raise _Refused(node.start_mark, f"integer of {len(node.value):,} characters (at most {MAX_INT_DIGITS})")
        return super().construct_yaml_int(node)  # type: ignore[no-any-return]


_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)


_ALIAS, _SCALAR, _START, _END = 1, 2, 3, 4
_EVENT_KIND = {
    AliasEvent: _ALIAS,
    ScalarEvent: _SCALAR,
    SequenceStartEvent: _START,
    MappingStartEvent: _START,
    SequenceEndEvent: _END,
    MappingEndEvent: _END,
}


class _Loader(_Parser, Composer, _Constructor, _Resolver):  # type: ignore[misc, valid-type]
    """``SafeLoader`` (on libyaml when present) with the bounded constructor and no timestamps."""

    def __init__(self, text: str) -> None:
        _Parser.__init__(self, text)
        Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


def _check_events(text: str) -> None:
    """Walk the parser's events once, before anything is built: refuse aliases, depth, sheer size.

    Events come one at a time, so a hostile file is stopped at the first event over a limit, long
    before libyaml's recursive composer could overflow the stack on it.
    """
    parser = _Parser(text)
    depth = nodes = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            kind = _EVENT_KIND.get(type(event), 0)
            if not kind:
                continue
            if kind == _END:
                depth -= 1
                continue
            if kind == _ALIAS or event.anchor is not None:
                raise _Refused(event.start_mark, "YAML anchors and aliases (&name, *name) are not allowed")
            nodes += 1
            if nodes > MAX_NODES:
                raise _Refused(event.start_mark, f"more than {MAX_NODES:,} values")
            if kind == _START:
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Refused(event.start_mark, f"nested more than {MAX_DEPTH} levels deep")
    finally:
        parser.dispose()


def read_text(path: str | Path, *, max_bytes: int = MAX_BYTES, what: str = "file") -> str:
    """The UTF-8 text of a regular file of at most ``max_bytes``; anything else is a ``YamlFileError``.

    The file is opened non-blocking and checked with ``fstat`` before any read, so a FIFO without a
    writer is refused at once instead of hanging the run.
    """
    name = path_text(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise YamlFileError(name, f"cannot read {what}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise YamlFileError(name, f"cannot read {what}: not a regular file")
        if info.st_size > max_bytes:
            raise YamlFileError(name, f"{what} is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise YamlFileError(name, f"cannot read {what}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise YamlFileError(name, f"{what} is over the {max_bytes:,}-byte limit")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlFileError(name, f"{what} is not UTF-8 text", data.count(b"\n", 0, exc.start) + 1) from None


def parse_yaml(text: str, name: str) -> Any:
    """One YAML document from ``text`` under the limits above; ``name`` is the file shown in errors."""
    return parse_yaml_node(text, name)[0]


def parse_yaml_node(text: str, name: str) -> tuple[Any, Node | None]:
    """``parse_yaml`` and the document's node tree (for the line of each key), from one parse.

    The same parser builds both, so a file accepted here can never fail a second, different parser
    (libyaml accepts a TAB after a key, the pure-Python scanner does not).
    """
    loader: _Loader | None = None
    try:
        _check_events(text)
        loader = _Loader(text)
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    except _Refused as exc:
        raise YamlFileError(name, exc.message, exc.line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise YamlFileError(name, f"invalid YAML: {problem}", mark.line + 1 if mark is not None else None) from None
    except RecursionError:
        raise YamlFileError(name, "invalid YAML: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_yaml(path: str | Path, *, max_bytes: int = MAX_BYTES, what: str = "file") -> Any:
    """Read and parse one untrusted YAML file: ``YamlFileError`` (a ``UsageError``) on any problem."""
    return parse_yaml(read_text(path, max_bytes=max_bytes, what=what), path_text(path))
