"""Array backends: the same model code on numpy (default) or torch, through the array API.

Models take ``xp = inp.xp`` and call only array-API-standard functions, so they run unchanged
on any namespace that ``array_api_compat`` wraps. This module moves inputs to a backend and
results back to numpy:

>>> from realpolitik.runner import run_model
>>> outcome = run_model("median", inp, backend="torch", device="cpu")   # doctest: +SKIP

Inputs are always made (and Monte Carlo samples always drawn) on numpy in float64, then
converted, so a seed gives the same inputs on every backend. Results agree with numpy up to
floating-point reassociation in reductions: on CPU in float64 we test ``rtol=1e-9`` and
``atol=1e-9`` times the issue's scale span. A GPU computes in float64 too; its reductions may
order sums differently, which stays within the same tolerance for the models' sums of at most a
few thousand terms.

torch is optional: ``pip install 'realpolitik[gpu]'`` installs it with ``array-api-compat``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from realpolitik.errors import RealpolitikError
from realpolitik.models.base import BargainingInput, BargainingOutcome

#: The backends one can ask for.
BACKENDS: tuple[str, ...] = ("numpy", "torch")


@dataclass(frozen=True)
class Backend:
    """A resolved backend: its name, the device and the module that makes its arrays."""

    name: str
    device: str
    module: Any

    def asarray(self, x: Any) -> Any:
        """``x`` as a float64 (or bool/int, kept) array of this backend on its device."""
        if self.name == "numpy":
            return np.asarray(x)
        torch = self.module
        arr = np.asarray(x)
        return torch.asarray(arr, device=torch.device(self.device))


def resolve(backend: str = "numpy", device: str | None = None) -> Backend:
    """Check and resolve a backend name and device; a clear error when either is unavailable."""
    name = (backend or "numpy").lower()
    if name not in BACKENDS:
        raise RealpolitikError(f"unknown backend {backend!r}; available: {', '.join(BACKENDS)}")
    if name == "numpy":
        if device not in (None, "", "cpu"):
            raise RealpolitikError(f"the numpy backend runs on the CPU only, not on {device!r}")
        return Backend("numpy", "cpu", np)
    try:
        import array_api_compat  # noqa: F401
        import torch
    except ImportError:
        raise RealpolitikError(
            "the torch backend needs torch and array-api-compat: pip install 'realpolitik[gpu]'"
        ) from None
    dev = device or ("cuda" if torch.cuda.is_available() else "cpu")
    if dev.startswith("cuda") and not torch.cuda.is_available():
        raise RealpolitikError(
            f"device {dev!r} asked for, but torch sees no CUDA GPU here; use the cpu device",
            options=("device",))
    if not (dev == "cpu" or dev.startswith("cuda") or dev == "mps"):
        raise RealpolitikError(f"unknown device {dev!r}; use cpu, cuda or cuda:N")
    return Backend("torch", dev, torch)


def to_backend(inp: BargainingInput, backend: str | Backend = "numpy",
               device: str | None = None) -> BargainingInput:
    """The same input with its arrays on ``backend`` (float64, on ``device``)."""
    be = backend if isinstance(backend, Backend) else resolve(backend, device)
    if be.name == "numpy":
        return inp
    return replace(
        inp,
        position=be.asarray(inp.position), salience=be.asarray(inp.salience),
        capability=be.asarray(inp.capability), status_quo=be.asarray(inp.status_quo),
        lower=be.asarray(inp.lower), upper=be.asarray(inp.upper),
    )


def to_numpy(x: Any) -> Any:
    """An array of any backend as a numpy array (None and non-arrays pass through)."""
    if x is None or isinstance(x, np.ndarray | int | float | bool | str):
        return x
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch tensor
        return x.detach().cpu().numpy()
    if hasattr(x, "__array__") or hasattr(x, "__dlpack__"):
        return np.asarray(x)
    return x


def outcome_to_numpy(outcome: BargainingOutcome) -> BargainingOutcome:
    """The outcome with every array moved to numpy (the trace is left as it is)."""
    return replace(
        outcome,
        forecast=to_numpy(outcome.forecast),
        final_position=to_numpy(outcome.final_position),
        rounds=to_numpy(outcome.rounds),
        extra={k: to_numpy(v) for k, v in outcome.extra.items()},
    )
