"""Presentation: what a report shows, in its language. Nothing here computes a result (house rule 3).

One module per report (``annual``, ``scorecard``, ``design``, ``risk``, ``capitation``, ``benchmark``) holds
that report's tables, sentences and charts; ``indicators`` holds what the annual evaluation and the scorecards
share; ``page`` the parts of every page (HTML tables, provenance, cover); ``draw`` the SVG chart drawing; and
``text`` the words and the number, date and currency conventions of ``en`` and ``pt-BR``.
"""
