"""Where the dashboard finds scenarios: built-in ones, the user's folder, and uploads in memory.

Scenarios are named by a *reference* ``ORIGIN:NAME``:

- ``builtin:NAME`` - a scenario shipped with realpolitik (read only, never written);
- ``user:NAME`` - the file ``NAME.yaml`` (or ``.yml``/``.json``) in the folder given with
  ``--scenario-dir``;
- ``upload:NAME`` - a scenario uploaded while the dashboard runs without a folder (kept in memory).

Names of saved scenarios must match :data:`SAFE_NAME` (letters, digits, ``_ . -``, starting with a
letter or digit, at most 64 characters): no path separators, no ``..``, so a name can never point
outside the folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from realpolitik.api.scenario import (
    Edit,
    Scenario,
    apply_edits,
    builtin_names,
    builtin_path,
    dump_yaml,
    parse_document,
    parse_scenario,
    read_text,
    scenario_from_data,
)
from realpolitik.errors import Problem, RealpolitikError, ScenarioError

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_SUFFIXES = (".yaml", ".yml", ".json")
#: Parsed scenarios kept in memory.
PARSED_CACHE = 32


class NotFound(RealpolitikError):
    """No scenario with this reference."""


class Conflict(RealpolitikError):
    """The request cannot be done in the dashboard's present state (no folder, name taken)."""


def check_name(name: str, field: str = "name") -> str:
    """``name`` if it is a safe file name for a scenario; a :class:`ScenarioError` otherwise."""
    stem = name[:-5] if name.endswith(".yaml") else name
    if not SAFE_NAME.fullmatch(stem) or ".." in stem:
        raise ScenarioError([Problem("<request>", None, field,
                                     "must be 1-64 letters, digits, '_', '.' or '-', starting with "
                                     "a letter or digit (no '/' and no '..')", name, True)])
    return stem


@dataclass(frozen=True)
class Entry:
    """A scenario the dashboard can open."""

    ref: str
    origin: str
    name: str
    title: str
    as_of: str
    actors: int
    issues: int
    error: str | None = None

    def json(self) -> dict[str, Any]:
        """The entry as JSON."""
        return dict(self.__dict__)


class ScenarioStore:
    """Reads and writes the scenarios of one dashboard."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder.resolve() if folder is not None else None
        self._uploads: dict[str, str] = {}
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, float, int], Entry] = {}
        self._parsed: dict[tuple[Any, ...], Scenario] = {}

    # -- reading -------------------------------------------------------------------------
    def _user_path(self, name: str) -> Path | None:
        if self.folder is None or not SAFE_NAME.fullmatch(name) or ".." in name:
            return None
        for suffix in _SUFFIXES:
            path = self.folder / f"{name}{suffix}"
            if path.is_file() and path.resolve().parent == self.folder:
                return path
        return None

    def text(self, ref: str) -> tuple[str, str, bool]:
        """(text, file label, built-in?) of the scenario ``ref``."""
        origin, _, name = ref.partition(":")
        if origin == "builtin" and name in builtin_names():
            return read_text(builtin_path(name)), f"<built-in {name}>", True
        if origin == "user":
            path = self._user_path(name)
            if path is not None:
                return read_text(path), path.name, False
        if origin == "upload" and name in self._uploads:
            return self._uploads[name], f"<upload {name}>", False
        raise NotFound(f"no scenario {ref!r}; references look like builtin:NAME, user:NAME or "
                       "upload:NAME (GET /api/scenarios lists them)")

    def data(self, ref: str) -> tuple[dict[str, Any], str]:
        """The scenario's data (as read from its file) and its file label."""
        text, file, _ = self.text(ref)
        data, _ = parse_document(text, file)
        if not isinstance(data, dict):
            raise ScenarioError([Problem(file, 1, "", "expected a mapping of scenario fields")])
        return data, file

    def edited_text(self, ref: str, edits: list[Edit]) -> str:
        """The text of scenario ``ref`` with ``edits`` applied (the file's own text without edits)."""
        if not edits:
            return self.text(ref)[0]
        data, file = self.data(ref)
        return dump_yaml(apply_edits(data, edits, file))

    def scenario(self, ref: str, edits: list[Edit] | None = None) -> Scenario:
        """The validated scenario ``ref`` with ``edits`` applied (the file is never changed).

        Scenarios are frozen, so the last few are cached by (file text, edits).
        """
        text, file, builtin = self.text(ref)
        key = (hashlib.sha256(text.encode("utf-8")).hexdigest(), file, builtin,
               tuple(edits or ()))
        with self._lock:
            hit = self._parsed.get(key)
        if hit is not None:
            return hit
        if not edits:
            sc = parse_scenario(text, file, builtin=builtin)
        else:
            data, _ = parse_document(text, file)
            if not isinstance(data, dict):
                raise ScenarioError([Problem(file, 1, "", "expected a mapping of scenario fields")])
            sc = scenario_from_data(apply_edits(data, edits, file), f"{file} (edited)")
        with self._lock:
            self._parsed[key] = sc
            while len(self._parsed) > PARSED_CACHE:
                self._parsed.pop(next(iter(self._parsed)))
        return sc

    def entries(self) -> list[Entry]:
        """Every scenario the dashboard can open."""
        out = [self._entry(f"builtin:{n}") for n in builtin_names()]
        if self.folder is not None and self.folder.is_dir():
            names = sorted({p.stem for p in self.folder.iterdir()
                            if p.suffix in _SUFFIXES and SAFE_NAME.fullmatch(p.stem)})
            out += [self._entry(f"user:{n}") for n in names]
        out += [self._entry(f"upload:{n}") for n in sorted(self._uploads)]
        return out

    def _entry(self, ref: str) -> Entry:
        origin, _, name = ref.partition(":")
        try:
            text, _, builtin = self.text(ref)
        except RealpolitikError as exc:
            return Entry(ref, origin, name, name, "", 0, 0, str(exc))
        key = (ref, float(hash(text)), len(text))
        if key in self._cache:
            return self._cache[key]
        try:
            sc = parse_scenario(text, ref, builtin=builtin)
            entry = Entry(ref, origin, name, sc.title, sc.as_of.isoformat(), len(sc.actors),
                          len(sc.issues))
        except RealpolitikError as exc:
            entry = Entry(ref, origin, name, name, "", 0, 0, str(exc))
        self._cache[key] = entry
        return entry

    # -- writing -------------------------------------------------------------------------
    def add(self, name: str, text: str, *, overwrite: bool = False) -> str:
        """Store valid scenario ``text`` as ``name``: in the folder if there is one, else in memory.

        Returns the new reference. The text must already be validated by the caller.
        """
        stem = check_name(name)
        with self._lock:
            if self.folder is None:
                if stem in self._uploads and not overwrite:
                    raise Conflict(f"an uploaded scenario {stem!r} exists; choose another name "
                                   "or overwrite it")
                self._uploads[stem] = text
                return f"upload:{stem}"
            if self._user_path(stem) is not None and not overwrite:
                raise Conflict(f"{stem}.yaml exists in the scenario folder; choose another name "
                               "or overwrite it")
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.folder / f"{stem}.yaml"
            if target.resolve().parent != self.folder:
                raise Conflict(f"refusing to write outside the scenario folder: {stem!r}")
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".upload-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, target)
            except OSError as exc:
                Path(tmp).unlink(missing_ok=True)
                raise Conflict(f"cannot write {target.name}: {exc.strerror}") from None
            for suffix in (".yml", ".json"):  # one file per name
                other = self.folder / f"{stem}{suffix}"
                if other.is_file():
                    other.unlink()
            return f"user:{stem}"
