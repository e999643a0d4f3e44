"""The chains we analyse. Adding a chain is adding an entry here (and an RPC URL in configuration)."""

from __future__ import annotations

from enum import StrEnum


class Chain(StrEnum):
    ETHEREUM = "ethereum"
    BSC = "bsc"
    POLYGON = "polygon"


# Mainnet chain ids; the local anvil chain serves every chain name in dev (chain id 31337).
CHAIN_IDS: dict[Chain, int] = {Chain.ETHEREUM: 1, Chain.BSC: 56, Chain.POLYGON: 137}
NATIVE_SYMBOL: dict[Chain, str] = {Chain.ETHEREUM: "ETH", Chain.BSC: "BNB", Chain.POLYGON: "MATIC"}
