"""Readers that turn client files into tables: :mod:`.readers` (CSV, Excel, Parquet, XML, with the line of every
row and the file's decimal mark) and :mod:`.sources` (params sources to validated measurements)."""
