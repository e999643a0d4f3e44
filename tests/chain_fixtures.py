"""Pytest plugin: a session-wide local anvil chain with the demo tokens deployed.

Register it once in tests/conftest.py with `pytest_plugins = ["tests.chain_fixtures"]`.
Fixtures:
- `anvil`: a running anvil on a free port (has .url); skips the test when the npm binary is missing.
- `demo_tokens`: deploys DemoToken/ScamToken (after `dex`), launches DemoToken's pool (as `make dev`)
  and writes the smart-money CSV; returns the addresses plus "DemoTokenPair", "smart_money_wallets"
  (the CSV path) and "chain_json" (the addresses file).
- `chain_settings` / `chain_deps`: Settings and AgentDeps pointing every chain at that anvil.
- `dex`: the real Uniswap V2 contracts (plus WETH9 and stablecoin stand-ins) at the canonical
  addresses of every network (devstack/dex.py); returns deploy_dex's address map.
- `world`: demo tokens + DEX + the token zoo (devstack/zoo.py deploy_world) on the same anvil; returns
  deploy_world's dict ("zoo": {name: address}, "zoo_details", "dex", the demo keys, "world_json").
  Expectations per zoo token: devstack.zoo.ZOO.
- `chain_snapshot`: function-scoped; evm_snapshot before the test, evm_revert after; yields the URL.
Tests share one chain: leave it as you found it (wrap writes in `evm_snapshot`/`evm_revert`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from devstack.chain import (
    AnvilNotInstalled,
    AnvilProcess,
    anvil_binary,
    deploy_demo_tokens,
    free_port,
    start_anvil,
)
from devstack.chain import write_smart_money_wallets as _write_wallets
from devstack.dex import deploy_dex
from devstack.zoo import deploy_world, launch_demo_token


@pytest.fixture(scope="session")
def anvil() -> Iterator[AnvilProcess]:
    try:
        anvil_binary()
    except AnvilNotInstalled as exc:
        pytest.skip(str(exc))
    with start_anvil(free_port()) as proc:
        yield proc


@pytest.fixture(scope="session")
def demo_tokens(
    anvil: AnvilProcess, dex: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    # With the DEX in place, as on every real network and in `make dev`: without its router the trade
    # simulation cannot run and the heuristic agent rightly reports DEGRADED, whatever the test order.
    d = tmp_path_factory.mktemp("chain")
    world = deploy_demo_tokens(anvil.url, d / "chain.json")
    world["DemoTokenPair"] = launch_demo_token(anvil.url, world["DemoToken"], world["deployer"])
    _write_wallets(anvil.url, d / "smart_money.csv")
    return {**world, "smart_money_wallets": str(d / "smart_money.csv"), "chain_json": str(d / "chain.json")}


@pytest.fixture(scope="session")
def chain_settings(anvil: AnvilProcess, demo_tokens: dict[str, str]) -> Any:
    from moneygrow.chains import Chain
    from moneygrow.config import Settings

    return Settings(
        rpc_urls={c: [anvil.url] for c in Chain},
        rpc_timeout_s=5.0,
        smart_money_wallets=demo_tokens["smart_money_wallets"],
    )


@pytest.fixture(scope="session")
def chain_deps(chain_settings: Any) -> Any:
    from moneygrow.agents.runner import AgentDeps
    from moneygrow.chain.reader import chain_reader_factory

    # The heuristic and smart-money agents never touch the model store.
    return AgentDeps(settings=chain_settings, chain=chain_reader_factory(chain_settings), models=None)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def dex(anvil: AnvilProcess) -> dict[str, Any]:
    # No transaction, no nonce moves: independent of (and compatible with) demo_tokens' addresses.
    return deploy_dex(anvil.url)


@pytest.fixture(scope="session")
def world(
    anvil: AnvilProcess,
    demo_tokens: dict[str, str],
    dex: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    # demo_tokens first: the demo addresses are anvil account 0's first two contracts.
    path = tmp_path_factory.mktemp("world") / "world.json"
    return {**deploy_world(anvil.url, path), "world_json": str(path)}


def _rpc(url: str, method: str, params: list[Any]) -> Any:
    body = requests.post(
        url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=10
    ).json()
    if "error" in body:
        raise RuntimeError(f"{method}: {body['error']}")
    return body["result"]


@pytest.fixture
def chain_snapshot(anvil: AnvilProcess) -> Iterator[str]:
    """Undo whatever the test does to the shared chain; yields the RPC URL."""
    snap = _rpc(anvil.url, "evm_snapshot", [])
    yield anvil.url
    assert _rpc(anvil.url, "evm_revert", [snap]) is True
