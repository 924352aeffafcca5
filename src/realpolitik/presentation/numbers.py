"""Numbers and short texts for tables: one place for how a figure is written."""

from __future__ import annotations

from typing import Any


def fmt(x: float, digits: int = 1) -> str:
    """A number for a table."""
    return f"{x:.{digits}f}"


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, with an ellipsis when cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def fmt_value(v: Any) -> str:
    """An uncertain value: its point, with the distribution's range in brackets if it has one."""
    if getattr(v, "experts", None):
        lows = [e.distribution.low if e.distribution else e.value for e in v.experts]
        highs = [e.distribution.high if e.distribution else e.value for e in v.experts]
        return f"{v.point:g} [{min(lows):g}-{max(highs):g}, {len(v.experts)} experts]"
    if v.distribution is None:
        return f"{v.point:g}"
    return f"{v.point:g} [{v.distribution.low:g}-{v.distribution.high:g}]"


def pct(p: float) -> str:
    """A probability as a percentage with one decimal; ``-`` for NaN."""
    return "-" if p != p else f"{p:.1%}"


def num(x: Any, digits: int = 3) -> str:
    """A float with ``digits`` decimals; ``-`` for None or NaN; anything else as text."""
    if x is None or (isinstance(x, float) and x != x):
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def band(lo: float, med: float, hi: float, digits: int = 0) -> str:
    """A median with its band: ``med [lo-hi]``."""
    return f"{med:.{digits}f} [{lo:.{digits}f}-{hi:.{digits}f}]"
