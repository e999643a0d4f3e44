"""End to end: start the local product exactly as the README says (`python -m devstack`, which
`make dev` runs) and drive it over HTTP: register → key → analyze → poll → result → history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devstack.chain import anvil_binary
from devstack.process import DevStack, dev_stack
from tests.e2e.flow import assert_scam_verdict, user_journey

pytestmark = [pytest.mark.e2e, pytest.mark.chain]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    anvil_binary()  # a clear error if `make install` has not run
    with dev_stack(tmp_path_factory.mktemp("devstack")) as running:
        yield running


def test_register_key_analyze_poll_result_history(stack: DevStack) -> None:
    body = user_journey(stack.api, stack.chain["ScamToken"])
    assert_scam_verdict(body)
