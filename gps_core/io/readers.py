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

import numpy as np
import pandas as pd

from ..errors import InputError

SEPARATORS = (";", ",", "\t", "|")
SAMPLE = 1 << 16
MAX_SHOWN = 60  # characters of a cell echoed in a message: a message never carries an unbounded value
# A number as a person writes it with each decimal mark. With ',' the '.' may only group thousands
# (1.234.567,89); with '.' a ',' is refused: "1,234" is 1234 to one reader and 1.234 to another.
NUMBER = {
    ",": re.compile(r"^[+-]?((\d{1,3}(\.\d{3})+|\d+)(,\d*)?|,\d+)([eE][+-]?\d+)?$"),
    ".": re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"),
}
# cells that only one decimal mark reads as a fraction: "12,5" (comma) and "12.5" (point, not 3 digits after)
TELLS = {
    ",": re.compile(r"^[+-]?\d+,\d+$|^[+-]?\d{1,3}(\.\d{3})+,\d+$"),
    ".": re.compile(r"^[+-]?\d+\.(\d{1,2}|\d{4,})$"),
}
NOT_FINITE = re.compile(r"^[+-]?(inf|infinity|nan|n/a)$", re.I)


def shown(value, limit: int = MAX_SHOWN) -> str:
    """``repr`` of a value for a message, cut to ``limit`` characters (a cell can hold megabytes)."""
    if isinstance(value, np.generic):
        value = value.item()  # -1, not np.int64(-1)
    r = repr(value)
    return r if len(r) <= limit else f"{r[: limit - 12]}... ({len(r)} characters)"


class Lines:
    """The source line of each row, read one at a time (``lines[i]``) when a message needs it: a table of
    millions of rows is not given a second column of line numbers only to report a handful."""

    def __init__(self, recorded, n: int, first: int) -> None:
        self.recorded, self.n, self.first = recorded, n, first

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        if not -self.n <= i < self.n:
            raise IndexError(f"row {i} of {self.n}")
        return int(self.recorded[i]) if self.recorded is not None else int(i % self.n) + self.first


def lines_of(df: pd.DataFrame, first: int = 2) -> Lines:
    """The line of the source file each row came from: what the reader recorded in ``attrs['lines']`` (a CSV
    with a ``sep=`` first line or blank lines, XML), else header on line 1 and one row per line."""
    lines = df.attrs.get("lines")
    recorded = np.asarray(lines) if lines is not None and len(lines) == len(df) else None
    return Lines(recorded, len(df), first)


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


def _where(raw: bytes, start: int) -> str:
    """'line L (byte B of the line)' of an offset in a file's bytes."""
    line = raw.count(b"\n", 0, start) + 1
    col = start - (raw.rfind(b"\n", 0, start) + 1) + 1
    return f"line {line}, byte {col} of the line (0x{raw[start]:02x})"


def decode(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """The whole text of a file and its encoding: UTF-8 (with or without BOM) if every byte decodes, else
    latin-1 when the encoding is not given.

    Raises
    ------
    InputError
        The given encoding fails, or a file with UTF-8 characters beyond ASCII has a later byte that is not
        UTF-8: the message names the real line and byte of the first one.
    """
    raw = path.read_bytes()
    if encoding is None:
        try:
            return raw.decode("utf-8-sig"), ("utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8")
        except UnicodeDecodeError as e:
            # UTF-8 is only evidenced by a character beyond ASCII before the first bad byte: a latin-1 export
            # whose first accent comes late (after thousands of plain lines) is latin-1, not mixed
            if raw[: e.start].isascii():
                return raw.decode("latin-1"), "latin-1"
            raise InputError(
                [
                    f"{_where(raw, e.start)}: not UTF-8, although the file is UTF-8 before it: the export mixes "
                    "encodings; re-export it in one encoding, or set 'encoding' (e.g. latin-1) to read it all as one"
                ],
                str(path),
            ) from None
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError([f"unknown encoding {shown(encoding)}; use e.g. utf-8 or latin-1"], str(path)) from None
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError as e:
        raise InputError(
            [
                f"{_where(raw, e.start)}: cannot be read as {encoding} ({e.reason}); set 'encoding' (latin-1 for many "
                "Brazilian exports) or re-export the file"
            ],  # fmt: skip
            str(path),
        ) from None


def detect_decimal(df: pd.DataFrame, head: int = 5000) -> str:
    """The decimal mark of a table of text cells: the mark that more distinct cells can only be read with
    (``12,5`` against ``12.5``; ``1.234`` tells nothing); ``.`` when none tells. The first ``head`` rows
    decide when they tell anything, else the whole table; a later row with the other mark is refused by
    :func:`parse_numbers` with its line."""
    if len(df) > head:
        mark = _votes(df.head(head))
        if mark is not None:
            return mark
    return _votes(df) or "."


def _votes(df: pd.DataFrame) -> str | None:
    votes = {",": 0, ".": 0}
    for c in df.columns:
        s = df[c]
        u = s.cat.categories if isinstance(s.dtype, pd.CategoricalDtype) else pd.unique(s.to_numpy(dtype=object))
        u = pd.Series([x for x in u if isinstance(x, str) and ("," in x or "." in x)], dtype=object).str.strip()
        for mark, rx in TELLS.items():
            votes[mark] += int(u.str.match(rx).sum())
    if votes[","] == votes["."] == 0:
        return None
    return "," if votes[","] > votes["."] else "."


@dataclass(frozen=True)
class Refused:
    """The rows of a column refused as numbers and why, kept sparse: a clean column of millions of rows costs
    two empty arrays. ``refused[i]`` is the reason for row ``i``, or ``None`` when the row was taken."""

    rows: np.ndarray  # positions of the refused rows, ascending
    reasons: np.ndarray  # why each was refused (object: text)

    def __getitem__(self, i: int) -> str | None:
        k = int(np.searchsorted(self.rows, i))
        return self.reasons[k] if k < len(self.rows) and self.rows[k] == i else None

    def __len__(self) -> int:
        return len(self.rows)

    def mask(self, n: int) -> np.ndarray:
        """The refused rows as a boolean mask over the column's ``n`` rows."""
        m = np.zeros(n, dtype=bool)
        m[self.rows] = True
        return m


def parse_numbers(s: pd.Series, decimal: str = ".") -> tuple[np.ndarray, Refused]:
    """Numbers of a column read as text (or already typed, from Excel or Parquet) with the file's decimal mark.

    Returns
    -------
    (values, problems)
        ``values`` as float (NaN where blank or refused); ``problems`` the refused rows (:class:`Refused`)
        and why each is refused: not a number, not finite (``inf``, ``NaN`` written out, an overflow), or
        a decimal mark that contradicts the file's. Blank cells are not refused.

    Notes
    -----
    Each distinct value is parsed once, with vectorized string operations over the distinct values.
    """
    if pd.api.types.is_bool_dtype(s):
        s = s.astype(object)
    if pd.api.types.is_numeric_dtype(s):
        # Floats are taken as they are (no copy: nothing writes into them); other numbers become floats.
        v = s.to_numpy() if s.dtype == np.float64 else s.to_numpy(dtype=float, na_value=np.nan)
        rows = np.flatnonzero(np.isinf(v))
        return v, Refused(rows, np.full(len(rows), "is not a finite number", dtype=object))
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    u = np.asarray(uniq, dtype=object)
    vals = np.full(len(u), np.nan)
    why = np.full(len(u), None, dtype=object)
    is_text = np.fromiter((isinstance(x, str) for x in u), bool, len(u))
    typed = np.flatnonzero(~is_text)
    for k in typed:  # numbers an Excel sheet typed itself (few distinct values): taken as they are
        x = u[k]
        if isinstance(x, bool | np.bool_) or not isinstance(x, int | float | np.number):
            why[k] = "is not a number"
        elif np.isfinite(float(x)):
            vals[k] = float(x)
        else:
            why[k] = "is not a finite number"
    if is_text.any():
        idx = np.flatnonzero(is_text)
        t = pd.Series(u[idx], dtype=object).str.strip().str.replace(r"[\s\u00a0]", "", regex=True)
        blank = (t == "").to_numpy()
        ok = t.str.match(NUMBER[decimal]).to_numpy(dtype=bool) & ~blank
        clean = t[ok].str.replace(".", "", regex=False).str.replace(",", ".", regex=False) if decimal == "," else t[ok]
        with np.errstate(over="ignore"):
            x = pd.to_numeric(clean, errors="coerce").to_numpy(dtype=float)
        fin = np.isfinite(x)
        vals[idx[ok][fin]] = x[fin]
        why[idx[ok][~fin]] = "is not a finite number (it overflows)"
        rest = ~ok & ~blank
        other = "." if decimal == "," else ","
        inf = t.str.match(NOT_FINITE).to_numpy(dtype=bool) & rest
        mark = t.str.match(NUMBER[other]).to_numpy(dtype=bool) & t.str.contains(other, regex=False).to_numpy(bool)
        mark &= rest & ~inf
        why[idx[inf]] = "is not a finite number"
        why[idx[mark]] = (f"uses {other!r} as decimal mark but this file's is {decimal!r} (e.g. "
                          f"{'1.234,5' if decimal == ',' else '1234.5'}); fix the row, or set 'decimal' if the whole "
                          "file uses the other mark")  # fmt: skip
        why[idx[rest & ~inf & ~mark]] = "is not a number"
    # One more entry at the end of each per-value array answers for code -1 (a blank cell).
    v = np.append(vals, np.nan)[codes]
    wrong = np.append(~np.equal(why, None), False)
    rows = np.flatnonzero(wrong[codes])
    return v, Refused(rows, why[codes[rows]])


def _header(text: str) -> tuple[str, int]:
    """Text without a spreadsheet's ``sep=;`` hint line, and how many lines were removed."""
    first, _, rest = text.partition("\n")
    if re.fullmatch(r"\s*\"?sep=.\"?\s*", first, flags=re.I):
        return rest, 1
    return text, 0


def _sniff(path: Path, sep, decimal, encoding) -> tuple[Dialect, str, int]:
    """The dialect, the header line and how many lines precede it (a ``sep=`` hint). The whole file is
    decoded once here, so an undecodable byte is named at its line before pandas reads anything."""
    text, encoding = decode(path, encoding)
    body, hint = _header(text[: SAMPLE * 4])
    if hint and sep is None:
        sep = text.split("\n", 1)[0].strip().strip('"')[4:5]
    lines = [ln for ln in body.splitlines() if ln.strip()][:200]
    if not lines:
        raise InputError(["the file is empty: no header and no rows; export the table again"], str(path))
    if sep is None:
        sep = max(SEPARATORS, key=lambda s: lines[0].count(s))
        if lines[0].count(sep) == 0:
            sep = ","
    first = body.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    lead = len(body) - len(body.lstrip("\r\n"))  # blank lines above the header
    return Dialect("csv", sep, decimal or ".", encoding), first, hint + body[:lead].count("\n")


def sniff(path: Path, sep: str | None = None, decimal: str | None = None, encoding: str | None = None) -> Dialect:
    """Detect the encoding and separator of a CSV (the decimal mark is detected over the whole table by
    :func:`read_table`). A spreadsheet's ``sep=;`` first line is taken as the separator."""
    return _sniff(path, sep, decimal, encoding)[0]


def _duplicates(columns, path: Path, line: int = 1) -> None:
    seen: dict[str, int] = {}
    problems = []
    for i, c in enumerate(columns, start=1):
        key = str(c).strip().lower()
        if key in seen:
            problems.append(
                f"line {line}: column {shown(str(c).strip())} appears twice (columns {seen[key]} and {i}); "
                "each column needs its own name"
            )
        seen.setdefault(key, i)
    if problems:
        raise InputError(problems, str(path))


def _csv(p: Path, sep, decimal, encoding) -> tuple[pd.DataFrame, Dialect]:
    import csv

    d, first, skipped = _sniff(p, sep, decimal, encoding)
    if len(d.sep) != 1:
        raise InputError([f"separator {shown(d.sep)} must be one character"], str(p))
    header = next(csv.reader([first], delimiter=d.sep), [])
    _duplicates(header, p, 1 + skipped)
    try:  # pandas reads the file itself (several times faster than from a decoded string)
        df = pd.read_csv(p, sep=d.sep, encoding=d.encoding, dtype=object, keep_default_na=False, na_values=[""],
                         skiprows=skipped, skip_blank_lines=False)  # fmt: skip
    except (pd.errors.ParserError, csv.Error) as e:
        m = re.search(r"line (\d+)", str(e))
        at = f"line {int(m.group(1)) + skipped}: " if m else ""
        raise InputError(
            [
                f"{at}not a regular table with separator {d.sep!r}: {str(e).split(chr(10))[0][:200]}; check quotes and "
                "the number of fields on that line"
            ],  # fmt: skip
            str(p),
        ) from None
    except pd.errors.EmptyDataError:
        raise InputError(["the file is empty: no header and no rows; export the table again"], str(p)) from None
    df.columns = [str(c).strip() for c in df.columns]
    blank = df.iloc[:, 0].isna().to_numpy().copy()  # a blank line is empty in every column: the first one says who
    if blank.any():
        blank[blank] = df[blank].isna().all(axis=1).to_numpy()
    lines = np.arange(len(df)) + 2 + skipped
    if blank.any():  # blank lines are skipped, and every other row keeps its real line
        df, lines = df[~blank].reset_index(drop=True), lines[~blank]
    d = Dialect("csv", d.sep, decimal or detect_decimal(df), d.encoding)
    df.attrs["lines"] = lines
    return df, d


SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet", ".xml")


def _excel(p: Path, sheet: str | None) -> tuple[pd.DataFrame, Dialect]:
    import zipfile

    from python_calamine import CalamineError

    try:  # calamine (Rust) parses a sheet about 10x faster than openpyxl, and each sheet is parsed once
        book = pd.ExcelFile(p, engine="calamine")
        name = sheet if sheet is not None else book.sheet_names[0]
        if name not in book.sheet_names:
            raise InputError(
                [f"no sheet named {shown(name)}; the workbook has {book.sheet_names}: set 'sheet'"], str(p)
            )
        grid = pd.read_excel(book, sheet_name=name, header=None, dtype=object)
    except InputError:
        raise
    except (CalamineError, zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError) as e:
        raise InputError(
            [
                f"cannot be read as an Excel workbook ({type(e).__name__}: {str(e)[:120]}): the file is damaged or "
                "truncated, or not really .xlsx; save it again from the spreadsheet"
            ],  # fmt: skip
            str(p),
        ) from None
    if grid.empty:
        raise InputError([f"sheet {name!r} is empty: no header and no rows"], str(p))
    # the first row is the header, read from the same parse (pandas would rename a repeated name x.1)
    head = grid.iloc[0].tolist()
    _duplicates([c for c in head if not pd.isna(c)], p)
    df = grid.iloc[1:].reset_index(drop=True)
    df.columns = [f"Unnamed: {i}" if pd.isna(c) else str(c).strip() for i, c in enumerate(head)]
    blank = df.isna().all(axis=1).to_numpy()
    lines = np.arange(len(df)) + 2
    df, lines = df[~blank].reset_index(drop=True), lines[~blank]
    df.attrs["lines"] = lines
    return df, Dialect("excel", sheet=name)


def _parquet(p: Path) -> tuple[pd.DataFrame, Dialect]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(p).names
        _duplicates(names, p)
        df = pq.read_table(p).to_pandas()
    except InputError:
        raise
    except (pa.ArrowException, OSError, ValueError) as e:
        raise InputError(
            [
                f"cannot be read as Parquet ({type(e).__name__}: {str(e)[:120]}): the file is damaged or truncated; "
                "export it again"
            ],  # fmt: skip
            str(p),
        ) from None
    df.attrs["lines"] = np.arange(len(df)) + 1  # Parquet has no header line: row 1 is the first record
    return df, Dialect("parquet")


def read_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
) -> tuple[pd.DataFrame, Dialect]:
    """Read a CSV/TXT, Excel (``.xlsx``, ``.xlsm``), Parquet or XML file.

    Returns
    -------
    (table, dialect)
        CSV columns as text (numbers keep their decimal mark: convert with :func:`parse_numbers` and
        ``dialect.decimal``, which is also in ``table.attrs['decimal']``); ``table.attrs['lines']`` holds the
        source line of every row (header = line 1; blank lines and a ``sep=`` line are skipped and counted).

    Raises
    ------
    InputError
        File missing or a folder, empty or header-only, damaged (truncated Excel or Parquet, malformed XML),
        undecodable (with the real line and byte), one column only (wrong separator), a column name twice, or
        an Excel sheet that does not exist (the message lists the sheets).
    """
    p = Path(path)
    if p.is_dir():
        raise InputError(["is a folder, not a file; give the file's path"], str(p))
    if not p.is_file():
        raise InputError(["file not found; check the path (in params, relative to the params file)"], str(p))
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError([f"unknown file type {shown(suffix)}; use {', '.join(SUFFIXES)}"], str(p))
    if p.stat().st_size == 0:
        raise InputError(["the file is empty (0 bytes); export the table again"], str(p))
    if suffix in (".xlsx", ".xlsm"):
        df, d = _excel(p, sheet)
    elif suffix == ".parquet":
        df, d = _parquet(p)
    elif suffix == ".xml":
        df = read_xml(p)
        d = Dialect("xml", decimal=decimal or detect_decimal(df))
    else:
        df, d = _csv(p, sep, decimal, encoding)
        if df.shape[1] == 1:
            others = [s for s in SEPARATORS if s != d.sep and s in df.columns[0]]
            hint = f"; the header looks separated by {others[0]!r}: set 'sep: \"{others[0]}\"'" if others else ""
            raise InputError([f"line 1: only one column found with separator {d.sep!r}{hint}"], str(p))
    if d.format != "csv" and decimal is not None:
        d = Dialect(d.format, d.sep, decimal, d.encoding, d.sheet)
    if len(df) == 0:
        raise InputError(["the header has no rows under it; export the table with its data"], str(p))
    df.attrs["decimal"] = d.decimal
    df.attrs["source"] = str(p)
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

    raw = path.read_bytes()
    m = re.search(rb"<!(DOCTYPE|ENTITY)", raw, flags=re.I)
    if m:  # a data file needs no DTD; entities are how XXE and "billion laughs" get in
        line = raw.count(b"\n", 0, m.start()) + 1
        raise InputError(
            [
                f"line {line}: a DTD or entity declaration (<!{m.group(1).decode().upper()}); data files may not "
                "declare entities: export the records without a DOCTYPE"
            ],  # fmt: skip
            str(path),
        )
    rows, lines, tags = [], [], set()
    try:
        for _, el in etree.iterparse(
            str(path), events=("end",), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        ):
            parent = el.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # only the children of the root are records
            tag = etree.QName(el).localname
            tags.add(tag)
            rec = {ID_FIELDS.get(tag, "id") if k == "id" else k: v for k, v in el.attrib.items()}
            for child in el:
                if isinstance(child.tag, str):
                    field = etree.QName(child).localname
                    if field in rec:
                        why = f"field {shown(field)} twice in the record of line {el.sourceline}; once per record"
                        raise InputError([f"line {child.sourceline}: {why}"], str(path))
                    rec[field] = (child.text or "").strip() or None
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
        raise InputError(
            [f"records of different kinds {[shown(t) for t in sorted(tags)][:5]} under the root; one kind per file"],
            str(path),
        )
    if not rows:
        raise InputError(["no records: the root element has no children"], str(path))
    df = pd.DataFrame(rows, dtype=object)
    df.attrs["lines"] = lines
    return df
