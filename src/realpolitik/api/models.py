"""The registered models for the interfaces: list them, find one by name, with their metadata.

Each :class:`~realpolitik.models.base.ModelSpec` carries a name, title, reference and the
properties an interface shows (stochastic, iterative, cost, whether it records a trace).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
    "ModelInfo",
    "ModelSpec",
    "get_model",
    "list_models",
    "models",
    "models_with_trace",
    "resolve_models",
]


@dataclass(frozen=True)
class ModelInfo:
    """What an interface shows of a registered model."""

    name: str
    title: str
    reference: str
    stochastic: bool
    iterative: bool
    cost: str


def models() -> list[ModelInfo]:
    """Every registered model, in registry order."""
    return [ModelInfo(s.name, s.title, s.reference, s.stochastic, s.iterative, s.cost)
            for s in list_models()]


def resolve_models(names: Sequence[str]) -> list[str]:
    """The registered names of ``names`` (aliases resolved); every model when ``names`` is empty.

    An unknown name raises :class:`~realpolitik.errors.ModelError` naming the known ones.
    """
    if not names:
        return [s.name for s in list_models()]
    return [get_model(m).name for m in names]


def models_with_trace() -> list[str]:
    """Names of the models that can record a round-by-round trace (``trace=True``)."""
    return [spec.name for spec in list_models() if spec.supports_trace]
