"""Read client files as text tables: CSV (detected dialect, Brazilian exports included), Excel, Parquet, XML.

Types are not guessed here: every column comes back as text (Excel and Parquet keep their own types) and
the schema contracts convert and check them with line numbers. What was detected is returned, so a report
can say how a file was read.

Brazilian exports are common: ``;`` separator, ``,`` decimal, ``.`` thousands, latin-1 (Windows-1252)
encoding and ``dd/mm/yyyy`` dates. Detection: UTF-8 if the bytes decode, else latin-1; the separator most
frequent in the header among ``;``, ``,``, tab and ``|``; a decimal comma when ``;``-separated values look
like ``1.234,5``. Anything detected can be overridden.

XML layout (one record per child of the root; fields as child elements or attributes named as the contract
columns; the source line of each record is kept for error messages)::

    <encounters>
      <encounter id="E0001">                      <!-- "id" is read as the contract's <record>_id -->
        <patient_id>P123</patient_id>
        <admission>2015-03-02</admission>  <discharge>2015-03-06</discharge>
        <doctor_id>D017</doctor_id>  <specialty>Cardiologia</specialty>
        <diagnosis>I21.0</diagnosis>  <procedure>0406030030</procedure>
        <discharge_status>alta</discharge_status>  <admission_type>urgência</admission_type>
        <age>67</age>  <sex>F</sex>  <cost>12345.67</cost>
      </encounter>
    </encounters>

``<surgeries><surgery id=...>`` and ``<answers><answer id=...>`` work the same way (``surgery_id``,
``response_id``). Exchange standards such as ANS TISS are flattened to this layout by the client's ETL.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputError

SEPARATORS = (";", ",", "\t", "|")
COMMA_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d+$|^-?\d+,\d+$")
SAMPLE = 1 << 16


@dataclass(frozen=True)
class Dialect:
    """How a file was read."""

    format: str
    sep: str | None = None
    decimal: str = "."
    encoding: str | None = None
    sheet: str | None = None

    def describe(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def sniff(path: Path, sep: str | None = None, decimal: str | None = None, encoding: str | None = None) -> Dialect:
    """Detect the encoding, separator and decimal mark of a CSV from its first 64 KiB."""
    raw = path.read_bytes()[:SAMPLE]
    if encoding is None:
        try:  # an incremental decoder does not fail on a character cut at the end of the sample
            text = codecs.getincrementaldecoder("utf-8-sig")().decode(raw, final=False)
            encoding = "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8"
        except UnicodeDecodeError:
            encoding = "latin-1"
            text = raw.decode("latin-1")
    else:
        text = raw.decode(encoding, errors="replace")
    lines = [ln for ln in text.splitlines() if ln.strip()][:200]
    if not lines:
        raise InputError(["the file is empty"], str(path))
    if sep is None:
        sep = max(SEPARATORS, key=lambda s: lines[0].count(s))
        if lines[0].count(sep) == 0:
            sep = ","
    if decimal is None:
        cells = [c.strip().strip('"') for ln in lines[1:] for c in ln.split(sep)]
        decimal = "," if sep != "," and any(COMMA_NUMBER.match(c) for c in cells) else "."
    return Dialect("csv", sep, decimal, encoding)


def read_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
) -> tuple[pd.DataFrame, Dialect]:
    """Read a CSV/TXT, Excel (``.xlsx``, ``.xlsm``) or Parquet file.

    Returns
    -------
    (table, dialect)
        CSV columns as text (numbers keep their decimal mark: convert with :func:`to_number`).

    Raises
    ------
    InputError
        File missing, unreadable in the given encoding, one column only (wrong separator), or an Excel
        sheet that does not exist (the message lists the sheets).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(["file not found; check the path (in params, relative to the params file)"], str(p))
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        book = pd.ExcelFile(p, engine="openpyxl")
        name = sheet if sheet is not None else book.sheet_names[0]
        if name not in book.sheet_names:
            raise InputError([f"no sheet named '{name}'; the workbook has {book.sheet_names}: set 'sheet'"], str(p))
        return pd.read_excel(book, sheet_name=name, dtype=object), Dialect("excel", sheet=name)
    if suffix == ".parquet":
        return pd.read_parquet(p), Dialect("parquet")
    if suffix == ".xml":
        return read_xml(p), Dialect("xml")
    if suffix not in (".csv", ".txt", ".tsv"):
        raise InputError(
            [f"unknown file type '{suffix}'; use .csv, .txt, .tsv, .xlsx, .xlsm, .parquet or .xml"], str(p)
        )
    d = sniff(p, sep, decimal, encoding)
    try:
        df = pd.read_csv(p, sep=d.sep, encoding=d.encoding, dtype=str, keep_default_na=False, na_values=[""])
    except UnicodeDecodeError as e:
        raise InputError(
            [
                f"cannot be read as {d.encoding} ({e.reason} at byte {e.start}); set 'encoding' "
                "(latin-1 for many Brazilian exports)"
            ],
            str(p),
        ) from None
    except pd.errors.ParserError as e:
        raise InputError([f"not a regular table with separator {d.sep!r}: {e}"], str(p)) from None
    if df.shape[1] == 1:
        others = [s for s in SEPARATORS if s != d.sep and s in df.columns[0]]
        hint = f"; the header looks separated by {others[0]!r}: set 'sep: \"{others[0]}\"'" if others else ""
        raise InputError([f"only one column found with separator {d.sep!r}{hint}"], str(p))
    return df, d


ID_FIELDS = {"encounter": "encounter_id", "surgery": "surgery_id", "answer": "response_id"}


def read_xml(path: Path) -> pd.DataFrame:
    """Records of an XML file in the documented layout, as text columns; ``attrs["lines"]`` holds the
    source line of each record.

    Raises
    ------
    InputError
        Malformed XML (with its line), or records of more than one element name.
    """
    from lxml import etree

    rows, lines, tags = [], [], set()
    try:
        for _, el in etree.iterparse(str(path), events=("end",)):
            parent = el.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # only the children of the root are records
            tag = etree.QName(el).localname
            tags.add(tag)
            rec = {ID_FIELDS.get(tag, "id") if k == "id" else k: v for k, v in el.attrib.items()}
            for child in el:
                if isinstance(child.tag, str):
                    rec[etree.QName(child).localname] = (child.text or "").strip() or None
            rows.append(rec)
            lines.append(el.sourceline)
            el.clear()  # constant memory on large extracts
            while el.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as e:
        raise InputError(
            [f"line {e.lineno}: not well-formed XML: {e.msg}; fix the file or re-export it"], str(path)
        ) from None
    if len(tags) > 1:
        raise InputError([f"records of different kinds {sorted(tags)} under the root; one kind per file"], str(path))
    if not rows:
        raise InputError(["no records: the root element has no children"], str(path))
    df = pd.DataFrame(rows, dtype=object)
    df.attrs["lines"] = lines
    return df


def to_number(s: pd.Series, decimal: str = ".") -> pd.Series:
    """Text numbers to float text-safely: ``1.234,5`` -> 1234.5 with a decimal comma; others unchanged
    (unparseable text stays text, for the schema to report with its line)."""
    if decimal == "." or pd.api.types.is_numeric_dtype(s):
        return s
    t = s.astype("string")
    looks = t.str.match(r"^\s*-?[\d.]*,?\d*\s*$").fillna(False)
    fixed = t.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return t.where(~looks, fixed)
