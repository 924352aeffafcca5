"""The command line: ``realpolitik forecast``, ``validate``, ``show``, ``deal``, ``simulate``, ...

One module per command group adds its commands to :data:`~realpolitik.cli.app.app`; importing
them here registers every command (in the order ``realpolitik --help`` lists them):

- :mod:`~realpolitik.cli.forecast` - ``forecast``;
- :mod:`~realpolitik.cli.scenarios` - ``validate``, ``scenarios``, ``models``, ``show``,
  ``schema``, ``import-csv``, ``version``;
- :mod:`~realpolitik.cli.deal` - ``deal``;
- :mod:`~realpolitik.cli.dynamics` - ``simulate``, ``calibrate``;
- :mod:`~realpolitik.cli.report` - ``report``;
- :mod:`~realpolitik.cli.dashboard` - ``dashboard``;
- :mod:`~realpolitik.cli.uncertainty` - ``sensitivity``, ``power``, ``best-move``;
- :mod:`~realpolitik.cli.sweep` - ``sweep``;
- :mod:`~realpolitik.cli.backtest` - ``backtest``;
- :mod:`~realpolitik.cli.ledger` - ``record``, ``score``;
- :mod:`~realpolitik.cli.authoring` - ``new``, ``export-xlsx``, ``import-xlsx``.

Shared options live in :mod:`~realpolitik.cli.options`, the exit codes in
:mod:`~realpolitik.cli.errors`: user errors print a message and exit 2, never a traceback.
Commands call the service layer (:mod:`realpolitik.api`) and print with
:mod:`realpolitik.presentation`.
"""

# Importing a command module registers its commands; this order is the order of `--help`.
from realpolitik.cli import (  # noqa: I001, F401
    forecast,
    scenarios,
    deal,
    dynamics,
    report,
    dashboard,
    uncertainty,
    sweep,
    backtest,
    ledger,
    authoring,
)
from realpolitik.cli.app import app, main

__all__ = ["app", "main"]
