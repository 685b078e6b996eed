"""Technical sheets: the shipped catalogue, checksums, validation messages and band overrides."""

import hashlib
import re

import pandas as pd
import pytest

from gps_core import refdata
from gps_core.catalog import effective_weights, load_catalog, override_bands, validate_catalog
from gps_core.errors import InputError, ReferenceDataError

from .conftest import EXTERNAL


def test_shipped_catalogue_matches_the_paper_program():
    """GPS paper (seed 003): 45 indicators, 7 structure / 11 efficiency / 16 effectiveness / 11 experience."""
    cat = load_catalog("hospital_2015")
    assert len(cat) == 45
    assert cat["dimension"].value_counts().to_dict() == {
        "effectiveness": 16,
        "efficiency": 11,
        "experience": 11,
        "structure": 7,
    }
    for col in ("name_pt", "name_en", "numerator_pt", "denominator_pt", "numerator_en", "denominator_en", "source"):
        assert (cat[col].fillna("").str.len() > 0).all(), col
    assert {"E01", "F02", "F03", "F04", "F05", "S01", "S02", "F07", "X01", "X02", "X03"} <= set(cat["indicator_id"])
    w = effective_weights(cat, {"structure": 10, "efficiency": 25, "effectiveness": 40, "experience": 25})
    assert w.sum() == pytest.approx(100.0)
    assert w[cat["indicator_id"][cat["dimension"] == "structure"]].sum() == pytest.approx(10.0)


def test_every_manifest_entry_matches_its_file():
    for _, row in refdata.manifest().iterrows():
        assert refdata.sha256(refdata.DATA_DIR / row["file"]) == row["sha256"], row["file"]


def test_external_data_checksums_match_the_manifest():
    text = (EXTERNAL / "MANIFEST.md").read_text()
    pairs = re.findall(r"^([0-9a-f]{64})\s+(\S+)$", text, flags=re.M)
    assert len(pairs) >= 2
    for digest, name in pairs:
        assert hashlib.sha256((EXTERNAL / name).read_bytes()).hexdigest() == digest, name


def test_a_table_edited_without_its_manifest_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "catalog_hospital_2015.csv"
    bad.write_text((refdata.DATA_DIR / "catalog_hospital_2015.csv").read_text().replace("98", "97", 1))
    monkeypatch.setattr(refdata, "DATA_DIR", tmp_path)
    with pytest.raises(ReferenceDataError, match="does not match"):
        refdata.path("catalog_hospital_2015.csv")


def test_validation_lists_every_problem_with_line_and_column():
    cat = load_catalog().drop(columns="multiplier")
    cat.loc[0, "dimension"] = "quality"  # line 2
    cat.loc[1, "weight"] = -1  # line 3
    cat.loc[2, "indicator_id"] = cat.loc[3, "indicator_id"]  # lines 4 and 5
    with pytest.raises(InputError) as e:
        validate_catalog(cat, "my_catalogue.csv")
    msg = str(e.value)
    assert "my_catalogue.csv" in msg
    assert "line 2, column 'dimension': 'quality' is not one of" in msg
    assert "line 3, column 'weight'" in msg
    assert "line 4, column 'indicator_id'" in msg and "line 5, column 'indicator_id'" in msg


@pytest.mark.parametrize(
    "change,needle",
    [
        ({"polarity": "higher", "floor": 90, "target": 80}, "needs target > floor"),
        ({"rule": "tiers", "tiers": "10:0.8|5:1"}, "first (best) tier must earn 1"),
        (
            {"rule": "range", "polarity": "range", "floor": 50, "target": 40, "target_high": 60, "floor_high": 70},
            "floor < target <= target_high < floor_high",
        ),
    ],
)
def test_inconsistent_bands_are_refused(change, needle):
    cat = load_catalog().drop(columns="multiplier")
    for k, v in change.items():
        cat[k] = cat[k].astype(object)
        cat.loc[0, k] = v
    with pytest.raises(InputError, match=re.escape(needle)):
        validate_catalog(cat)


def test_band_overrides_are_validated():
    cat = load_catalog("nhs_ae_2019")
    new = override_bands(cat, {"AE4H": {"floor": 74, "target": 95}})
    assert new.set_index("indicator_id").loc["AE4H", "floor"] == 74
    with pytest.raises(InputError, match="unknown indicator 'XX'"):
        override_bands(cat, {"XX": {"floor": 1}})
    with pytest.raises(InputError, match="needs target > floor"):
        override_bands(cat, {"AE4H": {"floor": 96}})
    assert isinstance(cat, pd.DataFrame) and cat.set_index("indicator_id").loc["AE4H", "floor"] == 75  # unchanged
