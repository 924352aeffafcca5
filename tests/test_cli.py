"""The command line: forecast formats, determinism, validate, show, models, schema, import-csv."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from realpolitik.api.schema import forecast_schema

DATA = Path(__file__).parent / "data"


def test_forecast_table(run_cli, minimal_path):
    """`forecast FILE` prints the per-issue table and the actors' inputs."""
    code, out, err = run_cli("forecast", str(minimal_path), "--model", "compromise")
    assert code == 0, err
    assert "Forecast per issue" in out and "Foreign presence" in out
    assert "Actors' inputs" in out and "Actor B" in out


def test_forecast_json_validates_and_is_byte_identical(run_cli, minimal_path):
    """JSON output validates against its documented schema; the same seed gives identical bytes."""
    code, first, _ = run_cli("forecast", str(minimal_path), "--format", "json", "--seed", "4")
    assert code == 0
    code, second, _ = run_cli("forecast", str(minimal_path), "--format", "json", "--seed", "4")
    assert first == second
    doc = json.loads(first)
    jsonschema.validate(doc, forecast_schema())
    # worked by hand: presence weights a 40, b 27, c 20 -> median at b's 20... see test below
    assert doc["issues"][0]["id"] == "presence"


def test_forecast_json_numbers(run_cli, minimal_path):
    """Compromise on the minimal scenario, by hand: (40*80 + 27*20 + 20*0) / 87 = 43.678..."""
    code, out, _ = run_cli("forecast", str(minimal_path), "-m", "compromise", "-f", "json")
    doc = json.loads(out)
    assert doc["issues"][0]["forecast"] == pytest.approx((40 * 80 + 27 * 20) / 87, abs=1e-6)
    assert doc["issues"][0]["band"] == "high"


def test_forecast_private_positions(run_cli, minimal_path):
    """--private uses B's private position (50 instead of 20)."""
    _, out, _ = run_cli("forecast", str(minimal_path), "-m", "compromise", "-f", "json", "--private")
    doc = json.loads(out)
    assert doc["positions"] == "private"
    assert doc["issues"][0]["forecast"] == pytest.approx((40 * 80 + 27 * 50) / 87, abs=1e-6)


def test_forecast_csv_and_out_file(run_cli, minimal_path, tmp_path):
    """--format csv --out FILE writes a table with one row per issue."""
    target = tmp_path / "f.csv"
    code, _, _ = run_cli("forecast", str(minimal_path), "-f", "csv", "-o", str(target))
    assert code == 0
    lines = target.read_text().strip().splitlines()
    assert lines[0].startswith("issue,name,model,status_quo,forecast")
    assert len(lines) == 3


def test_unknown_model_is_a_clear_error(run_cli, minimal_path):
    """An unknown model name exits 2 and lists the models."""
    code, _, err = run_cli("forecast", str(minimal_path), "--model", "oracle")
    assert code == 2
    assert "unknown model 'oracle'" in err and "median" in err


def test_trace_on_a_model_without_trace(run_cli, minimal_path):
    """--trace with a closed-form model explains which models have a trace."""
    code, _, err = run_cli("forecast", str(minimal_path), "-m", "compromise", "--trace")
    assert code == 2
    assert "has no trace" in err


def test_bad_scenario_exits_2(run_cli):
    """A broken scenario file: exit 2, message with the field, no traceback."""
    code, _, err = run_cli("forecast", str(DATA / "invalid" / "08-salience-above-one.yaml"))
    assert code == 2
    assert "actors[b].salience.presence" in err and "Traceback" not in err


def test_models_lists_references(run_cli):
    """`models` lists the registered models with references."""
    code, out, _ = run_cli("models")
    assert code == 0
    assert "compromise" in out and "Black (1948)" in out


def test_schema_is_json_schema(run_cli):
    """`schema` prints a JSON Schema that accepts the minimal scenario."""
    import yaml

    code, out, _ = run_cli("schema")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    data = yaml.safe_load((DATA / "valid" / "minimal.yaml").read_text())
    data = json.loads(json.dumps(data, default=str))
    jsonschema.validate(data, schema)
    code, out, _ = run_cli("schema", "--output", "forecast")
    assert json.loads(out)["title"] == "realpolitik forecast"


def test_show(run_cli, minimal_path):
    """`show` prints issues, actors (with private positions), relations and the timeline."""
    code, out, _ = run_cli("show", str(minimal_path))
    assert code == 0
    for text in ("Issue presence", "Actors", "private 50", "Relations", "pressures", "Timeline",
                 "campaign starts"):
        assert text in out


def test_import_csv_round_trip(run_cli, tmp_path):
    """`import-csv` converts a KTAB CSV into a valid scenario."""
    src = tmp_path / "k.csv"
    src.write_text(
        "Test; scen,Scenario-1; a small test, 3, 1, \n"
        "Actor,Description,Influence,Policy Position,Policy Salience, \n"
        "A,Alpha,100,30,30, \nB,Beta,50,60,80, \nC,Gamma,20,90,50, \n"
    )
    out_yaml = tmp_path / "k.yaml"
    code, out, err = run_cli("import-csv", str(src), "--out", str(out_yaml), "--as-of", "2020-01-01")
    assert code == 0, err
    from realpolitik import load_scenario

    s = load_scenario(out_yaml)
    assert s.actor_ids == ["A", "B", "C"]
    assert s.actor("B").salience["policy"].point == pytest.approx(0.8)
    # status quo: weighted mean (100*.3*30 + 50*.8*60 + 20*.5*90) / (30 + 40 + 10) = 52.5
    assert s.issues[0].status_quo.point == pytest.approx(52.5)


KTAB_TEXT = ("Caf\u00e9 talks, Scenario-1; a small test, 3, 1, \n"
             "Actor,Description,Influence,Policy Position,Policy Salience, \n"
             "A,Jos\u00e9,100,30,30, \nB,Beta,50,60,80, \nC,Gamma,20,90,50, \n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-32"])
def test_import_csv_unicode_encodings(run_cli, tmp_path, encoding):
    """UTF-8 with or without a BOM and UTF-16/32 with a BOM import silently, names intact."""
    src = tmp_path / "k.csv"
    src.write_bytes(KTAB_TEXT.encode(encoding))
    code, _, err = run_cli("import-csv", str(src), "--as-of", "2020-01-01")
    assert code == 0, err
    assert "note:" not in err
    from realpolitik import load_scenario

    s = load_scenario(tmp_path / "k.yaml")
    assert s.title == "Caf\u00e9 talks" and s.actor("A").name == "Jos\u00e9"


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_import_csv_windows_1252_is_read_with_a_note(run_cli, tmp_path, encoding):
    """A CSV that is not UTF-8 is read as Windows-1252, and the import says so (stderr, file)."""
    src = tmp_path / "k.csv"
    src.write_bytes(KTAB_TEXT.replace("Beta", "\u00c9ta").encode(encoding))
    code, _, err = run_cli("import-csv", str(src), "--as-of", "2020-01-01")
    assert code == 0, err
    assert "note: k.csv is not UTF-8: read as Windows-1252" in err
    from realpolitik import load_scenario

    s = load_scenario(tmp_path / "k.yaml")
    assert s.actor("B").name == "\u00c9ta" and "read as Windows-1252" in (s.description or "")


def test_import_csv_utf16_without_bom_is_refused(run_cli, tmp_path):
    """UTF-16 without a byte-order mark cannot be told apart: a clear error, exit 2."""
    src = tmp_path / "k.csv"
    src.write_bytes(KTAB_TEXT.encode("utf-16-le"))
    code, _, err = run_cli("import-csv", str(src))
    assert code == 2 and "UTF-16 text without a byte-order mark" in err


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_scenario_file_unicode_encodings(run_cli, tmp_path, minimal_path, encoding):
    """A scenario saved as UTF-8 with a BOM, or UTF-16/32 with a BOM, validates."""
    path = tmp_path / "s.yaml"
    path.write_bytes(minimal_path.read_text().replace("Actor A", "Acteur \u00e9tat").encode(encoding))
    code, out, err = run_cli("validate", str(path))
    assert code == 0, err


def test_scenario_json_with_tabs_and_strings(run_cli, tmp_path, minimal_path):
    """Strict JSON still reads any valid JSON: tab indentation, ISO date strings."""
    import yaml

    doc = yaml.safe_load(minimal_path.read_text())
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc, indent="\t", default=str))
    code, _, err = run_cli("validate", str(path))
    assert code == 0, err


def test_import_csv_bad_number(run_cli, tmp_path):
    """A word where a number belongs in a CSV names the line and column."""
    src = tmp_path / "k.csv"
    src.write_text("T,d, 2, 1,\nActor,Desc,Influence,P Position,P Salience,\nA,a,lots,30,30,\nB,b,5,60,80,\n")
    code, _, err = run_cli("import-csv", str(src))
    assert code == 2
    assert ":3: column 3 (influence): expected a number" in err


@pytest.mark.parametrize("args", [("forecast", "--seed", "abc"), ("forecast", "--bogus"),
                                  ("forecast", "--format", "xml")])
def test_usage_errors_exit_2_without_traceback(run_cli, args):
    """A bad option value or an unknown option: a usage message and exit 2."""
    code, out, err = run_cli(*args)
    assert code == 2
    assert "Traceback" not in out + err
    assert "Error" in err


@pytest.mark.parametrize("command", ["forecast", "deal", "sensitivity", "power", "backtest deu3"])
def test_negative_seed_is_a_usage_error(run_cli, command):
    """A negative --seed is refused with exit 2 by every command that takes one."""
    code, out, err = run_cli(*command.split(), "--seed", "-1")
    assert code == 2
    assert "Traceback" not in out + err
    assert "--seed" in err


@pytest.mark.parametrize("seed", [-1, 1.5, "7"])
def test_negative_or_non_integer_seed_in_python(seed):
    """Every Python entry point with a seed refuses one numpy would choke on, with our error."""
    import realpolitik as rp
    from realpolitik.dynamics.engine import section
    from realpolitik.dynamics.model import simulate
    from realpolitik.errors import RealpolitikError
    from realpolitik.uncertainty.leverage import removal_effects
    from realpolitik.uncertainty.power import power_indices
    from realpolitik.uncertainty.sensitivity import sobol

    scenario = rp.load_scenario("iraq-2024")
    calls = [
        lambda: rp.forecast(scenario, model="median", seed=seed),
        lambda: simulate(section(scenario), None, start=scenario.as_of, samples=2, seed=seed,
                         horizon_months=1),
        lambda: power_indices(scenario, seed=seed),
        lambda: removal_effects(scenario, seed=seed),
        lambda: sobol(scenario, samples=4, seed=seed),
    ]
    for call in calls:
        with pytest.raises(RealpolitikError, match="seed must be a non-negative integer"):
            call()


@pytest.mark.parametrize(("args", "flag"), [
    (("forecast", "--samples", "0"), "--samples"),
    (("forecast", "--samples", str(10**9 + 1)), "--samples"),
    (("forecast", "--workers", "0"), "--workers"),
    (("sensitivity", "--samples", "1"), "--samples"),
    (("best-move", "--actor", "us_gov", "--samples", "-1"), "--samples"),
    (("deal", "--samples", "0"), "--samples"),
    (("deal", "--top", "0"), "--top"),
    (("backtest", "deu3", "--min-actors", "0"), "--min-actors"),
    (("sweep", "spec.yaml", "--workers", "-1"), "--workers"),
    (("simulate", "--horizon", "0"), "--horizon"),
])
def test_option_ranges_name_the_flag(run_cli, args, flag):
    """Out-of-range option values are refused by the CLI (exit 2) with the flag named."""
    code, out, err = run_cli(*args)
    assert code == 2
    assert flag in err and "Traceback" not in out + err


def test_best_move_without_issue_uses_the_main_issue(run_cli):
    """The README's form: the main (first) issue is used and the output says so; one sentence
    per lever listed, each naming the lever's actor, and the lever kinds explained."""
    code, out, err = run_cli("best-move", "--actor", "us_gov", "--top", "4")
    assert code == 0, err
    flat = " ".join(out.split())
    assert "note: no issue named: the main (first) issue, U.S. military presence in Iraq " \
           "(us_presence), is used" in flat
    sentences = [line for line in out.splitlines() if line.startswith(("- If ", "- Even if "))]
    assert len(sentences) == 4
    assert "Even if Coordination Framework moves its position from 8.0 to 45.0 (all the way to " \
           "us_gov's 45.0), the forecast becomes" in flat
    assert "lend: another actor lends you part of its capability" in flat
    code, out, _ = run_cli("best-move", "--actor", "us_gov", "-f", "json")
    doc = json.loads(out)
    assert doc["issue"] == "us_presence" and "no issue named" in doc["notes"][0]
    code, out, _ = run_cli("best-move", "--help")
    assert "own salience" in out and "lend" in out


def test_cli_imports_only_the_service_and_presentation_layers():
    """The command modules reach the library through realpolitik.api and .presentation only."""
    import ast

    import realpolitik.cli as cli

    allowed = ("realpolitik.api", "realpolitik.presentation", "realpolitik.errors",
               "realpolitik.progress", "realpolitik.jsonsafe", "realpolitik.version",
               "realpolitik.cli")
    folder = Path(cli.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name == "realpolitik" or not name.startswith("realpolitik."):
                    continue
                if path.name == "dashboard.py" and name == "realpolitik.dashboard.app":
                    continue  # the dashboard command starts the other interface
                assert name.startswith(allowed), f"{path.name} imports {name}"
            if isinstance(node, ast.Attribute):
                assert node.attr != "import_module", path.name


def _degenerate(minimal_path, tmp_path, old_new):
    text = minimal_path.read_text()
    for old, new in old_new:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "d.yaml"
    path.write_text(text)
    return path


ZERO_CAPS = [("value: 50, distribution: {kind: triangular, low: 40, high: 60}", "value: 0"),
             ("capability: 30", "capability: 0"), ("capability: 20", "capability: 0")]
ZERO_SAL = [("{presence: 0.8, alignment: 0.4}", "{presence: 0, alignment: 0}"),
            ("{presence: 0.9, alignment: 0.6}", "{presence: 0, alignment: 0}"),
            ("{presence: 1.0, alignment: 0.5}", "{presence: 0, alignment: 0}")]
NOBODY_CARES = [("alignment: 0.4}", "alignment: 0}"), ("alignment: 0.6}", "alignment: 0}"),
                ("alignment: 0.5}", "alignment: 0}")]
ONE_POSITION = [("{presence: 80, alignment: 0.5}", "{presence: 40, alignment: 0.5}"),
                ("{presence: 20, alignment: -0.5}", "{presence: 40, alignment: -0.5}"),
                ("{presence: 0, alignment: -1}", "{presence: 40, alignment: -1}")]


@pytest.mark.parametrize(("edits", "warning"), [
    (ZERO_CAPS, "every actor's capability is 0"),
    (ZERO_SAL, "every salience is 0"),
    (NOBODY_CARES, "nobody with influence cares about 'Alignment' (alignment)"),
    (ONE_POSITION, "every actor stands at 40 on 'Foreign presence' (presence)"),
])
def test_degenerate_inputs_warn_on_stderr_and_in_json(run_cli, minimal_path, tmp_path, edits,
                                                       warning):
    """Valid but degenerate inputs: a warning on stderr (forecast, validate) and in the JSON."""
    path = _degenerate(minimal_path, tmp_path, edits)
    code, out, err = run_cli("forecast", str(path), "-m", "compromise", "-f", "json")
    assert code == 0, err
    assert f"warning: {warning}" in err
    doc = json.loads(out)
    assert any(warning in w for w in doc["warnings"])
    jsonschema.validate(doc, forecast_schema())
    assert all(v is not None for v in (i["forecast"] for i in doc["issues"]))
    code, _, err = run_cli("validate", str(path))
    assert code == 0 and warning in err


def test_no_warnings_on_a_sound_scenario(run_cli, minimal_path):
    """The minimal scenario and iraq-2024 warn about nothing."""
    for name in (str(minimal_path), "iraq-2024"):
        code, out, err = run_cli("forecast", name, "-m", "compromise", "-f", "json")
        assert code == 0 and "warning" not in err and json.loads(out)["warnings"] == []


def test_progress_bar_only_on_a_terminal_and_never_quiet():
    """The one rule of every command's bar: drawn on a terminal, never with --quiet or in a pipe."""
    import io

    from rich.console import Console

    from realpolitik.presentation.progress import ProgressBar, show_progress

    tty = Console(file=io.StringIO(), force_terminal=True)
    pipe = Console(file=io.StringIO(), force_terminal=False)
    assert show_progress(tty) and not show_progress(tty, quiet=True) and not show_progress(pipe)
    for console, drawn in ((tty, True), (pipe, False)):
        with ProgressBar(console) as bar:
            bar("running", 1, 4)
            bar("running", 2, 4)
        assert ("running" in console.file.getvalue()) is drawn
    with ProgressBar(tty, quiet=True) as bar:
        bar("quiet", 1, 4)
    assert "quiet" not in tty.file.getvalue()


@pytest.mark.parametrize("command", ["forecast", "deal", "backtest", "simulate", "calibrate",
                                     "sensitivity", "report"])
def test_long_commands_take_quiet(run_cli, command):
    """Every command that can run for more than a few seconds takes --quiet."""
    code, out, _ = run_cli(command, "--help")
    assert code == 0 and "--quiet" in out


@pytest.mark.parametrize("command", [("sensitivity", "--samples", "4"), ("power",),
                                     ("best-move", "--actor", "a")])
def test_analyses_warn_about_degenerate_inputs(run_cli, minimal_path, tmp_path, command):
    """sensitivity, power and best-move print the same warnings and list them in their JSON."""
    path = _degenerate(minimal_path, tmp_path, ONE_POSITION)
    code, out, err = run_cli(command[0], str(path), *command[1:], "-f", "json")
    assert code == 0, err
    assert "warning: every actor stands at 40 on 'Foreign presence'" in err
    assert any("every actor stands at 40" in w for w in json.loads(out)["warnings"])
