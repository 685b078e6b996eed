"""Hostile and broken input at every intake path, generated from the shipped example files at test time.

For each variant the command a consultant would type (``gps validate``, ``gps check``, ``gps pool ingest``,
``gps payouts``), run in this process through ``gps_core.cli.main``, must: exit 2; name the file and the
exact line and column of the planted defect; print no traceback; and create or change no file (the folder
is compared before and after). Valid but unusual input (a BOM, CRLF line ends, an extra unknown column, a
spreadsheet's ``sep=`` line) must still be accepted with the right numbers.

Intake paths: monthly measurements (CSV, Excel, Parquet), stays (CSV), operations (Excel) and survey answers
(XML) checked against the stays, a health plan's four files, the finance file of a payout rule, params files,
and the pool's ingest (measurements and stays).
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gps_core import cli
from gps_core.io.readers import read_table
from gps_core.synth import plan as plan_synth

ROOT = Path(__file__).resolve().parents[1]
MODELO = ROOT / "data" / "synthetic" / "hospital_modelo"
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
COUNTS: dict[str, int] = {}  # cases run per intake path (printed by the last test)


def run(*args: str) -> tuple[int, str]:
    """``gps <args>`` in this process: exit code and everything printed."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as e:  # argparse
            code = e.code
    return code, out.getvalue() + err.getvalue()


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(folder.rglob("*"))
    }


def refused(path: str, folder: Path, *args, where: str | None = None, needle: str | None = None) -> str:
    """Run a command that must refuse its input; check the exit code, the message and that nothing changed."""
    COUNTS[path] = COUNTS.get(path, 0) + 1
    before = snapshot(folder)
    code, text = run(*args)
    assert code == 2, text
    assert "Traceback" not in text and "internal error" not in text, text
    if where is not None:
        assert where in text, f"expected {where!r} in:\n{text}"
    if needle is not None:
        assert re.search(needle, text), f"expected /{needle}/ in:\n{text}"
    assert snapshot(folder) == before, "a refused input created or changed a file"
    return text


def accepted(path: str, *args) -> str:
    COUNTS[path] = COUNTS.get(path, 0) + 1
    code, text = run(*args)
    assert code == 0, text
    return text


# ---------------------------------------------------------------------------------------------------------
# the shipped examples, cut to a size that keeps every case fast


@pytest.fixture(scope="module")
def stays_text() -> str:
    """The first 400 stays of Hospital Modelo's file, as the client sent it (latin-1, ';', decimal ',')."""
    lines = (MODELO / "internacoes.csv").read_bytes().decode("latin-1").splitlines()
    return "\n".join(lines[:401]) + "\n"


@pytest.fixture(scope="module")
def measurements() -> pd.DataFrame:
    """Hospital Modelo's monthly extract (Parquet), first 300 rows, as text a Brazilian export would hold."""
    m = pd.read_parquet(MODELO / "indicadores_mensais.parquet").head(300).copy()
    m["denominator"] = m["denominator"].astype(float)
    m.loc[::7, "denominator"] += 0.5  # fractions: the file's decimal mark shows
    for c in m.columns:
        m[c] = m[c].astype(str).str.removesuffix(".0")
    return m


def brazilian_csv(df: pd.DataFrame) -> str:
    t = df.copy()
    for c in ("numerator", "denominator"):
        t[c] = t[c].str.replace(".", ",", regex=False)
    return t.to_csv(sep=";", index=False)


def cell_line(text: str, column: str, k: int, sep: str = ";") -> tuple[str, int]:
    """Text with row ``k`` (0-based) of ``column`` marked as ``@@``, and the file line of that row."""
    lines = text.splitlines()
    head = lines[0].split(sep)
    j = head.index(column)
    cells = lines[k + 1].split(sep)
    cells[j] = "@@"
    lines[k + 1] = sep.join(cells)
    return "\n".join(lines) + "\n", k + 2


NUMBER_DEFECTS = {
    "inf": "not a finite number",
    "-Infinity": "not a finite number",
    "NaN": "not a finite number",
    "1e400": "not a finite number",
    "12.5": "decimal mark",
    "x7": "not a number",
}


# ---------------------------------------------------------------------------------------------------------
# monthly measurements


@SETTINGS
@given(
    k=st.integers(0, 299), col=st.sampled_from(["numerator", "denominator"]), bad=st.sampled_from(list(NUMBER_DEFECTS))
)
def test_measurements_bad_numbers_are_named(tmp_path_factory, measurements, k, col, bad):
    d = tmp_path_factory.mktemp("m")
    text, line = cell_line(brazilian_csv(measurements), col, k)
    f = d / "indicadores.csv"
    f.write_bytes(text.replace("@@", bad).encode("latin-1"))
    refused("measurements", d, "validate", f, where=f"line {line}, column '{col}'", needle=NUMBER_DEFECTS[bad])


@SETTINGS
@given(k=st.integers(0, 299), big=st.sampled_from(["99999999999", "12.345.678,5"]))
def test_measurements_implausible_magnitudes_are_refused_with_the_bound(tmp_path_factory, measurements, k, big):
    d = tmp_path_factory.mktemp("m")
    text, line = cell_line(brazilian_csv(measurements), "denominator", k)
    f = d / "indicadores.csv"
    f.write_text(text.replace("@@", big))
    refused("measurements", d, "validate", f, where=f"line {line}, column 'denominator'", needle="plausible")
    # the documented override lets a client who really has such values through
    assert run("validate", f, "--limit", "denominator=1e12")[0] == 0


@SETTINGS
@given(k=st.integers(0, 299), bad=st.sampled_from(["2015-02-30", "2999-01", "1850-03", "ontem"]))
def test_measurements_impossible_or_future_months_are_named(tmp_path_factory, measurements, k, bad):
    d = tmp_path_factory.mktemp("m")
    text, line = cell_line(brazilian_csv(measurements), "period", k)
    f = d / "indicadores.csv"
    f.write_text(text.replace("@@", bad))
    refused("measurements", d, "validate", f, where=f"line {line}, column 'period'")


def test_measurements_valid_but_unusual_files_are_read_with_the_right_numbers(tmp_path, measurements):
    base = brazilian_csv(measurements)
    want = measurements["denominator"].astype(float).sum()
    variants = {
        "bom_crlf.csv": codecs_bom() + base.replace("\n", "\r\n").encode("utf-8"),
        "sep_line.csv": ("sep=;\n" + base).encode("latin-1"),
        "extra_column.csv": "\n".join(
            ln + (";observação" if i == 0 else ";x") for i, ln in enumerate(base.splitlines())
        ).encode("latin-1"),  # fmt: skip
        "blank_lines.csv": base.replace("\n", "\n\n", 3).encode("latin-1"),
    }
    from gps_core.catalog import load_catalog
    from gps_core.io.readers import read_table
    from gps_core.schemas import validate_measurements

    for name, data in variants.items():
        f = tmp_path / name
        f.write_bytes(data)
        accepted("measurements", "validate", f)
        df, _ = read_table(f)
        m = validate_measurements(df, load_catalog(), name)
        assert m["denominator"].sum() == pytest.approx(want), name
    # a defect after blank lines and a sep= line is still named on its real line
    lines = ("sep=;\n" + base.replace("\n", "\n\n", 2)).splitlines()
    row = lines.index(base.splitlines()[5])  # 0-based position of data row 5 in the file
    cells = lines[row].split(";")
    cells[list(measurements.columns).index("numerator")] = "inf"
    lines[row] = ";".join(cells)
    f = tmp_path / "shifted.csv"
    f.write_text("\n".join(lines) + "\n")
    refused("measurements", tmp_path, "validate", f, where=f"line {row + 1}, column 'numerator'")


def codecs_bom() -> bytes:
    import codecs

    return codecs.BOM_UTF8


def test_broken_containers_each_get_one_clear_message(tmp_path, measurements):
    d = tmp_path
    csv = brazilian_csv(measurements)
    cases = {
        "empty.csv": (b"", "empty"),
        "blank.csv": (b"\n\n  \n", "empty"),
        "header_only.csv": (csv.splitlines()[0].encode() + b"\n", "no rows"),
        "dup_columns.csv": (csv.replace("numerator", "denominator", 1).encode("latin-1"), "appears twice"),
        "ragged.csv": ((csv + "a;b;c;d;e;f;g;h;i;j;k;l;m;n\n").encode("latin-1"), r"line \d+"),
    }
    for name, (data, needle) in cases.items():
        f = d / name
        f.write_bytes(data)
        refused("containers", d, "validate", f, where=str(f), needle=needle)
    good = d / "good.csv"
    good.write_bytes(csv.encode("latin-1"))
    refused("containers", d, "validate", good, "--sep", ",", where="line 1", needle="only one column.*set 'sep")
    xlsx = d / "book.xlsx"
    measurements.to_excel(xlsx, index=False, sheet_name="Indicadores")
    refused("containers", d, "validate", xlsx, "--sheet", "Nada", where="no sheet named 'Nada'")
    cut = d / "cut.xlsx"
    cut.write_bytes(xlsx.read_bytes()[:2000])
    refused("containers", d, "validate", cut, needle="damaged or truncated")
    pq = d / "m.parquet"
    measurements.to_parquet(pq)
    short = d / "short.parquet"
    short.write_bytes(pq.read_bytes()[: pq.stat().st_size // 2])
    refused("containers", d, "validate", short, needle="damaged or truncated")
    refused("containers", d, "validate", d, needle="is a folder")
    fake = d / "fake.xlsx"
    fake.write_text("not a workbook")
    refused("containers", d, "validate", fake, needle="damaged or truncated")


@SETTINGS
@given(k=st.integers(5, 290))
def test_an_undecodable_byte_is_named_at_its_real_line(tmp_path_factory, measurements, k):
    """A UTF-8 export (an accent on its second line) with one latin-1 byte far past the first 64 KiB: the real
    line and byte, not an offset inside a decoder's buffer."""
    d = tmp_path_factory.mktemp("enc")
    rows = brazilian_csv(pd.concat([measurements] * 6, ignore_index=True)).splitlines()
    rows[1] = rows[1].replace(";", ";Gestão ", 1)  # UTF-8 beyond ASCII: the evidence of the file's encoding
    target = 1200 + k
    rows[target - 1] = rows[target - 1].replace(";", ";\xe9", 1)
    data = ("\n".join(rows) + "\n").encode("utf-8")
    data = data.replace("\xe9".encode(), b"\xe9")  # the byte alone, as a latin-1 export writes it
    f = d / "mixed.csv"
    f.write_bytes(data)
    assert len(data) > 65536
    refused("encoding", d, "validate", f, where=f"line {target}, byte")
    refused("encoding", d, "validate", f, "--encoding", "utf-8", where=f"line {target}, byte")


@SETTINGS
@given(k=st.integers(2, 1800))
def test_a_latin1_export_whose_first_accent_comes_late_is_read_as_latin1(tmp_path_factory, measurements, k):
    """Plain lines, then the first accented byte at line ``k`` (past the first 64 KiB from line ~1000): no
    character before it says UTF-8, so the file is latin-1 and every row is read, the accent included."""
    d = tmp_path_factory.mktemp("late")
    rows = brazilian_csv(pd.concat([measurements] * 6, ignore_index=True)).splitlines()
    rows[k - 1] = rows[k - 1].replace(f";{rows[k - 1].split(';')[4]};", ";Clínica Médica;", 1)
    f = d / "latin1.csv"
    f.write_bytes(("\n".join(rows) + "\n").encode("latin-1"))
    df, dialect = read_table(f)
    assert dialect.encoding == "latin-1" and len(df) == len(rows) - 1
    assert df["specialty"].iloc[k - 2] == "Clínica Médica"


# ---------------------------------------------------------------------------------------------------------
# stays, operations and survey answers


STAY_DEFECTS = {
    "age": ({"inf": "not a finite number", "150": "0..120", "-3": "0..120", "trinta": "not a number"}),
    "cost": ({"999999999999": "0..", "12.345.6": "not a number", "NaN": "not a finite", "2500.50": "decimal mark"}),
    "admission": ({"31/02/2015": "not a date", "01/01/2999": "in the future", "01/01/1850": "before 1900"}),
    "discharge_status": ({"desconhecido": "is not one of"}),
    "patient_id": ({"": "empty"}),
}


@SETTINGS
@given(k=st.integers(0, 399), col=st.sampled_from(list(STAY_DEFECTS)), data=st.data())
def test_stays_bad_values_are_named(tmp_path_factory, stays_text, k, col, data):
    bad = data.draw(st.sampled_from(list(STAY_DEFECTS[col])))
    d = tmp_path_factory.mktemp("s")
    text, line = cell_line(stays_text, col, k)
    f = d / "internacoes.csv"
    f.write_bytes(text.replace("@@", bad).encode("latin-1"))
    refused("stays", d, "validate", f, where=f"line {line}, column '{col}'", needle=STAY_DEFECTS[col][bad])


def test_stays_of_absurd_length_are_refused_unless_the_params_raise_the_bound(tmp_path, stays_text):
    text, line = cell_line(stays_text, "discharge", 10)
    f = tmp_path / "internacoes.csv"
    f.write_bytes(text.replace("@@", "01/01/2024").encode("latin-1"))
    refused("stays", tmp_path, "validate", f, where=f"line {line}, column 'discharge'", needle="longer than")
    accepted("stays", "validate", f, "--limit", "stay_days=5000")


def test_stays_valid_but_unusual_files_give_the_same_stays(tmp_path, stays_text):
    """A UTF-8 BOM with CRLF ends, an extra column and a sep= line: the same 400 stays and the same costs."""
    from gps_core.io.readers import read_table
    from gps_core.records import encounters

    plain = tmp_path / "plain.csv"
    plain.write_bytes(stays_text.encode("latin-1"))
    want = encounters.validate(read_table(plain)[0], "plain")
    lines = stays_text.splitlines()
    variants = {
        "bom_crlf.csv": codecs_bom() + "\r\n".join(lines).encode("utf-8") + b"\r\n",
        "extra.csv": "\n".join(ln + (";nome_social" if i == 0 else ";x") for i, ln in enumerate(lines)).encode(
            "latin-1"
        ),
        "sep.csv": ("sep=;\n" + stays_text).encode("latin-1"),
    }
    for name, data in variants.items():
        f = tmp_path / name
        f.write_bytes(data)
        assert "OK as encounters, 400 stays" in accepted("stays", "validate", f)
        got = encounters.validate(read_table(f)[0], name)
        assert got["cost"].sum() == pytest.approx(want["cost"].sum()) and got["cost"].notna().all()
        assert (got["admission"] == want["admission"]).all()


@pytest.fixture(scope="module")
def book():
    return pd.read_excel(MODELO / "cirurgias_e_pesquisa.xlsx", sheet_name=None, dtype=object, engine="calamine")


def _records(d: Path, stays_text: str, book, ops_change=None, answers_change=None) -> tuple[Path, Path, Path]:
    stays = d / "internacoes.csv"
    stays.write_bytes(stays_text.encode("latin-1"))
    ids = {ln.split(";")[0] for ln in stays_text.splitlines()[1:]}
    ops = book["cirurgias"][book["cirurgias"]["encounter_id"].isin(ids)].reset_index(drop=True).copy()
    ans = book["pesquisa"][book["pesquisa"]["encounter_id"].isin(ids)].reset_index(drop=True).copy()
    if ops_change:
        ops_change(ops)
    if answers_change:
        answers_change(ans)
    ops_file = d / "cirurgias.xlsx"
    ops.to_excel(ops_file, index=False, sheet_name="cirurgias")
    xml = ["<?xml version='1.0' encoding='utf-8'?>", "<answers>"]
    for _, r in ans.iterrows():
        fields = "".join(f"<{c}>{'' if pd.isna(v) else v}</{c}>" for c, v in r.items() if c != "response_id")
        xml.append(f'<answer id="{r["response_id"]}">{fields}</answer>')
    xml.append("</answers>")
    ans_file = d / "pesquisa.xml"
    ans_file.write_text("\n".join(xml) + "\n", encoding="utf-8")
    return stays, ops_file, ans_file


def test_records_that_hold_together_are_accepted(tmp_path, stays_text, book):
    s, o, a = _records(tmp_path, stays_text, book)
    out = accepted("operations", "validate", s, o, a)
    assert "OK as surgeries" in out and "OK as surveys" in out


@SETTINGS
@given(k=st.integers(0, 20), what=st.sampled_from(["orphan", "asa", "date"]))
def test_operations_bad_rows_are_named(tmp_path_factory, stays_text, book, k, what):
    d = tmp_path_factory.mktemp("o")

    def change(ops):
        i = k % len(ops)
        if what == "orphan":
            ops.loc[i, "encounter_id"] = "INT999999"
        elif what == "asa":
            ops.loc[i, "asa"] = "inf"
        else:
            ops.loc[i, "date"] = "01/01/2999"

    s, o, a = _records(d, stays_text, book, ops_change=change)
    col = {"orphan": "encounter_id", "asa": "asa", "date": "date"}[what]
    n = len(pd.read_excel(o, engine="calamine"))
    msg = refused("operations", d, "validate", s, o, where=f"line {k % n + 2}, column '{col}'")
    assert str(o) in msg


@SETTINGS
@given(k=st.integers(0, 20), what=st.sampled_from(["orphan", "recommend", "duplicate_field"]))
def test_survey_xml_bad_records_are_named_at_their_line(tmp_path_factory, stays_text, book, k, what):
    d = tmp_path_factory.mktemp("x")

    def change(ans):
        i = k % len(ans)
        if what == "orphan":
            ans.loc[i, "encounter_id"] = "INT999999"
        elif what == "recommend":
            ans.loc[i, "recommend"] = "Infinity"
        else:
            ans.loc[i, "pain"] = "4</pain><pain>5"

    n = len(book["pesquisa"][book["pesquisa"]["encounter_id"].isin(
        {ln.split(";")[0] for ln in stays_text.splitlines()[1:]})])  # fmt: skip
    s, o, a = _records(d, stays_text, book, answers_change=change)
    line = k % n + 3  # line 1 the declaration, line 2 the root, one record a line
    col = {"orphan": "encounter_id", "recommend": "recommend", "duplicate_field": None}[what]
    where = f"line {line}, column '{col}'" if col else f"line {line}: field 'pain' twice"
    msg = refused("survey XML", d, "validate", s, a, where=where)
    assert str(a) in msg


def test_xml_entities_and_dtds_are_refused(tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;&x;">]>\n'
        "<answers><answer id='1'><date>&y;</date></answer></answers>\n"
    )
    xxe = tmp_path / "xxe.xml"
    xxe.write_text('<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<answers/>\n')
    for f in (bomb, xxe):
        refused("survey XML", tmp_path, "validate", f, where="line 2", needle="DTD or entity")


# ---------------------------------------------------------------------------------------------------------
# params files and output paths


@pytest.fixture()
def params_dir(tmp_path) -> Path:
    shutil.copy(ROOT / "params" / "hospital_2015.yaml", tmp_path / "p.yaml")
    return tmp_path


PARAMS_DEFECTS = {
    "client: hospital_demo": [("client: ..", "client"), ("client: ../../etc", "client"), ("client: a/b", "client")],
    'period: {start: "2015-01", months: 12}': [
        ('period: {start: "2015-01", months: 12, label: ".."}', "period.label"),
        ('period: {start: "2015-01", months: 12, label: "/tmp/x"}', "period.label"),
        ('period: {start: "2015-01", months: 12, label: "a/../../b"}', "period.label"),
    ],
    "target: 75 ": [("target: .inf ", "target"), ("target: .nan ", "target")],
}


@pytest.mark.parametrize("old,new,key", [(o, n, k) for o, v in PARAMS_DEFECTS.items() for n, k in v])
def test_params_that_would_write_outside_the_reports_root_or_break_numbers(params_dir, old, new, key):
    p = params_dir / "p.yaml"
    text = p.read_text()
    assert old in text
    p.write_text(text.replace(old, new))
    for cmd in (("check", p), ("run", "annual_evaluation", p, "--out", params_dir / "out", "--no-pdf")):
        refused("params", params_dir, *cmd, where=str(p), needle=re.escape(key))


def test_params_containers(params_dir):
    d = params_dir
    good = (d / "p.yaml").read_text()
    latin = d / "latin.yaml"
    latin.write_bytes(good.replace("Demonstração", "Demonstração").encode("latin-1"))
    refused("params", d, "check", latin, where="line 5", needle="not UTF-8")
    bomb = d / "bomb.yaml"
    bomb.write_text(
        "a: &a ['x','x','x','x','x','x','x','x','x','x']\n"
        + "".join(f"{c}: &{c} [{','.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True))
        + "client: *h\n"
    )
    text = refused("params", d, "check", bomb, needle="aliases expand")
    assert len(text) < 2000
    huge = d / "huge.yaml"
    huge.write_text(good.replace("target: 75 ", "target: " + "x" * 200_000 + " "))
    assert len(refused("params", d, "check", huge, needle="target")) < 2000
    twice = d / "twice.yaml"
    twice.write_text(good + "target: 10\n")
    refused("params", d, "check", twice, needle=r"line \d+: key 'target' is written twice")
    tag = d / "tag.yaml"
    tag.write_text(good + "x: !!python/object/apply:os.system ['echo hacked']\n")
    refused("params", d, "check", tag, where="line", needle="not valid YAML")
    refused("params", d, "check", d, needle="is a folder")
    big = d / "big.yaml"
    big.write_bytes(b"# " + b"x" * (2 << 20) + b"\n")
    refused("params", d, "check", big, needle="at most")


@pytest.mark.integration
def test_out_that_is_a_file_or_not_writable_is_a_clear_error(params_dir):
    d = params_dir
    f = d / "afile"
    f.write_text("x")
    refused("output paths", d, "run", "annual_evaluation", d / "p.yaml", "--out", f, needle="is a file")
    refused("output paths", d, "payouts", d / "p.yaml", "--out", d, needle="is a folder")
    refused("output paths", d, "payouts", d / "p.yaml", "--out", d / "x.csv", needle=r"\.xlsx")
    # a workbook under a file cannot be written: a clear error, and no temporary file left behind
    refused("output paths", d, "payouts", d / "p.yaml", "--out", f / "p.xlsx", needle="cannot be written")


def test_scorecard_names_never_climb_out_and_never_collide():
    assert cli.slug("..") == "unit" and cli.slug("../../etc/passwd") == "_.._etc_passwd"
    assert "/" not in cli.slug("a/b") and cli.slug(".hidden") == "hidden"
    from gps_core.report import ReportError, confined

    with pytest.raises(ReportError, match="outside the reports root"):
        confined("reports", "reports/../x.html", "p.yaml")


# ---------------------------------------------------------------------------------------------------------
# a health plan's files (capitation)


@pytest.fixture(scope="module")
def plan_files(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("plan")
    t = plan_synth.plan(300, 7)
    for name in ("members", "eligibility", "diagnoses", "costs"):
        t[name].to_csv(d / f"{name}.csv", sep=";", decimal=",", index=False)
    src = (ROOT / "params" / "plano_modelo_2024.yaml").read_text()
    src = src.replace("data: {kind: synthetic_plan, members: 20000, seed: 2024}", (
        "data:\n  kind: files\n  member_file: {path: members.csv}\n  eligibility: {path: eligibility.csv}\n"
        "  diagnoses: {path: diagnoses.csv}\n  costs: {path: costs.csv}"))  # fmt: skip
    scores = ROOT / "data" / "synthetic" / "plano_modelo" / "qualidade_paineis.csv"
    src = src.replace("../data/synthetic/plano_modelo/qualidade_paineis.csv", str(scores))
    (d / "plan.yaml").write_text(src)
    return d


def test_plan_files_as_shipped_are_accepted(plan_files):
    assert "OK (300 members" in accepted("plan files", "check", plan_files / "plan.yaml")


@SETTINGS
@given(
    name=st.sampled_from(["eligibility", "diagnoses", "costs"]),
    k=st.integers(0, 200),
    what=st.sampled_from(["orphan", "inf", "big"]),
)
def test_plan_rows_that_do_not_hold_are_named(tmp_path_factory, plan_files, name, k, what):
    d = tmp_path_factory.mktemp("pl")
    for f in plan_files.iterdir():
        shutil.copy(f, d / f.name)
    text = (d / f"{name}.csv").read_text()
    rows = text.splitlines()
    k = k % (len(rows) - 1)
    col = {"orphan": "member_id", "inf": "year" if name != "costs" else "amount", "big": "amount"}[what]
    if name != "costs" and col == "amount":
        col = "year"
    marked, line = cell_line(text, col, k)
    value = {"orphan": "M999999", "inf": "inf", "big": "1e15"}[what]
    (d / f"{name}.csv").write_text(marked.replace("@@", value))
    refused("plan files", d, "check", d / "plan.yaml", where=f"line {line}, column '{col}'")


def test_hcc_scores_join_ids_of_any_type():
    from gps_core.capitation.hcc import hcc_scores

    m = pd.DataFrame({"member_id": [1, 2, 3, 4], "sex": list("FMFM"), "age": [70, 80, 66, 90], "segment": "CNA"})
    d = pd.DataFrame({"member_id": [1, 4], "code": ["E119", "I509"]})
    first = hcc_scores(m, d)
    first = first[0] if isinstance(first, tuple) else first
    for mm, dd in ((m.astype({"member_id": str}), d), (m, d.astype({"member_id": float})),
                   (m.astype({"member_id": float}), d.astype({"member_id": str}))):  # fmt: skip
        again = hcc_scores(mm, dd)
        again = again[0] if isinstance(again, tuple) else again
        assert again["risk_score"].tolist() == first["risk_score"].tolist()
    assert first["n_hcc"].tolist() == [1, 0, 0, 1]


# ---------------------------------------------------------------------------------------------------------
# the finance file of a payout rule


@SETTINGS
@given(k=st.integers(0, 31), bad=st.sampled_from(["inf", "1e15", "2160409.64", "-5", "NaN"]))
def test_finance_file_bad_amounts_are_named(tmp_path_factory, k, bad):
    from gps_core.errors import InputError
    from gps_core.io.sources import read_amounts
    from gps_core.params import AmountFile

    d = tmp_path_factory.mktemp("f")
    text = (MODELO / "faturamento.csv").read_bytes().decode("latin-1")
    marked, line = cell_line(text, "valor_recebido", k)
    f = d / "faturamento.csv"
    f.write_bytes(marked.replace("@@", bad).encode("latin-1"))
    units = [ln.split(";")[0] for ln in text.splitlines()[1:]]
    spec = AmountFile(path=str(f), unit="especialidade", amount="valor_recebido")
    COUNTS["finance file"] = COUNTS.get("finance file", 0) + 1
    with pytest.raises(InputError) as e:
        read_amounts(spec, units)
    assert str(f) in str(e.value) and f"line {line}, column 'valor_recebido'" in str(e.value)


# ---------------------------------------------------------------------------------------------------------
# a names file (params unit_names): the labels reports show

NAME_DEFECTS = {
    "empty": ("", "empty; every row needs a unit_id and its name"),
    "line break": ('"Barts\nHealth"', "line break or control character"),
    "control": ("Barts\x07Health", "line break or control character"),
    "too long": ("B" * 81, "longer than 80 characters"),
}


@SETTINGS
@given(k=st.integers(1, 169), what=st.sampled_from([*NAME_DEFECTS, "code twice"]))
def test_names_file_bad_rows_are_named(tmp_path_factory, k, what):
    from gps_core.errors import InputError
    from gps_core.io import names

    lines = (ROOT / "data" / "external" / "nhs_trust_names.csv").read_text().splitlines()
    code, _ = lines[k + 1].split(",", 1)
    if what == "code twice":
        lines[k + 1] = lines[k].split(",", 1)[0] + ",Somewhere Else"
        needle = "is named more than once"
    else:
        bad, needle = NAME_DEFECTS[what]
        lines[k + 1] = f"{code},{bad}"
    f = tmp_path_factory.mktemp("n") / "names.csv"
    f.write_text("\n".join(lines) + "\n")
    COUNTS["names file"] = COUNTS.get("names file", 0) + 1
    with pytest.raises(InputError) as e:
        names.read(f)
    col = "unit_id" if what == "code twice" else "name"
    assert str(f) in str(e.value) and f"line {k + 2}, column '{col}'" in str(e.value) and needle in str(e.value)


def test_names_file_refused_by_gps_check_before_anything_is_written(tmp_path):
    """The command a consultant types: exit 2, the file, line and column named, nothing written."""
    src = (ROOT / "params" / "nhs_ae_2018_19.yaml").read_text()
    data = ROOT / "data" / "external"
    (tmp_path / "names.csv").write_text("unit_id,nome\nRRK,Birmingham\n")
    f = tmp_path / "nhs.yaml"
    f.write_text(src.replace("../data/external/nhs_ae", f"{data}/nhs_ae").replace(
        "../data/external/nhs_trust_names.csv", "names.csv"))  # fmt: skip
    refused("names file", tmp_path, "check", f, where="names.csv", needle=r"missing column\(s\) \['name'\]")


# ---------------------------------------------------------------------------------------------------------
# the pool


@pytest.fixture()
def pool(tmp_path):
    key = tmp_path / "keys" / "k"
    assert run("pool", "init", "--pool", tmp_path / "pool" / "p.duckdb", "--key-file", key)[0] == 0
    return tmp_path / "pool" / "p.duckdb", key


def ingest(pool, f, *more):
    db, key = pool
    return ("pool", "ingest", f, "--client", "Hospital X", "--period", "2024", "--pool", db, "--key-file", key, *more)


@SETTINGS
@given(k=st.integers(0, 299), col=st.sampled_from(["specialty", "unit_type"]))
def test_pool_refuses_names_in_kept_columns(tmp_path_factory, measurements, k, col):
    """A shifted export that puts a patient's name in a kept column is refused naming file, line and column."""
    d = tmp_path_factory.mktemp("p")
    db, key = d / "p.duckdb", d / "k"
    run("pool", "init", "--pool", db, "--key-file", key)
    text, line = cell_line(brazilian_csv(measurements), col, k)
    f = d / "indicadores.csv"
    f.write_bytes(text.replace("@@", "Maria Aparecida da Silva").encode("latin-1"))
    msg = refused("pool ingest", d, *ingest((db, key), f), where=f"line {line}, column '{col}'")
    assert str(f) in msg and "vocabulary" in msg


def test_pool_ingest_hostile_files_leave_the_pool_unchanged(pool, tmp_path, measurements):
    db, key = pool
    base = brazilian_csv(measurements)
    cases = {
        "header_cpf.csv": (base.replace("unit_type", "123.456.789-09", 1), "looks like a CPF"),
        "inf.csv": (cell_line(base, "numerator", 3)[0].replace("@@", "inf"), "line 5, column 'numerator'"),
        "mark.csv": (cell_line(base, "denominator", 7)[0].replace("@@", "31.5"), "line 9, column 'denominator'"),
    }
    for name, (text, where) in cases.items():
        f = tmp_path / name
        f.write_bytes(text.encode("latin-1"))
        refused("pool ingest", db.parent, *ingest(pool, f), where=where)
    refused("pool ingest", db.parent, *ingest(pool, tmp_path / "ok.csv", "--period", "../2024"), needle="--period")
    refused("pool ingest", db.parent, *ingest(pool, tmp_path / "x.csv", "--type", "Maria Silva"), needle="vocabulary")
    notdb = tmp_path / "not.duckdb"
    notdb.write_text("hello")
    refused("pool ingest", tmp_path, "pool", "status", "--pool", notdb, needle="not a DuckDB pool file")
    refused("pool ingest", tmp_path, "pool", "status", "--pool", tmp_path, needle="is a folder")


def test_pool_values_read_back_equal_the_source_file(pool, tmp_path, measurements):
    """The decimal mark detected once applies to every numeric column: what the pool holds is the file's."""
    db, key = pool
    m = measurements.copy()
    m["denominator"] = (m["denominator"].astype(float) + 0.25).astype(str)  # fractions, written with ','
    f = tmp_path / "frac.csv"
    f.write_bytes(brazilian_csv(m).encode("latin-1"))
    out = accepted("pool ingest", *ingest(pool, f))
    assert "300 measurements rows" in out
    from gps_core.pooled import store

    p = store.connect(db)
    try:
        got = np.sort(p.fetch("measurements")["denominator"].to_numpy())
    finally:
        p.close()
    assert np.array_equal(got, np.sort(m["denominator"].astype(float).to_numpy()))
    rec = run("pool", "status", "--pool", db)[1]
    assert "Maria" not in rec


# ---------------------------------------------------------------------------------------------------------
# what the product writes: spreadsheets open without running anything


HOSTILE = ['=HYPERLINK("http://x","a")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1", "=cmd|' /C calc'!A0"]


@settings(max_examples=40, deadline=None)
@given(names=st.lists(st.sampled_from(HOSTILE) | st.text(min_size=1, max_size=12), min_size=2, max_size=8,
                      unique=True), amounts=st.lists(st.integers(-10**9, 10**9), min_size=8, max_size=8))  # fmt: skip
def test_exports_neutralize_formulas_and_keep_numbers(tmp_path_factory, names, amounts):
    import csv

    import openpyxl

    from gps_core import exports
    from gps_core.views.workbook import write_payouts

    d = tmp_path_factory.mktemp("x")
    n = len(names)
    res = pd.DataFrame({"unit_id": names, "index": np.linspace(0, 100, n), "volume": amounts[:n], "rate": 0.01,
                        "received": np.abs(amounts[:n]), "payout": np.abs(amounts[:n])})  # fmt: skip
    res.attrs["terms"] = {"rule": "additional_percentage", "floor": 0, "target": 100, "max_rate": 0.02}
    book = write_payouts({names[0]: res, "=SUM(1)": res}, d / "p.xlsx")
    wb = openpyxl.load_workbook(book)
    # the only formulas are the totals the product writes itself: sums over a rule's sheet (issue 15)
    ours = re.compile(r"""=(SUM|COUNTIF|COUNTA|MAX)\((?:'(?:[^']|'')*'!)?[A-Z]+\d+:[A-Z]+\d+(?:,">0")?\)""")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if ws is wb.worksheets[-1] and c.column > 1 and c.data_type == "f":
                    assert ours.fullmatch(c.value), (ws.title, c.coordinate, c.value)
                    continue
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    assert not c.value.startswith(exports.FORMULA_START) or exports.PLAIN_NUMBER.match(c.value)
    values = [c.value for c in wb.worksheets[0]["C"][1:]]
    assert values == amounts[:n]  # negative numbers stay numbers
    t = exports.table(res, "t", d)
    with open(t, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    for row in rows:
        for v in row:
            assert not v.startswith(exports.FORMULA_START) or exports.PLAIN_NUMBER.match(v), v
    assert [int(r[2]) for r in rows[1:]] == amounts[:n]
    with pytest.raises(ValueError, match="plain file name"):
        exports.table(res, "../escape", d)


# ---------------------------------------------------------------------------------------------------------
# money


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 60),
    budget=st.integers(0, 10**15),
    seed=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([1e-6, 1.0, 1e6, 1e12]),
)
def test_payouts_never_lose_or_invent_a_cent_even_at_the_extremes(n, budget, seed, scale):
    from gps_core import p4p

    rng = np.random.default_rng(seed)
    idx = rng.choice([0.0, 1e-9, 59.99, 60.0, 100.0, *rng.uniform(0, 100, 5)], n)
    prod = rng.choice([0.0, 1.0, 1e12, *rng.uniform(0, 1, 5) * scale], n)
    units = pd.DataFrame({"unit_id": [f"u{i}" for i in range(n)], "index": idx, "production": prod})
    takers = (idx > 0) & (prod > 0)
    if budget > 0 and not takers.any():
        return
    out = p4p.budget_pool(units, budget)
    pay = out["payout"].to_numpy()
    assert pay.dtype.kind == "i" and pay.sum() == budget and (pay >= 0).all()
    wide = units.assign(received=prod)
    add = p4p.additional_percentage(wide, floor=60, target=90, max_rate=0.05)
    assert (add["payout"] >= 0).all() and add["payout"].dtype.kind == "i"


def test_a_non_finite_production_never_takes_the_pool():
    from gps_core import p4p
    from gps_core.errors import InputError

    units = pd.DataFrame({"unit_id": ["a", "b", "c"], "index": [70, 80, 90], "production": [1.0, np.inf, 3.0]})
    with pytest.raises(InputError, match=r"not a finite number for \['b'\]"):
        p4p.budget_pool(units, 10**6)


@pytest.fixture(scope="module", autouse=True)
def _counts():
    """Print how many hostile cases each intake path ran (``pytest -s``; for the closing note)."""
    yield
    print("\nadversarial cases per intake path:", dict(sorted(COUNTS.items())))


# ---------------------------------------------------------------------------------------------------------
# exit codes, as the README and `gps --help` state them


def test_exit_codes_are_what_the_readme_and_help_say(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text()
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in readme
    code, text = run("--help")
    assert code == 0 and "exit codes:" in text and "2  bad params" in text
    good = tmp_path / "m.csv"
    good.write_text("client,program,unit_id,unit_type,specialty,period,indicator_id,numerator,denominator\n"
                    "c,p,u1,doctor,Cardiologia,2015-01,F02,5,50\n")  # fmt: skip
    assert run("validate", good)[0] == 0
    assert run("validate", tmp_path / "missing.csv")[0] == 2
    assert run("check", tmp_path)[0] == 2
    assert run("no-such-command")[0] == 2  # argparse
    from gps_core.report import ReportError

    def fails(job):
        raise ReportError("annual_evaluation.ipynb failed in cell 3: ValueError: boom")

    monkeypatch.setattr(cli, "run_job", fails)
    code, text = run("run", "annual_evaluation", ROOT / "params" / "hospital_2015.yaml", "--out", tmp_path / "r")
    assert code == 1 and "failed in cell 3" in text and "Traceback" not in text
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").rglob("*.html"))

    def bug(a):
        raise TypeError("unexpected")

    monkeypatch.setattr(cli, "validate_files", bug)
    code, text = run("validate", good)
    assert code == 1 and "internal error: TypeError: unexpected" in text and "Traceback" not in text


def test_params_limits_raise_a_bound_for_a_client_who_really_has_such_values(tmp_path):
    rows = ["client,program,unit_id,unit_type,specialty,period,indicator_id,numerator,denominator"]
    for u in ("u1", "u2", "u3"):
        for m in (1, 2, 3):
            rows.append(f"acme,P,{u},doctor,Cardiologia,2015-0{m},E01,{50000000 if u == 'u2' else 500},100")
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n")
    base = (
        "report: annual_evaluation\nclient: acme\nclient_name: Acme\nprogram: P\n"
        'period: {start: "2015-01", months: 3}\nsource: {kind: file, path: m.csv}\nmin_months: 2\nbaseline_months: 1\n'
    )
    p = tmp_path / "p.yaml"
    p.write_text(base)
    refused("params", tmp_path, "check", p, where="line 5, column 'numerator'", needle="limits: {numerator")
    p.write_text(base + "limits: {numerator: 1.0e8}\n")
    assert "OK (9 rows, 3 units" in accepted("params", "check", p)
    p.write_text(base + "limits: {numerators: 1.0e8}\n")
    refused("params", tmp_path, "check", p, needle=r"limits.*unknown column\(s\) \['numerators'\]")
    p.write_text(base + "limits: {numerator: .inf}\n")
    refused("params", tmp_path, "check", p, needle="positive finite")


def test_a_clients_own_catalogue_is_read_as_hostile_as_any_file(tmp_path):
    shipped = (ROOT / "gps_core" / "data" / "catalog_hospital_2015.csv").read_text().splitlines()
    good = tmp_path / "m.csv"
    good.write_text("client,program,unit_id,unit_type,specialty,period,indicator_id,numerator,denominator\n"
                    "c,p,u1,doctor,Cardiologia,2015-01,F02,5,50\n")  # fmt: skip
    own = tmp_path / "catalogo.csv"
    own.write_text("\n".join(shipped) + "\n")
    accepted("catalogue", "validate", good, "--catalog", own)
    lines = shipped[:3] + [""] + shipped[3:]  # a blank line: the rows after it keep their real line
    cells = lines[5].split(",")
    cells[list(shipped[0].split(",")).index("weight")] = "inf"
    lines[5] = ",".join(cells)
    own.write_text("\n".join(lines) + "\n")
    refused("catalogue", tmp_path, "validate", good, "--catalog", own, where="line 6, column 'weight'")
    lines[5] = lines[5].replace(cells[0], "../x", 1)
    own.write_text("\n".join(lines) + "\n")
    refused("catalogue", tmp_path, "validate", good, "--catalog", own, where="line 6, column 'indicator_id'")
    book = tmp_path / "catalogo.xlsx"
    book.write_bytes(b"PK")
    refused("catalogue", tmp_path, "validate", good, "--catalog", book, needle="a catalogue is a CSV")
