"""The service layer: every interface (CLI, dashboard, Python users) runs realpolitik through here.

- :mod:`~realpolitik.api.forecast` - load a scenario and forecast it (:func:`forecast`,
  :class:`ForecastResult`);
- :mod:`~realpolitik.api.schema` - the JSON Schema of the forecast output;
- :mod:`~realpolitik.api.report` - every subsystem on one scenario, as plain results for a report
  or a page; :mod:`~realpolitik.api.report_export` - those results as tables and JSON.
"""

from realpolitik.api.forecast import ForecastResult, band_of, forecast, nearest_anchor

__all__ = ["ForecastResult", "band_of", "forecast", "nearest_anchor"]
