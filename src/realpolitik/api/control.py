"""Cancellation and progress of a long run: one fraction of the whole job, stage by stage."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from realpolitik.progress import CancelToken, Progress


@dataclass
class Control:
    """Cancellation and progress of a long run (a job of the dashboard, a report).

    Built on :mod:`realpolitik.progress`: ``cancel`` is a ``threading.Event`` or a
    :class:`~realpolitik.progress.CancelToken`, and :meth:`staged` hands the runs below a
    :class:`~realpolitik.progress.Progress` callable ``(stage, done, total)`` that arrives here
    as ``on_progress(stage, fraction)``.
    """

    cancel: threading.Event | CancelToken | None = None
    on_progress: Callable[[str, float], None] | None = None

    @property
    def token(self) -> CancelToken | None:
        """The cancel flag as a :class:`~realpolitik.progress.CancelToken` (None without one)."""
        if self.cancel is None or isinstance(self.cancel, CancelToken):
            return self.cancel
        return CancelToken(self.cancel)

    def check(self) -> None:
        """Raise :class:`Cancelled` if cancellation was asked for."""
        token = self.token
        if token is not None:
            token.check()

    def progress(self, stage: str, fraction: float) -> None:
        """Report that ``stage`` is ``fraction`` (0-1) done; then check for cancellation."""
        if self.on_progress is not None:
            self.on_progress(stage, min(max(float(fraction), 0.0), 1.0))
        self.check()

    def __call__(self, stage: str, done: int, total: int) -> None:
        """The :class:`~realpolitik.progress.Progress` protocol: ``done`` of ``total`` of ``stage``."""
        self.progress(stage, done / max(total, 1))

    def part(self, first: float, share: float) -> Control:
        """A control whose fraction 0-1 fills ``first`` .. ``first + share`` of this one's."""
        if self.on_progress is None:
            return Control(self.cancel)

        def report(stage: str, fraction: float) -> None:
            self.progress(stage, first + share * fraction)

        return Control(self.cancel, report)

    def staged(self, stage: str, first: float = 0.0, share: float = 1.0) -> Progress:
        """A progress callable that reports under ``stage`` as ``first + share * done / total``."""

        def report(_stage: str, done: int, total: int) -> None:
            self.progress(stage, first + share * done / max(total, 1))

        return report
