"""Scenarios for the interfaces: find, load, parse, check, edit and convert scenario files.

The CLI and the dashboard reach the scenario layer only through this module, so that what they
may do with a scenario is one list.
"""

from realpolitik.scenario.arrays import PositionKind
from realpolitik.scenario.degenerate import degenerate_inputs
from realpolitik.scenario.edits import Edit, apply_edits, dump_yaml, scenario_from_data
from realpolitik.scenario.ktab_csv import load_ktab_csv, read_ktab_csv
from realpolitik.scenario.loader import (
    DEFAULT_SCENARIO,
    builtin_names,
    builtin_path,
    load_scenario,
    parse_scenario,
)
from realpolitik.scenario.schema import Issue, Scenario
from realpolitik.scenario.sourcing import core_inputs, unsourced_inputs
from realpolitik.scenario.template import template_text
from realpolitik.scenario.values import UncertainValue
from realpolitik.scenario.workbook.read import read_workbook
from realpolitik.scenario.workbook.write import workbook_bytes
from realpolitik.scenario.yamlio import decode, parse_document, read_text


def panel_inputs(scenario: Scenario) -> list[tuple[str, UncertainValue, float]]:
    """(path, value, disagreement share) of every input estimated by an expert panel.

    The share is the part of the pooled variance due to the experts' differing estimates
    (between-expert variance over total, :func:`realpolitik.uncertainty.panel.panel_moments`).
    """
    from realpolitik.uncertainty.panel import panel_moments  # numerics only when panels are shown

    out = []
    for path, v in core_inputs(scenario):
        if v.experts:
            _, within, between = panel_moments(v)
            total = within + between
            out.append((path, v, between / total if total > 0 else 0.0))
    return out


__all__ = [
    "DEFAULT_SCENARIO",
    "Edit",
    "Issue",
    "PositionKind",
    "Scenario",
    "UncertainValue",
    "apply_edits",
    "builtin_names",
    "builtin_path",
    "decode",
    "degenerate_inputs",
    "dump_yaml",
    "load_ktab_csv",
    "load_scenario",
    "panel_inputs",
    "parse_document",
    "parse_scenario",
    "read_ktab_csv",
    "read_text",
    "read_workbook",
    "scenario_from_data",
    "template_text",
    "unsourced_inputs",
    "workbook_bytes",
]
