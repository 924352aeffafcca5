"""``realpolitik backtest DATASET``: score the collective models on past decisions."""

from __future__ import annotations

import csv
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from realpolitik.cli.app import app
from realpolitik.cli.options import QuietOpt, SeedOpt, err, out
from realpolitik.errors import RealpolitikError


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
    ctx: typer.Context,
    datasets: Annotated[list[str], typer.Argument(
        help="Built-in data sets (deu3, bdm1994) or folders with issues.csv and actors.csv; "
        "several are reported each and pooled.", metavar="DATASET")],
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
    cv: Annotated[int | None, typer.Option(
        "--cv", min=0, help="Cross-validate with K folds grouped by proposal: stacked ensemble "
        "weights, out-of-fold errors, calibrated bands (default: 10 with several data sets, "
        "off with one).")] = None,
    write_weights: Annotated[Path | None, typer.Option(
        "--write-weights", help="With --cv: write the fitted ensemble weights and band widths "
        "to this JSON file (the ensemble reads src/realpolitik/data/ensemble/weights.json).")
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Score every collective model on past decisions with known outcomes.

    Prints each model's mean absolute error (0-100 scale) with a bootstrap interval, the
    share of issues on which it beats the naive baselines (status quo; unweighted mean of
    positions), and figures reported elsewhere for the same data. With --cv (or several data
    sets): each data set and the pool, the stacked ensemble's out-of-fold error against the
    best member and the mean-position baseline, the learned weights and the measured coverage
    of the calibrated 80 % and 90 % bands on held-out folds.
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from realpolitik.api.backtest import load_dataset, run_backtest, with_procedures
    from realpolitik.presentation.progress import show_progress
    from realpolitik.presentation.tables import print_backtest

    loaded = [load_dataset(d) for d in datasets]
    if capabilities is Capabilities.procedure:
        loaded = [with_procedures(d) for d in loaded]
    names = [m.strip() for m in models.split(",") if m.strip()]
    folds = cv if cv is not None else (10 if len(loaded) > 1 else 0)
    if folds == 1:
        raise RealpolitikError("--cv needs at least 2 folds (0: no cross-validation)")
    if write_weights is not None and folds == 0:
        raise RealpolitikError("--write-weights needs cross-validation: add --cv 10")
    if folds:
        _crossval(loaded, names, folds, min_actors=min_actors,
                  missing_status_quo=missing_status_quo.value, seed=seed, bootstrap=bootstrap,
                  out_file=out_file, write_weights=write_weights, quiet=quiet,
                  command=invoked_command(ctx))
        return
    data = loaded[0]
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


def _crossval(loaded: list, names: list[str], folds: int, *, min_actors: int,
              missing_status_quo: str, seed: int, bootstrap: int, out_file: Path | None,
              write_weights: Path | None, quiet: bool, command: str) -> None:
    """The cross-validated backtest of several data sets (``--cv``)."""
    import datetime
    import json

    from realpolitik.api.backtest import run_crossval, weights_document
    from realpolitik.presentation.backtest_cv import crossval_rows, print_crossval
    from realpolitik.presentation.progress import ProgressBar

    with ProgressBar(quiet=quiet) as bar:
        result = run_crossval(loaded, names or None, folds=folds, min_actors=min_actors,
                              missing_status_quo=missing_status_quo, seed=seed, n_boot=bootstrap,
                              progress=bar)
    print_crossval(result, out)
    if out_file is not None:
        write_csv(crossval_rows(result), out_file)
        err.print(f"wrote {out_file}")
    if write_weights is not None:
        doc = weights_document(result, command=command,
                               date=datetime.datetime.now(datetime.UTC).date().isoformat())
        write_weights.parent.mkdir(parents=True, exist_ok=True)
        write_weights.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        err.print(f"wrote {write_weights}")


def invoked_command(ctx: typer.Context) -> str:
    """The ``realpolitik backtest ...`` command line of this call, rebuilt from its parameters.

    Every option whose value differs from its default is written out (in declaration order), so
    options added later are recorded without listing them here.
    """
    import shlex

    words = ["realpolitik", ctx.info_name or "backtest"]
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if param.param_type_name == "argument":
            words.extend(str(v) for v in (value or ()))
            continue
        if value is None or value == param.default or not param.opts:
            continue
        flag = max(param.opts, key=len)
        if isinstance(value, bool):
            if value and getattr(param, "is_flag", False):
                words.append(flag)
            continue
        words.extend([flag, str(getattr(value, "value", value))])
    return shlex.join(words)
