"""The model registry: ``get_model("bdm")`` in Python and ``--model`` on the CLI find the same entry.

Each model module defines a module-level ``SPEC`` (:class:`~realpolitik.models.base.ModelSpec`).
Models are listed explicitly here: importing realpolitik discovers nothing on disk.
"""

from __future__ import annotations

from realpolitik.errors import ModelError
from realpolitik.models import (
    compromise,
    ensemble,
    eum,
    exchange,
    median,
    nash,
    procedural,
    smp,
)
from realpolitik.models.base import ModelSpec

#: Every registered model, in listing order.
MODELS: tuple[ModelSpec, ...] = (
    compromise.SPEC,
    median.SPEC,
    eum.SPEC,
    smp.SPEC,
    nash.SPEC,
    procedural.SPEC,
    exchange.SPEC,
    ensemble.SPEC,
)

#: The model used when none is named: every model side by side, with their spread.
DEFAULT_MODEL = "ensemble"

#: The model a Monte Carlo run (``--samples``) uses when none is named: the same as a point
#: forecast (the ensemble runs every member on each sample).
DEFAULT_SAMPLING_MODEL = DEFAULT_MODEL

#: Other names accepted for a model.
ALIASES: dict[str, str] = {"mean": "compromise", "weighted-median": "median", "bdm": "eum"}


def list_models() -> list[ModelSpec]:
    """Every registered model, in listing order."""
    return list(MODELS)


def get_model(name: str) -> ModelSpec:
    """The registered model called ``name`` (or one of its aliases)."""
    key = ALIASES.get(name.lower(), name.lower())
    for spec in list_models():
        if spec.name == key:
            return spec
    names = ", ".join(s.name for s in list_models())
    raise ModelError(f"unknown model {name!r}; available models: {names}")
