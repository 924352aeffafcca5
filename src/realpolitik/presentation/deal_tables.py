"""The tables of ``realpolitik deal``: outcomes, likely packages, values per issue, concepts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from realpolitik.api.deal import coalition_sentence, scale_sentence
from realpolitik.deal.domain import format_level
from realpolitik.presentation.numbers import num, pct

if TYPE_CHECKING:
    from realpolitik.deal.api import DealResult
    from realpolitik.scenario.schema import Scenario


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
    console.print(information_line(result))
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
    print_timeline(result, console)
    print_scale(result, console)

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
    mapping = result.section.mapping()
    if mapping is not None and packages and "position" in packages[0]:
        t.add_row(f"on {mapping.issue}", *(num(r["position"], 1) for r in packages))
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


def information_line(result: DealResult) -> str:
    """What each side knows, and how the talks can break down (one line)."""
    if result.information == "private":
        parts = []
        for p in result.parties:
            b = result.section.beliefs.get(p)
            if b is None:
                parts.append(f"{p}: the default belief (8 types, spread 1)")
            else:
                parts.append(f"{p}: {b.types} types, spread {b.spread.point:g}, centre {b.centre}")
        text = ("private information: each side knows its own utility and learns the other's "
                "from its offers (" + "; ".join(parts) + ")")
    else:
        text = "complete information: each side knows the other's utility in a sample"
    spec = result.section.breakdown
    if result.breakdown and spec is not None:
        text += f"; breakdown risk {spec.risk.point:.1%} a round"
        if spec.attacks is not None:
            text += (f", {spec.attacks.party}'s cost of the status quo rising "
                     f"{spec.attacks.cost_per_attack.point:g} per attack"
                     + ("" if result.attacks is not None else " (no attacks simulated)"))
    months = result.round_months
    return text + f"; a round is {months:g} month" + ("" if months == 1 else "s")


def timeline_rows(result: DealResult, most: int = 11) -> list[dict[str, Any]]:
    """The rounds of the curve a table shows: at most ``most``, evenly spaced, with the last."""
    rows = result.timeline().to_dict("records")
    step = max(1, -(-len(rows) // most))
    keep = rows[::step]
    if keep[-1] is not rows[-1]:
        keep.append(rows[-1])
    return keep


def print_timeline(result: DealResult, console: Console) -> None:
    """P(agreement by date) and P(broken by date), and when agreements come."""
    t = Table(title="When the talks end: probability by date (95% intervals)",
              title_justify="left",
              caption=f"round t starts t x {result.round_months:g} months after "
                      f"{result.scenario.as_of.isoformat()}", caption_justify="left")
    for col in ("round", "date", "P(agreement by date)", "P(broken by date)"):
        t.add_column(col, justify="right")
    for r in timeline_rows(result):
        t.add_row(str(r["round"]), r["date"],
                  f"{r['p_agreement']:.1%} ({r['agreement_low']:.1%}-{r['agreement_high']:.1%})",
                  f"{r['p_broken']:.1%} ({r['broken_low']:.1%}-{r['broken_high']:.1%})")
    console.print(t)
    when = result.agreement_date()
    if when is not None:
        console.print(f"agreement date, given an agreement: median {when['median']} "
                      f"(90%: {when['q05']} to {when['q95']}); mean "
                      f"{when['mean_months']:.1f} months after {result.scenario.as_of.isoformat()}")


def print_scale(result: DealResult, console: Console) -> None:
    """Where the agreed packages land on the scenario issue the deal maps onto."""
    info = result.on_scale()
    if info is None:
        return
    console.print(scale_sentence(info))
    frame = result.scale_distribution()
    if len(frame):
        cells = [f"{r['low']:g}-{r['high']:g}: {pct(r['given_agreement'])}"
                 for r in frame.to_dict("records")]
        console.print(f"  positions of the agreements on {info['issue']}: " + " · ".join(cells))
    concepts = ", ".join(f"{k} {v:.1f}" for k, v in info["concepts"].items() if v is not None)
    if concepts:
        console.print(f"  solution concepts at point values on {info['issue']}: {concepts}")


def print_deal_on_scale(info: dict[str, Any] | None, forecast: float | None, model: str | None,
                        console: Console, party: str | None = None,
                        scenario: Scenario | None = None) -> None:
    """The negotiated package next to a collective forecast (``realpolitik forecast``).

    With ``scenario``, its ids (issue, party) are given in words.
    """
    if info is None:
        return
    from rich.markup import escape

    from realpolitik.scenario.labels import in_words

    issue = scenario.issue(info["issue"]).name if scenario is not None else info["issue"]
    console.print(f"deal (realpolitik deal, point values): the negotiated package on "
                  f"{escape(issue)}: [bold]{num(info['negotiated'], 1)}[/bold]")
    console.print(escape(in_words(scenario, coalition_sentence(info, forecast, model, party))))
