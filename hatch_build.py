"""Build hook: the wheel carries a copy of the top-level ``notebooks/`` as ``gps_core/notebooks`` (read through
``importlib.resources`` by ``gps_core.report``), so an installed package runs every report anywhere. An editable
install gets no copy: it reads ``notebooks/`` in place, and a copy would go stale."""

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name == "wheel" and version != "editable":
            build_data["force_include"]["notebooks"] = "gps_core/notebooks"
