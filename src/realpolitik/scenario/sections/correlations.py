"""The optional ``correlations`` section of a scenario: rank correlations between uncertain inputs.

Example (two actors whose stated positions tend to move together)::

    correlations:
      - between: [actors.iraq_gov.positions.presence, actors.kdp.positions.presence]
        rank_correlation: 0.6
        source: {id: crs-2024, at: "p. 3"}
        note: Both depend on the same Baghdad-Erbil budget deal.

Inputs are named by their paths (see :mod:`realpolitik.scenario.paths`); both must carry a
``distribution``. ``rank_correlation`` is Spearman's rho in (-1, 1). Sampling joins the marginal
distributions with a Gaussian copula (see :mod:`realpolitik.uncertainty.sampling`), which needs
the declared correlations, taken together, to form a positive definite matrix; a set that cannot
occur together (say a~b 0.9, b~c 0.9, a~c -0.9) is rejected with the smallest eigenvalue.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field, field_validator, model_validator

from realpolitik.scenario.checker import Checker
from realpolitik.scenario.paths import PATH_FORMS, raw_lookup
from realpolitik.scenario.values import FiniteFloat, Frozen, SourceRef


class Correlation(Frozen):
    """A rank (Spearman) correlation between two uncertain inputs, joined by a Gaussian copula."""

    between: tuple[str, str] = Field(description="The paths of the two inputs.")
    rank_correlation: FiniteFloat = Field(description="Spearman's rho, strictly between -1 and 1.")
    source: SourceRef | None = None
    note: str | None = Field(default=None, description="One-line rationale for the number.")

    @field_validator("rank_correlation")
    @classmethod
    def _open_interval(cls, v: float) -> float:
        if not math.isfinite(v) or not -1.0 < v < 1.0:
            raise ValueError(f"must lie strictly between -1 and 1, got {v!r}")
        return v

    @model_validator(mode="after")
    def _two_inputs(self) -> Correlation:
        if self.between[0] == self.between[1]:
            raise ValueError("an input cannot be correlated with itself")
        return self


def normal_correlation(rank_correlation: float) -> float:
    """Pearson correlation of the Gaussian copula giving Spearman's rho: 2 sin(pi rho / 6)."""
    return 2.0 * math.sin(math.pi * rank_correlation / 6.0)


def copula_matrix(paths: list[str], pairs: list[tuple[str, str, float]]) -> np.ndarray:
    """The copula's normal correlation matrix over ``paths`` from (path, path, rank rho) pairs."""
    index = {p: k for k, p in enumerate(paths)}
    mat = np.eye(len(paths))
    for a, b, rho in pairs:
        r = normal_correlation(rho)
        mat[index[a], index[b]] = mat[index[b], index[a]] = r
    return mat


def smallest_eigenvalue(mat: np.ndarray) -> float:
    """Smallest eigenvalue of a symmetric matrix (> 0 for a usable correlation matrix)."""
    return float(np.linalg.eigvalsh(mat)[0]) if mat.size else 1.0


#: Smallest eigenvalue accepted for the copula's correlation matrix.
MIN_EIGENVALUE = 1e-8


def check(checker: Checker) -> None:
    """Whole-file checks of ``correlations``: known, uncertain inputs; no duplicates; consistency."""
    items = checker.data.get("correlations")
    if not isinstance(items, list):
        return
    seen: dict[frozenset[str], int] = {}
    good: list[tuple[str, str, float]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        checker.check_source(("correlations", i), item)
        between = item.get("between")
        if not (isinstance(between, list) and len(between) == 2
                and all(isinstance(p, str) for p in between)):
            continue  # the schema reports the shape
        ok = True
        for k, path in enumerate(between):
            found = raw_lookup(checker.data, path)
            if found is None:
                checker.add(("correlations", i, "between", k),
                            "unknown input; write it as one of " + ", ".join(PATH_FORMS), path)
                ok = False
            elif isinstance(found[1], dict) and found[1].get("experts"):
                checker.add(("correlations", i, "between", k),
                            "is estimated by an expert panel, which cannot be rank-correlated "
                            "(a pooled input's draws are not monotone in the copula's uniform)",
                            path)
                ok = False
            elif not (isinstance(found[1], dict) and isinstance(found[1].get("distribution"), dict)):
                checker.add(("correlations", i, "between", k),
                            "has no distribution: only uncertain inputs (with a `distribution`) "
                            "can be correlated", path)
                ok = False
        key = frozenset(between)
        if len(key) == 2 and key in seen:
            checker.add(("correlations", i, "between"),
                        f"this pair is already correlated by correlations[{seen[key]}]; "
                        "declare each pair once", between)
            ok = False
        seen.setdefault(key, i)
        rho = item.get("rank_correlation")
        if ok and len(key) == 2 and isinstance(rho, int | float) and -1 < rho < 1:
            good.append((between[0], between[1], float(rho)))
    if good:
        paths = sorted({p for a, b, _ in good for p in (a, b)})
        low = smallest_eigenvalue(copula_matrix(paths, good))
        if low <= MIN_EIGENVALUE:
            checker.add(("correlations",),
                        "these correlations cannot hold together (their copula correlation "
                        f"matrix is not positive definite: smallest eigenvalue {low:.3g}); "
                        "weaken some of them", show=False)
