"""Deals for the interfaces: negotiate a scenario's deal, and the names its options take.

:func:`negotiate` runs the alternating-offers protocol over the uncertain utilities of the
scenario's ``deal`` section (see docs/deal.md). Where the section's breakdown block ties the
status quo's cost to attacks, it first simulates the scenario's ``dynamics`` under the named
option (usually the status quo) and passes the monthly attack counts into the deal -- the deal
and the dynamics are sibling packages that do not import each other; this layer joins them.
:func:`deal_parties` lists the party ids that per-party options (a strategy each) are keyed by;
:func:`get_strategy` checks a strategy name; :func:`negotiated_position` gives the negotiated
package's place on the scenario issue the deal maps onto (for ``forecast`` and the report).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.deal.api import DealResult, point_on_scale
from realpolitik.deal.api import negotiate as _negotiate
from realpolitik.deal.breakdown import months_needed
from realpolitik.deal.protocol import STRATEGIES, Strategy, get_strategy
from realpolitik.errors import RealpolitikError
from realpolitik.scenario.loader import load_scenario
from realpolitik.scenario.schema import Scenario

#: Caption of the report's table of the most likely agreed packages (the bottom line reads it).
PACKAGES_CAPTION = "The most likely agreed packages"

__all__ = [
    "PACKAGES_CAPTION",
    "STRATEGIES",
    "DealResult",
    "Strategy",
    "coalition_sentence",
    "deal_parties",
    "deal_report_parts",
    "deal_scale_rows",
    "deal_scale_sentence",
    "get_strategy",
    "negotiate",
    "negotiated_position",
    "point_on_scale",
    "scale_sentence",
    "status_quo_attacks",
]


def deal_parties(scenario: Scenario | str | Path) -> list[str]:
    """The actor ids of the deal's two parties, in the section's order.

    A scenario without a ``deal`` section is an error, worded as :func:`negotiate` words it.
    """
    sc = load_scenario(scenario)
    section = getattr(sc, "deal", None)
    if section is None:
        raise RealpolitikError(f"scenario {sc.id!r} has no `deal` section; see docs/deal.md for "
                               "how to write one (parties, issues, utilities)")
    return list(section.parties)


def status_quo_attacks(scenario: Scenario, *, samples: int, seed: int,
                       deadline: int | None = None) -> np.ndarray | None:
    """Monthly attacks (samples, months) under the option the deal's breakdown block names.

    None when the section ties no cost to attacks or the scenario has no dynamics section.
    The months cover the talks up to the deadline at the longest round length.
    """
    section = getattr(scenario, "deal", None)
    spec = None if section is None or section.breakdown is None else section.breakdown.attacks
    if spec is None or getattr(scenario, "dynamics", None) is None:
        return None
    from realpolitik.api.dynamics import plan_simulation, simulate_option

    months = months_needed(section, section.deadline if deadline is None else deadline)
    plan = plan_simulation(scenario, [spec.option], horizon_months=months, seed=seed)
    option = plan.options[0][0]
    return np.asarray(simulate_option(plan, option, samples=samples, seed=seed).attacks,
                      dtype=float)


def negotiate(scenario: Scenario | str | Path = "iraq-2024", *, samples: int = 1000,
              seed: int | None = 0, breakdown: bool = True, **options: Any) -> DealResult:
    """Negotiate the scenario's deal (:func:`realpolitik.deal.api.negotiate`), with attacks.

    With ``breakdown`` (the default) and a breakdown block tied to attacks, the scenario's
    dynamics are simulated first (same samples and seed) for the attack counts. The ensemble
    behind a domestic constraint takes the fitted weights ``forecast`` uses unless
    ``ensemble_weights`` says otherwise. The other keyword options are
    :func:`realpolitik.deal.api.negotiate`'s.
    """
    from realpolitik.seeds import resolve_seed

    sc = load_scenario(scenario)
    seed = resolve_seed(seed)
    attacks = None
    if breakdown and isinstance(samples, int) and not isinstance(samples, bool) and samples > 0:
        progress = options.get("progress")
        if progress is not None:  # the per-mille scale of realpolitik.deal.api.negotiate
            progress("attacks under the status quo (for the breakdown risk)", 0, 1000)
        attacks = status_quo_attacks(sc, samples=samples, seed=seed,
                                     deadline=options.get("deadline"))
    options.setdefault("ensemble_weights", fitted_weights())
    return _negotiate(sc, samples=samples, seed=seed, breakdown=breakdown, attacks=attacks,
                      **options)


def fitted_weights() -> dict[str, float] | None:
    """The ensemble's default weights (the shipped fit; None: equal), as ``forecast`` uses them.

    So that a deal's domestic constraint follows the same ensemble as the forecast it is shown
    next to (:func:`realpolitik.api.calibration.weights_for`).
    """
    from realpolitik.api.calibration import weights_for

    return weights_for("fitted").weights


def negotiated_position(result: DealResult) -> dict[str, Any] | None:
    """Where the negotiated packages land on the scenario issue the deal maps onto.

    A dict with the issue, the package the protocol reaches at point values (``negotiated``),
    the mean and 90% range of the Monte Carlo agreements and P(agreement); None when the
    section declares no package-to-scale mapping.
    """
    return result.on_scale()


def scale_sentence(info: dict[str, Any]) -> str:
    """Where the negotiated package lands on the mapped issue, in one sentence."""
    neg = info.get("negotiated")
    text = f"On {info['issue']!r} ({info['lower']:g}-{info['upper']:g}) the package "
    text += (f"negotiated at point values sits at {neg:.1f}" if neg is not None
             else "negotiated at point values does not exist (no agreement)")
    if "mean" in info:
        text += (f"; the Monte Carlo agreements at {info['mean']:.1f} on average "
                 f"(90%: {info['q05']:.1f}-{info['q95']:.1f})")
    return text + "."


def coalition_sentence(info: dict[str, Any], forecast: float | None, model: str | None,
                       party: str | None = None) -> str:
    """One sentence relating a collective forecast to the negotiated package on the same scale.

    What the coalition pushes for (the collective model's forecast) against what the two
    governments sign (the package negotiated at point values, placed by the deal's mapping).
    """
    neg = info.get("negotiated")
    issue = info["issue"]
    if neg is None:
        return (f"At point values the two governments reach no package, so the deal gives no "
                f"value on {issue!r} to set against the collective forecast.")
    who = f"the {model} model" if model else "the collective forecast"
    head = (f"On {issue!r} the coalition pushes for {forecast:.1f} ({who}: where the many "
            f"actors' bargain settles), while the package the two governments sign sits at "
            f"{neg:.1f}") if forecast is not None else (
            f"On {issue!r} the package the two governments sign sits at {neg:.1f}")
    if forecast is None or abs(neg - forecast) < 2.5:
        return head + ": the two views agree."
    side = "above" if neg > forecast else "below"
    gov = f"{party}" if party else "the government bound by its coalition"
    return (head + f", {abs(neg - forecast):.1f} points {side}: {gov} weighs its coalition's "
            "view against its own interests and the other side's, so the signed package lies "
            "between the coalition's forecast and what the other government wants.")


def deal_scale_rows(scenario: Scenario, models: Sequence[str],
                    positions: str) -> list[dict[str, Any]]:
    """Per collective model: its forecast (the coalition) and the package negotiated with it."""
    rows = []
    from realpolitik.models.registry import get_model

    weights = fitted_weights()

    for name in dict.fromkeys(get_model(m).name for m in models):
        info = point_on_scale(scenario, model=name, positions=positions,
                              ensemble_weights=weights)
        if info is None:
            continue
        neg, coal = info["negotiated"], info["coalition"]
        rows.append({"model": name, "coalition forecast": coal, "negotiated package": neg,
                     "difference": None if neg is None or coal is None else neg - coal})
    return rows


def deal_scale_sentence(on_scale: dict[str, Any], rows: list[dict[str, Any]],
                        result: DealResult) -> str:
    """What the coalition pushes for against what the two governments sign, in words."""
    dom = result.section.domestic
    main = next((r for r in rows if r["model"] == result.model), rows[0] if rows else None)
    text = scale_sentence(on_scale)
    if main is not None:
        info = {**on_scale, "negotiated": main["negotiated package"]}
        text += " " + coalition_sentence(info, main["coalition forecast"], main["model"],
                                         None if dom is None else dom.party)
    return text


def deal_report_parts(scenario: Scenario, result: DealResult, models: Sequence[str],
                      positions: str) -> tuple[list[tuple[Any, str]], list[str],
                                               dict[str, Any] | None, str | None]:
    """What the report shows of a negotiated deal: tables, notes, its place on the scale.

    Returns ``(tables, notes, on_scale, sentence)``: ``tables`` as (pandas frame, caption) pairs
    (outcomes, the P(agreement by date) curve, likely packages, solution concepts, continuous
    issues and, with a package-to-scale mapping, each collective model's forecast next to the
    package negotiated with it); ``on_scale`` and ``sentence`` are None without a mapping.
    """
    import pandas as pd

    tables: list[tuple[Any, str]] = [
        (result.outcomes(), "Outcome of the negotiation (95% intervals)"),
        (result.timeline(), "P(agreement by date) and P(broken by date)"),
        (result.packages(top=5), PACKAGES_CAPTION),
        (result.solutions(), "Solution concepts at the point values"),
    ]
    summary = result.issue_summary()
    if len(summary):
        tables.append((summary, "Agreed value of each continuous issue"))
    notes = list(result.warnings())
    on_scale, sentence = result.on_scale(), None
    if on_scale is not None:
        rows = deal_scale_rows(scenario, models, positions)
        tables.append((pd.DataFrame(rows), f"Coalition forecast and negotiated package on "
                                           f"{on_scale['name']}, per collective model"))
        sentence = deal_scale_sentence(on_scale, rows, result)
    return tables, notes, on_scale, sentence
