"""Compare our SMP with KTAB's outputs: prints the tables of docs/models/smp.md.

Usage::

    python benchmarks/ktab_compare.py                      # KTAB's defaults
    python benchmarks/ktab_compare.py --set bargain=pw-compromise --no-json

Reads KTAB's example data in tests/data/ktab (MIT licence, see LICENSE-KTAB.txt there):

* SOE-Policy and SOE-Competitive: turns and final positions against today's KTAB
  (``*.ktab-head-final.csv``, the golden: same turns, positions within 1e-6);
* the same two: our final positions next to the last column of KTAB's older posLog (history),
  the effective-power (capability x salience) weighted mean, the number of turns and the share
  of actors within 5 points;
* SOE-Pol-Comp: KTAB's own reference run (2 issues, 27 turns); the largest difference over all
  turns, actors and issues (KTAB prints one decimal, so 0.05 means agreement).

Writes the numbers as JSON to benchmarks/results/ktab_compare.json unless --no-json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from realpolitik.models.base import BargainingInput
from realpolitik.models.smp import smp
from realpolitik.presentation.traces import trace_dicts
from realpolitik.scenario.arrays import to_input
from realpolitik.scenario.ktab_csv import load_ktab_csv

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "ktab"


def ktab_input(path: Path) -> BargainingInput:
    return to_input(load_ktab_csv(path))


def pos_log(path: Path) -> dict[str, list[float]]:
    out = {}
    for line in path.read_text().splitlines():
        parts = [p.strip() for p in line.split(",")]
        out[parts[0]] = [float(v) for v in parts[1:]]
    return out


def compare_poslog(name: str, options: dict) -> dict:
    inp = ktab_input(DATA / f"{name}.csv")
    log = pos_log(DATA / f"{name}.csv_posLog.csv")
    out = smp(inp, **options)
    ours = np.asarray(out.final_position)[0, :, 0]
    ktab = np.array([log[a][-1] for a in inp.actor_ids])
    w = inp.capability[0] * inp.salience[0, :, 0]
    rows = [
        {"actor": a, "effective_power": float(w[i]), "ours": float(ours[i]), "ktab": float(ktab[i])}
        for i, a in enumerate(inp.actor_ids)
    ]
    return {
        "scenario": name,
        "rows": rows,
        "weighted_mean_ours": float((w * ours).sum() / w.sum()),
        "weighted_mean_ktab": float((w * ktab).sum() / w.sum()),
        "turns_ours": int(np.asarray(out.rounds)[0]),
        "turns_ktab": len(next(iter(log.values()))) - 1,
        "share_within_5": float(np.mean(np.abs(ours - ktab) <= 5.0)),
    }


def compare_reference(options: dict) -> dict:
    inp = ktab_input(DATA / "SOE-Pol-Comp.csv")
    ref = {}
    for line in (DATA / "SOE-Pol-Comp_ref-history.csv").read_text().splitlines():
        head, values = line.split(":", 1)
        actor, what = (p.strip() for p in head.split(","))
        if what != "prob":
            ref[(actor, what.split()[0].lower())] = [float(v) for v in values.split()]
    out = smp(inp, trace=True, **options)
    worst = 0.0
    turns_ktab = len(next(iter(ref.values()))) - 1
    for rec in trace_dicts(out.trace, inp):
        t = rec["round"]
        for actor, value in rec["positions"].items():
            series = ref[(actor, rec["issue"])]
            # beyond KTAB's last turn, compare with its final state
            worst = max(worst, abs(value - series[min(t, turns_ktab)]))
    return {"turns_ours": int(np.asarray(out.rounds)[0]), "turns_ktab": turns_ktab,
            "max_abs_difference": worst}


def compare_head(name: str, options: dict) -> dict:
    """Our run against today's KTAB (turns and every final position)."""
    inp = ktab_input(DATA / f"{name}.csv")
    turns, final = -1, {}
    for line in (DATA / f"{name}.ktab-head-final.csv").read_text().splitlines():
        if line.startswith("# turns="):
            turns = int(line.split("=", 1)[1])
        elif line and not line.startswith(("#", "actor,")):
            actor, value = line.split(",")
            final[actor] = float(value)
    out = smp(inp, **options)
    ours = np.asarray(out.final_position)[0, :, 0]
    ktab = np.array([final[a] for a in inp.actor_ids])
    return {"scenario": name, "turns_ours": int(np.asarray(out.rounds)[0]), "turns_ktab": turns,
            "max_abs_difference": float(np.abs(ours - ktab).max())}


def print_poslog(res: dict) -> None:
    print(f"\n### {res['scenario']}\n")
    print("| actor | effective power | ours | KTAB | difference |")
    print("|---|---:|---:|---:|---:|")
    for r in res["rows"]:
        diff = r["ours"] - r["ktab"]
        flag = "" if abs(diff) <= 5 else " *"
        print(f"| {r['actor']} | {r['effective_power']:.1f} | {r['ours']:.1f} | {r['ktab']:.1f} "
              f"| {diff:+.1f}{flag} |")
    print(f"| **weighted mean** | | **{res['weighted_mean_ours']:.1f}** | "
          f"**{res['weighted_mean_ktab']:.1f}** | "
          f"{res['weighted_mean_ours'] - res['weighted_mean_ktab']:+.1f} |")
    print(f"\nTurns: ours {res['turns_ours']}, KTAB {res['turns_ktab']}. Actors within 5 points: "
          f"{100 * res['share_within_5']:.0f}% (* marks the others).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="an smp option, e.g. bargain=pw-compromise (repeatable)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "ktab_compare.json")
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args()
    options = {}
    for item in args.set:
        key, _, value = item.partition("=")
        options[key] = int(value) if value.isdigit() else value
    print(f"smp options: {options or 'KTAB defaults'}")
    ref = compare_reference(options)
    print("\n### SOE-Pol-Comp, KTAB's reference run (2 issues)\n")
    print(f"Turns: ours {ref['turns_ours']}, KTAB {ref['turns_ktab']}; largest difference over all "
          f"turns, actors and issues: {ref['max_abs_difference']:.2f} points "
          f"(KTAB prints one decimal).")
    head = [compare_head(n, options) for n in ("SOE-Policy", "SOE-Competitive")]
    print("\n### Today's KTAB (SOE cases)\n")
    for h in head:
        print(f"{h['scenario']}: turns ours {h['turns_ours']}, KTAB {h['turns_ktab']}; largest "
              f"difference of a final position {h['max_abs_difference']:.1e}")
    results = [compare_poslog(n, options) for n in ("SOE-Policy", "SOE-Competitive")]
    for res in results:
        print_poslog(res)
    if not args.no_json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"options": options, "reference_run": ref,
                                         "ktab_head": head, "poslogs": results}, indent=2))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
