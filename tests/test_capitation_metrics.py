"""Risk-model metrics and capitation rates on small hand-made cases (METHODS 10)."""

import numpy as np
import pandas as pd
import pytest

from gps_core.capitation import metrics, rates
from gps_core.errors import InputError

# y = (0, 100, 200, 700), mean 250; a model predicting (50, 150, 150, 650)
Y, P = np.array([0, 100, 200, 700.0]), np.array([50, 150, 150, 650.0])


def test_r2_cpm_mape_by_hand():
    # SSE = 4 x 50² = 10,000; SST = 250² + 150² + 50² + 450² = 290,000
    assert metrics.r2(Y, P) == pytest.approx(1 - 10_000 / 290_000)
    # Σ|y - ŷ| = 200; Σ|y - ȳ| = 250 + 150 + 50 + 450 = 900
    assert metrics.cpm(Y, P) == pytest.approx(1 - 200 / 900)
    assert metrics.mape(Y, P) == pytest.approx(50)
    # costs truncated at 400: y = (0, 100, 200, 400), mean 175; SSE = 3 x 50² + 250² = 70,000
    sst = 175**2 + 75**2 + 25**2 + 225**2
    assert metrics.r2(Y, P, truncate=400) == pytest.approx(1 - 70_000 / sst)
    # the mean predicts nothing: R² and CPM are 0
    assert metrics.r2(Y, np.full(4, 250.0)) == pytest.approx(0) and metrics.cpm(Y, np.full(4, 250.0)) == 0
    # weights count a member-month each: doubling every weight changes nothing
    assert metrics.r2(Y, P, w=[2, 2, 2, 2]) == pytest.approx(metrics.r2(Y, P))


def test_predictive_ratios_and_deciles():
    df = pd.DataFrame({"g": ["a", "a", "b", "b"], "cost": Y, "predicted": P, "mm": [12, 6, 12, 12]})
    r = metrics.predictive_ratios(df, "g", weight="mm").set_index("g")
    assert r.loc["a", "ratio"] == pytest.approx((50 * 12 + 150 * 6) / (0 * 12 + 100 * 6))
    assert r.loc["b", "ratio"] == pytest.approx((150 + 650) / (200 + 700))
    d = metrics.deciles(np.arange(20.0))
    assert d.tolist() == [k for k in range(1, 11) for _ in range(2)]


def test_capitation_is_budget_neutral_to_the_cent():
    m = pd.DataFrame(
        {
            "member_id": list("abcd"),
            "score": [0.5, 1.0, 2.0, 1.5],
            "member_months": [12, 12, 6, 3],
            "panel": ["x", "x", "y", "y"],
        }  # fmt: skip
    )
    out = rates.capitation(m, 1_000_000_00, by="panel")
    assert out["payment"].sum() == 1_000_000_00
    # normalized scores average 1 over member-months: mean = (6 + 12 + 12 + 4.5) / 33
    mean = (0.5 * 12 + 1 * 12 + 2 * 6 + 1.5 * 3) / 33
    assert out["normalized"].to_numpy() == pytest.approx(m["score"].to_numpy() / mean)
    assert np.average(out["normalized"], weights=m["member_months"]) == pytest.approx(1)
    # PMPM = base x normalized score; the base is the budget per member-month at average risk
    assert out.attrs["base_pmpm"] == pytest.approx(1_000_000_00 / 33)
    assert (np.abs(out["payment"] - out["pmpm"] * m["member_months"]) <= 1).all()
    g = out.attrs["groups"].set_index("panel")
    assert g["payment"].sum() == 1_000_000_00 and g.loc["x", "member_months"] == 24
    with pytest.raises(InputError, match="member-months must be >= 0"):
        rates.capitation(m.assign(member_months=[-1, 12, 6, 3]), 100)
