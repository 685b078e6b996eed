"""Bad input gives one clear error naming the file, line, column and the fix; nothing is computed."""

import datetime as dt
import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gps_core.catalog import load_catalog
from gps_core.errors import InputError, ParamsError
from gps_core.io.readers import read_table
from gps_core.params import load
from gps_core.schemas import check_months, validate_measurements

GOOD = {
    "client": "c",
    "program": "p",
    "unit_id": "u1",
    "unit_type": "doctor",
    "specialty": "s",
    "period": "2015-01",
    "indicator_id": "F02",
    "numerator": "5",
    "denominator": "50",
}


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def _frame(*changes):
    rows = []
    for k, ch in enumerate(changes):
        r = dict(GOOD, unit_id=f"u{k}")
        r.update(ch)
        rows.append(r)
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "change,needle",
    [
        ({"indicator_id": "ZZ9"}, "line 2, column 'indicator_id': 'ZZ9' is not in the catalogue"),
        ({"numerator": "60"}, "line 2, columns 'numerator'/'denominator': 60.0 > 50.0"),
        ({"numerator": "-1"}, "line 2, column 'numerator': -1.0 is negative"),
        ({"denominator": "-3", "numerator": "0"}, "line 2, column 'denominator': -3.0 is negative"),
        ({"numerator": "abc"}, "line 2, column 'numerator': 'abc' is not a number"),
        ({"period": "31/13/2015"}, "line 2, column 'period': '31/13/2015' is not a date"),
        ({"unit_id": ""}, "line 2, column 'unit_id': empty"),
        ({"denominator": "0"}, "line 2, column 'denominator': 0 with numerator 5.0"),
    ],
)
def test_each_bad_value_is_named(cat, change, needle):
    with pytest.raises(InputError) as e:
        validate_measurements(_frame(change), cat, "client.csv")
    assert "client.csv" in str(e.value) and needle in str(e.value)


def test_all_problems_are_reported_at_once_and_duplicates_found(cat):
    df = pd.concat([_frame({"numerator": "x"}, {"indicator_id": "NOPE"}), _frame({}), _frame({})], ignore_index=True)
    with pytest.raises(InputError) as e:
        validate_measurements(df, cat, "f.csv")
    assert len(e.value.problems) == 5  # text, unknown indicator, and lines 2, 4, 5 of one unit-month-indicator
    assert "line 4: duplicate of another row for unit 'u0', period 2015-01, indicator 'F02'" in str(e.value)


def test_rates_may_exceed_their_denominator_but_nps_is_bounded(cat):
    ok = validate_measurements(
        _frame(
            {"indicator_id": "E01", "numerator": "500", "denominator": "50"},
            {"indicator_id": "X02", "numerator": "-10", "denominator": "50"},
        ),
        cat,
    )
    assert len(ok) == 2
    with pytest.raises(InputError, match="-60.0 is negative"):
        validate_measurements(_frame({"indicator_id": "X02", "numerator": "-60", "denominator": "50"}), cat)


def test_a_missing_month_in_the_window_is_an_error(cat):
    df = validate_measurements(_frame({"period": "2015-01"}, {"period": "2015-03"}), cat)
    with pytest.raises(InputError, match=r"no data at all for month\(s\) 2015-02"):
        check_months(df, pd.Timestamp("2015-01-01"), 3, "f.csv")
    assert len(check_months(df, pd.Timestamp("2015-03-01"), 1, "f.csv")) == 1


def test_csv_dialect_is_detected_and_overrides_are_explained(tmp_path, cat):
    header = ";".join(GOOD)
    br = tmp_path / "br.csv"
    row = dict(
        GOOD, specialty="Clínica", period="31/01/2015", numerator="1.234,5", denominator="2.000", indicator_id="E01"
    )
    br.write_bytes((header + "\n" + ";".join(row.values()) + "\n").encode("latin-1"))
    df, dialect = read_table(br)
    assert (dialect.sep, dialect.decimal, dialect.encoding) == (";", ",", "latin-1")
    m = validate_measurements(df, cat, str(br))
    assert m["specialty"].iloc[0] == "Clínica" and m["period"].iloc[0] == pd.Timestamp("2015-01-01")
    assert m["numerator"].iloc[0] == 1234.5 and m["denominator"].iloc[0] == 2000
    with pytest.raises(InputError, match="set 'sep: \";\"'"):
        read_table(br, sep=",")
    with pytest.raises(InputError, match="latin-1"):
        read_table(br, encoding="utf-8")


@pytest.mark.parametrize(
    "text,expected",
    [("2015-03", "2015-03-01"), ("2015-03-31", "2015-03-01"), ("03/2015", "2015-03-01"), ("31/03/2015", "2015-03-01")],
)
def test_iso_and_brazilian_periods(cat, text, expected):
    m = validate_measurements(_frame({"period": text}), cat)
    assert m["period"].iloc[0] == pd.Timestamp(expected)


def test_excel_sheets_and_parquet(tmp_path, cat):
    df = _frame({}, {"indicator_id": "F01"})
    xlsx = tmp_path / "client.xlsx"
    with pd.ExcelWriter(xlsx) as w:
        pd.DataFrame({"notes": ["cover"]}).to_excel(w, sheet_name="Capa", index=False)
        df.assign(numerator=5.0, denominator=50.0).to_excel(w, sheet_name="Indicadores", index=False)
    got, dialect = read_table(xlsx, sheet="Indicadores")
    assert dialect.sheet == "Indicadores" and len(validate_measurements(got, cat, str(xlsx))) == 2
    with pytest.raises(InputError, match=r"no sheet named 'Dados'; the workbook has \['Capa', 'Indicadores'\]"):
        read_table(xlsx, sheet="Dados")
    pq = tmp_path / "client.parquet"
    df.assign(numerator=5.0, denominator=50.0).to_parquet(pq)
    got, dialect = read_table(pq)
    assert dialect.format == "parquet" and len(validate_measurements(got, cat, str(pq))) == 2
    other = tmp_path / "x.json"
    other.write_text("{}")
    with pytest.raises(InputError, match="unknown file type '.json'"):
        read_table(other)


CELL = st.one_of(
    st.none(),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=8),
    st.integers(-(10**12), 10**12),
    st.floats(-1e9, 1e9, allow_nan=False).filter(lambda x: x == 0 or abs(x) > 1e-6),
    st.booleans(),
    st.datetimes(dt.datetime(1950, 1, 1), dt.datetime(2060, 1, 1)).map(lambda d: d.replace(microsecond=0)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    head=st.lists(
        st.one_of(st.none(), st.text("abcç é", min_size=1, max_size=5), st.integers(1990, 2030)),
        min_size=1,
        max_size=5,
        unique=True,
    ),  # fmt: skip
    rows=st.lists(st.lists(CELL, min_size=5, max_size=5), max_size=12),
)
def test_a_sheet_reads_as_openpyxl_reads_it(tmp_path, head, rows):
    """The workbook reader (calamine, one parse per sheet) returns every cell, row and source line as the
    openpyxl reader pandas used before; blank rows are skipped with their lines counted."""
    from openpyxl import Workbook

    head = [h for h in head if not (isinstance(h, str) and not h.strip())]
    if all(h is None for h in head):
        head = [*head, "x"]  # a sheet without a single name is refused as empty (tested in test_adversarial)
    if len({str(h).strip() for h in head if h is not None}) < len([h for h in head if h is not None]):
        head = [f"c{i}" for i in range(len(head))]  # names equal after trimming are refused (tested below)
    book = Workbook()
    sheet = book.active
    sheet.title = "Dados"
    sheet.append(head)
    for r in [*rows, ["fim"] * 5]:  # a last row of text: a header with no rows under it is refused
        sheet.append(r[: len(head)])
    f = tmp_path / "b.xlsx"
    book.save(f)
    got, dialect = read_table(f)
    want = pd.read_excel(f, engine="openpyxl", dtype=object)
    want.columns = [str(c).strip() for c in want.columns]
    blank = want.isna().all(axis=1).to_numpy()
    lines = (pd.RangeIndex(len(want)) + 2)[~blank]
    want = want[~blank].reset_index(drop=True)
    assert dialect.sheet == "Dados" and list(got.attrs["lines"]) == list(lines)
    pd.testing.assert_frame_equal(got, want)


def test_a_header_named_twice_in_a_sheet_is_refused(tmp_path):
    f = tmp_path / "b.xlsx"
    pd.DataFrame([[1, 2, 3]], columns=["numerator", " Numerator ", "x"]).to_excel(f, index=False)
    with pytest.raises(InputError, match="column 'Numerator' appears twice"):
        read_table(f)


def test_params_errors_name_the_key(tmp_path, root):
    base = (root / "params" / "hospital_2015.yaml").read_text()
    f = tmp_path / "p.yaml"
    f.write_text(base + "colour: blue\n")
    with pytest.raises(ParamsError, match="colour: unknown key"):
        load(f)
    f.write_text(base.replace("target: 75 ", "target: high "))
    with pytest.raises(ParamsError, match=r"target: Input should be a valid number.*'high'"):
        load(f)
    f.write_text(base.replace('start: "2015-01"', 'start: "2015-13"'))
    with pytest.raises(ParamsError, match="period.start"):
        load(f)
    f.write_text(base.replace("months: 12", "months: 2"))
    with pytest.raises(ParamsError, match="period.months"):
        load(f)
    with pytest.raises(ParamsError, match="not found"):
        load(tmp_path / "nope.yaml")


@pytest.mark.integration
def test_a_brazilian_csv_export_gives_the_same_evaluation_as_the_data_itself(tmp_path, root):
    """The synthetic hospital written as a pt-BR export (';', decimal ',', latin-1, thousands '.') and read
    back through the params reproduces the annual evaluation exactly."""
    from gps_core.studies import evaluation
    from gps_core.synth import hospital as synth

    m = synth.paper_hospital(seed=2015)
    csv = tmp_path / "hospital.csv"
    out = m.assign(period=m["period"].dt.strftime("%Y-%m"))
    out.to_csv(csv, sep=";", decimal=",", encoding="latin-1", index=False)
    base = (root / "params" / "hospital_2015.yaml").read_text()
    direct = tmp_path / "direct.yaml"
    direct.write_text(base)
    via_csv = tmp_path / "csv.yaml"
    via_csv.write_text(
        base.replace(
            "source: {kind: synthetic_paper_hospital, seed: 2015}",
            'source: {kind: csv, path: hospital.csv, sep: ";", decimal: ",", encoding: latin-1}',
        )
    )
    a = evaluation.run(load(direct)).annual.set_index("unit_id")
    b = evaluation.run(load(via_csv)).annual.set_index("unit_id")
    pd.testing.assert_series_equal(a["ip"], b["ip"])
    pd.testing.assert_series_equal(a["vm"], b["vm"])
    assert evaluation.run(load(via_csv)).provenance["inputs"][0]["sha256"] != "generated"


@pytest.mark.integration
def test_gps_validate_reports_every_problem_and_exits_2(tmp_path):
    from .conftest import gps

    good = tmp_path / "good.csv"
    good.write_text(",".join(GOOD) + "\n" + ",".join(GOOD.values()) + "\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        ",".join(GOOD)
        + "\n"
        + ",".join(dict(GOOD, numerator="x").values())
        + "\n"
        + ",".join(dict(GOOD, unit_id="u2", indicator_id="ZZ").values())
        + "\n"
    )
    ok = gps("validate", str(good))
    assert ok.returncode == 0 and "OK as measurements, 1 rows, 1 units, 1 months 2015-01..2015-01" in ok.stdout
    res = gps("validate", str(good), str(bad))
    assert res.returncode == 2
    assert "line 2, column 'numerator': 'x' is not a number" in res.stderr
    assert "line 3, column 'indicator_id': 'ZZ' is not in the catalogue" in res.stderr


def test_every_path_a_params_file_names_starts_at_its_folder_whatever_the_working_folder(tmp_path, root, monkeypatch):
    """Paths are resolved once, when the params are loaded, against the params file's folder: the source and
    a client's own catalogue (read from the working folder before) are found from any working folder, and
    reports name them as the params write them."""
    import shutil

    from gps_core.catalog import SHIPPED
    from gps_core.refdata import path as shipped_path
    from gps_core.studies import evaluation

    client = tmp_path / "cliente" / "params"
    (client.parent / "dados").mkdir(parents=True)
    shutil.copy(root / "data" / "external" / "nhs_ae_attendances_2016_2019.csv", client.parent / "dados" / "ae.csv")
    client.mkdir()
    shutil.copy(shipped_path(SHIPPED["nhs_ae_2019"]), client / "meu_catalogo.csv")
    text = (root / "params" / "nhs_ae_2018_19.yaml").read_text()
    text = text.replace("catalog: nhs_ae_2019", "catalog: meu_catalogo.csv")
    text = re.sub(r"path: \S+nhs_ae_attendances_2016_2019.csv", "path: ../dados/ae.csv", text)
    shutil.copy(root / "data" / "external" / "nhs_trust_names.csv", client.parent / "dados" / "nomes.csv")
    text = re.sub(r"unit_names: \S+", "unit_names: ../dados/nomes.csv", text)
    (client / "p.yaml").write_text(text)
    elsewhere = tmp_path / "outra_pasta"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    p = load(client / "p.yaml")
    ev = evaluation.run(p)
    assert len(ev.annual) > 100
    assert ev.provenance["inputs"][0]["file"] == "../dados/ae.csv"
    assert str(p.catalog) == "meu_catalogo.csv" and p.catalog.at == client / "meu_catalogo.csv"
    from gps_core import artefact  # the run's key covers the same files, found where they were resolved

    covered = [x["file"] for x in artefact.key(p)[1]["inputs"]]
    data = client.parent / "dados"
    assert covered == [str(client / "meu_catalogo.csv"), str(data / "ae.csv"), str(data / "nomes.csv")]


def test_a_validated_table_is_the_callers_rows_renumbered_and_never_writes_back(cat):
    # Typed float columns are taken without a copy: writing into the validated table must not reach the
    # caller's frame, whatever its index, and a message still gives the row's line.
    df = _frame({}, {"indicator_id": "E01"}, {"indicator_id": "X02", "numerator": "-10"})
    df["numerator"], df["denominator"] = df["numerator"].astype(float), df["denominator"].astype(float)
    df.index = [10, 3, 7]
    before = df.copy()
    out = validate_measurements(df, cat)
    assert list(out.index) == [0, 1, 2] and out["numerator"].tolist() == df["numerator"].tolist()
    out.loc[0, "numerator"] = 99.0
    out["denominator"] *= 2
    pd.testing.assert_frame_equal(df, before)
    with pytest.raises(InputError, match="line 4, column 'numerator': -60.0 is negative"):
        validate_measurements(df.assign(numerator=[1.0, 1.0, -60.0]), cat)
