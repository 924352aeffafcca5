"""The baseline: a plain Python loop calling a model once per sample (batch of one).

This is what the batched contract replaces. Inputs are drawn beforehand (the loop is charged
for the model calls only), so the comparison favours the loop.
"""

from __future__ import annotations

import time
from typing import Any

from realpolitik.models.base import BargainingInput


def loop_forecasts(spec: Any, inp: BargainingInput, seed: int = 0) -> list[Any]:
    """Forecast each batch element alone: B model calls with B = 1."""
    return [spec.fn(inp.take(k), seed=seed).forecast for k in range(inp.batch)]


def loop_rate(spec: Any, inp: BargainingInput, seed: int = 0) -> tuple[float, float]:
    """(seconds, forecasts per second) of the per-sample loop over ``inp``."""
    start = time.perf_counter()
    loop_forecasts(spec, inp, seed)
    seconds = time.perf_counter() - start
    return seconds, inp.batch / seconds
