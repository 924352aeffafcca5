"""One progress protocol and one cancel token for every long run.

A long run (a Monte Carlo forecast, a sweep, a negotiation, a report) takes an optional
``progress`` callable and an optional ``cancel`` token:

* ``progress(stage, done, total)`` (:class:`Progress`) is called after each unit of work:
  ``stage`` names what runs (``"samples"``, ``"Monte Carlo: median"``), ``done`` of ``total``
  units are finished. Library code only calls it; drawing a bar is the interfaces' business
  (:mod:`realpolitik.presentation.progress` has the rich bar the command line uses; the dashboard
  keeps the stage and fraction of its jobs).
* ``cancel`` (:class:`CancelToken`) is a thread-safe flag. Another thread calls
  :meth:`CancelToken.cancel`; the run calls :meth:`CancelToken.check` between units of work and
  stops with :class:`~realpolitik.errors.Cancelled`.
"""

from __future__ import annotations

import threading
from typing import Protocol

from realpolitik.errors import Cancelled


class Progress(Protocol):
    """Receives ``(stage, done, total)`` after each unit of work of a long run."""

    def __call__(self, stage: str, done: int, total: int) -> None: ...


class CancelToken:
    """A thread-safe cancel flag; ``CancelToken(event)`` shares an existing ``threading.Event``."""

    def __init__(self, event: threading.Event | None = None) -> None:
        self._event = event if event is not None else threading.Event()

    def cancel(self) -> None:
        """Ask the run to stop at its next check."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether cancellation was asked for."""
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`~realpolitik.errors.Cancelled` if cancellation was asked for."""
        if self._event.is_set():
            raise Cancelled("cancelled")


def report(progress: Progress | None, cancel: CancelToken | None, stage: str, done: int,
           total: int) -> None:
    """Call ``progress`` (if any), then check ``cancel`` (if any): the step of every long run."""
    if progress is not None:
        progress(stage, done, total)
    if cancel is not None:
        cancel.check()
