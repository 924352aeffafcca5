"""The cross-validated backtest in tables (``realpolitik backtest DATASET... --cv K``)."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.table import Table

from realpolitik.api.backtest import LEVELS, CrossValResult


def _pct(level: float) -> str:
    return f"{round(100 * level)}%"


def print_crossval(result: CrossValResult, out: Console) -> None:
    """Per data set and pooled errors, the comparisons, the weights and the coverage."""
    pool = result.pool
    out.print(f"[bold]Cross-validated backtest[/bold]: {len(pool.y)} issues of "
              f"{', '.join(pool.datasets)}; {result.folds} folds grouped by proposal "
              f"({len(set(pool.groups.tolist()))} proposals), seed {result.seed}")
    for note in pool.notes:
        out.print(f"  {note}")
    scopes = [*pool.datasets, None] if len(pool.datasets) > 1 else [None]
    only = pool.datasets[0] if len(pool.datasets) == 1 else "pooled"
    table = Table(title="Absolute error on a 0-100 scale (lower is better); the stacked "
                  "ensemble's is out of fold")
    table.add_column("method")
    table.add_column("kind")
    table.add_column("weight", justify="right")
    for scope in scopes:
        table.add_column(f"{scope or only} (n={result.n(scope)})", justify="right")
    for method in result.errors:
        weight = result.weights.get(method)
        table.add_row(method, result.kinds[method],
                      "" if weight is None else f"{weight:.3f}",
                      *[f"{result.mae(method, s):.2f}" for s in scopes])
    out.print(table)

    comp = Table(title="Stacked ensemble (out of fold) minus another method: mean difference "
                 "of absolute errors, paired bootstrap 95% interval (proposals resampled)")
    for col in ("compared with", "difference", "95% interval"):
        comp.add_column(col, justify="right" if col != "compared with" else "left")
    for name, (diff, lo, hi) in result.comparisons.items():
        label = name.replace("vs ", "")
        if label == result.best_member:
            label += " (best member)"
        interval = "" if math.isnan(lo) else f"{lo:+.2f} to {hi:+.2f}"
        comp.add_row(label, f"{diff:+.2f}", interval)
    out.print(comp)
    out.print("negative = the stacked ensemble is better; an interval across 0 means no "
              "measurable difference.")

    cov = Table(title="Calibrated bands: measured coverage on held-out folds (nominal in the "
                "header); mean half-width in brackets")
    cov.add_column("band")
    for scope in scopes:
        for lv in LEVELS:
            cov.add_column(f"{scope or only} {_pct(lv)}", justify="right")
    for band in result.inside:
        cells = []
        for scope in scopes:
            for lv in LEVELS:
                share, _n = result.coverage(band, lv, scope)
                width = _mean_width(result, band, lv, scope)
                cells.append(f"{100 * share:.1f}% [{width:.1f}]")
        cov.add_row(band, *cells)
    out.print(cov)
    q = result.quantiles["ensemble"]
    out.print("Bands that ship (stacked ensemble, fitted on every issue): "
              + ", ".join(f"{_pct(lv)} = forecast +- {q[lv]:.1f}" for lv in LEVELS)
              + " on a 0-100 scale. Learned on these decisions; elsewhere an assumption.")


def _mean_width(result: CrossValResult, band: str, level: float, scope: str | None) -> float:
    half = result.half_width[band][level]
    if scope is not None:
        half = half[result.pool.dataset == scope]
    return float(half.mean()) if len(half) else math.nan


def crossval_rows(result: CrossValResult) -> list[dict[str, Any]]:
    """One row per issue and method: data set, proposal group, absolute error (0-100)."""
    pool = result.pool
    rows = []
    for k, issue in enumerate(pool.issue_ids):
        for method, err in result.errors.items():
            rows.append({"dataset": str(pool.dataset[k]), "issue_id": issue,
                         "group": str(pool.groups[k]), "stratum": str(pool.strata[k]),
                         "outcome_0_100": float(pool.y[k]), "method": method,
                         "kind": result.kinds[method], "abs_error_0_100": float(err[k])})
    return rows
