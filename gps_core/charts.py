"""Altair charts of result tables. They encode columns; they compute nothing (house rule 3).

Reports render them as static SVG through vl-convert (``alt.renderers.enable("svg")``): no JavaScript,
no CDN, nothing fetched when the report is opened.
"""

from __future__ import annotations

import os

import altair as alt
import numpy as np
import pandas as pd

from . import text as T
from .text import Lang

QUADRANT_COLORS = {
    "leading_and_improving": "#1a9850",
    "improving_from_behind": "#91bfdb",
    "leading_but_declining": "#fc8d59",
    "critical": "#d73027",
}
DIM_COLORS = {"structure": "#7570b3", "efficiency": "#1b9e77", "effectiveness": "#d95f02", "experience": "#e7298a"}


LOCALES = {"pt-BR": "pt-BR", "en": "en-GB"}  # d3 number and date conventions of each report language


def setup(lang: Lang | None = None) -> None:
    """Static SVG rendering and no row limit; call once per notebook.

    In a notebook, charts are displayed through :func:`svg` (numbers on axes and labels in the report's
    convention, e.g. a decimal comma in pt-BR); elsewhere altair's own SVG renderer stays the default."""
    alt.renderers.enable("svg")
    alt.data_transformers.disable_max_rows()
    from IPython import get_ipython

    ip = get_ipython()
    if ip is not None:
        ip.display_formatter.ipython_display_formatter.for_type(alt.TopLevelMixin, lambda c: _show(c, lang))


def svg(chart: alt.TopLevelMixin, lang: Lang | None = None) -> str:
    """A chart as static SVG (vl-convert) with the d3 number and date locale of ``lang``.

    The spec is validated against the Vega-Lite schema only when ``GPS_CHECK_CHARTS`` is set: the check costs
    more than drawing the chart (0.2 s of a scorecard's 0.35 s). The tests set it, so every chart of every demo
    report is validated in CI, and ``tests/test_views`` validates the annual evaluation's and scorecard's.
    """
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    locale = LOCALES.get(lang or "en", "en-GB")
    spec = chart.to_dict(validate=bool(os.environ.get("GPS_CHECK_CHARTS")))
    version = vl_version_for_vl_convert()
    return vlc.vegalite_to_svg(spec, vl_version=version, format_locale=locale, time_format_locale=locale)


def _show(chart: alt.TopLevelMixin, lang: Lang | None) -> None:
    from IPython.display import display

    display({"image/svg+xml": svg(chart, lang)}, raw=True)


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
        scale=alt.Scale(domain=list(QUADRANT_COLORS), range=list(QUADRANT_COLORS.values())),
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
        x=alt.X("ip_median:Q", title="median IP" if lang == "en" else "IP mediano", scale=alt.Scale(zero=False)),
        y=alt.Y("unit_id:N", sort=order, axis=None),
    )
    return alt.hconcat(vd, vm, med, spacing=6).properties(title=T.label("vdvm", lang))


def _quadrant_expr(lang: Lang) -> str:
    names = {k: T.label(k if k != "critical" else "critical_q", lang) for k in QUADRANT_COLORS}
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
        size=alt.Size(
            "ip_median:Q", title="median IP" if lang == "en" else "IP mediano", scale=alt.Scale(range=[30, 300])
        ),
        color=alt.Color(
            "quadrant:N",
            scale=alt.Scale(domain=list(QUADRANT_COLORS), range=list(QUADRANT_COLORS.values())),
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
            x=alt.X("dimension:N", title=None, sort=[T.label(k, lang) for k in DIM_COLORS]),
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


def unit_trend(monthly: pd.DataFrame, target: float, lang: Lang) -> alt.LayerChart:
    """One unit's monthly IP against its peer median and the target."""
    d = monthly[["period", "ip", "peer_median"]].melt("period", var_name="series", value_name="value")
    names = {"ip": T.label("ip", lang), "peer_median": T.label("peer_median", lang)}
    d["series"] = d["series"].map(names)
    d["month"] = d["period"].map(lambda ts: T.month(ts, lang))  # localized axis labels
    order = [T.month(ts, lang) for ts in sorted(monthly["period"].unique())]
    lines = (
        alt.Chart(d)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", sort=order, title=T.label("month", lang), axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("value:Q", title="IP", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("series:N", title=None, scale=alt.Scale(range=["#1f77b4", "#999999"])),
        )
    )
    rule = alt.Chart(pd.DataFrame({"t": [target]})).mark_rule(strokeDash=[4, 3], color="#d62728").encode(y="t:Q")
    return alt.layer(lines, rule).properties(width=520, height=220, title=T.label("trends", lang))


def unit_dimensions(dims: pd.DataFrame, lang: Lang) -> alt.LayerChart:
    """A unit's annual dimension scores (bars) against the peer mean (ticks)."""
    d = dims.assign(dimension=lambda x: x["dimension"].map(lambda k: T.label(k, lang)))
    base = alt.Chart(d).encode(y=alt.Y("dimension:N", title=None))
    bars = base.mark_bar(color="#1f77b4").encode(
        x=alt.X("score:Q", title=T.label("score", lang), scale=alt.Scale(domain=[0, 100]))
    )
    ticks = base.mark_tick(color="#333", thickness=3, size=18).encode(x="peer_mean:Q")
    return alt.layer(bars, ticks).properties(width=420, height=130, title=T.label("dimensions", lang))


def indicator_fractions(ind: pd.DataFrame, lang: Lang) -> alt.Chart:
    """Share of each indicator's weight earned in the month, coloured by dimension."""
    name = "name_en" if lang == "en" else "name_pt"
    d = ind[[name, "fraction", "dimension"]].assign(earned=lambda x: 100 * x["fraction"])
    return (
        alt.Chart(d, title=T.label("indicators", lang))
        .mark_bar()
        .encode(
            x=alt.X(
                "earned:Q",
                title="% " + ("of weight earned" if lang == "en" else "do peso obtido"),
                scale=alt.Scale(domain=[0, 100]),
            ),
            # no label limit: Vega otherwise measures each long name again and again to shorten it (half the
            # chart's 0.3 s drawing time); the names are at most a few dozen characters
            y=alt.Y(
                f"{name}:N",
                title=None,
                sort=alt.EncodingSortField("earned", order="ascending"),
                axis=alt.Axis(labelLimit=0),
            ),
            color=alt.Color(
                "dimension:N",
                scale=alt.Scale(domain=list(DIM_COLORS), range=list(DIM_COLORS.values())),
                legend=alt.Legend(
                    labelExpr=" : ".join(f"datum.label == '{k}' ? '{T.label(k, lang)}'" for k in DIM_COLORS)
                    + " : datum.label"
                ),
                title=None,
            ),
        )
        .properties(width=380, height=alt.Step(12))
    )


def calibration(models: dict, lang: Lang) -> alt.FacetChart:
    """Observed against expected mean outcome by decile of predicted risk, one panel per risk model, with
    the line of perfect calibration."""
    d = pd.concat([m["calibration"].assign(indicator=k) for k, m in models.items()], ignore_index=True)
    en = lang == "en"
    base = alt.Chart(d)
    pts = base.mark_line(point=True).encode(
        x=alt.X("expected:Q", title="Expected (mean per decile)" if en else "Esperado (média por decil)"),
        y=alt.Y("observed:Q", title="Observed" if en else "Observado"),
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
        .properties(title="Calibration by decile of predicted risk" if en else "Calibração por decil de risco previsto")
    )


def oe_forest(oe: pd.DataFrame, order: list[str], lang: Lang) -> alt.FacetChart:
    """O/E per unit with its 95 % interval (Byar), one panel per risk-adjusted indicator; 1 = as expected."""
    d = oe.assign(unit_id=oe["unit_id"].astype(str), indicator=oe["indicator_id"].astype(str))
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
            scale=alt.Scale(domain=["above", "within", "below"], range=["#d73027", "#4575b4", "#1a9850"]),
            title="O/E 95 % CI",
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


def payout_strip(table: pd.DataFrame, lang: Lang) -> alt.Chart:
    """Each unit's payout under each candidate rule (one row per rule), in currency units."""
    d = table.assign(rule=table["rule"].astype(str), amount=table["payout"] / 100)
    en = lang == "en"
    return (
        alt.Chart(d, title="Payout per unit" if en else "Pagamento por unidade")
        .mark_tick(thickness=2, size=16, opacity=0.7)
        .encode(
            x=alt.X("amount:Q", title="Payout" if en else "Pagamento", axis=alt.Axis(format="~s")),
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
    en = lang == "en"
    return (
        alt.Chart(d)
        .mark_bar()
        .encode(
            x=alt.X("amount:Q", title="Change in payout" if en else "Mudança no pagamento", axis=alt.Axis(format="~s")),
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
    en = lang == "en"
    y = alt.Y("unit_id:N", sort=order, title=None)
    base = alt.Chart(d, title="Rank under random weights" if en else "Posição com pesos aleatórios")
    x = alt.X("rank_p05:Q", title="Rank (1 = best)" if en else "Posição (1 = melhor)", scale=alt.Scale(reverse=False))
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
    en = lang == "en"
    base = alt.Chart(d, title="Quality against cost" if en else "Qualidade frente ao custo")
    x = alt.X(
        "efficiency:Q",
        title="Cost efficiency: expected / observed" if en else "Eficiência de custo: esperado / observado",
        scale=alt.Scale(zero=False),
    )
    y = alt.Y("ip:Q", title="IP (year)" if en else "IP (ano)", scale=alt.Scale(zero=False))
    dots = base.mark_circle(size=60, color="#1b9e77").encode(
        x=x, y=y, size=alt.Size("stays:Q", legend=None), tooltip=["unit_id", "ip", "efficiency", "hvs"]
    )
    labels = base.mark_text(align="left", dx=6, fontSize=9, color="#444").encode(x=x, y=y, text="unit_id:N")
    vx = base.mark_rule(strokeDash=[4, 3], color="#999").encode(x=alt.datum(hvs.attrs["median_efficiency"]))
    hy = base.mark_rule(strokeDash=[4, 3], color="#999").encode(y=alt.datum(hvs.attrs["median_ip"]))
    return alt.layer(dots, labels, vx, hy).properties(width=520, height=380)


def age_pyramid(p: pd.DataFrame, lang: Lang, title: str | None = None) -> alt.Chart | alt.LayerChart:
    """Share of members by age band, men to the left and women to the right; with a ``reference``
    column (:func:`gps_core.studies.capitation.pyramid`), the reference population's shares as black ticks."""
    d = p.assign(signed=np.where(p["sex"] == "M", -p["share"], p["share"]))
    en = lang == "en"
    order = list(p.sort_values("band", ascending=False)["label"].drop_duplicates())
    base = alt.Chart(d, title=title or ("Members by age and sex" if en else "Beneficiários por idade e sexo"))
    y = alt.Y("label:N", sort=order, title=None)
    bars = base.mark_bar().encode(
        x=alt.X(
            "signed:Q",
            title="% men | % women" if en else "% homens | % mulheres",
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
            title="Predicted / actual" if lang == "en" else "Previsto / observado",
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
    color = alt.Color("year:N", title="Year" if lang == "en" else "Ano", scale=alt.Scale(scheme="dark2"))
    off = alt.YOffset("year:N")
    x = alt.X("lower:Q", title=y_title or ("Ratio" if lang == "en" else "Razão"), scale=alt.Scale(zero=False))
    rule = base.mark_rule().encode(x=x,
                                   x2="upper:Q", y=y, yOffset=off, color=color)  # fmt: skip
    dot = base.mark_point(filled=True, size=40).encode(
        x="value:Q", y=y, yOffset=off, color=color,
        tooltip=["group", "year", alt.Tooltip("value:Q", format=".3f"), alt.Tooltip("lower:Q", format=".3f"),
                 alt.Tooltip("upper:Q", format=".3f")],
    )  # fmt: skip
    one = base.mark_rule(strokeDash=[4, 3], color="#333").encode(x=alt.datum(1.0))
    return alt.layer(rule, dot, one).properties(width=360, height=alt.Step(10))


def benchmark_ranges(cells: pd.DataFrame, y: str, facet: str, lang: Lang, title: str) -> alt.FacetChart:
    """Published benchmark cells as ranges: P10-P90 line, P25-P75 box, median tick, best-decile mean
    diamond (and the client's own median, a blue dot, when ``cells`` has ``own``); one row per ``y`` value,
    one panel per ``facet`` value with its own scales (units differ)."""
    en = lang == "en"
    mine = "own" in cells
    d = cells[[y, facet, "p10", "p25", "p50", "p75", "p90", "best_decile", *(["own"] if mine else [])]].assign(
        **{y: lambda x: x[y].astype(str), facet: lambda x: x[facet].astype(str)}
    )
    order = list(dict.fromkeys(d[y]))
    base = alt.Chart()
    yy = alt.Y(f"{y}:N", sort=order, title=None)
    rule = base.mark_rule(color="#888").encode(
        x=alt.X("p10:Q", title="Value" if en else "Valor", scale=alt.Scale(zero=False)), x2="p90:Q", y=yy
    )
    box = base.mark_bar(size=9, color="#9ecae1").encode(x="p25:Q", x2="p75:Q", y=yy)
    tick = base.mark_tick(color="#08306b", thickness=2, size=12).encode(x="p50:Q", y=yy)
    best = base.mark_point(shape="diamond", filled=True, color="#e6550d", size=45).encode(x="best_decile:Q", y=yy)
    sub = ("line P10–P90 · box P25–P75 · tick median · diamond mean of the best decile" if en
           else "linha P10–P90 · caixa P25–P75 · traço mediana · losango média do melhor decil")  # fmt: skip
    marks = [rule, box, tick, best]
    if mine:
        marks.append(base.mark_circle(color="#2166ac", size=50, opacity=1).encode(x="own:Q", y=yy))
        sub += " · blue dot your units' median" if en else " · ponto azul a mediana das suas unidades"
    return (
        alt.layer(*marks, data=d)
        .properties(width=420, height=alt.Step(14))
        .facet(
            row=alt.Row(f"{facet}:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
            title=alt.TitleParams(title, subtitle=sub),
        )  # fmt: skip
        .resolve_scale(x="independent", y="independent")
    )


# log axes: label only 1, 2 and 5 times a power of ten (vega labels every tick, and they collide)
TICKS_125 = (
    "indexof([1, 2, 5], round(datum.value / pow(10, floor(log(datum.value) / LN10 + 1e-9)) * 1e6) / 1e6) >= 0"
    " ? datum.label : ''"
)


def funnel(f: dict, lang: Lang, x_title: str, y_title: str) -> alt.LayerChart:
    """A funnel plot (METHODS 7): the ``shown`` points of a study funnel (outliers in red, the client's own
    in blue when marked), its 95 % and 99.8 % limit lines and the target; x on a log scale."""
    en = lang == "en"
    pts = f["shown"][["denominator", "value", "outlier", "own"]].copy()
    pts["status"] = np.where(pts["outlier"], T.label("outlier", lang), T.label("within", lang))
    if pts["own"].any():
        pts.loc[pts["own"] & ~pts["outlier"], "status"] = "own, within" if en else "próprio, dentro"
    lines = f["lines"].melt(["denominator", "level"], ["lower", "upper"], var_name="side")
    lines["limit"] = lines["level"].map(lambda v: f"{v:g} %")
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
    colors = {"outlier": "#d73027", "fora dos limites": "#d73027", "within limits": "#9e9e9e",
              "dentro dos limites": "#9e9e9e", "own, within": "#2166ac", "próprio, dentro": "#2166ac"}  # fmt: skip
    kinds = [k for k in colors if k in (T.label("within", lang), T.label("outlier", lang))]
    kinds += [k for k in dict.fromkeys(pts["status"]) if k not in kinds]  # the same colours in every panel
    dots = (
        alt.Chart(pts)
        .mark_circle(size=18, opacity=0.7)
        .encode(x=x, y="value:Q", color=alt.Color("status:N", title=None,
                scale=alt.Scale(domain=kinds, range=[colors[k] for k in kinds])))
    )  # fmt: skip
    return alt.layer(lim, target, dots, title=f["label"]).properties(width=300, height=220)
