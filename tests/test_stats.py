"""Intervals and standardized rates pinned to METHODS 6 (PHEindicatormethods / Fingertips values)."""

import numpy as np
import pytest
from scipy import stats as sps

from gps_core import stats

COUNTS = [127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82, 91]
POP = [636, 558, 609, 543, 384, 594, 669, 843, 660, 576, 606, 522, 426, 273, 300, 288, 153, 123, 207]
ESP2013 = [
    5000,
    5500,
    5500,
    5500,
    6000,
    6000,
    6500,
    7000,
    7000,
    7000,
    7000,
    6500,
    6000,
    5500,
    5000,
    4000,
    2500,
    1500,
    1000,
]
REF_COUNTS = [
    10303,
    2824,
    0,
    3615,
    3641,
    3490,
    3789,
    3213,
    3031,
    2771,
    3089,
    3490,
    3595,
    4745,
    5514,
    7125,
    5694,
    6210,
    5757,
]
REF_POP = [
    50520,
    57173,
    60213,
    54659,
    44345,
    50128,
    62163,
    67423,
    62899,
    55463,
    60479,
    49974,
    44140,
    40888,
    37239,
    30819,
    18136,
    15325,
    13918,
]


def test_wilson_vectors():
    lo, hi = stats.wilson([65, 1045], [100, 5000], 95)
    assert lo == pytest.approx([0.5525444330, 0.1979554988], abs=1e-9)
    assert hi == pytest.approx([0.7363575176, 0.2204913037], abs=1e-9)
    with pytest.raises(ValueError, match="less than or equal"):
        stats.wilson(5, 4)
    with pytest.raises(ValueError, match="confidence"):
        stats.wilson(5, 10, 0.5)


def test_byar_vectors_and_exact_below_ten():
    lo, hi = stats.byar([65, 1045])
    assert lo == pytest.approx([50.16318771, 982.5932018], abs=1e-6)
    assert hi == pytest.approx([82.84913855, 1110.331213], abs=1e-6)
    lo, hi = stats.byar([0, 3])
    assert lo[0] == 0 and hi[0] == pytest.approx(sps.chi2.ppf(0.975, 2) / 2)
    assert lo[1] == pytest.approx(sps.chi2.ppf(0.025, 6) / 2) and hi[1] == pytest.approx(sps.chi2.ppf(0.975, 8) / 2)


def test_indicator_interval_picks_the_method_by_kind():
    # rows: percent 65/100 (the Wilson vector above), 1045 events per 1000 of 5000, a risk-adjusted row with
    # O = 65, E = 50 and reference rate 2 %, an NPS and a row without cases
    lo, hi, method = stats.indicator_interval(
        [65, 1045, 65, 30, 0],
        [100, 5000, 4000, 40, 0],
        ["percent", "per_1000", "percent", "nps", "percent"],
        [100, 1000, 100, 1, 100],
        expected=[np.nan, np.nan, 50, np.nan, np.nan],
        reference_rate=[np.nan, np.nan, 0.02, np.nan, np.nan],
    )
    assert list(method) == ["Wilson", "Byar", "Byar on O/E", "", ""]
    assert lo[0] == pytest.approx(55.25444330, abs=1e-7) and hi[0] == pytest.approx(73.63575176, abs=1e-7)
    assert lo[1] == pytest.approx(982.5932018 / 5, abs=1e-6) and hi[1] == pytest.approx(1110.331213 / 5, abs=1e-6)
    # Byar's limits of O = 65, over E, times the reference rate in percent
    assert lo[2] == pytest.approx(50.16318771 / 50 * 2, abs=1e-7) and hi[2] == pytest.approx(82.84913855 / 50 * 2)
    assert lo[2] < 65 / 50 * 2 < hi[2]
    assert np.isnan(lo[3:]).all() and np.isnan(hi[3:]).all()


def test_dsr_vector_esp2013():
    out = stats.dsr(COUNTS, POP, ESP2013).iloc[0]
    assert out["total_count"] == 895
    assert out["value"] == pytest.approx(10430.24799, abs=1e-5)
    assert (out["lower"], out["upper"]) == pytest.approx((9717.709068, 11178.94092), abs=1e-5)
    few = stats.dsr([3, 2], [100, 100], [1, 1]).iloc[0]
    assert np.isnan(few["value"]) and "fewer than 10" in few["method"]


def test_isr_vector():
    out = stats.isr(COUNTS, POP, REF_COUNTS, REF_POP).iloc[0]
    assert out["expected"] == pytest.approx(835.8835612, abs=1e-6)
    assert out["value"] == pytest.approx(1.070723294, abs=1e-9)
    assert (out["lower"], out["upper"]) == pytest.approx((1.001714771, 1.143233287), abs=1e-9)


def test_tidy_outputs_describe_themselves():
    p = stats.proportion([65], [100], multiplier=100)
    assert p.loc[0, "method"] == "Wilson" and p.loc[0, "value"] == 65 and p.loc[0, "confidence"] == 0.95
    r = stats.rate([65], [100000], method="exact")
    assert r.loc[0, "method"] == "Exact" and r.loc[0, "lower"] < 65 < r.loc[0, "upper"]
    with pytest.raises(ValueError, match="'byar' or 'exact'"):
        stats.rate([1], [1], method="wald")
