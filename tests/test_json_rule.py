"""One JSON rule for every output: a number that is not finite is ``null``, never ``NaN``.

The rule lives in :mod:`realpolitik.jsonsafe`; the forecast JSON (CLI and Python), the Monte
Carlo distribution, the deal, the report export and the dashboard all use it (the dashboard's own
test is in test_dashboard_api.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.jsonsafe import dumps, finite_or_none, json_safe, plain

NON_FINITE = [float("nan"), float("inf"), float("-inf"), np.float64("nan"), np.float32("inf")]


@pytest.mark.parametrize("value", NON_FINITE)
def test_non_finite_numbers_become_null(value):
    assert json_safe(value) is None
    assert json_safe({"a": [value, 1.5]}) == {"a": [None, 1.5]}
    assert plain(value) is None
    assert finite_or_none(value) is None
    assert dumps({"x": value}, indent=None) == '{"x": null}'


def test_plain_values_pass_unchanged():
    doc = {"i": np.int64(3), "f": np.float64(2.5), "b": np.bool_(True), "s": "text", "n": None,
           "t": (1, 2), "a": np.array([1.0, np.nan]), "d": dt.date(2024, 4, 14), 7: "key"}
    assert json_safe(doc) == {"i": 3, "f": 2.5, "b": True, "s": "text", "n": None, "t": [1, 2],
                              "a": [1.0, None], "d": "2024-04-14", "7": "key"}
    assert type(json_safe(np.int64(3))) is int
    assert finite_or_none("not a number") is None
    assert finite_or_none("2.5") == 2.5


def test_dumps_refuses_what_json_cannot_hold():
    """``dumps`` never writes the non-standard NaN/Infinity tokens, at any depth."""
    text = dumps({"deep": [[{"v": float("inf")}]], "ok": 1.0})
    assert "Infinity" not in text and "NaN" not in text
    assert json.loads(text) == {"deep": [[{"v": None}]], "ok": 1.0}


def _with_forecast(result, values):
    outcome = dataclasses.replace(result.outcome, forecast=np.array([values]))
    return dataclasses.replace(result, outcome=outcome)


def test_forecast_json_writes_null_for_a_non_finite_forecast():
    """A model that returned NaN shows null in the documented forecast JSON (Python and CLI)."""
    result = rp.forecast("iraq-2024", model="median")
    broken = _with_forecast(result, [math.nan, math.inf])
    doc = broken.to_json()
    assert [i["forecast"] for i in doc["issues"]] == [None, None]
    assert [i["change"] for i in doc["issues"]] == [None, None]
    assert "NaN" not in dumps(doc) and "Infinity" not in dumps(doc)
    assert result.to_json()["issues"][0]["forecast"] == pytest.approx(
        result.forecast["us_presence"], abs=1e-6)


def test_distribution_json_writes_null_for_non_finite_draws():
    mc = rp.forecast("iraq-2024", model="median", samples=60, seed=1)
    dist = mc.distribution()
    values = dist.values.copy()
    values[:] = np.nan
    broken = dataclasses.replace(dist, values=values, _sorted={})
    doc = broken.to_json()
    text = dumps(doc)
    assert "NaN" not in text and "Infinity" not in text
    assert doc["issues"][0]["median"] is None


def test_forecast_json_from_the_cli_is_standard_json(run_cli):
    """`forecast --format json` parses with a strict parser (no NaN/Infinity tokens)."""
    code, out, _ = run_cli("forecast", "--model", "median", "--samples", "30", "--seed", "1",
                           "--format", "json")
    assert code == 0

    def refuse(token: str) -> float:
        raise AssertionError(f"non-standard JSON token {token}")

    doc = json.loads(out, parse_constant=refuse)
    assert doc["model"] == "median" and doc["distribution"]["samples"] == 30


def test_report_export_uses_the_same_rule():
    from realpolitik.api.report import Table
    from realpolitik.api.report_export import table_json

    doc = table_json(Table("t", ["a", "b"], [[math.nan, np.float64(math.inf)], [1.0, "x"]]))
    assert doc["rows"] == [[None, None], [1.0, "x"]]
