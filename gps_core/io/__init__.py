"""Readers that turn client files into validated measurement tables.

Every reader returns the measurements and the list of input files with their sha256 for provenance.
"""

from .sources import Loaded, load_source

__all__ = ["Loaded", "load_source"]
