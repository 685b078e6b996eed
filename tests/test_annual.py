"""Annual evaluation: VD and VM as in the GPS paper, OLS statistics against statsmodels, HVBP-style points."""

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from gps_core.annual import alerts, annual_evaluation, quadrant, trend
from gps_core.errors import FewMonthsWarning

START = pd.Timestamp("2015-01-01")


def _index(series: dict[str, list[float]]):
    rows = []
    for u, ys in series.items():
        for t, y in enumerate(ys):
            rows.append(
                {
                    "client": "c",
                    "program": "p",
                    "unit_id": u,
                    "unit_type": "specialty",
                    "specialty": u,
                    "period": START + pd.DateOffset(months=t),
                    "ip": y,
                }
            )
    return pd.DataFrame(rows)


def test_vd_and_vm_follow_equations_1_and_2():
    # A straight line 50 -> 61: fitted first 50, last 61, VM = 22 %; mean 55.5
    ix = _index({"a": [50 + t for t in range(12)], "b": [80.0] * 12})
    a = annual_evaluation(ix, START, target=75).set_index("unit_id")
    assert a.loc["a", "vm"] == pytest.approx(100 * 11 / 50)
    assert a.loc["a", "vd_target"] == pytest.approx(100 * (55.5 - 75) / 75)
    model = (55.5 + 80) / 2
    assert a.loc["a", "vd_model"] == pytest.approx(100 * (55.5 - model) / model)
    assert a.loc["b", "vm"] == pytest.approx(0.0)
    assert a.loc["a", "quadrant"] == "improving_from_behind"


def test_vm_uses_fitted_values_not_raw_endpoints():
    ys = [60, 62, 61, 63, 64, 66, 65, 67, 69, 68, 70, 58]  # a bad last month
    a = annual_evaluation(_index({"a": ys}), START).iloc[0]
    fit = sm.OLS(np.array(ys, float), sm.add_constant(np.arange(1, 13.0))).fit()
    first, last = fit.fittedvalues[0], fit.fittedvalues[-1]
    assert a["vm"] == pytest.approx(100 * (last - first) / first)
    assert a["vm"] > 0 > 100 * (ys[-1] - ys[0]) / ys[0]


def test_trend_statistics_match_statsmodels_ols():
    rng = np.random.default_rng(7)
    series = {f"u{k}": list(60 + 0.4 * np.arange(12) + rng.normal(0, 2, 12)) for k in range(5)}
    series["gap"] = [np.nan if t in (3, 7) else 50 + t + rng.normal() for t in range(12)]
    ix = _index(series).dropna()
    tr = trend(ix, START).set_index("unit_id")
    for u, ys in series.items():
        t = np.arange(1, 13.0)
        ok = ~np.isnan(ys)
        fit = sm.OLS(np.asarray(ys)[ok], sm.add_constant(t[ok])).fit()
        low, high = fit.conf_int(0.05)[1]
        assert tr.loc[u, "slope"] == pytest.approx(fit.params[1], rel=1e-10)
        assert tr.loc[u, "slope_se"] == pytest.approx(fit.bse[1], rel=1e-8)
        assert tr.loc[u, "p_value"] == pytest.approx(fit.pvalues[1], rel=1e-8)
        assert (tr.loc[u, "slope_low"], tr.loc[u, "slope_high"]) == pytest.approx((low, high), rel=1e-8)
    assert tr.loc["gap", "n_months"] == 10


def test_minimum_months_guard_and_warning():
    ix = _index({"a": [50.0, 52, 54, 56, 58], "b": list(np.linspace(60, 70, 12))})
    with pytest.warns(FewMonthsWarning, match="fewer than 6"):
        a = annual_evaluation(ix, START, min_months=6).set_index("unit_id")
    assert np.isnan(a.loc["a", "vm"]) and a.loc["a", "flags"] == "too_few_months"
    assert not np.isnan(a.loc["b", "vm"])


def test_hvbp_style_points_use_cms_rules():
    series = {f"u{k}": [40 + 4 * k] * 6 + [40 + 4 * k + (k % 3)] * 6 for k in range(10)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = annual_evaluation(_index(series), START).set_index("unit_id")
    base = np.array([40 + 4 * k for k in range(10)], float)
    at, bm = np.median(base), base[base >= np.quantile(base, 0.9)].mean()
    assert a["hvbp_threshold"].iloc[0] == at and a["hvbp_benchmark"].iloc[0] == pytest.approx(bm)
    assert a.loc["u9", "achievement_points"] == 10  # at the benchmark
    assert a.loc["u0", "achievement_points"] == 0  # below the threshold
    assert a.loc["u0", "improvement_points"] == 0  # no change
    perf, b = 40 + 4 * 4 + 1, 40 + 4 * 4  # u4 improved by 1 point
    expect_imp = min(9, np.floor(10 * (perf - b) / (bm - b) - 0.5 + 0.5))
    assert a.loc["u4", "improvement_points"] == expect_imp


def test_quadrants_and_alerts():
    q = quadrant(pd.Series([1.0, -1, 1, -1, -0.5]), pd.Series([1.0, 1, -1, -1, -0.5]), neutral=0.0)
    assert list(q) == [
        "leading_and_improving",
        "improving_from_behind",
        "leading_but_declining",
        "critical",
        "critical",
    ]
    assert quadrant(pd.Series([-0.5]), pd.Series([-0.5]), neutral=1.0)[0] == "leading_and_improving"
    ix = _index({"a": list(np.linspace(70, 60, 12)), "b": list(np.linspace(60, 90, 12)), "c": [80.0] * 12})
    ann = annual_evaluation(ix, START, target=75)
    al = alerts(ix, ann, target=75, n_lowest=1)
    assert set(al.loc[al["alert"] == "lowest_latest_month", "unit_id"]) == {"a"}
    assert set(al.loc[al["alert"] == "below_target_latest_month", "unit_id"]) == {"a"}
    assert set(al.loc[al["alert"] == "critical_vd_and_vm_negative", "unit_id"]) == {"a"}
    assert set(al.loc[al["alert"] == "significant_decline", "unit_id"]) == {"a"}
