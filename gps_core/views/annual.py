"""The annual evaluation's tables, sentences and charts (notebooks/annual_evaluation.ipynb)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from . import draw, page
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
            T.h("p", lang): a["p_value"].map(lambda x: T.p(x, lang)),
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
                T.h("model", lang): T.glm(m["family"], lang),
                T.h("covariates", lang): T.covariates(m["covariates"]),
                T.h("reference", lang): m["reference"] or T.label("own_records", lang),
                T.h("cases", lang): T.num(m["n"], lang, 0),
                T.h("outcome", lang): T.num(m["observed"], lang, 0),
                T.h("oe", lang): T.num(m["oe"], lang, 3),
                T.h("c", lang): T.num(m.get("c_statistic", float("nan")), lang, 3),
                T.h("hl", lang): T.p(m.get("hl_p", float("nan")), lang),
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
    n = len(annual)
    first, last = T.month(index["period"].min(), lang), T.month(index["period"].max(), lang)
    ref = annual["reference"].iloc[0]
    mm = T.num(annual["model_mean"].iloc[0], lang)
    ref_txt = (
        T.say("ref_target", lang, target=T.num(target, lang, 0))
        if ref == "target"
        else T.say("ref_model_mean", lang, mean=mm)
    )
    out = []
    dims = [c for c in index.columns if c.startswith("dim_")]
    n_dims = int(index[dims].notna().any().sum())
    dim_words = T.label("dimension_many" if n_dims > 1 else "dimension_one", lang)
    out.append(
        T.say(
            "summary_scope",
            lang,
            first=first,
            last=last,
            n=n,
            program=program,
            n_indicators=n_indicators,
            n_dims=n_dims,
            dims=dim_words,
            mm=mm,
            target=T.num(target, lang, 0),
            ref=ref_txt,
        )  # fmt: skip
    )
    if program_ip is not None and not pd.isna(program_ip):
        weight = volume_label or T.w("equal_weights", lang)
        out[-1] += T.say("summary_rollup", lang, weight=weight, ip=T.num(program_ip, lang))
    pos = annual[annual["vd"] > 0].sort_values("vd", ascending=False)
    names = [f"{u} ({T.pct(v, lang, sign=True)})" for u, v in zip(pos["unit_id"], pos["vd"], strict=True)]
    listed = T.join(names, lang, T.LIMIT)
    out.append(
        T.say("summary_vd", lang, pos=len(pos), n=n, listed=listed, rest=n - len(pos))
        if len(pos)
        else T.w("no_unit_reached_the_reference_all_vd_neg", lang)
    )
    vm = annual.dropna(subset=["vm"]).sort_values("vm", ascending=False)
    if len(vm):
        top = vm.head(4)
        names = [f"{u} ({T.pct(v, lang, 0, sign=True)})" for u, v in zip(top["unit_id"], top["vm"], strict=True)]
        listed = T.join(names, lang, T.LIMIT)
        n_up, n_sig = int((vm["vm"] > 0).sum()), int((vm["p_value"] < 0.05).sum())
        out.append(T.say("summary_vm", lang, up=n_up, n=len(vm), listed=listed, sig=n_sig))
    behind = annual[annual["quadrant"] == "improving_from_behind"].sort_values("vm", ascending=False).head(3)
    if len(behind):
        names = [
            f"{u} (VD {T.pct(d, lang, sign=True)}, VM {T.pct(m, lang, sign=True)})"
            for u, d, m in zip(behind["unit_id"], behind["vd"], behind["vm"], strict=True)
        ]
        out.append(T.say("summary_behind", lang, listed=T.join(names, lang, T.LIMIT)))
    crit = annual[annual["quadrant"] == "critical"].sort_values("vd")
    if len(crit):
        listed = T.join(list(crit["unit_id"].astype(str)), lang, T.LIMIT)
        out.append(T.say("summary_critical", lang, n=len(crit), listed=listed))
    below = alerts[alerts["alert"] == "below_target_latest_month"]
    low = alerts[alerts["alert"] == "lowest_latest_month"]
    if len(low):
        names = [f"{u} ({T.num(v, lang)})" for u, v in zip(low["unit_id"], low["value"], strict=True)]
        out.append(T.say("summary_latest", lang, last=last, below=len(below), listed=T.join(names, lang, T.LIMIT)))
    out.append(T.say("summary_small", lang, counted=T.count_of(small["small"], small["values"], lang)))
    return out


def evaluation_methods(params, lang: Lang) -> str:
    """The Methods paragraph of an annual evaluation, from the params' codes (the paper's Equations 1-2,
    METHODS 1-2): what IP, VD and VM are, the reference of VD, the minimum months of VM, the weights of the
    dimensions, the missing-weight policy and the unit level."""
    p = params
    weights = T.join([f"{T.label(k, lang).lower()} {T.num(v, lang, 0)}" for k, v in p.dimension_weights.items()], lang)
    ref = T.label("model_mean" if p.reference == "model_mean" else "target", lang)
    return T.say("evaluation_methods", lang, ref=ref, target=T.num(p.target, lang, 0), min_months=p.min_months,
                 baseline=p.baseline_months, weights=weights, policy=T.POLICIES[p.missing_policy][lang],
                 level=T.LEVELS[p.unit_level][lang])  # fmt: skip


def stars_sentence(agree: int, rated: int, lang: Lang) -> str:
    """How far the CMS seeded k-means and the exact 1-D optimum agree."""
    return T.say("stars_agree", lang, agree=agree, rated=rated)


def risk_sentence(models: dict, oe: pd.DataFrame, lang: Lang, min_cases: int = 100) -> str:
    """What risk adjustment does in this report, and the unit whose crude rate its case mix explains most
    (largest crude / reference ratio among units with ``min_cases`` records, on the first binary model)."""
    ids = ", ".join(models)
    ref = next(iter(models.values()))["reference"] or T.label("own_records", lang)
    head = T.say("risk_head", lang, ids=ids, ref=ref)
    binary = [k for k, m in models.items() if m["family"] == "binomial"]
    if not binary or oe.empty:
        return head
    k = binary[0]
    d = oe[(oe["indicator_id"].astype(str) == k) & (oe["denominator"] >= min_cases)]
    if d.empty:
        return head
    r = d.assign(ratio=d["crude"] / (d["reference_rate"] * 100)).sort_values("ratio").iloc[-1]
    return T.say(
        "risk_highest",
        lang,
        head=head,
        k=k,
        c=T.num(models[k]["c_statistic"], lang, 2),
        unit=r["unit_id"],
        crude=T.pct(r["crude"], lang),
        ref=T.pct(100 * r["reference_rate"], lang),
        oe=T.num(r["oe"], lang, 2),
        ci=f"{T.num(r['oe_lower'], lang, 2)}–{T.num(r['oe_upper'], lang, 2)}",
    )


def rules_sentence(rules: dict, lang: Lang) -> str:
    """The definitions and attribution rules used for the indicators derived from records."""
    who = {
        "doctor_id": T.w("the_discharging_doctor", lang),
        "specialty": T.w("the_specialty", lang),
    }[rules["level"]]
    return T.say(
        "rules",
        lang,
        who=who,
        surg=T.w("the_surgeon", lang) if rules["surgery_to"] == "surgeon" else who,
        window=rules["readmission_window"],
        off="" if rules["planned_elective"] else T.w("not_applied", lang),
        planned=", ".join(rules["planned_diagnoses"]),
        min_days=rules["mortality_min_days"],
        surgery_window=rules["surgery_window"],
        classes=", ".join(rules["ssi_wound_classes"]),
    )


def payout_sentence(name: str, s: dict, lang: Lang, currency: str = "BRL") -> str:
    """``Rule: R$ 1.500.000,00 paid to 31 of 32 units (97 %); largest R$ 150.000,00; Gini 0.21.``"""
    return T.say(
        "payout_summary",
        lang,
        name=name,
        total=T.money(s["total"], lang, currency),
        paid=s["paid"],
        units=s["units"],
        share=T.pct(100 * s["share_paid"], lang, 0),
        largest=T.money(s["largest"], lang, currency),
        gini=T.num(s["gini"], lang, 2),
    )


def ip_heatmap(index: pd.DataFrame, order: list[str], lang: Lang) -> list[alt.Chart]:
    """Monthly IP per unit (rows in ``order``) as a heatmap, one chart per printed page (:func:`draw.pages`)
    on the same months and colour scale."""
    d = index[["unit_id", "period", "ip"]].assign(
        unit_id=lambda x: x["unit_id"].astype(str), month=lambda x: x["period"].map(lambda ts: T.month(ts, lang))
    )
    months = [T.month(ts, lang) for ts in sorted(index["period"].unique())]
    parts = draw.pages(order)
    return [
        alt.Chart(d[d["unit_id"].isin(keys)], title=draw.paged(T.label("trends", lang), i, len(parts)))
        .mark_rect()
        .encode(
            x=alt.X("month:O", sort=months, scale=alt.Scale(domain=months), title=T.label("month", lang),
                    axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("unit_id:N", sort=keys, title=None),
            color=alt.Color("ip:Q", scale=alt.Scale(scheme="redyellowgreen", domain=[30, 100]), title="IP"),
            tooltip=["unit_id", "month", alt.Tooltip("ip:Q", format=".1f")],
        )
        .properties(width=420, height=alt.Step(13))
        for i, keys in enumerate(parts, 1)
    ]  # fmt: skip


def _span(x: pd.Series, zero: bool) -> list[float]:
    """A quantitative axis's domain from all units, so that every page of a chart shares it."""
    lo, hi = float(x.min()), float(x.max())
    if zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    return [lo, hi] if lo < hi else [lo - 1, hi + 1]


def vd_vm_bars(annual: pd.DataFrame, lang: Lang) -> list[alt.HConcatChart]:
    """The GPS paper's chart: VD and VM per unit side by side with the median performance, sorted by VD; one
    chart per printed page (:func:`draw.pages`), every page on the same axes."""
    d = annual[["unit_id", "vd", "vm", "ip_median", "quadrant"]].assign(
        unit_id=lambda x: x["unit_id"].astype(str), quadrant=lambda x: x["quadrant"].astype(str)
    )
    order = list(d.sort_values("vd")["unit_id"])
    color = alt.Color(
        "quadrant:N",
        scale=alt.Scale(domain=list(draw.QUADRANT_COLORS), range=list(draw.QUADRANT_COLORS.values())),
        title=None,
        legend=alt.Legend(orient="bottom", labelExpr=_quadrant_expr(lang)),
    )
    scale = {c: alt.Scale(domain=_span(d[c].dropna(), c != "ip_median"), nice=True) for c in ("vd", "vm", "ip_median")}
    parts = draw.pages(order)
    charts = []
    for i, keys in enumerate(parts, 1):
        base = alt.Chart(d[d["unit_id"].isin(keys)]).properties(width=170, height=alt.Step(13))
        y = alt.Y("unit_id:N", sort=keys, title=None)
        vd = base.mark_bar().encode(
            x=alt.X("vd:Q", title="VD (%)", scale=scale["vd"]), y=y, color=color,
            tooltip=["unit_id", alt.Tooltip("vd:Q", format="+.1f")],
        )  # fmt: skip
        vm = base.mark_bar().encode(
            x=alt.X("vm:Q", title="VM (%)", scale=scale["vm"]),
            y=alt.Y("unit_id:N", sort=keys, axis=None),
            color=color,
            tooltip=["unit_id", alt.Tooltip("vm:Q", format="+.1f")],
        )
        med = base.mark_point(filled=True, color="#444").encode(
            x=alt.X("ip_median:Q", title=T.w("median_ip", lang), scale=scale["ip_median"]),
            y=alt.Y("unit_id:N", sort=keys, axis=None),
        )
        title = draw.paged(T.label("vdvm", lang), i, len(parts))
        charts.append(alt.hconcat(vd, vm, med, spacing=6).properties(title=title))
    return charts


def _quadrant_expr(lang: Lang) -> str:
    names = {k: T.label(k if k != "critical" else "critical_q", lang) for k in draw.QUADRANT_COLORS}
    cases = " : ".join(f"datum.label == '{k}' ? '{v}'" for k, v in names.items())
    return f"{cases} : datum.label"


SCATTER_LABELS = 20  # units named on a crowded VD x VM scatter
WIDTH, HEIGHT, LABEL = 560, 380, 9  # the scatter's plot area (px) and its labels' type size


def _axis(values: pd.Series) -> list[float]:
    """A scatter axis's domain: the data and 0, out to the next multiple of 10 (fixed, so that labels can be
    placed in pixels)."""
    lo, hi = min(0.0, float(values.min())), max(0.0, float(values.max()))
    return [10 * np.floor(lo / 10), 10 * np.ceil(hi / 10) if hi > 10 * np.floor(lo / 10) else 10.0]


def place_labels(d: pd.DataFrame, order: list, xdom: list[float], ydom: list[float], most: int | None) -> pd.DataFrame:
    """Labels of a scatter that do not cover each other: in ``order`` (most wanted first), each label goes
    right of its point, or left when the right is taken or off the plot, or is left out; at most ``most``.
    Returns columns ``right`` and ``left`` (the text drawn on each side, '' for none)."""
    boxes: list[tuple[float, float, float, float]] = []
    out = pd.DataFrame({"right": "", "left": ""}, index=d.index)
    for i in order:
        if most is not None and len(boxes) >= most:
            break
        text = d.at[i, "unit_id"]
        x = (d.at[i, "vd"] - xdom[0]) / (xdom[1] - xdom[0]) * WIDTH
        y = (1 - (d.at[i, "vm"] - ydom[0]) / (ydom[1] - ydom[0])) * HEIGHT
        w, h = page.advance(text) * LABEL, LABEL * 1.25
        for side, x0 in (("right", x + 6), ("left", x - 6 - w)):
            box = (x0, y - h / 2, x0 + w, y + h / 2)
            inside = box[0] >= 0 and box[2] <= WIDTH and box[1] >= -h and box[3] <= HEIGHT + h  # may touch an axis
            if inside and not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
                boxes.append(box)
                out.at[i, side] = text
                break
    return out


def vd_vm_scatter(annual: pd.DataFrame, lang: Lang) -> alt.LayerChart:
    """VD against VM, one point per unit, size by median IP, colour by quadrant; the units a reader looks for
    are named where their names do not cover each other."""
    d = (
        annual[["unit_id", "vd", "vm", "ip_median", "quadrant"]]
        .dropna()
        .assign(unit_id=lambda x: x["unit_id"].astype(str), quadrant=lambda x: x["quadrant"].astype(str))
    )
    xdom, ydom = _axis(d["vd"]), _axis(d["vm"])
    x = alt.X("vd:Q", title="VD (%)", scale=alt.Scale(domain=xdom, nice=False, zero=False))
    y = alt.Y("vm:Q", title="VM (%)", scale=alt.Scale(domain=ydom, nice=False, zero=False))
    base = alt.Chart(d).encode(x=x, y=y)
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
    # Name the units a reader looks for (critical, above the reference, or improving fast), farthest from
    # the origin first; among many units (137 NHS trusts) at most SCATTER_LABELS
    wanted = (d["quadrant"] == "critical") | (d["vd"] >= 0) | (d["vm"] >= 10)
    order = list((d["vd"].abs() + d["vm"].abs())[wanted].sort_values(ascending=False, kind="stable").index)
    d = d.join(place_labels(d, order, xdom, ydom, SCATTER_LABELS if len(d) > 2 * SCATTER_LABELS else None))
    text = alt.Chart(d).encode(x=x, y=y)
    right = text.mark_text(align="left", dx=6, fontSize=LABEL).encode(text="right:N")
    left = text.mark_text(align="right", dx=-6, fontSize=LABEL).encode(text="left:N")
    zero = pd.DataFrame({"z": [0]})
    vline = alt.Chart(zero).mark_rule(color="#888").encode(x="z:Q")
    hline = alt.Chart(zero).mark_rule(color="#888").encode(y="z:Q")
    return alt.layer(vline, hline, pts, right, left).properties(width=WIDTH, height=HEIGHT)


def dimension_heatmap(dims: pd.DataFrame, order: list[str], lang: Lang) -> list[alt.Chart]:
    """Annual dimension scores per unit (long table with unit_id, dimension, score), one chart per printed
    page (:func:`draw.pages`) on the same columns and colour scale."""
    d = dims.assign(
        unit_id=lambda x: x["unit_id"].astype(str), dimension=lambda x: x["dimension"].map(lambda k: T.label(k, lang))
    )
    names = [T.label(k, lang) for k in draw.DIM_COLORS if k in set(dims["dimension"])]
    parts = draw.pages(order)
    return [
        alt.Chart(d[d["unit_id"].isin(keys)], title=draw.paged(T.label("dimensions", lang), i, len(parts)))
        .mark_rect()
        .encode(
            x=alt.X("dimension:N", title=None, sort=names, scale=alt.Scale(domain=names)),
            y=alt.Y("unit_id:N", sort=keys, title=None),
            color=alt.Color(
                "score:Q", scale=alt.Scale(scheme="redyellowgreen", domain=[30, 100]), title=T.label("score", lang)
            ),
            tooltip=["unit_id", "dimension", alt.Tooltip("score:Q", format=".1f")],
        )
        .properties(width=240, height=alt.Step(13))
        for i, keys in enumerate(parts, 1)
    ]


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
