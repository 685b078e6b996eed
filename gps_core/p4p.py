"""Pay-for-performance payouts in exact money (METHODS 3 and 12).

Every amount is an integer number of cents. Every rule returns one row per unit with the payout and the
columns that explain it (index, eligibility, weight, share, rate, cap), and its terms in ``attrs["terms"]``;
:func:`gps_core.views.payouts.explain` words them so the finance team and the doctor can recompute each
payout. Bad contract terms raise :class:`~gps_core.errors.ParamsError` naming the term; bad unit data raise
:class:`~gps_core.errors.InputError` naming the units (check the unit table once with
:func:`validate_units`).

Rules
-----
- :func:`budget_pool`: eligible units (index at or above a minimum, production > 0) share a budget in
  proportion to ``index ** alpha x production``; a per-unit cap is enforced and what it cuts is
  redistributed to the others (water-filling); the split sums to the budget to the cent.
- :func:`additional_percentage`: bonus = rate(index) x amount received; the rate from a linear band
  (0 at ``floor``, ``max_rate`` at ``target``) or from tiers; never negative.
- :func:`withhold`: budget-neutral withhold with the HVBP linear exchange function; incentives sum to the
  withholds to the cent.
- :func:`per_point`: QOF-like value per point with list-size and prevalence adjustment, with an explicit
  rounding policy for the factors.

:func:`largest_remainder` is the exact split they share: floors of the exact quotas, then one cent each to
the largest remainders (ties to the earlier row), so the parts add up to the total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError, ParamsError
from .scoring import linear_band, rhu


def cents(amount: float) -> int:
    """An amount in currency units as integer cents, half up (``1234.565`` -> 123457)."""
    return int(rhu(np.asarray(amount, dtype=float) * 100))


def largest_remainder(weights, total: int) -> np.ndarray:
    """Split ``total`` cents in proportion to ``weights`` (>= 0), exactly: the parts sum to ``total``.

    Each part is the floor of its quota ``total x w / sum(w)`` plus one cent for the largest fractional
    remainders (Hamilton's method; ties go to the earlier row, so the split is deterministic).

    Raises
    ------
    ValueError
        Negative or non-finite weights, a negative total, or a positive total with all weights 0.
    """
    w = np.asarray(weights, dtype=float)
    s = w.sum()
    # NaN and negatives fail >= 0; an infinite weight makes the sum infinite
    if total < 0 or not np.isfinite(s) or not (w >= 0).all():
        raise ValueError("weights must be finite and >= 0, and the total >= 0")
    if total == 0 or len(w) == 0:
        return np.zeros(len(w), dtype=np.int64)
    if s <= 0:
        raise ValueError(f"{total} cents cannot be split: every weight is 0")
    if total >= 2**53:
        raise ValueError(f"{total} cents is beyond exact float arithmetic (2**53)")
    pos = w > 0
    if np.count_nonzero(pos) < 0.8 * len(w):  # many zero weights (ineligible, capped): split among the rest
        out = np.zeros(len(w), dtype=np.int64)
        out[pos] = largest_remainder(w[pos], total)
        return out
    # In place where possible: on large tables each new array costs more in page faults than in arithmetic.
    frac = w / s  # then times the total; not w * (total / s), which overflows for subnormal weights
    frac *= total
    floor = np.floor(frac)
    frac -= floor
    # floors are whole numbers below 2**53, so their float sum is exact
    left = total - int(floor.sum())
    base = floor.astype(np.int64)
    if left < 0:  # float noise pushed floors over their quotas: take cents back from the smallest remainders
        base[_top(-frac, -left)] -= 1
    elif left > 0:
        base[_top(frac, left)] += 1
    return base


def _top(x: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` largest values of ``x``, ties to the earlier position, in O(n)."""
    if k >= len(x):
        return np.arange(len(x))
    v = np.partition(x, len(x) - k)[len(x) - k]  # the k-th largest value
    above = np.flatnonzero(x > v)
    tied = np.flatnonzero(x == v)[: k - len(above)]
    return np.concatenate([above, tied])


def validate_units(df: pd.DataFrame, source: str = "payout units") -> pd.DataFrame:
    """Check the unit table of a contract once, before its rules run: one row per ``unit_id``.

    Raises
    ------
    InputError
        Naming the units that appear more than once.
    """
    if "unit_id" not in df.columns:
        raise InputError(["missing column 'unit_id'"], source)
    if not df["unit_id"].is_unique:
        dup = df["unit_id"].astype(str).duplicated(keep=False)
        raise InputError([f"unit(s) {sorted(set(df.loc[dup, 'unit_id'].astype(str)))[:10]} appear twice"], source)
    return df.reset_index(drop=True)


def _frame(columns: dict) -> pd.DataFrame:
    """A rule's result table without copying its columns: the input's columns come as Series (copy-on-write
    keeps the caller's table safe), the others are arrays made by the rule."""
    return pd.DataFrame(columns, copy=False)


def _num(u: pd.DataFrame, column: str) -> pd.Series:
    """An input column as float (no copy when it already is)."""
    return u[column].astype(float)


def _units(df: pd.DataFrame, needed: list[str], rule: str) -> pd.DataFrame:
    """The columns a rule needs (the table itself is checked once by :func:`validate_units`)."""
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise InputError([f"missing column(s) {missing}; {rule} needs {needed}"], f"p4p {rule}")
    bad = []  # one infinite production would take the whole pool: refused, naming the units
    for c in needed:
        if c != "unit_id" and pd.api.types.is_numeric_dtype(df[c]):
            odd = ~np.isfinite(df[c].to_numpy(float))
            if odd.any():
                bad.append(f"'{c}' is not a finite number for {sorted(df.loc[odd, 'unit_id'].astype(str))[:10]}")
    if bad:
        raise InputError(bad, f"p4p {rule}")
    return df


def budget_pool(
    units: pd.DataFrame,
    budget: int,
    *,
    alpha: float = 1.0,
    minimum: float = 0.0,
    cap: int | None = None,
) -> pd.DataFrame:
    """Share ``budget`` cents among eligible units in proportion to ``index ** alpha x production``.

    Parameters
    ----------
    units
        ``unit_id``, ``index`` (0-100, the IP of the cycle) and ``production`` (amount billed in cents, or a
        volume), one row per unit.
    budget
        The pool in cents.
    alpha
        Exponent on the index (1: proportional; larger rewards the best more steeply).
    minimum
        Eligibility: units below this index receive nothing (their share goes to the others).
    cap
        Maximum payout per unit in cents; the excess is redistributed to the uncapped units.

    Returns
    -------
    pandas.DataFrame
        ``unit_id``, ``index``, ``production``, ``eligible``, ``weight``, ``share`` (of the budget),
        ``capped``, ``payout`` (cents); the terms in ``attrs["terms"]``
        (:func:`gps_core.views.payouts.explain` words them).

    Raises
    ------
    ParamsError
        Budget < 0, alpha <= 0, or a cap so low that the budget cannot be paid out to the eligible units.
    InputError
        Negative production or an index outside 0-100 (naming the units), duplicate units.
    """
    u = _units(units, ["unit_id", "index", "production"], "budget pool")
    if budget < 0 or alpha <= 0:
        raise ParamsError(f"budget pool: budget must be >= 0 cents and alpha > 0 (got {budget}, {alpha})")
    idx, prod = u["index"].to_numpy(float), u["production"].to_numpy(float)
    # fmin / fmax skip NaN (a unit without an index is ineligible, not an error); details only when needed
    if len(u) and (np.fmin.reduce(prod) < 0 or np.fmin.reduce(idx) < 0 or np.fmax.reduce(idx) > 100):
        bad = []
        if (prod < 0).any():
            bad.append(f"negative production for {list(u.loc[prod < 0, 'unit_id'].astype(str))[:10]}")
        out = (idx < 0) | (idx > 100)
        if out.any():
            bad.append(f"index outside 0-100 for {list(u.loc[out, 'unit_id'].astype(str))[:10]}")
        raise InputError(bad, "p4p budget pool")
    eligible = (idx >= minimum) & (prod > 0)  # NaN index compares False: ineligible
    weight = np.where(eligible, _power(idx, alpha), 0.0)  # ineligible: weight 0
    weight *= prod
    if budget > 0 and weight.sum() == 0:
        raise ParamsError(
            f"budget pool: no unit can be paid (index >= {minimum} and > 0, with production > 0); "
            "lower 'minimum' or check the production indicator"
        )
    takers = int(np.count_nonzero(weight))  # an eligible unit with index 0 has weight 0: it cannot take money
    if cap is not None and cap * takers < budget:
        raise ParamsError(
            f"budget pool: the budget ({budget / 100:,.2f}) cannot be paid: {takers} eligible units with a "
            f"weight x cap {cap / 100:,.2f} = {cap * takers / 100:,.2f}; raise the cap or lower the budget"
        )
    if cap is None:
        capped = np.zeros(len(u), bool)
        pay = largest_remainder(weight, budget)
    else:
        capped = _capped(weight, budget, cap)
        while True:  # rounding can lift an uncapped unit one cent over the cap: cap it and split again
            free = ~capped & (weight > 0)
            pay = np.zeros(len(u), np.int64)
            pay[free] = largest_remainder(weight[free], budget - cap * int(np.count_nonzero(capped)))
            pay[capped] = cap
            over = pay > cap
            if not over.any():
                break
            capped |= over
    out = _frame(
        {
            "unit_id": u["unit_id"],
            "index": _num(u, "index"),
            "production": _num(u, "production"),
            "eligible": eligible,
            "weight": weight,
            "share": pay / budget if budget else np.zeros(len(u)),
            "capped": capped,
            "payout": pay,
        }
    )
    out.attrs["terms"] = {"rule": "budget_pool", "budget": budget, "alpha": alpha, "minimum": minimum, "cap": cap}
    return out


def _power(x: np.ndarray, a: float) -> np.ndarray:
    """``x ** a`` for ``x >= 0``. Whole and half exponents (1, 1.5, 2, ...) by products and one square root,
    several times faster than ``pow`` (equal to it within a few ulps); others by ``exp(a log x)``."""
    if float(2 * a).is_integer() and a <= 8:
        out = np.sqrt(x) if a % 1 else np.ones_like(x)
        for _ in range(int(a)):
            out = out * x
        return out
    with np.errstate(divide="ignore"):
        return np.exp(a * np.log(x))


def _capped(weight: np.ndarray, budget: int, cap: int) -> np.ndarray:
    """Units a proportional split must hold at the cap (continuous water-filling).

    With the others sharing what the capped leave, ``lambda = (budget - capped x cap) / free weight``; cap
    every unit with ``lambda x weight > cap``, i.e. ``weight > cap / lambda``, and repeat until none is added.
    lambda only grows, so the capped set is always the units above a falling threshold: each pass is one
    comparison, a count and a dot product over the weights. O(n) per pass and no sort; a few passes in
    practice.
    """
    capped = np.zeros(len(weight), bool)
    total = float(weight.sum())
    k, held = 0, 0.0
    while total > held and budget > k * cap:
        capped = weight > cap * (1 + 1e-12) * (total - held) / (budget - k * cap)
        n = int(np.count_nonzero(capped))
        if n == k:
            break
        k, held = n, float(np.dot(weight, capped))
    return capped


def parse_rate_tiers(tiers: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``[(minimum index, rate), ...]``: thresholds strictly increasing in 0-100 and rates not
    decreasing in 0-1 (a better index never earns a lower rate). Returns the sorted arrays."""
    if not tiers:
        raise ParamsError("additional percentage: 'tiers' is empty")
    t = sorted(tiers)
    thr = np.array([a for a, _ in t], dtype=float)
    rate = np.array([b for _, b in t], dtype=float)
    if len(set(thr)) < len(thr):
        raise ParamsError(f"additional percentage: overlapping tiers, two start at the same index {list(thr)}")
    if ((thr < 0) | (thr > 100)).any() or ((rate < 0) | (rate > 1)).any():
        raise ParamsError("additional percentage: tier thresholds must be in 0-100 and rates in 0-1 (0.05 = 5 %)")
    if (np.diff(rate) < 0).any():
        raise ParamsError(
            f"additional percentage: rates must not fall as the index rises (got {list(zip(thr, rate, strict=True))})"
        )
    return thr, rate


def additional_percentage(
    units: pd.DataFrame,
    *,
    floor: float | None = None,
    target: float | None = None,
    max_rate: float | None = None,
    tiers: list[tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """Bonus = rate(index) x amount received in the cycle, in cents (half up), never negative.

    The rate is linear (0 at ``floor``, ``max_rate`` at ``target`` and above) or from ``tiers``
    ``[(minimum index, rate), ...]`` (the highest tier reached).

    Returns ``unit_id``, ``index``, ``received``, ``rate``, ``payout``; the terms in ``attrs["terms"]``
    (:func:`gps_core.views.payouts.explain` words them).
    """
    u = _units(units, ["unit_id", "index", "received"], "additional percentage")
    idx, rec = u["index"].to_numpy(float), u["received"].to_numpy(float)
    if (rec < 0).any():
        raise InputError([f"negative amount received for {list(u.loc[rec < 0, 'unit_id'].astype(str))[:10]}"], "p4p")
    if tiers is not None:
        thr, rates = parse_rate_tiers(tiers)
        # tier k + 1 of [0, rates...]: position 0 is below the first threshold; NaN sorts last, so reset it
        rate = np.concatenate([[0.0], rates])[np.searchsorted(thr, idx, side="right")]
        rate[np.isnan(idx)] = 0.0
        how = {"tiers": list(zip(thr.tolist(), rates.tolist(), strict=True))}
    else:
        if None in (floor, target, max_rate) or target <= floor or not 0 < max_rate <= 1:
            raise ParamsError("additional percentage: a linear rate needs floor < target and 0 < max_rate <= 1")
        rate = max_rate * np.nan_to_num(linear_band(idx, floor, target))
        how = {"floor": floor, "target": target, "max_rate": max_rate}
    pay = rhu(rate * rec).astype(np.int64)
    out = _frame(
        {
            "unit_id": u["unit_id"],
            "index": _num(u, "index"),
            "received": _num(u, "received"),
            "rate": rate,
            "payout": pay,
        }
    )
    out.attrs["terms"] = {"rule": "additional_percentage", **how}
    return out


def withhold(units: pd.DataFrame, rate: float = 0.02) -> pd.DataFrame:
    """Budget-neutral withhold with the HVBP linear exchange function, in cents.

    Each unit gives ``rate x base`` (half up) into the pool; the pool comes back in proportion to
    ``TPS x base`` (largest remainder), i.e. incentive % = rate x TPS/100 x slope with
    ``slope = sum(base) / sum(TPS/100 x base)`` (METHODS 3). Incentives sum to the withholds exactly.

    ``units``: ``unit_id``, ``tps`` (0-100), ``base`` (base payments in cents). Returns the withheld and
    returned amounts, ``net`` (returned - withheld) and ``factor`` (1 + net / base).
    """
    u = _units(units, ["unit_id", "tps", "base"], "withhold")
    if not 0 < rate < 1:
        raise ParamsError(f"withhold: rate must be between 0 and 1 (0.02 = 2 %), got {rate}")
    tps, base = u["tps"].to_numpy(float), u["base"].to_numpy(float)
    if len(u) and (np.fmin.reduce(base) < 0 or np.fmin.reduce(tps) < 0 or np.fmax.reduce(tps) > 100):
        raise InputError(["base payments must be >= 0 and TPS in 0-100"], "p4p withhold")
    held = rhu(rate * base).astype(np.int64)
    earned = tps * base
    back = largest_remainder(earned, int(held.sum()))
    with np.errstate(over="ignore"):  # TPS x base summing to ~0 gives an infinite slope; the cents stay exact
        slope = base.sum() / (earned.sum() / 100)
    net = back - held
    out = _frame(
        {
            "unit_id": u["unit_id"],
            "tps": _num(u, "tps"),
            "base": _num(u, "base"),
            "withheld": held,
            "returned": back,
            "net": net,
            "factor": 1 + net / np.where(base > 0, base, np.nan),
        }
    )
    out.attrs["terms"] = {"rule": "withhold", "rate": rate, "slope": float(slope)}
    return out


def per_point(
    units: pd.DataFrame,
    value: int,
    national_list: float,
    national_prevalence: float | None = None,
    round_factors: int | None = 2,
) -> pd.DataFrame:
    """QOF-like payment: points x value per point (cents) x (list size / national average list) x
    (prevalence / national prevalence), in cents half up.

    ``round_factors``: decimals the two adjustment factors are rounded to before multiplying (QOF publishes
    2); None keeps them exact. METHODS 4 vector: 29 points x 207.56 x 1.71 x 1.45 = 14,924.71 with factors
    rounded to 2 dp.

    ``units``: ``unit_id``, ``points``, ``list_size`` and, when ``national_prevalence`` is given,
    ``prevalence``.
    """
    need = ["unit_id", "points", "list_size"] + (["prevalence"] if national_prevalence else [])
    u = _units(units, need, "per point")
    if value < 0 or national_list <= 0 or (national_prevalence is not None and national_prevalence <= 0):
        raise ParamsError("per point: the value must be >= 0 and the national averages > 0")
    pts = u["points"].to_numpy(float)
    if (pts < 0).any() or (u["list_size"] < 0).any():
        raise InputError(["points and list sizes must be >= 0"], "p4p per point")
    lf = u["list_size"].to_numpy(float) / national_list
    pf = u["prevalence"].to_numpy(float) / national_prevalence if national_prevalence else np.ones(len(u))
    if round_factors is not None:
        lf, pf = np.round(lf, round_factors), np.round(pf, round_factors)
    pay = rhu(pts * value * lf * pf).astype(np.int64)
    out = _frame({"unit_id": u["unit_id"], "points": _num(u, "points"), "list_factor": lf, "prevalence_factor": pf})
    out["payout"] = pay
    out.attrs["terms"] = {"rule": "per_point", "value": value}
    return out


def gini(amounts) -> float:
    """Gini coefficient of the payouts (0: equal; near 1: concentrated in one unit); 0 when nothing is paid."""
    x = np.sort(np.asarray(amounts, dtype=float))
    n, s = len(x), x.sum()
    if n == 0 or s == 0:
        return 0.0
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * s))


def summary(out: pd.DataFrame) -> dict:
    """Total paid (cents), units paid, their share, the largest payout and the concentration (Gini)."""
    pay = out["payout"].to_numpy()
    return {
        "total": int(pay.sum()),
        "paid": int((pay > 0).sum()),
        "units": len(pay),
        "share_paid": float((pay > 0).mean()) if len(pay) else 0.0,
        "largest": int(pay.max()) if len(pay) else 0,
        "gini": gini(np.maximum(pay, 0)),
    }
