"""Benchmark: doctor scorecards at a consultancy's scale (issue 14), on Hospital Modelo's 556 doctors
(``params/hospital_modelo_2015_medicos.yaml``, ``unit_level: as_is``).

Three measures, all on this machine and printed:

1. **Against the pipeline before issue 14**, in the same process, alternated over ``--pairs`` pairs (the order
   flips every pair): the old way runs each scorecard in a new kernel that recomputes the whole evaluation and
   prints its PDF with a new Chromium; the new way renders the same scorecards with a warm kernel reading the
   run artefact and one browser (``gps_core.report.Renderer``). Reported: the ratio of seconds per scorecard,
   min and median (target: at least 8x, issue 14's 40 minutes to 5 for 556 scorecards), and each side's
   largest process peak memory (the old way's kernels and browsers once they ended; the new way's warm
   kernel and browser while open).
2. **Marginal cost of one more scorecard**, with ``-j 2`` as ``make demo`` runs: the batch of ``--small`` and of
   ``--large`` scorecards, HTML only and with PDF; marginal = extra seconds / extra scorecards. Targets:
   0.3 s (HTML) and 0.6 s (with PDF).
3. With ``--full``: all 556 scorecards with HTML and PDF through ``gps batch -j 2`` (target: 5 minutes).

Run: ``python benchmarks/bench_reports.py [--pairs 3] [--old 3] [--small 10] [--large 50] [--full]``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import live_peak

from gps_core import cli, params
from gps_core.pdf import FLAGS, find_chromium
from gps_core.report import Job, Renderer, export_html, notebook_path
from gps_core.studies import evaluation

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "params" / "hospital_modelo_2015_medicos.yaml"
TARGET_HTML, TARGET_PDF, TARGET_FULL, TARGET_SPEEDUP = 0.3, 0.6, 300.0, 8.0


def old_way(units: list[str], out: Path) -> float:
    """Seconds per scorecard the way reports ran before issue 14: a kernel per report, the evaluation
    recomputed in each, a Chromium started per PDF."""
    import papermill as pm

    chromium = find_chromium()
    t = time.perf_counter()
    for u in units:
        with tempfile.TemporaryDirectory() as tmp:
            nb = Path(tmp) / f"{u}.ipynb"
            pm.execute_notebook(str(notebook_path("scorecard")), str(nb), parameters={"params_file": str(PARAMS),
                                "unit": u}, kernel_name="python3", progress_bar=False, cwd=tmp)  # fmt: skip
            export_html(nb, out / f"{u}.html")
            subprocess.run([chromium, *FLAGS, f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer",
                            f"--print-to-pdf={out / f'{u}.pdf'}", (out / f"{u}.html").as_uri()],
                           capture_output=True, check=True, timeout=300)  # fmt: skip
    return (time.perf_counter() - t) / len(units)


def new_way(renderer: Renderer, units: list[str], out: Path) -> float:
    t = time.perf_counter()
    for u in units:
        renderer.run(Job("scorecard", str(PARAMS), str(out), report=f"scorecards/{u}", extra={"unit": u}))
    return (time.perf_counter() - t) / len(units)


def batch(units: list[str], out: Path, pdf: bool, workers: int = 2) -> float:
    jobs = [Job("scorecard", str(PARAMS), str(out), report=f"scorecards/{u}", extra={"unit": u}, pdf=pdf)
            for u in units]  # fmt: skip
    t = time.perf_counter()
    if cli.execute(jobs, workers=workers):
        raise SystemExit("a scorecard failed")
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--old", type=int, default=3, help="scorecards per side of a pair")
    ap.add_argument("--small", type=int, default=10)
    ap.add_argument("--large", type=int, default=50)
    ap.add_argument("--full", action="store_true", help="also all 556 scorecards through gps batch -j 2")
    ap.add_argument("--workers", type=int, default=2, help="workers of the marginal-cost batches (-j)")
    ap.add_argument("--skip-old", action="store_true", help="only the marginal costs")
    a = ap.parse_args()
    if not find_chromium():
        raise SystemExit("bench_reports needs Chromium (apt-get install chromium)")
    out = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    p = params.load(PARAMS)
    t = time.perf_counter()
    units = [str(u) for u in evaluation.run(p, store=out).annual["unit_id"]]
    print(f"evaluation of {len(units)} doctors, computed once and saved: {time.perf_counter() - t:.1f} s")

    ratios, olds, news = [], [], []
    ok = True
    with Renderer(threads=2) as r:
        new_way(r, units[:1], out)  # the kernel starts and imports once per worker, not per scorecard
        for i in range(0 if a.skip_old else a.pairs):
            chunk = units[1 + i * a.old : 1 + (i + 1) * a.old]
            if i % 2 == 0:
                old, new = old_way(chunk, out), new_way(r, chunk, out)
            else:
                new, old = new_way(r, chunk, out), old_way(chunk, out)
            olds.append(old)
            news.append(new)
            ratios.append(old / new)
            print(f"pair {i + 1}: before issue 14 {old:.2f} s/scorecard, now {new:.2f} s/scorecard, {old / new:.1f}x")
        # every process the old way started has ended (and was waited for); the new way's are still open
        peak_old = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        peak_new = live_peak()
    if ratios:
        speedup = statistics.median(ratios)
        ok &= speedup >= TARGET_SPEEDUP
        print(f"speed-up per scorecard (HTML + PDF, one worker) [{len(ratios)} pairs of {a.old} scorecards]: min "
              f"{min(ratios):.1f}x, median {speedup:.1f}x (target >= {TARGET_SPEEDUP:g}x) "
              f"{'ok' if speedup >= TARGET_SPEEDUP else 'MISSED'}; s/scorecard before: median "
              f"{statistics.median(olds):.2f}, now: median {statistics.median(news):.2f}; largest process peak "
              f"memory before {peak_old:,.0f} MiB, now {peak_new:,.0f} MiB; this process "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")  # fmt: skip

    for pdf, target in ((False, TARGET_HTML), (True, TARGET_PDF)):
        small = batch(units[: a.small], out / f"s{pdf}", pdf, a.workers)
        large = batch(units[: a.large], out / f"l{pdf}", pdf, a.workers)
        marginal = (large - small) / (a.large - a.small)
        ok &= marginal <= target
        print(f"-j {a.workers}, {'HTML + PDF' if pdf else 'HTML only'}: {a.small} scorecards {small:.1f} s, {a.large} "
              f"{large:.1f} s; marginal {marginal:.2f} s/scorecard (target <= {target} s) "
              f"{'ok' if marginal <= target else 'MISSED'}")  # fmt: skip
    if a.full:
        t = time.perf_counter()
        run = subprocess.run([Path(sys.executable).with_name("gps"), "batch", str(PARAMS), "-j", "2", "--out",
                              str(out / "full")], capture_output=True, text=True)  # fmt: skip
        full = time.perf_counter() - t
        ok &= run.returncode == 0 and full <= TARGET_FULL
        print(f"gps batch -j 2, all {len(units)} doctor scorecards with HTML and PDF: {full:.0f} s "
              f"(target <= {TARGET_FULL:.0f} s) {'ok' if run.returncode == 0 and full <= TARGET_FULL else 'MISSED'}; "
              f"{(run.stderr.strip().splitlines() or ['no output'])[-1]}")  # fmt: skip
    if not ok:
        print("MISSED: a target of bench_reports", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
