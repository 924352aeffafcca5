"""Every docs page runs top to bottom as a user would read it, and the iraq-2024 page's tables
are the scenario file's numbers.

Each page's fenced blocks run in document order in one fresh folder (see ``doc_examples``):
files the page declares are written, ``$ realpolitik`` commands run in-process and must exit 0
and print the output lines shown, python blocks run (doctests where written as such). A few
commands cannot run in a test; each is listed in ``NOT_RUN`` with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from doc_examples import blocks, commands, run_python

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))

#: Commands shown in the docs that a test cannot run, by a word of theirs, with why.
NOT_RUN = {
    "dashboard": "serves until stopped (the dashboard has its own API and browser tests)",
    "--scheduler": "needs a running Dask cluster at the address shown",
    "benchmarks/run.py": "a benchmark, not a test (see benchmarks/)",
    "benchmarks/bench_speed.py": "a benchmark, not a test (see benchmarks/)",
    "benchmarks/ktab_speed.py": "builds and times KTAB's C++ smpc: a benchmark, not a test",
    "lint-imports": "the layer contracts; tests/test_architecture.py runs them",
}
#: Pages whose runs take long (full-size reports, deals, the DEU III backtest).
SLOW = {"tutorial.md", "deal.md", "report.md", "validation.md", "sweeps.md", "dynamics.md",
        "uncertainty.md"}


def _skip_reason(argv: list[str]) -> str | None:
    return next((why for word, why in NOT_RUN.items() if word in argv), None)


def _page_id(page: Path) -> str:
    return page.relative_to(DOCS).as_posix()


def _runnable(page: Path) -> bool:
    """Whether the page has a python block or a command the test runs."""
    return any(b.lang == "python" or any(
        c.argv[0] == "realpolitik" and not _skip_reason(c.argv) for c in commands(b))
        for b in blocks(page) if b.lang in ("console", "python"))


RUNNABLE = [
    pytest.param(p, id=_page_id(p), marks=[pytest.mark.slow] if p.name in SLOW else [])
    for p in PAGES if _runnable(p)
]


def test_docs_pages_are_found():
    """The docs test sees the pages it should (a moved docs folder must not pass silently)."""
    names = {_page_id(p) for p in PAGES}
    assert {"tutorial.md", "uncertainty.md", "dynamics.md", "deal.md", "sweeps.md"} <= names


@pytest.mark.parametrize("page", RUNNABLE)
def test_docs_page_runs(page, run_cli, tmp_path, monkeypatch):
    """The page's files, commands and python blocks work in the order the page shows them."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    ran = 0
    for block in blocks(page):
        where = f"{_page_id(page)}:{block.line}"
        if "file" in block.attrs:
            (tmp_path / block.attrs["file"]).write_text(block.text, encoding="utf-8")
        if block.lang == "python":
            run_python(block, where, namespace)
            ran += 1
        elif block.lang == "console":
            for command in commands(block):
                if command.argv[0] != "realpolitik" or _skip_reason(command.argv):
                    continue
                code, out, err = run_cli(*command.argv[1:])
                assert code == 0, f"{where}: {command.text!r} exited {code}:\n{err}"
                for line in command.expected:
                    assert line in out + err, f"{where}: {line!r} not in {command.text!r}:\n{out}"
                ran += 1
    assert ran, f"{_page_id(page)}: nothing ran"


def test_every_docs_command_is_a_realpolitik_command_or_explained():
    """A console line the docs test would not run is one of the listed exceptions."""
    for page in PAGES:
        for block in blocks(page):
            if block.lang != "console":
                continue
            for command in commands(block):
                if command.argv[0] != "realpolitik":
                    assert _skip_reason(command.argv), f"{_page_id(page)}:{command.line}"


# -- the iraq-2024 page: its tables are the scenario file's numbers ----------------------------
def _cell(value) -> str:
    """A value as the page writes it: the point, then the range of its distribution."""
    dist = value.distribution
    text = f"{value.value:g}"
    return f"{text} ({dist.low:g}–{dist.high:g})" if dist is not None else text


def _source(value) -> str:
    ref = value.source
    return f"`{ref.id}`, {ref.at}" if ref.at else f"`{ref.id}`"


def _rows(page: str, heading: str) -> list[list[str]]:
    """The body cells of the first table under ``## heading``."""
    table: list[str] = []
    for line in page.split(f"## {heading}\n", 1)[1].splitlines():
        if line.startswith("|"):
            table.append(line)
        elif table:
            break
    return [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in table[2:]]


@pytest.fixture(scope="module")
def iraq():
    from realpolitik.scenario.loader import load_scenario

    return load_scenario("iraq-2024"), (DOCS / "scenarios" / "iraq-2024.md").read_text("utf-8")


def test_iraq_page_capabilities_match_the_scenario(iraq):
    """Every actor's capability, range and source on the page are those of the YAML file."""
    scenario, page = iraq
    table = _rows(page, "Actors and capability")
    rows = {re.search(r"\(`(\w+)`\)", r[0]).group(1): r for r in table}
    assert set(rows) == {a.id for a in scenario.actors}
    for actor in scenario.actors:
        _, kind, cap, source, note = rows[actor.id]
        assert (kind, cap, source) == (actor.kind, _cell(actor.capability),
                                       _source(actor.capability)), actor.id
        assert note == actor.capability.note, actor.id


@pytest.mark.parametrize("issue", ["us_presence", "alignment"])
def test_iraq_page_positions_and_saliences_match_the_scenario(iraq, issue):
    """Every position and salience on the page, with range and source, is the YAML file's."""
    scenario, page = iraq
    rows = {r[0].strip("`"): r for r in _rows(page, f"Positions and salience on `{issue}`")}
    assert set(rows) == {a.id for a in scenario.actors}
    for actor in scenario.actors:
        pos, sal = actor.positions[issue], actor.salience[issue]
        assert rows[actor.id][1:] == [_cell(pos), _source(pos), pos.note,
                                      _cell(sal), _source(sal), sal.note], actor.id


def test_iraq_page_relations_match_the_scenario(iraq):
    """Every relation on the page, with its weight, range and source, is the YAML file's."""
    scenario, page = iraq
    rows = _rows(page, "Relations")
    expected = [[f"`{r.source_actor}`", r.kind, f"`{r.target_actor}`", _cell(r.weight),
                 _source(r.weight), r.weight.note] for r in scenario.relations]
    assert rows == expected
