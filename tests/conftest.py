import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
# Test the checkout these tests belong to, whichever copy of tlrepro is installed.
sys.path.insert(0, str(ROOT / "src"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def load_yaml(path: Path) -> dict:
    with open(path) as fh:
        return yaml.safe_load(fh)
