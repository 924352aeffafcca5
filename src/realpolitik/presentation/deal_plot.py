"""Plot of a deal in the utility plane (matplotlib, no global state).

The outcome space, its Pareto frontier, the solution concepts and the agreements the Monte Carlo
runs reached.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from realpolitik.errors import RealpolitikError

if TYPE_CHECKING:
    from realpolitik.deal.api import DealResult

_MARKERS = {"nash": ("*", "Nash"), "kalai-smorodinsky": ("D", "Kalai-Smorodinsky"),
            "max welfare": ("s", "max welfare")}


def plot_frontier(result: DealResult, path: str | Path, *, top: int = 25) -> Path:
    """Write a PNG of the deal and return its path.

    Every package at point-value utilities (grey), the Pareto frontier (line), the reserved
    values (dashed), the concepts, and the agreed packages (circles sized by their probability,
    placed at their point-value utilities).
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - matplotlib is a dependency
        raise RealpolitikError("plotting needs matplotlib: pip install 'matplotlib>=3.8'") from exc
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise RealpolitikError(f"the deal figure is a PNG file: give a name ending in .png, got {path}",
                              options=("plot",))
    pt = result.point
    names = result.party_names
    fig = Figure(figsize=(8, 6.5), layout="constrained")
    ax = fig.add_subplot()
    ax.scatter(pt.ua, pt.ub, s=4, color="0.8", label="packages", zorder=1)
    front = np.flatnonzero(pt.pareto)
    front = front[np.argsort(pt.ua[front])]
    ax.plot(pt.ua[front], pt.ub[front], "-o", color="tab:blue", markersize=3,
            label="Pareto frontier", zorder=2)
    ax.axvline(pt.ra, color="tab:blue", linestyle="--", linewidth=0.8)
    ax.axhline(pt.rb, color="tab:blue", linestyle="--", linewidth=0.8)
    ax.plot([pt.ra], [pt.rb], "x", color="black", markersize=8, label="no agreement", zorder=3)
    table = result.packages(top=top)
    if len(table):
        idx = [result.space.encode({i: row[i] for i in result.space.ids})
               for row in table.to_dict("records")]
        size = 30 + 1500 * table["probability"].to_numpy()
        ax.scatter(pt.ua[idx], pt.ub[idx], s=size, facecolors="none", edgecolors="tab:red",
                   linewidths=1.2, label=f"agreements reached (top {len(idx)}, area ~ P; at point values)",
                   zorder=4)
    for name, o in pt.concepts.items():
        if o is None:
            continue
        marker, label = _MARKERS[name]
        ax.plot([pt.ua[o]], [pt.ub[o]], marker, color="tab:green", markersize=10,
                markeredgecolor="black", label=label, zorder=5)
    ax.set_xlabel(f"utility of {names[0]}")
    ax.set_ylabel(f"utility of {names[1]}")
    s0, s1 = (s.name for s in result.strategies)
    ax.set_title(f"{result.scenario.id}: deal between {result.parties[0]} ({s0}) and "
                 f"{result.parties[1]} ({s1})\n{result.samples} samples, seed {result.seed}; "
                 f"P(no deal) = {result.p_no_deal:.0%}", fontsize=10)
    legend = ax.legend(loc="lower left", fontsize=8)
    for handle in legend.legend_handles:
        if handle is not None and hasattr(handle, "set_sizes"):
            handle.set_sizes([30])
    ax.grid(alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return path


def frontier_png(result: DealResult) -> bytes:
    """The figure of :func:`plot_frontier` as PNG bytes (for pages that inline it)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return plot_frontier(result, Path(tmp) / "deal.png").read_bytes()


def _months(x: float) -> str:
    return f"{x:g} month" + ("" if x == 1 else "s")


def plot_timeline(result: DealResult, path: str | Path) -> Path:
    """Write a PNG of P(agreement by date) and P(broken by date), with 95% bands."""
    from matplotlib.figure import Figure

    path = Path(path)
    frame = result.timeline()
    dates = [np.datetime64(d) for d in frame["date"]]
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.add_subplot()
    for name, colour in (("agreement", "tab:green"), ("broken", "tab:red")):
        ax.step(dates, frame[f"p_{name}"], where="post", color=colour,
                label=f"P({name} by date)")
        ax.fill_between(dates, frame[f"{name}_low"], frame[f"{name}_high"], step="post",
                        color=colour, alpha=0.15)
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability")
    ax.set_title(f"{result.scenario.id}: when the talks end ({result.information} information, "
                 f"{result.samples} samples; a round is {_months(result.round_months)})",
                 fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path


def timeline_png(result: DealResult) -> bytes:
    """The figure of :func:`plot_timeline` as PNG bytes (for pages that inline it)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return plot_timeline(result, Path(tmp) / "timeline.png").read_bytes()
