"""Parts of every report's page: a result table as HTML, the provenance block and the cover."""

from __future__ import annotations

import html
from datetime import date

import pandas as pd

from . import text as T
from .text import Lang

SHORT = 20  # rows of a table that print on one page, never split


def to_html(df: pd.DataFrame, code: tuple[str, ...] = ()) -> str:
    """A plain HTML table (escaped), without the index; the columns named in ``code`` (model formulas, column
    names of a source file) in code type, as machine text rather than words."""
    # a short table is kept on one page in print; a long one breaks between rows, its header repeated
    classes = "gps-table" + (" gps-short" if len(df) <= SHORT else "")
    if not code:
        return df.to_html(index=False, escape=True, border=0, classes=classes, na_rep="–")

    def plain(v) -> str:
        return "–" if pd.isna(v) else html.escape(str(v))

    def machine(v) -> str:
        return "–" if pd.isna(v) else f"<code>{html.escape(str(v))}</code>"

    # escape=False also leaves the header as it is: escape the names (a rule's or unit's name comes from params)
    safe = df.rename(columns=lambda c: html.escape(str(c)))
    cols = {html.escape(str(c)): machine if c in code else plain for c in df.columns}
    return safe.to_html(index=False, escape=False, border=0, classes=classes, na_rep="–", formatters=cols)


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
    return f"<p class='gps-prov-line'>{' · '.join(parts)}</p>"


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


def cover(params, report: str, logo: str | None, unit: str | None = None, issued: date | None = None) -> str:
    """The cover page of a report in the params' language: the client's logo and colour (``style``, or the
    house style), the report's title, client, program, period, the unit of a scorecard, who prepared it and
    when. Every text from params is escaped."""
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
    return (
        f"<section class='gps-cover' style='--gps-colour: {colour}'><div class='gps-cover-band'></div>{img}"
        f"{''.join(lines)}<p class='gps-cover-foot'>{foot}</p></section>"
    )


def contents(body: str, lang: Lang) -> tuple[str, str]:
    """The page with an id on every section heading (``<h2>``, ``gps-s1``, ``gps-s2``, ... where it has none)
    and its table of contents: one line per section, linked to it, with an empty slot for its page number that
    the PDF printer fills (:meth:`gps_core.pdf.Browser.print`; WeasyPrint uses CSS ``target-counter``). The
    contents are empty for a page with fewer than three sections."""
    import re

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
