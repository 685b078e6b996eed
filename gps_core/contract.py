"""Checking a record-level table (encounters, surgeries, survey answers) against its column contract.

A :class:`Check` converts one column at a time and collects every problem with the line of the source
file it came from, the column, the value and the expected form; :meth:`Check.done` raises one
:class:`~gps_core.errors.InputError` listing them all, so nothing is computed from a bad file.

Line numbers: a CSV's first data row is line 2 (the header is line 1); readers of other layouts (XML)
put the source line of each record in ``df.attrs["lines"]``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from .errors import InputError
from .io.readers import lines_of, parse_numbers, shown
from .schemas import EARLIEST, MAX_PER_KIND, limit, parse_period

YES_NO = {
    "yes": True,
    "no": False,
    "sim": True,
    "não": False,
    "nao": False,
    "s": True,
    "n": False,
    "y": True,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "1.0": True,
    "0.0": False,
}


def ids(s: pd.Series) -> pd.Series:
    """Text of identifiers as every table must compare them: stripped, and a whole number written the same
    whatever its type (``4``, ``4.0`` from Excel and ``"4"`` from a CSV are all ``"4"``), so joining two tables
    never depends on which reader typed which side. Computed once per distinct value."""
    if isinstance(s.dtype, pd.StringDtype):  # text already (a CSV read by pandas): stripped in Arrow, at once
        return s.astype("string").str.strip()
    codes, uniq = pd.factorize(s, use_na_sentinel=True)

    def one(u) -> str:
        if isinstance(u, bool | np.bool_):
            return str(u)
        if isinstance(u, int | np.integer):
            return str(int(u))
        if isinstance(u, float | np.floating) and np.isfinite(u) and float(u).is_integer():
            return str(int(u))
        return str(u).strip()

    u = np.asarray(uniq, dtype=object)
    if pd.api.types.infer_dtype(u, skipna=False) == "string":  # text ids (a CSV): one strip, in Arrow
        text = pd.Series(pd.array(u, dtype="string")).str.strip().array
    else:
        text = pd.array([one(x) for x in u], dtype="string")
    return pd.Series(text.take(codes, allow_fill=True), index=s.index)  # code -1 (missing) -> <NA>


class Check:
    """Collects the problems of one table; each method converts a column in ``out`` and reports its rows."""

    def __init__(self, df: pd.DataFrame, source: str, required: Iterable[str], kind: str, line_offset: int = 2):
        self.raw, self.source = df, source
        missing = [c for c in required if c not in df.columns]
        if missing:
            found = ", ".join(shown(c) for c in list(df.columns)[:30])
            raise InputError([f"line 1: missing column(s) {missing}; found {found}; {kind} needs {list(required)}"],
                             source)  # fmt: skip
        self.lines = lines_of(df, line_offset)
        self.decimal = df.attrs.get("decimal", ".")
        self.out = df.copy()
        self.problems: list[str] = []

    def flag(self, mask, column: str, what: Callable[[int], str]) -> None:
        """Report rows where ``mask`` holds: ``line L, column 'c': <what(i)>`` (at most 20 per kind)."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        for i in idx[:MAX_PER_KIND]:
            self.problems.append(f"line {self.lines[i]}, column '{column}': {what(i)}")
        if len(idx) > MAX_PER_KIND:
            self.problems.append(f"... {len(idx) - MAX_PER_KIND} more rows with the same problem in '{column}'")

    def value(self, column: str, i: int) -> str:
        if column not in self.raw:
            return "(absent)"
        return shown(self.raw[column].iloc[i])

    def text(self, column: str, optional: bool = False) -> None:
        if column not in self.out:
            return
        s = ids(self.out[column])
        self.out[column] = s
        if not optional:
            self.flag(s.isna() | (s == ""), column, lambda i: "empty; every row needs a value")

    def date(self, column: str, latest: pd.Timestamp | None = None, why_latest: str = "") -> None:
        """Parse dates; refuse impossible ones (31/02), dates before 1900, in the future, or after ``latest``."""
        d = parse_period(self.out[column])
        self.out[column] = d
        self.flag(d.isna(), column, lambda i: f"{self.value(column, i)} is not a date; use YYYY-MM-DD or DD/MM/YYYY")
        now = pd.Timestamp.now()
        self.flag(d > now, column, lambda i: f"{self.value(column, i)} is in the future; check the date")
        self.flag(d < EARLIEST, column, lambda i: f"{self.value(column, i)} is before {EARLIEST:%Y}; check the date")
        if latest is not None:
            self.flag(
                (d > latest) & (d <= now),
                column,
                lambda i: (
                    f"{self.value(column, i)} is after {latest:%Y-%m-%d}{why_latest}; check the date or the period"
                ),
            )

    def choice(self, column: str, allowed: dict[str, object], optional: bool = False) -> None:
        """Map text through ``allowed`` (lower-case keys, aliases included); unknown values are reported."""
        if column not in self.out:
            return
        # once per distinct value: a million rows of 'F'/'M' cost two normalizations, not a million
        codes, uniq = pd.factorize(self.out[column], use_na_sentinel=True)
        norm = pd.Series(uniq, dtype=object).astype("string").str.strip().str.lower()
        mapped = np.append(norm.map(allowed).to_numpy(dtype=object), None)  # the last: a missing value
        out = pd.Series(mapped[codes], index=self.out.index, dtype=object)  # codes -1 -> the None
        self.out[column] = out
        bad = out.isna().to_numpy() & ~((codes < 0) & optional)
        canon = sorted({str(v) for v in allowed.values()})
        aliases = sorted(k for k in allowed if k not in canon)
        self.flag(bad, column, lambda i: f"{self.value(column, i)} is not one of {canon} (or {aliases})")

    def yes_no(self, column: str, optional: bool = False) -> None:
        self.choice(column, YES_NO, optional)
        if column in self.out:
            self.out[column] = self.out[column].astype("boolean")

    def number(
        self,
        column: str,
        low: float,
        high: float | None = None,
        optional: bool = False,
        integer: bool = False,
        bound: str | None = None,
    ) -> None:
        """Numbers written with the file's decimal mark, finite and within ``low``..``high`` (or the plausible
        bound ``bound`` of :data:`~gps_core.schemas.LIMITS`, which the params may raise)."""
        if column not in self.out:
            return
        if bound is not None:
            high = limit(bound)
        high = np.inf if high is None else high
        raw = self.out[column]
        num, why = parse_numbers(raw, self.decimal)
        refused = why.mask(len(num))
        self.flag(refused, column, lambda i: f"{self.value(column, i)} {why[i]}")
        blank = np.isnan(num) & ~refused
        if not optional:
            self.flag(blank, column, lambda i: "empty; every row needs a value")
        ok = ~np.isnan(num)
        out = ok & ((num < low) | (num > high))
        if integer:
            out |= ok & (num != np.round(num))
        kind = "a whole number" if integer else "a number"
        hint = f"; raise 'limits: {{{bound}: ...}}' in the params if it is real" if bound else ""
        self.flag(out, column, lambda i: f"{self.value(column, i)} is not {kind} in {low:,.6g}..{high:,.6g}{hint}")
        self.out[column] = num

    def unique(self, column: str, what: str) -> None:
        dup = self.out[column].duplicated(keep=False)
        self.flag(
            dup,
            column,
            lambda i: f"{shown(self.out[column].iloc[i])} appears more than once; each {what} needs its own id",
        )

    def known(
        self,
        column: str,
        names: Iterable[str] | None,
        kind: str = "specialty",
        fix: str = "add it to 'specialties' in the params if new",
    ) -> None:
        """Values must be one of ``names`` (e.g. the specialties of the client's contract); suggests the
        closest name."""
        if names is None or column not in self.out:
            return
        names = list(names)
        s = self.out[column]
        bad = ~s.isin(names).fillna(True)

        def what(i: int) -> str:
            near = difflib.get_close_matches(str(s.iloc[i])[:200], names, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            return f"{shown(s.iloc[i])} is not a known {kind}{hint} ({fix})"

        self.flag(bad, column, what)

    def done(self) -> pd.DataFrame:
        """The typed table, or an :class:`InputError` listing every problem."""
        if self.problems:
            raise InputError(self.problems, self.source)
        out = self.out.reset_index(drop=True)
        out.attrs.pop("lines", None)
        return out
