"""Benchmark: the synthetic generators and the workbook reader against the implementations they replaced,
the two sides alternated over ``--pairs`` pairs, each run in its own forked process (benchmarks/timing.py).

1. ``paper_hospital`` (the demo's hospital, each of the pooled benchmark's 14 synthetic clients, many tests)
   against its implementation before issue 16, kept below: a pandas row and a catalogue scan per
   specialty-indicator block, every draw made again in each calibration pass, and a string per row before
   the categories. Both must give the same frame to the last number (checked before any time is reported).
   Target: at most 0.5x (issue 16: at least 45 % of the old time was pandas per-row overhead).
2. Hospital Modelo's workbook of surgeries and survey answers written by ``synth.records._book`` (openpyxl's
   write-only mode, whole columns) against pandas' ``to_excel``. Same cells read back. Target: at most 0.7x.
3. The same workbook read by ``read_table`` (calamine, each sheet parsed once) against the reader before
   issue 16 (openpyxl through pandas, the header parsed by a pass of its own). Same frames. Target: at most
   0.25x (Excel parsing was 65 % of a record-based evaluation).

Prints min and median of the paired ratios and each side's peak memory; exits 1 when a median misses.

Run: ``python benchmarks/bench_synth.py [--pairs 5] [--quick]`` (quick: uncalibrated hospital, the survey
sheet only).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from timing import finish, pairs

from gps_core.catalog import effective_weights, load_catalog
from gps_core.io.readers import read_table
from gps_core.synth import hospital
from gps_core.synth import records as synth_records
from gps_core.synth.hospital import DIMENSION_WEIGHTS, PROGRAM, VOLUME, _specialty_ip, truth


def _old_applies(applies_to: str, care_line: str, specialty: str) -> bool:
    if applies_to == "all":
        return True
    if applies_to == "obstetric":
        return specialty == "Ginecologia e Obstetrícia"
    return applies_to == care_line


def _old_invert(phi: np.ndarray, r) -> np.ndarray:
    if r["rule"] == "linear":
        return r["floor"] + phi * (r["target"] - r["floor"])
    if r["rule"] == "range":
        p = np.clip(phi, 0, 1.0)
        return r["floor_high"] - p * (r["floor_high"] - r["target_high"])
    thr = [float(x.split(":")[0]) for x in r["tiers"].split("|")]
    frac = [float(x.split(":")[1]) for x in r["tiers"].split("|")]
    worst = thr[-1] + (thr[-1] - thr[-2])
    xs = np.array([0.0, *frac[::-1]])
    ys = np.array([worst, *thr[::-1]])
    return np.interp(np.clip(phi, 0, 1), xs, ys)


def old_simulate(q: np.ndarray, cat: pd.DataFrame, w_eff: pd.Series, tr: pd.DataFrame, seed: int):
    """The simulation before issue 16: every draw made in each pass, a pandas row per block."""
    cols = {k: [] for k in ("doc", "spec", "month", "ind", "num", "den")}
    doc0 = 0
    for s_i, sp in tr.iterrows():
        rng = np.random.default_rng([seed, s_i])
        n_doc = int(sp["doctors"])
        eff = rng.normal(0, 0.05, n_doc)
        eff -= eff.mean()
        act = rng.gamma(2.0, 0.5, n_doc)
        present = rng.random((n_doc, 12)) > 0.02
        noise = rng.normal(0, 0.02, (n_doc, 12))
        mask = cat["applies_to"].map(lambda a, sp=sp: _old_applies(a, sp["care_line"], sp["specialty"])).to_numpy()
        inds = cat[mask].reset_index(drop=True)
        w = w_eff.reindex(inds["indicator_id"]).to_numpy()
        delta = rng.normal(0, 0.08, len(inds))
        delta -= np.average(delta, weights=w)
        dd, mm = np.nonzero(present)
        for j, r in inds.iterrows():
            rj = np.random.default_rng([seed, s_i, j])
            phi = q[s_i][None, :] + eff[:, None] + delta[j] + noise
            value = _old_invert(phi, r)
            den = rj.poisson(VOLUME[r["indicator_id"]] * act[:, None] * np.ones((1, 12))).astype(float)
            if r["unit"] == "percent":
                num = rj.binomial(den.astype(int), np.clip(value / 100, 0, 1)).astype(float)
            elif r["unit"] == "nps":
                v = np.clip(value, -80, 80) / 100
                p_prom = np.clip(0.45 + v / 2, 0, 1)
                prom = rj.binomial(den.astype(int), p_prom)
                p_det = np.clip((0.45 - v / 2) / np.maximum(1 - p_prom, 1e-9), 0, 1)
                num = (prom - rj.binomial((den - prom).astype(int), p_det)).astype(float)
            else:
                num = rj.poisson(np.maximum(den * value / r["multiplier"], 0)).astype(float)
            cols["doc"].append(doc0 + dd)
            cols["spec"].append(np.full(len(dd), s_i))
            cols["month"].append(mm)
            cols["ind"].append(np.full(len(dd), cat.index[cat["indicator_id"] == r["indicator_id"]][0]))
            cols["num"].append(num[dd, mm])
            cols["den"].append(den[dd, mm])
        doc0 += n_doc
    return {k: np.concatenate(v) for k, v in cols.items()}


def old_hospital(seed: int, calibrate: int, year: int = 2015, client: str = hospital.CLIENT) -> pd.DataFrame:
    """``paper_hospital`` before issue 16."""
    cat = load_catalog("hospital_2015")
    w_eff = effective_weights(cat, DIMENSION_WEIGHTS)
    tr = truth()
    t = np.arange(1, 13)
    plan = (tr["intercept"].to_numpy()[:, None] + tr["slope"].to_numpy()[:, None] * t) / 100
    q = plan.copy()
    tc = t - t.mean()
    for _ in range(calibrate):
        got = _specialty_ip(old_simulate(q, cat, w_eff, tr, seed), cat, tr) / 100
        err = plan - got
        slope = (err * tc).sum(axis=1) / (tc * tc).sum()
        q = q + err.mean(axis=1, keepdims=True) + slope[:, None] * tc
    sim = old_simulate(q, cat, w_eff, tr, seed)
    months = pd.date_range(f"{year}-01-01", periods=12, freq="MS")
    ids = np.array([f"D{k + 1:04d}" for k in range(int(tr["doctors"].sum()))])
    out = pd.DataFrame(
        {
            "client": client,
            "program": PROGRAM,
            "unit_id": ids[sim["doc"]],
            "unit_type": "doctor",
            "specialty": tr["specialty"].to_numpy()[sim["spec"]],
            "period": months[sim["month"]],
            "indicator_id": cat["indicator_id"].to_numpy()[sim["ind"]],
            "numerator": sim["num"],
            "denominator": sim["den"],
        }
    )
    for c in ("client", "program", "unit_id", "unit_type", "specialty", "indicator_id"):
        out[c] = out[c].astype("category")
    return out.sort_values(["unit_id", "period", "indicator_id"], ignore_index=True)


def old_book(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)


def old_read(path: Path, sheet: str) -> pd.DataFrame:
    """The workbook reader before issue 16 (openpyxl; the header read by a pass of its own)."""
    book = pd.ExcelFile(path, engine="openpyxl")
    pd.read_excel(book, sheet_name=sheet, header=None, nrows=1, dtype=object)
    df = pd.read_excel(book, sheet_name=sheet, dtype=object)
    df.columns = [str(c).strip() for c in df.columns]
    blank = df.isna().all(axis=1).to_numpy()
    return df[~blank].reset_index(drop=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="uncalibrated hospital, survey sheet only")
    a = ap.parse_args()
    calibrate = 0 if a.quick else 2
    pd.testing.assert_frame_equal(hospital.paper_hospital(7, calibrate=calibrate), old_hospital(7, calibrate))
    results = [
        pairs(
            f"paper_hospital vs its implementation before issue 16 (calibrate={calibrate})",
            lambda: hospital.paper_hospital(7, calibrate=calibrate),
            lambda: old_hospital(7, calibrate),
            target=0.5,
            size="556 doctors x 12 months, 278,315 rows",
            n=a.pairs,
        )
    ]
    with tempfile.TemporaryDirectory() as d:
        h = synth_records.encounter_hospital()
        sheets = {"cirurgias": h["surgeries"], "pesquisa": h["surveys"]}
        if a.quick:
            sheets.pop("cirurgias")
        ours_f, old_f = Path(d) / "ours.xlsx", Path(d) / "old.xlsx"
        synth_records._book(ours_f, sheets)
        old_book(old_f, sheets)
        rows = sum(len(s) for s in sheets.values())
        for name in sheets:
            got, _ = read_table(ours_f, sheet=name)
            pd.testing.assert_frame_equal(got, old_read(old_f, name))
        results.append(
            pairs(
                "workbook write: openpyxl write-only, whole columns vs pandas to_excel",
                lambda: synth_records._book(Path(d) / "a.xlsx", sheets),
                lambda: old_book(Path(d) / "b.xlsx", sheets),
                target=0.7,
                size=f"{len(sheets)} sheet(s), {rows:,} rows",
                n=a.pairs,
            )
        )
        results.append(
            pairs(
                "workbook read: read_table (calamine, one parse per sheet) vs the openpyxl reader before",
                lambda: [read_table(ours_f, sheet=name) for name in sheets],
                lambda: [old_read(ours_f, name) for name in sheets],
                target=0.25,
                size=f"{len(sheets)} sheet(s), {rows:,} rows",
                n=a.pairs,
            )
        )
    finish(results)


if __name__ == "__main__":
    main()
