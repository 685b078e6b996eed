"""The presentation code of the annual evaluation and the scorecard, without a notebook (issue 14, item 8):
every chart is a valid Vega-Lite spec (reports draw them without validating again, ``charts.svg``) and draws in
the report's number convention; every table and sentence renders complete, in its language."""

import re

import altair as alt
import pandas as pd
import pytest

from gps_core import charts, narrative, params, tables
from gps_core.studies import evaluation

from .conftest import ROOT


@pytest.fixture(scope="module", params=["hospital_2015", "nhs_ae_2018_19"])
def ev(request):
    """The paper hospital (pt-BR: teams with their doctors, payouts) and NHS A&E (en: departments)."""
    f = ROOT / "params" / f"{request.param}.yaml"
    return evaluation.run(params.load(f), f)


def charts_of(ev) -> dict[str, alt.TopLevelMixin]:
    lang, p = ev.params.language, ev.params
    order = list(ev.annual.sort_values("ip", ascending=False)["unit_id"].astype(str))
    unit = order[len(order) // 2]
    view = evaluation.unit_view(ev, unit)
    return {
        "vd_vm_bars": charts.vd_vm_bars(ev.annual, lang),
        "vd_vm_scatter": charts.vd_vm_scatter(ev.annual, lang),
        "ip_heatmap": charts.ip_heatmap(ev.index, order, lang),
        "dimension_heatmap": charts.dimension_heatmap(evaluation.dimension_summary(ev), order, lang),
        "stars_strip": charts.stars_strip(ev.annual, "stars", lang),
        "unit_trend": charts.unit_trend(view["monthly"], p.target, lang),
        "unit_dimensions": charts.unit_dimensions(view["dimensions"], lang),
        "indicator_fractions": charts.indicator_fractions(view["indicators"], lang),
    }


def test_every_chart_is_a_valid_spec_and_draws(ev):
    for name, chart in charts_of(ev).items():
        chart.to_dict()  # validates against the Vega-Lite schema; raises on an invalid spec
        svg = charts.svg(chart, ev.params.language)
        assert svg.startswith("<svg") and svg.count("<text") > 5, name


def test_charts_write_numbers_in_the_reports_convention():
    d = pd.DataFrame({"x": [0.5, 1.25, 2.5], "y": [1000.5, 2000.25, 3000.0]})
    chart = alt.Chart(d).mark_point().encode(x="x:Q", y=alt.Y("y:Q", axis=alt.Axis(format=",.1f")))
    pt, en = charts.svg(chart, "pt-BR"), charts.svg(chart, "en")
    assert ">0,5<" in pt and ">1.000,0<" in pt and ">0.5<" not in pt
    assert ">0.5<" in en and ">1,000.0<" in en


def test_every_table_and_sentence_renders_complete(ev):
    lang, p = ev.params.language, ev.params
    unit = str(ev.annual["unit_id"].iloc[0])
    view = evaluation.unit_view(ev, unit)
    made = {
        "annual": (tables.annual_table(ev.annual, ev.index, lang), len(ev.annual)),
        "alerts": (tables.alerts_table(ev.alerts, lang), len(ev.alerts)),
        "indicators": (tables.indicator_rows(view["indicators"], ev.catalog, lang), len(view["indicators"])),
        "sheets": (tables.technical_sheets(ev.catalog, ev.weights, lang, evaluation.band_reasons(p)), len(ev.catalog)),
    }
    if view["members"] is not None:
        made["members"] = (tables.members_table(view["members"], lang), len(view["members"]))
    for name, res in ev.payouts.items():
        made[name] = (tables.payouts_table(res, lang, p.currency), len(res))
    for name, (df, rows) in made.items():
        html = tables.to_html(df)
        assert len(df) == rows and html.count("<tr") == rows + 1, name  # header + one row per input row
        cells = re.findall(r"<td>(.*?)</td>", html, re.S)
        assert not [c for c in cells if c.strip() in ("nan", "None", "NaT", "<NA>")], name
    summary = narrative.manager_summary(
        ev.annual, ev.index, ev.alerts, program=p.program, target=p.target,
        n_indicators=ev.scores["indicator_id"].nunique(), small=ev.provenance["small_denominators"], lang=lang,
        program_ip=ev.program_ip, volume_label=tables.volume_label(ev.catalog, p.volume_indicator, lang),
    )  # fmt: skip
    text = " ".join(summary)
    assert p.program in text and f"{len(ev.annual)}" in text
    assert ("units" in text) == (lang == "en")  # each language its own words
    prov = tables.provenance_html(ev.provenance)
    assert all(i["sha256"] in prov for i in ev.provenance["inputs"])
