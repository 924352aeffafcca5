"""The typer app every command module adds its commands to, and the entry point."""

from __future__ import annotations

import typer

from realpolitik.cli.errors import run

app = typer.Typer(
    name="realpolitik",
    help="Turn a political conflict into a runnable model and forecast it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main(args: list[str] | None = None) -> None:
    """Entry point: run the app on ``args`` (default: sys.argv); user errors exit 2 with a message."""
    run(lambda: app(args=args, standalone_mode=False, prog_name="realpolitik"))
