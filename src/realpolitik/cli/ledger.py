"""``realpolitik record`` and ``realpolitik score``: a ledger of forecasts, scored later."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from realpolitik.cli.app import app
from realpolitik.cli.options import (
    DEFAULT_SCENARIO,
    ModelOpt,
    QuietOpt,
    ScenarioArg,
    SeedOpt,
    err,
    out,
    samples_option,
)

LedgerOpt = Annotated[Path, typer.Option(
    "--ledger", help="The ledger file (SQLite; created on first use).")]


@app.command("record")
def record_command(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    model: ModelOpt = "",
    seed: SeedOpt = 0,
    samples: Annotated[int | None, samples_option(
        "Also record the Monte Carlo 5-95% band of N samples of the uncertain inputs.")] = None,
    weights: Annotated[str, typer.Option(
        help="Ensemble weights: 'fitted', 'equal' or a weights file.")] = "fitted",
    ledger: LedgerOpt = Path("realpolitik-ledger.sqlite"),
    note: Annotated[str, typer.Option(help="A note stored with the forecast.")] = "",
    quiet: QuietOpt = False,
) -> None:
    """Record a forecast (scenario hash, model, weights, date, bands) in the ledger."""
    from realpolitik.api import forecast as run_forecast
    from realpolitik.api.ledger import record
    from realpolitik.api.models import DEFAULT_MODEL, get_model
    from realpolitik.presentation.forecast import print_bands
    from realpolitik.presentation.progress import ProgressBar

    spec = get_model(model or DEFAULT_MODEL)
    extra = {"weights": weights} if spec.name == "ensemble" else {}
    if weights != "fitted" and not extra:
        from realpolitik.errors import RealpolitikError

        raise RealpolitikError(f"--weights applies to the ensemble, not to {spec.name!r}")
    with ProgressBar(quiet=quiet) as bar:
        result = run_forecast(scenario, spec.name, seed=seed, samples=samples,
                              progress=bar if samples is not None else None, **extra)
    fid = record(result, ledger, note=note)
    print_bands(result, out)
    err.print(f"recorded forecast #{fid} of {result.scenario.id} ({result.model}) in {ledger}")


@app.command("score")
def score_command(
    ledger: LedgerOpt = Path("realpolitik-ledger.sqlite"),
    outcomes: Annotated[Path | None, typer.Option(
        help="A CSV file of outcomes (scenario,issue,outcome[,source]) to add first.")] = None,
    plot: Annotated[Path | None, typer.Option(
        help="Write a calibration plot (nominal against observed coverage) to a .png, .svg or "
        ".html file.")] = None,
) -> None:
    """Score recorded forecasts against their outcomes: errors, band coverage, calibration plot."""
    from realpolitik.api.ledger import add_outcomes, read_outcomes, score
    from realpolitik.presentation.ledger import calibration_plot, print_score

    if outcomes is not None:
        n = add_outcomes(read_outcomes(outcomes), ledger)
        err.print(f"added {n} outcome(s) to {ledger}")
    result = score(ledger)
    print_score(result, out)
    if plot is not None:
        if not result.scored:
            err.print("no forecast has an outcome yet: no plot written")
        else:
            err.print(f"wrote {calibration_plot(result, plot)}")
