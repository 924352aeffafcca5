"""Input paths (scenario/paths.py): every input of a scenario is found by its path in the raw data."""

from __future__ import annotations

from pathlib import Path

import pytest

from realpolitik.scenario.loader import builtin_path, load_scenario
from realpolitik.scenario.paths import PATH_FORMS, raw_lookup, set_raw
from realpolitik.scenario.yamlio import parse_document, read_text
from realpolitik.uncertainty.inputs import all_paths

SMALL = Path(__file__).parent / "data" / "uncertainty" / "small.yaml"


@pytest.mark.parametrize("source", [SMALL, builtin_path("iraq-2024")])
def test_every_slot_path_is_found_in_the_raw_document(source):
    scenario = load_scenario(source)
    data, _ = parse_document(read_text(Path(source)), str(source))
    table = all_paths(scenario)
    assert table
    for path, slot in table.items():
        found = raw_lookup(data, path)
        assert found is not None, path
        raw = found[1]
        point = raw["value"] if isinstance(raw, dict) else raw
        assert float(point) == slot.value.point, path


@pytest.mark.parametrize("path", [
    "", "issues", "issues.presence", "nations.a.capability", "actors.nobody.capability",
    "actors.a.positions", "actors.a.positions.nowhere", "actors.a.weight.presence",
    "issues.presence.scale",
])
def test_unknown_paths_are_not_found(path):
    data, _ = parse_document(read_text(SMALL), str(SMALL))
    assert raw_lookup(data, path) is None


def test_set_raw_replaces_the_value_found():
    data, _ = parse_document(read_text(SMALL), str(SMALL))
    path = next(iter(all_paths(load_scenario(SMALL))))
    key, _ = raw_lookup(data, path)
    set_raw(data, key, 12.5)
    assert raw_lookup(data, path) == (key, 12.5)


def test_path_forms_name_every_kind_of_input():
    assert {form.split(".")[-1] for form in PATH_FORMS} >= {"status_quo", "capability", "<issue>"}
