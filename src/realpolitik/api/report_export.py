"""An :class:`~realpolitik.api.report.Analysis` as JSON (for the dashboard) or a tidy table.

The tidy table (:func:`results_frame`) has one row per number: ``section`` (forecast, band,
dynamics, event, drivers, power, deal), ``subject`` (a model, an option or a table row),
``item`` (an issue, a variable, an event or a column), ``month`` (dynamics only), ``statistic``
and its ``value`` (or ``text`` for words). It writes to CSV and Parquet alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from realpolitik.api.report import (
    Absent,
    Analysis,
    DealSummary,
    Drivers,
    DynamicsResult,
    ForecastSection,
    ModelForecast,
    Pivotal,
    Table,
)
from realpolitik.jsonsafe import finite_or_none, json_safe
from realpolitik.scenario.schema import Scenario

#: Bins of the forecast histograms sent to the page.
HISTOGRAM_BINS = 40
COLUMNS = ["section", "subject", "item", "month", "statistic", "value", "text"]


def _floats(xs: Any) -> list[float | None]:
    return [finite_or_none(x) for x in np.asarray(xs, dtype=float).ravel()]


def model_json(sc: Scenario, mf: ModelForecast) -> dict[str, Any]:
    """One model's forecast: point values, quantiles, band probabilities and histograms."""
    out: dict[str, Any] = {
        "model": mf.model, "title": mf.title, "reference": mf.reference, "samples": mf.samples,
        "point": {k: finite_or_none(v) for k, v in mf.point.items()},
        "quantiles": {}, "bands": {}, "histogram": {}, "past": json_safe(mf.past),
    }
    for j, issue in enumerate(sc.issues):
        out["quantiles"][issue.id] = {k: finite_or_none(v) for k, v in mf.quantiles(issue.id).items()}
        out["bands"][issue.id] = mf.band_probabilities(sc, issue.id)
        if mf.draws is not None and mf.samples:
            x = mf.draws[:, j]
            counts, edges = np.histogram(x[np.isfinite(x)], bins=HISTOGRAM_BINS, range=issue.scale)
            out["histogram"][issue.id] = {"edges": _floats(edges), "counts": counts.tolist()}
    return out


def _absent(x: Any) -> dict[str, Any] | None:
    return {"absent": x.reason} if isinstance(x, Absent) else None


def forecast_json(sc: Scenario, fc: ForecastSection | Absent) -> dict[str, Any]:
    """The forecast section as JSON."""
    if isinstance(fc, Absent):
        return {"absent": fc.reason}
    return {
        "samples": fc.samples, "seed": fc.seed, "warnings": fc.warnings,
        "monte_carlo": None if fc.monte_carlo is None else fc.monte_carlo.reason,
        "models": [model_json(sc, m) for m in fc.models],
        "ensemble": _absent(fc.ensemble) or model_json(sc, fc.ensemble),  # type: ignore[arg-type]
    }


def table_json(t: Table | Absent) -> dict[str, Any]:
    """A subsystem table as JSON (values that are not finite become null)."""
    if isinstance(t, Absent):
        return {"absent": t.reason}
    rows = [[finite_or_none(v) if isinstance(v, float) else v for v in r] for r in t.rows]
    return {"caption": t.caption, "columns": t.columns, "headings": t.titles, "keys": t.keys,
            "rows": json_safe(rows)}


def tables_json(ts: list[Table] | Absent) -> dict[str, Any]:
    """Several tables of one section as JSON."""
    if isinstance(ts, Absent):
        return {"absent": ts.reason}
    return {"tables": [table_json(t) for t in ts]}




def dynamics_json(d: DynamicsResult | Absent) -> dict[str, Any]:
    """Policy options over time as JSON: dates and per option the bands of every variable."""
    if isinstance(d, Absent):
        return {"absent": d.reason}
    return {
        "start": d.start.isoformat(), "months": d.months, "samples": d.samples,
        "level": d.level, "warnings": d.warnings, "scored": d.scored,
        "dates": [x.isoformat() for x in d.dates()],
        "variables": [{"id": v, "name": n, "unit": u} for v, n, u in d.variables],
        "events": [{"id": e, "name": n} for e, n in d.events],
        "options": [
            {"id": o.option, "name": o.name,
             "events": {k: finite_or_none(v) for k, v in o.events.items()},
             "series": {vid: {"low": _floats(lo), "median": _floats(med), "high": _floats(hi)}
                        for vid, (lo, med, hi) in o.bands.items()}}
            for o in d.options
        ],
    }


def deal_json(d: DealSummary | Absent) -> dict[str, Any]:
    """The deal's tables as JSON, with the parties, P(agreement) and the warnings."""
    if isinstance(d, Absent):
        return {"absent": d.reason}
    return {"parties": d.parties, "p_agreement": finite_or_none(d.p_agreement),
            "tables": [table_json(t) for t in d.tables], "notes": d.notes,
            "on_scale": json_safe(d.on_scale), "sentence": d.sentence}


def analysis_json(an: Analysis) -> dict[str, Any]:
    """Everything the dashboard shows of an analysis."""
    sc = an.scenario
    return {
        "scenario": {"id": sc.id, "title": sc.title, "as_of": sc.as_of.isoformat()},
        "samples": an.samples, "seed": an.seed, "positions": an.positions,
        "forecast": forecast_json(sc, an.forecast),
        "bottom_line": ({"absent": an.bottom.reason} if isinstance(an.bottom, Absent)
                        else {"issues": [b.to_json() for b in an.bottom]}),
        "drivers": tables_json(an.drivers.tables(sc) if isinstance(an.drivers, Drivers)
                               else an.drivers),
        "power": tables_json(an.power.tables(sc) if isinstance(an.power, Pivotal) else an.power),
        "dynamics": dynamics_json(an.dynamics),
        "deal": deal_json(an.deal),
    }


def _row(section: str, subject: str, item: str, statistic: str, value: Any,
         month: int | None = None) -> dict[str, Any]:
    if isinstance(value, int | float | np.generic) and not isinstance(value, bool):
        return {"section": section, "subject": subject, "item": item, "month": month,
                "statistic": statistic, "value": finite_or_none(value), "text": None}
    return {"section": section, "subject": subject, "item": item, "month": month,
            "statistic": statistic, "value": None, "text": None if value is None else str(value)}


def _forecast_rows(an: Analysis) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if isinstance(an.forecast, ForecastSection):
        for mf in an.forecast.all():
            for r in mf.rows(an.scenario):
                for key, value in r.items():
                    if key in ("model", "issue") or value is None:
                        continue
                    section = "band" if key.startswith("P(") else "forecast"
                    rows.append(_row(section, mf.model, r["issue"], key, value))
    return rows


def _table_rows(an: Analysis) -> list[dict[str, Any]]:
    tables: list[tuple[str, Any]] = []
    if isinstance(an.drivers, Drivers):
        tables += [("drivers", t) for t in an.drivers.tables(an.scenario)]
    if isinstance(an.power, Pivotal):
        tables += [("power", t) for t in an.power.tables(an.scenario)]
    if isinstance(an.deal, DealSummary):
        tables += [("deal", t) for t in an.deal.tables]
    rows: list[dict[str, Any]] = []
    for section, t in tables:
        if isinstance(t, Table):
            for k, rec in enumerate(t.records()):
                if t.keys is not None:
                    rows.append(_row(section, f"{t.caption} #{k + 1}", "id", "value",
                                     t.keys[k]))
                for col, value in rec.items():
                    rows.append(_row(section, f"{t.caption} #{k + 1}", col, "value", value))
    return rows


def _dynamics_rows(an: Analysis) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if not isinstance(an.dynamics, DynamicsResult):
        return rows
    for opt in an.dynamics.options:
        for vid, (lo, med, hi) in opt.bands.items():
            offset = 1 if len(med) == an.dynamics.months else 0
            for m in range(len(med)):
                for stat, arr in (("low", lo), ("median", med), ("high", hi)):
                    rows.append(_row("dynamics", opt.option, vid, stat, arr[m], m + offset))
        for eid, p in opt.events.items():
            rows.append(_row("event", opt.option, eid, "probability", p))
    return rows


def results_frame(an: Analysis) -> pd.DataFrame:
    """Every number of an analysis as a tidy table (see the module docstring)."""
    rows = _forecast_rows(an) + _table_rows(an) + _dynamics_rows(an)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["month"] = frame["month"].astype("Int64")
    frame["value"] = frame["value"].astype("float64")
    return frame
