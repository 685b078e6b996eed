from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXTERNAL = ROOT / "data" / "external"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
