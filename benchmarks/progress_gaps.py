"""How a report's (or a dashboard job's) progress moves: the longest wait between two updates.

Runs ``realpolitik.api.report.analyse`` on iraq-2024 with every section, records each progress
report ``(stage, fraction of the whole run)`` with its time, and prints per stage the longest
gap between two changes, the run's total time, and whether the fraction ever went back. The
issue's goal: no gap over 2 s, one fraction for the whole job. Writes
benchmarks/results/progress_gaps.json.

    PYTHONPATH=src python benchmarks/progress_gaps.py --samples 1000
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from realpolitik.api.report import Control, analyse
from realpolitik.scenario.loader import load_scenario

RESULTS = Path(__file__).resolve().parent / "results" / "progress_gaps.json"


def measure(samples: int, seed: int = 0) -> dict[str, object]:
    """The progress trace of one full analysis and its longest gaps."""
    events: list[tuple[float, str, float]] = []
    start = time.perf_counter()
    control = Control(on_progress=lambda s, f: events.append((time.perf_counter() - start, s, f)))
    analyse(load_scenario("iraq-2024"), samples=samples, seed=seed, control=control)
    total = time.perf_counter() - start
    gaps: dict[str, float] = {}
    last = 0.0
    for t, stage, _ in events:
        gaps[stage] = max(gaps.get(stage, 0.0), t - last)
        last = t
    fractions = [f for _, _, f in events]
    return {"samples": samples, "seconds": round(total, 2), "updates": len(events),
            "monotone": fractions == sorted(fractions),
            "longest_gap_s": round(max(gaps.values(), default=0.0), 2),
            "gap_by_stage_s": {k: round(v, 2) for k, v in sorted(gaps.items(),
                                                                 key=lambda kv: -kv[1])}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()
    result = measure(args.samples)
    print(f"{result['samples']} samples: {result['seconds']} s, {result['updates']} updates, "
          f"monotone={result['monotone']}, longest gap {result['longest_gap_s']} s")
    print(f"{'stage (gap before it)':<48} seconds")
    for stage, gap in list(result["gap_by_stage_s"].items())[:12]:  # type: ignore[union-attr]
        print(f"{stage:<48} {gap}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
