"""Plots of the uncertainty subsystem: forecast distributions, tornado of drivers, actor power.

One drawing per chart (matplotlib, through ``matplotlib.figure.Figure``: no pyplot, no global
state), saved by the file's suffix:

- ``.png``: a raster image;
- ``.svg``: the vector image;
- ``.html``: a self-contained page (no script, no CDN, nothing fetched) with the SVG inline and
  a ``<title>`` on every bar and band, which browsers show when the pointer rests on it.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from realpolitik.errors import RealpolitikError
from realpolitik.scenario.schema import Scenario

SUFFIXES = (".png", ".svg", ".html", ".htm")
_BAND_COLOURS = ("#cfe2f3", "#d9ead3", "#fce5cd", "#ead1dc", "#fff2cc", "#d0e0e3")


class _Tips:
    """Hover texts of artists, keyed by the gid given to each artist."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}

    def tag(self, artist: Any, text: str) -> None:
        gid = f"rp-tip-{len(self.texts)}"
        artist.set_gid(gid)
        self.texts[gid] = text


def _figure(rows: int, height: float = 2.8, width: float = 8.0) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, max(2.2, height * rows)), layout="constrained")


def save(fig: Any, path: Path | str, tips: _Tips, title: str, caption: str = "") -> Path:
    """Write ``fig`` to ``path`` as PNG, SVG or self-contained HTML (by suffix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise RealpolitikError(f"cannot plot to {path.name!r}: use a file ending in "
                               + ", ".join(SUFFIXES))
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".png":
        fig.savefig(path, format="png", dpi=120)
        return path
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    for gid, text in tips.texts.items():
        svg = svg.replace(f'<g id="{gid}">', f'<g id="{gid}"><title>{html.escape(text)}</title>', 1)
    if suffix == ".svg":
        path.write_text(svg, encoding="utf-8")
        return path
    svg = re.sub(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>)?\s*", "", svg)
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;"
        "padding:0 1rem;color:#222}svg{max-width:100%;height:auto}"
        "g[id^=rp-tip]:hover{opacity:.75}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(caption)}</p>"
        f"<p><small>Rest the pointer on a bar or band for its numbers.</small></p>{svg}"
        "</body></html>\n"
    )
    path.write_text(page, encoding="utf-8")
    return path


def distribution_plot(dist: Any, path: Path | str, bins: int = 40) -> Path:
    """Histogram of each issue's Monte Carlo forecasts with its bands, median and 5-95 % range."""
    sc = dist.scenario
    summary = dist.summary().set_index("issue")
    bands = dist.bands()
    fig = _figure(len(sc.issues))
    axes = fig.subplots(len(sc.issues), 1, squeeze=False)[:, 0]
    tips = _Tips()
    for ax, (j, issue) in zip(axes, enumerate(sc.issues), strict=True):
        lo, hi = issue.scale
        sub = bands[bands["issue"] == issue.id].set_index("band", drop=False)
        for k, band in enumerate(issue.bands):
            span = ax.axvspan(band.low, band.high, color=_BAND_COLOURS[k % len(_BAND_COLOURS)],
                              alpha=0.6, zorder=0, lw=0)
            p = float(sub.loc[band.name, "probability"]) if band.name in sub.index else 0.0
            tips.tag(span, f"{band.name} [{band.low:g}, {band.high:g}]: probability {p:.1%}")
            ax.text((band.low + band.high) / 2, 1.0, f"{band.name}\n{p:.0%}", ha="center",
                    va="top", fontsize=7, transform=ax.get_xaxis_transform())
        counts, edges = np.histogram(dist.values[:, j], bins=bins, range=(lo, hi))
        bars = ax.bar(edges[:-1], counts / max(dist.samples, 1), width=np.diff(edges),
                      align="edge", color="#3c78d8", edgecolor="white", lw=0.3, zorder=2)
        for bar, c, a, b in zip(bars, counts, edges[:-1], edges[1:], strict=True):
            tips.tag(bar, f"{a:.1f}-{b:.1f}: {c} samples ({c / max(dist.samples, 1):.1%})")
        row = summary.loc[issue.id]
        ax.axvline(row["median"], color="#cc0000", lw=1.5, zorder=3)
        ax.axvline(row["p05"], color="#cc0000", lw=0.8, ls="--", zorder=3)
        ax.axvline(row["p95"], color="#cc0000", lw=0.8, ls="--", zorder=3)
        ax.set_xlim(lo, hi)
        ax.set_ylim(0, max(float(counts.max()) / max(dist.samples, 1), 1e-9) * 1.3)
        ax.set_ylabel("share")
        ax.set_title(f"{issue.name}: median {row['median']:.1f}, 5-95% "
                     f"[{row['p05']:.1f}, {row['p95']:.1f}]", fontsize=9, loc="left")
    axes[-1].set_xlabel("forecast on the issue's scale")
    return save(fig, path, tips, f"{sc.title}: forecast distribution ({dist.model})",
                f"{dist.samples:,} Monte Carlo samples, seed {dist.seed}. Red: median (solid) "
                "and 5 % / 95 % quantiles (dashed); shaded: the issue's outcome bands.")


def tornado_plot(swings: pd.DataFrame, scenario: Scenario, path: Path | str, top: int = 12,
                 model: str = "") -> Path:
    """Tornado of drivers: each input's one-at-a-time swing of the forecast, largest on top."""
    issues = [i for i in scenario.issues if i.id in set(swings["issue"])]
    if not issues:
        raise RealpolitikError("nothing to plot: the scenario has no uncertain inputs")
    fig = _figure(len(issues), height=0.32 * top + 0.9, width=9.0)
    axes = fig.subplots(len(issues), 1, squeeze=False)[:, 0]
    tips = _Tips()
    for ax, issue in zip(axes, issues, strict=True):
        sub = swings[swings["issue"] == issue.id].sort_values("swing", ascending=False).head(top)
        sub = sub.iloc[::-1]
        base = float(sub["base"].iloc[0]) if len(sub) else 0.0
        for y, r in enumerate(sub.to_dict("records")):
            for end, colour, label in (("forecast_low", "#6d9eeb", "5 %"),
                                       ("forecast_high", "#e06666", "95 %")):
                bar = ax.barh(y, r[end] - base, left=base, color=colour, height=0.7)[0]
                value = r["low_value"] if end == "forecast_low" else r["high_value"]
                tips.tag(bar, f"{r['input']} at its {label} quantile ({value:.3g}): "
                              f"forecast {r[end]:.1f} (base {base:.1f})")
        ax.set_yticks(range(len(sub)), [str(x) for x in sub["input"]], fontsize=7)
        ax.axvline(base, color="black", lw=0.8)
        ax.set_xlim(*issue.scale)
        ax.set_title(f"{issue.name}: forecast with one input at its 5 % (blue) / 95 % (red) "
                     "quantile", fontsize=9, loc="left")
    axes[-1].set_xlabel("forecast on the issue's scale")
    return save(fig, path, tips, f"{scenario.title}: drivers of the forecast ({model})",
                "Each bar moves one uncertain input to its 5 % or 95 % quantile, the others at "
                "their point values; the longest bars are the inputs the forecast hinges on.")


def power_plot(power: pd.DataFrame, scenario: Scenario, path: Path | str) -> Path:
    """Actor power per issue: weight share, Shapley-Shubik and normalised Banzhaf."""
    issues = list(scenario.issues)
    n = len(scenario.actors)
    fig = _figure(len(issues), height=0.3 * n + 1.0, width=9.0)
    axes = fig.subplots(len(issues), 1, squeeze=False)[:, 0]
    tips = _Tips()
    series = (("weight_share", "weight share", "#b7b7b7"),
              ("shapley_shubik", "Shapley-Shubik", "#3c78d8"),
              ("banzhaf", "Banzhaf", "#e69138"))
    for ax, issue in zip(axes, issues, strict=True):
        sub = power[power["issue"] == issue.id].sort_values("shapley_shubik").reset_index()
        y = np.arange(len(sub))
        for k, (col, label, colour) in enumerate(series):
            bars = ax.barh(y + (k - 1) * 0.27, sub[col], height=0.26, color=colour, label=label)
            for bar, r in zip(bars, sub.to_dict("records"), strict=True):
                tips.tag(bar, f"{r['name']}: {label} {r[col]:.3f}")
        ax.set_yticks(y, list(sub["actor"]), fontsize=7)
        ax.set_title(f"{issue.name}: power in the capability x salience weighted vote",
                     fontsize=9, loc="left")
        ax.legend(fontsize=7, loc="lower right")
    axes[-1].set_xlabel("share of power (or of the weight)")
    return save(fig, path, tips, f"{scenario.title}: actor power",
                "Shapley-Shubik (1954) and Banzhaf (1965) power in each issue's weighted "
                "majority vote, next to each actor's share of the weight.")
