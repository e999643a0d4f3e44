"""One `python -m devstack` (what `make dev` runs) for the end-to-end tests that drive it: over HTTP
(test_dev_stack.py) and in a browser (test_web_app.py). Each test signs up its own users."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devstack.chain import anvil_binary
from devstack.process import DevStack, dev_stack


@pytest.fixture(scope="session")
def running_dev_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    anvil_binary()  # a clear error if `make install` has not run
    with dev_stack(tmp_path_factory.mktemp("devstack")) as running:
        yield running
