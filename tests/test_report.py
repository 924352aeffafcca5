"""``realpolitik report``: one self-contained HTML file with every section, absent ones explained."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from realpolitik.api.report import Absent, Control, analyse, forecasts
from realpolitik.api.report_export import results_frame
from realpolitik.presentation.html import SECTION_TITLES, render
from realpolitik.scenario.edits import Edit, apply_edits, scenario_from_data
from realpolitik.scenario.loader import load_scenario

DATA = Path(__file__).parent / "data"


class _Refs(HTMLParser):
    """Collects every URL the page would load (scripts, styles, images, frames, objects)."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.sections: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "embed", "source", "video", "audio") and a.get("src"):
            self.loads.append(a["src"] or "")
        if tag == "link" and a.get("href"):
            self.loads.append(a["href"] or "")
        if tag == "object" and a.get("data"):
            self.loads.append(a["data"] or "")
        if tag == "section" and a.get("id"):
            self.sections.append(a["id"] or "")


@pytest.fixture(scope="module")
def iraq_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The report of iraq-2024 with few samples (written once for the module)."""
    from realpolitik.cli.report import write_report

    out = tmp_path_factory.mktemp("report") / "report.html"
    write_report("iraq-2024", out, samples=12, seed=5, models=["median", "compromise"])
    return out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_report_is_self_contained(iraq_report: str) -> None:
    """Nothing is loaded from anywhere: images are inline SVG or data: URLs."""
    parser = _Refs()
    parser.feed(iraq_report)
    assert all(u.startswith("data:") for u in parser.loads), parser.loads
    assert "<script" not in iraq_report
    assert re.search(r"@import|url\(\s*['\"]?http", iraq_report) is None
    assert "default-src 'none'" in iraq_report  # the page itself forbids any fetch


@pytest.mark.slow
def test_report_has_every_section_in_order(iraq_report: str) -> None:
    """All sections are there, in the documented order, each with its title."""
    parser = _Refs()
    parser.feed(iraq_report)
    assert parser.sections == [sid for sid, _ in SECTION_TITLES]
    for _, title in SECTION_TITLES:
        assert f"<h2>{title}</h2>" in iraq_report


@pytest.mark.slow
def test_report_shows_inputs_sources_and_forecasts(iraq_report: str) -> None:
    """Every actor, every cited source and each model's forecast appear."""
    sc = load_scenario("iraq-2024")
    for actor in sc.actors:
        assert f"<b>{html.escape(actor.name, quote=True)}</b>" in iraq_report
    for source in sc.sources:
        assert f"<code>{source.id}</code>" in iraq_report
    assert "12 Monte Carlo samples" in iraq_report
    assert "12 samples are too few for stable estimates" in iraq_report  # few samples are flagged
    assert iraq_report.count('class="fig" viewBox') >= 4


def test_absent_sections_say_why(tmp_path: Path) -> None:
    """A scenario without dynamics, deal or timeline values gets notes, not gaps."""
    sc = load_scenario(DATA / "valid" / "minimal.yaml")
    an = analyse(sc, models=["median"], samples=0, seed=0)
    text = render(an)
    assert "Not available: scenario &#x27;minimal&#x27; has no `dynamics` section" in text
    assert "has no `deal` section" in text
    assert "No Monte Carlo bands: no Monte Carlo samples were asked for" in text
    for sid, _ in SECTION_TITLES:
        assert f'<section id="{sid}"' in text


def test_report_cli(run_cli: Any, tmp_path: Path) -> None:
    """The command writes the file; PDF is refused with how to get one."""
    out = tmp_path / "r.html"
    code, _, err = run_cli("report", str(DATA / "valid" / "minimal.yaml"), "--out", str(out),
                           "--samples", "8", "--seed", "2", "-m", "median")
    assert code == 0, err
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    code, _, err = run_cli("report", "iraq-2024", "--format", "pdf", "--out", str(tmp_path / "x"))
    assert code == 2
    assert "print-to-pdf" in err and "Traceback" not in err
    code, _, err = run_cli("report", "no-such-scenario", "--out", str(out))
    assert code == 2 and "no such file" in err
    code, _, err = run_cli("report", "iraq-2024", "--samples", "-1")
    assert code == 2


@pytest.mark.slow
def test_same_seed_same_numbers() -> None:
    """Two analyses with one seed give identical draws; another seed differs."""
    sc = load_scenario("iraq-2024")
    a = forecasts(sc, ["compromise"], samples=30, seed=4)
    b = forecasts(sc, ["compromise"], samples=30, seed=4)
    c = forecasts(sc, ["compromise"], samples=30, seed=5)
    assert np.array_equal(a.models[0].draws, b.models[0].draws)
    assert not np.array_equal(a.models[0].draws, c.models[0].draws)


@pytest.mark.slow
def test_chunking_does_not_change_samples(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sample k is the same however the run is cut into chunks."""
    from realpolitik.api import report as analysis

    sc = load_scenario("iraq-2024")
    whole = forecasts(sc, ["compromise"], samples=40, seed=9).models[0].draws
    monkeypatch.setattr(analysis, "CHUNK", 7)
    chunked = forecasts(sc, ["compromise"], samples=40, seed=9).models[0].draws
    np.testing.assert_allclose(whole, chunked)


def test_quantiles_and_band_probabilities_agree_with_draws() -> None:
    """Reported quantiles and band probabilities are those of the sampled forecasts."""
    sc = load_scenario("iraq-2024")
    mf = forecasts(sc, ["median"], samples=50, seed=1).models[0]
    x = mf.draws[:, 0]
    q = mf.quantiles("us_presence")
    assert q["p50"] == pytest.approx(float(np.median(x)))
    probs = mf.band_probabilities(sc, "us_presence")
    band = sc.issue("us_presence").bands[0]
    assert probs[band.name] == pytest.approx(float(np.mean((x >= band.low) & (x <= band.high))))


def test_cancel_stops_an_analysis() -> None:
    """A set cancel flag stops the run at its first progress report."""
    import threading

    from realpolitik.api.report import Cancelled

    flag = threading.Event()
    flag.set()
    with pytest.raises(Cancelled):
        analyse(load_scenario("iraq-2024"), models=["median"], samples=10,
                control=Control(cancel=flag))


def test_progress_is_reported() -> None:
    """Progress goes from stage to stage and ends at done."""
    seen: list[tuple[str, float]] = []
    analyse(load_scenario(DATA / "valid" / "minimal.yaml"), models=["median"], samples=5,
            control=Control(on_progress=lambda s, f: seen.append((s, f))))
    assert seen[-1] == ("done", 1.0)
    assert all(0.0 <= f <= 1.0 for _, f in seen)


def test_unknown_section_or_option_is_a_clear_error() -> None:
    """Unknown sections are refused; an unknown policy option becomes an explained absence."""
    from realpolitik.errors import RealpolitikError

    sc = load_scenario("iraq-2024")
    with pytest.raises(RealpolitikError, match="unknown section"):
        analyse(sc, sections=["forecast", "astrology"])
    an = analyse(sc, models=["median"], samples=2, sections=["dynamics"], options=["nope"])
    assert isinstance(an.dynamics, Absent) and "unknown option" in an.dynamics.reason


def test_results_frame_is_tidy() -> None:
    """The results table has one number per row, with its section and statistic."""
    sc = load_scenario("iraq-2024")
    an = analyse(sc, models=["median"], samples=10, sections=["forecast", "dynamics"],
                 options=["status_quo"])
    frame = results_frame(an)
    assert list(frame.columns) == ["section", "subject", "item", "month", "statistic", "value",
                                   "text"]
    row = frame[(frame.section == "forecast") & (frame.statistic == "forecast")
                & (frame.item == "us_presence")]
    assert row["value"].iloc[0] == pytest.approx(an.forecast.models[0].point["us_presence"])
    assert set(frame.section) == {"forecast", "band", "dynamics", "event"}


def test_edits_keep_distribution_and_note() -> None:
    """An edit moves the input's range with it and says so in the note."""
    from realpolitik.scenario.loader import builtin_path
    from realpolitik.scenario.yamlio import parse_document, read_text

    data, _ = parse_document(read_text(builtin_path("iraq-2024")), "x")
    edited = apply_edits(data, [Edit("us_gov", "position", 50.0, "us_presence")])
    value = next(a for a in edited["actors"] if a["id"] == "us_gov")["positions"]["us_presence"]
    original = next(a for a in data["actors"] if a["id"] == "us_gov")["positions"]["us_presence"]
    assert value["value"] == 50.0
    shift = 50.0 - original["value"]
    assert value["distribution"]["low"] == pytest.approx(original["distribution"]["low"] + shift)
    assert "edited in realpolitik" in value["note"]
    assert original["value"] != 50.0  # the original data is untouched
    sc = scenario_from_data(edited)
    assert sc.actor("us_gov").positions["us_presence"].point == 50.0


@pytest.mark.parametrize("page", [pytest.param("report.md", marks=pytest.mark.slow),
                                  "dashboard.md"])
def test_docs_python_blocks_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python examples of docs/report.md and docs/dashboard.md run."""
    if page == "dashboard.md":
        pytest.importorskip("fastapi")
        try:
            import fastapi.testclient  # noqa: F401
        except RuntimeError as exc:
            pytest.skip(str(exc))
    monkeypatch.chdir(tmp_path)
    text = (Path(__file__).resolve().parents[1] / "docs" / page).read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    for k, block in enumerate(blocks):
        exec(compile(block, f"docs/{page} python block {k}", "exec"), {})


@pytest.mark.slow
def test_ensemble_section(iraq_report: str) -> None:
    """The ensemble section shows the ensemble when one is registered, else says there is none."""
    from realpolitik.api.report import ENSEMBLE, model_names

    body = iraq_report.split('<section id="ensemble"', 1)[1].split("</section>", 1)[0]
    if ENSEMBLE in model_names():
        from realpolitik.models.registry import get_model

        title = html.escape(get_model(ENSEMBLE).title, quote=True)
        assert f"<b>{title}</b>" in body and "Not available" not in body
    else:
        assert "no ensemble model is registered" in body


@pytest.mark.parametrize(("stage", "section"), [
    ("Monte Carlo", "forecast"), ("dynamics", "dynamics"),
    pytest.param("deal", "deal", marks=pytest.mark.slow)])
def test_cancel_inside_a_subsystem(stage: str, section: str) -> None:
    """Cancelling while a subsystem runs (Monte Carlo, dynamics, deal) stops the analysis there."""
    import threading

    from realpolitik.api.report import Cancelled

    flag = threading.Event()
    seen: list[str] = []

    def on_progress(s: str, f: float) -> None:
        seen.append(s)
        if s.startswith(stage):
            flag.set()

    with pytest.raises(Cancelled):
        analyse(load_scenario("iraq-2024"), models=["median"], samples=300, seed=0,
                sections=[section], control=Control(cancel=flag, on_progress=on_progress))
    assert seen[-1].startswith(stage)
    assert "done" not in seen
