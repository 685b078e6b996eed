"""Risk adjustment pinned to METHODS 8: the lme4 hierarchical-logistic vector and the medpar Poisson GLM."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from gps_core.riskadjust import hierarchical_logistic, observed_expected, predicted_over_expected

from .conftest import EXTERNAL

U = (-0.6, -0.3, -0.1, 0.0, 0.1, 0.2, 0.35, 0.5)


def cohort() -> pd.DataFrame:
    """The deterministic 8-hospital cohort of METHODS 8 (no random numbers)."""
    rows = []
    for h in range(8):
        for j in range(30 * (h + 1)):
            x = ((7 * j + 3 * h) % 11) / 10 - 0.5
            age = 60 + ((13 * j + 5 * h) % 31)
            eta = -1.5 + 0.9 * x + 0.03 * (age - 75) + U[h]
            t = (0.6180339887498949 * j + 0.41421356 * h) % 1.0
            rows.append((h, x, age - 75, int(t < expit(eta))))
    return pd.DataFrame(rows, columns=["hospital", "x", "age75", "y"])


def test_hierarchical_pe_matches_lme4():
    """lme4::glmer(y ~ x + I(age - 75) + (1 | hospital), family = binomial), Laplace (METHODS 8).

    Tolerance 5e-5: the likelihood is flat at the optimum; lme4's published estimate has a Laplace deviance
    1.4e-8 above ours, i.e. its optimizer stops ~1e-5 from the same maximum.
    """
    d = cohort()
    X = np.column_stack([np.ones(len(d)), d["x"], d["age75"]])
    fit = hierarchical_logistic(d["y"], X, d["hospital"])
    assert fit.converged
    assert fit.beta == pytest.approx([-1.423154191, 0.7842168655, 0.02999671849], abs=5e-5)
    assert fit.sigma == pytest.approx(0.2216990574, abs=5e-5)
    pe = predicted_over_expected(fit, X, d["hospital"])
    lme4 = [0.9077485, 0.8958883, 0.8890641, 0.9577998, 0.9659163, 1.0327688, 1.1780630, 1.2344216]
    assert pe["ratio"].to_numpy() == pytest.approx(lme4, abs=5e-5)
    # shrinkage: every P/E lies between 1 and the raw O/E
    raw = d.groupby("hospital")["y"].sum().to_numpy() / pe["expected"].to_numpy()
    assert np.all(np.abs(pe["ratio"] - 1) <= np.abs(raw - 1) + 1e-12)


def test_medpar_poisson_glm_matches_hilbe():
    """Hilbe, Negative Binomial Regression: los ~ hmo + white + type2 + type3 on medpar."""
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    med = pd.read_csv(EXTERNAL / "count_medpar.csv")
    fit = smf.glm("los ~ hmo + white + type2 + type3", med, family=sm.families.Poisson()).fit()
    assert fit.params.round(4).tolist() == [2.3329, -0.0715, -0.1539, 0.2217, 0.7095]
    oe = observed_expected(med, "los ~ hmo + white + type2 + type3", "provnum", "poisson")
    assert len(oe) == 54
    assert oe["observed"].sum() == pytest.approx(oe["expected"].sum())  # Poisson with intercept: sum O = sum E
    assert oe["adjusted"].to_numpy() == pytest.approx((oe["ratio"] * med["los"].mean()).to_numpy())
    nb = observed_expected(med, "los ~ hmo + white + type2 + type3", "provnum", "negative_binomial")
    assert nb["expected"].sum() == pytest.approx(med["los"].sum(), rel=0.02)
    with pytest.raises(ValueError, match="family must be one of"):
        observed_expected(med, "los ~ hmo", "provnum", "weibull")
