"""Scenario and catalogue commands.

``validate``, ``scenarios``, ``models``, ``show``, ``schema``, ``import-csv`` and ``version``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
import yaml

from realpolitik.api.models import list_models
from realpolitik.api.scenario import (
    DEFAULT_SCENARIO,
    Scenario,
    builtin_names,
    degenerate_inputs,
    load_scenario,
    parse_scenario,
    read_ktab_csv,
    unsourced_inputs,
)
from realpolitik.api.schema import forecast_schema
from realpolitik.cli.app import app
from realpolitik.cli.options import ScenarioArg, err, out
from realpolitik.errors import RealpolitikError
from realpolitik.presentation.tables import models_table, print_scenario, scenarios_table
from realpolitik.version import __version__


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
        for text in (*degenerate_inputs(sc), *unsourced_inputs(sc)):
            err.print(f"warning: {name}: {text}", markup=False)
    if failed:
        raise typer.Exit(2)


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    out.print(scenarios_table((name, load_scenario(name)) for name in builtin_names()))


@app.command()
def models() -> None:
    """List the registered models with their references and properties."""
    out.print(models_table(list_models()))


@app.command()
def show(scenario: ScenarioArg = DEFAULT_SCENARIO) -> None:
    """Print a scenario: issues, actors, relations, timeline and sources."""
    print_scenario(load_scenario(scenario), out)


@app.command()
def schema(
    output: Annotated[str, typer.Option("--output", help="`scenario` (input) or `forecast` (JSON output).")] = "scenario",
) -> None:
    """Print the JSON Schema of the scenario format (or of `forecast --format json`)."""
    if output == "scenario":
        doc = Scenario.model_json_schema(by_alias=True)
        doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    elif output == "forecast":
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
    notes: list[str] = []
    data = read_ktab_csv(file, status_quo=status_quo, notes=notes)
    for note in notes:
        err.print(f"note: {note}", markup=False)
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
