"""The README's examples run as tests: its console sessions and its Python blocks.

In a ```console block, each line starting with ``$ realpolitik`` is run (in-process) and must
exit 0; every other non-empty line must appear in that command's output (the README shows
real, abridged output). Each ```python block is executed.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def blocks(kind: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"```{kind}\n(.*?)```", text, flags=re.S)


def sessions() -> list[tuple[str, list[str]]]:
    """(command, expected output lines) pairs of every console block."""
    out: list[tuple[str, list[str]]] = []
    for block in blocks("console"):
        for line in block.splitlines():
            if line.startswith("$ "):
                out.append((line[2:], []))
            elif line.strip() and out:
                out[-1][1].append(line.strip())
    return out


def test_readme_has_the_two_setup_commands():
    """The README shows the two set-up commands of the project contract."""
    text = README.read_text(encoding="utf-8")
    assert "pip install -e . && realpolitik forecast" in text
    assert "pip install -e '.[test]' && pytest" in text


@pytest.mark.parametrize(("command", "expected"), sessions(), ids=[c for c, _ in sessions()])
def test_readme_console_session(command, expected, run_cli, tmp_path, monkeypatch):
    """Each README command exits 0 and prints what the README shows."""
    monkeypatch.chdir(tmp_path)
    args = shlex.split(command)
    assert args[0] == "realpolitik"
    code, out, err = run_cli(*args[1:])
    assert code == 0, err
    for line in expected:
        assert line in out + err, f"{line!r} not in output of {command!r}:\n{out}"


@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_readme_python_block(index, tmp_path, monkeypatch):
    """Each README Python block runs."""
    monkeypatch.chdir(tmp_path)
    exec(compile(blocks("python")[index], f"README.md python block {index}", "exec"), {})
