"""Local sweeps: in this process (workers=0) against a Dask LocalCluster of threads or processes.

    python benchmarks/sweep_local.py                 # small and medium sweeps, 3 repeats
    python benchmarks/sweep_local.py --repeat 1 --sizes small

Each run is a fresh results folder, timed from the call of ``run_sweep`` to its return (cluster
start and stop included, the final summary not). Prints a table and writes
``benchmarks/results/sweep_local.json``. Used to choose the default of ``realpolitik sweep``
(docs/sweeps.md gives the numbers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from realpolitik.sweep.run import run_sweep
from realpolitik.sweep.spec import SweepSpec

RESULTS = Path(__file__).parent / "results"
SCENARIO = str(Path(__file__).parent.parent / "tests" / "data" / "uncertainty" / "small.yaml")

#: name: (design points, samples per point, chunk size, models)
SIZES = {
    "small": (4, 2_500, 500, ["median"]),       # 20 chunks, 10^4 forecasts
    "medium": (20, 5_000, 500, ["median"]),     # 200 chunks, 10^5 forecasts
    "heavy": (4, 2_000, 500, ["eum"]),          # 16 chunks of a slower model
}
MODES = {
    "workers=0 (no Dask)": {"workers": 0},
    "LocalCluster, 2 threads": {"workers": 2, "processes": False},
    "LocalCluster, 2 processes": {"workers": 2, "processes": True},
}


def spec_for(size: str) -> SweepSpec:
    points, samples, chunk, models = SIZES[size]
    values = [40.0 + 20.0 * k / max(points - 1, 1) for k in range(points)]
    return SweepSpec.model_validate({
        "name": f"bench-{size}", "seed": 1, "scenarios": [SCENARIO], "models": models,
        "samples": samples, "chunk_size": chunk, "inputs": {"actors.a.capability": values}})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["small", "medium", "heavy"], choices=SIZES)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            spec = spec_for(size)
            for mode, kwargs in MODES.items():
                times = []
                for r in range(args.repeat):
                    out = Path(tmp) / f"{size}-{len(rows)}-{r}"
                    start = time.perf_counter()
                    counts = run_sweep(spec, out, watchdog=None, **kwargs)
                    times.append(time.perf_counter() - start)
                n = counts["total"]
                best = min(times)
                rows.append({"size": size, "mode": mode, "chunks": n,
                             "forecasts": SIZES[size][0] * SIZES[size][1] * len(SIZES[size][3]),
                             "best_s": round(best, 3), "median_s": round(statistics.median(times), 3),
                             "ms_per_chunk": round(1000 * best / n, 2)})
                print(f"{size:7s} {mode:28s} {n:5d} chunks  best {best:7.2f} s  "
                      f"median {statistics.median(times):7.2f} s  {1000 * best / n:7.2f} ms/chunk",
                      flush=True)
    RESULTS.mkdir(exist_ok=True)
    info = {"python": platform.python_version(), "cpus": os.cpu_count(),
            "load_average_at_start": os.getloadavg(), "argv": sys.argv[1:]}
    (RESULTS / "sweep_local.json").write_text(json.dumps({"machine": info, "rows": rows},
                                                         indent=1))


if __name__ == "__main__":
    main()
