r"""Variants of the weekly attack-count model, their penalised fit and their forecasts.

Every variant counts attacks per week with conditional mean

.. math::

    \lambda_t = \mu \exp\Big(-\gamma D_t + \sum_r \delta_r s_{r,t}\Big) + n N_{t-1},

the discrete Hawkes process of :mod:`realpolitik.dynamics.hawkes` with the kernel decay fixed at
0 (as in the calibration), ``D`` the deterrence stock of U.S. strikes and ``s_r`` the exposure
of week ``t`` to a declared *regime* ``r`` (a suspension announced by a group, a strike on its
leadership, ...): the share of the week after the regime's start, times
``exp(-weeks since the start / persistence_r)``, so that ``delta_r`` is the regime's log-rate
effect when it begins and ``persistence_r`` how long it lasts. The variants differ in

* ``hawkes`` - Poisson counts, no prior on ``n`` (the original calibration);
* ``negbin`` - negative binomial counts with mean ``lambda`` and size ``k``
  (variance ``lambda + lambda^2 / k``): over-dispersion modelled explicitly, the INGARCH model of
  Zhu (2011), "A negative binomial integer-valued GARCH model", Journal of Time Series Analysis
  32(1), with the branching ratio under a Beta(2, 2) prior (zero density at criticality, so the
  posterior mode stays strictly below 1);
* ``negbin-regime`` - ``negbin`` plus the regimes the scenario declares.

The fit maximises the log-likelihood plus the log priors (a posterior mode; see
:data:`PRIORS`) over unconstrained parameters (logs, logits); the covariance of those is the
inverse Hessian, kept whole so that draws carry the parameters' correlations.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, signal, special

from realpolitik.dynamics.hawkes import MAX_RATE, numerical_hessian, poisson_icdf

#: Weak lognormal prior (median, sd of log) on the persistence of deterrence, weeks (as before).
TAU_PRIOR = (13.0, 1.0)
#: Beta prior (a, b) on the branching ratio of the negative binomial variants.
BRANCHING_PRIOR = (2.0, 2.0)
#: Normal prior (mean, sd) on a regime's log-rate effect: centred on no effect, a factor of
#: e^(+-4) (about 55) at two sd.
EFFECT_PRIOR = (0.0, 2.0)
#: Lognormal prior (median, sd of log) on a regime's persistence in weeks: the deterrence prior.
PERSISTENCE_PRIOR = (13.0, 1.0)
#: Weak lognormal prior (median, sd of log) on the negative binomial size ``k``.
SIZE_PRIOR = (5.0, 2.0)
#: Probability mass functions of forecasts run over 0..SUPPORT-1.
SUPPORT = 400

_LOG = ("mu", "gamma", "tau", "k")


@dataclass(frozen=True)
class Variant:
    """A model variant: the count family, the branching prior and whether regimes enter."""

    name: str
    family: str  # "poisson" or "negbin"
    regimes: bool
    branching_prior: tuple[float, float] | None
    description: str


VARIANTS: dict[str, Variant] = {
    "hawkes": Variant("hawkes", "poisson", False, None,
                      "Poisson self-exciting process with deterrence (the original calibration)"),
    "negbin": Variant("negbin", "negbin", False, BRANCHING_PRIOR,
                      "negative binomial counts, branching ratio under a Beta(2, 2) prior, "
                      "deterrence"),
    "negbin-regime": Variant("negbin-regime", "negbin", True, BRANCHING_PRIOR,
                             "negbin plus the scenario's declared regimes (suspensions)"),
}


@dataclass(frozen=True)
class Regime:
    """A dated regime change of the attack rate (see the module docstring)."""

    id: str
    start: dt.date


def regime_exposure(week_start: Sequence[dt.date] | np.ndarray, start: dt.date,
                    persistence: float) -> np.ndarray:
    """``s_t``: the share of each week on or after ``start`` times the regime's decay.

    ``week_start`` is a sequence of dates or an array of their proleptic ordinals.
    """
    ordinals = (week_start if isinstance(week_start, np.ndarray)
                else np.array([w.toordinal() for w in week_start], dtype=float))
    first = ordinals - float(start.toordinal())  # days from the regime's start to each week
    share = np.clip((first + 7.0) / 7.0, 0.0, 1.0)
    elapsed = np.maximum(first + 3.5, 0.0) / 7.0
    return share * np.exp(-elapsed / max(persistence, 1e-9))


def _names(variant: Variant, regimes: Sequence[Regime], strikes: bool) -> tuple[str, ...]:
    """The fitted parameters: deterrence only when the U.S. struck in the training weeks."""
    names = ["mu", "n", *(("gamma", "tau") if strikes else ())]
    if variant.family == "negbin":
        names.append("k")
    if variant.regimes:
        for r in regimes:
            names += [f"effect:{r.id}", f"persistence:{r.id}"]
    return tuple(names)


def to_natural(theta: np.ndarray, names: Sequence[str]) -> dict[str, np.ndarray]:
    """Natural parameters from unconstrained ones (last axis = ``names``); works on batches."""
    out = {}
    for j, name in enumerate(names):
        v = theta[..., j]
        if name in _LOG or name.startswith("persistence:"):
            out[name] = np.exp(np.clip(v, -700, 700))
        elif name == "n":
            out[name] = special.expit(v)
        else:
            out[name] = v
    return out


def _norm_logpdf(x: float, mean: float, sd: float) -> float:
    return float(-0.5 * ((x - mean) / sd) ** 2 - np.log(sd) - 0.5 * np.log(2.0 * np.pi))


def _log_prior(p: dict[str, float], variant: Variant) -> float:
    """Sum of the log prior densities (plain numpy: the fit calls it thousands of times)."""
    lp = _norm_logpdf(np.log(p["tau"]), np.log(TAU_PRIOR[0]), TAU_PRIOR[1]) if "tau" in p else 0.0
    if variant.branching_prior is not None:
        a, b = variant.branching_prior
        n = min(max(p["n"], 1e-300), 1.0 - 1e-16)
        lp += (a - 1.0) * np.log(n) + (b - 1.0) * np.log1p(-n) - special.betaln(a, b)
    if "k" in p:
        lp += _norm_logpdf(np.log(p["k"]), np.log(SIZE_PRIOR[0]), SIZE_PRIOR[1])
    for name, v in p.items():
        if name.startswith("effect:"):
            lp += _norm_logpdf(v, *EFFECT_PRIOR)
        elif name.startswith("persistence:"):
            lp += _norm_logpdf(np.log(v), np.log(PERSISTENCE_PRIOR[0]), PERSISTENCE_PRIOR[1])
    return float(lp)


@dataclass(frozen=True)
class Data:
    """A training series: weekly counts, strike weights, week starts and the known regimes."""

    counts: np.ndarray
    strikes: np.ndarray
    week_start: tuple[dt.date, ...]
    regimes: tuple[Regime, ...] = ()
    #: The week starts as proleptic ordinals (computed once: the fit reads them many times).
    ordinals: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ordinals", np.array(
            [w.toordinal() for w in self.week_start], dtype=float))


def log_mult(p: dict[str, float], data: Data, deterrence: np.ndarray) -> np.ndarray:
    """``-gamma D_t + sum_r delta_r s_rt`` for the weeks of ``data``."""
    out = -p.get("gamma", 0.0) * deterrence
    for r in data.regimes:
        if f"effect:{r.id}" in p:
            out = out + p[f"effect:{r.id}"] * regime_exposure(
                data.ordinals, r.start, p[f"persistence:{r.id}"])
    return out


def deterrence_stock(strikes: np.ndarray, tau: float) -> np.ndarray:
    """``D_t``: strikes before week ``t``, decayed with persistence ``tau`` weeks."""
    decay = float(np.exp(-1.0 / tau))
    return signal.lfilter([0.0, 1.0], [1.0, -decay], np.asarray(strikes, dtype=float))


def means(p: dict[str, float], data: Data) -> np.ndarray:
    """The conditional mean ``lambda_t`` of every week given the counts before it."""
    prev = np.concatenate([[0.0], data.counts[:-1]])
    m = log_mult(p, data, deterrence_stock(data.strikes, p.get("tau", 1.0)))
    return np.minimum(p["mu"] * np.exp(np.minimum(m, 50.0)) + p["n"] * prev, MAX_RATE)


def log_pmf(y: np.ndarray, lam: np.ndarray, k: np.ndarray | float | None) -> np.ndarray:
    """Log probability of counts ``y`` under Poisson(lam) or NB(mean lam, size k)."""
    lam = np.maximum(lam, 1e-300)
    if k is None:
        return y * np.log(lam) - lam - special.gammaln(y + 1.0)
    k = np.asarray(k, dtype=float)
    return (special.gammaln(y + k) - special.gammaln(k) - special.gammaln(y + 1.0)
            + k * np.log(k / (k + lam)) + y * np.log(lam / (k + lam)))


def log_likelihood(p: dict[str, float], data: Data, family: str) -> float:
    """Log-likelihood of the training counts."""
    lam = means(p, data)
    return float(np.sum(log_pmf(data.counts, lam, p["k"] if family == "negbin" else None)))


@dataclass(frozen=True)
class CountFit:
    """A penalised fit: the mode, its unconstrained covariance (inverse Hessian) and names."""

    variant: Variant
    names: tuple[str, ...]
    theta: np.ndarray
    cov_theta: np.ndarray
    log_likelihood: float
    converged: bool

    @property
    def estimate(self) -> dict[str, float]:
        """Natural parameters at the mode."""
        return {k: float(v) for k, v in to_natural(self.theta, self.names).items()}

    @property
    def se(self) -> dict[str, float]:
        """Delta-method standard errors of the natural parameters."""
        est = self.estimate
        sd = np.sqrt(np.maximum(np.diag(self.cov_theta), 0.0))
        out = {}
        for j, name in enumerate(self.names):
            if name in _LOG or name.startswith("persistence:"):
                scale = est[name]  # d exp(theta) / d theta
            elif name == "n":
                scale = est[name] * (1.0 - est[name])  # d expit(theta) / d theta
            else:
                scale = 1.0
            out[name] = float(scale * sd[j])
        return out

    def correlation(self) -> np.ndarray:
        """Correlation matrix of the unconstrained parameters."""
        sd = np.sqrt(np.maximum(np.diag(self.cov_theta), 1e-300))
        return self.cov_theta / np.outer(sd, sd)

    @classmethod
    def known(cls, family: str, params: dict[str, float]) -> CountFit:
        """A "fit" that knows the true parameters exactly (the oracle of synthetic tests)."""
        names = tuple(params)
        theta = []
        for name in names:
            v = params[name]
            if name in _LOG or name.startswith("persistence:"):
                theta.append(np.log(v))
            elif name == "n":
                theta.append(special.logit(v))
            else:
                theta.append(v)
        variant = Variant("truth", family, any(x.startswith("effect:") for x in names), None,
                          "the generating process with its true parameters")
        return cls(variant, names, np.array(theta, dtype=float),
                   np.zeros((len(names), len(names))), float("nan"), True)

    def draw(self, normals: np.ndarray) -> dict[str, np.ndarray]:
        """Natural parameter draws (B,) from N(theta, cov) given standard normals (B, P)."""
        chol = np.linalg.cholesky(self.cov_theta + 1e-10 * np.eye(len(self.names)))
        return to_natural(self.theta + normals @ chol.T, self.names)


def fit(data: Data, variant: Variant | str) -> CountFit:
    """Posterior mode of a variant's parameters on ``data`` (Nelder-Mead, then BFGS, 2 starts)."""
    v = VARIANTS[variant] if isinstance(variant, str) else variant
    regimes = tuple(r for r in data.regimes if v.regimes)
    data = Data(data.counts, data.strikes, data.week_start, regimes)
    names = _names(v, regimes, bool(np.any(data.strikes > 0)))
    mean = max(float(np.mean(data.counts)), 0.1)

    kinds = [("log" if name in _LOG or name.startswith("persistence:") else
              "logit" if name == "n" else "plain") for name in names]

    def nll(theta: np.ndarray) -> float:
        if not np.all(np.isfinite(theta)) or np.any(np.abs(theta) > 50):
            return 1e12
        p = {}
        for name, kind, x in zip(names, kinds, theta.tolist(), strict=True):
            p[name] = (math.exp(x) if kind == "log" else 1.0 / (1.0 + math.exp(-x))
                       if kind == "logit" else x)
        val = -log_likelihood(p, data, v.family) - _log_prior(p, v)
        return float(val) if np.isfinite(val) else 1e12

    best = None
    for n0 in (0.3, 0.7):
        start = {"mu": np.log(mean * (1 - n0)), "n": special.logit(n0), "gamma": np.log(0.2),
                 "tau": np.log(TAU_PRIOR[0]), "k": np.log(SIZE_PRIOR[0])}
        x0 = np.array([start.get(name, np.log(PERSISTENCE_PRIOR[0])
                                 if name.startswith("persistence:") else 0.0) for name in names])
        res = optimize.minimize(nll, x0, method="Nelder-Mead",
                                options={"maxiter": 3000, "xatol": 1e-3, "fatol": 1e-5})
        res = optimize.minimize(nll, res.x, method="BFGS", options={"gtol": 1e-6})
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    hess = numerical_hessian(nll, best.x)
    ok = bool(np.all(np.isfinite(hess)))
    if ok:
        eig = np.linalg.eigvalsh(hess)
        ok = bool(eig[0] > 1e-9 * max(eig[-1], 1e-300))
    if not ok:
        # a flat direction: report it, keep usable draws
        hess = np.where(np.isfinite(hess), hess, 0.0) + 1e-6 * np.eye(len(names))
    cov = np.linalg.inv(hess) if ok else np.linalg.pinv(hess)
    cov = 0.5 * (cov + cov.T)
    p = {k: float(x) for k, x in to_natural(best.x, names).items()}
    return CountFit(v, names, best.x, cov, log_likelihood(p, data, v.family), ok)


# -- forecasts ------------------------------------------------------------------------------
def negbin_icdf(u: np.ndarray, lam: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Negative binomial quantiles (mean ``lam``, size ``k``), elementwise, by walking the CDF."""
    lam = np.minimum(np.asarray(lam, dtype=float), MAX_RATE)
    k = np.broadcast_to(np.asarray(k, dtype=float), lam.shape)
    u = np.asarray(u, dtype=float)
    q = lam / (k + lam)
    out = np.zeros(lam.shape)
    p = np.exp(k * np.log1p(-np.minimum(q, 1 - 1e-16)))
    cdf = p.copy()
    active = u > cdf
    while np.any(active):
        out = out + active
        p = np.where(active, p * (out - 1.0 + k) / np.maximum(out, 1.0) * q, p)
        cdf = np.where(active, cdf + p, cdf)
        active = active & (u > cdf) & (p > 0.0)
    return out


def draw_counts(u: np.ndarray, lam: np.ndarray, k: np.ndarray | None) -> np.ndarray:
    """Counts from uniforms: Poisson when ``k`` is None, else negative binomial."""
    return poisson_icdf(u, lam) if k is None else negbin_icdf(u, lam, k)


@dataclass(frozen=True)
class Forecast:
    """Simulated forecast of the weeks after a training series: means (S, H) and sizes (S,)."""

    lam: np.ndarray
    k: np.ndarray | None

    def pmf(self) -> np.ndarray:
        """The predictive pmf (H, SUPPORT): the mixture over samples of the conditional pmfs."""
        y = np.arange(SUPPORT, dtype=float)
        kk = None if self.k is None else self.k[:, None, None]
        return np.exp(log_pmf(y[None, None, :], self.lam[:, :, None], kk)).mean(axis=0)


def forecast(cf: CountFit, data: Data, future_weeks: Sequence[dt.date], *,
             retaliation: tuple[float, float], rng: np.random.Generator,
             samples: int) -> Forecast:
    """Simulate the weeks ``future_weeks`` after ``data``, parameters drawn from the fit.

    The U.S. strikes back in a simulated week with attacks with probability ``retaliation[0]``
    and weight ``retaliation[1]`` (the training period's rates); regimes keep their dates.
    """
    normals = rng.standard_normal((samples, len(cf.names)))
    horizon = len(future_weeks)
    u_count = rng.random((samples, horizon))
    u_strike = rng.random((samples, horizon))
    p = cf.draw(normals)
    gamma = p.get("gamma", np.zeros(samples))
    decay = np.exp(-1.0 / p.get("tau", np.ones(samples)))
    d = np.zeros(samples)
    for w in data.strikes:
        d = d * decay + w
    weeks = (*data.week_start, *future_weeks)
    regime_m = np.zeros((samples, horizon))
    for r in data.regimes:
        if f"effect:{r.id}" not in p:
            continue
        for s in range(samples):
            expo = regime_exposure(weeks, r.start, float(p[f"persistence:{r.id}"][s]))
            regime_m[s] += p[f"effect:{r.id}"][s] * expo[len(data.counts):]
    prev = np.full(samples, float(data.counts[-1]) if len(data.counts) else 0.0)
    k = p.get("k")
    lam = np.zeros((samples, horizon))
    for h in range(horizon):
        m = -gamma * d + regime_m[:, h]
        lam[:, h] = np.minimum(p["mu"] * np.exp(np.minimum(m, 50.0)) + p["n"] * prev, MAX_RATE)
        count = draw_counts(u_count[:, h], lam[:, h], k)
        strike = (count > 0) & (u_strike[:, h] < retaliation[0])
        d = d * decay + retaliation[1] * strike
        prev = count
    return Forecast(lam, None if k is None else np.asarray(k))


def simulate(p: dict[str, float | np.ndarray], family: str, week_start: Sequence[dt.date],
             strikes: np.ndarray, uniforms: np.ndarray,
             regimes: Sequence[Regime] = ()) -> np.ndarray:
    """Counts (B, T) of a variant with known parameters, exogenous strikes, from uniforms (B, T).

    Parameters are scalars or arrays (B,) (one per sample: draws from a fit). The generating
    process of the synthetic tests and of the calibration check: row ``b`` depends only on
    ``uniforms[b]`` and the parameters of sample ``b``.
    """
    u = np.atleast_2d(np.asarray(uniforms, dtype=float))
    b, t_len = u.shape
    par = {k: np.broadcast_to(np.asarray(v, dtype=float), (b,)) for k, v in p.items()}
    data = Data(np.zeros(t_len), np.asarray(strikes, dtype=float), tuple(week_start),
                tuple(regimes))
    base = np.empty((b, t_len))
    for row in range(b):
        pr = {k: float(v[row]) for k, v in par.items()}
        m = log_mult(pr, data, deterrence_stock(data.strikes, pr.get("tau", 1.0)))
        base[row] = pr["mu"] * np.exp(np.minimum(m, 50.0))
    k = par["k"] if family == "negbin" else None
    counts = np.zeros((b, t_len))
    prev = np.zeros(b)
    for t in range(t_len):
        lam = np.minimum(base[:, t] + par["n"] * prev, MAX_RATE)
        counts[:, t] = draw_counts(u[:, t], lam, k)
        prev = counts[:, t]
    return counts
