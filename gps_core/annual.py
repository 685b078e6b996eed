"""Annual evaluation after a monitoring cycle: IP, VD, VM, HVBP-style points, quadrants, alerts.

Definitions (METHODS 1; GPS paper, seed 003):

- **IP** (annual): mean of the unit's monthly IP over the cycle.
- **VD** (performance variation), in %: ``100 (mean_unit - reference) / reference`` against the model
  mean (paper, Equation 1: the mean of every unit's annual IP) and against the manager's target (75 in
  the paper). Both are reported.
- **VM** (improvement variation), in %: OLS line through the monthly IP, ``y_t = a + b t`` with t the
  month number in the cycle (1..T); ``VM = 100 (y_last - y_first) / y_first`` on the *fitted* values at
  the unit's first and last observed months (paper, Equation 2). The slope's standard error, 95 %
  interval and two-sided p-value are reported, because 12 points are noisy. Fewer than ``min_months``
  non-missing months gives no VM (flag ``too_few_months``); a fitted first value near zero is flagged.
- **HVBP-style points**: baseline = mean IP over the first ``baseline_months``, performance = mean over the
  last ``baseline_months``; AT = median of the units' baselines, BM = mean of their best decile; then CMS
  achievement and improvement points (METHODS 3), so results compare with HVBP.

References
----------
Abicalaffe C. et al., CBIS 2016 (seed 003), Equations 1 and 2.
CMS HVBP FY2024 scoring (achievement threshold, benchmark, improvement points).
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from .errors import FewMonthsWarning, ReferenceNearZeroWarning
from .scoring import hvbp_achievement_points, hvbp_improvement_points, hvbp_measure_score

UNIT = ["client", "program", "unit_id"]
QUADRANTS = ("leading_and_improving", "improving_from_behind", "leading_but_declining", "critical")


def trend(index: pd.DataFrame, start: pd.Timestamp, value: str = "ip", confidence: float = 0.95) -> pd.DataFrame:
    """OLS of the monthly value on the month number, per unit, vectorized (one pass of group sums).

    Returns one row per unit: ``n_months``, ``intercept``, ``slope`` (points per month), ``slope_se``,
    ``slope_low``/``slope_high`` (``confidence`` interval), ``p_value``, ``fit_first``/``fit_last`` (fitted
    values at the first and last observed months).
    """
    x = index.loc[index[value].notna(), [*UNIT, "period", value]]
    start = pd.Timestamp(start)
    t = ((x["period"].dt.year - start.year) * 12 + (x["period"].dt.month - start.month) + 1).astype(float)
    y = x[value].astype(float)
    g = pd.DataFrame({"t": t, "y": y, "tt": t * t, "ty": t * y, "yy": y * y, **{k: x[k] for k in UNIT}}).groupby(
        UNIT, observed=True, sort=True
    )
    s = g.agg(
        n=("t", "size"),
        st=("t", "sum"),
        sy=("y", "sum"),
        stt=("tt", "sum"),
        sty=("ty", "sum"),
        syy=("yy", "sum"),
        t_first=("t", "min"),
        t_last=("t", "max"),
    )
    n = s["n"].to_numpy(float)
    sxx = s["stt"] - s["st"] ** 2 / n
    sxy = s["sty"] - s["st"] * s["sy"] / n
    syy = s["syy"] - s["sy"] ** 2 / n
    with np.errstate(invalid="ignore", divide="ignore"):
        b = (sxy / sxx).where(sxx > 0)
        a = s["sy"] / n - b * s["st"] / n
        ssr = (syy - b * sxy).clip(lower=0)
        se = np.sqrt(ssr / (n - 2) / sxx).where(n > 2)
        q = stats.t.ppf(0.5 + confidence / 2, n - 2)
        tstat = b / se
        p = pd.Series(2 * stats.t.sf(np.abs(tstat), n - 2), index=s.index).where(n > 2)
        p = p.where(~((se == 0) & b.notna()), np.where(b != 0, 0.0, 1.0))  # a perfect line
    out = pd.DataFrame(
        {
            "n_months": s["n"].astype(int),
            "intercept": a,
            "slope": b,
            "slope_se": se,
            "slope_low": b - q * se,
            "slope_high": b + q * se,
            "p_value": p,
            "fit_first": a + b * s["t_first"],
            "fit_last": a + b * s["t_last"],
        }
    )
    return out.reset_index()


def quadrant(vd: pd.Series, vm: pd.Series, neutral: float = 0.0) -> pd.Series:
    """VD x VM quadrant; values within ``±neutral`` count as non-negative (the paper's "near zero")."""
    good_d = vd >= -neutral
    good_m = vm >= -neutral
    q = np.select([good_d & good_m, ~good_d & good_m, good_d & ~good_m, ~good_d & ~good_m], list(QUADRANTS), default="")
    q = pd.Series(q, index=vd.index, dtype="object").where(vd.notna() & vm.notna())
    return q.astype(pd.CategoricalDtype(list(QUADRANTS)))


def annual_evaluation(
    index: pd.DataFrame,
    start: pd.Timestamp,
    target: float = 75.0,
    min_months: int = 6,
    baseline_months: int = 6,
    near_zero: float = 1.0,
    neutral: float = 0.0,
    confidence: float = 0.95,
    reference: Literal["model_mean", "target"] = "model_mean",
) -> pd.DataFrame:
    """Per-unit annual evaluation: IP, VD (model and target), VM with its trend statistics, HVBP-style
    points and the VD x VM quadrant.

    Parameters
    ----------
    index
        Monthly IP per unit (:func:`gps_core.index.performance_index`).
    start
        First month of the cycle (t = 1).
    target
        The manager's target IP (the paper's 75).
    min_months
        Minimum non-missing months for a VM; fewer gives NaN and the flag ``too_few_months``.
    baseline_months
        Months at each end of the cycle used as baseline and performance for the HVBP-style points.
    near_zero
        A fitted first value, model mean or target below this is flagged ``reference_near_zero``.
    neutral
        Half-width of the "near zero" band for the quadrant.
    reference
        Which VD drives ``vd`` and the quadrant: ``model_mean`` (paper, Equation 1) or ``target`` (the
        benchmark the paper's results section uses). Both VDs are always reported.

    Returns
    -------
    pandas.DataFrame
        One row per unit with ``ip``, ``ip_median``, ``model_mean``, ``vd`` (by ``reference``), ``vd_model``,
        ``vd_target``,
        ``vm``, trend columns (see :func:`trend`), ``baseline``, ``performance``, ``achievement_points``,
        ``improvement_points``, ``hvbp_points``, ``quadrant``, ``flags``, ``method``.
    """
    if target <= 0:
        raise ValueError(f"target must be > 0, got {target}")
    if reference not in ("model_mean", "target"):
        raise ValueError(f"reference must be 'model_mean' or 'target', got {reference!r}")
    keys = [c for c in ("client", "program", "unit_id", "unit_type", "specialty") if c in index.columns]
    x = index[index["ip"].notna()]
    start = pd.Timestamp(start)
    month = (x["period"].dt.year - start.year) * 12 + (x["period"].dt.month - start.month) + 1
    last_month = int(month.max()) if len(month) else 0
    g = x.groupby(UNIT, observed=True, sort=True)["ip"]
    res = x[keys].drop_duplicates(UNIT).set_index(UNIT).sort_index()
    res["ip"] = g.mean()
    res["ip_median"] = g.median()
    model_mean = res["ip"].mean()
    res["model_mean"] = model_mean
    res["target"] = target
    res["vd_model"] = 100 * (res["ip"] - model_mean) / model_mean
    res["vd_target"] = 100 * (res["ip"] - target) / target
    tr = trend(index, start, confidence=confidence).set_index(UNIT)
    res = res.join(tr)
    few = res["n_months"] < min_months
    with np.errstate(invalid="ignore", divide="ignore"):
        vm = 100 * (res["fit_last"] - res["fit_first"]) / res["fit_first"]
    near = res["fit_first"].abs() < near_zero
    res["vm"] = vm.where(~few & ~near)
    first = x[month <= baseline_months].groupby(UNIT, observed=True)["ip"].mean()
    last = x[month > last_month - baseline_months].groupby(UNIT, observed=True)["ip"].mean()
    res["baseline"] = first
    res["performance"] = last
    base = res["baseline"].dropna()
    at = base.median()
    top = base[base >= base.quantile(0.9)]
    bm = top.mean()
    res["hvbp_threshold"], res["hvbp_benchmark"] = at, bm
    res["achievement_points"] = hvbp_achievement_points(res["performance"], at, bm)
    res["improvement_points"] = hvbp_improvement_points(res["performance"], res["baseline"], bm)
    res["hvbp_points"] = hvbp_measure_score(res["achievement_points"], res["improvement_points"])
    res["vd"] = res["vd_model"] if reference == "model_mean" else res["vd_target"]
    res["reference"] = reference
    res["quadrant"] = quadrant(res["vd"], res["vm"], neutral)
    flags = np.where(few, "too_few_months", "")
    flags = np.where(near, np.char.add(flags, np.where(flags == "", "", ";") + "reference_near_zero"), flags)
    res["flags"] = flags
    res["method"] = (
        f"IP=mean monthly IP; VD vs {reference} (model mean and target {target:g} both reported); "
        f"VM=OLS fitted first->last (min {min_months} months, {int(confidence * 100)}% CI); "
        f"HVBP-style points on first/last {baseline_months} months"
    )
    if few.any():
        warnings.warn(
            f"{int(few.sum())} unit(s) have fewer than {min_months} months with an IP: no VM for them "
            "(flag 'too_few_months')",
            FewMonthsWarning,
            stacklevel=2,
        )
    if near.any() or abs(model_mean) < near_zero:
        warnings.warn(
            "a reference for a relative change is near zero: VM/VD not reported there (flag 'reference_near_zero')",
            ReferenceNearZeroWarning,
            stacklevel=2,
        )
    return res.reset_index()


def alerts(
    index: pd.DataFrame, annual: pd.DataFrame, target: float, n_lowest: int = 5, alpha: float = 0.05
) -> pd.DataFrame:
    """The manager's alerts (GPS paper): lowest performers and units below the proposed average in the
    latest month, units negative on both VD and VM (critical), and significant declines.

    Returns one row per alert: ``alert``, unit columns, ``value`` and ``period``.
    """
    latest = index["period"].max()
    cur = index[(index["period"] == latest) & index["ip"].notna()]
    low = cur.nsmallest(n_lowest, "ip").assign(alert="lowest_latest_month", value=lambda d: d["ip"])
    below = cur[cur["ip"] < target].sort_values("ip").assign(alert="below_target_latest_month", value=lambda d: d["ip"])
    crit = (
        annual[annual["quadrant"] == "critical"]
        .sort_values("vd")
        .assign(alert="critical_vd_and_vm_negative", value=lambda d: d["vd"], period=latest)
    )
    dec = annual[(annual["slope"] < 0) & (annual["p_value"] < alpha)].assign(
        alert="significant_decline", value=lambda d: d["slope"], period=latest
    )
    cols = ["alert", "client", "program", "unit_id", "specialty", "value", "period"]
    parts = [d.reindex(columns=cols) for d in (low, below, crit, dec)]
    return pd.concat(parts, ignore_index=True)
