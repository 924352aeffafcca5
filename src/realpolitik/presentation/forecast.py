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
    print_bands(result, console)
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
        from realpolitik.api.calibration import ensemble_past_mae, skill_rows
        from realpolitik.presentation.traces import ensemble_table

        choice = result.weight_choice
        skill = None
        if choice is not None:
            skill = [*skill_rows(choice), {"model": "ensemble", "weight": 1.0,
                                           "past_mae": ensemble_past_mae(choice)}]
        console.print(ensemble_table(result.outcome, sc.issue_ids, skill=skill))
        if choice is not None:
            console.print(f"weights: {choice.note}", markup=False)


def print_bands(result: Any, console: Console) -> None:
    """Per issue: the calibrated 80 % and 90 % bands next to the input-uncertainty band."""
    from realpolitik.api.calibration import CALIBRATED_NOTE, INPUT_NOTE, calibrated_rows

    rows = calibrated_rows(result)
    sampled = result.sampled
    if not rows and sampled is None:
        console.print(f"calibrated band: none ({result.model!r} has no recorded errors on past "
                      "decisions)")
        return
    mc = {} if sampled is None else {r["issue"]: r for r in sampled.summary().to_dict("records")}
    t = Table(title="Bands per issue: calibrated (past errors) and input uncertainty",
              title_justify="left")
    for col in ("issue", "forecast", "calibrated 80%", "calibrated 90%",
                "input uncertainty 5-95%"):
        t.add_column(col, justify="right" if col != "issue" else "left")
    by_issue = {r["issue"]: r for r in rows}
    for issue in result.scenario.issues:
        cal = by_issue.get(issue.id)
        band = mc.get(issue.id)
        t.add_row(issue.id, fmt(result.forecast[issue.id]),
                  "-" if cal is None else "{:.1f}-{:.1f}".format(*cal["calibrated_80"]),
                  "-" if cal is None else "{:.1f}-{:.1f}".format(*cal["calibrated_90"]),
                  "- (add --samples N)" if band is None else f"{band['p05']:.1f}-{band['p95']:.1f}")
    console.print(t)
    if rows:
        console.print(f"{CALIBRATED_NOTE}; from {result.calibration.source}", markup=False)
    console.print(INPUT_NOTE, markup=False)


def print_distribution(dist: Any, console: Console) -> None:
    """Per issue: median, 5 %, 95 % and the probability of each outcome band, explained."""
    summary = dist.summary()
    bands = dist.bands()
    t = Table(title=f"Monte Carlo forecast, model {dist.model}: {dist.samples:,} samples of the "
                    f"uncertain inputs (seed {dist.seed})", title_justify="left")
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
    if dist.members:
        print_members(dist, console)


def print_members(dist: Any, console: Console) -> None:
    """Each ensemble member on the same samples: median [5 %-95 %] per issue."""
    t = Table(title=f"Members of the {dist.model} on the same samples: median [5%-95%]",
              title_justify="left")
    t.add_column("issue", overflow="fold")
    summaries = {name: dist.member(name).summary() for name in dist.members}
    for name in summaries:
        t.add_column(name, overflow="fold")
    for j, issue in enumerate(dist.scenario.issues):
        cells = [f"{s['median'].iloc[j]:.1f} [{s['p05'].iloc[j]:.1f}-{s['p95'].iloc[j]:.1f}]"
                 for s in summaries.values()]
        t.add_row(issue.name, *cells)
    console.print(t)
