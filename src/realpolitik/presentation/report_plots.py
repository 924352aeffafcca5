"""Figures of the report, drawn with matplotlib and returned as inline SVG text.

Figures are built with :class:`matplotlib.figure.Figure` directly (never pyplot), so drawing
touches no global state and is safe in a server's worker thread. SVG output is made
reproducible (fixed id salt, no date) and keeps text as text, which keeps files small.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from realpolitik.api.report import DynamicsResult, ForecastSection, ModelForecast
from realpolitik.scenario.labels import actor_label, input_label, value_label
from realpolitik.scenario.schema import Scenario

#: Okabe & Ito (2008), "Color universal design": distinguishable with every common colour-vision
#: deficiency (yellow, hard to see on white, is left out; black comes last).
_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
_BAND_FILLS = ("#eef2f7", "#f7f3ea", "#eef6ee", "#f5eef7", "#f7eeee")


def colour(k: int) -> str:
    """The k-th colour of the report's palette."""
    return _COLOURS[k % len(_COLOURS)]


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


def to_svg(fig: Any) -> str:
    """A matplotlib figure as an ``<svg>`` element (no XML prolog), reproducible byte for byte."""
    import matplotlib as mpl

    if fig.get_layout_engine() is None and not getattr(fig, "_rp_laid_out", False):
        fig.tight_layout()  # one pass; a constrained layout costs a draw per save
    buf = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "realpolitik"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    start = text.find("<svg")
    svg = text[start:] if start >= 0 else text
    # let the page size the figure: keep its aspect ratio through the viewBox
    return re.sub(r'(<svg[^>]*?)\swidth="[^"]*"\s+height="[^"]*"', r'\1 class="fig"', svg, count=1)


def _style(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.grid(axis="x", color="#e5e7eb", linewidth=0.6)
    ax.set_axisbelow(True)


def forecast_intervals(scenario: Scenario, section: ForecastSection) -> str:
    """Per issue, one row per model: point forecast, median, 50% and 90% bands; the status quo."""
    models = section.all()
    d = len(scenario.issues)
    fig = _figure(7.2, 0.9 + d * (0.35 * len(models) + 0.7))
    axes = fig.subplots(d, 1, squeeze=False)[:, 0]
    for ax, issue in zip(axes, scenario.issues, strict=True):
        lo, hi = issue.scale
        for k, band in enumerate(issue.bands):
            ax.axvspan(band.low, band.high, color=_BAND_FILLS[k % len(_BAND_FILLS)], zorder=0)
            ax.text((band.low + band.high) / 2, len(models) - 0.45, band.name, ha="center",
                    va="bottom", fontsize=7, color="#6b7280")
        ax.axvline(issue.status_quo.point, color="#374151", linestyle="--", linewidth=0.9)
        for row, mf in enumerate(models):
            y = len(models) - 1 - row
            c = colour(row)
            q = mf.quantiles(issue.id)
            if q:
                ax.plot([q["p05"], q["p95"]], [y, y], color=c, linewidth=1.2)
                ax.plot([q["p25"], q["p75"]], [y, y], color=c, linewidth=5, alpha=0.55,
                        solid_capstyle="butt")
                ax.plot([q["p50"]], [y], "o", color="white", markeredgecolor=c, markersize=5)
            ax.plot([mf.point[issue.id]], [y], "D", color=c, markersize=5)
        ax.set_yticks(range(len(models)), [m.title for m in reversed(models)], fontsize=7)
        ax.set_xlim(lo, hi)
        ax.set_ylim(-0.7, len(models) + 0.1)
        ax.set_title(f"{issue.name} (status quo {issue.status_quo.point:g}, dashed)", fontsize=9,
                     loc="left")
        _style(ax)
    axes[-1].set_xlabel("◆ forecast at the point values   ○ median of the samples   thick bar: "
                        "central 50%   thin line: central 90%   dashed: status quo", fontsize=7.5)
    return to_svg(fig)


def forecast_histograms(scenario: Scenario, mf: ModelForecast) -> str | None:
    """Histogram of one model's Monte Carlo forecasts of each issue (None without samples)."""
    if mf.draws is None or mf.samples == 0:
        return None
    d = len(scenario.issues)
    fig = _figure(7.2, 2.1 * d)
    axes = fig.subplots(d, 1, squeeze=False)[:, 0]
    for j, (ax, issue) in enumerate(zip(axes, scenario.issues, strict=True)):
        lo, hi = issue.scale
        x = mf.draws[:, j]
        x = x[np.isfinite(x)]
        ax.hist(x, bins=np.linspace(lo, hi, 41), color=colour(0), alpha=0.75)
        ax.axvline(issue.status_quo.point, color="#374151", linestyle="--", linewidth=0.9)
        ax.axvline(mf.point[issue.id], color=colour(1), linewidth=1.4,
                   label="forecast at the point values")
        ax.legend(fontsize=7, frameon=False, loc="upper right")
        ax.set_xlim(lo, hi)
        ax.set_ylabel("samples", fontsize=8)
        ax.set_title(f"{issue.name}: {mf.model} over {mf.samples} samples "
                     "(dashed: status quo; solid: point forecast)", fontsize=9, loc="left")
        _style(ax)
    return to_svg(fig)


def inputs_map(scenario: Scenario) -> str:
    """Actors' positions on each issue with their ranges; marker area ∝ capability × salience."""
    d = len(scenario.issues)
    n = len(scenario.actors)
    fig = _figure(7.2, 0.8 + d * (0.28 * n + 0.6))
    axes = fig.subplots(d, 1, squeeze=False)[:, 0]
    caps = [a.capability.point for a in scenario.actors]
    top = max(max(caps), 1e-9)
    for ax, issue in zip(axes, scenario.issues, strict=True):
        ax.axvline(issue.status_quo.point, color="#374151", linestyle="--", linewidth=0.9)
        for k, actor in enumerate(scenario.actors):
            y = n - 1 - k
            v = actor.positions[issue.id]
            s = actor.salience[issue.id].point
            if v.distribution is not None:
                ax.plot([v.distribution.low, v.distribution.high], [y, y], color=colour(k),
                        linewidth=1.2)
            size = 20 + 260 * (actor.capability.point / top) * s
            ax.scatter([v.point], [y], s=size, color=colour(k), alpha=0.8, zorder=3)
            if issue.id in actor.private_positions:
                pv = actor.private_positions[issue.id].point
                ax.scatter([pv], [y], s=size, facecolors="none", edgecolors=colour(k),
                           linestyle=":", zorder=3)
        ax.set_yticks(range(n), [actor_label(scenario, a.id) for a in reversed(scenario.actors)], fontsize=7)
        ax.set_xlim(*issue.scale)
        ax.set_ylim(-0.8, n - 0.2)
        ax.set_title(f"{issue.name}: positions (hollow: private) and their ranges",
                     fontsize=9, loc="left")
        _style(ax)
    return to_svg(fig)


def option_paths(result: DynamicsResult) -> str:
    """Median and 90% band of every state variable over time, one line per policy option."""
    nv = len(result.variables)
    cols = 2 if nv > 1 else 1
    rows = (nv + cols - 1) // cols
    fig = _figure(7.4, 2.3 * rows + 0.6)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False).ravel())
    dates = result.dates()
    step = 6 if result.months > 12 else 1
    ticks = list(range(0, result.months + 1, step))
    for ax, (vid, name, unit) in zip(axes, result.variables, strict=False):
        for k, opt in enumerate(result.options):
            lo, med, hi = opt.bands[vid]
            first = 1 if len(med) == result.months else 0  # attacks: months 1..M
            xs = np.arange(first, first + len(med))
            ax.fill_between(xs, lo, hi, color=colour(k), alpha=0.08, linewidth=0)
            ax.plot(xs, lo, color=colour(k), linewidth=0.6, linestyle=(0, (1 + k, 2)))
            ax.plot(xs, hi, color=colour(k), linewidth=0.6, linestyle=(0, (1 + k, 2)))
            ax.plot(xs, med, color=colour(k), linewidth=1.4, label=opt.name,
                    linestyle=("-", "--", "-.", ":")[k % 4])
        ax.set_title(f"{name} ({unit})", fontsize=9, loc="left")
        ax.set_xticks(ticks, [f"{dates[m]:%Y-%m}" for m in ticks], fontsize=7, rotation=30)
        ax.set_xlim(0, result.months)
        _style(ax)
    for ax in axes[nv:]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    ncols = min(len(labels), 3)
    legend_rows = (len(labels) + ncols - 1) // max(ncols, 1)
    bottom = min(0.3, (0.25 + 0.2 * legend_rows) / (2.3 * rows + 0.6))
    fig.tight_layout(rect=(0, bottom, 1, 1))
    fig._rp_laid_out = True
    fig.legend(handles, labels, loc="lower center", ncols=ncols, fontsize=8, frameon=False)
    return to_svg(fig)


def timeline(scenario: Scenario) -> str | None:
    """The scenario's dated background: numeric series as lines, other events as marks."""
    events = sorted(scenario.timeline, key=lambda e: e.date)
    if not events:
        return None
    numeric: dict[str, list[tuple[dt.date, float]]] = {}
    for e in events:
        if e.value is not None:
            numeric.setdefault(e.series, []).append((e.date, e.value))
    numeric = {k: v for k, v in numeric.items() if len(v) >= 2}
    series = list(dict.fromkeys(e.series for e in events))
    panels = len(numeric) + 1
    fig = _figure(7.4, 1.9 * len(numeric) + 0.45 * len(series) + 1.2)
    heights = [2.0] * len(numeric) + [max(1.0, 0.45 * len(series))]
    axes = fig.subplots(panels, 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
    for k, (ax, (name, pts)) in enumerate(zip(axes, numeric.items(), strict=False)):
        ax.step([p[0] for p in pts], [p[1] for p in pts], where="post", color=colour(k),
                marker="o", markersize=3, linewidth=1.3)
        ax.set_title(value_label(name), fontsize=9, loc="left")
        _style(ax)
    ax = axes[-1]
    for k, name in enumerate(series):
        xs = [e.date for e in events if e.series == name]
        ax.plot(xs, [k] * len(xs), "|", markersize=12, markeredgewidth=1.6, color=colour(k))
    ax.set_yticks(range(len(series)), [value_label(x) for x in series])
    ax.set_ylim(-0.7, len(series) - 0.3)
    ax.set_title("events by series", fontsize=9, loc="left")
    for a in axes:
        a.axvline(scenario.as_of, color="#000000", linewidth=1, linestyle=":",
                  label="the scenario's as-of date")
    axes[0].legend(fontsize=7, frameon=False, loc="upper left")
    _style(ax)
    ax.tick_params(axis="x", labelrotation=30)
    return to_svg(fig)


def tornado(swings: Any, scenario: Scenario, top: int = 10) -> str | None:
    """Per issue, the ``top`` inputs by swing: the forecast with each at its 5% and 95% quantile."""
    if swings is None or not len(swings):
        return None
    issues = [i for i in scenario.issues if (swings["issue"] == i.id).any()]
    heights = [min(top, int((swings["issue"] == i.id).sum())) for i in issues]
    fig = _figure(7.4, sum(0.26 * h + 0.8 for h in heights) + 0.3)
    axes = fig.subplots(len(issues), 1, squeeze=False,
                        gridspec_kw={"height_ratios": [h + 2 for h in heights]})[:, 0]
    for ax, issue in zip(axes, issues, strict=True):
        sub = swings[swings["issue"] == issue.id].head(top)
        ys = np.arange(len(sub))[::-1]
        base = float(sub["base"].iloc[0])
        lo = sub["forecast_low"].to_numpy(dtype=float)
        hi = sub["forecast_high"].to_numpy(dtype=float)
        ax.barh(ys, hi - base, left=base, color=colour(0), alpha=0.8, label="input at 95%")
        ax.barh(ys, lo - base, left=base, color=colour(1), alpha=0.8, label="input at 5%")
        ax.axvline(base, color="#374151", linewidth=0.9)
        ax.set_yticks(ys, [input_label(scenario, str(s)) for s in sub["input"]], fontsize=7)
        ax.set_title(f"{issue.name}: forecast {base:.1f} at the point values", fontsize=9,
                     loc="left")
        _style(ax)
    axes[0].legend(fontsize=7, frameon=False, loc="lower right")
    return to_svg(fig)


def power_bars(frames: Sequence[tuple[str, Any]], scenario: Scenario | None = None) -> str | None:
    """Per issue, each actor's weight share beside its Shapley-Shubik and Banzhaf power."""
    if not frames:
        return None
    n = max(len(f) for _, f in frames)
    fig = _figure(7.4, len(frames) * (0.22 * n + 0.9) + 0.3)
    axes = fig.subplots(len(frames), 1, squeeze=False)[:, 0]
    for ax, (title, frame) in zip(axes, frames, strict=True):
        ys = np.arange(len(frame))[::-1]
        for k, (col, label) in enumerate((("weight_share", "weight share"),
                                          ("shapley_shubik", "Shapley-Shubik"),
                                          ("banzhaf", "Banzhaf"))):
            ax.barh(ys + (1 - k) * 0.27, frame[col].to_numpy(dtype=float), height=0.26,
                    color=colour(k), alpha=0.85, label=label)
        ax.set_yticks(ys, [actor_label(scenario, str(a)) for a in frame["actor"]], fontsize=7)
        top = float(frame[["weight_share", "shapley_shubik", "banzhaf"]].to_numpy().max())
        ax.set_xlim(0, min(1.0, max(0.05, top * 1.15)))
        ax.set_title(title, fontsize=9, loc="left")
        _style(ax)
    axes[0].legend(fontsize=7, frameon=False, loc="lower right")
    return to_svg(fig)

