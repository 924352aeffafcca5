"""A forecast in tables (``realpolitik forecast``).

The per-issue table, the actors' inputs, the Monte Carlo distribution and a model's
round-by-round trace.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from realpolitik.presentation.numbers import clip as _clip
from realpolitik.presentation.numbers import fmt


def print_bottom_line(lines: Any, console: Console) -> None:
    """The bottom line first: per issue, one plain sentence per point."""
    from realpolitik.presentation.bottom_line import bottom_line_text

    if not lines:
        return
    console.print("[bold]Bottom line[/bold]")
    for text in bottom_line_text(lines):
        console.print(text, markup=False, highlight=False)
    console.print()


def print_forecast(result: Any, console: Console) -> None:
    """The forecast table, then each actor's inputs."""
    sc = result.scenario
    console.print(f"[bold]{sc.title}[/bold]  ({sc.id}, as of {sc.as_of.isoformat()})")
    console.print(f"model: [bold]{result.model}[/bold]  seed: {result.seed}  "
                  f"positions: {result.positions}")
    table = Table(title="Forecast per issue", title_justify="left")
    for col in ("issue", "scale", "status quo", "forecast at the point values", "change",
                "outcome band", "nearest anchor"):
        table.add_column(col, overflow="fold")
    for issue, row in zip(sc.issues, result.issue_rows(), strict=True):
        table.add_row(
            issue.name,
            f"{issue.scale[0]:g}-{issue.scale[1]:g}",
            fmt(row["status_quo"]),
            f"[bold]{fmt(row['forecast'])}[/bold]",
            f"{row['change']:+.1f}",
            row["band"] or "-",
            _clip(row["nearest_anchor"] or "-", 48),
        )
    console.print(table)
    actors = Table(title="Actors' inputs (point values: position / salience per issue)",
                   title_justify="left")
    actors.add_column("actor", overflow="fold", max_width=40)
    actors.add_column("capability", justify="right")
    for issue in sc.issues:
        actors.add_column(issue.name, justify="right", overflow="fold")
    for row in result.actor_rows():
        cells = [row["name"], fmt(row["capability"])]
        for iid in sc.issue_ids:
            cells.append(f"{fmt(row[f'position[{iid}]'])} / {fmt(row[f'salience[{iid}]'], 2)}")
        actors.add_row(*cells)
    console.print(actors)
    if result.outcome.rounds is not None:
        console.print(f"rounds until positions settled: {int(result.outcome.rounds[0])}")
    if result.model == "ensemble":
        from realpolitik.presentation.traces import ensemble_table

        console.print(ensemble_table(result.outcome, sc.issue_ids))


def print_distribution(dist: Any, console: Console) -> None:
    """Per issue: median, 5 %, 95 % and the probability of each outcome band, explained."""
    summary = dist.summary()
    bands = dist.bands()
    t = Table(title=f"Monte Carlo forecast: {dist.samples:,} samples of the uncertain inputs "
                    f"(seed {dist.seed})", title_justify="left")
    for col in ("issue", "5%", "median", "95%", "outcome bands: probability [95% interval]"):
        t.add_column(col, overflow="fold")
    for row in summary.to_dict("records"):
        sub = bands[bands["issue"] == row["issue"]]
        cells = [f"{b['band'] or '(no band)'}: {b['probability']:.0%} "
                 f"[{b['ci_low']:.0%}-{b['ci_high']:.0%}]" for b in sub.to_dict("records")]
        t.add_row(row["name"], f"{row['p05']:.1f}", f"[bold]{row['median']:.1f}[/bold]",
                  f"{row['p95']:.1f}", "\n".join(cells) or "-")
    console.print(t)
    console.print("Read: in 90% of the samples the forecast lies between the 5% and 95% "
                  "columns; each band's probability is the share of samples that end in it.")
