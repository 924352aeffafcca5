"""Every broken scenario file in tests/data/invalid gets a clear error naming the field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from realpolitik import ScenarioError, load_scenario
from realpolitik.scenario.loader import parse_scenario

DATA = Path(__file__).parent / "data"
INVALID = DATA / "invalid"

# file -> (line or None, field path (substring), message (substring))
EXPECTED: dict[str, tuple[int | None, str, str]] = {
    "01-empty.yaml": (None, "", "the file is empty"),
    "02-malformed-yaml.yaml": (14, "", "malformed YAML/JSON"),
    "03-unknown-actor-in-relation.yaml": (46, "relations[0].to", "unknown actor id; actors are: a, b, c"),
    "04-duplicate-actor-id.yaml": (32, "actors[a].id", "duplicate id"),
    "05-negative-capability.yaml": (35, "actors[b].capability", "capability must be >= 0"),
    "06-nan-capability.yaml": (35, "actors[b].capability", "must be a finite number"),
    "07-huge-capability.yaml": (35, "actors[b].capability", "must lie within ±1e+09"),
    "08-salience-above-one.yaml": (38, "actors[b].salience.presence", "salience must lie in [0, 1]"),
    "09-position-outside-scale.yaml": (36, "actors[b].positions.presence", "must lie in [0, 100]"),
    "10-bounds-exclude-point.yaml": (29, "actors[a].capability", "do not contain the point value 50"),
    "11-unknown-source.yaml": (17, "issues[presence].status_quo.source.id", "unknown source id"),
    "12-wrong-type-capability.yaml": (35, "actors[b].capability", "must be a number or a mapping"),
    "13-missing-issues.yaml": (2, "issues", "required field is missing"),
    "14-unknown-issue-in-position.yaml": (36, "actors[b].positions.budget", "unknown issue id 'budget'"),
    "15-missing-salience-for-issue.yaml": (44, "actors[c].salience", "no entry for issue 'alignment'"),
    "16-yaml-bomb.yaml": (None, "", "alias/anchor bomb"),
    "17-python-object-tag.yaml": (1, "", "is not allowed"),
    "18-unknown-field.yaml": (35, "actors[b].colour", "unknown field"),
    "19-bad-actor-kind.yaml": (34, "actors[b].kind", "'armed group'"),
    "20-scale-reversed.yaml": (23, "issues[alignment].scale", "min < max"),
    "21-status-quo-outside-scale.yaml": (24, "issues[alignment].status_quo", "must lie in [-1, 1]"),
    "22-duplicate-key.yaml": (43, "capability", "duplicate key"),
    "23-self-relation.yaml": (46, "relations[0]", "cannot relate to itself"),
    "24-relation-weight-out-of-range.yaml": (46, "relations[0].weight", "must lie in [0, 1]"),
    "25-top-level-list.yaml": (1, "", "expected a mapping"),
    "26-bad-date.yaml": (4, "as_of", "month must be in 1..12"),
    "27-source-after-as-of.yaml": (9, "sources[src1].date", "is after the scenario's as_of"),
    "28-truncnormal-without-sd.yaml": (29, "actors[a].capability.distribution", "needs sd > 0"),
    "29-infinite-position.json": (1, "", "not valid JSON: Expecting value (line 1, column"),
    "30-bool-as-number.yaml": (42, "actors[c].capability", "not a boolean"),
    "31-timeline-after-as-of.yaml": (49, "timeline[0].date", "is after the scenario's as_of"),
    # huge numbers
    "32-401-digit-capability.yaml": (35, "actors[b].capability", "must lie within ±1e+09"),
    "33-5000-digit-capability.yaml": (35, "actors[1].capability", "Exceeds the limit (4300 digits)"),
    "34-401-digit-scale.yaml": (13, "issues[presence].scale", "Input should be a valid number"),
    "35-401-digit-bound.yaml": (29, "actors[a].capability.distribution.high", "valid number"),
    "36-overflowing-float.yaml": (35, "actors[b].capability", "must be a finite number"),
    # strict JSON for .json files
    "37-json-trailing-comma.json": (None, "", "not valid JSON: Expecting property name"),
    "38-json-comment.json": (2, "", "not valid JSON: Expecting property name enclosed in double quotes (line 2, column 3)"),
    "39-json-nan.json": (92, "", "NaN is not a JSON number (line 92, column 21)"),
    "40-json-infinity.json": (92, "", "-Infinity is not a JSON number (line 92, column 21)"),
    "41-json-single-quotes.json": (2, "", "not valid JSON: Expecting value (line 2, column 9)"),
    "42-json-yaml-syntax.json": (1, "", "not valid JSON: Expecting value (line 1, column 1)"),
    # text encodings
    "43-latin1.yaml": (27, "", "is not UTF-8 text: byte 683 (column 18) ('é' in Latin-1/Windows-1252?)"),
    "44-windows-1252.yaml": (5, "", "('“' in Latin-1/Windows-1252?); save the file as UTF-8"),
    "45-utf16-without-bom.yaml": (1, "", "contains a NUL byte (column 2): UTF-16 text without a byte-order mark?"),
    "46-utf16-bom-odd-bytes.yaml": (None, "", "is not valid UTF-16 text"),
    "47-binary-garbage.yaml": (1, "", "contains a NUL byte (column 1)"),
    "48-nul-byte.yaml": (33, "", "contains a NUL byte (column 16)"),
    # dates: YAML dates and ISO strings checked alike
    "49-timeline-iso-string-after-as-of.json": (143, "timeline[0].date", "is after the scenario's as_of date 2024-01-31"),
    "50-timeline-quoted-date-after-as-of.yaml": (49, "timeline[0].date", "is after the scenario's as_of date"),
    "51-timestamp-as-of.yaml": (4, "as_of", "should have zero time"),
    "52-json-bad-iso-date.json": (143, "timeline[0].date", "month value is outside expected range"),
    "65-timeline-date-wrong-type.yaml": (49, "timeline[0].date", "should have zero time"),
    # lengths and whole-string id patterns
    "53-id-too-long.yaml": (2, "id", "String should have at most 64 characters"),
    "54-actor-name-too-long.yaml": (27, "actors[a].name", "at most 200 characters"),
    "55-anchor-label-too-long.yaml": (16, "issues[presence].anchors[1].label", "at most 200 characters"),
    "56-description-too-long.yaml": (5, "description", "at most 4000 characters"),
    "57-id-trailing-newline.yaml": (26, "actors[0].id", "String should match pattern"),
    "58-id-with-space.yaml": (32, "actors[1].id", "String should match pattern"),
    "59-empty-id.yaml": (39, "actors[2].id", "String should match pattern"),
    # structure: nesting, tabs, duplicates, too few actors
    "60-deep-nesting.yaml": (1, "", "values are nested more than 64 levels deep"),
    "61-deep-nesting.json": (None, "", "values are nested more than 64 levels deep"),
    "62-deep-aliases.yaml": (1, "", "values are nested more than 64 levels deep"),
    "63-tab-indentation.yaml": (27, "", "found a tab character that violates indentation"),
    "64-json-duplicate-key.json": (92, "actors[1].capability", "duplicate key"),
    "66-one-actor.yaml": (26, "actors", "at least 2 items"),
}


def test_every_invalid_file_is_listed():
    """The table above covers every file of tests/data/invalid (at least 20)."""
    files = sorted(p.name for p in INVALID.iterdir())
    assert files == sorted(EXPECTED)
    assert len(files) >= 20


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_file_message(name):
    """Loading a broken file raises ScenarioError naming the file, line, field and problem."""
    line, field, message = EXPECTED[name]
    path = INVALID / name
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problems = info.value.problems
    match = [p for p in problems if message in p.message and field in p.field]
    assert match, f"no problem with {field!r} / {message!r} in:\n{info.value}"
    assert all(p.file == str(path) for p in problems)
    if line is not None:
        assert match[0].line == line
    assert str(path) in str(info.value)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_validate_exits_2_with_message(name, run_cli):
    """`realpolitik validate` exits 2 on each broken file and prints the field, never a traceback."""
    code, out, err = run_cli("validate", str(INVALID / name))
    assert code == 2, (out, err)
    _, field, message = EXPECTED[name]
    assert message in err and field in err, err
    assert "Traceback" not in err


def test_cli_validate_subprocess():
    """The installed command (as a subprocess) exits 2 on a broken file without a traceback."""
    proc = subprocess.run([sys.executable, "-m", "realpolitik", "validate",
                           str(INVALID / "05-negative-capability.yaml")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "actors[b].capability: capability must be >= 0" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_all_problems_reported_at_once():
    """Several defects in one file are all listed."""
    text = (DATA / "valid" / "minimal.yaml").read_text()
    text = text.replace("capability: 30", "capability: -1").replace("{from: a, to: b,", "{from: a, to: q,")
    text = text.replace("salience: {presence: 1.0,", "salience: {presence: 3,")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "multi.yaml")
    fields = {p.field for p in info.value.problems}
    assert {"actors[b].capability", "relations[0].to", "actors[c].salience.presence"} <= fields


def test_builtin_scenarios_require_sources():
    """An input of a built-in scenario without a source is an error."""
    text = (DATA / "valid" / "minimal.yaml").read_text()
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "x.yaml", builtin=True)
    assert any("needs a source" in p.message and p.field == "actors[b].capability"
               for p in info.value.problems)


def test_valid_minimal_loads():
    """The minimal valid file loads with its uncertain values and private position."""
    s = load_scenario(DATA / "valid" / "minimal.yaml")
    assert s.actor_ids == ["a", "b", "c"]
    assert s.actor("a").capability.distribution.kind == "triangular"
    assert s.actor("b").private_positions["presence"].point == 50
    assert s.relations[1].weight.distribution.high == 0.9


def test_json_and_yaml_give_the_same_scenario(tmp_path):
    """A scenario written as JSON loads to the same object as its YAML."""
    import json

    s = load_scenario(DATA / "valid" / "minimal.yaml")
    path = tmp_path / "s.json"
    path.write_text(json.dumps(s.model_dump(mode="json", by_alias=True)))
    assert load_scenario(path) == s


def test_one_e_notation_is_a_number(tmp_path):
    """`1e2` (YAML 1.1 would read a string) is read as a number."""
    text = (DATA / "valid" / "minimal.yaml").read_text().replace("capability: 30", "capability: 3e1")
    assert parse_scenario(text).actor("b").capability.point == 30.0


def test_missing_file_and_unknown_name():
    """A path that does not exist is a clear error listing the built-in names."""
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario("does-not-exist.yaml")
