import sys
from pathlib import Path

import pytest

# Make `import app` work when pytest runs from examples/twotier-app (the test script) or api/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from app.config import Settings  # noqa: E402


@pytest.fixture
def settings() -> Settings:
    return Settings(message="hi from tests", version="1.2.3", database_url="postgresql://u:s3cret@db.internal:5432/app")


@pytest.fixture
def client(settings):
    return create_app(settings).test_client()
