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


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from gps_core.riskadjust import c_statistic, calibration, fit, hosmer_lemeshow  # noqa: E402


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(300, 2000),
    units=st.integers(2, 12),
    family=st.sampled_from(["binomial", "poisson"]),
)
def test_oe_averages_one_over_the_reference_population(seed, n, units, family):
    """With a canonical link and an intercept the GLM's expected counts add up to the observed ones, so the
    units' O/E, weighted by their expected counts, average exactly 1 over the population the model was fitted
    on (METHODS 8): indirect standardization charges nobody for the reference itself."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    g = rng.integers(0, units, n)
    eta = -1.0 + 0.8 * x + rng.normal(0, 0.3, units)[g]
    y = rng.binomial(1, expit(eta)) if family == "binomial" else rng.poisson(np.exp(eta))
    df = pd.DataFrame({"y": y, "x": x, "unit": g, "grp": rng.choice(["a", "b", "c"], n)})
    oe = observed_expected(df, "y ~ x + C(grp)", "unit", family)
    assert (oe["ratio"] * oe["expected"]).sum() / oe["expected"].sum() == pytest.approx(1.0, abs=1e-8)
    assert oe["expected"].sum() == pytest.approx(df["y"].sum(), rel=1e-8)


def test_c_statistic_and_calibration_by_hand():
    from sklearn.metrics import roc_auc_score

    y = np.array([0, 0, 1, 1, 0, 1, 0, 1, 1, 0])
    p = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.5, 0.5, 0.9, 0.3])
    # 22 of the 25 (positive, negative) pairs are ordered correctly and 1 is tied (0.5, 0.5): 22.5 / 25.
    assert c_statistic(y, p) == pytest.approx(0.9) == pytest.approx(roc_auc_score(y, p))
    cal = calibration(y, p, groups=5)
    assert cal["n"].tolist() == [2] * 5
    assert (cal["observed"] * cal["n"]).sum() == y.sum()
    stat, pv = hosmer_lemeshow(y, p, groups=5)
    o, e, n = cal["observed"] * 2, cal["expected"] * 2, 2
    assert stat == pytest.approx((((o - e) ** 2) / (e * (1 - e / n))).sum()) and 0 < pv < 1


def test_a_model_cannot_predict_a_category_the_reference_lacks():
    df = pd.DataFrame({"y": [0, 1, 0, 1, 1, 0], "g": list("aabbab")})
    m = fit(df, "y ~ C(g)", "binomial")
    with pytest.raises(ValueError, match="absent from the reference population"):
        m.predict(pd.DataFrame({"g": ["z"]}))


def test_risk_study_on_medpar_and_its_bad_input(tmp_path, root):
    """medpar (Hilbe): O/E of mortality per hospital equals a logit fitted here; P/E shrinks toward 1;
    a mortality column with a 2 in it is refused with its line."""
    import statsmodels.formula.api as smf

    from gps_core import params
    from gps_core.errors import InputError
    from gps_core.studies import risk as risk_study

    f = root / "params" / "medpar_1991.yaml"
    s = risk_study.run(params.load(f))
    med = pd.read_csv(EXTERNAL / "count_medpar.csv")
    p = smf.logit("died ~ hmo + white + age80 + C(type)", med).fit(disp=0).predict(med)
    hand = med.assign(p=p).groupby("provnum").agg(o=("died", "sum"), e=("p", "sum"))
    mort = s.outcomes[1]["units"].set_index("unit")
    assert mort.loc["30001", "expected"] == pytest.approx(hand.loc[30001, "e"], rel=1e-6)
    assert mort["oe"].to_numpy() == pytest.approx((hand["o"] / hand["e"]).to_numpy(), rel=1e-6)
    assert (np.abs(mort["pe"] - 1) <= np.abs(mort["oe"] - 1) + 1e-9).all()
    assert mort["small"].sum() == (med.groupby("provnum").size() < 10).sum()
    los = s.outcomes[0]["units"]
    assert (los["oe_lower"] < los["oe"]).all() and (los["oe"] < los["oe_upper"]).all()
    bad = med.copy()
    bad.loc[4, "died"] = 2
    bad.to_csv(tmp_path / "medpar.csv", index=False)
    q = tmp_path / "p.yaml"
    q.write_text(f.read_text().replace("../data/external/count_medpar.csv", "medpar.csv"))
    with pytest.raises(InputError, match=r"line 6, column 'died': '2' is not a valid binomial outcome \(0 or 1\)"):
        risk_study.run(params.load(q))
    # no death among the emergency admissions (type 3): its odds ratio has no finite estimate; refused, named
    bad = med.copy()
    bad.loc[bad["type"] == 3, "died"] = 0
    bad.to_csv(tmp_path / "medpar.csv", index=False)
    with pytest.raises(InputError, match=r"outcome 'died': the 96 patients with type = '3' all have died = 0, so"):
        risk_study.run(params.load(q))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), p=st.integers(1, 6), units=st.integers(2, 15))
def test_the_laplace_gradient_is_exact(seed, p, units):
    """The hierarchical fit's gradient (envelope theorem plus the modes' implicit derivatives) equals a
    finite difference of its own Laplace log-likelihood, at any point."""
    from scipy.optimize import approx_fprime

    from gps_core.riskadjust import _laplace

    rng = np.random.default_rng(seed)
    n = 400
    X = np.column_stack([np.ones(n), rng.normal(size=(n, p))])
    g = rng.integers(0, units, n)
    y = rng.binomial(1, expit(-1 + X[:, 1:] @ rng.normal(0, 0.5, p) + rng.normal(0, 0.4, units)[g])).astype(float)
    theta = np.append(rng.normal(0, 0.5, p + 1), rng.uniform(-2, 0.5))
    _, grad = _laplace(theta, X, y, g, units)
    num = approx_fprime(theta, lambda t: _laplace(t, X, y, g, units)[0], 1e-6)
    assert grad == pytest.approx(num, rel=1e-4, abs=1e-4)


def test_a_case_mix_model_with_many_covariates_is_fitted_at_its_maximum():
    """30 covariates (an age in years beside 0/1 diagnosis dummies) on 20,000 patients: the fit converges, no
    nearby point has a higher Laplace likelihood, and rescaling a covariate (age in decades) rescales its
    coefficient and leaves everything else as it was (the internal standardization is undone exactly)."""
    from gps_core.riskadjust import _laplace

    rng = np.random.default_rng(7)
    n, k = 20_000, 30
    age = rng.normal(60, 15, n)
    dx = rng.integers(0, 28, n)
    D = (dx[:, None] == np.arange(1, 28)).astype(float)  # 27 dummies, diagnosis 0 the reference
    X = np.column_stack([np.ones(n), age, rng.integers(0, 2, n), D])
    g = rng.integers(0, k, n)
    eta = -3.5 + 0.05 * (age - 60) + D @ rng.normal(0, 0.6, 27) + rng.normal(0, 0.3, k)[g]
    y = rng.binomial(1, expit(eta))
    from gps_core.riskadjust import separated

    assert separated(X, [str(c) for c in range(X.shape[1])], y, "binomial") == []  # a finite maximum exists
    fit = hierarchical_logistic(y, X, g)
    assert fit.converged
    theta = np.append(fit.beta, np.log(fit.sigma))
    best = _laplace(theta, X, y.astype(float), g, k)[0]
    for _ in range(20):
        assert _laplace(theta + rng.normal(0, 1e-3, theta.size), X, y.astype(float), g, k)[0] >= best - 1e-9
    X10 = X.copy()
    X10[:, 1] = age / 10
    fit10 = hierarchical_logistic(y, X10, g)
    assert fit10.beta[1] == pytest.approx(fit.beta[1] * 10, rel=1e-4)
    assert np.delete(fit10.beta, 1) == pytest.approx(np.delete(fit.beta, 1), rel=1e-4, abs=1e-5)
    assert fit10.sigma == pytest.approx(fit.sigma, rel=1e-4)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), family=st.sampled_from(["binomial", "poisson", "negative_binomial"]))
def test_a_category_without_events_is_named(seed, family):
    """Complete separation: a dummy whose patients all have no event (or, for a binary outcome, all have one)
    is found; one event among them clears it; numeric columns and the intercept are never named."""
    from gps_core.riskadjust import separated

    rng = np.random.default_rng(seed)
    n = 300
    cat = rng.integers(0, 4, n)
    X = np.column_stack([np.ones(n), rng.normal(size=n), *((cat == c).astype(float) for c in (1, 2, 3))])
    names = ["Intercept", "age", "C(dx)[T.b]", "C(dx)[T.c]", "C(dx)[T.d]"]
    y = (rng.binomial(1, 0.3, n) if family == "binomial" else rng.poisson(2, n)).astype(float)
    y[cat == 2] = 0
    y[(cat != 2) & (rng.random(n) < 0.5)] = 1  # every other category has events
    assert separated(X, names, y, family) == [("C(dx)[T.c]", int((cat == 2).sum()), 0.0)]
    y[np.flatnonzero(cat == 2)[0]] = 1
    assert separated(X, names, y, family) == []
    if family == "binomial":
        y[cat == 3] = 1
        assert separated(X, names, y, family) == [("C(dx)[T.d]", int((cat == 3).sum()), 1.0)]
