"""The controlled vocabulary of the text the pool keeps (METHODS 11): specialty, unit type and the client's
segment (type, size, region).

A pooled table keeps only coded or controlled values. Free text is where a shifted export smuggles a
patient's name into a column that is kept ("Maria da Silva" under ``specialty``), so every kept text value
must be a term of the vocabulary, matched without regard to case, accents or spacing and stored in its
canonical spelling (which also makes "cardiologia" and "Cardiologia" one benchmark cell). The shipped
vocabulary is reference data (``vocabulary_<year>.csv``, in the manifest); a consultancy adds its own terms
with a CSV of the same columns (``field,term``), e.g. ``gps pool ingest --vocabulary terms.csv``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import refdata
from ..errors import InputError
from ..io.readers import read_table, shown

TABLE = "vocabulary_2024.csv"
FIELDS = ("specialty", "unit_type", "client_type", "size", "region")


def plain(text: str) -> str:
    """Accent-free, case-folded, single-spaced: the form terms are matched in."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"\s+", " ", s).strip()


@cache
def _shipped() -> pd.DataFrame:
    return pd.read_csv(refdata.path(TABLE), dtype=str, keep_default_na=False)


def terms(extra: str | Path | None = None) -> dict[str, dict[str, str]]:
    """``{field: {plain form: canonical term}}`` of the shipped vocabulary and an optional CSV of more.

    Raises
    ------
    InputError
        The extra file lacks ``field``/``term``, names an unknown field, or has an empty term.
    """
    tables = [_shipped()]
    if extra is not None:
        df, _ = read_table(extra)
        if {"field", "term"} - set(df.columns):
            raise InputError([f"line 1: a vocabulary needs columns field, term; found {list(df.columns)[:10]}"],
                             str(extra))  # fmt: skip
        f = df["field"].astype("string").str.strip()
        t = df["term"].astype("string").str.strip()
        lines = df.attrs.get("lines", np.arange(len(df)) + 2)
        bad = [f"line {lines[i]}, column 'field': {shown(f.iloc[i])} is not one of {list(FIELDS)}"
               for i in np.flatnonzero(~f.isin(FIELDS).fillna(False).to_numpy())[:20]]  # fmt: skip
        bad += [f"line {lines[i]}, column 'term': empty" for i in np.flatnonzero((t.fillna("") == "").to_numpy())[:20]]
        if bad:
            raise InputError(bad, str(extra))
        tables.append(pd.DataFrame({"field": f, "term": t}))
    out: dict[str, dict[str, str]] = {f: {} for f in FIELDS}
    for tab in tables:
        for field, term in zip(tab["field"], tab["term"], strict=True):
            out[field].setdefault(plain(term), term)
    return out


def controlled(values: pd.Series, field: str, vocab: dict[str, dict[str, str]], lines, source: str) -> pd.Series:
    """``values`` in their canonical spelling, or an :class:`InputError` naming the file, the line and the
    column of every value outside the vocabulary (with the closest term). Blank values stay blank.
    ``lines``: each value's line in ``source``, or ``None`` for a value given on the command line."""
    known = vocab[field]
    codes, uniq = pd.factorize(values.astype("string"), use_na_sentinel=True)
    canon = np.array([known.get(plain(u)) for u in uniq], dtype=object)
    bad_u = np.array([c is None for c in canon], dtype=bool)
    bad = (codes >= 0) & bad_u[np.maximum(codes, 0)]
    if bad.any():
        problems = []
        for i in np.flatnonzero(bad)[:20]:
            near = difflib.get_close_matches(plain(values.iloc[i])[:200], list(known), n=1)
            hint = f"; did you mean {known[near[0]]!r}?" if near else ""
            where = f"line {lines[i]}, column '{field}'" if lines is not None else field
            problems.append(
                f"{where}: {shown(values.iloc[i])} is not a term of the pool's vocabulary"
                f"{hint} (a shifted export can put names here; if the term is real, add it with --vocabulary)"
            )
        if bad.sum() > 20:
            problems.append(f"... {int(bad.sum()) - 20} more rows outside the vocabulary in '{field}'")
        problems.append("nothing was loaded")
        raise InputError(problems, source)
    out = np.full(len(codes), None, dtype=object)
    out[codes >= 0] = canon[codes[codes >= 0]]
    return pd.Series(out, index=values.index, dtype="string")
