"""The heuristic checks one by one, against a small in-memory chain (no anvil, no network).

FakeChain answers the JSON-RPC batches the context sends (eth_getCode, eth_getStorageAt, eth_call,
eth_getLogs, eth_blockNumber) from dicts, and counts round trips.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import respx
from eth_abi.abi import encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from moneygrow.agents import heuristic
from moneygrow.agents.runner import AgentDeps
from moneygrow.chain import bytecode as bc
from moneygrow.chain.networks import network
from moneygrow.chain.reader import ZERO_ADDRESS, ChainUnavailable
from moneygrow.chains import Chain
from moneygrow.config import Settings
from moneygrow.heuristics import owner as owner_check
from moneygrow.heuristics.registry import (
    CHECKS,
    DEAD_ADDRESS,
    OWNERSHIP_TOPIC,
    TRANSFER_TOPIC,
    Check,
    CheckOutcome,
    HeuristicContext,
    run_checks,
)
from moneygrow.models import AgentStatus, AnalysisTask, Severity
from moneygrow.providers import ContractCreation, ContractSource, Holder, Providers

TOKEN = to_checksum_address("0x" + "11" * 20)
OWNER = to_checksum_address("0x" + "22" * 20)
ALICE = to_checksum_address("0x" + "33" * 20)
BOB = to_checksum_address("0x" + "44" * 20)
IMPL = to_checksum_address("0x" + "55" * 20)
PROXY_ADMIN = to_checksum_address("0x" + "66" * 20)
PAIR = to_checksum_address("0x" + "77" * 20)
USD_POOL = to_checksum_address("0x" + "88" * 20)
NET = network(Chain.ETHEREUM)
WETH, USDC = NET.wrapped_native, NET.stablecoins["USDC"]
SUPPLY = 1_000_000 * 10**18
E18 = 10**18

Handler = Callable[[bytes], bytes | None]  # calldata args -> return data; None = revert


def dispatcher(*signatures: str, extra: bytes = b"") -> bytes:
    """Runtime code whose dispatcher compares calldata with these functions' selectors."""
    code = b""
    for sig in signatures:
        code += b"\x80\x63" + bytes.fromhex(bc.selector(sig)[2:]) + b"\x14\x61\x00\x00\x57"
    return code + extra + b"\x5b" * 250  # padded past TINY_CODE_BYTES


ERC20 = (
    "name()",
    "symbol()",
    "decimals()",
    "totalSupply()",
    "balanceOf(address)",
    "transfer(address,uint256)",
    "transferFrom(address,address,uint256)",
    "approve(address,uint256)",
    "allowance(address,address)",
)


def word(value: int | str) -> bytes:
    if isinstance(value, str):
        return encode(["address"], [value])
    return encode(["uint256"], [value])


class FakeChain:
    """Just enough of ChainReader for the heuristic context: `_batch` of raw JSON-RPC reads."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}
        self.storage: dict[tuple[str, int], bytes] = {}
        self.calls: dict[tuple[str, str], Handler] = {}
        self.logs: list[dict[str, Any]] = []
        self.block = 100
        self.max_log_span: int | None = None
        self.blocks_seen: set[str] = set()
        self.round_trips = 0
        self.requests = 0

    def on(self, address: str, signature: str, handler: Handler | bytes | None) -> None:
        fn: Handler = handler if callable(handler) else (lambda _args, h=handler: h)  # type: ignore[misc]
        self.calls[(address.lower(), bc.selector(signature))] = fn

    def token(self, address: str = TOKEN, *, owner: str | None = None, extra: tuple[str, ...] = ()) -> None:
        sigs = (*ERC20, *extra) + (("owner()",) if owner is not None else ())
        self.code[address.lower()] = dispatcher(*sigs)
        self.on(address, "name()", encode(["string"], ["Test"]))
        self.on(address, "symbol()", encode(["string"], ["TST"]))
        self.on(address, "decimals()", word(18))
        self.on(address, "totalSupply()", word(SUPPLY))
        if owner is not None:
            self.on(address, "owner()", word(owner))

    def balances(self, token: str, balances: dict[str, int]) -> None:
        by_addr = {a.lower(): b for a, b in balances.items()}
        self.on(token, "balanceOf(address)", lambda args: word(by_addr.get("0x" + args[12:32].hex(), 0)))

    def transfer_log(self, src: str, dst: str, value: int, block: int = 1) -> None:
        self.logs.append(
            {
                "topics": [TRANSFER_TOPIC, "0x" + word(src).hex(), "0x" + word(dst).hex()],
                "data": "0x" + word(value).hex(),
                "blockNumber": hex(block),
            }
        )

    def ownership_log(self, prev: str, new: str, block: int = 1) -> None:
        self.logs.append(
            {
                "topics": [OWNERSHIP_TOPIC, "0x" + word(prev).hex(), "0x" + word(new).hex()],
                "blockNumber": hex(block),
            }
        )

    # --- the part the context uses ---

    def _batch(self, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        self.round_trips += 1
        self.requests += len(calls)
        self.blocks_seen.update(
            p[-1] for m, p in calls if m in ("eth_call", "eth_getCode", "eth_getStorageAt")
        )
        return [self._answer(m, p) for m, p in calls]

    def _answer(self, method: str, params: list[Any]) -> dict[str, Any]:
        if method == "eth_getBlockByNumber":
            return {"result": {"number": hex(self.block), "timestamp": hex(1_700_000_000)}}
        if method == "eth_getCode":
            return {"result": "0x" + self.code.get(params[0].lower(), b"").hex()}
        if method == "eth_getStorageAt":
            value = self.storage.get((params[0].lower(), int(params[1], 16)), b"")
            return {"result": "0x" + value.rjust(32, b"\0").hex()}
        if method == "eth_getLogs":
            span = int(params[0]["toBlock"], 16) - int(params[0]["fromBlock"], 16)
            if self.max_log_span is not None and span > self.max_log_span:
                return {"error": {"code": -32005, "message": "query returned more than 10000 results"}}
            return {"result": self.logs}
        if method == "eth_call":
            to, data = params[0]["to"].lower(), bytes.fromhex(params[0]["data"][2:])
            handler = self.calls.get((to, "0x" + data[:4].hex()))
            if handler is None:
                return (
                    {"error": {"code": 3, "message": "execution reverted"}}
                    if to in self.code
                    else {"result": "0x"}
                )
            out = handler(data[4:])
            return (
                {"error": {"code": 3, "message": "execution reverted"}}
                if out is None
                else {"result": "0x" + out.hex()}
            )
        if method in ("eth_simulateV1", "debug_traceCall", "eth_createAccessList"):  # a node without them
            return {"error": {"code": -32601, "message": "the method does not exist/is not available"}}
        raise AssertionError(method)


def deps_for(chain: FakeChain, providers: Providers | None = None) -> AgentDeps:
    return AgentDeps(
        settings=Settings(),
        chain=lambda _c: chain,  # type: ignore[arg-type,return-value]
        models=None,  # type: ignore[arg-type]
        providers=providers or Providers(),
    )


def run(chain: FakeChain, providers: Providers | None = None, address: str = TOKEN) -> Any:
    task = AnalysisTask(task_id="t", user_id="u", token_address=address, chain=Chain.ETHEREUM)
    static = [c for c in heuristic.checks() if c.name != "trade_simulation"]  # needs a real EVM
    return heuristic.analyse(task, deps_for(chain, providers), only=static)


def types(result: Any) -> dict[str, Any]:
    return {f.type: f for f in result.findings}


# --- contract facts ----------------------------------------------------------------------------------


def test_an_address_without_code_is_not_a_contract_in_one_round_trip() -> None:
    chain = FakeChain()
    result = run(chain)
    assert [f.type for f in result.findings] == ["not_a_contract"]
    assert result.findings[0].severity is Severity.CRITICAL
    assert result.data == {"address": TOKEN, "is_contract": False, "code_size": 0, "block_number": 100}
    assert chain.round_trips == 1


def test_a_contract_that_is_not_an_erc20() -> None:
    chain = FakeChain()
    chain.code[TOKEN.lower()] = dispatcher("getPair(address,address)", "createPair(address,address)")
    found = types(run(chain))
    assert found["not_erc20"].severity is Severity.HIGH
    assert found["total_supply_unreadable"].severity is Severity.HIGH
    assert "holder_concentration" not in found  # nothing to hold


def test_plain_token_costs_few_round_trips_and_names_the_missing_explorer() -> None:
    chain = FakeChain()
    chain.token()
    chain.balances(TOKEN, {ALICE: SUPPLY // 10, BOB: SUPPLY // 10})
    chain.transfer_log(ZERO_ADDRESS, ALICE, SUPPLY // 10)
    chain.transfer_log(ZERO_ADDRESS, BOB, SUPPLY // 10)
    result = run(chain)
    assert result.status is AgentStatus.OK  # a provider that is not configured is named, not a failure
    assert any("explorer not configured" in g for g in result.gaps)
    assert chain.round_trips <= 4
    assert result.data["erc20_missing"] == [] and result.data["owner"] is None


def test_explorer_facts_unverified_and_new() -> None:
    class Explorer:
        def source(self, chain: Chain, address: str) -> ContractSource:
            return ContractSource(verified=False)

        def creation(self, chain: Chain, address: str) -> ContractCreation:
            return ContractCreation(
                creator=ALICE,
                tx_hash="0xab",
                block_number=5,
                timestamp=datetime.now(UTC) - timedelta(hours=5),
            )

        def top_holders(self, chain: Chain, address: str, limit: int) -> list[Holder]:
            return [Holder(address=ALICE, balance=SUPPLY // 2), Holder(address=BOB, balance=SUPPLY // 4)]

    chain = FakeChain()
    chain.token()
    chain.balances(TOKEN, {ALICE: SUPPLY // 2, BOB: SUPPLY // 4})
    result = run(chain, Providers(explorer=Explorer()))
    found = types(result)
    assert found["unverified_source"].severity is Severity.MEDIUM
    assert found["new_contract"].severity is Severity.MEDIUM
    assert result.data["creator"] == ALICE and result.data["holders_source"] == "explorer"
    assert found["owner_holds_supply"].evidence["deployer"] == ALICE  # the creator holds half
    assert found["owner_holds_supply"].severity is Severity.MEDIUM  # a deployer without powers
    assert result.status is AgentStatus.OK and result.gaps == ["second opinion (GoPlus) not enabled"]


def test_an_explorer_that_does_not_answer_degrades_the_result() -> None:
    class Down:
        def source(self, chain: Chain, address: str) -> None:
            return None

        def creation(self, chain: Chain, address: str) -> None:
            raise TimeoutError("boom")

        def top_holders(self, chain: Chain, address: str, limit: int) -> None:
            return None

    chain = FakeChain()
    chain.token()
    result = run(chain, Providers(explorer=Down()))
    assert result.status is AgentStatus.DEGRADED
    assert any("verified source" in g for g in result.gaps)
    assert any("no holder list" in g for g in result.gaps)  # named; the logs fallback ran
    assert result.data["holders_source"] == "transfer_logs"


# --- owner powers --------------------------------------------------------------------------------------


def test_owner_powers_by_name_when_the_node_cannot_execute_them() -> None:
    chain = FakeChain()
    chain.token(
        owner=OWNER, extra=("mint(address,uint256)", "setBots(address[],bool)", "setTradingEnabled(bool)")
    )
    found = types(run(chain))
    assert found["owner_can_mint"].severity is Severity.HIGH
    assert found["owner_can_blacklist"].evidence["functions"] == ["setBots(address[],bool)"]
    assert found["trading_toggle"].severity is Severity.MEDIUM
    # Names alone (this node cannot execute them) make no rug-pull verdict: a stablecoin looks the same.
    assert "rug_pull_toolkit" not in found
    assert all(f.evidence.get("executed") is False for f in found.values() if f.type.startswith("owner_can"))


def test_a_listed_stablecoin_keeps_its_issuer_powers_at_medium() -> None:
    usdt = NET.stablecoins["USDT"]
    chain = FakeChain()
    chain.token(usdt, owner=OWNER, extra=("issue(uint256)", "addBlackList(address)", "pause()"))
    result = run(chain, address=usdt)
    found = types(result)
    assert result.data["well_known"] == "USDT (stablecoin)"
    assert "rug_pull_toolkit" not in found
    assert (
        found["owner_can_mint"].severity is Severity.MEDIUM and "by design" in found["owner_can_mint"].reason
    )
    assert found["owner_can_blacklist"].severity is Severity.MEDIUM


def test_renounced_ownership_lowers_the_powers() -> None:
    chain = FakeChain()
    chain.token(owner=ZERO_ADDRESS, extra=("mint(address,uint256)", "setFees(uint256,uint256)"))
    result = run(chain)
    found = types(result)
    assert result.data["ownership_renounced"] is True and result.data["hidden_owner"] is None
    assert found["owner_can_mint"].severity is Severity.MEDIUM
    assert found["owner_can_set_fees"].severity is Severity.LOW
    assert "rug_pull_toolkit" not in found and "hidden_owner" not in found


def test_dead_address_owner_counts_as_renounced() -> None:
    chain = FakeChain()
    chain.token(owner=DEAD_ADDRESS, extra=("pause()",))
    result = run(chain)
    assert result.data["ownership_renounced"] is True
    assert types(result)["owner_can_pause_trading"].severity is Severity.LOW


def test_lock_unlock_fake_renounce_is_a_hidden_owner() -> None:
    chain = FakeChain()
    chain.token(owner=ZERO_ADDRESS, extra=("mint(address,uint256)", "lock(uint256)", "unlock()"))
    found = types(run(chain))
    assert found["hidden_owner"].severity is Severity.CRITICAL
    assert found["owner_can_mint"].severity is Severity.HIGH  # not lowered: the renounce is fake


def test_admin_getter_that_still_names_someone_is_a_hidden_owner() -> None:
    chain = FakeChain()
    chain.token(owner=ZERO_ADDRESS, extra=("setBlacklist(address,bool)", "operator()"))
    chain.on(TOKEN, "operator()", word(ALICE))
    found = types(run(chain))
    assert found["hidden_owner"].severity is Severity.CRITICAL
    assert "operator() still returns" in found["hidden_owner"].reason


def test_an_access_control_admin_without_owner_is_a_live_power_not_a_hidden_owner() -> None:
    chain = FakeChain()
    chain.token(extra=("mint(address,uint256)", "getRoleMember(bytes32,uint256)"))
    chain.on(TOKEN, "getRoleMember(bytes32,uint256)", word(ALICE))
    result = run(chain)
    found = types(result)
    assert "hidden_owner" not in found and result.data["owner_powers_live"] is True
    assert found["owner_can_mint"].severity is Severity.HIGH
    assert f"getRoleMember(DEFAULT_ADMIN_ROLE,0) still returns {ALICE}" in found["owner_can_mint"].reason


def test_previous_owner_in_a_caller_checked_slot_is_a_hidden_owner() -> None:
    """`require(_previousOwner == msg.sender)` reads slot 6; the slot still holds the first owner."""
    chain = FakeChain()
    access_check = bytes.fromhex("6006543314")  # PUSH1 6 SLOAD CALLER EQ
    chain.token(owner=ZERO_ADDRESS, extra=("mint(address,uint256)",))
    chain.code[TOKEN.lower()] = dispatcher(*ERC20, "owner()", "mint(address,uint256)", extra=access_check)
    chain.storage[(TOKEN.lower(), 6)] = word(OWNER)
    chain.ownership_log(ZERO_ADDRESS, OWNER)
    chain.ownership_log(OWNER, ZERO_ADDRESS, block=2)
    result = run(chain)
    hidden = types(result)["hidden_owner"]
    assert hidden.severity is Severity.HIGH  # storage evidence alone: strong, not proof
    assert f"former owner {OWNER}" in hidden.reason


def test_tax_wallet_in_storage_is_not_a_hidden_owner() -> None:
    """A renounced token that stores its deployer as tax wallet (never compared with the caller)."""
    chain = FakeChain()
    chain.token(owner=ZERO_ADDRESS, extra=("mint(address,uint256)",))
    chain.storage[(TOKEN.lower(), 7)] = word(OWNER)
    chain.ownership_log(ZERO_ADDRESS, OWNER)
    assert "hidden_owner" not in types(run(chain))


def fn(name: str, *inputs: str, mutability: str = "nonpayable") -> dict[str, Any]:
    return {
        "type": "function",
        "name": name,
        "stateMutability": mutability,
        "inputs": [{"type": t} for t in inputs],
    }


def test_verified_abi_adds_powers_the_selector_table_does_not_know() -> None:
    abi = [
        fn("setMyCustomTaxRate", "uint256"),
        fn("addSnipers", "address[]"),
        fn("blacklistedWallets", "address", mutability="view"),
        fn("transfer", "address", "uint256"),
        fn("transferOwnership", "address"),
        fn("mint", "address", "uint256"),
        {"type": "event", "name": "Transfer", "inputs": []},
    ]
    assert owner_check.abi_powers(abi) == {
        "fee": ["setMyCustomTaxRate(uint256)"],
        "blacklist": ["addSnipers(address[])"],
        "mint": ["mint(address,uint256)"],
    }
    assert owner_check.abi_powers([{"type": "function", "name": "setBotBlacklist", "inputs": []}]) == {
        "blacklist": ["setBotBlacklist()"]
    }

    class Explorer:
        def source(self, chain: Chain, address: str) -> ContractSource:
            return ContractSource(verified=True, abi=abi)

        def creation(self, chain: Chain, address: str) -> None:
            return None

        def top_holders(self, chain: Chain, address: str, limit: int) -> list[Holder]:
            return []

    chain = FakeChain()
    chain.token(owner=OWNER)
    result = run(chain, Providers(explorer=Explorer()))
    assert result.data["abi_checked"] is True
    assert types(result)["owner_can_set_fees"].evidence["functions"] == ["setMyCustomTaxRate(uint256)"]


# --- proxies -------------------------------------------------------------------------------------------


def proxy_chain(admin: str | None) -> FakeChain:
    chain = FakeChain()
    chain.code[TOKEN.lower()] = bytes.fromhex("363d3d37") + b"\xf4" + b"\x5b" * 300  # delegating fallback
    chain.storage[(TOKEN.lower(), bc.EIP1967_IMPLEMENTATION_SLOT)] = word(IMPL)
    if admin is not None:
        chain.storage[(TOKEN.lower(), bc.EIP1967_ADMIN_SLOT)] = word(admin)
    chain.token(IMPL, owner=OWNER, extra=("mint(address,uint256)",))
    for sig in ("name()", "symbol()", "decimals()", "totalSupply()", "owner()"):  # the proxy forwards
        chain.calls[(TOKEN.lower(), bc.selector(sig))] = chain.calls[(IMPL.lower(), bc.selector(sig))]
    return chain


def test_eip1967_proxy_with_an_eoa_admin_is_high_and_its_logic_is_analysed() -> None:
    chain = proxy_chain(admin=ALICE)
    result = run(chain)
    found = types(result)
    up = found["upgradeable_proxy"]
    assert up.severity is Severity.HIGH and up.evidence["controller"] == ALICE
    assert up.evidence["controller_is_contract"] is False and up.evidence["implementation"] == IMPL
    assert found["owner_can_mint"].severity is Severity.HIGH  # from the implementation's code
    assert result.data["erc20_missing"] == []
    assert "proxy" not in found and "delegatecall" not in found


def test_proxy_admin_contract_owned_by_nobody_is_low() -> None:
    chain = proxy_chain(admin=PROXY_ADMIN)
    chain.code[PROXY_ADMIN.lower()] = dispatcher("owner()", "upgrade(address,address)")
    chain.on(PROXY_ADMIN, "owner()", word(ZERO_ADDRESS))
    up = types(run(chain))["upgradeable_proxy"]
    assert up.severity is Severity.LOW and "given up" in up.reason


def test_proxy_admin_contract_owned_by_a_wallet_is_high() -> None:
    chain = proxy_chain(admin=PROXY_ADMIN)
    chain.code[PROXY_ADMIN.lower()] = dispatcher("owner()")
    chain.on(PROXY_ADMIN, "owner()", word(BOB))
    up = types(run(chain))["upgradeable_proxy"]
    assert up.severity is Severity.HIGH and up.evidence["controller"] == BOB


def test_uups_proxy_is_controlled_by_the_token_owner() -> None:
    chain = proxy_chain(admin=None)
    up = types(run(chain))["upgradeable_proxy"]
    assert up.evidence["controller"] == OWNER and "UUPS" in up.evidence["controller_via"]


def test_beacon_proxy_reads_the_implementation_from_the_beacon() -> None:
    beacon = to_checksum_address("0x" + "99" * 20)
    chain = proxy_chain(admin=None)
    del chain.storage[(TOKEN.lower(), bc.EIP1967_IMPLEMENTATION_SLOT)]
    chain.storage[(TOKEN.lower(), bc.EIP1967_BEACON_SLOT)] = word(beacon)
    chain.code[beacon.lower()] = dispatcher("implementation()", "owner()")
    chain.on(beacon, "implementation()", word(IMPL))
    chain.on(beacon, "owner()", word(BOB))
    result = run(chain)
    up = types(result)["upgradeable_proxy"]
    assert up.evidence["kind"] == "beacon" and up.evidence["implementation"] == IMPL
    assert up.evidence["controller"] == BOB and up.severity is Severity.HIGH
    assert "owner_can_mint" in types(result)


def test_minimal_proxy_clone_is_low_and_its_target_is_analysed() -> None:
    chain = FakeChain()
    chain.code[TOKEN.lower()] = bytes.fromhex(
        "363d3d373d3d3d363d73" + IMPL[2:].lower() + "5af43d82803e903d91602b57fd5bf3"
    )
    chain.token(IMPL, extra=("mint(address,uint256)",))
    found = types(run(chain))
    assert found["proxy"].severity is Severity.LOW
    assert "owner_can_mint" in found and "tiny_contract" not in found


def test_unresolvable_delegating_contract_is_a_gap() -> None:
    chain = FakeChain()
    chain.code[TOKEN.lower()] = b"\x5a\xf4" + b"\x5b" * 300  # DELEGATECALL, no dispatcher, no slot
    result = run(chain)
    assert result.status is AgentStatus.DEGRADED
    assert types(result)["proxy"].evidence == {"kind": "unresolved"}


# --- liquidity -----------------------------------------------------------------------------------------


def dex_chain(
    *, token_reserve: int, quote_reserve: int, lp: dict[str, int], quote: str = WETH, owner: str = OWNER
) -> FakeChain:
    chain = FakeChain()
    chain.token(owner=owner)
    factory = NET.dex.factory
    chain.code[factory.lower()] = dispatcher("getPair(address,address)")
    pairs = {
        frozenset({TOKEN.lower(), quote.lower()}): PAIR,
        frozenset({WETH.lower(), USDC.lower()}): USD_POOL,
    }

    def get_pair(args: bytes) -> bytes:
        a, b = "0x" + args[12:32].hex(), "0x" + args[44:64].hex()
        return word(pairs.get(frozenset({a, b}), ZERO_ADDRESS))

    chain.on(factory, "getPair(address,address)", get_pair)
    chain.on(USDC, "decimals()", word(6))
    chain.code[PAIR.lower()] = dispatcher("getReserves()")
    token0_is_token = TOKEN.lower() < quote.lower()
    r0, r1 = (token_reserve, quote_reserve) if token0_is_token else (quote_reserve, token_reserve)
    chain.on(PAIR, "token0()", word(TOKEN if token0_is_token else quote))
    chain.on(PAIR, "getReserves()", encode(["uint112", "uint112", "uint32"], [r0, r1, 0]))
    chain.on(PAIR, "totalSupply()", word(sum(lp.values())))
    chain.balances(PAIR, lp)
    # the native coin's price: 1 WETH = 2000 USDC
    usdc0 = USDC.lower() < WETH.lower()
    chain.on(USD_POOL, "token0()", word(USDC if usdc0 else WETH))
    reserves = (2_000_000 * 10**6, 1000 * E18) if usdc0 else (1000 * E18, 2_000_000 * 10**6)
    chain.on(USD_POOL, "getReserves()", encode(["uint112", "uint112", "uint32"], [*reserves, 0]))
    return chain


def test_no_pair_is_never_silently_safe() -> None:
    chain = dex_chain(token_reserve=0, quote_reserve=0, lp={}, quote=to_checksum_address("0x" + "ab" * 20))
    result = run(chain)
    no_liq = types(result)["no_liquidity"]
    assert no_liq.severity is Severity.MEDIUM and result.data["liquidity"]["pairs"] == []


def test_emptied_pool_is_high() -> None:
    chain = dex_chain(token_reserve=0, quote_reserve=0, lp={DEAD_ADDRESS: 1000})
    assert types(run(chain))["no_liquidity"].severity is Severity.HIGH


def test_lp_kept_by_the_owner_is_a_rug_pull_risk_and_usd_comes_from_the_dex() -> None:
    chain = dex_chain(
        token_reserve=SUPPLY // 2, quote_reserve=10 * E18, lp={OWNER: 999_000, ZERO_ADDRESS: 1000}
    )
    result = run(chain)
    liq = result.data["liquidity"]
    assert liq["native_usd"] == pytest.approx(2000.0)
    assert liq["liquidity_native"] == pytest.approx(20.0) and liq["liquidity_usd"] == pytest.approx(40_000.0)
    lp = types(result)["lp_not_locked"]
    assert lp.severity is Severity.HIGH and lp.evidence["lp_owner_share"] == pytest.approx(0.999)
    assert any("price source not configured" in g for g in result.gaps)
    assert "low_liquidity" not in types(result)


def test_burnt_or_locked_lp_is_fine_and_thin_pools_are_low_liquidity() -> None:
    locker = NET.lp_lockers["UNCX UniswapV2Locker"]
    chain = dex_chain(token_reserve=SUPPLY // 2, quote_reserve=E18 // 10, lp={DEAD_ADDRESS: 500, locker: 500})
    result = run(chain)
    found = types(result)
    assert "lp_not_locked" not in found
    assert found["low_liquidity"].severity is Severity.HIGH  # 0.2 ETH = $400
    pair = result.data["liquidity"]["pairs"][0]
    assert pair["lp_burnt_share"] == pytest.approx(0.5) and pair["lp_locked_share"] == pytest.approx(0.5)


def test_a_price_provider_is_used_when_configured() -> None:
    class Prices:
        def native_usd(self, chain: Chain) -> float:
            return 100.0

        def token_usd(self, chain: Chain, address: str) -> None:
            return None

    chain = dex_chain(token_reserve=SUPPLY // 2, quote_reserve=10 * E18, lp={DEAD_ADDRESS: 1000})
    result = run(chain, Providers(prices=Prices()))
    assert result.data["liquidity"]["liquidity_usd"] == pytest.approx(2000.0)
    assert types(result)["low_liquidity"].severity is Severity.MEDIUM
    assert not any("price source" in g for g in result.gaps)


def test_stablecoin_pair_is_valued_in_usd_directly() -> None:
    chain = dex_chain(
        token_reserve=SUPPLY // 2, quote_reserve=50_000 * 10**6, lp={DEAD_ADDRESS: 1000}, quote=USDC
    )
    result = run(chain)
    assert result.data["liquidity"]["liquidity_usd"] == pytest.approx(100_000.0)
    assert result.data["liquidity"]["pairs"][0]["quote"] == "USDC"


# --- holders -------------------------------------------------------------------------------------------


def test_holders_from_transfer_logs_leave_out_the_pair_and_burn_addresses() -> None:
    chain = dex_chain(token_reserve=SUPPLY // 2, quote_reserve=10 * E18, lp={DEAD_ADDRESS: 1000}, owner=OWNER)
    holdings = {PAIR: SUPPLY // 2, OWNER: SUPPLY * 3 // 10, ALICE: SUPPLY // 10, DEAD_ADDRESS: SUPPLY // 10}
    chain.balances(TOKEN, holdings)
    chain.ownership_log(ZERO_ADDRESS, OWNER)
    chain.transfer_log(ZERO_ADDRESS, OWNER, SUPPLY)
    for who, amount in holdings.items():
        if who != OWNER:
            chain.transfer_log(OWNER, who, amount, block=2)
    result = run(chain)
    # 5: first batch, logs, balances, the owner-power reads (holders, actors, the traced transfer)
    assert chain.round_trips == 5 and chain.blocks_seen == {
        "latest",
        hex(chain.block),
    }  # pinned after batch 1
    data = result.data
    assert data["holders_source"] == "transfer_logs" and data["holders_window"]["complete"] is True
    assert [h["address"] for h in data["top_holders"]] == [OWNER, ALICE]
    assert data["top10_share"] == pytest.approx(0.4)
    assert data["owner_share_of_supply"] == pytest.approx(0.3)
    assert data["deployer"] == OWNER
    found = types(result)
    assert found["owner_holds_supply"].severity is Severity.MEDIUM
    assert "holder_concentration" not in found


def test_a_live_owner_with_most_of_the_supply_is_high_and_concentration_is_reported() -> None:
    chain = FakeChain()
    chain.token(owner=OWNER)
    chain.balances(TOKEN, {OWNER: SUPPLY * 9 // 10, ALICE: SUPPLY // 10})
    chain.transfer_log(ZERO_ADDRESS, OWNER, SUPPLY)
    chain.transfer_log(OWNER, ALICE, SUPPLY // 10)
    found = types(run(chain))
    assert found["owner_holds_supply"].severity is Severity.HIGH
    assert found["holder_concentration"].severity is Severity.MEDIUM


def test_a_node_refusing_the_log_range_gets_one_smaller_retry() -> None:
    chain = FakeChain()
    chain.block, chain.max_log_span = 10_000_000, 5_000
    chain.token()
    chain.transfer_log(ZERO_ADDRESS, ALICE, SUPPLY)
    chain.balances(TOKEN, {ALICE: SUPPLY})
    result = run(chain)
    assert result.data["holders_window"]["from_block"] == 10_000_000 - 2_000
    assert result.data["top_holders"][0]["address"] == ALICE

    chain.max_log_span = 100  # refuses even the retry: a named gap, DEGRADED
    result = run(chain)
    assert result.status is AgentStatus.DEGRADED
    assert any("Transfer logs unavailable" in g for g in result.gaps)


def test_partial_log_window_is_named() -> None:
    chain = FakeChain()
    chain.block = 10_000_000
    chain.token()
    result = run(chain)
    assert result.data["holders_window"]["complete"] is False
    assert any("older holders may be missing" in g for g in result.gaps)


# --- registry ------------------------------------------------------------------------------------------


def _ctx(chain: FakeChain) -> HeuristicContext:
    task = AnalysisTask(task_id="t", user_id="u", token_address=TOKEN, chain=Chain.ETHEREUM)
    return HeuristicContext(task, chain, NET, Providers())  # type: ignore[arg-type]


def test_a_broken_check_becomes_a_gap_but_a_dead_chain_propagates() -> None:
    from moneygrow.chain.reader import RpcError

    def broken(ctx: HeuristicContext) -> CheckOutcome:
        raise RpcError("eth_call", {"code": -32000, "message": "header not found"})

    def dead(ctx: HeuristicContext) -> CheckOutcome:
        raise ChainUnavailable("down")

    ctx = _ctx(FakeChain())
    [(name, outcome)] = run_checks(ctx, [Check("broken", broken)])
    assert name == "broken" and "header not found" in outcome.gaps[0]
    with pytest.raises(ChainUnavailable):
        run_checks(ctx, [Check("dead", dead)])


def test_facts_are_computed_once() -> None:
    chain = FakeChain()
    chain.token(owner=OWNER)
    chain.transfer_log(ZERO_ADDRESS, OWNER, SUPPLY)
    ctx = _ctx(chain)
    ctx.prefetch(heuristic.checks())
    assert chain.round_trips == 1
    assert ctx.owner == OWNER and ctx.meta["total_supply"] == SUPPLY and ctx.proxy is None
    assert ctx.logs.first_minted_to == OWNER and ctx.deployer == (OWNER, "first mint (Transfer from 0x0)")
    _ = (ctx.logs, ctx.deployer, ctx.all_selectors)
    assert chain.round_trips == 2  # + the logs, once


def test_topics_are_the_standard_events() -> None:
    assert "0x" + keccak(text="Transfer(address,address,uint256)").hex() == TRANSFER_TOPIC
    assert TRANSFER_TOPIC.startswith("0xddf252ad")
    assert OWNERSHIP_TOPIC.startswith("0x8be0079c")


# --- with the real Etherscan adapter over recorded responses -----------------------------------------


@respx.mock
def test_with_the_etherscan_adapter_over_recorded_responses() -> None:
    from moneygrow.adapters.etherscan import EtherscanExplorer
    from moneygrow.adapters.http import CircuitBreaker, JsonClient
    from tests.fixtures.http.recorded import response

    api = NET.explorer_api
    for name, fixture in (
        ("getsourcecode", "getsourcecode_verified"),
        ("getcontractcreation", "getcontractcreation"),
        ("tokenholderlist", "tokenholderlist"),
        ("tokensupply", "tokensupply"),
    ):
        respx.get(api, params={"action": name}).mock(return_value=response("etherscan", fixture))
    client = JsonClient(
        "etherscan", breaker=CircuitBreaker("etherscan", 5), sleep=lambda _s: None, max_attempts=1
    )
    explorer = EtherscanExplorer(client, "TESTKEY0123456789ABCDEFGHIJKLMNOP")

    chain = FakeChain()
    chain.token(owner=OWNER)  # the dispatcher has no mint: only the verified ABI reveals it
    chain.balances(TOKEN, {OWNER: SUPPLY // 2})
    result = run(chain, Providers(explorer=explorer))
    found = types(result)
    assert result.data["abi_checked"] is True and result.data["verified_source"] is True
    assert result.data["contract_name"] == "MintableToken"
    assert found["owner_can_mint"].evidence["functions"] == ["mint(address,uint256)"]
    assert result.data["creator"] == to_checksum_address("0x00c5e04176d95a286fcce0e68c683ca0bfec8454")
    assert result.data["created_at"].startswith("2017-07-04") and "new_contract" not in found
    assert result.data["holders_source"] == "explorer"
    assert ZERO_ADDRESS not in {h["address"] for h in result.data["top_holders"]}
    assert result.status is AgentStatus.OK and result.gaps == ["second opinion (GoPlus) not enabled"]


def test_checks_run_in_the_declared_module_order_whoever_imported_them_first() -> None:
    # The registry fills in import order; a test or another agent importing a check module early
    # changes that order. The agent still runs them (and lists their gaps) in CHECK_MODULES order.
    expected = heuristic.checks()
    saved = dict(CHECKS)
    try:
        CHECKS.clear()
        for module in reversed(heuristic.CHECK_MODULES):  # as if imported last-module-first
            CHECKS.update({n: c for n, c in saved.items() if c.run.__module__ == module})
        assert list(CHECKS) != [c.name for c in expected]
        assert [c.name for c in heuristic.checks()] == [c.name for c in expected]
    finally:
        CHECKS.clear()
        CHECKS.update(saved)
    modules = [c.run.__module__ for c in expected]
    assert modules == sorted(modules, key=heuristic.CHECK_MODULES.index)
    assert {c.name for c in expected} == set(CHECKS)


def test_severity_follows_consequence_and_governance_not_names() -> None:
    from moneygrow.chain.inventory import Function
    from moneygrow.heuristics.probe import Actor, Power

    key, other, timelock = Actor(OWNER, "owner()"), Actor(ALICE, "slot 0x2"), Actor(BOB, "owner()")
    disguised = Function("0x6b2649c3", ("uint256",), "nonpayable")  # no known name
    mint = Function(bc.selector("mint(address,uint256)"), ("address", "uint256"), "nonpayable")
    blacklist = Function(bc.selector("blacklist(address)"), ("address",), "nonpayable")
    ev = {"arguments": ["1"], "total_supply": {"before": "1", "after": "2"}}

    def power(kind: str, fn: Function, actor: Actor) -> Power:
        return Power(kind, fn, actor, (1,), True, dict(ev))

    def sev(powers: list[Power], contracts: set[str] = frozenset()) -> dict[str, Severity]:  # type: ignore[assignment]
        scan = owner_check.pw.PowerScan(inventory=None, contract_actors=set(contracts), executed=True)  # type: ignore[arg-type]
        scan.report.powers = powers
        return {f.type: f.severity for f in owner_check.power_findings({}, OWNER, True, [], scan)}

    assert sev([power("leak", disguised, key)])["owner_can_change_balances"] is Severity.CRITICAL
    assert sev([power("blacklist", disguised, key)])["owner_can_blacklist"] is Severity.CRITICAL
    assert sev([power("mint", disguised, key)])["owner_can_mint"] is Severity.HIGH  # dilution, not taking
    assert sev([power("mint", mint, key)])["owner_can_mint"] is Severity.HIGH
    assert sev([power("mint", mint, timelock)], {BOB})["owner_can_mint"] is Severity.MEDIUM
    assert sev([power("mint", disguised, timelock)], {BOB})["owner_can_mint"] is Severity.HIGH
    # a stablecoin's shape: conventional mint + blacklist by one key is reported, not a toolkit
    issuer = sev([power("mint", mint, key), power("blacklist", blacklist, key)])
    assert "rug_pull_toolkit" not in issuer and issuer["owner_can_blacklist"] is Severity.HIGH
    # one key minting and taking through a disguised path is
    assert (
        sev([power("mint", disguised, key), power("leak", disguised, key)])["rug_pull_toolkit"]
        is Severity.CRITICAL
    )
    # role separation: a disguised lever whose holder cannot also mint stays HIGH
    separated = sev([power("mint", mint, key), power("blacklist", disguised, other)])
    assert separated["owner_can_blacklist"] is Severity.HIGH and "rug_pull_toolkit" not in separated


def test_an_off_contract_gate_is_found_by_trace_or_by_access_list() -> None:
    from moneygrow.heuristics import powers

    chain = FakeChain()
    chain.token(owner=OWNER)
    ctx = HeuristicContext(
        AnalysisTask(task_id="t", user_id="u", token_address=TOKEN, chain=Chain.ETHEREUM),
        chain,  # type: ignore[arg-type]
        NET,
        Providers(),
    )
    gate = to_checksum_address("0x" + "ab" * 20)
    ask = {
        "type": "STATICCALL",
        "to": gate.lower(),
        "input": "0x8cd86f02" + "00" * 96,
        "output": "0x" + "00" * 32,
    }
    trace = {"result": {"calls": [ask, {"type": "CALL", "to": PAIR.lower(), "input": "0x", "output": "0x"}]}}
    (call,) = powers._external_calls(ctx, trace, PAIR, set())
    assert call["contract"] == gate and call["returns_value"] and call["selector"] == "0x8cd86f02"
    assert powers._external_calls(ctx, trace, PAIR, {gate.lower()}) == []  # a proxy's own parts
    precompile = "0x0000000000000000000000000000000000000004"
    touched_list = [
        {"address": gate.lower(), "storageKeys": ["0x01"]},
        {"address": TOKEN.lower(), "storageKeys": []},
        {"address": precompile},
    ]
    access = {"result": {"accessList": touched_list}}
    (touched,) = powers._accessed_contracts(ctx, access, PAIR, set())
    assert touched["contract"] == gate and touched["storage_read"] == 1 and not touched["returns_value"]


def test_a_probe_that_breaks_is_a_named_gap_not_a_failed_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_a: Any, **_k: Any) -> Any:
        raise AttributeError("odd bytecode")

    monkeypatch.setattr(owner_check.pw, "scan", broken)
    chain = FakeChain()
    chain.token(owner=OWNER, extra=("mint(address,uint256)",))
    result = run(chain)
    assert any("the probe failed: AttributeError: odd bytecode" in g for g in result.gaps)
    assert "owner_can_mint" in types(result)  # the name evidence is still reported
