"""How well a risk model predicts cost (METHODS 10; Ash et al., the SOA risk-adjuster comparisons).

All metrics take actual cost ``y``, predicted cost ``yhat`` and optional weights (member-months, for
per-member-month costs); a model with no skill scores about 0, a perfect one 1 (predictive ratios: 1.0 is
unbiased).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _w(y, w) -> np.ndarray:
    return np.ones(len(y)) if w is None else np.asarray(w, dtype=float)


def r2(y, yhat, w=None, truncate: float | None = None) -> float:
    """Individual R² ``1 - Σw(y - ŷ)² / Σw(y - ȳ)²``; with ``truncate``, actual costs are capped there
    first (the predictions should come from a model fitted on capped costs)."""
    y, yhat, w = np.asarray(y, float), np.asarray(yhat, float), _w(y, w)
    if truncate is not None:
        y = np.minimum(y, truncate)
    mean = np.sum(w * y) / np.sum(w)
    return float(1 - np.sum(w * (y - yhat) ** 2) / np.sum(w * (y - mean) ** 2))


def cpm(y, yhat, w=None) -> float:
    """Cumming's Prediction Measure ``1 - Σw|y - ŷ| / Σw|y - ȳ|`` (less sensitive to outliers than R²)."""
    y, yhat, w = np.asarray(y, float), np.asarray(yhat, float), _w(y, w)
    mean = np.sum(w * y) / np.sum(w)
    return float(1 - np.sum(w * np.abs(y - yhat)) / np.sum(w * np.abs(y - mean)))


def mape(y, yhat, w=None) -> float:
    """Mean absolute prediction error ``Σw|y - ŷ| / Σw`` (in the unit of the cost)."""
    y, yhat, w = np.asarray(y, float), np.asarray(yhat, float), _w(y, w)
    return float(np.sum(w * np.abs(y - yhat)) / np.sum(w))


def predictive_ratios(df: pd.DataFrame, by: str, actual: str = "cost", predicted: str = "predicted",
                      weight: str | None = None) -> pd.DataFrame:  # fmt: skip
    """Predictive ratio ``Σŷ / Σy`` per group of ``by`` (costs times weights when per member-month), with
    the group's members, weight and both totals. Below 1 the model under-predicts the group (a plan
    would lose money on it), above 1 over-predicts."""
    w = df[weight].to_numpy(float) if weight else np.ones(len(df))
    d = pd.DataFrame({by: df[by].to_numpy(), "w": w, "y": df[actual].to_numpy(float) * w,
                      "yhat": df[predicted].to_numpy(float) * w})  # fmt: skip
    g = d.groupby(by, observed=True, sort=True)
    out = g.agg(members=("y", "size"), weight=("w", "sum"), actual=("y", "sum"), predicted=("yhat", "sum"))
    out["ratio"] = out["predicted"] / out["actual"]
    return out.reset_index()


def deciles(predicted, weight=None) -> np.ndarray:
    """Decile (1-10) of predicted risk, each holding a tenth of the weight (member-months)."""
    p = np.asarray(predicted, float)
    w = _w(p, weight)
    order = np.argsort(p, kind="stable")
    share = np.cumsum(w[order]) / w.sum()
    out = np.empty(len(p), dtype=int)
    out[order] = np.minimum((share * 10 - 1e-12).astype(int) + 1, 10)
    return out
