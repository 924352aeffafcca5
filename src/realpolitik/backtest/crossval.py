"""Several data sets, one pool: member forecasts, stacked weights by grouped CV, calibrated bands.

:func:`run_crossval` forecasts every selected issue of every data set with every member model
once (through the runner, as :func:`~realpolitik.backtest.scoring.run_backtest` does), puts
forecasts and outcomes on the 0-100 scale, and then, on the pooled issues:

* scores each member, the equal-weight ensemble (the plain mean of the members: what the
  ``ensemble`` model gives with ``weights=None``) and the two naive baselines as they are (none of
  them is fitted, so their errors on all issues are already out of sample);
* fits stacked weights by cross-validation grouped by proposal (``<data set>:<proposal>``; an
  issue without a proposal is its own group), so the **out-of-fold** error of the stacked
  ensemble is the figure reported, with a paired bootstrap interval (proposals resampled) of its
  difference to the best member and to the mean-position baseline;
* measures the coverage of split-conformal bands at 80 % and 90 % on held-out folds
  (:func:`~realpolitik.backtest.stacking.nested_coverage`), pooled and per data set, for bands of
  one width and for bands per procedure (``procedure`` metadata; the data set's name where none);
* fits the weights and band widths that ship (:func:`realpolitik.backtest.weights.weights_document`)
  on all pooled issues.

Nothing is tuned on a test fold: the folds, seeds and levels are fixed before any error is seen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from realpolitik.backtest.dataset import Dataset
from realpolitik.backtest.scoring import collective_models, forecast_issues, select_issues
from realpolitik.backtest.stacking import (
    LEVELS,
    conformal_quantile,
    cross_val_predict,
    fit_weights,
    grouped_folds,
    nested_coverage,
    paired_bootstrap,
)
from realpolitik.errors import RealpolitikError
from realpolitik.scoring import absolute_errors
from realpolitik.seeds import resolve_seed

STACKED = "ensemble"
EQUAL = "ensemble-equal"
BASELINES = ("status-quo", "mean-position")
#: A stratum (procedure) gets its own band width only with at least this many residuals.
MIN_STRATUM = 40


@dataclass(frozen=True)
class Pool:
    """The pooled issues of several data sets on the 0-100 scale."""

    datasets: tuple[str, ...]
    dataset: np.ndarray  # (n,) data set name of each issue
    issue_ids: tuple[str, ...]
    groups: np.ndarray  # (n,) "<data set>:<proposal>"
    strata: np.ndarray  # (n,) procedure (or data set name)
    members: tuple[str, ...]
    F: np.ndarray  # (n, m) member forecasts
    y: np.ndarray  # (n,) outcomes
    baselines: dict[str, np.ndarray]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CrossValResult:
    """Out-of-fold errors, weights, bootstrap comparisons and coverage (all 0-100 scale)."""

    pool: Pool
    folds: int
    seed: int
    errors: dict[str, np.ndarray]  # method -> (n,) absolute errors (stacked: out of fold)
    kinds: dict[str, str]
    fold_weights: np.ndarray  # (k, m)
    weights: dict[str, float]  # fitted on every pooled issue
    best_member: str
    comparisons: dict[str, tuple[float, float, float]]  # "vs <method>" -> (diff, lo, hi)
    inside: dict[str, dict[float, np.ndarray]]  # band kind -> level -> (n,) bool
    half_width: dict[str, dict[float, np.ndarray]]
    quantiles: dict[str, dict[float, float]]  # method -> level -> half-width for new cases
    stratum_quantiles: dict[str, dict[float, float]]  # stratum -> level -> half-width
    options: dict[str, object] = field(default_factory=dict)

    def mae(self, method: str, dataset: str | None = None) -> float:
        """Mean absolute error of ``method`` on the pool or one data set."""
        err = self.errors[method]
        if dataset is not None:
            err = err[self.pool.dataset == dataset]
        return float(err.mean()) if len(err) else math.nan

    def coverage(self, band: str, level: float, dataset: str | None = None) -> tuple[float, int]:
        """Measured coverage of ``band`` at ``level`` on held-out folds, and its n."""
        inside = self.inside[band][level]
        if dataset is not None:
            inside = inside[self.pool.dataset == dataset]
        return (float(inside.mean()) if len(inside) else math.nan), len(inside)

    def n(self, dataset: str | None = None) -> int:
        """Number of issues of the pool or of one data set."""
        if dataset is None:
            return len(self.pool.y)
        return int(np.sum(self.pool.dataset == dataset))


def _scaled(values: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    return 100.0 * (values - lower) / (upper - lower)


def build_pool(
    datasets: Sequence[Dataset], models: Sequence[str] | None = None, *, min_actors: int = 3,
    missing_status_quo: str = "drop", seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> Pool:
    """Forecast every selected issue of every data set with every member (0-100 scale)."""
    specs = [s for s in collective_models(models) if s.name != STACKED]
    if not specs:
        raise RealpolitikError("no member model to cross-validate (the ensemble is computed "
                               "from the others)", options=("models",))
    names = [d.name for d in datasets]
    if len(set(names)) != len(names):
        raise RealpolitikError(f"a data set is named twice: {names}")
    parts: list[dict[str, object]] = []
    notes: list[str] = []
    total, done = len(datasets) * len(specs), 0
    for data in datasets:
        try:
            sel = select_issues(data, min_actors=min_actors, missing_status_quo=missing_status_quo)
        except RealpolitikError as exc:
            notes.append(f"{data.name}: left out ({exc})")
            done += len(specs)
            continue
        lower = np.array([i.lower for i in sel.issues])
        upper = np.array([i.upper for i in sel.issues])
        cols = []
        for spec in specs:
            if progress is not None:
                progress(f"{data.name}: {spec.name}", done, total)
            cols.append(_scaled(forecast_issues(spec, sel, seed=seed), lower, upper))
            done += 1
        ids = [i.issue_id for i in sel.issues]
        parts.append({
            "name": data.name,
            "ids": ids,
            "groups": [f"{data.name}:{_proposal(i.meta) or i.issue_id}" for i in sel.issues],
            "strata": [i.meta.get("procedure", "").strip() or data.name for i in sel.issues],
            "F": np.stack(cols, axis=1),
            "y": _scaled(np.array([i.outcome for i in sel.issues]), lower, upper),
            "status-quo": _scaled(sel.status_quo, lower, upper),
            "mean-position": _scaled(np.array([i.position.mean() for i in sel.issues]),
                                     lower, upper),
        })
        if len(sel.issues) < len(data.issues):
            notes.append(f"{data.name}: {len(sel.issues)} of {len(data.issues)} issues scored")
    if progress is not None:
        progress("forecasts", total, total)
    if not parts:
        raise RealpolitikError("no data set has an issue that can be scored: "
                               + "; ".join(notes))
    cat = np.concatenate
    return Pool(
        datasets=tuple(str(p["name"]) for p in parts),
        dataset=cat([[p["name"]] * len(p["ids"]) for p in parts]),  # type: ignore[arg-type]
        issue_ids=tuple(i for p in parts for i in p["ids"]),  # type: ignore[attr-defined]
        groups=cat([p["groups"] for p in parts]),  # type: ignore[misc]
        strata=cat([p["strata"] for p in parts]),  # type: ignore[misc]
        members=tuple(s.name for s in specs),
        F=cat([p["F"] for p in parts], axis=0),  # type: ignore[misc]
        y=cat([p["y"] for p in parts]),  # type: ignore[misc]
        baselines={b: cat([p[b] for p in parts]) for b in BASELINES},  # type: ignore[misc]
        notes=tuple(notes),
    )


def _proposal(meta: dict[str, str]) -> str:
    return (meta.get("proposal_id") or meta.get("proposal") or "").strip()


def crossval_pool(pool: Pool, *, folds: int = 10, seed: int = 0, n_boot: int = 2000,
                  inner_folds: int = 5) -> CrossValResult:
    """Stacking, bootstrap comparisons and conformal coverage on a pool (see the module)."""
    seed = resolve_seed(seed)
    F, y, groups = pool.F, pool.y, pool.groups
    split = grouped_folds(groups, folds, seed=seed)
    oof, fold_weights = cross_val_predict(F, y, split)
    errors: dict[str, np.ndarray] = {}
    kinds: dict[str, str] = {}
    for j, name in enumerate(pool.members):
        errors[name], kinds[name] = absolute_errors(F[:, j], y), "member"
    equal = F.mean(axis=1)
    errors[EQUAL], kinds[EQUAL] = absolute_errors(equal, y), "equal weights"
    errors[STACKED], kinds[STACKED] = absolute_errors(oof, y), "stacked (out of fold)"
    for b in BASELINES:
        errors[b], kinds[b] = absolute_errors(pool.baselines[b], y), "baseline"

    best = min(pool.members, key=lambda m: float(errors[m].mean()))
    comparisons = {
        f"vs {other}": paired_bootstrap(errors[STACKED], errors[other], groups,
                                        seed=seed + k, n_boot=n_boot)
        for k, other in enumerate((best, "mean-position", EQUAL))
    }

    inside: dict[str, dict[float, np.ndarray]] = {}
    half: dict[str, dict[float, np.ndarray]] = {}
    inside[STACKED], half[STACKED] = nested_coverage(F, y, groups, split, inner_k=inner_folds,
                                                     seed=seed)
    inside["by procedure"], half["by procedure"] = _stratified_coverage(pool, split, seed,
                                                                        inner_folds)
    for name, col in [(EQUAL, equal), *[(m, F[:, j]) for j, m in enumerate(pool.members)]]:
        inside[name], half[name] = nested_coverage(col[:, None], y, groups, split,
                                                   stacked=False)

    w_all = fit_weights(F, y)
    quantiles = {STACKED: {lv: conformal_quantile(errors[STACKED], lv) for lv in LEVELS}}
    for name in (EQUAL, *pool.members):
        quantiles[name] = {lv: conformal_quantile(errors[name], lv) for lv in LEVELS}
    strata_q = {}
    for s in sorted(set(pool.strata.tolist())):
        mask = pool.strata == s
        if mask.sum() >= MIN_STRATUM:
            strata_q[s] = {lv: conformal_quantile(errors[STACKED][mask], lv) for lv in LEVELS}
    return CrossValResult(
        pool=pool, folds=len(split), seed=seed, errors=errors, kinds=kinds,
        fold_weights=fold_weights,
        weights={m: float(w) for m, w in zip(pool.members, w_all, strict=True)},
        best_member=best, comparisons=comparisons, inside=inside, half_width=half,
        quantiles=quantiles, stratum_quantiles=strata_q,
        options={"folds": len(split), "inner_folds": inner_folds, "seed": seed,
                 "bootstrap": n_boot},
    )


def _stratified_coverage(pool: Pool, split: Sequence[np.ndarray], seed: int,
                         inner_folds: int) -> tuple[dict[float, np.ndarray],
                                                    dict[float, np.ndarray]]:
    """Coverage of bands whose width is learned per procedure (pooled where a stratum is small)."""
    F, y, strata = pool.F, pool.y, pool.strata
    n = len(y)
    inside = {lv: np.zeros(n, dtype=bool) for lv in LEVELS}
    half = {lv: np.full(n, np.nan) for lv in LEVELS}
    for j, test in enumerate(split):
        train = np.setdiff1d(np.arange(n), test)
        pred = F[test] @ fit_weights(F[train], y[train])
        inner = grouped_folds(pool.groups[train], inner_folds, seed=seed + 1 + j)
        inner_oof, _ = cross_val_predict(F[train], y[train], inner)
        resid = np.abs(inner_oof - y[train])
        for lv in LEVELS:
            pooled_q = conformal_quantile(resid, lv)
            for s in set(strata[test].tolist()):
                in_s = strata[train] == s
                q = conformal_quantile(resid[in_s], lv) if in_s.sum() >= MIN_STRATUM else pooled_q
                idx = test[strata[test] == s]
                half[lv][idx] = q
                inside[lv][idx] = np.abs(pred[strata[test] == s] - y[idx]) <= q + 1e-9
    return inside, half


def run_crossval(
    datasets: Sequence[Dataset], models: Sequence[str] | None = None, *, folds: int = 10,
    min_actors: int = 3, missing_status_quo: str = "drop", seed: int = 0, n_boot: int = 2000,
    progress: Callable[[str, int, int], None] | None = None,
) -> CrossValResult:
    """Build the pool of ``datasets`` and cross-validate it (see the module docstring)."""
    seed = resolve_seed(seed)
    pool = build_pool(datasets, models, min_actors=min_actors,
                      missing_status_quo=missing_status_quo, seed=seed, progress=progress)
    result = crossval_pool(pool, folds=folds, seed=seed, n_boot=n_boot)
    result.options.update({"min_actors": min_actors, "missing_status_quo": missing_status_quo})
    return result
