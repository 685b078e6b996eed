"""A client's files into the pool: validate, de-identify, load in one transaction (METHODS 11).

Two kinds of file:

- ``measurements``: the monthly measurements table the annual evaluation reads (``schemas.MEASUREMENT_COLUMNS``,
  optional ``expected``), validated against a catalogue. Units become keyed pseudonyms (a unit may be a
  doctor); the program name is dropped.
- ``stays``: patient-level stays (``STAY_COLUMNS``; ``discharge_status``, ``diagnosis``, ``cost`` and a postal
  code ``cep`` optional). Only known columns enter (a whitelist: names, documents, addresses and any other
  column are dropped and listed); people and doctors become pseudonyms; admission and discharge become the
  admission month and the length of stay; ages become 5-year bands; diagnoses their 3-character category;
  the CEP is generalized (3-digit prefix, CEP region digit, suppressed) until k-anonymity holds on
  (age band, sex, geography).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import catalog as cat
from .. import schemas
from ..contract import Check
from ..errors import InputError
from ..io.readers import lines_of, read_table, shown
from ..records import encounters
from ..refdata import sha256
from . import deid, store, vocabulary

STAY_COLUMNS = ("patient_id", "doctor_id", "admission", "discharge", "specialty", "age", "sex")
STAY_OPTIONAL = ("discharge_status", "diagnosis", "cost", "cep")
STATUS = {**encounters.STATUS, "died": "death", "dead": "death", "discharged": "alive"}
QUASI = ["age_band", "sex"]
GEO = ["cep3", "cep1"]
PERIOD = re.compile(r"^[0-9A-Za-z_.-]{1,20}$")  # a load's period label: '2024', '2024-S1', 'FY2018-19'


def headers(df: pd.DataFrame, source: str) -> None:
    """Refuse a header cell that is itself an identifier (a CPF, an e-mail, a date...): a file whose first
    data row became its header would otherwise carry it into messages and the load record."""
    found = []
    for i, c in enumerate(df.columns, start=1):
        text = str(c).strip()
        for what, rx in deid.PATTERNS.items():
            if rx.match(text):
                found.append(f"line 1, column {i}: the header cell looks like a {what}, not a column name; the "
                             "file's first line must be its header")  # fmt: skip
    if found:
        raise InputError([*found, "nothing was loaded"], source)


def dropped_names(df: pd.DataFrame, kept) -> list[str]:
    """What the load record says of the columns left out: the names of known identifier columns (``nome``,
    ``cpf``...), and of any other a count only, since a header is free text a client wrote."""
    other = [c for c in df.columns if c not in kept]
    named = sorted(str(c) for c in deid.direct_identifiers(other))
    rest = len(other) - len(named)
    return named + ([f"{rest} other column(s)"] if rest else [])


def measurements(
    df: pd.DataFrame, client: str, key: bytes, catalog: pd.DataFrame, source: str, vocab: dict | None = None
) -> tuple:
    """Validated, de-identified measurement rows and the de-identification report."""
    headers(df, source)
    vocab = vocab or vocabulary.terms()
    line = lines_of(df)
    m = schemas.validate_measurements(df, catalog, source)
    keep = (*schemas.MEASUREMENT_COLUMNS, "expected")
    units = client + "/" + m["unit_id"].astype(str)
    rows = pd.DataFrame(
        {
            "month": m["period"].dt.to_period("M").dt.to_timestamp(),
            "unit": deid.pseudonym(units, key, "unit"),
            "unit_type": vocabulary.controlled(m["unit_type"].astype(str), "unit_type", vocab, line, source),
            "specialty": vocabulary.controlled(m["specialty"].astype(str), "specialty", vocab, line, source),
            "indicator_id": m["indicator_id"].astype(str),
            "numerator": m["numerator"].astype(float),
            "denominator": m["denominator"].astype(float),
            "expected": m["expected"].astype(float) if "expected" in m else np.nan,
        }
    )
    return rows, {"rows_in": len(df), "dropped_columns": ["client", "program", *dropped_names(df, keep)]}


def stays(df: pd.DataFrame, key: bytes, source: str, decimal: str = ".", vocab: dict | None = None) -> tuple:
    """One file's stays validated (:class:`~gps_core.contract.Check`: every problem with its line) and mapped
    to pool rows (one per stay), before the geography is generalized (that is done over the whole load: see
    ``ingest``). ``decimal``: the mark of a table given without a reader's ``attrs['decimal']``."""
    headers(df, source)
    vocab = vocab or vocabulary.terms()
    c = Check(df, source, STAY_COLUMNS, f"a stays file (optional: {list(STAY_OPTIONAL)})")
    c.decimal = df.attrs.get("decimal", decimal)
    for col in ("patient_id", "doctor_id", "specialty"):
        c.text(col)
    encounters.stay_dates(c)
    c.number("age", 0, bound="age")
    c.choice("sex", encounters.SEX)
    c.number("cost", 0, optional=True, bound="cost")
    c.choice("discharge_status", STATUS, optional=True)
    encounters.diagnosis(c, optional=True)
    out = c.out
    if "cep" in df:
        cep = out["cep"].astype("string").str.strip()
        c.flag(~(cep.str.fullmatch(r"\d{5}-?\d{3}") | cep.isna()).fillna(False), "cep",
               lambda i: f"{c.value('cep', i)} is not a CEP (8 digits, 00000-000)")  # fmt: skip
    if c.problems:
        c.problems.append("nothing was loaded; fix these rows and ingest the file again")
    out = c.done()
    specialty = vocabulary.controlled(out["specialty"], "specialty", vocab, lines_of(df), source)
    cep = out["cep"].astype("string").str.replace(r"\D", "", regex=True) if "cep" in out else None
    rows = pd.DataFrame(
        {
            "month": out["admission"].dt.to_period("M").dt.to_timestamp(),
            "person": deid.pseudonym(out["patient_id"], key, "person"),
            "doctor": deid.pseudonym(out["doctor_id"], key, "doctor"),
            "specialty": specialty,
            "age_band": deid.age_band(out["age"]),
            "sex": out["sex"].astype("string"),
            "cep3": cep.str[:3].where(cep.str.len() == 8) if cep is not None else pd.NA,
            "cep1": cep.str[:1].where(cep.str.len() == 8) if cep is not None else pd.NA,
            "diagnosis": out["diagnosis"].str[:3] if "diagnosis" in out else pd.NA,  # the 3-character category
            "los": (out["discharge"] - out["admission"]).dt.days.astype(float),
            "died": (out["discharge_status"] == "death").astype("boolean") if "discharge_status" in out else pd.NA,
            "cost": out["cost"].astype(float) if "cost" in out else np.nan,
        }
    )
    replaced = {"patient_id", "doctor_id", "admission", "discharge", "age", "cep"} & set(df.columns)
    dropped = dropped_names(df, (*STAY_COLUMNS, *STAY_OPTIONAL))
    return rows, {"rows_in": len(df), "dropped_columns": sorted(replaced) + dropped}


def ingest(
    pool: store.Pool,
    files: list[str | Path],
    client: str,
    period: str,
    key: bytes,
    kind: str = "measurements",
    segment: dict | None = None,
    catalog: str = "hospital_2015",
    k: int = 5,
    who: str | None = None,
    frames: list[pd.DataFrame] | None = None,
    decimal: str = ".",
    vocabulary_file: str | Path | None = None,
) -> dict:
    """Validate, de-identify and load a client's files for a period (replacing any earlier load of the
    same client, period and kind). ``frames`` may stand in for files already read (the names then only
    label messages; ``decimal`` is their decimal mark, a file's own is detected). Kept text (specialty,
    unit type, segment) must be a term of the controlled vocabulary (:mod:`.vocabulary`, extended by
    ``vocabulary_file``).

    Returns the ``loads`` entry (row counts, k, dropped columns, input hashes).
    """
    if kind not in store.DATA:
        raise InputError([f"kind must be one of {list(store.DATA)}, got {shown(kind)}"], "gps pool ingest")
    if not PERIOD.match(str(period)):
        raise InputError([f"--period {shown(period)}: use a short label of letters, digits, '-', '_' or '.' "
                          "(e.g. 2024, 2024-S1)"], "gps pool ingest")  # fmt: skip
    store.check_key(pool, key)
    vocab = vocabulary.terms(vocabulary_file)
    seg = {}
    for name, v in (segment or {}).items():
        if v is not None:
            seg[name] = vocabulary.controlled(pd.Series([str(v)]), name, vocab, None, "gps pool ingest")[0]
    inputs, parts = {}, []
    catalogue = cat.load_catalog(catalog) if kind == "measurements" else None
    for i, f in enumerate(files):
        if frames is not None:
            df = frames[i].copy()
            df.attrs.setdefault("decimal", decimal)
            digest = hashlib.sha256(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes()).hexdigest()
        else:
            df, _ = read_table(f)
            digest = sha256(f)
        inputs[f"input_{i + 1}"] = digest  # the hash, not the file name: names often say who the client is
        # each file validated and scanned on its own, so messages give its own name and line numbers
        part = (measurements(df, client, key, catalogue, str(f), vocab) if catalogue is not None
                else stays(df, key, str(f), df.attrs.get("decimal", decimal), vocab))  # fmt: skip
        deid.require_clean(part[0], str(f))
        parts.append(part)
    rows = pd.concat([r for r, _ in parts], ignore_index=True)
    rep = {"rows_in": sum(r["rows_in"] for _, r in parts),
           "dropped_columns": sorted({c for _, r in parts for c in r["dropped_columns"]})}  # fmt: skip
    if kind == "stays":  # one generalization over all the files: k-anonymity holds for the load as a whole
        rows, g = deid.generalize(rows, QUASI, GEO, k=k)
        rep.update(g)
    store.ensure_rows(rows, ", ".join(map(str, files)))
    pseud = deid.pseudonym([client], key, "client")[0]
    return store.load(pool, kind, rows, pseud, period, seg, rep, inputs, who, ", ".join(map(str, files)))
