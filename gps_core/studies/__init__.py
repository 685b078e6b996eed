"""Each report's assembly, one module per report: ``evaluation`` (the annual evaluation and its
scorecards), ``design`` (contract design), ``risk`` (risk-adjusted outcome studies), ``capitation``
(capitation risk model and rates) and ``benchmark`` (benchmark studies on the pooled database). They read
inputs through ``gps_core.io`` and compute with the method modules; they print nothing."""
