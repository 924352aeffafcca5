"""The deal domain: issues, their values, and the discretised outcome space.

A discrete issue has labelled values; a continuous one a range, which the outcome space samples
on ``grid`` evenly spaced values. The **outcome space** is the Cartesian product of the issues'
values: package ``o`` is a row of :attr:`OutcomeSpace.index` (``(N, K)``, C order: the last
issue varies fastest). Value functions given on a few labels or points become, through
:meth:`IssueDomain.basis`, a linear map onto every value of the issue (piecewise-linear
interpolation between points, constant beyond the outermost ones).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.errors import RealpolitikError
from realpolitik.scenario.sections.deal import MAX_OUTCOMES, DealIssue, DealSection, as_number

if TYPE_CHECKING:
    import pandas as pd


def format_level(x: float) -> str:
    """A grid value for a table: ``2,500``, ``18``, ``0.25``."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.4g}"


@dataclass(frozen=True)
class IssueDomain:
    """The values of one deal issue in the outcome space."""

    id: str
    name: str
    kind: str
    levels: tuple[float, ...]
    labels: tuple[str, ...]
    unit: str | None = None

    @classmethod
    def from_issue(cls, issue: DealIssue) -> IssueDomain:
        """The domain of a deal issue of the scenario."""
        if issue.values is not None:
            labels = tuple(issue.values)
            return cls(issue.id, issue.name, "discrete", tuple(float(i) for i in range(len(labels))),
                       labels, issue.unit)
        assert issue.range is not None
        levels = tuple(float(x) for x in np.linspace(issue.range[0], issue.range[1], issue.grid))
        return cls(issue.id, issue.name, "continuous", levels,
                   tuple(format_level(x) for x in levels), issue.unit)

    @property
    def size(self) -> int:
        """Number of values of the issue in the outcome space."""
        return len(self.levels)

    def value(self, i: int) -> str | float:
        """The ``i``-th value: a label (discrete) or a number (continuous)."""
        return self.labels[i] if self.kind == "discrete" else self.levels[i]

    def index_of(self, value: Any) -> int:
        """Index of a value: a label of a discrete issue, or the nearest grid value."""
        if self.kind == "discrete":
            if isinstance(value, str) and value in self.labels:
                return self.labels.index(value)
            raise RealpolitikError(f"deal issue {self.id!r}: {value!r} is not one of its values "
                                   f"({', '.join(self.labels)})")
        x = as_number(value)
        lo, hi = self.levels[0], self.levels[-1]
        if x is None or not lo <= x <= hi:
            raise RealpolitikError(f"deal issue {self.id!r}: {value!r} is not a number in "
                                   f"[{lo:g}, {hi:g}]")
        return int(np.argmin(np.abs(np.asarray(self.levels) - x)))

    def basis(self, keys: Sequence[str]) -> np.ndarray:
        """Matrix ``(size, len(keys))`` that maps a value map's entries onto every value.

        Discrete: each label picks its own entry. Continuous: the keys are points; a grid
        value between two points mixes their entries linearly; beyond the outermost points the
        nearest one holds.
        """
        out = np.zeros((self.size, len(keys)))
        if self.kind == "discrete":
            for j, key in enumerate(keys):
                out[self.index_of(key), j] = 1.0
            missing = [lab for i, lab in enumerate(self.labels) if not out[i].any()]
            if missing:
                raise RealpolitikError(f"deal issue {self.id!r}: no entry for "
                                       + ", ".join(repr(m) for m in missing))
            return out
        points = []
        for key in keys:
            x = as_number(key)
            if x is None:
                raise RealpolitikError(f"deal issue {self.id!r}: key {key!r} is not a number")
            points.append(x)
        if not points:
            raise RealpolitikError(f"deal issue {self.id!r}: a value map needs at least one point")
        order = np.argsort(points, kind="stable")
        xs = np.asarray(points)[order]
        if np.any(np.diff(xs) == 0):
            raise RealpolitikError(f"deal issue {self.id!r}: two keys name the same point")
        for i, g in enumerate(self.levels):
            if g <= xs[0]:
                out[i, order[0]] = 1.0
            elif g >= xs[-1]:
                out[i, order[-1]] = 1.0
            else:
                k = int(np.searchsorted(xs, g, side="right")) - 1
                t = (g - xs[k]) / (xs[k + 1] - xs[k])
                out[i, order[k]] += 1.0 - t
                out[i, order[k + 1]] += t
        return out


@dataclass(frozen=True)
class OutcomeSpace:
    """Every package of the deal: the Cartesian product of the issues' values."""

    issues: tuple[IssueDomain, ...]
    index: np.ndarray  # (N, K) value index of each issue in each package

    @classmethod
    def from_issues(cls, issues: Sequence[IssueDomain]) -> OutcomeSpace:
        """The outcome space of these issue domains."""
        shape = tuple(d.size for d in issues)
        n = int(np.prod(shape, dtype=np.int64))
        if n > MAX_OUTCOMES:
            raise RealpolitikError(f"the outcome space has {n:,} packages; at most "
                                   f"{MAX_OUTCOMES:,} are allowed")
        index = np.stack(np.unravel_index(np.arange(n), shape), axis=1).astype(np.int64)
        return cls(tuple(issues), index)

    @classmethod
    def from_section(cls, section: DealSection) -> OutcomeSpace:
        """The outcome space of a scenario's deal section."""
        return cls.from_issues([IssueDomain.from_issue(i) for i in section.issues])

    @property
    def size(self) -> int:
        """Number of packages N."""
        return int(self.index.shape[0])

    @property
    def ids(self) -> list[str]:
        """Issue ids in order."""
        return [d.id for d in self.issues]

    def issue(self, issue_id: str) -> tuple[int, IssueDomain]:
        """Position and domain of an issue."""
        for k, d in enumerate(self.issues):
            if d.id == issue_id:
                return k, d
        raise RealpolitikError(f"no deal issue {issue_id!r}; issues are {', '.join(self.ids)}")

    def encode(self, package: Mapping[str, Any]) -> int:
        """Index of the package with these values (every issue must be given)."""
        missing = [d.id for d in self.issues if d.id not in package]
        if missing:
            raise RealpolitikError("a package needs a value of every issue; missing: "
                                   + ", ".join(missing))
        shape = tuple(d.size for d in self.issues)
        idx = tuple(d.index_of(package[d.id]) for d in self.issues)
        return int(np.ravel_multi_index(idx, shape))

    def package(self, o: int) -> dict[str, str | float]:
        """The values of package ``o`` by issue id."""
        row = self.index[int(o)]
        return {d.id: d.value(int(i)) for d, i in zip(self.issues, row, strict=True)}

    def labels(self, o: int) -> dict[str, str]:
        """The values of package ``o`` as table labels."""
        row = self.index[int(o)]
        return {d.id: d.labels[int(i)] for d, i in zip(self.issues, row, strict=True)}

    def frame(self, packages: Sequence[int]) -> pd.DataFrame:
        """One row per package: its value of each issue (labels or numbers)."""
        import pandas as pd
        return pd.DataFrame([self.package(o) for o in packages], columns=self.ids)
