"""The shared scoring rules (realpolitik.scoring) on hand-worked cases."""

import numpy as np
import pytest

from realpolitik.scoring import absolute_errors, interval_coverage


def test_absolute_errors_hand_worked() -> None:
    assert absolute_errors([1.0, 5.0, -2.0], [3.0, 5.0, 2.0]).tolist() == [2.0, 0.0, 4.0]


def test_absolute_errors_refuses_nan() -> None:
    with pytest.raises(ValueError, match="finite"):
        absolute_errors([np.nan], [1.0])


def test_interval_coverage_counts_closed_intervals() -> None:
    # 1 inside, 2 on the edges (inside: closed), 4 outside -> 3 of 4
    assert interval_coverage([5, 0, 10, 11], 0, 10) == pytest.approx(0.75)
    assert interval_coverage([1, 2], [0, 3], [2, 4]) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("y", "lo", "hi", "msg"),
    [([], 0, 1, "no outcomes"), ([1], 2, 1, "lower bound"), ([np.inf], 0, 1, "finite")],
)
def test_interval_coverage_bad_input(y: list[float], lo: float, hi: float, msg: str) -> None:
    with pytest.raises(ValueError, match=msg):
        interval_coverage(y, lo, hi)
