"""A synthetic multi-client pool for the benchmark demo: 14 clients of different types, sizes and regions.

Each client is the paper's hospital generator (:func:`gps_core.synth.hospital.paper_hospital`) with its own
seed, so its doctors' quality differs by chance, keeping a random subset of its doctors (small: 40, medium:
150, large: all 556) and the client's name, type and region stated below. Deterministic. The ground truth is
the generator's: no client is built to be an outlier, so a funnel should flag few units beyond chance and
overdispersion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .hospital import paper_hospital

SIZES = {"small": 40, "medium": 150, "large": None}
CLIENTS = (
    # name, type, size, region
    ("Hospital Aurora", "general hospital", "large", "Sudeste"),
    ("Hospital Boa Vista", "general hospital", "medium", "Sudeste"),
    ("Santa Casa Central", "general hospital", "large", "Sul"),
    ("Hospital do Vale", "general hospital", "small", "Sul"),
    ("Hospital Ipê", "general hospital", "medium", "Nordeste"),
    ("Hospital Mar Azul", "general hospital", "small", "Nordeste"),
    ("Hospital Cerrado", "general hospital", "medium", "Centro-Oeste"),
    ("Hospital Amazônia", "general hospital", "small", "Norte"),
    ("Instituto do Coração Sul", "specialty hospital", "medium", "Sul"),
    ("Hospital Ortopédico Leste", "specialty hospital", "small", "Sudeste"),
    ("Hospital da Mulher", "specialty hospital", "medium", "Nordeste"),
    ("Rede Própria Saúde Mais", "health plan network", "large", "Sudeste"),
    ("Rede Própria Vida Plena", "health plan network", "medium", "Centro-Oeste"),
    ("Rede Própria Norte Saúde", "health plan network", "small", "Norte"),
)


def clients(year: int = 2024, seed: int = 11, n: int | None = None) -> list[tuple[str, dict, pd.DataFrame]]:
    """``(name, segment, measurements)`` for each synthetic client (the first ``n`` if given)."""
    out = []
    for i, (name, kind, size, region) in enumerate(CLIENTS[:n]):
        m = paper_hospital(seed=seed * 100 + i, year=year, client=name, calibrate=0)
        keep = SIZES[size]
        if keep is not None:
            docs = np.sort(m["unit_id"].unique())
            pick = np.random.default_rng(seed + i).choice(docs, keep, replace=False)
            m = m[m["unit_id"].isin(pick)].reset_index(drop=True)
        out.append((name, {"client_type": kind, "size": size, "region": region}, m))
    return out
