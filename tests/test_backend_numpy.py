"""The backend switch without torch: numpy passes through; bad names are user errors."""

from __future__ import annotations

import numpy as np
import pytest

from realpolitik.errors import RealpolitikError
from realpolitik.runner import resolve, run_model, to_backend, to_numpy
from realpolitik.scenario.arrays import to_input
from realpolitik.scenario.loader import load_scenario


def test_numpy_backend_is_the_identity(minimal_path):
    """to_backend(numpy) returns the same input; run_model equals calling the model."""
    inp = to_input(load_scenario(minimal_path))
    assert to_backend(inp, "numpy") is inp
    from realpolitik.models.median import median

    assert np.array_equal(run_model("median", inp).forecast, median(inp).forecast)
    assert to_numpy(None) is None


def test_bad_backend_or_device_is_a_user_error():
    """Unknown backends and GPU devices for numpy are refused with the alternatives."""
    with pytest.raises(RealpolitikError, match="numpy, torch"):
        resolve("jax")
    with pytest.raises(RealpolitikError, match="CPU only"):
        resolve("numpy", "cuda")


def test_cli_reports_a_bad_backend(run_cli, minimal_path):
    """`forecast --backend nope` exits 2 with the list of backends."""
    code, _, err = run_cli("forecast", str(minimal_path), "--backend", "nope")
    assert code == 2
    assert "available: numpy, torch" in err
