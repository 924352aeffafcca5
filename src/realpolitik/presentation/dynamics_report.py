"""Plots (PNG), a self-contained HTML page and CSV tables of simulated options."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from realpolitik.dynamics.model import Trajectories
from realpolitik.scenario.sections.dynamics import Dynamics

_COLORS = ("tab:blue", "tab:red", "tab:green", "tab:orange", "tab:purple", "tab:brown",
           "tab:pink", "tab:gray", "tab:olive", "tab:cyan")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def trajectories_frame(results: Sequence[Trajectories], level: float = 0.90) -> pd.DataFrame:
    """Long table: option, month, date, quantity, median, low, high, mean."""
    rows = []
    for tr in results:
        for vid in (*tr.var_ids, "attacks"):
            x = tr.variable(vid)
            lo, med, hi = tr.band(vid, level)
            mean = x.mean(axis=0)
            offset = 1 if vid == "attacks" else 0
            for m in range(x.shape[1]):
                rows.append({"option": tr.option, "month": m + offset,
                             "date": tr.month_date(m + offset).isoformat(), "quantity": vid,
                             "median": float(med[m]), "low": float(lo[m]), "high": float(hi[m]),
                             "mean": float(mean[m])})
    return pd.DataFrame(rows)


def plot_options(results: Sequence[Trajectories], dyn: Dynamics, path: Path, *,
                 level: float = 0.90) -> Path:
    """One panel per state variable and one for attacks: median and band of every option."""
    plt = _pyplot()
    names = {v.id: v.name for v in dyn.variables}
    panels = [*results[0].var_ids, "attacks"] if results else []
    cols = 3
    rows = int(np.ceil(len(panels) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.9 * rows), dpi=90, squeeze=False)
    for ax, vid in zip(axes.flat, panels, strict=False):
        for k, tr in enumerate(results):
            color = _COLORS[k % len(_COLORS)]
            x = tr.variable(vid)
            months = np.arange(x.shape[1]) + (1 if vid == "attacks" else 0)
            lo, med, hi = tr.band(vid, level)
            if vid == "attacks":
                # the median leads; the mean (pulled up by rare bursts) is the thin dashed line
                ax.plot(months, med, color=color, lw=1.6, label=tr.option)
                ax.plot(months, x.mean(axis=0), color=color, lw=0.8, ls="--")
            else:
                ax.plot(months, med, color=color, lw=1.6, label=tr.option)
            ax.fill_between(months, lo, hi, color=color, alpha=0.12, lw=0)
        ax.set_title("attacks per month (median; dashed: mean)" if vid == "attacks"
                     else names.get(vid, vid), fontsize=9)
        ax.set_xlabel("months from start", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    if results:
        axes.flat[0].legend(fontsize=7, loc="best")
    fig.suptitle(f"Median and {level:.0%} band per policy option", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def html_page(title: str, summary: pd.DataFrame, images: Sequence[Path], notes: Sequence[str] = ()) -> str:
    """A small self-contained HTML page: the option table and the plots embedded as base64 PNG."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1200px;margin:1em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;"
        "text-align:right}th:first-child,td:first-child{text-align:left}img{max-width:100%}</style>",
        f"</head><body><h1>{html.escape(title)}</h1>",
    ]
    for note in notes:
        parts.append(f"<p>{html.escape(note)}</p>")
    parts.append(summary.to_html(index=False, escape=True, float_format=lambda v: f"{v:.2f}"))
    for img in images:
        data = base64.b64encode(Path(img).read_bytes()).decode("ascii")
        parts.append(f"<p><img alt='{html.escape(Path(img).name)}' src='data:image/png;base64,{data}'></p>")
    parts.append("</body></html>")
    return "\n".join(parts)
