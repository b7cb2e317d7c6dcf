from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def load_yaml(path: Path) -> dict:
    with open(path) as fh:
        return yaml.safe_load(fh)
