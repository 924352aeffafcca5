"""``realpolitik forecast``: where the bargaining settles, as a table, JSON or CSV."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from realpolitik.api import forecast as run_forecast
from realpolitik.api.bottom_line import from_forecast
from realpolitik.api.models import (
    DEFAULT_MODEL,
    get_model,
    models_with_trace,
)
from realpolitik.cli.app import app
from realpolitik.cli.options import (
    DEFAULT_SCENARIO,
    Format,
    FormatOpt,
    ModelOpt,
    OutOpt,
    PrivateOpt,
    QuietOpt,
    ScenarioArg,
    SeedOpt,
    console_for,
    emit,
    err,
    positions,
    samples_option,
)
from realpolitik.errors import RealpolitikError
from realpolitik.jsonsafe import dumps
from realpolitik.presentation.forecast import (
    print_bottom_line,
    print_distribution,
    print_forecast,
)
from realpolitik.presentation.progress import ProgressBar
from realpolitik.presentation.traces import print_trace, trace_dicts

if TYPE_CHECKING:
    from realpolitik.api.analysis import ForecastDistribution


@app.command()
def forecast(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    model: ModelOpt = "",
    seed: SeedOpt = 0,
    private: PrivateOpt = False,
    trace: Annotated[bool, typer.Option("--trace", help="Print the model's round-by-round trace.")] = False,
    output: FormatOpt = Format.table,
    out_file: OutOpt = None,
    samples: Annotated[int | None, samples_option(
        "Also forecast N Monte Carlo samples of the uncertain inputs.")] = None,
    backend: Annotated[str, typer.Option(help="Array backend: numpy or torch.")] = "numpy",
    device: Annotated[str | None, typer.Option(help="Device of the torch backend: cpu or cuda.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Threads for the Monte Carlo chunks.")] = 1,
    plot: Annotated[Path | None, typer.Option(help="With --samples: plot the distribution to a .png or .html file.")] = None,
    weights: Annotated[str, typer.Option(
        help="Ensemble weights: 'fitted' (learned on past decisions, shipped), 'equal', or a "
        "weights file written by `realpolitik backtest --write-weights`.")] = "fitted",
    quiet: QuietOpt = False,
    allow_slow: Annotated[bool, typer.Option(
        "--allow-slow", help="Run a model even when it is estimated to take over a minute.")] = False,
) -> None:
    """Forecast where the bargaining settles on each issue of a scenario."""
    _check_samples(samples)
    spec = get_model(model or DEFAULT_MODEL)
    if plot is not None and samples is None:
        raise RealpolitikError("--plot draws the Monte Carlo distribution: add --samples N")
    if trace and not spec.supports_trace:
        raise RealpolitikError(f"model {spec.name!r} has no trace; models with one: "
                               + ", ".join(models_with_trace()))
    extra = {"weights": weights} if spec.name == "ensemble" else {}
    if weights != "fitted" and not extra:
        raise RealpolitikError(f"--weights applies to the ensemble, not to {spec.name!r}")
    result = run_forecast(scenario, spec.name, seed=seed, positions=positions(private),
                          trace=trace, samples=samples, backend=backend, device=device,
                          workers=workers, progress=ProgressBar(quiet=quiet), allow_slow=allow_slow,
                          **extra)
    for text in result.warnings():
        err.print(f"warning: {text}", markup=False)
    if result.sampled is not None:
        after_forecast(result.sampled, plot)
    if output is Format.json:
        doc = result.to_json()
        if trace:
            records = result.outcome.trace
            doc["trace"] = None if records is None else trace_dicts(records, result.inputs)
        emit(dumps(doc), out_file)
        return
    if output is Format.csv:
        emit(result.to_frame().to_csv(index=False, float_format="%.6g"), out_file)
        return
    with console_for(out_file) as console:
        info = result.deal_on_scale()
        print_bottom_line(from_forecast(result, info), console)
        print_forecast(result, console)
        _deal_on_scale(result, info, console)
        if result.sampled is not None:
            print_distribution(result.sampled, console)
        if trace and result.outcome.trace:
            print_trace(result.outcome.trace, result.inputs, console)


def _deal_on_scale(result: Any, info: dict[str, Any] | None, console: Any) -> None:
    """The negotiated package next to the forecast, where the scenario's deal maps onto an issue."""
    from realpolitik.presentation.deal_tables import print_deal_on_scale

    if info is not None:
        dom = result.scenario.deal.domestic
        print_deal_on_scale(info, result.forecast.get(info["issue"]), result.model, console,
                            party=None if dom is None else dom.party, scenario=result.scenario)


def _check_samples(samples: int | None) -> None:
    """The library's bound on Monte Carlo samples, named as the flag (imported only when used)."""
    if samples is None:
        return
    from realpolitik.api.analysis import MAX_SAMPLES

    if samples > MAX_SAMPLES:
        raise RealpolitikError(f"--samples must be an integer from 1 to {MAX_SAMPLES:,}, "
                               f"got {samples}")


def after_forecast(dist: ForecastDistribution, plot: Path | None) -> None:
    """Warnings about too few samples (standard error) and the optional plot."""
    from realpolitik.presentation.uncertainty_plots import distribution_plot

    for text in dist.warnings():
        err.print(f"warning: {text}", markup=False)
    if plot is not None:
        err.print(f"wrote {distribution_plot(dist, plot)}")
