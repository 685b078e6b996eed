"""Generators of synthetic data with a stated model and known ground truth, one per kind of source:
``hospital`` (the GPS paper's hospital, monthly numbers per doctor and indicator), ``records`` (Hospital
Modelo's stays, operations and survey answers, as a Brazilian client sends them), ``pool`` (the multi-client
benchmark pool) and ``plan`` (a health plan's members, diagnoses and costs for capitation)."""
