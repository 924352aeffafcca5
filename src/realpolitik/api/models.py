"""The registered models for the interfaces: list them, find one by name, with their metadata.

Each :class:`~realpolitik.models.base.ModelSpec` carries a name, title, reference and the
properties an interface shows (stochastic, iterative, cost, whether it records a trace).
"""

from __future__ import annotations

from realpolitik.models.base import ModelSpec
from realpolitik.models.registry import (
    DEFAULT_MODEL,
    DEFAULT_SAMPLING_MODEL,
    get_model,
    list_models,
)

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_SAMPLING_MODEL",
    "ModelSpec",
    "get_model",
    "list_models",
    "models_with_trace",
]


def models_with_trace() -> list[str]:
    """Names of the models that can record a round-by-round trace (``trace=True``)."""
    return [spec.name for spec in list_models() if spec.supports_trace]
