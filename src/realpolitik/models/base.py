"""The contract every collective bargaining model follows.

A model is a pure function ``fn(inp: BargainingInput, *, seed: int | None, **params) ->
BargainingOutcome``. All arrays carry a leading batch (Monte Carlo) axis ``B``:

=================  ===========  ============================================================
field              shape        meaning
=================  ===========  ============================================================
``position``       (B, n, d)    each actor's position on each issue, on the issue's scale
``salience``       (B, n, d)    salience in [0, 1]
``capability``     (B, n)       capability (>= 0)
``status_quo``     (B, d)       the status quo on each issue's scale
``lower/upper``    (d,)         the ends of each issue's scale
=================  ===========  ============================================================

Models use only functions of the Python array API standard through ``xp`` (see
:func:`realpolitik.models.base.namespace`), so the same code runs on numpy and, via
``array_api_compat``, on torch or other backends. No model loops over the batch in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

Array = Any  # an array of the chosen backend (numpy by default)


def namespace(*arrays: Any) -> Any:
    """The array namespace of ``arrays``: numpy for numpy arrays, else via array_api_compat."""
    if all(isinstance(a, np.ndarray | np.generic | float | int) for a in arrays):
        return np
    try:
        import array_api_compat
    except ImportError as exc:  # pragma: no cover - only with a non-numpy backend
        raise ImportError(
            "non-numpy arrays need the 'array-api-compat' package: pip install 'realpolitik[gpu]'"
        ) from exc
    return array_api_compat.array_namespace(*arrays)


@dataclass(frozen=True)
class BargainingInput:
    """Batched inputs of a collective bargaining model (see the module docstring for shapes)."""

    position: Array
    salience: Array
    capability: Array
    status_quo: Array
    lower: Array
    upper: Array
    actor_ids: tuple[str, ...] = ()
    issue_ids: tuple[str, ...] = ()

    @property
    def batch(self) -> int:
        """Number of batch elements B."""
        return int(self.position.shape[0])

    @property
    def n_actors(self) -> int:
        """Number of actors n."""
        return int(self.position.shape[1])

    @property
    def n_issues(self) -> int:
        """Number of issues d."""
        return int(self.position.shape[2])

    @property
    def xp(self) -> Any:
        """The array namespace of the inputs."""
        return namespace(self.position, self.salience, self.capability)

    def take(self, index: Any) -> BargainingInput:
        """The batch elements at ``index`` (an int keeps a batch axis of length 1)."""
        if isinstance(index, int):
            index = slice(index, index + 1)
        return replace(
            self,
            position=self.position[index],
            salience=self.salience[index],
            capability=self.capability[index],
            status_quo=self.status_quo[index],
        )

    def normalised(self) -> tuple[Array, Array]:
        """Positions and status quo mapped to [0, 1] per issue (0 = lower end)."""
        span = self.upper - self.lower
        return (self.position - self.lower) / span, (self.status_quo - self.lower) / span

    def denormalise(self, unit: Array) -> Array:
        """Map values on [0, 1] (any leading shape, last axis = issue) back to the scale."""
        return self.lower + unit * (self.upper - self.lower)


@dataclass(frozen=True)
class BargainingOutcome:
    """What a collective model predicts for each batch element.

    ``forecast`` (B, d) is the predicted outcome on each issue's scale. Models with rounds also
    fill ``final_position`` (B, n, d) and ``rounds`` (B,) (rounds until each element settled);
    ``extra`` holds model-specific arrays (documented by the model) and ``trace`` a per-round
    record for batch element 0 when asked for.
    """

    forecast: Array
    final_position: Array | None = None
    rounds: Array | None = None
    extra: dict[str, Array] = field(default_factory=dict)
    trace: list[dict[str, Any]] | None = None


class ModelFn(Protocol):
    """Signature of a registered collective model."""

    def __call__(
        self, inp: BargainingInput, *, seed: int | None = None, **params: Any
    ) -> BargainingOutcome: ...


@dataclass(frozen=True)
class ModelSpec:
    """A registry entry: the function and its metadata.

    ``stochastic`` says the model always draws random numbers from its ``seed``;
    ``stochastic_when(params)`` says so for one call's parameters (``smp`` with
    ``transitions="stochastic"``). Ask :meth:`is_stochastic`: the runner gives stochastic calls
    independent streams (see :mod:`realpolitik.runner.run`).
    """

    name: str
    title: str
    fn: Callable[..., BargainingOutcome]
    reference: str
    stochastic: bool = False
    iterative: bool = False
    cost: str = "O(n)"
    supports_trace: bool = False
    collective: bool = True
    description: str = ""
    stochastic_when: Callable[[Mapping[str, Any]], bool] | None = None

    def is_stochastic(self, params: Mapping[str, Any] | None = None) -> bool:
        """Whether a call with ``params`` draws random numbers from its seed."""
        if self.stochastic:
            return True
        return bool(self.stochastic_when(params or {})) if self.stochastic_when else False
