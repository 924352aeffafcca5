"""Rich tables of scenarios, models, sweeps and backtests.

Used by ``show``, ``scenarios``, ``models``, ``sweep`` and ``backtest``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from realpolitik.presentation.numbers import fmt_value

if TYPE_CHECKING:
    import pandas as pd

    from realpolitik.backtest.scoring import BacktestResult
    from realpolitik.models.base import ModelSpec
    from realpolitik.scenario.schema import Issue, Scenario

#: Rows of a sweep summary printed; the rest are in the Parquet files.
SWEEP_ROWS = 60


# -- scenarios and models --------------------------------------------------------------------
def scenarios_table(named: Iterable[tuple[str, Scenario]]) -> Table:
    """The built-in scenarios: name, title, as-of date, numbers of actors and issues."""
    table = Table(title="Built-in scenarios", title_justify="left")
    for col in ("name", "title", "as of", "actors", "issues"):
        table.add_column(col)
    for name, sc in named:
        table.add_row(name, sc.title, sc.as_of.isoformat(), str(len(sc.actors)), str(len(sc.issues)))
    return table


def models_table(specs: Iterable[ModelSpec]) -> Table:
    """The registered models with their references and properties."""
    table = Table(title="Models", title_justify="left")
    for col in ("name", "title", "reference", "properties"):
        table.add_column(col, overflow="fold")
    for spec in specs:
        props = [
            "stochastic" if spec.stochastic else "deterministic",
            "iterative" if spec.iterative else "closed form",
            f"cost {spec.cost}",
        ]
        if spec.supports_trace:
            props.append("--trace")
        table.add_row(spec.name, spec.title, spec.reference, ", ".join(props))
    return table


# -- show ------------------------------------------------------------------------------------
def print_scenario(sc: Scenario, out: Console) -> None:
    """A scenario: issues, actors, relations, timeline, optional sections and sources."""
    out.print(f"[bold]{sc.title}[/bold]  ({sc.id}, as of {sc.as_of.isoformat()})")
    if sc.description:
        out.print(sc.description.strip())
    for issue in sc.issues:
        out.print(_issue_table(issue))
    out.print(_actors_table(sc))
    if sc.relations:
        out.print(_relations_table(sc))
    if sc.timeline:
        out.print(_timeline_table(sc))
    for line in _section_lines(sc):
        out.print(line)
    panels = _panels_table(sc)
    if panels is not None:
        out.print(panels)
    if sc.sources:
        out.print(_sources_table(sc))


def _panels_table(sc: Scenario) -> Table | None:
    """Inputs estimated by expert panels: each expert's estimate and the panel's disagreement."""
    from realpolitik.api.scenario import panel_inputs

    rows = panel_inputs(sc)
    if not rows:
        return None
    t = Table(title="Expert panels (disagreement: share of the pooled variance from the experts' "
                    "differing estimates, the rest is their own uncertainty)", title_justify="left")
    for name in ("input", "pool", "expert", "weight", "estimate", "disagreement"):
        t.add_column(name, justify="right" if name in ("weight", "disagreement") else "left",
                     overflow="fold")
    for path, v, share in rows:
        total = sum(e.weight for e in v.experts)
        for k, e in enumerate(v.experts):
            first = k == 0
            t.add_row(path if first else "", v.pool if first else "",
                      e.source.id + (f" ({e.source.at})" if e.source.at else ""),
                      f"{e.weight / total:.2f}", fmt_value(e),
                      f"{share:.0%}" if first else "")
    return t


def _issue_table(issue: Issue) -> Table:
    t = Table(title=f"Issue {issue.id}: {issue.name} (scale {issue.scale[0]:g}-{issue.scale[1]:g}, "
                    f"status quo {issue.status_quo.point:g})", title_justify="left")
    t.add_column("value", justify="right")
    t.add_column("meaning", overflow="fold")
    for a in sorted(issue.anchors, key=lambda a: a.value):
        t.add_row(f"{a.value:g}", a.label)
    for b in issue.bands:
        t.add_row(f"{b.low:g}-{b.high:g}", f"band: {b.name}")
    return t


def _actors_table(sc: Scenario) -> Table:
    t = Table(title="Actors", title_justify="left")
    t.add_column("id")
    t.add_column("name", overflow="fold")
    t.add_column("kind")
    t.add_column("capability", justify="right")
    for iid in sc.issue_ids:
        t.add_column(f"{iid} (salience)", justify="right")
    for a in sc.actors:
        cells = [a.id, a.name, a.kind, fmt_value(a.capability)]
        for iid in sc.issue_ids:
            cell = f"{fmt_value(a.positions[iid])} ({a.salience[iid].point:.2f})"
            if iid in a.private_positions:
                cell += f"\nprivate {fmt_value(a.private_positions[iid])}"
            cells.append(cell)
        t.add_row(*cells)
    return t


def _relations_table(sc: Scenario) -> Table:
    t = Table(title="Relations", title_justify="left")
    for col in ("from", "kind", "to", "weight"):
        t.add_column(col)
    for r in sc.relations:
        t.add_row(r.source_actor, r.kind, r.target_actor, fmt_value(r.weight))
    return t


def _timeline_table(sc: Scenario) -> Table:
    t = Table(title="Timeline", title_justify="left")
    for col in ("date", "series", "value", "event", "source"):
        t.add_column(col, overflow="fold")
    for e in sorted(sc.timeline, key=lambda e: e.date):
        t.add_row(e.date.isoformat(), e.series, "" if e.value is None else f"{e.value:,.0f}",
                  e.label, e.source.id + (f" ({e.source.at})" if e.source.at else ""))
    return t


def _section_lines(sc: Scenario) -> list[str]:
    """One line per optional section (correlations, dynamics, deal) with the command using it."""
    sections = []
    if sc.correlations:
        sections.append(f"correlations: {len(sc.correlations)} rank correlations between inputs "
                        "(used by --samples)")
    if sc.dynamics is not None:
        dyn = sc.dynamics
        sections.append(
            f"dynamics: {len(dyn.variables)} state variables, {len(dyn.links)} causal links, "
            f"options {', '.join(o.id for o in dyn.options) or 'none'} "
            f"(`realpolitik simulate`)")
    if sc.deal is not None:
        deal = sc.deal
        sections.append(
            f"deal: {' and '.join(deal.parties)} over {', '.join(i.id for i in deal.issues)} "
            f"(`realpolitik deal`)")
    return sections


def _sources_table(sc: Scenario) -> Table:
    t = Table(title=f"Sources ({len(sc.sources)})", title_justify="left")
    for col in ("id", "date", "citation"):
        t.add_column(col, overflow="fold")
    for src in sc.sources:
        t.add_row(src.id, src.date.isoformat() if src.date else "-", src.citation)
    return t


# -- sweep -----------------------------------------------------------------------------------
def sweep_table(summary: pd.DataFrame, name: str) -> Table:
    """The first :data:`SWEEP_ROWS` rows of a sweep's summary: median [5%-95%] per point."""
    t = Table(title=f"Sweep {name}: forecast per design point (median [5%-95%])",
              title_justify="left")
    for col in ("point", "scenario", "model", "inputs", "params", "issue", "forecast"):
        t.add_column(col, overflow="fold")
    for r in summary.head(SWEEP_ROWS).to_dict("records"):
        t.add_row(str(r["point"]), r["scenario"], r["model"], r["overrides"], r["params"],
                  r["issue"], f"{r['median']:.1f} [{r['p05']:.1f}-{r['p95']:.1f}]")
    return t


# -- backtest --------------------------------------------------------------------------------
def print_backtest(result: BacktestResult, out: Console) -> None:
    """Print the summary table and the reference figures of a backtest."""
    sel = result.selection
    data = result.dataset
    lines = [
        f"[bold]Backtest on {data.name}[/bold]: {len(sel.issues)} of {len(data.issues)} "
        "issues scored"
    ]
    if sel.too_few_actors:
        lines.append(f"  {len(sel.too_few_actors)} left out: too few actors")
    if sel.no_status_quo:
        lines.append(
            f"  {len(sel.no_status_quo)} left out: no recorded status quo "
            "(--missing-status-quo midpoint keeps them)"
        )
    if sel.filled_status_quo:
        lines.append(f"  {len(sel.filled_status_quo)} given the scale's midpoint as status quo")
    for line in lines:
        out.print(line)

    model_maes = [s.mae for s in result.summaries if s.kind == "model"]
    best = min(model_maes) if model_maes else None
    table = Table(title="Absolute error on a 0-100 scale (lower is better)")
    table.add_column("method")
    table.add_column("kind")
    for col in ("n", "MAE", "95% interval", "median", "beats status quo", "beats mean position"):
        table.add_column(col, justify="right")
    for s in result.summaries:
        mae = f"{s.mae:.2f}"
        if s.kind == "model" and best is not None and s.mae == best:
            mae = f"[bold]{mae}[/bold]"
        interval = "" if math.isnan(s.mae_low) else f"{s.mae_low:.1f}-{s.mae_high:.1f}"
        beats_sq = "" if s.method == "status-quo" else f"{100 * s.beats_status_quo:.0f}%"
        beats_mean = "" if s.method == "mean-position" else f"{100 * s.beats_mean_position:.0f}%"
        table.add_row(
            s.method, s.kind, str(s.n), mae, interval, f"{s.median_ae:.1f}", beats_sq, beats_mean
        )
    out.print(table)
    out.print("beats = strictly smaller error on the issue; ties count as not beating.")

    if data.published:
        ref = Table(title=f"Figures reported elsewhere for {data.name}")
        ref.add_column("method")
        for col in ("their MAE", "their n", "our MAE", "our n"):
            ref.add_column(col, justify="right")
        ref.add_column("source")
        ours = {s.method: s for s in result.summaries}
        for p in data.published:
            mine = ours.get(p.method)
            ref.add_row(
                p.method,
                f"{p.mae:.2f}",
                "" if p.n_issues is None else str(p.n_issues),
                "" if mine is None else f"{mine.mae:.2f}",
                "" if mine is None else str(mine.n),
                p.source + (f" ({p.note})" if p.note else ""),
            )
        out.print(ref)
        out.print(
            "Different issue selections give different errors; compare like with like "
            "(see docs/validation.md)."
        )
