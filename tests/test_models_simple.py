"""Golden tests of the compromise model and the weighted median (numbers worked by hand)."""

from __future__ import annotations

import numpy as np
import pytest

from realpolitik.models.base import BargainingInput
from realpolitik.models.compromise import compromise
from realpolitik.models.median import median


def one_issue(pos, sal, cap, sq=50.0, lo=0.0, hi=100.0) -> BargainingInput:
    pos = np.asarray(pos, float)[None, :, None]
    sal = np.asarray(sal, float)[None, :, None]
    cap = np.asarray(cap, float)[None, :]
    return BargainingInput(pos, sal, cap, np.array([[sq]]), np.array([lo]), np.array([hi]))


# A worked example (computed by hand):
#   actor  position  capability  salience  weight c*s
#   A        10         40         0.5        20
#   B        40         30         1.0        30
#   C        60         20         0.5        10
#   D        90         50         0.8        40
# total weight 100.
# compromise: (20*10 + 30*40 + 10*60 + 40*90) / 100 = (200 + 1200 + 600 + 3600) / 100 = 56.
# median: sorted by position, cumulative weights 20, 50, 60, 100: the lower median is the first
# position whose cumulative weight reaches 50 (B at 40); weight at or above C is 50 too, so the
# upper median is C at 60: an exact half split, whose midpoint is 50.
EXAMPLE = one_issue([10, 40, 60, 90], [0.5, 1.0, 0.5, 0.8], [40, 30, 20, 50])


def test_compromise_worked_example():
    """Weighted mean of the worked example is 56."""
    assert compromise(EXAMPLE).forecast[0, 0] == pytest.approx(56.0)


def test_median_exact_split_is_midpoint():
    """An exact half split of weight gives the midpoint of the two medians (50)."""
    assert median(EXAMPLE).forecast[0, 0] == pytest.approx(50.0)


def test_median_strict_majority():
    """With D's capability at 51 (weight 40.8 of 100.8), the median is C at 60.

    Cumulative weights 20, 50, 60, 100.8: half is 50.4, first reached at C (60); weight at or
    above C is 50.8 >= 50.4 and above D only 40.8 < 50.4, so both medians are 60.
    """
    inp = one_issue([10, 40, 60, 90], [0.5, 1.0, 0.5, 0.8], [40, 30, 20, 51])
    assert median(inp).forecast[0, 0] == pytest.approx(60.0)


def test_black_median_voter_unweighted():
    """Five equal voters: Black's theorem picks the third position."""
    inp = one_issue([5, 80, 20, 95, 33], [1] * 5, [1] * 5)
    assert median(inp).forecast[0, 0] == pytest.approx(33.0)


def test_a_dominant_actor_decides_the_median():
    """An actor with more than half of the weight is the median, whatever the others want."""
    inp = one_issue([0, 100, 100, 100], [1, 1, 1, 1], [4, 1, 1, 1])
    assert median(inp).forecast[0, 0] == pytest.approx(0.0)


def test_median_reflection_symmetry():
    """Reversing the scale (x -> 100 - x) reflects the median, ties included."""
    rng = np.random.default_rng(0)
    for _ in range(50):
        pos = rng.integers(0, 5, 6) * 25.0
        w = rng.integers(1, 4, 6).astype(float)
        a = median(one_issue(pos, w, np.ones(6))).forecast[0, 0]
        b = median(one_issue(100 - pos, w, np.ones(6))).forecast[0, 0]
        assert a == pytest.approx(100 - b)


def test_zero_salience_gives_status_quo_flagged():
    """No actor cares: both models return the status quo and flag the issue as undefined."""
    inp = one_issue([10, 90], [0, 0], [1, 1], sq=42)
    for fn in (compromise, median):
        out = fn(inp)
        assert out.forecast[0, 0] == 42
        assert bool(out.extra["undefined"][0, 0])
