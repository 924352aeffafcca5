"""Monte Carlo over the uncertain utilities of a deal, with tidy pandas tables.

>>> from realpolitik.deal.api import negotiate
>>> result = negotiate("iraq-2024", samples=500, seed=1)
>>> result.packages(top=3)          # the most likely agreed packages with probabilities
>>> result.outcomes()               # P(agreement), P(broken), P(timed out) with 95% intervals
>>> result.solutions()              # Nash, Kalai-Smorodinsky, maximum welfare at point values

Every sample draws the parties' weights, value functions, no-agreement costs, the domestic
weight and the actors' inputs of the collective forecast from their distributions (each input
from its own random stream of :mod:`realpolitik.uncertainty.sampling`, so a seed gives the same
numbers whatever the chunking), builds the utilities of every package, and runs the
alternating-offers protocol and the solution concepts on all samples of a chunk at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from realpolitik.deal.domain import OutcomeSpace
from realpolitik.deal.domestic import collective_forecast
from realpolitik.deal.problem import ProblemDraws, draw_problem, utilities
from realpolitik.deal.protocol import (
    STATUS_NAMES,
    Strategy,
    alternating_offers,
    get_strategy,
)
from realpolitik.deal.scale import package_position
from realpolitik.deal.solutions import (
    distance_to_frontier,
    distance_to_package,
    individually_rational,
    kalai_smorodinsky_point,
    max_welfare_point,
    nash_point,
    pareto_mask,
    pick,
)
from realpolitik.deal.utility import point_draw, sample_draw
from realpolitik.errors import RealpolitikError
from realpolitik.jsonsafe import plain
from realpolitik.progress import CancelToken, Progress, report
from realpolitik.scenario.loader import DEFAULT_SCENARIO, load_scenario
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.sections.deal import DealSection

#: Solution concepts, in table order: (name, function).
CONCEPTS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("nash", nash_point),
    ("kalai-smorodinsky", kalai_smorodinsky_point),
    ("max welfare", max_welfare_point),
)
#: Fewer samples than this get a warning: the probabilities' intervals are wide.
FEW_SAMPLES = 200
#: Samples per chunk: bounds memory to a few (chunk, N) arrays.
DEFAULT_CHUNK = 256


def wilson(count: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval (95% by default) of a proportion ``count / n``."""
    if n <= 0:
        return (0.0, 1.0)
    p = count / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if count <= 0 else max(0.0, centre - half)
    hi = 1.0 if count >= n else min(1.0, centre + half)
    return (lo, hi)


@dataclass(frozen=True)
class PointWorld:
    """The bargaining problem at the inputs' point values (one deterministic world)."""

    ua: np.ndarray           # (N,)
    ub: np.ndarray           # (N,)
    ra: float
    rb: float
    pareto: np.ndarray       # (N,) bool
    concepts: dict[str, int | None]  # package index per concept (None: no IR package)
    status: int
    agreement: int           # -1 without agreement
    round: int
    offers: np.ndarray       # (T + 1,)
    forecast: float | None   # the collective forecast of the domestic issue
    position: np.ndarray | None  # (N,) each package's position on the domestic issue's scale


@dataclass(frozen=True)
class DealResult:
    """Monte Carlo result of a deal: thin and frozen; the tables derive from the arrays."""

    scenario: Scenario
    section: DealSection
    space: OutcomeSpace
    strategies: tuple[Strategy, Strategy]
    seed: int
    samples: int
    deadline: int
    opener: int
    model: str | None
    point: PointWorld
    status: np.ndarray           # (S,) AGREEMENT / BROKEN / TIMED_OUT
    agreement: np.ndarray        # (S,) package index, -1 without agreement
    round: np.ndarray            # (S,)
    utility: np.ndarray          # (S, 2) the parties' utilities of the agreement (NaN: none)
    reserved: np.ndarray         # (S, 2) reserved values
    concept_index: dict[str, np.ndarray] = field(default_factory=dict)  # (S,) per concept
    defined: np.ndarray | None = None        # (S,) some package is individually rational
    distance: dict[str, np.ndarray] = field(default_factory=dict)  # (S,) NaN without agreement
    forecast: np.ndarray | None = None       # (S,) collective forecast (domestic constraint)
    requested: int | None = None             # samples asked for, when interrupted before

    # -- basic figures ---------------------------------------------------------------------
    @property
    def parties(self) -> list[str]:
        """The two parties' actor ids."""
        return list(self.section.parties)

    @property
    def party_names(self) -> list[str]:
        """The two parties' names."""
        return [self.scenario.actor(a).name for a in self.section.parties]

    @property
    def agreed(self) -> np.ndarray:
        """(S,) mask of samples with an agreement."""
        return self.status == 0

    @property
    def p_agreement(self) -> float:
        """Probability of an agreement."""
        return float(np.mean(self.agreed)) if self.samples else float("nan")

    @property
    def p_no_deal(self) -> float:
        """Probability of no deal (broken or timed out)."""
        return 1.0 - self.p_agreement

    def warnings(self) -> list[str]:
        """Notes on how far to trust the figures."""
        out = []
        if self.requested is not None and self.requested > self.samples:
            out.append(f"interrupted: the figures use the {self.samples} samples finished of "
                       f"the {self.requested} asked for")
        if self.samples < FEW_SAMPLES:
            lo, hi = wilson(self.samples // 2, self.samples)
            out.append(f"only {self.samples} samples: a probability near 50% is uncertain by "
                       f"about ±{(hi - lo) / 2:.0%}; use {FEW_SAMPLES * 5} samples or more")
        if self.defined is not None and not np.all(self.defined):
            share = 1.0 - float(np.mean(self.defined))
            out.append(f"in {share:.0%} of samples no package gives both parties their reserved "
                       "value (no zone of agreement): Nash and Kalai-Smorodinsky are undefined "
                       "there")
        return out

    # -- tables ----------------------------------------------------------------------------
    def outcomes(self) -> pd.DataFrame:
        """Probability of each outcome (agreement, broken, timed out) with a 95% interval."""
        rows = []
        for code, name in enumerate(STATUS_NAMES):
            count = int(np.sum(self.status == code))
            lo, hi = wilson(count, self.samples)
            rows.append({"outcome": name, "count": count,
                         "probability": count / self.samples if self.samples else float("nan"),
                         "low": lo, "high": hi,
                         "mean_round": float(np.mean(self.round[self.status == code]))
                         if count else float("nan")})
        return pd.DataFrame(rows)

    def packages(self, top: int | None = 5) -> pd.DataFrame:
        """The most likely agreed packages: probability (95% interval), values, mean utilities."""
        agreed = self.agreement[self.agreed]
        if agreed.size == 0:
            cols = ["rank", "probability", "low", "high", *self.space.ids,
                    *(f"u[{p}]" for p in self.parties), "mean_round"]
            return pd.DataFrame(columns=cols)
        ids, counts = np.unique(agreed, return_counts=True)
        order = np.lexsort((ids, -counts))
        if top is not None:
            order = order[:top]
        rows = []
        for rank, k in enumerate(order, start=1):
            o, count = int(ids[k]), int(counts[k])
            mask = self.agreement == o
            lo, hi = wilson(count, self.samples)
            row: dict[str, Any] = {"rank": rank, "probability": count / self.samples,
                                   "low": lo, "high": hi}
            row.update(self.space.package(o))
            for j, p in enumerate(self.parties):
                row[f"u[{p}]"] = float(np.mean(self.utility[mask, j]))
            row["mean_round"] = float(np.mean(self.round[mask]))
            rows.append(row)
        return pd.DataFrame(rows)

    def issue_distribution(self) -> pd.DataFrame:
        """Per issue and value: probability of that value in the deal (and given an agreement)."""
        rows = []
        agreed = self.agreement[self.agreed]
        n_agreed = agreed.size
        for k, dom in enumerate(self.space.issues):
            values = self.space.index[agreed, k] if n_agreed else np.zeros(0, dtype=np.int64)
            counts = np.bincount(values, minlength=dom.size)
            for i in range(dom.size):
                rows.append({"issue": dom.id, "value": dom.value(i), "label": dom.labels[i],
                             "probability": counts[i] / self.samples,
                             "given_agreement": counts[i] / n_agreed if n_agreed else float("nan")})
        return pd.DataFrame(rows)

    def issue_summary(self) -> pd.DataFrame:
        """Per continuous issue: mean and 5%/50%/95% quantiles of the agreed value."""
        rows = []
        agreed = self.agreement[self.agreed]
        for k, dom in enumerate(self.space.issues):
            if dom.kind != "continuous" or agreed.size == 0:
                continue
            x = np.asarray(dom.levels)[self.space.index[agreed, k]]
            rows.append({"issue": dom.id, "unit": dom.unit, "mean": float(np.mean(x)),
                         "q05": float(np.quantile(x, 0.05)), "median": float(np.median(x)),
                         "q95": float(np.quantile(x, 0.95))})
        return pd.DataFrame(rows, columns=["issue", "unit", "mean", "q05", "median", "q95"])

    def solutions(self) -> pd.DataFrame:
        """Solution concepts at point values, with how the Monte Carlo agreements relate to them.

        Rows: ``nash``, ``kalai-smorodinsky``, ``max welfare`` and ``negotiated`` (the protocol's
        outcome at point values). ``p_agreement_equals`` is the share of samples whose agreement
        is that sample's own concept package; ``mean_distance`` the mean utility-plane distance
        of the agreements to it (for ``pareto frontier``: to the nearest Pareto package).
        """
        pt = self.point
        rows = []
        names = [*(n for n, _ in CONCEPTS), "negotiated", "pareto frontier"]
        for name in names:
            row: dict[str, Any] = {"concept": name}
            if name == "pareto frontier":
                o = None
            elif name == "negotiated":
                o = pt.agreement if pt.agreement >= 0 else None
            else:
                o = pt.concepts[name]
            row.update(dict.fromkeys(self.space.ids) if o is None else self.space.package(o))
            for j, p in enumerate(self.parties):
                u = pt.ua if j == 0 else pt.ub
                row[f"u[{p}]"] = float(u[o]) if o is not None else float("nan")
            if name == "negotiated":
                row["p_agreement_equals"] = float("nan")
                row["mean_distance"] = float("nan")
            elif name == "pareto frontier":
                d = self.distance["pareto frontier"][self.agreed]
                row["p_agreement_equals"] = float(np.mean(d <= 1e-9) * self.p_agreement) \
                    if d.size else 0.0
                row["mean_distance"] = float(np.mean(d)) if d.size else float("nan")
            else:
                same = self.agreed & (self.agreement == self.concept_index[name])
                row["p_agreement_equals"] = float(np.mean(same)) if self.samples else float("nan")
                d = self.distance[name][self.agreed]
                row["mean_distance"] = float(np.mean(d)) if d.size else float("nan")
            rows.append(row)
        return pd.DataFrame(rows)

    def domestic(self) -> dict[str, Any] | None:
        """The collective forecast that binds the domestic constraint: point value and spread."""
        dom = self.section.domestic
        if dom is None or self.forecast is None:
            return None
        f = self.forecast
        return {"party": dom.party, "issue": dom.issue, "model": self.model,
                "point": self.point.forecast, "mean": float(np.mean(f)),
                "q05": float(np.quantile(f, 0.05)), "q95": float(np.quantile(f, 0.95))}

    def to_json(self, top: int = 5) -> dict[str, Any]:
        """A JSON-ready summary: outcomes, packages, per-issue distributions, solutions."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]

        return {
            "scenario": {"id": self.scenario.id, "title": self.scenario.title,
                         "as_of": self.scenario.as_of.isoformat()},
            "parties": self.parties,
            "strategies": {p: s.name for p, s in zip(self.parties, self.strategies, strict=True)},
            "samples": self.samples, "seed": self.seed, "deadline": self.deadline,
            "opener": self.parties[self.opener],
            "p_agreement": self.p_agreement, "p_no_deal": self.p_no_deal,
            "outcomes": records(self.outcomes()),
            "packages": records(self.packages(top)),
            "issues": records(self.issue_distribution()),
            "solutions": records(self.solutions()),
            "domestic": self.domestic(),
            "warnings": self.warnings(),
        }



# ----------------------------------------------------------------------------------------------
def _strategies(section: DealSection, strategies: Mapping[str, str | Strategy]
                | Sequence[str | Strategy] | None) -> tuple[Strategy, Strategy]:
    if strategies is None:
        return (get_strategy("linear"), get_strategy("linear"))
    if isinstance(strategies, Mapping):
        unknown = [k for k in strategies if k not in section.parties]
        if unknown:
            raise RealpolitikError("strategies given for non-parties " + ", ".join(unknown)
                                   + "; the parties are " + ", ".join(section.parties))
        names = [strategies.get(p, "linear") for p in section.parties]
    else:
        names = list(strategies)
        if len(names) != 2:
            raise RealpolitikError(f"give two strategies, one per party, got {len(names)}")
    return (get_strategy(names[0]), get_strategy(names[1]))


def _concepts(ua: Any, ub: Any, ra: Any, rb: Any) -> tuple[dict[str, Any], Any]:
    ir = individually_rational(ua, ub, ra, rb)
    out = {name: fn(ua, ub, ra, rb, ir)[0] for name, fn in CONCEPTS}
    return out, np.any(ir, axis=1)


def _point_world(scenario: Scenario, section: DealSection, space: OutcomeSpace,
                 strategies: tuple[Strategy, Strategy], deadline: int, opener: int,
                 model: str | None, positions: str) -> PointWorld:
    forecast = None
    if section.domestic is not None:
        assert model is not None
        forecast = collective_forecast(scenario, section.domestic.issue, model,
                                       positions=positions)
    draws = draw_problem(scenario, section, space, point_draw(1), forecast, model or "")
    ua, ub, ra, rb = utilities(space, draws)
    concepts, defined = _concepts(ua, ub, ra, rb)
    out = alternating_offers(ua, ub, ra, rb, strategies, deadline, opener)
    position = None
    if draws.scale is not None:
        position = np.asarray(package_position(draws.scale, space.index, np))[0]
    return PointWorld(
        ua=ua[0], ub=ub[0], ra=float(ra[0]), rb=float(rb[0]), pareto=pareto_mask(ua, ub)[0],
        concepts={k: int(v[0]) if bool(defined[0]) else None for k, v in concepts.items()},
        status=int(out.status[0]), agreement=int(out.agreement[0]), round=int(out.round[0]),
        offers=np.asarray(out.offers[0]),
        forecast=None if forecast is None else float(forecast[0]), position=position,
    )


def _run_chunk(space: OutcomeSpace, draws: ProblemDraws, strategies: tuple[Strategy, Strategy],
               deadline: int, opener: int) -> dict[str, np.ndarray]:
    ua, ub, ra, rb = utilities(space, draws)
    out = alternating_offers(ua, ub, ra, rb, strategies, deadline, opener)
    agreed = out.status == 0
    safe = np.where(agreed, out.agreement, 0)
    nan = np.full(agreed.shape, np.nan)
    res: dict[str, np.ndarray] = {
        "status": np.asarray(out.status), "agreement": np.asarray(out.agreement),
        "round": np.asarray(out.round),
        "ua": np.where(agreed, pick(ua, safe), nan), "ub": np.where(agreed, pick(ub, safe), nan),
        "ra": np.asarray(ra), "rb": np.asarray(rb),
    }
    concepts, defined = _concepts(ua, ub, ra, rb)
    res["defined"] = np.asarray(defined)
    for name, idx in concepts.items():
        res[f"concept:{name}"] = np.asarray(idx)
        res[f"distance:{name}"] = np.where(agreed & defined,
                                           distance_to_package(ua, ub, safe, idx), nan)
    pareto = pareto_mask(ua, ub)
    res["distance:pareto frontier"] = np.where(agreed, distance_to_frontier(ua, ub, safe, pareto),
                                               nan)
    return res


def negotiate(
    scenario: Scenario | str | Path = DEFAULT_SCENARIO,
    *,
    samples: int = 1000,
    seed: int | None = 0,
    strategies: Mapping[str, str | Strategy] | Sequence[str | Strategy] | None = None,
    deadline: int | None = None,
    opener: str | None = None,
    model: str | None = None,
    positions: str | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
    interruptible: bool = False,
    cancel: CancelToken | None = None,
) -> DealResult:
    """Negotiate the scenario's deal ``samples`` times over its uncertain inputs.

    ``strategies``: per party id (or a pair in party order) a strategy name (``boulware``,
    ``linear``, ``conceder``, ``tit-for-tat``, ``time:E``); default linear for both.
    ``deadline``, ``opener``, ``model`` (of the collective forecast) and ``positions``
    (``stated``/``private`` actor positions in that forecast) override the section's.
    ``progress("negotiating", done, total)`` (:class:`realpolitik.progress.Progress`) is called
    after each chunk of samples, and ``cancel`` stops the run between chunks with
    :class:`~realpolitik.errors.Cancelled`. With ``interruptible=True`` a KeyboardInterrupt after
    the first chunk stops the run and returns the finished samples (the result's warnings say
    so) instead of losing them.
    """
    from realpolitik.models.registry import DEFAULT_MODEL
    from realpolitik.seeds import resolve_seed

    sc = load_scenario(scenario)
    section = getattr(sc, "deal", None)
    if section is None:
        raise RealpolitikError(f"scenario {sc.id!r} has no `deal` section; see docs/deal.md for "
                               "how to write one (parties, issues, utilities)")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise RealpolitikError(f"samples must be a positive integer, got {samples!r}")
    if chunk < 1:
        raise RealpolitikError(f"chunk must be a positive integer, got {chunk!r}")
    seed = resolve_seed(seed)
    space = OutcomeSpace.from_section(section)
    strats = _strategies(section, strategies)
    deadline = section.deadline if deadline is None else int(deadline)
    if deadline < 1:
        raise RealpolitikError(f"the deadline must be at least 1 round, got {deadline}")
    opener_id = opener or section.opener or section.parties[0]
    if opener_id not in section.parties:
        raise RealpolitikError(f"opener {opener_id!r} is not a party; the parties are "
                               + ", ".join(section.parties))
    first = section.parties.index(opener_id)
    dom = section.domestic
    model_name = None
    pos = positions or (dom.positions if dom is not None else "stated")
    if pos not in ("stated", "private"):
        raise RealpolitikError(f"positions must be 'stated' or 'private', got {pos!r}")
    if dom is not None:
        from realpolitik.models.registry import get_model

        model_name = get_model(model or dom.model or DEFAULT_MODEL).name

    point = _point_world(sc, section, space, strats, deadline, first, model_name, pos)
    forecast = None
    if dom is not None:
        assert model_name is not None
        forecast = collective_forecast(sc, dom.issue, model_name, positions=pos,
                                       samples=samples, seed=seed)
    draws = draw_problem(sc, section, space, sample_draw(seed, 0, samples), forecast,
                         model_name or "")
    parts: list[dict[str, np.ndarray]] = []
    done = 0
    try:
        for start in range(0, samples, chunk):
            stop = min(samples, start + chunk)
            parts.append(_run_chunk(space, draws.take(slice(start, stop)), strats, deadline,
                                    first))
            done = stop
            report(progress, cancel, "negotiating", stop, samples)
    except KeyboardInterrupt:
        if not interruptible or not parts:
            raise
    res = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    if forecast is not None:
        forecast = forecast[:done]
    return DealResult(
        scenario=sc, section=section, space=space, strategies=strats, seed=seed,
        samples=done, requested=samples if done < samples else None,
        deadline=deadline, opener=first, model=model_name, point=point,
        status=res["status"], agreement=res["agreement"], round=res["round"],
        utility=np.stack([res["ua"], res["ub"]], axis=1),
        reserved=np.stack([res["ra"], res["rb"]], axis=1),
        concept_index={n: res[f"concept:{n}"] for n, _ in CONCEPTS},
        defined=res["defined"],
        distance={k.split(":", 1)[1]: v for k, v in res.items() if k.startswith("distance:")},
        forecast=forecast,
    )
