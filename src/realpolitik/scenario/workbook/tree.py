"""A nested section as rows (pointer, type, value) and back: how optional sections round-trip.

Every node of the tree (a mapping, a list or a scalar) is one row, in document order; its
pointer is a JSON Pointer (RFC 6901: ``/parties/0/id``, ``~1`` for ``/`` and ``~0`` for ``~``).
Containers have their own rows (type ``map`` or ``list``), so an empty one survives and a key
made of digits is never mistaken for a list index. Any section, including ones added to the
format later, is written and read the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

__all__ = ["flatten", "unflatten"]

TYPES = ("map", "list", "number", "text", "bool", "date", "null")


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def flatten(node: Any, pointer: str = "") -> Iterator[tuple[str, str, Any]]:
    """(pointer, type, cell value) of every node of ``node``, parents first, in order."""
    if isinstance(node, dict):
        yield pointer, "map", None
        for key, child in node.items():
            yield from flatten(child, f"{pointer}/{_escape(str(key))}")
    elif isinstance(node, list | tuple):
        yield pointer, "list", None
        for k, child in enumerate(node):
            yield from flatten(child, f"{pointer}/{k}")
    elif node is None:
        yield pointer, "null", None
    elif isinstance(node, bool):
        yield pointer, "bool", "true" if node else "false"
    elif isinstance(node, int | float):
        yield pointer, "number", node
    elif isinstance(node, dt.date):
        yield pointer, "date", node.isoformat()
    else:
        yield pointer, "text", str(node)


class TreeError(ValueError):
    """A row that does not fit the tree built so far; ``args[0]`` says why."""


def _scalar(kind: str, value: Any) -> Any:
    if kind == "null":
        return None
    if kind == "bool":
        if value in ("true", "false", True, False):
            return value in ("true", True)
        raise TreeError(f"a bool is true or false (got {value!r})")
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TreeError(f"a number cell must hold a number (got {value!r})")
        return value
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value)[:10]) if value is not None else None
        except ValueError:
            raise TreeError(f"a date is YYYY-MM-DD (got {value!r})") from None
    if kind == "text":
        return "" if value is None else str(value)
    raise TreeError(f"unknown type {kind!r}; types are {', '.join(TYPES)}")


def unflatten(rows: list[tuple[str, str, Any]]) -> Any:
    """The tree of rows as :func:`flatten` writes them; :class:`TreeError` names the first misfit."""
    if not rows:
        raise TreeError("no rows")
    root: Any = None
    nodes: dict[str, Any] = {}
    for pointer, kind, value in rows:
        node: Any = {} if kind == "map" else [] if kind == "list" else _scalar(kind, value)
        if pointer == "":
            if root is not None or nodes:
                raise TreeError("the root (empty pointer) appears twice")
            root = node
            nodes[""] = node
            continue
        if not pointer.startswith("/"):
            raise TreeError(f"a pointer starts with / (got {pointer!r})")
        parent_ptr, _, token = pointer.rpartition("/")
        if parent_ptr not in nodes:
            raise TreeError(f"no row for the parent {parent_ptr or '(root)'!r} above {pointer!r}")
        parent = nodes[parent_ptr]
        if isinstance(parent, dict):
            key = _unescape(token)
            if key in parent:
                raise TreeError(f"the pointer {pointer!r} appears twice")
            parent[key] = node
        elif isinstance(parent, list):
            if token != str(len(parent)):
                raise TreeError(f"list items come in order 0, 1, 2, ...: expected "
                                f"{parent_ptr}/{len(parent)}, got {pointer!r}")
            parent.append(node)
        else:
            raise TreeError(f"{parent_ptr!r} is a value, not a map or list")
        if isinstance(node, dict | list):
            nodes[pointer] = node
    return root
