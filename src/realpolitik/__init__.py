"""realpolitik: turn a political conflict into a runnable model and forecast it.

Importing the package has no side effects: no logging setup, no processes, no files read.
"""

from realpolitik.api import ForecastResult, forecast
from realpolitik.errors import Problem, RealpolitikError, ScenarioError
from realpolitik.models.registry import get_model, list_models
from realpolitik.scenario.loader import builtin_names, load_scenario
from realpolitik.scenario.schema import Scenario
from realpolitik.version import __version__

__all__ = [
    "ForecastResult",
    "Problem",
    "RealpolitikError",
    "Scenario",
    "ScenarioError",
    "__version__",
    "builtin_names",
    "forecast",
    "get_model",
    "list_models",
    "load_scenario",
]
