"""End to end: start the local product exactly as the README says (`python -m devstack`, which
`make dev` runs) and drive it over HTTP: register → key → analyze → poll → result → history."""

from __future__ import annotations

import pytest

from devstack.process import DevStack
from tests.e2e.flow import assert_scam_verdict, user_journey

pytestmark = [pytest.mark.e2e, pytest.mark.chain]


@pytest.fixture(scope="module")
def stack(running_dev_stack: DevStack) -> DevStack:
    return running_dev_stack  # started once for the e2e tests (tests/e2e/conftest.py)


def test_register_key_analyze_poll_result_history(stack: DevStack) -> None:
    body = user_journey(stack.api, stack.chain["ScamToken"])
    assert_scam_verdict(body)
