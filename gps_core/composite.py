"""Normalization and aggregation choices of a composite index (METHODS 5, COINr / OECD-JRC Handbook).

Used to show how much a ranking depends on arbitrary choices: the same indicators normalized and
aggregated in alternative ways.

References
----------
OECD/JRC (2008), Handbook on Constructing Composite Indicators: Methodology and User Guide.
Becker W. et al., COINr: an R package for developing composite indicators, JOSS 2022.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

Normalization = Literal["minmax", "zscore", "distance_to_target", "rank", "goalposts"]
Aggregation = Literal["arithmetic", "geometric", "harmonic"]


def normalize(
    x,
    method: Normalization = "minmax",
    target: float | None = None,
    goalposts: tuple[float, float] | None = None,
    higher_is_better: bool = True,
) -> np.ndarray:
    """Normalize one indicator across units.

    ``minmax`` to [0, 100]; ``zscore`` with the sample SD; ``distance_to_target`` ``100 x / target``
    capped at 100; ``rank`` percentile rank 0-100; ``goalposts`` ``(low, high)`` to [0, 100], clipped.
    Lower-is-better indicators are flipped first. Vector x = (1, 3, 5, 9, 12): min-max 0, 18.18, 36.36,
    72.73, 100; z-score -1.1180, -0.6708, -0.2236, 0.6708, 1.3416.
    """
    v = np.asarray(x, dtype=float)
    if method == "minmax":
        lo, hi = np.nanmin(v), np.nanmax(v)
        out = 100 * (v - lo) / (hi - lo)
    elif method == "zscore":
        out = (v - np.nanmean(v)) / np.nanstd(v, ddof=1)
    elif method == "distance_to_target":
        if target is None or target == 0:
            raise ValueError("distance_to_target needs a non-zero target")
        out = np.minimum(100 * v / target, 100.0) if higher_is_better else np.minimum(100 * target / v, 100.0)
        return out
    elif method == "rank":
        out = 100 * (pd.Series(v).rank(method="average").to_numpy() - 1) / (np.sum(~np.isnan(v)) - 1)
    elif method == "goalposts":
        if goalposts is None:
            raise ValueError("goalposts needs (low, high)")
        lo, hi = goalposts
        out = np.clip(100 * (v - lo) / (hi - lo), 0, 100)
    else:
        raise ValueError(f"method must be one of minmax, zscore, distance_to_target, rank, goalposts; got {method!r}")
    return out if higher_is_better else (100 - out if method in ("minmax", "rank", "goalposts") else -out)


def aggregate(values, weights, method: Aggregation = "arithmetic") -> np.ndarray:
    """Weighted mean of each row of ``values`` with weights renormalized over the present (non-NaN) items.

    Vector v = (40, 60, 90), w = (1, 2, 1): arithmetic 62.5, geometric 60, harmonic 57.6; with the 60
    missing, arithmetic 65.
    """
    v = np.atleast_2d(np.asarray(values, dtype=float))
    w = np.broadcast_to(np.asarray(weights, dtype=float), v.shape)
    w = np.where(np.isnan(v), 0.0, w)
    ws = w.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "arithmetic":
            out = np.nansum(v * w, axis=1) / ws
        elif method == "geometric":
            if np.any(v[w > 0] <= 0):
                raise ValueError("geometric aggregation needs values > 0")
            out = np.exp(np.nansum(np.log(np.where(w > 0, v, 1.0)) * w, axis=1) / ws)
        elif method == "harmonic":
            if np.any(v[w > 0] <= 0):
                raise ValueError("harmonic aggregation needs values > 0")
            out = ws / np.nansum(np.where(w > 0, w / v, 0.0), axis=1)
        else:
            raise ValueError(f"method must be one of arithmetic, geometric, harmonic; got {method!r}")
    return np.where(ws > 0, out, np.nan)
