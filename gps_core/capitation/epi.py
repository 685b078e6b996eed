"""Epidemiological profile of a capitated population and its monitors (METHODS 10, with the intervals and
standardized rates of METHODS 6).

Input: one :func:`gps_core.capitation.calibrate.profile` frame per year (members enrolled that year with
age, sex, months and condition flags ``HCC<n>`` / ``C_<name>``). Everything is tidy, one row per year and
condition (or transition and panel):

- :func:`prevalence`: members with the condition / members enrolled, Wilson 95 % limits;
- :func:`incidence`: new cases in year t+1 among members enrolled both years and free of it in year t,
  Wilson limits (a cumulative incidence, not a person-time rate: the file holds years, not dates);
- :func:`standardized`: the directly standardized prevalence (Dobson limits) with the reference year's
  age-sex population as the standard, and the indirectly standardized ratio O/E against the reference
  year's age-sex-specific prevalence (Byar/exact limits): a rise that survives standardization is not
  the population ageing;
- :func:`churn`: risk of the members who stay, leave and join between years (risk selection shows as
  healthier joiners or sicker leavers);
- :func:`monitor`: per panel and transition, the enrolled risk relative to the plan and the next year's
  observed over expected cost and share of members with any use (undertreatment shows as O/E and use
  falling while the risk does not).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import stats
from .calibrate import features

BAND = 5  # years per age band of the standardization strata; 90+ is the last band


def _strata(p: pd.DataFrame) -> pd.Series:
    band = np.minimum(p["age"].to_numpy() // BAND * BAND, 90)
    return pd.Series(p["sex"].astype(str).to_numpy(), index=p.index) + band.astype(str)


def _long(profiles: dict[int, pd.DataFrame]) -> tuple[pd.DataFrame, list[str]]:
    conds = sorted(set.intersection(*(set(features(p)) for p in profiles.values())), key=_order)
    frames = [p[["member_id", *conds]].assign(year=y, stratum=_strata(p)) for y, p in profiles.items()]
    return pd.concat(frames, ignore_index=True), conds


def _order(c: str) -> tuple:
    return (0, int(c[3:])) if c.startswith("HCC") and c[3:].isdigit() else (1, c)


def prevalence(profiles: dict[int, pd.DataFrame], confidence: float = 0.95) -> pd.DataFrame:
    """Prevalence of each condition per year: ``year``, ``condition``, ``cases``, ``members``, ``value``,
    ``lower``, ``upper`` (proportions; Wilson limits, METHODS 6)."""
    d, conds = _long(profiles)
    g = d.groupby("year")
    out = g[conds].sum().stack().rename("cases").reset_index().rename(columns={"level_1": "condition"})
    out["members"] = out["year"].map(g.size())
    out["value"] = out["cases"] / out["members"]
    out["lower"], out["upper"] = stats.wilson(out["cases"], out["members"], confidence)
    return out


def incidence(profiles: dict[int, pd.DataFrame], confidence: float = 0.95) -> pd.DataFrame:
    """New cases between consecutive years: ``year`` (the later), ``condition``, ``cases``, ``at_risk``
    (enrolled both years, free of the condition in the earlier), ``value``, ``lower``, ``upper`` (Wilson)."""
    years = sorted(profiles)
    d, conds = _long(profiles)
    rows = []
    for a, b in zip(years[:-1], years[1:], strict=True):
        nxt = d[d["year"] == b].set_index("member_id")[conds].add_suffix("_next")
        both = d[d["year"] == a].set_index("member_id")[conds].join(nxt, how="inner")
        for c in conds:
            free = both[c].to_numpy() == 0
            rows.append({"year": b, "condition": c, "cases": int(both[f"{c}_next"].to_numpy()[free].sum()),
                         "at_risk": int(free.sum())})  # fmt: skip
    out = pd.DataFrame(rows)
    out["value"] = out["cases"] / out["at_risk"].where(out["at_risk"] > 0)
    out["lower"], out["upper"] = stats.wilson(out["cases"], out["at_risk"], confidence)
    return out


def standardized(profiles: dict[int, pd.DataFrame], reference: int, confidence: float = 0.95) -> pd.DataFrame:
    """Each year's prevalence standardized to the ``reference`` year's age-sex structure (5-year bands by
    sex): ``dsr`` with ``dsr_lower``/``dsr_upper`` (Dobson; NaN under 10 cases) and ``isr`` = O/E with
    ``isr_lower``/``isr_upper``, E from the reference year's stratum prevalence. Strata empty in either
    year are left out of that year's comparison (their count in ``strata_dropped``)."""
    d, conds = _long(profiles)
    ref = d[d["year"] == reference].groupby("stratum")
    ref_n, ref_x = ref.size(), ref[conds].sum()
    rows = []
    for y, dy in d.groupby("year"):
        g = dy.groupby("stratum")
        n, x = g.size(), g[conds].sum()
        keep = n.index.intersection(ref_n.index)
        dropped = len(n.index.union(ref_n.index)) - len(keep)
        for c in conds:
            di = stats.dsr(x.loc[keep, c], n.loc[keep], ref_n.loc[keep], confidence, multiplier=1.0)
            ii = stats.isr(x.loc[keep, c], n.loc[keep], ref_x.loc[keep, c], ref_n.loc[keep], confidence)
            rows.append({"year": y, "condition": c, "cases": int(x[c].sum()), "members": int(n.sum()),
                         "crude": float(x[c].sum() / n.sum()), "dsr": di["value"].iloc[0],
                         "dsr_lower": di["lower"].iloc[0], "dsr_upper": di["upper"].iloc[0],
                         "expected": ii["expected"].iloc[0], "isr": ii["value"].iloc[0],
                         "isr_lower": ii["lower"].iloc[0], "isr_upper": ii["upper"].iloc[0],
                         "strata_dropped": dropped})  # fmt: skip
    return pd.DataFrame(rows)


def _mean_ci(x: np.ndarray, z: float = 1.96) -> tuple[float, float, float]:
    if len(x) == 0:
        return np.nan, np.nan, np.nan
    m = float(np.mean(x))
    se = float(np.std(x, ddof=1) / np.sqrt(len(x))) if len(x) > 1 else np.nan
    return m, m - z * se, m + z * se


def churn(risk: dict[int, pd.Series]) -> pd.DataFrame:
    """Stayers, leavers and joiners between consecutive years and their mean risk with 95 % limits.

    ``risk``: per year, a member's risk score (index ``member_id``) relative to the plan (mean 1 in the
    reference year). Leavers are scored on the year they left from, joiners on the year they joined, and
    stayers on both (``year`` is the later year of the pair).
    """
    years = sorted(risk)
    rows = []
    for a, b in zip(years[:-1], years[1:], strict=True):
        ra, rb = risk[a], risk[b]
        stay = ra.index.intersection(rb.index)
        for group, r in (("stayers", ra.loc[stay]), ("leavers", ra.drop(stay)), ("joiners", rb.drop(stay))):
            m, lo, hi = _mean_ci(r.to_numpy(float))
            rows.append({"year": b, "group": group, "members": len(r), "mean_risk": m, "lower": lo, "upper": hi})
    return pd.DataFrame(rows)


def monitor(
    pairs: dict[int, pd.DataFrame], by: str, low: float = 0.9, z: float = 1.96, confidence: float = 0.95
) -> pd.DataFrame:
    """Risk mix and use per panel for each transition year t -> t+1.

    ``pairs``: per year t, members enrolled in t and t+1 with ``by``, ``risk`` (the model's prediction
    from year-t conditions, PMPM), ``months`` and ``pmpm`` of year t+1.

    Per (t+1, panel): ``members``, ``relative_risk`` (the panel's mean risk over the plan's, member-month
    weighted), ``oe`` = Σ cost / Σ expected cost, with expected = risk x months x the plan's O/E of the
    year (so the plan is 1.0 and a panel's drift is its own), ``oe_lower``/``oe_upper`` (ratio-estimator
    standard error), ``any_use`` (share with cost > 0, Wilson ``use_lower``/``use_upper``), and
    ``flag``: ``"undertreatment?"`` when the O/E upper limit is below 1 and O/E below ``low``, ``""``
    otherwise. The flag asks a question: lower cost is also what efficient care looks like, so the
    quality indicators of the same panel decide.
    """
    rows = []
    for t, d in sorted(pairs.items()):
        mm = d["months"].to_numpy(float)
        cost = d["pmpm"].to_numpy(float) * mm
        e = d["risk"].to_numpy(float) * mm
        e = e * cost.sum() / e.sum()
        plan_risk = np.sum(d["risk"].to_numpy(float) * mm) / mm.sum()
        for g, idx in d.groupby(by, observed=True).indices.items():
            y, ex, w = cost[idx], e[idx], mm[idx]
            r = y.sum() / ex.sum()
            se = np.sqrt(np.sum((y - r * ex) ** 2)) / ex.sum()
            used = int((y > 0).sum())
            lo_u, hi_u = stats.wilson(used, len(idx), confidence)
            rows.append({"year": t + 1, by: g, "members": len(idx),
                         "relative_risk": float(np.sum(d["risk"].to_numpy(float)[idx] * w) / w.sum() / plan_risk),
                         "oe": r, "oe_lower": r - z * se, "oe_upper": r + z * se, "any_use": used / len(idx),
                         "use_lower": float(lo_u), "use_upper": float(hi_u)})  # fmt: skip
    out = pd.DataFrame(rows)
    out["flag"] = np.where((out["oe_upper"] < 1) & (out["oe"] < low), "undertreatment?", "")
    return out
