"""The indicator views shared by the annual evaluation and the scorecards: technical sheets, the indicator
rows against their ideal bands, the gap to full score and the traceability drill-down.
"""

from __future__ import annotations

import pandas as pd

from . import text as T
from .text import Lang


def band_text(r: pd.Series, lang: Lang) -> str:
    """The ideal band of one technical sheet in words."""
    u = r["unit"]
    v = lambda x: T.value(x, u, lang)  # noqa: E731
    if r["rule"] == "linear":
        return T.say("band_linear", lang, floor=v(r["floor"]), target=v(r["target"]))
    if r["rule"] == "range":
        return T.say("band_range", lang, low=v(r["target"]), high=v(r["target_high"]), floor=v(r["floor"]),
                     floor_high=v(r["floor_high"]))  # fmt: skip
    op = "≤" if r["polarity"] == "lower" else "≥"
    steps = [
        f"{op} {v(float(t))}: {T.num(100 * float(f), lang, 0)} %"
        for t, f in (p.split(":") for p in r["tiers"].split("|"))
    ]
    return "; ".join([*steps, T.label("band_otherwise", lang)])


def technical_sheets(
    catalog: pd.DataFrame, weights: pd.Series, lang: Lang, why: dict[str, str] | None = None
) -> pd.DataFrame:
    """The technical sheets as the report annex renders them: the indicator (code and name, the key column a
    split table repeats), its dimension, definition, polarity, ideal band in words (with the params' reason),
    weight, minimum denominator and source."""
    name = T.field("name", lang)
    sfx = "en" if lang == "en" else "pt"
    why = why or {}
    return pd.DataFrame(
        {
            T.h("indicator", lang): catalog["indicator_id"] + " " + catalog[name],
            T.h("dimension", lang): catalog["dimension"].map(lambda k: T.label(k, lang)),
            T.h("definition", lang): catalog[f"numerator_{sfx}"] + " / " + catalog[f"denominator_{sfx}"],
            T.h("polarity", lang): catalog["polarity"].map(lambda k: T.POLARITY[k][lang]),
            T.h("band", lang): [
                band_text(r, lang) + (f" ({why[r['indicator_id']]})" if r["indicator_id"] in why else "")
                for _, r in catalog.iterrows()
            ],
            T.h("weight", lang): weights.reindex(catalog["indicator_id"]).map(lambda x: T.num(x, lang, 2)).to_numpy(),
            T.h("min", lang): catalog["min_denominator"].map(lambda x: T.num(x, lang, 0)),
            T.h("source", lang): catalog["source" if lang == "en" else "source_pt"],
        }
    )


def band_short(r: dict, lang: Lang) -> str:
    """An ideal band in a table cell: where the score is 0 % and where it reaches 100 % (``4,00 % → 1,00 %``),
    a range's two sides, or a tier ladder."""
    v = lambda x: T.value(x, r["unit"], lang)  # noqa: E731
    if r["rule"] == "linear":
        return f"{v(r['floor'])} → {v(r['target'])}"
    if r["rule"] == "range":
        return f"{v(r['floor'])} → {v(r['target'])}–{v(r['target_high'])} ← {v(r['floor_high'])}"
    op = "≤" if r["polarity"] == "lower" else "≥"
    return "; ".join(
        f"{op} {v(float(t))}: {T.num(100 * float(f), lang, 0)} %"
        for t, f in (p.split(":") for p in r["tiers"].split("|"))
    )


def gap_short(row: pd.Series, lang: Lang) -> str:
    """What earns the full score, in a table cell: ``≤ 4,00 %`` (the value stands in the cell beside it); the
    full sentence is :func:`gap_statement`."""
    if pd.isna(row["value"]):
        return "–"
    if row["gap"] == 0:
        return T.h("full_earned", lang)
    u = row["unit"]
    lo, hi = T.value(row["full_low"], u, lang), T.value(row["full_high"], u, lang)
    need = {"at_most": f"≤ {hi}", "at_least": f"≥ {lo}", "between": f"{lo}–{hi}"}[row["bound"]]
    return need


def indicator_rows(ind: pd.DataFrame, catalog: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Every indicator of a unit in a month, in as few columns as a printed page holds without breaking words:
    the indicator, its numerator and denominator (⚠ below the minimum), value with its 95 % interval,
    observed · expected · O/E for a risk-adjusted one, the ideal band, the share of the score earned, the
    points and what earns the full score."""
    cat = catalog.set_index("indicator_id")
    name = T.field("name", lang)
    rows = []
    for _, r in ind.sort_values(["dimension", "indicator_id"]).iterrows():
        small = " ⚠" if r["small_denominator"] and not r["missing"] else ""
        ci = "" if pd.isna(r["lower"]) else f" ({T.num(r['lower'], lang, 2)}–{T.num(r['upper'], lang, 2)})"
        extra = {}
        if "crude" in ind.columns and ind["crude"].notna().any():  # a unit with a risk-adjusted indicator
            extra[T.h("adjusted", lang)] = (
                ""
                if pd.isna(r["crude"])
                else f"{T.value(r['crude'], r['unit'], lang)} · {T.value(r['expected_value'], r['unit'], lang)} · "
                f"{T.num(r['crude'] / r['expected_value'], lang, 2)}"
            )
        rows.append(
            {
                T.h("indicator", lang): f"{r['indicator_id']} {cat.loc[r['indicator_id'], name]}",
                T.h("num_den", lang): f"{T.num(r['numerator'], lang, 0)} / {T.num(r['denominator'], lang, 0)}{small}",
                T.h("value_ci", lang): T.value(r["value"], r["unit"], lang) + ci,
                **extra,
                T.h("band_short", lang): band_short(cat.loc[r["indicator_id"]].to_dict(), lang),
                T.h("earned", lang): T.pct(100 * r["fraction"], lang, 0),
                T.h("points", lang): f"{T.num(r['points'], lang, 2)} / {T.num(r['weight'], lang, 2)}",
                T.h("gap", lang): gap_short(r, lang),
            }
        )
    return pd.DataFrame(rows)


def drill_down(rows: pd.DataFrame, catalog: pd.DataFrame, lang: Lang, limit: int = 4) -> pd.DataFrame:
    """The records behind a unit's numerators in one month (ids, with the linked record: the readmission,
    the return to theatre), from :func:`gps_core.studies.evaluation.records_behind`."""
    cat = catalog.set_index("indicator_id")
    name = T.field("name", lang)
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
                T.h("id", lang): ind,
                T.h("indicator", lang): cat.loc[ind, name],
                T.h("numerator", lang): T.num(g["numerator"].sum(), lang, 0),
                T.h("denominator", lang): T.num(g["denominator"].sum(), lang, 0),
                T.h("records", lang): ", ".join(map(str, ids[:limit])) + more,
            }
        )
    return pd.DataFrame(out)


def volume_label(catalog: pd.DataFrame, indicator: str | None, lang: Lang) -> str | None:
    """``Discharges (E01)``: the volume a roll-up is weighted by, named by its denominator."""
    if indicator is None:
        return None
    row = catalog.set_index("indicator_id").loc[indicator]
    return f"{row[T.field('denominator', lang)].lower()} ({indicator})"


def gap_statement(row: pd.Series, name: str, lang: Lang) -> str:
    """ "To earn 100 % the average length of stay must be at most 7.74 days" for one indicator row of
    :func:`gps_core.studies.evaluation.indicator_table` (GPS paper, Figure 4)."""
    if pd.isna(row["value"]):
        return T.label("no_value", lang)
    if row["gap"] == 0:
        return T.label("full_score", lang)
    unit = row["unit"]
    lo, hi = T.value(row["full_low"], unit, lang), T.value(row["full_high"], unit, lang)
    need = T.say(f"gap_{row['bound']}", lang, lo=lo, hi=hi)
    return T.say("gap_sentence", lang, name=name, need=need, now=T.value(row["value"], unit, lang))
