"""Monte Carlo deals: reproducibility, tables, the domestic constraint, the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from realpolitik.deal.api import negotiate, wilson
from realpolitik.errors import RealpolitikError
from realpolitik.scenario.loader import load_scenario
from realpolitik.scenario.schema import Scenario

DATA = Path(__file__).parent / "data" / "deal"
MINI = DATA / "mini-deal.yaml"
PRO_IRAN = ("framework", "pmf", "iran")


def scaled(scenario: Scenario, actors: tuple[str, ...], factor: float) -> Scenario:
    """The scenario with the capability of ``actors`` multiplied by ``factor``."""
    new = [a.model_copy(update={"capability": a.capability.model_copy(
               update={"value": a.capability.point * factor, "distribution": None})})
           if a.id in actors else a for a in scenario.actors]
    return scenario.model_copy(update={"actors": new})


def test_same_seed_same_result_and_chunking_does_not_matter():
    """A seed fixes every number; cutting the samples into chunks changes nothing."""
    a = negotiate(MINI, samples=60, seed=7)
    b = negotiate(MINI, samples=60, seed=7, chunk=7)
    for name in ("status", "agreement", "round"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert np.allclose(a.utility, b.utility, equal_nan=True)
    c = negotiate(MINI, samples=60, seed=8)
    assert not np.allclose(a.reserved, c.reserved)


def test_tables_are_consistent():
    """Outcome probabilities sum to 1; package and per-issue probabilities add up."""
    r = negotiate(MINI, samples=80, seed=1, strategies={"us_gov": "boulware"})
    out = r.outcomes()
    assert list(out["outcome"]) == ["agreement", "broken", "timed out"]
    assert out["probability"].sum() == pytest.approx(1.0)
    assert (out["low"] <= out["probability"]).all() and (out["probability"] <= out["high"]).all()
    every = r.packages(top=None)
    assert every["probability"].sum() == pytest.approx(r.p_agreement)
    assert list(every["probability"]) == sorted(every["probability"], reverse=True)
    dist = r.issue_distribution()
    for _, part in dist.groupby("issue"):
        assert part["probability"].sum() == pytest.approx(r.p_agreement)
    sol = r.solutions().set_index("concept")
    assert set(sol.index) == {"nash", "kalai-smorodinsky", "max welfare", "negotiated",
                              "pareto frontier"}
    assert sol.loc["pareto frontier", "p_agreement_equals"] == pytest.approx(r.p_agreement)
    assert [s.name for s in r.strategies] == ["boulware", "linear"]
    doc = r.to_json()
    json.dumps(doc)
    assert doc["p_no_deal"] == pytest.approx(1 - r.p_agreement)


def test_wilson_interval():
    """Wilson's 95% interval: 50 of 100 gives about 40.4%-59.6%; bounds stay in [0, 1]."""
    lo, hi = wilson(50, 100)
    assert (lo, hi) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0


def test_domestic_constraint_moves_the_deal_monotonically():
    """Raising the pro-Iran coalition's capability lowers the collective forecast on
    us_presence, which shrinks Baghdad's acceptable set: the forecast package (the negotiated
    package and the Nash point at point values) has fewer or equal troops and an earlier or
    equal end at every step, and the Monte Carlo agreements move down the presence scale."""
    base = load_scenario(MINI)
    rows = []
    for factor in (0.25, 1.0, 4.0, 16.0):
        r = negotiate(scaled(base, PRO_IRAN, factor), samples=150, seed=3)
        pt = r.point
        neg = r.space.package(pt.agreement)
        nash = r.space.package(pt.concepts["nash"])
        agreed = r.agreement[r.agreed]
        troops = np.asarray(r.space.issues[0].levels)[r.space.index[agreed, 0]]
        rows.append((pt.forecast, pt.rb, neg["troops"], neg["end_date"], nash["troops"],
                     nash["end_date"], float(np.mean(pt.position[agreed])),
                     float(np.mean(troops))))
    rows = np.array(rows)
    forecast, reserved = rows[:, 0], rows[:, 1]
    assert np.all(np.diff(forecast) < 0)             # the coalition's forecast falls...
    assert np.all(np.diff(reserved) > 0)             # ...and expulsion looks better to Baghdad
    for col in (2, 3, 4, 5, 6):                      # troops, end date, presence never rise
        assert np.all(np.diff(rows[:, col]) <= 1e-9), rows[:, col]
    assert rows[-1, 2] < rows[0, 2] or rows[-1, 3] < rows[0, 3]     # and do fall overall
    assert rows[-1, 6] < rows[0, 6] - 2.0
    assert rows[-1, 7] < rows[0, 7]


def test_iraq_2024_deal_runs():
    """The built-in scenario's deal: every sample ends; concepts are defined at point values."""
    r = negotiate("iraq-2024", samples=24, seed=0)
    assert r.samples == 24 and r.space.size == 7776
    assert r.outcomes()["probability"].sum() == pytest.approx(1.0)
    assert all(o is not None for o in r.point.concepts.values())
    assert r.domestic()["issue"] == "us_presence"
    assert any("only 24 samples" in w for w in r.warnings())


def test_argument_errors():
    """Bad strategies, parties, samples and deadlines are user errors with the fix."""
    with pytest.raises(RealpolitikError, match="strategies given for non-parties iran"):
        negotiate(MINI, samples=2, strategies={"iran": "linear"})
    with pytest.raises(RealpolitikError, match="samples must be a positive integer"):
        negotiate(MINI, samples=0)
    with pytest.raises(RealpolitikError, match="opener 'kurds' is not a party"):
        negotiate(MINI, samples=2, opener="kurds")
    with pytest.raises(RealpolitikError, match="unknown strategy"):
        negotiate(MINI, samples=2, strategies=("linear", "stubborn"))


@pytest.mark.slow
def test_cli_deal_table_json_and_plot(run_cli, tmp_path):
    """`realpolitik deal` prints the tables, writes JSON and a PNG; errors exit 2."""
    png = tmp_path / "frontier.png"
    code, out, err = run_cli("deal", str(MINI), "--samples", "40", "--seed", "2",
                             "--strategy", "us_gov=boulware", "--strategy", "iraq_gov=conceder",
                             "--plot", str(png))
    assert code == 0, err
    assert "Most likely agreed packages" in out and "P(no deal)" in out
    assert "kalai-smorodinsky" in out and "nash" in out
    assert "us_gov boulware" in out and "iraq_gov conceder" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, err = run_cli("deal", str(MINI), "--samples", "40", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["strategies"] == {"us_gov": "linear", "iraq_gov": "linear"}
    assert {row["outcome"] for row in doc["outcomes"]} == {"agreement", "broken", "timed out"}
    code, out, err = run_cli("deal", str(MINI), "--samples", "5", "--strategy", "us_gov=hardball")
    assert code == 2 and "unknown strategy 'hardball'" in err and "Traceback" not in err
    assert "--strategy us_gov=hardball" in err
    code, _, err = run_cli("deal", "ktab-soe-policy", "--samples", "5")
    assert code == 2 and "no `deal` section" in err
    code, _, err = run_cli("deal", str(MINI), "--samples", "5", "--plot", str(tmp_path / "x.pdf"))
    assert code == 2 and "PNG" in err
    for bad in (["--deadline", "0"], ["--samples", "0"], ["--seed", "-1"], ["--top", "0"]):
        code, _, err = run_cli("deal", str(MINI), "--samples", "5", *bad)
        assert code == 2 and "Traceback" not in err, bad


@pytest.mark.slow
def test_docs_python_example_runs():
    """The Python block of docs/deal.md runs as written."""
    import re

    doc = (Path(__file__).resolve().parents[1] / "docs" / "deal.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", doc, flags=re.S)
    assert blocks
    for block in blocks:
        scope: dict = {}
        exec(compile(block, "docs/deal.md", "exec"), scope)
        assert 0.0 <= scope["result"].p_no_deal <= 1.0


def test_interrupted_run_keeps_finished_samples():
    """An interrupt after a finished chunk returns those samples, with a warning."""
    calls = []

    def progress(stage: str, done: int, total: int) -> None:
        assert total == 1000  # per mille of the whole call
        if stage != "negotiating":
            return
        calls.append(done)
        if len(calls) >= 2:  # after the second chunk of 10
            raise KeyboardInterrupt

    r = negotiate(MINI, samples=60, seed=7, chunk=10, progress=progress, interruptible=True)
    full = negotiate(MINI, samples=60, seed=7)
    assert r.samples == 20 and len(calls) == 2 and 0 < calls[0] < calls[1] < 1000
    assert np.array_equal(r.agreement, full.agreement[:20])
    assert any("interrupted" in w for w in r.warnings())
    with pytest.raises(KeyboardInterrupt):
        negotiate(MINI, samples=60, seed=7, chunk=10, progress=progress)


def test_cli_deal_strategy_names_the_scenarios_parties(run_cli):
    """`--strategy PARTY=NAME` takes the deal's party ids; others are exit-2 errors naming them."""
    code, out, err = run_cli("deal", str(MINI), "--samples", "8", "--format", "json",
                             "--strategy", "iraq_gov=tit-for-tat")
    assert code == 0, err
    assert json.loads(out)["strategies"] == {"us_gov": "linear", "iraq_gov": "tit-for-tat"}
    code, _, err = run_cli("deal", str(MINI), "--samples", "5", "--strategy", "us=boulware")
    assert code == 2 and "'us' is not a party of the deal" in err
    assert "us_gov, iraq_gov" in err and "Traceback" not in err
    code, _, err = run_cli("deal", str(MINI), "--samples", "5", "--strategy", "boulware")
    assert code == 2 and "--strategy takes PARTY=NAME" in err
    code, _, err = run_cli("deal", str(MINI), "--samples", "5", "--strategy", "us_gov=linear",
                           "--strategy", "us_gov=conceder")
    assert code == 2 and "names party 'us_gov' twice" in err
    code, _, err = run_cli("deal", "ktab-soe-policy", "--samples", "5",
                           "--strategy", "a=linear")
    assert code == 2 and "no `deal` section" in err
    code, _, err = run_cli("deal", str(MINI), "--samples", "5", "--strategy-us", "boulware")
    assert code == 2 and "No such option" in err
