"""Readings of the expected utility model's rules on the BDM 1994 case: does any give SCS's 8.4?

docs/models/eum.md compares our `eum` with Scholz, Calbert & Smith's (SCS, 2011) replication of
Bueno de Mesquita's emission-standards example (inputs in tests/data/reference/eum). Our rounds do
not reproduce their Table 2. This script plays the game with Q = 1 under every combination of
three readings of the rules that the papers leave open:

* whose risk exponent judges a pair of actors: the receiver's, the challenger's, or each its own;
* what the security of an actor's position counts: the challenges it draws ("in") or the
  challenges its holder makes ("out");
* which offer an actor accepts among several: the nearest, the most credible (largest expected
  utility of its sender) or the farthest.

It prints, for each of the 18 readings, the weighted median and the weighted mean (weights:
capability x salience) after rounds 1-8 next to SCS's Table 2, and writes them as JSON to
benchmarks/results/eum_bdm_variants.json unless --no-json. It is a plain, unbatched evaluation of
the formulas of docs/models/eum.md, separate from the package's kernel, written for this check.

Usage::

    python benchmarks/eum_bdm_variants.py
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "reference" / "eum" / "emission-standards.csv"
LOW, HIGH = 4.0, 10.0
ROUNDS = 8
#: SCS Table 2 (p. 28): median and mean voter position after each round.
SCS_MEDIAN = (8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6)
SCS_MEAN = (7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6)
VIEWS = ("receiver", "challenger", "own")
SECURITY = ("in", "out")
PICKS = ("nearest", "credible", "farthest")


class Case:
    """The BDM case on [0, 1]: positions, saliences and weights (capability x salience)."""

    def __init__(self, path: Path) -> None:
        with path.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        self.x0 = np.array([(float(r["position_years"]) - LOW) / (HIGH - LOW) for r in rows])
        self.s = np.array([float(r["salience"]) / 100 for r in rows])
        self.w = np.array([float(r["capability"]) for r in rows]) * self.s
        self.n = len(rows)

    def median(self, x: np.ndarray) -> float:
        """Weighted median (the midpoint of two positions where the weights split exactly)."""
        order = np.argsort(x, kind="stable")
        cum = np.cumsum(self.w[order])
        half = self.w.sum() / 2
        k = int(np.searchsorted(cum, half - 1e-12))
        if abs(cum[k] - half) < 1e-12:
            return float((x[order[k]] + x[order[k + 1]]) / 2)
        return float(x[order[k]])

    def win(self, x: np.ndarray, i: int, j: int) -> float:
        """Probability that i beats j in a contest: weighted votes of every actor."""
        votes = self.w * (np.abs(x - x[j]) - np.abs(x - x[i]))
        total = np.abs(votes).sum()
        return 0.5 if total == 0 else float(np.clip(votes, 0, None).sum() / total)

    def expected(self, x: np.ndarray, i: int, j: int, r: float) -> float:
        """i's expected utility of challenging j, with risk exponent r."""
        d = abs(x[i] - x[j])
        if d < 1e-8:
            return 0.0
        success = 2 - 4 * (0.5 - 0.5 * d) ** r
        failure = 2 - 4 * (0.5 + 0.5 * d) ** r
        status_quo = 2 - 4 * 0.5**r
        p = self.win(x, i, j)
        return (self.s[j] * (p * success + (1 - p) * failure) + (1 - self.s[j]) * success
                - status_quo)

    def exponents(self, x: np.ndarray, security: str) -> np.ndarray:
        """Risk exponents from the security of each position (risk-neutral utilities, r = 1)."""
        n = self.n
        if security == "in":
            sec = np.array([sum(self.expected(x, j, k, 1.0) for j in range(n) if j != k)
                            for k in range(n)])
        else:
            sec = np.array([sum(self.expected(x, k, j, 1.0) for j in range(n) if j != k)
                            for k in range(n)])
        spread = sec.max() - sec.min()
        if spread < 1e-15:
            return np.ones(n)
        risk = (2 * sec - sec.max() - sec.min()) / spread
        return (1 - risk / 3) / (1 + risk / 3)

    def round(self, x: np.ndarray, view: str, security: str, pick: str) -> np.ndarray:
        """One round: every actor's offers to every other, then each takes one (or none)."""
        r = self.exponents(x, security)
        offers: dict[int, list[tuple[float, float, float]]] = {j: [] for j in range(self.n)}
        for i, j in itertools.permutations(range(self.n), 2):
            ri, rj = (r[i], r[j]) if view == "own" else (r[j], r[j]) if view == "receiver" \
                else (r[i], r[i])
            eij, eji = self.expected(x, i, j, ri), self.expected(x, j, i, rj)
            if eij > 1e-8 and eij > eji + 1e-8:
                # a compromise where j would lose less than i gains, else j capitulates
                target = x[j] + (x[i] - x[j]) * abs(eji / eij) if -eij < eji < 0 else x[i]
                offers[j].append((abs(target - x[j]), -eij, float(target)))
        y = x.copy()
        for j, found in offers.items():
            if not found:
                continue
            if pick == "nearest":
                y[j] = min(found)[2]
            elif pick == "credible":
                y[j] = min(found, key=lambda o: (o[1], o[0]))[2]
            else:
                y[j] = max(found)[2]
        return y

    def play(self, view: str, security: str, pick: str) -> tuple[list[float], list[float]]:
        """Weighted median and mean (in years) after each of the first ROUNDS rounds."""
        x, medians, means = self.x0.copy(), [], []
        for _ in range(ROUNDS):
            x = self.round(x, view, security, pick)
            medians.append(round(LOW + (HIGH - LOW) * self.median(x), 2))
            means.append(round(LOW + (HIGH - LOW) * float((self.w * x).sum() / self.w.sum()), 2))
        return medians, means


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-json", action="store_true", help="print only")
    args = parser.parse_args()
    case = Case(DATA)
    runs = []
    print(f"{'exponent':10} {'security':8} {'accept':9} medians after rounds 1-{ROUNDS}")
    print(f"{'SCS Table 2':29} {list(SCS_MEDIAN)}  means {list(SCS_MEAN)}")
    for view, security, pick in itertools.product(VIEWS, SECURITY, PICKS):
        medians, means = case.play(view, security, pick)
        matches = sum(abs(m - s) < 0.05 for m, s in zip(medians, SCS_MEDIAN, strict=True))
        runs.append({"exponent": view, "security": security, "accept": pick,
                     "median": medians, "mean": means, "rounds_matching_scs_median": matches})
        print(f"{view:10} {security:8} {pick:9} {[round(m, 1) for m in medians]}")
    firsts = sorted({round(r["median"][0], 1) for r in runs})
    print(f"round-1 medians over the {len(runs)} readings: {firsts}; SCS: {SCS_MEDIAN[0]}")
    if not args.no_json:
        out = ROOT / "benchmarks" / "results" / "eum_bdm_variants.json"
        out.write_text(json.dumps({"scs_median": SCS_MEDIAN, "scs_mean": SCS_MEAN,
                                   "round1_medians": firsts, "runs": runs}, indent=1) + "\n",
                       encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
