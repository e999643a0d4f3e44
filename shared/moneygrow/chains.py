"""The chains we analyse. Their facts (ids, DEX, tokens) live in moneygrow.chain.networks."""

from __future__ import annotations

from enum import StrEnum


class Chain(StrEnum):
    ETHEREUM = "ethereum"
    BSC = "bsc"
    POLYGON = "polygon"
