"""Dispatch params ``source`` entries to their readers and validate the result against the catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..records import derive, encounters, surgeries, surveys
from ..refdata import sha256
from ..schemas import validate_measurements
from ..synth import hospital
from . import names, nhs_ae
from .readers import read_table


@dataclass
class Loaded:
    """Validated measurements of a run, the provenance of every input file and, for record-level sources,
    the drill-down trace and the risk models."""

    measurements: pd.DataFrame
    inputs: list[dict]
    trace: pd.DataFrame | None = None
    risk: dict = field(default_factory=dict)
    rules: dict | None = None
    stays: pd.DataFrame | None = None  # the validated encounters of a record-level source


def _read(spec) -> tuple[pd.DataFrame, dict, Path]:
    """A file read with its dialect (the contracts convert its numbers with the decimal mark the reader
    detected, ``attrs['decimal']``)."""
    from ..params import shown, where

    path = where(spec.path)  # resolved when the params were loaded
    df, dialect = read_table(path, sheet=spec.sheet, sep=spec.sep, decimal=spec.decimal, encoding=spec.encoding)
    info = {"file": shown(spec.path), "sha256": sha256(path), "read_as": dialect.describe()}
    return df, info, path


def read_file(spec) -> tuple[pd.DataFrame, dict]:
    """A params file spec read with its dialect, and its provenance."""
    df, info, _ = _read(spec)
    return df, info


def read_amounts(spec, units: list[str], labels: pd.Series | None = None) -> tuple[pd.DataFrame, dict]:
    """The client's finance file (:mod:`gps_core.records.finance`), validated against the evaluation's units, with
    its provenance. With ``labels`` (units shown by name), a unit the file gives by code is read as its label."""
    from ..records import finance

    df, info, path = _read(spec)
    if labels is not None and spec.unit in df.columns:
        df[spec.unit] = names.relabel(df[spec.unit].astype(str).str.strip(), labels).where(df[spec.unit].notna())
    return finance.validate(df, str(path), spec, units, info["read_as"].get("decimal", ".")), info


def read_records(spec, specialties=None, latest=None) -> tuple[derive.Records, list[dict]]:
    """Read and validate an encounter file with its optional surgeries and survey answers. Every file is
    checked, and the problems of all of them are reported together. ``latest``: the last admission date
    the evaluation can use (its period and follow-up)."""
    raw, info, path = _read(spec)
    inputs, problems = [info], []
    enc = None
    try:
        enc = encounters.validate(raw, str(path), specialties=specialties, latest=latest)
    except InputError as e:
        problems += [f"{path.name}: {p}" for p in e.problems]
    tables = {}
    for name, mod in (("surgeries", surgeries), ("surveys", surveys)):
        sub = getattr(spec, name, None)
        if sub is None:
            continue
        df, info, p = _read(sub)
        inputs.append(info)
        try:
            kw = {"encounters": enc}
            tables[name] = mod.validate(df, str(p), specialties=specialties, **kw)
        except InputError as e:
            problems += [f"{p.name}: {x}" for x in e.problems]
    if problems:
        raise InputError(problems, str(path.parent))
    return derive.Records(enc, tables.get("surgeries"), tables.get("surveys")), inputs


def follow_up_end(period, rules) -> pd.Timestamp:
    """The last admission an evaluation of ``period`` can use: the end of the month that holds the period's
    last day plus the longest follow-up window of the rules (readmissions, returns to theatre)."""
    end = period.last + pd.offsets.MonthEnd(0)
    window = max(rules.readmission_window, rules.surgery_window)
    return end + pd.Timedelta(days=window) + pd.offsets.MonthEnd(0)


def _records(source, catalog, client, program, period=None) -> Loaded:
    latest = follow_up_end(period, source.rules) if period is not None else None
    recs, inputs = read_records(source, source.specialties, latest)
    rules = source.rules.rules()
    t = derive.trace(recs, rules)
    risk = {}
    ra = source.risk_adjustment
    if ra is not None:
        ref, name = None, None
        if ra.reference is not None:
            ref, more = read_records(ra.reference)
            inputs += [{**x, "role": "reference population"} for x in more]
            name = ra.reference.name
        specs = {k: derive.RiskSpec(v.family, v.covariates) for k, v in ra.models.items()}
        adj = derive.adjust(t, recs, specs, ref, rules, name)
        t, risk = adj.trace, adj.models
    unit_type = "doctor" if rules.level == "doctor_id" else "specialty"
    m = derive.to_measurements(t, client, program, unit_type)
    m = validate_measurements(m, catalog, f"indicators derived from {inputs[0]['file']}")
    return Loaded(m, inputs, t, risk, rules.describe(), recs.encounters)


def _one(source, catalog, client, program, period=None) -> Loaded:
    from ..params import shown, where

    if source.kind == "synthetic_paper_hospital":
        m = hospital.paper_hospital(seed=source.seed)
        return Loaded(
            validate_measurements(m, catalog, "synthetic paper hospital"),
            [{"file": f"gps_core.synth.hospital.paper_hospital(seed={source.seed})", "sha256": "generated"}],
        )
    if source.kind == "encounters":
        return _records(source, catalog, client, program, period)
    if source.kind == "nhs_ae":
        path = where(source.path)
        m = nhs_ae.to_measurements(nhs_ae.read(path), source.department_type)
        info = {"file": shown(source.path), "sha256": sha256(path) if path.is_file() else "missing"}
        return Loaded(validate_measurements(m, catalog, str(path)), [info])
    df, info, path = _read(source)
    return Loaded(validate_measurements(df, catalog, str(path)), [info])


def load_source(
    source,
    catalog: pd.DataFrame,
    client: str = "client",
    program: str = "program",
    period=None,
) -> Loaded:
    """Measurements for a params ``source`` (or a list of sources), with the provenance of their inputs.
    ``period`` (params ``Period``) bounds the admissions of record files (:func:`follow_up_end`).

    Several sources are combined (e.g. encounter files for the outcome indicators and a monthly table for
    structure and process indicators); an indicator may come from one source only.

    Raises
    ------
    InputError
        A file breaks its contract, or two sources give the same indicator.
    """
    if not isinstance(source, list):
        return _one(source, catalog, client, program, period)
    parts = [_one(s, catalog, client, program, period) for s in source]
    owner: dict[str, str] = {}
    problems = []
    for part in parts:
        for ind in sorted(set(part.measurements["indicator_id"].astype(str))):
            if ind in owner:
                problems.append(
                    f"indicator {ind} comes from both {owner[ind]} and {part.inputs[0]['file']}; keep it in one"
                )
            owner.setdefault(ind, part.inputs[0]["file"])
    if problems:
        raise InputError(problems, "params: source")
    m = pd.concat([p.measurements for p in parts], ignore_index=True)
    for c in ("client", "program", "unit_id", "unit_type", "specialty", "indicator_id"):
        m[c] = m[c].astype(str).astype("category")
    traces = [p.trace for p in parts if p.trace is not None]
    risk = {k: v for p in parts for k, v in p.risk.items()}
    rules = next((p.rules for p in parts if p.rules is not None), None)
    stays = next((p.stays for p in parts if p.stays is not None), None)
    trace = pd.concat(traces, ignore_index=True) if traces else None
    return Loaded(m, [i for p in parts for i in p.inputs], trace, risk, rules, stays)
