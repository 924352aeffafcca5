"""Safe YAML/JSON reading that remembers the line of every value.

YAML is read with PyYAML's safe composer and turned into Python data by our own walk of the
node graph, so that:

- every mapping key and sequence item gets its line number (for error messages);
- only plain YAML types are built: a tag that would construct an object is refused;
- duplicate keys are reported instead of silently overwritten;
- anchors and aliases work, but an "alias bomb" (a few lines that expand to billions of
  nodes) or a self-referencing alias is stopped after :data:`MAX_NODES` nodes.

JSON is a subset of YAML 1.2 for all practical purposes, so ``.json`` files use the same path.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from realpolitik.errors import Problem, ScenarioError

#: Files larger than this are refused before parsing.
MAX_BYTES = 5_000_000
#: Largest number of nodes a document may expand to (aliases count every time they are used).
MAX_NODES = 200_000

PathKey = tuple[str | int, ...]
LineMap = dict[PathKey, int]

#: libyaml's composer where PyYAML was built with it (ten times faster), else the pure-Python one.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")

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

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(node)
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _SAFE_TAGS:
                self.fail(node, path, f"the YAML tag {node.tag!r} is not allowed (plain values only)")
                return None
            if node.tag == "tag:yaml.org,2002:str" and not node.style and _NUMBER.match(node.value):
                # YAML 1.1 reads 1e5 (no dot) as a string; users mean a number.
                return float(node.value)
            try:
                return self._constructor.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, OverflowError) as exc:
                self.fail(node, path, f"cannot read the value {node.value!r}: {exc}")
                return None
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
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    label = item["id"]
                cur = item
            else:
                cur = None
            out += f"[{label}]"
        else:
            out += f".{key}" if out else str(key)
            cur = cur.get(key) if isinstance(cur, dict) else None
    return out


def read_text(path: Path) -> str:
    """Read a file as UTF-8 with a size limit, as a problem list on failure."""
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
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [Problem(file, None, "", f"is not UTF-8 text (byte {exc.start})")]
        ) from None


def parse_document(text: str, file: str) -> tuple[Any, LineMap]:
    """Parse YAML or JSON text into plain data plus a map from field path to line number."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise ScenarioError([Problem(file, None, "", f"document is larger than {MAX_BYTES:,} bytes")])
    if not text.strip():
        raise ScenarioError([Problem(file, None, "", "the file is empty: expected a scenario mapping")])
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
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
    except _Cycle as exc:
        raise ScenarioError(
            [Problem(file, exc.node.start_mark.line + 1, "", "an alias refers to itself (a cycle)")]
        ) from None
    if walker.problems:
        raise ScenarioError(walker.problems)
    return data, walker.lines


def line_of(lines: LineMap, path: PathKey) -> int | None:
    """The line of the longest prefix of ``path`` that has one."""
    p = tuple(path)
    while p:
        if p in lines:
            return lines[p]
        p = p[:-1]
    return lines.get(())
