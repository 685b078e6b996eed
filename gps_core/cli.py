"""``gps`` command line: run, batch, demo and check reports.

Params are validated before any kernel starts; failures exit non-zero with a message that says what to
fix (2: bad params or input, 1: a report failed to run).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from . import __version__, refdata
from .errors import GpsError, ParamsError
from .params import load, missing
from .report import (
    PARAMS_OF,
    READS_ARTEFACTS,
    THREAD_VARS,  # noqa: F401  (tests read it here)
    Job,
    Renderer,
    checkout,
    confined,
    known_notebooks,
    out_root,
)
from .schemas import bounds

DEMO = (
    "hospital_2015.yaml",
    "hospital_2015_scorecards.yaml",
    "hospital_modelo_2015.yaml",
    "hospital_modelo_2015_scorecards.yaml",
    "hospital_modelo_2015_p4p.yaml",
    "hospital_modelo_2015_medicos.yaml",
    "plano_modelo_2024.yaml",
    "synpuf_2008.yaml",
    "nhs_ae_2018_19.yaml",
    "nhs_ae_2018_19_scorecards.yaml",
    "medpar_1991.yaml",
    "azpro_1991.yaml",
    "pool_2024.yaml",
    "pool_2024_boa_vista.yaml",
    "pool_nhs_ae_2018_19.yaml",
)


ANNEX = "annex"  # the scorecards' annex in their folder (views.text 'annex_pointer' links to annex.html)


def slug(unit: str) -> str:
    """A file-safe name for a unit (scorecards are written as ``scorecards/<slug>``): letters, digits, '-',
    '_' and inner dots, at most 100 characters, never '.' or '..' nor a hidden name."""
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in unit.strip())[:100].strip(".")
    return keep or "unit"


def jobs_for(params_file: str, out: str, pdf: bool, limit: int | None = None, notebook: str | None = None) -> list[Job]:
    """The report jobs of one params file: one job, or one per unit for scorecards."""
    p = load(params_file, PARAMS_OF.get(notebook, notebook) if notebook else None)
    annex = Job("scorecard_annex", params_file, out, report=f"{getattr(p, 'folder', '')}/{ANNEX}", pdf=pdf)
    if notebook == "scorecard_annex":
        return [annex]
    if p.report != "scorecard":
        return [Job(p.report, params_file, out, pdf=pdf)]
    units = p.units
    if units == "all":
        from .studies.evaluation import run as evaluate

        units = list(evaluate(p, store=out).annual["unit_id"].astype(str))
    units = units[:limit] if limit else units
    labels = unit_labels(p)
    code = {label: c for c, label in labels.items()}
    units = [labels.get(u, u) for u in units]  # a unit given by code, as the evaluation names it
    names = [slug(code.get(u, u)) for u in units]  # files by code: short, and stable if a name changes
    seen = Counter(n.lower() for n in names)  # case too: two names one file on macOS and Windows
    seen[ANNEX] += 2  # the annex's name is taken: a unit called so gets a suffix like any clash
    names = [f"{n}-{hashlib.sha1(u.encode()).hexdigest()[:6]}" if seen[n.lower()] > 1 else n
             for n, u in zip(names, units, strict=True)]  # fmt: skip
    # what every scorecard shares (technical sheets, full provenance) is written once, beside them
    return [annex] + [
        Job("scorecard", params_file, out, report=f"{p.folder}/{n}", extra={"unit": u}, pdf=pdf)
        for n, u in zip(names, units, strict=True)
    ]


def unit_labels(p) -> dict[str, str]:
    """Each named unit's label by its code, from the params' ``unit_names`` file (none: empty)."""
    if getattr(p, "unit_names", None) is None:
        return {}
    from .io import names
    from .params import where

    return names.read(where(p.unit_names)).to_dict()


def _evaluate(params_file: str, out: str) -> None:
    from .studies.evaluation import run as evaluate

    evaluate(load(params_file), store=out)


def prepare(files: list[str], out: str, workers: int) -> None:
    """Evaluate every distinct run among ``files`` once, before any report, and save it as a run artefact
    under ``out`` (:mod:`gps_core.artefact`): the annual report, the scorecards and the contract design of
    one client and period then read the same tables instead of each recomputing them. Runs already saved
    for the same params and inputs are not recomputed.

    Raises
    ------
    GpsError
        Naming every params file whose inputs failed, before any kernel starts.
    """
    from .artefact import key
    from .studies.evaluation import DESIGN_ONLY

    todo: dict[str, str] = {}
    for f in files:
        p = load(f)
        if p.report in READS_ARTEFACTS:
            todo.setdefault(key(p, DESIGN_ONLY)[0], f)
    errors = []
    if workers > 1 and len(todo) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(todo))) as pool:
            futs = {pool.submit(_evaluate, f, out): f for f in todo.values()}
            for fut in as_completed(futs):
                if isinstance(e := fut.exception(), GpsError):
                    errors.append(str(e))
                elif e is not None:
                    raise e
    else:
        for f in todo.values():
            try:
                _evaluate(f, out)
            except GpsError as e:
                errors.append(str(e))
    if errors:
        raise GpsError("\n".join(errors))


_RENDERER: Renderer | None = None  # a pool worker's warm kernel and browser, for every job it is given


def _worker_start(threads: int) -> None:
    """Pool worker start: one renderer for the worker's life, closed when the worker exits (a pool's workers
    do not run atexit handlers; multiprocessing's finalizers do run)."""
    import multiprocessing.util

    global _RENDERER
    _RENDERER = Renderer(threads)
    multiprocessing.util.Finalize(_RENDERER, _RENDERER.close, exitpriority=10)


def run_job(job: Job) -> list[Path]:
    """One report in this process's renderer (a pool worker's, or the one :func:`execute` opened)."""
    return _RENDERER.run(job)


class Progress:
    """Progress as plain lines on stderr when it is not a terminal (CI, a log file): every report of a short
    run, about every 5 % of a long one, and the last; nothing when the progress bar is shown."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self.count = total, enabled, 0
        self.every = 1 if total <= 50 else -(-total // 20)
        self.t0 = time.perf_counter()

    def done(self, job: Job, failed: int) -> None:
        self.count += 1
        if not self.enabled or (self.count % self.every and self.count != self.total):
            return
        what = job
        if isinstance(job, Job):
            what = f"{job.report or Path(job.notebook).stem} ({Path(job.params_file).name})"
        fails = f", {failed} failed" if failed else ""
        print(f"[{self.count}/{self.total}] {what} · {time.perf_counter() - self.t0:.0f} s{fails}", file=sys.stderr,
              flush=True)  # fmt: skip


def execute(jobs: list[Job], workers: int) -> int:
    """Run jobs with one warm kernel and one browser per worker (in parallel when ``workers`` > 1), with a
    progress bar; return the number of failures.

    Each kernel gets its share of the cores for OpenMP and BLAS (a limit the user set is kept): otherwise
    every kernel starts a thread per core, and spin-waiting threads made two scikit-learn GBMs side by side
    take 15+ minutes, not seconds."""
    from tqdm import tqdm

    global _RENDERER
    share = max(1, (os.cpu_count() or 1) // max(1, workers))
    failures = []
    bar = tqdm(total=len(jobs), unit="report", disable=None, file=sys.stderr)
    lines = Progress(len(jobs), enabled=bar.disable)  # a log or CI: plain lines instead of the bar
    if workers <= 1 or len(jobs) == 1:
        _RENDERER = Renderer(share)
        try:
            for j in jobs:
                try:
                    run_job(j)
                except Exception as e:  # report every failure, keep going, exit non-zero at the end
                    failures.append((j, e))
                bar.update()
                lines.done(j, len(failures))
        finally:
            _RENDERER.close()
            _RENDERER = None
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_worker_start, initargs=(share,)) as pool:
            futs = {pool.submit(run_job, j): j for j in jobs}
            for f in as_completed(futs):
                if (e := f.exception()) is not None:
                    failures.append((futs[f], e))
                bar.update()
                lines.done(futs[f], len(failures))
    bar.close()
    for j, e in failures:
        print(f"FAILED {j.notebook} {j.params_file} {j.extra or ''}:\n{e}", file=sys.stderr)
    return len(failures)


KINDS = ("measurements", "encounters", "surgeries", "surveys")


def file_kind(df) -> str:
    """Which contract a table is meant for, from its key columns."""
    if "surgery_id" in df.columns:
        return "surgeries"
    if "response_id" in df.columns:
        return "surveys"
    if "encounter_id" in df.columns and "admission" in df.columns:
        return "encounters"
    return "measurements"


def validate_files(a: argparse.Namespace) -> int:
    """``gps validate``: every problem of every file, then exit 2 if any file failed. Surgeries are checked
    against an encounter file given in the same call."""
    from .catalog import load_catalog
    from .io.readers import read_table
    from .records import encounters, surgeries, surveys
    from .schemas import validate_measurements

    try:
        cat = load_catalog(a.catalog)
    except GpsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    failed, tables = 0, []
    for f in a.files:
        try:
            df, dialect = read_table(f, sheet=a.sheet, sep=a.sep, decimal=a.decimal, encoding=a.encoding)
            tables.append((f, df, dialect, a.kind if a.kind != "auto" else file_kind(df)))
        except GpsError as e:
            failed += 1
            print(f"FAILED {e}", file=sys.stderr)
    enc = None
    for f, df, dialect, kind in sorted(tables, key=lambda t: t[3] != "encounters"):
        how = ", ".join(f"{k}={v!r}" for k, v in dialect.describe().items())
        try:
            if kind == "measurements":
                m = validate_measurements(df, cat, f)
                what = (
                    f"{len(m)} rows, {m['unit_id'].nunique()} units, {m['period'].nunique()} months "
                    f"{m['period'].min():%Y-%m}..{m['period'].max():%Y-%m}"
                )
            elif kind == "encounters":
                enc = encounters.validate(df, f)
                what = f"{len(enc)} stays, {enc['patient_id'].nunique()} patients"
            elif kind == "surgeries":
                n = len(surgeries.validate(df, f, encounters=enc))
                what = f"{n} operations" + ("" if enc is not None else " (not checked against an encounter file)")
            else:
                what = f"{len(surveys.validate(df, f, encounters=enc))} questionnaires"
        except GpsError as e:
            failed += 1
            print(f"FAILED {e}", file=sys.stderr)
            continue
        print(f"{f}: OK as {kind}, {what} (read as {how})")
    return 2 if failed else 0


def payouts_workbook(a: argparse.Namespace) -> int:
    """``gps payouts``: evaluate, pay every contract rule, write the finance workbook (``--out`` is checked
    before anything is computed)."""
    from .studies.evaluation import run as evaluate
    from .views.workbook import write_payouts

    p = load(a.params)
    if getattr(p, "contract", None) is None:
        raise ParamsError(f"{a.params} has no 'contract' section")
    if a.out:
        out = Path(a.out)
        if out.is_dir():
            raise ParamsError(f"--out {out}: is a folder; give the workbook's file name (e.g. {out / 'payouts.xlsx'})")
        if out.suffix.lower() != ".xlsx":
            raise ParamsError(f"--out {out}: the workbook's name must end in .xlsx")
    else:
        out = Path("reports") / p.client / p.period.name / "payouts.xlsx"
        confined("reports", out, f"{a.params} (client, period.label)")
    ev = evaluate(p, store="reports")  # the run the reports of this client and period read
    try:
        path = write_payouts(ev.payouts, out, p.currency, p.language)
    except OSError as e:
        raise ParamsError(f"--out {out}: cannot be written ({e.strerror}); choose another path") from None
    for name, res in ev.payouts.items():
        print(f"{name}: {res['payout'].sum() / 100:,.2f} {p.currency} to {(res['payout'] > 0).sum()} units")
    print(f"written {path}")
    return 0


def check_one(p, f: str) -> str:
    """``gps check`` of one validated params file: its inputs read and computed as the report would, nothing
    written. Returns the line that says what was found."""
    if p.report == "capitation_model":
        from .studies.capitation import load_plan, read_scores

        tabs, _ = load_plan(p)
        if p.rates.value:  # the panels of the members file: every one needs a score
            read_scores(p, sorted(tabs["members"][p.rates.by].astype(str).unique()))
        return f"{f}: OK ({len(tabs['members'])} members, {len(tabs['diagnoses'])} diagnoses)"
    if p.report == "risk_adjustment":
        from .studies.risk import run as study

        s = study(p)
        return f"{f}: OK ({len(s.data)} patients, {len(s.outcomes)} outcome models)"
    if p.report == "benchmark_study":
        from .studies.benchmark import run as bench

        s = bench(p)
        s.close()
        n = int(s.cells["published"].sum())
        return f"{f}: OK ({s.source}; {n} of {len(s.cells)} cells published, {len(s.funnels)} funnels)"
    from .studies.evaluation import run as evaluate

    ev = evaluate(p)
    return (
        f"{f}: OK ({len(ev.measurements)} rows, {ev.annual.shape[0]} units, "
        f"{ev.provenance['small_denominators']['small']} of {ev.provenance['small_denominators']['values']} "
        "values on small denominators)"
    )


def known_reports() -> list[str]:
    """The reports ``gps run`` knows: the notebooks the package carries, and any of the user's own."""
    return sorted(known_notebooks())


def inputs_exist(loaded: list, files: list[str]) -> None:
    """Every file and folder every params file names exists, before any kernel starts.

    Raises
    ------
    ParamsError
        Naming each params file, key and path that is missing (all of them at once)."""
    problems = [f"{f}: {m}" for p, f in zip(loaded, files, strict=True) for m in missing(p)]
    if problems:
        raise ParamsError("\n".join(problems))


def demo_params() -> list[str]:
    """The demo's params files: the repository's ``params/`` (the demo runs on the repository's data)."""
    root = checkout()
    if root is None:
        raise ParamsError(
            "gps demo runs on the data of the repository (its params/ and data/ folders), which an installed "
            "package does not carry: run it from a checkout of gps-analytics"
        )
    return [str(root / "params" / name) for name in DEMO]


EXIT_CODES = """exit codes:
  0  everything asked for was done
  1  a report failed while it ran (its notebook or PDF), or an internal error (a bug: please report it)
  2  bad params, input data or arguments: the message names the file, line, column and the fix;
     nothing was written"""


LIMIT_HELP = "raise a plausible bound, e.g. --limit denominator=5e7 (see gps_core.schemas.LIMITS)"


def limits(items: list[str] | None) -> dict[str, float]:
    """``--limit denominator=5e7`` options as a dict (checked by :func:`gps_core.schemas.bounds`)."""
    out = {}
    for item in items or []:
        name, _, value = item.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise ParamsError(f"--limit {item!r}: write NAME=NUMBER, e.g. --limit denominator=5e7") from None
    return out


def main(argv: list[str] | None = None) -> int:
    """The ``gps`` command: exit 0, 1 or 2 as :data:`EXIT_CODES` says, with one message and no traceback
    (set ``GPS_DEBUG=1`` to see the traceback of an internal error)."""
    try:
        return _main(argv)
    except GpsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing half-written was left in place", file=sys.stderr)
        return 130
    except Exception as e:  # a bug, not the user's input: say so in one line, keep the exit code of failures
        if os.environ.get("GPS_DEBUG"):
            raise
        print(f"internal error: {type(e).__name__}: {str(e)[:500]} (a bug in GPS Analytics: please report it "
              "with the command; GPS_DEBUG=1 shows the traceback)", file=sys.stderr)  # fmt: skip
        return 1


def _main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="gps",
        description="GPS Analytics reports",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--version", action="version", version=f"gps-analytics {__version__}")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run one notebook with one params file")
    r.add_argument("notebook", help=f"{' | '.join(known_reports())} (or a path to a .ipynb)")
    r.add_argument("params", help="params YAML file")
    b = sub.add_parser("batch", help="run several params files (the notebook is each file's 'report')")
    b.add_argument("params", nargs="+")
    d = sub.add_parser("demo", help="write the demo reports on shipped data (synthetic hospital, NHS A&E)")
    d.add_argument("--scorecards", type=int, default=None, help="at most this many scorecards per program")
    c = sub.add_parser("check", help="validate params and their input data; run nothing")
    c.add_argument("params", nargs="+")
    i = sub.add_parser("init", help="start a client project: params for each report, example data, reports/")
    i.add_argument("folder", help="a new or empty folder")
    lab = sub.add_parser("lab", help="open a project in JupyterLab, a notebook per params file ready to run")
    lab.add_argument("folder", nargs="?", default=".", help="the project (default: this folder)")
    lab.add_argument("--port", type=int, default=None, help="the server's port (default: Jupyter's, 8888)")
    lab.add_argument("--no-browser", action="store_true", help="start the server without opening a browser")
    lab.add_argument("--prepare", action="store_true", help="write the notebooks in lab/ and stop")
    w = sub.add_parser("payouts", help="write the contract's payouts as an Excel workbook for finance")
    w.add_argument("params", help="params YAML file with a 'contract' section")
    w.add_argument("--out", default=None, help="xlsx path (default: reports/<client>/<period>/payouts.xlsx)")
    v = sub.add_parser(
        "validate", help="check measurement, encounter, surgery or survey files (CSV, Excel, Parquet, XML)"
    )
    v.add_argument("--kind", choices=("auto", *KINDS), default="auto", help="contract (default: from the columns)")
    v.add_argument("files", nargs="+")
    v.add_argument("--catalog", default="hospital_2015", help="shipped catalogue name or a CSV path")
    v.add_argument("--sheet", default=None, help="Excel sheet (default: the first)")
    v.add_argument("--sep", default=None, help="CSV separator (default: detected)")
    v.add_argument("--decimal", default=None, choices=[".", ","], help="decimal mark (default: detected)")
    v.add_argument("--encoding", default=None, help="text encoding (default: UTF-8, else latin-1)")
    v.add_argument("--limit", action="append", metavar="NAME=VALUE", help=LIMIT_HELP)
    from .pooled import cli as pool_cli

    pool_cli.add(sub)
    for s in (r, b, d):
        s.add_argument("--out", default="reports", help="output root (default: reports)")
        s.add_argument("-j", "--jobs", type=int, default=1, help="reports to run in parallel")
        s.add_argument("--no-pdf", action="store_true", help="write HTML and notebook only")
    a = ap.parse_args(argv)
    refdata.verify()  # before any command: no report rests on a reference table changed in place
    t0 = time.perf_counter()
    if a.cmd == "init":
        from .project import init

        made = init(a.folder)
        print(f"{a.folder}: {len(made)} files written; next, in that folder: gps check params/*.yaml")
        return 0
    if a.cmd == "lab":
        from . import lab as jlab

        written, kept, problems = jlab.prepare(a.folder)
        for line in problems:
            print(f"skipped {line}", file=sys.stderr)
        print(f"{Path(a.folder) / jlab.FOLDER}: {len(written)} notebooks written, {len(kept)} of yours kept; in "
              "JupyterLab, open one and run all cells")  # fmt: skip
        if not a.prepare:
            jlab.launch(a.folder, a.port, not a.no_browser)
        return 2 if problems else 0
    if a.cmd == "validate":
        with bounds(limits(a.limit)):
            return validate_files(a)
    if a.cmd == "payouts":
        return payouts_workbook(a)
    if a.cmd == "pool":
        return pool_cli.run(a)
    try:
        if a.cmd == "check":
            failed = 0
            for f in a.params:  # every file is checked, so one call lists every problem
                try:
                    p = load(f)
                    with bounds(p.limits):
                        print(check_one(p, f))
                except GpsError as e:
                    failed += 1
                    print(f"FAILED {e}", file=sys.stderr)
            return 2 if failed else 0
        out_root(a.out)
        if a.cmd == "run":
            stem = Path(a.notebook).stem
            own = load(a.params).report  # the report the params file is written for
            if stem in known_reports() and PARAMS_OF.get(stem, stem) != own:
                raise ParamsError(
                    f"{a.params}: these params are for the report '{own}', not '{stem}'; run "
                    f"'gps run {own} {a.params}', or write a params file with 'report: {stem}'"
                )
            inputs_exist([load(a.params, PARAMS_OF.get(stem, stem))], [a.params])  # the notebook's own check
            prepare([a.params], a.out, 1)
            jobs = jobs_for(a.params, a.out, not a.no_pdf, notebook=Path(a.notebook).stem)
        else:
            files = a.params if a.cmd == "batch" else demo_params()
            limit = a.scorecards if a.cmd == "demo" else None
            inputs_exist([load(f) for f in files], files)  # every params file valid before anything is computed
            prepare(files, a.out, a.jobs)
            jobs = [j for f in files for j in jobs_for(f, a.out, not a.no_pdf, limit)]
            # the long single reports first, the many short scorecards after: the workers finish together
            jobs.sort(key=lambda j: j.notebook == "scorecard")
    except GpsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    failed = execute(jobs, a.jobs)
    done = len(jobs) - failed
    print(f"{done} of {len(jobs)} reports written under {a.out}/ in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
