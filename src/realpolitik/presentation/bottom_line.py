"""The bottom line as HTML (the report's first section) and as rich text (``forecast``'s table)."""

from __future__ import annotations

import html
from typing import Any

from realpolitik.api.bottom_line import BottomLine
from realpolitik.api.report import Absent


def _esc(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def bottom_line_html(lines: list[BottomLine] | Absent) -> str:
    """One box per issue: the median in large type, band probabilities, then one sentence each."""
    if isinstance(lines, Absent):
        return f'<p class="absent">Not available: {_esc(lines.reason)}</p>'
    parts = []
    for bl in lines:
        big = bl.median if bl.median is not None else bl.point
        what = "median of the samples" if bl.median is not None else "at the point values"
        probs = "".join(f"<li><b>{p:.0%}</b> {_esc(b)}</li>"
                        for b, p in sorted(bl.band_probabilities.items(), key=lambda kv: -kv[1]))
        flag = ('<p class="threshold" role="note"><b>On a threshold.</b> '
                f"{_esc(bl.threshold.sentence.removeprefix('On a threshold: '))}</p>"
                if bl.threshold else "")
        rest = [s for s in bl.sentences() if s not in (bl.headline, bl.threshold and
                                                       bl.threshold.sentence)]
        parts.append(
            f'<article class="bl" data-issue="{_esc(bl.issue)}"'
            f' data-threshold="{"yes" if bl.threshold else "no"}">'
            f"<h3>{_esc(bl.issue_label)}</h3>"
            f'<p class="headline"><span class="big">{big:.1f}</span> '
            f'<span class="small">{what}'
            + (f"; nearest anchor: {_esc(bl.anchor)}" if bl.anchor else "") + "</span></p>"
            + (f'<ul class="bands" aria-label="Probability of each outcome band">{probs}</ul>'
               if probs else "")
            + f"<p>{_esc(bl.headline)}</p>{flag}"
            + "<ul class=\"sentences\">" + "".join(f"<li>{_esc(s)}</li>" for s in rest)
            + "</ul></article>")
    return "\n".join(parts)


def bottom_line_text(lines: list[BottomLine]) -> list[str]:
    """The bottom line as plain lines for a terminal (one paragraph per issue)."""
    out = []
    for bl in lines:
        out.append(bl.issue_label)
        out += [f"  - {s}" for s in bl.sentences()]
    return out
