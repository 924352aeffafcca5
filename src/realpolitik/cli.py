"""The command line: ``realpolitik forecast``, ``validate``, ``show``, ``scenarios``, ``models``, ...

Subsystems add their commands from their own modules (each with ``register(app)``), listed in
:data:`EXTENSIONS`. User errors print a message and exit with code 2, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from importlib import import_module
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
import yaml
from rich.console import Console
from rich.table import Table

from realpolitik import __version__
from realpolitik.errors import RealpolitikError
from realpolitik.scenario.loader import DEFAULT_SCENARIO, builtin_names, load_scenario

app = typer.Typer(
    name="realpolitik",
    help="Turn a political conflict into a runnable model and forecast it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Modules that add commands to :data:`app` through their ``register(app)`` function.
EXTENSIONS: tuple[str, ...] = ("realpolitik.deal.cli", "realpolitik.dynamics.cli",
                               "realpolitik.report.cli", "realpolitik.dashboard.cli",
                               "realpolitik.uncertainty.cli", "realpolitik.sweep.cli",
                               "realpolitik.backtest.cli")

out = Console(highlight=False, soft_wrap=False, width=120)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ScenarioArg = Annotated[
    str,
    typer.Argument(help="A built-in scenario name (see `realpolitik scenarios`) or a YAML/JSON file."),
]


class Format(StrEnum):
    """Output formats of tabular commands."""

    table = "table"
    json = "json"
    csv = "csv"


def emit(text: str, out_file: Path | None) -> None:
    """Write ``text`` to ``out_file`` (or standard output)."""
    if out_file is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        err.print(f"wrote {out_file}")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def fmt(x: float, digits: int = 1) -> str:
    """A number for a table."""
    return f"{x:.{digits}f}"


# ------------------------------------------------------------------------------------------
@app.command()
def forecast(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    model: Annotated[str, typer.Option("--model", "-m", help="A model name (see `realpolitik models`).")] = "",
    seed: Annotated[int, typer.Option(
        min=0, help="Random seed (the same seed gives the same output).")] = 0,
    private: Annotated[bool, typer.Option("--private", help="Use actors' private positions where known.")] = False,
    trace: Annotated[bool, typer.Option("--trace", help="Print the model's round-by-round trace.")] = False,
    output: Annotated[Format, typer.Option("--format", "-f", help="table, json or csv.")] = Format.table,
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
    samples: Annotated[int | None, typer.Option("--samples", "-n", help="Also forecast N Monte Carlo samples of the uncertain inputs.")] = None,
    backend: Annotated[str, typer.Option(help="Array backend: numpy or torch.")] = "numpy",
    device: Annotated[str | None, typer.Option(help="Device of the torch backend: cpu or cuda.")] = None,
    workers: Annotated[int, typer.Option(help="Threads for the Monte Carlo chunks.")] = 1,
    plot: Annotated[Path | None, typer.Option(help="With --samples: plot the distribution to a .png or .html file.")] = None,
) -> None:
    """Forecast where the bargaining settles on each issue of a scenario."""
    from realpolitik.api import forecast as run_forecast
    from realpolitik.models.registry import DEFAULT_MODEL, DEFAULT_SAMPLING_MODEL, get_model
    from realpolitik.presentation.traces import print_trace, trace_dicts

    if not model and samples is not None:
        model = DEFAULT_SAMPLING_MODEL
        err.print(f"note: Monte Carlo runs the {model!r} model unless --model names another")
    spec = get_model(model or DEFAULT_MODEL)
    if plot is not None and samples is None:
        raise RealpolitikError("--plot draws the Monte Carlo distribution: add --samples N")
    if trace and not spec.supports_trace:
        raise RealpolitikError(f"model {spec.name!r} has no trace; models with one: "
                               + ", ".join(s.name for s in _models() if s.supports_trace))
    result = run_forecast(scenario, spec.name, seed=seed,
                          positions="private" if private else "stated", trace=trace,
                          samples=samples, backend=backend, device=device, workers=workers,
                          progress=samples is not None)
    if result.sampled is not None:
        from realpolitik.uncertainty.cli import after_forecast

        after_forecast(result, plot, quiet=output is not Format.table)
    if output is Format.json:
        doc = forecast_json(result)
        if result.sampled is not None:
            doc["distribution"] = result.sampled.to_json()
        if trace:
            records = result.outcome.trace
            doc["trace"] = None if records is None else trace_dicts(records, result.inputs)
        emit(json.dumps(doc, indent=2, sort_keys=False, default=float), out_file)
        return
    if output is Format.csv:
        emit(result.to_frame().to_csv(index=False, float_format="%.6g"), out_file)
        return
    console = out if out_file is None else Console(file=out_file.open("w"), width=120)
    print_forecast(result, console)
    if result.sampled is not None:
        from realpolitik.uncertainty.cli import print_distribution

        print_distribution(result.sampled, console)
    if trace and result.outcome.trace:
        print_trace(result.outcome.trace, result.inputs, console)


def _models() -> list[Any]:
    from realpolitik.models.registry import list_models

    return list_models()


def forecast_json(result: Any) -> dict[str, Any]:
    """The documented JSON form of a forecast (schema: ``realpolitik schema --output forecast``)."""
    sc = result.scenario
    issues = []
    for issue, row in zip(sc.issues, result.issue_rows(), strict=True):
        issues.append({
            "id": issue.id,
            "name": issue.name,
            "scale": list(issue.scale),
            "status_quo": round(float(row["status_quo"]), 6),
            "forecast": round(float(row["forecast"]), 6),
            "change": round(float(row["change"]), 6),
            "band": row["band"],
            "nearest_anchor": row["nearest_anchor"],
        })
    actors = []
    for row in result.actor_rows():
        actors.append({
            "id": row["actor"],
            "name": row["name"],
            "kind": row["kind"],
            "capability": round(row["capability"], 6),
            "positions": {i: round(row[f"position[{i}]"], 6) for i in sc.issue_ids},
            "salience": {i: round(row[f"salience[{i}]"], 6) for i in sc.issue_ids},
        })
    rounds = result.outcome.rounds
    extra: dict[str, Any] = {}
    if result.model == "ensemble":
        from realpolitik.models.ensemble import member_names

        extra["members"] = {
            name: {iid: round(float(v), 6) for iid, v in
                   zip(sc.issue_ids, np.asarray(result.outcome.extra[name])[0], strict=True)}
            for name in member_names(result.outcome)
        }
    return {
        "realpolitik": __version__,
        "scenario": {"id": sc.id, "title": sc.title, "as_of": sc.as_of.isoformat()},
        "model": result.model,
        "seed": result.seed,
        "positions": result.positions,
        "rounds": None if rounds is None else int(rounds[0]),
        "issues": issues,
        "actors": actors,
        **extra,
    }


def print_forecast(result: Any, console: Console) -> None:
    """The forecast table, then each actor's inputs."""
    sc = result.scenario
    console.print(f"[bold]{sc.title}[/bold]  ({sc.id}, as of {sc.as_of.isoformat()})")
    console.print(f"model: [bold]{result.model}[/bold]  seed: {result.seed}  "
                  f"positions: {result.positions}")
    table = Table(title="Forecast per issue", title_justify="left")
    for col in ("issue", "scale", "status quo", "forecast", "change", "outcome band", "nearest anchor"):
        table.add_column(col, overflow="fold")
    for issue, row in zip(sc.issues, result.issue_rows(), strict=True):
        table.add_row(
            issue.name,
            f"{issue.scale[0]:g}-{issue.scale[1]:g}",
            fmt(row["status_quo"]),
            f"[bold]{fmt(row['forecast'])}[/bold]",
            f"{row['change']:+.1f}",
            row["band"] or "-",
            _clip(row["nearest_anchor"] or "-", 48),
        )
    console.print(table)
    actors = Table(title="Actors' inputs (point values: position / salience per issue)",
                   title_justify="left")
    actors.add_column("actor")
    actors.add_column("name", overflow="ellipsis", no_wrap=True, max_width=36)
    actors.add_column("capability", justify="right")
    for iid in sc.issue_ids:
        actors.add_column(iid, justify="right")
    for row in result.actor_rows():
        cells = [row["actor"], row["name"], fmt(row["capability"])]
        for iid in sc.issue_ids:
            cells.append(f"{fmt(row[f'position[{iid}]'])} / {fmt(row[f'salience[{iid}]'], 2)}")
        actors.add_row(*cells)
    console.print(actors)
    if result.outcome.rounds is not None:
        console.print(f"rounds until positions settled: {int(result.outcome.rounds[0])}")
    if result.model == "ensemble":
        from realpolitik.presentation.traces import ensemble_table

        console.print(ensemble_table(result.outcome, sc.issue_ids))


# ------------------------------------------------------------------------------------------
@app.command()
def validate(
    files: Annotated[list[str], typer.Argument(help="Scenario files (or built-in names) to check.")],
) -> None:
    """Check scenario files; list every problem (file, line, field, value). Exit 2 if any."""
    failed = 0
    for name in files:
        try:
            sc = load_scenario(name)
        except RealpolitikError as exc:
            failed += 1
            err.print(str(exc), markup=False)
            continue
        out.print(f"{name}: OK ({sc.id}: {len(sc.actors)} actors, {len(sc.issues)} issues, "
                  f"{len(sc.relations)} relations)")
    if failed:
        raise typer.Exit(2)


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    table = Table(title="Built-in scenarios", title_justify="left")
    for col in ("name", "title", "as of", "actors", "issues"):
        table.add_column(col)
    for name in builtin_names():
        sc = load_scenario(name)
        table.add_row(name, sc.title, sc.as_of.isoformat(), str(len(sc.actors)), str(len(sc.issues)))
    out.print(table)


@app.command()
def models() -> None:
    """List the registered models with their references and properties."""
    table = Table(title="Models", title_justify="left")
    for col in ("name", "title", "reference", "properties"):
        table.add_column(col, overflow="fold")
    for spec in _models():
        props = [
            "stochastic" if spec.stochastic else "deterministic",
            "iterative" if spec.iterative else "closed form",
            f"cost {spec.cost}",
        ]
        if spec.supports_trace:
            props.append("--trace")
        table.add_row(spec.name, spec.title, spec.reference, ", ".join(props))
    out.print(table)


@app.command()
def show(scenario: ScenarioArg = DEFAULT_SCENARIO) -> None:
    """Print a scenario: issues, actors, relations, timeline and sources."""
    sc = load_scenario(scenario)
    out.print(f"[bold]{sc.title}[/bold]  ({sc.id}, as of {sc.as_of.isoformat()})")
    if sc.description:
        out.print(sc.description.strip())
    for issue in sc.issues:
        t = Table(title=f"Issue {issue.id}: {issue.name} (scale {issue.scale[0]:g}-{issue.scale[1]:g}, "
                        f"status quo {issue.status_quo.point:g})", title_justify="left")
        t.add_column("value", justify="right")
        t.add_column("meaning", overflow="fold")
        for a in sorted(issue.anchors, key=lambda a: a.value):
            t.add_row(f"{a.value:g}", a.label)
        for b in issue.bands:
            t.add_row(f"{b.low:g}-{b.high:g}", f"band: {b.name}")
        out.print(t)
    t = Table(title="Actors", title_justify="left")
    t.add_column("id")
    t.add_column("name", overflow="fold")
    t.add_column("kind")
    t.add_column("capability", justify="right")
    for iid in sc.issue_ids:
        t.add_column(f"{iid} (salience)", justify="right")
    for a in sc.actors:
        cells = [a.id, a.name, a.kind, _fmt_value(a.capability)]
        for iid in sc.issue_ids:
            cell = f"{_fmt_value(a.positions[iid])} ({a.salience[iid].point:.2f})"
            if iid in a.private_positions:
                cell += f"\nprivate {_fmt_value(a.private_positions[iid])}"
            cells.append(cell)
        t.add_row(*cells)
    out.print(t)
    if sc.relations:
        t = Table(title="Relations", title_justify="left")
        for col in ("from", "kind", "to", "weight"):
            t.add_column(col)
        for r in sc.relations:
            t.add_row(r.source_actor, r.kind, r.target_actor, _fmt_value(r.weight))
        out.print(t)
    if sc.timeline:
        t = Table(title="Timeline", title_justify="left")
        for col in ("date", "series", "value", "event", "source"):
            t.add_column(col, overflow="fold")
        for e in sorted(sc.timeline, key=lambda e: e.date):
            t.add_row(e.date.isoformat(), e.series, "" if e.value is None else f"{e.value:,.0f}",
                      e.label, e.source.id + (f" ({e.source.at})" if e.source.at else ""))
        out.print(t)
    sections = []
    if sc.correlations:
        sections.append(f"correlations: {len(sc.correlations)} rank correlations between inputs "
                        "(used by --samples)")
    if sc.dynamics is not None:
        dyn = sc.dynamics
        sections.append(
            f"dynamics: {len(dyn.variables)} state variables, {len(dyn.links)} causal links, "
            f"options {', '.join(o.id for o in dyn.options) or 'none'} "
            f"(`realpolitik simulate`)")
    if sc.deal is not None:
        deal = sc.deal
        sections.append(
            f"deal: {' and '.join(deal.parties)} over {', '.join(i.id for i in deal.issues)} "
            f"(`realpolitik deal`)")
    for line in sections:
        out.print(line)
    if sc.sources:
        t = Table(title=f"Sources ({len(sc.sources)})", title_justify="left")
        for col in ("id", "date", "citation"):
            t.add_column(col, overflow="fold")
        for src in sc.sources:
            t.add_row(src.id, src.date.isoformat() if src.date else "-", src.citation)
        out.print(t)


def _fmt_value(v: Any) -> str:
    if v.distribution is None:
        return f"{v.point:g}"
    return f"{v.point:g} [{v.distribution.low:g}-{v.distribution.high:g}]"


@app.command()
def schema(
    output: Annotated[str, typer.Option("--output", help="`scenario` (input) or `forecast` (JSON output).")] = "scenario",
) -> None:
    """Print the JSON Schema of the scenario format (or of `forecast --format json`)."""
    if output == "scenario":
        from realpolitik.scenario.schema import Scenario

        doc = Scenario.model_json_schema(by_alias=True)
        doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    elif output == "forecast":
        from realpolitik.report_schema import forecast_schema

        doc = forecast_schema()
    else:
        raise RealpolitikError(f"unknown schema {output!r}; use `scenario` or `forecast`")
    sys.stdout.write(json.dumps(doc, indent=2) + "\n")


@app.command("import-csv")
def import_csv(
    file: Annotated[Path, typer.Argument(help="A KTAB-style CSV scenario.")],
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="YAML file to write (default: FILE with .yaml).")] = None,
    status_quo: Annotated[float | None, typer.Option(help="Status quo of every dimension (default: weighted mean of positions).")] = None,
    as_of: Annotated[str | None, typer.Option(help="The scenario's as_of date (YYYY-MM-DD; default today).")] = None,
) -> None:
    """Convert a KTAB-style CSV scenario into a realpolitik scenario YAML (validated)."""
    from realpolitik.scenario.ktab_csv import read_ktab_csv
    from realpolitik.scenario.loader import parse_scenario

    data = read_ktab_csv(file, status_quo=status_quo)
    try:
        data["as_of"] = dt.date.fromisoformat(as_of).isoformat() if as_of else dt.date.today().isoformat()
    except ValueError:
        raise RealpolitikError(f"--as-of must be a date YYYY-MM-DD, got {as_of!r}") from None
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    target = out_file or file.with_suffix(".yaml")
    parse_scenario(text, str(target))
    target.write_text(text, encoding="utf-8")
    out.print(f"wrote {target} ({len(data['actors'])} actors, {len(data['issues'])} issues)")


@app.command()
def version() -> None:
    """Print the version."""
    out.print(__version__)


for _module in EXTENSIONS:
    import_module(_module).register(app)


def main(args: list[str] | None = None) -> None:
    """Entry point: run the app on ``args`` (default: sys.argv); user errors exit 2 with a message."""
    try:
        code = app(args=args, standalone_mode=False, prog_name="realpolitik")
    except RealpolitikError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except OSError as exc:  # a file or folder the user named cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        err.print(f"error: {where}{exc.strerror or exc}", markup=False)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, EOFError):
        sys.exit(1)
    except Exception as exc:
        if isinstance(exc, _click_errors()):
            exc.show()  # usage errors: a message, exit code 2, no traceback
            sys.exit(exc.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)


def _click_errors() -> tuple[type[Exception], ...]:
    """Click's usage-error classes: typer >= 0.29 vendors its own copy of click."""
    import click

    types: list[type[Exception]] = [click.ClickException]
    try:
        from typer._click.exceptions import ClickException as VendoredClickException
    except ImportError:  # older typer uses click itself
        pass
    else:
        types.append(VendoredClickException)
    return tuple(types)
