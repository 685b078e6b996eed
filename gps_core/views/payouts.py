"""A contract's payouts in words: each rule's terms, each unit's payout with the sentence that recomputes it
(METHODS 12). The payout rules (:mod:`gps_core.p4p`) return numbers and their terms only; this module words
them, in the report's language, when a report or the finance workbook shows them.
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from . import text as T
from .text import Lang


def explain(out: pd.DataFrame, lang: str = "en", currency: str = "BRL") -> pd.Series:
    """One sentence per unit, in words, that lets the finance team and the doctor recompute the payout, in
    ``en`` or ``pt-BR`` (numbers and money as that language writes them): "Índice 70,4, acima do mínimo de 60:
    recebe 4,3078 % do fundo de R$ 1.500.000,00 (peso: índice 70,4 elevado a 1 × produção 9.179 = 646.301):
    R$ 64.616,37." Built on demand: the rules themselves return numbers only, so 100,000 units cost no string
    formatting (methods §13)."""
    if lang not in T.PAYOUT_WORDS:
        raise ValueError(f"lang must be one of {list(T.PAYOUT_WORDS)}, got {lang!r}")
    t = out.attrs.get("terms", {})
    rule = t.get("rule")

    def n(x: float, d: int = 1) -> str:
        return T.num(x, lang, d)

    def g(x: float) -> str:  # a term as the params write it
        return T.g(x, lang)

    def money(cents: float) -> str:
        return T.money(cents, lang, currency)

    def pc(x: float, d: int = 4) -> str:
        return T.num(100 * x, lang, d) + " %"

    say = partial(T.say, lang=lang)
    if rule == "budget_pool":
        cap = say("pay_cap", cap=money(t["cap"])) if t.get("cap") else ""
        return pd.Series(
            [
                say("pay_pool", index=n(i), exact=n(i, 2), minimum=g(t["minimum"]), share=pc(s),
                    budget=money(t["budget"]), alpha=g(t["alpha"]), production=n(p, 0), weight=n(w, 0),
                    cap=cap if c else "", payout=money(m))
                if e
                else say("pay_below", index=n(i), minimum=g(t["minimum"])) if p > 0 else say("pay_no_production")
                for i, p, e, w, s, c, m in zip(
                    *(out[k] for k in ("index", "production", "eligible", "weight", "share", "capped", "payout")),
                    strict=True,
                )
            ],
            index=out.index,
        )  # fmt: skip
    if rule == "additional_percentage":
        if "tiers" in t:
            how = say("pay_tiers", tiers=T.join([say("pay_tier", index=g(a), rate=pc(b, 1)) for a, b in t["tiers"]],
                                                lang))  # fmt: skip
        else:
            how = say("pay_linear", floor=g(t["floor"]), target=g(t["target"]), rate=pc(t["max_rate"], 1))
        return pd.Series(
            [
                say("pay_percentage", index=n(i), rate=pc(r), how=how, received=money(m), payout=money(p))
                for i, r, m, p in zip(out["index"], out["rate"], out["received"], out["payout"], strict=True)
            ],
            index=out.index,
        )
    if rule == "withhold":
        return pd.Series(
            [
                say("pay_withhold", rate=pc(t["rate"], 1), base=money(b), withheld=money(h), tps=n(x),
                    slope=T.num(t["slope"], lang, 6), returned=money(r), net=money(r - h))
                for b, x, h, r in zip(out["base"], out["tps"], out["withheld"], out["returned"], strict=True)
            ],
            index=out.index,
        )  # fmt: skip
    if rule == "per_point":
        return pd.Series(
            [
                say("pay_points", points=n(p, 2), value=money(t["value"]), list=n(a, 2), prevalence=n(b, 2),
                    payout=money(m))
                for p, a, b, m in zip(
                    out["points"], out["list_factor"], out["prevalence_factor"], out["payout"], strict=True
                )
            ],
            index=out.index,
        )  # fmt: skip
    raise ValueError("not the output of a p4p rule (no terms attached)")


def rule_terms(rule, lang: Lang, currency: str = "BRL") -> str:
    """A candidate payout rule's terms in words (params :class:`~gps_core.params.PayoutRule`)."""
    g = partial(T.g, lang=lang)

    def m(x: float) -> str:  # amounts in params are currency units
        return T.money(100 * x, lang, currency)

    pr = rule.production
    if pr.file is not None:
        base = T.w("amount_received", lang) + f" ({pr.file.path.rsplit('/', 1)[-1]})"
    else:
        base = pr.indicator + (f" x {m(pr.price)}" if pr.price else "")
    of = T.label("of_amount" if pr.file else "of_indicator", lang)
    if rule.kind == "per_point":
        pts = f"{T.w('points_lower', lang)} = IP/100 x {g(rule.max_points)} x {m(rule.point_value)}"
        adj = f"; {T.w('list', lang)} / {g(rule.national_list)}"
        return (
            pts + adj + (f"; prev. / {T.pct(100 * rule.national_prevalence, lang)}" if rule.national_prevalence else "")
        )
    if rule.kind == "budget_pool":
        s = (
            f"{T.w('pool', lang)} {m(rule.budget)} {T.w('by', lang)} IP^{g(rule.alpha)} x {base}; "
            f"{T.w('minimum_ip', lang)} {g(rule.minimum)}"
        )
        return s + (f"; {T.w('cap', lang)} {m(rule.cap)}" if rule.cap else "")
    if rule.kind == "additional_percentage":
        if rule.tiers:
            how = ", ".join(f"IP >= {g(a)}: {T.pct(100 * b, lang, 1)}" for a, b in rule.tiers)
        else:
            how = f"IP {g(rule.floor)} -> 0 %, IP {g(rule.target)} -> {T.pct(100 * rule.max_rate, lang, 1)}"
        return f"{how} {of} {base}"
    return f"{T.w('withhold', lang)} {T.pct(100 * rule.rate, lang, 1)} {of} {base}"


def payouts_table(res: pd.DataFrame, lang: Lang, currency: str = "BRL") -> pd.DataFrame:
    """One contract rule's payouts per unit, largest first, with the sentence that recomputes each."""
    r = res.sort_values("payout", ascending=False)
    return pd.DataFrame(
        {
            T.h("unit", lang): r["unit_id"].astype(str),
            T.h("ip", lang): r["index"].map(lambda x: T.num(x, lang)),
            T.w("volume", lang): r["volume"].map(lambda x: T.num(x, lang, 0)),
            T.w("payout", lang): r["payout"].map(partial(T.money, lang=lang, currency=currency)),
            T.w("how_it_is_computed", lang): explain(r, lang, currency),
        }
    )
