"""The request bodies of the dashboard's API (pydantic models; they make the OpenAPI spec)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from realpolitik.api.report import DEFAULT_SAMPLES, SECTIONS
from realpolitik.api.scenario import Edit
from realpolitik.dashboard.settings import MAX_EDITS, MAX_SAMPLES

#: A scenario reference: ORIGIN:NAME (see :mod:`realpolitik.dashboard.store`).
REF_PATTERN = r"^(builtin|user|upload):[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
#: A job id.
JOB_ID_PATTERN = r"^[0-9a-f]{32}$"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EditIn(_Body):
    """Set one input of one actor."""

    actor: str = Field(min_length=1, max_length=100, description="Actor id.")
    field: Literal["position", "salience", "capability"]
    issue: str | None = Field(default=None, max_length=100,
                              description="Issue id (position and salience only).")
    value: float = Field(ge=-1e9, le=1e9, allow_inf_nan=False)

    def edit(self) -> Edit:
        return Edit(self.actor, self.field, self.value, self.issue)


class ScenarioIn(_Body):
    """A scenario reference with optional edits."""

    scenario: str = Field(pattern=REF_PATTERN, max_length=80, examples=["builtin:iraq-2024"])
    edits: list[EditIn] = Field(default_factory=list, max_length=MAX_EDITS)

    def edit_list(self) -> list[Edit]:
        return [e.edit() for e in self.edits]


class ForecastIn(ScenarioIn):
    """A point forecast request."""

    models: list[str] = Field(default_factory=list, max_length=20,
                              description="Model names (default: every registered model).")
    positions: Literal["stated", "private"] = "stated"
    seed: int = Field(default=0, ge=0, le=2**32 - 1)


class JobIn(ForecastIn):
    """A background analysis: Monte Carlo forecasts, drivers, pivotal actors, options, the deal."""

    samples: int = Field(default=DEFAULT_SAMPLES, ge=0, le=MAX_SAMPLES)
    sections: list[Literal["forecast", "drivers", "power", "dynamics", "deal"]] = Field(
        default_factory=lambda: list(SECTIONS), max_length=5)
    options: list[str] | None = Field(default=None, max_length=50,
                                      description="Policy option ids (default: all).")
    sobol: int = Field(default=0, ge=0, le=1024,
                       description="Base samples of Sobol indices by actor (0: swings only).")


class SaveIn(ScenarioIn):
    """Save a (possibly edited) scenario under a name in the scenario folder."""

    name: str = Field(min_length=1, max_length=69, examples=["my-scenario"])
    overwrite: bool = False
