"""The result of a deal's Monte Carlo: a thin frozen record and the tables derived from it.

Built by :func:`realpolitik.deal.api.negotiate`. Probabilities carry 95% Wilson intervals; the
agreement date is the scenario's ``as_of`` plus the agreement round times the round length;
positions are on the scale of the section's package-to-scale mapping (:mod:`.scale`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.deal.domain import OutcomeSpace
from realpolitik.deal.protocol import STATUS_NAMES, Strategy
from realpolitik.deal.solutions import (
    kalai_smorodinsky_point,
    max_welfare_point,
    nash_point,
)
from realpolitik.jsonsafe import plain
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


if TYPE_CHECKING:
    import pandas as pd


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
    information: str = "complete"            # complete or private
    months: np.ndarray | None = None         # (S,) months from as_of to the end of the talks
    position: np.ndarray | None = None       # (S,) agreed package on the scale (NaN: none)
    breakdown: bool = False                  # the section's breakdown risk was applied
    attacks: np.ndarray | None = None        # (S, T + 1) attacks before each round (if used)

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
        import pandas as pd
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
        import pandas as pd
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
            if self.position is not None:
                row["position"] = float(np.mean(self.position[mask]))
            rows.append(row)
        return pd.DataFrame(rows)

    def issue_distribution(self) -> pd.DataFrame:
        """Per issue and value: probability of that value in the deal (and given an agreement)."""
        import pandas as pd
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
        import pandas as pd
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
        import pandas as pd
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

    # -- calendar time -----------------------------------------------------------------------
    @property
    def round_months(self) -> float:
        """Months per round at the point value (the curve's date axis)."""
        return float(self.section.round_months.point)

    def date_of_round(self, t: float) -> dt.date:
        """The date on which round ``t`` starts (``as_of`` plus ``t`` rounds)."""
        from realpolitik.deal.breakdown import round_date

        return round_date(self.scenario.as_of, t, self.round_months)

    def timeline(self) -> pd.DataFrame:
        """P(agreement by date) and P(broken by date) per round, with 95% intervals.

        Round ``t`` ends ``t * round_months`` months after ``as_of``; a sample counts by that
        date when its talks ended no later (its own round length, where that is uncertain).
        """
        import pandas as pd
        months = self._months()
        rows = []
        for t in range(self.deadline + 1):
            limit = t * self.round_months + 1e-9
            by = months <= limit
            row: dict[str, Any] = {"round": t, "date": self.date_of_round(t).isoformat()}
            for code, name in ((0, "agreement"), (1, "broken")):
                count = int(np.sum((self.status == code) & by))
                lo, hi = wilson(count, self.samples)
                row[f"p_{name}"] = count / self.samples if self.samples else float("nan")
                row[f"{name}_low"], row[f"{name}_high"] = lo, hi
            rows.append(row)
        return pd.DataFrame(rows)

    def _months(self) -> np.ndarray:
        if self.months is not None:
            return np.asarray(self.months, dtype=float)
        return self.round.astype(float) * self.round_months

    def agreement_date(self) -> dict[str, Any] | None:
        """When agreements come: mean and 5/50/95% quantiles of the date (None without any)."""
        months = self._months()[self.agreed]
        if months.size == 0:
            return None

        def at(m: float) -> str:
            return self.date_of_round(m / self.round_months).isoformat()

        q05, q50, q95 = (float(np.quantile(months, q)) for q in (0.05, 0.5, 0.95))
        return {"mean_months": float(np.mean(months)), "q05": at(q05), "median": at(q50),
                "q95": at(q95), "mean": at(float(np.mean(months))),
                "q05_months": q05, "median_months": q50, "q95_months": q95}

    # -- one scale -----------------------------------------------------------------------------
    def on_scale(self) -> dict[str, Any] | None:
        """Where the agreed packages land on the mapping's scenario issue (None without one).

        ``negotiated`` is the package the protocol reaches at point values; ``mean`` and the
        quantiles are over the Monte Carlo agreements; ``concepts`` the Nash and
        Kalai-Smorodinsky packages at point values.
        """
        mapping = self.section.mapping()
        pos = self.point.position
        if mapping is None or pos is None:
            return None
        lower, upper = self.scenario.issue(mapping.issue).scale
        agreed = self.position[self.agreed] if self.position is not None else np.zeros(0)
        out: dict[str, Any] = {
            "issue": mapping.issue, "name": self.scenario.issue(mapping.issue).name,
            "lower": float(lower), "upper": float(upper),
            "negotiated": float(pos[self.point.agreement]) if self.point.agreement >= 0
            else None,
            "concepts": {k: (float(pos[o]) if o is not None else None)
                         for k, o in self.point.concepts.items()},
            "p_agreement": self.p_agreement,
        }
        if agreed.size:
            out.update(mean=float(np.mean(agreed)), q05=float(np.quantile(agreed, 0.05)),
                       median=float(np.median(agreed)), q95=float(np.quantile(agreed, 0.95)))
        return out

    def scale_distribution(self, width: float = 5.0) -> pd.DataFrame:
        """The agreements' positions on the scale in bins of ``width`` (share of all samples)."""
        import pandas as pd
        info = self.on_scale()
        if info is None or self.position is None:
            return pd.DataFrame(columns=["low", "high", "probability", "given_agreement"])
        agreed = self.position[self.agreed]
        edges = np.arange(info["lower"], info["upper"] + width, width)
        counts, _ = np.histogram(agreed, bins=edges)
        n = max(int(agreed.size), 1)
        rows = [{"low": float(lo), "high": float(hi), "probability": c / self.samples,
                 "given_agreement": c / n}
                for lo, hi, c in zip(edges[:-1], edges[1:], counts, strict=True) if c]
        return pd.DataFrame(rows, columns=["low", "high", "probability", "given_agreement"])

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
            "information": self.information,
            "round_months": self.round_months,
            "timeline": records(self.timeline()),
            "agreement_date": self.agreement_date(),
            "scale": plain_tree(self.on_scale()),
            "warnings": self.warnings(),
        }





def plain_tree(x: Any) -> Any:
    """``x`` with every leaf made JSON-plain (nested dicts and lists kept)."""
    if isinstance(x, dict):
        return {k: plain_tree(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [plain_tree(v) for v in x]
    return plain(x)
