"""Display tables for the reports: select, rename and format columns of result tables (no computation)."""

from __future__ import annotations

import html
from functools import partial

import numpy as np
import pandas as pd

from . import text as T
from .narrative import gap_statement
from .text import Lang

HEAD = {
    "unit": {"en": "Unit", "pt-BR": "Unidade"},
    "ip": {"en": "IP (year)", "pt-BR": "IP (ano)"},
    "ip_median": {"en": "Median IP", "pt-BR": "IP mediano"},
    "vd_model": {"en": "VD vs model", "pt-BR": "VD x modelo"},
    "vd_target": {"en": "VD vs target", "pt-BR": "VD x meta"},
    "vm": {"en": "VM", "pt-BR": "VM"},
    "slope": {"en": "Slope/month (95 % CI)", "pt-BR": "Inclinação/mês (IC 95 %)"},
    "p": {"en": "p", "pt-BR": "p"},
    "months": {"en": "Months", "pt-BR": "Meses"},
    "hvbp": {"en": "HVBP-style points (A/I/score)", "pt-BR": "Pontos estilo HVBP (A/M/escore)"},
    "quadrant": {"en": "Quadrant", "pt-BR": "Quadrante"},
    "stars": {"en": "Stars (k-means/exact)", "pt-BR": "Estrelas (k-means/exato)"},
    "flags": {"en": "Flags", "pt-BR": "Alertas"},
    "alert": {"en": "Alert", "pt-BR": "Alerta"},
    "value": {"en": "Value", "pt-BR": "Valor"},
    "indicator": {"en": "Indicator", "pt-BR": "Indicador"},
    "dimension": {"en": "Dimension", "pt-BR": "Dimensão"},
    "numerator": {"en": "Numerator", "pt-BR": "Numerador"},
    "denominator": {"en": "Denominator", "pt-BR": "Denominador"},
    "band": {"en": "Ideal band", "pt-BR": "Banda ideal"},
    "earned": {"en": "Earned", "pt-BR": "Obtido"},
    "points": {"en": "Points", "pt-BR": "Pontos"},
    "gap": {"en": "To earn 100 %", "pt-BR": "Para 100 %"},
    "weight": {"en": "Weight in IP", "pt-BR": "Peso no IP"},
    "min": {"en": "Min. denominator", "pt-BR": "Denominador mín."},
    "source": {"en": "Source", "pt-BR": "Fonte"},
    "definition": {"en": "Numerator / denominator", "pt-BR": "Numerador / denominador"},
    "polarity": {"en": "Better when", "pt-BR": "Melhor quando"},
    "id": {"en": "Id", "pt-BR": "Id"},
    "rank": {"en": "Rank (latest month)", "pt-BR": "Posição (último mês)"},
    "ci": {"en": "95 % interval", "pt-BR": "Intervalo 95 %"},
    "adjusted": {"en": "Observed · expected · O/E", "pt-BR": "Observado · esperado · O/E"},
    "model": {"en": "Model", "pt-BR": "Modelo"},
    "covariates": {"en": "Covariates", "pt-BR": "Covariáveis"},
    "cases": {"en": "Records", "pt-BR": "Registros"},
    "outcome": {"en": "Outcome total", "pt-BR": "Total do desfecho"},
    "oe": {"en": "O/E (reference)", "pt-BR": "O/E (referência)"},
    "c": {"en": "c-statistic", "pt-BR": "Estatística c"},
    "hl": {"en": "Hosmer-Lemeshow p", "pt-BR": "Hosmer-Lemeshow p"},
    "r2": {"en": "Pseudo-R² (deviance)", "pt-BR": "Pseudo-R² (deviance)"},
    "reference": {"en": "Fitted on", "pt-BR": "Ajustado em"},
    "records": {"en": "Records in the numerator", "pt-BR": "Registros no numerador"},
}
POLARITY = {
    "higher": {"en": "higher", "pt-BR": "maior"},
    "lower": {"en": "lower", "pt-BR": "menor"},
    "range": {"en": "inside the range", "pt-BR": "dentro da faixa"},
}


def h(key: str, lang: Lang) -> str:
    return HEAD[key][lang]


def to_html(df: pd.DataFrame) -> str:
    """A plain HTML table (escaped), without the index."""
    return df.to_html(index=False, escape=True, border=0, classes="gps-table", na_rep="–")


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
            h("unit", lang): a["unit_id"].astype(str),
            h("ip", lang): a["ip"].map(lambda x: T.num(x, lang)),
            h("ip_median", lang): a["ip_median"].map(lambda x: T.num(x, lang)),
            h("vd_model", lang): a["vd_model"].map(lambda x: T.pct(x, lang, sign=True)),
            h("vd_target", lang): a["vd_target"].map(lambda x: T.pct(x, lang, sign=True)),
            h("vm", lang): a["vm"].map(lambda x: T.pct(x, lang, sign=True)),
            h("slope", lang): [
                f"{T.num(b, lang, 2)} ({T.num(lo, lang, 2)}; {T.num(hi, lang, 2)})"
                for b, lo, hi in zip(a["slope"], a["slope_low"], a["slope_high"], strict=True)
            ],
            h("p", lang): a["p_value"].map(lambda x: T.num(x, lang, 3)),
            h("months", lang): a["n_months"].astype(str),
            h("hvbp", lang): [
                f"{T.num(x, lang, 0)}/{T.num(y, lang, 0)}/{T.num(z, lang, 0)}"
                for x, y, z in zip(a["achievement_points"], a["improvement_points"], a["hvbp_points"], strict=True)
            ],
            h("quadrant", lang): q.to_numpy(),
            h("stars", lang): [
                f"{T.num(s, lang, 0)}/{T.num(e, lang, 0)}" for s, e in zip(a["stars"], a["stars_exact"], strict=True)
            ],
            h("rank", lang): rank.to_numpy(),
            h("flags", lang): a["flags"].to_numpy(),
        }
    )
    return out if (a["flags"] != "").any() else out.drop(columns=h("flags", lang))


def alerts_table(alerts: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Manager alerts, formatted."""
    return pd.DataFrame(
        {
            h("alert", lang): alerts["alert"].map(lambda k: T.label(k, lang)),
            h("unit", lang): alerts["unit_id"].astype(str),
            h("value", lang): [
                T.pct(v, lang, sign=True) if a == "critical_vd_and_vm_negative" else T.num(v, lang, 2)
                for a, v in zip(alerts["alert"], alerts["value"], strict=True)
            ],
        }
    )


def band_text(r: pd.Series, lang: Lang) -> str:
    """The ideal band of one technical sheet in words."""
    u = r["unit"]
    v = lambda x: T.value(x, u, lang)  # noqa: E731
    en = lang == "en"
    if r["rule"] == "linear":
        return (
            f"0 % at {v(r['floor'])}, 100 % at {v(r['target'])}, linear between"
            if en
            else f"0 % em {v(r['floor'])}, 100 % em {v(r['target'])}, linear entre eles"
        )
    if r["rule"] == "range":
        return (
            f"100 % within {v(r['target'])}–{v(r['target_high'])}; 0 % at {v(r['floor'])} or {v(r['floor_high'])}"
            if en
            else f"100 % entre {v(r['target'])} e {v(r['target_high'])}; 0 % em {v(r['floor'])} ou {v(r['floor_high'])}"
        )
    op = "≤" if r["polarity"] == "lower" else "≥"
    steps = [
        f"{op} {v(float(t))}: {T.num(100 * float(f), lang, 0)} %"
        for t, f in (p.split(":") for p in r["tiers"].split("|"))
    ]
    return "; ".join(steps) + ("; otherwise 0 %" if en else "; caso contrário 0 %")


def technical_sheets(
    catalog: pd.DataFrame, weights: pd.Series, lang: Lang, why: dict[str, str] | None = None
) -> pd.DataFrame:
    """The technical sheets as the report annex renders them."""
    name = "name_en" if lang == "en" else "name_pt"
    sfx = "en" if lang == "en" else "pt"
    why = why or {}
    return pd.DataFrame(
        {
            h("id", lang): catalog["indicator_id"],
            h("indicator", lang): catalog[name],
            h("dimension", lang): catalog["dimension"].map(lambda k: T.label(k, lang)),
            h("definition", lang): catalog[f"numerator_{sfx}"] + " / " + catalog[f"denominator_{sfx}"],
            h("polarity", lang): catalog["polarity"].map(lambda k: POLARITY[k][lang]),
            h("band", lang): [
                band_text(r, lang) + (f" ({why[r['indicator_id']]})" if r["indicator_id"] in why else "")
                for _, r in catalog.iterrows()
            ],
            h("weight", lang): weights.reindex(catalog["indicator_id"]).map(lambda x: T.num(x, lang, 2)).to_numpy(),
            h("min", lang): catalog["min_denominator"].map(lambda x: T.num(x, lang, 0)),
            h("source", lang): catalog["source" if lang == "en" else "source_pt"],
        }
    )


def indicator_rows(ind: pd.DataFrame, catalog: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Every indicator of a unit in a month: traceability (numerator, denominator), value, band, points and
    the statement of the gap to full score."""
    cat = catalog.set_index("indicator_id")
    name = "name_en" if lang == "en" else "name_pt"
    rows = []
    for _, r in ind.sort_values(["dimension", "indicator_id"]).iterrows():
        nm = cat.loc[r["indicator_id"], name]
        small = " ⚠" if r["small_denominator"] and not r["missing"] else ""
        extra = {}
        if "crude" in ind.columns:
            extra[h("adjusted", lang)] = (
                ""
                if pd.isna(r["crude"])
                else f"{T.value(r['crude'], r['unit'], lang)} · {T.value(r['expected_value'], r['unit'], lang)} · "
                f"{T.num(r['crude'] / r['expected_value'], lang, 2)}"
            )
        rows.append(
            {
                h("id", lang): r["indicator_id"],
                h("indicator", lang): nm,
                h("dimension", lang): T.label(r["dimension"], lang),
                h("numerator", lang): T.num(r["numerator"], lang, 0),
                h("denominator", lang): T.num(r["denominator"], lang, 0) + small,
                h("value", lang): T.value(r["value"], r["unit"], lang),
                h("ci", lang): ""
                if pd.isna(r["lower"])
                else f"{T.num(r['lower'], lang, 2)}–{T.num(r['upper'], lang, 2)}",
                **extra,
                h("band", lang): band_text(
                    cat.loc[r["indicator_id"]].to_dict() | {"indicator_id": r["indicator_id"]}, lang
                ),
                h("earned", lang): T.pct(100 * r["fraction"], lang, 0),
                h("points", lang): f"{T.num(r['points'], lang, 2)} / {T.num(r['weight'], lang, 2)}",
                h("gap", lang): gap_statement(r, nm.lower() if lang == "en" else nm, lang),
            }
        )
    return pd.DataFrame(rows)


def risk_models(models: dict, catalog: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """One row per risk model: what it is, what it was fitted on, and how well it discriminates and fits."""
    cat = catalog.set_index("indicator_id")
    name = "name_en" if lang == "en" else "name_pt"
    rows = []
    for ind, m in models.items():
        rows.append(
            {
                h("id", lang): ind,
                h("indicator", lang): cat.loc[ind, name],
                h("model", lang): f"GLM {m['family'].replace('_', ' ')}",
                h("covariates", lang): m["covariates"],
                h("reference", lang): m["reference"] or T.label("own_records", lang),
                h("cases", lang): T.num(m["n"], lang, 0),
                h("outcome", lang): T.num(m["observed"], lang, 0),
                h("oe", lang): T.num(m["oe"], lang, 3),
                h("c", lang): T.num(m.get("c_statistic", float("nan")), lang, 3),
                h("hl", lang): T.num(m.get("hl_p", float("nan")), lang, 3),
                h("r2", lang): T.num(m["pseudo_r2"], lang, 3),
            }
        )
    return pd.DataFrame(rows)


def drill_down(rows: pd.DataFrame, catalog: pd.DataFrame, lang: Lang, limit: int = 12) -> pd.DataFrame:
    """The records behind a unit's numerators in one month (ids, with the linked record: the readmission,
    the return to theatre), from :func:`gps_core.studies.evaluation.records_behind`."""
    cat = catalog.set_index("indicator_id")
    name = "name_en" if lang == "en" else "name_pt"
    out = []
    for ind, g in rows.groupby("indicator_id", observed=True, sort=True):
        hits = g[g["numerator"] != 0]
        ids = [
            f"{r.record_id}→{r.linked_id}"
            if isinstance(r.linked_id, str) and r.linked_id != r.record_id
            else r.record_id
            for r in hits.itertuples()
        ]
        more = f" (+{len(ids) - limit})" if len(ids) > limit else ""
        out.append(
            {
                h("id", lang): ind,
                h("indicator", lang): cat.loc[ind, name],
                h("numerator", lang): T.num(g["numerator"].sum(), lang, 0),
                h("denominator", lang): T.num(g["denominator"].sum(), lang, 0),
                h("records", lang): ", ".join(map(str, ids[:limit])) + more,
            }
        )
    return pd.DataFrame(out)


def provenance_html(prov: dict, lang: Lang = "en") -> str:
    """The provenance block as a definition list in the report's language (software versions by name; file
    names, checksums, library warnings and the params as YAML verbatim, in code type)."""
    import yaml

    parts = ["<dl class='gps-prov'>"]
    for k in ("gps_core", "python", "pandas", "generated_utc", "small_denominators", "artefact"):
        if k not in prov:  # e.g. no artefact: computed in the notebook itself
            continue
        v = prov[k]
        if k == "small_denominators" and isinstance(v, dict):
            v = T.count_of(v["small"], v["values"], lang)
        shown = html.escape(str(v))
        shown = f"<code>{shown}</code>" if k == "artefact" else shown  # a folder name (hex key), not a word
        parts.append(f"<dt>{html.escape(T.label(k, lang))}</dt><dd>{shown}</dd>")
    for k in ("reference_tables", "inputs"):
        items = "".join(
            f"<li><code>{html.escape(' · '.join(str(v) for v in d.values()))}</code></li>" for d in prov.get(k, [])
        )
        parts.append(f"<dt>{T.label(k, lang)}</dt><dd><ul>{items}</ul></dd>")
    warns = "".join(f"<li><code>{html.escape(w)}</code></li>" for w in prov.get("warnings", []))
    none = T.label("none", lang)
    parts.append(f"<dt>{T.label('warnings', lang)}</dt><dd><ul>{warns or f'<li>{none}</li>'}</ul></dd>")
    dump = yaml.safe_dump(prov["params"], sort_keys=False, allow_unicode=True)
    parts.append(f"<dt>{T.label('params', lang)}</dt><dd><pre>{html.escape(dump)}</pre></dd>")
    return "".join(parts) + "</dl>"


def members_table(members: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The doctors of a team with their own annual IP (doctor-level values rest on small denominators)."""
    en = lang == "en"
    return pd.DataFrame(
        {
            ("Doctor" if en else "Médico"): members["unit_id"].astype(str),
            h("ip", lang): members["ip"].map(lambda x: T.num(x, lang)),
            ("IP latest month" if en else "IP último mês"): members["ip_latest"].map(lambda x: T.num(x, lang)),
            h("months", lang): members["months"].astype(str),
            ("Values on small denominators" if en else "Valores com denominador pequeno"): members["share_small"].map(
                lambda x: T.pct(100 * x, lang, 0)
            ),
        }
    )


def volume_label(catalog: pd.DataFrame, indicator: str | None, lang: Lang) -> str | None:
    """``Discharges (E01)``: the volume a roll-up is weighted by, named by its denominator."""
    if indicator is None:
        return None
    row = catalog.set_index("indicator_id").loc[indicator]
    return f"{row['denominator_en' if lang == 'en' else 'denominator_pt'].lower()} ({indicator})"


def study_summary(summary: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The outcomes of a risk study: model, patients, units, reference mean and signals."""
    en = lang == "en"
    return pd.DataFrame(
        {
            ("Outcome" if en else "Desfecho"): summary["outcome"],
            h("model", lang): summary["model"],
            ("Patients" if en else "Pacientes"): summary["patients"].map(lambda x: T.num(x, lang, 0)),
            ("Units" if en else "Unidades"): summary["units"].astype(str),
            ("Reference mean" if en else "Média de referência"): summary["reference"].map(lambda x: T.num(x, lang, 3)),
            ("Above expected" if en else "Acima do esperado"): summary["above"].astype(str),
            ("Below expected" if en else "Abaixo do esperado"): summary["below"].astype(str),
            ("Small units" if en else "Unidades pequenas"): summary["small"].astype(str),
            h("c", lang): summary["c_statistic"].map(lambda x: T.num(x, lang, 3)),
            h("hl", lang): summary["hl_p"].map(lambda x: T.num(x, lang, 3)),
            h("r2", lang): summary["pseudo_r2"].map(lambda x: T.num(x, lang, 3)),
            ("Random-intercept SD" if en else "DP do intercepto aleatório"): summary["sigma_u"].map(
                lambda x: T.num(x, lang, 3)
            ),
        }
    )


def coefficients(coef: pd.DataFrame, family: str, lang: Lang) -> pd.DataFrame:
    """Model coefficients with the exponentiated ratio (odds ratio for logistic, rate ratio for log links)."""
    ratio = "Odds ratio" if family == "binomial" else "Rate ratio" if lang == "en" else "Razão de taxas"
    return pd.DataFrame(
        {
            ("Term" if lang == "en" else "Termo"): coef["term"],
            ("Estimate" if lang == "en" else "Estimativa"): coef["estimate"].map(lambda x: T.num(x, lang, 4)),
            "SE": coef["se"].map(lambda x: T.num(x, lang, 4)),
            "p": coef["p_value"].map(lambda x: T.num(x, lang, 4)),
            f"{ratio} (95 % CI)": [
                f"{T.num(r, lang, 3)} ({T.num(a, lang, 3)}–{T.num(b, lang, 3)})"
                for r, a, b in zip(coef["ratio"], coef["lower"], coef["upper"], strict=True)
            ],
        }
    )


def study_units(units: pd.DataFrame, suffix: str, lang: Lang) -> pd.DataFrame:
    """Per unit: patients, observed, expected, O/E with interval, crude and adjusted mean, shrunken P/E."""
    en = lang == "en"
    u = units.sort_values("oe", ascending=False)
    out = pd.DataFrame(
        {
            h("unit", lang): u["unit"],
            ("Patients" if en else "Pacientes"): u["n"].astype(str) + np.where(u["small"], " ⚠", ""),
            ("Observed" if en else "Observado"): u["observed"].map(lambda x: T.num(x, lang, 0)),
            ("Expected" if en else "Esperado"): u["expected"].map(lambda x: T.num(x, lang, 1)),
            "O/E (95 % CI)": [
                f"{T.num(r, lang, 2)} ({T.num(a, lang, 2)}–{T.num(b, lang, 2)})"
                for r, a, b in zip(u["oe"], u["oe_lower"], u["oe_upper"], strict=True)
            ],
            ("Crude mean" if en else "Média bruta"): u["crude"].map(lambda x: T.num(x, lang, 3) + suffix),
            ("Adjusted (O/E × reference)" if en else "Ajustado (O/E × referência)"): u["adjusted"].map(
                lambda x: T.num(x, lang, 3) + suffix
            ),
        }
    )
    if "pe" in u.columns:
        out["P/E (shrunken)" if en else "P/E (com encolhimento)"] = u["pe"].map(lambda x: T.num(x, lang, 2))
    return out


def payouts_table(res: pd.DataFrame, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """One contract rule's payouts per unit, largest first, with the sentence that recomputes each."""
    en = lang == "en"
    r = res.sort_values("payout", ascending=False)
    return pd.DataFrame(
        {
            h("unit", lang): r["unit_id"].astype(str),
            h("ip", lang): r["index"].map(lambda x: T.num(x, lang)),
            ("Volume" if en else "Volume"): r["volume"].map(lambda x: T.num(x, lang, 0)),
            ("Payout" if en else "Pagamento"): r["payout"].map(partial(T.money, lang=lang, currency=currency)),
            ("How it is computed" if en else "Como é calculado"): r["explanation"],
        }
    )


def rule_terms(rule, lang: Lang, currency: str = "BRL") -> str:
    """A candidate payout rule's terms in words (params :class:`~gps_core.params.PayoutRule`)."""
    en = lang == "en"

    def m(x: float) -> str:  # amounts in params are currency units
        return T.money(100 * x, lang, currency)

    pr = rule.production
    if pr.file is not None:
        base = ("amount received" if en else "valor recebido") + f" ({pr.file.path.rsplit('/', 1)[-1]})"
    else:
        base = pr.indicator + (f" x {m(pr.price)}" if pr.price else "")
    of = "of" if en else ("do" if pr.file else "de")
    if rule.kind == "per_point":
        pts = f"{'points' if en else 'pontos'} = IP/100 x {rule.max_points:g} x {m(rule.point_value)}"
        adj = f"; {'list' if en else 'lista'} / {rule.national_list:g}"
        return (
            pts + adj + (f"; prev. / {T.pct(100 * rule.national_prevalence, lang)}" if rule.national_prevalence else "")
        )
    if rule.kind == "budget_pool":
        s = (
            f"{'pool' if en else 'fundo'} {m(rule.budget)} {'by' if en else 'por'} IP^{rule.alpha:g} x {base}; "
            f"{'minimum IP' if en else 'IP mínimo'} {rule.minimum:g}"
        )
        return s + (f"; {'cap' if en else 'teto'} {m(rule.cap)}" if rule.cap else "")
    if rule.kind == "additional_percentage":
        if rule.tiers:
            how = ", ".join(f"IP >= {a:g}: {T.pct(100 * b, lang, 1)}" for a, b in rule.tiers)
        else:
            how = f"IP {rule.floor:g} -> 0 %, IP {rule.target:g} -> {T.pct(100 * rule.max_rate, lang, 1)}"
        return f"{how} {of} {base}"
    return f"{'withhold' if en else 'retenção'} {T.pct(100 * rule.rate, lang, 1)} {of} {base}"


def rule_costs(costs: pd.DataFrame, rules: list, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """The candidate rules side by side: terms, total cost, units paid, typical and largest payouts and
    concentration (:func:`gps_core.studies.design.costs`)."""
    en = lang == "en"
    terms = {r.name: rule_terms(r, lang, currency) for r in rules}
    money = partial(T.money, lang=lang, currency=currency)
    return pd.DataFrame(
        {
            ("Rule" if en else "Regra"): costs["rule"].astype(str),
            ("Terms" if en else "Termos"): costs["rule"].astype(str).map(terms),
            ("Total cost" if en else "Custo total"): costs["total"].map(money),
            ("Units paid" if en else "Unidades pagas"): [
                f"{p} / {u} ({T.pct(100 * s, lang, 0)})"
                for p, u, s in zip(costs["paid"], costs["units"], costs["share_paid"], strict=True)
            ],
            ("Median" if en else "Mediana"): costs["median"].map(money),
            ("90th percentile" if en else "Percentil 90"): costs["p90"].map(money),
            ("Largest" if en else "Maior"): costs["largest"].map(money),
            ("Top 10 % of units get" if en else "10 % das unidades levam"): costs["top_decile_share"].map(
                lambda x: T.pct(100 * x, lang, 0)
            ),
            "Gini": costs["gini"].map(lambda x: T.num(x, lang, 2)),
        }
    )


def money_wide(wide: pd.DataFrame, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """A table of amounts in cents (e.g. :func:`gps_core.studies.design.by_group`) formatted as money; the first
    column is the label."""
    out = wide.copy()
    for c in out.columns[1:]:
        out[c] = out[c].map(partial(T.money, lang=lang, currency=currency))
    return out.rename(columns={out.columns[0]: ("Specialty" if lang == "en" else "Especialidade")})


def shift_table(summary: pd.DataFrame, base: str, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """Who gains and who loses moving from ``base`` to each other rule
    (:func:`gps_core.studies.design.shift_summary`)."""
    en = lang == "en"
    return pd.DataFrame(
        {
            (f"From {base} to" if en else f"De {base} para"): summary["rule"].astype(str),
            ("Units gaining" if en else "Unidades que ganham"): summary["gain"],
            ("Units losing" if en else "Unidades que perdem"): summary["lose"],
            ("Unchanged" if en else "Sem mudança"): summary["same"],
            ("Gained" if en else "Ganho"): summary["gained"].map(partial(T.money, lang=lang, currency=currency)),
            ("Lost" if en else "Perdido"): summary["lost"].map(partial(T.money, lang=lang, currency=currency)),
        }
    )


def robustness_table(ranks: pd.DataFrame, pays: pd.DataFrame, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """Each unit's rank and payout under random weights (:func:`gps_core.studies.design.rank_intervals`,
    :func:`gps_core.studies.design.payout_intervals`), in nominal rank order."""
    en = lang == "en"
    d = ranks.merge(pays, on="unit_id", how="left")
    money = partial(T.money, lang=lang, currency=currency)
    return pd.DataFrame(
        {
            h("unit", lang): d["unit_id"].astype(str),
            h("ip", lang): [
                f"{T.num(i, lang)} ({T.num(a, lang)}–{T.num(b, lang)})"
                for i, a, b in zip(d["ip"], d["ip_p05"], d["ip_p95"], strict=True)
            ],
            ("Rank" if en else "Posição"): d["rank"],
            ("Median rank (5–95 %)" if en else "Posição mediana (5–95 %)"): [
                f"{T.num(m, lang, 0 if m % 1 == 0 else 1)} ({a}–{b})"
                for m, a, b in zip(d["median_rank"], d["rank_p05"], d["rank_p95"], strict=True)
            ],
            ("Mean rank shift" if en else "Deslocamento médio"): d["shift"].map(lambda x: T.num(x, lang, 2)),
            ("Payout" if en else "Pagamento"): d["payout"].map(money),
            ("Mean payout (5–95 %)" if en else "Pagamento médio (5–95 %)"): [
                f"{money(m)} ({money(a)} – {money(b)})" for m, a, b in zip(d["mean"], d["p05"], d["p95"], strict=True)
            ],
            ("Paid in" if en else "Pago em"): d["p_paid"].map(lambda x: T.pct(100 * x, lang, 0)),
        }
    )


QUADRANT_VALUE = {
    "high quality, low cost": {"en": "high quality, low cost", "pt-BR": "alta qualidade, baixo custo"},
    "high quality, high cost": {"en": "high quality, high cost", "pt-BR": "alta qualidade, alto custo"},
    "low quality, low cost": {"en": "low quality, low cost", "pt-BR": "baixa qualidade, baixo custo"},
    "low quality, high cost": {"en": "low quality, high cost", "pt-BR": "baixa qualidade, alto custo"},
}


def value_table(hvs: pd.DataFrame, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """The Health Value Score per unit (:func:`gps_core.studies.design.health_value`), best first."""
    en = lang == "en"
    return pd.DataFrame(
        {
            h("unit", lang): hvs["unit_id"].astype(str),
            ("Stays" if en else "Internações"): hvs["stays"].map(lambda x: T.num(x, lang, 0)),
            ("Observed cost" if en else "Custo observado"): hvs["observed"].map(
                lambda x: T.money(100 * x, lang, currency)
            ),
            ("Expected cost" if en else "Custo esperado"): hvs["expected"].map(
                lambda x: T.money(100 * x, lang, currency)
            ),
            ("Efficiency (E/O)" if en else "Eficiência (E/O)"): hvs["efficiency"].map(lambda x: T.num(x, lang, 2)),
            ("Cost score" if en else "Escore de custo"): hvs["cost_score"].map(lambda x: T.num(x, lang)),
            h("ip", lang): hvs["ip"].map(lambda x: T.num(x, lang)),
            "HVS": hvs["hvs"].map(lambda x: T.num(x, lang)),
            h("quadrant", lang): hvs["quadrant"].map(lambda q: QUADRANT_VALUE[q][lang]),
        }
    )


MODEL_NAMES = {
    "age_sex": {"en": "Age and sex only", "pt-BR": "Só idade e sexo"},
    "ols": {"en": "Local OLS (cells + conditions)", "pt-BR": "MQO local (células + condições)"},
    "two_part": {"en": "Local two-part (logit x gamma)", "pt-BR": "Local em duas partes (logit x gama)"},
    "gbm": {"en": "Gradient boosting", "pt-BR": "Gradient boosting"},
    "cms": {"en": "CMS coefficients (US), scaled", "pt-BR": "Coeficientes CMS (EUA), escalados"},
}


def model_comparison(comp: pd.DataFrame, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """Out-of-fold fit of every capitation model (:func:`gps_core.capitation.calibrate.cross_validate`)."""
    en = lang == "en"
    return pd.DataFrame(
        {
            ("Model" if en else "Modelo"): comp["method"].map(lambda m: MODEL_NAMES[m][lang]),
            "R²": comp["r2"].map(lambda x: T.num(x, lang, 3)),
            ("R² (truncated)" if en else "R² (truncado)"): comp["r2_truncated"].map(lambda x: T.num(x, lang, 3)),
            "CPM": comp["cpm"].map(lambda x: T.num(x, lang, 3)),
            ("Mean abs. error (PMPM)" if en else "Erro abs. médio (PMPM)"): comp["mape"].map(
                lambda x: T.money(100 * x, lang, currency)
            ),
            ("Predictive ratio, top decile" if en else "Razão preditiva, decil mais alto"): comp[
                "ratio_top_decile"
            ].map(lambda x: T.num(x, lang, 3)),
        }
    )


def panel_rates(groups: pd.DataFrame, by: str, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """Capitation per provider panel (:func:`gps_core.capitation.rates.capitation`)."""
    en = lang == "en"
    return pd.DataFrame(
        {
            by: groups[by].astype(str),
            ("Members" if en else "Beneficiários"): groups["members"].map(lambda x: T.num(x, lang, 0)),
            ("Member-months" if en else "Beneficiários-mês"): groups["member_months"].map(lambda x: T.num(x, lang, 0)),
            ("Mean risk" if en else "Risco médio"): groups["mean_score"].map(lambda x: T.num(x, lang, 3)),
            "PMPM": groups["pmpm"].map(partial(T.money, lang=lang, currency=currency)),
            ("Payment" if en else "Pagamento"): groups["payment"].map(partial(T.money, lang=lang, currency=currency)),
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
    en = lang == "en"
    years = sorted(prev["year"].unique())
    out = pd.DataFrame({("Condition" if en else "Condição"): [names.get(c, c) for c in prev["condition"].unique()]})
    conds = list(prev["condition"].unique())
    for y in years:
        r = prev[prev["year"] == y].set_index("condition").loc[conds]
        out[f"{'Prevalence' if en else 'Prevalência'} {y} (%)"] = [
            _interval(v, lo, hi, lang, 1, 100) for v, lo, hi in zip(r["value"], r["lower"], r["upper"], strict=True)
        ]
    if len(inc):
        last = inc[inc["year"] == inc["year"].max()].set_index("condition").reindex(conds)
        out[f"{'Incidence' if en else 'Incidência'} {int(inc['year'].max())} (%)"] = [
            _interval(v, lo, hi, lang, 1, 100)
            for v, lo, hi in zip(last["value"], last["lower"], last["upper"], strict=True)
        ]
    s = std[std["year"] == years[-1]].set_index("condition").reindex(conds)
    out[f"{'Standardized ratio' if en else 'Razão padronizada'} {years[-1]}"] = [
        _interval(v, lo, hi, lang, 2) for v, lo, hi in zip(s["isr"], s["isr_lower"], s["isr_upper"], strict=True)
    ]
    return out


def churn(c: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Risk of stayers, leavers and joiners (:func:`gps_core.capitation.epi.churn`)."""
    en = lang == "en"
    words = {"stayers": ("stayed", "permaneceram"), "leavers": ("left", "saíram"), "joiners": ("joined", "entraram")}
    return pd.DataFrame(
        {
            ("Year" if en else "Ano"): c["year"].astype(str),
            ("Members who" if en else "Beneficiários que"): c["group"].map(lambda g: words[g][0 if en else 1]),
            ("Members" if en else "Beneficiários"): c["members"].map(lambda x: T.num(x, lang, 0)),
            ("Mean relative risk (95 % CI)" if en else "Risco relativo médio (IC 95 %)"): [
                _interval(v, lo, hi, lang, 3) for v, lo, hi in zip(c["mean_risk"], c["lower"], c["upper"], strict=True)
            ],
        }
    )


def panel_monitor(m: pd.DataFrame, by: str, lang: Lang) -> pd.DataFrame:
    """Risk mix and use per panel and year (:func:`gps_core.capitation.epi.monitor`)."""
    en = lang == "en"
    flag = {"": "", "undertreatment?": "undertreatment?" if en else "subtratamento?"}
    return pd.DataFrame(
        {
            ("Year" if en else "Ano"): m["year"].astype(str),
            by: m[by].astype(str),
            ("Members" if en else "Beneficiários"): m["members"].map(lambda x: T.num(x, lang, 0)),
            ("Relative risk" if en else "Risco relativo"): m["relative_risk"].map(lambda x: T.num(x, lang, 3)),
            ("Cost O/E (95 % CI)" if en else "Custo O/E (IC 95 %)"): [
                _interval(v, lo, hi, lang, 2) for v, lo, hi in zip(m["oe"], m["oe_lower"], m["oe_upper"], strict=True)
            ],
            ("Any use (%)" if en else "Algum uso (%)"): [
                _interval(v, lo, hi, lang, 1, 100)
                for v, lo, hi in zip(m["any_use"], m["use_lower"], m["use_upper"], strict=True)
            ],
            ("Signal" if en else "Sinal"): m["flag"].map(flag),
        }
    )


def bundles(b: pd.DataFrame, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """Specialty bundles: budget, the cost they replace, base PMPM and out-of-fold R² against age-sex
    (:func:`gps_core.studies.capitation.run`)."""
    en = lang == "en"
    money = partial(T.money, lang=lang, currency=currency)
    return pd.DataFrame(
        {
            ("Bundle" if en else "Pacote"): b["bundle"],
            ("Conditions in its model" if en else "Condições no modelo"): b["conditions"],
            ("Members with them" if en else "Beneficiários com elas"): b["members_with"].map(
                lambda x: T.num(x, lang, 0)
            ),
            ("Budget" if en else "Orçamento"): b["budget"].map(money),
            ("Observed cost" if en else "Custo observado"): b["cost"].map(money),
            ("Base PMPM" if en else "PMPM base"): b["base_pmpm"].map(money),
            "R²": b["r2"].map(lambda x: T.num(x, lang, 3)),
            ("R², age-sex only" if en else "R², só idade e sexo"): b["r2_age_sex"].map(lambda x: T.num(x, lang, 3)),
        }
    )


def payment_streams(s: pd.DataFrame, by: str, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """Per panel: global capitation, each bundle, the value payment and the total, with a total row."""
    en = lang == "en"
    money = partial(T.money, lang=lang, currency=currency)
    cols = [c for c in s.columns if c not in (by, "members", "member_months")]
    tot = s[cols].sum()
    names = {"capitation": "Capitation" if en else "Capitação", "value": "Value" if en else "Valor",
             "total": "Total"}  # fmt: skip
    out = pd.DataFrame({by: list(s[by].astype(str)) + ["Total"]})
    out["Members" if en else "Beneficiários"] = [T.num(x, lang, 0) for x in [*s["members"], s["members"].sum()]]
    for c in cols:
        out[names.get(c, c)] = [money(x) for x in [*s[c], tot[c]]]
    return out


SEGMENT = {
    "all": {"en": "all", "pt-BR": "todos"},
    "client_type": {"en": "client type", "pt-BR": "tipo de cliente"},
    "size": {"en": "size", "pt-BR": "porte"},
    "region": {"en": "region", "pt-BR": "região"},
    "specialty": {"en": "specialty", "pt-BR": "especialidade"},
    "unit_type": {"en": "unit type", "pt-BR": "tipo de unidade"},
}


def _seg(s: pd.Series, lang: Lang) -> pd.Series:
    return s.map(lambda x: SEGMENT.get(x, {}).get(lang, x))


def benchmark_cells(cells: pd.DataFrame, catalog: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Benchmark cells: counts, percentiles, mean and best-decile mean on the indicator's scale; a
    suppressed cell keeps its row with the reason instead of numbers."""
    en = lang == "en"
    unit = cells["indicator_id"].map(catalog.set_index("indicator_id")["unit"])
    pub = cells["published"].to_numpy(bool)

    def col(c: str, decimals: int = 2) -> list[str]:
        return [T.value(v, u, lang, decimals) if p else "" for v, u, p in zip(cells[c], unit, pub, strict=True)]

    best = [
        (T.value(v, u, lang, 2) if np.isfinite(v) else f"– ({note})") if p else ""
        for v, u, p, note in zip(cells["best_decile"], unit, pub, cells["best_decile_note"], strict=True)
    ]
    return pd.DataFrame(
        {
            h("indicator", lang): cells["indicator_id"],
            ("Segment" if en else "Segmento"): _seg(cells["segment"], lang),
            ("Group" if en else "Grupo"): cells["group"].replace({"all": "all" if en else "todos"}),
            ("Units" if en else "Unidades"): cells["units"].map(lambda x: T.num(x, lang, 0)),
            ("Clients" if en else "Clientes"): cells["clients"].map(lambda x: T.num(x, lang, 0)),
            "P10": col("p10"),
            "P25": col("p25"),
            ("Median (threshold)" if en else "Mediana (limiar)"): col("p50"),
            "P75": col("p75"),
            "P90": col("p90"),
            ("Best decile (benchmark)" if en else "Melhor decil (referência)"): [T.reason(b, lang) for b in best],
            ("Suppressed: why" if en else "Suprimida: motivo"): cells["reason"].map(lambda r: T.reason(r, lang)),
        }
    )


def suppression(sup: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Cells per segment: published and suppressed by each reason."""
    out = sup.rename(
        columns=lambda c: T.reason(c, lang) if c != "published" else ("published" if lang == "en" else "publicadas")
    )
    out["segment"] = _seg(out["segment"], lang)
    return out.rename(columns={"segment": "Segment" if lang == "en" else "Segmento"})


def contributors(seg: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    en = lang == "en"
    return pd.DataFrame({("Segment" if en else "Segmento"): _seg(seg["segment"], lang),
                         ("Group" if en else "Grupo"): seg["group"],
                         ("Clients" if en else "Clientes"): seg["clients"].astype(int)})  # fmt: skip


def pool_loads(loads: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    en = lang == "en"
    return pd.DataFrame(
        {
            ("Data" if en else "Dados"): loads["kind"],
            ("Period" if en else "Período"): loads["period"],
            ("Clients" if en else "Clientes"): loads["clients"].astype(int),
            ("Rows" if en else "Linhas"): loads["rows"].map(lambda x: T.num(x, lang, 0)),
            ("Smallest k" if en else "Menor k"): loads["k"].map(lambda x: "–" if pd.isna(x) else str(int(x))),
            ("Last load (UTC)" if en else "Última carga (UTC)"): pd.to_datetime(loads["last"]).dt.strftime(
                "%Y-%m-%d %H:%M"
            ),
        }
    )


def funnel_summary(summary: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Per funnel: method, points, target, phi, tau2, limits widened or not, outliers above and below."""
    en = lang == "en"
    yes, no = ("yes", "no") if en else ("sim", "não")
    return pd.DataFrame(
        {
            "Funnel": summary["funnel"],
            ("Method" if en else "Método"): summary["method"],
            ("Points" if en else "Pontos"): summary["units"].map(lambda x: T.num(x, lang, 0)),
            ("Target" if en else "Alvo"): summary["target"].map(lambda x: T.num(x, lang, 3)),
            "φ": summary["phi"].map(lambda x: T.num(x, lang, 2)),
            "τ²": summary["tau2"].map(lambda x: T.num(x, lang, 5)),
            ("Limits widened" if en else "Limites alargados"): summary["od_adjusted"].map({True: yes, False: no}),
            ("Limit" if en else "Limite"): summary["limit"].map(lambda x: f"{x:g} %"),
            ("Above" if en else "Acima"): summary["above"].astype(str),
            ("Below" if en else "Abaixo"): summary["below"].astype(str),
        }
    )


def funnel_outliers(d: pd.DataFrame, unit: str, lang: Lang, limit: int = 15) -> pd.DataFrame:
    """The points outside a funnel's limits, farthest first, with their limits, z and own 95 % interval
    (METHODS 6); pseudonyms shortened to 8 characters."""
    en = lang == "en"
    o = d[d["outlier"]].reindex(d.loc[d["outlier"], "z"].abs().sort_values(ascending=False).index).head(limit)
    return pd.DataFrame(
        {
            h("unit", lang): o["unit"].astype(str).str[:8],
            ("Numerator" if en else "Numerador"): o["numerator"].map(partial(_count, lang=lang)),
            ("Denominator" if en else "Denominador"): o["denominator"].map(partial(_count, lang=lang)),
            h("value", lang): o["value"].map(lambda x: T.value(x, unit, lang, 2)),
            ("Limits" if en else "Limites"): [
                f"{T.num(a, lang, 2)}–{T.num(b, lang, 2)}" for a, b in zip(o["lower"], o["upper"], strict=True)
            ],  # fmt: skip
            "z": o["z"].map(lambda x: T.num(x, lang, 2)),
            h("ci", lang): [
                f"{T.num(a, lang, 2)}–{T.num(b, lang, 2)}" for a, b in zip(o["ci_lower"], o["ci_upper"], strict=True)
            ],  # fmt: skip
            ("Exact p (no overdispersion)" if en else "p exato (sem sobredispersão)"): o["p_exact"].map(
                lambda x: "–" if pd.isna(x) else ("< 0.0001" if x < 1e-4 else T.num(x, lang, 4))
            ),
        }
    )


def _count(x: float, lang: Lang) -> str:
    return T.num(x, lang, 0 if float(x).is_integer() else 1)


def excluded(ex: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Per indicator: units with data, the minimum cases and the units left out below it."""
    en = lang == "en"
    return pd.DataFrame(
        {
            h("indicator", lang): ex["indicator_id"],
            ("Units with data" if en else "Unidades com dados"): ex["units"].map(lambda x: T.num(x, lang, 0)),
            ("Minimum cases" if en else "Casos mínimos"): ex["min_cases"].map(lambda x: T.num(x, lang, 0)),
            ("Left out" if en else "Excluídas"): ex["left_out"].map(lambda x: T.num(x, lang, 0)),
        }
    )


def suggested_bands(fragment: dict, lang: Lang) -> pd.DataFrame:
    """The suggested bands (floor, target) and the indicators skipped with the reason."""
    en = lang == "en"
    rows = [(k, T.num(b["floor"], lang, 2), T.num(b["target"], lang, 2), "") for k, b in fragment["bands"].items()]
    rows += [(k, "", "", why) for k, why in fragment["skipped"].items()]
    out = pd.DataFrame(rows, columns=[h("indicator", lang), ("Floor (median)" if en else "Piso (mediana)"),
                                      ("Target (best decile)" if en else "Meta (melhor decil)"),
                                      ("Skipped: why" if en else "Não sugerida: motivo")])  # fmt: skip
    return out.sort_values(h("indicator", lang)).reset_index(drop=True)


def own_position(pos: pd.DataFrame, by: list[str], lang: Lang) -> pd.DataFrame:
    """The client's own values against the published percentiles (nothing of another client)."""
    en = lang == "en"
    pub = pos["published"].fillna(False).to_numpy(bool)

    def col(c: str) -> list[str]:
        return [T.value(v, u, lang, 2) if p else "" for v, u, p in zip(pos[c], pos["unit"], pub, strict=True)]

    better = pos["better_than_median"].map({True: "✓", False: "✗"}).astype(object).fillna("")
    out = pd.DataFrame(
        {
            h("indicator", lang): pos["indicator_id"],
            ("Your units" if en else "Suas unidades"): pos["units"].map(lambda x: T.num(x, lang, 0)),
            ("Your median" if en else "Sua mediana"): [
                T.value(v, u, lang, 2) for v, u in zip(pos["value"], pos["unit"], strict=True)
            ],
            ("Your total" if en else "Seu total"): [
                T.value(v, u, lang, 2) for v, u in zip(pos["total"], pos["unit"], strict=True)
            ],
            "P25": col("p25"),
            ("Median" if en else "Mediana"): col("p50"),
            "P75": col("p75"),
            ("Best decile" if en else "Melhor decil"): col("best_decile"),
            ("Position" if en else "Posição"): pos["position"],
            ("Better than median" if en else "Melhor que a mediana"): better,
        }
    )
    for seg in by:
        if f"p50_{seg}" in pos:
            name = f"{'Median' if en else 'Mediana'}, {SEGMENT[seg][lang]}"
            out[name] = [T.value(v, u, lang, 2) if np.isfinite(v) else "–"
                         for v, u in zip(pos[f"p50_{seg}"], pos["unit"], strict=True)]  # fmt: skip
    out[("Suppressed: why" if en else "Suprimida: motivo")] = pos["reason"].fillna("").map(lambda r: T.reason(r, lang))
    return out
