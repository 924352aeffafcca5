"""KTAB's C++ ``smpc`` against our ``smp``: time per forecast and identical final positions.

One command measures everything in one run and prints one table::

    python benchmarks/ktab_speed.py --build                  # build smpc first (needs g++, apt)
    python benchmarks/ktab_speed.py                          # uses benchmarks/.ktab/smpc
    python benchmarks/ktab_speed.py --sizes 5 10 20 40 --repeat 1 --no-json

``--build`` compiles KTAB's command-line SMP from the sources in ``--ktab-src`` (default
``../shared/reference/ktab-src`` beside the repository, or ``$KTAB_SRC``) with their
``build-smpc.sh`` (g++ -O2) into ``benchmarks/.ktab/`` (ignored by git). Without ``smpc`` (or
without the sources or a compiler) the KTAB columns are skipped with a message and only ours
are measured.

Rows: every KTAB example CSV in tests/data/ktab and random scenarios of ``--sizes`` actors
(1 dimension; benchmarks/scenarios.py). Columns, per row:

* KTAB: ``smpc --logmin`` wall and CPU seconds (its own database and log writing included, as
  a user gets it), its turns;
* ours, model call: ``smp`` on the loaded input, compiled kernel (best of ``--repeat``, one
  core, after a warm-up call that loads it);
* ours, whole CLI: ``realpolitik forecast FILE.yaml --model smp --format json`` in a fresh
  process (start-up, loading, model, output);
* speed-up of the model call and of the CLI over KTAB (CPU seconds, which suffer less from a
  busy machine than wall seconds), turns of both, and the largest difference of a final
  position (0-100 scale). ``same`` is True when turns agree and every position is within 1e-6.

The CPU model, its flags, numpy/numba versions and the load average before and after each row
are written with the results (benchmarks/results/ktab_speed.json): timings on a busy machine
are noisy; rerun on a quiet one for figures to quote.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scenarios import random_ktab_csv

from realpolitik.models.smp import smp
from realpolitik.scenario.arrays import to_input
from realpolitik.scenario.ktab_csv import load_ktab_csv

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "ktab"
KTAB_DIR = ROOT / "benchmarks" / ".ktab"
RESULTS = ROOT / "benchmarks" / "results"


def machine() -> dict[str, object]:
    """CPU model and flags, versions, cores and the load average now."""
    info: dict[str, object] = {"platform": platform.platform(), "python": platform.python_version(),
                               "numpy": np.__version__, "cpus": os.cpu_count()}
    try:
        import numba

        info["numba"] = numba.__version__
    except ImportError:
        info["numba"] = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key = line.split(":", 1)[0].strip()
            if key in ("model name", "flags") and key not in info:
                info[key] = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return info


def default_src() -> Path:
    return Path(os.environ.get("KTAB_SRC", ROOT.parent / "shared" / "reference" / "ktab-src"))


def build(src: Path) -> Path | None:
    """Build smpc from ``src`` into benchmarks/.ktab; None (with a message) when impossible."""
    script = src / "build-smpc.sh"
    if not script.is_file():
        print(f"KTAB: no sources at {src} (set --ktab-src or KTAB_SRC); KTAB columns skipped")
        return None
    if shutil.which("g++") is None:
        print("KTAB: no g++ compiler; KTAB columns skipped")
        return None
    done = subprocess.run(["bash", str(script), str(KTAB_DIR)], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"KTAB: the build failed; KTAB columns skipped\n{done.stderr[-2000:]}")
        return None
    return KTAB_DIR / "smpc"


def child_cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def run_ktab(smpc: Path, csv: Path) -> dict[str, object]:
    """One smpc run in a scratch folder: wall and CPU seconds, turns, final positions (n, d)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for conf in smpc.parent.glob("*-logger.conf"):
            shutil.copy(conf, work)
        shutil.copy(csv, work / csv.name)
        cpu, wall = child_cpu(), time.perf_counter()
        subprocess.run([str(smpc), "--logmin", "--csv", csv.name, "--connstr",
                        "Driver=QSQLITE;Database=test"], cwd=work, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall, cpu = time.perf_counter() - wall, child_cpu() - cpu
        with sqlite3.connect(work / "test.db") as db:
            (turn,) = db.execute("SELECT MAX(Turn_t) FROM VectorPosition").fetchone()
            rows = db.execute("SELECT Act_i, Dim_k, Pos_Coord FROM VectorPosition WHERE Turn_t = ?",
                              (turn,)).fetchall()
    n = 1 + max(r[0] for r in rows)
    d = 1 + max(r[1] for r in rows)
    final = np.zeros((n, d))
    for i, k, v in rows:
        final[i, k] = v
    return {"wall_s": wall, "cpu_s": cpu, "turns": int(turn), "final": final}


def run_ours(csv: Path, repeat: int) -> dict[str, object]:
    """Our model call (best of ``repeat``, one core) and the whole CLI in a fresh process."""
    inp = to_input(load_ktab_csv(csv))
    smp(inp, engine="compiled")  # warm-up (loads or compiles the kernel)
    best_wall, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        out = smp(inp, engine="compiled")
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    with tempfile.TemporaryDirectory() as tmp:
        yaml = Path(tmp) / (csv.stem + ".yaml")
        cli = [sys.executable, "-c", "import sys; from realpolitik.cli import main; "
               "sys.argv[0] = 'realpolitik'; main()"]
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        subprocess.run([*cli, "import-csv", str(csv), "--out", str(yaml), "--as-of", "2020-01-01"],
                       check=True, capture_output=True, env=env)
        cpu, wall = child_cpu(), time.perf_counter()
        subprocess.run([*cli, "forecast", str(yaml), "--model", "smp", "--format", "json",
                        "--allow-slow"], check=True, capture_output=True, env=env)
        cli_wall, cli_cpu = time.perf_counter() - wall, child_cpu() - cpu
    return {"model_wall_s": best_wall, "model_cpu_s": best_cpu, "cli_wall_s": cli_wall,
            "cli_cpu_s": cli_cpu, "turns": int(np.asarray(out.rounds)[0]),
            "final": np.asarray(out.final_position)[0], "actors": inp.n_actors,
            "dims": inp.n_issues}


def row(name: str, csv: Path, smpc: Path | None, repeat: int) -> dict[str, object]:
    load_before = os.getloadavg()
    ours = run_ours(csv, repeat)
    res: dict[str, object] = {"scenario": name, "actors": ours["actors"], "dims": ours["dims"],
                              **{k: v for k, v in ours.items() if k not in ("final", "actors", "dims")}}
    res["turns_ours"] = res.pop("turns")
    if smpc is not None:
        ktab = run_ktab(smpc, csv)
        diff = float(np.abs(np.asarray(ktab["final"]) - np.asarray(ours["final"])).max())
        res.update({"ktab_wall_s": ktab["wall_s"], "ktab_cpu_s": ktab["cpu_s"],
                    "turns_ktab": ktab["turns"], "max_abs_difference": diff,
                    "same": diff <= 1e-6 and ktab["turns"] == res["turns_ours"],
                    "speedup_model": ktab["cpu_s"] / max(res["model_cpu_s"], 1e-9),
                    "speedup_cli": ktab["cpu_s"] / max(res["cli_cpu_s"], 1e-9)})
    res["load_average"] = [load_before, os.getloadavg()]
    return res


def print_row(r: dict[str, object]) -> None:
    k = r.get("ktab_cpu_s")
    ktab = "-" if k is None else f"{r['ktab_wall_s']:7.2f} {k:7.2f}"
    speed = "-" if k is None else f"{r['speedup_model']:8.1f}x {r['speedup_cli']:6.2f}x"
    same = "-" if k is None else f"{r['turns_ktab']:>3}/{r['turns_ours']:<3} {r['max_abs_difference']:8.1e} {r['same']}"
    print(f"{r['scenario']:<18} {r['actors']:>4} {r['dims']:>2} | {ktab:>15} | "
          f"{r['model_wall_s']:7.3f} {r['model_cpu_s']:7.3f} | {r['cli_wall_s']:6.2f} "
          f"{r['cli_cpu_s']:6.2f} | {speed:>18} | {same} | "
          f"{r['load_average'][0][0]:.1f}->{r['load_average'][1][0]:.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="build smpc from --ktab-src first")
    parser.add_argument("--ktab-src", type=Path, default=default_src())
    parser.add_argument("--smpc", type=Path, default=KTAB_DIR / "smpc")
    parser.add_argument("--sizes", type=int, nargs="*", default=[5, 10, 20, 40, 80, 160])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=RESULTS / "ktab_speed.json")
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args()
    smpc: Path | None = build(args.ktab_src) if args.build else args.smpc
    if smpc is not None and not smpc.is_file():
        print(f"KTAB: no smpc at {smpc} (run with --build); KTAB columns skipped")
        smpc = None
    info = machine()
    print(f"CPU: {info.get('model name')}  cores: {info['cpus']}  numpy {info['numpy']}  "
          f"numba {info['numba']}  load average: {os.getloadavg()[0]:.1f}")
    print(f"{'scenario':<18} {'n':>4} {'d':>2} | {'KTAB wall cpu':>15} | {'model wall cpu':>15} | "
          f"{'CLI wall cpu':>13} | {'speed-up model CLI':>18} | turns K/o  max|diff| same | load")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = [(p.stem, p) for p in sorted(DATA.glob("*.csv"))
                 if not p.name.endswith(("_posLog.csv", "-final.csv", "-history.csv"))]
        cases += [(f"random-{n}", random_ktab_csv(Path(tmp) / f"random-{n}.csv", n, 1, seed=n))
                  for n in args.sizes]
        for name, csv in cases:
            r = row(name, csv, smpc, args.repeat)
            print_row(r)
            rows.append(r)
            if not args.no_json:  # after every row: a long run stopped by hand keeps its rows
                args.json.parent.mkdir(parents=True, exist_ok=True)
                args.json.write_text(json.dumps({"machine": info, "rows": rows}, indent=1) + "\n")
    if not args.no_json:
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
