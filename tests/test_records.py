"""Surgeries, survey answers, deliveries, XML, multi-file intake and the risk-adjusted measurements."""

import zipfile

import numpy as np
import pandas as pd
import pytest

from gps_core.catalog import load_catalog
from gps_core.errors import InputError
from gps_core.index import aggregate_measurements, score_indicators
from gps_core.io.readers import read_table
from gps_core.records import derive, surgeries, surveys
from gps_core.records import encounters as E
from gps_core.records.attribution import Rules

STAY = {
    "discharge_status": "alive",
    "admission_type": "elective",
    "age": 50,
    "sex": "F",
    "diagnosis": "K80.2",
    "specialty": "Cirurgia Geral",
    "doctor_id": "d1",
}


def enc(*rows) -> pd.DataFrame:
    return E.validate(pd.DataFrame([{"encounter_id": f"e{k}", **STAY, **r} for k, r in enumerate(rows)]))


def ops(encounters, *rows) -> pd.DataFrame:
    base = {"surgeon_id": "s1", "specialty": "Cirurgia Geral", "procedure": "0407", "planned": "sim", "ssi": "não"}
    df = pd.DataFrame([{"surgery_id": f"o{k}", **base, **r} for k, r in enumerate(rows)])
    return surgeries.validate(df, encounters=encounters)


def sums(t: pd.DataFrame, ind: str) -> tuple[float, float]:
    x = t[t["indicator_id"] == ind]
    return float(x["numerator"].sum()), float(x["denominator"].sum())


def test_surgical_indicators_by_hand():
    e = enc(
        {"patient_id": "a", "admission": "2015-01-01", "discharge": "2015-01-20"},
        {"patient_id": "b", "admission": "2015-01-01", "discharge": "2015-01-05", "discharge_status": "death"},
        {"patient_id": "c", "admission": "2015-01-01", "discharge": "2015-03-20"},
        {"patient_id": "z", "admission": "2015-04-01", "discharge": "2015-04-02"},
    )
    s = ops(
        e,
        # a: clean op with SSI, unplanned return 5 days later (counted), then a planned one (never a return)
        {"encounter_id": "e0", "patient_id": "a", "date": "2015-01-02", "wound_class": "limpa", "ssi": "sim"},
        {"encounter_id": "e0", "patient_id": "a", "date": "2015-01-07", "wound_class": "contaminada", "planned": "não"},
        {"encounter_id": "e0", "patient_id": "a", "date": "2015-01-10", "wound_class": "limpa"},
        # b: died 3 days after the first operation of the stay
        {"encounter_id": "e1", "patient_id": "b", "date": "2015-01-02", "wound_class": "clean", "asa": "3"},
        # c: unplanned return exactly 30 days later counts; then 31 days later does not
        {"encounter_id": "e2", "patient_id": "c", "date": "2015-01-02", "wound_class": "dirty"},
        {"encounter_id": "e2", "patient_id": "c", "date": "2015-02-01", "wound_class": "dirty", "planned": "no"},
        {"encounter_id": "e2", "patient_id": "c", "date": "2015-03-04", "wound_class": "dirty", "planned": "no"},
        {"encounter_id": "e3", "patient_id": "z", "date": "2015-04-01", "wound_class": "clean"},  # follow-up end
    )
    t = surgeries.trace(s, e)
    assert sums(t, "F03") == (1, 4)  # clean: o0, o2, o3, o7
    f04 = t[(t["indicator_id"] == "F04") & (t["numerator"] == 1)]
    assert dict(zip(f04["record_id"], f04["linked_id"], strict=True)) == {"o0": "o1", "o4": "o5"}
    assert sums(t, "F04")[1] == 6  # o6 (30 days end after the data) and o7 lack follow-up
    assert sums(t, "F13") == (1, 4)  # first operation of each stay; e1 died
    by_surgeon = set(t["unit_id"])
    by_discharge = set(surgeries.trace(s, e, Rules(surgery_to="discharging"))["unit_id"])
    assert by_surgeon == {"s1"} and by_discharge == {"d1"}


def test_surveys_top_box_nps_and_response_rate():
    e = enc(
        {"patient_id": "a", "admission": "2015-01-01", "discharge": "2015-01-03"},
        {"patient_id": "b", "admission": "2015-01-01", "discharge": "2015-01-03"},
        {"patient_id": "c", "admission": "2015-01-01", "discharge": "2015-01-03"},
        {"patient_id": "d", "admission": "2015-01-01", "discharge": "2015-01-03", "discharge_status": "death"},
    )
    ans = surveys.validate(
        pd.DataFrame(
            {
                "response_id": ["r1", "r2", "r3"],
                "date": ["05/01/2015"] * 3,
                "encounter_id": ["e0", "e1", None],
                "doctor_id": "d1",
                "specialty": "Cirurgia Geral",
                "recommend": ["10", "6", "8"],
                "overall": ["5", "3", None],
                "pain": ["4", "", "2"],
            }
        )
    )
    t = surveys.trace(ans, e)
    assert sums(t, "X02") == (0, 3)  # one promoter, one detractor, one passive
    assert sums(t, "X01") == (1, 2)  # the blank answer leaves the denominator
    assert sums(t, "X06") == (1, 2)
    assert sums(t, "X11") == (2, 3)  # 3 stays discharged alive, 2 answered


def test_caesarean_by_procedure_code_or_icd10():
    e = enc(
        {"patient_id": "a", "admission": "2015-01-01", "discharge": "2015-01-03", "procedure": "04.11.01.003-4"},
        {"patient_id": "b", "admission": "2015-01-01", "discharge": "2015-01-03", "procedure": "0310010039"},
        {"patient_id": "c", "admission": "2015-01-01", "discharge": "2015-01-03", "diagnosis": "O82.0"},
        {"patient_id": "d", "admission": "2015-01-01", "discharge": "2015-01-03", "diagnosis": "O80"},
        {"patient_id": "f", "admission": "2015-01-01", "discharge": "2015-01-03"},  # not a delivery
    )
    assert sums(E.trace(e), "F07") == (2, 4)


def test_planned_diagnoses_are_not_readmissions():
    e = enc(
        {"patient_id": "a", "admission": "2015-01-01", "discharge": "2015-01-05"},
        {
            "patient_id": "a",
            "admission": "2015-01-12",
            "discharge": "2015-01-12",
            "admission_type": "urgent",
            "diagnosis": "Z51.1",
        },
        {"patient_id": "z", "admission": "2015-06-01", "discharge": "2015-06-02"},
    )
    assert E.readmissions(e)["readmission_id"].isna().all()
    r = E.readmissions(e, Rules(planned_diagnoses=()))
    assert r.set_index("encounter_id").loc["e0", "readmission_id"] == "e1"


def test_bad_surgeries_list_every_problem():
    e = enc({"patient_id": "a", "admission": "2015-01-01", "discharge": "2015-01-05"})
    bad = pd.DataFrame(
        {
            "surgery_id": ["o1", "o1", "o3"],
            "encounter_id": ["e0", "e0", "e9"],
            "patient_id": ["a", "x", "a"],
            "date": ["2015-01-02", "2015-01-09", "2015-01-02"],
            "surgeon_id": "s1",
            "specialty": ["Cirurgia Geral", "Cirurgia Gerl", "Cirurgia Geral"],
            "procedure": "0407",
            "wound_class": ["limpa", "sterile", "clean"],
            "planned": ["sim", "talvez", "no"],
            "ssi": ["não", "no", "yes"],
            "asa": ["2", "7", ""],
        }
    )
    with pytest.raises(InputError) as err:
        surgeries.validate(bad, "cirurgias.xlsx", encounters=e, specialties=["Cirurgia Geral"])
    msg = str(err.value)
    for needle in (
        "line 3, column 'wound_class': 'sterile' is not one of",
        "line 3, column 'planned': 'talvez' is not one of",
        "line 3, column 'asa': '7' is not a whole number in 1..5",
        "line 3, column 'specialty': 'Cirurgia Gerl' is not a known specialty; did you mean 'Cirurgia Geral'?",
        "line 2, column 'surgery_id': 'o1' appears more than once",
        "line 4, column 'encounter_id': 'e9' is not a stay of the encounter file",
        "line 3, column 'patient_id': 'x' differs from the stay's patient",
        "line 3, column 'date': 2015-01-09 is outside its stay (2015-01-01..2015-01-05)",
    ):
        assert needle in msg, needle


XML = """<?xml version="1.0" encoding="UTF-8"?>
<encounters>
  <encounter id="E1"><patient_id>P1</patient_id><admission>01/02/2015</admission>
    <discharge>03/02/2015</discharge><doctor_id>D1</doctor_id><specialty>Cardiologia</specialty>
    <diagnosis>I21.0</diagnosis><discharge_status>alta</discharge_status>
    <admission_type>urgência</admission_type><age>70</age><sex>F</sex></encounter>
  <encounter id="E2" age="200">
    <patient_id>P2</patient_id><admission>05/02/2015</admission><discharge>04/02/2015</discharge>
    <doctor_id>D1</doctor_id><specialty>Cardiologia</specialty><diagnosis>I21.0</diagnosis>
    <discharge_status>alta</discharge_status><admission_type>urgência</admission_type><sex>M</sex>
  </encounter>
</encounters>
"""


def test_xml_encounters_read_with_their_source_lines(tmp_path):
    f = tmp_path / "internacoes.xml"
    f.write_text(XML, encoding="utf-8")
    df, dialect = read_table(f)
    assert dialect.format == "xml" and list(df["encounter_id"]) == ["E1", "E2"]
    with pytest.raises(InputError) as err:
        E.validate(df, str(f))
    msg = str(err.value)
    assert "line 7, column 'discharge': 2015-02-04 is before admission 2015-02-05" in msg
    assert "line 7, column 'age': '200' is not a number in 0..120" in msg
    ok = E.validate(df.iloc[:1], str(f))
    assert ok.loc[0, "discharge_status"] == "alive"
    f.write_text(XML.replace("</encounters>", ""), encoding="utf-8")
    with pytest.raises(InputError, match="not well-formed XML"):
        read_table(f)


def test_risk_adjusted_rows_score_on_o_over_e_times_the_reference_rate():
    cat = load_catalog()
    m = pd.DataFrame(
        {
            "client": "c",
            "program": "p",
            "unit_id": ["d1", "d2"],
            "unit_type": "doctor",
            "specialty": "S",
            "period": pd.Timestamp("2015-01-01"),
            "indicator_id": "F01",
            "numerator": [6.0, 2.0],
            "denominator": [100.0, 100.0],
            "expected": [3.0, 5.0],
            "reference_rate": [0.04, 0.04],
        }
    )
    s = score_indicators(m, cat)
    assert s["value"].tolist() == pytest.approx([6 / 3 * 4, 2 / 5 * 4])  # percent
    assert s["crude"].tolist() == pytest.approx([6, 2]) and s["expected_value"].tolist() == pytest.approx([3, 5])
    team = score_indicators(aggregate_measurements(m, "specialty"), cat)
    assert team["value"].iloc[0] == pytest.approx(8 / 8 * 4)  # (sum O / sum E) x rate, not a mean of ratios


@pytest.mark.integration
def test_sources_that_overlap_are_refused(tmp_path, root):
    from gps_core import params
    from gps_core.studies import evaluation

    p = tmp_path / "two.yaml"
    text = (root / "params" / "hospital_2015.yaml").read_text()
    p.write_text(
        text.replace(
            "source: {kind: synthetic_paper_hospital, seed: 2015}",
            "source:\n  - {kind: synthetic_paper_hospital, seed: 2015}\n  - {kind: synthetic_paper_hospital, seed: 1}",
        )
    )
    with pytest.raises(InputError, match="indicator E01 comes from both"):
        evaluation.run(params.load(p))


def test_every_file_of_a_client_is_checked_before_reporting(tmp_path):
    """A bad encounter file and a bad workbook: one error lists the problems of both files."""
    from gps_core.io.sources import read_records
    from gps_core.params import EncounterSource

    pd.DataFrame(
        [{"encounter_id": "e1", "patient_id": "a", **STAY, "admission": "2015-01-01", "discharge": "2015-13-01"}]
    ).to_csv(tmp_path / "enc.csv", sep=";", index=False)
    with pd.ExcelWriter(tmp_path / "book.xlsx") as xw:
        pd.DataFrame({"response_id": ["r1"], "date": ["x"], "doctor_id": ["d1"], "specialty": ["S"]}).to_excel(
            xw, sheet_name="pesquisa", index=False
        )
    # as params.load builds it: the paths resolved against the params file's folder
    src = EncounterSource.model_validate(
        {"kind": "encounters", "path": "enc.csv", "surveys": {"path": "book.xlsx", "sheet": "pesquisa"}},
        context={"base": tmp_path},
    )
    with pytest.raises(InputError) as err:
        read_records(src)
    msg = str(err.value)
    assert "enc.csv: line 2, column 'discharge': '2015-13-01' is not a date" in msg
    assert "book.xlsx: line 1: missing column(s) ['recommend', 'overall']" in msg


@pytest.mark.integration
def test_shipped_synthetic_files_are_what_the_generator_writes(tmp_path, root):
    from gps_core.synth import records as synth_records

    shipped = root / "data" / "synthetic" / "hospital_modelo"
    new = synth_records.write(tmp_path)
    assert new["encounters"].read_bytes() == (shipped / "internacoes.csv").read_bytes()
    assert new["finance"].read_bytes() == (shipped / "faturamento.csv").read_bytes()
    # the workbook part by part (reading both back through pandas cost 6 s); only the file's creation time
    # (docProps/core.xml) differs between two writes
    with zipfile.ZipFile(new["workbook"]) as a, zipfile.ZipFile(shipped / "cirurgias_e_pesquisa.xlsx") as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        assert [n for n in a.namelist() if a.read(n) != b.read(n)] == ["docProps/core.xml"]
    pd.testing.assert_frame_equal(pd.read_parquet(new["monthly"]), pd.read_parquet(shipped / new["monthly"].name))


@pytest.fixture(scope="module")
def modelo():
    from gps_core.synth import records as synth_records

    h = synth_records.encounter_hospital()
    recs = derive.Records(
        E.validate(h["encounters"]),
        surgeries.validate(h["surgeries"].astype({"planned": str, "ssi": str})),
        surveys.validate(h["surveys"]),
    )
    return h, recs


def test_risk_adjustment_removes_the_planted_case_mix(modelo):
    """Geriatria and Pediatria have no planted mortality effect: their crude mortality is far from the
    hospital's because of their patients; O/E brings them back to about 1. Across the specialties with enough
    expected deaths, O/E varies far less than the crude rate: what remains is the planted quality effect
    (SD 0.25 on the log-odds) and noise."""
    _, recs = modelo
    t = derive.trace(recs, Rules(level="specialty"))
    spec = {"F01": derive.RiskSpec("binomial", "age + C(sex) + C(admission_type) + C(chapter)")}
    adj = derive.adjust(t, recs, spec)
    f = adj.trace[adj.trace["indicator_id"] == "F01"].groupby("unit_id")[["numerator", "denominator", "expected"]].sum()
    f["crude"] = f["numerator"] / f["denominator"]
    f["oe"] = f["numerator"] / f["expected"]
    overall = f["numerator"].sum() / f["denominator"].sum()
    assert f.loc["Geriatria", "crude"] > 3 * overall
    assert 0.75 < f.loc["Geriatria", "oe"] < 1.25
    assert f.loc["Pediatria", "crude"] < 0.3 * overall
    big = f[f["expected"] >= 20]
    assert len(big) >= 6
    assert np.log(big["oe"]).std() < 0.35 * np.log(big["crude"] / overall).std()
    assert adj.models["F01"]["c_statistic"] > 0.8


def test_reference_population_models_apply_to_another_client(modelo):
    """Fit on one half of the hospital, apply to the other: the reference rate is the reference's."""
    _, recs = modelo
    e = recs.encounters
    half = e["patient_id"].str[-1].isin(list("02468"))
    ref = derive.Records(e[half].reset_index(drop=True))
    client = derive.Records(e[~half].reset_index(drop=True))
    spec = {"F01": derive.RiskSpec("binomial", "age + C(admission_type) + C(chapter)")}
    adj = derive.adjust(derive.trace(client), client, spec, ref, reference_name="half")
    rows = adj.trace[adj.trace["indicator_id"] == "F01"]
    ref_t = derive.trace(ref)
    assert rows["reference_rate"].iloc[0] == pytest.approx(ref_t[ref_t["indicator_id"] == "F01"]["numerator"].mean())
    assert adj.models["F01"]["reference"] == "half"
    assert rows["expected"].sum() == pytest.approx(rows["numerator"].sum(), rel=0.15)


@pytest.mark.integration
def test_gps_validate_checks_record_files_together(tmp_path, root):
    from .conftest import gps

    d = root / "data" / "synthetic" / "hospital_modelo"
    ok = gps("validate", str(d / "internacoes.csv"), str(d / "cirurgias_e_pesquisa.xlsx"), "--sheet", "cirurgias")
    assert ok.returncode == 0, ok.stderr
    assert "OK as encounters, 26605 stays" in ok.stdout
    assert "OK as surgeries" in ok.stdout and "not checked" not in ok.stdout
    ops = pd.read_excel(d / "cirurgias_e_pesquisa.xlsx", sheet_name="cirurgias", dtype=str, engine="calamine")
    ops.loc[3, "encounter_id"] = "INT999999"
    ops.to_csv(tmp_path / "ops.csv", sep=";", index=False)
    bad = gps("validate", str(d / "internacoes.csv"), str(tmp_path / "ops.csv"))
    assert bad.returncode == 2
    assert "line 5, column 'encounter_id': 'INT999999' is not a stay of the encounter file" in bad.stderr


@pytest.mark.integration
def test_params_reference_population_is_read_and_named(tmp_path, root):
    """risk_adjustment.reference: the models are fitted on another encounter file (here the client's own file
    under another name, so the expected values must equal the default fit) and the report names it."""
    from gps_core import params
    from gps_core.studies import evaluation

    src = root / "params" / "hospital_modelo_2015.yaml"
    text = src.read_text().replace("../data/", f"{root}/data/")
    ref = f"{root}/data/synthetic/hospital_modelo/internacoes.csv"
    own = tmp_path / "own.yaml"
    own.write_text(text)
    other = tmp_path / "ref.yaml"
    other.write_text(
        text.replace(
            "    risk_adjustment:                # fitted on the hospital's own stays (internal standard)\n",
            f"    risk_adjustment:\n      reference: {{path: {ref}, name: Rede de referência 2015}}\n",
        ).replace('        F03: {family: binomial, covariates: "C(wound_class) + asa"}\n', "")
    )
    a = evaluation.run(params.load(own))
    b = evaluation.run(params.load(other))
    assert b.risk["F01"]["reference"] == "Rede de referência 2015" and a.risk["F01"]["reference"] is None
    assert any(i.get("role") == "reference population" for i in b.provenance["inputs"])
    key = ["unit_id", "period", "indicator_id"]
    ea = a.measurements[a.measurements["indicator_id"] == "F01"].set_index(key)["expected"]
    eb = b.measurements[b.measurements["indicator_id"] == "F01"].set_index(key)["expected"]
    assert eb.to_numpy() == pytest.approx(ea.reindex(eb.index).to_numpy(), rel=1e-9)
