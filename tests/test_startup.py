"""Start-up: ``realpolitik forecast --model median`` loads only what it needs.

The heavy libraries (pandas, scipy, matplotlib, SALib, numba) are imported by the commands and
models that use them, not by the CLI's start-up. Start-up time itself is measured in
benchmarks/startup.py (no timed assertions here).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

PROBE = """
import sys
from realpolitik.cli import main
sys.argv = ["realpolitik", "forecast", "--model", "median"]
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & {HEAVY})
print("HEAVY", heavy)
"""


def test_median_forecast_loads_no_heavy_library():
    """pandas, scipy, matplotlib, SALib and numba stay unloaded for a median forecast."""
    heavy = {"pandas", "scipy", "matplotlib", "SALib", "numba", "torch"}
    env = dict(os.environ, PYTHONPATH=str(SRC))
    out = subprocess.run(
        [sys.executable, "-c", PROBE.replace("{HEAVY}", repr(heavy))],
        capture_output=True, text=True, env=env, check=True,
    )
    assert "HEAVY []" in out.stdout, out.stdout[-500:] + out.stderr[-2000:]
