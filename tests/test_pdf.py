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
