"""Scripted Uniswap-V2 pool histories on the local chain, at chosen block times.

For the liquidity model's extractor tests and benchmark (tests/integration/test_pool_features.py,
tests/benchmarks/bench_ml.py): a token is deployed, pooled against WETH on the ethereum network's
Router02, traded, and its LP kept, moved, burnt or pulled, each transaction in its own block at
`start + offset` seconds (anvil's evm_setNextBlockTimestamp), so the features can be computed by
hand from the script. Needs devstack.dex.deploy_dex on the chain first.
"""

from __future__ import annotations

from typing import Any

from eth_utils.address import to_checksum_address
from web3 import Web3

from devstack.chain import E18, _rpc, _web3, load_artifact
from devstack.dex import uniswap_abi
from devstack.zoo import DEADLINE, ROUTER, WETH, _Actor, zoo_account


class PoolScript:
    """One token and its WETH pool; `at(offset)` sets the time of the next transaction."""

    def __init__(self, rpc_url: str, label: str, contract: str = "PlainToken", supply: int = 1_000_000 * E18):
        self.url = rpc_url
        self.w3: Web3 = _web3(rpc_url)
        self.start = int(self.w3.eth.get_block("latest")["timestamp"]) + 1000
        self.actors: dict[str, _Actor] = {}
        self.creator = self.actor(f"pools.{label}.creator")
        self.token_abi: list[dict[str, Any]] = load_artifact(contract)["abi"]
        self.at(0)
        self.token = self.creator.deploy(contract, "Pool Token", "POOL", supply)
        self.supply = supply
        self.label = label

    def actor(self, label: str) -> _Actor:
        if label not in self.actors:
            self.actors[label] = _Actor(self.w3, self.url, zoo_account(label))
        return self.actors[label]

    def at(self, offset: int) -> None:
        _rpc(self.url, "evm_setNextBlockTimestamp", [hex(self.start + offset)])

    @property
    def pair(self) -> str:
        factory = self.w3.eth.contract(
            address=to_checksum_address(self._router().functions.factory().call()),
            abi=uniswap_abi("UniswapV2Factory"),
        )
        return str(factory.functions.getPair(self.token, WETH).call())

    def _router(self) -> Any:
        return self.w3.eth.contract(address=ROUTER, abi=uniswap_abi("UniswapV2Router02"))

    def lp_balance(self, who: str) -> int:
        pair = self.w3.eth.contract(address=to_checksum_address(self.pair), abi=uniswap_abi("UniswapV2Pair"))
        return int(pair.functions.balanceOf(to_checksum_address(who)).call())

    def token_balance(self, who: str) -> int:
        token = self.w3.eth.contract(address=self.token, abi=self.token_abi)
        return int(token.functions.balanceOf(to_checksum_address(who)).call())

    # --- actions (each one transaction at start + offset, approvals one second earlier) -----------

    def give(self, offset: int, to: _Actor, amount: int) -> None:
        self.at(offset)
        self.creator.call(self.token, self.token_abi, "transfer", to.address, amount)

    def add_liquidity(
        self, offset: int, who: _Actor, tokens: int, eth: int, lp_to: str | None = None
    ) -> None:
        self.at(offset - 1)
        who.call(self.token, self.token_abi, "approve", ROUTER, tokens)
        self.at(offset)
        args = (self.token, tokens, 0, 0, lp_to or who.address, DEADLINE)
        who.call(ROUTER, uniswap_abi("UniswapV2Router02"), "addLiquidityETH", *args, value=eth)

    def buy(self, offset: int, who: _Actor, eth: int) -> None:
        self.at(offset)
        who.call(
            ROUTER, uniswap_abi("UniswapV2Router02"), "swapExactETHForTokens", 0, [WETH, self.token],
            who.address, DEADLINE, value=eth,
        )  # fmt: skip

    def sell(self, offset: int, who: _Actor, tokens: int) -> None:
        self.at(offset - 1)
        who.call(self.token, self.token_abi, "approve", ROUTER, tokens)
        self.at(offset)
        who.call(
            ROUTER, uniswap_abi("UniswapV2Router02"), "swapExactTokensForETH", tokens, 0, [self.token, WETH],
            who.address, DEADLINE,
        )  # fmt: skip

    def remove_liquidity(self, offset: int, who: _Actor, lp: int) -> None:
        pair = to_checksum_address(self.pair)
        self.at(offset - 1)
        who.call(pair, uniswap_abi("UniswapV2Pair"), "approve", ROUTER, lp)
        self.at(offset)
        who.call(
            ROUTER, uniswap_abi("UniswapV2Router02"), "removeLiquidityETH", self.token, lp, 0, 0,
            who.address, DEADLINE,
        )  # fmt: skip

    def move_lp(self, offset: int, who: _Actor, to: str, lp: int) -> None:
        self.at(offset)
        who.call(to_checksum_address(self.pair), uniswap_abi("UniswapV2Pair"), "transfer", to, lp)

    def mint(self, offset: int, to: str, amount: int) -> None:
        """For a token with an owner mint(address,uint256) (the zoo's Mintable)."""
        self.at(offset)
        self.creator.call(self.token, self.token_abi, "mint", to, amount)

    def mine(self, offset: int) -> None:
        """An empty block at start + offset: the end of the window."""
        self.at(offset)
        _rpc(self.url, "evm_mine", [])

    def close(self) -> None:
        for actor in self.actors.values():
            actor.close()


__all__ = ["E18", "PoolScript"]
