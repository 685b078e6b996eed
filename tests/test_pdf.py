"""PDFs from one headless Chromium kept open for a batch (issue 14: PDF from one browser)."""

import re
import subprocess

import pytest

from gps_core import pdf

from .conftest import need_chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAGE = """<!doctype html><html lang="pt-BR"><head><meta charset="utf-8">
<style>@page {{ size: A4; margin: 15mm 12mm 18mm; }}</style></head><body><h1>Relatório {n}</h1>{body}</body></html>"""


def text_of(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_one_browser_prints_many_files_with_the_client_and_page_numbers(tmp_path):
    """Three reports through one browser: each PDF has its own text, every page the client's name (escaped:
    it comes from params) and 'page / pages'; the browser process is the same for all three and is gone
    after the batch, with its profile folder."""
    need_chromium()
    if subprocess.run(["which", "pdftotext"], capture_output=True).returncode:
        pytest.skip("pdftotext (poppler-utils) not installed")
    files = []
    for n in range(3):
        html = tmp_path / f"r{n}.html"
        html.write_text(PAGE.format(n=n, body="<p style='height: 300mm'>x</p>" * (n + 1)), encoding="utf-8")
        files.append(html)
    with pdf.Browser() as b:
        pid = b.proc.pid
        for html in files:
            b.print(html, html.with_suffix(".pdf"), "Hospital <Modelo> & Cia")
            assert b.proc.pid == pid
        # one tab serves every print: the same address again (a report run twice) shows the file's new text
        files[0].write_text(PAGE.format(n="refeito", body=""), encoding="utf-8")
        b.print(files[0], tmp_path / "again.pdf", "Hospital")
        assert "Relatório refeito" in text_of(tmp_path / "again.pdf")
        profile = b.profile
    assert b.proc is None and not __import__("os").path.exists(profile)
    for n, html in enumerate(files):
        text = text_of(html.with_suffix(".pdf"))
        pages = text.count("\f")
        assert f"Relatório {n}" in text
        assert text.count("Hospital <Modelo> & Cia") == pages >= n + 1
        assert re.search(rf"\b1\s*/\s*{pages}\b", text) and re.search(rf"\b{pages}\s*/\s*{pages}\b", text)


def test_a_page_that_cannot_load_is_an_error_naming_it(tmp_path):
    need_chromium()
    with pdf.Browser(timeout=20) as b:
        b.print(tmp_path / "missing.html", tmp_path / "x.pdf")  # Chromium shows its error page: still a PDF
        assert (tmp_path / "x.pdf").read_bytes()[:5] == b"%PDF-"
        b.proc.kill()
        b.proc.wait()
        with pytest.raises(pdf.PdfError, match="Chromium"):
            b.print(tmp_path / "missing.html", tmp_path / "y.pdf")


def test_the_table_of_contents_gives_the_page_each_section_starts_on(tmp_path):
    """Sections of 1, 2 and 3 pages after a contents page: the contents list each with the page the PDF shows
    it on (checked against the text of every page), and the numbers take no page of their own."""
    need_chromium()
    if subprocess.run(["which", "pdftotext"], capture_output=True).returncode:
        pytest.skip("pdftotext (poppler-utils) not installed")
    from gps_core.views import page

    # the second heading wraps on the page: Chromium's outline drops the space at the wrap
    names = ["Resumo para o gestor", "Dimensões da qualidade " + "e variação de melhoria " * 4, "Anexo: fichas"]
    body = "".join(f"<h2 id='s{i}' style='break-before: page'>{t}</h2>" + "<p style='height: 240mm'>x</p>" * (i + 1)
                   for i, t in enumerate(names))  # fmt: skip
    body, toc = page.contents(body, "pt-BR")
    assert toc.count("<li>") == 3 and "Sumário" in toc
    plain, _ = page.contents("<h2>A</h2><p>x</p><h2 class='c'>B &amp; C</h2><h2>D</h2>", "en")  # ids added
    assert plain == '<h2 id="gps-s1">A</h2><p>x</p><h2 id="gps-s2" class=\'c\'>B &amp; C</h2><h2 id="gps-s3">D</h2>'
    assert page.contents("<h2>A</h2><h2>B</h2>", "en")[1] == ""  # two sections need no contents
    css = (pdf.Path(__file__).parents[1] / "gps_core/templates/offline/gps_offline.html.j2").read_text()
    style = re.search(r"(\.gps-toc \{.*?)/\* on paper", css, re.S).group(1)
    html = tmp_path / "r.html"
    html.write_text(PAGE.format(n=1, body=f"<style>{style}</style>{toc}{body}"), encoding="utf-8")
    with pdf.Browser() as b:
        b.print(html, tmp_path / "r.pdf", "Hospital Modelo")
    pages = text_of(tmp_path / "r.pdf").split("\f")
    starts = [next(k + 1 for k, p in enumerate(pages) if k > 0 and t[:20] in p) for t in names]
    assert starts == [2, 3, 5]  # the contents page is page 1
    toc = [line for line in pages[0].split("Sumário")[1].splitlines() if "Hospital Modelo" not in line]  # footer
    numbers = [int(m) for m in re.findall(r"(\d+)\s*$", "\n".join(toc), flags=re.M)]
    assert numbers == starts, pages[0][:600]
