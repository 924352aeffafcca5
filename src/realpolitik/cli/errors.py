"""How the command line ends: user errors exit 2 with a message, never a traceback.

- :class:`~realpolitik.errors.RealpolitikError` (a bad scenario, an unknown model, ...): its
  message, exit 2;
- a file or folder that cannot be read or written: its name and the reason, exit 2;
- a usage error (an unknown option, a value out of range): click's message, exit 2;
- Ctrl+C: ``interrupted``, exit 130.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, NoReturn

import typer

from realpolitik.cli.options import err
from realpolitik.errors import RealpolitikError


def run(command: Callable[[], Any]) -> NoReturn:
    """Call ``command`` (the app, in non-standalone mode) and exit with the right code."""
    try:
        code = command()
    except RealpolitikError as exc:
        flags = ", ".join("--" + o.replace("_", "-") for o in getattr(exc, "options", ()))
        err.print(f"error: {exc}" + (f" (options: {flags})" if flags else ""), markup=False)
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
        if isinstance(exc, click_errors()):
            exc.show()  # usage errors: a message, exit code 2, no traceback
            sys.exit(exc.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)


def click_errors() -> tuple[type[Exception], ...]:
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
