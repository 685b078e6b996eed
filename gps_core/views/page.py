"""Parts of every report's page: a result table as HTML, the provenance block and the cover."""

from __future__ import annotations

import html
import re
from datetime import date

import pandas as pd

from . import text as T
from .text import Lang

SHORT = 20  # rows of a table that print on one page, never split
TALL = 50  # rows of a table that fit a printed page with room to spare (one half of a two-up table)

# the printed page's width (A4 less 14 mm margins), the tables' print type and cell padding, and the key
# column's least width (30 mm) and the gap between the halves of a two-up table (6 mm), in points, as the
# template's print CSS sets them
PAGE, TYPE, PAD, KEY, GAP = 515.9, 7.5, 10.0, 85.0, 17.0

# a number as the views write it: sign, currency, digits with separators, a unit, an interval or a ratio after it
NUMBER = re.compile(
    r"^[<>≤≥]?\s?[+\-−]?\s?(?:R\$|US\$|£|€|\$)?\s?[+\-−]?\d[\d.,\u00a0\u202f]*(?:/\d[\d.,]*)*"
    r"(?:\s?(?:%|‰|pp|p\.p\.|x|×))?(?:\s?[(\[][^()\[\]]*[)\]])?$"
)


def advance(text: str) -> float:
    """Width of ``text`` in ems of DejaVu Sans, the reports' type (advance widths of its glyph classes)."""
    w = 0.0
    for ch in text:
        if ch in "iljI.,;:'|! ":
            w += 0.3
        elif ch in "ftr()[]/-":
            w += 0.38
        elif ch in "mwWM%—":
            w += 0.95
        elif ch.isupper():
            w += 0.72
        else:
            w += 0.63
    return w


def _pieces(text: str, number: bool) -> list[str]:
    """What a cell's text may not be broken within: a number with its unit and interval bounds, broken only
    before its interval and after the interval's semicolon; text at spaces, after a hyphen before a letter and
    after an en dash."""
    if number:
        return [x for x in re.split(r" (?=\()|(?<=;) ", text) if x]
    return [x for x in re.split(r"\s+|(?<=-)(?=[^\W\d])|(?<=[^\W_]-)(?=\d)|(?<=–)", text) if x]


def _least(cells: list[str], head: str, number: bool) -> float:
    """The narrowest a column can print, in points: its longest unbreakable piece, the header in bold."""
    body = max((max(map(advance, _pieces(c, number)), default=0) for c in cells), default=0)
    top = max(map(advance, _pieces(head, False)), default=0) * 1.13
    return max(body, top) * TYPE + PAD


def _blank(text: str) -> bool:
    """A cell with no value: a dash, or dashes in place of each part ('–/–/–')."""
    return not text.strip("–/ ")


def _cells(col: pd.Series) -> list[str]:
    """A column's cells as text (missing as a dash)."""

    def one(v) -> str:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return "–"
        return f"{v:g}" if isinstance(v, float) else str(v)

    return [one(v) for v in col.tolist()]


def _groups(widths: list[float], room: float) -> list[list[int]]:
    """Columns in groups that each fit ``room`` points, every group led by the first (key) column."""
    out: list[list[int]] = [[0]]
    used = widths[0]
    for i in range(1, len(widths)):
        if used + widths[i] > room and len(out[-1]) > 1:
            out.append([0])
            used = widths[0]
        out[-1].append(i)
        used += widths[i]
    return out


def to_html(df: pd.DataFrame, code: tuple[str, ...] = ()) -> str:
    """A result table as escaped HTML that prints whole: number columns right-aligned and kept with their unit
    (a number wraps only before its interval), the columns named in ``code`` (model formulas, column names of
    a source file) in code type.

    A table too wide for the printed page is split into groups of columns, one table after the other, each
    repeating the first column (the key: unit, indicator), so that no column is ever cut at the margin (issue
    15; a landscape page does not help: Chromium lays the whole document out at one width). Widths are
    estimated from the text in the reports' print type; the demo's PDF text test holds both PDF engines to
    the estimate. A long narrow table (a team's doctors, the alerts) prints in two halves side by side, top
    to bottom then left to right, when each half fits half the page and a page's height."""
    short = " gps-short" if len(df) <= SHORT else ""
    heads = [str(c) for c in df.columns]
    cols = [_cells(df[c]) for c in df.columns]
    number = [any(not _blank(x) for x in c) and all(_blank(x) or NUMBER.match(x) for x in c) for c in cols]
    widths = [_least(c, h, n) for c, h, n in zip(cols, heads, number, strict=True)]
    if not heads:
        return f"<table class='gps-table{short}'></table>"

    def cell(tag: str, j: int, text: str) -> str:
        kind = " class='num'" if number[j] else ""
        shown = html.escape(text)
        if number[j] and tag == "td" and not _blank(text) and (" " in text or "–" in text):
            # unbreakable pieces: '-1,2 %', '(0,1–2,3)'
            shown = " ".join(f"<span class='gps-nb'>{html.escape(x)}</span>" for x in _pieces(text, True))
        if tag == "td" and heads[j] in code and text != "–":
            shown = f"<code>{shown}</code>"
        return f"<{tag}{kind}>{shown}</{tag}>"

    def table(g: list[int], rows: range, kind: str) -> str:
        head = "".join(cell("th", j, heads[j]) for j in g)
        body = "".join("<tr>" + "".join(cell("td", j, cols[j][i]) for j in g) + "</tr>" for i in rows)
        return f"<table class='gps-table{kind}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    n = len(df)
    if SHORT < n <= 2 * TALL and 2 * sum(widths) + GAP <= PAGE:  # (the halves' key has no least width)
        half = -(-n // 2)
        every = list(range(len(heads)))
        halves = table(every, range(half), " gps-short") + table(every, range(half, n), " gps-short")
        return f"<div class='gps-twoup'>{halves}</div>"

    widths[0] = max(widths[0], KEY)  # the template gives the key column at least 30 mm
    groups = _groups(widths, PAGE) if sum(widths) > PAGE else [list(range(len(heads)))]
    return "".join(table(g, range(n), short) for g in groups)


def provenance_html(prov: dict, lang: Lang = "en") -> str:
    """The provenance block as a definition list in the report's language (software versions by name; file
    names, checksums, library warnings and the params as YAML verbatim, in code type)."""
    import yaml

    parts = ["<dl class='gps-prov'>"]
    for k in ("gps_core", "revision", "python", "pandas", "generated_utc", "small_denominators", "artefact"):
        if k not in prov:  # e.g. no artefact: computed in the notebook itself
            continue
        v = prov[k]
        if k == "small_denominators" and isinstance(v, dict):
            v = T.count_of(v["small"], v["values"], lang)
        shown = html.escape(str(v))
        shown = f"<code>{shown}</code>" if k in ("artefact", "revision") else shown  # hex keys, not words
        parts.append(f"<dt>{html.escape(T.label(k, lang))}</dt><dd>{shown}</dd>")
    for k in ("reference_tables", "inputs"):
        items = "".join(
            f"<li><code>{html.escape(' · '.join(str(v) for v in d.values()))}</code></li>" for d in prov.get(k, [])
        )
        parts.append(f"<dt>{T.label(k, lang)}</dt><dd><ul>{items}</ul></dd>")
    from .. import refdata

    known, other = refdata.sources(prov.get("inputs", []))
    said = [f"<li>{html.escape(e[lang])} {html.escape(T.label('licence', lang))}: "  # an SPDX-like identifier
            f"<code>{html.escape(e['licence'])}</code>.</li>" for e in known]  # fmt: skip
    if other:
        said.append(f"<li>{html.escape(T.say('client_files', lang, n=other))}</li>")
    if said:
        parts.append(f"<dt>{T.label('data_sources', lang)}</dt><dd><ul>{''.join(said)}</ul></dd>")
    warns = "".join(f"<li><code>{html.escape(w)}</code></li>" for w in prov.get("warnings", []))
    none = T.label("none", lang)
    parts.append(f"<dt>{T.label('warnings', lang)}</dt><dd><ul>{warns or f'<li>{none}</li>'}</ul></dd>")
    dump = yaml.safe_dump(prov["params"], sort_keys=False, allow_unicode=True)
    parts.append(f"<dt>{T.label('params', lang)}</dt><dd><pre>{html.escape(dump)}</pre></dd>")
    return "".join(parts) + "</dl>"


def provenance_line(prov: dict, lang: Lang = "en") -> str:
    """The provenance of a report in one line (the evaluation's artefact key, when it was computed, the
    software version), for a report whose full provenance lives in a shared annex."""

    def shown(k: str) -> str:
        v = html.escape(str(prov[k]))
        return f"<code>{v}</code>" if k in ("artefact", "revision") else v  # hex keys, not words

    keys = [k for k in ("artefact", "generated_utc", "gps_core", "revision") if k in prov]
    parts = [f"{html.escape(T.label(k, lang))}: {shown(k)}" for k in keys]
    return f"<p class='gps-prov-line'>{' · '.join(parts)} · {cite('scorecard', lang)}</p>"


# the sections of the methods document (docs/methods.md) each report rests on
METHODS = {
    "annual_evaluation": "§1–5, 7, 9, 10, 13, 14",
    "scorecard": "§1–3, 7, 10",
    "scorecard_annex": "§1, 2, 7, 10, 14",
    "p4p_simulation": "§1, 6, 9, 13, 14",
    "risk_adjustment": "§7–10, 14",
    "capitation_model": "§7, 11, 13, 14",
    "benchmark_study": "§2, 7, 8, 12, 14",
}


def cite(report: str, lang: Lang) -> str:
    """Where a report's methods are written, as HTML: the sections of the project's methods document
    (docs/methods.md, shipped with the version the provenance names), its path in code type (a file name,
    not words of the report's language)."""
    return T.say("cite_methods", lang, path="<code>docs/methods.md</code>", sections=METHODS.get(report, "§1"))


TITLES = {
    "annual_evaluation": "annual_title",
    "scorecard": "scorecard_title",
    "scorecard_annex": "scorecard_annex_title",
}


def title(params, report: str, unit: str | None = None) -> str:
    """The report's title line: its kind in the params' language, the unit of a scorecard, the client and the
    period (the HTML ``<title>``, which the PDF keeps as its document title)."""
    lang = params.language
    key = TITLES.get(report, f"{report}_title")
    parts = [T.label(key, lang) if key in T.LABELS else report, unit, params.client_name, params.period.name]
    return " · ".join(str(x) for x in parts if x)


MASTHEAD = frozenset({"scorecard"})  # reports of a few pages: the cover is the head of the first page


def cover(params, report: str, logo: str | None, unit: str | None = None, issued: date | None = None) -> str:
    """The cover page of a report in the params' language: the client's logo and colour (``style``, or the
    house style), the report's title, client, program, period, the unit of a scorecard, who prepared it and
    when. Every text from params is escaped. A scorecard's cover is a masthead over its first page rather
    than a page of its own (issue 15: a unit's scorecard in at most 4 pages)."""
    lang = params.language
    e = html.escape
    colour = params.style.colour
    first, last = params.period.first, params.period.last
    title = TITLES.get(report, f"{report}_title")
    lines = [
        f"<p class='gps-cover-kind'>{e(T.label(title, lang))}</p>" if title in T.LABELS else "",
        f"<p class='gps-cover-client'>{e(params.client_name)}</p>",
        f"<p class='gps-cover-program'>{e(getattr(params, 'program', '') or '')}</p>",
        f"<p class='gps-cover-unit'>{e(unit)}</p>" if unit else "",
        f"<p class='gps-cover-period'>{e(T.month(first, lang))} – {e(T.month(last, lang))}</p>",
    ]  # fmt: skip
    issued = issued or date.today()
    when = issued.strftime("%d/%m/%Y") if lang == "pt-BR" else issued.strftime("%d %B %Y").lstrip("0")
    by = params.style.consultancy
    foot = (f"{e(T.label('prepared_by', lang))} {e(by)} · " if by else "") + f"{e(T.label('issued', lang))} {when}"
    img = f"<img class='gps-cover-logo' alt='' src='{logo}'>" if logo else ""
    kind = "gps-cover gps-masthead" if report in MASTHEAD else "gps-cover"
    return (
        f"<section class='{kind}' style='--gps-colour: {colour}'><div class='gps-cover-band'></div>{img}"
        f"{''.join(lines)}<p class='gps-cover-foot'>{foot}</p></section>"
    )


def contents(body: str, lang: Lang) -> tuple[str, str]:
    """The page with an id on every section heading (``<h2>``, ``gps-s1``, ``gps-s2``, ... where it has none)
    and its table of contents: one line per section, linked to it, with an empty slot for its page number that
    the PDF printer fills (:meth:`gps_core.pdf.Browser.print`; WeasyPrint uses CSS ``target-counter``). The
    contents are empty for a page with fewer than three sections."""
    found: list[tuple[str, str]] = []

    def named(m: re.Match) -> str:
        attrs, text = m.group(1), m.group(2)
        have = re.search(r"""\bid=["']([^"']+)["']""", attrs)
        ident = have.group(1) if have else f"gps-s{len(found) + 1}"
        found.append((ident, re.sub(r"<[^>]+>", "", text).strip()))
        return m.group(0) if have else f'<h2 id="{ident}"{attrs}>{text}</h2>'

    body = re.sub(r"<h2\b([^>]*)>(.*?)</h2>", named, body, flags=re.S)
    if len(found) < 3:
        return body, ""
    lines = "".join(
        f"<li><a href='#{html.escape(i, quote=True)}'>{t}</a><span class='gps-toc-page'></span></li>" for i, t in found
    )
    head = f"<h2 class='gps-toc-title'>{html.escape(T.label('contents', lang))}</h2>"
    return body, f"<nav class='gps-toc'>{head}<ol>{lines}</ol></nav>"
