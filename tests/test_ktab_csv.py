"""import-csv reads KTAB's own header variants; errors name the CSV's line and column."""

from __future__ import annotations

import pytest

from realpolitik.errors import ScenarioError
from realpolitik.scenario.ktab_csv import load_ktab_csv, read_ktab_csv

ACTORS = """Actor,Description,Power,Dim1 Position,Dim1 Salience,Dim2 Position,Dim2 Salience,,,,
A,First,100,10,50,90,40,,,,
B,Second,50,80,30,20,60,,,,
C,Third,20,50,90,50,10,,,,
"""


def write(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "k.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_ktab_dummy_data_header_with_an_extra_field_and_padding(tmp_path):
    """KTAB's dummyData_6Dim.csv form: name, description, actors, dimensions, 0, padding."""
    data = read_ktab_csv(write(tmp_path, "Combined,All two dimensions of CDMP,3,2,0,,,,,,,,,,\n"
                                          + ACTORS))
    assert data["title"] == "Combined"
    assert data["description"].startswith("All two dimensions of CDMP")
    assert [i["id"] for i in data["issues"]] == ["dim1", "dim2"]
    assert len(data["actors"]) == 3 and data["actors"][1]["positions"]["dim1"] == 80


def test_description_with_unquoted_commas_still_reads(tmp_path):
    data = read_ktab_csv(write(tmp_path, "Scen,Costs, benefits, and more,3,2\n" + ACTORS))
    assert data["description"].startswith("Costs,benefits,and more")


def test_windows_1252_names(tmp_path):
    text = "Scen,Desc,3,2,,\n" + ACTORS.replace("Second", "Deuxi\u00e8me \u201cB\u201d")
    sc = load_ktab_csv(write(tmp_path, text, "cp1252"))
    assert sc.actor("B").name == "Deuxi\u00e8me \u201cB\u201d"


def test_errors_name_line_and_column(tmp_path):
    text = "Scen,Desc,3,2\n" + ACTORS.replace("B,Second,50,80,30", "B,Second,50,eighty,30")
    with pytest.raises(ScenarioError) as info:
        read_ktab_csv(write(tmp_path, text))
    problem = info.value.problems[0]
    assert problem.line == 4 and "column 4" in problem.field and "dim1 position" in problem.field
    assert "expected a number" in str(problem)


def test_blank_lines_keep_line_numbers(tmp_path):
    text = "Scen,Desc,3,2\n" + ACTORS.replace("C,Third,20,50,90", "\nC,Third,x,50,90")
    with pytest.raises(ScenarioError) as info:
        read_ktab_csv(write(tmp_path, text))
    assert info.value.problems[0].line == 6 and "column 3" in info.value.problems[0].field


def test_zero_dimensions_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="must be at least 1"):
        read_ktab_csv(write(tmp_path, "Scen,Desc,3,0\n" + ACTORS))
