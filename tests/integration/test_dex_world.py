"""The real Uniswap V2 contracts at the canonical addresses on the local chain (devstack/dex.py).

Liquidity is added and real swaps go through Router02 at the canonical router address of every
configured network; pairs come out of the canonical factory at their CREATE2 addresses.
"""

from __future__ import annotations

from typing import Any

import pytest
from web3 import HTTPProvider, Web3

from devstack.chain import E18, AnvilProcess, accounts, load_artifact
from devstack.dex import FEE_TO_SETTER, deploy_dex, pair_address, uniswap_abi
from devstack.zoo import DEAD, DEMO_POOL_NATIVE, DEMO_POOL_TOKENS, launch_demo_token
from moneygrow.chain.networks import NETWORKS, UNISWAP_V2_INIT_CODE_HASH
from moneygrow.chains import Chain

pytestmark = pytest.mark.chain

DEADLINE = 2**40
ZERO = "0x" + "00" * 20


def _w3(url: str) -> Web3:
    return Web3(HTTPProvider(url, request_kwargs={"timeout": 10}))


def _send(w3: Web3, fn: Any, sender: str, value: int = 0) -> dict[str, Any]:
    receipt = w3.eth.wait_for_transaction_receipt(fn.transact({"from": sender, "value": value}), timeout=10)
    assert receipt["status"] == 1
    return dict(receipt)


def test_contracts_sit_at_the_canonical_addresses(dex: dict[str, Any], anvil: AnvilProcess) -> None:
    w3 = _w3(anvil.url)
    assert dex["pair_init_code_hash"] == UNISWAP_V2_INIT_CODE_HASH
    for chain, net in NETWORKS.items():
        entry = dex[chain.value]
        assert entry["router"] == net.dex.router
        router = w3.eth.contract(address=net.dex.router, abi=uniswap_abi("UniswapV2Router02"))
        assert router.functions.factory().call() == net.dex.factory
        assert router.functions.WETH().call() == net.wrapped_native
        factory = w3.eth.contract(address=net.dex.factory, abi=uniswap_abi("UniswapV2Factory"))
        assert factory.functions.feeToSetter().call() == FEE_TO_SETTER
        assert factory.functions.feeTo().call() == ZERO
        weth = w3.eth.contract(address=net.wrapped_native, abi=uniswap_abi("WETH9"))
        assert weth.functions.decimals().call() == 18
        assert (
            weth.functions.symbol().call()
            == {"ethereum": "WETH", "bsc": "WBNB", "polygon": "WMATIC"}[chain.value]
        )
        for sym, addr in net.stablecoins.items():
            coin = w3.eth.contract(address=addr, abi=load_artifact("LocalStablecoin")["abi"])
            assert coin.functions.symbol().call() == sym
            assert coin.functions.decimals().call() == entry["stablecoins"][sym]["decimals"]
    usdc = dex["ethereum"]["stablecoins"]["USDC"]
    assert usdc["decimals"] == 6 and dex["bsc"]["stablecoins"]["USDT"]["decimals"] == 18


def test_deploy_dex_is_idempotent(dex: dict[str, Any], anvil: AnvilProcess) -> None:
    block = _w3(anvil.url).eth.block_number
    assert deploy_dex(anvil.url) == dex
    assert _w3(anvil.url).eth.block_number == block  # nothing was mined


@pytest.mark.parametrize("chain", list(NETWORKS), ids=[c.value for c in NETWORKS])
def test_liquidity_and_swaps_through_the_canonical_router(
    chain: Chain, dex: dict[str, Any], chain_snapshot: str
) -> None:
    w3 = _w3(chain_snapshot)
    net = NETWORKS[chain]
    lp, trader = accounts(chain_snapshot)[4], accounts(chain_snapshot)[5]
    # A fresh 6-decimal coin (the stablecoin stand-in's code), so the pair is new whatever ran before.
    art = load_artifact("LocalStablecoin")
    receipt = _send(
        w3, w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"]).constructor("Test USD", "TUSD", 6), lp
    )
    coin_addr = receipt["contractAddress"]
    unit = 10**6
    coin = w3.eth.contract(address=coin_addr, abi=art["abi"])
    router = w3.eth.contract(address=net.dex.router, abi=uniswap_abi("UniswapV2Router02"))
    factory = w3.eth.contract(address=net.dex.factory, abi=uniswap_abi("UniswapV2Factory"))

    # 10 native coins against 30,000 coins.
    _send(w3, coin.functions.mint(lp, 30_000 * unit), lp)
    _send(w3, coin.functions.approve(net.dex.router, 2**256 - 1), lp)
    _send(
        w3,
        router.functions.addLiquidityETH(coin_addr, 30_000 * unit, 0, 0, lp, DEADLINE),
        lp,
        value=10 * E18,
    )
    pair = factory.functions.getPair(coin_addr, net.wrapped_native).call()
    assert pair == pair_address(net.dex.factory, coin_addr, net.wrapped_native)
    assert factory.functions.allPairsLength().call() >= 1
    pair_c = w3.eth.contract(address=pair, abi=uniswap_abi("UniswapV2Pair"))
    reserves = pair_c.functions.getReserves().call()
    assert sorted(reserves[:2]) == sorted([30_000 * unit, 10 * E18])

    # Buy: 0.1 native -> stablecoin, the amount the router quotes, 0.3 % fee included.
    path = [net.wrapped_native, coin_addr]
    quoted = router.functions.getAmountsOut(E18 // 10, path).call()[-1]
    assert 290 * unit < quoted < 300 * unit
    _send(w3, router.functions.swapExactETHForTokens(0, path, trader, DEADLINE), trader, value=E18 // 10)
    assert coin.functions.balanceOf(trader).call() == quoted

    # Sell it back for native coin.
    _send(w3, coin.functions.approve(net.dex.router, quoted), trader)
    before = w3.eth.get_balance(trader)
    receipt = _send(
        w3,
        router.functions.swapExactTokensForETH(quoted, 0, [coin_addr, net.wrapped_native], trader, DEADLINE),
        trader,
    )
    gained = w3.eth.get_balance(trader) - before + receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert 0.99 * E18 // 10 < gained < E18 // 10
    assert coin.functions.balanceOf(trader).call() == 0


def test_a_normally_deployed_token_trades_on_uniswap(
    dex: dict[str, Any], demo_tokens: dict[str, str], chain_snapshot: str
) -> None:
    w3 = _w3(chain_snapshot)
    net = NETWORKS[Chain.ETHEREUM]
    deployer, trader = demo_tokens["deployer"], accounts(chain_snapshot)[5]
    token = w3.eth.contract(address=demo_tokens["DemoToken"], abi=load_artifact("DemoToken")["abi"])
    router = w3.eth.contract(address=net.dex.router, abi=uniswap_abi("UniswapV2Router02"))
    _send(w3, token.functions.approve(net.dex.router, 100_000 * E18), deployer)
    _send(
        w3,
        router.functions.addLiquidityETH(token.address, 100_000 * E18, 0, 0, deployer, DEADLINE),
        deployer,
        value=5 * E18,
    )
    path = [net.wrapped_native, token.address]
    _send(w3, router.functions.swapExactETHForTokens(1, path, trader, DEADLINE), trader, value=E18)
    assert token.functions.balanceOf(trader).call() > 0


def test_demo_token_launches_with_burnt_lp(demo_tokens: dict[str, str], anvil: AnvilProcess) -> None:
    w3 = _w3(anvil.url)
    net = NETWORKS[Chain.ETHEREUM]
    pair = demo_tokens["DemoTokenPair"]
    assert pair == pair_address(net.dex.factory, demo_tokens["DemoToken"], net.wrapped_native)
    pool = w3.eth.contract(address=pair, abi=uniswap_abi("UniswapV2Pair"))
    r0, r1, _ = pool.functions.getReserves().call()
    assert sorted((r0, r1)) == sorted((DEMO_POOL_TOKENS, DEMO_POOL_NATIVE))
    supply = pool.functions.totalSupply().call()
    assert pool.functions.balanceOf(DEAD).call() == supply - 1000  # all but MINIMUM_LIQUIDITY
    assert pool.functions.balanceOf(demo_tokens["deployer"]).call() == 0
    nonce = w3.eth.get_transaction_count(demo_tokens["deployer"])
    assert launch_demo_token(anvil.url, demo_tokens["DemoToken"], demo_tokens["deployer"]) == pair
    assert w3.eth.get_transaction_count(demo_tokens["deployer"]) == nonce  # idempotent: nothing sent


def test_stable_pools_price_the_native_coins(world: dict[str, Any], anvil: AnvilProcess) -> None:
    w3 = _w3(anvil.url)
    for chain, net in NETWORKS.items():
        seeded = world["stable_pools"][chain.value]
        assert set(seeded["pools"]) == set(net.stablecoins)
        router = w3.eth.contract(address=net.dex.router, abi=uniswap_abi("UniswapV2Router02"))
        for sym, coin in net.stablecoins.items():
            decimals = world["dex"][chain.value]["stablecoins"][sym]["decimals"]
            out = router.functions.getAmountsOut(E18, [net.wrapped_native, coin]).call()[-1]
            assert out / 10**decimals == pytest.approx(seeded["native_usd"], rel=0.01), (chain, sym)
