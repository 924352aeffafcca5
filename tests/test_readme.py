"""The README's examples run as tests: its console sessions and its Python blocks.

In a ```console block, each line starting with ``$ realpolitik`` is run (in-process) and must
exit 0; every other non-empty line must appear in that command's output (the README shows
real, abridged output). Each ```python block is executed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from doc_examples import blocks, commands, run_python

README = Path(__file__).resolve().parents[1] / "README.md"
SESSIONS = [c for b in blocks(README) if b.lang == "console" for c in commands(b)]
PYTHON = [b for b in blocks(README) if b.lang == "python"]


def test_readme_has_the_two_setup_commands():
    """The README shows the two set-up commands of the project contract."""
    text = README.read_text(encoding="utf-8")
    assert "pip install -e . && realpolitik forecast" in text
    assert "pip install -e '.[test]' && pytest" in text


#: README commands that take several seconds (a whole report): marked slow.
SLOW_COMMANDS = ("realpolitik report",)


@pytest.mark.parametrize("command", [
    pytest.param(c, marks=[pytest.mark.slow] if c.text.startswith(SLOW_COMMANDS) else [])
    for c in SESSIONS], ids=[c.text for c in SESSIONS])
def test_readme_console_session(command, run_cli, tmp_path, monkeypatch):
    """Each README command exits 0 and prints what the README shows."""
    monkeypatch.chdir(tmp_path)
    assert command.argv[0] == "realpolitik"
    code, out, err = run_cli(*command.argv[1:])
    assert code == 0, err
    for line in command.expected:
        assert line in out + err, f"{line!r} not in output of {command.text!r}:\n{out}"


@pytest.mark.parametrize("block", PYTHON, ids=[f"line {b.line}" for b in PYTHON])
def test_readme_python_block(block, tmp_path, monkeypatch):
    """Each README Python block runs."""
    monkeypatch.chdir(tmp_path)
    run_python(block, f"README.md:{block.line}", {})
