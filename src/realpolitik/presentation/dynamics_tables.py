"""The tables of ``realpolitik simulate`` and ``realpolitik calibrate``.

Trajectories per option and side by side; the attack process fit, its coverage check and the
comparison with a scenario's stored parameters. :func:`plot_check` draws the coverage check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from realpolitik.dynamics.calibrate import plot_check
from realpolitik.dynamics.model import event_probability
from realpolitik.presentation.numbers import band as _band

if TYPE_CHECKING:
    from realpolitik.dynamics.calibrate import Calibration, Check
    from realpolitik.scenario.schema import Scenario

__all__ = ["calibration_table", "comparison_table", "coverage_lines", "fit_lines",
           "plot_check", "print_comparison", "print_option", "rates_line"]

#: What each parameter of the attack process means, for the calibration table.
MEANING = {"mu": "background attacks per week (campaign conditions)",
           "n": "branching ratio (attacks triggered per attack)",
           "rho": "excitation kernel decay per week",
           "gamma": "log-rate reduction per unit of deterrence stock",
           "tau": "deterrence persistence, weeks (weak lognormal prior)"}


def print_option(tr: Any, dyn: Any, console: Console, level: float) -> None:
    """Trajectory table of one option: median and band of every variable at selected months."""
    months = sorted({0, *(m for m in (6, 12, 24, 36) if m < tr.months), tr.months})
    t = Table(title=f"Option {tr.option}: median [{(1 - level) / 2:.0%}-{(1 + level) / 2:.0%}] "
                    "by month", title_justify="left")
    t.add_column("variable")
    for m in months:
        t.add_column(f"m{m} ({tr.month_date(m):%Y-%m})", justify="right")
    for v in dyn.variables:
        lo, med, hi = tr.band(v.id, level)
        t.add_row(v.name, *(_band(lo[m], med[m], hi[m]) for m in months))
    if dyn.attacks is not None:
        lo, med, hi = tr.band("attacks", level)
        mean = tr.attacks.mean(axis=0)
        t.add_row(escape("attacks that month: median [band] (mean)"),
                  "-", *(f"{_band(lo[m - 1], med[m - 1], hi[m - 1])} ({mean[m - 1]:.1f})"
                         for m in months[1:]))
    console.print(t)


def print_comparison(results: list[Any], dyn: Any, console: Console, level: float) -> None:
    """Side-by-side table of the options: state at the horizon, attacks, event probabilities."""
    t = Table(title=f"Options side by side (at month {results[0].months}; median "
                    f"[{level:.0%} band])", title_justify="left")
    t.add_column("quantity", overflow="fold")
    for tr in results:
        t.add_column(tr.option, justify="right")
    for v in dyn.variables:
        cells = []
        for tr in results:
            lo, med, hi = tr.band(v.id, level)
            cells.append(_band(lo[-1], med[-1], hi[-1]))
        t.add_row(v.name, *cells)
    if dyn.attacks is not None:
        a = (1.0 - level) / 2.0
        for label, sl in (("attacks per month, year 1: median [band] (mean)", slice(0, 12)),
                          ("attacks per month, whole horizon: median [band] (mean)",
                           slice(None))):
            cells = []
            for tr in results:
                per_path = tr.attacks[:, sl].mean(axis=1)  # each path's monthly average
                lo, med, hi = np.quantile(per_path, [a, 0.5, 1.0 - a])
                cells.append(f"{_band(lo, med, hi)} ({per_path.mean():.1f})")
            t.add_row(escape(label), *cells)
        t.add_row("U.S. strikes, whole horizon: median (mean)",
                  *(f"{np.median(tr.strikes.sum(axis=1)):.0f} ({tr.strikes.sum(axis=1).mean():.1f})"
                    for tr in results))
    for ev in dyn.events:
        t.add_row(f"P({ev.name or ev.id})", *(f"{event_probability(tr, ev):.0%}" for tr in results))
    console.print(t)


def fit_lines(cal: Calibration) -> str:
    """The headline of a fit: weeks, attacks, log-likelihood and AIC."""
    fit, series = cal.fit, cal.series
    return (f"[bold]Attack process fit[/bold]: {series.weeks} weeks from "
            f"{series.week_start[0].isoformat()} ({int(series.counts.sum())} attacks), "
            f"log-likelihood {fit.log_likelihood:.2f}, AIC {fit.aic:.1f}")


def calibration_table(cal: Calibration) -> Table:
    """The fitted parameters with standard errors and approximate 95 % intervals."""
    fit = cal.fit
    t = Table(title="Fitted parameters (maximum likelihood; SE from the observed information; "
                    "interval on the log/logit scale)",
              title_justify="left")
    for col in ("parameter", "meaning", "estimate", "SE", "approx. 95% interval"):
        t.add_column(col, overflow="fold")
    for name in ("mu", "n", "rho", "gamma", "tau"):
        if name in fit.estimate:
            est, se = fit.estimate[name], fit.se[name]
            lo, hi = fit.interval(name)
            t.add_row(name, MEANING[name], f"{est:.3f}", f"{se:.3f}", f"{lo:.3f} - {hi:.3f}")
        elif name in fit.fixed:
            t.add_row(name, MEANING[name], f"{fit.fixed[name]:g} (fixed)", "-", "-")
    return t


def rates_line(cal: Calibration) -> str:
    """Stationary rate, U.S. retaliation and the deterrence stock at the end, in one line."""
    p, w = cal.retaliation()
    return (f"stationary rate mu/(1-n) without deterrence: {cal.fit.stationary_rate:.1f} per week; "
            f"U.S. strike in {p:.0%} of weeks with attacks, {w:.2f} facilities per strike week; "
            f"deterrence stock at the end: {cal.deterrence_at_end():.2f}")


def coverage_lines(res: Check, samples: int) -> list[str]:
    """The coverage of the observed weeks by the simulated band, and the weeks outside it."""
    outside = [f"{d.isoformat()} ({int(o)} vs {lo:.0f}-{hi:.0f})" for d, o, lo, hi, ok in
               zip(res.week_start, res.observed, res.low, res.high, res.inside, strict=True)
               if not ok]
    lines = [f"[bold]coverage[/bold]: {res.coverage:.0%} of {len(res.observed)} observed weeks "
             f"inside the simulated {res.level:.0%} band ({samples} free-running simulations)"]
    if outside:
        lines.append("weeks outside the band: " + "; ".join(outside))
    return lines


def comparison_table(sc: Scenario, cal: Calibration) -> Table | str:
    """The scenario's stored attack parameters next to the fit (a sentence if it has none)."""
    att = sc.dynamics.attacks if sc.dynamics else None
    if att is None:
        return f"scenario {sc.id!r} has no dynamics.attacks section to compare with"
    stored = {"mu": att.baseline.point, "n": att.branching_ratio.point,
              "gamma": att.deterrence_effect.point, "tau": att.deterrence_weeks.point}
    t = Table(title=f"Stored in {sc.id} vs this fit", title_justify="left")
    for col in ("parameter", "stored", "fitted", "agree (3 significant digits)"):
        t.add_column(col)
    for k, v in stored.items():
        if k in cal.fit.estimate:
            fitted = cal.fit.estimate[k]
            ok = bool(np.isclose(v, float(f"{fitted:.3g}"), rtol=2e-3))
            t.add_row(k, f"{v:g}", f"{fitted:.4g}", "yes" if ok else "[red]no[/red]")
    return t
