"""Random KTAB-style CSV scenarios for the benchmarks (and their realpolitik YAML twins).

``python benchmarks/scenarios.py 300 2 -o big.csv`` writes a random scenario of 300 actors on 2
dimensions (positions 0-100, saliences summing to at most 1 per actor, KTAB's format); the
realpolitik YAML comes from ``realpolitik import-csv big.csv``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def random_ktab_csv(path: Path, n: int, d: int, seed: int = 0) -> Path:
    """Write a random KTAB CSV of ``n`` actors and ``d`` dimensions to ``path``."""
    rng = np.random.default_rng(seed)
    pos = np.round(100.0 * rng.random((n, d)), 1)
    sal = rng.uniform(0.1, 1.0, (n, d))
    sal = np.round(100.0 * sal / sal.sum(axis=1, keepdims=True) * rng.uniform(0.5, 1.0, (n, 1)), 1)
    cap = np.round(rng.uniform(1.0, 100.0, n), 1)
    head = ",".join(f"D{k} Position,D{k} Salience" for k in range(d))
    lines = [f"Random {n}x{d}; seed {seed},Random scenario of {n} actors,{n},{d},",
             f"Actor,Description,Influence,{head},"]
    for i in range(n):
        cells = ",".join(f"{pos[i, k]},{sal[i, k]}" for k in range(d))
        lines.append(f"A{i},Actor {i},{cap[i]},{cells},")
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("actors", type=int)
    parser.add_argument("dims", type=int, nargs="?", default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args()
    print(random_ktab_csv(args.out, args.actors, args.dims, args.seed))


if __name__ == "__main__":
    main()
