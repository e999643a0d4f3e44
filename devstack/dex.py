"""The real Uniswap V2 contracts at the canonical mainnet addresses of every configured network.

    from devstack.dex import deploy_dex
    dex = deploy_dex(anvil.url)
    dex["ethereum"]["router"]  # 0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D, live Router02 code

For every network in `moneygrow.chain.networks.NETWORKS` this places, on the local anvil:
- WETH9 (from @uniswap/v2-periphery) at the network's `wrapped_native` address (WETH, WBNB, WMATIC,
  with the real name/symbol),
- UniswapV2Factory (from @uniswap/v2-core) at `dex.factory`,
- UniswapV2Router02 (from @uniswap/v2-periphery) at `dex.router`, built with the canonical factory
  and wrapped-native addresses as its immutables,
- LocalStablecoin (contracts/src/dex) at every `stablecoins` address, with the real decimals
  (USDC/USDT 6 on Ethereum and Polygon, 18 on BSC) and an open `mint(to, amount)` faucet.

Ethereum gets Uniswap's addresses, BSC PancakeSwap's and Polygon QuickSwap's, but all run Uniswap's
code locally. In particular the local "PancakeSwap" factory creates pairs whose CREATE2 address uses
Uniswap's init-code hash (0x96e8ac42...845f), not PancakeSwap's (0x00fb7f63...): compute BSC pair
addresses with factory.getPair locally, not with NETWORKS[BSC].dex.pair_init_code_hash.

How: no transaction is sent. The runtime code of each contract is obtained by running its creation
code (with the canonical constructor arguments) in an eth_call, which returns what a deployment would
store; anvil_setCode puts it at the canonical address and anvil_setStorageAt writes the storage the
constructor would have written (factory: feeToSetter; WETH9: name, symbol, decimals; stablecoins:
name, symbol, decimals). Router02 keeps its factory/WETH in immutables, i.e. in the runtime code,
which is why it is built with the canonical addresses. No block is mined and no account's nonce moves,
so the function can run before or after `deploy_demo_tokens` without changing any address, and it is
idempotent: a contract whose code is already in place is left alone (with its pairs and balances).

`seed_stable_pools` (run by devstack.zoo.deploy_world after deploy_dex) then adds native/stablecoin
pools at fixed prices (1 ETH = $3,000, 1 BNB = $600, 1 MATIC = $0.50) so USD liquidity can be
measured locally. That one sends transactions (from an impersonated market-maker account).
"""

from __future__ import annotations

import json
import time
from functools import cache
from pathlib import Path
from typing import Any

from eth_abi.abi import encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import HTTPProvider, Web3

from devstack.chain import CONTRACTS, E18, _rpc, load_artifact
from moneygrow.chain.networks import NETWORKS, UNISWAP_V2_INIT_CODE_HASH

UNISWAP_BUILD = {
    "UniswapV2Factory": CONTRACTS / "node_modules" / "@uniswap" / "v2-core" / "build",
    "UniswapV2Pair": CONTRACTS / "node_modules" / "@uniswap" / "v2-core" / "build",
    "UniswapV2Router02": CONTRACTS / "node_modules" / "@uniswap" / "v2-periphery" / "build",
    "WETH9": CONTRACTS / "node_modules" / "@uniswap" / "v2-periphery" / "build",
}

# The factory's feeToSetter (protocol fee switch admin). A fixed, label-derived address nobody holds a
# key for; on anvil it can be impersonated if a test ever needs to switch the protocol fee on.
FEE_TO_SETTER = to_checksum_address(keccak(text="moneygrow.local.dex.feeToSetter")[12:])

WRAPPED_NATIVE_META = {  # (name, symbol) as on mainnet
    "ethereum": ("Wrapped Ether", "WETH"),
    "bsc": ("Wrapped BNB", "WBNB"),
    "polygon": ("Wrapped Matic", "WMATIC"),
}
STABLECOIN_NAMES = {"USDC": "USD Coin", "USDT": "Tether USD", "DAI": "Dai Stablecoin", "BUSD": "BUSD Token"}
# Decimals as on mainnet: Ethereum/Polygon USDC and USDT have 6, the Binance-pegged ones on BSC 18.
STABLECOIN_DECIMALS = {
    ("ethereum", "USDC"): 6,
    ("ethereum", "USDT"): 6,
    ("polygon", "USDC"): 6,
    ("polygon", "USDT"): 6,
}


@cache
def uniswap_artifact(name: str) -> dict[str, Any]:
    """abi and creation bytecode (0x-prefixed) of a contract from the npm @uniswap/v2-* packages."""
    path = UNISWAP_BUILD[name] / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} missing: install the contracts' npm packages (`npm ci --prefix contracts`)"
        )
    data = json.loads(Path(path).read_text())
    return {"abi": data["abi"], "bytecode": "0x" + data["bytecode"].removeprefix("0x")}


def uniswap_abi(name: str) -> list[dict[str, Any]]:
    abi: list[dict[str, Any]] = uniswap_artifact(name)["abi"]
    return abi


def pair_init_code_hash() -> str:
    """keccak256 of UniswapV2Pair's creation code: the hash Router02's pairFor hard-codes."""
    return "0x" + keccak(hexstr=uniswap_artifact("UniswapV2Pair")["bytecode"]).hex()


def pair_address(factory: str, token_a: str, token_b: str) -> str:
    """The CREATE2 address of the pair (as UniswapV2Library.pairFor computes it) for the local code."""
    t0, t1 = sorted((bytes.fromhex(token_a[2:]), bytes.fromhex(token_b[2:])))
    salt = keccak(t0 + t1)
    raw = keccak(b"\xff" + bytes.fromhex(factory[2:]) + salt + bytes.fromhex(pair_init_code_hash()[2:]))
    return to_checksum_address(raw[12:])


def _short_string_slot(value: str) -> str:
    """The storage word of a Solidity `string` shorter than 32 bytes: bytes left-aligned, length*2."""
    raw = value.encode()
    if len(raw) > 31:
        raise ValueError(f"{value!r} is too long for a short-string slot")
    return "0x" + (raw + b"\x00" * (31 - len(raw)) + bytes([len(raw) * 2])).hex()


def _word(value: int | str) -> str:
    if isinstance(value, str):  # an address
        value = int(value, 16)
    return "0x" + value.to_bytes(32, "big").hex()


def _runtime_code(rpc_url: str, creation: str, ctor_types: list[str], ctor_args: list[Any]) -> str:
    """What deploying `creation` with these constructor arguments would store as code (via eth_call)."""
    data = creation + (encode(ctor_types, ctor_args).hex() if ctor_types else "")
    code: str = _rpc(rpc_url, "eth_call", [{"data": data, "gas": hex(30_000_000)}, "latest"], timeout=30.0)
    if len(code) <= 2:
        raise RuntimeError("constructor returned no code")
    return code


def _place(rpc_url: str, address: str, code: str, storage: dict[int, str]) -> bool:
    """Put `code` (and the constructor's `storage`) at `address` unless it is already there."""
    if _rpc(rpc_url, "eth_getCode", [address, "latest"]).lower() == code.lower():
        return False
    _rpc(rpc_url, "anvil_setCode", [address, code], timeout=10.0)
    for slot, value in storage.items():
        _rpc(rpc_url, "anvil_setStorageAt", [address, _word(slot), value])
    return True


def deploy_dex(rpc_url: str) -> dict[str, Any]:
    """Place WETH9, UniswapV2Factory, UniswapV2Router02 and the stablecoin stand-ins at the canonical
    addresses of every network in NETWORKS (see the module docstring). Idempotent, deterministic.

    Returns {"<chain>": {"dex": name, "router", "factory", "wrapped_native", "stablecoins":
    {symbol: {"address", "decimals"}}}, ..., "pair_init_code_hash": ..., "fee_to_setter": ...}.
    """
    init_hash = pair_init_code_hash()
    if init_hash != UNISWAP_V2_INIT_CODE_HASH:
        raise RuntimeError(f"UniswapV2Pair init-code hash {init_hash} differs from mainnet's")
    weth_code = _runtime_code(rpc_url, uniswap_artifact("WETH9")["bytecode"], [], [])
    factory_code = _runtime_code(
        rpc_url, uniswap_artifact("UniswapV2Factory")["bytecode"], ["address"], [FEE_TO_SETTER]
    )
    stable_art = load_artifact("LocalStablecoin")
    stable_code = _runtime_code(rpc_url, stable_art["bytecode"], ["string", "string", "uint8"], ["", "", 0])
    router_creation = uniswap_artifact("UniswapV2Router02")["bytecode"]

    result: dict[str, Any] = {}
    for chain, net in NETWORKS.items():
        key = chain.value
        weth = to_checksum_address(net.wrapped_native)
        factory = to_checksum_address(net.dex.factory)
        router = to_checksum_address(net.dex.router)
        name, symbol = WRAPPED_NATIVE_META.get(key, (f"Wrapped {net.native_symbol}", f"W{net.native_symbol}"))
        # WETH9 storage: slot 0 name, slot 1 symbol, slot 2 decimals (balanceOf 3, allowance 4).
        _place(
            rpc_url,
            weth,
            weth_code,
            {0: _short_string_slot(name), 1: _short_string_slot(symbol), 2: _word(18)},
        )
        # UniswapV2Factory storage: slot 0 feeTo (unset), slot 1 feeToSetter, 2 getPair, 3 allPairs.
        _place(rpc_url, factory, factory_code, {1: _word(FEE_TO_SETTER)})
        # Router02 has no storage; factory and WETH are immutables baked into its runtime code.
        router_code = _runtime_code(rpc_url, router_creation, ["address", "address"], [factory, weth])
        _place(rpc_url, router, router_code, {})
        stables: dict[str, dict[str, Any]] = {}
        for sym, addr in net.stablecoins.items():
            decimals = STABLECOIN_DECIMALS.get((key, sym), 18)
            _place(
                rpc_url,
                to_checksum_address(addr),
                stable_code,
                {
                    0: _short_string_slot(STABLECOIN_NAMES.get(sym, sym)),
                    1: _short_string_slot(sym),
                    2: _word(decimals),
                },
            )
            stables[sym] = {"address": to_checksum_address(addr), "decimals": decimals}
        result[key] = {
            "dex": net.dex.name,
            "router": router,
            "factory": factory,
            "wrapped_native": weth,
            "stablecoins": stables,
        }
    result["pair_init_code_hash"] = init_hash
    result["fee_to_setter"] = FEE_TO_SETTER
    return result


# --- stablecoin pools: a USD price for every native coin ------------------------------------------

# The native coins' USD price in the seeded pools (cents), and how deep each pool is (USD per side).
NATIVE_USD_CENTS = {"ethereum": 300_000, "bsc": 60_000, "polygon": 50}
STABLE_POOL_USD = 1_000_000
# Adds the stablecoin pools' liquidity and keeps the LP tokens; label-derived, impersonated on anvil.
MARKET_MAKER = to_checksum_address(keccak(text="moneygrow.local.dex.market-maker")[12:])
_DEADLINE = 2**40
_GAS = 3_000_000


def _send_as(rpc_url: str, sender: str, to: str, data: str, value: int = 0) -> None:
    tx = {"from": sender, "to": to, "data": data, "value": hex(value), "gas": hex(_GAS)}
    tx_hash = _rpc(rpc_url, "eth_sendTransaction", [tx], timeout=10.0)
    for _ in range(500):
        receipt = _rpc(rpc_url, "eth_getTransactionReceipt", [tx_hash])
        if receipt is not None:
            break
        time.sleep(0.01)
    else:
        raise TimeoutError(f"no receipt for {tx_hash}")
    if receipt["status"] != "0x1":
        raise RuntimeError(f"{sender}: transaction {tx_hash} to {to} reverted")


def seed_stable_pools(rpc_url: str) -> dict[str, Any]:
    """Native-coin/stablecoin pools on every network's DEX (needs deploy_dex first), so a token's
    liquidity in native coin can be valued in USD on the local chain as on mainnet: 1 ETH = $3,000,
    1 BNB = $600, 1 MATIC = $0.50 (NATIVE_USD_CENTS), $1,000,000 on each side of every pool; the LP
    tokens stay with MARKET_MAKER. Sends transactions (from MARKET_MAKER, impersonated), so it mines
    blocks; idempotent: a pool that already has reserves is left alone.

    Returns {"<chain>": {"native_usd": float, "pools": {symbol: pair address}}}.
    """
    w3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": 10}))
    router_abi, factory_abi = uniswap_abi("UniswapV2Router02"), uniswap_abi("UniswapV2Factory")
    coin_abi = load_artifact("LocalStablecoin")["abi"]
    pair_abi = uniswap_abi("UniswapV2Pair")
    result: dict[str, Any] = {}
    impersonating = False
    try:
        for chain, net in NETWORKS.items():
            key = chain.value
            cents = NATIVE_USD_CENTS[key]
            weth = to_checksum_address(net.wrapped_native)
            factory = w3.eth.contract(address=to_checksum_address(net.dex.factory), abi=factory_abi)
            router = w3.eth.contract(address=to_checksum_address(net.dex.router), abi=router_abi)
            pools: dict[str, str] = {}
            for sym, addr in net.stablecoins.items():
                coin = w3.eth.contract(address=to_checksum_address(addr), abi=coin_abi)
                pair = str(factory.functions.getPair(coin.address, weth).call())
                if int(pair, 16) != 0:
                    reserves = w3.eth.contract(address=pair, abi=pair_abi).functions.getReserves().call()
                    if reserves[0] > 0:
                        pools[sym] = pair
                        continue
                if not impersonating:
                    _rpc(rpc_url, "anvil_impersonateAccount", [MARKET_MAKER])
                    _rpc(rpc_url, "anvil_setBalance", [MARKET_MAKER, hex(10**12 * E18)])
                    impersonating = True
                stable_amount = STABLE_POOL_USD * 10 ** int(coin.functions.decimals().call())
                native_amount = STABLE_POOL_USD * 100 * E18 // cents
                _send_as(
                    rpc_url,
                    MARKET_MAKER,
                    coin.address,
                    coin.encode_abi("mint", [MARKET_MAKER, stable_amount]),
                )
                _send_as(
                    rpc_url,
                    MARKET_MAKER,
                    coin.address,
                    coin.encode_abi("approve", [router.address, stable_amount]),
                )
                data = router.encode_abi(
                    "addLiquidityETH", [coin.address, stable_amount, 0, 0, MARKET_MAKER, _DEADLINE]
                )
                _send_as(rpc_url, MARKET_MAKER, router.address, data, value=native_amount)
                pools[sym] = str(factory.functions.getPair(coin.address, weth).call())
            result[key] = {"native_usd": cents / 100, "pools": pools}
    finally:
        if impersonating:
            _rpc(rpc_url, "anvil_stopImpersonatingAccount", [MARKET_MAKER])
    return result
