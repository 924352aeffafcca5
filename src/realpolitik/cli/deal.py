"""``realpolitik deal``: negotiate a scenario's deal over its uncertain utilities."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from realpolitik.scenario.loader import DEFAULT_SCENARIO

if TYPE_CHECKING:
    from realpolitik.deal.api import DealResult


class DealFormat(StrEnum):
    """Output formats of ``realpolitik deal``."""

    table = "table"
    json = "json"


def _pct(p: float) -> str:
    return "-" if p != p else f"{p:.1%}"


def _num(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _value(x: Any) -> str:
    """A package value for a table: numbers formatted, labels with spaces so they wrap."""
    if x is None or (isinstance(x, float) and x != x):
        return "-"
    if isinstance(x, float):
        from realpolitik.deal.domain import format_level

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
        t.add_row(row["outcome"], _pct(row["probability"]),
                  f"{row['low']:.1%}-{row['high']:.1%}", _num(row["mean_round"], 1))
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
        t.add_row(f"u {p}", *(_num(r[f"u[{p}]"], 2) for r in packages), end_section=j == 1)
    t.add_row("mean round", *(_num(r["mean_round"], 1) for r in packages))
    console.print(t)

    t = Table(title="Agreed value per issue (probability given an agreement)",
              title_justify="left")
    t.add_column("issue")
    t.add_column("distribution", overflow="fold")
    summary = {r["issue"]: r for r in result.issue_summary().to_dict("records")}
    dist = result.issue_distribution()
    for dom_ in result.space.issues:
        part = dist[dist["issue"] == dom_.id]
        cells = [f"{lab}: {_pct(p)}" for lab, p in zip(part["label"], part["given_agreement"],
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
        t.add_row(f"u {p}", *(_num(r[f"u[{p}]"], 2) for r in rows.values()),
                  end_section=j == 1)
    t.add_row("P(agreement = it)", *(_pct(r["p_agreement_equals"]) for r in rows.values()))
    t.add_row("mean distance", *(_num(r["mean_distance"]) for r in rows.values()))
    console.print(t)
    console.print(f"agreements on the Pareto frontier: {_pct(front['p_agreement_equals'])} of "
                  f"samples; mean distance to it: {_num(front['mean_distance'])}")
    pt = result.point
    console.print(f"reserved values at point values: {result.parties[0]} {pt.ra:.3f}, "
                  f"{result.parties[1]} {pt.rb:.3f}")
    for note in result.warnings():
        console.print(f"[yellow]warning:[/yellow] {note}")


def register(app: typer.Typer) -> None:
    """Add ``realpolitik deal`` to the app."""

    @app.command("deal")
    def deal(
        scenario: Annotated[str, typer.Argument(
            help="A built-in scenario name or a YAML/JSON file with a `deal` section.")
        ] = DEFAULT_SCENARIO,
        samples: Annotated[int, typer.Option(
            "--samples", "-n", min=1, help="Monte Carlo samples of the uncertain utilities.")
        ] = 1000,
        seed: Annotated[int, typer.Option(
            min=0, help="Random seed (the same seed gives the same output).")] = 0,
        strategy_us: Annotated[str, typer.Option(
            "--strategy-us",
            help="Strategy of the deal's first party (the U.S. in iraq-2024): boulware, "
                 "linear, conceder, tit-for-tat or time:E.")] = "linear",
        strategy_iraq: Annotated[str, typer.Option(
            "--strategy-iraq",
            help="Strategy of the deal's second party (the Iraqi PM in iraq-2024).")] = "linear",
        deadline: Annotated[int | None, typer.Option(
            help="Last round of the protocol (default: the scenario's).")] = None,
        model: Annotated[str | None, typer.Option(
            "--model", "-m",
            help="Collective model of the domestic constraint's forecast.")] = None,
        private: Annotated[bool, typer.Option(
            "--private", help="Use actors' private positions in the collective forecast.")
        ] = False,
        top: Annotated[int, typer.Option(help="How many packages to list.")] = 5,
        plot: Annotated[Path | None, typer.Option(
            "--plot", help="Write the Pareto frontier with the agreements reached to FILE.png.")
        ] = None,
        output: Annotated[DealFormat, typer.Option(
            "--format", "-f", help="table or json.")] = DealFormat.table,
        out_file: Annotated[Path | None, typer.Option(
            "--out", "-o", help="Write the output to this file.")] = None,
    ) -> None:
        """Negotiate the scenario's deal: likely packages, P(no deal), Nash and Kalai points."""
        from rich.progress import Progress

        from realpolitik.cli import emit, err, out
        from realpolitik.deal.api import negotiate
        from realpolitik.errors import RealpolitikError
        from realpolitik.presentation.deal_plot import plot_frontier

        if top < 1:
            raise RealpolitikError(f"--top must be at least 1, got {top}")
        if plot is not None and plot.suffix.lower() != ".png":
            raise RealpolitikError(f"--plot writes a PNG file; give a name ending in .png, got "
                                   f"{plot}")

        with Progress(console=err, transient=True) as bar:
            task = bar.add_task("negotiating", total=samples)
            result = negotiate(
                scenario, samples=samples, seed=seed,
                strategies=(strategy_us, strategy_iraq), deadline=deadline, model=model,
                positions="private" if private else None,
                progress=lambda done, total: bar.update(task, completed=done),
                interruptible=True,
            )
        if output is DealFormat.json:
            emit(json.dumps(result.to_json(top), indent=2), out_file)
        elif out_file is None:
            print_result(result, out, top)
        else:
            out_file.parent.mkdir(parents=True, exist_ok=True)
            with out_file.open("w", encoding="utf-8") as fh:
                print_result(result, Console(file=fh, width=120, highlight=False), top)
            err.print(f"wrote {out_file}")
        if plot is not None:
            written = plot_frontier(result, plot)
            err.print(f"wrote {written}")
