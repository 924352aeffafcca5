"""Peak memory of a sweep's summary at 0.4 M and 4 M rows (streaming: flat in the chunks).

    python benchmarks/sweep_memory.py            # 0.4 M and 4 M rows (a few minutes on 2 cores)
    python benchmarks/sweep_memory.py --scale 0.1

Each size is a sweep of points x 5,000 samples x 2 issues in chunks of 1,000 samples, run with
``workers=0``; ``summarise`` then runs in a fresh process, which reports its peak resident
memory (``ru_maxrss``) before and after, and the ``tracemalloc`` peak of the call. Prints a
table and writes ``benchmarks/results/sweep_memory.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from realpolitik.sweep.run import run_sweep
from realpolitik.sweep.spec import SweepSpec

RESULTS = Path(__file__).parent / "results"
SCENARIO = str(Path(__file__).parent.parent / "tests" / "data" / "uncertainty" / "small.yaml")
SAMPLES = 5_000

MEASURE = """
import resource, sys, time, tracemalloc
from realpolitik.sweep.results import summarise
import pyarrow.parquet, pyarrow.compute  # imports out of the measurement
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
t = time.perf_counter()
rows = len(summarise(sys.argv[1]))
took = time.perf_counter() - t
peak = tracemalloc.get_traced_memory()[1]
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before, after, peak, took, rows)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the number of points")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for points in (int(40 * args.scale), int(400 * args.scale)):
            spec = SweepSpec.model_validate({
                "name": f"mem{points}", "seed": 1, "scenarios": [SCENARIO], "models": ["median"],
                "samples": SAMPLES, "chunk_size": 1000,
                "inputs": {"actors.a.capability": [40 + 20 * k / points for k in range(points)]}})
            out = Path(tmp) / spec.name
            t = time.perf_counter()
            counts = run_sweep(spec, out, watchdog=None)
            run_s = time.perf_counter() - t
            got = subprocess.run([sys.executable, "-c", MEASURE, str(out)], check=True,
                                 capture_output=True, text=True).stdout.split()
            before, after, peak, took, _ = got
            row = {"points": points, "rows": points * SAMPLES * 2, "chunks": counts["total"],
                   "sweep_s": round(run_s, 1), "summary_s": round(float(took), 2),
                   "rss_before_mib": round(int(before) / 1024, 1),
                   "rss_peak_mib": round(int(after) / 1024, 1),
                   "tracemalloc_peak_mib": round(int(peak) / 2**20, 2)}
            rows.append(row)
            print(row, flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sweep_memory.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
