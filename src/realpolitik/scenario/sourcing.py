"""Warnings about inputs that are not yet evidence: unsourced or citing a placeholder source.

Sources are optional in an analyst's own file, but an input without one (or citing a source whose
citation starts with :data:`~realpolitik.scenario.template.PLACEHOLDER_PREFIX`, as the inputs of
``realpolitik new`` do) is a guess, not a sourced estimate. :func:`unsourced_inputs` returns one
sentence per kind of finding; ``validate`` prints them as ``warning:`` lines, so a template's
placeholders never pass silently as evidence.
"""

from __future__ import annotations

from collections.abc import Iterator

from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.template import PLACEHOLDER_PREFIX
from realpolitik.scenario.values import UncertainValue

__all__ = ["core_inputs", "unsourced_inputs"]

#: How many input paths a warning names before it says "and N more".
_SHOWN = 8


def core_inputs(scenario: Scenario) -> Iterator[tuple[str, UncertainValue]]:
    """Every numeric input of the core format with a readable path (relations by their ends)."""
    for issue in scenario.issues:
        yield f"issues.{issue.id}.status_quo", issue.status_quo
    for actor in scenario.actors:
        yield f"actors.{actor.id}.capability", actor.capability
        for group in ("positions", "salience", "private_positions"):
            for iid, v in getattr(actor, group).items():
                yield f"actors.{actor.id}.{group}.{iid}", v
    for rel in scenario.relations:
        yield f"relations.{rel.source_actor}->{rel.target_actor}.weight", rel.weight


def _listed(paths: list[str]) -> str:
    shown = ", ".join(paths[:_SHOWN])
    more = len(paths) - _SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def unsourced_inputs(scenario: Scenario) -> list[str]:
    """Sentences naming the inputs that cite a placeholder source or none (none if all sourced)."""
    placeholder = {s.id for s in scenario.sources if s.citation.startswith(PLACEHOLDER_PREFIX)}
    missing: list[str] = []
    placed: list[str] = []
    total = 0
    for path, v in core_inputs(scenario):
        total += 1
        refs = [e.source for e in v.experts] if v.experts else [v.source]
        if any(r is None for r in refs):
            missing.append(path)
        elif any(r.id in placeholder for r in refs if r is not None):
            placed.append(path)
    out = []
    if placed:
        ids = ", ".join(sorted(placeholder))
        out.append(f"unsourced: {len(placed)} of {total} inputs still cite the placeholder source "
                   f"{ids} ({_listed(placed)}); replace it with the real source of each number")
    if missing:
        out.append(f"unsourced: {len(missing)} of {total} inputs have no source "
                   f"({_listed(missing)}); add source: {{id: ..., at: ...}} to each")
    return out
