"""A small scenario to start from: two actors, one issue, placeholder values, every field explained.

``realpolitik new NAME`` writes :func:`template_text`. The file validates and forecasts at once,
but its numbers are placeholders: every input cites the source ``todo``, whose citation starts
with :data:`PLACEHOLDER_PREFIX`, so ``validate`` lists each of them as *unsourced*
(:mod:`realpolitik.scenario.sourcing`) until the analyst replaces the source with a real one.
"""

from __future__ import annotations

import datetime as dt
import re

from realpolitik.errors import RealpolitikError
from realpolitik.scenario.values import ID_PATTERN, MAX_ID_LENGTH

__all__ = ["PLACEHOLDER_PREFIX", "template_text"]

#: A source whose citation starts with this text is a placeholder, not evidence.
PLACEHOLDER_PREFIX = "PLACEHOLDER"

_TEMPLATE = """\
# A realpolitik scenario: who bargains over what, with how much power and how much they care.
# Every number below is a PLACEHOLDER: replace it, cite where it comes from (a source of the
# `sources` list and a place in it), and widen its distribution to what you really know.
# `realpolitik validate {file}` lists every input still citing the placeholder source as
# "unsourced". The full format: docs/scenario-format.md; a how-to: docs/first-scenario.md.

id: {ident}                 # letters, digits, _ . - (used in file names and reports)
title: {title}              # one line, shown in every table and chart
as_of: {as_of}              # YYYY-MM-DD: the date your inputs describe; no source may be dated later
description: >-             # optional: what is being bargained over, and why now
  Two actors bargain over one issue. Replace this text with the question you want forecast.

sources:                    # every source of the inputs: {{id, citation, date?, url?}}
  - id: todo
    citation: "{placeholder}: replace with the report, interview or data set behind each number"
    # date: 2024-01-01      # optional publication date (not after as_of)
    # url: https://...      # optional

issues:                     # the dimensions bargained over (at least one)
  - id: issue1              # short id, used as a key in every actor's positions and salience
    name: The question bargained over   # words shown in tables
    scale: [0, 100]         # [min, max] of the position scale, in the issue's own units
    anchors:                # what points of the scale mean, in words (optional but recommended)
      - {{value: 0, label: "one extreme: e.g. no change at all"}}
      - {{value: 100, label: "the other extreme: e.g. everything demanded"}}
    status_quo:             # where the issue stands today, on the scale above
      value: 50             # point (best) estimate, in scale units
      source: {{id: todo, at: "page or section"}}   # where the number comes from
      note: "placeholder: today's state of the issue"
    bands:                  # named outcome ranges of the scale, for outcome probabilities (optional)
      - {{name: low, low: 0, high: 50}}
      - {{name: high, low: 50, high: 100}}

actors:                     # at least two participants
  - id: actor1
    name: First actor       # shown in tables
    kind: government        # state, government, party, armed group, organisation, public, person
    capability:             # relative power to influence the outcome: >= 0, any unit, only ratios count
      value: 60             # point estimate
      distribution: {{kind: triangular, low: 40, high: 80}}   # what you are unsure about: bounds
      # kinds: uniform {{low, high}}, triangular {{low, high, mode?}}, truncnormal {{low, high, sd}},
      # beta {{low, high, a, b}}; the bounds must contain the point value
      source: {{id: todo}}
      note: "placeholder: e.g. share of seats, troops or budget"
    positions:              # the outcome the actor stands for, per issue, on the issue's scale
      issue1: {{value: 20, distribution: {{kind: uniform, low: 10, high: 30}}, source: {{id: todo}}, note: placeholder}}
    salience:               # how much the actor cares about each issue: 0 (not at all) to 1 (above all)
      issue1: {{value: 0.8, source: {{id: todo}}, note: placeholder}}
    # private_positions: {{issue1: 35}}   # optional: a position held privately, used by --private

  - id: actor2
    name: Second actor
    kind: party
    capability: {{value: 40, source: {{id: todo}}, note: placeholder}}
    positions:
      issue1: {{value: 80, source: {{id: todo}}, note: placeholder}}
    salience:
      issue1: {{value: 0.6, source: {{id: todo}}, note: placeholder}}

relations:                  # optional directed relations: backs, pressures, attacks, allied, opposes
  - from: actor1
    to: actor2
    kind: pressures
    weight: {{value: 0.5, source: {{id: todo}}, note: placeholder}}   # strength in [0, 1]

timeline: []                # optional dated facts: {{date, series, value?, label, source}}
"""


def template_text(name: str, as_of: dt.date | None = None) -> str:
    """The starter scenario for ``name`` (an id), dated ``as_of`` (default: today), as YAML text."""
    if len(name) > MAX_ID_LENGTH or not re.fullmatch(ID_PATTERN, name):
        raise RealpolitikError(
            f"scenario name {name!r}: use 1-{MAX_ID_LENGTH} letters, digits, '_', '.' or '-' "
            "(it becomes the scenario's id and its file name)")
    title = name.replace("_", " ").replace("-", " ").strip(" .") or name
    return _TEMPLATE.format(ident=name, title=_quoted(title[:1].upper() + title[1:]),
                            as_of=(as_of or dt.date.today()).isoformat(), file=f"{name}.yaml",
                            placeholder=PLACEHOLDER_PREFIX)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
