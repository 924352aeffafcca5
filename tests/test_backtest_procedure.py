"""DEU procedure-based capabilities and rules (``realpolitik backtest deu3 --capabilities procedure``)."""

from __future__ import annotations

import numpy as np
import pytest

from realpolitik.api.backtest import load_dataset, run_backtest, with_procedures
from realpolitik.backtest.procedure import period_of, proposal_year


@pytest.fixture(scope="module")
def deu():
    return with_procedures(load_dataset("deu3"))


def by_id(ds, issue_id):
    return next(i for i in ds.issues if i.issue_id == issue_id)


def test_proposal_years_and_periods():
    assert proposal_year("d00032") == 2000 and proposal_year("d95341") == 1995
    assert proposal_year("d120193") == 2012 and proposal_year("n0062B") == 2000
    assert period_of(1999) == ("amsterdam", 62 / 87)
    assert period_of(2005) == ("nice", 232 / 321)
    assert period_of(2010) == ("nice", 255 / 345)
    assert period_of(2016) == ("lisbon", 0.55)


def test_amsterdam_qmv_codecision_issue(deu):
    """d00032 (2000, COD, QMV): EU-15 votes, threshold 62/87, Parliament a veto, Commission proposes."""
    issue = by_id(deu, "d00032i1")
    actors = list(issue.actors)
    rules = issue.rules
    assert rules is not None
    council = rules.weight[0, 0]
    assert council[actors.index("de")] == 10 and council[actors.index("lu")] == 2
    assert rules.quota[0, 0] == pytest.approx(62 / 87)
    assert rules.quota[0, 1] == 0.0                       # no population body before Lisbon
    assert rules.quota[0, 2] == 1.0 and rules.weight[0, 2, actors.index("ep")] == 1.0
    assert rules.setter[0, 0] == actors.index("com")
    states = [k for k, a in enumerate(actors) if a not in ("com", "ep")]
    assert issue.capability[states].sum() == pytest.approx(1.0)
    assert issue.capability[actors.index("ep")] == 1.0


def test_consultation_and_unanimity():
    ds = with_procedures(load_dataset("deu3"))
    cns = [i for i in ds.issues if i.meta.get("procedure") == "CNS" and "ep" in i.actors]
    assert cns and all(i.rules.quota[0, 2] == 0.0 for i in cns)
    assert all(i.capability[list(i.actors).index("ep")] == 0.0 for i in cns)
    unan = [i for i in ds.issues if i.meta.get("voting_rule") == "Unan"]
    for i in unan[:5]:
        states = [k for k, a in enumerate(i.actors) if a not in ("com", "ep")]
        assert i.rules.quota[0, 0] == 1.0
        np.testing.assert_array_equal(i.rules.weight[0, 0, states], 1.0)


def test_lisbon_double_majority(deu):
    late = [i for i in deu.issues if (proposal_year(i.meta["proposal_id"]) or 0) >= 2014
            and i.meta.get("voting_rule", "").startswith("QMV")]
    assert late
    rules = late[0].rules
    assert rules.quota[0, 0] == pytest.approx(0.55) and rules.quota[0, 1] == pytest.approx(0.65)
    de = list(late[0].actors).index("de") if "de" in late[0].actors else None
    if de is not None:
        assert rules.weight[0, 1, de] == pytest.approx(80.8)


def test_equal_capabilities_are_unchanged_and_procedures_change_the_scores(deu):
    plain = load_dataset("deu3")
    a = run_backtest(plain, ["compromise", "procedural"], n_boot=0)
    b = run_backtest(deu, ["compromise", "procedural"], n_boot=0)
    assert a.summary("compromise").mae == pytest.approx(23.7383, abs=1e-3)
    assert b.summary("compromise").mae != pytest.approx(a.summary("compromise").mae)
    assert b.summary("procedural").mae != pytest.approx(a.summary("procedural").mae)


def test_command_flag(run_cli):
    code, out, err = run_cli("backtest", "deu3", "-m", "procedural", "--bootstrap", "0",
                             "--capabilities", "procedure")
    assert code == 0, err
    assert "procedural" in out
