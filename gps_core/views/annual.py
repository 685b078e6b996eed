"""The annual evaluation's tables, sentences and charts (notebooks/annual_evaluation.ipynb)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import draw
from . import text as T
from .text import Lang


def annual_table(annual: pd.DataFrame, index: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The per-unit annual evaluation, sorted by VD, formatted."""
    a = annual.sort_values("vd", ascending=False)
    latest = index[index["period"] == index["period"].max()].set_index("unit_id")
    rank = (
        a["unit_id"].map(latest["rank"]).astype("Int64").astype(str)
        + "/"
        + a["unit_id"].map(latest["peer_n"]).astype("Int64").astype(str)
    )
    q = a["quadrant"].astype(str).map(lambda k: T.label(k if k != "critical" else "critical_q", lang))
    out = pd.DataFrame(
        {
            T.h("unit", lang): a["unit_id"].astype(str),
            T.h("ip", lang): a["ip"].map(lambda x: T.num(x, lang)),
            T.h("ip_median", lang): a["ip_median"].map(lambda x: T.num(x, lang)),
            T.h("vd_model", lang): a["vd_model"].map(lambda x: T.pct(x, lang, sign=True)),
            T.h("vd_target", lang): a["vd_target"].map(lambda x: T.pct(x, lang, sign=True)),
            T.h("vm", lang): a["vm"].map(lambda x: T.pct(x, lang, sign=True)),
            T.h("slope", lang): [
                f"{T.num(b, lang, 2)} ({T.num(lo, lang, 2)}; {T.num(hi, lang, 2)})"
                for b, lo, hi in zip(a["slope"], a["slope_low"], a["slope_high"], strict=True)
            ],
            T.h("p", lang): a["p_value"].map(lambda x: T.num(x, lang, 3)),
            T.h("months", lang): a["n_months"].astype(str),
            T.h("hvbp", lang): [
                f"{T.num(x, lang, 0)}/{T.num(y, lang, 0)}/{T.num(z, lang, 0)}"
                for x, y, z in zip(a["achievement_points"], a["improvement_points"], a["hvbp_points"], strict=True)
            ],
            T.h("quadrant", lang): q.to_numpy(),
            T.h("stars", lang): [
                f"{T.num(s, lang, 0)}/{T.num(e, lang, 0)}" for s, e in zip(a["stars"], a["stars_exact"], strict=True)
            ],
            T.h("rank", lang): rank.to_numpy(),
            T.h("flags", lang): [T.flags(f, lang) for f in a["flags"]],
        }
    )
    return out if (a["flags"] != "").any() else out.drop(columns=T.h("flags", lang))


def alerts_table(alerts: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Manager alerts, formatted."""
    return pd.DataFrame(
        {
            T.h("alert", lang): alerts["alert"].map(lambda k: T.label(k, lang)),
            T.h("unit", lang): alerts["unit_id"].astype(str),
            T.h("value", lang): [
                T.pct(v, lang, sign=True) if a == "critical_vd_and_vm_negative" else T.num(v, lang, 2)
                for a, v in zip(alerts["alert"], alerts["value"], strict=True)
            ],
        }
    )


def risk_models(models: dict, catalog: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """One row per risk model: what it is, what it was fitted on, and how well it discriminates and fits."""
    cat = catalog.set_index("indicator_id")
    name = T.field("name", lang)
    rows = []
    for ind, m in models.items():
        rows.append(
            {
                T.h("id", lang): ind,
                T.h("indicator", lang): cat.loc[ind, name],
                T.h("model", lang): f"GLM {m['family'].replace('_', ' ')}",
                T.h("covariates", lang): m["covariates"],
                T.h("reference", lang): m["reference"] or T.label("own_records", lang),
                T.h("cases", lang): T.num(m["n"], lang, 0),
                T.h("outcome", lang): T.num(m["observed"], lang, 0),
                T.h("oe", lang): T.num(m["oe"], lang, 3),
                T.h("c", lang): T.num(m.get("c_statistic", float("nan")), lang, 3),
                T.h("hl", lang): T.num(m.get("hl_p", float("nan")), lang, 3),
                T.h("r2", lang): T.num(m["pseudo_r2"], lang, 3),
            }
        )
    return pd.DataFrame(rows)


def manager_summary(
    annual: pd.DataFrame,
    index: pd.DataFrame,
    alerts: pd.DataFrame,
    *,
    program: str,
    target: float,
    n_indicators: int,
    small: dict,
    lang: Lang,
    program_ip: float | None = None,
    volume_label: str | None = None,
) -> list[str]:
    """The manager's summary as a list of markdown paragraphs, in the paper's reading of VD and VM."""
    en = lang == "en"
    n = len(annual)
    first, last = T.month(index["period"].min(), lang), T.month(index["period"].max(), lang)
    ref = annual["reference"].iloc[0]
    ref_txt = (
        (f"the target of {T.num(target, lang, 0)}" if en else f"a meta de {T.num(target, lang, 0)}")
        if ref == "target"
        else (
            f"the model mean of {T.num(annual['model_mean'].iloc[0], lang)}"
            if en
            else f"a média do modelo de {T.num(annual['model_mean'].iloc[0], lang)}"
        )
    )
    out = []
    dims = [c for c in index.columns if c.startswith("dim_")]
    n_dims = int(index[dims].notna().any().sum())
    dim_en, dim_pt = ("quality dimensions", "dimensões") if n_dims > 1 else ("quality dimension", "dimensão")
    mm = T.num(annual["model_mean"].iloc[0], lang)
    out.append(
        f"From {first} to {last}, **{n} units** of the program *{program}* were evaluated on {n_indicators} "
        f"indicators in {n_dims} {dim_en}. The model's mean annual Performance Index (IP) was **{mm}**; "
        f"the manager's target is {T.num(target, lang, 0)}. VD is measured against {ref_txt}."
        if en
        else f"De {first} a {last}, **{n} unidades** do programa *{program}* foram avaliadas em {n_indicators} "
        f"indicadores de {n_dims} {dim_pt} da qualidade. O Índice de Performance (IP) anual médio do modelo foi "
        f"**{mm}**; a meta do gestor é {T.num(target, lang, 0)}. A VD é medida contra {ref_txt}."
    )
    if program_ip is not None and not pd.isna(program_ip):
        weight = volume_label or T.w("equal_weights", lang)
        out[-1] += (
            f" Rolled up to the whole program (weighted by {weight}), the IP was **{T.num(program_ip, lang)}**."
            if en
            else f" Consolidado para o programa inteiro (ponderado por {weight}), o IP foi "
            f"**{T.num(program_ip, lang)}**."
        )
    pos = annual[annual["vd"] > 0].sort_values("vd", ascending=False)
    names = [f"{u} ({T.pct(v, lang, sign=True)})" for u, v in zip(pos["unit_id"], pos["vd"], strict=True)]
    listed = T.join(names, lang, T.LIMIT)
    out.append(
        (
            f"**{len(pos)} of {n}** units had a positive performance variation (VD): {listed}. "
            f"The other {n - len(pos)} were below the reference."
            if en
            else f"**{len(pos)} de {n}** unidades tiveram variação de desempenho (VD) positiva: {listed}. "
            f"As demais {n - len(pos)} ficaram abaixo da referência."
        )
        if len(pos)
        else (T.w("no_unit_reached_the_reference_all_vd_neg", lang))
    )
    vm = annual.dropna(subset=["vm"]).sort_values("vm", ascending=False)
    if len(vm):
        top = vm.head(4)
        names = [f"{u} ({T.pct(v, lang, 0, sign=True)})" for u, v in zip(top["unit_id"], top["vm"], strict=True)]
        listed = T.join(names, lang, T.LIMIT)
        n_up, n_sig = int((vm["vm"] > 0).sum()), int((vm["p_value"] < 0.05).sum())
        out.append(
            f"Improvement variation (VM) was positive for **{n_up} of {len(vm)}** units; the largest were "
            f"{listed}. Only {n_sig} of the {len(vm)} monthly trends are statistically significant "
            "at 5 % (twelve monthly points are noisy: read VM with its interval)."
            if en
            else f"A variação de melhoria (VM) foi positiva em **{n_up} de {len(vm)}** unidades; as maiores foram "
            f"{listed}. Apenas {n_sig} das {len(vm)} tendências mensais são estatisticamente "
            "significativas a 5 % (doze pontos mensais são ruidosos: leia a VM com seu intervalo)."
        )
    behind = annual[annual["quadrant"] == "improving_from_behind"].sort_values("vm", ascending=False).head(3)
    if len(behind):
        names = [
            f"{u} (VD {T.pct(d, lang, sign=True)}, VM {T.pct(m, lang, sign=True)})"
            for u, d, m in zip(behind["unit_id"], behind["vd"], behind["vm"], strict=True)
        ]
        listed = T.join(names, lang, T.LIMIT)
        out.append(
            f"Improving from behind (negative VD, positive VM): {listed}."
            if en
            else f"Melhorando a partir de um desempenho inferior (VD negativa, VM positiva): {listed}."
        )
    crit = annual[annual["quadrant"] == "critical"].sort_values("vd")
    if len(crit):
        names = list(crit["unit_id"].astype(str))
        listed = T.join(names, lang, T.LIMIT)
        out.append(
            f"**Critical units, negative on both VD and VM** ({len(crit)}): {listed}. "
            "They should be the target of close monitoring."
            if en
            else f"**Casos críticos, negativos em VD e VM** ({len(crit)}): {listed}. "
            "Devem ser alvo de monitoramento efetivo."
        )
    below = alerts[alerts["alert"] == "below_target_latest_month"]
    low = alerts[alerts["alert"] == "lowest_latest_month"]
    if len(low):
        names = [f"{u} ({T.num(v, lang)})" for u, v in zip(low["unit_id"], low["value"], strict=True)]
        listed = T.join(names, lang, T.LIMIT)
        out.append(
            f"In {last}, {len(below)} units were below the target; the lowest IPs were {listed}."
            if en
            else f"Em {last}, {len(below)} unidades ficaram abaixo da meta; os menores IPs foram {listed}."
        )
    counted = T.count_of(small["small"], small["values"], lang)
    out.append(
        f"Values on denominators below the technical sheet's minimum are flagged, not dropped: {counted}."
        if en
        else f"Valores com denominador abaixo do mínimo da ficha técnica são sinalizados, não descartados: {counted}."
    )
    return out


def evaluation_methods(params, lang: Lang) -> str:
    """The Methods paragraph of an annual evaluation, from the params' codes (the paper's Equations 1-2,
    METHODS 1-2): what IP, VD and VM are, the reference of VD, the minimum months of VM, the weights of the
    dimensions, the missing-weight policy and the unit level."""
    en = lang == "en"
    p = params
    weights = T.join([f"{T.label(k, lang).lower()} {T.num(v, lang, 0)}" for k, v in p.dimension_weights.items()], lang)
    ref = T.label("model_mean" if p.reference == "model_mean" else "target", lang)
    if en:
        return (
            f"The annual IP is the mean of the monthly IPs (0-100). VD is the annual IP against the reference "
            f"({ref}; the model mean and the target of {T.num(p.target, lang, 0)} are both reported), in %. VM is the "
            f"relative change of an OLS line fitted to the monthly IPs from its first to its last month (at least "
            f"{p.min_months} months, 95 % CI), in %; HVBP-style points compare the first and last "
            f"{p.baseline_months} months. Dimension weights: {weights}; {T.POLICIES[p.missing_policy][lang]}; "
            f"{T.LEVELS[p.unit_level][lang]}."
        )
    return (
        f"O IP anual é a média dos IPs mensais (0-100). A VD compara o IP anual com a referência ({ref}; a média "
        f"do modelo e a meta de {T.num(p.target, lang, 0)} são ambas apresentadas), em %. A VM é a variação "
        f"relativa de uma reta de mínimos quadrados ajustada aos IPs mensais, do primeiro ao último mês (mínimo de "
        f"{p.min_months} meses, IC de 95 %), em %; os pontos no estilo HVBP comparam os primeiros e os últimos "
        f"{p.baseline_months} meses. Pesos das dimensões: {weights}; {T.POLICIES[p.missing_policy][lang]}; "
        f"{T.LEVELS[p.unit_level][lang]}."
    )


def stars_sentence(agree: int, rated: int, lang: Lang) -> str:
    """How far the CMS seeded k-means and the exact 1-D optimum agree."""
    if lang == "en":
        return f"CMS seeded k-means and the exact 1-D optimum agree on {agree} of {rated} units."
    return f"O k-means semeado do CMS e o ótimo exato 1-D concordam em {agree} de {rated} unidades."


def risk_sentence(models: dict, oe: pd.DataFrame, lang: Lang, min_cases: int = 100) -> str:
    """What risk adjustment does in this report, and the unit whose crude rate its case mix explains most
    (largest crude / reference ratio among units with ``min_cases`` records, on the first binary model)."""
    ids = ", ".join(models)
    ref = next(iter(models.values()))["reference"] or T.label("own_records", lang)
    en = lang == "en"
    head = (
        f"{ids} are risk-adjusted: a unit's value is its observed / expected ratio (O/E) times the reference "
        f"rate, the expected count coming from a patient-level model fitted on {ref}. The band is applied to the "
        "adjusted value."
        if en
        else f"{ids} são ajustados por risco: o valor de uma unidade é a razão observado / esperado (O/E) vezes a "
        f"taxa de referência, com o esperado de um modelo por paciente ajustado em {ref}. A banda é aplicada ao "
        "valor ajustado."
    )
    binary = [k for k, m in models.items() if m["family"] == "binomial"]
    if not binary or oe.empty:
        return head
    k = binary[0]
    d = oe[(oe["indicator_id"].astype(str) == k) & (oe["denominator"] >= min_cases)]
    if d.empty:
        return head
    r = d.assign(ratio=d["crude"] / (d["reference_rate"] * 100)).sort_values("ratio").iloc[-1]
    c = T.num(models[k]["c_statistic"], lang, 2)
    crude, refr = T.pct(r["crude"], lang), T.pct(100 * r["reference_rate"], lang)
    ci = f"{T.num(r['oe_lower'], lang, 2)}–{T.num(r['oe_upper'], lang, 2)}"
    if en:
        return (
            f"{head} The {k} model discriminates with c = {c}. {r['unit_id']} has the highest crude {k} "
            f"({crude} against {refr} overall); after adjustment for its patients its O/E is "
            f"{T.num(r['oe'], lang, 2)} (95 % CI {ci})."
        )
    return (
        f"{head} O modelo de {k} discrimina com c = {c}. {r['unit_id']} tem o maior {k} bruto ({crude} contra "
        f"{refr} no total); ajustado pelo perfil de seus pacientes, seu O/E é {T.num(r['oe'], lang, 2)} "
        f"(IC 95 % {ci})."
    )


def rules_sentence(rules: dict, lang: Lang) -> str:
    """The definitions and attribution rules used for the indicators derived from records."""
    en = lang == "en"
    who = {
        "doctor_id": T.w("the_discharging_doctor", lang),
        "specialty": T.w("the_specialty", lang),
    }[rules["level"]]
    surg = T.w("the_surgeon", lang) if rules["surgery_to"] == "surgeon" else who
    planned = ", ".join(rules["planned_diagnoses"])
    off = "" if rules["planned_elective"] else T.w("not_applied", lang)
    if en:
        return (
            f"Indicators derived from records: stays are attributed to {who}, operations to {surg}; readmissions "
            f"within {rules['readmission_window']} days go to the unit that discharged the index stay (transfers, "
            f"deaths and planned readmissions — elective{off} or "
            f"diagnoses {planned} — excluded); in-hospital mortality counts deaths after {rules['mortality_min_days']} "
            f"day(s); return to theatre and surgical mortality within {rules['surgery_window']} days; SSI over "
            f"{', '.join(rules['ssi_wound_classes'])} operations."
        )
    return (
        f"Indicadores calculados dos registros: internações atribuídas a {who}, cirurgias a {surg}; readmissões em "
        f"até {rules['readmission_window']} dias vão à unidade que deu a alta da internação índice (excluídas "
        f"transferências, óbitos e readmissões planejadas — eletivas{off} ou diagnósticos {planned}); "
        f"mortalidade institucional conta óbitos após {rules['mortality_min_days']} dia(s); "
        f"retorno ao centro cirúrgico e mortalidade cirúrgica em até {rules['surgery_window']} dias; ISC sobre "
        f"cirurgias {', '.join(rules['ssi_wound_classes'])}."
    )


def payout_sentence(name: str, s: dict, lang: Lang, currency: str = "BRL") -> str:
    """``Rule: R$ 1.500.000,00 paid to 31 of 32 units (97 %); largest R$ 150.000,00; Gini 0.21.``"""
    total, largest = T.money(s["total"], lang, currency), T.money(s["largest"], lang, currency)
    share = T.pct(100 * s["share_paid"], lang, 0)
    if lang == "en":
        return (
            f"**{name}**: {total} paid to {s['paid']} of {s['units']} units ({share}); largest payout {largest}; "
            f"concentration (Gini) {T.num(s['gini'], lang, 2)}."
        )
    return (
        f"**{name}**: {total} pagos a {s['paid']} de {s['units']} unidades ({share}); maior pagamento {largest}; "
        f"concentração (Gini) {T.num(s['gini'], lang, 2)}."
    )


def ip_heatmap(index: pd.DataFrame, order: list[str], lang: Lang) -> alt.Chart:
    """Monthly IP per unit (rows in ``order``) as a heatmap."""
    d = index[["unit_id", "period", "ip"]].assign(
        unit_id=lambda x: x["unit_id"].astype(str), month=lambda x: x["period"].map(lambda ts: T.month(ts, lang))
    )
    months = [T.month(ts, lang) for ts in sorted(index["period"].unique())]
    return (
        alt.Chart(d, title=T.label("trends", lang))
        .mark_rect()
        .encode(
            x=alt.X("month:O", sort=months, title=T.label("month", lang), axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("unit_id:N", sort=order, title=None),
            color=alt.Color("ip:Q", scale=alt.Scale(scheme="redyellowgreen", domain=[30, 100]), title="IP"),
            tooltip=["unit_id", "month", alt.Tooltip("ip:Q", format=".1f")],
        )
        .properties(width=420, height=alt.Step(13))
    )


def vd_vm_bars(annual: pd.DataFrame, lang: Lang) -> alt.HConcatChart:
    """The GPS paper's chart: VD and VM per unit side by side with the median performance, sorted by VD."""
    d = annual[["unit_id", "vd", "vm", "ip_median", "quadrant"]].assign(
        unit_id=lambda x: x["unit_id"].astype(str), quadrant=lambda x: x["quadrant"].astype(str)
    )
    order = list(d.sort_values("vd")["unit_id"])
    y = alt.Y("unit_id:N", sort=order, title=None)
    color = alt.Color(
        "quadrant:N",
        scale=alt.Scale(domain=list(draw.QUADRANT_COLORS), range=list(draw.QUADRANT_COLORS.values())),
        title=None,
        legend=alt.Legend(orient="bottom", labelExpr=_quadrant_expr(lang)),
    )
    base = alt.Chart(d).properties(width=170, height=alt.Step(13))
    vd = base.mark_bar().encode(
        x=alt.X("vd:Q", title="VD (%)"), y=y, color=color, tooltip=["unit_id", alt.Tooltip("vd:Q", format="+.1f")]
    )
    vm = base.mark_bar().encode(
        x=alt.X("vm:Q", title="VM (%)"),
        y=alt.Y("unit_id:N", sort=order, axis=None),
        color=color,
        tooltip=["unit_id", alt.Tooltip("vm:Q", format="+.1f")],
    )
    med = base.mark_point(filled=True, color="#444").encode(
        x=alt.X("ip_median:Q", title=T.w("median_ip", lang), scale=alt.Scale(zero=False)),
        y=alt.Y("unit_id:N", sort=order, axis=None),
    )
    return alt.hconcat(vd, vm, med, spacing=6).properties(title=T.label("vdvm", lang))


def _quadrant_expr(lang: Lang) -> str:
    names = {k: T.label(k if k != "critical" else "critical_q", lang) for k in draw.QUADRANT_COLORS}
    cases = " : ".join(f"datum.label == '{k}' ? '{v}'" for k, v in names.items())
    return f"{cases} : datum.label"


def vd_vm_scatter(annual: pd.DataFrame, lang: Lang) -> alt.LayerChart:
    """VD against VM, one labelled point per unit, size by median IP, colour by quadrant."""
    d = (
        annual[["unit_id", "vd", "vm", "ip_median", "quadrant"]]
        .dropna()
        .assign(unit_id=lambda x: x["unit_id"].astype(str), quadrant=lambda x: x["quadrant"].astype(str))
    )
    base = alt.Chart(d).encode(x=alt.X("vd:Q", title="VD (%)"), y=alt.Y("vm:Q", title="VM (%)"))
    pts = base.mark_circle(opacity=0.8).encode(
        size=alt.Size("ip_median:Q", title=T.w("median_ip", lang), scale=alt.Scale(range=[30, 300])),
        color=alt.Color(
            "quadrant:N",
            scale=alt.Scale(domain=list(draw.QUADRANT_COLORS), range=list(draw.QUADRANT_COLORS.values())),
            legend=alt.Legend(labelExpr=_quadrant_expr(lang)),
            title=None,
        ),
        tooltip=["unit_id", alt.Tooltip("vd:Q", format="+.1f"), alt.Tooltip("vm:Q", format="+.1f")],
    )
    # Label the units a reader looks for: critical, above the reference, or improving fast.
    labels = (
        base.mark_text(align="left", dx=6, fontSize=9)
        .encode(text="unit_id:N")
        .transform_filter("datum.quadrant == 'critical' || datum.vd >= 0 || datum.vm >= 10")
    )
    zero = pd.DataFrame({"z": [0]})
    vline = alt.Chart(zero).mark_rule(color="#888").encode(x="z:Q")
    hline = alt.Chart(zero).mark_rule(color="#888").encode(y="z:Q")
    return alt.layer(vline, hline, pts, labels).properties(width=560, height=380)


def dimension_heatmap(dims: pd.DataFrame, order: list[str], lang: Lang) -> alt.Chart:
    """Annual dimension scores per unit (long table with unit_id, dimension, score)."""
    d = dims.assign(
        unit_id=lambda x: x["unit_id"].astype(str), dimension=lambda x: x["dimension"].map(lambda k: T.label(k, lang))
    )
    return (
        alt.Chart(d, title=T.label("dimensions", lang))
        .mark_rect()
        .encode(
            x=alt.X("dimension:N", title=None, sort=[T.label(k, lang) for k in draw.DIM_COLORS]),
            y=alt.Y("unit_id:N", sort=order, title=None),
            color=alt.Color(
                "score:Q", scale=alt.Scale(scheme="redyellowgreen", domain=[30, 100]), title=T.label("score", lang)
            ),
            tooltip=["unit_id", "dimension", alt.Tooltip("score:Q", format=".1f")],
        )
        .properties(width=240, height=alt.Step(13))
    )


def stars_strip(annual: pd.DataFrame, column: str, lang: Lang) -> alt.Chart:
    """Annual IP of every unit coloured by its star tier."""
    d = annual[["unit_id", "ip", column]].dropna().assign(unit_id=lambda x: x["unit_id"].astype(str))
    return (
        alt.Chart(d, title=T.label("stars", lang))
        .mark_circle(size=80)
        .encode(
            x=alt.X("ip:Q", title="IP", scale=alt.Scale(zero=False)),
            y=alt.Y(f"{column}:O", sort="descending", title="★"),
            color=alt.Color(f"{column}:O", scale=alt.Scale(scheme="redyellowgreen"), legend=None),
            tooltip=["unit_id", alt.Tooltip("ip:Q", format=".1f"), column],
        )
        .properties(width=520, height=160)
    )
