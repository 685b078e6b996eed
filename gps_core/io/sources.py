"""Dispatch a params ``source`` to its reader and validate the result against the catalogue."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import synth
from ..errors import InputError
from ..refdata import sha256
from ..schemas import validate_measurements
from . import nhs_ae


def read_csv(path: Path, sep: str = ",", decimal: str = ".", encoding: str = "utf-8") -> pd.DataFrame:
    """Read a measurements CSV as text (types are checked by the schema, with line numbers)."""
    if not path.is_file():
        raise InputError(["file not found; check 'source.path' (relative to the params file)"], str(path))
    try:
        df = pd.read_csv(
            path, sep=sep, decimal=decimal, encoding=encoding, dtype=str, keep_default_na=False, na_values=[""]
        )
    except UnicodeDecodeError as e:
        raise InputError(
            [
                f"cannot be read as {encoding} ({e.reason} at byte {e.start}); "
                "set 'source.encoding' (e.g. latin-1 for many Brazilian exports)"
            ],
            str(path),
        ) from None
    if df.shape[1] == 1 and sep not in df.columns[0] and (";" in df.columns[0] or "," in df.columns[0]):
        other = ";" if sep == "," else ","
        raise InputError(
            [
                f"only one column found with separator '{sep}'; the header looks separated by "
                f"'{other}': set 'source.sep: \"{other}\"'"
            ],
            str(path),
        )
    for c in ("numerator", "denominator"):
        if c in df.columns and decimal != ".":
            df[c] = df[c].str.replace(".", "", regex=False).str.replace(decimal, ".", regex=False)
    return df


def load_source(source, params_path: str | Path, catalog: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Measurements for a params ``source`` and the provenance of its input files.

    Returns
    -------
    (measurements, inputs)
        Validated measurements; ``inputs`` lists ``{"file", "sha256"}`` (or the generator and seed).
    """
    from ..params import resolve

    if source.kind == "synthetic_paper_hospital":
        m = synth.paper_hospital(seed=source.seed)
        return validate_measurements(m, catalog, "synthetic paper hospital"), [
            {"file": f"gps_core.synth.paper_hospital(seed={source.seed})", "sha256": "generated"}
        ]
    path = resolve(params_path, source.path)
    inputs = [{"file": str(path), "sha256": sha256(path) if path.is_file() else "missing"}]
    if source.kind == "nhs_ae":
        m = nhs_ae.to_measurements(nhs_ae.read(path), source.department_type)
        return validate_measurements(m, catalog, str(path)), inputs
    df = read_csv(path, source.sep, source.decimal, source.encoding)
    return validate_measurements(df, catalog, str(path)), inputs
