"""``realpolitik simulate`` and ``realpolitik calibrate``: the dynamics subsystem's commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from realpolitik.errors import RealpolitikError
from realpolitik.scenario.loader import DEFAULT_SCENARIO

#: Below this many samples the 5-95% bands are unstable; the CLI warns.
MIN_STABLE_SAMPLES = 200


def _band(lo: float, med: float, hi: float, digits: int = 0) -> str:
    return f"{med:.{digits}f} [{lo:.{digits}f}-{hi:.{digits}f}]"


def print_option(tr: Any, dyn: Any, console: Console, level: float) -> None:
    """Trajectory table of one option: median and band of every variable at selected months."""
    months = sorted({0, *(m for m in (6, 12, 24, 36) if m < tr.months), tr.months})
    t = Table(title=f"Option {tr.option}: median [{(1 - level) / 2:.0%}-{(1 + level) / 2:.0%}] "
                    "by month", title_justify="left")
    t.add_column("variable")
    for m in months:
        t.add_column(f"m{m} ({tr.month_date(m):%Y-%m})", justify="right")
    for v in dyn.variables:
        lo, med, hi = tr.band(v.id, level)
        t.add_row(v.name, *(_band(lo[m], med[m], hi[m]) for m in months))
    if dyn.attacks is not None:
        lo, med, hi = tr.band("attacks", level)
        mean = tr.attacks.mean(axis=0)
        t.add_row("attacks that month: mean; median [band]",
                  "-", *(f"{mean[m - 1]:.1f}; {_band(lo[m - 1], med[m - 1], hi[m - 1])}"
                         for m in months[1:]))
    console.print(t)


def print_comparison(results: list[Any], dyn: Any, console: Console, level: float) -> None:
    """Side-by-side table of the options: state at the horizon, attacks, event probabilities."""
    from realpolitik.dynamics.model import event_probability

    t = Table(title=f"Options side by side (at month {results[0].months}; median "
                    f"[{level:.0%} band])", title_justify="left")
    t.add_column("quantity", overflow="fold")
    for tr in results:
        t.add_column(tr.option, justify="right")
    for v in dyn.variables:
        cells = []
        for tr in results:
            lo, med, hi = tr.band(v.id, level)
            cells.append(_band(lo[-1], med[-1], hi[-1]))
        t.add_row(v.name, *cells)
    if dyn.attacks is not None:
        for label, sl in (("expected attacks per month, year 1", slice(0, 12)),
                          ("expected attacks per month, whole horizon", slice(None))):
            t.add_row(label, *(f"{tr.attacks[:, sl].mean():.1f}" for tr in results))
        t.add_row("expected U.S. strikes, whole horizon",
                  *(f"{tr.strikes.sum(axis=1).mean():.1f}" for tr in results))
    for ev in dyn.events:
        t.add_row(f"P({ev.name or ev.id})", *(f"{event_probability(tr, ev):.0%}" for tr in results))
    console.print(t)


def register(app: typer.Typer) -> None:
    """Add ``simulate`` and ``calibrate`` to the app."""

    @app.command("simulate")
    def simulate_cmd(
        scenario: Annotated[str, typer.Argument(
            help="A built-in scenario name or a YAML/JSON file with a `dynamics` section.")
        ] = DEFAULT_SCENARIO,
        option: Annotated[list[str] | None, typer.Option(
            "--option", "-p", help="An option id, `all` (default), or `forecast` (the bargaining "
            "forecast drives the presence); repeat or separate by commas.")] = None,
        horizon: Annotated[int | None, typer.Option(
            min=1, max=600, help="Months to simulate (default: the scenario's, 36 for iraq-2024).")
        ] = None,
        samples: Annotated[int, typer.Option("--samples", "-n", min=1, max=1_000_000,
                                             help="Monte Carlo samples.")] = 1000,
        seed: Annotated[int, typer.Option(min=0, help="Random seed (the same seed gives the same output).")] = 0,
        model: Annotated[str, typer.Option("--model", "-m", help="Bargaining model for --option forecast.")] = "",
        level: Annotated[float, typer.Option(min=0.5, max=0.99, help="Width of the bands.")] = 0.90,
        out_dir: Annotated[Path, typer.Option(
            "--out-dir", help="Where to write dynamics.png, dynamics.html, trajectories.csv and "
            "summary.csv (created if missing).")] = Path("out"),
        files: Annotated[bool, typer.Option(
            "--files/--no-files", help="Write the plots and CSV tables (--no-files: print only).")
        ] = True,
    ) -> None:
        """Simulate attacks, influence and state capacity over time under each policy option."""
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        from realpolitik.cli import err, out
        from realpolitik.dynamics.engine import resolve, section, summary_frame
        from realpolitik.dynamics.model import simulate
        from realpolitik.scenario.loader import load_scenario

        sc = load_scenario(scenario)
        dyn = section(sc)
        chosen = resolve(sc, option or ["all"], model=model, seed=seed)
        months = horizon or dyn.horizon_months
        if samples < MIN_STABLE_SAMPLES:
            err.print(f"[yellow]warning:[/yellow] {samples} samples are too few for stable "
                      f"{level:.0%} bands and event probabilities; use --samples "
                      f"{MIN_STABLE_SAMPLES} or more for figures you report")
        for _, path in chosen:
            if path is not None:
                out.print(f"forecast option: the {path.model} forecast of {path.issue} is "
                          f"{path.issue_forecast:.1f}; {path.variable} moves to {path.target:.1f}")
        results = []
        interrupted = False
        start = dyn.start or sc.as_of
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn(),
                      console=err, transient=True) as bar:
            try:
                for opt, _ in chosen:
                    name = opt.id if opt else "status_quo"
                    task = bar.add_task(f"simulating {name}", total=months * 4)
                    results.append(simulate(
                        dyn, opt, start=start, samples=samples, seed=seed, horizon_months=months,
                        progress=lambda done, total, task=task: bar.update(task, completed=done),
                    ))
            except KeyboardInterrupt:
                interrupted = True
        if interrupted:
            err.print(f"interrupted: {len(results)} of {len(chosen)} options finished; "
                      "showing those")
        if not results:
            raise typer.Exit(130)
        out.print(f"[bold]{sc.title}[/bold]  ({sc.id}); {samples} samples, seed {seed}, "
                  f"{months} months from {start.isoformat()}")
        for tr in results:
            print_option(tr, dyn, out, level)
        print_comparison(results, dyn, out, level)
        if files:
            from realpolitik.presentation.dynamics_report import (
                html_page,
                plot_options,
                trajectories_frame,
            )

            out_dir.mkdir(parents=True, exist_ok=True)
            png = plot_options(results, dyn, out_dir / "dynamics.png", level=level)
            summary = summary_frame(results, sc, level)
            summary.to_csv(out_dir / "summary.csv", index=False, float_format="%.6g")
            trajectories_frame(results, level).to_csv(out_dir / "trajectories.csv", index=False,
                                                      float_format="%.6g")
            page = html_page(f"{sc.title}: dynamics under each option", summary, [png],
                             [f"{samples} samples, seed {seed}, {months} months from "
                              f"{start.isoformat()}; bands are {level:.0%} intervals."])
            (out_dir / "dynamics.html").write_text(page, encoding="utf-8")
            err.print(f"wrote {png}, {out_dir / 'dynamics.html'}, {out_dir / 'summary.csv'}, "
                      f"{out_dir / 'trajectories.csv'}")
        if interrupted:
            raise typer.Exit(130)

    @app.command("calibrate")
    def calibrate_cmd(
        scenario: Annotated[str, typer.Argument(
            help="Scenario whose stored attack parameters are compared with the fit.")
        ] = DEFAULT_SCENARIO,
        samples: Annotated[int, typer.Option("--samples", "-n", min=10, max=200_000,
                                             help="Simulations for the coverage check.")] = 2000,
        seed: Annotated[int, typer.Option(min=0, help="Random seed of the coverage check.")] = 0,
        observed_only: Annotated[bool, typer.Option(
            "--observed-only", help="Fit only the weeks backed by reports (to 19 Feb 2024); the "
            "later weeks become an out-of-sample check.")] = False,
        out_dir: Annotated[Path, typer.Option(
            "--out-dir", help="Where to write calibration.png (created if missing).")
        ] = Path("out"),
    ) -> None:
        """Fit the attack process to the 2023-2024 attacks on U.S. forces; check it by simulation."""
        from realpolitik.cli import err, out
        from realpolitik.dynamics.calibrate import calibrate, check, plot_check
        from realpolitik.scenario.loader import load_scenario

        load_scenario(scenario)  # a broken scenario file is a user error (exit 2), before the fit
        cal = calibrate(include_assumed=not observed_only)
        fit = cal.fit
        series = cal.series
        out.print(f"[bold]Attack process fit[/bold]: {series.weeks} weeks from "
                  f"{series.week_start[0].isoformat()} ({int(series.counts.sum())} attacks), "
                  f"log-likelihood {fit.log_likelihood:.2f}, AIC {fit.aic:.1f}")
        if not fit.converged:
            err.print(f"[yellow]warning:[/yellow] {fit.message}")
        t = Table(title="Fitted parameters (maximum likelihood; SE from the observed information; "
                        "interval on the log/logit scale)",
                  title_justify="left")
        for col in ("parameter", "meaning", "estimate", "SE", "approx. 95% interval"):
            t.add_column(col, overflow="fold")
        meaning = {"mu": "background attacks per week (campaign conditions)",
                   "n": "branching ratio (attacks triggered per attack)",
                   "rho": "excitation kernel decay per week",
                   "gamma": "log-rate reduction per unit of deterrence stock",
                   "tau": "deterrence persistence, weeks (weak lognormal prior)"}
        for name in ("mu", "n", "rho", "gamma", "tau"):
            if name in fit.estimate:
                est, se = fit.estimate[name], fit.se[name]
                lo, hi = fit.interval(name)
                t.add_row(name, meaning[name], f"{est:.3f}", f"{se:.3f}", f"{lo:.3f} - {hi:.3f}")
            elif name in fit.fixed:
                t.add_row(name, meaning[name], f"{fit.fixed[name]:g} (fixed)", "-", "-")
        out.print(t)
        p, w = cal.retaliation()
        out.print(f"stationary rate mu/(1-n) without deterrence: {fit.stationary_rate:.1f} per week; "
                  f"U.S. strike in {p:.0%} of weeks with attacks, {w:.2f} facilities per strike week; "
                  f"deterrence stock at the end: {cal.deterrence_at_end():.2f}")
        res = check(cal, samples=samples, seed=seed)
        outside = [f"{d.isoformat()} ({int(o)} vs {lo:.0f}-{hi:.0f})" for d, o, lo, hi, ok in
                   zip(res.week_start, res.observed, res.low, res.high, res.inside, strict=True)
                   if not ok]
        out.print(f"[bold]coverage[/bold]: {res.coverage:.0%} of {len(res.observed)} observed weeks "
                  f"inside the simulated {res.level:.0%} band ({samples} free-running simulations)")
        if outside:
            out.print("weeks outside the band: " + "; ".join(outside))
        out_dir.mkdir(parents=True, exist_ok=True)
        png = plot_check(res, out_dir / "calibration.png")
        err.print(f"wrote {png}")
        _compare_with_scenario(scenario, cal, out, err, load_scenario)


def _compare_with_scenario(scenario: str, cal: Any, out: Console, err: Console, load: Any) -> None:
    """Print the scenario's stored attack parameters next to the fit (they should agree)."""
    try:
        sc = load(scenario)
    except RealpolitikError as exc:
        err.print(f"(scenario not compared: {exc})", markup=False)
        return
    att = sc.dynamics.attacks if sc.dynamics else None
    if att is None:
        out.print(f"scenario {sc.id!r} has no dynamics.attacks section to compare with")
        return
    stored = {"mu": att.baseline.point, "n": att.branching_ratio.point,
              "gamma": att.deterrence_effect.point, "tau": att.deterrence_weeks.point}
    t = Table(title=f"Stored in {sc.id} vs this fit", title_justify="left")
    for col in ("parameter", "stored", "fitted", "agree (3 significant digits)"):
        t.add_column(col)
    for k, v in stored.items():
        if k in cal.fit.estimate:
            fitted = cal.fit.estimate[k]
            ok = bool(np.isclose(v, float(f"{fitted:.3g}"), rtol=2e-3))
            t.add_row(k, f"{v:g}", f"{fitted:.4g}", "yes" if ok else "[red]no[/red]")
    out.print(t)
