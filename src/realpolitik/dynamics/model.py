"""Monte Carlo simulation of a scenario's ``dynamics`` section under a policy option.

The simulation is a discrete-time system on a grid of :data:`STEPS_PER_MONTH` steps a month,
batched over Monte Carlo samples on a leading axis ``B`` (the loop runs over time steps and over
the few state variables, never over samples). Per step ``dt`` (months):

* every state variable ``v`` moves toward its target
  ``eq_v + shift_v(t) + sum_links sign * strength * (x_src(t - lag) - x_src(0))``
  by the share ``1 - exp(-dt / adjustment_v)`` of the gap, plus a normal shock of standard
  deviation ``noise_v * sqrt(dt)``, clipped to its scale; variables are updated in an order in
  which same-step (lag 0) links read values already updated; a ``set`` intervention replaces the
  update by its schedule;
* attacks on U.S. forces follow the discrete Hawkes process of :mod:`realpolitik.dynamics.hawkes`
  with a state-dependent background rate:
  ``lambda = mu * exposure(presence) * exp(sum_d c_d (x_d - ref_d) / 100 - gamma D) + n E``,
  where ``E`` is the excitation of past attacks and ``D`` the deterrence stock of U.S. strikes;
  in a step with attacks the U.S. strikes back with the calibrated probability, adding the
  strike's weight to ``D``. The calibrated weekly parameters are converted to the step length
  (``mu`` and the kernel decay scale with time, ``n`` and ``gamma`` do not).

Uncertain inputs (every :class:`~realpolitik.scenario.values.UncertainValue` with a
distribution) are drawn per sample through their quantile functions. **Reproducibility:** sample
``k`` of seed ``s`` takes all its random numbers (input uniforms, shocks, attack and strike
uniforms) from its own stream ``SeedSequence(s).spawn(k + 1)[k]``, drawn up front in a fixed
order, so a batch of ``B`` and a run of sample ``k`` alone give the same path for ``k``, and the
same draws are reused across policy options (common random numbers: option differences are not
sampling noise). Drawing the streams is the only per-sample Python work.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from realpolitik.dynamics.hawkes import MAX_RATE
from realpolitik.errors import RealpolitikError
from realpolitik.progress import Progress
from realpolitik.scenario.sections.dynamics import ATTACKS, Dynamics, Intervention, PolicyOption
from realpolitik.scenario.values import UncertainValue
from realpolitik.seeds import generator, resolve_seed

#: Simulation steps per month.
STEPS_PER_MONTH = 4
#: Days per month (mean Gregorian month).
DAYS_PER_MONTH = 365.2425 / 12.0
#: Length of a step in weeks (the attack process is calibrated per week).
STEP_WEEKS = DAYS_PER_MONTH / STEPS_PER_MONTH / 7.0



# -- uncertain inputs -----------------------------------------------------------------------
class _Inputs:
    """Collects the uncertain values of the section in a fixed order and draws them per sample."""

    def __init__(self) -> None:
        self.values: list[UncertainValue] = []
        #: (input indices, lower Cholesky factor of their normal-score correlation matrix)
        self.copula: tuple[list[int], np.ndarray] | None = None

    def add(self, v: UncertainValue | None, default: float = 0.0) -> int:
        if v is None:
            v = UncertainValue(value=default)
        self.values.append(v)
        return len(self.values) - 1

    def draw(self, u: np.ndarray) -> np.ndarray:
        """Values (B, P) from uniforms (B, P): the quantile function of each input's distribution."""
        from realpolitik.uncertainty.marginals import ppf

        if self.copula is not None:
            from scipy import special

            from realpolitik.uncertainty.sampling import mix_normal_scores

            rows, factor = self.copula
            u = u.copy()
            z = mix_normal_scores(factor, special.ndtri(u[:, rows].T))
            u[:, rows] = np.clip(special.ndtr(z), 1e-16, 1.0 - 2.0**-53).T
        out = np.empty_like(u)
        for j, v in enumerate(self.values):
            if v.distribution is None:
                out[:, j] = v.point
            else:
                out[:, j] = ppf(v.distribution, v.point, u[:, j])
        return out


@dataclass(frozen=True)
class _Plan:
    """Indices of every input of the section into the drawn parameter matrix."""

    inputs: _Inputs
    var_ids: tuple[str, ...]
    lo: np.ndarray
    hi: np.ndarray
    initial: list[int]
    equilibrium: list[int]
    adjustment: list[int]
    noise: list[int]
    links: list[tuple[int, int, float, int, int]]  # (from, to, sign, lag steps, strength input)
    order: list[int]
    attacks: dict[str, Any] = field(default_factory=dict)


def _plan(dyn: Dynamics) -> _Plan:
    inputs = _Inputs()
    ids = tuple(v.id for v in dyn.variables)
    index = {v: i for i, v in enumerate(ids)}
    initial = [inputs.add(v.initial) for v in dyn.variables]
    equilibrium = [inputs.add(v.equilibrium if v.equilibrium is not None else v.initial)
                   for v in dyn.variables]
    adjustment = [inputs.add(v.adjustment_months) for v in dyn.variables]
    noise = [inputs.add(v.noise) for v in dyn.variables]
    links = []
    for link in dyn.links:
        if link.source_var not in index or link.target_var not in index:
            raise RealpolitikError(f"link {link.source_var} -> {link.target_var}: unknown variable")
        lag = round(link.lag_months * STEPS_PER_MONTH)
        links.append((index[link.source_var], index[link.target_var],
                      1.0 if link.sign == "+" else -1.0, lag, inputs.add(link.strength)))
    order = _order(len(ids), [(a, b) for a, b, _, lag, _ in links if lag == 0])
    att: dict[str, Any] = {}
    a = dyn.attacks
    if a is not None:
        att = {
            "mu": inputs.add(a.baseline),
            "n": inputs.add(a.branching_ratio),
            "rho": inputs.add(a.kernel_decay),
            "gamma": inputs.add(a.deterrence_effect),
            "tau": inputs.add(a.deterrence_weeks),
            "d0": inputs.add(a.initial_deterrence),
            "e0": inputs.add(a.initial_excitation),
            "presence": None if a.presence_variable is None else index[a.presence_variable],
            "exposure": sorted(a.exposure),
            "drivers": [(index[d.variable], inputs.add(d.coefficient), d.reference)
                        for d in a.drivers],
            "p_strike": inputs.add(a.retaliation.probability if a.retaliation else None, 0.0),
            "w_strike": inputs.add(a.retaliation.weight if a.retaliation else None, 0.0),
            "negbin": a.counts == "negbin",
            "k": inputs.add(a.dispersion, 1.0),
            "regimes": [(r.start, inputs.add(r.effect), inputs.add(r.persistence_weeks),
                         tuple(r.options)) for r in a.regimes],
        }
        index_of = {"baseline": att["mu"], "branching_ratio": att["n"],
                    "deterrence_effect": att["gamma"], "deterrence_weeks": att["tau"],
                    "dispersion": att["k"]}
        for r, (_, eff, per, _) in zip(a.regimes, att["regimes"], strict=True):
            index_of.update({f"{r.id}.effect": eff, f"{r.id}.persistence_weeks": per})
        inputs.copula = _copula(a, index_of)
    lo = np.array([v.scale[0] for v in dyn.variables], dtype=float)
    hi = np.array([v.scale[1] for v in dyn.variables], dtype=float)
    return _Plan(inputs, ids, lo, hi, initial, equilibrium, adjustment, noise, links, order, att)


def _copula(att: Any, index_of: dict[str, int]) -> tuple[list[int], np.ndarray] | None:
    """Input indices and Cholesky factor of the attack process's declared correlations.

    A Gaussian copula on the inputs' uniforms: every marginal stays as declared, the normal
    scores get the declared correlations (the fit's correlations of its unconstrained
    parameters, which a copula keeps under the monotone maps to the natural scale).
    """
    if not att.correlations:
        return None
    from realpolitik.scenario.sections.dynamics import correlation_matrix

    names, mat = correlation_matrix([(c.between[0], c.between[1], c.correlation)
                                     for c in att.correlations])
    unknown = [n for n in names if n not in index_of]
    if unknown:
        raise RealpolitikError(f"dynamics.attacks.correlations: unknown number {unknown[0]!r}")
    try:
        factor = np.linalg.cholesky(mat)
    except np.linalg.LinAlgError:
        raise RealpolitikError("dynamics.attacks.correlations cannot hold together (their "
                               "matrix is not positive definite); weaken some of them") from None
    return [index_of[n] for n in names], factor


def _order(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """A topological order of the variables under the same-step links (Kahn's algorithm)."""
    indeg = [0] * n
    out: dict[int, list[int]] = {}
    for a, b in edges:
        out.setdefault(a, []).append(b)
        indeg[b] += 1
    ready = [i for i in range(n) if indeg[i] == 0]
    order: list[int] = []
    while ready:
        i = ready.pop(0)
        order.append(i)
        for j in out.get(i, []):
            indeg[j] -= 1
            if indeg[j] == 0:
                ready.append(j)
    if len(order) != n:
        raise RealpolitikError("the links with lag 0 form a cycle; give one of them a lag > 0")
    return order


# -- schedules ------------------------------------------------------------------------------
def schedule_values(points: Sequence[tuple[float, float]], months: np.ndarray) -> np.ndarray:
    """A piecewise-linear schedule of [month, value] points at ``months`` (held outside)."""
    pts = sorted(points)
    xs = np.array([p[0] for p in pts], dtype=float)
    ys = np.array([p[1] for p in pts], dtype=float)
    return np.interp(months, xs, ys)


@dataclass(frozen=True)
class Trajectories:
    """Simulated paths of one policy option.

    ``states`` (B, M + 1, V): the state variables at the end of every month (month 0 = start);
    ``attacks`` (B, M): attacks in each month; ``intensity`` (B, M): expected attacks in each
    month given the path (the sum of the per-step intensities); ``strikes`` (B, M): U.S. strikes.
    """

    option: str
    var_ids: tuple[str, ...]
    start: dt.date
    states: np.ndarray
    attacks: np.ndarray
    intensity: np.ndarray
    strikes: np.ndarray
    seed: int
    sample_ids: tuple[int, ...]

    @property
    def months(self) -> int:
        """Number of simulated months."""
        return int(self.attacks.shape[1])

    def variable(self, var_id: str) -> np.ndarray:
        """Paths (B, M + 1) of one variable, or attacks per month (B, M) for ``attacks``."""
        if var_id == ATTACKS:
            return self.attacks
        return self.states[:, :, self.var_ids.index(var_id)]

    def band(self, var_id: str, level: float = 0.90) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(low, median, high) per month of a variable over the samples."""
        a = (1.0 - level) / 2.0
        x = self.variable(var_id)
        lo, med, hi = np.quantile(x, [a, 0.5, 1.0 - a], axis=0)
        return lo, med, hi

    def month_date(self, m: int) -> dt.date:
        """Calendar date of the end of simulated month ``m``."""
        return self.start + dt.timedelta(days=round(m * DAYS_PER_MONTH))


def month_index(start: dt.date, end: dt.date) -> int:
    """The last simulated month ending on or before ``end``."""
    return math.floor((end - start).days / DAYS_PER_MONTH + 1e-9)


def event_probability(traj: Trajectories, event: Any) -> float:
    """Share of samples in which a threshold event happens."""
    m = month_index(traj.start, event.month_end())
    x = traj.variable(event.variable)
    if event.variable == ATTACKS:
        m_idx = min(max(m, 1), traj.months) - 1  # attacks of month m are at index m - 1
        window = x[:, : m_idx + 1] if event.mode == "ever" else x[:, m_idx: m_idx + 1]
    else:
        m_idx = min(max(m, 0), traj.months)
        window = x[:, 1: m_idx + 1] if event.mode == "ever" else x[:, m_idx: m_idx + 1]
        if window.shape[1] == 0:
            window = x[:, :1]
    hit = window > event.threshold if event.direction == "above" else window < event.threshold
    return float(np.mean(np.any(hit, axis=1)))


# -- the simulation -------------------------------------------------------------------------
def _sample_streams(seed: int, sample_ids: Sequence[int], n_inputs: int, steps: int,
                    n_vars: int) -> dict[str, np.ndarray]:
    """All random numbers of each sample, from its own stream, in a fixed order."""
    b = len(sample_ids)
    out = {
        "inputs": np.empty((b, n_inputs)),
        "shocks": np.empty((b, steps, n_vars)),
        "attacks": np.empty((b, steps)),
        "strikes": np.empty((b, steps)),
    }
    for row, k in enumerate(sample_ids):
        rng = generator(seed, int(k))
        out["inputs"][row] = rng.random(n_inputs)
        out["shocks"][row] = rng.standard_normal((steps, n_vars))
        out["attacks"][row] = rng.random(steps)
        out["strikes"][row] = rng.random(steps)
    return out


def simulate(
    dyn: Dynamics,
    option: PolicyOption | None,
    *,
    start: dt.date,
    samples: int = 1000,
    seed: int = 0,
    horizon_months: int | None = None,
    sample_ids: Sequence[int] | None = None,
    extra_interventions: Sequence[Intervention] = (),
    progress: Progress | None = None,
) -> Trajectories:
    """Simulate the section under ``option`` (None: the status quo, no interventions).

    ``sample_ids`` picks which Monte Carlo samples to run (default ``range(samples)``); sample
    ``k`` is the same whatever else runs beside it. ``progress("steps", done, total)``
    (:class:`realpolitik.progress.Progress`) is called once per step.
    """
    horizon = int(horizon_months or dyn.horizon_months)
    if horizon < 1:
        raise RealpolitikError(f"the horizon must be at least one month, got {horizon}")
    ids = tuple(range(samples)) if sample_ids is None else tuple(int(k) for k in sample_ids)
    if not ids:
        raise RealpolitikError("at least one sample is needed")
    seed = resolve_seed(seed)  # a clear error for a negative or non-integer seed
    plan = _plan(dyn)
    steps = horizon * STEPS_PER_MONTH
    n_vars = len(plan.var_ids)
    rnd = _sample_streams(seed, ids, len(plan.inputs.values), steps, n_vars)
    par = plan.inputs.draw(rnd["inputs"])
    b = len(ids)

    x0 = np.clip(par[:, plan.initial], plan.lo, plan.hi)
    eq = par[:, plan.equilibrium]
    keep = 1.0 - np.exp(-(1.0 / STEPS_PER_MONTH) / np.maximum(par[:, plan.adjustment], 1e-9))
    shock_sd = par[:, plan.noise] * math.sqrt(1.0 / STEPS_PER_MONTH)

    interventions = list(option.interventions if option else []) + list(extra_interventions)
    forced, shift = _intervention_paths(plan.var_ids, interventions, steps)

    max_lag = max([lag for _, _, _, lag, _ in plan.links], default=0)
    hist = np.empty((steps + 1 + max_lag, b, n_vars))
    hist[: max_lag + 1] = x0
    for j in range(n_vars):
        if not np.isnan(forced[0, j]):
            hist[: max_lag + 1, :, j] = forced[0, j]
    base0 = hist[max_lag].copy()  # the initial values links measure changes from

    att = (_Attacks(plan.attacks, par, base0, b, horizon,
                    _regime_terms(plan.attacks, par, start, steps,
                                  option.id if option else "status_quo"))
           if plan.attacks else None)
    for t in range(steps):
        now = max_lag + t          # index of the state at step t
        x_prev = hist[now]
        x_new = x_prev.copy()
        for j in plan.order:
            if not np.isnan(forced[t + 1, j]):
                x_new[:, j] = forced[t + 1, j]
                continue
            target = eq[:, j] + shift[t + 1, j]
            for src, dst, sign, lag, s_idx in plan.links:
                if dst != j:
                    continue
                value = x_new[:, src] if lag == 0 else hist[now + 1 - lag, :, src]
                target = target + sign * par[:, s_idx] * (value - base0[:, src])
            step = x_prev[:, j] + keep[:, j] * (target - x_prev[:, j])
            step = step + shock_sd[:, j] * rnd["shocks"][:, t, j]
            x_new[:, j] = np.clip(step, plan.lo[j], plan.hi[j])
        hist[now + 1] = x_new
        if att is not None:
            att.step(t, x_prev, rnd["attacks"][:, t], rnd["strikes"][:, t])
        if progress is not None:
            progress("steps", t + 1, steps)

    if att is None:
        att = _Attacks.none(b, horizon)
    monthly = hist[max_lag::STEPS_PER_MONTH].transpose(1, 0, 2)
    return Trajectories(
        option=option.id if option else "status_quo",
        var_ids=plan.var_ids,
        start=start,
        states=monthly,
        attacks=att.attacks,
        intensity=att.intensity,
        strikes=att.strikes,
        seed=seed,
        sample_ids=ids,
    )


def _intervention_paths(var_ids: Sequence[str], interventions: Sequence[Intervention],
                        steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Forced values (steps + 1, V), NaN where a variable is free, and shifts of its target."""
    t_months = np.arange(steps + 1) / STEPS_PER_MONTH
    forced = np.full((steps + 1, len(var_ids)), np.nan)
    shift = np.zeros((steps + 1, len(var_ids)))
    for iv in interventions:
        if iv.variable not in var_ids:
            raise RealpolitikError(f"intervention on unknown variable {iv.variable!r}; variables "
                                   f"are: {', '.join(var_ids)}")
        j = list(var_ids).index(iv.variable)
        values = schedule_values(iv.schedule, t_months)
        if iv.kind == "set":
            forced[:, j] = values
        else:
            shift[:, j] += values
    return forced, shift


def _regime_terms(att: dict[str, Any], par: np.ndarray, start: dt.date, steps: int,
                  option: str) -> np.ndarray:
    """The regimes' log-rate terms (B, steps): ``effect * exp(-weeks since start / persistence)``.

    Only the regimes of this option (or of every option) count, from their start date on.
    """
    out = np.zeros((par.shape[0], steps))
    weeks = (np.arange(steps) + 0.5) * STEP_WEEKS  # the middle of each step, weeks from start
    for r_start, eff, per, options in att["regimes"]:
        if options and option not in options:
            continue
        elapsed = weeks + (start - r_start).days / 7.0
        on = elapsed >= 0.0
        decay = np.exp(-np.maximum(elapsed, 0.0)[None, :]
                       / np.maximum(par[:, per], 1e-9)[:, None])
        out += on[None, :] * par[:, eff][:, None] * decay
    return out


class _Attacks:
    """The attack process of a batch, advanced one step at a time; monthly totals (B, months)."""

    def __init__(self, att: dict[str, Any], par: np.ndarray, base0: np.ndarray, b: int,
                 horizon: int, regime: np.ndarray | None = None) -> None:
        self.attacks = np.zeros((b, horizon))
        self.intensity = np.zeros((b, horizon))
        self.strikes = np.zeros((b, horizon))
        self.presence = att["presence"]
        self.mu = par[:, att["mu"]] * STEP_WEEKS
        self.n = np.clip(par[:, att["n"]], 0.0, 0.99)
        self.rho = np.clip(par[:, att["rho"]], 0.0, 0.999) ** STEP_WEEKS
        self.gamma = par[:, att["gamma"]]
        self.decay = np.exp(-STEP_WEEKS / np.maximum(par[:, att["tau"]], 1e-9))
        self.d = par[:, att["d0"]].copy()
        self.e = par[:, att["e0"]] * STEP_WEEKS
        self.p_strike = np.clip(par[:, att["p_strike"]], 0.0, 1.0)
        self.w_strike = par[:, att["w_strike"]]
        self.refs = [(j, par[:, c], base0[:, j] if r is None else r)
                     for j, c, r in att["drivers"]]
        self.exposure_pts = att["exposure"]
        self.regime = np.zeros((b, horizon * STEPS_PER_MONTH)) if regime is None else regime
        # a weekly negative binomial of size k sums to size k * weeks over a longer step
        self.k = par[:, att["k"]] * STEP_WEEKS if att.get("negbin") else None

    @classmethod
    def none(cls, b: int, horizon: int) -> _Attacks:
        """No attack process: monthly totals of zero."""
        out = cls.__new__(cls)
        out.attacks = np.zeros((b, horizon))
        out.intensity = np.zeros((b, horizon))
        out.strikes = np.zeros((b, horizon))
        return out

    def step(self, t: int, x_prev: np.ndarray, u_attack: np.ndarray, u_strike: np.ndarray) -> None:
        """Attacks and strikes of step ``t`` given the state before it."""
        logm = -self.gamma * self.d + self.regime[:, t]
        for j, coef, ref in self.refs:
            logm = logm + coef * (x_prev[:, j] - ref) / 100.0
        if self.presence is not None and self.exposure_pts:
            expo = schedule_values(self.exposure_pts, x_prev[:, self.presence])
        else:
            expo = 1.0
        lam = np.minimum(self.mu * expo * np.exp(np.minimum(logm, 50.0)) + self.n * self.e,
                         MAX_RATE)
        from realpolitik.dynamics.countfit import draw_counts  # lazily: scipy for fitting

        count = draw_counts(u_attack, lam, self.k)
        strike = (count > 0) & (u_strike < self.p_strike)
        self.e = self.rho * self.e + (1.0 - self.rho) * count
        self.d = self.d * self.decay + self.w_strike * strike
        m = t // STEPS_PER_MONTH
        self.attacks[:, m] += count
        self.intensity[:, m] += lam
        self.strikes[:, m] += strike
