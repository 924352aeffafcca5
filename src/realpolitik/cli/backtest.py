"""``realpolitik backtest DATASET``: score the collective models on past decisions."""

from __future__ import annotations

import csv
import math
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from realpolitik.backtest.scoring import BacktestResult


class MissingStatusQuo(StrEnum):
    """What to do with issues whose status quo is unknown."""

    drop = "drop"
    midpoint = "midpoint"


def register(app: typer.Typer) -> None:
    """Add the ``backtest`` command to ``app``."""

    @app.command("backtest")
    def backtest(
        dataset: Annotated[
            str,
            typer.Argument(
                help="A built-in data set (deu3) or a folder with issues.csv and actors.csv."
            ),
        ],
        models: Annotated[
            str,
            typer.Option(
                "--models",
                "-m",
                help="Comma-separated model names (default: every registered collective model).",
            ),
        ] = "",
        out_file: Annotated[
            Path | None,
            typer.Option(
                "--out", "-o", help="Write per-issue forecasts and errors to this CSV file."
            ),
        ] = None,
        min_actors: Annotated[
            int,
            typer.Option(
                help="Score only issues on which at least this many actors take a position."
            ),
        ] = 3,
        missing_status_quo: Annotated[
            MissingStatusQuo,
            typer.Option(
                help="Issues with no recorded status quo: drop them, or give them the scale's "
                "midpoint."
            ),
        ] = MissingStatusQuo.drop,
        seed: Annotated[
            int, typer.Option(min=0, help="Seed for stochastic models and the bootstrap intervals.")
        ] = 0,
        bootstrap: Annotated[
            int,
            typer.Option(help="Bootstrap resamples for the 95% interval of each MAE (0: none)."),
        ] = 2000,
    ) -> None:
        """Score every collective model on past decisions with known outcomes.

        Prints each model's mean absolute error (0-100 scale) with a bootstrap interval, the
        share of issues on which it beats the naive baselines (status quo; unweighted mean of
        positions), and figures reported elsewhere for the same data.
        """
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from realpolitik.backtest.dataset import load_dataset
        from realpolitik.backtest.scoring import run_backtest

        out = Console(highlight=False, width=120)
        err = Console(stderr=True, highlight=False)
        data = load_dataset(dataset)
        names = [m.strip() for m in models.split(",") if m.strip()]
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
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
        print_result(result, out)
        if out_file is not None:
            write_csv(result.rows(), out_file)
            err.print(f"wrote {out_file}")


def print_result(result: BacktestResult, out: Console) -> None:
    """Print the summary table and the reference figures of a backtest."""
    from rich.table import Table

    sel = result.selection
    data = result.dataset
    lines = [
        f"[bold]Backtest on {data.name}[/bold]: {len(sel.issues)} of {len(data.issues)} "
        "issues scored"
    ]
    if sel.too_few_actors:
        lines.append(f"  {len(sel.too_few_actors)} left out: too few actors")
    if sel.no_status_quo:
        lines.append(
            f"  {len(sel.no_status_quo)} left out: no recorded status quo "
            "(--missing-status-quo midpoint keeps them)"
        )
    if sel.filled_status_quo:
        lines.append(f"  {len(sel.filled_status_quo)} given the scale's midpoint as status quo")
    for line in lines:
        out.print(line)

    model_maes = [s.mae for s in result.summaries if s.kind == "model"]
    best = min(model_maes) if model_maes else None
    table = Table(title="Absolute error on a 0-100 scale (lower is better)")
    table.add_column("method")
    table.add_column("kind")
    for col in ("n", "MAE", "95% interval", "median", "beats status quo", "beats mean position"):
        table.add_column(col, justify="right")
    for s in result.summaries:
        mae = f"{s.mae:.2f}"
        if s.kind == "model" and best is not None and s.mae == best:
            mae = f"[bold]{mae}[/bold]"
        interval = "" if math.isnan(s.mae_low) else f"{s.mae_low:.1f}-{s.mae_high:.1f}"
        beats_sq = "" if s.method == "status-quo" else f"{100 * s.beats_status_quo:.0f}%"
        beats_mean = "" if s.method == "mean-position" else f"{100 * s.beats_mean_position:.0f}%"
        table.add_row(
            s.method, s.kind, str(s.n), mae, interval, f"{s.median_ae:.1f}", beats_sq, beats_mean
        )
    out.print(table)
    out.print("beats = strictly smaller error on the issue; ties count as not beating.")

    if data.published:
        ref = Table(title=f"Figures reported elsewhere for {data.name}")
        ref.add_column("method")
        for col in ("their MAE", "their n", "our MAE", "our n"):
            ref.add_column(col, justify="right")
        ref.add_column("source")
        ours = {s.method: s for s in result.summaries}
        for p in data.published:
            mine = ours.get(p.method)
            ref.add_row(
                p.method,
                f"{p.mae:.2f}",
                "" if p.n_issues is None else str(p.n_issues),
                "" if mine is None else f"{mine.mae:.2f}",
                "" if mine is None else str(mine.n),
                p.source + (f" ({p.note})" if p.note else ""),
            )
        out.print(ref)
        out.print(
            "Different issue selections give different errors; compare like with like "
            "(see docs/validation.md)."
        )


def write_csv(rows: list[dict[str, object]], path: Path) -> None:
    """Write per-issue rows to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=list(rows[0]) if rows else ["issue_id"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
