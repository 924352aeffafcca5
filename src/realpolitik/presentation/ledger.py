"""The forecast ledger in tables and a calibration plot (``realpolitik score``)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from realpolitik.presentation.uncertainty_plots import _figure, _Tips, save

_BAND_LABELS = {"calibrated_80": "calibrated 80%", "calibrated_90": "calibrated 90%",
                "input_5_95": "input uncertainty 5-95%"}


def _flag(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def print_score(result: Any, console: Console) -> None:
    """Per recorded forecast with a known outcome: error and bands; then coverage per band."""
    t = Table(title="Recorded forecasts with a known outcome", title_justify="left")
    for col in ("id", "recorded", "scenario", "issue", "model", "forecast", "outcome",
                "abs error", "0-100", "in 80%", "in 90%", "in 5-95%"):
        t.add_column(col, justify="left" if col in ("recorded", "scenario", "issue", "model")
                     else "right")
    for r in result.scored:
        t.add_row(str(r.forecast_id), r.recorded_at[:10], r.scenario_id, r.issue_id, r.model,
                  f"{r.forecast:.1f}", f"{r.outcome:.1f}", f"{r.abs_error:.1f}",
                  f"{r.abs_error_0_100:.1f}", _flag(r.inside("calibrated_80")),
                  _flag(r.inside("calibrated_90")), _flag(r.inside("input_5_95")))
    console.print(t)
    mae = result.mae_0_100()
    console.print(f"{len(result.scored)} scored, {result.pending} still without an outcome"
                  + ("" if mae is None else f"; mean absolute error {mae:.1f} on a 0-100 scale"))
    cov = result.coverage()
    if cov:
        c = Table(title="Coverage: share of outcomes inside each band", title_justify="left")
        for col in ("band", "nominal", "observed", "n"):
            c.add_column(col, justify="left" if col == "band" else "right")
        for band, (nominal, share, n) in cov.items():
            c.add_row(_BAND_LABELS[band], f"{nominal:.0%}", f"{share:.0%}", str(n))
        console.print(c)
        console.print("With few scored forecasts the observed share is very uncertain "
                      "(the plot shows a 95% binomial interval).")


def calibration_plot(result: Any, path: Path | str) -> Path:
    """Nominal against observed coverage of each band, with Wilson 95 % intervals."""
    fig = _figure(1, height=4.0, width=5.5)
    ax = fig.add_subplot(1, 1, 1)
    tips = _Tips()
    ax.plot([0, 1], [0, 1], color="#999", lw=1, ls="--", label="perfect calibration")
    for k, (band, (nominal, share, n)) in enumerate(result.coverage().items()):
        lo, hi = _wilson(share, n)
        x = nominal + (0.01 * k if band == "input_5_95" else 0.0)
        bar = ax.errorbar([x], [share], yerr=[[share - lo], [hi - share]], fmt="o", capsize=4,
                          label=f"{_BAND_LABELS[band]} (n={n})")
        tips.tag(bar.lines[0], f"{_BAND_LABELS[band]}: {share:.0%} of {n} inside")
    ax.set_xlim(0.5, 1.0)
    ax.set_ylim(0.0, 1.05)
    ax.set_xlabel("nominal coverage")
    ax.set_ylabel("observed share of outcomes inside")
    ax.set_title("Forecast ledger: are the bands honest?")
    ax.legend(loc="lower right", fontsize=8)
    return save(fig, path, tips, "Calibration of recorded forecasts",
                "Each point: the share of recorded forecasts whose outcome fell inside the band.")


def _wilson(share: float, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)
