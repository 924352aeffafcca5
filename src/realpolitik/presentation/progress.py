"""A rich progress bar on standard error that implements :class:`realpolitik.progress.Progress`.

Library code only reports ``(stage, done, total)``; the command line passes a
:class:`ProgressBar` to draw it::

    with ProgressBar() as bar:
        forecast(scenario, samples=100_000, progress=bar)

The bar appears at the first report of an unfinished run (a run done in one step draws
nothing) and disappears when the run finishes or the ``with`` block ends. Bars are drawn only
on a terminal and never with ``quiet`` (:func:`show_progress`, the one rule every command uses),
so that piped or logged output holds no bar.
"""

from __future__ import annotations

from typing import Any


def show_progress(console: Any = None, *, quiet: bool = False) -> bool:
    """Whether to draw progress: not ``quiet`` and standard error (or ``console``) a terminal."""
    if quiet:
        return False
    if console is None:
        from rich.console import Console

        console = Console(stderr=True)
    return bool(console.is_terminal)


class ProgressBar:
    """``bar(stage, done, total)`` draws a transient rich bar: stage, bar, done/total, time left.

    With ``quiet`` (or when standard error is not a terminal) it draws nothing.
    """

    def __init__(self, console: Any = None, *, quiet: bool = False) -> None:
        self._console = console
        self._bar: Any = None
        self._task: Any = None
        self._on = show_progress(console, quiet=quiet)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self._on:
            return
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
