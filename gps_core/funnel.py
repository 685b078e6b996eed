"""Funnel plots: control limits by unit size, overdispersion and outlier flags (METHODS 7).

Each unit has a transformed value ``Y`` whose standard error ``s`` depends only on its size, a target
``theta0`` and a z-score ``(Y - theta0) / s``; the limits are ``theta0 +/- q s(n)`` back-transformed:

============  =============  ==============  ================================  =======
data          Y              s               theta0                            back
============  =============  ==============  ================================  =======
PR            asin sqrt(O/n) 1 / (2 sqrt n)  asin sqrt(p), p = sum O / sum n   sin^2
SR, "CQC"     sqrt(O/E)      1 / (2 sqrt E)  1                                 square
SR, "SHMI"    log(O/E)       1 / sqrt E      0                                 exp
============  =============  ==============  ================================  =======

Unadjusted ratio limits are the smooth Poisson limits ``chi2_{a/2}(2E) / 2E``, ``chi2_{1-a/2}(2(E+1)) / 2E``.
Overdispersion (``od_adjust``): z is winsorized at its 10th and 90th percentiles (SHMI instead truncates the
top and bottom 10 % by rank group, as NHS Digital does); ``phi = sum z^2 / n``; when ``phi > 1`` the
DerSimonian-Laird ``tau2 = max(0, (n phi - (n - 1)) / (sum w - sum w^2 / sum w))``, ``w = 1 / s^2``, and the
limits become ``theta0 +/- q sqrt(s^2 + tau2)``. A unit outside the limits is an outlier; on the limit is inside.

References
----------
Spiegelhalter D.J. (2005) Funnel plots for comparing institutional performance. Stat Med 24:1185-1202.
Spiegelhalter D.J. (2005) Handling over-dispersion of performance indicators. Qual Saf Health Care 14:347-351.
Spiegelhalter D.J. et al. (2012) Statistical methods for healthcare regulation. JRSS A 175:1-47.
NHS-R Community, FunnelPlotR (R package): ``funnel_plot``, ``limits``, ``outliers``, ``phi``, ``tau2``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats as sps

from . import stats
from .errors import InputError

DataType = Literal["SR", "PR"]
SRMethod = Literal["SHMI", "CQC"]
LIMITS = {95: 1.959963984540054, 99.8: 3.090232306167813}


def _q(limit: float) -> float:
    if limit not in LIMITS:
        raise ValueError(f"limit must be one of {sorted(LIMITS)} (per cent), got {limit!r}")
    return LIMITS[limit]


def _check(o: np.ndarray, n: np.ndarray, units: np.ndarray, data_type: str, source: str) -> None:
    problems = []
    bad = ~np.isfinite(o) | (o < 0)
    problems += [f"unit {u}: numerator {v:g} must be a count >= 0" for u, v in zip(units[bad], o[bad], strict=True)]
    bad = ~np.isfinite(n) | (n <= 0)
    problems += [f"unit {u}: denominator {v:g} must be > 0" for u, v in zip(units[bad], n[bad], strict=True)]
    if data_type == "PR":
        bad = np.isfinite(o) & np.isfinite(n) & (o > n)
        problems += [
            f"unit {u}: numerator {a:g} exceeds denominator {b:g}, not a proportion"
            for u, a, b in zip(units[bad], o[bad], n[bad], strict=True)
        ]
    if len(np.unique(units)) != len(units):
        problems.append("unit names repeat: aggregate to one row per unit first")
    if problems:
        raise InputError(problems + ["fix or drop these units before drawing the funnel"], source)


def _transform(o, n, data_type: str, sr_method: str):
    """Y, s and theta0 of each unit (the table in the module docstring)."""
    with np.errstate(divide="ignore"):
        if data_type == "PR":
            return np.arcsin(np.sqrt(o / n)), 1 / (2 * np.sqrt(n)), float(np.arcsin(np.sqrt(o.sum() / n.sum())))
        if sr_method == "SHMI":
            return np.log(o / n), 1 / np.sqrt(n), 0.0
        return np.sqrt(o / n), 1 / (2 * np.sqrt(n)), 1.0


def _back(y, data_type: str, sr_method: str):
    if data_type == "PR":
        return np.sin(np.clip(y, 0, np.pi / 2)) ** 2
    if sr_method == "SHMI":
        return np.exp(y)
    return np.maximum(y, 0) ** 2


def _kept(z: np.ndarray, sr_method: str, data_type: str, trim: float) -> tuple[np.ndarray, np.ndarray]:
    """The z-scores used for phi and which units they are: winsorized, or for SHMI truncated by rank group
    (NHS Digital's method, which drops units rather than pulling them in)."""
    keep = np.isfinite(z)
    if data_type == "SR" and sr_method == "SHMI":
        k = round(1 / trim)
        group = np.full(z.shape, -1.0)
        group[keep] = np.floor(sps.rankdata(z[keep]) * k / (keep.sum() + 1))
        keep &= (group > 0) & (group < k - 1)
        return z[keep], keep
    lo, hi = np.quantile(z[keep], [trim, 1 - trim])
    return np.clip(z[keep], lo, hi), keep


def dispersion(z: np.ndarray, s: np.ndarray, data_type: str, sr_method: str, trim: float = 0.1) -> tuple[float, float]:
    """``(phi, tau2)`` of unadjusted z-scores with standard errors ``s`` (METHODS 7).

    Vector (SHMI, O = 100, 150, 180, 80, 120, 225; E = 108, 112, 165, 95, 100, 220): phi = 2.948033175,
    tau2 = 0.01947753058.
    """
    zk, keep = _kept(np.asarray(z, float), sr_method, data_type, trim)
    s = np.asarray(s, float)[keep]  # SHMI's truncation drops units: phi and tau2 use the ones kept
    n = len(zk)
    if n < 2:
        return float("nan"), 0.0
    phi = float(np.sum(zk**2) / n)
    w = 1 / s**2
    tau2 = max(0.0, (n * phi - (n - 1)) / (w.sum() - (w**2).sum() / w.sum())) if phi > 1 else 0.0
    return phi, float(tau2)


def limits(
    denominator,
    limit: float = 95,
    data_type: DataType = "SR",
    sr_method: SRMethod = "SHMI",
    target: float | None = None,
    tau2: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper funnel limits on the value scale at each denominator (E for SR, n for PR).

    ``target`` is the proportion p for PR (required) and ignored for SR (1). ``tau2 = 0`` gives the
    unadjusted limits: smooth Poisson for SR (vector, 95 %, E = 15: [.5596924, 1.649348]), the
    arcsine-normal limits for PR.
    """
    n = np.asarray(denominator, dtype=float)
    q = _q(limit)
    if data_type == "SR" and tau2 == 0:
        a = (1 - limit / 100) / 2
        return sps.chi2.ppf(a, 2 * n) / (2 * n), sps.chi2.ppf(1 - a, 2 * (n + 1)) / (2 * n)
    if data_type == "PR":
        if target is None:
            raise ValueError("proportion limits need the target proportion")
        theta, s = float(np.arcsin(np.sqrt(target))), 1 / (2 * np.sqrt(n))
    else:
        theta, s = (0.0, 1 / np.sqrt(n)) if sr_method == "SHMI" else (1.0, 1 / (2 * np.sqrt(n)))
    half = q * np.sqrt(s**2 + tau2)
    return _back(theta - half, data_type, sr_method), _back(theta + half, data_type, sr_method)


def funnel_data(
    numerator,
    denominator,
    data_type: DataType = "SR",
    sr_method: SRMethod = "SHMI",
    od_adjust: bool = True,
    limit: float = 95,
    units=None,
    trim: float = 0.1,
    source: str = "funnel input",
) -> pd.DataFrame:
    """One row per unit: its value, funnel limits at its size, z-score and outlier flag (METHODS 7).

    Parameters
    ----------
    numerator, denominator
        Observed and expected counts (``data_type="SR"``, an indirectly standardized ratio O/E) or events
        and cases (``"PR"``, a proportion).
    data_type, sr_method
        ``"SR"`` or ``"PR"``; for SR the transformation, ``"SHMI"`` (log, NHS Digital) or ``"CQC"`` (square root).
    od_adjust
        Widen the limits by the between-unit variance tau2 when the units are overdispersed (phi > 1).
    limit
        95 or 99.8 (per cent).
    units
        Unit names (default 0..n-1).
    trim
        Share winsorized (truncated for SHMI) at each end before phi is estimated.

    Returns
    -------
    DataFrame
        ``unit, numerator, denominator, value, lower, upper, z, outlier, ci_lower, ci_upper`` where
        ``ci_*`` is the unit's own 95 % interval (METHODS 6: Wilson for PR, exact/Byar O / E for SR).
        ``attrs`` carry ``phi``, ``tau2``, ``target`` (value scale), ``limit``, ``od_adjusted``, ``method``.

    Examples
    --------
    SHMI, O = (100, 150, 180, 80, 120, 225), E = (108, 112, 165, 95, 100, 220): phi = 2.948033175,
    tau2 = 0.01947753058, 95 % limits at E = 108 [.7173067493, 1.394103709] (METHODS 7).
    """
    if data_type not in ("SR", "PR"):
        raise ValueError(f"data_type must be 'SR' or 'PR', got {data_type!r}")
    if sr_method not in ("SHMI", "CQC"):
        raise ValueError(f"sr_method must be 'SHMI' or 'CQC', got {sr_method!r}")
    _q(limit)
    o = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    if o.shape != n.shape or o.ndim != 1:
        raise ValueError("numerator and denominator must be 1-d and the same length")
    names = np.arange(len(o)) if units is None else np.asarray(units)
    if len(names) != len(o):
        raise ValueError("units must have one name per numerator")
    if len(o) < 2:
        raise InputError([f"{len(o)} unit(s): a funnel needs at least 2"], source)
    _check(o, n, names, data_type, source)
    y, s, theta = _transform(o, n, data_type, sr_method)
    z0 = (y - theta) / s
    phi, tau2 = dispersion(z0, s, data_type, sr_method, trim)
    tau2 = tau2 if od_adjust else 0.0
    target = float(o.sum() / n.sum()) if data_type == "PR" else 1.0
    lo, hi = limits(n, limit, data_type, sr_method, target, tau2)
    value = o / n
    if data_type == "PR":
        ci = stats.wilson(o, n)
    else:
        blo, bhi = stats.byar(o)
        ci = blo / n, bhi / n
    out = pd.DataFrame(
        {
            "unit": names,
            "numerator": o,
            "denominator": n,
            "value": value,
            "lower": lo,
            "upper": hi,
            "z": (y - theta) / np.sqrt(s**2 + tau2),
            "outlier": (value < lo) | (value > hi),
            "ci_lower": ci[0],
            "ci_upper": ci[1],
        }
    )
    out.attrs.update(
        phi=phi,
        tau2=tau2,
        target=target,
        limit=limit,
        od_adjusted=bool(tau2 > 0),
        method=f"{data_type}{'/' + sr_method if data_type == 'SR' else ''}",
    )
    return out


def curves(data: pd.DataFrame, points: int = 200, levels=(95, 99.8)) -> pd.DataFrame:
    """The limit lines behind a funnel chart: ``denominator, level, lower, upper``, on a log-spaced grid
    from the smallest to the largest unit of ``data`` (a ``funnel_data`` result), with its tau2."""
    a = data.attrs
    kind, _, method = a["method"].partition("/")
    lo_n, hi_n = float(data["denominator"].min()), float(data["denominator"].max())
    grid = np.geomspace(max(lo_n * 0.8, 1e-9), hi_n * 1.1, points)
    rows = []
    for lev in levels:
        lo, hi = limits(grid, lev, kind, method or "SHMI", a["target"], a["tau2"])
        rows.append(pd.DataFrame({"denominator": grid, "level": lev, "lower": lo, "upper": hi}))
    return pd.concat(rows, ignore_index=True)
