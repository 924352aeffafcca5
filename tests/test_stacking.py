"""Stacked ensemble weights, grouped folds, conformal bands and the paired bootstrap."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.backtest.stacking import (
    conformal_quantile,
    cross_val_predict,
    fit_weights,
    grouped_folds,
    nested_coverage,
    paired_bootstrap,
)
from realpolitik.errors import RealpolitikError


def _groups(n_groups: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 6, size=n_groups)
    return np.repeat([f"p{g}" for g in range(n_groups)], sizes)


@settings(max_examples=40, deadline=None)
@given(n_groups=st.integers(2, 60), k=st.integers(2, 12), seed=st.integers(0, 10_000))
def test_grouped_folds_never_leak_a_proposal(n_groups: int, k: int, seed: int) -> None:
    groups = _groups(n_groups, seed)
    folds = grouped_folds(groups, k, seed=seed)
    assert len(folds) == min(k, n_groups)
    every = np.concatenate(folds)
    assert sorted(every.tolist()) == list(range(len(groups)))  # a partition of the issues
    for j, test in enumerate(folds):
        train = np.setdiff1d(np.arange(len(groups)), test)
        assert not set(groups[test]) & set(groups[train]), f"fold {j} shares a proposal"


def test_grouped_folds_are_seeded_and_balanced() -> None:
    groups = _groups(120)
    a, b = grouped_folds(groups, 10, seed=3), grouped_folds(groups, 10, seed=3)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    sizes = [len(f) for f in a]
    assert max(sizes) - min(sizes) <= 5  # no group is larger than 5
    with pytest.raises(RealpolitikError, match="2 folds"):
        grouped_folds(groups, 1)
    with pytest.raises(RealpolitikError, match="2 proposals"):
        grouped_folds(["a", "a"], 2)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(3, 40), m=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_weights_are_non_negative_and_sum_to_one(n: int, m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    F = rng.uniform(0, 100, size=(n, m))
    y = rng.uniform(0, 100, size=n)
    w = fit_weights(F, y)
    assert w.shape == (m,)
    assert np.all(w >= 0)
    assert w.sum() == pytest.approx(1.0, abs=1e-9)
    # optimal among the simplex: no better than any single member (a vertex) is impossible
    best_single = min(np.abs(F[:, j] - y).sum() for j in range(m))
    assert np.abs(F @ w - y).sum() <= best_single + 1e-6


def test_an_exact_member_gets_almost_all_the_weight() -> None:
    rng = np.random.default_rng(1)
    n = 200
    y = rng.uniform(0, 100, size=n)
    exact = y.copy()
    noisy = [np.clip(y + rng.normal(0, s, size=n), 0, 100) for s in (5, 15, 30)]
    biased = np.clip(y + 20, 0, 100)
    F = np.column_stack([noisy[0], exact, noisy[1], biased, noisy[2]])
    w = fit_weights(F, y)
    assert w[1] > 0.99
    groups = np.repeat(np.arange(50), 4).astype(str)
    oof, fold_w = cross_val_predict(F, y, grouped_folds(groups, 5, seed=0))
    assert np.all(fold_w[:, 1] > 0.99)
    assert np.abs(oof - y).mean() < 0.5


def test_conformal_quantile_rank() -> None:
    scores = np.arange(1.0, 10.0)  # 9 scores
    assert conformal_quantile(scores, 0.8) == 8.0  # ceil(10 * 0.8) = 8th smallest
    assert conformal_quantile(scores, 0.9) == 9.0
    assert conformal_quantile(scores[:3], 0.9) == np.inf  # too few for the level
    assert conformal_quantile(np.array([]), 0.8) == np.inf


def test_conformal_coverage_matches_nominal_on_synthetic_data() -> None:
    rng = np.random.default_rng(7)
    n_groups, per = 300, 3
    groups = np.repeat([f"p{g}" for g in range(n_groups)], per)
    n = len(groups)
    truth = rng.uniform(20, 80, size=n)
    y = truth + rng.standard_t(4, size=n) * 8  # heavy tails, continuous
    F = np.column_stack([truth + rng.normal(0, s, size=n) for s in (2, 6, 12)])
    folds = grouped_folds(groups, 10, seed=0)
    inside, half = nested_coverage(F, y, groups, folds, levels=(0.8, 0.9), inner_k=4)
    fixed_inside, _ = nested_coverage(F[:, :1], y, groups, folds, levels=(0.8, 0.9),
                                      stacked=False)
    for level in (0.8, 0.9):
        se = np.sqrt(level * (1 - level) / n)  # binomial sampling error of the share
        share = inside[level].mean()
        assert abs(share - level) < 3 * se + 0.005, (share, level, se)
        assert np.all(np.isfinite(half[level]))
        assert abs(fixed_inside[level].mean() - level) < 3 * se + 0.005


def test_paired_bootstrap_resamples_proposals_and_is_seeded() -> None:
    rng = np.random.default_rng(0)
    groups = np.repeat([f"p{g}" for g in range(80)], 3)
    a = rng.uniform(0, 40, size=len(groups))
    b = a + 2.0 + rng.normal(0, 1, size=len(groups))
    diff, lo, hi = paired_bootstrap(a, b, groups, seed=1, n_boot=500)
    assert diff == pytest.approx(float((a - b).mean()))
    assert lo < diff < hi < 0
    assert paired_bootstrap(a, b, groups, seed=1, n_boot=500) == (diff, lo, hi)
    same = paired_bootstrap(a, a, groups, seed=1, n_boot=200)
    assert same == (0.0, 0.0, 0.0)
    assert np.isnan(paired_bootstrap(a, b, groups, seed=1, n_boot=0)[1])
