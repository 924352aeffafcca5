"""A rich progress bar on standard error that implements :class:`realpolitik.progress.Progress`.

Library code only reports ``(stage, done, total)``; the command line passes a
:class:`ProgressBar` to draw it::

    with ProgressBar() as bar:
        forecast(scenario, samples=100_000, progress=bar)

The bar appears at the first report of an unfinished run (a run done in one step draws
nothing) and disappears when the run finishes or the ``with`` block ends.
"""

from __future__ import annotations

from typing import Any


class ProgressBar:
    """``bar(stage, done, total)`` draws a transient rich bar: stage, bar, done/total, time left."""

    def __init__(self, console: Any = None) -> None:
        self._console = console
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._bar is None:
            if done >= total:
                return
            self._start(stage, total)
        self._bar.update(self._task, description=stage, completed=done, total=total)
        if done >= total:
            self.close()

    def _start(self, stage: str, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TimeRemainingColumn(),
                             console=self._console or Console(stderr=True), transient=True)
        self._bar.start()
        self._task = self._bar.add_task(stage, total=total)

    def close(self) -> None:
        """Take the bar off the screen (if it is shown)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
