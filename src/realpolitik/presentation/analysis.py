"""Tables and words of the analyses: ``sensitivity``, ``power`` and ``best-move``.

Every table is explained in words under it, so a reader need not know the method.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from realpolitik.presentation.sensitivity_words import LEGEND, drivers_words, input_label, share

if TYPE_CHECKING:
    from realpolitik.api.analysis import BestMove, Power, Sensitivity
    from realpolitik.scenario.schema import Issue


def print_sensitivity(sens: Sensitivity, console: Console, *, seed: int, top: int,
                      by_input: bool) -> None:
    """Per issue the top drivers by name, two sentences on what drives it, then a legend.

    Each driver has its total effect and its effect alone (with 95% intervals) and its swing.
    """
    sc, res, sw = sens.scenario, sens.sobol, sens.swings
    console.print(f"[bold]{sc.title}[/bold]: what drives the {res.model} forecast "
                  f"(Sobol sensitivity, {res.base_samples} base samples, {res.evaluations:,} "
                  f"model runs, seed {seed})")
    for issue in sc.issues:
        t = Table(title=f"{issue.name}: top {top} drivers", title_justify="left")
        for col in ("input", "total effect [95%]", "alone [95%]", "swing 5%-95%"):
            t.add_column(col, overflow="fold")
        swing = sw[sw["issue"] == issue.id].set_index("input")["swing"] if len(sw) else {}
        for r in res.top(issue.id, top).to_dict("records"):
            sv = swing.get(r["input"]) if by_input else None
            t.add_row(input_label(r["input"], sc, issue.id), share(r["ST"], r["ST_conf"]),
                      share(r["S1"], r["S1_conf"]), "-" if sv is None else f"{sv:.1f}")
        console.print(t)
        console.print(drivers_words(res.frame, sc, issue.id), markup=False)
    console.print(LEGEND, markup=False)


def print_power(pw: Power, console: Console) -> None:
    """Per issue: weight share, power indices and the forecast without each actor, in words."""
    merged, model = pw.table, pw.model
    for issue in pw.scenario.issues:
        sub = merged[merged["issue"] == issue.id].sort_values("shapley_shubik", ascending=False)
        base = float(sub["forecast"].iloc[0])
        t = Table(title=f"{issue.name}: power in the capability x salience vote "
                        f"({sub['method'].iloc[0]}); {model} forecast {base:.1f}",
                  title_justify="left")
        for col in ("actor", "weight share", "Shapley-Shubik", "Banzhaf", "forecast without",
                    "change"):
            t.add_column(col, justify="right" if col != "actor" else "left")
        for r in sub.to_dict("records"):
            t.add_row(r["name"], f"{r['weight_share']:.1%}", f"{r['shapley_shubik']:.1%}",
                      f"{r['banzhaf']:.1%}", f"{r['without']:.1f}", f"{r['change']:+.1f}")
        console.print(t)
        console.print(power_words(sub, issue))
    console.print("Read: Shapley-Shubik is the share of joining orders in which the actor turns "
                  "a losing coalition into a majority of the weight; Banzhaf the share of all "
                  "such swings that are the actor's. Power can differ from weight. 'forecast "
                  "without' reruns the model with the actor removed.")


def power_words(sub: Any, issue: Issue) -> str:
    """One issue's power table in words: the most pivotal actor, power beyond weight, removal."""
    first = sub.iloc[0]
    gap = sub.assign(gap=sub["shapley_shubik"] - sub["weight_share"]).sort_values("gap")
    most_change = sub.reindex(sub["change"].abs().sort_values(ascending=False).index).iloc[0]
    text = (f"On {issue.id}, {first['name']} is the most pivotal actor "
            f"({first['shapley_shubik']:.0%} Shapley-Shubik power with {first['weight_share']:.0%} "
            f"of the weight).")
    over = gap.iloc[-1]
    if over["gap"] > 0.01:
        text += (f" {over['name']} has more power than weight "
                 f"({over['shapley_shubik']:.0%} vs {over['weight_share']:.0%}).")
    if abs(most_change["change"]) > 0:
        text += (f" Removing {most_change['name']} moves the forecast most "
                 f"({most_change['change']:+.1f}).")
    else:
        text += " Removing any single actor leaves the forecast where it is."
    return text


def print_best_move(res: BestMove, console: Console, *, title: str, model: str, samples: int,
                    top: int) -> None:
    """The levers, smallest sufficient change first, and the conclusion in words."""
    what = "median forecast" if samples else "forecast"
    label = f"{model} model, median of {samples} samples" if samples else f"{model} model"
    console.print(f"[bold]{title}[/bold]: best move for [bold]{res.actor}[/bold] on "
                  f"{res.issue} (its position {res.actor_position:.1f}); target band "
                  f"'{res.target}' [{res.target_range[0]:g}, {res.target_range[1]:g}]; "
                  f"forecast ({label}) now {res.baseline:.1f}")
    t = Table(title="Levers, smallest sufficient change first", title_justify="left")
    for col in ("lever", "via", "reaches target", "change needed", what + " then",
                "at full strength"):
        t.add_column(col, overflow="fold")
    for r in res.frame.head(top).to_dict("records"):
        t.add_row(r["lever"], r["via"], "yes" if r["reaches"] else "no",
                  f"{r['change']:.2f} {r['unit']} ({r['strength']:.0%})" if r["reaches"] else "-",
                  f"{r['forecast_at']:.1f}" if r["reaches"] else "-",
                  f"{r['forecast_full']:.1f}")
    console.print(t)
    console.print("Levers: " + "; ".join(f"{k}: {v}" for k, v in LEVER_KINDS.items()) + ".",
                  markup=False)
    for note in res.notes:
        console.print(f"note: {note}", markup=False)
    for line in _best_move_words(res, what, top):
        console.print(line, markup=False)


#: What each kind of lever means, for the help and the legend under the table.
LEVER_KINDS = {
    "position": "another actor moves its position toward yours",
    "salience": "another actor cares more (if it stands on your side of the forecast) or less "
                "(if not)",
    "lend": "another actor lends you part of its capability (it loses what you gain)",
    "own salience": "you care more about the issue",
}


def lever_sentence(r: dict[str, Any], target: str, what: str) -> str:
    """One sentence about one lever (a row of ``BestMove.frame``)."""
    clause = r["description"]
    if r["reaches"]:
        return (f"If {clause}, the {what} becomes {r['forecast_at']:.1f}, inside '{target}'.")
    return f"Even if {clause}, the {what} becomes {r['forecast_full']:.1f}, outside '{target}'."


def _best_move_words(res: BestMove, what: str, top: int) -> list[str]:
    """A sentence per listed lever, then the conclusion."""
    rows = res.frame.head(top).to_dict("records")
    lines = [f"- {lever_sentence(r, res.target, what)}" for r in rows]
    n = len(res.reached)
    if n:
        end = (f"{n} of {len(res.frame)} levers can bring the {what} into '{res.target}' alone; "
               "the first needs the smallest change.")
    else:
        end = (f"No single lever brings the {what} into '{res.target}': combine levers or aim "
               "for a nearer band.")
    return ["In words:", *lines, end]


