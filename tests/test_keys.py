"""Integer group keys (gps_core.keys) against the pandas operations they replace, on generated tables:
categoricals with unused and missing categories, dates, text, and enough categories to force the keys
dense midway and to fall back to hashing."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gps_core import keys


def table(seed: int, rows: int, width: int, blanks: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cats = [f"u{k:05d}" for k in range(width)]
    unit = pd.Categorical(rng.choice(cats, rows), categories=cats[::-1] + ["unused"])  # order is not alphabetical
    client = pd.Categorical(rng.choice(["b", "a", "c"], rows))
    if blanks:
        unit[rng.random(rows) < 0.05] = np.nan
        client[rng.random(rows) < 0.05] = np.nan
    month = pd.to_datetime("2015-01-01") + pd.to_timedelta(rng.integers(0, 12, rows) * 31, unit="D")
    text = rng.choice(["x", "y", "z", "w"], rows).astype(object)
    return pd.DataFrame(
        {"client": client, "unit": unit, "period": month, "text": text, "ind": rng.integers(0, 50, rows)}
    )


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 10_000),
    st.integers(0, 3_000),
    st.sampled_from([1, 7, 400, 20_000]),
    st.booleans(),
    st.permutations(["client", "unit", "period", "text", "ind"]),
    st.integers(1, 5),
)
def test_group_numbers_rows_as_a_sorted_groupby(seed, rows, width, blanks, order, n):
    df = table(seed, rows, width, blanks)
    cols = list(order[:n])
    got, n_groups = keys.group(df, cols)
    want = df.groupby(cols, observed=True, sort=True, dropna=False).ngroup().to_numpy()
    # pandas sorts a missing value last, keys first: compare the partition and, without blanks, the numbers
    assert n_groups == (want.max() + 1 if rows else 0)
    assert pd.crosstab(got, want).gt(0).sum(axis=1).eq(1).all() if rows else True
    if not blanks or not set(cols) & {"client", "unit"}:
        assert np.array_equal(got, want)
    assert np.array_equal(keys.repeated(df, cols), df.duplicated(cols, keep=False).to_numpy())
    first = keys.first_rows(got, n_groups)
    assert np.array_equal(got[first], np.arange(n_groups))
    assert (first == pd.Series(np.arange(rows)).groupby(got).min().to_numpy()).all() if rows else True


def test_codes_given_by_the_caller_count_as_a_column():
    df = table(1, 500, 30, False)
    c, k = keys.codes(df["period"])
    assert np.array_equal(
        keys.repeated(df, ["unit", (c, k), "ind"]), df.duplicated(["unit", "period", "ind"], keep=False)
    )


@pytest.mark.parametrize("size", [10, 1 << 20, 1 << 40])
def test_dense_keeps_the_order_of_sparse_keys(size):
    key = np.array([size - 1, 0, 3, size - 1, 3], dtype=np.int64) % size
    got, n = keys.dense(key, size)
    assert n == len(np.unique(key)) and np.array_equal(got, np.unique(key, return_inverse=True)[1])
