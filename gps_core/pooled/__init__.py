"""The pooled de-identified database ("2iM DB", seed 003) and the benchmark studies run on it.

- ``deid``: direct identifiers dropped, keyed HMAC pseudonyms, generalization to k-anonymity (METHODS 11);
- ``store``: the pool (DuckDB file, or Parquet read by Spark) behind Ibis; transactional, idempotent loads;
- ``ingest``: a client's files validated, de-identified and loaded;
- ``disclosure``: the rules every published cell passes (clients, dominance, small counts);
- ``benchmark``: percentiles, best-decile means, CMS-style thresholds and suggested ideal bands.
"""
