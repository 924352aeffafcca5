"""``realpolitik sweep SPEC.yaml``: run a sweep on Dask, resumable, results in Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from realpolitik.cli.app import app
from realpolitik.cli.options import err, out


@app.command()
def sweep(
    spec_file: Annotated[Path, typer.Argument(metavar="SPEC", help="The sweep spec (YAML or JSON).")],
    scheduler: Annotated[str | None, typer.Option(help="Address of a running Dask scheduler (default: none; see --workers).")] = None,
    workers: Annotated[int, typer.Option(min=0, help="Worker processes of a local Dask cluster (0: run in this process without Dask, the fastest on one machine).")] = 0,
    watchdog: Annotated[float, typer.Option(min=0, help="Report a chunk that made no progress for this many seconds (0: never).")] = 300.0,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Results folder (default: sweeps/NAME).")] = None,
    max_forecasts: Annotated[int | None, typer.Option(min=1, help="Refuse a sweep of more forecasts (design points x samples) than this [default: 100,000,000].")] = None,
) -> None:
    """Run a grid or sampled design over scenarios, models and inputs; rerun to resume."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from realpolitik.api.sweep import DEFAULT_MAX_FORECASTS, load_spec, run_sweep, summarise
    from realpolitik.presentation.tables import SWEEP_ROWS, sweep_table

    spec = load_spec(spec_file)
    folder = out_dir or Path("sweeps") / spec.name
    bar = Progress(TextColumn("sweep {task.description}"), BarColumn(), MofNCompleteColumn(),
                   console=err, transient=True)
    task = bar.add_task(spec.name, total=None)

    def advance(_stage: str, done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    try:
        with bar:
            counts = run_sweep(spec, folder, workers=workers, scheduler=scheduler,
                               progress=advance, notify=lambda m: err.print(m, markup=False),
                               watchdog=watchdog or None,
                               max_forecasts=max_forecasts or DEFAULT_MAX_FORECASTS)
    except KeyboardInterrupt:
        err.print(f"interrupted: finished chunks are saved in {folder}; run the same "
                  "command again to resume")
        raise typer.Exit(130) from None
    err.print(f"{counts['total']} chunks: {counts['skipped']} already done, "
              f"{counts['ran']} run now; results in {folder}")
    summary = summarise(folder)
    out.print(sweep_table(summary, spec.name))
    if len(summary) > SWEEP_ROWS:
        err.print(f"(first {SWEEP_ROWS} of {len(summary)} rows; all results: {folder}/*.parquet)")
