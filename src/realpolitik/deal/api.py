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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.deal.beliefs import TypeDraws, belief_spec, draw_types
from realpolitik.deal.breakdown import Pressure, draw_pressure
from realpolitik.deal.domain import OutcomeSpace
from realpolitik.deal.domestic import collective_forecast
from realpolitik.deal.private import private_offers
from realpolitik.deal.problem import ProblemDraws, draw_problem, utilities
from realpolitik.deal.protocol import (
    Strategy,
    alternating_offers,
    get_strategy,
)
from realpolitik.deal.result import CONCEPTS, DEFAULT_CHUNK, DealResult, PointWorld, wilson
from realpolitik.deal.scale import package_position
from realpolitik.deal.solutions import (
    distance_to_frontier,
    distance_to_package,
    individually_rational,
    pareto_mask,
    pick,
)
from realpolitik.deal.utility import point_draw, sample_draw
from realpolitik.errors import RealpolitikError
from realpolitik.progress import CancelToken, Progress, report
from realpolitik.scenario.loader import DEFAULT_SCENARIO, load_scenario
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.sections.deal import DealSection

__all__ = ["DealResult", "negotiate", "point_on_scale", "wilson"]


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
                 model: str | None, positions: str,
                 params: dict[str, Any] | None = None) -> PointWorld:
    forecast = None
    if section.domestic is not None:
        assert model is not None
        forecast = collective_forecast(scenario, section.domestic.issue, model,
                                       positions=positions, params=params)
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


@dataclass(frozen=True)
class _Run:
    """What every chunk shares: the outcome space, strategies, protocol settings, types."""

    space: OutcomeSpace
    strategies: tuple[Strategy, Strategy]
    deadline: int
    opener: int
    types: tuple[TypeDraws, TypeDraws] | None   # None: complete information


def _run_chunk(run: _Run, draws: ProblemDraws, pressure: Pressure,
               types: tuple[TypeDraws, TypeDraws] | None) -> dict[str, np.ndarray]:
    space = run.space
    ua, ub, ra, rb = utilities(space, draws)
    if types is None:
        out = alternating_offers(ua, ub, ra, rb, run.strategies, run.deadline, run.opener,
                                 rise=pressure.rise, shock=pressure.shock)
    else:
        beliefs = (types[0].belief(space), types[1].belief(space))
        out = private_offers(ua, ub, ra, rb, beliefs, run.strategies, run.deadline,
                             run.opener, rise=pressure.rise, shock=pressure.shock).outcome
    agreed = out.status == 0
    safe = np.where(agreed, out.agreement, 0)
    nan = np.full(agreed.shape, np.nan)
    res: dict[str, np.ndarray] = {
        "status": np.asarray(out.status), "agreement": np.asarray(out.agreement),
        "round": np.asarray(out.round),
        "ua": np.where(agreed, pick(ua, safe), nan), "ub": np.where(agreed, pick(ub, safe), nan),
        "ra": np.asarray(ra), "rb": np.asarray(rb),
        "months": pressure.round_months * np.asarray(out.round),
    }
    if draws.scale is not None:
        pos = package_position(draws.scale, space.index, np)
        res["position"] = np.where(agreed, pick(pos, safe), nan)
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


def _information(section: DealSection, information: str | None) -> str:
    """``complete`` or ``private``; by default private where the section declares beliefs."""
    info = information or ("private" if section.beliefs else "complete")
    if info not in ("complete", "private"):
        raise RealpolitikError(f"information must be 'complete' or 'private', got {info!r}")
    return info


def _shock_uniforms(seed: int, samples: int, deadline: int) -> np.ndarray:
    from realpolitik.uncertainty.sampling import uniforms

    return np.stack([uniforms(seed, f"deal.breakdown.shock.{t}", 0, samples)
                     for t in range(deadline + 1)], axis=1)


#: Share of the deal's progress taken by the collective Monte Carlo forecast before the talks.
FORECAST_SHARE = 0.6


def _permille(first: float, fraction: float) -> tuple[int, int]:
    """``(done, 1000)`` for ``fraction`` of the part of the job after ``first``."""
    return round(1000 * (first + (1.0 - first) * fraction)), 1000


def _phase(progress: Progress | None, first: float, share: float, stage: str) -> Progress | None:
    """A progress callable reporting a sub-task as the part ``[first, first + share]`` of 1000."""
    if progress is None:
        return None

    def inner(_stage: str, done: int, total: int) -> None:
        progress(stage, round(1000 * (first + share * done / max(total, 1))), 1000)

    return inner


def negotiate(
    scenario: Scenario | str | Path = DEFAULT_SCENARIO,
    *,
    samples: int = 1000,
    seed: int | None = 0,
    strategies: Mapping[str, str | Strategy] | Sequence[str | Strategy] | None = None,
    deadline: int | None = None,
    opener: str | None = None,
    model: str | None = None,
    ensemble_weights: Mapping[str, float] | None = None,
    positions: str | None = None,
    information: str | None = None,
    spread: float | None = None,
    types: int | None = None,
    centre: str | None = None,
    breakdown: bool = True,
    attacks: np.ndarray | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
    interruptible: bool = False,
    cancel: CancelToken | None = None,
) -> DealResult:
    """Negotiate the scenario's deal ``samples`` times over its uncertain inputs.

    ``strategies``: per party id (or a pair in party order) a strategy name (``boulware``,
    ``linear``, ``conceder``, ``tit-for-tat``, ``time:E``); default linear for both.
    ``deadline``, ``opener``, ``model`` (of the collective forecast; ``ensemble_weights`` are
    the ensemble's member weights when that model is the ensemble) and ``positions``
    (``stated``/``private`` actor positions in that forecast) override the section's.
    ``information``: ``complete`` (each side knows the other's utility in a sample) or
    ``private`` (beliefs over opponent types, Bayesian learning; :mod:`.private`); by default
    private where the section declares ``beliefs``. ``spread``, ``types`` and ``centre``
    override every belief's (``centre='truth', spread=0``: exact beliefs). ``breakdown=False``
    switches off the section's breakdown risk and attack cost; ``attacks`` (samples, months)
    are the monthly attacks under the status quo that drive the cost (the service layer
    :func:`realpolitik.api.deal.negotiate` computes them from the dynamics).
    ``progress(stage, done, 1000)`` (:class:`realpolitik.progress.Progress`; per mille of the
    whole call: the collective forecast first, where a domestic constraint needs one) is called
    after each chunk of samples, and ``cancel`` stops the run between chunks with
    :class:`~realpolitik.errors.Cancelled`. With ``interruptible=True`` a KeyboardInterrupt after
    the first chunk stops the run and returns the finished samples (the result's warnings say
    so) instead of losing them.
    """
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
    if attacks is not None and np.shape(attacks)[0] < samples:
        raise RealpolitikError(f"attacks need one row per sample ({samples}), got "
                               f"{np.shape(attacks)[0]}")
    seed = resolve_seed(seed)
    space = OutcomeSpace.from_section(section)
    strats = _strategies(section, strategies)
    deadline = section.deadline if deadline is None else int(deadline)
    if deadline < 1:
        raise RealpolitikError(f"the deadline must be at least 1 round, got {deadline}")
    first = _opener(section, opener)
    info = _information(section, information)
    model_name, pos = _model_and_positions(section, model, positions)

    report(progress, cancel, "the talks at the point values", 0, 1000)
    params = _model_params(model_name, ensemble_weights)
    point = _point_world(sc, section, space, strats, deadline, first, model_name, pos, params)
    forecast = None
    if section.domestic is not None:
        assert model_name is not None
        forecast = collective_forecast(
            sc, section.domestic.issue, model_name, positions=pos, samples=samples, seed=seed,
            params=params, progress=_phase(progress, 0.0, FORECAST_SHARE,
                            f"the {model_name} forecast behind the domestic constraint"))
    draw = sample_draw(seed, 0, samples)
    draws = draw_problem(sc, section, space, draw, forecast, model_name or "")
    pressure = draw_pressure(section, draw, samples, deadline,
                             uniforms=_shock_uniforms(seed, samples, deadline),
                             attacks=attacks, enabled=breakdown)
    type_draws = None
    if info == "private":
        specs = [belief_spec(section, section.parties[h], draw, samples, spread=spread,
                             types=types, centre=centre) for h in (0, 1)]
        type_draws = tuple(draw_types(space, section, h, specs[h], draw, draws.domestic)
                           for h in (0, 1))
        chunk = max(1, chunk // max(specs[0].types, specs[1].types, 1) * 2)
    run = _Run(space, strats, deadline, first, type_draws)  # type: ignore[arg-type]
    parts: list[dict[str, np.ndarray]] = []
    done = 0
    try:
        for start in range(0, samples, chunk):
            stop = min(samples, start + chunk)
            part = slice(start, stop)
            chunk_types = None if type_draws is None else \
                (type_draws[0].take(part), type_draws[1].take(part))
            parts.append(_run_chunk(run, draws.take(part), pressure.take(part), chunk_types))
            done = stop
            report(progress, cancel, "negotiating", *_permille(
                (FORECAST_SHARE if forecast is not None else 0.0), stop / samples))
    except KeyboardInterrupt:
        if not interruptible or not parts:
            raise
    res = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
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
        forecast=None if forecast is None else forecast[:done],
        information=info, months=res["months"], position=res.get("position"),
        breakdown=breakdown and section.breakdown is not None,
        attacks=None if pressure.attacks is None else pressure.attacks[:done],
    )


def point_on_scale(scenario: Scenario | str | Path = DEFAULT_SCENARIO, *,
                   model: str | None = None, positions: str | None = None,
                   ensemble_weights: Mapping[str, float] | None = None,
                   strategies: Mapping[str, str | Strategy] | Sequence[str | Strategy] | None
                   = None) -> dict[str, Any] | None:
    """Where the package negotiated at point values lands on the mapped scenario issue.

    Cheap (one collective forecast and one run of the protocol at point values, complete
    information, no breakdown): for ``forecast`` to show next to a collective model's forecast.
    ``model`` drives the domestic constraint (default: the section's). A dict with ``issue``,
    ``negotiated`` (None without agreement), ``concepts`` (Nash, Kalai-Smorodinsky, maximum
    welfare), ``coalition`` (the collective forecast the constraint used) and ``model``;
    None when the scenario has no deal or no package-to-scale mapping.
    """
    sc = load_scenario(scenario)
    section = getattr(sc, "deal", None)
    if section is None or section.mapping() is None:
        return None
    space = OutcomeSpace.from_section(section)
    model_name, pos = _model_and_positions(section, model, positions)
    strats = _strategies(section, strategies)
    pt = _point_world(sc, section, space, strats, section.deadline, _opener(section, None),
                      model_name, pos, _model_params(model_name, ensemble_weights))
    if pt.position is None:
        return None
    issue = section.mapping().issue  # type: ignore[union-attr]
    return {
        "issue": issue, "model": model_name, "coalition": pt.forecast,
        "negotiated": float(pt.position[pt.agreement]) if pt.agreement >= 0 else None,
        "concepts": {k: None if o is None else float(pt.position[o])
                     for k, o in pt.concepts.items()},
        "package": space.package(pt.agreement) if pt.agreement >= 0 else None,
    }


def _model_params(model: str | None, weights: Mapping[str, float] | None) -> dict[str, Any] | None:
    """The collective model's parameters: the ensemble's weights (None: equal) when it is one."""
    from realpolitik.models.ensemble import NAME as ENSEMBLE

    if model != ENSEMBLE or weights is None:
        return None
    return {"weights": dict(weights)}


def _opener(section: DealSection, opener: str | None) -> int:
    opener_id = opener or section.opener or section.parties[0]
    if opener_id not in section.parties:
        raise RealpolitikError(f"opener {opener_id!r} is not a party; the parties are "
                               + ", ".join(section.parties))
    return section.parties.index(opener_id)


def _model_and_positions(section: DealSection, model: str | None,
                         positions: str | None) -> tuple[str | None, str]:
    from realpolitik.models.registry import DEFAULT_MODEL, get_model

    dom = section.domestic
    pos = positions or (dom.positions if dom is not None else "stated")
    if pos not in ("stated", "private"):
        raise RealpolitikError(f"positions must be 'stated' or 'private', got {pos!r}")
    if dom is None:
        return None, pos
    return get_model(model or dom.model or DEFAULT_MODEL).name, pos
