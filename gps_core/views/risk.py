"""The risk-adjusted outcome study's tables, sentences and charts (notebooks/risk_adjustment.ipynb); the
annual evaluation shows the same calibration and O/E charts.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from . import text as T
from .text import Lang


def level(x: float, family: str, suffix: str, lang: Lang) -> str:
    """A mean outcome with its unit: a binary outcome's mean as a percentage (``1,98 %``), any other with the
    outcome's own suffix (``3,537 dias``)."""
    return T.pct(100 * x, lang, 2) if family == "binomial" else T.num(x, lang, 3) + suffix


def study_summary(summary: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The outcomes of a risk study: model, patients, units, reference mean and signals."""
    return pd.DataFrame(
        {
            T.w("outcome", lang): summary["outcome"],
            T.h("model", lang): [
                f"{T.glm(f, lang)}: {T.covariates(c)}"
                for f, c in zip(summary["family"], summary["covariates"], strict=True)
            ],  # fmt: skip
            T.w("patients", lang): summary["patients"].map(lambda x: T.num(x, lang, 0)),
            T.w("units", lang): summary["units"].astype(str),
            T.w("reference_mean", lang): [
                level(x, f, u, lang)
                for x, f, u in zip(summary["reference"], summary["family"], summary["unit_label"], strict=True)
            ],
            T.w("above_expected", lang): summary["above"].astype(str),
            T.w("below_expected", lang): summary["below"].astype(str),
            T.w("small_units", lang): summary["small"].astype(str),
            T.h("c", lang): summary["c_statistic"].map(lambda x: T.num(x, lang, 3)),
            T.h("hl", lang): summary["hl_p"].map(lambda x: T.p(x, lang)),
            T.h("r2", lang): summary["pseudo_r2"].map(lambda x: T.num(x, lang, 3)),
            T.w("random_intercept_sd", lang): summary["sigma_u"].map(lambda x: T.num(x, lang, 3)),
        }
    )


def coefficients(coef: pd.DataFrame, family: str, lang: Lang) -> pd.DataFrame:
    """Model coefficients with the exponentiated ratio (odds ratio for logistic, rate ratio for log links)."""
    # a pt-BR report named a logistic model's ratio in English ('Odds ratio' bound tighter than the language)
    ratio = T.w("odds_ratio" if family == "binomial" else "rate_ratio", lang)
    return pd.DataFrame(
        {
            T.w("term", lang): coef["term"].map(lambda t: T.term(t, lang)),
            T.w("estimate", lang): coef["estimate"].map(lambda x: T.num(x, lang, 4)),
            T.w("se", lang): coef["se"].map(lambda x: T.num(x, lang, 4)),
            "p": coef["p_value"].map(lambda x: T.p(x, lang)),
            f"{ratio} ({T.w('ci95', lang)})": [
                # the intercept's exponential is the baseline odds or rate, not a ratio (and reads "0,000")
                "–" if t == "Intercept" else f"{T.num(r, lang, 3)} ({T.num(a, lang, 3)}–{T.num(b, lang, 3)})"
                for t, r, a, b in zip(coef["term"], coef["ratio"], coef["lower"], coef["upper"], strict=True)
            ],
        }
    )


def study_units(units: pd.DataFrame, suffix: str, lang: Lang, family: str) -> pd.DataFrame:
    """Per unit: patients, observed, expected, O/E with interval, crude and adjusted mean, shrunken P/E."""
    u = units.sort_values("oe", ascending=False)
    out = pd.DataFrame(
        {
            T.h("unit", lang): u["unit"],
            T.w("patients", lang): u["n"].astype(str) + np.where(u["small"], " ⚠", ""),
            T.w("observed", lang): u["observed"].map(lambda x: T.num(x, lang, 0)),
            T.w("expected", lang): u["expected"].map(lambda x: T.num(x, lang, 1)),
            f"O/E ({T.w('ci95', lang)})": [
                f"{T.num(r, lang, 2)} ({T.num(a, lang, 2)}–{T.num(b, lang, 2)})"
                for r, a, b in zip(u["oe"], u["oe_lower"], u["oe_upper"], strict=True)
            ],
            T.w("crude_mean", lang): u["crude"].map(lambda x: level(x, family, suffix, lang)),
            T.w("adjusted_o_e_reference", lang): u["adjusted"].map(lambda x: level(x, family, suffix, lang)),
        }
    )
    if "pe" in u.columns:
        out[T.w("p_e_shrunken", lang)] = u["pe"].map(lambda x: T.num(x, lang, 2))
    return out


def study_sentence(row: pd.Series, lang: Lang, min_cases: int) -> str:
    """One outcome of a risk-adjustment study (a row of :func:`gps_core.studies.risk.summary`): its size, the
    units whose O/E interval excludes 1 and the small units, which are flagged and kept."""
    ref = level(row["reference"], row["family"], row["unit_label"], lang)
    return T.say("risk_outcome", lang, outcome=row["outcome"], patients=T.num(row["patients"], lang, 0),
                 units=row["units"], ref=ref, above=row["above"], below=row["below"], small=row["small"],
                 min_cases=min_cases)  # fmt: skip


def calibration(models: dict, lang: Lang) -> alt.FacetChart:
    """Observed against expected mean outcome by decile of predicted risk, one panel per risk model, with
    the line of perfect calibration."""
    d = pd.concat([m["calibration"].assign(indicator=k) for k, m in models.items()], ignore_index=True)
    base = alt.Chart(d)
    pts = base.mark_line(point=True).encode(
        x=alt.X("expected:Q", title=T.w("expected_mean_per_decile", lang)),
        y=alt.Y("observed:Q", title=T.w("observed", lang)),
        tooltip=[
            "indicator",
            "group",
            "n",
            alt.Tooltip("observed:Q", format=".3f"),
            alt.Tooltip("expected:Q", format=".3f"),
        ],
    )
    diag = base.mark_line(color="#999", strokeDash=[4, 3]).encode(x="expected:Q", y="expected:Q")
    return (
        alt.layer(diag, pts)
        .properties(width=180, height=160)
        .facet(facet=alt.Facet("indicator:N", title=None), columns=4)
        .resolve_scale(x="independent", y="independent")
        .properties(title=T.w("calibration_by_decile_of_predicted_risk", lang))
    )


def oe_forest(oe: pd.DataFrame, order: list[str], lang: Lang) -> alt.FacetChart:
    """O/E per unit with its 95 % interval (Byar), one panel per risk-adjusted indicator; 1 = as expected."""
    signals = {"above": T.w("above_expected", lang), "within": T.w("as_expected", lang),
               "below": T.w("below_expected", lang)}  # fmt: skip
    d = oe.assign(unit_id=oe["unit_id"].astype(str), indicator=oe["indicator_id"].astype(str),
                  signal=oe["signal"].map(signals))  # fmt: skip
    base = alt.Chart(d)
    y = alt.Y("unit_id:N", sort=order, title=None)
    # Intervals of units with few expected events can reach 10+: the axis stops at 3 and clips them.
    x = alt.X("oe_lower:Q", title="O/E", scale=alt.Scale(domain=[0, 3], clamp=True))
    bars = base.mark_rule(color="#777", clip=True).encode(x=x, x2="oe_upper:Q", y=y)
    dots = base.mark_point(filled=True, size=30).encode(
        x="oe:Q",
        y=y,
        color=alt.Color(
            "signal:N",
            scale=alt.Scale(domain=list(signals.values()), range=["#d73027", "#4575b4", "#1a9850"]),
            title=f"O/E, {T.w('ci95', lang)}",
        ),
        tooltip=[
            "unit_id",
            "indicator",
            alt.Tooltip("oe:Q", format=".2f"),
            alt.Tooltip("numerator:Q", format=".0f"),
            alt.Tooltip("expected:Q", format=".1f"),
        ],
    )
    one = base.mark_rule(strokeDash=[4, 3], color="#333").encode(x=alt.datum(1.0))
    return (
        alt.layer(bars, dots, one)
        .properties(width=170, height=alt.Step(11))
        .facet(facet=alt.Facet("indicator:N", title=None), columns=4)
    )
