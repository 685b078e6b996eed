"""Chart drawing for every report: static SVG through vl-convert, in the report's number and date locale.

Charts encode columns; they compute nothing (house rule 3). Reports render them as static SVG: no JavaScript,
no CDN, nothing fetched when the report is opened.
"""

from __future__ import annotations

import os

import altair as alt

from .text import Lang

QUADRANT_COLORS = {
    "leading_and_improving": "#1a9850",
    "improving_from_behind": "#91bfdb",
    "leading_but_declining": "#fc8d59",
    "critical": "#d73027",
}


DIM_COLORS = {"structure": "#7570b3", "efficiency": "#1b9e77", "effectiveness": "#d95f02", "experience": "#e7298a"}


ROWS = 48  # rows of a chart with a row per unit that fit one printed page with its axes, title and legend


def pages(keys: list, rows: int = ROWS) -> list[list]:
    """``keys`` (a chart's rows, in order) cut into consecutive pages of at most ``rows``, as even as possible:
    a long chart is drawn as one chart per page, each with its axes, so that print never splits one."""
    n = len(keys)
    size = -(-n // max(1, -(-n // rows))) if n else 1
    return [keys[i : i + size] for i in range(0, n, size)] or [[]]


def paged(title: str, i: int, n: int) -> str:
    """A chart's title on page ``i`` of ``n`` (just the title when it has one page)."""
    return title if n == 1 else f"{title} ({i}/{n})"


LOCALES = {"pt-BR": "pt-BR", "en": "en-GB"}  # d3 number and date conventions of each report language


def setup(lang: Lang | None = None) -> None:
    """Static SVG rendering and no row limit; call once per notebook.

    In a notebook, charts are displayed through :func:`svg` (numbers on axes and labels in the report's
    convention, e.g. a decimal comma in pt-BR); elsewhere altair's own SVG renderer stays the default."""
    alt.renderers.enable("svg")
    alt.data_transformers.disable_max_rows()
    from IPython import get_ipython

    ip = get_ipython()
    if ip is not None:
        ip.display_formatter.ipython_display_formatter.for_type(alt.TopLevelMixin, lambda c: _show(c, lang))


def svg(chart: alt.TopLevelMixin, lang: Lang | None = None) -> str:
    """A chart as static SVG (vl-convert) with the d3 number and date locale of ``lang``.

    The spec is validated against the Vega-Lite schema only when ``GPS_CHECK_CHARTS`` is set: the check costs
    more than drawing the chart (0.2 s of a scorecard's 0.35 s). The tests set it, so every chart of every demo
    report is validated in CI, and ``tests/test_views`` validates the annual evaluation's and scorecard's.
    """
    return _draw(chart.to_dict(validate=bool(os.environ.get("GPS_CHECK_CHARTS"))), lang)


def _draw(spec: dict, lang: Lang | None) -> str:
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    locale = LOCALES.get(lang or "en", "en-GB")
    # Vega cuts axis and legend labels past 180 px with an ellipsis ("Barking, Havering and Redbridge Univ…"):
    # a report shows a unit's whole name, and the chart grows instead (an image wider than the page shrinks)
    config = spec.setdefault("config", {})
    for part in ("axis", "legend"):
        config.setdefault(part, {}).setdefault("labelLimit", 0)
    return vlc.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert(), format_locale=locale,
                               time_format_locale=locale)  # fmt: skip


def alt_text(spec: dict) -> str:
    """A chart's alternative text for its <img>: its title, already in the report's language."""
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else str(text)


def _show(chart: alt.TopLevelMixin, lang: Lang | None) -> None:
    from IPython.display import display

    spec = chart.to_dict(validate=bool(os.environ.get("GPS_CHECK_CHARTS")))
    display({"image/svg+xml": _draw(spec, lang)}, raw=True, metadata={"image/svg+xml": {"alt": alt_text(spec)}})
