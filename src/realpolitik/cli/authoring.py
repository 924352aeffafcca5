"""Authoring commands: start a scenario without writing YAML by hand.

``new`` writes a commented starter scenario; ``export-xlsx`` and ``import-xlsx`` move a scenario
to and from a spreadsheet (one sheet per part), for analysts who collect numbers in workbooks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from realpolitik.api.scenario import (
    dump_yaml,
    load_scenario,
    parse_scenario,
    read_workbook,
    template_text,
    workbook_bytes,
)
from realpolitik.cli.app import app
from realpolitik.cli.options import ScenarioArg, out
from realpolitik.errors import RealpolitikError


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RealpolitikError(f"--as-of must be a date YYYY-MM-DD, got {text!r}") from None


def _refuse_overwrite(target: Path, force: bool) -> None:
    if target.exists() and not force:
        raise RealpolitikError(f"{target} exists; choose another --out or pass --force to replace it")


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="The new scenario's id (also its file name).")],
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: NAME.yaml).")] = None,
    as_of: Annotated[str | None, typer.Option(help="The scenario's as_of date (YYYY-MM-DD; default today).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write a small starter scenario (two actors, one issue), every field explained."""
    text = template_text(name, _date(as_of))
    target = out_file or Path(f"{name}.yaml")
    _refuse_overwrite(target, force)
    parse_scenario(text, str(target))
    target.write_text(text, encoding="utf-8")
    out.print(f"wrote {target}: 2 actors, 1 issue, placeholder values; edit it, then "
              f"`realpolitik validate {target}` lists what is still unsourced")


@app.command("export-xlsx")
def export_xlsx(
    scenario: ScenarioArg,
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Workbook to write (default: the scenario's id with .xlsx).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write a scenario as an .xlsx workbook: one sheet per part, every input with its source."""
    sc = load_scenario(scenario)
    target = out_file or Path(f"{sc.id}.xlsx")
    _refuse_overwrite(target, force)
    target.write_bytes(workbook_bytes(sc))
    out.print(f"wrote {target} ({len(sc.actors)} actors, {len(sc.issues)} issues)")


@app.command("import-xlsx")
def import_xlsx(
    file: Annotated[Path, typer.Argument(help="An .xlsx workbook (as export-xlsx writes it).")],
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="YAML file to write (default: FILE with .yaml).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Read a scenario workbook into a validated scenario YAML; problems name sheet and cell."""
    if not file.is_file():
        raise RealpolitikError(f"{file}: no such file")
    sc, data = read_workbook(file.read_bytes(), str(file))
    target = out_file or file.with_suffix(".yaml")
    _refuse_overwrite(target, force)
    target.write_text(dump_yaml(data), encoding="utf-8")
    out.print(f"wrote {target} ({sc.id}: {len(sc.actors)} actors, {len(sc.issues)} issues)")
