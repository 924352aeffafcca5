"""``realpolitik dashboard``: serve the dashboard (needs the ``dashboard`` extra).

The one command that reaches outside the service layer: it starts the other interface,
:func:`realpolitik.dashboard.app.create_app`, under uvicorn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from realpolitik.cli.app import app
from realpolitik.errors import RealpolitikError

#: Addresses that only this machine can reach.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")

MISSING_EXTRA = (
    "the dashboard needs the packages of the `dashboard` extra ({missing}): "
    "pip install 'realpolitik[dashboard]'"
)


def missing_packages() -> list[str]:
    """Packages of the ``dashboard`` extra that are not installed."""
    import importlib.util

    wanted = {"fastapi": ("fastapi",), "uvicorn": ("uvicorn",),
              "python-multipart": ("python_multipart", "multipart")}
    return [pkg for pkg, mods in wanted.items()
            if all(importlib.util.find_spec(m) is None for m in mods)]


@app.command()
def dashboard(
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port to listen on.")] = 8050,
    host: Annotated[str, typer.Option(
        help="Address to bind. The default serves this machine only; any other address "
        "exposes the dashboard (which has no login) to the network.")] = "127.0.0.1",
    scenario_dir: Annotated[Path | None, typer.Option(
        "--scenario-dir", file_okay=False,
        help="Folder where your scenarios are listed and saved (created if missing). "
        "Without it, uploads live only in memory until the server stops.")] = None,
) -> None:
    """Serve the interactive dashboard (JSON API and page) on http://HOST:PORT/."""
    missing = missing_packages()
    if missing:
        raise RealpolitikError(MISSING_EXTRA.format(missing=", ".join(missing)))
    import uvicorn
    from rich.console import Console

    from realpolitik.dashboard.app import create_app

    console = Console(stderr=True)
    if host not in LOCAL_HOSTS:
        console.print(f"[bold red]warning:[/bold red] binding to {host}: the dashboard has no "
                      "authentication; anyone who can reach this address can use it and "
                      "write to the scenario folder.")
    if scenario_dir is not None:
        try:
            scenario_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RealpolitikError(f"cannot create --scenario-dir {scenario_dir}: "
                                   f"{exc.strerror}") from None
    local = host in LOCAL_HOSTS
    api = create_app(scenario_dir=scenario_dir,
                     allowed_hosts=["127.0.0.1", "localhost", "[::1]", "::1"] if local else None)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"realpolitik dashboard on http://{shown}:{port}/  (Ctrl+C stops it)")
    uvicorn.run(api, host=host, port=port, log_level="warning")
