"""``realpolitik sensitivity``, ``power`` and ``best-move``; the ``forecast --samples`` output.

Every command explains its table in words under it, so a reader need not know the method.
"""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from realpolitik.scenario.loader import DEFAULT_SCENARIO, load_scenario

_err = Console(stderr=True, highlight=False, soft_wrap=True)


class Output(StrEnum):
    """Output formats of the uncertainty commands."""

    table = "table"
    json = "json"
    csv = "csv"


class By(StrEnum):
    """How Sobol indices group the inputs."""

    input = "input"
    actor = "actor"


def _console(out_file: Path | None) -> Console:
    if out_file is None:
        return Console(highlight=False, soft_wrap=False, width=120)
    return Console(file=out_file.open("w", encoding="utf-8"), width=120, highlight=False)


def _emit(text: str, out_file: Path | None) -> None:
    if out_file is None:
        typer.echo(text.rstrip("\n"))
    else:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        _err.print(f"wrote {out_file}")


def _records(frame: Any) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts (NaN becomes null)."""
    rows = frame.to_dict("records")
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
            for r in rows]


# -- forecast --samples ------------------------------------------------------------------------
def print_distribution(dist: Any, console: Console) -> None:
    """Per issue: median, 5 %, 95 % and the probability of each outcome band, explained."""
    summary = dist.summary()
    bands = dist.bands()
    t = Table(title=f"Monte Carlo forecast: {dist.samples:,} samples of the uncertain inputs "
                    f"(seed {dist.seed})", title_justify="left")
    for col in ("issue", "5%", "median", "95%", "outcome bands: probability [95% interval]"):
        t.add_column(col, overflow="fold")
    for row in summary.to_dict("records"):
        sub = bands[bands["issue"] == row["issue"]]
        cells = [f"{b['band'] or '(no band)'}: {b['probability']:.0%} "
                 f"[{b['ci_low']:.0%}-{b['ci_high']:.0%}]" for b in sub.to_dict("records")]
        t.add_row(row["name"], f"{row['p05']:.1f}", f"[bold]{row['median']:.1f}[/bold]",
                  f"{row['p95']:.1f}", "\n".join(cells) or "-")
    console.print(t)
    console.print("Read: in 90% of the samples the forecast lies between the 5% and 95% "
                  "columns; each band's probability is the share of samples that end in it.")


def after_forecast(result: Any, plot: Path | None, quiet: bool = False) -> None:
    """Warnings about too few samples (standard error) and the optional plot."""
    for text in result.sampled.warnings():
        _err.print(f"warning: {text}", markup=False)
    if plot is not None:
        from realpolitik.presentation.uncertainty_plots import distribution_plot

        _err.print(f"wrote {distribution_plot(result.sampled, plot)}")


# -- commands --------------------------------------------------------------------------------
scenario_arg = Annotated[str, typer.Argument(
    help="A built-in scenario name (see `realpolitik scenarios`) or a YAML/JSON file.")]
model_opt = Annotated[str, typer.Option("--model", "-m", help="A model name (see `realpolitik models`).")]
fmt_opt = Annotated[Output, typer.Option("--format", "-f", help="table, json or csv.")]
out_opt = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")]
plot_opt = Annotated[Path | None, typer.Option(help="Also plot to a .png, .svg or .html file.")]
private_opt = Annotated[bool, typer.Option("--private", help="Use actors' private positions where known.")]


def register(app: typer.Typer) -> None:
    """Add ``sensitivity``, ``power`` and ``best-move`` to the main app."""

    @app.command()
    def sensitivity(
        scenario: scenario_arg = DEFAULT_SCENARIO,
        model: model_opt = "median",
        samples: Annotated[int, typer.Option("--samples", "-n", help="Base samples N (a power of two); N x (inputs + 2) runs.")] = 512,
        seed: Annotated[int, typer.Option(min=0, help="Random seed of the Sobol design and bootstrap.")] = 0,
        by: Annotated[By, typer.Option(help="Attribute to each input, or to each actor's inputs together.")] = By.input,
        top: Annotated[int, typer.Option(help="Rows per issue in the table.")] = 10,
        private: private_opt = False,
        output: fmt_opt = Output.table,
        out_file: out_opt = None,
        plot: plot_opt = None,
    ) -> None:
        """Which uncertain inputs drive each issue's forecast (Sobol indices, one-at-a-time swings)."""
        from realpolitik.uncertainty.sensitivity import describe, sobol, swings

        sc = load_scenario(scenario)
        positions = "private" if private else "stated"
        res = sobol(sc, model, samples, seed, positions=positions, by=by.value)
        sw = swings(sc, model, positions=positions, seed=seed)
        if plot is not None:
            from realpolitik.presentation.uncertainty_plots import tornado_plot

            _err.print(f"wrote {tornado_plot(sw, sc, plot, model=res.model)}")
        if output is Output.json:
            doc = {"scenario": sc.id, "model": res.model, "seed": seed,
                   "base_samples": res.base_samples, "evaluations": res.evaluations,
                   "by": by.value, "notes": res.notes, "sobol": _records(res.frame),
                   "swings": _records(sw)}
            _emit(json.dumps(doc, indent=2), out_file)
            return
        if output is Output.csv:
            _emit(res.frame.to_csv(index=False, float_format="%.6g"), out_file)
            return
        console = _console(out_file)
        console.print(f"[bold]{sc.title}[/bold]: Sobol sensitivity of the {res.model} forecast "
                      f"({res.base_samples} base samples, {res.evaluations:,} model runs, seed {seed})")
        for issue in sc.issues:
            t = Table(title=f"{issue.name}: top {top} drivers", title_justify="left")
            for col in ("input", "total ST [95% CI]", "first-order S1 [95% CI]", "swing 5%-95%"):
                t.add_column(col, overflow="fold")
            swing = sw[sw["issue"] == issue.id].set_index("input")["swing"] if len(sw) else {}
            for r in res.top(issue.id, top).to_dict("records"):
                sv = swing.get(r["input"]) if by is By.input else None
                t.add_row(r["input"], f"{r['ST']:.2f} ± {r['ST_conf']:.2f}",
                          f"{r['S1']:.2f} ± {r['S1_conf']:.2f}",
                          "-" if sv is None else f"{sv:.1f}")
            console.print(t)
            console.print(describe(res, issue.id))
        console.print("Read: ST is the share of the forecast's variance that an input takes part "
                      "in (alone or with others); S1 the share it explains alone. Inputs with ST "
                      "near 0 could be fixed without narrowing the forecast; intervals that "
                      "include 0 mean the effect is not distinguishable from noise at this N. "
                      "The swing is the forecast's change when that input alone goes from its "
                      "5% to its 95% quantile.")
        for note in res.notes:
            _err.print(f"note: {note}", markup=False)

    @app.command()
    def power(
        scenario: scenario_arg = DEFAULT_SCENARIO,
        model: model_opt = "median",
        draws: Annotated[int, typer.Option(help="Monte Carlo draws when there are more than 16 actors.")] = 20000,
        seed: Annotated[int, typer.Option(min=0, help="Random seed (only used beyond 16 actors).")] = 0,
        private: private_opt = False,
        output: fmt_opt = Output.table,
        out_file: out_opt = None,
        plot: plot_opt = None,
    ) -> None:
        """Pivotal actors: Shapley-Shubik and Banzhaf power per issue, and the forecast without each actor."""
        from realpolitik.uncertainty.leverage import removal_effects
        from realpolitik.uncertainty.power import power_indices

        sc = load_scenario(scenario)
        positions = "private" if private else "stated"
        pw = power_indices(sc, positions=positions, draws=draws, seed=seed)
        rm = removal_effects(sc, model, positions=positions, seed=seed)
        if plot is not None:
            from realpolitik.presentation.uncertainty_plots import power_plot

            _err.print(f"wrote {power_plot(pw, sc, plot)}")
        merged = pw.merge(rm[["actor", "issue", "forecast", "without", "change"]],
                          on=["actor", "issue"])
        if output is Output.json:
            _emit(json.dumps({"scenario": sc.id, "model": model, "power": _records(merged)},
                             indent=2), out_file)
            return
        if output is Output.csv:
            _emit(merged.to_csv(index=False, float_format="%.6g"), out_file)
            return
        console = _console(out_file)
        for issue in sc.issues:
            sub = merged[merged["issue"] == issue.id].sort_values("shapley_shubik", ascending=False)
            base = float(sub["forecast"].iloc[0])
            t = Table(title=f"{issue.name}: power in the capability x salience vote "
                            f"({sub['method'].iloc[0]}); {model} forecast {base:.1f}",
                      title_justify="left")
            for col in ("actor", "weight share", "Shapley-Shubik", "Banzhaf", "forecast without",
                        "change"):
                t.add_column(col, justify="right" if col != "actor" else "left")
            for r in sub.to_dict("records"):
                t.add_row(r["name"], f"{r['weight_share']:.1%}", f"{r['shapley_shubik']:.1%}",
                          f"{r['banzhaf']:.1%}", f"{r['without']:.1f}", f"{r['change']:+.1f}")
            console.print(t)
            console.print(_power_words(sub, issue))
        console.print("Read: Shapley-Shubik is the share of joining orders in which the actor turns "
                      "a losing coalition into a majority of the weight; Banzhaf the share of all "
                      "such swings that are the actor's. Power can differ from weight. 'forecast "
                      "without' reruns the model with the actor removed.")

    @app.command("best-move")
    def best_move_cmd(
        scenario: scenario_arg = DEFAULT_SCENARIO,
        actor: Annotated[str, typer.Option("--actor", "-a", help="The actor whose goal is sought (an actor id).")] = "",
        target_band: Annotated[str | None, typer.Option(help="Name of the outcome band to reach (default: the band of the actor's position).")] = None,
        issue: Annotated[str | None, typer.Option(help="The issue (needed when several issues have bands).")] = None,
        model: model_opt = "median",
        samples: Annotated[int, typer.Option("--samples", "-n", help="Aim for the median of N Monte Carlo samples (0: point forecast).")] = 0,
        seed: Annotated[int, typer.Option(min=0, help="Random seed of the samples.")] = 0,
        top: Annotated[int, typer.Option(help="Levers to list.")] = 10,
        private: private_opt = False,
        output: fmt_opt = Output.table,
        out_file: out_opt = None,
    ) -> None:
        """The smallest change of another actor (position, salience, capability lent) that brings the forecast into a target band."""
        from realpolitik.errors import RealpolitikError
        from realpolitik.uncertainty.leverage import best_move

        if not actor:
            raise RealpolitikError("name the actor with --actor (see `realpolitik show` for ids)")
        sc = load_scenario(scenario)
        res = best_move(sc, actor, model, issue=issue, target_band=target_band,
                        positions="private" if private else "stated", seed=seed, samples=samples)
        if output is Output.json:
            doc = {"scenario": sc.id, "model": model, "actor": res.actor, "issue": res.issue,
                   "target_band": res.target, "target_range": list(res.target_range),
                   "actor_position": res.actor_position, "baseline": res.baseline,
                   "samples": res.samples, "notes": res.notes, "levers": _records(res.frame)}
            _emit(json.dumps(doc, indent=2), out_file)
            return
        if output is Output.csv:
            _emit(res.frame.to_csv(index=False, float_format="%.6g"), out_file)
            return
        console = _console(out_file)
        what = "median forecast" if samples else "forecast"
        label = f"{model} model, median of {samples} samples" if samples else f"{model} model"
        console.print(f"[bold]{sc.title}[/bold]: best move for [bold]{actor}[/bold] on "
                      f"{res.issue} (its position {res.actor_position:.1f}); target band "
                      f"'{res.target}' [{res.target_range[0]:g}, {res.target_range[1]:g}]; "
                      f"forecast ({label}) now {res.baseline:.1f}")
        t = Table(title="Levers, smallest sufficient change first", title_justify="left")
        for col in ("lever", "via", "reaches target", "change needed", what + " then",
                    "at full strength"):
            t.add_column(col, overflow="fold")
        for r in res.frame.head(top).to_dict("records"):
            t.add_row(r["lever"], r["via"], "yes" if r["reaches"] else "no",
                      f"{r['change']:.2f} {r['unit']} ({r['strength']:.0%})" if r["reaches"] else "-",
                      f"{r['forecast_at']:.1f}" if r["reaches"] else "-",
                      f"{r['forecast_full']:.1f}")
        console.print(t)
        for note in res.notes:
            console.print(f"note: {note}")
        reached = res.reached
        if len(reached):
            best = reached.iloc[0]
            console.print(f"In words: the smallest single change that brings the {what} into "
                          f"'{res.target}' is: {best['description']}; the {what} then becomes "
                          f"{best['forecast_at']:.1f}. {len(reached)} of {len(res.frame)} "
                          "levers can do it alone.")
        else:
            best = res.frame.sort_values("gain_full", ascending=False).iloc[0]
            console.print(f"In words: no single lever brings the {what} into '{res.target}'. "
                          f"The strongest, {best['description']}, moves it to "
                          f"{best['forecast_full']:.1f}; combine levers or aim for a nearer band.")


def _power_words(sub: Any, issue: Any) -> str:
    first = sub.iloc[0]
    gap = sub.assign(gap=sub["shapley_shubik"] - sub["weight_share"]).sort_values("gap")
    most_change = sub.reindex(sub["change"].abs().sort_values(ascending=False).index).iloc[0]
    text = (f"On {issue.id}, {first['name']} is the most pivotal actor "
            f"({first['shapley_shubik']:.0%} Shapley-Shubik power with {first['weight_share']:.0%} "
            f"of the weight).")
    over = gap.iloc[-1]
    if over["gap"] > 0.01:
        text += (f" {over['name']} has more power than weight "
                 f"({over['shapley_shubik']:.0%} vs {over['weight_share']:.0%}).")
    if abs(most_change["change"]) > 0:
        text += (f" Removing {most_change['name']} moves the forecast most "
                 f"({most_change['change']:+.1f}).")
    else:
        text += " Removing any single actor leaves the forecast where it is."
    return text
