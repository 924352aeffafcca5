"""``realpolitik deal``: negotiate a scenario's deal over its uncertain utilities."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from realpolitik.cli.app import app
from realpolitik.cli.options import (
    DEFAULT_SCENARIO,
    QuietOpt,
    SeedOpt,
    console_for,
    emit,
    err,
    model_option,
    samples_option,
)
from realpolitik.errors import RealpolitikError
from realpolitik.jsonsafe import dumps


class Information(StrEnum):
    """What each side of ``realpolitik deal`` knows of the other."""

    complete = "complete"
    private = "private"


class DealFormat(StrEnum):
    """Output formats of ``realpolitik deal``."""

    table = "table"
    json = "json"


def parse_strategies(values: Sequence[str], parties: Sequence[str]) -> dict[str, str]:
    """The ``PARTY=NAME`` values of ``--strategy`` as a strategy name per party id.

    Each party must be one of the deal's ``parties`` and each name a known strategy; a party
    left out negotiates ``linear``.
    """
    from realpolitik.api.deal import get_strategy

    chosen: dict[str, str] = {}
    for value in values:
        party, sep, name = (part.strip() for part in value.partition("="))
        if not sep or not party or not name:
            raise RealpolitikError(f"--strategy takes PARTY=NAME (a party id of the deal and a "
                                   f"strategy), got {value!r}; parties: {', '.join(parties)}")
        if party not in parties:
            raise RealpolitikError(f"--strategy {value}: {party!r} is not a party of the deal; "
                                   f"its parties are {', '.join(parties)}")
        if party in chosen:
            raise RealpolitikError(f"--strategy names party {party!r} twice")
        try:
            get_strategy(name)
        except RealpolitikError as exc:
            raise RealpolitikError(f"--strategy {value}: {exc}") from None
        chosen[party] = name
    return chosen


@app.command("deal")
def deal(
    scenario: Annotated[str, typer.Argument(
        help="A built-in scenario name or a YAML/JSON file with a `deal` section.")
    ] = DEFAULT_SCENARIO,
    samples: Annotated[int, samples_option("Monte Carlo samples of the uncertain utilities.")
                       ] = 1000,
    seed: SeedOpt = 0,
    strategy: Annotated[list[str] | None, typer.Option(
        "--strategy", metavar="PARTY=NAME",
        help="A party's strategy: the party's actor id (see `realpolitik show`), then boulware, "
             "linear, conceder, tit-for-tat or time:E; repeat for the other party "
             "(default: linear).")] = None,
    deadline: Annotated[int | None, typer.Option(
        help="Last round of the protocol (default: the scenario's).")] = None,
    model: Annotated[str | None, model_option(
        "Collective model of the domestic constraint's forecast.")] = None,
    private: Annotated[bool, typer.Option(
        "--private", help="Use actors' private positions in the collective forecast.")
    ] = False,
    information: Annotated[Information | None, typer.Option(
        "--information", help="complete (each side knows the other's utility) or private "
        "(beliefs and Bayesian learning; the default where the scenario declares beliefs).")
    ] = None,
    spread: Annotated[float | None, typer.Option(
        min=0, help="Width of both beliefs relative to the declared uncertainty "
                    "(private information; default: the scenario's).")] = None,
    breakdown: Annotated[bool, typer.Option(
        "--breakdown/--no-breakdown", help="Apply the scenario's breakdown risk and the "
        "status quo's attack cost.")] = True,
    top: Annotated[int, typer.Option(min=1, help="How many packages to list.")] = 5,
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Write the Pareto frontier with the agreements reached to FILE.png.")
    ] = None,
    timeline_plot: Annotated[Path | None, typer.Option(
        "--timeline-plot", help="Write P(agreement by date) to FILE.png.")] = None,
    output: Annotated[DealFormat, typer.Option(
        "--format", "-f", help="table or json.")] = DealFormat.table,
    out_file: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the output to this file.")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Negotiate the scenario's deal: P(agreement by date), packages, their place on the scale."""
    from rich.progress import Progress

    from realpolitik.api.deal import deal_parties, negotiate
    from realpolitik.api.scenario import load_scenario
    from realpolitik.presentation.deal_plot import plot_frontier
    from realpolitik.presentation.deal_tables import print_result

    for flag, file in (("--plot", plot), ("--timeline-plot", timeline_plot)):
        if file is not None and file.suffix.lower() != ".png":
            raise RealpolitikError(f"{flag} writes a PNG file; give a name ending in .png, got "
                                   f"{file}")
    sc = load_scenario(scenario)
    strategies = parse_strategies(strategy or [], deal_parties(sc)) if strategy else None
    from realpolitik.presentation.progress import show_progress

    with Progress(console=err, transient=True, disable=not show_progress(err, quiet=quiet)) as bar:
        task = bar.add_task("negotiating", total=1000)
        result = negotiate(
            sc, samples=samples, seed=seed, strategies=strategies, deadline=deadline,
            model=model, positions="private" if private else None,
            information=None if information is None else information.value, spread=spread,
            breakdown=breakdown,
            progress=lambda stage, done, total: bar.update(task, completed=done, total=total,
                                                           description=stage),
            interruptible=True,
        )
    if output is DealFormat.json:
        emit(dumps(result.to_json(top)), out_file)
    else:
        with console_for(out_file) as console:
            print_result(result, console, top)
        if out_file is not None:
            err.print(f"wrote {out_file}")
    if plot is not None:
        written = plot_frontier(result, plot)
        err.print(f"wrote {written}")
    if timeline_plot is not None:
        from realpolitik.presentation.deal_plot import plot_timeline

        err.print(f"wrote {plot_timeline(result, timeline_plot)}")
