"""Result tables as HTML (issue 15): ``gps_core.views.page.to_html``, which sizes columns for print, marks
number columns and splits wide tables into column groups, against pandas' own ``DataFrame.to_html`` (what the
reports used before), on the widest tables of the demo: the NHS trusts' annual table (137 units x 14 columns)
and a scorecard's indicator table (45 indicators x 8 columns). The two sides run alternately, pair by pair,
each run in its own forked process (benchmarks/timing.py); the script prints the min and median ratio and each
side's peak memory, and exits non-zero when the median passes its target. Each run writes its table 20 times
(a warm kernel writes one per report, hundreds per batch): one 20 ms write in a fresh process measured mostly
the machine's noise.

    python benchmarks/bench_tables.py [--pairs 15]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from timing import finish, pairs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REPEAT = 20  # writes per run
TARGET = 1.0  # no slower than pandas' writer, which it replaced (measured 0.66x and 0.78x when it landed)


def tables():
    from gps_core import params
    from gps_core.studies import evaluation
    from gps_core.views import annual, indicators

    nhs = evaluation.run(params.load(ROOT / "params" / "nhs_ae_2018_19.yaml"))
    hosp = evaluation.run(params.load(ROOT / "params" / "hospital_2015.yaml"))
    unit = str(hosp.annual["unit_id"].iloc[0])
    view = evaluation.unit_view(hosp, unit)
    return {
        "NHS annual table": annual.annual_table(nhs.annual, nhs.index, "en"),
        "scorecard indicators": indicators.indicator_rows(view["indicators"], hosp.catalog, "pt-BR"),
    }


def main() -> None:
    from gps_core.views import page

    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=15)
    ap.add_argument("--quick", action="store_true", help="make bench-quick: the same tables, already small")
    a = ap.parse_args()
    results = []
    for name, df in tables().items():
        results.append(
            pairs(
                f"{name}: page.to_html vs DataFrame.to_html",
                lambda df=df: [page.to_html(df) for _ in range(REPEAT)],
                lambda df=df: [
                    df.to_html(index=False, escape=True, border=0, classes="gps-table", na_rep="–")
                    for _ in range(REPEAT)
                ],
                target=TARGET,
                size=f"{len(df)} rows x {len(df.columns)} columns, {REPEAT} writes per run",
                n=a.pairs,
            )
        )
    finish(results)


if __name__ == "__main__":
    main()
