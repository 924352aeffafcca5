"""Rough running-time estimates of model calls, made before they run.

A long call should never look like a hang: the service layer reports an estimate through the
progress protocol before a point forecast that may take more than a couple of seconds, sizes
Monte Carlo chunks so that progress comes about every second, and refuses a member of the
ensemble whose estimate exceeds a limit unless the caller allows slow runs (naming the member,
its estimate and how to skip it).

The figures are per batch element, fitted to runs on a 2-core x86-64 machine (AMD EPYC,
numba kernels for ``eum`` and ``smp``; ``benchmarks/bench_scaling.py`` measures them). They are orders of
magnitude, not promises: rounds and turns depend on the inputs. ``smp`` costs O(n^3 d) per turn
and plays more turns with more actors; ``eum`` O(n^2) per round and issue.
"""

from __future__ import annotations

from realpolitik.models.base import ModelSpec

#: A point forecast whose estimate exceeds this many seconds reports the estimate as progress.
REPORT_AFTER_S = 2.0
#: A model (or ensemble member) estimated to take longer than this is refused unless allowed.
SLOW_LIMIT_S = 60.0


def _smp(n: int, d: int) -> float:
    # The compiled kernel: about 30 us a turn at 11 actors and 2 issues, 0.9 / 5.7 / 56 ms at
    # 40 / 80 / 160 actors (the challenges' n^3 dominate; issues add little). The array path
    # (other backends) is several times slower.
    turns = min(100.0, 15.0 + n / 4.0)
    return turns * (2e-5 + 1.4e-8 * n**3 * (1.0 + (d - 1) / 4.0))


def _eum(n: int, d: int) -> float:
    rounds = min(100.0, 25.0 + n / 4.0)
    return d * rounds * (2e-6 + 1.3e-7 * n * (n - 1) / 2.0)


def _nash(n: int, d: int) -> float:
    return 5e-4 + 2e-6 * n * n * d


def _linear(n: int, d: int) -> float:
    return 1e-6 + 1e-7 * n * d


_PER_ELEMENT = {"smp": _smp, "eum": _eum, "nash": _nash, "median": _linear, "compromise": _linear}


def seconds(name: str, n_actors: int, n_issues: int, batch: int = 1) -> float:
    """Estimated seconds of one call of model ``name`` on ``batch`` elements (one core).

    Models without a fitted figure are taken as O(n^2 d) per element.
    """
    fn = _PER_ELEMENT.get(name)
    per = fn(n_actors, n_issues) if fn else 1e-6 * n_actors * n_actors * n_issues
    return batch * per


def estimate(spec: ModelSpec, members: list[ModelSpec], n_actors: int, n_issues: int,
             batch: int = 1) -> dict[str, float]:
    """Estimated seconds per model that one call of ``spec`` runs: ``members`` for an ensemble."""
    specs = members or [spec]
    return {s.name: seconds(s.name, n_actors, n_issues, batch) for s in specs}


def describe(secs: float) -> str:
    """``about 40 s``, ``about 9 min``, ``about 2.5 h``."""
    if secs < 90:
        return f"about {max(secs, 1):.0f} s"
    if secs < 5400:
        return f"about {secs / 60:.0f} min"
    return f"about {secs / 3600:.1f} h"
