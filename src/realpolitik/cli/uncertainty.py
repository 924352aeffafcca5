"""``realpolitik sensitivity``, ``power`` and ``best-move``.

Every command explains its table in words under it, so a reader need not know the method.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from realpolitik.cli.app import app
from realpolitik.cli.options import (
    DEFAULT_SCENARIO,
    Format,
    FormatOpt,
    OutOpt,
    PlotOpt,
    PrivateOpt,
    QuietOpt,
    ScenarioArg,
    SeedOpt,
    TopOpt,
    console_for,
    emit,
    err,
    model_option,
    positions,
    samples_option,
)
from realpolitik.errors import RealpolitikError
from realpolitik.jsonsafe import dumps

ModelOpt = Annotated[str, model_option()]


class By(StrEnum):
    """How Sobol indices group the inputs."""

    input = "input"
    actor = "actor"


def _records(frame: Any) -> list[dict[str, Any]]:
    """Rows as dicts (``dumps`` writes NaN as null, the one JSON rule)."""
    return frame.to_dict("records")


def _warn(sc: Any, private: bool) -> list[str]:
    """Print the scenario's degenerate inputs as warnings on stderr; return them for the JSON."""
    from realpolitik.api.scenario import degenerate_inputs

    warnings = degenerate_inputs(sc, private=private)
    for text in warnings:
        err.print(f"warning: {text}", markup=False)
    return warnings


@app.command()
def sensitivity(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    model: ModelOpt = "median",
    samples: Annotated[int, samples_option(
        "Base samples N (a power of two); N x (inputs + 2) runs.", min=2)] = 512,
    seed: SeedOpt = 0,
    by: Annotated[By, typer.Option(help="Attribute to each input, or to each actor's inputs together.")] = By.input,
    top: TopOpt = 10,
    private: PrivateOpt = False,
    output: FormatOpt = Format.table,
    out_file: OutOpt = None,
    plot: PlotOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Which uncertain inputs drive each issue's forecast (Sobol indices, one-at-a-time swings)."""
    from realpolitik.api.analysis import sensitivity as run_sensitivity
    from realpolitik.presentation.analysis import print_sensitivity
    from realpolitik.presentation.progress import ProgressBar
    from realpolitik.presentation.sensitivity_words import input_label

    with ProgressBar(err, quiet=quiet) as bar:
        sens = run_sensitivity(scenario, model, samples, seed, positions=positions(private),
                               by=by.value, progress=bar)
    sc, res, sw = sens.scenario, sens.sobol, sens.swings
    warnings = _warn(sc, private)
    if plot is not None:
        from realpolitik.presentation.uncertainty_plots import tornado_plot

        err.print(f"wrote {tornado_plot(sw, sc, plot, model=res.model)}")
    if output is Format.json:
        doc = {"scenario": sc.id, "model": res.model, "seed": seed,
               "base_samples": res.base_samples, "evaluations": res.evaluations,
               "by": by.value, "notes": res.notes, "warnings": warnings,
               "sobol": [{**r, "label": input_label(r["input"], sc, r["issue"])}
                         for r in _records(res.frame)],
               "swings": _records(sw)}
        emit(dumps(doc), out_file)
        return
    if output is Format.csv:
        emit(res.frame.to_csv(index=False, float_format="%.6g"), out_file)
        return
    with console_for(out_file) as console:
        print_sensitivity(sens, console, seed=seed, top=top, by_input=by is By.input)
    for note in res.notes:
        err.print(f"note: {note}", markup=False)


@app.command()
def power(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    model: ModelOpt = "median",
    draws: Annotated[int, typer.Option(min=1, help="Monte Carlo draws when there are more than 16 actors.")] = 20000,
    seed: SeedOpt = 0,
    private: PrivateOpt = False,
    output: FormatOpt = Format.table,
    out_file: OutOpt = None,
    plot: PlotOpt = None,
) -> None:
    """Pivotal actors: Shapley-Shubik and Banzhaf power per issue, and the forecast without each actor."""
    from realpolitik.api.analysis import power as run_power
    from realpolitik.presentation.analysis import print_power

    pw = run_power(scenario, model, draws=draws, seed=seed, positions=positions(private))
    warnings = _warn(pw.scenario, private)
    if plot is not None:
        from realpolitik.presentation.uncertainty_plots import power_plot

        err.print(f"wrote {power_plot(pw.indices, pw.scenario, plot)}")
    if output is Format.json:
        emit(dumps({"scenario": pw.scenario.id, "model": model, "warnings": warnings,
                    "power": _records(pw.table)}), out_file)
        return
    if output is Format.csv:
        emit(pw.table.to_csv(index=False, float_format="%.6g"), out_file)
        return
    with console_for(out_file) as console:
        print_power(pw, console)


@app.command("best-move")
def best_move(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    actor: Annotated[str, typer.Option("--actor", "-a", help="The actor whose goal is sought (an actor id).")] = "",
    target_band: Annotated[str | None, typer.Option(help="Name of the outcome band to reach (default: the band of the actor's position).")] = None,
    issue: Annotated[str | None, typer.Option(help="The issue (default: the band's issue, else the main (first) issue).")] = None,
    model: ModelOpt = "median",
    samples: Annotated[int, samples_option(
        "Aim for the median of N Monte Carlo samples (0: point forecast).", min=0)] = 0,
    seed: SeedOpt = 0,
    top: Annotated[int, typer.Option(min=1, help="Levers to list.")] = 10,
    private: PrivateOpt = False,
    output: FormatOpt = Format.table,
    out_file: OutOpt = None,
) -> None:
    """The smallest change of another actor that brings the forecast into a target band.

    Each lever is one change, from nothing (0%) to full strength (100%):

    position: another actor moves its position toward yours.

    salience: another actor cares more (if it stands on your side of the forecast) or less.

    lend: another actor lends you part of its capability (it loses what you gain).

    own salience: you care more about the issue.

    Without --issue or --target-band the main (first) issue is used, and the output says so.
    """
    from realpolitik.api.analysis import best_move as run_best_move
    from realpolitik.api.scenario import load_scenario
    from realpolitik.presentation.analysis import print_best_move

    if not actor:
        raise RealpolitikError("name the actor with --actor (see `realpolitik show` for ids)")
    sc = load_scenario(scenario)
    warnings = _warn(sc, private)
    res = run_best_move(sc, actor, model, issue=issue, target_band=target_band,
                        positions=positions(private), seed=seed, samples=samples)
    if output is Format.json:
        doc = {"scenario": sc.id, "model": model, "actor": res.actor, "issue": res.issue,
               "target_band": res.target, "target_range": list(res.target_range),
               "actor_position": res.actor_position, "baseline": res.baseline,
               "samples": res.samples, "notes": res.notes, "warnings": warnings,
               "levers": _records(res.frame)}
        emit(dumps(doc), out_file)
        return
    if output is Format.csv:
        emit(res.frame.to_csv(index=False, float_format="%.6g"), out_file)
        return
    with console_for(out_file) as console:
        print_best_move(res, console, title=sc.title, model=model, samples=samples, top=top)
