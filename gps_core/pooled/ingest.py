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
from pathlib import Path

import numpy as np
import pandas as pd

from .. import catalog as cat
from .. import schemas
from ..errors import InputError
from ..io.readers import read_table, to_number
from ..refdata import sha256
from . import deid, store

STAY_COLUMNS = ("patient_id", "doctor_id", "admission", "discharge", "specialty", "age", "sex")
STAY_OPTIONAL = ("discharge_status", "diagnosis", "cost", "cep")
DEATH = {"obito", "óbito", "died", "death", "dead"}
QUASI = ["age_band", "sex"]
GEO = ["cep3", "cep1"]


def measurements(df: pd.DataFrame, client: str, key: bytes, catalog: pd.DataFrame, source: str) -> tuple:
    """Validated, de-identified measurement rows and the de-identification report."""
    m = schemas.validate_measurements(df, catalog, source)
    dropped = [c for c in df.columns if c not in (*schemas.MEASUREMENT_COLUMNS, "expected")]
    units = client + "/" + m["unit_id"].astype(str)
    rows = pd.DataFrame(
        {
            "month": m["period"].dt.to_period("M").dt.to_timestamp(),
            "unit": deid.pseudonym(units, key, "unit"),
            "unit_type": m["unit_type"].astype(str),
            "specialty": m["specialty"].astype(str),
            "indicator_id": m["indicator_id"].astype(str),
            "numerator": m["numerator"].astype(float),
            "denominator": m["denominator"].astype(float),
            "expected": m["expected"].astype(float) if "expected" in m else np.nan,
        }
    )
    return rows, {"rows_in": len(df), "dropped_columns": ["client", "program", *dropped]}


def _dates(s: pd.Series, col: str, problems: list[str]) -> pd.Series:
    d = pd.to_datetime(s, format="%d/%m/%Y", errors="coerce").fillna(
        pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    )
    for i in np.flatnonzero(d.isna().to_numpy())[:20]:
        problems.append(f"line {i + 2}, column '{col}': {s.iloc[i]!r} is not a date (dd/mm/yyyy or yyyy-mm-dd)")
    return d


def stays(df: pd.DataFrame, key: bytes, source: str, decimal: str = ".") -> tuple:
    """One file's stays validated and mapped to pool rows (one per stay), before the geography is
    generalized (that is done over the whole load: see ``ingest``). ``decimal`` is the cost column's mark."""
    missing = [c for c in STAY_COLUMNS if c not in df.columns]
    if missing:
        raise InputError([f"missing column(s) {missing}; found {list(df.columns)}; a stays file needs "
                          f"{list(STAY_COLUMNS)} (optional {list(STAY_OPTIONAL)})"], source)  # fmt: skip
    problems = []
    adm, dis = _dates(df["admission"], "admission", problems), _dates(df["discharge"], "discharge", problems)
    for i in np.flatnonzero((dis < adm).to_numpy())[:20]:
        problems.append(f"line {i + 2}, column 'discharge': {df['discharge'].iloc[i]} is before the admission")
    age = pd.to_numeric(df["age"], errors="coerce")
    for i in np.flatnonzero((age.isna() | (age < 0) | (age > 120)).to_numpy())[:20]:
        problems.append(f"line {i + 2}, column 'age': {df['age'].iloc[i]!r} is not an age 0-120")
    sex = df["sex"].astype("string").str.strip().str.upper()
    for i in np.flatnonzero((~sex.isin(["M", "F"])).fillna(True).to_numpy())[:20]:
        problems.append(f"line {i + 2}, column 'sex': {df['sex'].iloc[i]!r} is not M or F")
    for c in ("patient_id", "doctor_id"):
        for i in np.flatnonzero(df[c].isna().to_numpy())[:20]:
            problems.append(f"line {i + 2}, column '{c}': empty; every stay needs one")
    cost = pd.Series(np.nan, index=df.index)
    if "cost" in df:
        text = df["cost"].astype("string").str.strip()
        cost = pd.to_numeric(to_number(text, decimal), errors="coerce")
        for i in np.flatnonzero(((cost.isna() & text.notna() & (text != "")) | (cost < 0)).to_numpy())[:20]:
            problems.append(f"line {i + 2}, column 'cost': {df['cost'].iloc[i]!r} is not an amount >= 0 "
                            f"(decimal mark {decimal!r})")  # fmt: skip
    if problems:
        raise InputError([*problems, "nothing was loaded; fix these rows and ingest the file again"], source)
    cep = df["cep"].astype("string").str.replace(r"\D", "", regex=True) if "cep" in df else None
    rows = pd.DataFrame(
        {
            "month": adm.dt.to_period("M").dt.to_timestamp(),
            "person": deid.pseudonym(df["patient_id"], key, "person"),
            "doctor": deid.pseudonym(df["doctor_id"], key, "doctor"),
            "specialty": df["specialty"].astype(str),
            "age_band": deid.age_band(age),
            "sex": sex,
            "cep3": cep.str[:3].where(cep.str.len() == 8) if cep is not None else pd.NA,
            "cep1": cep.str[:1].where(cep.str.len() == 8) if cep is not None else pd.NA,
            "diagnosis": (
                df["diagnosis"].astype("string").str.strip().str.upper().str[:3] if "diagnosis" in df else pd.NA
            ),  # fmt: skip
            "los": (dis - adm).dt.days.astype(float),
            "died": (
                df["discharge_status"].astype("string").str.strip().str.lower().isin(DEATH)
                if "discharge_status" in df
                else pd.NA
            ),  # fmt: skip
            "cost": cost.astype(float),
        }
    )
    dropped = [c for c in df.columns if c not in (*STAY_COLUMNS, *STAY_OPTIONAL)]
    replaced = {"patient_id", "doctor_id", "admission", "discharge", "age", "cep"} & set(df.columns)
    return rows, {"rows_in": len(df), "dropped_columns": sorted({*dropped, *replaced})}


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
) -> dict:
    """Validate, de-identify and load a client's files for a period (replacing any earlier load of the
    same client, period and kind). ``frames`` may stand in for files already read (the names then only
    label messages; ``decimal`` is their decimal mark, a file's own is detected).

    Returns the ``loads`` entry (row counts, k, dropped columns, input hashes).
    """
    if kind not in store.DATA:
        raise InputError([f"kind must be one of {list(store.DATA)}, got {kind!r}"], "gps pool ingest")
    store.check_key(pool, key)
    inputs, parts = {}, []
    catalogue = cat.load_catalog(catalog) if kind == "measurements" else None
    for i, f in enumerate(files):
        if frames is not None:
            df, mark = frames[i], decimal
            digest = hashlib.sha256(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes()).hexdigest()
        else:
            df, dialect = read_table(f)
            mark, digest = dialect.decimal, sha256(f)
        inputs[f"input_{i + 1}"] = digest  # the hash, not the file name: names often say who the client is
        # each file validated on its own, so messages give its own line numbers
        parts.append(measurements(df, client, key, catalogue, str(f)) if catalogue is not None
                     else stays(df, key, str(f), mark))  # fmt: skip
    rows = pd.concat([r for r, _ in parts], ignore_index=True)
    rep = {"rows_in": sum(r["rows_in"] for _, r in parts),
           "dropped_columns": sorted({c for _, r in parts for c in r["dropped_columns"]})}  # fmt: skip
    if kind == "stays":  # one generalization over all the files: k-anonymity holds for the load as a whole
        rows, g = deid.generalize(rows, QUASI, GEO, k=k)
        rep.update(g)
    store.ensure_rows(rows, ", ".join(map(str, files)))
    pseud = deid.pseudonym([client], key, "client")[0]
    seg = {k_: (str(v) if v is not None else None) for k_, v in (segment or {}).items()}
    return store.load(pool, kind, rows, pseud, period, seg, rep, inputs, who)
