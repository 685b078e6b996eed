"""Integer group keys of tidy tables: which rows share a unit, a unit-month or a unit-month-indicator.

A pandas group-by over several categorical columns hashes tuples of codes row by row. The columns of a
validated table are categoricals (or few distinct dates), so their codes can be combined arithmetically
(mixed radix, ``key = key * size + code``) and made dense with one counting pass: linear in the rows, no
hashing, no sort. The codes follow the categories' order, so :func:`group` numbers groups exactly as
``DataFrame.groupby(columns, observed=True, sort=True).ngroup()`` does.

Keys are ``intp``, the type numpy indexes and counts with: a narrower key would be converted, a full copy,
at every ``bincount``, ``take`` or fancy index that reads it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def codes(s: pd.Series) -> tuple[np.ndarray, int]:
    """Code of each row in the sorted order of the column's values, and the number of codes.

    A categorical gives its own codes (categories in their order, in their small integer type); any other
    column is factorized, sorted. A missing value gets code 0, before every value, so that it is a group of
    its own.
    """
    c, k = _unshifted(s)
    return (c.astype(np.int64) if k >= np.iinfo(c.dtype).max else c) + 1, k


def _unshifted(s: pd.Series) -> tuple[np.ndarray, int]:
    """:func:`codes` before the shift by one: -1 for a missing value (a categorical's own codes, no copy)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy(), len(s.cat.categories) + 1
    c, uniq = pd.factorize(s, sort=True, use_na_sentinel=True)
    return c, len(uniq) + 1


def dense(key: np.ndarray, size: int) -> tuple[np.ndarray, int]:
    """Renumber keys in ``[0, size)`` as ``0..n_groups-1``, keeping their order.

    A counting pass when ``size`` is at most a few times the rows; a hash when the keys are sparse.
    """
    if size <= max(4 * len(key), 1 << 16):
        seen = np.zeros(size, dtype=bool)
        seen[key] = True
        at = np.cumsum(seen, dtype=np.intp)
        at -= 1
        return at[key], int(at[-1] + 1) if size else 0
    c, uniq = pd.factorize(key, sort=True)
    return c.astype(np.intp, copy=False), len(uniq)


Column = str | tuple[np.ndarray, int]


def combined(df: pd.DataFrame, columns: list[Column]) -> tuple[np.ndarray, int]:
    """One integer key per row over ``columns``, in ``[0, size)``, equal for equal rows and ordered as the
    sorted rows; not dense (``size`` may pass the number of groups). Keys are made dense whenever the next
    product would pass the rows' scale, so they never overflow whatever the number of categories.

    A column is a name, or codes already computed with their count, as :func:`codes` returns them.
    """
    cap = max(len(df), 1 << 16)
    key, size = np.zeros(len(df), dtype=np.intp), 1
    for col in columns:
        # A column's codes are shifted by one inside the key (as codes() numbers them): no shifted copy.
        (c, k), shift = (_unshifted(df[col]), 1) if isinstance(col, str) else (col, 0)
        if size * k > cap:
            key, size = dense(key, size)
        key *= k  # in place: one array for the whole key
        key += c
        if shift:
            key += shift
        size *= k
    return key, size


def group(df: pd.DataFrame, columns: list[Column]) -> tuple[np.ndarray, int]:
    """Group number of each row over ``columns`` (0-based, in sorted order) and the number of groups.

    Equal to ``df.groupby(columns, observed=True, sort=True, dropna=False).ngroup()`` with missing values
    sorted first.
    """
    return dense(*combined(df, columns))


def repeated(df: pd.DataFrame, columns: list[Column]) -> np.ndarray:
    """Rows whose values in ``columns`` occur more than once: ``df.duplicated(columns, keep=False)``."""
    key, size = combined(df, columns)
    if size > 4 * len(key):  # a key space far wider than the rows: counted over the groups, not the space
        key, size = dense(key, size)
    return (np.bincount(key, minlength=size) > 1)[key]


def first_rows(key: np.ndarray, n: int) -> np.ndarray:
    """The position of the first row of each of the ``n`` groups numbered by ``key``."""
    first = np.empty(n, dtype=np.int64)
    # Later writes win: written from the last row back, each group ends with its first row.
    # int32 positions when they fit: the one full-length array here, written once and read once
    first[key[::-1]] = np.arange(len(key) - 1, -1, -1, dtype=np.int32 if len(key) < 2**31 else np.int64)
    return first
