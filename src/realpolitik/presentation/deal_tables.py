"""The tables of ``realpolitik deal``: outcomes, likely packages, values per issue, concepts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from realpolitik.deal.domain import format_level
from realpolitik.presentation.numbers import num, pct

if TYPE_CHECKING:
    from realpolitik.deal.api import DealResult


def _value(x: Any) -> str:
    """A package value for a table: numbers formatted, labels with spaces so they wrap."""
    if x is None or (isinstance(x, float) and x != x):
        return "-"
    if isinstance(x, float):
        return format_level(x)
    return str(x).replace("_", " ")


def print_result(result: DealResult, console: Console, top: int = 5) -> None:
    """The deal's tables: outcomes, most likely packages, per-issue values, solution concepts."""
    sc = result.scenario
    ids = result.space.ids
    console.print(f"[bold]{sc.title}[/bold]  ({sc.id}, as of {sc.as_of.isoformat()})")
    strat = ", ".join(f"{p} [bold]{s.name}[/bold]"
                      for p, s in zip(result.parties, result.strategies, strict=True))
    console.print(f"deal between {' and '.join(result.party_names)}; strategies: {strat}")
    console.print(f"alternating offers, {result.parties[result.opener]} opens, deadline round "
                  f"{result.deadline}; {result.samples} samples, seed {result.seed}; "
                  f"{result.space.size:,} packages")
    dom = result.domestic()
    if dom is not None:
        console.print(
            f"domestic constraint: {dom['party']} answers to the collective forecast of "
            f"{dom['issue']!r} (model {dom['model']}): {dom['point']:.1f} at point values, "
            f"{dom['mean']:.1f} on average [90%: {dom['q05']:.1f}-{dom['q95']:.1f}]")

    t = Table(title="Outcome of the negotiation", title_justify="left")
    for col in ("outcome", "probability", "95% interval", "mean round"):
        t.add_column(col, justify="right" if col != "outcome" else "left")
    for row in result.outcomes().to_dict("records"):
        t.add_row(row["outcome"], pct(row["probability"]),
                  f"{row['low']:.1%}-{row['high']:.1%}", num(row["mean_round"], 1))
    console.print(t)
    console.print(f"P(no deal) = [bold]{result.p_no_deal:.1%}[/bold]")

    units = "; ".join(f"{d.id} in {d.unit}" for d in result.space.issues if d.unit)
    packages = result.packages(top).to_dict("records")
    t = Table(title=f"Most likely agreed packages (top {top})", title_justify="left",
              caption="P: probability with its 95% interval; u: mean utility of the package to "
                      "each party" + (f"; {units}" if units else ""), caption_justify="left")
    t.add_column("")
    for row in packages:
        t.add_column(f"#{row['rank']}", overflow="fold")
    t.add_row("P", *(f"{r['probability']:.1%}" for r in packages))
    t.add_row("95% interval", *(f"{r['low']:.1%}-{r['high']:.1%}" for r in packages),
              end_section=True)
    for i in ids:
        t.add_row(i, *(_value(r[i]) for r in packages))
    for j, p in enumerate(result.parties):
        t.add_row(f"u {p}", *(num(r[f"u[{p}]"], 2) for r in packages), end_section=j == 1)
    t.add_row("mean round", *(num(r["mean_round"], 1) for r in packages))
    console.print(t)

    t = Table(title="Agreed value per issue (probability given an agreement)",
              title_justify="left")
    t.add_column("issue")
    t.add_column("distribution", overflow="fold")
    summary = {r["issue"]: r for r in result.issue_summary().to_dict("records")}
    dist = result.issue_distribution()
    for dom_ in result.space.issues:
        part = dist[dist["issue"] == dom_.id]
        cells = [f"{lab}: {pct(p)}" for lab, p in zip(part["label"], part["given_agreement"],
                                                        strict=True)]
        text = " · ".join(cells)
        if dom_.id in summary:
            s = summary[dom_.id]
            text += (f"  (mean {s['mean']:,.0f}, 90% {s['q05']:,.0f}-{s['q95']:,.0f}"
                     + (f" {dom_.unit})" if dom_.unit else ")"))
        t.add_row(dom_.id, text)
    console.print(t)

    frame = result.solutions()
    rows = {r["concept"]: r for r in frame.to_dict("records")}
    front = rows.pop("pareto frontier")
    t = Table(title="Solution concepts at point values; how the agreements relate to them",
              title_justify="left",
              caption="negotiated: the protocol's outcome at point values; P(agreement = it): "
                      "share of samples agreeing on that sample's own concept package; mean "
                      "distance: of the agreements to it, in the utility plane",
              caption_justify="left")
    t.add_column("")
    for name in rows:
        t.add_column(name, overflow="fold")
    for i in ids:
        t.add_row(i, *(_value(r[i]) for r in rows.values()))
    for j, p in enumerate(result.parties):
        t.add_row(f"u {p}", *(num(r[f"u[{p}]"], 2) for r in rows.values()),
                  end_section=j == 1)
    t.add_row("P(agreement = it)", *(pct(r["p_agreement_equals"]) for r in rows.values()))
    t.add_row("mean distance", *(num(r["mean_distance"]) for r in rows.values()))
    console.print(t)
    console.print(f"agreements on the Pareto frontier: {pct(front['p_agreement_equals'])} of "
                  f"samples; mean distance to it: {num(front['mean_distance'])}")
    pt = result.point
    console.print(f"reserved values at point values: {result.parties[0]} {pt.ra:.3f}, "
                  f"{result.parties[1]} {pt.rb:.3f}")
    for note in result.warnings():
        console.print(f"[yellow]warning:[/yellow] {note}")
