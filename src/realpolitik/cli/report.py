"""``realpolitik report``: one self-contained HTML file about a scenario.

The report's data come from :mod:`realpolitik.api.report`, its HTML and figures from
:mod:`realpolitik.presentation.html` and :mod:`realpolitik.presentation.report_plots`; this
module only runs them with a progress bar and writes the file (:func:`write_report`).
"""

from __future__ import annotations

import shlex
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from realpolitik.cli.app import app
from realpolitik.cli.options import (
    DEFAULT_SCENARIO,
    QuietOpt,
    ScenarioArg,
    SeedOpt,
    model_option,
)
from realpolitik.errors import RealpolitikError

#: Monte Carlo samples of a report unless told otherwise: ``realpolitik.api.report``'s
#: DEFAULT_SAMPLES (repeated here so that the CLI starts without loading the subsystems).
DEFAULT_SAMPLES = 1000


PDF_HELP = (
    "PDF output is not built in: no maintained pure-Python HTML-to-PDF library is a dependency "
    "(WeasyPrint needs the Pango system libraries). Write HTML and print it to PDF from a "
    "browser, or run: chromium --headless --no-sandbox --print-to-pdf=report.pdf report.html"
)


class ReportFormat(StrEnum):
    """Output formats of ``realpolitik report``."""

    html = "html"
    pdf = "pdf"


@app.command()
def report(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    out_file: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")]
    = Path("report.html"),
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="html (pdf: see docs).")]
    = ReportFormat.html,
    samples: Annotated[int, typer.Option(
        min=0, max=100_000, help="Monte Carlo samples per model and per policy option "
        "(0: point forecasts only).")] = DEFAULT_SAMPLES,
    seed: SeedOpt = 0,
    model: Annotated[list[str] | None, model_option(
        "A model to include (repeat; default: every registered model).")] = None,
    private: Annotated[bool, typer.Option(
        "--private", help="Use actors' private positions where known.")] = False,
    sobol: Annotated[int, typer.Option(
        min=0, max=65_536, help="Base samples of Sobol indices by actor in the drivers "
        "section (0: swings only; costs N x (actors + 2) model runs).")] = 0,
    quiet: QuietOpt = False,
) -> None:
    """Write an HTML report: inputs and sources, forecasts with bands, options, deal, timeline."""
    if fmt is ReportFormat.pdf:
        raise RealpolitikError(PDF_HELP)
    write_report(scenario, out_file, samples=samples, seed=seed, models=model or None,
                 private=private, sobol=sobol, quiet=quiet)


def write_report(scenario: str, out_file: Path, *, samples: int = DEFAULT_SAMPLES, seed: int = 0,
                 models: list[str] | None = None, private: bool = False, sobol: int = 0,
                 quiet: bool = False) -> Path:
    """Analyse ``scenario`` and write the report to ``out_file`` (with a progress bar)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from realpolitik.api.report import Control, analyse
    from realpolitik.api.scenario import load_scenario
    from realpolitik.presentation.html import render
    from realpolitik.presentation.progress import show_progress

    sc = load_scenario(scenario)
    if out_file.suffix.lower() == ".pdf":
        raise RealpolitikError(PDF_HELP)
    command = "realpolitik report " + shlex.join(
        [scenario, "--samples", str(samples), "--seed", str(seed),
         *(a for m in models or [] for a in ("--model", m)), *(["--private"] if private else []),
         *(["--sobol", str(sobol)] if sobol else [])])
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description:<32}"), BarColumn(), TimeElapsedColumn(),
                  console=console, transient=True,
                  disable=not show_progress(console, quiet=quiet)) as bar:
        task = bar.add_task("analysing", total=1.0)

        def tick(stage: str, fraction: float) -> None:
            bar.update(task, description=stage[:32], completed=fraction)

        an = analyse(sc, models=models, samples=samples, seed=seed, sobol=sobol,
                     positions="private" if private else "stated", control=Control(on_progress=tick))
        text = render(an, command=command)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(text, encoding="utf-8")
    console.print(f"wrote {out_file} ({len(text.encode('utf-8')) / 1024:,.0f} KB)")
    return out_file
