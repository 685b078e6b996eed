"""Local calibration of a capitation risk model (METHODS 10): the client's own coefficients, fitted
prospectively (year-t conditions and demographics -> year t+1 cost per member-month), weighted by
member-months, cross-validated, and compared with an age-sex model and CMS's coefficients.

Models (``METHODS``):

- ``age_sex``: weighted least squares of PMPM cost on age-sex cells (the baseline every risk model must
  beat);
- ``ols``: the same plus one indicator per HCC (additive, like CMS's own calibration);
- ``two_part``: a logit for any cost times a gamma GLM (log link) for the cost when positive;
- ``gbm``: scikit-learn's histogram gradient boosting on the same columns (a flexible comparator);
- ``cms``: CMS's risk score scaled to the plan's mean cost (no refitting).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from ..errors import InputError
from . import metrics
from .hcc import hcc_scores

METHODS = ("age_sex", "ols", "two_part", "gbm", "cms")
BANDS = [0, 18, 40, 60, 70, 80, 200]


def _cells(age: pd.Series, sex: pd.Series) -> pd.Series:
    band = pd.cut(age, BANDS, right=False, labels=[f"{a}_{b - 1}" for a, b in zip(BANDS[:-1], BANDS[1:], strict=True)])
    return sex.astype(str) + band.astype(str).str.replace("_199", "+", regex=False)


def profile(tables: dict, year: int, model: str = "V24", who: bool = True, features: str = "hcc") -> pd.DataFrame:
    """Every member enrolled in ``year``: ``months``, age, sex, age-sex ``cell``, CMS risk score
    (``cms_score``) and the condition flags of the year: ``HCC<n>`` columns (payment HCCs after
    hierarchies) with ``features="hcc"``, or ``C_<name>`` columns from the plan's ``conditions`` table
    (e.g. SynPUF's chronic-condition flags) with ``features="conditions"``.

    ``tables`` as :func:`gps_core.synth.plan.plan` (members, eligibility, diagnoses, costs; and
    ``conditions`` for ``features="conditions"``). CMS's segment is taken as community non-dual, aged at
    65 (``CNA``) and disabled/under 65 (``CND``).
    """
    if features not in ("hcc", "conditions"):
        raise ValueError(f"features must be 'hcc' or 'conditions', got {features!r}")
    mem, el, dx = tables["members"], tables["eligibility"], tables["diagnoses"]
    now = el[(el["year"] == year) & (el["months"] > 0)][["member_id", "months"]]
    d = mem.merge(now, on="member_id")
    d["age"] = year - d["birth_year"]
    d["cell"] = _cells(d["age"], d["sex"])
    members = pd.DataFrame(
        {
            "member_id": d["member_id"],
            "age": d["age"],
            "sex": d["sex"],
            "segment": np.where(d["age"] >= 65, "CNA", "CND"),
        }
    )
    ydx = dx[(dx["year"] == year) & dx["member_id"].isin(set(d["member_id"]))][["member_id", "code"]]
    scores, terms = hcc_scores(members, ydx, model, who=who)
    d["cms_score"] = scores["risk_score"].to_numpy()
    if features == "conditions":
        c = tables["conditions"]
        c = c[c["year"] == year].drop(columns="year").set_index("member_id")
        c = c.rename(columns=lambda k: f"C_{k}").astype(int)
        return d.join(c, on="member_id").fillna({k: 0 for k in c.columns}).astype({k: int for k in c.columns})
    hcc = terms[terms["term"].astype(str).str.fullmatch(r"HCC\d+")]  # categories, not interactions (HCC85_gRenal)
    flags = pd.crosstab(hcc["member_id"], hcc["term"].astype(str)).clip(upper=1)
    d = d.join(flags, on="member_id").fillna({c: 0 for c in flags.columns})
    return d.astype({c: int for c in flags.columns})


def prospective(
    tables: dict,
    year: int,
    model: str = "V24",
    who: bool = True,
    features: str = "hcc",
    specialties: list[str] | None = None,
    exclude: list[str] | None = None,
) -> pd.DataFrame:
    """The modelling table: :func:`profile` of the members enrolled in ``year`` and ``year + 1``, with the
    next year's ``months`` (``months_now``: this year's) and cost per member-month (``pmpm``).

    ``specialties`` keeps only the costs of those specialties (a specialty bundle), ``exclude`` drops them
    (the global capitation beside the bundles); both need a ``specialty`` column in the costs.
    """
    d = profile(tables, year, model, who, features)
    el, co = tables["eligibility"], tables["costs"]
    if specialties is not None or exclude:
        if "specialty" not in co.columns:
            need = "specialty bundles need each member's yearly cost by specialty (member_id, year, specialty, amount)"
            raise InputError([f"the costs have no 'specialty' column; {need}"], "plan costs")
        if specialties is not None:
            co = co[co["specialty"].isin(specialties)]
        if exclude:
            co = co[~co["specialty"].isin(exclude)]
    nxt = el[(el["year"] == year + 1) & (el["months"] > 0)].set_index("member_id")["months"]
    d = d.rename(columns={"months": "months_now"})
    d.insert(d.columns.get_loc("months_now") + 1, "months", d["member_id"].map(nxt))
    d = d[d["months"].notna()].reset_index(drop=True)
    d["months"] = d["months"].astype(int)
    cost = co[co["year"] == year + 1].groupby("member_id")["amount"].sum()
    d["pmpm"] = d["member_id"].map(cost).fillna(0.0).to_numpy() / d["months"].to_numpy()
    return d


def columns(d: pd.DataFrame, min_members: int = 30) -> list[str]:
    """Condition columns (:func:`features`) with at least ``min_members`` members (rarer ones cannot be
    estimated)."""
    return [c for c in features(d) if d[c].sum() >= min_members]


def features(d: pd.DataFrame) -> list[str]:
    """The condition columns of a modelling table: ``HCC<n>`` or ``C_<name>``."""
    return [c for c in d.columns if c.startswith(("HCC", "C_"))]


def _design(d: pd.DataFrame, hccs: list[str], age: str = "cells") -> pd.DataFrame:
    if age == "linear":  # female + (age - 50) / 10: the synthetic plan's own specification
        x = pd.DataFrame({"female": (d["sex"] == "F").astype(float), "age10": (d["age"] - 50) / 10})
    else:
        x = pd.get_dummies(d["cell"], dtype=float).iloc[:, 1:]  # the first cell is the reference
    return sm.add_constant(pd.concat([x.reset_index(drop=True), d[hccs].reset_index(drop=True).astype(float)], axis=1))


def _independent(x: pd.DataFrame) -> list[str]:
    """The columns of a design that are linearly independent (QR with column pivoting), in their order."""
    from scipy.linalg import qr

    _, r, piv = qr(x.to_numpy(float), mode="economic", pivoting=True)
    d = np.abs(np.diag(r))
    rank = int(np.sum(d > d.max() * max(x.shape) * np.finfo(float).eps)) if len(d) else 0
    keep = set(piv[:rank])
    return [c for i, c in enumerate(x.columns) if i in keep]


@dataclass
class Fitted:
    """A fitted model: its method, the columns it uses and a predict function of a modelling table."""

    method: str
    hccs: list[str]
    params: pd.Series | None
    predict_fn: object
    parts: dict

    def predict(self, d: pd.DataFrame) -> np.ndarray:
        return self.predict_fn(d)


def fit(d: pd.DataFrame, method: str, hccs: list[str], age: str = "cells", seed: int = 1) -> Fitted:
    """Fit one of :data:`METHODS` on a modelling table (weights: next-year member-months)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    w, y = d["months"].to_numpy(float), d["pmpm"].to_numpy(float)
    use = [] if method == "age_sex" else hccs
    if method == "cms":
        scale = np.sum(w * y) / np.sum(w * d["cms_score"])
        return Fitted(method, [], pd.Series({"scale": scale}), lambda q: q["cms_score"].to_numpy() * scale, {})
    x = _design(d, use, age)
    cols = list(x.columns)

    def xs(q: pd.DataFrame) -> pd.DataFrame:
        return _design(q, use, age).reindex(columns=cols, fill_value=0.0)

    if method in ("age_sex", "ols"):
        r = sm.WLS(y, x, weights=w).fit()
        return Fitted(method, use, r.params, lambda q: xs(q).to_numpy() @ r.params.to_numpy(), {"fit": r})
    if method == "two_part":
        pos = y > 0
        # in a specialty bundle only members with its conditions have cost, so among them the intercept is a sum
        # of condition flags and a child's cell is empty: the gamma part keeps a full-rank set of columns
        seen = _independent(x[pos])
        logit = sm.GLM(pos.astype(float), x, family=sm.families.Binomial(), var_weights=w).fit()
        gamma = sm.GLM(y[pos], x.loc[pos, seen], family=sm.families.Gamma(sm.families.links.Log()),
                       var_weights=w[pos]).fit()  # fmt: skip
        return Fitted(
            method,
            use,
            gamma.params,
            lambda q: np.asarray(logit.predict(xs(q))) * np.asarray(gamma.predict(xs(q)[seen])),
            {"any": logit, "positive": gamma},
        )
    from sklearn.ensemble import HistGradientBoostingRegressor

    g = HistGradientBoostingRegressor(max_iter=200, learning_rate=0.05, min_samples_leaf=50, random_state=seed)
    g.fit(x.to_numpy(), y, sample_weight=w)
    return Fitted(method, use, None, lambda q: g.predict(xs(q).to_numpy()), {"model": g})


def cross_validate(
    d: pd.DataFrame, methods=METHODS, k: int = 5, seed: int = 1, min_members: int = 30, truncate: float = 0.995
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """k-fold out-of-fold predictions of every method and their metrics (R²; truncated R²: each model
    refitted on costs truncated at the ``truncate`` quantile and scored against the truncated costs;
    Cumming's prediction measure, mean absolute prediction error, and the
    predictive ratio of the top decile of predicted risk).

    Returns ``(predictions, table)``: ``predictions`` one column per method (PMPM), ``table`` one row per
    method.
    """
    hccs = columns(d, min_members)
    fold = np.random.default_rng(seed).integers(0, k, len(d))
    y, w = d["pmpm"].to_numpy(float), d["months"].to_numpy(float)
    cap = float(np.quantile(y, truncate))
    pred = pd.DataFrame(index=d.index, columns=list(methods), dtype=float)
    capped = pred.copy()
    for f in range(k):
        train, test = d[fold != f], d[fold == f]
        low = train.assign(pmpm=np.minimum(train["pmpm"], cap))
        for mth in methods:
            pred.loc[test.index, mth] = np.asarray(fit(train, mth, hccs, seed=seed).predict(test), dtype=float)
            # truncated R² as Ash et al.: the model re-estimated on costs truncated at the cap
            capped.loc[test.index, mth] = np.asarray(fit(low, mth, hccs, seed=seed).predict(test), dtype=float)
    rows = []
    for mth in methods:
        p = pred[mth].to_numpy(float)
        top = metrics.deciles(p, w) == 10
        rows.append(
            {
                "method": mth,
                "r2": metrics.r2(y, p, w),
                "r2_truncated": metrics.r2(y, capped[mth].to_numpy(float), w, truncate=cap),
                "cpm": metrics.cpm(y, p, w),
                "mape": metrics.mape(y, p, w),
                "ratio_top_decile": float(np.sum(w[top] * p[top]) / np.sum(w[top] * y[top])),
            }
        )
    return pred, pd.DataFrame(rows)
