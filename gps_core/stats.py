"""Confidence intervals and standardized rates for indicators (METHODS 6, as PHEindicatormethods).

Every function returns a tidy frame that describes itself: ``value``, ``lower``, ``upper``, plus
``confidence``, ``statistic`` and ``method`` columns. ``confidence`` is accepted as 0.95 or 95.

References
----------
Wilson E.B. (1927) Probable inference, the law of succession, and statistical inference. JASA 22:209-212.
Breslow N.E., Day N.E. (1987) Statistical methods in cancer research, vol. II (Byar's approximation).
Dobson A.J. et al. (1991) Confidence intervals for weighted sums of Poisson parameters. Stat Med 10:457-462.
UKHSA, PHEindicatormethods (R package): phe_proportion, calculate_dsr, calculate_ISRatio.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats


def _z(confidence: float) -> tuple[float, float]:
    """Normalize a confidence given as 0.95 or 95 and return it with its two-sided z."""
    c = confidence / 100 if confidence > 1 else confidence
    if not 0.9 <= c < 1:
        raise ValueError(f"confidence must be between 0.9 and 1 (or 90 and 100), got {confidence}")
    return c, float(stats.norm.ppf(1 - (1 - c) / 2))


def _counts(x, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if np.any(a < 0):
        raise ValueError(f"{name} must be counts >= 0")
    return a


def wilson(x, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits of a proportion x/n (vector: 65/100 -> [.5525444330, .7363575176])."""
    x, n = _counts(x, "numerators"), _counts(n, "denominators")
    if np.any(x > n):
        raise ValueError("numerators must be less than or equal to denominators for a proportion")
    _, z = _z(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        root = z * np.sqrt(z * z + 4 * x * (1 - x / n))
        lo = (2 * x + z * z - root) / (2 * (n + z * z))
        hi = (2 * x + z * z + root) / (2 * (n + z * z))
    return np.where(n > 0, lo, np.nan), np.where(n > 0, hi, np.nan)


def exact_poisson(x, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (chi-square) limits of a Poisson count: chi2_{a/2}(2x)/2, chi2_{1-a/2}(2x+2)/2."""
    x = _counts(x, "counts")
    c, _ = _z(confidence)
    a = 1 - c
    lo = np.where(x > 0, stats.chi2.ppf(a / 2, 2 * np.maximum(x, 1e-300)) / 2, 0.0)
    hi = stats.chi2.ppf(1 - a / 2, 2 * x + 2) / 2
    return lo, hi


def byar(x, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's limits of a Poisson count, exact below 10 (vector: 65 -> [50.16318771, 82.84913855])."""
    x = _counts(x, "counts")
    _, z = _z(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
        hi = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    elo, ehi = exact_poisson(x, confidence)
    small = x < 10
    return np.where(small, elo, lo), np.where(small, ehi, hi)


def proportion(x, n, confidence: float = 0.95, multiplier: float = 1.0) -> pd.DataFrame:
    """Proportions with Wilson intervals, one row per input."""
    lo, hi = wilson(x, n, confidence)
    c, _ = _z(confidence)
    x, n = np.asarray(x, float), np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(n > 0, x / n, np.nan)
    return pd.DataFrame(
        {
            "numerator": x,
            "denominator": n,
            "value": value * multiplier,
            "lower": lo * multiplier,
            "upper": hi * multiplier,
            "confidence": c,
            "statistic": f"proportion of {multiplier:g}",
            "method": "Wilson",
        }
    )


def rate(
    x, n, confidence: float = 0.95, multiplier: float = 100_000.0, method: Literal["byar", "exact"] = "byar"
) -> pd.DataFrame:
    """Crude rates x/n x multiplier with Byar (exact below 10) or exact Poisson limits."""
    if method not in ("byar", "exact"):
        raise ValueError(f"method must be 'byar' or 'exact', got {method!r}")
    lo, hi = (byar if method == "byar" else exact_poisson)(x, confidence)
    c, _ = _z(confidence)
    x, n = np.asarray(x, float), np.asarray(n, float)
    if np.any(n <= 0):
        raise ValueError("denominators must be > 0 for a rate")
    return pd.DataFrame(
        {
            "numerator": x,
            "denominator": n,
            "value": x / n * multiplier,
            "lower": lo / n * multiplier,
            "upper": hi / n * multiplier,
            "confidence": c,
            "statistic": f"rate per {multiplier:g}",
            "method": "Byar" if method == "byar" else "Exact",
        }
    )


def dsr(x, n, standard, confidence: float = 0.95, multiplier: float = 100_000.0) -> pd.DataFrame:
    """Directly standardized rate with Dobson limits for one population (strata in the arrays).

    ``DSR = sum(x_i w_i / n_i) / sum(w_i)``; ``Var = sum(x_i (w_i / n_i)^2) / (sum w)^2``;
    ``CI = DSR + sqrt(Var / O) (Byar_{L,U}(O) - O)``. Not reported (NaN) when O < 10.
    Vector (ESP2013, 19 bands): O = 895 -> 10430.24799 [9717.709068, 11178.94092].
    """
    x, n, w = (np.asarray(a, float) for a in (x, n, standard))
    if not (x.shape == n.shape == w.shape):
        raise ValueError("x, n and the standard population must have one value per stratum")
    if np.any(n <= 0):
        raise ValueError("every stratum needs a population > 0")
    o = x.sum()
    value = (x * w / n).sum() / w.sum()
    var = (x * (w / n) ** 2).sum() / w.sum() ** 2
    lo_o, hi_o = byar(o, confidence)
    lo = value + np.sqrt(var / o) * (lo_o - o) if o > 0 else np.nan
    hi = value + np.sqrt(var / o) * (hi_o - o) if o > 0 else np.nan
    c, _ = _z(confidence)
    ok = o >= 10
    return pd.DataFrame(
        {
            "total_count": [o],
            "total_pop": [n.sum()],
            "value": [value * multiplier if ok else np.nan],
            "lower": [lo * multiplier if ok else np.nan],
            "upper": [hi * multiplier if ok else np.nan],
            "confidence": [c],
            "statistic": [f"dsr per {multiplier:g}"],
            "method": ["Dobson" if ok else "not reported: fewer than 10 events"],
        }
    )


def isr(x, n, ref_x, ref_n, confidence: float = 0.95, multiplier: float = 1.0) -> pd.DataFrame:
    """Indirectly standardized ratio O/E with exact/Byar limits of O divided by E.

    ``E = sum(ref_x_i / ref_n_i x n_i)``. Vector: O = 895, E = 835.8835612 -> 1.070723294
    [1.001714771, 1.143233287].
    """
    x, n, rx, rn = (np.asarray(a, float) for a in (x, n, ref_x, ref_n))
    if np.any(rn <= 0):
        raise ValueError("every reference stratum needs a population > 0")
    o, e = x.sum(), (rx / rn * n).sum()
    lo, hi = byar(o, confidence)
    c, _ = _z(confidence)
    return pd.DataFrame(
        {
            "observed": [o],
            "expected": [e],
            "value": [o / e * multiplier],
            "lower": [lo / e * multiplier],
            "upper": [hi / e * multiplier],
            "confidence": [c],
            "statistic": ["indirectly standardized ratio"],
            "method": ["Byar" if o >= 10 else "Exact"],
        }
    )


def indicator_interval(
    numerator, denominator, unit, multiplier, expected=None, reference_rate=None, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interval of each indicator value by its kind, for display beside the value.

    - ``percent``: Wilson on numerator / denominator;
    - counts per denominator (``per_1000``, ``ratio``, ``days``): Byar on the numerator (exact below 10), the
      count treated as Poisson (for length of stay an approximation: patient-days are overdispersed);
    - risk-adjusted rows (``expected`` given): Byar on O, divided by E, times the reference rate (the
      interval of an indirectly standardized ratio);
    - ``nps`` and rows without cases: NaN.

    Returns ``(lower, upper, method)`` arrays on the indicator's own scale.
    """
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    unit = np.asarray(unit, dtype=object)
    mult = np.broadcast_to(np.asarray(multiplier, dtype=float), x.shape)
    e = np.full(x.shape, np.nan) if expected is None else np.asarray(expected, dtype=float)
    r = np.full(x.shape, np.nan) if reference_rate is None else np.asarray(reference_rate, dtype=float)
    lo, hi = np.full(x.shape, np.nan), np.full(x.shape, np.nan)
    method = np.full(x.shape, "", dtype=object)
    ok = (n > 0) & ~np.isnan(x) & (x >= 0)
    adj = ok & ~np.isnan(e) & (e > 0)
    prop = ok & ~adj & (unit == "percent") & (x <= n)
    count = ok & ~adj & np.isin(unit, ["per_1000", "ratio", "days"])
    if prop.any():
        a, b = wilson(x[prop], n[prop], confidence)
        lo[prop], hi[prop], method[prop] = a * mult[prop], b * mult[prop], "Wilson"
    for mask, scale, name in ((count, n, "Byar"), (adj, e / np.where(np.isnan(r), 1, r), "Byar on O/E")):
        if mask.any():
            a, b = byar(x[mask], confidence)
            lo[mask], hi[mask], method[mask] = a / scale[mask] * mult[mask], b / scale[mask] * mult[mask], name
    return lo, hi, method
