"""End to end: the demo reports, the numbers their notebooks produced, atomic writes and CLI errors."""

import base64
import hashlib
import re
import shutil
import subprocess
from collections import Counter
from html import unescape

import numpy as np
import pandas as pd
import pytest

from gps_core.report import Job, ReportError, run

from .conftest import EXTERNAL, ROOT, glued, gps

pytestmark = pytest.mark.slow


def test_demo_writes_every_report(demo):
    hosp, nhs = demo / "hospital_demo" / "2015", demo / "nhs_england" / "FY2018-19"
    for d in (hosp, nhs):
        for ext in ("ipynb", "html", "pdf"):
            assert (d / f"annual_evaluation.{ext}").stat().st_size > 10_000
        assert len(cards(d / "scorecards", "html")) == 2 and (d / "scorecards" / "annex.html").is_file()
        assert (d / "annual_evaluation.pdf").read_bytes()[:5] == b"%PDF-"
    assert not list(demo.rglob(".tmp-*"))  # no temporary folder left behind
    # the page says its language (screen readers, hyphenation, spell checkers)
    assert '<html lang="pt-BR">' in (hosp / "annual_evaluation.html").read_text()[:2000]
    assert '<html lang="en">' in (nhs / "annual_evaluation.html").read_text()[:2000]


def test_demo_computes_each_run_once_and_every_report_reads_it(demo):
    """Compute once (issue 14): one evaluation artefact per distinct run (Hospital Modelo has two: teams and
    doctors), and the annual report, the scorecards and the contract design name the one they read."""
    runs = {d.parent.parent.name: sorted(x.name for x in d.iterdir()) for d in demo.glob("*/*/artefacts")}
    assert {k: len(v) for k, v in runs.items()} == {"hospital_demo": 1, "hospital_modelo": 2, "nhs_england": 1}
    d = demo / "hospital_modelo" / "2015"
    doctors = cards(d / "scorecards_medicos", "ipynb")
    for nb in [d / "annual_evaluation.ipynb", d / "p4p_simulation.ipynb", *(d / "scorecards").glob("*.ipynb")]:
        text = nb.read_text()
        assert sum(name in text for name in runs["hospital_modelo"]) == 1, nb
    (teams,) = [n for n in runs["hospital_modelo"] if n in (d / "annual_evaluation.ipynb").read_text()]
    assert all(teams not in nb.read_text() for nb in doctors)
    assert len(doctors) == 2  # the doctor-level program, limited to 2 scorecards in the tests
    for nb in doctors:
        s = glued(nb, "scorecard")
        assert s["unit"].startswith("D") and s["peer_n"] < 556  # ranked among the doctors of the specialty


def test_scorecards_share_one_annex_read_from_the_same_evaluation(demo):
    """The technical sheets and the full provenance are written once per scorecard folder (issue 14: a doctor's
    PDF went from 9 pages to 5), not in each scorecard: every scorecard links to its folder's annex, and the
    annex describes the very evaluation the scorecards read (the same artefact) and every indicator they score.
    A unit's scorecard prints on at most 4 pages (issue 15), the largest team (Ginecologia e Obstetrícia, 45
    doctors) included."""
    from pypdf import PdfReader

    folders = sorted({p.parent for p in demo.rglob("*.ipynb") if (p.parent / "annex.ipynb").is_file()})
    assert len(folders) == 4  # the specialties and the doctors of two hospitals, the NHS trusts, Hospital 2015
    for d in folders:
        annex = glued(d / "annex.ipynb", "scorecard_annex")
        mine = cards(d, "ipynb")
        assert len(mine) == 2 and (d / "annex.pdf").read_bytes()[:5] == b"%PDF-"
        annex_html = (d / "annex.html").read_text()
        for nb in mine:
            html = nb.with_suffix(".html").read_text()
            assert 'href="annex.html"' in html and annex["artefact"] in html, nb
            ids = set(re.findall(r"<td>([A-Z]+[0-9A-Z]*) [^<]+</td>", html))  # the indicator column: 'F01 name'
            assert ids and ids <= set(annex["indicators"]), (nb, ids - set(annex["indicators"]))
            assert "<dl class='gps-prov'>" not in html and "<dl class='gps-prov'>" in annex_html  # full provenance once
            assert 1 <= len(PdfReader(nb.with_suffix(".pdf")).pages) <= 4, nb
        assert all(f"<td>{i} " in annex_html for i in annex["indicators"])  # each sheet: 'F01 name'
        assert set(re.findall(r"<tr><td>([A-Z]+[0-9A-Z]*) [^<]+</td>", annex_html)) == set(annex["indicators"])


def cards(folder, ext: str) -> list:
    """The scorecards of a folder, without the annex they share."""
    return sorted(p for p in folder.glob(f"*.{ext}") if p.stem != "annex")


def test_no_report_shows_a_kernel_message(demo):
    """Nothing on stderr in any demo notebook (a warm kernel's history database once printed an error into
    every scorecard after the first)."""
    import nbformat

    for nb in demo.rglob("*.ipynb"):
        cells = nbformat.read(nb, as_version=4).cells
        noise = [o for c in cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
        assert noise == [], (nb, noise[:1])


# words of one language that the other does not use (shared words such as 'hospital', 'total' or 'ideal' are
# left out); names of programs, standards and people are written as they are, so the scan skips code type
ENGLISH = set(
    """the of and with without values value none warnings inputs params score year latest month rank doctor
doctors team teams unit units indicator indicators weight weights missing policy dimension dimensions level method
methods reference target median mean peer peers small denominators denominator numerator generated tables records
record trend trends annual scorecard payout payouts pay contract rule rules budget share model models observed
expected ratio interval hospitals patients patient stays cost costs higher lower better worse than from for per not
only all each every this that these those are is was were been has have had which when where who what how why but
if then so also more less most least over under into about between after before during within by on in at to an
files source panel region days percent funnel description provided image above below negative ci odds""".split()
)
PORTUGUESE = set(
    """de da do das dos em na nos nas para com por uma um que não mês meses ano unidade unidades
indicador indicadores média mediana meta pares posição valores valor equipe médicos médico desempenho melhoria
variação dimensões qualidade estrutura eficiência efetividade experiência paciente fonte anexo proveniência resumo
gestor avaliação anual painel arquivos entrada avisos nenhum parâmetros gerado tabelas referência""".split()
)


def words(html_file) -> list[str]:
    """The words a reader sees: no style, script or code type (file names, checksums, params as YAML)."""
    text = re.sub(r"<(style|script|pre|code)\b.*?</\1>", " ", html_file.read_text(), flags=re.S | re.I)
    # an image's alternative text is read aloud by a screen reader (nbconvert's default was an English sentence)
    text += " " + " ".join(re.findall(r"""\balt=["']([^"']*)["']""", text))
    # a chart's own words (axis titles, legends, labels) are inside its SVG, embedded as base64: the O/E legend
    # of a pt-BR report said 'above / within / below' and the scan above could not see it
    for b64 in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", text):
        svg = base64.b64decode(b64).decode("utf-8")
        text += " " + " ".join(unescape(t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, flags=re.S))
    for name in NAMES:  # names of metrics and programs, used untranslated in Brazil
        text = text.replace(name, " ")
    # a hyphenated word is one word ('de-identified', 'DE-SynPUF'), not a Portuguese 'de'; a token with digits
    # is a code (a pseudonym such as '96de0f7c'), not a word
    tokens = re.findall(r"[0-9A-Za-zÀ-ÿ]+(?:-[0-9A-Za-zÀ-ÿ]+)*", re.sub(r"<[^>]+>", " ", text).replace("&amp;", "&"))
    return [t for t in tokens if not any(c.isdigit() for c in t)]


NAMES = ("Net Promoter Score", "Hospital Value-Based Purchasing")


def codes(html_file) -> list[str]:
    """Program codes a reader sees as words ('full_earned', 'too_few_months', 'per_1000'): a token with an
    underscore outside code type. File names ('suggested_bands.yaml'), the package's name in the provenance
    and the params key a note asks to raise are written as they are."""
    text = re.sub(r"<(style|script|pre|code)\b.*?</\1>", " ", html_file.read_text(), flags=re.S | re.I)
    tokens = re.findall(r"[\w/.-]*_[\w/.-]*", re.sub(r"<[^>]+>", " ", text))
    files = re.compile(r"\.(ya?ml|csv|parquet|xlsx|ipynb)$")
    return sorted({t for t in tokens if not files.search(t)} - {"gps_core", "min_cases"})


def foreign_numbers(html_file, lang: str) -> list[str]:
    """Numbers a reader sees written in the other language's convention: a decimal point in a pt-BR page
    ('99.8 %'; '18.065' is a thousands separator) or a decimal comma in an English one. Version numbers
    (two points or more) and codes are not numbers."""
    text = re.sub(r"<(style|script|pre|code)\b.*?</\1>", " ", html_file.read_text(), flags=re.S | re.I)
    sep = "." if lang == "pt-BR" else ","
    out = []
    for tok in re.findall(r"(?<![\w.,])\d+(?:[.,]\d+)+(?!\w)", re.sub(r"<[^>]+>", " ", text)):
        if tok.count(sep) == 1 and len(tok) - len(tok.replace(".", "").replace(",", "")) == 1:
            if len(tok.split(sep)[1]) != 3:
                out.append(tok)
    return out


def test_every_report_speaks_one_language(demo):
    """Issue 14, item 5: no English word in a pt-BR report and no Portuguese word in an English one, and every
    number in the page's convention (decimal comma in pt-BR, point in English), in every
    demo report (annual evaluations, scorecards, contract design, risk, capitation and benchmark studies): the
    methods, provenance, small-denominator counts, chart axes, catalogue sources, HCC labels and the page's
    title included. Each report's language is the one its page declares."""
    pages = sorted(demo.rglob("*.html"))
    langs = {}
    for page in pages:
        lang = re.search(r'<html lang="([^"]+)"', page.read_text()[:3000]).group(1)
        langs.setdefault(lang, set()).add(page.stem if "scorecards" not in page.parent.name else "scorecard")
        foreign = ENGLISH if lang == "pt-BR" else PORTUGUESE
        leaks = sorted({w for w in words(page) if w.lower() in foreign})
        assert leaks == [], (page.relative_to(demo), leaks)
        assert foreign_numbers(page, lang) == [], page.relative_to(demo)
        assert codes(page) == [], page.relative_to(demo)
    assert "Notebook" not in "".join(p.read_text()[:3000] for p in pages)  # nbconvert's default <title>
    every = {"annual_evaluation", "scorecard", "p4p_simulation", "capitation_model", "benchmark_study"}
    assert langs["pt-BR"] >= every and langs["en"] >= every - {"p4p_simulation"} | {"risk_adjustment"}


def test_no_report_shows_a_machine_path(demo):
    """Input files are named as the params write them (relative to the params file), never by the folders of
    the machine that ran the report; the absolute paths stay in the run artefacts' provenance.json."""
    for page in demo.rglob("*.html"):
        text = page.read_text()
        assert str(ROOT) not in text and str(demo) not in text, page


def test_every_report_cites_its_methods_and_names_its_data_sources(demo):
    """Issue 15, item 5: every report cites the sections of docs/methods.md it rests on (a scorecard in its
    provenance line), and every full provenance names the source and licence of each input: the NHS file's
    Open Government Licence statement, the synthetic data as synthetic, in the report's language."""
    methods = (ROOT / "docs" / "methods.md").read_text()
    for page in demo.rglob("*.html"):
        text = page.read_text()
        cited = re.search(r"\(<code>docs/methods\.md</code>\), (§[^<.]+)", text)
        assert cited, page.relative_to(demo)
        for n in re.findall(r"\d+", cited.group(1)):  # every section cited exists
            assert f"\n## {n}. " in methods, (page.relative_to(demo), n)
        if "<dl class='gps-prov'>" in text:
            assert re.search(r"<dt>(data sources and licences|fontes dos dados e licenças)</dt>", text), page
    nhs = (demo / "nhs_england" / "FY2018-19" / "annual_evaluation.html").read_text()
    assert "Contains public sector information licensed under the Open Government Licence v3.0" in nhs
    modelo = (demo / "hospital_modelo" / "2015" / "annual_evaluation.html").read_text()
    assert "Dados sintéticos gerados pelo GPS Analytics" in modelo
    medpar = (demo / "medpar_az1991" / "1991" / "risk_adjustment.html").read_text()
    assert "Hilbe" in medpar


def test_pdfs_carry_the_client_and_page_numbers_on_every_page(demo):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) not installed")
    for pdf in [demo / "hospital_modelo" / "2015" / "annual_evaluation.pdf",
                *(demo / "nhs_england" / "FY2018-19" / "scorecards").glob("*.pdf")]:  # fmt: skip
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        pages = text.count("\f")
        client = "Hospital Modelo" if "hospital_modelo" in str(pdf) else "NHS England type-1 A&E departments"
        assert text.count(client) >= pages >= 1, pdf
        assert re.search(rf"\b{pages}\s*/\s*{pages}\b", text), pdf
        cover = text.split("\f")[0].lower()  # the first page is the cover: the report's title and the client
        title = {"annual_evaluation.pdf": "avaliação anual de desempenho", "annex.pdf": "scorecards' annex"}.get(
            pdf.name, "performance scorecard"
        )
        assert title in cover and client.lower() in cover, (pdf, cover[:300])
        if "annual" in pdf.name:  # then the contents: every section with the page it starts on
            sheets = text.split("\f")
            toc = [ln.strip() for ln in sheets[1].split("Sumário")[1].splitlines() if ln.strip() and client not in ln]
            entries = re.findall(r"^(\S.*?)\s+(\d+)$", "\n".join(toc), flags=re.M)
            assert len(entries) >= 8, toc
            for name, number in entries:
                words = name.split()[:3]  # a heading may wrap on its page
                assert all(w in sheets[int(number) - 1] for w in words), (name, number)


def test_annual_notebook_reproduces_the_papers_findings(demo):
    a = pd.DataFrame(glued(demo / "hospital_demo" / "2015" / "annual_evaluation.ipynb", "annual")["annual"]).set_index(
        "unit_id"
    )
    assert len(a) == 32
    assert set(a.index[a["vd"] > 0]) == {"Reumatologia", "Geriatria", "Alergia e Imunologia", "Coloproctologia"}
    assert a["vd"].idxmin() == "Mastologia" and a["vm"].idxmax() == "Mastologia"
    assert a.loc["Mastologia", "vm"] == pytest.approx(37, abs=4)
    assert set(a.index[a["quadrant"] == "critical"]) == {
        "Cirurgia Buco-Maxilo-Facial",
        "Infectologia",
        "Hematologia e Hemoterapia",
        "Cardiologia",
        "Pediatria",
    }
    assert a["stars"].between(1, 5).all() and a["stars_exact"].between(1, 5).all()
    pool = pd.DataFrame(
        glued(demo / "hospital_demo" / "2015" / "annual_evaluation.ipynb", "annual")["payouts"][
            "Bônus de desempenho (fundo)"
        ]
    )
    assert pool["payout"].sum() == 150_000_000  # the report's payouts add up to the budget, to the cent
    assert pool.set_index("unit_id").loc["Mastologia", "payout"] == 0  # IP below the minimum of 60


def test_nhs_notebook_ip_matches_a_hand_computation_from_the_raw_file(demo):
    """Recompute RRK's annual IP from the raw NHS file with the bands of params/nhs_ae_2018_19.yaml."""
    a = pd.DataFrame(glued(demo / "nhs_england" / "FY2018-19" / "annual_evaluation.ipynb", "annual")["annual"])
    a = a.set_index("unit_id")
    raw = pd.read_csv(EXTERNAL / "nhs_ae_attendances_2016_2019.csv")
    r = raw[
        (raw["org_code"] == "RRK")
        & (raw["type"] == "1")
        & (raw["period"] >= "2018-04-01")
        & (raw["period"] <= "2019-03-01")
    ]
    four = 100 * (r["attendances"] - r["breaches"]) / r["attendances"]
    conv = 100 * r["admissions"] / r["attendances"]
    f4 = np.clip((four - 74) / (95 - 74), 0, 1)
    fc = np.minimum(np.clip((conv - 15) / (23 - 15), 0, 1), np.clip((conv - 45) / (32 - 45), 0, 1))
    ip = 100 * (0.7 * f4 + 0.3 * fc)
    assert len(r) == 12
    assert a.loc["University Hospitals Birmingham (RRK)", "ip"] == pytest.approx(ip.mean(), rel=1e-9)
    assert len(a) == 137
    assert a["vm"].isna().sum() == 3  # three departments report only 3 months: no VM (min 6 months)


def test_scorecard_agrees_with_the_annual_report(demo):
    d = demo / "hospital_demo" / "2015"
    a = pd.DataFrame(glued(d / "annual_evaluation.ipynb", "annual")["annual"]).set_index("unit_id")
    for nb in cards(d / "scorecards", "ipynb"):
        s = glued(nb, "scorecard")
        assert s["ip_year"] == pytest.approx(a.loc[s["unit"], "ip"])
        assert 1 <= s["rank"] <= s["peer_n"] == 32
        assert s["n_indicators"] >= 30


def test_reports_reference_nothing_on_the_network(demo):
    """Every reference is inline (data:), an anchor, or a file of the same run beside the report (a scorecard's
    link to its annex): nothing with a scheme or host, nothing that does not exist."""
    for html in demo.rglob("*.html"):
        text = html.read_text()
        refs = re.findall(r"""(?:src|href)=["']([^"']+)["']""", text)
        local = [u for u in refs if not u.startswith(("data:", "#"))]
        assert all(re.fullmatch(r"[\w.-]+\.html", u) and (html.parent / u).is_file() for u in local), (html, local[:3])


def test_a_failed_run_leaves_the_previous_report_intact(demo, tmp_path):
    good = demo / "hospital_demo" / "2015" / "annual_evaluation.html"
    before = hashlib.sha256(good.read_bytes()).hexdigest()
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text(
        "client,program,unit_id,unit_type,specialty,period,indicator_id,numerator,denominator\n"
        "hospital_demo,p,u,doctor,s,2015-01,F02,9,5\n"
    )
    params = tmp_path / "p.yaml"
    params.write_text(
        (ROOT / "params" / "hospital_2015.yaml")
        .read_text()
        .replace("source: {kind: synthetic_paper_hospital, seed: 2015}", f"source: {{kind: csv, path: {bad_csv}}}")
    )
    with pytest.raises(ReportError, match=r"9.0 > 5.0"):
        run(Job("annual_evaluation", str(params), str(demo), pdf=False))
    assert hashlib.sha256(good.read_bytes()).hexdigest() == before
    assert not list(demo.rglob(".tmp-*"))


def test_cli_rejects_bad_params_before_any_kernel(tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text((ROOT / "params" / "hospital_2015.yaml").read_text() + "unknown_key: 1\n")
    res = gps("run", "annual_evaluation", str(params), "--out", str(tmp_path / "out"))
    assert res.returncode == 2
    assert "unknown_key: unknown key" in res.stderr
    assert not (tmp_path / "out").exists()
    res = gps("run", "no_such_notebook", str(ROOT / "params" / "hospital_2015.yaml"), "--out", str(tmp_path))
    assert res.returncode == 2 and "unknown report" in res.stderr


def test_cli_checks_inputs_before_any_kernel_and_says_only_what_it_does(tmp_path):
    """Issue 15, item 7. A missing input file of any report is refused with exit 2 before a kernel starts
    (it used to fail 'in cell 3' with exit 1), for every params file at once; params written for another
    report are refused by name; 'gps run --help' lists every report; --no-pdf removes the PDF of an earlier
    run (it would contradict the new HTML); a good run off a terminal prints progress lines and nothing else."""
    bad = []
    for name, old, new in (("medpar_1991.yaml", "../data/external/", "/nonexistent/"),
                           ("nhs_ae_2018_19.yaml", "../data/external/nhs_ae", "../data/gone/nhs_ae")):  # fmt: skip
        f = tmp_path / name
        f.write_text((ROOT / "params" / name).read_text().replace(old, new))
        bad.append(str(f))
    res = gps("batch", *bad, "--out", str(tmp_path / "out"), "--no-pdf")
    assert res.returncode == 2 and not (tmp_path / "out").exists(), res.stderr
    assert "data.path: '/nonexistent/count_medpar.csv' not found" in res.stderr
    assert "source.path: '../data/gone/nhs_ae_attendances_2016_2019.csv' not found" in res.stderr
    res = gps("run", "scorecard", str(ROOT / "params" / "hospital_2015.yaml"), "--out", str(tmp_path / "out"))
    assert res.returncode == 2 and "for the report 'annual_evaluation', not 'scorecard'" in res.stderr
    helped = gps("run", "--help").stdout
    assert all(nb.stem in helped for nb in (ROOT / "notebooks").glob("*.ipynb"))
    args = ("run", "annual_evaluation", str(ROOT / "params" / "nhs_ae_2018_19.yaml"), "--out", str(tmp_path / "r"))
    first, second = gps(*args), gps(*args, "--no-pdf")
    folder = tmp_path / "r" / "nhs_england" / "FY2018-19"
    assert first.returncode == second.returncode == 0
    assert (folder / "annual_evaluation.html").is_file() and not (folder / "annual_evaluation.pdf").exists()
    for res in (first, second):
        lines = res.stderr.strip().splitlines()
        assert lines[0].startswith("[1/1] annual_evaluation (nhs_ae_2018_19.yaml)") and len(lines) == 2, lines
        assert lines[1].startswith("1 of 1 reports written under")


def pieces(text: str) -> list[str]:
    """Words cut where either PDF engine may wrap one: after a slash, an en dash, a hyphen before a letter,
    or a hyphen between letters or digits ('VTE-1', '80-90': Chromium wraps there, not after a minus sign)."""
    return [x for w in text.split() for x in re.split(r"(?<=/)|(?<=–)|(?<=-)(?=[^\W\d])|(?<=[^\W_]-)(?=\d)", w)
            if x]  # fmt: skip


def table_words(page: str) -> Counter:
    """Every word of every result table of an HTML report (headers and cells), with its count."""
    from html.parser import HTMLParser

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.depth, self.cell, self.words = 0, False, Counter()

        def handle_starttag(self, tag, attrs):
            if tag == "table" and "gps-table" in (dict(attrs).get("class") or ""):
                self.depth += 1
            self.cell = self.cell or (self.depth > 0 and tag in ("th", "td"))

        def handle_endtag(self, tag):
            self.depth -= tag == "table" and self.depth > 0
            self.cell = self.cell and tag not in ("th", "td")

        def handle_data(self, data):
            if self.cell:
                self.words.update(pieces(data))

    cells = Cells()
    cells.feed(page)
    return cells.words


def printed_words(pdf) -> tuple[Counter, list[str]]:
    """The words of a PDF that lie on their page, with their count, and those that lie beyond its edges."""
    import html

    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    on, off = Counter(), []
    for w, h, body in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        for m in re.finditer(r'xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>', body):
            x0, y0, x1, y1 = map(float, m.groups()[:4])
            word = html.unescape(m.group(5))
            if x0 >= 0 and y0 >= 0 and x1 <= float(w) and y1 <= float(h):
                on.update(pieces(word))
            else:
                off.append(word)
    return on, off


def lost_in_print(page, pdf) -> dict:
    """The table words of an HTML report that its PDF lacks (word: (in the HTML, in the PDF)), and every
    printed word beyond a page's edges: a column cut at the margin loses its header and its cells."""
    want, (have, off) = table_words(page.read_text()), printed_words(pdf)
    lost = {w: (n, have[w]) for w, n in want.items() if have[w] < n}
    return {**lost, **({"beyond the page": off[:10]} if off else {})}


def test_every_table_word_of_every_report_is_in_its_pdf(demo):
    """Issue 15: a PDF must never lose a column. Every word of every result table of every demo report (each
    header, unit, indicator and number, as often as the HTML has it) is in the text of its PDF printed by
    Chromium, on the page; a table too wide for the page comes in groups of columns (gps_core.views.page)."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) not installed")
    checked = 0
    for page in sorted(demo.rglob("*.html")):
        pdf = page.with_suffix(".pdf")
        assert pdf.is_file(), pdf
        assert lost_in_print(page, pdf) == {}, page.relative_to(demo)
        checked += sum(table_words(page.read_text()).values())
    assert checked > 30_000  # every report of the demo has its tables


def test_pdf_falls_back_to_weasyprint_without_chromium(demo, tmp_path, monkeypatch):
    """Without Chromium, WeasyPrint prints; it loses no table word either, on the widest tables of the demo (the
    NHS trusts' annual table) and a scorecard."""
    from gps_core import report

    monkeypatch.setattr(report, "find_chromium", lambda: None)
    nhs = demo / "nhs_england" / "FY2018-19"
    for i, html in enumerate([cards(nhs / "scorecards", "html")[0], nhs / "annual_evaluation.html"]):
        with report.Renderer() as r:
            assert r.pdf(html, tmp_path / f"{i}.pdf", "NHS England") == "weasyprint"
        assert (tmp_path / f"{i}.pdf").read_bytes()[:5] == b"%PDF-"
        if shutil.which("pdftotext"):
            assert lost_in_print(html, tmp_path / f"{i}.pdf") == {}, html.name


def test_record_based_report_risk_adjusts_from_the_raw_files(demo, root):
    """Hospital Modelo starts from its Brazilian CSV of stays: the report's Geriatria mortality O/E equals a
    logistic regression fitted here on the raw file (statsmodels directly), and its band is applied to the
    adjusted value."""
    import statsmodels.formula.api as smf

    from gps_core.records.derive import chapter

    d = demo / "hospital_modelo" / "2015"
    for ext in ("ipynb", "html", "pdf"):
        assert (d / f"annual_evaluation.{ext}").stat().st_size > 10_000
    risk = pd.DataFrame(glued(d / "annual_evaluation.ipynb", "annual")["risk"])
    got = risk[(risk["unit_id"] == "Geriatria") & (risk["indicator_id"] == "F01")].iloc[0]
    raw = pd.read_csv(root / "data/synthetic/hospital_modelo/internacoes.csv", sep=";", encoding="latin-1")
    adm = pd.to_datetime(raw["admission"], format="%d/%m/%Y")
    dis = pd.to_datetime(raw["discharge"], format="%d/%m/%Y")
    raw["y"] = ((raw["discharge_status"] == "óbito") & ((dis - adm).dt.days >= 1)).astype(int)
    raw["chapter"] = chapter(raw["diagnosis"].str.replace(".", "", regex=False))
    raw["kind"] = raw["admission_type"]
    # Chapters without deaths are separated: Newton stops at its iteration limit with the predictions settled.
    fit = smf.logit("y ~ age + C(sex) + C(kind) + C(chapter)", raw).fit(disp=0, maxiter=100, warn_convergence=False)
    raw["p"] = fit.predict(raw)
    ger = raw[(raw["specialty"] == "Geriatria") & (dis.dt.year == 2015)]
    assert got["numerator"] == ger["y"].sum() and got["denominator"] == len(ger)
    assert got["expected"] == pytest.approx(ger["p"].sum(), rel=1e-6)
    assert got["oe"] == pytest.approx(ger["y"].sum() / ger["p"].sum(), rel=1e-6)
    assert got["adjusted"] == pytest.approx(got["oe"] * 100 * raw["y"].mean(), rel=1e-6)
    assert got["crude"] > 3 * 100 * raw["y"].mean() and 0.7 < got["oe"] < 1.3
    html = (d / "annual_evaluation.html").read_text()
    assert "Ajuste de risco" in html and "Estatística c" in html
    assert re.search(r"INT\d{6}", html)  # drill-down: the stays behind the numerators
    shown = cards(d / "scorecards", "html")
    assert len(shown) == 2 and all(re.search(r"INT\d{6}", c.read_text()) for c in shown)


def test_risk_study_reports_on_real_data(demo):
    """The medpar and azpro studies: every hospital reported (small ones flagged, not dropped), and the
    logistic model's expected deaths add up to the observed ones."""
    med = glued(demo / "medpar_az1991" / "1991" / "risk_adjustment.ipynb", "risk_study")
    died = pd.DataFrame(med["died"]["units"])
    assert len(died) == 54 and died["small"].sum() == 14
    assert died["expected"].sum() == pytest.approx(died["observed"].sum(), rel=1e-9)
    assert med["died"]["oe_total"] == pytest.approx(1.0, abs=1e-9)
    az = glued(demo / "azpro_az1991" / "1991" / "risk_adjustment.ipynb", "risk_study")
    units = pd.DataFrame(az["los"]["units"])
    assert units["n"].sum() == 3589
    coef = pd.DataFrame(az["los"]["coefficients"]).set_index("term")
    assert coef.loc["procedure", "ratio"] > 2  # CABG stays are more than twice as long as PTCA stays


def test_contract_design_report_agrees_with_the_library(demo, root):
    """The p4p_simulation report's numbers: both pools paid to the cent, every unit ranked, and its rank and
    payout intervals the ones gps_core.studies.design computes from the same params (same seed)."""
    from gps_core import params
    from gps_core.studies import design, evaluation

    g = glued(demo / "hospital_modelo" / "2015" / "p4p_simulation.ipynb", "design")
    costs = pd.DataFrame(g["costs"]).set_index("rule")
    assert costs.loc["Fundo por IP x altas", "total"] == costs.loc["Fundo por IP² x altas", "total"] == 150_000_000
    ranks = pd.DataFrame(g["ranks"])
    assert sorted(ranks["rank"]) == list(range(1, 33))
    assert (ranks["rank_p05"] <= ranks["median_rank"]).all() and (ranks["median_rank"] <= ranks["rank_p95"]).all()
    f = root / "params" / "hospital_modelo_2015_p4p.yaml"
    p = params.load(f)
    u = p.uncertainty
    ev = evaluation.run(p)
    dr = design.weight_draws(ev, u.draws, u.spread, tuple(u.policies), u.seed)
    assert design.rank_intervals(dr)["median_rank"].tolist() == ranks["median_rank"].tolist()
    pays = pd.DataFrame(g["pays"])
    mine = design.payout_intervals(ev, dr, p.candidates[0])
    assert mine["p_paid"].tolist() == pays["p_paid"].tolist() and mine["mean"].tolist() == pays["mean"].tolist()
    value = pd.DataFrame(g["value"])
    assert len(value) == 32 and value["hvs"].notna().all()


def test_capitation_report_pays_the_budget_and_beats_age_sex(demo):
    """The capitation report on the synthetic plan: the 2025 budget paid to the cent across the panels (global
    capitation, two specialty bundles and a 3 % value pool), the
    local two-part model ahead of age-sex and of CMS's US weights out of fold, and unbiased by decile."""
    g = glued(demo / "plano_modelo" / "2024-2025" / "capitation_model.ipynb", "capitation")
    streams = pd.DataFrame(g["streams"])
    assert g["total_paid"] == 30_000_000_00 == streams["total"].sum()
    # the global capitation per panel is what the panel table shows; bundles and the value pool come on top
    assert (
        streams["capitation"].sum()
        == sum(r["payment"] for r in g["panels"])
        == (30_000_000 - 2_760_000 - 900_000) * 100
    )
    assert {b["bundle"] for b in g["bundles"]} == {"Cardiologia", "Saúde mental"}
    comp = pd.DataFrame(g["comparison"]).set_index("method")
    assert comp.loc["two_part", "r2"] > comp.loc["cms", "r2"] > comp.loc["age_sex", "r2"]
    dec = pd.DataFrame(g["deciles"])
    assert len(dec) == 10 and dec["ratio"].between(0.9, 1.1).all()
    # the executive summary opens the report with the numbers above, as the finance team reads them (issue 15)
    page = (demo / "plano_modelo" / "2024-2025" / "capitation_model.html").read_text()
    summary = re.split(r"<h2[^>]*>Resumo", page)[1].split("<h2")[0]
    r2 = f"{100 * comp.loc['two_part', 'r2']:.1f}\u00a0%".replace(".", ",")  # the unit kept with its number
    assert "beneficiários</strong> são precificados para 2025" in summary and f"explica {r2}" in summary
    first = re.search(r"<h2[^>]*>Resumo", page).start()
    assert "R$\u00a030.000.000,00" in summary and first < re.search(r"<h2[^>]*>Codificação", page).start()


def test_synpuf_capitation_report_fits_2008_to_2009_and_monitors_2010(demo):
    """The capitation report on CMS's SynPUF beneficiaries (params/synpuf_2008.yaml): the 2009 budget paid
    to the cent by region; the local OLS ahead of the CMS comparator and of age-sex out of fold, within the
    published range of prospective models (METHODS 10: about 10-13 %); the profile standardized to 2008
    catches the 2010 break in the data (every condition's standardized ratio below 1)."""
    g = glued(demo / "synpuf" / "2008-2010" / "capitation_model.ipynb", "capitation")
    assert g["total_paid"] == 31_640_000_00 == sum(r["payment"] for r in g["panels"])
    assert g["bundles"] is None and g["streams"] is None  # a global capitation only
    comp = pd.DataFrame(g["comparison"]).set_index("method")
    assert comp.loc["ols", "r2"] > comp.loc["cms", "r2"] > comp.loc["age_sex", "r2"]
    assert 0.08 < comp.loc["ols", "r2"] < 0.25 and comp.loc["age_sex", "r2"] < 0.02
    st = pd.DataFrame(g["standardized"])
    assert (st[st["year"] == 2008]["isr"] == 1).all() and (st[st["year"] == 2010]["isr_upper"] < 1.06).all()
    assert (st[st["year"] == 2010]["isr"] < 1).all()
    mon = pd.DataFrame(g["monitor"])
    assert set(mon["year"]) == {2009, 2010} and mon["region"].nunique() == 5
    churn = pd.DataFrame(g["churn"]).set_index(["year", "group"])
    assert churn.loc[(2009, "joiners"), "mean_risk"] < churn.loc[(2009, "stayers"), "mean_risk"]


def test_benchmark_study_publishes_only_safe_cells_and_exports_them(demo):
    """The synthetic pool's study: every published cell has 5+ clients and no client above 25 %, every
    suppressed one is blank with its reason; the suggested bands are the median and best-decile mean of the
    published overall cells; the exported CSV holds the same cells and the PNGs are at 300 ppi."""
    from PIL import Image

    d = demo / "gps_pool" / "2024"
    g = glued(d / "benchmark_study.ipynb", "benchmark")
    cells = pd.DataFrame(g["cells"])
    pub = cells[cells["published"]]
    assert len(cells) == 45 * (1 + 3 + 3 + 5)  # indicators x (all + client types + sizes + regions)
    assert len(pub) > 0 and (pub["clients"] >= 5).all() and (pub["max_share"] <= 0.25).all()
    assert pub["p50"].notna().all() and not pub["events"].between(1, 10).any()
    sup = cells[~cells["published"]]
    assert sup["p50"].isna().all() and (sup["reason"] != "").all()
    # each reason is the rule it names: the client count stays visible, and no cell is hidden for nothing
    assert ((sup["reason"] == "fewer than 5 clients") == (cells.loc[sup.index, "clients"] < 5)).all()
    assert set(cells.loc[cells["indicator_id"].isin(["E02", "F07"]), "best_decile"].dropna()) == set()  # ranges
    allc = pub[pub["segment"] == "all"].set_index("indicator_id")
    bands = g["bands"]["bands"]
    # every indicator gets a band or a stated reason; a band only from a published overall cell
    assert set(bands) | set(g["bands"]["skipped"]) == set(cells["indicator_id"]) and set(bands) <= set(allc.index)
    for ind, b in bands.items():
        assert b["floor"] == round(allc.loc[ind, "p50"], 4) and b["target"] == round(allc.loc[ind, "best_decile"], 4)
    assert "F01" in g["bands"]["skipped"]  # best decile at 0: doctors without deaths
    ex = d / "benchmark_study_exports"
    csv = pd.read_csv(ex / "tables" / "benchmark_cells.csv", keep_default_na=False, na_values=[""])
    np.testing.assert_allclose(csv["p50"].to_numpy(float), cells["p50"].to_numpy(float), equal_nan=True)
    for name in g["exports"]:  # every file listed was written whole: CSVs parse with rows, images have bytes
        f = ex / name
        assert (len(pd.read_csv(f)) > 0) if f.suffix == ".csv" else f.stat().st_size > 1000, name
    png = Image.open(ex / "figures" / "funnel_F02_unit.png")
    assert round(png.info["dpi"][0]) == 300 and png.size[0] > 1000
    assert (ex / "figures" / "funnel_F02_unit.svg").read_text().startswith("<svg")
    assert yaml_bands(ex / "suggested_bands.yaml") == bands
    funnels = pd.DataFrame(g["funnels"]).set_index("funnel")
    assert funnels.loc["F01 In-hospital mortality", "units"] == 14  # one point per client
    # methods §8 (issue 15): a point is flagged only when its exact test agrees at the limit's level; F02's
    # low-count doctors (zero readmissions among them) lie below the arcsine limits, and are listed, not flagged
    pts = pd.read_csv(ex / "tables" / "funnel_points.csv").merge(
        funnels["limit"].rename_axis("funnel").reset_index(), on="funnel"
    )
    flagged = pts[pts["outlier"]]
    assert (flagged["p_exact"].isna() | (flagged["p_exact"] < 1 - flagged["limit"] / 100)).all()
    assert (pts["outlier"] <= pts["outside"]).all()
    f02 = pts[pts["funnel"].str.startswith("F02") & pts["outside"] & ~pts["outlier"]]
    assert len(f02) > 0 and (f02["value"] < f02["lower"]).all() and (f02["numerator"] == 0).any()
    assert funnels.filter(like="F02", axis=0)["unconfirmed"].sum() == len(f02)


def yaml_bands(path):
    import yaml

    return yaml.safe_load(path.read_text())["bands"]


def test_a_clients_benchmark_shows_only_its_own_units(demo):
    g = glued(demo / "hospital_boa_vista" / "2024" / "benchmark_study.ipynb", "benchmark")
    assert g["shown_points"] == g["shown_own"] and g["shown_points"]["F01"] > 100  # a medium client: 150 doctors
    pos = pd.DataFrame(g["own_position"]).set_index("indicator_id")
    assert pos.loc["F01", "units"] == g["shown_points"]["F01"]
    cells = pd.DataFrame(g["cells"]).query("segment == 'all'").set_index("indicator_id")
    pub = cells["published"]
    assert (pos.loc[pub[pub].index, "p50"] == cells.loc[pub[pub].index, "p50"]).all()
    html = (demo / "hospital_boa_vista" / "2024" / "benchmark_study.html").read_text()
    assert "Bandas ideais sugeridas" not in html and "Distribuições" in html  # no study-only sections


def test_real_data_benchmark_nhs_cells_and_hrrp_funnels(demo):
    """The NHS pool's overall 4-hour cell equals the percentiles computed with pandas from the raw file (all
    137 providers pass the 500-attendance minimum), and each HRRP condition's outliers equal the Poisson
    limits (phi < 1, so not widened) applied to CMS's file directly."""
    from scipy import stats as sps

    from gps_core.io import nhs_ae

    g = glued(demo / "nhs_cms_benchmark" / "FY2018-19" / "benchmark_study.ipynb", "benchmark")
    cells = pd.DataFrame(g["cells"]).set_index(["indicator_id", "segment", "group"])
    raw = nhs_ae.read(EXTERNAL / "nhs_ae_attendances_2016_2019.csv")
    raw = raw[(raw["type"] == "1") & (raw["period"] >= "2018-04-01") & (raw["period"] < "2019-04-01")]
    by = raw.groupby("org_code")[["attendances", "breaches"]].sum()
    by = by[by["attendances"] >= 500]
    v = 100 * (1 - by["breaches"] / by["attendances"])
    cell = cells.loc[("AE4H", "all", "all")]
    assert cell["published"] and cell["units"] == len(by) == 137
    np.testing.assert_allclose(cell[["p10", "p50", "p90"]].astype(float), np.quantile(v, [0.1, 0.5, 0.9]))
    assert np.isnan(cells.loc[("AECONV", "all", "all"), "best_decile"])  # a range indicator
    h = pd.read_csv(EXTERNAL / "cms_hrrp_fy2026_hospital.csv", dtype=str)
    hrrp = pd.DataFrame(g["hrrp"]).set_index("funnel")
    for cond, name in (("HF", "Heart failure"), ("HIP-KNEE", "Hip/knee replacement")):
        x = h[h["Measure Name"] == f"READM-30-{cond}-HRRP"]
        n = pd.to_numeric(x["Number of Discharges"], errors="coerce")
        o = n * pd.to_numeric(x["Predicted Readmission Rate"], errors="coerce") / 100
        e = n * pd.to_numeric(x["Expected Readmission Rate"], errors="coerce") / 100
        ok = o.notna() & e.notna() & pd.to_numeric(x["Excess Readmission Ratio"], errors="coerce").notna()
        o, e = o[ok].to_numpy(), e[ok].to_numpy()
        a = 0.001
        lo, hi = sps.chi2.ppf(a, 2 * e) / (2 * e), sps.chi2.ppf(1 - a, 2 * (e + 1)) / (2 * e)
        r = hrrp.loc[name]
        assert r["phi"] < 1 and not r["od_adjusted"] and r["units"] == len(e)
        assert (r["above"], r["below"]) == (int((o / e > hi).sum()), int((o / e < lo).sum()))
    # the A&E 4-hour funnel's extreme overdispersion is called out beside its "0 outside" (methods §8)
    nhs = pd.DataFrame(g["funnels"]).set_index("funnel")
    extreme = nhs[nhs["phi"] > 10]
    assert len(extreme) >= 1
    page = (demo / "nhs_cms_benchmark" / "FY2018-19" / "benchmark_study.html").read_text()
    assert page.count("this funnel does not test the units") == 2 * len(extreme)  # in the summary and by the chart


def test_a_failed_study_leaves_the_previous_report_and_exports_intact(demo, tmp_path):
    """A study that fails in its kernel (an O/E funnel on a pool without expected counts) replaces neither
    the report nor its exports folder."""
    d = demo / "nhs_cms_benchmark" / "FY2018-19"
    files = [d / "benchmark_study.html", *(d / "benchmark_study_exports").rglob("*.*")]
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    text = (ROOT / "params" / "pool_nhs_ae_2018_19.yaml").read_text()
    text = text.replace("../data/external", str(EXTERNAL)).replace("data_type: PR", "data_type: SR")
    params = tmp_path / "p.yaml"
    params.write_text(text)
    with pytest.raises(ReportError, match="expected counts"):
        run(Job("benchmark_study", str(params), str(demo), pdf=False))
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in before} == before
    assert len(list((d / "benchmark_study_exports").rglob("*.*"))) == len(before) - 1
    assert not list(demo.rglob(".tmp-*"))
