"""Time the cross-validated backtest of every built-in data set with every collective model.

Usage::

    python benchmarks/backtest_cv.py            # the command in REGENERATE, timed
    python benchmarks/backtest_cv.py --no-json

Runs ``realpolitik backtest <every built-in data set> --missing-status-quo midpoint --cv 10``
as a subprocess (so start-up is counted, as a user sees it) and prints wall and CPU seconds.
The goal of issue 13 is under 2 minutes on 2 cores. Writes benchmarks/results/backtest_cv.json
unless --no-json. It does not touch the shipped weights file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

from realpolitik.backtest.dataset import builtin_datasets

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args()
    sets = builtin_datasets()
    cmd = [sys.executable, "-m", "realpolitik", "backtest", *sets, "--missing-status-quo",
           "midpoint", "--cv", str(args.folds), "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        sys.exit(f"backtest failed ({done.returncode}):\n{done.stderr}")
    print(f"{'data sets':<20} {'folds':>5} {'wall s':>7} {'cpu s':>7}")
    print(f"{','.join(sets):<20} {args.folds:>5} {wall:>7.1f} {cpu:>7.1f}")
    if not args.no_json:
        out = ROOT / "benchmarks" / "results" / "backtest_cv.json"
        out.write_text(json.dumps({
            "command": " ".join(["realpolitik", *cmd[3:]]),
            "datasets": sets, "folds": args.folds, "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2), "cpus": os.cpu_count(), "python": platform.python_version(),
            "goal_s": 120,
        }, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
