"""A contract's payouts in words: each rule's terms, each unit's payout with the sentence that recomputes it
(METHODS 12). The payout rules (:mod:`gps_core.p4p`) return numbers and their terms only; this module words
them, in the report's language, when a report or the finance workbook shows them.
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from . import text as T
from .text import Lang


def explain(out: pd.DataFrame, lang: str = "en") -> pd.Series:
    """One sentence per unit that lets the finance team and the doctor recompute the payout, in ``en`` or
    ``pt-BR`` (numbers as that language writes them). Built on demand: the rules themselves return numbers
    only, so 100,000 units cost no string formatting."""
    if lang not in T.PAYOUT_WORDS:
        raise ValueError(f"lang must be one of {list(T.PAYOUT_WORDS)}, got {lang!r}")
    w_ = T.PAYOUT_WORDS[lang]
    t = out.attrs.get("terms", {})
    rule = t.get("rule")

    def n(x: float, d: int = 2) -> str:
        return T.num(x, lang, d)

    def g(x: float) -> str:  # a term as the params write it
        return T.g(x, lang)

    def pc(x: float, d: int = 4) -> str:
        return T.num(100 * x, lang, d) + " %"

    if rule == "budget_pool":
        return pd.Series(
            [
                (
                    f"{w_['index']} {n(i)} >= {g(t['minimum'])}: {w_['weight']} {n(i)}^{g(t['alpha'])} x {n(p, 0)} = "
                    f"{n(w)}; {pc(s)} {w_['of_budget']} {n(t['budget'] / 100)}"
                    + (f", {w_['cap']} {n(t['cap'] / 100)}" if c else "")
                    + f" = {n(m / 100)}"
                )
                if e
                else (
                    f"{w_['not_eligible']}: {w_['index']} {n(i)} < {g(t['minimum'])}"
                    if p > 0
                    else f"{w_['not_eligible']}: {w_['no_production']}"
                )
                for i, p, e, w, s, c, m in zip(
                    *(out[k] for k in ("index", "production", "eligible", "weight", "share", "capped", "payout")),
                    strict=True,
                )
            ],
            index=out.index,
        )
    if rule == "additional_percentage":
        if "tiers" in t:
            how = f"{w_['tiers']} " + ", ".join(f">= {g(a)}: {pc(b, 2)}" for a, b in t["tiers"])
        else:
            how = f"linear {g(t['floor'])} -> 0 %, {g(t['target'])} -> {pc(t['max_rate'], 2)}"
        return pd.Series(
            [
                f"{w_['index']} {n(i)}, {how}: {pc(r)} x {n(m / 100)} = {n(p / 100)}"
                for i, r, m, p in zip(out["index"], out["rate"], out["received"], out["payout"], strict=True)
            ],
            index=out.index,
        )
    if rule == "withhold":
        return pd.Series(
            [
                f"{w_['withheld']} {pc(t['rate'], 2)} {w_['of']} {n(b / 100)} = {n(h / 100)}; {w_['returned']} "
                f"{pc(t['rate'], 2)} x {n(x, 1)}/100 x {w_['slope']} {n(t['slope'], 6)} x base = {n(r / 100)}; "
                f"{w_['net']} {n((r - h) / 100)}"
                for b, x, h, r in zip(out["base"], out["tps"], out["withheld"], out["returned"], strict=True)
            ],
            index=out.index,
        )
    if rule == "per_point":
        return pd.Series(
            [
                f"{n(p)} {w_['points']} x {n(t['value'] / 100)} x {w_['list']} {n(a)} x {w_['prevalence']} {n(b)} = "
                f"{n(m / 100)}"
                for p, a, b, m in zip(
                    out["points"], out["list_factor"], out["prevalence_factor"], out["payout"], strict=True
                )
            ],
            index=out.index,
        )
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
            T.w("how_it_is_computed", lang): explain(r, lang),
        }
    )
