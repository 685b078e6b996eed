"""Build ``nhs_trust_names.csv`` (``unit_id,name``) from a copy of NHS Digital's ODS file of NHS trusts.

The names of the providers of the A&E file, for reports that show ``name (code)``: the ODS name in title case,
without a leading "The" and the trailing "NHS Trust" / "NHS Foundation Trust" (the code beside it already says
which organisation it is, and a chart's axis has no room for the legal name).

Usage::

    python nhs_trust_names.py etr.csv nhs_ae_attendances_2016_2019.csv nhs_trust_names.csv

``etr.csv`` is the ODS "NHS Trusts" file (no header; code, then name), which keeps closed trusts, so the codes
of 2016-2019 are found. Open Government Licence v3.0. See MANIFEST.md for the copy used.
"""

import csv
import re
import sys

SMALL = {"and", "of", "the", "on", "upon", "in", "for", "with", "at", "super", "by"}
KEEP = {"NHS", "UK"}


def word(w: str, first: bool) -> str:
    """One word in title case; small words lower case except first; hyphenated parts each on their own."""
    if w in KEEP:
        return w
    out = []
    for k, part in enumerate(re.split(r"(-)", w)):
        low = part.lower()
        if low in SMALL and not (first and k == 0):
            out.append(low)
        else:
            out.append(low[:1].upper() + low[1:])
    return "".join(out)


def name(raw: str) -> str:
    """The short name of an ODS trust name."""
    s = re.sub(r",?\s+NHS (FOUNDATION )?TRUST$", "", raw.strip())
    s = re.sub(r"^THE ", "", s)
    return " ".join(word(w, i == 0) for i, w in enumerate(s.split()))


def main(etr: str, ae: str, out: str) -> None:
    with open(etr, encoding="utf-8") as f:
        names = {r[0]: r[1] for r in csv.reader(f)}
    with open(ae, encoding="utf-8") as f:
        codes = sorted({r["org_code"] for r in csv.DictReader(f)})
    rows = [(c, name(names[c])) for c in codes if c in names]
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["unit_id", "name"])
        w.writerows(rows)
    print(f"{len(rows)} of {len(codes)} providers named")


if __name__ == "__main__":
    main(*sys.argv[1:4])
