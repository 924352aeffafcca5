"""Convert a file in the layout of the DEU data sets into a backtest data set folder.

The "Decision-making in the European Union" data (DEU I: Thomson, Stokman, Achen and König
2006; DEU II: Thomson et al. 2012; DEU III: Arregui and Perarnaud 2021/2022,
doi:10.34810/data53) give, for each controversial issue of a legislative proposal, a row with
the position (``p<actor>``) and salience (``s<actor>``) of the Commission (``com``), the
Parliament (``ep``) and each member state on a 0-100 scale, the reference point (``rp``, the
outcome if no law is adopted) and the decision outcome (``out``). Values outside [0, 100] (the
code 999) and blank cells are missing.

:func:`convert_deu` writes ``issues.csv`` and ``actors.csv`` (see
:mod:`realpolitik.backtest.dataset`):

* issues without a valid outcome are left out (their count is returned);
* the reference point becomes ``status_quo`` (blank where missing);
* an actor is listed on an issue when both its position and salience are present; salience is
  divided by 100 (our saliences lie in [0, 1]);
* capability is 1 for every actor: the DEU files record none. (Thomson et al. 2006 derive
  procedure-specific capabilities from voting rules; that is a modelling choice left to the
  user, who can edit the ``capability`` column.)
* the proposal's name, number, procedure, voting rule, Council formation and instrument type
  are kept as metadata.

The file may be separated by semicolons, commas or tabs; cells may be quoted. A row without an
issue number (a copy of DEU III in circulation has a second row of GDP figures) is skipped.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from realpolitik.errors import Problem, ScenarioError

#: Actor codes of the DEU files, in their column order, with names.
ACTOR_NAMES: dict[str, str] = {
    "com": "European Commission",
    "ep": "European Parliament",
    "at": "Austria",
    "be": "Belgium",
    "bu": "Bulgaria",
    "cr": "Croatia",
    "cy": "Cyprus",
    "cz": "Czech Republic",
    "dk": "Denmark",
    "ee": "Estonia",
    "fi": "Finland",
    "fr": "France",
    "de": "Germany",
    "el": "Greece",
    "hu": "Hungary",
    "ie": "Ireland",
    "it": "Italy",
    "lv": "Latvia",
    "lt": "Lithuania",
    "lu": "Luxembourg",
    "mt": "Malta",
    "nl": "Netherlands",
    "pl": "Poland",
    "pt": "Portugal",
    "ro": "Romania",
    "si": "Slovenia",
    "sk": "Slovakia",
    "es": "Spain",
    "se": "Sweden",
    "uk": "United Kingdom",
}

#: DEU columns kept as issue metadata, and their names in ``issues.csv``.
META_COLUMNS = {
    "prname": "proposal",
    "prnr": "proposal_id",
    "proc": "procedure",
    "counvte": "voting_rule",
    "council": "council",
    "type": "instrument",
}


@dataclass(frozen=True)
class Conversion:
    """What :func:`convert_deu` wrote and left out."""

    issues: int
    actor_rows: int
    no_outcome: list[str]
    no_actors: list[str]


def _value(cell: str | None) -> float | None:
    """A DEU number: blank, unparsable and out-of-scale codes (999) are missing."""
    text = (cell or "").strip().strip('"')
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0.0 <= value <= 100.0 else None


def _fmt(value: float) -> str:
    return f"{value:.10g}"


def convert_deu(source: str | Path, out_dir: str | Path) -> Conversion:
    """Convert a DEU-layout file into ``issues.csv`` and ``actors.csv`` in ``out_dir``."""
    source = Path(source)
    text = source.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0] if text else ""
    delimiter = max(("\t", ";", ","), key=first.count)
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    header = [h.strip().strip('"').lower() for h in rows[0]] if rows else []
    col = {name: i for i, name in enumerate(header)}
    needed = ["isnr", "rp", "out"] + [f"{p}{a}" for a in ACTOR_NAMES for p in ("p", "s")]
    missing = [c for c in needed if c not in col]
    if missing:
        raise ScenarioError(
            [
                Problem(
                    str(source),
                    1,
                    ", ".join(missing[:8]),
                    "columns of the DEU layout are missing",
                    header[:8],
                    True,
                )
            ]
        )

    def cell(row: list[str], name: str) -> str:
        i = col[name]
        return row[i].strip().strip('"') if i < len(row) else ""

    issues: list[dict[str, str]] = []
    actors: list[dict[str, str]] = []
    no_outcome: list[str] = []
    no_actors: list[str] = []
    seen: set[str] = set()
    for line, row in enumerate(rows[1:], start=2):
        issue_id = cell(row, "isnr")
        if not issue_id:
            continue
        if issue_id in seen:
            raise ScenarioError(
                [Problem(str(source), line, "isnr", "issue number appears twice", issue_id, True)]
            )
        seen.add(issue_id)
        outcome = _value(cell(row, "out"))
        if outcome is None:
            no_outcome.append(issue_id)
            continue
        present = []
        for code in ACTOR_NAMES:
            position, salience = _value(cell(row, f"p{code}")), _value(cell(row, f"s{code}"))
            if position is not None and salience is not None:
                present.append(
                    {
                        "issue_id": issue_id,
                        "actor": code,
                        "position": _fmt(position),
                        "salience": _fmt(salience / 100.0),
                        "capability": "1",
                    }
                )
        if not present:
            no_actors.append(issue_id)
            continue
        status_quo = _value(cell(row, "rp"))
        issue = {
            "issue_id": issue_id,
            "outcome": _fmt(outcome),
            "status_quo": "" if status_quo is None else _fmt(status_quo),
            "lower": "0",
            "upper": "100",
        }
        issue.update({new: cell(row, old) for old, new in META_COLUMNS.items() if old in col})
        issues.append(issue)
        actors.extend(present)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _write(out / "issues.csv", issues)
    _write(out / "actors.csv", actors)
    return Conversion(len(issues), len(actors), no_outcome, no_actors)


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    if not rows:
        path.write_text("", encoding="utf-8")
        return
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
