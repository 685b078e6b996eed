"""Dispatch a params ``source`` to its reader and validate the result against the catalogue."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import synth
from ..refdata import sha256
from ..schemas import validate_measurements
from . import nhs_ae
from .readers import read_table, to_number


def load_source(
    source, params_path: str | Path, catalog: pd.DataFrame, client: str = "client", program: str = "program"
) -> tuple[pd.DataFrame, list[dict]]:
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
    if source.kind == "encounters":
        from .. import encounters

        raw, dialect = read_table(
            path, sheet=source.sheet, sep=source.sep, decimal=source.decimal, encoding=source.encoding
        )
        inputs[0]["read_as"] = dialect.describe()
        enc = encounters.validate(raw, str(path))
        m = encounters.to_measurements(enc, client, program, source.level, source.window)
        return validate_measurements(m, catalog, f"indicators derived from {path}"), inputs
    df, dialect = read_table(path, sheet=source.sheet, sep=source.sep, decimal=source.decimal, encoding=source.encoding)
    for c in ("numerator", "denominator"):
        if c in df.columns:
            df[c] = to_number(df[c], dialect.decimal)
    inputs[0]["read_as"] = dialect.describe()
    return validate_measurements(df, catalog, str(path)), inputs
