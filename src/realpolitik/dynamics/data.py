"""The attack data shipped with realpolitik: reports, U.S. strikes and the weekly series.

The Pentagon gave running totals of attacks on U.S. forces in Iraq and Syria on irregular dates
(``data/attacks_2023_2024_reports.csv``). :func:`build_weekly` turns them into weekly counts by
linear interpolation of the cumulative total by day (see ``data/README.md``); the shipped
``data/attacks_2023_2024.csv`` is its output and a test keeps the two equal.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np

#: First day of the series (the first attacks of the 2023-2024 campaign).
START = dt.date(2023, 10, 17)
#: Days per bin of the weekly series.
WEEK = 7
#: Dates of the Gaza truce (both ends inclusive), when tension and attacks dropped.
TRUCE = (dt.date(2023, 11, 24), dt.date(2023, 11, 30))

REPORTS_FILE = "attacks_2023_2024_reports.csv"
STRIKES_FILE = "us_strikes_2023_2024.csv"
WEEKLY_FILE = "attacks_2023_2024.csv"


@dataclass(frozen=True)
class Report:
    """One dated cumulative count of attacks since 17 Oct 2023."""

    date: dt.date
    cumulative: int
    kind: str
    source_id: str
    where: str
    note: str


@dataclass(frozen=True)
class Strike:
    """One U.S. strike on Iran-aligned groups, weighted by the number of facilities struck."""

    date: dt.date
    facilities: float
    source_id: str
    where: str
    note: str


@dataclass(frozen=True)
class WeeklySeries:
    """Weekly attack counts with their covariates.

    ``truce_share`` is the share of each week's days inside the Gaza truce (available to a fit;
    the default calibration does not use it, see :mod:`realpolitik.dynamics.calibrate`);
    ``strikes`` the list of U.S. strikes (for the deterrence stock); ``basis`` is
    ``interpolated`` or ``assumed``.
    """

    week_start: tuple[dt.date, ...]
    counts: np.ndarray
    truce_share: np.ndarray
    basis: tuple[str, ...]
    strikes: tuple[Strike, ...]

    @property
    def weeks(self) -> int:
        """Number of weeks."""
        return len(self.week_start)

    def subset(self, n_weeks: int) -> WeeklySeries:
        """The first ``n_weeks`` weeks."""
        return WeeklySeries(self.week_start[:n_weeks], self.counts[:n_weeks],
                            self.truce_share[:n_weeks], self.basis[:n_weeks], self.strikes)

    def observed_weeks(self) -> int:
        """Number of leading weeks whose counts rest on reports (not on the assumed zero)."""
        return sum(1 for b in self.basis if b != "assumed")


def _read(name: str) -> list[dict[str, str]]:
    text = (resources.files("realpolitik") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def load_reports() -> list[Report]:
    """The dated cumulative counts, in date order."""
    rows = [Report(dt.date.fromisoformat(r["date"]), int(r["cumulative"]), r["kind"],
                   r["source_id"], r["where"], r["note"]) for r in _read(REPORTS_FILE)]
    return sorted(rows, key=lambda r: r.date)


def load_strikes() -> list[Strike]:
    """The U.S. strikes, in date order."""
    rows = [Strike(dt.date.fromisoformat(r["date"]), float(r["facilities"]), r["source_id"],
                   r["where"], r["note"]) for r in _read(STRIKES_FILE)]
    return sorted(rows, key=lambda s: s.date)


def build_weekly(reports: list[Report] | None = None) -> list[dict[str, object]]:
    """Weekly rows (week_start, week_end, attacks, cumulative, basis, truce_days) from reports.

    The cumulative total at the end of each day is interpolated linearly between reports; weekly
    counts are differences of the rounded cumulative total at week ends, so they sum to the
    reported totals exactly.
    """
    reports = load_reports() if reports is None else reports
    first, last = reports[0].date, reports[-1].date
    days = np.array([(r.date - first).days for r in reports], dtype=float)
    cum = np.array([r.cumulative for r in reports], dtype=float)
    if np.any(np.diff(cum) < 0):
        raise ValueError("cumulative counts must not decrease")
    last_observed = max(r.date for r in reports if r.kind != "assumed")
    rows: list[dict[str, object]] = []
    start = START
    prev = 0
    while start + dt.timedelta(days=WEEK - 1) <= last:
        end = start + dt.timedelta(days=WEEK - 1)
        total = round(float(np.interp((end - first).days, days, cum)))
        truce_days = sum(
            1 for k in range(WEEK)
            if TRUCE[0] <= start + dt.timedelta(days=k) <= TRUCE[1]
        )
        rows.append({
            "week_start": start.isoformat(),
            "week_end": end.isoformat(),
            "attacks": total - prev,
            "cumulative": total,
            "basis": "interpolated" if end <= last_observed else "assumed",
            "truce_days": truce_days,
        })
        prev = total
        start = start + dt.timedelta(days=WEEK)
    return rows


def weekly_csv_text(rows: list[dict[str, object]]) -> str:
    """The weekly rows as CSV text (the format of ``attacks_2023_2024.csv``)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def load_weekly() -> WeeklySeries:
    """The shipped weekly series with its covariates."""
    rows = _read(WEEKLY_FILE)
    return WeeklySeries(
        week_start=tuple(dt.date.fromisoformat(r["week_start"]) for r in rows),
        counts=np.array([int(r["attacks"]) for r in rows], dtype=float),
        truce_share=np.array([int(r["truce_days"]) / WEEK for r in rows], dtype=float),
        basis=tuple(r["basis"] for r in rows),
        strikes=tuple(load_strikes()),
    )
