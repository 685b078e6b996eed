"""A synthetic hospital at record level: encounters, surgeries and survey answers with known case mix.

``encounter_hospital`` builds "Hospital Modelo": the 32 specialties and 556 doctors of
:mod:`gps_core.synth.hospital`, stays admitted from December of the year before to January of the year after (so
December discharges have their 30-day follow-up), and :func:`write` saves them the way a Brazilian client
sends them: a ``;``-separated latin-1 CSV of stays with ``dd/mm/yyyy`` dates and decimal commas, one Excel
workbook with a sheet of operations and a sheet of survey answers, a monthly Parquet extract of the
indicators that do not come from records (structure, processes; from :func:`gps_core.synth.hospital.paper_hospital`),
and the finance export ``faturamento.csv``: the amount each specialty received for the year's discharges
(their cost plus a 20 % margin), the base of a contract that pays a share of what was received.

Generative model (``numpy.random.default_rng(seed)``; ``truth`` returns the planted effects):

- Case mix by specialty (``CASE_MIX``): mean age, share of emergency and urgent admissions, principal
  diagnoses (ICD-10) with their own risk. Geriatria treats the oldest, most urgent patients and Pediatria
  the youngest, both with **no quality effect** on mortality: their crude mortality differs from the
  hospital's because of who they treat, and risk adjustment must bring their O/E back to about 1.
- Mortality: ``logit p = -5.0 + 0.05 (age - 60) + 1.0 emergency + 0.5 urgent + dx_risk + u_s``.
- Length of stay: negative binomial (dispersion 1.5), ``log mu = 1.2 + 0.01 (age - 60) + 0.35 emergency +
  0.4 dx_risk + v_s``.
- Readmission of a stay discharged alive: ``logit p = -2.9 + 0.015 (age - 60) + 0.5 emergency + 0.3 dx_risk
  + r_s``; an emergency stay 1-30 days later (and, as distractors, 8 % of stays get a later stay 31-90 days
  after, and cancer stays elective Z51.1 chemotherapy sessions, which are planned).
- Surgical specialties operate on 70 % of stays; wound class clean / clean-contaminated / contaminated /
  dirty 55/30/10/5 %; ASA 1-4 rising with age; SSI ``logit = -4.2 + 0.5 (asa - 2) + wound effect + s_s``;
  unplanned return to theatre ``logit = -3.4 + 0.4 (asa - 2) + s_s`` 1-5 days later (the stay is extended).
- Obstetrics: 60 % of stays are deliveries (SIGTAP codes), caesarean probability 0.55 plus a doctor effect.
- Surveys: 30 % of stays discharged alive answer within 10 days; answers follow a latent satisfaction
  ``0.78 + x_s + N(0, 0.2)`` (likelihood to recommend: 10 x (latent + 0.1), rounded).
Quality effects ``u_s, v_s, r_s, s_s, x_s`` are N(0, 0.25), N(0, 0.1), N(0, 0.2), N(0, 0.3), N(0, 0.08),
except Geriatria and Pediatria whose ``u_s`` is 0.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit

from ..records.attribution import CAESAREAN, VAGINAL
from ..records.encounters import COLUMNS as ENCOUNTER_COLUMNS
from .hospital import PAPER_SPECIALTIES, paper_hospital

CLIENT, PROGRAM = "hospital_modelo", "GPS.Equipes Hospitalares"
STAYS_PER_DOCTOR_MONTH = 3.0
# Derived from the record files: the monthly table carries only the other indicators.
DERIVED = ("E01", "F01", "F02", "F03", "F04", "F07", "F13", "X01", "X02", "X05", "X06", "X07", "X08", "X11")
# Principal diagnoses: code -> risk on the linear predictor.
DX = {
    "I21.0": 1.0,
    "I50.0": 1.2,
    "I48": 0.2,
    "J18.9": 0.9,
    "N39.0": 0.3,
    "S72.0": 0.8,
    "A41.9": 2.2,
    "J21.9": 0.1,
    "A09": -0.5,
    "C50.9": 0.6,
    "C18.9": 0.9,
    "C34.9": 1.4,
    "I63.9": 1.1,
    "G40.9": 0.0,
    "K80.2": -0.6,
    "K35.8": -0.8,
    "M17.1": -1.2,
    "M16.1": -1.1,
    "N20.0": -0.9,
    "E11.9": 0.2,
    "L03.1": -0.4,
    "H25.9": -1.5,
    "J35.0": -1.6,
    "O80": -2.5,
    "O82": -2.3,
    "Z51.1": -1.0,
}
# specialty -> (mean age, sd, emergency share, urgent share, diagnoses)
CASE_MIX = {
    "Geriatria": (83, 6, 0.65, 0.2, ("J18.9", "N39.0", "S72.0", "I50.0", "A41.9")),
    "Pediatria": (6, 4, 0.35, 0.3, ("J21.9", "A09", "J18.9")),
    "Cirurgia Pediátrica": (8, 4, 0.2, 0.2, ("K35.8", "K80.2")),
    "Cardiologia": (66, 11, 0.5, 0.2, ("I21.0", "I50.0", "I48")),
    "Cirurgia Cardiovascular": (64, 10, 0.2, 0.2, ("I21.0", "I50.0")),
    "Cancerologia": (61, 12, 0.15, 0.2, ("C50.9", "C18.9", "C34.9")),
    "Mastologia": (54, 11, 0.05, 0.1, ("C50.9",)),
    "Neurologia": (63, 15, 0.5, 0.2, ("I63.9", "G40.9")),
    "Infectologia": (48, 17, 0.5, 0.3, ("A41.9", "J18.9", "N39.0")),
    "Clínica Médica": (62, 17, 0.55, 0.25, ("J18.9", "N39.0", "I50.0", "E11.9", "A41.9")),
    "Ortopedia e Traumatologia": (52, 20, 0.35, 0.15, ("S72.0", "M17.1", "M16.1")),
    "Ginecologia e Obstetrícia": (30, 6, 0.3, 0.4, ("O80",)),
    "Urologia": (55, 15, 0.2, 0.2, ("N20.0",)),
    "Oftalmologia": (68, 10, 0.02, 0.05, ("H25.9",)),
    "Otorrinolaringologia": (25, 15, 0.05, 0.1, ("J35.0",)),
}
DEFAULT_MIX = (50, 17, 0.25, 0.2, ("K80.2", "K35.8", "E11.9", "L03.1", "N20.0"))
WOUND = np.array(["clean", "clean-contaminated", "contaminated", "dirty"])
WOUND_EFFECT = np.array([0.0, 0.7, 1.2, 1.6])
NO_EFFECT = ("Geriatria", "Pediatria")


def _labels(prefix: str, numbers: np.ndarray, width: int = 6) -> np.ndarray:
    """``prefix`` and each number zero-padded to ``width`` digits (``INT000001``), as whole arrays."""
    return np.char.add(prefix, np.char.zfill(np.asarray(numbers).astype(str), width)).astype(object)


def truth(seed: int = 2015) -> pd.DataFrame:
    """Planted quality effects per specialty (log-odds or log scale; 0 = the hospital's average)."""
    rng = np.random.default_rng([seed, 77])
    names = [s[0] for s in PAPER_SPECIALTIES]
    t = pd.DataFrame(
        {
            "specialty": names,
            "care_line": [s[1] for s in PAPER_SPECIALTIES],
            "doctors": [s[2] for s in PAPER_SPECIALTIES],
            "mortality": rng.normal(0, 0.25, len(names)),
            "los": rng.normal(0, 0.1, len(names)),
            "readmission": rng.normal(0, 0.2, len(names)),
            "surgical": rng.normal(0, 0.3, len(names)),
            "experience": rng.normal(0, 0.08, len(names)),
        }
    )
    t.loc[t["specialty"].isin(NO_EFFECT), "mortality"] = 0.0
    return t


def _stays(rng, tr: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Index stays of every specialty, with case mix and the doctor who discharged them."""
    days = (end - start).days + 1
    months = days / 30.44
    frames, doc0 = [], 0
    for _, sp in tr.iterrows():
        age_m, age_sd, p_em, p_ur, dxs = CASE_MIX.get(sp["specialty"], DEFAULT_MIX)
        n_doc = int(sp["doctors"])
        act = rng.gamma(2.0, 0.5, n_doc)
        n = rng.poisson(STAYS_PER_DOCTOR_MONTH * months * n_doc)
        doc = rng.choice(n_doc, n, p=act / act.sum())
        kind = rng.choice(["emergency", "urgent", "elective"], n, p=[p_em, p_ur, 1 - p_em - p_ur])
        age = np.clip(np.round(rng.normal(age_m, age_sd, n)), 0 if age_m < 18 else 18, 104)
        frames.append(
            pd.DataFrame(
                {
                    "doctor": doc0 + doc,
                    "specialty": sp["specialty"],
                    "admission": start + pd.to_timedelta(rng.integers(0, days, n), unit="D"),
                    "admission_type": kind,
                    "age": age,
                    "sex": rng.choice(["M", "F"], n),
                    "diagnosis": rng.choice(list(dxs), n),
                }
            )
        )
        doc0 += n_doc
    out = pd.concat(frames, ignore_index=True)
    obst = out["specialty"] == "Ginecologia e Obstetrícia"
    out.loc[obst, "sex"] = "F"
    return out


def _outcomes(rng, s: pd.DataFrame, tr: pd.DataFrame) -> pd.DataFrame:
    eff = tr.set_index("specialty")
    dx = s["diagnosis"].map(DX).to_numpy()
    em = (s["admission_type"] == "emergency").to_numpy()
    ur = (s["admission_type"] == "urgent").to_numpy()
    a = s["age"].to_numpy() - 60
    u = eff.loc[s["specialty"], "mortality"].to_numpy()
    die = rng.random(len(s)) < expit(-5.0 + 0.05 * a + 1.0 * em + 0.5 * ur + dx + u)
    mu = np.exp(1.2 + 0.01 * a + 0.35 * em + 0.4 * dx + eff.loc[s["specialty"], "los"].to_numpy())
    los = rng.negative_binomial(1.5, 1.5 / (1.5 + mu))
    out = s.assign(los=los, status=np.where(die, "death", "alive"))
    return out


def encounter_hospital(seed: int = 2015, year: int = 2015) -> dict[str, pd.DataFrame]:
    """The record files of Hospital Modelo, typed: ``encounters``, ``surgeries``, ``surveys`` (and ``truth``)."""
    rng = np.random.default_rng(seed)
    tr = truth(seed)
    start, end = pd.Timestamp(f"{year - 1}-12-01"), pd.Timestamp(f"{year + 1}-01-31")
    s = _outcomes(rng, _stays(rng, tr, start, end), tr)
    s["patient"] = np.arange(len(s))
    eff = tr.set_index("specialty")
    # Obstetrics: deliveries with procedure codes; caesarean odds vary by doctor.
    obst = (s["specialty"] == "Ginecologia e Obstetrícia").to_numpy()
    deliver = obst & (rng.random(len(s)) < 0.6)
    doc_cs = rng.normal(0, 0.6, s["doctor"].max() + 1)
    cs = deliver & (rng.random(len(s)) < expit(0.2 + doc_cs[s["doctor"]]))
    s["procedure"] = np.where(cs, CAESAREAN[0], np.where(deliver, VAGINAL[0], None))
    s.loc[deliver, "diagnosis"] = np.where(cs[deliver], "O82", "O80")
    s.loc[obst & ~deliver, "diagnosis"] = rng.choice(["N20.0", "K80.2", "L03.1"], int((obst & ~deliver).sum()))
    s.loc[deliver, "admission_type"] = rng.choice(["urgent", "elective"], int(deliver.sum()), p=[0.6, 0.4])
    # Readmissions (counted), later stays (outside the window) and planned chemotherapy sessions.
    dx = s["diagnosis"].map(DX).to_numpy()
    alive = (s["status"] == "alive").to_numpy()
    em = (s["admission_type"] == "emergency").to_numpy()
    p_re = expit(-2.9 + 0.015 * (s["age"].to_numpy() - 60) + 0.5 * em + 0.3 * dx)
    p_re = expit(np.log(p_re / (1 - p_re)) + eff.loc[s["specialty"], "readmission"].to_numpy())
    discharge = s["admission"] + pd.to_timedelta(s["los"], unit="D")
    extra = []
    for mask, gap, kind, code in (
        (alive & (rng.random(len(s)) < p_re), (1, 31), "emergency", None),
        (alive & (rng.random(len(s)) < 0.08), (31, 91), "urgent", None),
        (
            alive & (s["diagnosis"].str.startswith("C").to_numpy()) & (rng.random(len(s)) < 0.3),
            (7, 22),
            "elective",
            "Z51.1",
        ),
    ):
        idx = np.flatnonzero(mask)
        r = s.iloc[idx].copy()
        r["admission"] = discharge.iloc[idx].to_numpy() + pd.to_timedelta(rng.integers(*gap, len(idx)), unit="D")
        r["admission_type"] = kind
        r["procedure"] = None
        if code:
            r["diagnosis"] = code
        extra.append(r)
    more = pd.concat(extra, ignore_index=True)
    more = _outcomes(rng, more.drop(columns=["los", "status"]), tr)
    more.loc[more["diagnosis"] == "Z51.1", ["los", "status"]] = [1, "alive"]
    s = pd.concat([s, more], ignore_index=True)
    s = s[s["admission"] <= end].reset_index(drop=True)
    s["encounter_id"] = _labels("INT", np.arange(1, len(s) + 1))
    s["patient_id"] = _labels("PAC", s["patient"].to_numpy())
    # Surgery in surgical specialties, and every caesarean.
    surgical = (s["specialty"].map(eff["care_line"]) == "surgical").to_numpy() & (
        s["specialty"] != "Ginecologia e Obstetrícia"
    ).to_numpy()
    operate = (surgical & (rng.random(len(s)) < 0.7) & (s["diagnosis"] != "Z51.1").to_numpy()) | (
        s["procedure"] == CAESAREAN[0]
    ).to_numpy()
    o = s[operate].reset_index(drop=True)
    asa = np.clip(1 + (o["age"].to_numpy() > 40) + (o["age"].to_numpy() > 65) + rng.binomial(1, 0.3, len(o)), 1, 4)
    wound = rng.choice(4, len(o), p=[0.55, 0.3, 0.1, 0.05])
    wound[(o["procedure"] == CAESAREAN[0]).to_numpy()] = 1
    se = eff.loc[o["specialty"], "surgical"].to_numpy()
    ssi = rng.random(len(o)) < expit(-4.2 + 0.5 * (asa - 2) + WOUND_EFFECT[wound] + se)
    rtt = rng.random(len(o)) < expit(-3.4 + 0.4 * (asa - 2) + se)
    day = o["admission"] + pd.to_timedelta(np.minimum(o["los"], 1), unit="D")
    surgeon = o["doctor"].to_numpy().copy()
    surg = pd.DataFrame(
        {
            "encounter_id": o["encounter_id"],
            "patient_id": o["patient_id"],
            "date": day,
            "doctor": surgeon,
            "specialty": o["specialty"],
            "procedure": np.where(o["procedure"] == CAESAREAN[0], CAESAREAN[0], "0407"),
            "wound_class": WOUND[wound],
            "planned": True,
            "ssi": ssi,
            "asa": asa,
        }
    )
    back = surg[rtt].copy()
    back["date"] = back["date"] + pd.to_timedelta(rng.integers(1, 6, len(back)), unit="D")
    back["planned"] = False
    back["ssi"] = False
    surg = pd.concat([surg, back], ignore_index=True).sort_values(["date", "encounter_id"], ignore_index=True)
    surg["surgery_id"] = _labels("CIR", np.arange(1, len(surg) + 1))
    # A return to theatre keeps the patient in hospital at least until that day.
    last_op = surg.groupby("encounter_id")["date"].max()
    dis = s["admission"] + pd.to_timedelta(s["los"], unit="D")
    s["discharge"] = np.maximum(dis, s["encounter_id"].map(last_op).fillna(dis))
    s["cost"] = np.round(rng.gamma(2.0, 0.5, len(s)) * 1800 * (1 + (s["discharge"] - s["admission"]).dt.days), 2)
    ids = _labels("D", np.arange(1, int(tr["doctors"].sum()) + 1), 4)
    s["doctor_id"] = ids[s["doctor"]]
    surg["surgeon_id"] = ids[surg["doctor"]]
    # Survey answers.
    al = s[(s["status"] == "alive") & (rng.random(len(s)) < 0.3)].reset_index(drop=True)
    lat = 0.78 + eff.loc[al["specialty"], "experience"].to_numpy() + rng.normal(0, 0.2, len(al))

    def five(noise: float) -> np.ndarray:
        v = np.clip(np.round(1 + 4 * (lat + rng.normal(0, noise, len(al)))), 1, 5).astype(float)
        v[rng.random(len(al)) < 0.05] = np.nan  # question left blank
        return v

    surveys = pd.DataFrame(
        {
            "response_id": _labels("PSQ", np.arange(1, len(al) + 1)),
            "date": al["discharge"] + pd.to_timedelta(rng.integers(0, 11, len(al)), unit="D"),
            "encounter_id": al["encounter_id"],
            "doctor_id": al["doctor_id"],
            "specialty": al["specialty"],
            "recommend": np.clip(np.round(10 * (lat + 0.1 + rng.normal(0, 0.1, len(al)))), 0, 10),
            "overall": five(0.1),
            "doctor_communication": five(0.12),
            "pain": five(0.15),
            "medicines": five(0.15),
            "discharge_info": five(0.12),
        }
    )
    cols = list(ENCOUNTER_COLUMNS)  # the encounter contract, with its optional procedure and cost
    cols.insert(cols.index("diagnosis") + 1, "procedure")
    enc = s.assign(discharge_status=np.where(s["status"] == "death", "death", "alive"))[[*cols, "cost"]].sort_values(
        ["admission", "encounter_id"], ignore_index=True
    )
    cols = ["surgery_id", "encounter_id", "patient_id", "date", "surgeon_id", "specialty", "procedure"]
    surg = surg[[*cols, "wound_class", "planned", "ssi", "asa"]]
    return {"encounters": enc, "surgeries": surg, "surveys": surveys, "truth": tr}


PT_STATUS = {"alive": "alta", "death": "óbito"}
PT_TYPE = {"elective": "eletiva", "urgent": "urgência", "emergency": "emergência"}
PT_WOUND = {"clean": "limpa", "clean-contaminated": "potencialmente contaminada", "contaminated": "contaminada"}


def _brl(v: float) -> str:
    """An amount as a Brazilian export writes it: ``1.234,56``."""
    return f"{v:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _book(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """Write each table on its own sheet, a bold header and then its rows, as whole columns turned into
    rows (openpyxl's write-only mode: pandas' ``to_excel`` styles a cell object per value, twice the time)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, df in sheets.items():
        sheet = book.create_sheet(name)
        head = []
        for c in df.columns:
            cell = WriteOnlyCell(sheet, value=str(c))
            cell.font = bold
            head.append(cell)
        sheet.append(head)
        cols = [df[c].astype(object).where(df[c].notna(), None).tolist() for c in df.columns]
        for row in zip(*cols, strict=True):
            sheet.append(row)
    book.save(path)


def write(folder: str | Path, seed: int = 2015, year: int = 2015) -> dict[str, Path]:
    """Write Hospital Modelo's files as a Brazilian client sends them (see the module docstring)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    h = encounter_hospital(seed, year)
    e = h["encounters"].copy()
    for c in ("admission", "discharge"):
        e[c] = e[c].dt.strftime("%d/%m/%Y")
    e["discharge_status"] = e["discharge_status"].map(PT_STATUS)
    e["admission_type"] = e["admission_type"].map(PT_TYPE)
    e["age"] = e["age"].astype(int)
    e["cost"] = e["cost"].map(_brl)
    paths = {"encounters": folder / "internacoes.csv", "workbook": folder / "cirurgias_e_pesquisa.xlsx"}
    e.to_csv(paths["encounters"], sep=";", index=False, encoding="latin-1")
    # the finance export: what each specialty received for the year's discharges (cost plus a 20 % margin)
    enc = h["encounters"]
    year_ = enc[enc["discharge"].dt.year == year]
    paid = (year_["cost"] * 1.2).groupby(year_["specialty"].astype(str)).sum().round(2)
    fin = pd.DataFrame({"especialidade": paid.index, "valor_recebido": [_brl(v) for v in paid.to_numpy()]})
    paths["finance"] = folder / "faturamento.csv"
    fin.to_csv(paths["finance"], sep=";", index=False, encoding="latin-1")
    s = h["surgeries"].copy()
    s["date"] = s["date"].dt.strftime("%d/%m/%Y")
    s["wound_class"] = s["wound_class"].map(lambda w: PT_WOUND.get(w, "infectada"))
    s["planned"] = np.where(s["planned"], "sim", "não")
    s["ssi"] = np.where(s["ssi"], "sim", "não")
    a = h["surveys"].copy()
    a["date"] = a["date"].dt.strftime("%d/%m/%Y")
    _book(paths["workbook"], {"cirurgias": s, "pesquisa": a})
    m = paper_hospital(seed, year, client=CLIENT)
    m = m[~m["indicator_id"].isin(DERIVED)]
    paths["monthly"] = folder / "indicadores_mensais.parquet"
    m.astype({"numerator": "int32", "denominator": "int32"}).to_parquet(paths["monthly"], index=False)
    return paths
