"""Safe YAML/JSON reading that remembers the line of every value.

YAML is read with PyYAML's safe composer and turned into Python data by our own walk of the
node graph, so that:

- every mapping key and sequence item gets its line number (for error messages);
- only plain YAML types are built: a tag that would construct an object is refused;
- duplicate keys are reported instead of silently overwritten;
- anchors and aliases work, but an "alias bomb" (a few lines that expand to billions of
  nodes) or a self-referencing alias is stopped after :data:`MAX_NODES` nodes.

A ``.json`` file is first checked as strict JSON (RFC 8259: no comments, no trailing commas, no
``NaN`` or ``Infinity``), with the line and column of the first problem; valid JSON is then read
through the same YAML walk, for the line numbers.

Text encodings (:func:`decode`): UTF-8 with or without a byte-order mark, UTF-16 and UTF-32 with
a byte-order mark. Anything else is refused with the line and column of the first byte that is
not UTF-8, and a hint when the file looks like Latin-1/Windows-1252 (save it as UTF-8): a
scenario's names would otherwise change silently.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import Any

import yaml

from realpolitik.errors import Problem, ScenarioError

#: Files larger than this are refused before parsing.
MAX_BYTES = 5_000_000
#: Largest number of nodes a document may expand to (aliases count every time they are used).
MAX_NODES = 200_000
#: Deepest nesting of mappings and lists (a scenario needs about 6; the parsers recurse).
MAX_DEPTH = 64

PathKey = tuple[str | int, ...]
LineMap = dict[PathKey, int]

#: libyaml's composer where PyYAML was built with it (ten times faster), else the pure-Python one.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")

_PLAIN_ID = re.compile(r"[A-Za-z0-9_.\-]{1,64}")

_SAFE_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:timestamp",
}


class _Walker:
    def __init__(self, file: str):
        self.file = file
        self.lines: LineMap = {}
        self.problems: list[Problem] = []
        self.count = 0
        self._constructor = yaml.SafeLoader("")
        self._stack: set[int] = set()

    def fail(self, node: yaml.Node, path: PathKey, message: str) -> None:
        self.problems.append(
            Problem(self.file, node.start_mark.line + 1, format_path(path), message)
        )

    def scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        if node.tag not in _SAFE_TAGS:
            self.fail(node, path, f"the YAML tag {node.tag!r} is not allowed (plain values only)")
            return None
        if node.tag == "tag:yaml.org,2002:str" and not node.style and _NUMBER.fullmatch(node.value):
            # YAML 1.1 reads 1e5 (no dot) as a string; users mean a number.
            return float(node.value)
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            self.fail(node, path, f"cannot read the value {_short_text(repr(node.value))}: "
                                  f"{_short_text(str(exc), 120)}")
            return None

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(node)
        if len(path) > MAX_DEPTH:
            raise _TooDeep(node.start_mark.line + 1)
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if id(node) in self._stack:
            raise _Cycle(node)
        self._stack.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag != "tag:yaml.org,2002:seq":
                    self.fail(node, path, f"the YAML tag {node.tag!r} is not allowed")
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                if node.tag != "tag:yaml.org,2002:map":
                    self.fail(node, path, f"the YAML tag {node.tag!r} is not allowed")
                out: dict[Any, Any] = {}
                for key_node, value_node in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        self.fail(key_node, path, "YAML merge keys ('<<') are not supported")
                        continue
                    key = self.build(key_node, (*path, "<key>"))
                    if not isinstance(key, str | int | float | bool) or key is None:
                        self.fail(key_node, path, f"a mapping key must be a plain value, got {key!r}")
                        continue
                    key = str(key) if not isinstance(key, str) else key
                    if key in out:
                        self.fail(key_node, (*path, key), "duplicate key (the later one would win)")
                    out[key] = self.build(value_node, (*path, key))
                return out
        finally:
            self._stack.discard(id(node))
        raise AssertionError(f"unexpected YAML node {node!r}")  # pragma: no cover


class _TooBig(Exception):
    def __init__(self, node: yaml.Node):
        self.node = node


class _TooDeep(Exception):
    def __init__(self, line: int | None):
        self.line = line


def _check_depth(text: str) -> None:
    """Raise :class:`_TooDeep` before composing (the composers recurse) if nesting is too deep."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_COMPOSER):  # the event parser keeps its own stack
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _TooDeep(event.start_mark.line + 1)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # newer libyaml scanners stop deep flow collections themselves, ahead of the events
        if "nesting depth" not in str(exc.problem or ""):
            raise
        mark = exc.problem_mark or exc.context_mark
        raise _TooDeep(mark.line + 1 if mark else None) from None


class _Cycle(Exception):
    def __init__(self, node: yaml.Node):
        self.node = node


def format_path(path: PathKey, data: Any = None) -> str:
    """Render a path like ``actors[usa].positions.presence`` (ids instead of indices when known)."""
    out = ""
    cur = data
    for key in path:
        if isinstance(key, int):
            label = str(key)
            if isinstance(cur, list) and 0 <= key < len(cur):
                item = cur[key]
                ident = item.get("id") if isinstance(item, dict) else None
                if isinstance(ident, str) and _PLAIN_ID.fullmatch(ident):
                    label = ident
                cur = item
            else:
                cur = None
            out += f"[{label}]"
        else:
            out += f".{key}" if out else str(key)
            cur = cur.get(key) if isinstance(cur, dict) else None
    return out


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _line_col(data: bytes, pos: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of byte ``pos``."""
    line = data.count(b"\n", 0, pos) + 1
    return line, pos - (data.rfind(b"\n", 0, pos) + 1) + 1


def decode(data: bytes, file: str) -> str:
    """Text of a file's bytes: UTF-8 (BOM optional), UTF-16/UTF-32 with a BOM; else a clear error."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ScenarioError([Problem(file, None, "", f"is not valid {codec.upper()} text "
                                             f"(byte {exc.start}): save it as UTF-8")]) from None
    if b"\x00" in data:
        line, col = _line_col(data, data.index(b"\x00"))
        raise ScenarioError([Problem(file, line, "", f"contains a NUL byte (column {col}): UTF-16 "
                                     "text without a byte-order mark? Save it as UTF-8")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        hint = ""
        try:
            char = data[exc.start:exc.end + 1].decode("cp1252")[:1]
            hint = f" ({char!r} in Latin-1/Windows-1252?)"
        except UnicodeDecodeError:
            pass
        raise ScenarioError([Problem(file, line, "", f"is not UTF-8 text: byte {exc.start} "
                                     f"(column {col}){hint}; save the file as UTF-8")]) from None


def _check_json(text: str, file: str) -> None:
    """Refuse what strict JSON refuses (comments, trailing commas, NaN, Infinity): line and column."""

    def constant(name: str) -> Any:
        raise _JsonConstant(name)

    try:
        json.loads(text, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise ScenarioError([Problem(file, exc.lineno, "", f"not valid JSON: {exc.msg} (line "
                                     f"{exc.lineno}, column {exc.colno})")]) from None
    except _JsonConstant as exc:
        at = text.find(exc.name)
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        raise ScenarioError([Problem(file, line, "", f"not valid JSON: {exc.name} is not a JSON "
                                     f"number (line {line}, column {col}); numbers must be finite")]
                            ) from None
    except RecursionError:
        raise ScenarioError([Problem(file, None, "", f"values are nested more than {MAX_DEPTH} "
                                     "levels deep")]) from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise ScenarioError([Problem(file, None, "", f"not valid JSON: {_short_text(str(exc))}")]
                            ) from None


class _JsonConstant(Exception):
    def __init__(self, name: str):
        self.name = name


def _short_text(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def read_text(path: Path) -> str:
    """Read a scenario file's text with a size limit (see :func:`decode`), as a problem list on failure."""
    file = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ScenarioError([Problem(file, None, "", f"cannot read the file: {exc.strerror}")]) from None
    if path.is_dir():
        raise ScenarioError([Problem(file, None, "", "is a folder, not a scenario file")])
    if size > MAX_BYTES:
        raise ScenarioError(
            [Problem(file, None, "", f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")]
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScenarioError([Problem(file, None, "", f"cannot read the file: {exc.strerror}")]) from None
    return decode(data, file)


def parse_document(text: str, file: str, *, strict_json: bool | None = None) -> tuple[Any, LineMap]:
    """Parse YAML or JSON text into plain data plus a map from field path to line number.

    ``strict_json`` (default: ``file`` ends with ``.json``) first checks the text as strict JSON.
    """
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise ScenarioError([Problem(file, None, "", f"document is larger than {MAX_BYTES:,} bytes")])
    if not text.strip():
        raise ScenarioError([Problem(file, None, "", "the file is empty: expected a scenario mapping")])
    if strict_json if strict_json is not None else file.lower().endswith(".json"):
        _check_json(text, file)
        text = text.replace("\t", " ")  # valid JSON has tabs only between tokens; YAML refuses them
    try:
        _check_depth(text)
        node = yaml.compose(text, Loader=_COMPOSER)
    except _TooDeep as exc:
        raise _too_deep(file, exc) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or str(exc)
        raise ScenarioError([Problem(file, line, "", f"malformed YAML/JSON: {what}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(file, None, "", f"malformed YAML/JSON: {exc}")]) from None
    if node is None:
        raise ScenarioError([Problem(file, None, "", "the file is empty: expected a scenario mapping")])
    walker = _Walker(file)
    try:
        data = walker.build(node, ())
    except _TooBig as exc:
        raise ScenarioError(
            [
                Problem(
                    file,
                    exc.node.start_mark.line + 1,
                    "",
                    f"the document expands to more than {MAX_NODES:,} values "
                    "(an alias/anchor bomb?); write the values out or use fewer aliases",
                )
            ]
        ) from None
    except _TooDeep as exc:
        raise _too_deep(file, exc) from None
    except _Cycle as exc:
        raise ScenarioError(
            [Problem(file, exc.node.start_mark.line + 1, "", "an alias refers to itself (a cycle)")]
        ) from None
    if walker.problems:
        raise ScenarioError(walker.problems)
    return data, walker.lines


def _too_deep(file: str, exc: _TooDeep) -> ScenarioError:
    return ScenarioError([Problem(file, exc.line, "",
                                  f"values are nested more than {MAX_DEPTH} levels deep")])


def line_of(lines: LineMap, path: PathKey) -> int | None:
    """The line of the longest prefix of ``path`` that has one."""
    p = tuple(path)
    while p:
        if p in lines:
            return lines[p]
        p = p[:-1]
    return lines.get(())
