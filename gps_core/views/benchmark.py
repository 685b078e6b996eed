"""The benchmark study's tables, sentences and charts (notebooks/benchmark_study.ipynb)."""

from __future__ import annotations

from functools import partial

import altair as alt
import numpy as np
import pandas as pd

from . import text as T
from .text import Lang


def _seg(s: pd.Series, lang: Lang) -> pd.Series:
    return s.map(lambda x: T.SEGMENT.get(x, {}).get(lang, x))


def benchmark_cells(cells: pd.DataFrame, catalog: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Benchmark cells: counts, percentiles, mean and best-decile mean on the indicator's scale; a
    suppressed cell keeps its row with the reason instead of numbers."""
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
            T.h("indicator", lang): cells["indicator_id"],
            T.w("segment", lang): _seg(cells["segment"], lang),
            T.w("group", lang): cells["group"].map(lambda g: T.group(g, lang)),
            T.w("units", lang): cells["units"].map(lambda x: T.num(x, lang, 0)),
            T.w("clients", lang): cells["clients"].map(lambda x: T.num(x, lang, 0)),
            "P10": col("p10"),
            "P25": col("p25"),
            T.w("median_threshold", lang): col("p50"),
            "P75": col("p75"),
            "P90": col("p90"),
            T.w("best_decile_benchmark", lang): [T.reason(b, lang) for b in best],
            T.w("suppressed_why", lang): cells["reason"].map(lambda r: T.reason(r, lang)),
        }
    )


def suppression(sup: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Cells per segment: published and suppressed by each reason."""
    out = sup.rename(columns=lambda c: T.reason(c, lang) if c != "published" else T.w("published", lang))
    out["segment"] = _seg(out["segment"], lang)
    return out.rename(columns={"segment": T.w("segment", lang)})


def contributors(seg: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    return pd.DataFrame({T.w("segment", lang): _seg(seg["segment"], lang),
                         T.w("group", lang): seg["group"].map(lambda g: T.group(g, lang)),
                         T.w("clients", lang): seg["clients"].astype(int)})  # fmt: skip


def pool_loads(loads: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    return pd.DataFrame(
        {
            T.w("data", lang): loads["kind"],
            T.w("period", lang): loads["period"],
            T.w("clients", lang): loads["clients"].astype(int),
            T.w("rows", lang): loads["rows"].map(lambda x: T.num(x, lang, 0)),
            T.w("smallest_k", lang): loads["k"].map(lambda x: "–" if pd.isna(x) else str(int(x))),
            T.w("last_load_utc", lang): pd.to_datetime(loads["last"]).dt.strftime("%Y-%m-%d %H:%M"),
        }
    )


def funnel_summary(summary: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Per funnel: method, points, target, phi, tau2, limits widened or not, outliers above and below."""
    yes, no = T.label("yes", lang), T.label("no", lang)
    return pd.DataFrame(
        {
            T.label("funnel", lang): summary["funnel"],
            T.w("method", lang): summary["method"],
            T.w("points", lang): summary["units"].map(lambda x: T.num(x, lang, 0)),
            T.w("target", lang): summary["target"].map(lambda x: T.num(x, lang, 3)),
            "φ": summary["phi"].map(lambda x: T.num(x, lang, 2)),
            "τ²": summary["tau2"].map(lambda x: T.num(x, lang, 5)),
            T.w("limits_widened", lang): summary["od_adjusted"].map({True: yes, False: no}),
            T.w("limit", lang): summary["limit"].map(lambda x: f"{T.g(x, lang)} %"),
            T.w("above", lang): summary["above"].astype(str),
            T.w("below", lang): summary["below"].astype(str),
            T.label("unconfirmed_head", lang): summary["unconfirmed"].astype(str),
        }
    )


def funnel_outliers(d: pd.DataFrame, unit: str, lang: Lang, limit: int = 15) -> pd.DataFrame:
    """The points outside a funnel's approximate limits, farthest first, with their limits, z, own 95 %
    interval (methods §7), exact p and whether they are flagged: only when the exact test agrees at the
    limit's level (methods §8); pseudonyms shortened to 8 characters."""
    o = d[d["outside"]].reindex(d.loc[d["outside"], "z"].abs().sort_values(ascending=False).index).head(limit)
    yes, no = T.label("yes", lang), T.label("flag_not_exact", lang)
    return pd.DataFrame(
        {
            T.h("unit", lang): o["unit"].astype(str).str[:8],
            T.w("numerator", lang): o["numerator"].map(partial(_count, lang=lang)),
            T.w("denominator", lang): o["denominator"].map(partial(_count, lang=lang)),
            T.h("value", lang): o["value"].map(lambda x: T.value(x, unit, lang, 2)),
            T.w("limits", lang): [
                f"{T.num(a, lang, 2)}–{T.num(b, lang, 2)}" for a, b in zip(o["lower"], o["upper"], strict=True)
            ],  # fmt: skip
            "z": o["z"].map(lambda x: T.num(x, lang, 2)),
            T.h("ci", lang): [
                f"{T.num(a, lang, 2)}–{T.num(b, lang, 2)}" for a, b in zip(o["ci_lower"], o["ci_upper"], strict=True)
            ],  # fmt: skip
            T.w("exact_p_no_overdispersion", lang): o["p_exact"].map(lambda x: "–" if pd.isna(x) else T.p(x, lang)),
            T.label("flagged", lang): o["outlier"].map({True: yes, False: no}),
        }
    )


def _count(x: float, lang: Lang) -> str:
    return T.num(x, lang, 0 if float(x).is_integer() else 1)


def excluded(ex: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Per indicator: units with data, the minimum cases and the units left out below it."""
    return pd.DataFrame(
        {
            T.h("indicator", lang): ex["indicator_id"],
            T.w("units_with_data", lang): ex["units"].map(lambda x: T.num(x, lang, 0)),
            T.w("minimum_cases", lang): ex["min_cases"].map(lambda x: T.num(x, lang, 0)),
            T.w("left_out", lang): ex["left_out"].map(lambda x: T.num(x, lang, 0)),
        }
    )


def suggested_bands(fragment: dict, lang: Lang) -> pd.DataFrame:
    """The suggested bands (floor, target) and the indicators skipped with the reason."""
    rows = [(k, T.num(b["floor"], lang, 2), T.num(b["target"], lang, 2), "") for k, b in fragment["bands"].items()]
    rows += [(k, "", "", T.reason(why, lang)) for k, why in fragment["skipped"].items()]
    out = pd.DataFrame(rows, columns=[T.h("indicator", lang), T.w("floor_median", lang),
                                      T.w("target_best_decile", lang),
                                      T.w("skipped_why", lang)])  # fmt: skip
    return out.sort_values(T.h("indicator", lang)).reset_index(drop=True)


def own_position(pos: pd.DataFrame, by: list[str], lang: Lang) -> pd.DataFrame:
    """The client's own values against the published percentiles (nothing of another client)."""
    pub = pos["published"].fillna(False).to_numpy(bool)

    def col(c: str) -> list[str]:
        return [T.value(v, u, lang, 2) if p else "" for v, u, p in zip(pos[c], pos["unit"], pub, strict=True)]

    better = pos["better_than_median"].map({True: "✓", False: "✗"}).astype(object).fillna("")
    out = pd.DataFrame(
        {
            T.h("indicator", lang): pos["indicator_id"],
            T.w("your_units", lang): pos["units"].map(lambda x: T.num(x, lang, 0)),
            T.w("your_median", lang): [T.value(v, u, lang, 2) for v, u in zip(pos["value"], pos["unit"], strict=True)],
            T.w("your_total", lang): [T.value(v, u, lang, 2) for v, u in zip(pos["total"], pos["unit"], strict=True)],
            "P25": col("p25"),
            T.w("median", lang): col("p50"),
            "P75": col("p75"),
            T.w("best_decile", lang): col("best_decile"),
            T.w("position", lang): pos["position"],
            T.w("better_than_median", lang): better,
        }
    )
    for seg in by:
        if f"p50_{seg}" in pos:
            name = f"{T.w('median', lang)}, {T.SEGMENT[seg][lang]}"
            out[name] = [T.value(v, u, lang, 2) if np.isfinite(v) else "–"
                         for v, u in zip(pos[f"p50_{seg}"], pos["unit"], strict=True)]  # fmt: skip
    out[T.w("suppressed_why", lang)] = pos["reason"].fillna("").map(lambda r: T.reason(r, lang))
    return out


def benchmark_summary(source: str, desc: dict, cells: pd.DataFrame, summary: pd.DataFrame, lang: Lang) -> str:
    """What the study rests on and what it found: contributors, cells published and suppressed, funnels."""
    clients = int(desc["contributors"].query("segment == 'size'")["clients"].sum())
    pub, n = int(cells["published"].sum()), len(cells)
    why = cells.loc[~cells["published"], "reason"].value_counts()
    reasons = T.join([f"{v} {T.reason(k, lang)}" for k, v in why.items()], lang)
    first = T.say("bench_source", lang, source=source, clients=clients, n=n, pub=pub, suppressed=n - pub)
    first += f" ({reasons})." if reasons else "."
    parts = [first]
    for r in summary.itertuples():
        s = T.say("bench_funnel", lang, funnel=r.funnel, units=r.units, out=r.above + r.below,
                  limit=T.g(r.limit, lang), above=r.above, below=r.below, phi=T.num(r.phi, lang, 2))  # fmt: skip
        parts.append(s + T.label("bench_widened" if r.od_adjusted else "bench_kept", lang))
        if r.unconfirmed:
            parts.append(unconfirmed_sentence(r.unconfirmed, r.limit, lang))
        if r.phi > PHI_EXTREME:
            parts.append(T.say("phi_extreme", lang, funnel=r.funnel, phi=T.num(r.phi, lang, 0)))
    return " ".join(parts)


PHI_EXTREME = 10  # overdispersion at which a funnel stops testing anything (methods §8): said in the summary


def unconfirmed_sentence(n: int, limit: float, lang: Lang) -> str:
    """Points outside a funnel's approximate limits that the exact test does not confirm (methods §8)."""
    return T.say("unconfirmed", lang, n=n, level=T.num(1 - limit / 100, lang, 3 if limit > 99 else 2))


def benchmark_methods(params, lang: Lang) -> str:
    """Methods and limitations of a benchmark study, with the params' own thresholds."""
    return T.say("bench_methods", lang, k=params.min_clients, share=T.num(params.max_share * 100, lang, 0))


def benchmark_ranges(cells: pd.DataFrame, y: str, facet: str, lang: Lang, title: str) -> alt.TopLevelMixin:
    """Published benchmark cells as ranges: P10-P90 line, P25-P75 box, median tick, best-decile mean
    diamond (and the client's own median, a blue dot, when ``cells`` has ``own``).

    With ``facet="unit"`` (every indicator of a study), each row is drawn on its own scale, from its lowest to
    its highest mark, with P10 and P90 written at its ends: a rate of 0.5 % beside one of 90 % would vanish on a
    shared axis (issue 15, methods §12). Otherwise one row per ``y`` value, one panel per ``facet`` value (an
    indicator) with its own scale."""
    mine = "own" in cells
    marks_of = ["p10", "p25", "p50", "p75", "p90", "best_decile", *(["own"] if mine else [])]
    d = cells[[y, facet, *marks_of, *(["unit"] if "unit" in cells and facet != "unit" else [])]].assign(
        **{y: lambda x: x[y].astype(str), facet: lambda x: x[facet].astype(str)}
    )
    if y == "group":  # a segment's values in the report's language ('large' is 'grande')
        d[y] = d[y].map(lambda g: T.group(g, lang))
    sub = T.w("line_p10_p90_box_p25_p75_tick_median_dia", lang)
    if mine:
        sub += T.label("own_dot", lang)
    if facet == "unit":
        return _own_scales(d, y, marks_of, lang, title, sub)
    if "unit" in d:  # each panel names its indicator's unit, rather than an axis titled "Value"
        names = d["unit"].map(lambda u: _unit_name(u, lang))
        d[facet] = d[facet] + " (" + names + ")"
    order = list(dict.fromkeys(d[y]))
    yy = alt.Y(f"{y}:N", sort=order, title=None)
    marks = _range_marks(alt.Chart(), yy, alt.X("p10:Q", title=None, scale=alt.Scale(zero=False)), mine)
    return (
        alt.layer(*marks, data=d)
        .properties(width=420, height=alt.Step(14))
        .facet(
            row=alt.Row(f"{facet}:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
            title=alt.TitleParams(title, subtitle=sub),
        )  # fmt: skip
        .resolve_scale(x="independent", y="independent")
    )


def _unit_name(unit: str, lang: Lang) -> str:
    """An indicator's unit of measure in the report's language (``per_1000`` -> "por 1.000")."""
    return T.UNIT_NAMES[unit][lang] if unit in T.UNIT_NAMES else unit


def _range_marks(base: alt.Chart, yy: alt.Y, x: alt.X, mine: bool, at: str = "") -> list:
    """The marks of a benchmark range on ``x`` (fields prefixed with ``at``: the rescaled ones)."""
    rule = base.mark_rule(color="#888").encode(x=x, x2=f"{at}p90:Q", y=yy)
    box = base.mark_bar(size=9, color="#9ecae1").encode(x=f"{at}p25:Q", x2=f"{at}p75:Q", y=yy)
    tick = base.mark_tick(color="#08306b", thickness=2, size=12).encode(x=f"{at}p50:Q", y=yy)
    best = base.mark_point(shape="diamond", filled=True, color="#e6550d", size=45).encode(x=f"{at}best_decile:Q", y=yy)
    marks = [rule, box, tick, best]
    if mine:
        marks.append(base.mark_circle(color="#2166ac", size=50, opacity=1).encode(x=f"{at}own:Q", y=yy))
    return marks


def _own_scales(d: pd.DataFrame, y: str, marks: list[str], lang: Lang, title: str, sub: str) -> alt.LayerChart:
    """One row per indicator, each rescaled to 0-100 between its lowest and highest mark, its P10 and P90
    written (with the unit) at the ends of its line."""
    lo, hi = d[marks].min(axis=1), d[marks].max(axis=1)
    span = (hi - lo).where(hi > lo, 1.0)
    for c in marks:
        d[f"s_{c}"] = 100 * (d[c] - lo) / span
    unit = d["unit"] if "unit" in d else pd.Series("", index=d.index)
    d["left"] = [T.num(v, lang, 2) for v in d["p10"]]
    d["right"] = [T.num(v, lang, 2) for v in d["p90"]]
    d["unit_name"] = unit.map(lambda u: _unit_name(u, lang))
    d["row"] = d[y] + " (" + d["unit_name"] + ")"
    order = list(dict.fromkeys(d["row"]))
    yy = alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelLimit=0))
    base = alt.Chart(d)
    x = alt.X("s_p10:Q", axis=None, scale=alt.Scale(domain=[-18, 118]))
    left = base.mark_text(align="right", dx=-4, fontSize=8, color="#555").encode(x="s_p10:Q", y=yy, text="left:N")
    right = base.mark_text(align="left", dx=4, fontSize=8, color="#555").encode(x="s_p90:Q", y=yy, text="right:N")
    note = T.label("own_scale_note", lang)
    return alt.layer(*_range_marks(base, yy, x, "own" in marks, "s_"), left, right).properties(
        width=380, height=alt.Step(14), title=alt.TitleParams(title, subtitle=[sub, note])
    )


# log axes: label only 1, 2 and 5 times a power of ten (vega labels every tick, and they collide)
TICKS_125 = (
    "indexof([1, 2, 5], round(datum.value / pow(10, floor(log(datum.value) / LN10 + 1e-9)) * 1e6) / 1e6) >= 0"
    " ? datum.label : ''"
)


def funnel(f: dict, lang: Lang, x_title: str, y_title: str) -> alt.LayerChart:
    """A funnel plot (METHODS 7): the ``shown`` points of a study funnel (outliers in red, the client's own
    in blue when marked), its 95 % and 99.8 % limit lines and the target; x on a log scale."""
    pts = f["shown"][["denominator", "value", "outlier", "outside", "own"]].copy()
    pts["status"] = np.where(pts["outlier"], T.label("outlier", lang), T.label("within", lang))
    pts.loc[pts["outside"] & ~pts["outlier"], "status"] = T.label("outside_unconfirmed", lang)
    if pts["own"].any():
        pts.loc[pts["own"] & ~pts["outlier"], "status"] = T.label("own_within", lang)
    lines = f["lines"].melt(["denominator", "level"], ["lower", "upper"], var_name="side")
    lines["limit"] = lines["level"].map(lambda v: f"{T.g(v, lang)} %")
    lines["line"] = lines["limit"] + " " + lines["side"]
    x = alt.X(
        "denominator:Q", scale=alt.Scale(type="log"), title=x_title, axis=alt.Axis(format=",~g", labelExpr=TICKS_125)
    )
    lim = (
        alt.Chart(lines)
        .mark_line(color="#555", strokeWidth=1)
        .encode(x=x, y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)), detail="line:N",
                strokeDash=alt.StrokeDash("limit:N", title=None, scale=alt.Scale(range=[[4, 3], [1, 0]])))
    )  # fmt: skip
    target = alt.Chart(pd.DataFrame({"t": [f["target"]]})).mark_rule(color="#333").encode(y="t:Q")
    colors = {T.label("outlier", lang): "#d73027", T.label("within", lang): "#9e9e9e",
              T.label("own_within", lang): "#2166ac", T.label("outside_unconfirmed", lang): "#fdae61"}  # fmt: skip
    kinds = [k for k in colors if k in (T.label("within", lang), T.label("outlier", lang))]
    kinds += [k for k in dict.fromkeys(pts["status"]) if k not in kinds]  # the same colours in every panel
    dots = (
        alt.Chart(pts)
        .mark_circle(size=18, opacity=0.7)
        .encode(x=x, y="value:Q", color=alt.Color("status:N", title=None,
                scale=alt.Scale(domain=kinds, range=[colors[k] for k in kinds])))
    )  # fmt: skip
    return alt.layer(lim, target, dots, title=f["label"]).properties(width=300, height=220)


def source_label(origin: dict, lang: Lang) -> str:
    """Where the study's data come from (:attr:`gps_core.studies.benchmark.Study.origin`), in ``lang``."""
    kind = origin.get("kind")
    if kind == "synthetic":
        return T.say("pool_synthetic", lang, clients=origin["clients"], seed=origin["seed"])
    if kind == "nhs_ae":
        return T.say("pool_nhs_ae", lang, clients=origin["clients"])
    return T.say("pool_named", lang, name=origin.get("name", ""))
