"""Loading scenarios: built-in ones by name, user files by path, with every problem reported."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from realpolitik.errors import Problem, ScenarioError
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.validate import check_document
from realpolitik.scenario.yamlio import LineMap, format_path, line_of, parse_document, read_text

#: The scenario every command uses when none is named.
DEFAULT_SCENARIO = "iraq-2024"

_SUFFIXES = (".yaml", ".yml", ".json")


def _builtin_dir() -> Any:
    return resources.files("realpolitik.scenario") / "builtin"


def builtin_names() -> list[str]:
    """Names of the scenarios shipped with realpolitik."""
    return sorted(
        p.name.rsplit(".", 1)[0]
        for p in _builtin_dir().iterdir()
        if p.name.endswith(_SUFFIXES)
    )


def builtin_path(name: str) -> Path:
    """Path of a built-in scenario file."""
    for suffix in _SUFFIXES:
        candidate = _builtin_dir() / f"{name}{suffix}"
        if candidate.is_file():
            return Path(str(candidate))
    raise KeyError(name)


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _schema_problems(exc: ValidationError, data: Any, lines: LineMap, file: str) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        if loc and loc[-1] == "value" and not isinstance(_at(data, loc[:-1]), dict):
            loc = loc[:-1]  # a bare number: the error is about the field itself
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; `realpolitik schema` lists the fields)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        show = err["type"] not in ("missing", "extra_forbidden") and "input" in err
        out.append(
            Problem(file, line_of(lines, loc), format_path(loc, data), msg, err.get("input"), show)
        )
    return out


def parse_scenario(text: str, file: str = "<string>", *, builtin: bool = False) -> Scenario:
    """Parse and validate scenario text (YAML or JSON); raise :class:`ScenarioError` with every problem."""
    data, lines = parse_document(text, file)
    if not isinstance(data, dict):
        raise ScenarioError(
            [Problem(file, 1, "", "expected a mapping of scenario fields at the top level",
                     type(data).__name__, True)]
        )
    problems: list[Problem] = []
    scenario = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems.extend(_schema_problems(exc, data, lines, file))
    problems.extend(check_document(data, lines, file, builtin=builtin))
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.field))
        raise ScenarioError(problems)
    assert scenario is not None
    return scenario


def load_scenario(name_or_path: str | Path | Scenario = DEFAULT_SCENARIO) -> Scenario:
    """Load a built-in scenario by name (``"iraq-2024"``) or a YAML/JSON scenario file by path.

    Raises :class:`~realpolitik.errors.ScenarioError` listing every problem of the file.
    """
    if isinstance(name_or_path, Scenario):
        return name_or_path
    text_name = str(name_or_path)
    if isinstance(name_or_path, str) and text_name in builtin_names():
        path = builtin_path(text_name)
        return parse_scenario(read_text(path), f"<built-in {text_name}>", builtin=True)
    path = Path(name_or_path)
    if not path.exists():
        names = ", ".join(builtin_names())
        raise ScenarioError(
            [Problem(text_name, None, "", f"no such file, and no built-in scenario of that name "
                                           f"(built-in: {names})")]
        )
    return parse_scenario(read_text(path), str(path))
