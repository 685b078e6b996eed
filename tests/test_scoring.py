"""Scoring rules pinned to published vectors (METHODS 2-4) and to every row of CMS's HVBP FY2024 file."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gps_core import scoring as s
from gps_core.catalog import load_catalog

from .conftest import EXTERNAL

MEASURES = {
    "MORT-30-AMI": False,
    "MORT-30-HF": False,
    "MORT-30-PN": False,
    "MORT-30-COPD": False,
    "MORT-30-CABG": False,
    "COMP-HIP-KNEE": True,
}


def test_rhu_is_half_up_not_bankers():
    assert list(s.rhu([0.5, 1.5, 2.5, -0.5, 2.4999999999])) == [1, 2, 3, 0, 3]


@pytest.mark.parametrize(
    "at,bm,b,p,low,exp",
    [  # METHODS 3 table, from CMS HVBP FY2024 clinical outcomes
        (0.869247, 0.887868, 0.856752, 0.880237, False, (6, 7, 7)),
        (0.840281, 0.872976, 0.876319, 0.840808, False, (1, 0, 1)),
        (0.025396, 0.018159, 0.030343, 0.022314, True, (4, 6, 6)),
        (0.869247, 0.887868, 0.861210, 0.887911, False, (10, 9, 10)),
        (0.025396, 0.018159, 0.022064, 0.022022, True, (5, 0, 5)),
    ],
)
def test_hvbp_methods_vectors(at, bm, b, p, low, exp):
    a = s.hvbp_achievement_points(p, at, bm, low)
    i = s.hvbp_improvement_points(p, b, bm, low)
    assert (a, i, s.hvbp_measure_score(a, i)) == exp


def _points(col: pd.Series) -> pd.Series:
    return pd.to_numeric(col.str.extract(r"^(\d+) out of")[0], errors="coerce")


def test_hvbp_reproduces_every_row_of_cms_fy2024():
    """Source: CMS Provider Data Catalog, HVBP FY2024 clinical outcomes (data/external/MANIFEST.md)."""
    df = pd.read_csv(EXTERNAL / "cms_hvbp_fy2024_clinical_outcomes.csv", dtype=str)
    checked = 0
    for m, low in MEASURES.items():
        num = {
            k: pd.to_numeric(df[f"{m} {k}"], errors="coerce")
            for k in ("Achievement Threshold", "Benchmark", "Baseline Rate", "Performance Rate")
        }
        cms_a, cms_i, cms_s = (
            _points(df[f"{m} {k}"]) for k in ("Achievement Points", "Improvement Points", "Measure Score")
        )
        a = s.hvbp_achievement_points(num["Performance Rate"], num["Achievement Threshold"], num["Benchmark"], low)
        i = s.hvbp_improvement_points(num["Performance Rate"], num["Baseline Rate"], num["Benchmark"], low)
        sc = s.hvbp_measure_score(a, i)
        for ours, cms, what in ((a, cms_a, "achievement"), (i, cms_i, "improvement"), (sc, cms_s, "score")):
            has = cms.notna()
            bad = has & (ours != cms)
            assert not bad.any(), f"{m} {what}: {df.loc[bad, 'Facility ID'].head().tolist()}"
            checked += int(has.sum())
    assert checked > 25_000  # 2,474 hospitals x 6 measures x 3 columns, less "Not Available"


def test_hvbp_consistency_points():
    perf = pd.DataFrame({"d1": [0.80, 0.70, 0.95], "d2": [0.80, 0.85, 0.90]})
    floor, at = [0.60, 0.60], [0.75, 0.80]
    # hospital 0: all at/above AT -> 20; hospital 1: LDS = (0.70-0.60)/0.15 = 0.6667 -> RHU(13.33-0.5)=13
    assert s.hvbp_consistency_points(perf, floor, at).tolist() == [20, 13, 20]


def test_hvbp_domain_and_tps():
    assert s.hvbp_domain_score(np.array([35.0]), np.array([5]))[0] == pytest.approx(70.0)
    d = pd.DataFrame(
        {
            "clinical_outcomes": [40.0, 40.0],
            "person_and_community_engagement": [60.0, np.nan],
            "safety": [80.0, np.nan],
            "efficiency_and_cost_reduction": [20.0, 20.0],
        }
    )
    tps = s.hvbp_total_performance_score(d)
    assert tps[0] == pytest.approx(50.0)
    assert np.isnan(tps[1])  # only two domains: CMS reports no TPS
    d.loc[1, "safety"] = 80.0  # three domains: weights 1/3 each
    assert s.hvbp_total_performance_score(d)[1] == pytest.approx((40 + 80 + 20) / 3)


def test_linear_exchange_vector():
    """METHODS 3: bases 10/20/30 M, TPS 20/40/60."""
    out = s.hvbp_linear_exchange([20, 40, 60], [10e6, 20e6, 30e6])
    assert out["slope"].iloc[0] == pytest.approx(2.142857, abs=1e-6)
    assert out["incentive_pct"].iloc[1] == pytest.approx(1.7143, abs=1e-4)
    assert out["adjustment_factor"].tolist() == pytest.approx([0.988571, 0.997143, 1.005714], abs=1e-6)
    assert out["net_change"].sum() == pytest.approx(0.0, abs=1e-6)  # budget neutral


def test_mips_vectors():
    assert s.mips_decile_points(26.0, [10, 18, 24, 36, 40, 50, 60, 70, 80]) == pytest.approx(4.1667, abs=1e-4)
    deciles = [0, 27.81, 27.81, 32.3, 37.13, 41.54, 46.93, 52.41, 60.3]
    assert s.mips_decile_points(np.array([27.81, 60.3]), deciles).tolist() == [4.0, 10.0]
    assert s.mips_decile_points(60.3, deciles, topped_out=True) == 7.0
    with pytest.raises(ValueError, match="polarity"):
        s.mips_decile_points(1.0, deciles, polarity="up")


def test_band_vectors():
    # NHS QOF-style: floor 40 %, target 90 %, weight 20 (METHODS 2)
    assert (20 * s.linear_band([65, 95, 39], 40, 90)).tolist() == [10.0, 20.0, 0.0]
    # Previne Brasil: min(result/target, 1) = linear from 0; weight 2 of 10
    assert 2 * s.linear_band([40, 90], 0, [50, 60]) == pytest.approx([1.6, 2.0])
    # GPS paper: ALOS 20.29 days earns 60 %, 7.74 days earns 100 % (seed 003)
    thr, frac = np.array([7.74, 14, 21, 28]), np.array([1, 0.8, 0.6, 0.3])
    assert s.tier_band([20.29, 7.74, 7.75, 30], thr, frac, True).tolist() == [0.6, 1.0, 0.8, 0.0]
    assert s.range_band([30, 20, 50, 10, 98], 15, 25, 40, 60).tolist() == [1.0, 0.5, 0.5, 0.0, 0.0]


def test_band_fraction_uses_each_rows_rule_and_gap():
    cat = load_catalog().set_index("indicator_id")
    rules = cat.loc[["E01", "F02", "F07", "S01"]].reset_index()
    vals = np.array([20.29, 8.0, 50.0, np.nan])
    assert s.band_fraction(vals, rules)[:3].tolist() == pytest.approx([0.6, 0.5, 0.5])
    gap = s.full_score_gap(vals, rules)
    assert gap["gap"][:3].tolist() == pytest.approx([7.74 - 20.29, 4 - 8, 40 - 50])
    assert gap["bound"].tolist() == ["at_most", "at_most", "between", "at_least"]
    assert np.isnan(gap["gap"][3])


@given(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3), st.floats(0, 100), st.floats(0, 100))
def test_linear_band_is_monotone_by_polarity(v1, v2, floor, target):
    if floor == target:
        return
    f1, f2 = s.linear_band([v1, v2], floor, target)
    lo, hi = (f1, f2) if v1 <= v2 else (f2, f1)
    assert 0 <= f1 <= 1 and 0 <= f2 <= 1
    assert (lo <= hi) if target > floor else (lo >= hi)


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.booleans())
def test_achievement_within_range_and_monotone(p1, p2, at, low):
    bm = at - 0.1 if low else at + 0.1
    a1, a2 = s.hvbp_achievement_points([p1, p2], at, bm, low)
    assert 0 <= a1 <= 10 and 0 <= a2 <= 10
    better_first = (p1 <= p2) if low else (p1 >= p2)
    assert (a1 >= a2) if better_first else (a1 <= a2)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 300))
def test_band_fraction_through_catalogue_rows_equals_each_rows_own_rule(seed, n):
    """Scoring millions of rows reads each rule through its catalogue row; each result is the one the row's
    own rule gives through the band functions one value at a time (linear, range and tier rules of the
    shipped catalogue, values around their bands, blanks)."""
    cat = load_catalog()
    rng = np.random.default_rng(seed)
    row = rng.integers(0, len(cat), n)
    spread = np.nan_to_num(cat[["floor", "target", "target_high", "floor_high"]].to_numpy(float)).max(axis=1)
    vals = rng.random(n) * 1.5 * np.maximum(spread[row], 30)
    vals[rng.random(n) < 0.1] = np.nan
    got = s.band_fraction(vals, cat, row)
    want = []
    for v, r in zip(vals, cat.iloc[row].itertuples(), strict=True):
        if r.rule == "linear":
            want.append(float(s.linear_band(v, r.floor, r.target)))
        elif r.rule == "range":
            want.append(float(s.range_band([v], r.floor, r.target, r.target_high, r.floor_high)[0]))
        else:
            thr, frac = s.parse_tiers(r.tiers)
            want.append(float(s.tier_band([v], thr, frac, r.polarity == "lower")[0]))
    assert np.array_equal(got, np.array(want), equal_nan=True)
