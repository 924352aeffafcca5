"""The registered models, for interfaces that list them or check a name given by a user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from realpolitik.models.registry import get_model, list_models


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
