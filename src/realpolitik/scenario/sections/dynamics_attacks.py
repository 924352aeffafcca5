"""The attack process of a scenario's ``dynamics`` section: drivers, strikes, regimes, correlations.

Split from :mod:`realpolitik.scenario.sections.dynamics` (which re-exports every class here);
the semantics are in :mod:`realpolitik.dynamics.model` and docs/dynamics.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from realpolitik.scenario.values import (
    ID_PATTERN,
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    FiniteFloat,
    Frozen,
    SourceRef,
    Value,
)


class AttackDriver(Frozen):
    """A state variable that scales the background rate of attacks: exp(coefficient * dx / 100)."""

    variable: str
    coefficient: Value = Field(description="Change of the log rate per 100 points of the variable.")
    reference: FiniteFloat | None = Field(
        default=None, description="Level at which the calibrated rate holds (default: initial value).")


class Retaliation(Frozen):
    """U.S. retaliatory strikes: in a step with attacks, a strike with this probability and weight."""

    probability: Value = Field(description="Probability of a strike in a step with attacks, [0, 1].")
    weight: Value = Field(description="Weight of a strike (facilities struck) added to deterrence.")


class AttackRegime(Frozen):
    """A dated change of the attack rate: a declared suspension, a strike on a group's leaders...

    From ``start`` on, the log background rate moves by ``effect`` times
    ``exp(-weeks since start / persistence_weeks)``: the regime fades with its persistence.
    """

    id: str = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    start: dt.date = Field(description="Date the regime begins (e.g. the announcement).")
    effect: Value = Field(description="Change of the log background rate when the regime begins "
                          "(negative: fewer attacks).")
    persistence_weeks: Value = Field(description="Weeks over which the effect fades (e-folding).")
    options: list[str] = Field(default_factory=list, description="Policy options the regime "
                               "belongs to (empty: every option).")
    source: SourceRef | None = None
    note: str | None = None


class ParameterCorrelation(Frozen):
    """A correlation of two uncertain numbers of the attack process (Gaussian copula)."""

    between: tuple[str, str] = Field(description="Two names: baseline, branching_ratio, "
                                     "deterrence_effect, deterrence_weeks, dispersion or "
                                     "<regime id>.effect / <regime id>.persistence_weeks.")
    correlation: FiniteFloat = Field(description="Correlation of the normal scores, (-1, 1).")
    source: SourceRef | None = None
    note: str | None = None


class AttackProcess(Frozen):
    """The self-exciting (Hawkes) process of militia attacks on U.S. forces (rates per week).

    ``counts: negbin`` draws negative binomial counts of size ``dispersion`` per week (variance
    ``mean + mean^2 / dispersion``) instead of Poisson counts.
    """

    baseline: Value = Field(description="Background rate mu, attacks per week at reference conditions.")
    branching_ratio: Value = Field(description="Expected attacks triggered by one attack, [0, 0.99].")
    kernel_decay: Value = Field(validate_default=True, default=0.0, description="Per-week decay rho of the excitation kernel, [0, 1).")
    deterrence_effect: Value = Field(description="gamma: log-rate reduction per unit of deterrence stock.")
    deterrence_weeks: Value = Field(description="Persistence tau of the deterrence stock, weeks (> 0).")
    initial_deterrence: Value = Field(validate_default=True, default=0.0, description="Deterrence stock at the start.")
    initial_excitation: Value = Field(validate_default=True, default=0.0, description="Excitation at the start (attacks per week).")
    presence_variable: str | None = Field(
        default=None, description="The state variable of the U.S. presence (the targets).")
    exposure: list[tuple[FiniteFloat, FiniteFloat]] = Field(
        default_factory=list, description="[presence, relative exposure] points: how many targets a "
        "presence level offers relative to the calibration period (linear in between).")
    drivers: list[AttackDriver] = Field(default_factory=list)
    retaliation: Retaliation | None = None
    counts: Literal["poisson", "negbin"] = Field(
        default="poisson", description="Count distribution given the intensity.")
    dispersion: Value | None = Field(
        default=None, description="Negative binomial size per week (counts: negbin), > 0.")
    regimes: list[AttackRegime] = Field(default_factory=list)
    correlations: list[ParameterCorrelation] = Field(default_factory=list)
    calibration: str | None = Field(default=None, description="Where the numbers were fitted.")

    def correlatable(self) -> dict[str, Value]:
        """The attack numbers a correlation may name, by name."""
        out: dict[str, Value] = {
            "baseline": self.baseline, "branching_ratio": self.branching_ratio,
            "deterrence_effect": self.deterrence_effect,
            "deterrence_weeks": self.deterrence_weeks}
        if self.dispersion is not None:
            out["dispersion"] = self.dispersion
        for r in self.regimes:
            out[f"{r.id}.effect"] = r.effect
            out[f"{r.id}.persistence_weeks"] = r.persistence_weeks
        return out
