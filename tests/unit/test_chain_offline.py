"""Chain reader and smart-money pieces that need no chain: failover errors, the wallet CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from moneygrow.agents import smart_money
from moneygrow.agents.runner import AgentDeps
from moneygrow.chain.reader import ChainReader, ChainUnavailable, chain_reader_factory
from moneygrow.chains import Chain
from moneygrow.config import Settings
from moneygrow.models import AnalysisTask

DEAD = ["http://127.0.0.1:9", "http://127.0.0.1:1"]  # nothing listens there
TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def test_reader_raises_chain_unavailable_after_trying_every_url() -> None:
    reader = ChainReader(DEAD, timeout_s=1, chain=Chain.BSC)
    assert not reader.is_healthy()
    with pytest.raises(ChainUnavailable) as err:
        reader.block_number()
    assert len(err.value.details["attempts"]) == 2
    assert err.value.status == 503


def test_reader_rejects_bad_addresses_and_empty_url_lists() -> None:
    with pytest.raises(ValueError):
        ChainReader([], 1)
    with pytest.raises(ValueError):
        ChainReader(DEAD, 1).get_code("0x1234")


def test_factory_caches_one_reader_per_chain() -> None:
    settings = Settings(rpc_urls={Chain.ETHEREUM: DEAD, Chain.BSC: DEAD[:1]}, rpc_timeout_s=0.5)
    get = chain_reader_factory(settings)
    assert get(Chain.ETHEREUM) is get(Chain.ETHEREUM)
    assert get(Chain.BSC).urls == DEAD[:1] and get(Chain.BSC).timeout_s == 0.5
    with pytest.raises(ChainUnavailable):
        get(Chain.POLYGON)


def test_wallet_csv_parsing(tmp_path: Path) -> None:
    csv = tmp_path / "wallets.csv"
    csv.write_text(
        "address,label,chain\n"
        "# comment\n"
        "0x70997970c51812dc3a010c7d01b50e0d17dc79c8,alpha,ethereum\n"
        "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC,beta\n"
        "not-an-address,broken,ethereum\n"
        "0x90F79bf6EB2c4f870365E785982E1f101E93b906,gamma,BSC\n"
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8,alpha-again,\n"
    )
    wl = smart_money.load_wallets(str(csv))
    assert wl.invalid_rows == 1
    eth = wl.for_chain(Chain.ETHEREUM)
    assert [w.label for w in eth] == ["alpha", "beta"]  # checksummed, deduplicated, chain-filtered
    assert eth[0].address == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    assert [w.label for w in wl.for_chain(Chain.BSC)] == ["beta", "gamma", "alpha-again"]
    assert [w.label for w in wl.for_chain(Chain.POLYGON)] == ["beta", "alpha-again"]


@pytest.mark.parametrize("configured", ["", "/nonexistent/wallets.csv"])
def test_smart_money_needs_the_chain_not_a_wallet_list(configured: str) -> None:
    """The agent works from the chain (and the registry): no list is fine, no node is an error the
    workflow retries."""
    settings = Settings(rpc_urls={c: DEAD for c in Chain}, smart_money_wallets=configured, rpc_timeout_s=0.5)
    deps = AgentDeps(settings=settings, chain=chain_reader_factory(settings), models=None)  # type: ignore[arg-type]
    task = AnalysisTask(task_id="t", user_id="u", token_address=TOKEN, chain=Chain.ETHEREUM)
    with pytest.raises(ChainUnavailable):
        smart_money.analyse(task, deps)
