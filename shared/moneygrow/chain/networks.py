"""Per-chain facts: ids, the main DEX (Uniswap-V2 style), wrapped native coin, stablecoins, explorer.

Add a chain by adding a Chain member and an entry here (plus its RPC URLs in configuration).
Addresses are the canonical mainnet ones; the local anvil world deploys the real Uniswap V2 code at
these same addresses, so local and production share one configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from moneygrow.chains import Chain


@dataclass(frozen=True)
class Dex:
    name: str
    router: str
    factory: str
    pair_init_code_hash: str


@dataclass(frozen=True)
class Network:
    chain: Chain
    chain_id: int
    native_symbol: str
    wrapped_native: str
    dex: Dex
    stablecoins: dict[str, str] = field(default_factory=dict)
    # Contracts that hold LP tokens under a time lock (name -> address): LP they hold counts as locked.
    lp_lockers: dict[str, str] = field(default_factory=dict)
    # Etherscan's v2 API serves every chain from one endpoint, selected by chain id.
    explorer_api: str = "https://api.etherscan.io/v2/api"
    explorer_url: str = ""


UNISWAP_V2_INIT_CODE_HASH = "0x96e8ac4277198ff8b6f785478aa9a39f403cb768dd02cbee326c3e7da348845f"

NETWORKS: dict[Chain, Network] = {
    Chain.ETHEREUM: Network(
        chain=Chain.ETHEREUM,
        chain_id=1,
        native_symbol="ETH",
        wrapped_native="0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
        dex=Dex(
            name="Uniswap V2",
            router="0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D",
            factory="0x5C69bEe701ef814a2B6a3EDD4B1652CB9cc5aA6f",
            pair_init_code_hash=UNISWAP_V2_INIT_CODE_HASH,
        ),
        stablecoins={
            "USDC": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
            "USDT": "0xdAC17F958D2ee523a2206206994597C13D831ec7",
            "DAI": "0x6B175474E89094C44Da98b954EedeAC495271d0F",
        },
        lp_lockers={
            "UNCX UniswapV2Locker": "0x663A5C229c09b049E36dCc11a9B0d4a8Eb9db214",
            "Team Finance": "0xE2fE530C047f2d85298b07D9333C05737f1435fB",
            "PinkLock02": "0x71B5759d73262FBb223956913ecF4ecC51057641",
        },
        explorer_url="https://etherscan.io",
    ),
    Chain.BSC: Network(
        chain=Chain.BSC,
        chain_id=56,
        native_symbol="BNB",
        wrapped_native="0xbb4CdB9CBd36B01bD1cBaEBF2De08d9173bc095c",
        dex=Dex(
            name="PancakeSwap V2",
            router="0x10ED43C718714eb63d5aA57B78B54704E256024E",
            factory="0xcA143Ce32Fe78f1f7019d7d551a6402fC5350c73",
            pair_init_code_hash="0x00fb7f630766e6a796048ea87d01acd3068e8ff67d078148a3fa3f4a84f69bd5",
        ),
        stablecoins={
            "USDT": "0x55d398326f99059fF775485246999027B3197955",
            "BUSD": "0xe9e7CEA3DedcA5984780Bafc599bD69ADd087D56",
            "USDC": "0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d",
        },
        lp_lockers={
            "UNCX PancakeSwap locker": "0xC765bddB93b0D1c1A88282BA0fa6B2d00E3e0c83",
            "Team Finance": "0x0C89C0407775dd89b12918B9c0aa42Bf96518820",
            "PinkLock02": "0x407993575c91ce7643a4d4cCACc9A98c36eE1BBE",
        },
        explorer_url="https://bscscan.com",
    ),
    Chain.POLYGON: Network(
        chain=Chain.POLYGON,
        chain_id=137,
        native_symbol="MATIC",
        wrapped_native="0x0d500B1d8E8eF31E21C99d1Db9A6444d3ADf1270",
        dex=Dex(
            name="QuickSwap",
            router="0xa5E0829CaCEd8fFDD4De3c43696c57F7D7A678ff",
            factory="0x5757371414417b8C6CAad45bAeF941aBc7d3Ab32",
            pair_init_code_hash=UNISWAP_V2_INIT_CODE_HASH,
        ),
        stablecoins={
            "USDC": "0x2791Bca1f2de4661ED88A30C99A7a9449Aa84174",
            "USDT": "0xc2132D05D31c914a87C6611C10748AEb04B58e8F",
            "DAI": "0x8f3Cf7ad23Cd3CaDbD9735AFf958023239c6A063",
        },
        explorer_url="https://polygonscan.com",
    ),
}


def network(chain: Chain) -> Network:
    return NETWORKS[chain]
