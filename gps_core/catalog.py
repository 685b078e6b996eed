"""Indicator technical sheets ("fichas técnicas"): load, validate, override bands, render.

A catalogue is a tidy table, one row per indicator, with what a evaluated doctor needs to know how they are
scored: definition (names, numerator, denominator, unit), polarity, the ideal band ("banda ideal") and its
rule, the weight inside its quality dimension, the minimum denominator for a reliable value and the source.

Band rules (METHODS 2):

- ``linear``: 0 at or beyond ``floor``, 1 at or beyond ``target``, linear in between (NHS QOF thresholds,
  Previne Brasil ``min(result/target, 1)``). ``target > floor`` for higher-is-better, ``<`` for lower.
- ``tiers``: ``"t1:f1|t2:f2|..."`` from best to worst; a value at least as good as ``t_k`` earns ``f_k``
  (first match), worse than the last threshold earns 0; ``f1`` must be 1 (the GPS paper's 60 % / 100 %).
- ``range``: full score in ``[target, target_high]``, 0 at or beyond ``floor`` (below) and ``floor_high``
  (above), linear in between (caesarean rate, bed occupancy).

References
----------
Abicalaffe C. et al. Avaliação de desempenho de especialidades médicas através do modelo e software
GPS.2iM. CBIS 2016 (seed 003). NHS Digital, Quality and Outcomes Framework business rules.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import refdata
from .errors import InputError

DIMENSIONS = ("structure", "efficiency", "effectiveness", "experience")
UNITS = {"percent": 100.0, "nps": 100.0, "per_1000": 1000.0, "days": 1.0, "ratio": 1.0}
# Units whose numerator counts a subset of the denominator: numerator > denominator is impossible.
PROPORTION_UNITS = ("percent",)
POLARITIES = ("higher", "lower", "range")
RULES = ("linear", "tiers", "range")
APPLIES_TO = ("all", "surgical", "clinical", "obstetric")
# The fields of a band: the rule and its parameters (params may override them, with weight and minimum).
BAND_FIELDS = ("polarity", "rule", "floor", "target", "target_high", "floor_high", "tiers")
COLUMNS = (
    "indicator_id",
    "dimension",
    "name_pt",
    "name_en",
    "numerator_pt",
    "denominator_pt",
    "numerator_en",
    "denominator_en",
    "unit",
    *BAND_FIELDS,
    "weight",
    "min_denominator",
    "applies_to",
    "source",
)
# optional: the source in Portuguese for pt-BR reports (a client's catalogue without it shows "source")
OPTIONAL = ("source_pt",)
NUMERIC = ("floor", "target", "target_high", "floor_high", "weight", "min_denominator")
SHIPPED = {"hospital_2015": "catalog_hospital_2015.csv", "nhs_ae_2019": "catalog_nhs_ae_2019.csv"}


def parse_tiers(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse ``"t1:f1|t2:f2"`` into threshold and fraction arrays (best first).

    Raises
    ------
    ValueError
        If a pair is not ``number:number``.
    """
    pairs = [p.split(":") for p in str(text).split("|") if p.strip()]
    if not pairs or any(len(p) != 2 for p in pairs):
        raise ValueError(f"tiers '{text}' must look like '7.74:1|14:0.8|21:0.6'")
    thr = np.array([float(p[0]) for p in pairs])
    frac = np.array([float(p[1]) for p in pairs])
    return thr, frac


def _check_row(r: pd.Series, where: str) -> list[str]:
    out: list[str] = []
    pol, rule = r["polarity"], r["rule"]
    if rule == "linear":
        if pol not in ("higher", "lower"):
            out.append(f"{where}, column 'polarity': rule 'linear' needs polarity 'higher' or 'lower', got '{pol}'")
        elif pd.isna(r["floor"]) or pd.isna(r["target"]):
            out.append(f"{where}, columns 'floor'/'target': rule 'linear' needs both numbers")
        elif (pol == "higher" and not r["target"] > r["floor"]) or (pol == "lower" and not r["target"] < r["floor"]):
            sign = ">" if pol == "higher" else "<"
            out.append(
                f"{where}, columns 'floor'/'target': polarity '{pol}' needs target {sign} floor, "
                f"got floor {r['floor']} and target {r['target']}"
            )
    elif rule == "range":
        vals = [r["floor"], r["target"], r["target_high"], r["floor_high"]]
        if pol != "range":
            out.append(f"{where}, column 'polarity': rule 'range' needs polarity 'range', got '{pol}'")
        if any(pd.isna(v) for v in vals):
            out.append(f"{where}, columns floor/target/target_high/floor_high: rule 'range' needs all four")
        elif not (vals[0] < vals[1] <= vals[2] < vals[3]):
            out.append(f"{where}: rule 'range' needs floor < target <= target_high < floor_high, got {vals}")
    elif rule == "tiers":
        if pol not in ("higher", "lower"):
            out.append(f"{where}, column 'polarity': rule 'tiers' needs polarity 'higher' or 'lower', got '{pol}'")
            return out
        try:
            thr, frac = parse_tiers(r["tiers"])
        except ValueError as e:
            return [*out, f"{where}, column 'tiers': {e}"]
        step = np.diff(thr) if pol == "lower" else -np.diff(thr)
        if frac[0] != 1.0:
            out.append(f"{where}, column 'tiers': the first (best) tier must earn 1, got {frac[0]}")
        if np.any(step <= 0):
            order = "increase" if pol == "lower" else "decrease"
            out.append(f"{where}, column 'tiers': thresholds must {order} from best to worst, got {list(thr)}")
        if np.any(np.diff(frac) >= 0) or np.any((frac < 0) | (frac > 1)):
            out.append(f"{where}, column 'tiers': fractions must fall from 1 towards 0, got {list(frac)}")
    return out


def validate_catalog(df: pd.DataFrame, source: str = "catalogue") -> pd.DataFrame:
    """Check a catalogue against its contract and return a typed copy.

    Every problem is collected (not only the first) with the CSV line and column. For ``tiers`` rows the
    ``target`` (full-score value) and ``floor`` (worst threshold) are filled from the tiers.

    Raises
    ------
    InputError
        Listing every problem found.
    """
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError([f"missing column(s) {missing}; a catalogue needs {list(COLUMNS)}"], source)
    from .io.readers import lines_of

    line = lines_of(df)
    cat = df.loc[:, list(COLUMNS)].copy()
    cat["source_pt"] = (
        df["source_pt"].where(df["source_pt"].notna(), df["source"]) if "source_pt" in df else df["source"]
    )
    problems: list[str] = []
    for col in NUMERIC:
        num = pd.to_numeric(cat[col], errors="coerce")
        bad = (num.isna() & cat[col].notna() & (cat[col].astype(str).str.strip() != "")) | np.isinf(num)
        for i in np.flatnonzero(bad.to_numpy()):
            problems.append(f"line {line[i]}, column '{col}': {str(cat[col].iloc[i])[:60]!r} is not a finite number")
        cat[col] = num
    for col in ("indicator_id", "dimension", "unit", "polarity", "rule", "applies_to", "name_pt", "name_en"):
        cat[col] = cat[col].astype("string").str.strip()
    allowed = {
        "dimension": DIMENSIONS,
        "unit": tuple(UNITS),
        "polarity": POLARITIES,
        "rule": RULES,
        "applies_to": APPLIES_TO,
    }
    for col, ok in allowed.items():
        for i in np.flatnonzero(~cat[col].isin(ok).to_numpy()):
            problems.append(f"line {line[i]}, column '{col}': {str(cat[col].iloc[i])[:60]!r} is not one of {list(ok)}")
    dup = cat["indicator_id"].duplicated(keep=False)
    for i in np.flatnonzero(dup.to_numpy()):
        problems.append(
            f"line {line[i]}, column 'indicator_id': {str(cat['indicator_id'].iloc[i])[:60]!r} appears twice"
        )
    for i in np.flatnonzero(cat["indicator_id"].isna().to_numpy() | (cat["indicator_id"] == "").to_numpy()):
        problems.append(f"line {line[i]}, column 'indicator_id': empty")
    # ids name export files and chart facets: plain names only
    odd = ~cat["indicator_id"].str.fullmatch(r"[A-Za-z0-9_-]{1,40}").fillna(True).to_numpy()
    for i in np.flatnonzero(odd):
        problems.append(f"line {line[i]}, column 'indicator_id': {str(cat['indicator_id'].iloc[i])[:60]!r} is not a "
                        "plain id (letters, digits, '_' or '-', at most 40)")  # fmt: skip
    for i in np.flatnonzero(~(cat["weight"] > 0).to_numpy()):
        problems.append(f"line {line[i]}, column 'weight': must be a positive number, got {cat['weight'].iloc[i]}")
    for i in np.flatnonzero(~(cat["min_denominator"] >= 0).to_numpy()):
        problems.append(f"line {line[i]}, column 'min_denominator': must be >= 0, got {cat['min_denominator'].iloc[i]}")
    if not problems:
        for i, (_, r) in enumerate(cat.iterrows()):
            problems += _check_row(r, f"line {line[i]} ({r['indicator_id']})")
    if problems:
        raise InputError(problems, source)
    tiers = cat["rule"] == "tiers"
    for i in np.flatnonzero(tiers.to_numpy()):
        thr, _ = parse_tiers(cat["tiers"].iloc[i])
        cat.iloc[i, cat.columns.get_loc("target")] = thr[0]
        cat.iloc[i, cat.columns.get_loc("floor")] = thr[-1]
    cat["multiplier"] = cat["unit"].map(UNITS).astype(float)
    return cat.reset_index(drop=True)


def load_catalog(name_or_path: str | Path = "hospital_2015") -> pd.DataFrame:
    """Load and validate a catalogue: a shipped name (``hospital_2015``, ``nhs_ae_2019``) or a CSV path.

    Returns
    -------
    pandas.DataFrame
        One row per indicator, typed, with ``multiplier`` (100 for percent, 1000 per 1,000, ...).
    """
    # a CSV named in a params file is resolved against that file's folder (params.Located), not the working one
    key = str(getattr(name_or_path, "at", name_or_path))
    if key in SHIPPED:  # checked against the manifest and validated once per process; each caller gets a copy
        return _shipped(key, refdata.sha256(refdata.path(SHIPPED[key]))).copy()
    return _load(key)


@cache
def _shipped(key: str, digest: str) -> pd.DataFrame:
    """A shipped catalogue, validated; keyed by its checksum too, so an edited file is read again."""
    return _load(key)


def _load(key: str) -> pd.DataFrame:
    p = refdata.path(SHIPPED[key]) if key in SHIPPED else Path(key)
    if not p.exists():
        raise InputError([f"file not found; give a CSV path or one of the shipped catalogues {list(SHIPPED)}"], str(p))
    how, lines = {}, None
    if key not in SHIPPED:  # a client's own catalogue: vetted as any client file (encoding, layout, names)
        from .io.readers import read_table

        if p.suffix.lower() != ".csv":
            raise InputError([f"a catalogue is a CSV file with the columns {list(COLUMNS)}"], str(p))
        raw, d = read_table(p)
        how, lines = {"sep": d.sep, "encoding": d.encoding}, raw.attrs.get("lines")
    df = pd.read_csv(p, dtype={"indicator_id": str, "tiers": str}, keep_default_na=True, **how)
    if lines is not None and len(lines) == len(df):
        df.attrs["lines"] = lines  # the real lines (blank lines and a sep= line skipped)
    return validate_catalog(df, str(p))


def override_bands(catalog: pd.DataFrame, bands: dict[str, dict], source: str = "params") -> pd.DataFrame:
    """Return a catalogue with some indicators' band fields replaced (e.g. bands justified in params).

    ``bands`` maps indicator id to any of rule, polarity, floor, target, target_high, floor_high, tiers,
    weight, min_denominator. The result is validated again.
    """
    editable = {*BAND_FIELDS, "weight", "min_denominator"}
    out = catalog.drop(columns="multiplier").copy()
    problems = []
    for ind, fields in bands.items():
        if ind not in set(out["indicator_id"]):
            problems.append(f"bands: unknown indicator '{ind}'; known: {sorted(out['indicator_id'])}")
            continue
        for k, v in fields.items():
            if k not in editable:
                problems.append(f"bands.{ind}: '{k}' cannot be overridden; allowed: {sorted(editable)}")
                continue
            if k in NUMERIC:
                out[k] = out[k].astype(float)
            elif k in ("rule", "polarity", "tiers"):
                out[k] = out[k].astype(object)
            out.loc[out["indicator_id"] == ind, k] = v
    if problems:
        raise InputError(problems, source)
    return validate_catalog(out, source)


def dimension_weight_vector(dimension_weights: dict[str, float]) -> np.ndarray:
    """The four dimension weights in ``DIMENSIONS`` order (0 where not given), checked.

    Raises
    ------
    InputError
        For an unknown dimension, a negative weight or all weights zero.
    """
    unknown = set(dimension_weights) - set(DIMENSIONS)
    if unknown:
        raise InputError(
            [f"dimension_weights: unknown dimension(s) {sorted(unknown)}; use {list(DIMENSIONS)}"], "params"
        )
    dw = np.array([float(dimension_weights.get(d, 0.0)) for d in DIMENSIONS])
    if (dw < 0).any() or dw.sum() <= 0:
        raise InputError([f"dimension_weights must be >= 0 and not all 0, got {dimension_weights}"], "params")
    return dw


def effective_weights(catalog: pd.DataFrame, dimension_weights: dict[str, float]) -> pd.Series:
    """Each indicator's weight in the 0-100 index: dimension weight x its share inside the dimension.

    Dimension weights are renormalized to sum 100 over the dimensions that have indicators.
    """
    present = [d in set(catalog["dimension"]) for d in DIMENSIONS]
    dw = pd.Series(np.where(present, dimension_weight_vector(dimension_weights), 0.0), index=list(DIMENSIONS))
    if dw.sum() <= 0:
        raise InputError(
            [f"dimension_weights give no weight to the catalogue's dimensions: {dimension_weights}"], "params"
        )
    dw = 100 * dw / dw.sum()
    share = catalog["weight"] / catalog.groupby("dimension")["weight"].transform("sum")
    return pd.Series((catalog["dimension"].map(dw) * share).to_numpy(), index=catalog["indicator_id"], name="weight")
