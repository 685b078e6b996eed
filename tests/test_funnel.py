"""Funnel plots against the published vectors of METHODS 7 (Spiegelhalter 2005; FunnelPlotR, NHS-R)."""

import numpy as np
import pytest

from gps_core import funnel
from gps_core.errors import InputError

OBS = np.array([100, 150, 180, 80, 120, 225])
E = np.array([108, 112, 165, 95, 100, 220])
PO = np.array([20, 45, 12, 80, 8, 60, 30, 22, 70, 15])
PN = np.array([100, 150, 80, 200, 60, 180, 120, 90, 210, 70])


def test_unadjusted_ratio_limits_are_the_smooth_poisson_limits():
    """METHODS 7: E = 15, 20, 30 at 95 % and 99.8 %."""
    lo, hi = funnel.limits([15, 20, 30], 95)
    np.testing.assert_allclose(lo, [0.5596924, 0.6108260, 0.6746958], atol=5e-7)
    np.testing.assert_allclose(hi, [1.649348, 1.544419, 1.427562], atol=5e-6)
    lo, hi = funnel.limits([15, 20, 30], 99.8)
    np.testing.assert_allclose(lo, [0.3862650, 0.4479107, 0.5289724], atol=5e-7)
    np.testing.assert_allclose(hi, [2.082907, 1.902094, 1.702771], atol=5e-6)


def test_shmi_overdispersion_vector():
    """METHODS 7: phi = 2.948033175, tau2 = 0.01947753058, 95 % at E = 108 [.7173067493, 1.394103709]."""
    f = funnel.funnel_data(OBS, E, "SR", "SHMI")
    assert f.attrs["phi"] == pytest.approx(2.948033175, abs=1e-9)
    assert f.attrs["tau2"] == pytest.approx(0.01947753058, abs=1e-11)
    np.testing.assert_allclose(f.loc[0, ["lower", "upper"]].astype(float), [0.7173067493, 1.394103709], atol=1e-9)


def test_cqc_overdispersion_vector():
    """METHODS 7: phi = 2.327178258, tau2 = 0.003439780154, 95 % at E = 108 [.8513189994, 1.148681001].

    Those limits are 1 -/+ q sqrt(s^2 + tau2), i.e. on the square-root scale: METHODS' own table and
    FunnelPlotR (build_limits_lookup: ``(1 +/- q sqrt(s^2 + Tau2))^2``) square them back to the ratio scale,
    so the ratio limits we report are the vector squared."""
    f = funnel.funnel_data(OBS, E, "SR", "CQC")
    assert f.attrs["phi"] == pytest.approx(2.327178258, abs=1e-9)
    assert f.attrs["tau2"] == pytest.approx(0.003439780154, abs=1e-12)
    lo, hi = f.loc[0, ["lower", "upper"]].astype(float)
    np.testing.assert_allclose(np.sqrt([lo, hi]), [0.8513189994, 1.148681001], atol=1e-9)


def test_proportion_vector_adjusted_and_not():
    """METHODS 7: p = .2873015873, phi = 3.22131894, tau2 = .00521849462; at n = 100 overdispersed 95 %
    [.1470172493, .4525638566], unadjusted [.2032515729, .3794962010]."""
    f = funnel.funnel_data(PO, PN, "PR")
    assert f.attrs["target"] == pytest.approx(0.2873015873, abs=1e-10)
    assert f.attrs["phi"] == pytest.approx(3.22131894, abs=1e-8)
    assert f.attrs["tau2"] == pytest.approx(0.00521849462, abs=1e-11)
    np.testing.assert_allclose(f.loc[0, ["lower", "upper"]].astype(float), [0.1470172493, 0.4525638566], atol=1e-9)
    u = funnel.funnel_data(PO, PN, "PR", od_adjust=False)
    assert u.attrs["tau2"] == 0 and u.attrs["phi"] == f.attrs["phi"]  # phi is reported either way
    np.testing.assert_allclose(u.loc[0, ["lower", "upper"]].astype(float), [0.2032515729, 0.3794962010], atol=1e-9)


def test_outliers_are_outside_and_the_limit_is_inside():
    u = funnel.funnel_data(PO, PN, "PR", od_adjust=False)
    # unit 4 (8/60 = .133) is below the unadjusted limits, unit 1 (45/150 = .30) inside
    lo, hi = funnel.limits(PN, 95, "PR", target=u.attrs["target"])
    expect = (PO / PN < lo) | (PO / PN > hi)
    assert expect.any() and not expect.all()
    assert u["outlier"].tolist() == expect.tolist()
    # the overdispersed limits are wider: fewer outliers, never more
    f = funnel.funnel_data(PO, PN, "PR")
    assert f["outlier"].sum() < u["outlier"].sum()
    assert ((f["lower"] <= u["lower"]) & (f["upper"] >= u["upper"])).all()
    # a unit exactly on its limit is not an outlier (15 x lower / 15 is the lower limit again, bit for bit)
    lo15 = funnel.limits([15.0], 95)[0][0]
    on = funnel.funnel_data([15 * lo15, 20], [15, 20], "SR", od_adjust=False)
    assert on.loc[0, "value"] == on.loc[0, "lower"] and not on.loc[0, "outlier"]
    assert funnel.funnel_data([15 * lo15 * 0.999, 20], [15, 20], "SR", od_adjust=False).loc[0, "outlier"]


def test_ratio_z_and_intervals():
    f = funnel.funnel_data(OBS, E, "SR", "SHMI", od_adjust=False, units=list("abcdef"))
    np.testing.assert_allclose(f["z"], np.log(OBS / E) * np.sqrt(E))
    # the unit's own interval: Byar on O divided by E (METHODS 6: x = 65 -> [50.16318771, 82.84913855])
    g = funnel.funnel_data([65, 70], [65, 70], "SR")
    np.testing.assert_allclose(g.loc[0, ["ci_lower", "ci_upper"]].astype(float) * 65, [50.16318771, 82.84913855])
    assert f["unit"].tolist() == list("abcdef")


def test_underdispersed_units_keep_the_unadjusted_limits():
    """phi <= 1: no tau2, so the adjusted limits equal the smooth Poisson ones."""
    e = np.array([50.0, 80, 120, 200, 300, 400])
    f = funnel.funnel_data(e, e, "SR", "SHMI")
    assert f.attrs["phi"] == 0 and f.attrs["tau2"] == 0 and not f.attrs["od_adjusted"]
    np.testing.assert_allclose(f["lower"], funnel.limits(e, 95)[0])


def test_curves_cover_the_units():
    f = funnel.funnel_data(OBS, E, "SR", "SHMI")
    c = funnel.curves(f, points=50)
    assert set(c["level"]) == {95, 99.8} and len(c) == 100
    assert c["denominator"].min() < E.min() and c["denominator"].max() > E.max()
    at = c[c["level"] == 95]
    lo, hi = funnel.limits(at["denominator"], 95, tau2=f.attrs["tau2"])
    np.testing.assert_allclose(at["lower"], lo)
    assert (c[c["level"] == 99.8]["upper"].to_numpy() > at["upper"].to_numpy()).all()


def test_bad_input_names_the_unit():
    with pytest.raises(InputError, match="unit b: numerator 12 exceeds denominator 10"):
        funnel.funnel_data([1, 12], [10, 10], "PR", units=["a", "b"])
    with pytest.raises(InputError, match="unit 1: denominator 0 must be > 0"):
        funnel.funnel_data([1, 2], [10, 0], "SR")
    with pytest.raises(InputError, match="unit names repeat"):
        funnel.funnel_data([1, 2], [10, 10], "SR", units=["a", "a"])
    with pytest.raises(ValueError, match=r"limit must be one of \[95, 99.8\]"):
        funnel.funnel_data([1, 2], [10, 10], limit=90)
    with pytest.raises(ValueError, match="sr_method"):
        funnel.funnel_data([1, 2], [10, 10], sr_method="x")


def test_a_point_is_flagged_only_when_the_exact_test_agrees():
    """Methods §8 (issue 15): the arcsine limits flag a zero count at a low rate too readily. 0 of 75 at a
    6.4 % rate lies below the 99.8 % limit, yet its exact two-sided binomial probability is 1.4 %: outside,
    not flagged. A count far off the target is flagged by both."""
    from scipy import stats as sps

    from gps_core.studies.benchmark import confirm, exact_p

    o = np.array([0, 64, 64, 64, 64, 64, 64, 64, 64, 200])
    n = np.array([75, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000])
    d = funnel.funnel_data(o, n, "PR", od_adjust=False, limit=99.8)
    assert bool(d.loc[0, "outlier"]) and bool(d.loc[9, "outlier"])  # both outside the approximate limits
    d["p_exact"] = exact_p(d, "PR")
    p0 = 2 * sps.binom.cdf(0, 75, d.attrs["target"])
    assert d.loc[0, "p_exact"] == pytest.approx(p0) and 0.002 < p0 < 0.05
    confirm(d)
    assert d["outside"].tolist() == [True] + [False] * 8 + [True]
    assert d["outlier"].tolist() == [False] * 9 + [True]  # the zero count is not flagged; 200 of 1000 is
    d95 = funnel.funnel_data(o, n, "PR", od_adjust=False, limit=95)
    d95["p_exact"] = exact_p(d95, "PR")
    confirm(d95)
    assert bool(d95.loc[0, "outlier"]) == (p0 < 0.05)  # at the 95 % level the exact test does agree
    d95["p_exact"] = np.nan  # no exact test possible (a model's prediction): the approximate flag stands
    d95["outlier"] = d95["outside"]
    confirm(d95)
    assert d95["outlier"].equals(d95["outside"])
