"""Benchmark statistics from the pool, as Ibis expressions (the same query on DuckDB or Spark).

For each indicator and segment: the units' values over the period (sum of numerators over sum of
denominators), their count and contributing clients, the largest client's share of the cell's volume,
percentiles 10/25/50/75/90 (linear interpolation, R type 7, identical on DuckDB's ``quantile_cont`` and
Spark's ``percentile``), the mean, and the mean of the best decile. The CMS HVBP convention gives the
**achievement threshold** (the median) and the **benchmark** (the mean of the best decile); they are the
suggested floor and target of a new client's ideal band (METHODS 2 and 3).

References
----------
CMS, Hospital Value-Based Purchasing: achievement threshold = 50th percentile, benchmark = mean of the top
decile of hospital performance in the baseline period (42 CFR 412.160).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml

from . import disclosure

QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
STATS = ["p10", "p25", "p50", "p75", "p90", "mean", "best_decile"]


def unit_values(pool, filters: dict | None = None, months: tuple | None = None, min_cases: dict | None = None):
    """Ibis table: one row per client, unit and indicator over the months (first and last, inclusive),
    with the client's segment; ``filters`` maps a measurements column to the values kept; ``min_cases``
    maps an indicator to the smallest denominator a unit needs over the period to count (``enough``).

    An expression, computed again wherever it is read: a study reads it through :func:`units` instead.
    """
    m = pool.table("measurements")
    if months is not None:
        m = m.filter((m.month >= pd.Timestamp(months[0]).date()) & (m.month <= pd.Timestamp(months[1]).date()))
    for col, values in (filters or {}).items():
        m = m.filter(m[col].isin(list(values)))
    u = m.group_by(["client", "unit", "unit_type", "specialty", "indicator_id"]).agg(
        numerator=m.numerator.sum(), denominator=m.denominator.sum(), expected=m.expected.sum()
    )
    u = u.filter(u.denominator > 0)
    u = u.mutate(value=u.numerator / u.denominator)
    c = pool.table("contributors")
    return enough(u.join(c, "client"), min_cases)


def units(pool, months: tuple | None = None, filters: dict | None = None):
    """The unit values over the months (:func:`unit_values`), computed once and kept by the backend (a
    temporary table on DuckDB, a cached frame on Spark): a study reads them for every segment, the exclusions,
    the funnels and a client's own view, where the expression itself would be computed again by each query
    (and more than once inside one: the cells read the units three times). Release them (``.release()``)
    before the pool closes."""
    return unit_values(pool, filters, months).cache()


def enough(units, min_cases: dict | None):
    """The units with at least the indicator's minimum denominator over the period (``min_cases``: indicator
    -> cases; an indicator not named has no minimum)."""
    if not min_cases:
        return units
    need = units.indicator_id.substitute({k: float(v) for k, v in min_cases.items()}, else_=0.0)
    return units.filter(units.denominator >= need)


def cells(units, by: list[str]):
    """Ibis table of benchmark cells: ``indicator_id`` x ``by`` with counts, dominance and statistics."""
    keys = ["indicator_id", *by]
    v = units
    g = v.group_by(keys).agg(
        units=v.count(),
        clients=v.client.nunique(),
        events=v.numerator.sum(),
        cases=v.denominator.sum(),
        mean=v.value.mean(),
        **{f"p{round(q * 100)}": v.value.quantile(q) for q in QUANTILES},
    )
    per_client = v.group_by([*keys, "client"]).agg(vol=v.denominator.sum())
    dom = per_client.group_by(keys).agg(top_vol=per_client.vol.max())
    j = v.join(g.select(*keys, "p10", "p90"), keys)
    hi = j.filter(j.value >= j.p90).group_by(keys).agg(top_mean=j.value.mean(), top_clients=j.client.nunique())
    lo = j.filter(j.value <= j.p10).group_by(keys).agg(bottom_mean=j.value.mean(), bottom_clients=j.client.nunique())
    # inner joins lose nothing: p90 <= the largest value and p10 >= the smallest, so every cell has both
    out = g.join(dom, keys).join(hi, keys).join(lo, keys)
    return out.mutate(max_share=out.top_vol / out.cases).drop("top_vol")


def segments(units, by: list[str]) -> pd.DataFrame:
    """The raw cells (:func:`cells`) overall and by each column of ``by``, one frame: ``segment`` names the
    column (``all`` overall) and ``group`` its value. The study's queries: everything after is pandas on a
    few hundred cells."""
    parts = []
    for seg in [None, *by]:
        t = cells(units, [seg] if seg else []).to_pandas()
        t["segment"] = seg or "all"
        t["group"] = t[seg].astype(str) if seg else "all"
        parts.append(t.drop(columns=[seg] if seg else []))
    return pd.concat(parts, ignore_index=True)


def study(
    pool,
    catalog: pd.DataFrame,
    by: list[str],
    months: tuple | None = None,
    filters: dict | None = None,
    min_clients: int = disclosure.MIN_CLIENTS,
    max_share: float = disclosure.MAX_SHARE,
    min_cases: dict | None = None,
    values=None,
) -> pd.DataFrame:
    """Published benchmark cells for every indicator, overall (``segment='all'``) and by each column of
    ``by``, on the indicator's own scale (percent x 100 ...), best decile by its polarity, disclosure
    control applied (``published``, ``reason``); units below ``min_cases`` (see ``unit_values``) left out.
    ``values``: the unit values already computed (:func:`units`), read instead of the pool (then ``months``
    and ``filters`` are theirs)."""
    from ..catalog import UNITS

    cached = values is None
    if cached:
        values = units(pool, months, filters)
    elif months is not None or filters:
        raise ValueError("study: months and filters belong to the unit values given; pass them to units()")
    try:
        out = segments(enough(values, min_cases), by)
    finally:
        if cached:  # released while the connection is open (a finalizer after close would fail)
            values.release()
    info = catalog.set_index("indicator_id")
    out = out[out["indicator_id"].isin(info.index)].copy()
    pol = out["indicator_id"].map(info["polarity"])
    lower = (pol == "lower").to_numpy()
    out["best_decile"] = np.where(lower, out["bottom_mean"], out["top_mean"])
    out["top_clients"] = np.where(lower, out["bottom_clients"], out["top_clients"]).astype(float)
    mult = out["indicator_id"].map(info["unit"]).map(UNITS).fillna(1.0).to_numpy(float)
    for c in ["p10", "p25", "p50", "p75", "p90", "mean", "best_decile"]:
        out[c] = out[c].to_numpy(float) * mult
    out["polarity"] = pol
    out = out.drop(columns=["top_mean", "bottom_mean", "bottom_clients"])
    kept = []
    for seg, t in out.groupby("segment", sort=False):
        margins = ["group"] if seg != "all" else []
        t = disclosure.suppress(t, ["indicator_id", "group"], margins, STATS, min_clients=min_clients,
                                max_share=max_share)  # fmt: skip
        t = disclosure.top_decile(t)
        ranged = (t["polarity"] == "range").to_numpy()  # the best is inside a clinical range, not at one end
        t.loc[ranged, "best_decile"] = np.nan
        t.loc[ranged, "best_decile_note"] = "range indicator: no best decile"
        kept.append(t)
    cols = ["indicator_id", "segment", "group", "units", "clients", "events", "cases", "max_share", *STATS,
            "top_clients", "polarity", "published", "reason", "best_decile_note"]  # fmt: skip
    res = pd.concat(kept, ignore_index=True)[cols]
    return res.sort_values(["indicator_id", "segment", "group"], key=_all_first).reset_index(drop=True)


def _all_first(s: pd.Series) -> pd.Series:
    return s.map(lambda x: "" if x == "all" else str(x))


def suggested_bands(bench: pd.DataFrame, catalog: pd.DataFrame, source: str) -> dict:
    """Ideal bands for a new client from the published overall cells: floor = achievement threshold
    (median), target = benchmark (mean of the best decile), as CMS HVBP sets them. Range indicators and
    cells not published are left out (listed under ``skipped``). Returns the ``bands`` fragment of the
    annual evaluation's params."""
    info = catalog.set_index("indicator_id")
    bands, skipped = {}, {}
    for r in bench[bench["segment"] == "all"].itertuples():
        rule = info.loc[r.indicator_id, "rule"]
        if rule != "linear":
            skipped[r.indicator_id] = f"rule '{rule}': bands follow a clinical range, not the pool's distribution"
        elif not r.published:
            skipped[r.indicator_id] = f"not published: {r.reason}"
        elif not np.isfinite(r.best_decile):
            skipped[r.indicator_id] = r.best_decile_note
        elif np.isclose(r.p50, r.best_decile):
            skipped[r.indicator_id] = "median equals the best-decile mean: no room for a band"
        elif np.isclose(r.best_decile, 0) or (info.loc[r.indicator_id, "unit"] == "percent" and
                                               np.isclose(r.best_decile, 100)):  # fmt: skip
            skipped[r.indicator_id] = (f"the best decile sits at {r.best_decile:g} (units without events): "
                                       "set this band by hand or raise min_cases")  # fmt: skip
        else:
            bands[r.indicator_id] = {
                "rule": "linear",
                "floor": round(float(r.p50), 4),
                "target": round(float(r.best_decile), 4),
                "why": (f"{source}: {int(r.units)} units of {int(r.clients)} clients; floor = median "
                        "(CMS achievement threshold), target = mean of the best decile (CMS benchmark)"),
            }  # fmt: skip
    return {"bands": bands, "skipped": skipped}


def bands_yaml(fragment: dict) -> str:
    """The suggested bands as a YAML fragment to paste into an annual evaluation's params."""
    head = "# Suggested ideal bands from the pooled benchmark; paste under the evaluation's params.\n"
    skipped = "".join(f"# skipped {k}: {v}\n" for k, v in fragment["skipped"].items())
    return head + skipped + yaml.safe_dump({"bands": fragment["bands"]}, sort_keys=True, allow_unicode=True)
