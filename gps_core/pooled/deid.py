"""De-identification before anything enters the pool (METHODS 11).

- Direct identifiers (names, CPF, CNS, addresses, phones, e-mails, record numbers, exact dates) are dropped.
- Person, doctor, unit and client keys become keyed pseudonyms: HMAC-SHA256 with a secret held outside the
  database, so the same person links across loads but the pool alone cannot reverse them.
- Quasi-identifiers are generalized: dates to month, ages to 5-year bands (90+), geography up its hierarchy
  (postal code, 3-digit prefix, region, suppressed) until every combination holds at least k records.
- ``scan`` looks for identifiers that survived, by column name and by value pattern, in every column.

LGPD (Lei 13.709/2018) treats pseudonymized health data as personal data (art. 13 par. 4): the pool is kept under
access control and publishes aggregates only (see ``disclosure``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

import numpy as np
import pandas as pd

from ..errors import InputError

# column names (accent-free, lower case) that are direct identifiers in Portuguese and English
DIRECT = re.compile(
    r"^(nome|name|patient_name|nome_paciente|full_name|cpf|cns|rg|cartao_sus|card|ssn|nhs_number|"
    r"endereco|address|logradouro|rua|street|telefone|phone|celular|mobile|email|e_mail|"
    r"prontuario|record|record_number|medical_record|mrn|encounter_id|atendimento|guia|crm|"
    r"birth_date|data_nascimento|nascimento|dob)$"
)
# values that look like identifiers whatever the column is called
PATTERNS = {
    "CPF": re.compile(r"^\d{3}\.?\d{3}\.?\d{3}-?\d{2}$"),
    "CNS": re.compile(r"^[1-9]\d{14}$"),
    "e-mail": re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I),
    "phone": re.compile(r"^\+?\(?\d{2,3}\)?[\s-]?9?\d{4}-?\d{4}$"),
    "exact date": re.compile(r"^(\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4})(?:[ T].*)?$"),
    "full CEP": re.compile(r"^\d{5}-?\d{3}$"),
}
TOP_AGE = 90


def _plain(name: str) -> str:
    s = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def direct_identifiers(columns) -> list[str]:
    """The columns whose names say they are direct identifiers (METHODS 11)."""
    return [c for c in columns if DIRECT.match(_plain(c))]


def pseudonym(values, key: bytes, domain: str, length: int = 20) -> np.ndarray:
    """Keyed pseudonyms: the first ``length`` hex digits of HMAC-SHA256(key, domain + ':' + value).

    ``domain`` ("person", "doctor", "client", ...) keeps the same raw id in two roles from linking. Computed
    once per distinct value. Missing values stay missing.
    """
    if len(key) < 16:
        raise ValueError("the pseudonym key must be at least 16 bytes")
    codes, uniques = pd.factorize(pd.Series(values, dtype="string"))
    mapped = np.array([hmac.new(key, f"{domain}:{u}".encode(), hashlib.sha256).hexdigest()[:length] for u in uniques],
                      dtype=object)  # fmt: skip
    out = np.full(len(codes), None, dtype=object)
    out[codes >= 0] = mapped[codes[codes >= 0]]
    return out


def fingerprint(key: bytes) -> str:
    """What the pool stores about its key: enough to refuse a different key, nothing to recover it."""
    return hmac.new(key, b"gps-pool-key-fingerprint", hashlib.sha256).hexdigest()[:16]


def age_band(age) -> pd.Series:
    """Five-year bands '00-04' ... '85-89' and '90+'; missing stays missing."""
    a = pd.to_numeric(pd.Series(age), errors="coerce")
    lo = (np.minimum(a, TOP_AGE) // 5 * 5).astype("Int64")
    out = lo.map(lambda x: pd.NA if pd.isna(x) else (f"{TOP_AGE}+" if x >= TOP_AGE else f"{x:02d}-{x + 4:02d}"))
    return out.astype("string")


def to_month(dates) -> pd.Series:
    """Dates to the first day of their month (METHODS 11: keep month and year only)."""
    d = pd.to_datetime(pd.Series(dates), errors="coerce")
    return d.dt.to_period("M").dt.to_timestamp()


def k_of(df: pd.DataFrame, quasi: list[str]) -> int:
    """The smallest number of records sharing one combination of the quasi-identifiers (k of k-anonymity)."""
    if df.empty:
        return 0
    return int(df.groupby(quasi, dropna=False, observed=True).size().min())


def generalize(
    df: pd.DataFrame, quasi: list[str], hierarchy: list[str], k: int = 5, column: str = "geo"
) -> tuple[pd.DataFrame, dict]:
    """Coarsen geography until every combination of ``quasi`` + geography holds at least ``k`` records.

    ``hierarchy`` names the columns of ``df`` from finest to coarsest (e.g. ``["cep3", "uf", "region"]``); the
    first level at which k-anonymity holds is used for every record (global recoding). If even the coarsest
    level fails, the records in the remaining small groups get geography '*' (local suppression) and, if
    that is not enough, they are dropped and counted. Returns the table with ``column`` replacing the
    hierarchy, and a report ``{k, level, suppressed, dropped}``.
    """
    if k < 2:
        raise ValueError("k must be at least 2")
    out = None
    for level in hierarchy:
        cand = df.drop(columns=hierarchy).assign(**{column: df[level].astype("string").fillna("*")})
        if k_of(cand, [*quasi, column]) >= k:
            return cand, {"k": k_of(cand, [*quasi, column]), "level": level, "suppressed": 0, "dropped": 0}
        out = cand
    # coarsest level still leaves small groups: suppress their geography, then drop what is still unique
    size = out.groupby([*quasi, column], dropna=False, observed=True)[column].transform("size")
    small = size < k
    out.loc[small.to_numpy(), column] = "*"
    size = out.groupby([*quasi, column], dropna=False, observed=True)[column].transform("size")
    keep = (size >= k).to_numpy()
    dropped = int((~keep).sum())
    out = out[keep].reset_index(drop=True)
    k_out = k_of(out, [*quasi, column])
    return out, {"k": k_out, "level": hierarchy[-1], "suppressed": int(small.sum()), "dropped": dropped}


def scan(df: pd.DataFrame, sample: int = 50_000) -> list[str]:
    """Every sign of a direct identifier left in ``df``: identifier column names, and string values
    matching CPF, CNS, e-mail, phone, exact date or full CEP patterns (in every text column, all rows up to
    ``sample`` distinct values each). Empty when clean."""
    found = [f"column '{c}' is a direct identifier" for c in direct_identifiers(df.columns)]
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            if (s.dropna().dt.day != 1).any():
                found.append(f"column '{c}' holds exact dates (not month starts)")
            continue
        if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
            continue
        u = pd.Series(s.dropna().astype(str).unique()[:sample])
        for what, rx in PATTERNS.items():
            hit = u[u.str.match(rx)]
            if len(hit):
                found.append(f"column '{c}': {len(hit)} value(s) look like {what} (e.g. {hit.iloc[0]!r})")
    return found


def require_clean(df: pd.DataFrame, source: str) -> None:
    """Raise if ``scan`` finds anything: the last gate before the pool."""
    found = scan(df)
    if found:
        raise InputError([*found, "nothing was loaded; drop or pseudonymize these before ingesting"], source)
