"""Composite-index alternatives pinned to METHODS 5 (COINr / OECD-JRC Handbook) vectors."""

import numpy as np
import pytest

from gps_core.composite import aggregate, normalize

X = [1, 3, 5, 9, 12]


def test_normalization_vectors():
    assert normalize(X, "minmax") == pytest.approx([0, 18.1818, 36.3636, 72.7273, 100], abs=1e-4)
    assert normalize(X, "zscore") == pytest.approx([-1.1180, -0.6708, -0.2236, 0.6708, 1.3416], abs=1e-4)
    assert normalize(X, "minmax", higher_is_better=False) == pytest.approx(
        [100, 81.8182, 63.6364, 27.2727, 0], abs=1e-4
    )
    assert normalize(X, "distance_to_target", target=10) == pytest.approx([10, 30, 50, 90, 100])
    assert normalize(X, "goalposts", goalposts=(2, 10)) == pytest.approx([0, 12.5, 37.5, 87.5, 100])
    assert normalize(X, "rank") == pytest.approx([0, 25, 50, 75, 100])
    with pytest.raises(ValueError, match="method must be one of"):
        normalize(X, "logistic")


def test_aggregation_vectors():
    v, w = [40, 60, 90], [1, 2, 1]
    assert aggregate(v, w, "arithmetic")[0] == pytest.approx(62.5)
    assert aggregate(v, w, "geometric")[0] == pytest.approx(60.0)
    assert aggregate(v, w, "harmonic")[0] == pytest.approx(57.6)
    assert aggregate([40, np.nan, 90], w)[0] == pytest.approx(65.0)  # weights renormalized over present items
    with pytest.raises(ValueError, match="values > 0"):
        aggregate([0, 60, 90], w, "geometric")
