"""Figures and tables of a report as files for papers: SVG and PNG at print resolution, CSV.

A notebook writes them under ``exports/`` in its working folder; ``report.run`` moves that folder beside the
report as ``<report>_exports/`` with the rest of the report, so a failed run leaves the previous exports
intact. Each file is written to a temporary name first and renamed, never left half-written.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

FOLDER = "exports"
PPI = 300  # print resolution; vl-convert scales the 72-ppi layout by ppi / 72
# A text cell that a spreadsheet would run as a formula (OWASP, "CSV Injection"): it starts with one of these.
# It is written with a leading apostrophe, which spreadsheets show as text; a plain number stays a number.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,150}$")


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters no spreadsheet cell may hold (XML 1.0)


def cell(value):
    """One value as a spreadsheet may safely open it: text starting like a formula gets a leading ``'``;
    control characters that a workbook cannot store become U+FFFD."""
    if isinstance(value, str):
        value = CONTROL.sub("\ufffd", value)
        if value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value.strip()):
            return "'" + value
    return value


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names cannot run as formulas in Excel, LibreOffice or
    Google Sheets (:func:`cell`); numeric columns are untouched, so negative numbers stay numbers."""
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            out[c] = np.array([cell(v) for v in s.to_numpy(dtype=object)], dtype=object)
    out.columns = [cell(str(c)) if isinstance(c, str) else c for c in out.columns]
    return out


def _name(name: str) -> str:
    """A file name from a report (an indicator id, a table's name): one plain component, never a path."""
    if not NAME.match(name) or set(name) == {"."}:
        raise ValueError(f"export name {name[:80]!r} is not a plain file name (letters, digits, '_', '-', '.')")
    return name


def _atomic(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # a failed write leaves no half file behind
    return path


def figure(chart, name: str, folder: str | Path = FOLDER, ppi: int = PPI) -> list[Path]:
    """``<folder>/figures/<name>.svg`` and ``.png`` (at ``ppi``) of an Altair chart, through vl-convert
    (offline: the chart's data is inline)."""
    import vl_convert as vlc

    spec = chart.to_dict()
    name = _name(name)
    out = Path(folder) / "figures"
    svg = _atomic(out / f"{name}.svg", vlc.vegalite_to_svg(spec).encode("utf-8"))
    png = _atomic(out / f"{name}.png", vlc.vegalite_to_png(spec, ppi=ppi))
    return [svg, png]


def table(df: pd.DataFrame, name: str, folder: str | Path = FOLDER) -> Path:
    """``<folder>/tables/<name>.csv``: UTF-8, comma-separated, '.' decimals, full precision, no index; text
    that a spreadsheet would run as a formula is neutralized (:func:`spreadsheet_safe`)."""
    # CRLF rows (RFC 4180): a field holding a bare CR is quoted too, so no reader splits a row at it
    data = spreadsheet_safe(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8")
    return _atomic(Path(folder) / "tables" / f"{_name(name)}.csv", data)


def text(content: str, name: str, folder: str | Path = FOLDER) -> Path:
    """``<folder>/<name>``: a text file (e.g. the suggested bands as a params fragment)."""
    return _atomic(Path(folder) / _name(name), content.encode("utf-8"))
