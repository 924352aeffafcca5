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
``rules``          optional     formal decision rules (:class:`DecisionRules`); models that
                                do not use them ignore them
=================  ===========  ============================================================

Models use only functions of the Python array API standard through ``xp`` (see
:func:`realpolitik.models.base.namespace`), so the same code runs on numpy and, via
``array_api_compat``, on torch or other backends. No model loops over the batch in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any, NamedTuple

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


def host(a: Any) -> np.ndarray:
    """A numpy copy of an array of any backend (device arrays are copied to the host)."""
    cpu = getattr(a, "cpu", None)
    return np.asarray(cpu() if callable(cpu) else a)


@dataclass(frozen=True)
class DecisionRules:
    """Who formally decides: voting bodies with quotas, agenda setters and reversion points.

    ``K`` bodies (a veto player is a body of one member with quota 1), each belonging to one
    *rule*; every issue is decided by at most one rule (the issues of one rule are decided
    together, as one act):

    ================  ==========  ===========================================================
    field             shape       meaning
    ================  ==========  ===========================================================
    ``weight``        (B, K, n)   each actor's votes in each body (0: not a member)
    ``quota``         (B, K)      share of the body's total votes a change needs, in [0, 1]
                                  (1: unanimity of the members; 0: the body is not required)
    ``body_rule``     (K,)        the rule each body belongs to (int)
    ``issue_rule``    (d,)        the rule deciding each issue (int; -1: none)
    ``setter``        (B, d)      the actor who proposes on each issue (int; -1: none)
    ``reversion``     (B, d)      what happens without a decision (None: the status quo)
    ================  ==========  ===========================================================

    Arrays are numpy (models move them to their backend); the batch axis follows the input's.
    """

    weight: Array
    quota: Array
    body_rule: Array
    issue_rule: Array
    setter: Array
    reversion: Array | None = None

    def take(self, index: Any) -> DecisionRules:
        """The batch elements at ``index`` (a slice or an index array)."""
        return replace(
            self, weight=self.weight[index], quota=self.quota[index], setter=self.setter[index],
            reversion=None if self.reversion is None else self.reversion[index],
        )

    def permuted(self, order: Any) -> DecisionRules:
        """The same rules with the actors reordered (``order[i]``: the old index of actor i)."""
        inverse = np.argsort(np.asarray(order))
        setter = np.asarray(self.setter)
        return replace(self, weight=self.weight[:, :, order],
                       setter=np.where(setter >= 0, inverse[np.maximum(setter, 0)], -1))

    def without_actor(self, i: int) -> DecisionRules:
        """The rules without actor ``i`` (its votes go; where it set the agenda, nobody does)."""
        keep = [k for k in range(self.weight.shape[2]) if k != i]
        setter = np.asarray(self.setter)
        return replace(self, weight=self.weight[:, :, keep],
                       setter=np.where(setter == i, -1, np.where(setter > i, setter - 1, setter)))

    def tiled(self, times: int) -> DecisionRules:
        """The whole batch repeated ``times`` times (block after block)."""
        return replace(
            self, weight=np.tile(self.weight, (times, 1, 1)), quota=np.tile(self.quota, (times, 1)),
            setter=np.tile(self.setter, (times, 1)),
            reversion=None if self.reversion is None else np.tile(self.reversion, (times, 1)),
        )

    def repeated(self, b: int) -> DecisionRules:
        """Batch element 0 repeated ``b`` times (writable copies)."""
        return replace(
            self, weight=np.repeat(self.weight[:1], b, axis=0),
            quota=np.repeat(self.quota[:1], b, axis=0),
            setter=np.repeat(self.setter[:1], b, axis=0),
            reversion=None if self.reversion is None else np.repeat(self.reversion[:1], b, axis=0),
        )


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
    rules: DecisionRules | None = None

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
            rules=None if self.rules is None else self.rules.take(index),
        )

    def normalised(self) -> tuple[Array, Array]:
        """Positions and status quo mapped to [0, 1] per issue (0 = lower end)."""
        span = self.upper - self.lower
        return (self.position - self.lower) / span, (self.status_quo - self.lower) / span

    def denormalise(self, unit: Array) -> Array:
        """Map values on [0, 1] (any leading shape, last axis = issue) back to the scale."""
        return self.lower + unit * (self.upper - self.lower)


class Event(IntEnum):
    """What a :class:`TraceEvent` records (``actor`` and ``other`` index the actors).

    Challenges (``CONFLICT``, ``COMPROMISE``, ``CAPITULATION``; the same numbers as the
    classification codes of :mod:`realpolitik.models.eum`): ``actor`` challenges ``other``,
    and the pair is of that kind as ``actor`` sees it; no values. Moves and proposals carry
    positions on the issue's scale and probabilities in ``values``:

    ==============================  ==================================================
    code                            ``values``
    ==============================  ==================================================
    ``ACCEPT_OFFER``                (from, to): ``actor`` moves on ``other``'s offer
    ``PROPOSE``                     (other's from, other's to, actor's from, actor's to,
                                    P[actor prevails]): ``actor`` proposes to ``other``
    ``PROPOSE_RECEIVER_VIEW``       as ``PROPOSE``, the receiver's interpolation
    ``ACCEPT_PROPOSAL``             (from, to, P): ``actor`` adopts ``other``'s proposal
                                    (``other == actor``: its own)
    ``ACCEPT_PROPOSAL_RECEIVER_VIEW`` as ``ACCEPT_PROPOSAL``, the receiver's interpolation
    ``KEEP``                        (position, P): ``actor`` keeps its position
    ``STOP``                        (movement of this round / the first round's,):
                                    the run stops after this round (actors -1)
    ==============================  ==================================================
    """

    CONFLICT = 1
    COMPROMISE = 2
    CAPITULATION = 3
    ACCEPT_OFFER = 4
    PROPOSE = 5
    PROPOSE_RECEIVER_VIEW = 6
    ACCEPT_PROPOSAL = 7
    ACCEPT_PROPOSAL_RECEIVER_VIEW = 8
    KEEP = 9
    STOP = 10


class TraceEvent(NamedTuple):
    """One event of a round: a code, the acting actor, its counterpart (-1: none), numbers."""

    code: Event
    actor: int
    other: int = -1
    values: tuple[float, ...] = ()


@dataclass(frozen=True, eq=False)
class TraceRecord:
    """One round of one issue of a model with rounds, for batch element 0 (numbers only).

    ``issue`` indexes the input's issues and ``positions`` (n,) holds every actor's position
    after the round on the issue's scale (round 0: the opening positions). ``median`` is the
    weighted median after the round (NaN where every weight is zero; None for models that do
    not report one). :mod:`realpolitik.presentation.traces` puts records into words.
    """

    model: str
    issue: int
    round: int
    positions: np.ndarray
    events: tuple[TraceEvent, ...] = ()
    median: float | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TraceRecord):
            return NotImplemented
        same_median = self.median == other.median or (
            self.median is not None
            and other.median is not None
            and np.isnan(self.median)
            and np.isnan(other.median)
        )
        return (
            (self.model, self.issue, self.round, self.events)
            == (other.model, other.issue, other.round, other.events)
            and same_median
            and np.array_equal(self.positions, other.positions)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable array inside


@dataclass(frozen=True)
class BargainingOutcome:
    """What a collective model predicts for each batch element.

    ``forecast`` (B, d) is the predicted outcome on each issue's scale. Models with rounds also
    fill ``final_position`` (B, n, d) and ``rounds`` (B,) (rounds until each element settled);
    ``extra`` holds model-specific arrays (documented by the model) and ``trace``, when asked
    for, one :class:`TraceRecord` per round and issue for batch element 0.
    """

    forecast: Array
    final_position: Array | None = None
    rounds: Array | None = None
    extra: dict[str, Array] = field(default_factory=dict)
    trace: list[TraceRecord] | None = None


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
    #: The model's ``engine`` choices besides ``"array"`` (the array-API reference); the
    #: runner passes ``engine="auto"`` on numpy (compiled where it applies) and ``"array"``
    #: on other backends.
    engines: tuple[str, ...] = ()

    def is_stochastic(self, params: Mapping[str, Any] | None = None) -> bool:
        """Whether a call with ``params`` draws random numbers from its seed."""
        if self.stochastic:
            return True
        return bool(self.stochastic_when(params or {})) if self.stochastic_when else False
