"""Speed benchmarks: forecasts per second, loop baseline, scaling in actors, peak memory.

    python benchmarks/run.py --quick            # small sizes (a minute or two)
    python benchmarks/run.py                    # N = 10^3 .. 10^6 (long for iterative models)
    python benchmarks/run.py --models median --sizes 1000000 10000000

Prints tables and writes ``benchmarks/results/<name>.json``. A size whose projected time
(from the rate at the previous size) exceeds ``--budget`` seconds is skipped and recorded as
such, so slow models do not hold the run hostage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from baseline_loop import loop_rate

from realpolitik.models.base import BargainingInput
from realpolitik.models.registry import get_model
from realpolitik.scenario.loader import load_scenario
from realpolitik.uncertainty.montecarlo import default_chunk_size, simulate
from realpolitik.uncertainty.sampling import sample_inputs

RESULTS = Path(__file__).parent / "results"


def machine() -> dict[str, object]:
    info: dict[str, object] = {
        "platform": platform.platform(), "python": platform.python_version(),
        "numpy": np.__version__, "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


def random_input(n: int, d: int, batch: int, seed: int) -> BargainingInput:
    """Random scenarios with n actors on d issues (scale 0-100)."""
    rng = np.random.default_rng(seed)
    lo, hi = np.zeros(d), np.full(d, 100.0)
    return BargainingInput(rng.uniform(0, 100, (batch, n, d)), rng.uniform(0.1, 1, (batch, n, d)),
                           rng.uniform(1, 100, (batch, n)), rng.uniform(0, 100, (batch, d)), lo, hi)


def throughput(scenario, models, sizes, workers, budget, rows):
    print(f"\nForecasts per second on {scenario.id} (sampling included; workers={workers})")
    print(f"{'model':<11}{'N':>10}{'seconds':>10}{'per second':>14}{'peak MiB':>10}  note")
    for name in models:
        spec = get_model(name)
        rate = None
        for n in sizes:
            if rate is not None and n / rate > budget:
                print(f"{name:<11}{n:>10}{'-':>10}{'-':>14}{'-':>10}  skipped: projected "
                      f"{n / rate:,.0f} s > budget {budget:g} s")
                rows.append({"kind": "throughput", "model": name, "N": n, "skipped": True,
                             "projected_seconds": n / rate})
                continue
            tracemalloc.start()
            start = time.perf_counter()
            simulate(scenario, spec, n, seed=1, workers=workers)
            seconds = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            rate = n / seconds
            print(f"{name:<11}{n:>10}{seconds:>10.2f}{rate:>14,.0f}{peak:>10.1f}")
            rows.append({"kind": "throughput", "model": name, "N": n, "seconds": seconds,
                         "per_second": rate, "peak_traced_mib": peak,
                         "chunk_size": default_chunk_size(len(scenario.actors), len(scenario.issues)),
                         "workers": workers})


def baseline(scenario, models, n_loop, rows):
    print(f"\nBatched vs a per-sample Python loop (model only, {scenario.id})")
    print(f"{'model':<11}{'N':>8}{'loop/s':>12}{'batched/s':>12}{'speed-up':>10}")
    for name in models:
        spec = get_model(name)
        n = n_loop.get(name, n_loop["default"])
        inp = sample_inputs(scenario, n, seed=1)
        _, loop = loop_rate(spec, inp)
        start = time.perf_counter()
        spec.fn(inp, seed=0)
        batched = n / (time.perf_counter() - start)
        print(f"{name:<11}{n:>8}{loop:>12,.0f}{batched:>12,.0f}{batched / loop:>10.1f}")
        rows.append({"kind": "baseline", "model": name, "N": n, "loop_per_second": loop,
                     "batched_per_second": batched, "speedup": batched / loop})


def _time_call(spec, inp, min_seconds: float = 0.2) -> float:
    """Seconds per call of the model on ``inp`` (repeated until ``min_seconds`` have passed)."""
    calls, start = 0, time.perf_counter()
    while True:
        spec.fn(inp, seed=0)
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return elapsed / calls


def scaling(models, actors, batch, budget, rows):
    print(f"\nScaling in the number of actors (random scenarios, 1 issue, model only, B={batch})")
    print(f"{'model':<11}{'n':>6}{'B':>5}{'s/forecast':>14}  note")
    for name in models:
        spec = get_model(name)
        per: dict[int, float] = {}
        for n in actors:
            b = batch
            if per:
                last = max(per)
                growth = 3.0  # n^3 until two sizes give a measured exponent
                if len(per) >= 2:
                    prev = sorted(per)[-2]
                    growth = max(1.0, math.log(per[last] / per[prev]) / math.log(last / prev))
                projected = per[last] * (n / last) ** growth
                b = min(batch, int(budget // projected))
                if b < 1:
                    print(f"{name:<11}{n:>6}{'-':>5}{'-':>14}  skipped: one forecast projected "
                          f"at {projected:,.0f} s (n^{growth:.1f} from n={last}) > budget")
                    rows.append({"kind": "scaling", "model": name, "n": n, "skipped": True,
                                 "projected_seconds_per_forecast": projected})
                    continue
            inp = random_input(n, 1, b, seed=n)
            per[n] = _time_call(spec, inp) / b
            print(f"{name:<11}{n:>6}{b:>5}{per[n]:>14.3e}")
            rows.append({"kind": "scaling", "model": name, "n": n, "batch": b,
                         "seconds_per_forecast": per[n]})
        if len(per) >= 2:
            ns = sorted(per)
            slope = np.polyfit(np.log(ns), np.log([per[k] for k in ns]), 1)[0]
            print(f"{name:<11}  growth exponent (log-log slope over n = {ns}) {slope:.2f}"
                  f" ({'within' if slope <= 3.0 else 'ABOVE'} n^3)")
            rows.append({"kind": "scaling_fit", "model": name, "exponent": float(slope),
                         "actors": ns})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes only")
    ap.add_argument("--models", nargs="+", default=["median", "compromise", "eum", "smp"])
    ap.add_argument("--sizes", nargs="+", type=int, default=None)
    ap.add_argument("--actors", nargs="+", type=int, default=[10, 100, 1000])
    ap.add_argument("--workers", type=int, default=2, help="threads for the chunks")
    ap.add_argument("--scaling-batch", type=int, default=16, help="batch B of the scaling runs")
    ap.add_argument("--budget", type=float, default=None, help="seconds per measurement at most")
    ap.add_argument("--scenario", default="iraq-2024")
    ap.add_argument("--parts", nargs="+", default=["throughput", "baseline", "scaling"],
                    choices=["throughput", "baseline", "scaling"])
    ap.add_argument("--name", default=None, help="results file name (default: date and mode)")
    args = ap.parse_args()
    sizes = args.sizes or ([1000, 10000] if args.quick else [1000, 10000, 100000, 1000000])
    budget = args.budget or (30.0 if args.quick else 600.0)
    scenario = load_scenario(args.scenario)
    rows: list[dict[str, object]] = []
    info = machine()
    print("machine:", json.dumps(info))
    if "throughput" in args.parts:
        throughput(scenario, args.models, sizes, args.workers, budget, rows)
    if "baseline" in args.parts:
        baseline(scenario, args.models, {"default": 2000 if args.quick else 5000, "eum": 200,
                                         "smp": 50}, rows)
    if "scaling" in args.parts:
        scaling(args.models, args.actors, args.scaling_batch, budget, rows)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    info["max_rss_mib"] = usage.ru_maxrss / 1024
    print(f"\nmax resident memory of this process: {info['max_rss_mib']:.0f} MiB")
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = args.name or f"{dt.date.today().isoformat()}-{'quick' if args.quick else 'full'}"
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": info, "args": vars(args), "rows": rows}, indent=1,
                               default=lambda o: None if isinstance(o, float) and math.isnan(o) else str(o)))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
