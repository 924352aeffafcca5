"""Spreadsheet round-trip: export-xlsx then import-xlsx gives back the same scenario; broken
workbooks are refused with the sheet and cell, exit 2 and no traceback."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")

from realpolitik.api.scenario import (  # noqa: E402
    load_scenario,
    parse_scenario,
    read_workbook,
    workbook_bytes,
)
from realpolitik.errors import ScenarioError  # noqa: E402


@pytest.mark.parametrize("name", ["iraq-2024", "ktab-soe-policy"])
def test_builtin_round_trip(name):
    """Every field, source, distribution and optional section of a built-in comes back."""
    sc = load_scenario(name)
    back, _ = read_workbook(workbook_bytes(sc), f"{name}.xlsx")
    assert back == sc
    assert back.model_dump() == sc.model_dump()


def test_round_trip_through_the_cli(run_cli, tmp_path, minimal_path):
    """The commands write a workbook and a YAML file that loads as the same scenario."""
    book, yml = tmp_path / "m.xlsx", tmp_path / "m.yaml"
    code, out, err = run_cli("export-xlsx", str(minimal_path), "-o", str(book))
    assert code == 0, err
    code, out, err = run_cli("import-xlsx", str(book), "-o", str(yml))
    assert code == 0, err
    assert load_scenario(str(yml)) == load_scenario(str(minimal_path))
    code, _, err = run_cli("import-xlsx", str(book), "-o", str(yml))
    assert code == 2 and "exists" in err


def _book(sc_name: str = "minimal") -> openpyxl.Workbook:
    path = Path(__file__).parent / "data" / "valid" / "minimal.yaml"
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(load_scenario(str(path)))))


def _cell(ws, column: str, row_key: str | None = None, row: int = 2):
    """The cell of ``column`` (by header) in ``row`` (or the row whose first cell is row_key)."""
    header = [c.value for c in ws[1]]
    col = header.index(column) + 1
    if row_key is not None:
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == row_key)
    return ws.cell(row, col)


def _set(column, value, sheet="actors", key=None):
    def edit(wb):
        _cell(wb[sheet], column, key).value = value
    return edit


def _merge(wb):
    wb["actors"].merge_cells("A2:B2")


def _formula(wb):
    _cell(wb["actors"], "capability").value = "=10*5"


def _empty_sheet(wb):
    ws = wb["actors"]
    ws.delete_rows(1, ws.max_row)


def _drop_sheet(wb):
    del wb["positions"]


def _unknown_sheet(wb):
    wb.create_sheet("actorz")["A1"] = "id"


def _unknown_column(wb):
    wb["actors"].cell(1, 30).value = "capabilty"


def _duplicate_column(wb):
    wb["actors"].cell(1, 30).value = "name"


def _unknown_actor(wb):
    _cell(wb["positions"], "actor").value = "zz"


def _bad_input(wb):
    _cell(wb["positions"], "input").value = "postion"


def _param_without_kind(wb):
    ws = wb["actors"]
    _cell(ws, "distribution").value = None
    _cell(ws, "low").value = 10


def _error_cell(wb):
    cell = _cell(wb["actors"], "capability")
    cell.value = "#DIV/0!"
    cell.data_type = "e"


def _bad_tree(wb):
    ws = wb.create_sheet("correlations")
    ws.append(["pointer", "type", "value"])
    ws.append(["", "list", None])
    ws.append(["/1", "map", None])


def _salience(wb):
    ws = wb["positions"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == "salience")
    assert row == 4
    ws.cell(row, 4).value = 1.5


def _expert_unknown_input(wb):
    ws = wb["experts"]
    ws.append(["actors.zz.capability", "src1", None, 5])


BROKEN = [
    (_set("capability", -5, key="b"), "actors!E3: capability must be >= 0 (got -5"),
    (_set("capability", "lots"), "actors!E2: capability must be a number, typed as a number (not text) (got 'lots')"),
    (_set("capability", True), "actors!E2: capability must be a number"),
    (_merge, "actors!A2:B2: merged cells cannot be read"),
    (_formula, "actors!E2: capability: holds a formula; type the value itself"),
    (_error_cell, "actors!E2: capability: holds a spreadsheet error"),
    (_empty_sheet, "actors!A1: the sheet is empty: its first row names the columns (id, name"),
    (_drop_sheet, "positions!A1: the sheet 'positions' is missing"),
    (_unknown_sheet, "actorz!A1: unknown sheet 'actorz'; sheets are: scenario, sources"),
    (_unknown_column, "actors!AD1: unknown column 'capabilty'"),
    (_duplicate_column, "actors!AD1: column 'name' appears twice"),
    (_unknown_actor, "positions!A2: actor: no actor 'zz' on the actors sheet"),
    (_bad_input, "positions!C2: input must be one of: position, salience, private_position (got 'postion')"),
    (_param_without_kind, "actors!G2: low: a distribution parameter without a kind"),
    (_salience, "positions!D4: salience must lie in [0, 1] (got 1.5)"),
    (_set("kind", "empire"), "actors!C2: Input should be 'state', 'government'"),
    (_set("source", "nowhere"), "actors!M2: unknown source id; sources are: src1 (got 'nowhere')"),
    (_set("date", "31/01/2024", sheet="sources"), "sources!C2: date must be a date YYYY-MM-DD (got '31/01/2024')"),
    (_set("date", "2025-01-01", sheet="sources"), "sources!C2: is after the scenario's as_of date 2024-01-31"),
    (_set("scale_max", -10, sheet="issues"), "issues!D2: scale must be [min, max] with min < max (got [0, -10])"),
    (_bad_tree, "correlations: cannot rebuild the section: list items come in order 0, 1, 2, ...: expected /0, got '/1'"),
    (_expert_unknown_input, "experts!A2: input: no such input"),
]


@pytest.mark.parametrize(("edit", "message"), BROKEN, ids=[m.split(":")[0] + f"-{k}" for k, (_, m) in enumerate(BROKEN)])
def test_broken_workbooks_name_sheet_and_cell(edit, message, run_cli, tmp_path):
    """Each broken workbook is refused with its message (sheet!cell), exit 2, no traceback."""
    wb = _book()
    edit(wb)
    path = tmp_path / "broken.xlsx"
    wb.save(path)
    code, out, err = run_cli("import-xlsx", str(path), "-o", str(tmp_path / "b.yaml"))
    assert code == 2, out
    assert message in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "b.yaml").exists()


@pytest.mark.parametrize(("content", "message"), [
    (b"id: x\ntitle: a YAML file\n", "not an .xlsx workbook"),
    (b"PK\x03\x04 truncated zip", "not a readable .xlsx workbook"),
    (b"", "not an .xlsx workbook"),
])
def test_wrong_file_types(content, message, run_cli, tmp_path):
    """A file that is not a workbook (YAML, a broken zip, an empty file) is refused, exit 2."""
    path = tmp_path / "f.xlsx"
    path.write_bytes(content)
    code, _, err = run_cli("import-xlsx", str(path))
    assert code == 2 and message in err and "Traceback" not in err


def test_a_zip_that_is_not_a_workbook(run_cli, tmp_path):
    """A zip archive without a workbook inside is refused like any other wrong file."""
    import zipfile

    path = tmp_path / "z.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    code, _, err = run_cli("import-xlsx", str(path))
    assert code == 2 and "not a readable .xlsx workbook" in err


def test_text_that_looks_like_a_formula_stays_text():
    """A note starting with '=' is written as text and read back unchanged."""
    text = Path(__file__).parent.joinpath("data", "valid", "minimal.yaml").read_text()
    sc = parse_scenario(text.replace("note: big", "note: '=SUM(A1) is not a formula'"))
    back, _ = read_workbook(workbook_bytes(sc))
    assert back == sc


def test_problems_are_all_listed():
    """Several broken cells are reported together."""
    wb = _book()
    _cell(wb["actors"], "capability").value = "x"
    _cell(wb["positions"], "value").value = "y"
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ScenarioError) as info:
        read_workbook(buf.getvalue(), "b.xlsx")
    assert len(info.value.problems) == 2


def test_without_openpyxl_a_clear_error(run_cli, tmp_path, monkeypatch, minimal_path):
    """Without openpyxl the commands say what to install (exit 2), never a traceback."""
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)
    code, _, err = run_cli("export-xlsx", str(minimal_path), "-o", str(tmp_path / "m.xlsx"))
    assert code == 2 and "pip install 'realpolitik[xlsx]'" in err
