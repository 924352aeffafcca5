"""The speed targets of issue 11 in one run: Monte Carlo throughput, start-up, cost in actors.

Usage (one command; add ``--quick`` for a smaller run)::

    python benchmarks/bench_speed.py                 # writes benchmarks/results/speed.json
    python benchmarks/bench_speed.py --quick --no-json

Sections, each printed as a table with the load average before and after:

* ``throughput``: Monte Carlo forecasts of iraq-2024 through ``simulate`` (chunks, threads):
  ``eum`` and ``smp`` compiled and array (1 and 2 worker threads), ``median`` and the ensemble
  (every member on each sample); forecasts per second and the time that 10^6 eum, 10^5 smp
  and 10^4 ensemble forecasts would take at that rate (the targets: 30 s, 30 s, 5 s on 2 cores).
* ``startup``: ``realpolitik forecast --model median`` in a fresh process (best of 5, wall and
  CPU), next to a bare ``python -c pass`` and ``python -c "import numpy"`` (target 0.3 s wall).
* ``scaling``: one call on random scenarios of growing size; the fitted exponent of the time in
  the number of actors (targets: no worse than n^3 up to 1,000 actors for eum, 300 for smp).

The numbers depend on the machine and on its load: the JSON records the CPU model and flags
and the load average with each section. Rerun on a quiet machine for figures to quote.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from ktab_speed import machine

from realpolitik.models.base import BargainingInput
from realpolitik.runner import run_model
from realpolitik.scenario.loader import load_scenario
from realpolitik.uncertainty.montecarlo import simulate

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def load() -> float:
    return round(os.getloadavg()[0], 2)


def throughput(quick: bool) -> list[dict[str, object]]:
    sc = load_scenario("iraq-2024")
    runs = [  # model, params, samples, workers, target: (forecasts, seconds)
        ("eum", {"engine": "compiled"}, 20_000 if quick else 100_000, 1, (10**6, 30)),
        ("eum", {"engine": "compiled"}, 20_000 if quick else 100_000, 2, (10**6, 30)),
        ("eum", {"engine": "array"}, 5_000 if quick else 20_000, 1, (10**6, 30)),
        ("smp", {"engine": "compiled"}, 2_000 if quick else 10_000, 1, (10**5, 30)),
        ("smp", {"engine": "compiled"}, 2_000 if quick else 10_000, 2, (10**5, 30)),
        ("smp", {"engine": "array"}, 500 if quick else 2_000, 1, (10**5, 30)),
        ("median", {}, 100_000 if quick else 1_000_000, 1, (10**7, None)),
        ("ensemble", {}, 500 if quick else 2_000, 2, (10**4, 5)),
    ]
    for warm in ("eum", "smp"):  # compile or load the kernels outside the timings
        simulate(sc, warm, 10, seed=1)
    rows = []
    for model, params, n, workers, (goal_n, goal_s) in runs:
        before = load()
        wall, cpu = time.perf_counter(), time.process_time()
        simulate(sc, model, n, seed=1, workers=workers, params=params)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rate = n / wall
        row = {"model": model, "params": params, "samples": n, "workers": workers,
               "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
               "forecasts_per_cpu_s": round(n / max(cpu, 1e-9), 1),
               "forecasts_per_s": round(rate, 1),
               "target_forecasts": goal_n, "time_at_target_s": round(goal_n / rate, 1),
               "target_s": goal_s, "load_average": [before, load()]}
        rows.append(row)
        met = "-" if goal_s is None else ("met" if goal_n / rate <= goal_s else "not met")
        print(f"{model:<9} {json.dumps(params):<22} {n:>9,} {workers:>2} {wall:8.2f} s "
              f"({cpu:7.2f} s CPU, {n / max(cpu, 1e-9):>9,.0f} per CPU s) "
              f"{rate:>11,.0f}/s  {goal_n:>10,} in {goal_n / rate:8.1f} s "
              f"(target {goal_s} s: {met})  load {before}->{row['load_average'][1]}", flush=True)
    return rows


def startup() -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    cli = "import sys; from realpolitik.cli import main; sys.argv[0] = 'realpolitik'; main()"
    cases = {"python -c pass": ["-c", "pass"], "import numpy": ["-c", "import numpy"],
             "forecast --model median": ["-c", cli, "forecast", "--model", "median"]}
    out: dict[str, object] = {"load_average_before": load()}
    for name, args in cases.items():
        best_wall, best_cpu = float("inf"), float("inf")
        for _ in range(5):
            use = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall = time.perf_counter()
            subprocess.run([sys.executable, *args], check=True, capture_output=True, env=env)
            wall = time.perf_counter() - wall
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - use.ru_utime - use.ru_stime
            best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
        out[name] = {"wall_s": round(best_wall, 3), "cpu_s": round(best_cpu, 3)}
        print(f"{name:<26} best of 5: {best_wall:6.3f} s wall {best_cpu:6.3f} s CPU", flush=True)
    out["load_average_after"] = load()
    return out


def random_input(n: int, d: int, seed: int = 0) -> BargainingInput:
    rng = np.random.default_rng(seed)
    return BargainingInput(100 * rng.random((1, n, d)), rng.uniform(0.1, 1, (1, n, d)) / d,
                           rng.uniform(1, 100, (1, n)), np.full((1, d), 50.0), np.zeros(d),
                           np.full(d, 100.0))


def scaling(quick: bool) -> list[dict[str, object]]:
    sizes = {"eum": [10, 30, 100, 300] + ([] if quick else [1000]),
             "smp": [10, 20, 40, 80, 160] + ([] if quick else [300])}
    rows = []
    for model, ns in sizes.items():
        times, per_unit = [], []
        for n in ns:
            before = load()
            inp = random_input(n, 1, seed=n)
            wall, cpu = time.perf_counter(), time.process_time()
            out = run_model(model, inp)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            rounds = int(np.max(out.rounds)) if out.rounds is not None else 1
            times.append(wall)
            per_unit.append(cpu / max(rounds, 1))  # CPU: less disturbed by a busy machine
            rows.append({"model": model, "actors": n, "wall_s": round(wall, 4),
                         "cpu_s": round(cpu, 4), "rounds": rounds,
                         "per_round_s": wall / max(rounds, 1), "load_average": [before, load()]})
            print(f"{model:<4} {n:>5} actors: {wall:9.3f} s ({cpu:8.3f} s CPU), {rounds:>3} rounds, "
                  f"{cpu / max(rounds, 1) * 1e3:9.3f} ms CPU per round", flush=True)
        big = slice(max(0, len(ns) - 3), None)  # the largest sizes show the asymptote
        slope = np.polyfit(np.log(ns[big]), np.log(np.asarray(per_unit)[big]), 1)[0]
        print(f"{model}: CPU time per round grows as n^{slope:.2f} over {ns[big]}")
        rows.append({"model": model, "exponent_per_round": round(float(slope), 2),
                     "fitted_on": ns[big]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sections", nargs="*", default=["throughput", "startup", "scaling"])
    parser.add_argument("--json", type=Path, default=RESULTS / "speed.json")
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args()
    info = machine()
    print(f"CPU: {info.get('model name')}  cores: {info['cpus']}  numba {info['numba']}  "
          f"load average {load()}")
    res: dict[str, object] = {"machine": info, "quick": args.quick}
    for name in args.sections:
        print(f"\n## {name}")
        res[name] = {"throughput": throughput, "scaling": scaling}[name](args.quick) \
            if name != "startup" else startup()
    if not args.no_json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=1) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
