"""``realpolitik backtest DATASET``: score the collective models on past decisions."""

from __future__ import annotations

import csv
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from realpolitik.cli.app import app
from realpolitik.cli.options import QuietOpt, SeedOpt, err, out


class MissingStatusQuo(StrEnum):
    """What to do with issues whose status quo is unknown."""

    drop = "drop"
    midpoint = "midpoint"


class Capabilities(StrEnum):
    """Where the actors' capabilities come from."""

    equal = "equal"
    procedure = "procedure"


@app.command("backtest")
def backtest(
    dataset: Annotated[str, typer.Argument(
        help="A built-in data set (deu3) or a folder with issues.csv and actors.csv.")],
    models: Annotated[str, typer.Option(
        "--models", "-m",
        help="Comma-separated model names (default: every registered collective model).")] = "",
    out_file: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write per-issue forecasts and errors to this CSV file.")] = None,
    min_actors: Annotated[int, typer.Option(
        min=1, help="Score only issues on which at least this many actors take a position.")
    ] = 3,
    missing_status_quo: Annotated[MissingStatusQuo, typer.Option(
        help="Issues with no recorded status quo: drop them, or give them the scale's "
        "midpoint.")] = MissingStatusQuo.drop,
    capabilities: Annotated[Capabilities, typer.Option(
        help="equal: the data set's capabilities (1 for every DEU actor); procedure: Council "
        "votes of the treaty in force, the Parliament by procedure, the Commission as agenda "
        "setter (DEU data only; docs/validation.md).")] = Capabilities.equal,
    seed: SeedOpt = 0,
    bootstrap: Annotated[int, typer.Option(
        min=0, help="Bootstrap resamples for the 95% interval of each MAE (0: none).")] = 2000,
    quiet: QuietOpt = False,
) -> None:
    """Score every collective model on past decisions with known outcomes.

    Prints each model's mean absolute error (0-100 scale) with a bootstrap interval, the
    share of issues on which it beats the naive baselines (status quo; unweighted mean of
    positions), and figures reported elsewhere for the same data.
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from realpolitik.api.backtest import load_dataset, run_backtest, with_procedures
    from realpolitik.presentation.progress import show_progress
    from realpolitik.presentation.tables import print_backtest

    data = load_dataset(dataset)
    if capabilities is Capabilities.procedure:
        data = with_procedures(data)
    names = [m.strip() for m in models.split(",") if m.strip()]
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, transient=True,
                  disable=not show_progress(err, quiet=quiet)) as bar:
        task = bar.add_task("backtest", total=None)
        result = run_backtest(
            data,
            names or None,
            min_actors=min_actors,
            missing_status_quo=missing_status_quo.value,
            seed=seed,
            n_boot=bootstrap,
            progress=lambda name: bar.update(task, description=f"running {name}"),
        )
    print_backtest(result, out)
    if out_file is not None:
        write_csv(result.rows(), out_file)
        err.print(f"wrote {out_file}")


def write_csv(rows: list[dict[str, object]], path: Path) -> None:
    """Write per-issue rows to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=list(rows[0]) if rows else ["issue_id"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
