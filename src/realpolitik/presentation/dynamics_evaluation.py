"""Tables, CSV and plot of the rolling-origin evaluation and of a fitted count-model variant."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from rich.table import Table

if TYPE_CHECKING:
    from realpolitik.api.dynamics import AttackFit, Evaluation
    from realpolitik.scenario.schema import Scenario

__all__ = ["correlation_line", "evaluation_frame", "evaluation_lines", "evaluation_table",
           "plot_evaluation",
           "variant_comparison", "variant_fit_table"]

#: What each parameter of a count-model variant means.
MEANING = {"mu": "background attacks per week (campaign conditions)",
           "n": "branching ratio (attacks triggered per attack)",
           "gamma": "log-rate reduction per unit of deterrence stock",
           "tau": "deterrence persistence, weeks (lognormal prior)",
           "k": "negative binomial size per week (dispersion)"}


def _meaning(name: str) -> str:
    if name.startswith("effect:"):
        return f"log-rate effect of the regime {name.split(':', 1)[1]} when it begins"
    if name.startswith("persistence:"):
        return f"persistence of the regime {name.split(':', 1)[1]}, weeks (lognormal prior)"
    return MEANING.get(name, name)


def evaluation_table(ev: Evaluation) -> Table:
    """One row per model and baseline: mean CRPS (all, 1 week ahead), log score, coverage."""
    t = Table(title=f"Rolling-origin forecasts: cut points from week {ev.first_origin}, "
                    f"1-{ev.horizon} weeks ahead, {ev.results[ev.chosen].crps.size} forecasts "
                    "each (lower scores are better)", title_justify="left")
    for col in ("model", "kind", "CRPS", "CRPS 1 week", "log score", "50% band",
                "80% band", "90% band"):
        t.add_column(col, justify="left" if col in ("model", "kind") else "right")
    for name, r in ev.results.items():
        label = f"{name} (chosen)" if name == ev.chosen else name
        t.add_row(label, r.kind, f"{r.mean_crps():.2f}", f"{r.mean_crps(1):.2f}",
                  f"{r.mean_log():.2f}", *(f"{r.coverage(lv):.0%}" for lv in (0.5, 0.8, 0.9)))
    return t


def evaluation_lines(ev: Evaluation) -> list[str]:
    """The verdict in words: the chosen model against the best baseline, and where it loses."""
    best = ev.best_baseline()
    ch, bl = ev.results[ev.chosen], ev.results[best]
    worse = ch.crps > bl.crps
    verdict = "beats" if ch.mean_crps() < bl.mean_crps() else "does NOT beat"
    lines = [f"chosen model: {ev.chosen} (lowest mean CRPS); it {verdict} the best baseline "
             f"({best}: {bl.mean_crps():.2f} against {ch.mean_crps():.2f})"]
    diff = ch.crps - bl.crps
    if worse.any():
        target = (ch.origin + ch.horizon - 1).astype(int)
        loss: dict[int, float] = {}
        for w, d in zip(target[worse], diff[worse], strict=True):
            loss[int(w)] = loss.get(int(w), 0.0) + float(d)
        top = sorted(loss, key=lambda w: -loss[w])[:3]
        lines.append(
            f"{ev.chosen} scores worse than {best} in {int(worse.sum())} of {worse.size} "
            f"forecasts, losing {diff[worse].sum():.1f} CRPS points in all (most in the weeks "
            + ", ".join(f"{ev.week_start[w].isoformat()} ({loss[w]:.1f})" for w in top)
            + f"); it wins the other {int((~worse).sum())} by {-diff[~worse].sum():.1f} points")
    pit = ch.pit(5)
    lines.append("mean PIT histogram of " + ev.chosen + " (5 bins, flat = calibrated, 20% each): "
                 + " ".join(f"{x:.0%}" for x in pit))
    return lines


def evaluation_frame(ev: Evaluation) -> pd.DataFrame:
    """Every forecast: model, cut point, target week, horizon, outcome, quantiles and scores."""
    rows: list[dict[str, Any]] = []
    for name, r in ev.results.items():
        q = r.quantiles((0.05, 0.25, 0.5, 0.75, 0.95))
        for i in range(r.crps.size):
            target = int(r.origin[i] + r.horizon[i] - 1)
            rows.append({"model": name, "kind": r.kind,
                         "cut_week": ev.week_start[int(r.origin[i])].isoformat(),
                         "target_week": ev.week_start[target].isoformat(),
                         "horizon": int(r.horizon[i]), "observed": float(r.outcome[i]),
                         "q05": q[0, i], "q25": q[1, i], "median": q[2, i], "q75": q[3, i],
                         "q95": q[4, i], "crps": float(r.crps[i]), "log_score": float(r.log[i])})
    return pd.DataFrame(rows)


def plot_evaluation(ev: Evaluation, path: Path) -> Path:
    """The evaluation plot (PNG).

    Left: one-week-ahead bands of the chosen model and the best baseline against the data;
    right: mean PIT histograms (flat = calibrated).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), dpi=100,
                                  gridspec_kw={"width_ratios": [2.2, 1]})
    x_all = np.array(ev.week_start, dtype="datetime64[D]")
    ax.plot(x_all, ev.counts, "o", color="black", ms=3.5, label="observed", zorder=5)
    for name, color in ((ev.chosen, "tab:blue"), (ev.best_baseline(), "tab:orange")):
        r = ev.results[name]
        one = r.horizon == 1
        x = x_all[r.origin[one].astype(int)]
        q = r.quantiles((0.05, 0.25, 0.5, 0.75, 0.95))[:, one]
        ax.fill_between(x, q[0], q[4], step="mid", alpha=0.18, color=color)
        ax.fill_between(x, q[1], q[3], step="mid", alpha=0.3, color=color)
        ax.step(x, q[2], where="mid", color=color, lw=1.2,
                label=f"{name}: median, 50% and 90% bands")
    ax.set_ylabel("attacks per week")
    ax.set_title("One week ahead, refitted at every cut point", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3)
    bins = 10
    centers = (np.arange(bins) + 0.5) / bins
    for name in dict.fromkeys([ev.chosen, *ev.models, ev.best_baseline()]):
        ax2.step(centers, ev.results[name].pit(bins), where="mid", label=name)
    ax2.axhline(1.0 / bins, color="gray", ls=":", lw=1)
    ax2.set_xlabel("PIT")
    ax2.set_ylabel("share")
    ax2.set_title("Mean PIT histogram (flat = calibrated)", fontsize=10)
    ax2.legend(fontsize=7)
    fig.autofmt_xdate()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def variant_fit_table(fit: AttackFit) -> Table:
    """A fitted variant's parameters with standard errors (delta method) and their meaning."""
    cf = fit.fit
    t = Table(title=f"Fitted parameters of {cf.variant.name} on {fit.weeks} weeks (posterior "
                    "mode; SE from the observed information)", title_justify="left")
    for col in ("parameter", "meaning", "estimate", "SE"):
        t.add_column(col, overflow="fold")
    est, se = cf.estimate, cf.se
    for name in cf.names:
        t.add_row(name, _meaning(name), f"{est[name]:.4g}", f"{se[name]:.3g}")
    return t


def correlation_line(fit: AttackFit, threshold: float = 0.1) -> str:
    """The fit's correlations of |r| >= ``threshold`` (unconstrained scale), in one line."""
    cf = fit.fit
    corr = cf.correlation()
    pairs = [f"{a}~{cf.names[j]} {corr[i, j]:+.2f}" for i, a in enumerate(cf.names)
             for j in range(i + 1, len(cf.names)) if abs(corr[i, j]) >= threshold]
    return "correlations (log/logit scale, |r| >= 0.1): " + ("; ".join(pairs) or "none")


#: The scenario field of each fitted parameter.
FIELDS = {"mu": "baseline", "n": "branching_ratio", "gamma": "deterrence_effect",
          "tau": "deterrence_weeks", "k": "dispersion"}


def variant_comparison(sc: Scenario, fit: AttackFit) -> Table | str:
    """The scenario's stored numbers next to the fit (they agree when the fit is unchanged)."""
    att = sc.dynamics.attacks if sc.dynamics else None
    if att is None:
        return f"scenario {sc.id!r} has no dynamics.attacks section to compare with"
    stored: dict[str, Any] = {k: getattr(att, v) for k, v in FIELDS.items()}
    for r in att.regimes:
        stored[f"effect:{r.id}"] = r.effect
        stored[f"persistence:{r.id}"] = r.persistence_weeks
    t = Table(title=f"Stored in {sc.id} vs this fit", title_justify="left")
    for col in ("parameter", "stored", "fitted", "agree (within 0.2%)"):
        t.add_column(col)
    for name, fitted in fit.fit.estimate.items():
        value = stored.get(name)
        if value is None:
            t.add_row(name, "-", f"{fitted:.4g}", "[red]not stored[/red]")
            continue
        ok = bool(np.isclose(value.point, fitted, rtol=2e-3))
        t.add_row(name, f"{value.point:g}", f"{fitted:.4g}", "yes" if ok else "[red]no[/red]")
    return t
