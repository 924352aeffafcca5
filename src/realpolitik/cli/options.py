"""What the commands share: the consoles, writing output, and the typed options declared once.

A command declares a parameter with one of the aliases below (``seed: SeedOpt = 0``) so that the
flag, its short form, its range and its help read the same in every command. Options whose help
depends on the command (``--samples``, ``--model``) are built by a small function here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from realpolitik.api.scenario import DEFAULT_SCENARIO, PositionKind

__all__ = ["DEFAULT_SCENARIO"]

#: Standard output (tables and text) and standard error (notes, warnings, progress).
out = Console(highlight=False, soft_wrap=False, width=120)
err = Console(stderr=True, highlight=False, soft_wrap=True)

#: ``--quiet``: no progress bars (they are drawn only on a terminal anyway).
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Draw no progress bar on stderr "
                                        "(none is drawn when stderr is not a terminal).")]


class Format(StrEnum):
    """Output formats of tabular commands."""

    table = "table"
    json = "json"
    csv = "csv"


def emit(text: str, out_file: Path | None) -> None:
    """Write ``text`` to ``out_file`` (or standard output), ending in one newline."""
    if out_file is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        err.print(f"wrote {out_file}")


@contextmanager
def console_for(out_file: Path | None) -> Iterator[Console]:
    """A console on standard output, or on ``out_file`` (width 120, no highlighting)."""
    if out_file is None:
        yield out
        return
    out_file.parent.mkdir(parents=True, exist_ok=True)
    with out_file.open("w", encoding="utf-8") as fh:
        yield Console(file=fh, width=120, highlight=False)


def positions(private: bool) -> PositionKind:
    """The positions a ``--private`` flag asks for."""
    return "private" if private else "stated"


def samples_option(help: str, *, min: int = 1, max: int | None = None) -> Any:
    """``--samples``/``-n`` with the command's own help and range."""
    return typer.Option("--samples", "-n", min=min, max=max, help=help)


def model_option(help: str = "A model name (see `realpolitik models`).") -> Any:
    """``--model``/``-m`` with the command's own help."""
    return typer.Option("--model", "-m", help=help)


ScenarioArg = Annotated[str, typer.Argument(
    help="A built-in scenario name (see `realpolitik scenarios`) or a YAML/JSON file.")]
SeedOpt = Annotated[int, typer.Option(
    min=0, help="Random seed (the same seed gives the same output).")]
ModelOpt = Annotated[str, model_option()]
PrivateOpt = Annotated[bool, typer.Option(
    "--private", help="Use actors' private positions where known.")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, json or csv.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")]
PlotOpt = Annotated[Path | None, typer.Option(help="Also plot to a .png, .svg or .html file.")]
TopOpt = Annotated[int, typer.Option(min=1, help="Rows per issue in the table.")]
