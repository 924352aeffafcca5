"""``realpolitik simulate`` and ``realpolitik calibrate``: the dynamics commands."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from realpolitik.cli.app import app
from realpolitik.cli.options import (
    DEFAULT_SCENARIO,
    QuietOpt,
    SeedOpt,
    err,
    model_option,
    out,
    samples_option,
)
from realpolitik.errors import RealpolitikError

if TYPE_CHECKING:
    from realpolitik.api.dynamics import Calibration, SimulationPlan, Trajectories


@app.command("simulate")
def simulate(
    scenario: Annotated[str, typer.Argument(
        help="A built-in scenario name or a YAML/JSON file with a `dynamics` section.")
    ] = DEFAULT_SCENARIO,
    option: Annotated[list[str] | None, typer.Option(
        "--option", "-p", help="An option id, `all` (default), or `forecast` (the bargaining "
        "forecast drives the presence); repeat or separate by commas.")] = None,
    horizon: Annotated[int | None, typer.Option(
        min=1, max=600, help="Months to simulate (default: the scenario's, 36 for iraq-2024).")
    ] = None,
    samples: Annotated[int, samples_option("Monte Carlo samples.", max=1_000_000)] = 1000,
    seed: SeedOpt = 0,
    model: Annotated[str, model_option("Bargaining model for --option forecast.")] = "",
    level: Annotated[float, typer.Option(min=0.5, max=0.99, help="Width of the bands.")] = 0.90,
    out_dir: Annotated[Path | None, typer.Option(
        "--out-dir", help="Write dynamics.png, dynamics.html, trajectories.csv and summary.csv "
        "to this folder (created if missing); without it nothing is written.")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Simulate attacks, influence and state capacity over time under each policy option."""
    from realpolitik.api.dynamics import band_warnings, plan_simulation
    from realpolitik.presentation.dynamics_tables import print_comparison, print_option

    plan = plan_simulation(scenario, option or ["all"], horizon_months=horizon, model=model,
                           seed=seed)
    for _, path in plan.options:
        if path is not None:
            out.print(f"forecast option: the {path.model} forecast of {path.issue} is "
                      f"{path.issue_forecast:.1f}; {path.variable} moves to {path.target:.1f}")
    results, interrupted = _run_options(plan, samples, seed, quiet)
    if interrupted:
        err.print(f"interrupted: {len(results)} of {len(plan.options)} options finished; "
                  "showing those")
    if not results:
        raise typer.Exit(130)
    for note in band_warnings(results, plan.dynamics, level):
        err.print(f"[yellow]warning:[/yellow] {note}", highlight=False)
    sc = plan.scenario
    out.print(f"[bold]{sc.title}[/bold]  ({sc.id}); {samples} samples, seed {seed}, "
              f"{plan.months} months from {plan.start.isoformat()}")
    for tr in results:
        print_option(tr, plan.dynamics, out, level)
    print_comparison(results, plan.dynamics, out, level)
    if out_dir is not None:
        _write_files(plan, results, out_dir, samples=samples, seed=seed, level=level)
    if interrupted:
        raise typer.Exit(130)


def _run_options(plan: SimulationPlan, samples: int, seed: int,
                 quiet: bool = False) -> tuple[list[Trajectories], bool]:
    """Simulate the plan's options one by one with a bar each; Ctrl+C keeps those finished."""
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    from realpolitik.api.dynamics import iter_options
    from realpolitik.presentation.progress import show_progress

    results: list[Trajectories] = []
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn(),
                  console=err, transient=True,
                  disable=not show_progress(err, quiet=quiet)) as bar:
        tasks: dict[str, TaskID] = {}

        def tick(option: str, done: int, total: int) -> None:
            if option not in tasks:
                tasks[option] = bar.add_task(f"simulating {option}", total=total)
            bar.update(tasks[option], completed=done)

        try:
            for tr in iter_options(plan, samples=samples, seed=seed, progress=tick):
                results.append(tr)
        except KeyboardInterrupt:
            return results, True
    return results, False


def _write_files(plan: SimulationPlan, results: list[Trajectories], out_dir: Path, *,
                 samples: int, seed: int, level: float) -> None:
    """dynamics.png, dynamics.html, summary.csv and trajectories.csv in ``out_dir``."""
    from realpolitik.api.dynamics import summary_frame
    from realpolitik.presentation.dynamics_report import (
        html_page,
        plot_options,
        trajectories_frame,
    )

    sc = plan.scenario
    out_dir.mkdir(parents=True, exist_ok=True)
    png = plot_options(results, plan.dynamics, out_dir / "dynamics.png", level=level)
    summary = summary_frame(results, sc, level)
    summary.to_csv(out_dir / "summary.csv", index=False, float_format="%.6g")
    trajectories_frame(results, level).to_csv(out_dir / "trajectories.csv", index=False,
                                              float_format="%.6g")
    page = html_page(f"{sc.title}: dynamics under each option", summary, [png],
                     [f"{samples} samples, seed {seed}, {plan.months} months from "
                      f"{plan.start.isoformat()}; bands are {level:.0%} intervals."])
    (out_dir / "dynamics.html").write_text(page, encoding="utf-8")
    err.print(f"wrote {png}, {out_dir / 'dynamics.html'}, {out_dir / 'summary.csv'}, "
              f"{out_dir / 'trajectories.csv'}")


@app.command("calibrate")
def calibrate(
    scenario: Annotated[str, typer.Argument(
        help="Scenario whose stored attack parameters are compared with the fit.")
    ] = DEFAULT_SCENARIO,
    samples: Annotated[int, samples_option("Simulations for the coverage check.", min=10,
                                           max=200_000)] = 2000,
    seed: SeedOpt = 0,
    observed_only: Annotated[bool, typer.Option(
        "--observed-only", help="Fit only the weeks backed by reports (to 19 Feb 2024); the "
        "later weeks become an out-of-sample check.")] = False,
    variant: Annotated[str, typer.Option(
        "--variant", help="Model variant: negbin-regime (the one the evaluation chose), negbin "
        "or hawkes (the original Poisson process).")] = "negbin-regime",
    out_dir: Annotated[Path | None, typer.Option(
        "--out-dir", help="Write calibration.png to this folder (created if missing); without "
        "it nothing is written.")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Fit the attack process to the 2023-2024 attacks on U.S. forces; check it by simulation."""
    from realpolitik.api.scenario import load_scenario

    load_scenario(scenario)  # a broken scenario file is a user error (exit 2), before the fit
    if variant != "hawkes":
        _calibrate_variant(scenario, variant, samples, seed, observed_only, out_dir, quiet)
        return
    from realpolitik.api.dynamics import calibrate as fit_attacks
    from realpolitik.api.dynamics import check
    from realpolitik.presentation.dynamics_tables import (
        calibration_table,
        coverage_lines,
        fit_lines,
        plot_check,
        rates_line,
    )
    from realpolitik.presentation.progress import show_progress

    with err.status("fitting the attack process", spinner="dots") if show_progress(
            err, quiet=quiet) else nullcontext():
        cal = fit_attacks(include_assumed=not observed_only)
    out.print(fit_lines(cal))
    if not cal.fit.converged:
        err.print(f"[yellow]warning:[/yellow] {cal.fit.message}")
    out.print(calibration_table(cal))
    out.print(rates_line(cal))
    with err.status(f"checking the fit with {samples:,} simulations", spinner="dots") if \
            show_progress(err, quiet=quiet) else nullcontext():
        res = check(cal, samples=samples, seed=seed)
    for line in coverage_lines(res, samples):
        out.print(line)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        png = plot_check(res, out_dir / "calibration.png")
        err.print(f"wrote {png}")
    _compare_with_scenario(scenario, cal)


def _compare_with_scenario(scenario: str, cal: Calibration) -> None:
    """Print the scenario's stored attack parameters next to the fit (they should agree)."""
    from realpolitik.api.scenario import load_scenario
    from realpolitik.presentation.dynamics_tables import comparison_table

    try:
        sc = load_scenario(scenario)
    except RealpolitikError as exc:
        err.print(f"(scenario not compared: {exc})", markup=False)
        return
    out.print(comparison_table(sc, cal))


def _calibrate_variant(scenario: str, variant: str, samples: int, seed: int, observed_only: bool,
                       out_dir: Path | None, quiet: bool) -> None:
    """``calibrate --variant negbin[-regime]``: the fit, its check and the stored numbers."""
    from realpolitik.api.dynamics import check_attacks, fit_attacks
    from realpolitik.api.scenario import load_scenario
    from realpolitik.presentation.dynamics_evaluation import (
        correlation_line,
        variant_comparison,
        variant_fit_table,
    )
    from realpolitik.presentation.dynamics_tables import coverage_lines, plot_check
    from realpolitik.presentation.progress import show_progress

    busy = show_progress(err, quiet=quiet)
    with err.status(f"fitting {variant}", spinner="dots") if busy else nullcontext():
        fit = fit_attacks(scenario, variant=variant, include_assumed=not observed_only)
    out.print(f"[bold]Attack process fit ({variant})[/bold]: {fit.weeks} weeks, "
              f"log-likelihood {fit.fit.log_likelihood:.2f}; regimes: "
              + (", ".join(f"{r.id} from {r.start.isoformat()}" for r in fit.regimes)
                 if fit.fit.variant.regimes and fit.regimes else "none"))
    if not fit.fit.converged:
        err.print("[yellow]warning:[/yellow] the Hessian is not positive definite at the optimum")
    out.print(variant_fit_table(fit))
    out.print(correlation_line(fit))
    with err.status(f"checking the fit with {samples:,} simulations", spinner="dots") if \
            busy else nullcontext():
        res = check_attacks(fit, samples=samples, seed=seed)
    for line in coverage_lines(res, samples):
        out.print(line)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        png = plot_check(res, out_dir / "calibration.png", title=(
            f"Attacks on U.S. forces: {variant} fit vs data (coverage {res.coverage:.0%})"))
        err.print(f"wrote {png}")
    if not observed_only:
        out.print(variant_comparison(load_scenario(scenario), fit))


@app.command("evaluate-dynamics")
def evaluate_dynamics(
    scenario: Annotated[str, typer.Argument(
        help="Scenario whose attack regimes (dynamics.attacks.regimes) the variants use.")
    ] = DEFAULT_SCENARIO,
    variant: Annotated[list[str] | None, typer.Option(
        "--variant", help="Model variants to evaluate (default: all: hawkes, negbin, "
        "negbin-regime); repeat for several.")] = None,
    horizon: Annotated[int, typer.Option(min=1, max=26, help="Weeks ahead forecast from "
                                         "every cut point.")] = 4,
    first_origin: Annotated[int, typer.Option(
        "--first-origin", min=4, max=25, help="First cut point (weeks of training data).")] = 8,
    samples: Annotated[int, samples_option("Simulated paths per forecast.", min=10,
                                           max=100_000)] = 200,
    seed: SeedOpt = 0,
    observed_only: Annotated[bool, typer.Option(
        "--observed-only", help="Use only the weeks backed by reports (to 19 Feb 2024).")
    ] = False,
    out_dir: Annotated[Path | None, typer.Option(
        "--out-dir", help="Write evaluation.png and evaluation.csv to this folder (created if "
        "missing); without it nothing is written.")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Rolling-origin evaluation of the attack models against naive baselines (proper scores)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from realpolitik.api.dynamics import VARIANTS, evaluation_summary
    from realpolitik.api.dynamics import evaluate_dynamics as run
    from realpolitik.presentation.dynamics_evaluation import (
        evaluation_frame,
        evaluation_lines,
        evaluation_table,
        plot_evaluation,
    )
    from realpolitik.presentation.progress import show_progress

    with Progress(TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn(),
                  console=err, transient=True,
                  disable=not show_progress(err, quiet=quiet)) as bar:
        task = bar.add_task("refitting at every cut point", total=None)

        def tick(_stage: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        ev = run(scenario, variants=variant or list(VARIANTS), first_origin=first_origin,
                 horizon=horizon, samples=samples, seed=seed,
                 include_assumed=not observed_only, progress=tick)
    out.print(f"[bold]Forecast evaluation[/bold]: {len(ev.counts)} weeks from "
              f"{ev.week_start[0].isoformat()}, {samples} simulated paths per forecast, "
              f"seed {seed}")
    out.print(evaluation_table(ev))
    for line in evaluation_lines(ev):
        out.print(line, highlight=False)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        png = plot_evaluation(ev, out_dir / "evaluation.png")
        evaluation_frame(ev).to_csv(out_dir / "evaluation.csv", index=False, float_format="%.6g")
        (out_dir / "evaluation.json").write_text(
            json.dumps(evaluation_summary(ev), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        err.print(f"wrote {png}, {out_dir / 'evaluation.csv'}, {out_dir / 'evaluation.json'}")
