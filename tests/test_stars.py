"""Star tiers: the CMS summary-score vector (METHODS 4), seeded k-means, and the exact 1-D optimum."""

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gps_core.stars import (
    cms_star_tiers,
    exact_star_tiers,
    optimal_partition,
    standardize,
    star_summary_score,
    within_ss,
)


def test_summary_score_vector():
    """METHODS 4: safety missing -> weights .2821/.2821/.2821/.1538 -> 0.412821."""
    g = pd.DataFrame(
        {
            "mortality": [0.5],
            "safety": [np.nan],
            "readmission": [-0.2],
            "patient_experience": [1.0],
            "timely_effective": [0.3],
        }
    )
    assert star_summary_score(g).iloc[0] == pytest.approx(0.412821, abs=1e-6)


def test_standardize_flips_lower_is_better():
    z = standardize(pd.DataFrame({"mort": [0.1, 0.2, 0.3], "exp": [1.0, 2.0, 3.0]}), [True, False])
    assert z["mort"].tolist() == pytest.approx([1, 0, -1]) and z["exp"].tolist() == pytest.approx([-1, 0, 1])


def test_well_separated_clusters_get_the_obvious_stars():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(c, 0.05, 40) for c in (-2, -1, 0, 1, 2)])
    km, ex = cms_star_tiers(x), exact_star_tiers(x)
    assert (km == np.repeat([1, 2, 3, 4, 5], 40)).all() and (ex == km).all()


def _brute_force(x, k=5):
    xs = np.sort(x)
    best = np.inf
    for cuts in itertools.combinations(range(1, len(xs)), k - 1):
        parts = np.split(xs, cuts)
        best = min(best, sum(((p - p.mean()) ** 2).sum() for p in parts))
    return best


@pytest.mark.filterwarnings("ignore:Number of distinct clusters")  # near-equal floats from hypothesis
@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-10, 10, allow_nan=False), min_size=6, max_size=10, unique=True))
def test_dynamic_programming_is_optimal_and_never_worse_than_kmeans(xs):
    x = np.array(xs)
    _, cost = optimal_partition(x, 5)
    assert cost == pytest.approx(_brute_force(x), abs=1e-9)
    if len(np.unique(x)) >= 5:
        assert within_ss(x, exact_star_tiers(x)) <= within_ss(x, cms_star_tiers(x)) + 1e-9


def test_peer_groups_are_rated_separately_and_bad_input_refused():
    x = pd.Series(np.r_[np.arange(10.0), 100 + np.arange(10.0)])
    peers = np.repeat(["three_groups", "five_groups"], 10)
    stars = cms_star_tiers(x, peers)
    assert stars.iloc[:10].min() == 1 and stars.iloc[10:].min() == 1  # each peer group has its own 1-star
    with pytest.raises(ValueError, match="NaN"):
        cms_star_tiers([1.0, np.nan, 2, 3, 4, 5])
    with pytest.raises(ValueError, match="5 distinct"):
        exact_star_tiers([1.0, 1, 2, 2, 3])


def _quadratic(x, k=5):
    """The plain O(k n^2) dynamic programme (the method as Wang and Song state it), for mid-size checks."""
    xs = np.sort(np.asarray(x, float))
    xs = xs - xs.mean()  # the sums of squares are shift-free; centred, they keep their digits
    n = len(xs)
    c1, c2 = np.r_[0, np.cumsum(xs)], np.r_[0, np.cumsum(xs * xs)]
    sse = lambda i, j: c2[j + 1] - c2[i] - (c1[j + 1] - c1[i]) ** 2 / (j - i + 1)  # noqa: E731
    cost = np.array([sse(0, j) for j in range(n)])
    for g in range(1, k):
        new = np.full(n, np.inf)
        for j in range(g, n):
            i = np.arange(g, j + 1)
            new[j] = np.min(cost[i - 1] + sse(i, j))
        cost = new
    return cost[-1]


@pytest.mark.parametrize("seed", range(6))
def test_divide_and_conquer_equals_the_quadratic_programme_with_ties_and_skew(seed):
    """The O(n log n) layers (monotone split points) against the plain programme on 300 values: normal,
    skewed, heavily tied and clustered samples."""
    rng = np.random.default_rng(seed)
    x = [rng.normal(size=300), rng.lognormal(0, 1.5, 300), rng.integers(0, 12, 300).astype(float),
         np.r_[rng.normal(0, 0.01, 290), rng.normal(50, 1, 10)], rng.normal(size=7),
         1e6 + rng.normal(size=300)][seed]  # fmt: skip
    labels, cost = optimal_partition(x, 5)
    assert cost == pytest.approx(_quadratic(x), rel=1e-9, abs=1e-9)
    assert within_ss(x, labels) == pytest.approx(cost, rel=1e-9, abs=1e-9)
    assert (np.diff(labels[np.argsort(x, kind="stable")]) >= 0).all() and labels.max() == 4  # contiguous
