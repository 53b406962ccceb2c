"""Shared test fixtures: data that comes from a Debian package is skipped (with the install command) if absent."""

import os

import pytest

from engine.translator.data.ding import DING_PATH


@pytest.fixture
def needs_ding():
    """The Ding dictionary from Debian's trans-de-en; CI (CI=true) installs it and must have it."""
    if not DING_PATH.is_file():
        message = "the Ding dictionary is missing; install it with: sudo apt-get install -y trans-de-en"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
