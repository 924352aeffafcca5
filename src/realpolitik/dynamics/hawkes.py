r"""A discrete-time self-exciting (Hawkes) count process for militia attacks, and its fit.

Attacks are counted per time bin (a week in the calibration, a quarter of a month in the
simulation). The count of bin ``t`` is Poisson with intensity

.. math::

    \lambda_t = \mu\,m_t + n\,E_t, \qquad
    E_t = \sum_{k\ge 1} (1-\rho)\rho^{k-1} N_{t-k}, \qquad
    m_t = \exp(\beta\,x_t - \gamma D_t),

where ``mu`` is the background (immigrant) rate per bin, ``n`` the branching ratio (the expected
number of attacks one attack triggers, ``0 <= n < 1``), ``rho`` the per-bin decay of the
geometric excitation kernel (which sums to one, so ``n`` is exactly the branching ratio), ``x``
an optional covariate of the conditions (the simulation uses regional tension and militia
strength, see :mod:`realpolitik.dynamics.model`) and ``D`` the *deterrence stock* of U.S. retaliatory strikes:
``D_{t+1} = D_t e^{-1/tau} + W_t`` with ``W_t`` the weight (facilities struck) of the strikes in
bin ``t`` and ``tau`` their persistence in bins. With ``m = 1`` the stationary mean rate is
``mu / (1 - n)``.

This is the discrete-time (INAR(infinity)-type) approximation of the self-exciting process of
Hawkes (1971), "Spectra of some self-exciting and mutually exciting point processes", Biometrika
58(1) (Kirchner 2016, "Hawkes and INAR(infinity) processes", Stochastic Processes and their
Applications 126(8)); the self-exciting model of violent events follows Mohler, Short,
Brantingham, Schoenberg and Tita (2011), "Self-exciting point process modeling of crime", JASA
106(493), and Lewis, Mohler, Brantingham and Bertozzi (2012), "Self-exciting point process models
of civilian deaths in Iraq", Security Journal 25(3). In continuous time one would simulate by
Ogata's thinning (Ogata 1981, "On Lewis' simulation method for point processes", IEEE
Transactions on Information Theory 27(1)); counting per bin replaces it by one Poisson draw per bin (from a uniform
through the inverse CDF, so that the randomness can be drawn up front).

Fitting is by maximum likelihood (:func:`fit`), with standard errors from the observed
information (the inverse of the numerical Hessian of the negative log-likelihood).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, signal, special

#: Intensities are capped here per bin (a safety bound far above anything observed).
MAX_RATE = 500.0


def poisson_icdf(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson quantiles: the smallest k with P(N <= k) >= u, elementwise (vectorised).

    ``u`` in [0, 1) and ``lam`` >= 0 of one shape. Walks the CDF upward for all elements at
    once; the loop runs as many times as the largest count drawn.
    """
    lam = np.minimum(np.asarray(lam, dtype=float), MAX_RATE)
    u = np.asarray(u, dtype=float)
    k = np.zeros(lam.shape)
    p = np.exp(-lam)
    cdf = p.copy()
    active = u > cdf
    while np.any(active):
        k = k + active
        # only active elements step on: a finished one keeps its p (a pmf value <= 1), so no
        # product overflows however long others run
        p = np.where(active, p * lam / np.maximum(k, 1.0), p)
        cdf = np.where(active, cdf + p, cdf)
        # float round-off: once p underflows the CDF stops growing; stop there
        active = active & (u > cdf) & (p > 0.0)
    return k


def intensities(
    counts: np.ndarray,
    mu: float,
    n: float,
    rho: float,
    *,
    covariate: np.ndarray | None = None,
    beta: float = 0.0,
    strike_weights: np.ndarray | None = None,
    gamma: float = 0.0,
    tau: float = 1.0,
) -> np.ndarray:
    """The conditional intensity of each bin given the observed counts before it.

    The excitation and the deterrence stock are first-order linear recursions of the counts and
    the strike weights, computed as linear filters (no Python loop over bins).
    """
    counts = np.asarray(counts, dtype=float)
    excitation = signal.lfilter([0.0, 1.0 - rho], [1.0, -rho], counts)
    logm = np.zeros_like(counts)
    if covariate is not None:
        logm = logm + beta * np.asarray(covariate, dtype=float)
    if strike_weights is not None:
        decay = float(np.exp(-1.0 / tau))
        deterrence = signal.lfilter([0.0, 1.0], [1.0, -decay], np.asarray(strike_weights, float))
        logm = logm - gamma * deterrence
    return np.minimum(mu * np.exp(np.minimum(logm, 50.0)) + n * excitation, MAX_RATE)


# --- fitting -------------------------------------------------------------------------------
_ALL = ("mu", "n", "rho", "beta_truce", "gamma", "tau")


def _to_natural(theta: np.ndarray, names: tuple[str, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, v in zip(names, theta, strict=True):
        if name in ("mu", "gamma", "tau"):
            out[name] = float(np.exp(v))
        elif name in ("n", "rho"):
            out[name] = float(special.expit(v))
        else:
            out[name] = float(v)
    return out


def _to_theta(values: dict[str, float], names: tuple[str, ...]) -> np.ndarray:
    theta = []
    for name in names:
        v = values[name]
        if name in ("mu", "gamma", "tau"):
            theta.append(np.log(v))
        elif name in ("n", "rho"):
            theta.append(special.logit(v))
        else:
            theta.append(v)
    return np.array(theta, dtype=float)


def _dnatural_dtheta(theta: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Jacobian (diagonal) of the natural parameters with respect to theta."""
    nat = _to_natural(theta, names)
    out = []
    for name in names:
        v = nat[name]
        if name in ("mu", "gamma", "tau"):
            out.append(v)
        elif name in ("n", "rho"):
            out.append(v * (1.0 - v))
        else:
            out.append(1.0)
    return np.array(out)


def log_likelihood(
    counts: np.ndarray,
    params: dict[str, float],
    *,
    covariate: np.ndarray | None = None,
    strike_weights: np.ndarray | None = None,
) -> float:
    """Poisson log-likelihood of the counts under the discrete Hawkes process."""
    lam = intensities(
        counts, params["mu"], params["n"], params["rho"],
        covariate=covariate, beta=params.get("beta_truce", 0.0),
        strike_weights=strike_weights, gamma=params.get("gamma", 0.0),
        tau=params.get("tau", 1.0),
    )
    lam = np.maximum(lam, 1e-300)
    return float(np.sum(counts * np.log(lam) - lam - special.gammaln(counts + 1.0)))


def numerical_hessian(f, x: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of a scalar function ``f`` at ``x``."""
    k = x.size
    h = np.empty((k, k))
    eye = np.eye(k) * step
    f0 = f(x)
    for i in range(k):
        for j in range(i, k):
            if i == j:
                v = (f(x + eye[i]) - 2.0 * f0 + f(x - eye[i])) / step**2
            else:
                v = (f(x + eye[i] + eye[j]) - f(x + eye[i] - eye[j])
                     - f(x - eye[i] + eye[j]) + f(x - eye[i] - eye[j])) / (4.0 * step**2)
            h[i, j] = h[j, i] = v
    return h


@dataclass(frozen=True)
class HawkesFit:
    """A maximum-likelihood fit: estimates and standard errors of the natural parameters.

    ``cov_theta`` is the covariance of the unconstrained parameters ``theta`` (logs and logits,
    see ``names``); ``se`` comes from it by the delta method. ``log_likelihood`` is the
    likelihood at the estimates without any prior penalty. ``converged`` means the observed
    information (Hessian) is positive definite at the optimum found.
    """

    names: tuple[str, ...]
    estimate: dict[str, float]
    se: dict[str, float]
    theta: np.ndarray
    cov_theta: np.ndarray
    log_likelihood: float
    n_obs: int
    converged: bool
    message: str = ""
    fixed: dict[str, float] = field(default_factory=dict)

    @property
    def aic(self) -> float:
        """Akaike's information criterion."""
        return 2.0 * len(self.names) - 2.0 * self.log_likelihood

    @property
    def stationary_rate(self) -> float:
        """Mu / (1 - n): the long-run rate per bin without covariates."""
        return self.value("mu") / (1.0 - self.value("n"))

    def interval(self, name: str, z: float = 1.96) -> tuple[float, float]:
        """Approximate interval of a fitted parameter: theta +- z SE, mapped to the natural scale.

        Computed on the unconstrained scale, so it respects the parameter's bounds (n < 1).
        """
        k = self.names.index(name)
        sd = float(np.sqrt(max(self.cov_theta[k, k], 0.0)))
        lo, hi = self.theta.copy(), self.theta.copy()
        lo[k] -= z * sd
        hi[k] += z * sd
        return _to_natural(lo, self.names)[name], _to_natural(hi, self.names)[name]

    def value(self, name: str) -> float:
        """The estimate of a fitted parameter or the value of a fixed one."""
        return self.estimate[name] if name in self.estimate else self.fixed[name]

    def draw(self, normals: np.ndarray) -> dict[str, np.ndarray]:
        """Parameter draws from the asymptotic normal of theta, given standard normals (B, k)."""
        chol = np.linalg.cholesky(self.cov_theta + 1e-12 * np.eye(len(self.names)))
        thetas = self.theta + normals @ chol.T
        out: dict[str, list[float]] = {k: [] for k in self.names}
        for row in thetas:
            for k, v in _to_natural(row, self.names).items():
                out[k].append(v)
        draws = {k: np.array(v) for k, v in out.items()}
        b = normals.shape[0]
        draws.update({k: np.full(b, v) for k, v in self.fixed.items()})
        return draws


def fit(
    counts: np.ndarray,
    *,
    covariate: np.ndarray | None = None,
    strike_weights: np.ndarray | None = None,
    start: dict[str, float] | None = None,
    fixed: dict[str, float] | None = None,
    log_priors: dict[str, tuple[float, float]] | None = None,
) -> HawkesFit:
    """Maximum-likelihood fit of the discrete Hawkes process to a count series.

    Fits ``mu``, ``n``, ``rho`` always; ``beta_truce`` when a covariate is given; ``gamma`` and
    ``tau`` when strike weights are given; parameters in ``fixed`` are held at their value.
    ``log_priors`` maps a positive parameter to ``(median, sd of its log)``: a lognormal penalty
    added to the negative log-likelihood (a posterior mode for that parameter, used where the
    data do not bound it). Several starting points are tried (the likelihood of self-exciting
    processes is often flat along the excitation ridge) and the best kept.
    """
    counts = np.asarray(counts, dtype=float)
    fixed = dict(fixed or {})
    priors = dict(log_priors or {})
    names = ["mu", "n", "rho"]
    if covariate is not None:
        names.append("beta_truce")
    if strike_weights is not None:
        names += ["gamma", "tau"]
    names_t = tuple(x for x in names if x not in fixed)
    mean = max(float(np.mean(counts)), 1e-3)

    def nll(theta: np.ndarray) -> float:
        if not np.all(np.isfinite(theta)) or np.any(np.abs(theta) > 700):
            return 1e12
        p = {**fixed, **_to_natural(theta, names_t)}
        v = -log_likelihood(counts, p, covariate=covariate, strike_weights=strike_weights)
        for name, (median, sd) in priors.items():
            if name in names_t:
                v += 0.5 * ((np.log(p[name]) - np.log(median)) / sd) ** 2
        return v if np.isfinite(v) else 1e12

    starts = []
    for n0, rho0 in ((0.3, 0.3), (0.6, 0.5), (0.85, 0.7), (0.5, 0.1)):
        s = {"mu": mean * (1 - n0), "n": n0, "rho": rho0, "beta_truce": -1.0,
             "gamma": 0.2, "tau": 4.0}
        if start:
            s.update(start)
        starts.append(_to_theta(s, names_t))
    best = None
    for x0 in starts:
        res = optimize.minimize(nll, x0, method="Nelder-Mead",
                                options={"maxiter": 4000, "xatol": 1e-7, "fatol": 1e-9})
        res = optimize.minimize(nll, res.x, method="BFGS", options={"gtol": 1e-6})
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    theta = best.x
    hess = numerical_hessian(nll, theta)
    try:
        cov = np.linalg.inv(hess)
        ok = bool(np.all(np.linalg.eigvalsh(hess) > 0))
    except np.linalg.LinAlgError:
        cov = np.full_like(hess, np.nan)
        ok = False
    if not ok:
        # a flat direction (e.g. a parameter at a boundary): report it, keep usable draws
        cov = np.linalg.pinv(hess + 1e-6 * np.eye(len(names_t)))
    jac = _dnatural_dtheta(theta, names_t)
    se_vals = jac * np.sqrt(np.maximum(np.diag(cov), 0.0))
    est = _to_natural(theta, names_t)
    return HawkesFit(
        fixed=fixed,
        names=names_t,
        estimate=est,
        se={k: float(v) for k, v in zip(names_t, se_vals, strict=True)},
        theta=theta,
        cov_theta=cov,
        log_likelihood=log_likelihood(counts, {**fixed, **est}, covariate=covariate,
                                      strike_weights=strike_weights),
        n_obs=int(counts.size),
        converged=ok,
        message=str(best.message) if ok else "Hessian not positive definite at the optimum",
    )


# --- simulation of the calibration model ---------------------------------------------------
def simulate(
    mu: np.ndarray,
    n: np.ndarray,
    rho: np.ndarray,
    uniforms: np.ndarray,
    *,
    covariate: np.ndarray | None = None,
    beta: np.ndarray | float = 0.0,
    strike_weights: np.ndarray | None = None,
    gamma: np.ndarray | float = 0.0,
    tau: np.ndarray | float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Simulate counts (B, T) and intensities (B, T) of the discrete Hawkes process.

    Parameters are arrays over the batch ``B`` (or scalars); ``uniforms`` (B, T) drive the
    Poisson draws, so a sample's path depends only on its own row. Covariates and strike weights
    (T,) are exogenous (as observed in the calibration period).
    """
    uniforms = np.asarray(uniforms, dtype=float)
    b, t_len = uniforms.shape
    mu, n, rho = (np.broadcast_to(np.asarray(a, dtype=float), (b,)) for a in (mu, n, rho))
    beta, gamma, tau = (np.broadcast_to(np.asarray(a, dtype=float), (b,)) for a in (beta, gamma, tau))
    decay = np.exp(-1.0 / tau)
    e = np.zeros(b)
    d = np.zeros(b)
    counts = np.zeros((b, t_len))
    lam = np.zeros((b, t_len))
    for t in range(t_len):
        x = 0.0 if covariate is None else covariate[t]
        m = np.exp(beta * x - gamma * d)
        lam[:, t] = np.minimum(mu * m + n * e, MAX_RATE)
        counts[:, t] = poisson_icdf(uniforms[:, t], lam[:, t])
        e = rho * e + (1.0 - rho) * counts[:, t]
        if strike_weights is not None:
            d = d * decay + strike_weights[t]
    return counts, lam
