"""``realpolitik sweep SPEC.yaml``: run a sweep on Dask, resumable, results in Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

_err = Console(stderr=True, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``sweep`` to the main app."""

    @app.command()
    def sweep(
        spec_file: Annotated[Path, typer.Argument(metavar="SPEC", help="The sweep spec (YAML or JSON).")],
        scheduler: Annotated[str | None, typer.Option(help="Address of a running Dask scheduler (default: start a local cluster).")] = None,
        workers: Annotated[int, typer.Option(help="Workers of the local cluster (0: run in this process, no Dask).")] = 2,
        out: Annotated[Path | None, typer.Option("--out", "-o", help="Results folder (default: sweeps/NAME).")] = None,
    ) -> None:
        """Run a grid or sampled design over scenarios, models and inputs; rerun to resume."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from realpolitik.errors import RealpolitikError
        from realpolitik.sweep.run import run_sweep, summarise
        from realpolitik.sweep.spec import load_spec

        spec = load_spec(spec_file)
        if workers < 0:
            raise RealpolitikError(f"--workers must be 0 or more, got {workers}")
        folder = out or Path("sweeps") / spec.name
        bar = Progress(TextColumn("sweep {task.description}"), BarColumn(), MofNCompleteColumn(),
                       console=_err, transient=True)
        task = bar.add_task(spec.name, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            with bar:
                counts = run_sweep(spec, folder, workers=workers, scheduler=scheduler,
                                   progress=advance)
        except KeyboardInterrupt:
            _err.print(f"interrupted: finished chunks are saved in {folder}; run the same "
                       "command again to resume")
            raise typer.Exit(130) from None
        _err.print(f"{counts['total']} chunks: {counts['skipped']} already done, "
                   f"{counts['ran']} run now; results in {folder}")
        summary = summarise(folder)
        t = Table(title=f"Sweep {spec.name}: forecast per design point (median [5%-95%])",
                  title_justify="left")
        for col in ("point", "scenario", "model", "inputs", "params", "issue", "forecast"):
            t.add_column(col, overflow="fold")
        for r in summary.head(60).to_dict("records"):
            t.add_row(str(r["point"]), r["scenario"], r["model"], r["overrides"], r["params"],
                      r["issue"], f"{r['median']:.1f} [{r['p05']:.1f}-{r['p95']:.1f}]")
        Console(highlight=False, width=120).print(t)
        if len(summary) > 60:
            _err.print(f"(first 60 of {len(summary)} rows; all results: {folder}/*.parquet)")
