"""Speed and settling of the expected utility model on Monte Carlo copies of a scenario.

Usage::

    python benchmarks/bench_eum.py                    # 10^4 samples of iraq-2024
    python benchmarks/bench_eum.py -n 2000 --tol 5e-3 1e-3 --no-json
    python benchmarks/bench_eum.py --engine array     # the array implementation (the reference)

For each ``tol`` prints the wall and CPU seconds of one batched call (numpy, one thread), the
mean rounds per issue, the share of samples that settled within ``max_rounds`` and the 5/50/95
percentiles of the forecast. Writes the table as JSON to benchmarks/results/eum.json unless
--no-json. CPU seconds are the better figure on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

from realpolitik.models.eum import eum
from realpolitik.scenario.loader import load_scenario
from realpolitik.uncertainty.sampling import sample_inputs

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="iraq-2024")
    parser.add_argument("-n", "--samples", type=int, default=10_000)
    parser.add_argument("--tol", type=float, nargs="+", default=[1e-2, 5e-3, 1e-3])
    parser.add_argument("--max-rounds", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engine", choices=["auto", "compiled", "array"], default="auto",
                        help="eum's engine: the numba kernel (auto, compiled) or the array path")
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    inp = sample_inputs(scenario, args.samples, seed=args.seed)
    rows = []
    print(f"{args.scenario}: {args.samples} samples, {inp.n_actors} actors, {inp.n_issues} issues")
    print(
        f"{'tol':>7} {'wall s':>7} {'cpu s':>7} {'rounds/issue':>14} {'settled':>8}  forecast p5/p50/p95"
    )
    for tol in args.tol:
        wall, cpu = time.perf_counter(), time.process_time()
        out = eum(inp, tol=tol, max_rounds=args.max_rounds, engine=args.engine)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rounds = np.asarray(out.extra["rounds_by_issue"]).mean(axis=0)
        settled = float(np.asarray(out.extra["converged"]).mean())
        pct = np.percentile(np.asarray(out.forecast), [5, 50, 95], axis=0).T
        print(
            f"{tol:7.0e} {wall:7.1f} {cpu:7.1f} {' '.join(f'{r:6.1f}' for r in rounds):>14} "
            f"{settled:8.3f}  " + "  ".join("/".join(f"{v:.1f}" for v in p) for p in pct)
        )
        rows.append(
            {
                "tol": tol,
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "rounds_per_issue": [round(float(r), 2) for r in rounds],
                "settled_share": round(settled, 4),
                "forecast_p5_p50_p95": [[round(float(v), 2) for v in p] for p in pct],
            }
        )
    if not args.no_json:
        path = ROOT / "benchmarks" / "results" / "eum.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "scenario": args.scenario,
            "samples": args.samples,
            "max_rounds": args.max_rounds,
            "seed": args.seed,
            "machine": platform.processor() or platform.machine(),
        }
        path.write_text(json.dumps({**meta, "runs": rows}, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
