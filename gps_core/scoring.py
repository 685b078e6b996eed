"""Scoring rules: ideal bands, CMS HVBP points and MIPS decile points (METHODS 2-4).

Every function is vectorized: arrays or Series in, the same shape out, NaN where an input is missing.
Rounding is round-half-up, ``RHU(x) = floor(x + 0.5)``, as CMS specifies; Python's ``round`` is banker's
rounding and gives wrong points (e.g. 010033 MORT-30-PN).

References
----------
CMS, Hospital Value-Based Purchasing Program, FY2024 final rule (42 CFR 412.160-412.167), scoring
methodology: achievement threshold, benchmark, achievement/improvement ranges, consistency points,
linear exchange function.
CMS, Quality Payment Program, MIPS quality benchmarks (decile method).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from .catalog import parse_tiers

ArrayLike = np.ndarray | pd.Series | list | float

DOMAINS = ("clinical_outcomes", "person_and_community_engagement", "safety", "efficiency_and_cost_reduction")


def _arr(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _like(template: ArrayLike, values: np.ndarray, name: str | None = None):
    """Return ``values`` shaped like ``template``: a Series keeps its index, a scalar stays scalar."""
    if isinstance(template, pd.Series):
        return pd.Series(values, index=template.index, name=name or template.name)
    if np.ndim(template) == 0:
        return values.item() if np.ndim(values) == 0 else values
    return values


def rhu(x: ArrayLike) -> np.ndarray:
    """Round half up, ``floor(x + 0.5)``; inputs are first rounded to 9 decimals so that float noise
    such as ``2.4999999999`` for an exact ``2.5`` cannot move a point."""
    return np.floor(np.round(_arr(x), 9) + 0.5)


# --------------------------------------------------------------------------------------------------
# Ideal bands (METHODS 2)


def linear_band(value: ArrayLike, floor: ArrayLike, target: ArrayLike) -> np.ndarray:
    """Fraction of the weight earned under a linear band: 0 at ``floor``, 1 at ``target``.

    The ratio form ``(v - floor) / (target - floor)`` works for both polarities (``target < floor`` is
    lower-is-better). NHS QOF vector: floor 40, target 90, value 65 -> 0.5.
    """
    v, f, t = _arr(value), _arr(floor), _arr(target)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        x = np.subtract(v, f)
        if x.ndim == 0:
            return np.clip(x / (t - f), 0.0, 1.0)
        x /= np.subtract(t, f)  # in place: over millions of rows each temporary array costs
        return np.clip(x, 0.0, 1.0, out=x)


def range_band(
    value: ArrayLike, floor: ArrayLike, target: ArrayLike, target_high: ArrayLike, floor_high: ArrayLike
) -> np.ndarray:
    """Two-sided range: 1 inside ``[target, target_high]``, falling linearly to 0 at ``floor`` and
    ``floor_high``."""
    v = _arr(value)
    lo = linear_band(v, floor, target)
    hi = linear_band(v, floor_high, target_high)
    return np.where(np.isnan(v), np.nan, np.minimum(lo, hi))


def tier_band(
    value: ArrayLike, thresholds: np.ndarray, fractions: np.ndarray, lower_is_better: ArrayLike
) -> np.ndarray:
    """Step tiers: a value at least as good as threshold ``k`` earns ``fractions[k]`` (first match, best
    first); worse than every threshold earns 0.

    ``thresholds`` and ``fractions`` are ``(n, K)`` (or ``(K,)`` for one rule), padded with NaN.
    GPS paper vector: tiers 7.74:1 | 14:0.8 | 21:0.6 (lower is better), 20.29 days -> 0.6.
    """
    v = _arr(value)
    thr = np.broadcast_to(np.atleast_2d(_arr(thresholds)), (v.size, np.shape(thresholds)[-1]))
    frac = np.broadcast_to(np.atleast_2d(_arr(fractions)), thr.shape)
    low = np.broadcast_to(np.asarray(lower_is_better, dtype=bool), v.shape).reshape(-1, 1)
    vv = v.reshape(-1, 1)
    hit = np.where(low, vv <= thr, vv >= thr)  # NaN thresholds compare False: padding never matches
    first = np.argmax(hit, axis=1)
    earned = np.where(hit.any(axis=1), frac[np.arange(v.size), first], 0.0)
    return np.where(np.isnan(v.reshape(-1)), np.nan, earned).reshape(v.shape)


def tier_matrix(tiers: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Pad a column of tier strings into ``(n, K)`` threshold and fraction matrices (NaN-padded)."""
    parsed = [parse_tiers(t) if isinstance(t, str) and t else (np.array([]), np.array([])) for t in tiers]
    k = max((len(p[0]) for p in parsed), default=1) or 1
    thr = np.full((len(parsed), k), np.nan)
    frac = np.full((len(parsed), k), np.nan)
    for i, (t, f) in enumerate(parsed):
        thr[i, : len(t)] = t
        frac[i, : len(f)] = f
    return thr, frac


def band_fraction(values: ArrayLike, rules, row: np.ndarray | None = None, buf: np.ndarray | None = None) -> np.ndarray:
    """Fraction earned for many values, each scored by its own rule (METHODS 1).

    Parameters
    ----------
    values
        Indicator values, length n.
    rules
        A DataFrame (or a mapping of arrays) with the catalogue columns ``rule``, ``polarity``, ``floor``,
        ``target``, ``target_high``, ``floor_high``, ``tiers``: one rule per value, or the catalogue itself
        with ``row``.
    row
        The rule row of each value (the catalogue row of its indicator). Without it, value ``i`` takes rule
        row ``i``. With it, the rules are never copied out to millions of rows.
    buf
        A float array as long as ``values`` that may be overwritten: spares allocating one (millions of rows).
    """
    v = _arr(values)
    row = np.arange(v.size) if row is None else np.asarray(row)
    kind = np.asarray(rules["rule"], dtype=object)
    num = lambda name: np.asarray(rules[name], dtype=float)  # noqa: E731
    # Linear rules over every row at once (most indicators have one), in place: a NaN floor and span for
    # the other rules give NaN, overwritten below. Same formula as linear_band, (v - floor) / (target - floor).
    linear = kind == "linear"
    if len(row) and (row.min() < 0 or row.max() >= len(kind)):  # checked once: the takes below clip
        raise IndexError(f"rule rows must be in 0..{len(kind) - 1}")
    # mode "clip": with "raise", a take into ``out`` goes through a buffer of its own, a full-length copy
    buf = np.take(np.where(linear, num("floor"), np.nan), row, out=buf, mode="clip")
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out = np.subtract(v, buf)
        np.take(np.where(linear, num("target") - num("floor"), np.nan), row, out=buf, mode="clip")
        out /= buf
    np.clip(out, 0.0, 1.0, out=out)
    del buf
    for rule in ("range", "tiers"):
        if not (kind == rule).any():
            continue
        m = (kind == rule)[row]
        r = row[m]
        if rule == "range":
            out[m] = range_band(v[m], *(num(c)[r] for c in ("floor", "target", "target_high", "floor_high")))
        else:
            # Parse each distinct tier string once, then gather; a blank last, so that the code -1 (no tiers
            # written) indexes it and earns 0, never another rule's tiers.
            codes, uniq = pd.factorize(np.asarray(rules["tiers"], dtype=object))
            thr, frac = tier_matrix(pd.Series([*uniq, ""], dtype=object))
            lower = np.asarray(np.asarray(rules["polarity"], dtype=object) == "lower", dtype=bool)
            out[m] = tier_band(v[m], thr[codes[r]], frac[codes[r]], lower[r])
    return out


def full_score_gap(values: ArrayLike, rules: pd.DataFrame) -> pd.DataFrame:
    """What each value must reach to earn 100 %, and how far it is (METHODS 2).

    Returns
    -------
    pandas.DataFrame
        ``full_low`` / ``full_high``: the interval of values that earn the full weight (one side is
        infinite for one-sided rules); ``gap``: signed change needed (0 when already full, NaN when the
        value is missing); ``bound``: ``"at_most"``, ``"at_least"`` or ``"between"``.
    """
    v = _arr(values)
    pol = rules["polarity"].to_numpy()
    target = rules["target"].to_numpy(float)
    low = np.where(pol == "lower", -np.inf, target)
    high = np.where(pol == "lower", target, np.where(pol == "range", rules["target_high"].to_numpy(float), np.inf))
    gap = np.where(v < low, low - v, np.where(v > high, high - v, 0.0))
    gap = np.where(np.isnan(v), np.nan, gap)
    bound = np.where(pol == "lower", "at_most", np.where(pol == "higher", "at_least", "between"))
    return pd.DataFrame({"full_low": low, "full_high": high, "gap": gap, "bound": bound})


# --------------------------------------------------------------------------------------------------
# CMS Hospital Value-Based Purchasing (METHODS 3)


def _better(a: np.ndarray, b: np.ndarray, lower: np.ndarray) -> np.ndarray:
    return np.where(lower, a <= b, a >= b)


def hvbp_achievement_points(
    performance: ArrayLike, threshold: ArrayLike, benchmark: ArrayLike, lower_is_better: ArrayLike = False
):
    """HVBP achievement points, 0-10.

    10 at or beyond the benchmark; 0 when not at least as good as the achievement threshold;
    otherwise ``RHU(9 (P - AT) / (BM - AT) + 0.5)``, always 1..9.

    References
    ----------
    CMS HVBP FY2024: 010001 MORT-30-AMI, AT .869247, BM .887868, P .880237 -> 6 (METHODS 3).
    """
    p, at, bm = _arr(performance), _arr(threshold), _arr(benchmark)
    low = np.broadcast_to(np.asarray(lower_is_better, dtype=bool), np.broadcast(p, at, bm).shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        mid = np.clip(rhu(9 * (p - at) / (bm - at) + 0.5), 1, 9)
    pts = np.where(_better(p, bm, low), 10.0, np.where(_better(p, at, low), mid, 0.0))
    pts = np.where(np.isnan(p) | np.isnan(at) | np.isnan(bm), np.nan, pts)
    return _like(performance, pts, "achievement_points")


def hvbp_improvement_points(
    performance: ArrayLike, baseline: ArrayLike, benchmark: ArrayLike, lower_is_better: ArrayLike = False
):
    """HVBP improvement points, 0-9.

    0 unless strictly better than the own baseline; 9 at or beyond the benchmark (also when the baseline
    was already beyond it); otherwise ``min(9, RHU(10 (P - B) / (BM - B) - 0.5))``. NaN without a baseline.

    References
    ----------
    CMS HVBP FY2024: 010001 MORT-30-AMI, B .856752, BM .887868, P .880237 -> 7 (METHODS 3).
    """
    p, b, bm = _arr(performance), _arr(baseline), _arr(benchmark)
    low = np.broadcast_to(np.asarray(lower_is_better, dtype=bool), np.broadcast(p, b, bm).shape)
    strictly = np.where(low, p < b, p > b)
    with np.errstate(invalid="ignore", divide="ignore"):
        mid = np.clip(rhu(10 * (p - b) / (bm - b) - 0.5), 0, 9)
    pts = np.where(~strictly, 0.0, np.where(_better(p, bm, low), 9.0, mid))
    pts = np.where(np.isnan(p) | np.isnan(b) | np.isnan(bm), np.nan, pts)
    return _like(performance, pts, "improvement_points")


def hvbp_measure_score(achievement: ArrayLike, improvement: ArrayLike):
    """Measure score = max(achievement, improvement); achievement alone when there is no baseline."""
    return _like(achievement, np.fmax(_arr(achievement), _arr(improvement)), "measure_score")


def hvbp_consistency_points(performance: pd.DataFrame, floor: ArrayLike, threshold: ArrayLike) -> pd.Series:
    """HCAHPS consistency points, 0-20: one row per hospital, one column per dimension.

    ``s_d = clamp((P_d - F_d) / (AT_d - F_d), 0, 1)``, LDS = min over dimensions; 20 when every
    dimension is at or above its threshold, else ``RHU(20 LDS - 0.5)`` clamped to 0..20.
    """
    p = performance.to_numpy(dtype=float)
    f = np.broadcast_to(_arr(floor), p.shape)
    at = np.broadcast_to(_arr(threshold), p.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.clip((p - f) / (at - f), 0.0, 1.0)
    lds = np.nanmin(np.where(np.isnan(p), np.nan, s), axis=1) if p.size else np.array([])
    pts = np.where((p >= at).all(axis=1), 20.0, np.clip(rhu(20 * lds - 0.5), 0, 20))
    pts = np.where(np.isnan(p).all(axis=1), np.nan, pts)
    return pd.Series(pts, index=performance.index, name="consistency_points")


def hvbp_domain_score(points: ArrayLike, n_scored: ArrayLike, max_points: float = 10.0):
    """Domain score = points earned / points possible x 100 (``max_points`` per scored measure).

    NaN where no measure was scored.
    """
    pts, n = _arr(points), _arr(n_scored)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(n > 0, 100 * pts / (max_points * n), np.nan)
    return _like(points, out, "domain_score")


def hvbp_total_performance_score(
    domains: pd.DataFrame, weights: dict[str, float] | None = None, min_domains: int = 3
) -> pd.Series:
    """Total Performance Score from the four domain scores (25 % each by default).

    A missing domain (NaN) has its weight spread proportionally over the present ones; fewer than
    ``min_domains`` present gives NaN (CMS needs at least 3).
    """
    w = pd.Series(weights or {d: 0.25 for d in DOMAINS}, dtype=float)
    missing = [d for d in w.index if d not in domains.columns]
    if missing:
        raise ValueError(f"domains: missing column(s) {missing}; expected {list(w.index)}")
    x = domains.loc[:, list(w.index)].to_numpy(dtype=float)
    present = ~np.isnan(x)
    wsum = (present * w.to_numpy()).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        tps = np.nansum(x * w.to_numpy(), axis=1) / wsum
    tps = np.where(present.sum(axis=1) >= min_domains, tps, np.nan)
    return pd.Series(tps, index=domains.index, name="tps")


def hvbp_linear_exchange(tps: ArrayLike, base_payment: ArrayLike, withhold: float = 0.02) -> pd.DataFrame:
    """Budget-neutral linear exchange function (METHODS 3).

    ``slope = sum(base) / sum(TPS/100 x base)``; incentive % = withhold x TPS/100 x slope; adjustment
    factor = 1 + incentive % - withhold. Total incentives equal total withholds.

    Vector: bases 10/20/30 M with TPS 20/40/60 -> slope 2.142857, TPS 40 -> factor 0.997143.
    """
    t, base = _arr(tps), _arr(base_payment)
    if np.any(base < 0) or np.any((t < 0) | (t > 100)):
        raise ValueError("base payments must be >= 0 and TPS within 0..100")
    slope = base.sum() / (t / 100 * base).sum()
    incentive = withhold * t / 100 * slope
    return pd.DataFrame(
        {
            "tps": t,
            "base_payment": base,
            "slope": slope,
            "incentive_pct": 100 * incentive,
            "adjustment_factor": 1 + incentive - withhold,
            "net_change": base * (incentive - withhold),
        }
    )


# --------------------------------------------------------------------------------------------------
# MIPS deciles (METHODS 4)


def mips_decile_points(
    rate: ArrayLike,
    benchmarks: ArrayLike,
    topped_out: bool = False,
    polarity: Literal["higher", "lower"] = "higher",
    floor_points: float = 1.0,
):
    """MIPS quality points from decile benchmarks.

    ``benchmarks`` are the 9 inclusive lower bounds of deciles 2..10. Inside decile d the points are
    ``d + (rate - LB_d) / (LB_{d+1} - LB_d)``; decile 10 gives 10.0; an empty decile (equal bounds) is
    skipped; below decile 2 earns ``floor_points``; topped-out measures are capped at 7.

    Vectors: decile 4 = [24, 36), rate 26 -> 4.1667; deciles [0, 27.81, 27.81, 32.3, ...], 27.81 -> 4.0.
    """
    if polarity not in ("higher", "lower"):
        raise ValueError(f"polarity must be 'higher' or 'lower', got {polarity!r}")
    b = _arr(benchmarks)
    r = _arr(rate)
    if polarity == "lower":  # inverse measures: benchmarks fall as deciles rise
        b, r = -b, -r
    if b.shape != (9,) or np.any(np.diff(b) < 0):
        raise ValueError("benchmarks must be the 9 non-decreasing lower bounds of deciles 2..10")
    k = np.searchsorted(b, r, side="right")  # how many lower bounds the rate reaches
    decile = k + 1
    lb = b[np.clip(k - 1, 0, 8)]
    ub = b[np.clip(k, 0, 8)]
    with np.errstate(invalid="ignore", divide="ignore"):
        pts = np.where(decile >= 10, 10.0, np.where(k == 0, floor_points, decile + (r - lb) / (ub - lb)))
    if topped_out:
        pts = np.minimum(pts, 7.0)
    pts = np.where(np.isnan(r), np.nan, pts)
    return _like(rate, pts, "points")
