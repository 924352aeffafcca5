"""``realpolitik simulate`` and ``realpolitik calibrate`` end to end (small runs)."""

from __future__ import annotations

from pathlib import Path

import pytest

SMALL = str(Path(__file__).parent / "data" / "dynamics" / "small.yaml")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every command in a fresh folder (files are written only with --out-dir)."""
    monkeypatch.chdir(tmp_path)


@pytest.mark.slow
def test_simulate_iraq_2024_all_options(run_cli, tmp_path: Path) -> None:
    """Every option of the built-in scenario, with plots, HTML and CSV tables."""
    code, out, err = run_cli("simulate", "iraq-2024", "--samples", "20", "--horizon", "6",
                             "--seed", "1", "--out-dir", str(tmp_path))
    assert code == 0, err
    assert "Options side by side" in out
    for option in ("status_quo", "full_withdrawal", "noncombat", "long_term_agreement"):
        assert option in out
    assert "P(Iran's influence above 70 by 2026-12)" in out
    assert "too few for stable" in err
    html = (tmp_path / "dynamics.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "<script" not in html
    assert (tmp_path / "dynamics.png").stat().st_size > 1000
    assert "full_withdrawal" in (tmp_path / "summary.csv").read_text(encoding="utf-8")
    assert "iran_influence" in (tmp_path / "trajectories.csv").read_text(encoding="utf-8")


@pytest.mark.slow
def test_simulate_writes_files_only_where_asked(run_cli, tmp_path: Path) -> None:
    """Without --out-dir nothing is written; with it, the four files, each named on stderr."""
    code, _, err = run_cli("simulate", SMALL, "-n", "10", "--horizon", "2")
    assert code == 0, err
    assert list(tmp_path.iterdir()) == [] and "wrote" not in err
    code, _, err = run_cli("calibrate", "--samples", "10")
    assert code == 0, err
    assert list(tmp_path.iterdir()) == [] and "wrote" not in err
    code, _, err = run_cli("simulate", SMALL, "-n", "10", "--horizon", "2", "--out-dir", "out")
    assert code == 0, err
    assert (tmp_path / "out" / "dynamics.png").stat().st_size > 1000
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "dynamics.png", "dynamics.html", "summary.csv", "trajectories.csv"}
    assert "wrote out/dynamics.png" in " ".join(err.split())


def test_simulate_unwritable_out_dir_is_a_clear_error(run_cli, tmp_path: Path) -> None:
    """An --out-dir that is a file: exit 2 with the path and the reason, no traceback."""
    (tmp_path / "taken").write_text("x")
    code, _, err = run_cli("simulate", SMALL, "-n", "10", "--horizon", "2", "--out-dir", "taken")
    assert code == 2
    assert "error: taken: File exists" in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_simulate_same_seed_same_output(run_cli) -> None:
    """The printed tables are reproducible for a seed."""
    args = ("simulate", SMALL, "-n", "30", "--seed", "4", "--option", "withdraw")
    assert run_cli(*args)[1] == run_cli(*args)[1]


def test_simulate_forecast_option(run_cli) -> None:
    """--option forecast runs the bargaining model and says how it maps the forecast."""
    code, out, err = run_cli("simulate", SMALL, "--option", "forecast", "-n", "10", "--horizon", "3")
    assert code == 0, err
    assert "forecast option: the" in out
    assert "forecast" in out


def test_simulate_bad_input_exits_2(run_cli, minimal_path: Path) -> None:
    """Unknown options and scenarios without a section are user errors, not tracebacks."""
    code, _, err = run_cli("simulate", SMALL, "--option", "surge", "-n", "5")
    assert code == 2
    assert "unknown option 'surge'" in err and "withdraw" in err
    code, _, err = run_cli("simulate", str(minimal_path), "-n", "5")
    assert code == 2
    assert "no `dynamics` section" in err
    assert "Traceback" not in err


def test_calibrate_chosen_variant_matches_the_scenario(run_cli, tmp_path: Path) -> None:
    """The default (negbin-regime) fit, its coverage, and every stored number agrees."""
    code, out, err = run_cli("calibrate", "--samples", "200", "--out-dir", str(tmp_path))
    assert code == 0, err
    assert "Fitted parameters of negbin-regime" in out and "kh_suspension" in out
    assert "correlations" in out and "coverage" in out
    assert out.split("vs this fit")[1].count("yes") == 7
    assert (tmp_path / "calibration.png").stat().st_size > 1000


def test_evaluate_dynamics_prints_scores_and_writes_files(run_cli, tmp_path: Path) -> None:
    code, out, err = run_cli("evaluate-dynamics", "--variant", "negbin", "--first-origin",
                             "24", "--horizon", "2", "--samples", "30", "--out-dir",
                             str(tmp_path))
    assert code == 0, err
    for word in ("CRPS", "log score", "90% band", "persistence", "negbin-mean", "chosen model",
                 "PIT"):
        assert word in out
    assert (tmp_path / "evaluation.png").stat().st_size > 1000
    assert '"chosen": "negbin"' in (tmp_path / "evaluation.json").read_text()
    head = (tmp_path / "evaluation.csv").read_text().splitlines()[0]
    assert head.startswith("model,kind,cut_week,target_week,horizon,observed")
    code, out, err = run_cli("evaluate-dynamics", "--variant", "nope")
    assert code == 2 and "unknown model variant" in err and "Traceback" not in err


def test_calibrate_hawkes_prints_fit_and_writes_plot(run_cli, tmp_path: Path) -> None:
    """The original Hawkes fit with standard errors, the coverage and its comparison."""
    code, out, err = run_cli("calibrate", "--variant", "hawkes", "--samples", "200",
                             "--out-dir", str(tmp_path))
    assert code == 0, err
    assert "Fitted parameters" in out and "SE" in out
    assert "coverage" in out
    # iraq-2024 now stores the negbin-regime fit: the Hawkes numbers differ from it
    assert "Stored in iraq-2024 vs this fit" in out
    assert (tmp_path / "calibration.png").stat().st_size > 1000


@pytest.mark.slow
def test_simulate_ctrl_c_keeps_finished_options(run_cli, monkeypatch) -> None:
    """Ctrl-C during the second option: the first is still shown, exit code 130."""
    from realpolitik.dynamics import model

    real = model.simulate
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(model, "simulate", interrupted)
    code, out, err = run_cli("simulate", SMALL, "-n", "10", "--horizon", "3")
    assert code == 130
    assert "interrupted: 1 of 3 options finished" in err
    assert "Option status_quo" in out
