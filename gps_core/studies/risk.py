"""A risk-adjusted outcome study of hospitals from a patient-level file (METHODS 6 and 8).

For each outcome of the params: a patient-level GLM on all patients (the reference population), its
coefficients (exponentiated: odds or rate ratios, with 95 % intervals) and diagnostics; per unit the
observed and expected totals, O/E with its Byar interval, the crude and the risk-adjusted value
(O/E x reference mean); for binary outcomes also CMS's shrunken predicted / expected ratio from the
random-intercept logistic model, which pulls small units toward 1. Units below ``min_cases`` patients are
flagged, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import riskadjust
from ..errors import InputError
from ..io.readers import lines_of, parse_numbers, read_table, shown
from ..schemas import bounds
from ..stats import byar


@dataclass
class Study:
    params: object
    data: pd.DataFrame
    outcomes: list[dict] = field(default_factory=list)
    inputs: list[dict] = field(default_factory=list)


def load_patients(params) -> tuple[pd.DataFrame, dict]:
    """The patient file, with the unit and outcome columns checked (every problem listed)."""
    from ..params import shown as named
    from ..params import where
    from ..refdata import sha256

    path = where(params.data.path)
    raw, dialect = read_table(
        path, sheet=params.data.sheet, sep=params.data.sep, decimal=params.data.decimal, encoding=params.data.encoding
    )
    problems = []
    need = [params.unit, *(o.column for o in params.outcomes)]
    missing = [c for c in need if c not in raw.columns]
    if missing:
        found = ", ".join(shown(c) for c in list(raw.columns)[:30])
        raise InputError([f"line 1: missing column(s) {missing}; the file has {found}"], str(path))
    df = raw.copy()
    df[params.unit] = df[params.unit].astype(str).str.strip()
    as_num = pd.to_numeric(df[params.unit], errors="coerce")
    if as_num.notna().all():  # numeric unit codes stored as floats (azpro: 3.60000014305115) -> "3.6"
        df[params.unit] = as_num.map(lambda v: f"{v:g}")
    line = lines_of(raw)
    for c in df.columns:
        if c == params.unit:
            continue
        num, why = parse_numbers(df[c], dialect.decimal)
        filled = int(df[c].notna().sum())
        if filled and (~np.isnan(num)).sum() >= filled / 2:  # a numeric column (covariate or outcome)
            for i in why.rows[:20]:
                problems.append(f"line {line[i]}, column '{c}': {shown(raw[c].iloc[i])} {why[i]}")
            df[c] = num
    for o in params.outcomes:
        y = pd.to_numeric(df[o.column], errors="coerce")
        bad = y.isna() | (y < 0) | ((y != y.round()) & (o.family in ("binomial", "poisson", "negative_binomial")))
        if o.family == "binomial":
            bad |= ~y.isin([0, 1])
        for i in np.flatnonzero(bad.to_numpy())[:20]:
            problems.append(
                f"line {line[i]}, column '{o.column}': {shown(raw[o.column].iloc[i])} is not a valid {o.family} "
                "outcome "
                f"({'0 or 1' if o.family == 'binomial' else 'a count >= 0' if o.family != 'gamma' else 'a value > 0'})"
            )
    if problems:
        raise InputError(problems, str(path))
    return df, {"file": named(params.data.path), "sha256": sha256(path), "read_as": dialect.describe()}


def _level(name: str) -> str:
    """A design column as the user wrote it: ``C(diagnostico)[T.O80]`` -> ``diagnostico = 'O80'``."""
    import re

    m = re.fullmatch(r"(?:C\((\w+)[^)]*\)|(\w+))\[T\.(.*)\]", name)
    if not m:
        return f"{name} = 1"
    value = m[3][:-2] if re.fullmatch(r"-?\d+\.0", m[3]) else m[3]  # a code read as a number: 3.0 was 3
    return f"{m[1] or m[2]} = {value!r}"


def _no_separation(X: pd.DataFrame, df: pd.DataFrame, o, source: str) -> None:
    """Refuse a covariate category (a column of the design ``X``) whose patients all share one extreme
    outcome (no death among them, say): its coefficient would be infinite and the report would print what
    the optimizer happened to reach."""
    bad = riskadjust.separated(X.to_numpy(), list(X.columns), df[o.column].to_numpy(float), o.family)
    if bad:
        what = "an event" if o.family == "binomial" else "a value above zero"
        raise InputError([f"outcome '{o.column}': the {n} patients with {_level(name)} all have {o.column} = {v:g}, "
                          f"so its coefficient has no finite estimate (complete separation); merge that category "
                          f"with a similar one that has {what}, or leave the covariate out of 'covariates'"
                          for name, n, v in bad], source)  # fmt: skip


def units_table(df: pd.DataFrame, unit: str, model: riskadjust.Model, min_cases: int) -> pd.DataFrame:
    """Per unit: n, observed, expected, O/E with its 95 % interval, crude and adjusted mean, flag.

    The interval is Byar's on the observed count for binomial and Poisson outcomes; for negative binomial
    and gamma outcomes (overdispersed: length of stay, cost) it is normal on the observed total with the
    model's own variance, sum of ``V(mu) x scale``, since a Poisson interval would be far too narrow.
    """
    mu = model.predict(df)
    res = model.result
    var = np.asarray(res.family.variance(mu)) * float(res.scale)
    t = pd.DataFrame({"unit": df[unit].to_numpy(), "y": df[model.outcome].to_numpy(float), "e": mu, "v": var})
    g = t.groupby("unit", sort=True)
    out = g.agg(n=("y", "size"), observed=("y", "sum"), expected=("e", "sum"), variance=("v", "sum")).reset_index()
    out["oe"] = out["observed"] / out["expected"]
    if model.family in ("binomial", "poisson"):
        lo, hi = byar(out["observed"].to_numpy())
        out["interval"] = "Byar"
    else:
        half = 1.959963984540054 * np.sqrt(out["variance"].to_numpy())
        lo, hi = np.maximum(out["observed"] - half, 0), out["observed"] + half
        out["interval"] = "normal, model variance"
    out["oe_lower"], out["oe_upper"] = lo / out["expected"], hi / out["expected"]
    ref = model.reference_rate
    out["crude"] = out["observed"] / out["n"]
    out["adjusted"] = out["oe"] * ref
    out["small"] = out["n"] < min_cases
    out["signal"] = riskadjust.signal(out["oe_lower"], out["oe_upper"])
    return out


def run(params) -> Study:
    """Fit every outcome's model and build its tables."""
    import patsy

    with bounds(params.limits):
        df, info = load_patients(params)
    study = Study(params, df, inputs=[info])
    for o in params.outcomes:
        formula = f"{o.column} ~ {o.covariates}"
        try:  # the design once: the separation check and the random-intercept fit both read it
            X = patsy.dmatrix(o.covariates, df, return_type="dataframe")
        except Exception:
            X = None  # the fit below reports a bad formula, with the same words as before
        if X is not None:
            _no_separation(X, df, o, info["file"])
        try:
            model = riskadjust.fit(df, formula, o.family)
        except Exception as e:  # patsy / statsmodels: a covariate missing or not numeric
            raise InputError([f"outcome '{o.column}': cannot fit {formula}: {e}"], "params: outcomes") from None
        diag = riskadjust.diagnostics(model, df)
        coef = diag["coefficients"]
        z = 1.959963984540054
        coef["ratio"] = np.exp(coef["estimate"])
        coef["lower"], coef["upper"] = (
            np.exp(coef["estimate"] - z * coef["se"]),
            np.exp(coef["estimate"] + z * coef["se"]),
        )
        units = units_table(df, params.unit, model, params.min_cases)
        if o.family == "binomial":
            X = X.to_numpy(float)
            fit = riskadjust.hierarchical_logistic(df[o.column], X, df[params.unit])
            pe = riskadjust.predicted_over_expected(fit, X, df[params.unit])
            units = units.merge(pe[["unit", "ratio"]].rename(columns={"ratio": "pe"}), on="unit", how="left")
            diag["sigma_u"] = fit.sigma
        study.outcomes.append({"outcome": o, "model": model, "diagnostics": diag, "units": units})
    return study


def forest(study: Study) -> pd.DataFrame:
    """The per-unit O/E of every outcome in the columns :func:`gps_core.views.risk.oe_forest` draws."""
    parts = []
    for o in study.outcomes:
        u = o["units"]
        parts.append(
            pd.DataFrame(
                {
                    "unit_id": u["unit"],
                    "indicator_id": o["outcome"].label,
                    "oe": u["oe"],
                    "oe_lower": u["oe_lower"],
                    "oe_upper": u["oe_upper"],
                    "signal": u["signal"],
                    "numerator": u["observed"],
                    "expected": u["expected"],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def summary(study: Study) -> pd.DataFrame:
    """One row per outcome: patients, units, reference mean, units above / below expected, small units."""
    rows = []
    for o in study.outcomes:
        u, d = o["units"], o["diagnostics"]
        rows.append(
            {
                "outcome": o["outcome"].label,
                "family": o["outcome"].family,
                "covariates": o["outcome"].covariates,
                "unit_label": o["outcome"].unit_label,
                "patients": d["n"],
                "units": len(u),
                "reference": o["model"].reference_rate,
                "above": int((u["signal"] == "above").sum()),
                "below": int((u["signal"] == "below").sum()),
                "small": int(u["small"].sum()),
                "c_statistic": d.get("c_statistic", np.nan),
                "hl_p": d.get("hl_p", np.nan),
                "pseudo_r2": d["pseudo_r2"],
                "sigma_u": d.get("sigma_u", np.nan),
            }
        )
    return pd.DataFrame(rows)


def provenance(study: Study) -> dict:
    """Params, versions and input hashes of the study (as an annual evaluation's provenance)."""
    from .evaluation import provenance as base

    return base(study.params, study.inputs)
