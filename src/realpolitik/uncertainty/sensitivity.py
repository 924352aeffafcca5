"""Which uncertain inputs drive a forecast: Sobol indices (via SALib) and one-at-a-time swings.

**Sobol indices** (Sobol' 2001, *Math. Comput. Simul.* 55: 271-280; estimators of Saltelli et al.
2010, *Comput. Phys. Commun.* 181: 259-270, as implemented by SALib, Herman & Usher 2017,
*JOSS* 2(9): 97). The first-order index S1 of an input is the share of the forecast's variance
that the input explains alone; the total index ST adds every interaction it takes part in. An
input with ST near 0 can be fixed at its point value without changing the forecast's spread.
Confidence intervals (95 %) come from SALib's bootstrap. The design is a scrambled Sobol
sequence on the unit cube, mapped to each input through its quantile function (so the marginal
distributions are exactly the scenario's); it needs ``N (m + 2)`` model runs for ``m`` inputs
(or groups), with N a power of two. Sobol indices assume independent inputs: a scenario's
``correlations`` are not used here (the result says so).

**One-at-a-time swings** (the tornado plot): each uncertain input alone is set to its 5 % and
95 % quantiles while the others stay at their point values; the swing is the change of the
forecast. Cheap (2m runs) and easy to read, but blind to interactions, which Sobol indices see.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from realpolitik.errors import RealpolitikError
from realpolitik.models.base import BargainingInput
from realpolitik.progress import Progress
from realpolitik.runner import run_chunks, run_model, to_numpy
from realpolitik.scenario.arrays import PositionKind, to_input
from realpolitik.scenario.schema import Scenario
from realpolitik.seeds import resolve_seed
from realpolitik.uncertainty.inputs import Slot, uncertain_slots
from realpolitik.uncertainty.montecarlo import default_chunk_size
from realpolitik.uncertainty.panel import combine_uniforms, input_quantile
from realpolitik.uncertainty.sampling import active_correlations, inputs_from_uniforms

GroupBy = Literal["input", "actor"]
_EDGE = 2.0**-53


@dataclass(frozen=True)
class SobolResult:
    """Sobol indices of each issue's forecast: ``frame`` has one row per issue and input (or group)."""

    frame: pd.DataFrame
    base_samples: int
    evaluations: int
    model: str
    seed: int
    notes: list[str] = field(default_factory=list)

    def top(self, issue: str, k: int = 10) -> pd.DataFrame:
        """The ``k`` inputs with the largest total index ST on ``issue``."""
        sub = self.frame[self.frame["issue"] == issue]
        return sub.sort_values("ST", ascending=False).head(k)


def _group_of(slot: Slot, by: GroupBy) -> str:
    if by == "actor":
        return f"actor {slot.actor}" if slot.actor else f"issue {slot.issue} status quo"
    return slot.path


#: The two parts of an expert panel's variance that get a Sobol index each.
DISAGREEMENT = "expert disagreement"
OWN = "experts' own uncertainty"


def _split(slot: Slot) -> bool:
    """Whether a slot is a linear pool of several experts (its two parts are indexed apart)."""
    return len(slot.value.experts) > 1 and slot.value.pool == "linear"


def _variables(slots: list[Slot], by: GroupBy) -> list[tuple[str, str, int]]:
    """(design variable, group, slot index) of the Sobol design: one per slot, two per panel.

    A linear pool is drawn from two independent uniforms, which expert and that expert's own
    draw (:func:`realpolitik.uncertainty.panel.combine_uniforms`), so Sobol indices split its
    share of the forecast's variance into the experts' disagreement and their own uncertainty.
    """
    out = []
    for k, s in enumerate(slots):
        group = _group_of(s, by)
        if _split(s):
            for part in (DISAGREEMENT, OWN):
                name = f"{s.path} [{part}]"
                out.append((name, name if by == "input" else group, k))
        else:
            out.append((s.path, group, k))
    return out


def _slot_uniforms(slots: list[Slot], design: np.ndarray) -> np.ndarray:
    """The design's columns as one uniform per slot (a panel's two columns combined)."""
    cols = []
    c = 0
    for s in slots:
        if _split(s):
            cols.append(combine_uniforms(s.value, design[:, c], design[:, c + 1]))
            c += 2
        else:
            cols.append(design[:, c])
            c += 1
    return np.ascontiguousarray(np.stack(cols, axis=1))


def _evaluate(scenario: Scenario, spec: Any, u: np.ndarray, positions: PositionKind, seed: int,
              backend: str, device: str | None, params: dict[str, Any],
              slots: list[Slot], progress: Progress | None = None) -> np.ndarray:
    """Forecasts (rows of u, d) for a design ``u`` on the unit cube, in bounded chunks."""
    size = default_chunk_size(len(scenario.actors), len(scenario.issues))

    def make_input(start: int, stop: int) -> BargainingInput:
        return inputs_from_uniforms(scenario, u[start:stop], positions, slots)

    return run_chunks(spec, make_input, u.shape[0], seed=seed, chunk_size=size, backend=backend,
                      device=device, params=params, progress=progress, stage="Sobol design")


def sobol(
    scenario: Scenario, model: str = "median", samples: int = 1024, seed: int = 0, *,
    positions: PositionKind = "stated", by: GroupBy = "input", resamples: int = 200,
    backend: str = "numpy", device: str | None = None, params: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> SobolResult:
    """Sobol first-order and total indices (95 % CI) of every issue's forecast to every uncertain input.

    ``progress(stage, done, total)`` follows the model runs of the design.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    from realpolitik.models.registry import get_model

    seed = resolve_seed(seed)
    spec = get_model(model)
    slots = uncertain_slots(scenario, positions)
    if not slots:
        raise RealpolitikError("the scenario has no uncertain inputs (no input has a "
                               "`distribution`), so there is nothing to attribute")
    if samples < 2:
        raise RealpolitikError(f"samples must be at least 2, got {samples}", options=("samples",))
    n_base = 1 << (samples - 1).bit_length()
    notes = []
    if n_base != samples:
        notes.append(f"N rounded up from {samples} to {n_base}, a power of two, as Sobol "
                     "sequences need")
    if active_correlations(scenario, slots):
        notes.append("the scenario's correlations are not used: Sobol indices assume "
                     "independent inputs")
    variables = _variables(slots, by)
    names = list(dict.fromkeys(g for _, g, _ in variables))
    problem: dict[str, Any] = {"num_vars": len(variables), "names": [v for v, _, _ in variables],
                               "bounds": [[0.0, 1.0]] * len(variables)}
    if by != "input":
        problem["groups"] = [g for _, g, _ in variables]
    design = sobol_sample.sample(problem, n_base, calc_second_order=False, scramble=True,
                                 seed=seed)
    design = np.clip(design, _EDGE, 1.0 - _EDGE)
    y = _evaluate(scenario, spec, _slot_uniforms(slots, design), positions, seed, backend,
                  device, dict(params or {}), slots, progress)
    rows = []
    kinds = {g: (slots[k].kind if by == "input" else "actor", slots[k].actor)
             for _, g, k in variables}
    for j, issue in enumerate(scenario.issues):
        col = y[:, j]
        if float(np.var(col)) <= 1e-24 * max(1.0, float(np.mean(col * col))):
            res = {k: np.zeros(len(names)) for k in ("S1", "S1_conf", "ST", "ST_conf")}
            notes.append(f"{issue.id}: the forecast does not vary, so every index is 0")
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                res = sobol_analyze.analyze(problem, col, calc_second_order=False,
                                            num_resamples=resamples, conf_level=0.95,
                                            print_to_console=False, seed=seed)
        for k, name in enumerate(names):
            kind, actor = kinds[name]
            rows.append({"issue": issue.id, "input": name, "kind": kind, "actor": actor,
                         "S1": float(res["S1"][k]), "S1_conf": float(res["S1_conf"][k]),
                         "ST": float(res["ST"][k]), "ST_conf": float(res["ST_conf"][k])})
    return SobolResult(pd.DataFrame(rows), n_base, int(design.shape[0]), spec.name, seed, notes)


def swings(
    scenario: Scenario, model: str = "median", *, positions: PositionKind = "stated", seed: int = 0,
    low_q: float = 0.05, high_q: float = 0.95, backend: str = "numpy",
    device: str | None = None, params: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """One-at-a-time swings: forecast with each uncertain input at its 5 % and 95 % quantile."""
    from realpolitik.models.registry import get_model

    spec = get_model(model)
    slots = uncertain_slots(scenario, positions)
    base = to_input(scenario, positions=positions)
    m = len(slots)
    batch = _repeat(base, 2 * m + 1)
    for k, slot in enumerate(slots):
        for r, q in ((2 * k + 1, low_q), (2 * k + 2, high_q)):
            getattr(batch, slot.field)[(r, *slot.index)] = input_quantile(slot.value, q)
    outcome = run_model(spec, batch, seed=seed, backend=backend, device=device, params=params)
    f = np.asarray(to_numpy(outcome.forecast), dtype=float)
    rows = []
    for j, issue in enumerate(scenario.issues):
        for k, slot in enumerate(slots):
            lo, hi = f[2 * k + 1, j], f[2 * k + 2, j]
            rows.append({"issue": issue.id, "input": slot.path, "kind": slot.kind,
                         "actor": slot.actor, "point": slot.value.point,
                         "low_value": input_quantile(slot.value, low_q),
                         "high_value": input_quantile(slot.value, high_q),
                         "base": float(f[0, j]), "forecast_low": float(lo),
                         "forecast_high": float(hi), "swing": float(abs(hi - lo))})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values(["issue", "swing"], ascending=[True, False]).reset_index(drop=True)


def _repeat(inp: BargainingInput, b: int) -> BargainingInput:
    """Batch element 0 of ``inp`` repeated ``b`` times (writable copies)."""
    return BargainingInput(
        position=np.repeat(inp.position[:1], b, axis=0),
        salience=np.repeat(inp.salience[:1], b, axis=0),
        capability=np.repeat(inp.capability[:1], b, axis=0),
        status_quo=np.repeat(inp.status_quo[:1], b, axis=0),
        lower=inp.lower, upper=inp.upper, actor_ids=inp.actor_ids, issue_ids=inp.issue_ids,
        rules=None if inp.rules is None else inp.rules.repeated(b),
    )


def describe(result: SobolResult, issue: str, k: int = 3) -> str:
    """One or two sentences saying which inputs drive ``issue``'s forecast."""
    top = result.top(issue, k)
    if top.empty or float(top["ST"].max()) <= 0:
        return f"Nothing moves the forecast on {issue}: every Sobol index is 0."
    parts = [f"{r['input']} (ST {r['ST']:.2f} ± {r['ST_conf']:.2f})"
             for r in top.to_dict("records") if r["ST"] > 0]
    first = top.iloc[0]
    s1_sum = float(result.frame[result.frame["issue"] == issue]["S1"].clip(lower=0).sum())
    inter = max(0.0, 1.0 - s1_sum)
    text = (f"On {issue}, the inputs that matter most are " + ", ".join(parts) + ". "
            f"Alone, {first['input']} explains about {max(0.0, first['S1']) * 100:.0f}% of the "
            f"forecast's variance (S1)")
    if not math.isnan(inter):
        text += (f"; interactions between inputs account for roughly {inter * 100:.0f}% "
                 "(1 - sum of S1)")
    return text + "."
