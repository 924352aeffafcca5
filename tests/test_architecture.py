"""The package's architecture holds (docs/architecture.md): layers, one model runner, small units.

These checks read the source as text (and run import-linter and ruff where they are installed,
as the test extra installs them), so a change that breaks the layout fails here before review.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "realpolitik"
SOURCES = sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)
MAX_LINES = 600


def _rel(p: Path) -> str:
    return p.relative_to(SRC).as_posix()


def test_sources_are_found():
    assert len(SOURCES) > 50
    assert (SRC / "runner").is_dir() and (SRC / "api").is_dir() and (SRC / "cli").is_dir()


def test_no_source_file_is_over_the_limit():
    long = {_rel(p): n for p in SOURCES if (n := len(p.read_text(encoding="utf-8").splitlines()))
            > MAX_LINES}
    assert not long, f"files over {MAX_LINES} lines: {long}"


def _model_calls(tree: ast.AST) -> list[int]:
    """Lines that call ``<something>.fn(...)``: a registered model's function."""
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "fn"]


def test_one_module_calls_a_model_function():
    """Only the runner calls ``spec.fn`` (besides the ensemble model combining its members)."""
    callers = {_rel(p) for p in SOURCES if _model_calls(ast.parse(p.read_text(encoding="utf-8")))}
    assert callers <= {"runner/run.py", "models/ensemble.py"}, callers
    assert "runner/run.py" in callers


def test_no_dynamic_imports_of_the_package_itself():
    """Modules of realpolitik are imported by name, never through importlib."""
    bad = []
    for p in SOURCES:
        text = p.read_text(encoding="utf-8")
        for m in re.finditer(r"import_module\(|__import__\(|find_spec\(\s*[\"']realpolitik", text):
            bad.append(f"{_rel(p)}:{text.count(chr(10), 0, m.start()) + 1}")
    assert not bad, bad


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter is not installed")
def test_import_contracts_are_kept():
    """The layer contracts of pyproject.toml (lint-imports) are kept."""
    run = subprocess.run(["lint-imports", "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_no_function_is_too_complex():
    """No function outside tests has a ruff (mccabe) complexity over 15."""
    try:
        import ruff  # noqa: F401
    except ImportError:
        pytest.skip("ruff is not installed")
    run = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "C901", "--config",
         "lint.mccabe.max-complexity=15", "--output-format", "concise", str(SRC)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
