"""The scorecard's tables, sentences and charts (notebooks/scorecard.ipynb)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import draw
from . import text as T
from .text import Lang


def members_table(members: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The doctors of a team with their own annual IP (doctor-level values rest on small denominators)."""
    return pd.DataFrame(
        {
            T.h("doctor", lang): members["unit_id"].astype(str),
            T.h("ip", lang): members["ip"].map(lambda x: T.num(x, lang)),
            T.h("ip_latest", lang): members["ip_latest"].map(lambda x: T.num(x, lang)),
            T.h("months", lang): members["months"].astype(str),
            T.h("small_share", lang): members["share_small"].map(lambda x: T.pct(100 * x, lang, 0)),
        }
    )


def members_caveat(lang: Lang) -> str:
    """Why doctors' own IPs are not comparable with their team's pooled IP (small units, flagged not dropped)."""
    return T.say("members_caveat", lang)


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


def indicator_fractions(ind: pd.DataFrame, lang: Lang) -> alt.LayerChart:
    """Share of each indicator's weight earned in the month, coloured by dimension, each bar labelled with its
    share, so that 0 % earned reads apart from an indicator with no value this month ("no value")."""
    name = T.field("name", lang)
    d = ind[[name, "fraction", "dimension"]].assign(earned=lambda x: 100 * x["fraction"])
    d["shown"] = [T.label("no_value_short", lang) if pd.isna(v) else T.pct(v, lang, 0) for v in d["earned"]]
    d["at"] = d["earned"].fillna(0)
    # the layers share the axis: their sort must be an aggregate (op) or Vega-Lite drops it and sorts by name.
    # No label limit: Vega otherwise measures each long name again and again to shorten it (half the chart's
    # 0.3 s drawing time); the names are at most a few dozen characters
    y = alt.Y(
        f"{name}:N",
        title=None,
        sort=alt.EncodingSortField("at", op="max", order="ascending"),
        axis=alt.Axis(labelLimit=0),
    )
    bars = (
        alt.Chart(d, title=T.label("indicators", lang))
        .mark_bar()
        .encode(
            x=alt.X(
                "earned:Q",
                title=T.label("weight_earned", lang),
                scale=alt.Scale(domain=[0, 112]),  # room for the label of a full bar
                axis=alt.Axis(values=list(range(0, 101, 20))),
            ),
            y=y,
            color=alt.Color(
                "dimension:N",
                scale=alt.Scale(domain=list(draw.DIM_COLORS), range=list(draw.DIM_COLORS.values())),
                legend=alt.Legend(
                    labelExpr=" : ".join(f"datum.label == '{k}' ? '{T.label(k, lang)}'" for k in draw.DIM_COLORS)
                    + " : datum.label",
                    orient="bottom",
                ),
                title=None,
            ),
        )
    )
    text = alt.Chart(d).mark_text(align="left", dx=3, fontSize=8, color="#333").encode(x="at:Q", y=y, text="shown:N")
    return alt.layer(bars, text).properties(width=380, height=alt.Step(10))
