"""Every registered model runs unchanged on torch (CPU) and agrees with numpy.

Tolerance: both compute in float64 from the same numpy-drawn inputs; results agree to
rtol = 1e-9 and atol = 1e-9 x the issue's scale span (sums may be reassociated).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("array_api_compat")

import realpolitik as rp  # noqa: E402
from realpolitik.errors import RealpolitikError  # noqa: E402
from realpolitik.models.registry import list_models  # noqa: E402
from realpolitik.runner import resolve, run_model, to_backend  # noqa: E402
from realpolitik.uncertainty.montecarlo import simulate  # noqa: E402
from realpolitik.uncertainty.sampling import sample_inputs  # noqa: E402

SMALL = str(Path(__file__).parent / "data" / "uncertainty" / "small.yaml")


@pytest.mark.parametrize("spec", list_models(), ids=lambda s: s.name)
def test_model_gives_the_same_numbers_on_torch(spec):
    """Same inputs, same seed: numpy and torch CPU forecasts agree within the stated tolerance."""
    sc = rp.load_scenario(SMALL)
    inp = sample_inputs(sc, 16, seed=4)
    a = run_model(spec, inp, seed=1)
    b = run_model(spec, inp, seed=1, backend="torch", device="cpu")
    assert isinstance(b.forecast, np.ndarray)
    span = inp.upper - inp.lower
    assert np.allclose(b.forecast, a.forecast, rtol=1e-9, atol=1e-9 * float(span.max()))


def test_inputs_move_to_torch_in_float64():
    """Converted inputs are torch float64 tensors on the asked device."""
    sc = rp.load_scenario(SMALL)
    inp = to_backend(sample_inputs(sc, 4, seed=0), "torch", "cpu")
    assert isinstance(inp.position, torch.Tensor)
    assert inp.position.dtype == torch.float64
    assert inp.xp.__name__.endswith("torch")


def test_monte_carlo_on_torch_equals_numpy():
    """A seeded Monte Carlo run gives the same distribution on both backends."""
    sc = rp.load_scenario(SMALL)
    a = simulate(sc, "median", 300, seed=8)
    b = simulate(sc, "median", 300, seed=8, backend="torch", device="cpu", chunk_size=64)
    assert np.allclose(a.values, b.values, rtol=1e-9, atol=1e-7)
    assert b.backend == "torch:cpu"


def test_forecast_cli_on_torch(run_cli):
    """`forecast --backend torch --device cpu` prints the same forecast as numpy."""
    code, out_np, _ = run_cli("forecast", SMALL, "--format", "csv")
    code2, out_t, err = run_cli("forecast", SMALL, "--format", "csv", "--backend", "torch",
                                "--device", "cpu")
    assert code == code2 == 0, err
    assert out_np == out_t


def test_missing_cuda_is_a_user_error():
    """Asking for CUDA where torch sees none is a clear error, not a crash."""
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    with pytest.raises(RealpolitikError, match="use the cpu device"):
        resolve("torch", "cuda")
