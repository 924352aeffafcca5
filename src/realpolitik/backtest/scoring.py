"""Scoring collective models on past decisions: errors, baselines, and who beats whom.

Every registered collective model (or a chosen few) forecasts every selected issue of a data
set; each forecast's absolute error is put on a 0-100 scale (``100 |f - o| / (upper - lower)``).
Two naive baselines are scored the same way:

* ``status-quo``: nothing changes (the issue's status quo);
* ``mean-position``: the unweighted mean of the actors' positions.

The summary gives, per method, the number of issues, the mean absolute error (MAE) with a
bootstrap 95 % interval (issues resampled with replacement, seeded), the median absolute error,
and the share of issues on which the method's error is strictly smaller than each baseline's
(ties, common on DEU where outcomes and positions sit at 0, 50 or 100, count as not beating).

Issues are selected when at least ``min_actors`` actors take a position and, by default, the
status quo is known (the baselines and some models need it). With
``missing_status_quo="midpoint"`` the others are kept with the scale's midpoint as their status
quo; the status-quo baseline then predicts that midpoint on those issues.

Models see one issue at a time (``d = 1``); issues with the same number of actors and scale run
as one batch, so no padding actors are ever invented.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from realpolitik.backtest.dataset import Dataset, Issue
from realpolitik.errors import RealpolitikError
from realpolitik.models.base import BargainingInput, DecisionRules, ModelSpec
from realpolitik.models.registry import get_model, list_models
from realpolitik.runner import run_model
from realpolitik.seeds import generator, resolve_seed

BASELINES = ("status-quo", "mean-position")
MISSING_STATUS_QUO = ("drop", "midpoint")


@dataclass(frozen=True)
class Selection:
    """Which issues were scored and why the others were not."""

    issues: tuple[Issue, ...]
    status_quo: np.ndarray  # the status quo each scored issue was given
    too_few_actors: tuple[str, ...]
    no_status_quo: tuple[str, ...]
    filled_status_quo: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    """One method's scores."""

    method: str
    kind: str  # "model" or "baseline"
    n: int
    mae: float
    mae_low: float
    mae_high: float
    median_ae: float
    beats_status_quo: float
    beats_mean_position: float


@dataclass(frozen=True)
class BacktestResult:
    """Forecasts and errors of every method on every scored issue, and the summaries."""

    dataset: Dataset
    selection: Selection
    methods: tuple[str, ...]
    kinds: dict[str, str]
    forecasts: dict[str, np.ndarray]  # method -> (N,) on each issue's own scale
    errors: dict[str, np.ndarray]  # method -> (N,) on 0-100
    summaries: tuple[Summary, ...] = field(default_factory=tuple)

    def summary(self, method: str) -> Summary:
        """The summary of ``method``."""
        for s in self.summaries:
            if s.method == method:
                return s
        raise KeyError(method)

    def rows(self) -> list[dict[str, object]]:
        """Per-issue rows (one per issue and method) for a CSV file."""
        out: list[dict[str, object]] = []
        for k, issue in enumerate(self.selection.issues):
            for method in self.methods:
                out.append(
                    {
                        "issue_id": issue.issue_id,
                        "proposal": issue.meta.get("proposal", ""),
                        "procedure": issue.meta.get("procedure", ""),
                        "n_actors": issue.n_actors,
                        "lower": issue.lower,
                        "upper": issue.upper,
                        "status_quo": float(self.selection.status_quo[k]),
                        "status_quo_recorded": issue.status_quo is not None,
                        "outcome": issue.outcome,
                        "method": method,
                        "kind": self.kinds[method],
                        "forecast": float(self.forecasts[method][k]),
                        "abs_error_0_100": float(self.errors[method][k]),
                    }
                )
        return out


def select_issues(
    dataset: Dataset, *, min_actors: int = 3, missing_status_quo: str = "drop"
) -> Selection:
    """The issues to score (see the module docstring)."""
    if missing_status_quo not in MISSING_STATUS_QUO:
        raise RealpolitikError(
            f"missing status quo must be one of {', '.join(MISSING_STATUS_QUO)}, "
            f"got {missing_status_quo!r}"
        )
    if min_actors < 1:
        raise RealpolitikError(f"min_actors must be at least 1, got {min_actors}",
                               options=("min_actors",))
    kept, sq, few, none, filled = [], [], [], [], []
    for issue in dataset.issues:
        if issue.n_actors < min_actors:
            few.append(issue.issue_id)
        elif issue.status_quo is None and missing_status_quo == "drop":
            none.append(issue.issue_id)
        else:
            kept.append(issue)
            if issue.status_quo is None:
                filled.append(issue.issue_id)
                sq.append((issue.lower + issue.upper) / 2)
            else:
                sq.append(issue.status_quo)
    if not kept:
        raise RealpolitikError(
            f"no issue of {dataset.name!r} can be scored: {len(few)} have fewer than "
            f"{min_actors} actors and {len(none)} have no status quo "
            "(fill missing status quos with the midpoint, or lower the minimum number of actors)",
            options=("missing_status_quo", "min_actors"),
        )
    return Selection(
        tuple(kept), np.asarray(sq, dtype=float), tuple(few), tuple(none), tuple(filled)
    )


def collective_models(names: Sequence[str] | None = None) -> list[ModelSpec]:
    """The models to score: the named ones, or every registered collective model."""
    if not names:
        return [s for s in list_models() if s.collective]
    specs = [get_model(n) for n in names]
    for s in specs:
        if not s.collective:
            raise RealpolitikError(
                f"model {s.name!r} is not a collective model; it cannot be backtested"
            )
    return specs


def _batches(selection: Selection) -> dict[tuple[int, float, float], list[int]]:
    groups: dict[tuple[int, float, float], list[int]] = defaultdict(list)
    for k, issue in enumerate(selection.issues):
        groups[(issue.n_actors, issue.lower, issue.upper)].append(k)
    return groups


def _input(selection: Selection, idx: list[int]) -> BargainingInput:
    issues = [selection.issues[k] for k in idx]
    first = issues[0]
    return BargainingInput(
        position=np.stack([i.position for i in issues])[:, :, None],
        salience=np.stack([i.salience for i in issues])[:, :, None],
        capability=np.stack([i.capability for i in issues]),
        status_quo=selection.status_quo[idx][:, None],
        lower=np.array([first.lower]),
        upper=np.array([first.upper]),
        actor_ids=tuple(f"actor{j}" for j in range(first.n_actors)),
        issue_ids=("issue",),
        rules=_rules([i.rules for i in issues]),
    )


def _rules(each: list[DecisionRules | None]) -> DecisionRules | None:
    """The issues' rules stacked on the batch axis (None unless every issue has rules)."""
    if not each or any(r is None for r in each):
        return None
    first = each[0]
    assert first is not None
    return DecisionRules(
        weight=np.concatenate([r.weight for r in each if r is not None]),
        quota=np.concatenate([r.quota for r in each if r is not None]),
        body_rule=first.body_rule, issue_rule=first.issue_rule,
        setter=np.concatenate([r.setter for r in each if r is not None]),
    )


def forecast_issues(spec: ModelSpec, selection: Selection, *, seed: int = 0) -> np.ndarray:
    """``spec``'s forecast of every selected issue, (N,), on each issue's scale."""
    out = np.empty(len(selection.issues))
    for idx in _batches(selection).values():
        result = run_model(spec, _input(selection, idx), seed=seed)
        out[idx] = np.asarray(result.forecast, dtype=float)[:, 0]
    if not np.isfinite(out).all():
        bad = [selection.issues[k].issue_id for k in np.flatnonzero(~np.isfinite(out))[:5]]
        raise RealpolitikError(f"model {spec.name!r} gave a non-finite forecast on issues {bad}")
    return out


def bootstrap_mae(errors: np.ndarray, *, seed: int, n_boot: int) -> tuple[float, float]:
    """A percentile bootstrap 95 % interval for the mean of ``errors``."""
    if n_boot <= 0 or len(errors) < 2:
        return float("nan"), float("nan")
    rng = generator(seed)
    idx = rng.integers(0, len(errors), size=(n_boot, len(errors)))
    means = errors[idx].mean(axis=1)
    lo, hi = np.quantile(means, [0.025, 0.975])
    return float(lo), float(hi)


def share_better(errors: np.ndarray, reference: np.ndarray, tol: float = 1e-9) -> float:
    """Share of issues on which ``errors`` is strictly smaller than ``reference``."""
    return float(np.mean(errors < reference - tol))


def run_backtest(
    dataset: Dataset,
    models: Sequence[str] | None = None,
    *,
    min_actors: int = 3,
    missing_status_quo: str = "drop",
    seed: int = 0,
    n_boot: int = 2000,
    progress: Callable[[str], None] | None = None,
) -> BacktestResult:
    """Score ``models`` (default: every registered collective model) and the baselines."""
    seed = resolve_seed(seed)
    selection = select_issues(dataset, min_actors=min_actors, missing_status_quo=missing_status_quo)
    specs = collective_models(models)
    issues = selection.issues
    outcome = np.array([i.outcome for i in issues])
    width = np.array([i.upper - i.lower for i in issues])

    forecasts: dict[str, np.ndarray] = {}
    kinds: dict[str, str] = {}
    for spec in specs:
        if progress is not None:
            progress(spec.name)
        forecasts[spec.name] = forecast_issues(spec, selection, seed=seed)
        kinds[spec.name] = "model"
    forecasts["status-quo"] = selection.status_quo.copy()
    forecasts["mean-position"] = np.array([i.position.mean() for i in issues])
    kinds.update(dict.fromkeys(BASELINES, "baseline"))

    errors = {m: 100.0 * np.abs(f - outcome) / width for m, f in forecasts.items()}
    summaries = []
    for k, (method, err) in enumerate(errors.items()):
        lo, hi = bootstrap_mae(err, seed=seed + k, n_boot=n_boot)
        summaries.append(
            Summary(
                method=method,
                kind=kinds[method],
                n=len(err),
                mae=float(err.mean()),
                mae_low=lo,
                mae_high=hi,
                median_ae=float(np.median(err)),
                beats_status_quo=share_better(err, errors["status-quo"]),
                beats_mean_position=share_better(err, errors["mean-position"]),
            )
        )
    return BacktestResult(
        dataset, selection, tuple(forecasts), kinds, forecasts, errors, tuple(summaries)
    )
