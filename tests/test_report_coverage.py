"""The report's data, exports, HTML and figures on small scenarios: every section, absent or not.

Uses the small test scenarios (tests/data): uncertainty/small.yaml (distributions, bands,
private positions), dynamics/small.yaml (policy options, attacks, events), deal/mini-deal.yaml
(a deal with a domestic constraint) and valid/minimal.yaml (relations, sources, a timeline).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from realpolitik.api.report import (
    Absent,
    Control,
    analyse,
    forecasts,
    table_from_frame,
)
from realpolitik.api.report_export import analysis_json, results_frame
from realpolitik.errors import Cancelled, RealpolitikError
from realpolitik.presentation import report_plots as plots
from realpolitik.presentation.html import SECTION_TITLES, render
from realpolitik.progress import CancelToken
from realpolitik.scenario.loader import load_scenario, parse_scenario

DATA = Path(__file__).parent / "data"
WHEN = dt.datetime(2024, 5, 6, 7, 8, tzinfo=dt.UTC)

# No sources, no timeline, a title to escape, a numeric timeline-free scenario.
BARE = """
id: bare
title: Bare <scenario> & co
as_of: 2024-01-01
issues:
  - id: x
    name: X
    scale: [0, 100]
    status_quo: 50
    bands:
      - {name: low, low: 0, high: 40}
      - {name: high, low: 40, high: 100}
actors:
  - {id: a, name: A, kind: state, capability: 1, positions: {x: 90}, salience: {x: 1}}
  - {id: b, name: B, kind: state, capability: 2, positions: {x: 10}, salience: {x: 1}}
"""


def section(text: str, sid: str) -> str:
    """The body of one section of a rendered report."""
    return text.split(f'<section id="{sid}"', 1)[1].split("</section>", 1)[0]


@pytest.fixture(scope="module")
def small() -> Any:
    return load_scenario(DATA / "uncertainty" / "small.yaml")


@pytest.fixture(scope="module")
def small_an(small: Any) -> Any:
    """Forecasts with bands, drivers with Sobol indices, power; no dynamics, no deal."""
    return analyse(small, models=["median", "compromise"], samples=16, seed=1, sobol=3,
                   sections=["forecast", "drivers", "power", "dynamics", "deal"])


@pytest.fixture(scope="module")
def small_html(small_an: Any) -> str:
    return render(small_an, command="realpolitik report x --seed 1 <b>", generated=WHEN)


@pytest.fixture(scope="module")
def dyn_an() -> Any:
    """Policy options over time only."""
    sc = load_scenario(DATA / "dynamics" / "small.yaml")
    return analyse(sc, models=["median"], samples=4, seed=2, sections=["dynamics"])


@pytest.fixture(scope="module")
def deal_an() -> Any:
    """The deal only."""
    sc = load_scenario(DATA / "deal" / "mini-deal.yaml")
    return analyse(sc, models=["compromise"], samples=4, seed=2, sections=["deal"])


# -- Control ----------------------------------------------------------------------------------
def test_control_clamps_fractions_and_maps_the_protocol() -> None:
    seen: list[tuple[str, float]] = []
    control = Control(on_progress=lambda s, f: seen.append((s, f)))
    control.progress("a", 1.7)
    control.progress("b", -0.2)
    control("c", 3, 4)
    control("d", 0, 0)  # no division by zero
    control.staged("e", first=0.5, share=0.25)("ignored", 2, 4)
    assert seen == [("a", 1.0), ("b", 0.0), ("c", 0.75), ("d", 0.0), ("e", 0.625)]
    assert Control().token is None
    Control().check()  # nothing to cancel


def test_control_cancels_with_an_event_or_a_token() -> None:
    event = threading.Event()
    control = Control(cancel=event)
    assert isinstance(control.token, CancelToken)
    control.check()
    event.set()
    with pytest.raises(Cancelled):
        control.check()
    token = CancelToken(threading.Event())
    assert Control(cancel=token).token is token
    token.cancel()
    with pytest.raises(Cancelled):
        Control(cancel=token).progress("x", 0.5)


# -- forecasts --------------------------------------------------------------------------------
def test_point_forecasts_only(small: Any) -> None:
    """samples=0: no bands, the reason said, band probabilities 1 or 0 at the point forecast."""
    fc = forecasts(small, ["median", "median"], samples=0, seed=0)
    assert [m.model for m in fc.models] == ["median"]  # duplicates run once
    assert fc.samples == 0 and fc.warnings == []
    assert fc.monte_carlo is not None
    assert "no Monte Carlo samples were asked for" in fc.monte_carlo.reason
    mf = fc.models[0]
    assert mf.samples == 0 and mf.quantiles("presence") == {}
    probs = mf.band_probabilities(small, "presence")
    assert sorted(probs.values()) == [0.0, 0.0, 1.0]
    rows = mf.rows(small)
    assert [r["issue"] for r in rows] == ["presence", "alignment"]
    assert rows[0]["p50"] is None and rows[0]["samples"] == 0
    assert rows[0]["forecast"] == mf.point["presence"]
    assert rows[0]["status_quo"] == 60
    assert {k for k in rows[0] if k.startswith("P(")} == {"P(withdrawal)", "P(advisers)",
                                                          "P(large)"}


def test_few_samples_are_flagged_and_the_ensemble_comes_last(small_an: Any) -> None:
    fc = small_an.forecast
    assert fc.samples == 16 and fc.seed == 1 and fc.monte_carlo is None
    assert any("sample" in w for w in fc.warnings)  # 16 samples are flagged as few
    assert [m.model for m in fc.all()] == ["median", "compromise", "ensemble"]
    for mf in fc.all():
        assert mf.draws.shape == (16, 2)
        q = mf.quantiles("presence")
        assert q["p05"] <= q["p25"] <= q["p50"] <= q["p75"] <= q["p95"]
        assert q["mean"] == pytest.approx(float(np.mean(mf.draws[:, 0])))
        assert sum(mf.band_probabilities(small_an.scenario, "alignment").values()) == \
            pytest.approx(1.0)


def test_table_from_frame_keeps_a_named_index_and_limits_rows() -> None:
    frame = pd.DataFrame({"v": [1.5, float("nan"), 3.0]},
                         index=pd.Index(["p", "q", "r"], name="k"))
    t = table_from_frame(frame, "cap", limit=2)
    assert t.columns == ["k", "v"] and t.caption == "cap"
    assert t.rows[0] == ["p", 1.5] and len(t.rows) == 2
    assert t.records()[1]["k"] == "q"


# -- drivers and power ------------------------------------------------------------------------
def test_drivers_with_sobol_indices(small_an: Any) -> None:
    """Swings per issue, then Sobol indices by actor; 3 base samples round up to 4."""
    d = small_an.drivers
    assert d.model == "median" and d.sobol_samples == 4  # the first model chosen
    tables = d.tables()
    assert len(tables) == 3
    assert sorted(t.caption.split(" (")[0] for t in tables[:2]) == [
        "Largest swings of the median forecast of alignment at the point values",
        "Largest swings of the median forecast of presence at the point values"]
    assert tables[0].columns == ["input", "low_value", "high_value", "forecast_low",
                                 "forecast_high", "swing"]
    assert tables[-1].columns == ["issue", "actor", "S1", "S1_conf", "ST", "ST_conf"]
    assert "4 base samples" in tables[-1].caption
    top = d.top("presence", k=2)
    assert len(top.rows) == 2


def test_drivers_absent_without_distributions() -> None:
    sc = parse_scenario(BARE, "bare.yaml")
    an = analyse(sc, models=["compromise", "median"], samples=0, sections=["drivers", "power"])
    assert an.drivers == Absent("no input of the scenario has a distribution, so none can move "
                                "the forecast")
    assert an.forecast == Absent("not requested")
    # the first model chosen drives the pivotal actors when the ensemble is not chosen
    p = an.power
    assert p.model == "compromise"
    frame = p.frame("x")
    assert list(frame["actor"]) == ["b", "a"]  # most powerful first
    # without a (weight 1 of 3) the compromise forecast is b's position 10 (it was 110/3)
    assert frame.set_index("actor").loc["a", "change without (compromise)"] == \
        pytest.approx(10 - 110 / 3)
    assert [t.caption for t in p.tables(sc)] == [
        "X: power of each actor (weight = capability × salience; strict majority wins)"]


def test_analyse_refuses_negative_samples_and_unknown_models(small: Any) -> None:
    with pytest.raises(RealpolitikError, match="samples must be >= 0, got -1"):
        analyse(small, samples=-1)
    with pytest.raises(RealpolitikError, match="unknown model 'nosuch'"):
        analyse(small, models=["nosuch"], samples=0)


# -- dynamics and deal ------------------------------------------------------------------------
def test_dynamics_options_dates_and_events(dyn_an: Any) -> None:
    d = dyn_an.dynamics
    assert [o.option for o in d.options] == ["status_quo", "withdraw", "shift_influence",
                                             "forecast"]
    assert d.options[0].name == "Status quo (no intervention)"
    assert d.variables[-1] == ("attacks", "Attacks on U.S. forces", "attacks per month")
    assert d.months == 24 and d.samples == 4 and d.level == 0.9
    dates = d.dates()
    assert len(dates) == 25 and dates[0] == dyn_an.scenario.as_of
    assert dates[12] - dates[0] == dt.timedelta(days=365)
    for o in d.options:
        lo, med, hi = o.bands["tension"]
        assert len(med) == 25 and (lo <= med + 1e-9).all() and (med <= hi + 1e-9).all()
        assert len(o.bands["attacks"][1]) == 24  # months 1..24
        assert set(o.events) == {"influence_high", "attack_month"}
        assert all(0.0 <= p <= 1.0 for p in o.events.values())
    assert d.events == [("influence_high", "influence above 65 by 2025-12"),
                        ("attack_month", "attacks above 15 by 2026-03")]
    # withdrawal sets presence to 0 from month 6
    assert d.options[1].bands["presence"][1][-1] == pytest.approx(0.0)


def test_dynamics_with_no_option_or_no_section(small: Any) -> None:
    sc = load_scenario(DATA / "dynamics" / "small.yaml")
    an = analyse(sc, samples=2, sections=["dynamics"], options=[])
    assert an.dynamics == Absent("no policy option was chosen")
    an = analyse(sc, samples=0, sections=["dynamics"], options=["withdraw"])
    assert [o.option for o in an.dynamics.options] == ["withdraw"]
    assert an.dynamics.samples == 1  # at least one path
    an = analyse(small, samples=0, sections=["dynamics", "deal"])
    assert an.dynamics == Absent("scenario 'uncertainty-small' has no `dynamics` section")
    assert an.deal == Absent("scenario 'uncertainty-small' has no `deal` section")


def test_deal_summary(deal_an: Any) -> None:
    d = deal_an.deal
    assert d.parties == ["U.S. government", "Iraqi government"]  # names, not ids
    assert 0.0 <= d.p_agreement <= 1.0
    assert [t.caption for t in d.tables] == [
        "Outcome of the negotiation (95% intervals)",
        "P(agreement by date) and P(broken by date)", "The most likely agreed packages",
        "Solution concepts at the point values", "Agreed value of each continuous issue",
        f"Coalition forecast and negotiated package on {d.on_scale['name']}, per collective "
        "model"]  # the name, not its id
    assert d.on_scale is not None and d.on_scale["issue"] == "us_presence"
    assert d.sentence is not None and "the coalition pushes for" in d.sentence
    assert d.table is d.tables[0]
    assert d.notes[0].startswith("domestic constraint: the Iraqi government's acceptable set "
                                 "follows the compromise forecast of ")
    assert any("only 4 samples" in n for n in d.notes)
    assert d.negotiation is not None


# -- JSON and the tidy table -----------------------------------------------------------------
def test_analysis_json_is_strict_json(small_an: Any) -> None:
    doc = analysis_json(small_an)
    text = json.dumps(doc, allow_nan=False)  # no NaN or Infinity anywhere
    assert json.loads(text) == doc
    assert doc["scenario"] == {"id": "uncertainty-small", "title": "Uncertainty test scenario",
                               "as_of": "2024-01-31"}
    assert (doc["samples"], doc["seed"], doc["positions"]) == (16, 1, "stated")
    fc = doc["forecast"]
    assert fc["monte_carlo"] is None and fc["samples"] == 16
    assert [m["model"] for m in fc["models"]] == ["median", "compromise"]
    assert fc["ensemble"]["model"] == "ensemble"
    m = fc["models"][0]
    hist = m["histogram"]["presence"]
    assert len(hist["edges"]) == 41 and hist["edges"][0] == 0 and hist["edges"][-1] == 100
    assert sum(hist["counts"]) == 16
    assert set(m["quantiles"]["presence"]) == {"p05", "p25", "p50", "p75", "p95", "mean"}
    assert m["bands"]["presence"] == small_an.forecast.models[0].band_probabilities(
        small_an.scenario, "presence")
    assert len(doc["drivers"]["tables"]) == 3
    assert doc["drivers"]["tables"][0]["columns"][0] == "input"
    assert len(doc["power"]["tables"]) == 2
    assert doc["dynamics"] == {"absent": "scenario 'uncertainty-small' has no `dynamics` section"}
    assert doc["deal"] == {"absent": "scenario 'uncertainty-small' has no `deal` section"}


def test_analysis_json_of_absent_forecast_dynamics_and_deal(dyn_an: Any, deal_an: Any) -> None:
    doc = analysis_json(dyn_an)
    json.dumps(doc, allow_nan=False)
    assert doc["forecast"] == {"absent": "not requested"}
    assert doc["drivers"] == {"absent": "not requested"}
    dyn = doc["dynamics"]
    assert dyn["start"] == "2024-04-14" and dyn["months"] == 24 and len(dyn["dates"]) == 25
    assert [v["id"] for v in dyn["variables"]][-1] == "attacks"
    series = dyn["options"][0]["series"]
    assert len(series["tension"]["median"]) == 25 and len(series["attacks"]["low"]) == 24
    assert dyn["events"][0] == {"id": "influence_high", "name": "influence above 65 by 2025-12"}
    deal = analysis_json(deal_an)["deal"]
    assert deal["parties"][0] == "U.S. government"
    assert deal["tables"][0]["caption"] == "Outcome of the negotiation (95% intervals)"
    assert deal["notes"] == deal_an.deal.notes


def test_results_frame_of_every_section(small_an: Any, dyn_an: Any, deal_an: Any) -> None:
    frame = results_frame(small_an)
    assert set(frame["section"]) == {"forecast", "band", "drivers", "power"}
    assert str(frame["month"].dtype) == "Int64" and frame["month"].isna().all()
    assert frame["value"].dtype == np.float64
    p = frame[(frame.section == "band") & (frame.subject == "ensemble")
              & (frame.item == "presence")]
    assert set(p["statistic"]) == {"P(withdrawal)", "P(advisers)", "P(large)"}
    assert p["value"].sum() == pytest.approx(1.0)
    sw = frame[frame.section == "drivers"]
    assert sw["subject"].iloc[0].endswith(" #1")
    names = sw[sw["item"] == "input"]
    assert names["value"].isna().all() and names["text"].notna().all()

    dyn = results_frame(dyn_an)
    assert set(dyn["section"]) == {"dynamics", "event"}
    att = dyn[(dyn.subject == "withdraw") & (dyn.item == "attacks") & (dyn.statistic == "median")]
    assert list(att["month"]) == list(range(1, 25))
    pres = dyn[(dyn.subject == "withdraw") & (dyn.item == "presence")
               & (dyn.statistic == "median")]
    assert list(pres["month"]) == list(range(25))
    ev = dyn[dyn.section == "event"]
    assert set(ev["statistic"]) == {"probability"} and len(ev) == 4 * 2

    deal = results_frame(deal_an)
    assert set(deal["section"]) == {"deal"}
    assert deal["subject"].str.startswith("Outcome of the negotiation").any()


# -- the HTML report --------------------------------------------------------------------------
def test_render_header_method_and_escaping(small_html: str) -> None:
    assert small_html.startswith("<!DOCTYPE html>")
    assert "generated 2024-05-06 07:08 UTC" in small_html
    method = section(small_html, "method")
    assert "<code>realpolitik report x --seed 1 &lt;b&gt;</code>" in method
    assert "median, compromise, ensemble" in method
    assert "0.05, 0.25, 0.5, 0.75, 0.95" in method
    assert [s for s, _ in SECTION_TITLES] == [
        "bottom", "inputs", "forecast", "ensemble", "drivers", "pivotal", "options", "deal", "timeline",
        "method"]


def test_render_inputs_of_every_kind(small_html: str) -> None:
    inputs = section(small_html, "inputs")
    assert "80 [60–100, truncnormal]" in inputs
    assert "private position on Foreign presence" in inputs
    assert "<code>src1</code>" in inputs and "Invented test source" in inputs
    assert "band: withdrawal" in inputs
    assert inputs.count('class="fig"') == 1


def test_render_forecasts_drivers_and_power(small_html: str) -> None:
    fc = section(small_html, "forecast")
    assert "16 Monte Carlo samples of the uncertain inputs (seed 1)" in fc
    assert "How far to trust the bands" in fc
    assert "P(withdrawal)" in fc and "%" in fc
    ens = section(small_html, "ensemble")
    assert "<b>Ensemble (weighted mean of all collective models)</b>" in ens
    assert ens.count('class="fig"') == 1  # its histograms
    drv = section(small_html, "drivers")
    assert "Sobol indices by actor (4 base samples)" in drv
    assert 'class="fig"' in drv
    piv = section(small_html, "pivotal")
    assert "The last column is the change of the median forecast" in piv
    assert "change of the forecast without the actor (median)" in piv
    assert "Not available: scenario &#x27;uncertainty-small&#x27; has no `timeline`" in \
        section(small_html, "timeline")


def test_render_point_forecasts_of_a_bare_scenario() -> None:
    """No sources, no samples: the page says so; a point forecast's band reads 'yes'."""
    sc = parse_scenario(BARE, "bare.yaml")
    an = analyse(sc, models=["compromise"], samples=0, sections=["forecast"])
    text = render(an)
    assert "<title>Bare &lt;scenario&gt; &amp; co — realpolitik report</title>" in text
    assert "The scenario cites no sources." in text
    fc = section(text, "forecast")
    assert "No Monte Carlo bands: no Monte Carlo samples were asked for" in fc
    assert "<td class=\"num\">yes</td>" in fc  # 110/3 lies in 'low'
    assert "Not available: not requested" in section(text, "drivers")
    assert "Not available: not requested" in section(text, "pivotal")


def test_render_options_and_deal(dyn_an: Any, deal_an: Any) -> None:
    text = render(dyn_an, generated=WHEN)
    opts = section(text, "options")
    assert "4 simulated paths per option from 2024-04-14 over 24 months" in opts
    assert "Probability of each threshold event" in opts
    assert "Withdraw" in opts and "Lower influence" in opts
    assert "Attacks on U.S. forces, last month" in opts
    assert "Not available: not requested" in section(text, "forecast")
    assert "Not available: not requested" in section(text, "ensemble")
    assert re.search(r"models</td><td[^>]*>–</td>", section(text, "method"))  # none ran

    text = render(deal_an, generated=WHEN)
    deal = section(text, "deal")
    assert "Negotiation between U.S. government and Iraqi government" in deal
    assert 'src="data:image/png;base64,' in deal
    assert '<p class="warn">domestic constraint' in deal
    assert "The most likely agreed packages" in deal


# -- figures ------------------------------------------------------------------------------------
def test_figures_that_have_nothing_to_draw_are_none(small: Any) -> None:
    point = forecasts(small, ["median"], samples=0).models[0]
    assert plots.forecast_histograms(small, point) is None
    assert plots.tornado(None, small) is None
    assert plots.tornado(pd.DataFrame(columns=["issue", "input"]), small) is None
    assert plots.power_bars([]) is None
    assert plots.timeline(small) is None
    assert plots.colour(0) == plots.colour(7) != plots.colour(1)  # Okabe-Ito: 7 colours


def test_timeline_figure_draws_numeric_series() -> None:
    """Series with two or more values get their own panel; the rest are marks."""
    sc = parse_scenario(BARE + """
sources:
  - {id: s, citation: Test}
timeline:
  - {date: 2020-01-01, series: troops, value: 100, label: first, source: {id: s}}
  - {date: 2021-01-01, series: troops, value: 50, label: second, source: {id: s}}
  - {date: 2022-06-01, series: talks, label: talks start, source: {id: s, at: p. 3}}
""", "timeline.yaml")
    svg = plots.timeline(sc)
    assert svg is not None and svg.startswith("<svg") and 'class="fig"' in svg
    assert "troops" in svg and "events by series" in svg
    assert svg == plots.timeline(sc)  # reproducible byte for byte
    text = render(analyse(sc, samples=0, sections=[]), generated=WHEN)
    tl = section(text, "timeline")
    assert "talks start" in tl and "s (p. 3)" in tl
    assert tl.index("2020-01-01") < tl.index("2022-06-01")
    assert "<td class=\"num\">100</td>" in tl


def test_report_data_have_no_nan_text(small_an: Any) -> None:
    """Every float of the tidy table is a number or missing, never the string 'nan'."""
    frame = results_frame(small_an)
    assert not frame["text"].fillna("").str.lower().eq("nan").any()
    assert all(v is None or math.isfinite(v) for v in frame["value"].dropna())


# -- the command --------------------------------------------------------------------------------
def test_write_report_records_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    from realpolitik.cli.report import write_report

    out = tmp_path / "nested" / "dir" / "r.html"
    got = write_report(str(DATA / "valid" / "minimal.yaml"), out, samples=0, seed=3,
                       models=["median"], private=True, sobol=2)
    assert got == out and out.exists()
    text = out.read_text(encoding="utf-8")
    method = section(text, "method")
    assert "--samples 0 --seed 3 --model median --private --sobol 2" in method
    assert re.search(r"positions</td><td[^>]*>private</td>", method)
    assert "campaign starts" in section(text, "timeline")
    assert "Relations" in section(text, "inputs")
    assert f"wrote {out} (" in " ".join(capsys.readouterr().err.split())
    with pytest.raises(RealpolitikError, match="print-to-pdf"):
        write_report(str(DATA / "valid" / "minimal.yaml"), tmp_path / "r.pdf", samples=0)
    assert not (tmp_path / "r.pdf").exists()
