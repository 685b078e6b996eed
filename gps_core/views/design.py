"""The contract design's tables, sentences and charts (notebooks/p4p_simulation.ipynb)."""

from __future__ import annotations

from functools import partial

import altair as alt
import numpy as np
import pandas as pd

from . import payouts
from . import text as T
from .text import Lang


def rule_costs(costs: pd.DataFrame, rules: list, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """The candidate rules side by side: terms, total cost, units paid, typical and largest payouts and
    concentration (:func:`gps_core.studies.design.costs`)."""
    terms = {r.name: payouts.rule_terms(r, lang, currency) for r in rules}
    money = partial(T.money, lang=lang, currency=currency)
    return pd.DataFrame(
        {
            T.w("rule", lang): costs["rule"].astype(str),
            T.w("terms", lang): costs["rule"].astype(str).map(terms),
            T.w("total_cost", lang): costs["total"].map(money),
            T.w("units_paid", lang): [
                f"{p} / {u} ({T.pct(100 * s, lang, 0)})"
                for p, u, s in zip(costs["paid"], costs["units"], costs["share_paid"], strict=True)
            ],
            T.w("median", lang): costs["median"].map(money),
            T.w("90th_percentile", lang): costs["p90"].map(money),
            T.w("largest", lang): costs["largest"].map(money),
            T.w("top_10_of_units_get", lang): costs["top_decile_share"].map(lambda x: T.pct(100 * x, lang, 0)),
            "Gini": costs["gini"].map(lambda x: T.num(x, lang, 2)),
        }
    )


def money_wide(wide: pd.DataFrame, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """A table of amounts in cents (e.g. :func:`gps_core.studies.design.by_group`) formatted as money; the first
    column is the label."""
    out = wide.copy()
    for c in out.columns[1:]:
        out[c] = out[c].map(partial(T.money, lang=lang, currency=currency))
    return out.rename(columns={out.columns[0]: T.w("specialty", lang)})


def shift_table(summary: pd.DataFrame, base: str, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """Who gains and who loses moving from ``base`` to each other rule
    (:func:`gps_core.studies.design.shift_summary`)."""
    return pd.DataFrame(
        {
            T.say("shift_from", lang, base=base): summary["rule"].astype(str),
            T.w("units_gaining", lang): summary["gain"],
            T.w("units_losing", lang): summary["lose"],
            T.w("unchanged", lang): summary["same"],
            T.w("gained", lang): summary["gained"].map(partial(T.money, lang=lang, currency=currency)),
            T.w("lost", lang): summary["lost"].map(partial(T.money, lang=lang, currency=currency)),
        }
    )


def robustness_table(ranks: pd.DataFrame, pays: pd.DataFrame, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """Each unit's rank and payout under random weights (:func:`gps_core.studies.design.rank_intervals`,
    :func:`gps_core.studies.design.payout_intervals`), in nominal rank order."""
    d = ranks.merge(pays, on="unit_id", how="left")
    money = partial(T.money, lang=lang, currency=currency)
    return pd.DataFrame(
        {
            T.h("unit", lang): d["unit_id"].astype(str),
            T.h("ip", lang): [
                f"{T.num(i, lang)} ({T.num(a, lang)}–{T.num(b, lang)})"
                for i, a, b in zip(d["ip"], d["ip_p05"], d["ip_p95"], strict=True)
            ],
            T.w("rank", lang): d["rank"],
            T.w("median_rank_5_95", lang): [
                f"{T.num(m, lang, 0 if m % 1 == 0 else 1)} ({a}–{b})"
                for m, a, b in zip(d["median_rank"], d["rank_p05"], d["rank_p95"], strict=True)
            ],
            T.w("mean_rank_shift", lang): d["shift"].map(lambda x: T.num(x, lang, 2)),
            T.w("payout", lang): d["payout"].map(money),
            T.w("mean_payout_5_95", lang): [
                f"{money(m)} ({money(a)} – {money(b)})" for m, a, b in zip(d["mean"], d["p05"], d["p95"], strict=True)
            ],
            T.w("paid_in", lang): d["p_paid"].map(lambda x: T.pct(100 * x, lang, 0)),
        }
    )


def value_table(hvs: pd.DataFrame, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """The Health Value Score per unit (:func:`gps_core.studies.design.health_value`), best first."""
    return pd.DataFrame(
        {
            T.h("unit", lang): hvs["unit_id"].astype(str),
            T.w("stays", lang): hvs["stays"].map(lambda x: T.num(x, lang, 0)),
            T.w("observed_cost", lang): hvs["observed"].map(lambda x: T.money(100 * x, lang, currency)),
            T.w("expected_cost", lang): hvs["expected"].map(lambda x: T.money(100 * x, lang, currency)),
            T.w("efficiency_e_o", lang): hvs["efficiency"].map(lambda x: T.num(x, lang, 2)),
            T.w("cost_score", lang): hvs["cost_score"].map(lambda x: T.num(x, lang)),
            T.h("ip", lang): hvs["ip"].map(lambda x: T.num(x, lang)),
            "HVS": hvs["hvs"].map(lambda x: T.num(x, lang)),
            T.h("quadrant", lang): hvs["quadrant"].map(lambda q: T.QUADRANT_VALUE[q][lang]),
        }
    )


def design_sentence(
    costs: pd.DataFrame, shifts: pd.DataFrame, ranks: pd.DataFrame, lang: Lang, currency: str, draws: int, spread: float
) -> str:
    """What the candidate rules cost, who gains and loses moving from the first to the others, and how
    stable the ranking is under random weights (tables of :mod:`gps_core.studies.design`)."""
    money = partial(T.money, lang=lang, currency=currency)
    parts = [
        T.say("design_cost", lang, rule=r["rule"], total=money(r["total"]), paid=r["paid"], units=r["units"],
              gini=T.num(r["gini"], lang, 2))  # fmt: skip
        for _, r in costs.iterrows()
    ]
    base = str(costs["rule"].iloc[0])
    moves = [
        T.say("design_move", lang, base=base, rule=s["rule"], gain=s["gain"], lose=s["lose"])
        for _, s in shifts.iterrows()
    ]
    n = len(ranks)
    wide = ranks[(ranks["rank_p95"] - ranks["rank_p05"]) > max(2, n // 10)]
    return T.say(
        "design_summary",
        lang,
        costs="; ".join(parts),
        moves="; ".join(moves),
        spread=T.pct(100 * spread, lang, 0),
        draws=draws,
        shift=T.num(ranks["shift"].mean(), lang, 2),
        stable=n - len(wide),
        n=n,
        places=max(2, n // 10),
    )


def value_missing(reason: str, lang: Lang) -> str:
    """Why a report has no Health Value Score (:func:`gps_core.studies.design.health_value`'s reason)."""
    return f"{'Not computed' if lang == 'en' else 'Não calculado'}: {T.VALUE_MISSING[reason][lang]}."


def payout_strip(table: pd.DataFrame, lang: Lang) -> alt.Chart:
    """Each unit's payout under each candidate rule (one row per rule), in currency units."""
    d = table.assign(rule=table["rule"].astype(str), amount=table["payout"] / 100)
    return (
        alt.Chart(d, title=T.w("payout_per_unit", lang))
        .mark_tick(thickness=2, size=16, opacity=0.7)
        .encode(
            x=alt.X("amount:Q", title=T.w("payout", lang), axis=alt.Axis(format="~s")),
            y=alt.Y("rule:N", sort=list(table["rule"].cat.categories), title=None),
            color=alt.Color("rule:N", legend=None),
            tooltip=["unit_id", "rule", alt.Tooltip("amount:Q", format=",.2f")],
        )
        .properties(width=520, height=alt.Step(34))
    )


def payout_shift_bars(shifts: pd.DataFrame, lang: Lang) -> alt.FacetChart:
    """The change in each unit's payout from the base rule to each other rule (green gains, red losses)."""
    d = shifts.assign(amount=shifts["difference"] / 100, sign=np.where(shifts["difference"] >= 0, "+", "-"))
    order = list(d.sort_values("order")["unit_id"].drop_duplicates())
    return (
        alt.Chart(d)
        .mark_bar()
        .encode(
            x=alt.X("amount:Q", title=T.w("change_in_payout", lang), axis=alt.Axis(format="~s")),
            y=alt.Y("unit_id:N", sort=order, title=None),
            color=alt.Color("sign:N", scale=alt.Scale(domain=["+", "-"], range=["#1a9850", "#d73027"]), legend=None),
            tooltip=["unit_id", alt.Tooltip("amount:Q", format=",.2f")],
        )
        .properties(width=260, height=alt.Step(11))
        .facet(facet=alt.Facet("rule:N", title=None), columns=3)
    )


def rank_intervals(ranks: pd.DataFrame, lang: Lang) -> alt.LayerChart:
    """Each unit's 5-95 % rank interval under random weights (bar), median rank (tick) and nominal rank
    (dot), in nominal order."""
    d = ranks.assign(unit_id=ranks["unit_id"].astype(str))
    order = list(d.sort_values("rank")["unit_id"])
    y = alt.Y("unit_id:N", sort=order, title=None)
    base = alt.Chart(d, title=T.w("rank_under_random_weights", lang))
    x = alt.X("rank_p05:Q", title=T.w("rank_1_best", lang), scale=alt.Scale(reverse=False))
    bars = base.mark_rule(color="#888", strokeWidth=3).encode(x=x, x2="rank_p95:Q", y=y)
    mid = base.mark_tick(color="#333", thickness=2, size=10).encode(x="median_rank:Q", y=y)
    dot = base.mark_point(filled=True, color="#d95f02", size=35).encode(
        x="rank:Q", y=y, tooltip=["unit_id", "rank", "median_rank", "rank_p05", "rank_p95"]
    )
    return alt.layer(bars, mid, dot).properties(width=420, height=alt.Step(12))


def value_scatter(hvs: pd.DataFrame, lang: Lang) -> alt.LayerChart:
    """Quality (annual IP) against cost efficiency (expected / observed cost) per unit, with the medians
    that split the four quadrants (``attrs`` of :func:`gps_core.studies.design.health_value`)."""
    d = hvs.dropna(subset=["efficiency", "ip"]).assign(unit_id=lambda x: x["unit_id"].astype(str))
    base = alt.Chart(d, title=T.w("quality_against_cost", lang))
    x = alt.X(
        "efficiency:Q",
        title=T.w("cost_efficiency_expected_observed", lang),
        scale=alt.Scale(zero=False),
    )
    y = alt.Y("ip:Q", title=T.w("ip_year", lang), scale=alt.Scale(zero=False))
    dots = base.mark_circle(size=60, color="#1b9e77").encode(
        x=x, y=y, size=alt.Size("stays:Q", legend=None), tooltip=["unit_id", "ip", "efficiency", "hvs"]
    )
    labels = base.mark_text(align="left", dx=6, fontSize=9, color="#444").encode(x=x, y=y, text="unit_id:N")
    vx = base.mark_rule(strokeDash=[4, 3], color="#999").encode(x=alt.datum(hvs.attrs["median_efficiency"]))
    hy = base.mark_rule(strokeDash=[4, 3], color="#999").encode(y=alt.datum(hvs.attrs["median_ip"]))
    return alt.layer(dots, labels, vx, hy).properties(width=520, height=380)


def value_definition(terms: dict, lang: Lang) -> str:
    """The Health Value Score's definition with the contract's weights, floor and target (``attrs["terms"]``
    of :func:`gps_core.value.health_value_score`), in ``lang``."""
    return T.say(
        "hvs_definition",
        lang,
        wq=T.pct(100 * terms["w_quality"], lang, 0),
        wc=T.pct(100 * terms["w_cost"], lang, 0),
        floor=T.num(terms["floor"], lang, 2),
        target=T.num(terms["target"], lang, 2),
    )


def draws_note(uncertainty, rule: str, lang: Lang) -> str:
    """How the weights were drawn (params ``uncertainty``) and under which rule the payouts are read."""
    return T.say(
        "design_draws",
        lang,
        draws=uncertainty.draws,
        spread=T.num(uncertainty.spread, lang, 2),
        policies="; ".join(T.POLICIES[k][lang] for k in uncertainty.policies),
        rule=rule,
    )
