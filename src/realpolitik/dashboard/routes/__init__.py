"""The dashboard's routes, one router per concern.

- :mod:`.meta` - the page, health (version, subsystems, limits) and the registered models;
- :mod:`.scenarios` - list, open, upload and save scenarios;
- :mod:`.forecast` - point forecasts (answered at once);
- :mod:`.jobs` - background analyses: start, progress and result, cancel;
- :mod:`.exports` - downloads: an (edited) scenario as YAML, a job's numbers as CSV or Parquet;
- :mod:`.editor` - the scenario editor's page and its document checks, saves and downloads.
"""

from realpolitik.dashboard.routes import editor, exports, forecast, jobs, meta, scenarios

#: Every router, in the order the OpenAPI spec lists them.
ROUTERS = (meta.router, scenarios.router, exports.router, forecast.router, jobs.router,
           editor.router)

__all__ = ["ROUTERS"]
