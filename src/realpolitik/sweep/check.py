"""The whole sweep spec checked before anything is written.

:func:`check_spec` loads every scenario and checks the models, their parameters, every input
override (path and value, with the scenario checks) and the size of the sweep, and reports every
problem at once, each with the spec's file, line and field as scenario errors are. A refused
spec leaves no file behind, so the corrected spec runs into the same folder.

Size: a sweep of ``cells`` design points and ``samples`` samples each makes
``cells x max(samples, 1)`` forecasts. More than ``max_forecasts`` (default
:data:`DEFAULT_MAX_FORECASTS`) is refused before the design is laid out, so a typo that asks for
10^9 cells is an error in a millisecond, not a ``MemoryError`` after a minute; a larger sweep
passes ``max_forecasts`` (``--max-forecasts`` on the command line).
"""

from __future__ import annotations

import math
from typing import Any

from realpolitik.errors import Problem, RealpolitikError, ScenarioError
from realpolitik.scenario.paths import PATH_FORMS, raw_lookup, set_raw
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.yamlio import PathKey, format_path
from realpolitik.sweep.spec import Range, SweepSpec

#: Forecasts (design points x samples) a sweep may ask for unless ``max_forecasts`` says more.
DEFAULT_MAX_FORECASTS = 100_000_000
#: Chunks a sweep may have (each is a file and a task); a larger chunk_size makes fewer.
MAX_CHUNKS = 1_000_000


def override_document(scenario: Scenario, overrides: dict[str, float]) -> tuple[dict[str, Any],
                                                                               list[str]]:
    """The raw scenario document with ``overrides`` set, and the paths that are not inputs.

    Correlations naming an overridden input are dropped (the input is a fixed number).
    """
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    missing = []
    for path, value in overrides.items():
        found = raw_lookup(data, path)
        if found is None:
            missing.append(path)
        else:
            set_raw(data, found[0], float(value))
    data["correlations"] = [c for c in data.get("correlations", [])
                            if not set(c["between"]) & set(overrides)]
    return data, missing


def not_an_input(path: str, scenario: Scenario) -> str:
    """The message for an override path that is not an input of the scenario."""
    return (f"sweep input {path!r} is not an input of scenario {scenario.id!r}; write it as one "
            f"of {', '.join(PATH_FORMS)}")


def value_problems(scenario: Scenario, path: str, value: float) -> list[str]:
    """What is wrong with ``value`` at input ``path`` of ``scenario`` (the scenario checks)."""
    from pydantic import ValidationError

    from realpolitik.scenario.validate import check_document

    data, _ = override_document(scenario, {path: value})
    found = [p.message for p in check_document(data, {}, scenario.id)]
    if not found:
        try:
            Scenario.model_validate(data)
        except ValidationError as exc:
            found = [e["msg"].removeprefix("Value error, ") for e in exc.errors()]
    return found


class _Report:
    def __init__(self, spec: SweepSpec) -> None:
        self.spec = spec
        self.problems: list[Problem] = []

    def add(self, loc: PathKey, message: str, value: Any = None, show: bool = False) -> None:
        file, line = self.spec.where(loc)
        self.problems.append(Problem(file, line, format_path(loc), message, value, show))


def sizes(spec: SweepSpec) -> tuple[int, int]:
    """Design points and chunks of ``spec``, counted without laying the design out."""
    if spec.design == "grid":
        combos = math.prod(v.steps if isinstance(v, Range) else len(v)
                           for v in spec.inputs.values())
    else:
        combos = spec.points
    per_model = sum(math.prod(len(v) for v in spec.params.get(m, {}).values())
                    for m in spec.models)
    cells = len(spec.scenarios) * per_model * combos
    per_cell = 1 if spec.samples == 0 else -(-spec.samples // spec.chunk_size)
    return cells, cells * per_cell


def _check_size(spec: SweepSpec, report: _Report, max_forecasts: int) -> bool:
    cells, n_chunks = sizes(spec)
    forecasts = cells * max(spec.samples, 1)
    ok = True
    if forecasts > max_forecasts:
        report.add(("samples",), f"the sweep asks for {cells:,} design points x "
                   f"{max(spec.samples, 1):,} samples = {forecasts:,} forecasts, more than "
                   f"max_forecasts ({max_forecasts:,}); make the grid or the samples smaller, "
                   f"or raise max_forecasts")
        ok = False
    if n_chunks > MAX_CHUNKS:
        report.add(("chunk_size",), f"the sweep would have {n_chunks:,} chunks, more than "
                   f"{MAX_CHUNKS:,}; raise chunk_size", spec.chunk_size, True)
        ok = False
    return ok


def _load_scenarios(spec: SweepSpec, report: _Report) -> dict[str, Scenario]:
    from realpolitik.scenario.loader import load_scenario

    scenarios = {}
    for i, name in enumerate(spec.scenarios):
        try:
            scenarios[name] = load_scenario(name)
        except ScenarioError as exc:
            for p in exc.problems:
                if p.file == name and p.line is None:  # not found: say where the spec names it
                    report.add(("scenarios", i), f"scenario {name!r}: {p.message}")
                else:  # a problem inside the scenario file: its own file and line
                    report.problems.append(p)
    return scenarios


def _check_models(spec: SweepSpec, report: _Report) -> dict[str, Any]:
    from realpolitik.models.registry import get_model

    models = {}
    for i, name in enumerate(spec.models):
        try:
            models[name] = get_model(name)
        except RealpolitikError as exc:
            report.add(("models", i), str(exc), name, True)
    for name in spec.params:
        if name not in spec.models:
            report.add(("params", name), f"parameters of {name!r}, which is not one of the "
                       f"sweep's models ({', '.join(spec.models)})")
    return models


def _check_params(spec: SweepSpec, report: _Report, models: dict[str, Any],
                  scenarios: dict[str, Scenario]) -> None:
    """One small call per model and parameter value: a model refuses bad parameters now."""
    from realpolitik.runner import run_model
    from realpolitik.scenario.arrays import to_input

    if not scenarios:
        return
    sc = next(iter(scenarios.values()))
    inp = to_input(sc, positions=spec.positions)
    for name, grid in spec.params.items():
        if name not in models:
            continue
        for key, values in grid.items():
            for j, value in enumerate(values):
                try:
                    run_model(models[name], inp, seed=spec.seed, params={key: value})
                except Exception as exc:  # a model's refusal, whatever its type
                    report.add(("params", name, key, j),
                               f"model {name!r} refused {key}={value!r}: {exc}")


def _check_inputs(spec: SweepSpec, report: _Report, scenarios: dict[str, Scenario]) -> None:
    for path, values in spec.inputs.items():
        if isinstance(values, Range):
            to_check = [(("inputs", path, "low"), values.low), (("inputs", path, "high"), values.high)]
        else:
            to_check = [(("inputs", path, j), float(v)) for j, v in enumerate(values)]
        for sc in scenarios.values():
            if raw_lookup(override_document(sc, {})[0], path) is None:
                report.add(("inputs", path), not_an_input(path, sc))
                continue
            for loc, value in to_check:
                for message in value_problems(sc, path, value):
                    report.add(loc, f"{message} (in scenario {sc.id!r})", value, True)


def check_spec(spec: SweepSpec, *, max_forecasts: int = DEFAULT_MAX_FORECASTS
               ) -> dict[str, Scenario]:
    """Check the whole spec; return its scenarios by name, or raise with every problem.

    Raises :class:`~realpolitik.errors.ScenarioError` (its ``options`` name ``max_forecasts``
    when the sweep is too large). Nothing is written.
    """
    if isinstance(max_forecasts, bool) or not isinstance(max_forecasts, int) or max_forecasts < 1:
        raise RealpolitikError(f"max_forecasts must be a positive integer, got {max_forecasts!r}",
                               options=("max_forecasts",))
    report = _Report(spec)
    size_ok = _check_size(spec, report, max_forecasts)
    scenarios = _load_scenarios(spec, report)
    models = _check_models(spec, report)
    _check_inputs(spec, report, scenarios)
    _check_params(spec, report, models, scenarios)
    if report.problems:
        error = ScenarioError(sorted(report.problems, key=lambda p: (p.file, p.line or 0)))
        if not size_ok:
            error.options = ("max_forecasts",)
        raise error
    return scenarios
