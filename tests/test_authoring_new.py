"""`realpolitik new`: a starter scenario that validates and forecasts, its placeholders flagged."""

from __future__ import annotations

import json

import yaml

from realpolitik.api.scenario import load_scenario, unsourced_inputs


def test_new_validates_forecasts_and_flags_placeholders(run_cli, tmp_path, monkeypatch):
    """The template validates at once, forecasts, and every input is listed as unsourced."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("new", "my-case", "--as-of", "2024-04-14")
    assert code == 0, err
    text = (tmp_path / "my-case.yaml").read_text()
    assert "# " in text and "as_of: 2024-04-14" in text
    code, out, err = run_cli("validate", "my-case.yaml")
    assert code == 0 and "OK (my-case: 2 actors, 1 issues" in out
    assert "warning: my-case.yaml: unsourced: 8 of 8 inputs still cite the placeholder source todo" in err
    code, out, err = run_cli("forecast", "my-case.yaml", "-m", "compromise", "-f", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["issues"][0]["forecast"] is not None


def test_every_template_field_is_commented(tmp_path):
    """Each field line of the template's top part carries a comment saying what it means."""
    from realpolitik.api.scenario import template_text

    text = template_text("x", None)
    for key in ("id:", "title:", "as_of:", "scale:", "status_quo:", "capability:", "positions:",
                "salience:", "relations:", "bands:", "anchors:"):
        line = next(ln for ln in text.splitlines() if ln.strip().startswith(key))
        assert "#" in line, line


def test_real_source_silences_the_warning(run_cli, tmp_path, monkeypatch):
    """Replacing the placeholder citation with a real one removes the unsourced warning."""
    monkeypatch.chdir(tmp_path)
    run_cli("new", "case")
    path = tmp_path / "case.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["sources"][0]["citation"] = "Interview with a ministry official, March 2024"
    path.write_text(yaml.safe_dump(doc))
    assert unsourced_inputs(load_scenario(str(path))) == []
    code, _, err = run_cli("validate", str(path))
    assert code == 0 and "unsourced" not in err


def test_inputs_without_source_are_listed(run_cli, minimal_path):
    """A user file's inputs without a source are warnings of validate, never silently evidence."""
    code, _, err = run_cli("validate", str(minimal_path))
    assert code == 0
    assert "unsourced: 18 of 20 inputs have no source (issues.alignment.status_quo" in err


def test_new_refuses_bad_names_and_overwrites(run_cli, tmp_path, monkeypatch):
    """A name that is not an id, or an existing file, is a user error (exit 2)."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("new", "my case")
    assert code == 2 and "use 1-64 letters" in err
    assert run_cli("new", "a")[0] == 0
    code, _, err = run_cli("new", "a")
    assert code == 2 and "a.yaml exists" in err
    assert run_cli("new", "a", "--force")[0] == 0
    code, _, err = run_cli("new", "b", "--as-of", "14/04/2024")
    assert code == 2 and "--as-of must be a date" in err
