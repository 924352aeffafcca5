"""Names in words for the interfaces: the one labelling module, :mod:`realpolitik.scenario.labels`.

The report, the dashboard and the CLI say actors, issues, inputs, columns and coded values with
these functions; JSON keeps the ids and adds the labels.
"""

from realpolitik.scenario.labels import (
    COLUMN_LABELS,
    actor_label,
    column_label,
    in_words,
    input_label,
    issue_label,
    value_label,
)

__all__ = ["COLUMN_LABELS", "actor_label", "column_label", "in_words", "input_label",
           "issue_label", "value_label"]
