"""Run artefacts (issue 14, compute once): the evaluation saved once and read back equal, keyed by the
params and the inputs' hashes, never reused for other inputs."""

import dataclasses
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes
from pandas.testing import assert_frame_equal, assert_series_equal

from gps_core import artefact, params
from gps_core.studies import evaluation
from gps_core.views import payouts

from .conftest import ROOT


def equal(a, b, where: str = "") -> None:
    """Two results equal to the last bit: tables with their dtypes, index and names; numbers; texts."""
    if isinstance(a, pd.DataFrame):
        assert_frame_equal(a, b, check_exact=True, obj=where)
        equal(a.attrs.get("terms"), b.attrs.get("terms"), f"{where}.attrs")  # a payout rule's terms
    elif isinstance(a, pd.Series):
        assert_series_equal(a, b, check_exact=True, obj=where)
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            equal(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            equal(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), where
    else:
        assert a == b and type(a) is type(b), (where, a, b)


@pytest.fixture(autouse=True)
def _no_memo():
    artefact._MEMO.clear()
    yield
    artefact._MEMO.clear()


def copy_params(tmp_path, name: str, **replace) -> "tuple":
    """A params file copied into tmp_path with its inputs, so that they can be changed."""
    text = (ROOT / "params" / name).read_text()
    for old, new in replace.items():
        text = text.replace(old, new)
    f = tmp_path / name
    f.write_text(text)
    return params.load(f), f


@pytest.mark.integration  # whole evaluations on shipped data
@pytest.mark.parametrize("name", ["hospital_2015.yaml", "hospital_modelo_2015.yaml"])
def test_the_evaluation_read_back_is_equal_to_the_one_computed(tmp_path, name):
    """Every table of an evaluation survives Parquet exactly: the paper's hospital with its payouts and the
    doctors inside each team; the record-level Hospital Modelo with its stays, risk models (calibration,
    coefficients) and the trace of every record (the folder lists its three input files with their sha256)."""
    f = ROOT / "params" / name
    p = params.load(f)
    direct = evaluation.run(p, store=tmp_path)  # computed and saved
    artefact._MEMO.clear()
    read = evaluation.run(p, store=tmp_path)  # reads the folder
    for field in dataclasses.fields(evaluation.Evaluation):
        if field.name not in ("params", "provenance"):
            equal(getattr(direct, field.name), getattr(read, field.name), field.name)
    assert read.provenance["params"] == p.model_dump(mode="json")
    assert read.provenance["artefact"].startswith("evaluation-")
    if name == "hospital_2015.yaml":
        assert direct.payouts and direct.members is not None
        # results carry numbers and the rules' terms, not sentences: the report words them in its language
        for res in read.payouts.values():
            assert res.attrs["terms"]["rule"] and "explanation" not in res
            assert payouts.explain(res, "pt-BR").str.len().min() > 10
        return
    assert direct.risk and direct.trace is not None
    folder = next((tmp_path / "hospital_modelo" / "2015" / "artefacts").iterdir())
    covers = json.loads((folder / "provenance.json").read_text())
    assert {i["file"].rsplit("/", 1)[-1] for i in covers["inputs"]} == {
        "internacoes.csv", "cirurgias_e_pesquisa.xlsx", "indicadores_mensais.parquet"}  # fmt: skip
    assert all(len(i["sha256"]) == 64 for i in covers["inputs"])


def test_reports_of_one_run_share_it_and_other_inputs_never_do(tmp_path, monkeypatch):
    """The scorecards' and the contract design's params evaluate what the annual report's do: one key. A
    changed band, a changed input file or changed code give another key, and nothing stale is read."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "synthetic" / "hospital_modelo", data)
    where = {"../data/synthetic/hospital_modelo/": "data/"}
    annual = copy_params(tmp_path, "hospital_modelo_2015.yaml", **where)
    cards = copy_params(tmp_path, "hospital_modelo_2015_scorecards.yaml", **where)
    design = copy_params(tmp_path, "hospital_modelo_2015_p4p.yaml", **where)
    k = artefact.key(annual[0], evaluation.DESIGN_ONLY)[0]
    assert artefact.key(cards[0], evaluation.DESIGN_ONLY)[0] == k
    assert artefact.key(design[0], evaluation.DESIGN_ONLY)[0] == k
    target = copy_params(tmp_path, "hospital_modelo_2015.yaml", **where, **{"target: 75": "target: 80"})
    assert artefact.key(target[0], evaluation.DESIGN_ONLY)[0] != k
    stays = data / "internacoes.csv"
    stays.write_bytes(stays.read_bytes() + b"\n")  # one more byte: another input
    changed = artefact.key(annual[0], evaluation.DESIGN_ONLY)[0]
    assert changed != k
    monkeypatch.setattr(artefact, "code_digest", lambda: "another version of gps_core")
    assert artefact.key(annual[0], evaluation.DESIGN_ONLY)[0] not in (k, changed)


def test_a_run_is_computed_once_and_a_stale_or_damaged_artefact_is_not_read(tmp_path, monkeypatch):
    f = ROOT / "params" / "nhs_ae_2018_19.yaml"
    p = params.load(f)
    calls = []
    real = evaluation._run
    monkeypatch.setattr(evaluation, "_run", lambda *a: calls.append(1) or real(*a))
    first = evaluation.run(p, store=tmp_path)
    artefact._MEMO.clear()
    cards = ROOT / "params" / "nhs_ae_2018_19_scorecards.yaml"
    evaluation.run(params.load(cards), store=tmp_path)
    assert len(calls) == 1  # the scorecards read the annual report's run
    (folder,) = (tmp_path / "nhs_england" / "FY2018-19" / "artefacts").iterdir()
    next((folder / "tables").iterdir()).write_bytes(b"not parquet")  # a disk that filled up
    artefact._MEMO.clear()
    again = evaluation.run(p, store=tmp_path)
    assert len(calls) == 2
    assert_frame_equal(first.annual, again.annual)
    other = p.model_copy(update={"target": 80.0})
    assert evaluation.run(other, store=tmp_path).annual["target"].eq(80).all()
    assert len(calls) == 3 and len(list(folder.parent.iterdir())) == 2
    assert not [x for x in folder.parent.iterdir() if x.name.startswith(".")]  # no half-written folder


@settings(max_examples=40, deadline=None)
@given(
    data_frames(
        [
            column("x", dtype=float),
            column("n", dtype="int64"),
            column("s", elements=st.one_of(st.none(), st.text(max_size=5))),
            column("c", elements=st.sampled_from(["a", "b", "ç"])),
            column(
                "t", elements=st.datetimes(min_value=pd.Timestamp("1900-01-01"), max_value=pd.Timestamp("2100-01-01"))
            ),
        ],
        index=range_indexes(max_size=20),
    ),
    st.floats(allow_nan=True, allow_infinity=True),
)
def test_any_table_and_number_round_trips(tmp_path_factory, df, number):
    """Tables of every kind a result holds (floats with NaN and infinities, text with missing values,
    categoricals, datetimes, a text index), nested in dicts and lists with numbers that JSON cannot hold."""
    df = df.assign(c=df["c"].astype("category"), s=df["s"].astype("string"))
    keyed = df.set_index(df.index.astype(str).astype("string"))
    result = {"table": df, "keyed": keyed, "col": df["x"].rename("x"), "nested": {"n": number, "l": [1, "a", None]},
              "when": pd.Timestamp("2015-03-01"), "pair": (0.1, np.int64(3))}  # fmt: skip
    folder = tmp_path_factory.mktemp("a") / "art"
    artefact.save(result, {"k": 1}, folder)
    back = artefact.load(folder)
    expected = {**result, "pair": (0.1, 3)}
    equal(expected, back)
