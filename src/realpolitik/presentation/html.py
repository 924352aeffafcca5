"""The report as one self-contained HTML file: inline styles, inline SVG figures, no network.

Every section is always present, in a fixed order (:data:`SECTION_TITLES`); a section whose
subsystem is absent, or whose scenario section is missing, says so in place.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Iterable, Sequence
from typing import Any

from realpolitik.api.report import (
    QUANTILES,
    Absent,
    Analysis,
    DealSummary,
    Drivers,
    DynamicsResult,
    ForecastSection,
    ModelForecast,
    Pivotal,
    Table,
)
from realpolitik.presentation import report_plots as plots
from realpolitik.presentation.bottom_line import bottom_line_html
from realpolitik.presentation.deal_plot import frontier_png, timeline_png
from realpolitik.scenario.labels import actor_label, in_words, issue_label, value_label
from realpolitik.scenario.schema import Scenario
from realpolitik.scenario.values import UncertainValue
from realpolitik.version import __version__

#: The report's sections: (anchor id, title), in order.
SECTION_TITLES: tuple[tuple[str, str], ...] = (
    ("bottom", "Bottom line"),
    ("inputs", "Scenario inputs and sources"),
    ("forecast", "Forecast per model"),
    ("ensemble", "Ensemble"),
    ("drivers", "Drivers of the forecast"),
    ("pivotal", "Pivotal actors"),
    ("options", "Policy options over time"),
    ("deal", "The deal"),
    ("timeline", "Historical timeline"),
    ("method", "Method and reproducibility"),
)

_CSS = """
:root{--ink:#111827;--muted:#4b5563;--line:#e5e7eb;--accent:#0b5394;--warn:#7c2d12}
*{box-sizing:border-box}
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
color:var(--ink);margin:0;background:#fafafa}
main{max-width:1000px;margin:0 auto;padding:24px 28px 60px;background:#fff}
td,th,caption,p,li{overflow-wrap:anywhere}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px}
.bl{border:1px solid var(--line);border-left:5px solid var(--accent);border-radius:4px;
padding:6px 14px;margin:10px 0}.bl h3{margin:4px 0}.bl p{margin:4px 0}
.headline .big{font-size:26px;font-weight:700}
ul.bands{list-style:none;display:flex;flex-wrap:wrap;gap:4px 16px;padding:0;margin:2px 0}
.threshold{border-left:4px solid #b45309;background:#fffbeb;padding:6px 10px;color:var(--warn)}
ul.sentences{margin:4px 0;padding-left:18px}
@media (max-width:600px){main{padding:12px 10px 40px}table{font-size:11px}
th,td{padding:3px 3px}nav ol{columns:1}}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:36px 0 8px;padding-top:8px;
border-top:2px solid var(--line)}h3{font-size:15px;margin:20px 0 6px}
.meta{color:var(--muted);margin:0 0 12px}
nav ol{columns:2;padding-left:20px;margin:8px 0 0}
table{border-collapse:collapse;width:100%;margin:8px 0 12px;font-size:12.5px}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f4f6;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.absent{border-left:4px solid #9ca3af;background:#f9fafb;padding:8px 12px;color:#374151}
.warn{border-left:4px solid #d97706;background:#fffbeb;padding:8px 12px;color:var(--warn)}
svg.fig,img.fig{width:100%;height:auto;display:block;margin:6px 0 14px}
img.fig{max-width:min(720px,100%)}
.url{overflow-wrap:anywhere}
@media print{body{background:#fff}main{max-width:none;padding:0}h2{break-before:auto}svg.fig,img.fig,table{break-inside:avoid}}
.small{font-size:12px;color:var(--muted)}
code{background:#f3f4f6;padding:1px 4px;border-radius:3px}
"""


def esc(x: Any) -> str:
    """HTML-escaped text of ``x``."""
    return html.escape("" if x is None else str(x), quote=True)


def num(x: Any, digits: int = 1) -> str:
    """A number for a table ('–' when missing)."""
    if x is None:
        return "–"
    if isinstance(x, int) and not isinstance(x, bool):
        return f"{x:,}"
    try:
        return f"{float(x):,.{digits}f}"
    except (TypeError, ValueError):
        return esc(x)


def smart(x: Any) -> str:
    """A number of a subsystem's table: whole numbers without decimals, others with 1-3."""
    if x is None or isinstance(x, bool) or not isinstance(x, int | float):
        return esc("–" if x is None else x)
    v = float(x)
    if v.is_integer() and abs(v) < 1e15:
        return f"{v:,.0f}"
    return f"{v:,.1f}" if abs(v) >= 100 else f"{v:.3f}"


def value_text(v: UncertainValue) -> str:
    """An input as text: the point value with its range and distribution."""
    if v.distribution is None:
        return f"{v.point:g}"
    d = v.distribution
    return f"{v.point:g} [{d.low:g}–{d.high:g}, {d.kind}]"


def source_text(v: UncertainValue) -> str:
    """The source reference of an input, or an empty string."""
    if v.source is None:
        return ""
    return v.source.id + (f" ({v.source.at})" if v.source.at else "")


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Sequence[int] = (),
          caption: str | None = None) -> str:
    """An HTML table; ``rows`` hold pre-rendered HTML cells (escape before!)."""
    head = "".join(f'<th class="{"num" if k in numeric else ""}">{esc(c)}</th>'
                   for k, c in enumerate(columns))
    body = "".join(
        "<tr>" + "".join(f'<td class="{"num" if k in numeric else ""}">{cell}</td>'
                         for k, cell in enumerate(r)) + "</tr>" for r in rows)
    cap = f"<caption class=small>{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def absent(reason: str) -> str:
    """The note of a section that could not be computed."""
    return f'<p class="absent">Not available: {esc(reason)}</p>'


def generic_table(t: Table) -> str:
    """A subsystem's table as HTML."""
    numeric = [k for k, c in enumerate(t.columns)
               if all(isinstance(r[k], int | float) and not isinstance(r[k], bool)
                      for r in t.rows if r[k] is not None)]
    rows = [[smart(v) if k in numeric else esc(v) for k, v in enumerate(r)] for r in t.rows]
    return table(t.titles, rows, numeric, t.caption)


# ------------------------------------------------------------------------------------------
def inputs_section(sc: Scenario) -> str:
    """Issues, actors with every input, its range, source and note; relations; sources."""
    parts = []
    if sc.description:
        parts.append(f"<p>{esc(sc.description.strip())}</p>")
    for issue in sc.issues:
        parts.append(f"<h3>Issue: {esc(issue.name)}</h3>")
        sq = issue.status_quo
        parts.append(f"<p>Scale {issue.scale[0]:g} to {issue.scale[1]:g}; status quo "
                     f"{esc(value_text(sq))}"
                     + (f", source {esc(source_text(sq))}" if sq.source else "")
                     + (f" — {esc(sq.note.rstrip('.'))}" if sq.note else "") + ".</p>")
        rows = [[num(a.value, 0), esc(a.label)] for a in sorted(issue.anchors, key=lambda a: a.value)]
        rows += [[f"{b.low:g}–{b.high:g}", f"band: {esc(b.name)}"] for b in issue.bands]
        if rows:
            parts.append(table(["value", "meaning"], rows, [0]))
    parts.append("<h3>Actors</h3>")
    parts.append(plots.inputs_map(sc))
    rows = []
    for a in sc.actors:
        inputs = [("capability", a.capability)]
        for iid in sc.issue_ids:
            on = issue_label(sc, iid)
            inputs.append((f"position on {on}", a.positions[iid]))
            if iid in a.private_positions:
                inputs.append((f"private position on {on}", a.private_positions[iid]))
            inputs.append((f"salience on {on}", a.salience[iid]))
        for k, (what, v) in enumerate(inputs):
            who = f"<b>{esc(a.name)}</b><br><span class=small>{esc(a.kind)}</span>"
            rows.append([who if k == 0 else "", esc(what), esc(value_text(v)),
                         esc(source_text(v)), esc(v.note or "")])
    parts.append(table(["actor", "input", "value [range]", "source", "note"], rows))
    if sc.relations:
        rows = [[esc(actor_label(sc, r.source_actor)), esc(r.kind),
                 esc(actor_label(sc, r.target_actor)), esc(value_text(r.weight)),
                 esc(r.note or "")] for r in sc.relations]
        parts.append("<h3>Relations</h3>")
        parts.append(table(["from", "kind", "to", "weight", "note"], rows))
    parts.append("<h3>Sources</h3>")
    if sc.sources:
        rows = [[f"<code>{esc(s.id)}</code>", esc(s.citation),
                 esc(s.date.isoformat() if s.date else ""),
                 f'<span class="url">{esc(s.url or "")}</span>'] for s in sc.sources]
        parts.append(table(["id", "citation", "date", "address"], rows))
    else:
        parts.append('<p class="absent">The scenario cites no sources.</p>')
    return "\n".join(parts)


def _quantile_cells(mf: ModelForecast, issue: str) -> list[str]:
    q = mf.quantiles(issue)
    if not q:
        return ["–", "–", "–"]
    return [num(q["p50"]), f'{num(q["p25"])} – {num(q["p75"])}', f'{num(q["p05"])} – {num(q["p95"])}']


def forecast_rows(sc: Scenario, models: Sequence[ModelForecast]) -> str:
    """One table per issue: each model's point forecast, median, bands and band probabilities."""
    parts = []
    for issue in sc.issues:
        bands = [b.name for b in issue.bands]
        rows = []
        for mf in models:
            probs = mf.band_probabilities(sc, issue.id)
            q = mf.quantiles(issue.id)
            point = num(mf.point[issue.id])
            if q and not q["p25"] <= mf.point[issue.id] <= q["p75"]:
                point += ('<br><span class="small threshold-mark">outside its own 50% band: '
                          "on a threshold</span>")
            rows.append([f"<b>{esc(mf.title)}</b>", point,
                         *_quantile_cells(mf, issue.id),
                         *(f"{probs[b]:.0%}" if mf.samples else ("yes" if probs[b] else "")
                           for b in bands)])
        cols = ["model", "forecast at the point values", "median of the samples",
                "central 50% of the samples", "central 90% of the samples",
                *(f"P({b})" for b in bands)]
        parts.append(f"<h3>{esc(issue.name)} (status quo {issue.status_quo.point:g})</h3>")
        parts.append(table(cols, rows, list(range(1, len(cols)))))
    return "\n".join(parts)


def forecast_section(sc: Scenario, fc: ForecastSection | Absent) -> str:
    """Every model's forecast with its Monte Carlo bands."""
    if isinstance(fc, Absent):
        return absent(fc.reason)
    parts = []
    if fc.monte_carlo is not None:
        parts.append(f'<p class="absent">No Monte Carlo bands: {esc(fc.monte_carlo.reason)}.</p>')
    else:
        parts.append(f"<p>{fc.samples:,} Monte Carlo samples of the uncertain inputs (seed "
                     f"{fc.seed}); bands are the central 50% and 90% of the sampled forecasts.</p>")
    if fc.warnings:
        items = "".join(f"<li>{esc(in_words(sc, w))}</li>" for w in fc.warnings)
        parts.append(f'<div class="warn">How far to trust the bands:<ul>{items}</ul></div>')
    parts.append(plots.forecast_intervals(sc, fc))
    parts.append(forecast_rows(sc, fc.models))
    refs = [[f"<b>{esc(m.title)}</b>", esc(m.reference), *_past_cells(m)] for m in fc.all()]
    parts.append(table(["model", "reference", "weight in ensemble", "past error (0-100)"], refs,
                       caption="The models"))
    return "\n".join(parts)


def _past_cells(mf: ModelForecast) -> list[str]:
    past = mf.past or {}
    weight, mae = past.get("weight"), past.get("past_mae")
    return ["" if weight is None else f"{weight:.3f}", "" if mae is None else f"{mae:.1f}"]


def _calibrated_line(sc: Scenario, mf: ModelForecast) -> str:
    """Weights' source and the calibrated bands, in one paragraph (empty without them)."""
    past = mf.past or {}
    bands = past.get("calibrated") or {}
    texts = [f"{esc(i.name)}: 80% {bands[i.id]['80'][0]:.1f}-{bands[i.id]['80'][1]:.1f}, "
             f"90% {bands[i.id]['90'][0]:.1f}-{bands[i.id]['90'][1]:.1f}"
             for i in sc.issues if i.id in bands]
    if not texts and not past.get("weights_source"):
        return ""
    line = f"Weights: {esc(past.get('weights_source') or 'equal')}."
    if texts:
        line += f" Calibrated bands ({esc(past['calibrated_note'])}): {'; '.join(texts)}."
    return f'<p class="small">{line}</p>'


def ensemble_section(sc: Scenario, fc: ForecastSection | Absent) -> str:
    """The ensemble's forecast and its distribution."""
    if isinstance(fc, Absent):
        return absent(fc.reason)
    if isinstance(fc.ensemble, Absent):
        return absent(fc.ensemble.reason)
    parts = [f"<p>{esc(fc.ensemble.title)}. {esc(fc.ensemble.reference)}</p>",
             forecast_rows(sc, [fc.ensemble]), _calibrated_line(sc, fc.ensemble)]
    hist = plots.forecast_histograms(sc, fc.ensemble)
    if hist:
        parts.append(hist)
    return "\n".join(parts)


def drivers_section(d: Drivers | Absent, sc: Scenario) -> str:
    """Tornado of the one-at-a-time swings, the top inputs per issue, Sobol indices by actor."""
    if isinstance(d, Absent):
        return absent(d.reason)
    parts = [f"<p>Each uncertain input alone is set to its 5% and 95% quantile (the others at "
             f"their point values) and the {esc(d.model)} model is rerun: the bars show how far "
             "the forecast at the point values moves. Where both ends move it the same way the "
             "point values sit on a threshold, and the bottom line names the inputs that move "
             "the whole distribution instead (first-order variance shares of the Monte Carlo "
             "samples). Sobol indices also count interactions between inputs.</p>"]
    fig = plots.tornado(d.swings, sc)
    if fig:
        parts.append(fig)
    parts += [f'<p class="small">{esc(in_words(sc, n))}</p>' for n in d.notes]
    parts += [generic_table(t) for t in d.tables(sc)]
    return "\n".join(parts)


def pivotal_section(p: Pivotal | Absent, sc: Scenario) -> str:
    """Power indices per issue and the change of the forecast without each actor."""
    if isinstance(p, Absent):
        return absent(p.reason)
    intro = ("<p>On each issue an actor casts capability × salience votes and a strict majority "
             "wins. Shapley-Shubik and Banzhaf power say how often an actor is pivotal, which "
             "differs from its weight share.")
    if p.removal is not None:
        intro += (f" The last column is the change of the {esc(p.model)} forecast when the actor "
                  "is taken out of the bargaining.")
    parts = [intro + "</p>"]
    fig = plots.power_bars([(i.name, p.frame(i.id)) for i in sc.issues], sc)
    if fig:
        parts.append(fig)
    parts += [generic_table(t) for t in p.tables(sc)]
    return "\n".join(parts)


def options_section(result: DynamicsResult | Absent, sc: Scenario | None = None) -> str:
    """Policy options compared over time: paths with bands, event probabilities, end values."""
    if isinstance(result, Absent):
        return absent(result.reason)
    parts = [f"<p>{result.samples:,} simulated paths per option from {result.start.isoformat()} "
             f"over {result.months} months; lines are medians, shaded areas the central "
             f"{result.level:.0%}.</p>", plots.option_paths(result)]
    parts += [f'<p class="small">{esc(n)}</p>' for n in coinciding(result)]
    parts += [f'<p class="warn">{esc(in_words(sc, w))}</p>' for w in result.warnings]
    if result.scored:
        parts.append(f'<p class="small">{esc(result.scored)}</p>')
    rows = []
    for opt in result.options:
        cells = [f"<b>{esc(opt.name)}</b>"]
        for vid, _, _ in result.variables:
            lo, med, hi = opt.bands[vid]
            cells.append(f"{num(med[-1])} <span class=small>({num(lo[-1])}–{num(hi[-1])})</span>")
        rows.append(cells)
    cols = ["option", *(f"{name}, last month" for _, name, _ in result.variables)]
    parts.append(table(cols, rows, list(range(1, len(cols)))))
    if result.events:
        rows = [[f"<b>{esc(o.name)}</b>", *(f"{o.events[e]:.0%}" for e, _ in result.events)]
                for o in result.options]
        parts.append(table(["option", *(d for _, d in result.events)], rows,
                           list(range(1, len(result.events) + 1)),
                           caption="Probability of each threshold event"))
    return "\n".join(parts)


def deal_section(result: DealSummary | Absent, sc: Scenario | None = None) -> str:
    """The deal subsystem's tables and its utility-plane figure (a PNG, inlined)."""
    if isinstance(result, Absent):
        return absent(result.reason)
    parts = [f"<p>Negotiation between {esc(' and '.join(result.parties))}: an agreement in "
             f"{result.p_agreement:.0%} of the samples.</p>"]
    if result.sentence:
        parts.append(f'<p class="deal-on-scale">{esc(result.sentence)}</p>')
    parts += [f'<p class="warn">{esc(in_words(sc, n))}</p>' for n in result.notes]
    if result.negotiation is not None:
        data = base64.b64encode(frontier_png(result.negotiation)).decode("ascii")
        parts.append(f'<img class="fig" alt="The deal in the utility plane" '
                     f'src="data:image/png;base64,{data}">')
        data = base64.b64encode(timeline_png(result.negotiation)).decode("ascii")
        parts.append(f'<img class="fig" alt="P(agreement by date)" '
                     f'src="data:image/png;base64,{data}">')
    parts += [generic_table(t) for t in result.tables]
    return "\n".join(parts)


def timeline_section(sc: Scenario) -> str:
    """The scenario's dated background: a figure and the list of events with their sources."""
    if not sc.timeline:
        return absent(f"scenario {sc.id!r} has no `timeline`")
    fig = plots.timeline(sc) or ""
    rows = [[esc(e.date.isoformat()), esc(value_label(e.series)),
             "" if e.value is None else num(e.value, 0), esc(e.label),
             esc(e.source.id + (f" ({e.source.at})" if e.source.at else ""))]
            for e in sorted(sc.timeline, key=lambda e: e.date)]
    return fig + table(["date", "series", "value", "event", "source"], rows, [2])


def method_section(an: Analysis, command: str | None) -> str:
    """How the report was made: versions, seed, samples, the command that remakes it."""
    rows = [["realpolitik", esc(__version__)], ["scenario", esc(an.scenario.id)],
            ["models", esc(", ".join(m.model for m in an.forecast.all())
                           if isinstance(an.forecast, ForecastSection) else "–")],
            ["as of", esc(an.scenario.as_of.isoformat())], ["positions", esc(an.positions)],
            ["Monte Carlo samples", num(an.samples)], ["seed", esc(an.seed)],
            ["quantiles", esc(", ".join(f"{q:g}" for q in QUANTILES))]]
    if command:
        rows.append(["command", f"<code>{esc(command)}</code>"])
    return table(["item", "value"], rows) + (
        "<p class=small>The same command with the same seed reproduces every number of this "
        "report. Inputs after the scenario's as-of date are never used.</p>")


def render(an: Analysis, *, command: str | None = None, generated: dt.datetime | None = None) -> str:
    """The whole report as HTML text."""
    sc = an.scenario
    bodies = {
        "bottom": bottom_line_html(an.bottom),
        "inputs": inputs_section(sc),
        "forecast": forecast_section(sc, an.forecast),
        "ensemble": ensemble_section(sc, an.forecast),
        "drivers": drivers_section(an.drivers, sc),
        "pivotal": pivotal_section(an.power, sc),
        "options": options_section(an.dynamics, sc),
        "deal": deal_section(an.deal, sc),
        "timeline": timeline_section(sc),
        "method": method_section(an, command),
    }
    toc = "".join(f'<li><a href="#{sid}">{esc(title)}</a></li>' for sid, title in SECTION_TITLES)
    sections = [
        f'<section id="{sid}" data-section="{sid}"><h2>{esc(title)}</h2>\n{bodies[sid]}</section>'
        for sid, title in SECTION_TITLES]
    when = (generated or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{esc(sc.title)} — realpolitik report</title><style>{_CSS}</style></head>"
        '<body><a class="skip" href="#bottom">Skip to the bottom line</a>'
        f"<main><h1>{esc(sc.title)}</h1>"
        f'<p class=meta><code>{esc(sc.id)}</code> · as of {esc(sc.as_of.isoformat())} · '
        f"{len(sc.actors)} actors · {len(sc.issues)} issues · generated {esc(when)} by "
        f"realpolitik {esc(__version__)}</p>\n{sections[0]}\n"
        f'<nav aria-label="Contents"><b>Contents</b><ol>{toc}</ol></nav>\n'
        + "\n".join(sections[1:]) + "\n</main></body></html>\n"
    )


def coinciding(result: DynamicsResult) -> list[str]:
    """Notes naming the policy options whose median lines lie on top of each other."""
    notes = []
    for vid, name, _ in result.variables:
        groups: list[list[str]] = []
        seen: list[Any] = []
        for opt in result.options:
            med = opt.bands[vid][1]
            for k, other in enumerate(seen):
                if other.shape == med.shape and bool((abs(other - med) <= 1e-9 *
                                                      (1 + abs(other))).all()):
                    groups[k].append(opt.name)
                    break
            else:
                seen.append(med)
                groups.append([opt.name])
        for g in groups:
            if len(g) > 1:
                notes.append(f"{name}: the lines of {' and '.join(g)} coincide (one drawn over "
                             "the other).")
    return notes
