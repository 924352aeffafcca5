"""Input values of a scenario: numbers with uncertainty, source and rationale.

Every numeric input of a scenario (and of its sections: dynamics, deal, ...) is a
:data:`Value`: either a bare number or an :class:`UncertainValue` mapping with a point value,
an optional bounded distribution, a source reference and the analyst's note.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

#: Largest magnitude accepted for any number in a scenario.  Values beyond it (1e308, say)
#: would overflow to infinity in the weighted sums of the models.
MAX_ABS_VALUE = 1e9
#: Longest id (of an actor, issue, source, series, ...): ids are keys and file names.
MAX_ID_LENGTH = 64
#: Longest name, title or label (they appear in tables and charts).
MAX_NAME_LENGTH = 200
#: Longest free text (a description, a note, a citation, a URL).
MAX_TEXT_LENGTH = 4000
#: An id: letters, digits, ``_ . -`` and nothing else (pydantic matches patterns on the whole
#: string with its Rust engine: ``$`` is the end of the text, a trailing newline is refused).
ID_PATTERN = r"^[A-Za-z0-9_.\-]+$"


def finite(value: float) -> float:
    """Return ``value`` if it is finite and within ±MAX_ABS_VALUE; raise ValueError otherwise."""
    if not math.isfinite(value):
        raise ValueError("must be a finite number (not NaN or infinity)")
    if abs(value) > MAX_ABS_VALUE:
        raise ValueError(f"must lie within ±{MAX_ABS_VALUE:g} (larger values overflow the models)")
    return value


class Frozen(BaseModel):
    """Base of all scenario models: immutable, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True,
                              str_max_length=MAX_TEXT_LENGTH)


FiniteFloat = Annotated[float, Field(allow_inf_nan=True)]


class SourceRef(Frozen):
    """Where an input comes from: a source id of the scenario and a place in it."""

    id: str = Field(description="Id of an entry of the scenario's `sources`.")
    at: str | None = Field(
        default=None, description="Where in the source: section, page, table or date."
    )


class Distribution(Frozen):
    """A probability distribution of an uncertain input, always bounded by `low`/`high`.

    - ``uniform``: flat on [low, high].
    - ``triangular``: mode at the point value (or ``mode`` if given), support [low, high].
    - ``truncnormal``: normal with mean at the point value and standard deviation ``sd``,
      truncated to [low, high].
    - ``beta``: a beta distribution with shape parameters ``a`` and ``b`` rescaled to
      [low, high].
    """

    kind: Literal["uniform", "triangular", "truncnormal", "beta"]
    low: FiniteFloat
    high: FiniteFloat
    mode: FiniteFloat | None = None
    sd: FiniteFloat | None = Field(default=None, description="Standard deviation (truncnormal).")
    a: FiniteFloat | None = Field(default=None, description="First shape parameter (beta).")
    b: FiniteFloat | None = Field(default=None, description="Second shape parameter (beta).")

    @field_validator("low", "high", "mode", "sd", "a", "b")
    @classmethod
    def _check_numbers(cls, v: float | None) -> float | None:
        return None if v is None else finite(v)

    @model_validator(mode="after")
    def _shape(self) -> Distribution:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.kind == "truncnormal" and (self.sd is None or self.sd <= 0):
            raise ValueError("a truncnormal distribution needs sd > 0")
        if self.kind == "beta" and (self.a is None or self.b is None or self.a <= 0 or self.b <= 0):
            raise ValueError("a beta distribution needs shape parameters a > 0 and b > 0")
        if self.mode is not None and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode {self.mode:g} lies outside [{self.low:g}, {self.high:g}]")
        return self


class ExpertEstimate(Frozen):
    """One expert's estimate of an input: a point value, the expert's own uncertainty, the source.

    Each expert is a source (an interview, a questionnaire): ``source`` is required.
    """

    value: FiniteFloat = Field(description="The expert's best estimate (the mode of their view).")
    distribution: Distribution | None = Field(
        default=None, description="The expert's own uncertainty (none: a point estimate).")
    source: SourceRef = Field(description="The expert, as a source of the scenario.")
    weight: FiniteFloat = Field(default=1.0, description="Weight in the pool (> 0; default 1).")
    note: str | None = None

    @field_validator("value", "weight")
    @classmethod
    def _check_numbers(cls, v: float) -> float:
        return finite(v)

    @model_validator(mode="after")
    def _inside(self) -> ExpertEstimate:
        if not self.weight > 0:
            raise ValueError(f"an expert's weight must be > 0 (got {self.weight:g})")
        d = self.distribution
        if d is not None and not d.low <= self.value <= d.high:
            raise ValueError(f"the distribution's bounds [{d.low:g}, {d.high:g}] do not contain "
                             f"the expert's value {self.value:g}")
        return self


    @property
    def point(self) -> float:
        """The expert's value as a float."""
        return float(self.value)


class UncertainValue(Frozen):
    """A point value with an optional distribution, its source and the analyst's rationale.

    Instead of a distribution, an input may carry an expert panel (``experts``): several
    experts' estimates, combined by ``pool`` (see :mod:`realpolitik.uncertainty.panel`).
    """

    value: FiniteFloat = Field(description="The point (best) estimate.")
    distribution: Distribution | None = None
    source: SourceRef | None = None
    note: str | None = Field(default=None, description="One-line rationale for the number.")
    experts: list[ExpertEstimate] = Field(
        default_factory=list, description="Several experts' estimates of this input (a panel).")
    pool: Literal["linear", "triangular"] = Field(
        default="linear", description="How a panel combines: a linear opinion pool (mixture) or a "
        "triangular fitted to the experts' lowest low, mean mode and highest high.")

    @field_validator("value")
    @classmethod
    def _check_value(cls, v: float) -> float:
        return finite(v)

    @model_validator(mode="after")
    def _inside(self) -> UncertainValue:
        d = self.distribution
        if d is not None and not d.low <= self.value <= d.high:
            raise ValueError(
                f"the distribution's bounds [{d.low:g}, {d.high:g}] do not contain the "
                f"point value {self.value:g}"
            )
        if self.experts and d is not None:
            raise ValueError("give either a distribution or experts, not both: an expert panel "
                             "is the input's distribution")
        if self.experts:
            lo, hi = panel_support(self.experts)
            if not lo <= self.value <= hi:
                raise ValueError(f"the point value {self.value:g} lies outside the experts' "
                                 f"range [{lo:g}, {hi:g}]")
        return self

    @property
    def uncertain(self) -> bool:
        """Whether the input varies in Monte Carlo runs (a distribution or a panel)."""
        return self.distribution is not None or bool(self.experts)

    @property
    def point(self) -> float:
        """The point value as a float."""
        return float(self.value)


def panel_support(experts: list[ExpertEstimate]) -> tuple[float, float]:
    """The lowest and highest value any expert of a panel allows."""
    lows = [e.distribution.low if e.distribution else e.value for e in experts]
    highs = [e.distribution.high if e.distribution else e.value for e in experts]
    return min(lows), max(highs)


def _coerce_number(v: object) -> object:
    """Accept a bare number wherever an uncertain value is expected."""
    if isinstance(v, bool):
        raise ValueError("must be a number, not a boolean")
    if isinstance(v, int | float):
        if isinstance(v, int) and abs(v) > MAX_ABS_VALUE:  # also ints too large for a float
            raise ValueError(f"must lie within ±{MAX_ABS_VALUE:g} (larger values overflow the models)")
        return {"value": v}
    if not isinstance(v, dict) and not isinstance(v, UncertainValue):
        raise ValueError(
            "must be a number or a mapping {value, distribution, source, note}, "
            f"not {type(v).__name__}"
        )
    return v


#: An input that may be written as a bare number or as a full uncertain value.
Value = Annotated[
    UncertainValue, BeforeValidator(_coerce_number, json_schema_input_type=float | UncertainValue)
]
