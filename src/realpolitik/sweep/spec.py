"""Sweep specifications: which scenarios, models, input overrides and model parameters to run.

A spec is a YAML (or JSON) file::

    name: iraq-salience
    seed: 7
    scenarios: [iraq-2024]
    models: [median, compromise]
    samples: 2000          # Monte Carlo samples per design point (0: point forecasts only)
    chunk_size: 500        # samples per chunk; each chunk is one Parquet file
    design: grid           # grid: every combination; sampled: `points` random combinations
    points: 20             # (sampled designs only)
    inputs:                # scenario inputs to override, by path (see `realpolitik sensitivity`)
      actors.us_gov.salience.us_presence: [0.5, 0.7, 0.9]
      actors.iran_irgc.capability: {low: 40, high: 80, steps: 3}
    params:                # model keyword parameters, per model
      eum: {q: [0.5, 1.0]}

An input override is a list of values, or a range ``{low, high, steps}`` (``steps`` evenly
spaced values for a grid; a sampled design draws uniformly from the range, or from the list).
An overridden input becomes a fixed number in every sample (its distribution is dropped).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from realpolitik.errors import Problem, RealpolitikError, ScenarioError
from realpolitik.scenario.yamlio import (
    LineMap,
    PathKey,
    format_path,
    line_of,
    parse_document,
    read_text,
)
from realpolitik.seeds import generator

#: Tag of the design's random stream (sampled designs).
DESIGN_TAG = 0x5E3


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Range(_Strict):
    """A range of values: ``steps`` evenly spaced ones in a grid, uniform draws when sampled."""

    low: float
    high: float
    steps: int = Field(default=3, ge=1, le=1000)

    @model_validator(mode="after")
    def _order(self) -> Range:
        if not self.low <= self.high:
            raise ValueError(f"low ({self.low:g}) must not exceed high ({self.high:g})")
        return self

    def grid(self) -> list[float]:
        return [float(x) for x in np.linspace(self.low, self.high, self.steps)]


Values = list[float] | Range


class SweepSpec(_Strict):
    """A sweep: the product (or a sample) of scenarios x models x input overrides x parameters."""

    name: str = Field(default="sweep", pattern=r"^[A-Za-z0-9_.\-]+$")
    seed: int = Field(default=0, ge=0)
    scenarios: list[str] = Field(min_length=1)
    models: list[str] = Field(default_factory=lambda: ["median"], min_length=1)
    samples: int = Field(default=0, ge=0, le=10**8)
    chunk_size: int = Field(default=1000, ge=1, le=10**7)
    positions: Literal["stated", "private"] = "stated"
    design: Literal["grid", "sampled"] = "grid"
    points: int = Field(default=10, ge=1, le=10**6)
    inputs: dict[str, Values] = Field(default_factory=dict)
    params: dict[str, dict[str, list[Any]]] = Field(default_factory=dict)
    _file: str = PrivateAttr(default="<sweep spec>")
    _lines: LineMap = PrivateAttr(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        """Specs are equal by content (where a spec was read from is not part of it)."""
        if not isinstance(other, SweepSpec):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    def where(self, loc: PathKey) -> tuple[str, int | None]:
        """The file and line of a field of the spec (no line for a spec built in Python)."""
        return self._file, line_of(self._lines, loc) if self._lines else None

    def digest(self) -> str:
        """A hash of the spec's content: a results folder belongs to exactly one spec."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class DesignPoint:
    """One run of the sweep: a scenario, a model, input overrides and model parameters."""

    index: int
    scenario: str
    model: str
    overrides: dict[str, float]
    params: dict[str, Any]


@dataclass(frozen=True)
class Chunk:
    """A unit of work: samples [start, stop) of one design point (a point forecast: 0, 0)."""

    id: int
    point: int
    start: int
    stop: int

    @property
    def file(self) -> str:
        return f"chunk-{self.id:06d}.parquet"


def load_spec(path: str | Path) -> SweepSpec:
    """Read and check a sweep spec; every problem is reported with its line."""
    path = Path(path)
    if not path.exists():
        raise RealpolitikError(f"no such sweep spec: {path}")
    data, lines = parse_document(read_text(path), str(path))
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        problems = []
        for e in exc.errors(include_url=False):
            loc = tuple(e["loc"])
            msg = e["msg"].removeprefix("Value error, ")
            if e["type"] == "extra_forbidden":
                msg = ("unknown field; fields are: " + ", ".join(SweepSpec.model_fields))
            problems.append(Problem(str(path), line_of(lines, loc), format_path(loc, data), msg,
                                    e.get("input"), e["type"] not in ("missing", "extra_forbidden")))
        raise ScenarioError(problems) from None
    spec._file, spec._lines = str(path), lines
    return spec


def design_points(spec: SweepSpec) -> list[DesignPoint]:
    """Every design point, in a fixed order (scenario, model, inputs, parameters)."""
    paths = list(spec.inputs)
    if spec.design == "grid":
        axes = [v.grid() if isinstance(v, Range) else [float(x) for x in v]
                for v in spec.inputs.values()]
        combos = [dict(zip(paths, c, strict=True)) for c in itertools.product(*axes)]
    else:
        rng = generator(spec.seed, DESIGN_TAG)
        combos = []
        for _ in range(spec.points):
            combo = {}
            for p, v in spec.inputs.items():
                if isinstance(v, Range):
                    combo[p] = float(rng.uniform(v.low, v.high))
                else:
                    combo[p] = float(v[int(rng.integers(len(v)))])
            combos.append(combo)
    points = []
    for sc in spec.scenarios:
        for model in spec.models:
            grid = spec.params.get(model, {})
            names = list(grid)
            for values in itertools.product(*(grid[n] for n in names)):
                params = dict(zip(names, values, strict=True))
                for combo in combos:
                    points.append(DesignPoint(len(points), sc, model, combo, params))
    return points


def chunks(spec: SweepSpec, points: list[DesignPoint]) -> list[Chunk]:
    """The chunks of the sweep: each point's samples cut at multiples of ``chunk_size``."""
    out: list[Chunk] = []
    for p in points:
        if spec.samples == 0:
            out.append(Chunk(len(out), p.index, 0, 0))
            continue
        for start in range(0, spec.samples, spec.chunk_size):
            out.append(Chunk(len(out), p.index, start, min(start + spec.chunk_size, spec.samples)))
    return out
