"""GPS Analytics core library: every computation behind the reports.

Modules: ``catalog`` (indicator technical sheets), ``scoring`` (bands, CMS points), ``index`` (Performance
Index), ``annual`` (VD, VM, quadrants, alerts), ``stars`` (CMS star tiers), ``synth`` (synthetic data generators),
``params`` (validated run parameters), ``charts`` and ``report`` (presentation only).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gps-analytics")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
