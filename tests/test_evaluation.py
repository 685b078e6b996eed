"""What the notebooks display comes from gps_core.studies.evaluation: selections tested here, not in notebooks."""

import numpy as np
import pandas as pd
import pytest

from gps_core import params
from gps_core.studies import evaluation


@pytest.fixture(scope="module")
def ev(root):
    f = root / "params" / "nhs_ae_2018_19.yaml"
    return evaluation.run(params.load(f))


def test_band_reasons_come_from_the_params(ev):
    why = evaluation.band_reasons(ev.params)
    assert set(why) == {"AE4H", "AECONV"} and "NHS Constitution" in why["AE4H"]


def test_trace_units_are_the_critical_ones_most_negative_first(ev):
    units = evaluation.trace_units(ev, n=3)
    crit = ev.annual[ev.annual["quadrant"] == "critical"].sort_values("vd")
    assert units == list(crit["unit_id"].astype(str))[:3]
    calm = ev.annual.assign(quadrant="leading_and_improving")
    lowest = ev.annual.loc[ev.annual["ip"].idxmin(), "unit_id"]
    assert evaluation.trace_units(evaluation.Evaluation(**{**ev.__dict__, "annual": calm})) == [lowest]


def test_star_agreement_counts_rated_units():
    a = pd.DataFrame({"stars": [1, 2, 3, np.nan], "stars_exact": [1, 3, 3, 2]})
    assert evaluation.star_agreement(a) == (2, 3)


def test_unit_view_latest_row_and_own_sheets(ev):
    v = evaluation.unit_view(ev, "RRK")  # a named unit given by its code
    assert v["unit"] == "University Hospitals Birmingham (RRK)"
    assert v["latest"]["period"] == pd.Timestamp("2019-03-01")
    assert v["latest"]["ip"] == pytest.approx(
        ev.index[(ev.index["unit_id"] == v["unit"]) & (ev.index["period"] == "2019-03-01")]["ip"].iloc[0]
    )
    assert list(v["sheets"]["indicator_id"]) == ["AE4H", "AECONV"]


def test_unit_view_split_once_equals_each_unit_filtered_alone(ev):
    """The batch path splits the evaluation's tables by unit once; every unit's view is the same rows as
    filtering the whole tables for that unit (the way before the split), also for a unit with no rows."""
    dims = evaluation.dimension_summary(ev)
    for u in ev.annual["unit_id"].astype(str):
        v = evaluation.unit_view(ev, u)
        # a text column of one unit alone may be all missing (object), of all units text (string)
        pd.testing.assert_frame_equal(v["indicators"], evaluation.indicator_table(ev, u), check_dtype=False)
        pd.testing.assert_frame_equal(v["monthly"], ev.index[ev.index["unit_id"] == u])
        pd.testing.assert_frame_equal(v["dimensions"], dims[dims["unit_id"] == u])
        for name, res in ev.payouts.items():
            pd.testing.assert_frame_equal(v["payouts"][name], res[res["unit_id"].astype(str) == u])
    gone = ev.scores["unit_id"].iloc[0]
    fewer = evaluation.Evaluation(**{**ev.__dict__, "scores": ev.scores[ev.scores["unit_id"] != gone]})
    empty = evaluation.unit_view(fewer, str(gone))["indicators"]
    assert empty.empty and list(empty.columns) == list(evaluation.indicator_table(ev, str(gone)).columns)


def test_provenance_names_the_code_revision(ev, root):
    """Issue 15, item 5: a report run from a git checkout names the exact commit (with '+changes' when files
    differ from it), in code type, beside the version."""
    import shutil
    import subprocess

    from gps_core.views import page

    if not (root / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()  # fmt: skip
    assert ev.provenance["revision"].split("+")[0] == head
    html = page.provenance_html(ev.provenance, "pt-BR")
    assert f"<dt>revisão do código</dt><dd><code>{ev.provenance['revision']}</code></dd>" in html


def test_scored_sheets_are_the_indicators_with_scores(ev):
    fewer = evaluation.Evaluation(**{**ev.__dict__, "scores": ev.scores[ev.scores["indicator_id"] != "AECONV"]})
    assert list(evaluation.scored_sheets(ev)["indicator_id"]) == ["AE4H", "AECONV"]
    assert list(evaluation.scored_sheets(fewer)["indicator_id"]) == ["AE4H"]


def test_named_units_are_shown_by_name_in_every_table_and_computed_alike(ev, root):
    """params unit_names: every table of the run shows 'name (code)' for each unit the file names, the code
    for the others; the numbers are those of the run without names, row for row."""
    names = pd.read_csv(root / "data" / "external" / "nhs_trust_names.csv", dtype=str).set_index("unit_id")["name"]
    plain = evaluation.run(ev.params.model_copy(update={"unit_names": None}))
    code = plain.annual["unit_id"].astype(str)
    want = code.map(lambda c: f"{names[c]} ({c})" if c in names.index else c)
    assert list(ev.annual["unit_id"].astype(str)) == list(want)
    assert code.isin(names.index).all()  # every type-1 department of the A&E file has its name
    for t in ("measurements", "scores", "index", "annual", "alerts"):
        a, b = getattr(ev, t), getattr(plain, t)
        lab = b["unit_id"].astype(str).map(lambda c: f"{names[c]} ({c})" if c in names.index else c)
        assert list(a["unit_id"].astype(str)) == list(lab), t
        pd.testing.assert_frame_equal(a.drop(columns="unit_id"), b.drop(columns="unit_id"), obj=t)
    files = [i["file"] for i in ev.provenance["inputs"]]
    assert files[-1].endswith("nhs_trust_names.csv") and ev.provenance["inputs"][-1]["role"] == "unit names"


def test_a_label_that_is_another_units_code_is_refused(ev, tmp_path):
    from gps_core.errors import InputError

    f = tmp_path / "names.csv"
    f.write_text("unit_id,name\nRRK,RJ1\nRJ1,Guy's\n")  # RRK would be shown as "RJ1 (RRK)": no clash
    evaluation.unit_labels(str(f), ["RRK", "RJ1"])
    g = tmp_path / "clash.csv"
    g.write_text("unit_id,name\nRRK,RRK\nX1,RRK\n")
    evaluation.unit_labels(str(g), ["RRK"])  # X1 is not in the data: nothing merges
    h = tmp_path / "merge.csv"
    h.write_text("unit_id,name\nA,B\n")
    from gps_core.io import names

    labels = names.read(h)
    assert names.clashes(["A", "B (A)"], labels) == ["A -> B (A)"]
    with pytest.raises(InputError, match="another unit's code"):
        evaluation.unit_labels(str(h), ["A", "B (A)"])


def test_a_finance_file_may_name_units_by_code_when_the_report_shows_names(tmp_path):
    """Payouts are computed on codes; a contract design recomputes production on named units, and the
    client's finance file still names them by code."""
    from gps_core.io import names

    fin = tmp_path / "fin.csv"
    fin.write_text("unit,amount\nA1,100.50\nB2,200\n")
    spec = params.AmountFile(path=str(fin), unit="unit", amount="amount")
    rule = type("R", (), {"production": type("P", (), {"file": spec, "indicator": None, "price": None})()})()
    lab = tmp_path / "n.csv"
    lab.write_text("unit_id,name\nA1,Alpha\n")
    labels = names.read(lab)
    units = pd.DataFrame({"unit_id": ["Alpha (A1)", "B2"], "indicator_id": "X", "denominator": 1.0})
    got = evaluation.production(rule, units, labels)
    assert got["volume"].to_dict() == {"Alpha (A1)": 100.5, "B2": 200.0}
