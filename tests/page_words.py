"""What a person must not read on a page: raw input paths, ids and internal column codes."""

from __future__ import annotations

import html as html_lib
import re

from realpolitik.scenario.labels import COLUMN_LABELS
from realpolitik.scenario.loader import load_scenario


def internal_codes(text: str) -> list[str]:
    """Raw input paths, actor/issue/variable ids and column codes found in a page's text."""
    sc = load_scenario("iraq-2024")
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r'\s(src|href)="[^"]*"', " ", text)
    text = re.sub(r"<[^>]+>", " ", text)  # attributes (ids for scripts) are not read
    text = html_lib.unescape(text)
    codes = {a.id for a in sc.actors} | set(sc.issue_ids)
    codes |= {v.id for v in sc.dynamics.variables} if sc.dynamics else set()
    codes |= {k for k in COLUMN_LABELS if "_" in k} | {"S1_conf", "ST_conf"}
    if sc.deal is not None:
        codes |= {v for di in sc.deal.issues for v in (di.values or []) if "_" in v}
        codes |= {di.id for di in sc.deal.issues if "_" in di.id}
    codes = {c for c in codes if "_" in c}  # one-word ids read as words ("pmf" is not shown)
    patterns = [r"\b(?:actors|issues)\.[a-z0-9_]+\.[a-z_]+", r"\bu\[[a-z0-9_]+\]"]
    patterns += [r"(?<![\w.\-/])" + re.escape(c) + r"(?![\w\-])" for c in codes]
    return [f"{m.group(0)} in '…{text[max(0, m.start() - 60):m.end() + 20]}…'"
            for p in patterns for m in re.finditer(p, text)]
