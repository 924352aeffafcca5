"""The runnable examples of a markdown page: its fenced blocks, in document order.

Used by ``test_readme.py`` and ``test_docs.py`` so that the README and every docs page are held
to what they show:

- a ```console block: each line ``$ realpolitik ...`` is a command (a trailing ``# comment`` is
  dropped); every other non-empty line is output that must appear in that command's output;
- a ```python block: code to run (a block whose first line starts with ``>>>`` is a doctest);
- a fenced block whose info string names ``file=NAME`` (```yaml file=spec.yaml): a file the
  page's later commands read; it is written to the working folder first. Markdown renderers
  take only the first word of the info string, so the page still shows a YAML block.
"""

from __future__ import annotations

import doctest
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```", flags=re.S | re.M)


@dataclass(frozen=True)
class Block:
    """One fenced block: its language, the words after it, its text and its line in the page."""

    lang: str
    attrs: dict[str, str]
    text: str
    line: int


@dataclass
class Command:
    """A ``$ ...`` line of a console block and the output lines shown under it."""

    argv: list[str]
    line: int
    expected: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return shlex.join(self.argv)


def blocks(path: Path) -> list[Block]:
    """Every fenced block of ``path``, in order."""
    page = path.read_text(encoding="utf-8")
    out = []
    for m in FENCE.finditer(page):
        info = m.group(1).split()
        lang = info[0] if info else ""
        attrs = dict(word.split("=", 1) for word in info[1:] if "=" in word)
        out.append(Block(lang, attrs, m.group(2), page.count("\n", 0, m.start()) + 1))
    return out


def commands(block: Block) -> list[Command]:
    """The commands of a console block with the output lines shown under each."""
    out: list[Command] = []
    for k, line in enumerate(block.text.splitlines()):
        if line.startswith("$ "):
            out.append(Command(shlex.split(line[2:], comments=True), block.line + 1 + k))
        elif line.strip() and out:
            out[-1].expected.append(line.strip())
    return out


def run_python(block: Block, name: str, namespace: dict[str, Any]) -> None:
    """Run a python block in ``namespace``; a ``>>>`` block runs as a doctest."""
    if block.text.lstrip().startswith(">>>"):
        parser = doctest.DocTestParser()
        test = parser.get_doctest(block.text, namespace, name, name, block.line)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        runner.run(test, clear_globs=False)
        failed = runner.summarize(verbose=False).failed
        assert failed == 0, f"{name}: {failed} doctest example(s) failed (see the output above)"
    else:
        exec(compile(block.text, name, "exec"), namespace)
