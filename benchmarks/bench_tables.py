"""Result tables as HTML (issue 15): ``gps_core.views.page.to_html``, which sizes columns for print, marks
number columns and splits wide tables into column groups, against pandas' own ``DataFrame.to_html`` (what the
reports used before), on the widest tables of the demo: the NHS trusts' annual table (137 units x 14 columns)
and a scorecard's indicator table (45 indicators x 8 columns). The two sides run alternately, pair by pair, in
this process; the script prints the min and median ratio and exits non-zero when the median passes its target.

    python benchmarks/bench_tables.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET = 1.0  # no slower than pandas' writer, which it replaced (measured 0.66x and 0.78x when it landed)
PAIRS = 15


def tables():
    from gps_core import params
    from gps_core.studies import evaluation
    from gps_core.views import annual, indicators

    nhs = evaluation.run(params.load(ROOT / "params" / "nhs_ae_2018_19.yaml"))
    hosp = evaluation.run(params.load(ROOT / "params" / "hospital_2015.yaml"))
    unit = str(hosp.annual["unit_id"].iloc[0])
    view = evaluation.unit_view(hosp, unit)
    return {
        "NHS annual table (137 x 14)": annual.annual_table(nhs.annual, nhs.index, "en"),
        "scorecard indicators (45 x 8)": indicators.indicator_rows(view["indicators"], hosp.catalog, "pt-BR"),
    }


def main() -> int:
    from gps_core.views import page

    failed = False
    print(f"target: page.to_html at most {TARGET:.1f}x DataFrame.to_html (median of {PAIRS} alternated pairs)")
    for name, df in tables().items():
        ratios, ours, theirs = [], [], []
        for _ in range(PAIRS):
            t0 = time.perf_counter()
            page.to_html(df)
            t1 = time.perf_counter()
            df.to_html(index=False, escape=True, border=0, classes="gps-table", na_rep="–")
            t2 = time.perf_counter()
            ours.append(t1 - t0)
            theirs.append(t2 - t1)
            ratios.append((t1 - t0) / (t2 - t1))
        med = statistics.median(ratios)
        failed |= med > TARGET
        print(
            f"{name}: to_html {1000 * statistics.median(ours):.1f} ms, "
            f"pandas {1000 * statistics.median(theirs):.1f} ms; ratio min {min(ratios):.2f}, median {med:.2f} "
            + ("MISSED" if med > TARGET else "ok")
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
