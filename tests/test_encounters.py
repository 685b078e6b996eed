"""Encounter contract and the indicators computed from encounters, with the readmission edge cases."""

import pandas as pd
import pytest

from gps_core.catalog import load_catalog
from gps_core.errors import InputError
from gps_core.records import derive
from gps_core.records import encounters as E
from gps_core.schemas import validate_measurements

BASE = {
    "patient_id": "p",
    "doctor_id": "d1",
    "specialty": "Cardiologia",
    "diagnosis": "I21.0",
    "discharge_status": "alive",
    "admission_type": "emergency",
    "age": 70,
    "sex": "M",
}


def stays(*rows) -> pd.DataFrame:
    out = []
    for k, r in enumerate(rows):
        out.append({"encounter_id": f"e{k}", **BASE, **r})
    return E.validate(pd.DataFrame(out))


def _readmitted(enc):
    return E.readmissions(enc).set_index("encounter_id")["readmission_id"].dropna().to_dict()


def test_readmission_window_edges():
    enc = stays(
        {"patient_id": "a", "admission": "2015-01-01", "discharge": "2015-01-05"},  # e0: readmitted day 30
        {"patient_id": "a", "admission": "2015-02-04", "discharge": "2015-02-06"},  # e1: 30 days after e0
        {"patient_id": "b", "admission": "2015-01-01", "discharge": "2015-01-05"},  # e2: next stay day 31
        {"patient_id": "b", "admission": "2015-02-05", "discharge": "2015-02-07"},  # e3
        {"patient_id": "c", "admission": "2015-01-10", "discharge": "2015-01-10"},  # e4: same-day readmission
        {"patient_id": "c", "admission": "2015-01-10", "discharge": "2015-01-12"},  # e5
        {"patient_id": "z", "admission": "2015-06-01", "discharge": "2015-06-02"},  # e6: sets follow-up end
    )
    assert _readmitted(enc) == {"e0": "e1", "e4": "e5"}


def test_transfers_deaths_and_planned_readmissions_are_excluded():
    enc = stays(
        {"patient_id": "a", "admission": "2015-01-01", "discharge": "2015-01-05", "discharge_status": "transfer"},
        {"patient_id": "a", "admission": "2015-01-06", "discharge": "2015-01-08"},
        {"patient_id": "b", "admission": "2015-01-01", "discharge": "2015-01-05", "discharge_status": "óbito"},
        {"patient_id": "c", "admission": "2015-01-01", "discharge": "2015-01-05"},
        {"patient_id": "c", "admission": "2015-01-20", "discharge": "2015-01-21", "admission_type": "eletiva"},
        {"patient_id": "z", "admission": "2015-06-01", "discharge": "2015-06-02"},
    )
    eligible = set(E.readmissions(enc)["encounter_id"])
    assert "e0" not in eligible and "e2" not in eligible  # transferred out; died
    assert "e3" in eligible and _readmitted(enc) == {}  # the elective return is planned, not a readmission
    assert "e5" not in eligible  # incomplete follow-up: its 30 days run past the data


def test_indicators_and_drill_down_agree_and_fit_the_contract():
    enc = stays(
        {"patient_id": "a", "admission": "2015-01-01", "discharge": "2015-01-05"},
        {"patient_id": "a", "admission": "2015-01-20", "discharge": "2015-01-20"},
        {"patient_id": "b", "admission": "2015-01-03", "discharge": "2015-01-04", "discharge_status": "death"},
        {"patient_id": "c", "admission": "2015-01-03", "discharge": "2015-01-03", "discharge_status": "death"},
        {"patient_id": "z", "admission": "2015-06-01", "discharge": "2015-06-02", "doctor_id": "d2"},
    )
    m = derive.to_measurements(E.trace(enc), "c", "p", "doctor").set_index(["unit_id", "period", "indicator_id"])
    jan = ("d1", pd.Timestamp("2015-01-01"))
    assert tuple(m.loc[(*jan, "E01"), ["numerator", "denominator"]]) == (4 + 1 + 1 + 1, 4)  # same day = 1
    assert tuple(m.loc[(*jan, "F01"), ["numerator", "denominator"]]) == (1, 4)  # the same-day death is < 24 h
    assert tuple(m.loc[(*jan, "F02"), ["numerator", "denominator"]]) == (1, 2)
    t = E.trace(enc)
    f02 = t[(t["indicator_id"] == "F02") & (t["numerator"] == 1)]
    assert f02[["encounter_id", "linked_id"]].values.tolist() == [["e0", "e1"]]
    validate_measurements(m.reset_index(), load_catalog())


def test_bad_encounters_list_every_problem():
    rows = pd.DataFrame(
        [
            {"encounter_id": "e1", **BASE, "admission": "10/01/2015", "discharge": "05/01/2015"},
            {"encounter_id": "e1", **BASE, "admission": "2015-01-01", "discharge": "2015-01-02", "sex": "X"},
            {
                "encounter_id": "e3",
                **BASE,
                "admission": "2015-02-30",
                "discharge": "2015-03-02",
                "age": "abc",
                "diagnosis": "heart",
                "discharge_status": "home",
            },
        ]
    )
    with pytest.raises(InputError) as e:
        E.validate(rows, "enc.csv")
    msg = str(e.value)
    for needle in (
        "line 2, column 'discharge': 2015-01-05 is before admission 2015-01-10",
        "line 3, column 'sex': 'X' is not one of ['F', 'M']",
        "line 4, column 'admission': '2015-02-30' is not a date",
        "line 4, column 'age': 'abc' is not a number",
        "line 4, column 'diagnosis': 'heart' is not an ICD-10 code",
        "line 4, column 'discharge_status': 'home' is not one of ['alive', 'death', 'transfer']",
        "line 2, column 'encounter_id': 'e1' appears more than once",
        "line 3, column 'encounter_id': 'e1' appears more than once",
    ):
        assert needle in msg, needle


def test_annual_evaluation_runs_from_an_encounter_file(tmp_path, root):
    """A Brazilian encounter export drives the evaluation: F02 in the index equals the hand count."""
    import numpy as np

    from gps_core import params
    from gps_core.studies import evaluation

    rng = np.random.default_rng(3)
    n = 6000
    adm = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 395, n), unit="D")
    dis = adm + pd.to_timedelta(rng.poisson(3, n), unit="D")
    doctors = rng.integers(0, 8, n)
    df = pd.DataFrame(
        {
            "encounter_id": [f"E{k:05d}" for k in range(n)],
            "patient_id": [f"P{k}" for k in rng.integers(0, 2500, n)],
            "admission": adm.strftime("%d/%m/%Y"),
            "discharge": dis.strftime("%d/%m/%Y"),
            "doctor_id": [f"D{d}" for d in doctors],
            "specialty": np.where(doctors < 4, "Cardiologia", "Clínica Médica"),
            "diagnosis": "I21.0",
            "discharge_status": rng.choice(["alta", "óbito", "transferência"], n, p=[0.94, 0.04, 0.02]),
            "admission_type": rng.choice(["eletiva", "urgência"], n),
            "age": rng.integers(18, 95, n),
            "sex": rng.choice(["M", "F"], n),
        }
    )
    f = tmp_path / "internacoes.csv"
    df.to_csv(f, sep=";", index=False, encoding="latin-1")
    # The demo's pay-for-performance contract is sized for 32 teams, not for these 8 doctors: leave it out.
    base = (root / "params" / "hospital_2015.yaml").read_text().split("\ncontract:")[0] + "\n"
    p = tmp_path / "enc.yaml"
    p.write_text(
        base.replace(
            "source: {kind: synthetic_paper_hospital, seed: 2015}", "source: {kind: encounters, path: internacoes.csv}"
        ).replace("unit_level: specialty", "unit_level: as_is")
    )
    ev = evaluation.run(params.load(p))
    assert set(ev.annual["unit_id"].astype(str)) == {f"D{d}" for d in range(8)}
    assert set(ev.scores["indicator_id"].astype(str)) == {"E01", "F01", "F02"}
    enc = E.validate(pd.read_csv(f, sep=";", encoding="latin-1", dtype=str))
    r = E.readmissions(enc).merge(enc[["encounter_id", "doctor_id", "discharge"]], on="encounter_id")
    r = r[(r["doctor_id"] == "D3") & (r["discharge"].dt.month == 3) & (r["discharge"].dt.year == 2015)]
    row = ev.scores[
        (ev.scores["unit_id"] == "D3")
        & (ev.scores["indicator_id"] == "F02")
        & (ev.scores["period"] == pd.Timestamp("2015-03-01"))
    ].iloc[0]
    assert (row["numerator"], row["denominator"]) == (r["readmission_id"].notna().sum(), len(r))
    assert ev.provenance["inputs"][0]["read_as"]["encoding"] == "latin-1"
