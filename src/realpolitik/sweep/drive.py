"""Driving a sweep's chunks: in this process, or on Dask; a watchdog; prompt interrupts.

Every driver calls ``compute(chunk)`` (or submits it to Dask) and ``save(chunk, encoded)`` in
the driver's thread as each chunk finishes, so a chunk is saved as soon as it is done and an
interrupt (Ctrl-C, :class:`KeyboardInterrupt`) loses only the chunks still running.

* :func:`run_here` runs chunks one after another in this process (``workers=0``).
* :func:`run_dask` runs them on a Dask cluster: a scheduler at an address, or a
  ``LocalCluster`` of worker *processes* (or threads, ``processes=False``) that this function
  starts and stops. The driver waits in short slices (:data:`TICK` seconds), so Ctrl-C is
  handled within a fraction of a second, and on an interrupt the local cluster is torn down
  without waiting for its workers' graceful shutdown. Dask's statistical profiler (a thread that
  samples every worker thread's stack every 10 ms) is switched off for the clusters started here:
  results never use it and it cost time on every chunk.
* :class:`Watchdog` reports, through ``notify``, a chunk that has made no progress for
  ``stall`` seconds (a hung worker, a lost connection) and again every ``stall`` seconds while
  nothing finishes; it never stops the run.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from realpolitik.errors import RealpolitikError
from realpolitik.sweep.spec import Chunk
from realpolitik.sweep.store import Encoded

#: Seconds the Dask driver waits at a time (how quickly Ctrl-C and the watchdog are served).
TICK = 0.1

Save = Callable[[Chunk, Encoded], None]
Notify = Callable[[str], None]


class Watchdog:
    """A daemon thread that says so when no chunk has finished for ``stall`` seconds."""

    def __init__(self, stall: float | None, notify: Notify) -> None:
        self.stall = stall
        self.notify = notify
        self._lock = threading.Lock()
        self._last = time.monotonic()
        self._running: list[int] = []
        self._more = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Watchdog:
        if self.stall is not None and self.stall > 0:
            self._thread = threading.Thread(target=self._watch, name="realpolitik-sweep-watchdog",
                                            daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)

    def beat(self, running: Iterable[int]) -> None:
        """A chunk finished (or work started): restart the clock; ``running`` are in flight."""
        ids = sorted(running)
        with self._lock:
            self._last = time.monotonic()
            self._running = ids[:1]
            self._more = len(ids) - 1

    def _watch(self) -> None:
        assert self.stall is not None
        told = 0
        while not self._stop.wait(min(1.0, self.stall / 4)):
            with self._lock:
                idle = time.monotonic() - self._last
                running, more = list(self._running), self._more
            if idle < self.stall:
                told = 0
                continue
            if idle >= self.stall * (told + 1):
                told += 1
                which = f"chunk {running[0]}" if running else "a chunk"
                if more > 0:
                    which += f" (and {more} more in flight or queued)"
                took = f"{idle:.1f}" if idle < 10 else f"{idle:.0f}"
                self.notify(f"watchdog: {which} has made no progress for {took} s: no chunk "
                            f"finished since; still waiting, Ctrl-C stops and keeps "
                            f"the finished chunks")


def run_here(todo: list[Chunk], compute: Callable[[Chunk], Encoded], save: Save,
             stop_after: int | None, dog: Watchdog) -> None:
    """Chunks one after another in this process."""
    for n, chunk in enumerate(todo):
        if stop_after is not None and n >= stop_after:
            break
        dog.beat([chunk.id])
        save(chunk, compute(chunk))


def _client(workers: int, scheduler: str | None, processes: bool) -> tuple[Any, Any]:
    try:
        import dask
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise RealpolitikError("sweeps on Dask need the 'distributed' extra: "
                               "pip install 'realpolitik[distributed]' (or run with workers=0)",
                               options=("workers",)) from None
    if scheduler is not None:
        return Client(scheduler), None
    before = _children()
    with dask.config.set({"distributed.worker.profile.enabled": False}), _sigint_ignored():
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1,
                               processes=processes, dashboard_address=None)
    cluster._realpolitik_pids = _children() - before  # killed if Ctrl-C stops the sweep
    return Client(cluster), cluster


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Worker processes started here ignore SIGINT (they inherit it).

    Ctrl-C, which the terminal sends to the whole process group, then reaches only this driver,
    which stops them.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def run_dask(todo: list[Chunk], task: Callable[..., Encoded], args: Callable[[Chunk], tuple],
             scatter: dict[str, Any], save: Save, *, workers: int, scheduler: str | None,
             processes: bool, stop_after: int | None, dog: Watchdog, key: str) -> None:
    """Chunks on Dask: ``task(*args(chunk))``, where ``args`` may name scattered data by key."""
    client, cluster = _client(workers, scheduler, processes)
    from dask.distributed import wait

    interrupted = False
    try:
        shared = {k: client.scatter(v, broadcast=True) for k, v in scatter.items()}
        chunk_of = {}
        pending = set()
        for chunk in todo:
            fut = client.submit(task, *args(chunk), shared, key=f"{key}-{chunk.id}", pure=False)
            chunk_of[fut.key] = chunk
            pending.add(fut)
        saved = 0
        dog.beat(chunk_of[f.key].id for f in pending)
        while pending and (stop_after is None or saved < stop_after):
            finished, pending = _wait_slice(wait, pending, "FIRST_COMPLETED")
            for fut in finished:
                save(chunk_of[fut.key], fut.result())
                saved += 1
                dog.beat(chunk_of[f.key].id for f in pending)
                if stop_after is not None and saved >= stop_after:
                    break
        client.cancel(list(pending))
    except BaseException:
        interrupted = True
        raise
    finally:
        _close(client, cluster, interrupted)


def _wait_slice(wait: Callable[..., Any], pending: set[Any], mode: str) -> tuple[set[Any],
                                                                                 set[Any]]:
    """Futures done within one :data:`TICK` (none: all still pending)."""
    try:
        done, rest = wait(pending, timeout=TICK, return_when=mode)
    except TimeoutError:
        return set(), pending
    return set(done), set(rest)


def _close(client: Any, cluster: Any, interrupted: bool) -> None:
    """Close the client and the local cluster; after an interrupt, at once and quietly."""
    if not interrupted:
        client.close()
        if cluster is not None:
            cluster.close()
        return
    log = logging.getLogger("distributed")
    level = log.level
    log.setLevel(logging.CRITICAL)  # the scheduler's complaints about the workers killed here
    try:
        if cluster is not None:  # the workers first: nothing of theirs is waited for
            _kill(getattr(cluster, "_realpolitik_pids", ()))
        with contextlib.suppress(Exception):
            client.close(timeout=0.2)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=0.2)
            cluster.shutdown_on_close = False  # Dask's exit hook would wait 10 s for the dead
    finally:
        log.setLevel(level)


def _children() -> set[Any]:
    """The child processes of this one (psutil comes with dask.distributed)."""
    import psutil

    return set(psutil.Process().children(recursive=True))


def _kill(processes: Iterable[Any]) -> None:
    """Kill the worker processes a local cluster left running (only those it started)."""
    import psutil

    for proc in processes:
        with contextlib.suppress(psutil.Error):
            proc.kill()
