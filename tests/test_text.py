"""Formats and generated sentences (en / pt-BR), including the GPS paper's gap statement."""

import pandas as pd

from gps_core.catalog import load_catalog
from gps_core.scoring import full_score_gap
from gps_core.views import text as T
from gps_core.views.indicators import gap_statement


def test_number_date_and_currency_formats():
    assert T.num(1234.567, "en", 2) == "1,234.57" and T.num(1234.567, "pt-BR", 2) == "1.234,57"
    assert T.pct(12.345, "pt-BR", sign=True) == "+12,3\u00a0%" and T.pct(float("nan"), "en") == "–"
    assert T.month(pd.Timestamp("2015-08-01"), "pt-BR") == "ago/2015" and T.month("2015-08-01", "en") == "Aug 2015"
    assert T.money(1492471, "en", "GBP") == "£14,924.71" and T.money(1492471, "pt-BR") == "R$\u00a014.924,71"
    assert T.money(14690.69, "pt-BR") == "R$\u00a0146,91" and T.money(float("nan"), "en") == "–"  # PMPM in cents
    assert T.join(["a", "b", "c"], "pt-BR") == "a, b e c"


def test_paper_gap_statement_for_length_of_stay():
    """GPS paper, Figure 4: 20.29 days in Aug-2015 earned 60 %; at most 7.74 days would earn 100 %."""
    rules = load_catalog().set_index("indicator_id").loc[["E01"]].reset_index()
    row = pd.concat([pd.DataFrame({"value": [20.29], "unit": ["days"]}), full_score_gap([20.29], rules)], axis=1)
    r = row.iloc[0]
    assert gap_statement(r, "the average length of stay", "en") == (
        "to earn 100 % the average length of stay must be at most 7.74 days (now 20.29 days)"
    )
    assert gap_statement(r, "a média de permanência", "pt-BR") == (
        "para atingir 100 %, a média de permanência deve ser no máximo 7,74 dias (atual 20,29 dias)"
    )


def test_manager_summary_reads_the_papers_way_and_keeps_lists_short():
    from gps_core.views.annual import manager_summary

    units = [f"U{k:02d}" for k in range(20)]
    annual = pd.DataFrame(
        {
            "unit_id": units,
            "vd": [5.0] * 12 + [-5.0] * 8,
            "vm": [1.0] * 10 + [-1.0] * 10,
            "p_value": 0.5,
            "model_mean": 60.0,
            "reference": "model_mean",
        }
    )
    annual["quadrant"] = ["leading_and_improving"] * 10 + ["leading_but_declining"] * 2 + ["critical"] * 8
    index = pd.DataFrame(
        {
            "period": pd.to_datetime(["2018-04-01", "2019-03-01"]),
            "dim_efficiency": [50.0, 60.0],
            "dim_experience": [70.0, 80.0],
            "dim_structure": float("nan"),
        }
    )
    alerts = pd.DataFrame({"alert": ["lowest_latest_month"], "unit_id": ["U19"], "value": [12.0]})
    text = "\n".join(
        manager_summary(
            annual,
            index,
            alerts,
            program="P",
            target=75,
            n_indicators=2,
            small={"small": 1234, "values": 10000},
            lang="en",
        )  # fmt: skip
    )
    assert "flagged, not dropped: 1,234 of 10,000 values." in text
    assert "evaluated on 2 indicators in 2 quality dimensions" in text
    assert "**12 of 20** units had a positive performance variation" in text
    assert "and 4 more" in text  # 12 names, 8 shown
    assert "**Critical units, negative on both VD and VM** (8): U12, U13" in text


def test_a_params_term_is_written_in_the_reports_convention():
    """Terms as the params write them (99.8 % limits, an exponent of 1.5): shortest form, decimal comma in pt-BR."""
    assert T.g(99.8, "pt-BR") == "99,8" and T.g(99.8, "en") == "99.8"
    assert T.g(60.0, "pt-BR") == "60" and T.g(1.5, "en") == "1.5"


def test_every_sentence_has_both_languages_with_the_same_fields():
    """Every label and sentence template of views/text.py is written in both languages, and both fill in the
    same fields: a field missing in one language raises KeyError only when that language's report runs."""
    import string

    def fields(s: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(s) if f}

    for key, entry in T.LABELS.items():
        assert set(entry) == {"en", "pt-BR"}, key
        assert fields(entry["en"]) == fields(entry["pt-BR"]), key
    for table in (T.WORDS, T.HEAD):
        for key, entry in table.items():
            assert set(entry) >= {"en", "pt-BR"} and all(entry.values()), key


def test_p_values_read_as_a_reader_expects():
    """Issue 15: never "0.0000": three decimals, '< 0,001' below, a dash when missing, in each convention."""
    assert T.p(0.0000, "pt-BR") == "< 0,001" and T.p(0.00049, "en") == "< 0.001"
    assert T.p(0.0123, "pt-BR") == "0,012" and T.p(0.05, "en") == "0.050" and T.p(float("nan"), "en") == "–"


def test_model_terms_read_without_patsy_notation():
    """Issue 15: a coefficient is 'type = 2', not 'C(type)[T.2.0]'; a formula lists its columns."""
    assert T.term("C(type)[T.2.0]", "en") == "type = 2" and T.term("Intercept", "pt-BR") == "Intercepto"
    assert T.term("C(sex)[T.M]:age", "en") == "sex = M × age" and T.term("I(age - 75)", "en") == "age − 75"
    assert T.term('C(chapter, Treatment("X"))[T.IX]', "en") == "chapter = IX"
    assert T.covariates("age + C(sex) + C(admission_type)") == "age + sex + admission_type"
