"""The backtest: data set format and checks, DEU conversion, metrics, and the command."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from realpolitik.backtest.dataset import builtin_datasets, load_dataset
from realpolitik.backtest.deu import ACTOR_NAMES, convert_deu
from realpolitik.backtest.scoring import (
    bootstrap_mae,
    forecast_issues,
    run_backtest,
    select_issues,
    share_better,
)
from realpolitik.errors import RealpolitikError, ScenarioError
from realpolitik.models.registry import get_model

TINY = Path(__file__).parent / "data" / "backtest" / "tiny"


# ---------------------------------------------------------------------------------- metrics
def test_share_better_is_strict():
    """Ties do not count as beating."""
    assert share_better(np.array([1.0, 2.0, 3.0, 0.0]), np.array([2.0, 2.0, 1.0, 0.0])) == 0.25


def test_bootstrap_interval_is_seeded_and_brackets_the_mean():
    """Same seed, same interval; the interval contains the sample mean; n < 2 gives NaN."""
    err = np.random.default_rng(0).uniform(0, 100, 200)
    a, b = bootstrap_mae(err, seed=3, n_boot=500), bootstrap_mae(err, seed=3, n_boot=500)
    assert a == b
    assert a[0] < err.mean() < a[1]
    assert all(np.isnan(bootstrap_mae(err[:1], seed=3, n_boot=500)))


# ------------------------------------------------------------------ the constructed data set
def test_tiny_scores_by_hand():
    """Errors worked out by hand (see tests/data/backtest/tiny/README.md).

    A (0-100, outcome 30): compromise (1*20 + 3*60)/4 = 50 -> 20; status quo 0 -> 30;
    unweighted mean 40 -> 10. B (0-10, outcome 2): compromise (0.5*0 + 0.5*4 + 1*8)/2 = 5 ->
    3 points of 10 = 30; status quo 10 -> 80; mean 4 -> 20. C has no status quo: dropped.
    """
    result = run_backtest(load_dataset(TINY), ["compromise", "nash"], min_actors=2, n_boot=0)
    assert [i.issue_id for i in result.selection.issues] == ["A", "B"]
    assert result.selection.no_status_quo == ("C",)
    np.testing.assert_allclose(result.errors["compromise"], [20, 30])
    np.testing.assert_allclose(result.errors["status-quo"], [30, 80])
    np.testing.assert_allclose(result.errors["mean-position"], [10, 20])
    s = result.summary("compromise")
    assert (s.n, s.mae, s.median_ae) == (2, 25.0, 25.0)
    assert s.beats_status_quo == 1.0 and s.beats_mean_position == 0.0
    assert result.summary("status-quo").mae == 55.0
    # The Nash bargaining solution of issue A is exactly 30 (tests/test_nash.py): no error.
    assert result.errors["nash"][0] == pytest.approx(0.0, abs=1e-7)
    assert result.summary("nash").beats_status_quo == 1.0


def test_tiny_with_midpoint_status_quo():
    """C keeps the midpoint 50 as status quo: every method hits 50 exactly (ties, no beats)."""
    result = run_backtest(
        load_dataset(TINY), ["compromise"], min_actors=2, missing_status_quo="midpoint", n_boot=0
    )
    assert [i.issue_id for i in result.selection.issues] == ["A", "B", "C"]
    assert result.selection.filled_status_quo == ("C",)
    np.testing.assert_allclose(result.errors["compromise"], [20, 30, 0])
    assert result.summary("compromise").mae == pytest.approx(50 / 3)
    assert result.summary("compromise").beats_status_quo == pytest.approx(2 / 3)


def test_min_actors_and_empty_selection():
    """Issues with too few actors are left out; nothing left is a clear error."""
    sel = select_issues(load_dataset(TINY), min_actors=3)
    assert [i.issue_id for i in sel.issues] == ["B"] and sel.too_few_actors == ("A", "C")
    with pytest.raises(RealpolitikError, match="no issue"):
        select_issues(load_dataset(TINY), min_actors=4)


def test_per_issue_rows():
    """One row per issue and method, with the forecast and the 0-100 error."""
    result = run_backtest(load_dataset(TINY), ["compromise"], min_actors=2, n_boot=0)
    rows = result.rows()
    assert len(rows) == 2 * 3
    b = next(r for r in rows if r["issue_id"] == "B" and r["method"] == "compromise")
    assert b["forecast"] == pytest.approx(5.0) and b["abs_error_0_100"] == pytest.approx(30.0)


def test_models_see_only_real_actors():
    """Issues are batched by actor count: a model's forecast of an issue equals running it alone."""
    ds = load_dataset("deu3")
    sel = select_issues(ds, min_actors=3)
    spec = get_model("median")
    batched = forecast_issues(spec, sel)
    for k in (0, 50, 200):
        issue = sel.issues[k]
        alone = forecast_issues(
            spec, select_issues(type(ds)(ds.name, ds.path, (issue,)), min_actors=3)
        )
        assert batched[k] == pytest.approx(alone[0])


# ------------------------------------------------------------------------ format and checks
def _write(folder: Path, issues: str, actors: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "issues.csv").write_text(issues, encoding="utf-8")
    (folder / "actors.csv").write_text(actors, encoding="utf-8")
    return folder


def test_bad_values_are_reported_with_file_line_and_field(tmp_path):
    """Every problem is listed: outcome off the scale, salience above 1, unknown issue, twins."""
    folder = _write(
        tmp_path / "bad",
        "issue_id,outcome,status_quo\nX,120,0\nY,50,abc\nY,40,0\n",
        "issue_id,actor,position,salience\n"
        "X,a,10,0.5\nZ,a,10,0.5\nY,b,10,1.5\nY,c,10,0.5\nY,c,20,0.5\n",
    )
    with pytest.raises(ScenarioError) as info:
        load_dataset(folder)
    text = str(info.value)
    assert "issues.csv:2: outcome: must lie in [0, 100]" in text
    assert "issues.csv:3: status_quo: must be a number" in text
    assert "issues.csv:4: issue_id: appears twice" in text
    assert "actors.csv:3: issue_id: is not in issues.csv" in text
    assert "actors.csv:4: salience: must lie in [0, 1]" in text


def test_missing_columns_and_files(tmp_path):
    """A missing required column or file is named."""
    folder = _write(
        tmp_path / "cols",
        "issue_id,status_quo\nX,0\n",
        "issue_id,actor,position,salience\nX,a,1,1\n",
    )
    with pytest.raises(ScenarioError, match="outcome"):
        load_dataset(folder)
    (tmp_path / "empty").mkdir()
    with pytest.raises(RealpolitikError, match=r"needs issues\.csv and actors\.csv"):
        load_dataset(tmp_path / "empty")
    with pytest.raises(RealpolitikError, match="built-in: bdm1994, deu3"):
        load_dataset(tmp_path / "nowhere")


def test_issue_without_actors(tmp_path):
    """An issue nobody takes a position on is an error, not a silent NaN."""
    folder = _write(
        tmp_path / "lonely",
        "issue_id,outcome\nX,10\nY,20\n",
        "issue_id,actor,position,salience\nX,a,1,1\n",
    )
    with pytest.raises(ScenarioError, match="Y"):
        load_dataset(folder)


# ---------------------------------------------------------------------------- DEU conversion
def test_convert_deu_layout(tmp_path):
    """A small file in the official (semicolon) layout: codes, 999, blanks and salience / 100."""
    meta = ["prnr", "prname", "isnr", "proc", "counvte", "council", "type"]
    codes = list(ACTOR_NAMES)
    header = meta + [f"p{c}" for c in codes] + [f"s{c}" for c in codes] + ["rp", "out"]

    def row(isnr, pos, sal, rp, out):
        cells = dict.fromkeys(header, "")
        cells.update(
            {
                "prnr": "d1",
                "prname": "test",
                "isnr": isnr,
                "proc": "COD",
                "counvte": "QMV",
                "council": "IM",
                "type": "Dir",
                "rp": rp,
                "out": out,
            }
        )
        for c, v in pos.items():
            cells[f"p{c}"] = v
        for c, v in sal.items():
            cells[f"s{c}"] = v
        return ";".join(cells[h] for h in header)

    lines = [
        ";".join(header),
        row("", {"com": "4.1"}, {}, "", ""),  # a stray row without an issue number
        row(
            "d1i1",
            {"com": "100", "ep": "0", "de": "50"},
            {"com": "80", "ep": "60", "de": "0"},
            "0",
            "70",
        ),
        row("d1i2", {"com": "100", "fr": "20"}, {"com": "50"}, "", "999"),
        row("d1i3", {"com": "100", "fr": "20"}, {"com": "50", "fr": "40"}, "999", "30"),
    ]
    src = tmp_path / "deu.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = convert_deu(src, tmp_path / "out")
    assert (report.issues, report.actor_rows) == (2, 5)
    assert report.no_outcome == ["d1i2"]
    ds = load_dataset(tmp_path / "out")
    first, second = ds.issues
    assert first.actors == ("com", "ep", "de") and first.status_quo == 0.0
    np.testing.assert_allclose(first.salience, [0.8, 0.6, 0.0])
    assert first.meta["procedure"] == "COD" and first.meta["proposal"] == "test"
    assert second.status_quo is None and second.outcome == 30.0
    np.testing.assert_allclose(second.capability, [1.0, 1.0])


# ----------------------------------------------------------------------- the shipped data set
def test_deu3_is_built_in_and_complete():
    """353 issues with outcomes, 253 with a status quo, saliences in [0, 1], capability 1."""
    assert "deu3" in builtin_datasets()
    ds = load_dataset("deu3")
    assert len(ds.issues) == 353
    assert sum(i.status_quo is not None for i in ds.issues) == 253
    assert all(((i.salience >= 0) & (i.salience <= 1)).all() for i in ds.issues)
    assert all((i.capability == 1).all() for i in ds.issues)
    assert any(p.method == "compromise" for p in ds.published)


def test_deu3_reproduces_the_independent_replication():
    """The same selection as an independent replication on the official file gives its figures.

    hamzagul07/schelling (BACKTEST.md) reports, for the 351 DEU III issues with a valid outcome
    and at least three actors, MAE 23.64 for the salience-weighted mean (equal capabilities) and
    28.37 for the median actor position. Our copy and conversion give the same numbers.
    """
    ds = load_dataset("deu3")
    result = run_backtest(ds, ["compromise"], min_actors=3, missing_status_quo="midpoint", n_boot=0)
    assert len(result.selection.issues) == 351
    assert result.summary("compromise").mae == pytest.approx(23.641139388864826, abs=1e-9)
    median_err = [abs(np.median(i.position) - i.outcome) for i in result.selection.issues]
    assert np.mean(median_err) == pytest.approx(28.36894586894587, abs=1e-9)


# ---------------------------------------------------------------------------------- command
def test_command_prints_table_and_writes_csv(run_cli, tmp_path):
    """`realpolitik backtest FOLDER` prints the scores and writes per-issue rows."""
    out_file = tmp_path / "errors.csv"
    code, out, err = run_cli(
        "backtest",
        str(TINY),
        "-m",
        "compromise,nash",
        "--min-actors",
        "2",
        "--out",
        str(out_file),
        "--bootstrap",
        "100",
    )
    assert code == 0, err
    for text in ("compromise", "nash", "status-quo", "mean-position", "25.00", "55.00", "100%"):
        assert text in out
    rows = list(csv.DictReader(out_file.open(encoding="utf-8")))
    assert len(rows) == 2 * 4
    assert {r["method"] for r in rows} == {"compromise", "nash", "status-quo", "mean-position"}


def test_command_on_deu3_prints_reference_figures(run_cli):
    """The built-in data set's reference figure is printed next to ours."""
    code, out, _ = run_cli(
        "backtest",
        "deu3",
        "-m",
        "compromise",
        "--bootstrap",
        "0",
        "--missing-status-quo",
        "midpoint",
    )
    assert code == 0
    assert "351 of 353" in out and "23.64" in out and "hamzagul07/schelling" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("backtest", "no-such-data"), "unknown backtest data set"),
        (("backtest", "deu3", "-m", "no-such-model"), "unknown model"),
        (("backtest", str(TINY), "--min-actors", "9"), "no issue"),
    ],
)
def test_command_user_errors_exit_2(run_cli, args, message):
    """User errors print a message and exit 2, never a traceback."""
    code, _, err = run_cli(*args)
    assert code == 2
    assert message in err
