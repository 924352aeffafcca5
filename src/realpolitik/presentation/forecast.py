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


def print_forecast(result: Any, console: Console) -> None:
    """The forecast table, then each actor's inputs."""
    sc = result.scenario
    console.print(f"[bold]{sc.title}[/bold]  ({sc.id}, as of {sc.as_of.isoformat()})")
    console.print(f"model: [bold]{result.model}[/bold]  seed: {result.seed}  "
                  f"positions: {result.positions}")
    table = Table(title="Forecast per issue", title_justify="left")
    for col in ("issue", "scale", "status quo", "forecast", "change", "outcome band", "nearest anchor"):
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
    actors.add_column("actor")
    actors.add_column("name", overflow="ellipsis", no_wrap=True, max_width=36)
    actors.add_column("capability", justify="right")
    for iid in sc.issue_ids:
        actors.add_column(iid, justify="right")
    for row in result.actor_rows():
        cells = [row["actor"], row["name"], fmt(row["capability"])]
        for iid in sc.issue_ids:
            cells.append(f"{fmt(row[f'position[{iid}]'])} / {fmt(row[f'salience[{iid}]'], 2)}")
        actors.add_row(*cells)
    console.print(actors)
    if result.outcome.rounds is not None:
        console.print(f"rounds until positions settled: {int(result.outcome.rounds[0])}")
    if result.model == "ensemble":
        from realpolitik.models.ensemble import ensemble_table

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


def print_trace(trace: list[dict[str, Any]], console: Console) -> None:
    """A model's round-by-round trace: per issue, a table of positions by round, then events.

    Challenges are summarised per round by kind (conflict, compromise, ...); other events (offers
    accepted, proposals) are listed. ``--format json --trace`` keeps every event.
    """
    issues: dict[str, list[dict[str, Any]]] = {}
    for record in trace:
        issues.setdefault(str(record.get("issue") or "all"), []).append(record)
    for issue, records in issues.items():
        actors = list((records[0].get("positions") or {}).keys())
        table = Table(title=f"Trace: positions by round, issue {issue}", title_justify="left")
        table.add_column("round", justify="right")
        if any("median" in r for r in records):
            table.add_column("median", justify="right")
        for a in actors:
            table.add_column(a, justify="right", overflow="fold")
        for r in records:
            cells = [str(r.get("round"))]
            if any("median" in x for x in records):
                cells.append("-" if r.get("median") is None else fmt(r["median"]))
            positions = r.get("positions") or {}
            cells += [fmt(positions[a]) if a in positions else "" for a in actors]
            table.add_row(*cells)
        console.print(table)
        console.print(f"[bold]Events, issue {issue}[/bold]")
        for r in records:
            events = r.get("events") or []
            if not events:
                continue
            kinds: dict[str, int] = {}
            others = []
            for e in events:
                if " challenges " in e:
                    kind = e.rsplit("(", 1)[-1].rstrip(")") if e.endswith(")") else "challenge"
                    kinds[kind] = kinds.get(kind, 0) + 1
                else:
                    others.append(e)
            head = f"round {r.get('round')}:"
            if kinds:
                total = sum(kinds.values())
                head += f" {total} challenges (" + ", ".join(f"{k} {v}" for k, v in kinds.items()) + ")"
            console.print(head)
            for e in others:
                console.print(f"    {e}")
