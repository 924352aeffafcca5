"""Leverage: how the forecast changes without an actor, and the best move for an actor.

**Removal.** Each actor is taken out of the bargaining (its row dropped from the model's
arrays) and the model rerun: the change of the forecast is that actor's *leverage* under the
model, which, unlike a power index, accounts for where the actor stands.

**Best move.** For a chosen actor A and an issue, we search over *levers*, each a one-parameter
change ``t`` in [0, 1] of one other actor's inputs:

- ``position``: actor k moves its position toward A's by the fraction t of their distance;
- ``salience``: actor k's salience moves toward 1 if k stands on A's side of the forecast
  (closer to A's position than the forecast is) and toward 0 otherwise, by the fraction t;
- ``lend``: actor k lends A the fraction t of its capability (k loses what A gains);
- ``own salience``: A's own salience on the issue rises toward 1 by the fraction t.

Without an issue or a band, the search is on the scenario's main (first) issue, and a note says so.

Every lever is evaluated on a grid of t (all levers and grid points in one batched model call per
lever) and, where the forecast (or, with Monte Carlo samples, its median) enters the target band,
refined by bisection to the smallest t that does. The target is a named outcome band of the
issue (``--target-band``), by default the band holding A's own position. Levers that cannot
reach it are ranked by how far they move the forecast toward A's position at t = 1.
These are model-based *what ifs*, not predictions of what actors will do.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from realpolitik.errors import RealpolitikError
from realpolitik.models.base import BargainingInput
from realpolitik.runner import run_model, to_numpy
from realpolitik.scenario.arrays import PositionKind, to_input
from realpolitik.scenario.schema import Scenario
from realpolitik.seeds import resolve_seed
from realpolitik.uncertainty.sampling import sample_inputs


def drop_actor(inp: BargainingInput, i: int) -> BargainingInput:
    """The input without actor ``i``."""
    keep = [k for k in range(inp.n_actors) if k != i]
    return replace(inp, position=inp.position[:, keep], salience=inp.salience[:, keep],
                   capability=inp.capability[:, keep],
                   actor_ids=tuple(inp.actor_ids[k] for k in keep) if inp.actor_ids else (),
                   rules=None if inp.rules is None else inp.rules.without_actor(i))


def removal_effects(
    scenario: Scenario, model: str = "median", *, positions: PositionKind = "stated", seed: int = 0,
    params: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Per actor and issue: the forecast without the actor and the change from the full forecast."""
    from realpolitik.models.registry import get_model

    seed = resolve_seed(seed)
    spec = get_model(model)
    inp = to_input(scenario, positions=positions)
    base = np.asarray(to_numpy(run_model(spec, inp, seed=seed, params=params).forecast))[0]
    rows = []
    for i, actor in enumerate(scenario.actors):  # one model run per actor (n changes)
        f = np.asarray(to_numpy(run_model(spec, drop_actor(inp, i), seed=seed,
                                          params=params).forecast))[0]
        for j, issue in enumerate(scenario.issues):
            rows.append({"actor": actor.id, "name": actor.name, "issue": issue.id,
                         "forecast": float(base[j]), "without": float(f[j]),
                         "change": float(f[j] - base[j])})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Lever:
    """One way to move the forecast: ``kind`` of change of actor ``via`` on ``issue``."""

    kind: str
    via: str
    issue: str


@dataclass(frozen=True)
class BestMove:
    """Result of :func:`best_move`: one row per lever in ``frame``, best first."""

    actor: str
    issue: str
    target: str
    target_range: tuple[float, float]
    actor_position: float
    baseline: float
    frame: pd.DataFrame
    samples: int
    notes: list[str] = field(default_factory=list)

    @property
    def reached(self) -> pd.DataFrame:
        """Levers that bring the forecast into the target band, smallest change first."""
        return self.frame[self.frame["reaches"]]


def _apply(inp: BargainingInput, lever: Lever, t: np.ndarray, i_a: int, j: int,
           forecast: float, ids: list[str]) -> BargainingInput:
    """Copies of ``inp`` (B, ...) with the lever applied at strength t (B,)."""
    pos, sal, cap = inp.position.copy(), inp.salience.copy(), inp.capability.copy()
    k = ids.index(lever.via)
    if lever.kind == "position":
        pos[:, k, j] = pos[:, k, j] + t * (pos[:, i_a, j] - pos[:, k, j])
    elif lever.kind == "salience":
        toward = np.where(np.abs(pos[:, k, j] - pos[:, i_a, j]) < np.abs(forecast - pos[:, i_a, j]),
                          1.0, 0.0)
        sal[:, k, j] = sal[:, k, j] + t * (toward - sal[:, k, j])
    elif lever.kind == "lend":
        moved = t * cap[:, k]
        cap[:, k] = cap[:, k] - moved
        cap[:, i_a] = cap[:, i_a] + moved
    elif lever.kind == "own salience":
        sal[:, i_a, j] = sal[:, i_a, j] + t * (1.0 - sal[:, i_a, j])
    return replace(inp, position=pos, salience=sal, capability=cap)


def _share(t: float) -> str:
    return "all the way" if t >= 1 else f"{t:.0%} of the way"


def _lever_text(lever: Lever, actor: str, t: float, base: BargainingInput, i_a: int, j: int,
                ids: list[str], forecast: float, names: dict[str, str],
                ) -> tuple[str, float, str, float, float]:
    """(clause, size of the change, unit, value before, value after) of a lever at strength t.

    The clause reads as the condition of a sentence: "the PMF moves its position from 8 to 20".
    """
    k = ids.index(lever.via)
    who, whom = names[lever.via], actor
    if lever.kind == "position":
        x, xa = float(base.position[0, k, j]), float(base.position[0, i_a, j])
        new = x + t * (xa - x)
        return (f"{who} moves its position from {x:.1f} to {new:.1f} ({_share(t)} to {whom}'s "
                f"{xa:.1f})", abs(new - x), "scale points", x, new)
    if lever.kind == "salience":
        s = float(base.salience[0, k, j])
        x, xa = float(base.position[0, k, j]), float(base.position[0, i_a, j])
        toward = 1.0 if abs(x - xa) < abs(forecast - xa) else 0.0
        new = s + t * (toward - s)
        verb = "raises" if toward > s else "lowers"
        return (f"{who} {verb} its salience from {s:.2f} to {new:.2f}", abs(new - s),
                "salience", s, new)
    if lever.kind == "lend":
        c = float(base.capability[0, k])
        return (f"{who} lends {whom} {t * c:.1f} of its {c:.1f} capability ({t:.0%})",
                t * c, "capability", c, c - t * c)
    s = float(base.salience[0, i_a, j])
    return (f"{whom} raises its own salience from {s:.2f} to {s + t * (1 - s):.2f}",
            t * (1 - s), "salience", s, s + t * (1 - s))


def best_move(
    scenario: Scenario, actor: str, model: str = "median", *, issue: str | None = None,
    target_band: str | None = None, positions: PositionKind = "stated", seed: int = 0,
    samples: int = 0, steps: int = 21, refine: int = 8, params: dict[str, Any] | None = None,
) -> BestMove:
    """Search the levers that bring the forecast on ``issue`` into ``target_band`` (see the module)."""
    from realpolitik.models.registry import get_model

    seed = resolve_seed(seed)
    spec = get_model(model)
    ids = scenario.actor_ids
    if actor not in ids:
        raise RealpolitikError(f"unknown actor {actor!r}; actors are: {', '.join(ids)}")
    iss, band, chosen = _target(scenario, actor, issue, target_band, positions)
    names = {a.id: a.name for a in scenario.actors}
    j = scenario.issue_ids.index(iss.id)
    i_a = ids.index(actor)
    point = to_input(scenario, positions=positions)
    base = sample_inputs(scenario, samples, seed, positions) if samples else point
    s = base.batch
    xa = float(point.position[0, i_a, j])
    levers = [Lever(kind, k, iss.id) for k in ids if k != actor
              for kind in ("position", "salience", "lend")]
    levers.append(Lever("own salience", actor, iss.id))

    f0 = np.asarray(to_numpy(run_model(spec, base, seed=seed, params=params).forecast))
    baseline = float(np.median(f0[:, j]))

    def evaluate(lever: Lever, ts: np.ndarray) -> np.ndarray:
        """Forecast (or sample median) on the issue for each t in ts."""
        tiled = _tile(base, len(ts))
        t_full = np.repeat(ts, s)
        moved = _apply(tiled, lever, t_full, i_a, j, baseline, ids)
        f = np.asarray(to_numpy(run_model(spec, moved, seed=seed, params=params).forecast))
        return np.median(f[:, j].reshape(len(ts), s), axis=1)

    lo, hi = band.low, band.high
    grid = np.linspace(0.0, 1.0, steps)
    rows = []
    for lever in levers:  # one batched model call per lever (grid x samples)
        f = evaluate(lever, grid)
        inside = (f >= lo) & (f <= hi)
        if inside[0]:
            t_min, f_min = 0.0, float(f[0])
        elif inside.any():
            k = int(np.argmax(inside))
            a, b, fb = float(grid[k - 1]), float(grid[k]), float(f[k])
            for _ in range(refine):
                mid = (a + b) / 2
                fm = float(evaluate(lever, np.array([mid]))[0])
                if lo <= fm <= hi:
                    b, fb = mid, fm
                else:
                    a = mid
            t_min, f_min = b, fb
        else:
            t_min, f_min = float("nan"), float("nan")
        reaches = not np.isnan(t_min)
        text, size, unit, before, after = _lever_text(lever, actor, t_min if reaches else 1.0,
                                                      point, i_a, j, ids, baseline, names)
        rows.append({
            "lever": lever.kind, "via": lever.via, "issue": iss.id, "reaches": reaches,
            "strength": t_min, "change": size if reaches else float("nan"), "unit": unit,
            "forecast_at": f_min, "forecast_full": float(f[-1]),
            "gain_full": abs(baseline - xa) - abs(float(f[-1]) - xa),
            "before": before, "after": after, "description": text,
        })
    frame = pd.DataFrame(rows)
    frame = frame.sort_values(["reaches", "strength", "gain_full"], ascending=[False, True, False],
                              na_position="last").reset_index(drop=True)
    notes = [] if chosen is None else [chosen]
    if lo <= baseline <= hi:
        notes.append(f"the forecast ({baseline:.1f}) already lies in '{band.name}'")
    if samples:
        notes.append(f"forecasts are medians over {samples} Monte Carlo samples (seed {seed})")
    return BestMove(actor, iss.id, band.name, (lo, hi), xa, baseline, frame, samples, notes)


def _tile(inp: BargainingInput, times: int) -> BargainingInput:
    """The whole batch repeated ``times`` times (block after block)."""
    return replace(inp, position=np.tile(inp.position, (times, 1, 1)),
                   salience=np.tile(inp.salience, (times, 1, 1)),
                   capability=np.tile(inp.capability, (times, 1)),
                   status_quo=np.tile(inp.status_quo, (times, 1)),
                   rules=None if inp.rules is None else inp.rules.tiled(times))


def _target(scenario: Scenario, actor: str, issue: str | None, band_name: str | None,
            positions: PositionKind) -> tuple[Any, Any, str | None]:
    """The issue and band to aim for, and a note when the main issue was chosen; clear errors."""
    issues = [scenario.issue(issue)] if issue else list(scenario.issues)
    chosen = None
    if issue is None and band_name is None and len(issues) > 1:
        issues = issues[:1]
        chosen = (f"no issue named: the main (first) issue, {issues[0].name} ({issues[0].id}), "
                  "is used; the others are " + ", ".join(scenario.issue_ids[1:]))
    if band_name is not None:
        hits = [(i, b) for i in issues for b in i.bands if b.name.lower() == band_name.lower()]
        if not hits:
            known = "; ".join(f"{i.id}: " + ", ".join(repr(b.name) for b in i.bands)
                              for i in issues if i.bands) or "none"
            raise RealpolitikError(f"no outcome band named {band_name!r}; bands are {known}")
        if len(hits) > 1:
            raise RealpolitikError(f"band {band_name!r} exists on several issues; name the issue",
                                   options=("issue",))
        return (*hits[0], None)
    iss = issues[0]
    if not iss.bands:
        raise RealpolitikError(f"issue {iss.id!r} has no outcome bands to aim for; add `bands` "
                               "to the scenario")
    inp = to_input(scenario, positions=positions)
    xa = float(inp.position[0, scenario.actor_ids.index(actor), scenario.issue_ids.index(iss.id)])
    for b in iss.bands:
        if b.low <= xa <= b.high:
            return iss, b, chosen
    raise RealpolitikError(f"{actor}'s position ({xa:g}) lies in no band of {iss.id}; "
                           "name a target band", options=("target_band",))
