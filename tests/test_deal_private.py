"""Private information, breakdown and calendar time, and the package-to-scale mapping.

The oracle: with exact beliefs (one type, the opponent's truth) the incomplete-information
protocol reproduces the complete-information one, and both reproduce the outcomes the deal gave
before private information existed (tests/data/deal/complete_information_mini.npz, written by
the complete-information protocol of commit 28929e3 on mini-deal.yaml, 300 samples, seed 11).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.deal.api import negotiate
from realpolitik.deal.breakdown import cumulative_attacks, round_date
from realpolitik.deal.private import Belief, private_offers, update
from realpolitik.deal.protocol import BROKEN, alternating_offers
from realpolitik.errors import ScenarioError
from realpolitik.scenario.loader import parse_scenario

DATA = Path(__file__).parent / "data" / "deal"
MINI = DATA / "mini-deal.yaml"
MINI_TEXT = MINI.read_text(encoding="utf-8")
PAIRS = [("linear", "linear"), ("boulware", "conceder"), ("tit-for-tat", "linear"),
         ("time:0.5", "tit-for-tat"), ("conceder", "boulware")]


def with_deal(extra: str, text: str = MINI_TEXT):
    """The mini scenario with lines added at the end of its deal section."""
    return parse_scenario(text + extra, "mini.yaml")


# -- the oracle ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("information", "centre"), [("complete", None), ("private", "truth")])
def test_exact_beliefs_reproduce_todays_complete_information_outcomes(information, centre):
    """Complete information, and private information with exact beliefs, give the stored outcomes."""
    ref = np.load(DATA / "complete_information_mini.npz")
    for sa, sb in PAIRS:
        key = f"{sa}|{sb}"
        r = negotiate(MINI, samples=300, seed=11, strategies=(sa, sb), information=information,
                      spread=0.0 if centre else None, centre=centre, types=1 if centre else None)
        assert r.information == information
        assert np.array_equal(r.status, ref[key + "|status"]), key
        assert np.array_equal(r.agreement, ref[key + "|agreement"]), key
        assert np.array_equal(r.round, ref[key + "|round"]), key


@pytest.mark.parametrize("opener", [0, 1])
@pytest.mark.parametrize("strategies", [*PAIRS, ("tit-for-tat", "tit-for-tat")])
def test_exact_beliefs_equal_the_complete_information_protocol(strategies, opener):
    """On random problems, with a rising reserved value and shocks, offer for offer."""
    rng = np.random.default_rng(len(strategies[0]) * 7 + opener)
    s, n, t = 120, 40, 10
    ua, ub = rng.random((s, n)), rng.random((s, n))
    ra, rb = rng.random(s) * 0.8, rng.random(s) * 0.8
    rise = (np.cumsum(rng.random((s, t + 1)) * 0.03, axis=1), np.zeros((s, t + 1)))
    shock = rng.random((s, t + 1)) < 0.03
    full = alternating_offers(ua, ub, ra, rb, strategies, t, opener, rise=rise, shock=shock)
    exact = (Belief(ub[:, None, :], rb[:, None], np.ones((s, 1))),
             Belief(ua[:, None, :], ra[:, None], np.ones((s, 1))))
    priv = private_offers(ua, ub, ra, rb, exact, strategies, t, opener, rise=rise,
                          shock=shock).outcome
    for name in ("status", "agreement", "round", "offers"):
        assert np.array_equal(getattr(full, name), getattr(priv, name)), name
    assert np.any(full.status == BROKEN)


# -- Bayesian learning: a two-type example worked by hand -------------------------------------
def test_two_type_update_by_hand():
    """Hindriks & Tykhonov's likelihood with a linear concession, noise 0.5, two types.

    Type A values packages 0, 1, 2 at 1.0, 0.6, 0.2; type B at 0.2, 0.6, 1.0; both reserve
    0.2, so both predict their own offer at relative time tau to be worth 1 - 0.8 tau to them.
    The opponent (truly A) offers package 0 at tau = 0, 1 at 0.5, 2 at 1:

    - tau 0: predicted 1 for both; A's offer is worth 1 to A (L = 1), 0.2 to B
      (L = exp(-0.8^2 / (2 * 0.25)) = exp(-1.28) = 0.27804): P(A) = 1 / 1.27804 = 0.78245;
    - tau 0.5: predicted 0.6; both value package 1 at 0.6, L equal: P(A) unchanged;
    - tau 1: predicted 0.2; A values package 2 at 0.2 (L = 1), B at 1.0 (L = 0.27804):
      P(A) = 0.78245 / (0.78245 + 0.21755 * 0.27804) = 0.92827.
    """
    values = np.array([[1.0, 0.6, 0.2], [0.2, 0.6, 1.0]])
    umax = np.array([[1.0, 1.0]])
    r = np.array([[0.2, 0.2]])
    b = np.array([[0.5, 0.5]])
    expected = [0.78245, 0.78245, 0.92827]
    for offer, tau, want in zip((0, 1, 2), (0.0, 0.5, 1.0), expected, strict=True):
        b = update(b, values[:, offer][None, :], umax, r, tau, 0.5, np)
        assert b[0, 0] == pytest.approx(want, abs=5e-5)
        assert b.sum() == pytest.approx(1.0)
    assert math.exp(-1.28) == pytest.approx(0.27804, abs=5e-6)


def test_beliefs_move_toward_the_true_type_in_the_protocol():
    """Two hypotheses, one of them the truth: after the talks the truth has gained mass."""
    rng = np.random.default_rng(5)
    s, n = 400, 30
    ua, ub = rng.random((s, n)), rng.random((s, n))
    ra, rb = np.full(s, 0.3), np.full(s, 0.3)
    decoy_b, decoy_a = rng.random((s, n)), rng.random((s, n))
    beliefs = (Belief(np.stack([ub, decoy_b], axis=1), np.stack([rb, rb], axis=1),
                      np.full((s, 2), 0.5), 0.1),
               Belief(np.stack([ua, decoy_a], axis=1), np.stack([ra, ra], axis=1),
                      np.full((s, 2), 0.5), 0.1))
    out = private_offers(ua, ub, ra, rb, beliefs, ("linear", "linear"), 12, 0)
    for hist in out.beliefs:
        final = hist[:, -1, 0]
        assert np.mean(final) > 0.6
        assert np.mean(final > 0.5) > 0.6


# -- wider beliefs: more delay, less efficiency, more breakdowns -------------------------------
def test_wider_beliefs_raise_p_no_deal_and_move_the_packages():
    """With a 15% breakdown risk per round, widening the beliefs (centred on the truth) from
    exact to four times the declared uncertainty never lowers P(no deal), the mean round of the
    agreements, or their distance to the Pareto frontier (Myerson & Satterthwaite 1983: private
    information costs efficiency; delay is how it shows in alternating offers)."""
    sc = with_deal("  breakdown: {risk: 0.15}\n")
    rows = []
    for spread in (0.0, 1.0, 2.0, 4.0):
        r = negotiate(sc, samples=1500, seed=3, information="private", spread=spread,
                      centre="truth", types=6)
        rows.append((r.p_no_deal, float(np.mean(r.round[r.agreed])),
                     float(np.nanmean(r.distance["pareto frontier"][r.agreed]))))
    rows_a = np.array(rows)
    assert np.all(np.diff(rows_a, axis=0) >= -1e-12), rows
    assert rows_a[-1, 0] > rows_a[0, 0] and rows_a[-1, 2] > rows_a[0, 2]
    assert rows_a[0, 2] == 0.0                      # exact beliefs: on the frontier


def test_complete_and_private_share_the_draws_and_the_point_world():
    """Private information changes the protocol, not the world: same reserved values, concepts."""
    a = negotiate(MINI, samples=60, seed=4, information="complete")
    b = negotiate(MINI, samples=60, seed=4, information="private", spread=2.0)
    assert np.array_equal(a.reserved, b.reserved)
    assert a.point.agreement == b.point.agreement
    assert b.information == "private"


# -- breakdown and calendar time ---------------------------------------------------------------
def test_breakdown_risk_and_the_calendar():
    """Outside shocks end talks (broken) in proportion; the curve rises to P(agreement)."""
    sc = with_deal("  round_months: 2\n  breakdown: {risk: 0.3}\n")
    r = negotiate(sc, samples=800, seed=1)
    off = negotiate(sc, samples=800, seed=1, breakdown=False)
    assert off.p_agreement == 1.0 and r.p_no_deal > 0.3
    curve = r.timeline()
    assert np.all(np.diff(curve["p_agreement"]) >= 0)
    assert curve["p_agreement"].iloc[-1] == pytest.approx(r.p_agreement)
    assert curve["p_broken"].iloc[-1] == pytest.approx(float(np.mean(r.status == BROKEN)))
    assert curve["date"].iloc[0] == "2024-04-14" and curve["date"].iloc[6] == "2025-04-14"
    when = r.agreement_date()
    assert when["q05"] <= when["median"] <= when["q95"]
    assert when["mean_months"] == pytest.approx(2 * float(np.mean(r.round[r.agreed])))
    assert round_date(sc.as_of, 1.5, 2.0).isoformat() == "2024-07-14"


def test_attack_cost_raises_the_reserved_value_until_the_party_walks_out():
    """Cumulative attacks by hand, and attacks that make Baghdad's status quo too costly."""
    monthly = np.array([[2.0, 4.0, 6.0]])
    cum = cumulative_attacks(monthly, np.array([1.5]), 4)
    # starts of rounds at 0, 1.5, 3, 4.5 months: 0; 2 + 0.5 * 4 = 4; 12; 12 + 1.5 * 4 = 18
    assert cum.tolist() == [[0.0, 4.0, 12.0, 18.0]]
    ua = np.array([[0.0, 0.5, 1.0]])
    ub = np.array([[1.0, 0.5, 0.0]])
    rise = (np.zeros((1, 5)), np.array([[0.0, 0.1, 0.5, 0.9, 1.3]]))
    out = alternating_offers(ua, ub, np.array([0.4]), np.array([0.4]), ("boulware", "boulware"),
                             4, 0, rise=rise)
    assert int(out.status[0]) == BROKEN and int(out.round[0]) == 3


# -- one scale -----------------------------------------------------------------------------------
def test_packages_on_the_scale_and_the_domestic_constraint_use_one_mapping():
    """`deal.scale` and the older `domestic.presence` give the same deal and positions."""
    old = negotiate(MINI, samples=50, seed=2)
    block = MINI_TEXT[MINI_TEXT.index("    presence:\n"):]
    text = MINI_TEXT[:MINI_TEXT.index("    presence:\n")]
    moved = "  scale:\n    issue: us_presence\n    issues:\n" + "\n".join(
        block.splitlines()[1:]) + "\n"
    new = negotiate(parse_scenario(text + moved, "mini.yaml"), samples=50, seed=2)
    assert np.array_equal(old.agreement, new.agreement)
    info = new.on_scale()
    assert info["issue"] == "us_presence" and info["negotiated"] is not None
    assert info["q05"] <= info["mean"] <= info["q95"]
    assert np.allclose(old.position, new.position, equal_nan=True)
    assert np.all(np.isnan(new.position[~new.agreed]))


def _problems(text: str):
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "bad.yaml")
    return {p.field: p for p in info.value.problems}


def test_mapping_is_checked_for_range_and_monotonicity_with_line_and_field():
    """Positions outside the issue's scale, or going up and down, name file, line and field."""
    text = MINI_TEXT.replace("advise_assist: 55, training_only: 35, none: 5",
                             "advise_assist: 55, training_only: 65, none: 5")
    found = _problems(text)
    p = found["deal.domestic.presence.mission.scale.none"]   # up from 55 to 65, then down
    assert "rise or fall" in p.message and p.value == 5
    assert p.line == text[: text.index("training_only: 65")].count("\n") + 1
    assert p.file == "bad.yaml"
    text = MINI_TEXT.replace("{0: 0, 1000: 42, 2500: 60}", "{0: 0, 1000: 42, 2500: 160}")
    found = _problems(text)
    assert "must lie in [0, 100]" in found["deal.domestic.presence.troops.scale.2500"].message


def test_scale_beliefs_and_breakdown_errors():
    """Two mappings, a belief held by a non-party, a risk of 1, an unknown dynamics option."""
    text = MINI_TEXT + ("  scale:\n    issue: us_presence\n    issues:\n"
                        "      troops: {weight: 1, scale: {0: 0, 2500: 60}}\n"
                        "  beliefs: {iran: {spread: 1}, us_gov: {spread: -1}}\n"
                        "  breakdown: {risk: 1.0, attacks: {party: iraq_gov, "
                        "cost_per_attack: 0.01}}\n")
    found = _problems(text)
    assert "given twice" in found["deal.domestic.presence"].message
    assert "not a party" in found["deal.beliefs.iran"].message
    assert "must lie in [0, 10]" in found["deal.beliefs.us_gov.spread"].message
    assert "must lie in [0, 0.99]" in found["deal.breakdown.risk"].message
    assert "lacks" in found["deal.breakdown.attacks"].message


# -- interfaces ----------------------------------------------------------------------------------
def test_json_and_cli_show_the_curve_and_the_scale(run_cli):
    """`deal --format json` has the timeline, dates and scale; the table prints them."""
    import json

    code, out, err = run_cli("deal", str(MINI), "--samples", "30", "--format", "json",
                             "--information", "private", "--spread", "1.5")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["information"] == "private"
    assert len(doc["timeline"]) == 13 and doc["scale"]["issue"] == "us_presence"
    assert doc["agreement_date"]["median"] >= "2024-04-14"
    code, out, err = run_cli("deal", str(MINI), "--samples", "30", "--no-breakdown")
    assert code == 0, err
    assert "P(agreement by date)" in out and "On 'us_presence'" in out
    code, _, err = run_cli("deal", str(MINI), "--samples", "5", "--information", "psychic")
    assert code == 2 and "Traceback" not in err


def test_forecast_shows_the_negotiated_package_on_the_scale(run_cli):
    """`forecast` places the deal's package next to the collective forecast, with a sentence."""
    import json

    code, out, err = run_cli("forecast", str(MINI), "--model", "compromise")
    assert code == 0, err
    assert "the coalition pushes for" in out and "negotiated package" in out
    code, out, err = run_cli("forecast", str(MINI), "--model", "compromise", "--format", "json")
    info = json.loads(out)["deal_on_scale"]
    assert info["issue"] == "us_presence" and info["model"] == "compromise"
    assert 0 <= info["negotiated"] <= 100


@pytest.mark.slow
def test_iraq_2024_deal_with_private_information_and_attacks():
    """The built-in deal: outcomes with intervals, dates, the presence scale, attacks used."""
    from realpolitik.api.deal import negotiate as service_negotiate

    r = service_negotiate("iraq-2024", samples=60, seed=0)
    assert r.information == "private" and r.breakdown and r.attacks is not None
    frame = r.outcomes()
    assert frame["probability"].sum() == pytest.approx(1.0)
    assert (frame["low"] <= frame["probability"]).all()
    assert r.on_scale()["issue"] == "us_presence"
    assert r.agreement_date() is not None
    assert np.all(np.diff(r.attacks, axis=1) >= 0)


# -- properties ----------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), opener=st.integers(0, 1), k=st.integers(1, 4))
def test_relabelling_the_parties_changes_nothing(seed, opener, k):
    """Swapping the parties (and their beliefs, strategies and the opener) gives the same talks."""
    rng = np.random.default_rng(seed)
    s, n, t = 8, 12, 6
    ua, ub = rng.random((s, n)), rng.random((s, n))
    ra, rb = rng.random(s) * 0.7, rng.random(s) * 0.7
    ba = Belief(rng.random((s, k, n)), rng.random((s, k)) * 0.7, np.full((s, k), 1.0 / k))
    bb = Belief(rng.random((s, k, n)), rng.random((s, k)) * 0.7, np.full((s, k), 1.0 / k))
    one = private_offers(ua, ub, ra, rb, (ba, bb), ("boulware", "tit-for-tat"), t, opener)
    two = private_offers(ub, ua, rb, ra, (bb, ba), ("tit-for-tat", "boulware"), t, 1 - opener)
    for name in ("status", "agreement", "round", "offers"):
        assert np.array_equal(getattr(one.outcome, name), getattr(two.outcome, name)), name
    assert np.allclose(one.beliefs[0], two.beliefs[1]) and np.allclose(one.beliefs[1],
                                                                       two.beliefs[0])


def test_report_deal_section_shows_the_curve_and_the_scale():
    """The report's deal section: the sentence, the date curve's table and figure, the scale."""
    from realpolitik.api.report import analyse
    from realpolitik.api.report_export import deal_json
    from realpolitik.presentation.html import deal_section
    from realpolitik.scenario.loader import load_scenario

    an = analyse(load_scenario(MINI), samples=30, sections=["deal"])
    html = deal_section(an.deal)
    assert 'class="deal-on-scale"' in html and "the coalition pushes for" in html
    assert "P(agreement by date)" in html and html.count("<img") == 2
    doc = deal_json(an.deal)
    assert doc["on_scale"]["issue"] == "us_presence" and doc["sentence"] == an.deal.sentence
