"""The token zoo: one launched token per pattern a scanner must recognise, and what it should find.

    from devstack.dex import deploy_dex
    from devstack.zoo import ZOO, deploy_zoo
    deploy_dex(url)             # the zoo trades on the canonical Uniswap V2 router, so this comes first
    tokens = deploy_zoo(url)    # {"PlainToken": "0x...", "Honeypot": "0x...", ...}
    ZOO["Honeypot"]["expected"] # ["honeypot"]

Sources: contracts/src/zoo/*.sol (written the way real tokens are: Ownable with onlyOwner setters,
`_transfer` hooks that treat transfers to the pair as sells, the Uniswap V2 router address
hard-coded and the pair created in the constructor; most on the shared ERC-20/Ownable/pair base in
ZooBase.sol, PlainToken, WrappedNative and the upgradeable proxy self-contained - the compiled
runtime code is the same either way). Each token is launched like a real one on the *ethereum*
network's Uniswap V2 (router 0x7a25...488D): its own deployer account deploys it, adds native-coin
liquidity through the router (LP tokens burnt to 0x...dEaD or kept by the deployer, see
ZOO[name]["lp"]), two retail wallets buy, then the owner configures the trap.

Deterministic and idempotent: every token has its own deployer, an address derived from a label
(`zoo_account`), impersonated on anvil; the token is that account's first contract, so its address
never depends on the order of deployment or on other accounts (anvil's default accounts, the demo
tokens' deployer, are never used). A token whose code is already in place is not launched again.

ZOO is the machine-readable expectation table the heuristic agent's tests compare against:
- expected: finding types the analysis must report,
- allowed: further finding types that are correct but not required (not false positives),
- critical: the token traps money now (cannot sell / loses >= 50 % on a sell / will soon): the
  analysis must report at least one CRITICAL finding,
- benign: the analysis must report no CRITICAL (and no HIGH) finding,
- central: a legitimate centrally-issued token (roles, a minter, a multisig/timelock owner): its issuer
  powers may be reported, but the analysis must give no CRITICAL finding and never rug_pull_toolkit,
- lp: "burnt" or "kept" (by the deployer), notes: what the token does and how it is configured.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import rlp
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import Web3

from devstack.chain import E18, _rpc, _web3, deploy_demo_tokens, load_artifact
from devstack.dex import deploy_dex, seed_stable_pools, uniswap_abi
from moneygrow.chain.networks import NETWORKS
from moneygrow.chains import Chain

ETHEREUM = NETWORKS[Chain.ETHEREUM]
ROUTER = to_checksum_address(ETHEREUM.dex.router)
FACTORY = to_checksum_address(ETHEREUM.dex.factory)
WETH = to_checksum_address(ETHEREUM.wrapped_native)
DEAD = "0x000000000000000000000000000000000000dEaD"

SUPPLY = 1_000_000_000 * E18
LIQUIDITY_TOKENS = SUPPLY * 80 // 100  # 80 % of the supply goes into the pool ...
LIQUIDITY_ETH = 10 * E18  # ... against 10 ETH
RETAIL_BUYS_WEI = (E18 // 5, E18 // 10)  # two retail buys, 0.2 and 0.1 ETH (under MaxTxTrap's limit)
DEPLOYER_BALANCE = 1_000 * E18
DEADLINE = 2**40
TX_GAS, TX_GAS_DEPLOY = 3_000_000, 8_000_000
SELL_WINDOW_S = 600  # TimeDelayedHoneypot: sells revert from 10 minutes (50 blocks) after launch

HONEYPOT = "honeypot"
HIGH_SELL_TAX = "high_sell_tax"
TRANSFER_TAX = "transfer_tax"
OWNER_CAN_MINT = "owner_can_mint"
OWNER_CAN_BLACKLIST = "owner_can_blacklist"
OWNER_CAN_PAUSE_TRADING = "owner_can_pause_trading"
OWNER_CAN_SET_FEES = "owner_can_set_fees"
OWNER_CAN_LIMIT_TRANSFERS = "owner_can_limit_transfers"
TRADING_TOGGLE = "trading_toggle"
UPGRADEABLE_PROXY = "upgradeable_proxy"
HIDDEN_OWNER = "hidden_owner"
TIME_DELAYED_HONEYPOT = "time_delayed_honeypot"
RUG_PULL_TOOLKIT = "rug_pull_toolkit"
OWNER_CAN_CHANGE_BALANCES = "owner_can_change_balances"
TRANSFER_DEPENDS_ON_EXTERNAL_CONTRACT = "transfer_depends_on_external_contract"
SELL_TAX = "sell_tax"

FINDING_TYPES = (
    HONEYPOT,
    HIGH_SELL_TAX,
    TRANSFER_TAX,
    OWNER_CAN_MINT,
    OWNER_CAN_BLACKLIST,
    OWNER_CAN_PAUSE_TRADING,
    OWNER_CAN_SET_FEES,
    OWNER_CAN_LIMIT_TRANSFERS,
    TRADING_TOGGLE,
    UPGRADEABLE_PROXY,
    HIDDEN_OWNER,
    TIME_DELAYED_HONEYPOT,
    OWNER_CAN_CHANGE_BALANCES,
    TRANSFER_DEPENDS_ON_EXTERNAL_CONTRACT,
    SELL_TAX,
    RUG_PULL_TOOLKIT,
)


def _entry(
    expected: list[str],
    *,
    critical: bool,
    benign: bool,
    lp: str,
    notes: str,
    allowed: list[str] | None = None,
    central: bool = False,
) -> dict[str, Any]:
    return {
        "expected": expected,
        "allowed": allowed or [],
        "critical": critical,
        "benign": benign,
        "central": central,
        "lp": lp,
        "notes": notes,
    }


ZOO: dict[str, dict[str, Any]] = {
    "PlainToken": _entry(
        [], critical=False, benign=True, lp="burnt", notes="Plain fixed-supply ERC-20, no owner, LP burnt."
    ),
    "FeeToken": _entry(
        [TRANSFER_TAX],
        critical=False,
        benign=True,
        lp="burnt",
        notes="Honest fee-on-transfer: a constant 3 % of every transfer (buy, sell, wallet to wallet) goes "
        "to a fee wallet; no owner, no setter. Expect buy/sell/transfer tax of ~3 % each "
        "(sells need the router's ...SupportingFeeOnTransferTokens functions).",
    ),
    "HighSellTax": _entry(
        [HIGH_SELL_TAX, OWNER_CAN_SET_FEES],
        critical=True,
        benign=False,
        lp="kept",
        notes="setFees(buy, sell) without a cap; the owner set buy 0 %, sell 99 % after launch. Wallet "
        "transfers are untaxed. Deployer excluded from fees.",
    ),
    "Honeypot": _entry(
        [HONEYPOT],
        critical=True,
        benign=False,
        lp="kept",
        allowed=[OWNER_CAN_BLACKLIST],
        notes="Buys and wallet transfers work; any transfer to the pair reverts ('ERC20: transfer amount "
        "exceeds balance') unless the sender is on the owner's private allow-list (setAllowed).",
    ),
    "BlacklistAfterBuy": _entry(
        [HONEYPOT, OWNER_CAN_BLACKLIST],
        critical=True,
        benign=False,
        lp="kept",
        notes="'Anti-snipe' never switched off: every buyer from the pair is flagged in bots[] and can "
        "no longer sell or transfer ('ERC20: transfer from blocked address'). Owner: setBots, "
        "setAntiSnipe. A fresh wallet's buy succeeds, its sell reverts; the two retail buyers are "
        "flagged.",
    ),
    "Mintable": _entry(
        [OWNER_CAN_MINT],
        critical=False,
        benign=False,
        lp="kept",
        notes="Trades normally; owner-only mint(address,uint256) without limit.",
    ),
    "Pausable": _entry(
        [OWNER_CAN_PAUSE_TRADING],
        critical=False,
        benign=False,
        lp="kept",
        allowed=[TRADING_TOGGLE],
        notes="Trades normally while unpaused (as deployed); owner pause()/unpause() stops every "
        "transfer except the owner's.",
    ),
    "MaxTxTrap": _entry(
        [HONEYPOT, OWNER_CAN_LIMIT_TRANSFERS],
        critical=True,
        benign=False,
        lp="kept",
        notes="setLimits(maxBuy, maxSell) without a lower bound. Launched at 2 % of the supply each; "
        "after the retail buys the owner set maxSell to 0: buys up to 2 % of the supply (~0.25 ETH) "
        "work, every sell reverts ('Max transaction amount exceeded'). Wallet transfers work.",
    ),
    "TradingToggle": _entry(
        [TRADING_TOGGLE],
        critical=False,
        benign=False,
        lp="kept",
        allowed=[OWNER_CAN_PAUSE_TRADING],
        notes="enableTrading()/setTradingEnabled(bool): the owner opened trading after adding liquidity "
        "and can close it again at any time (then only excluded wallets can trade). Currently open.",
    ),
    "UpgradeableProxy": _entry(
        [UPGRADEABLE_PROXY],
        critical=False,
        benign=False,
        lp="burnt",
        notes="EIP-1967 proxy (implementation slot 0x3608...bbc, admin slot 0xb531...103, admin = the "
        "deployer, upgradeTo(address)) running UpgradeableTokenV1, an honest token. UpgradeableTokenV2 "
        "(sells revert for all but the owner, owner mint) is deployed next to it: "
        "'UpgradeableProxy.malicious_implementation' in the details. Analyse the implementation too.",
        allowed=[OWNER_CAN_MINT],
    ),
    "HiddenOwner": _entry(
        [HIDDEN_OWNER, OWNER_CAN_MINT],
        critical=False,
        benign=False,
        lp="burnt",
        notes="SafeMoon-clone lock/unlock: the deployer called lock(0), so owner() is 0x0 and an "
        "OwnershipTransferred(..., 0x0) was emitted - looks renounced, LP burnt - but the private "
        "_previousOwner can unlock() at any time and then mint. Selectors: lock(uint256), unlock(), "
        "geUnlockTime().",
    ),
    # --- disguised owner powers: nothing is named mint/blacklist/setFee/pause (found by what code DOES) ---
    "DisguisedMint": _entry(
        [OWNER_CAN_MINT],
        critical=False,
        benign=False,
        lp="kept",
        notes="A mint named syncRewards(uint256), onlyOwner (owner = the deployer, live): raises the "
        "owner's balance and totalSupply by the amount, no Transfer event. Trades normally.",
    ),
    "AssemblyMint": _entry(
        [OWNER_CAN_MINT],
        allowed=[HIDDEN_OWNER],
        critical=False,
        benign=False,
        lp="kept",
        notes="rebalance(address,uint256) adds the amount to any balance by sstore on keccak256(account . "
        "slot 0) in inline assembly (no supply change, no event). Guarded by a private 'marketing "
        "wallet' slot compared with msg.sender, not by owner(); the marketing wallet is "
        "zoo_account('AssemblyMint.marketing') (zoo_details 'privileged'). owner() renounced to 0x0 "
        "after launch (renounceOwnership).",
    ),
    "LeakSync": _entry(
        [OWNER_CAN_CHANGE_BALANCES],
        critical=False,
        benign=False,
        lp="kept",
        notes="sync(address[]) onlyOwner (owner = the deployer, live) zeroes every listed holder's balance "
        "and credits the total to the caller, no events. Trades normally.",
    ),
    "LeakBurn": _entry(
        [OWNER_CAN_CHANGE_BALANCES],
        critical=False,
        benign=False,
        lp="kept",
        notes="No owner() function: a public `admin` address (the deployer) can claimRewards(holder, "
        "amount), which burns `amount` from any holder (balance and totalSupply go down, no event).",
    ),
    "UnderscoreBlacklist": _entry(
        [OWNER_CAN_BLACKLIST],
        critical=False,
        benign=False,
        lp="kept",
        notes="_setBlocked(address,bool) (external despite the underscore), onlyOwner (owner live): writes a "
        "private mapping read by a require in _transfer - a blocked sender's transfers and sells revert "
        "('ERC20: transfer failed'). Nobody is blocked at launch.",
    ),
    "SellCap": _entry(
        [OWNER_CAN_LIMIT_TRANSFERS],
        critical=False,
        benign=False,
        lp="kept",
        notes="configure(uint256) onlyOwner sets a private per-transfer cap on sells (transfers to the pair; "
        "the owner is exempt), checked by a require in _transfer, no lower bound (0 blocks every sell). "
        "Launched at 2 % of the supply: sells work now.",
    ),
    "FeeRatio": _entry(
        [OWNER_CAN_SET_FEES],
        critical=False,
        benign=False,
        lp="kept",
        allowed=[SELL_TAX],
        notes="setRatio(uint16) onlyOwner sets the sell fee in basis points without a cap (10000 takes the "
        "whole sell); the fee goes to the owner (exempt). Launched at 200 = 2 % on sells, buys and "
        "wallet transfers untaxed (sells need the ...SupportingFeeOnTransferTokens router functions).",
    ),
    "OperatorRole": _entry(
        [OWNER_CAN_MINT, OWNER_CAN_CHANGE_BALANCES],
        allowed=[HIDDEN_OWNER, RUG_PULL_TOOLKIT],
        critical=False,
        benign=False,
        lp="kept",
        notes="A custom role mapping `operators` (the deployer is one; setOperator(address,bool) by "
        "operators): adjust(address,uint256) sets any account's balance to the value (raise = mint, "
        "0 = seize), totalSupply follows, no event. owner() renounced after launch; the operator "
        "role is not.",
    ),
    "HardcodedAdmin": _entry(
        [OWNER_CAN_MINT],
        allowed=[HIDDEN_OWNER],
        critical=False,
        benign=False,
        lp="kept",
        notes="claim(uint256) adds the amount to the admin's balance (supply unchanged, no event); the "
        "admin is an immutable embedded in the runtime bytecode (constructor argument "
        "zoo_account('HardcodedAdmin.admin'), zoo_details 'privileged'), compared with msg.sender; "
        "no storage slot names it. owner() renounced after launch.",
    ),
    "ExternalGate": _entry(
        [TRANSFER_DEPENDS_ON_EXTERNAL_CONTRACT],
        critical=False,
        benign=False,
        lp="kept",
        notes="_transfer calls TransferGate(gate).allowed(from, to, amount) - a separate contract, address "
        "immutable in the token (zoo_details 'gate', the deployer's nonce-0 contract; the token is "
        "nonce 1) - and credits the returned amount (the sender is debited the full amount, the rest "
        "is burnt). The gate's owner (the deployer) can setStrict(true): then sells are credited 0 and "
        "revert in the router. Launched with strict off: sells work now.",
    ),
    "MislabelledBurn": _entry(
        [OWNER_CAN_MINT],
        critical=False,
        benign=False,
        lp="kept",
        notes="burn(uint256) - the standard selector - burns for everybody except the owner (the deployer, "
        "live), for whom it ADDS the amount to its balance and to totalSupply (no event).",
    ),
    # --- legitimate centrally-issued tokens: issuer powers, but no CRITICAL and no rug_pull_toolkit ---
    "RolePresetToken": _entry(
        [OWNER_CAN_MINT, OWNER_CAN_PAUSE_TRADING],
        critical=False,
        benign=False,
        central=True,
        lp="burnt",
        notes="OpenZeppelin ERC20PresetMinterPauser style (self-contained): AccessControl with "
        "DEFAULT_ADMIN_ROLE, MINTER_ROLE, PAUSER_ROLE (all held by the deployer); mint(address,uint256), "
        "pause()/unpause() (stops every transfer), burn(uint256), burnFrom(address,uint256). Unpaused.",
    ),
    "FiatStablecoin": _entry(
        [OWNER_CAN_MINT, OWNER_CAN_BLACKLIST, OWNER_CAN_PAUSE_TRADING, UPGRADEABLE_PROXY],
        critical=False,
        benign=False,
        central=True,
        lp="burnt",
        notes="USDC FiatToken-style implementation (6 decimals; owner, masterMinter with "
        "configureMinter(address,uint256) and minter allowances, mint by minters within allowance, "
        "blacklister blacklist/unBlacklist, pauser pause/unpause; all roles = the deployer) behind the "
        "zoo's EIP-1967 UpgradeableProxy (nonce 1; implementation nonce 0, zoo_details "
        "'implementation'), whose admin was changed to a separate account (zoo_details 'proxy_admin'). "
        "1e9 USD (1e15 units) minted to the deployer by itself as minter; 80 % pooled against 10 ETH.",
    ),
    "WardsToken": _entry(
        [OWNER_CAN_MINT],
        allowed=[OWNER_CAN_CHANGE_BALANCES],
        critical=False,
        benign=False,
        central=True,
        lp="burnt",
        notes="MakerDAO Dai style: wards mapping with rely/deny (the deployer is a ward), auth-guarded "
        "mint(address,uint256); burn(address,uint256) is open but needs the holder's allowance unless "
        "burning one's own tokens (no power over others' balances).",
    ),
    "GovernanceToken": _entry(
        [OWNER_CAN_MINT],
        critical=False,
        benign=False,
        central=True,
        lp="burnt",
        notes="UNI style: `minter` (the deployer) may mint(address,uint256) only after mintingAllowedAfter "
        "(365 days after deployment), at most 2 % of totalSupply per mint and then not again for "
        "minimumTimeBetweenMints (365 days); setMinter by the minter. Minting reverts today.",
    ),
    "MultisigOwnedToken": _entry(
        [OWNER_CAN_MINT],
        critical=False,
        benign=False,
        central=True,
        lp="burnt",
        notes="Ownable token with an unlimited onlyOwner mint(address,uint256) whose owner is a "
        "SimpleTimelock (schedule/execute, minimum delay 2 days; zoo_details 'timelock', nonce 1) whose "
        "only proposer is a 2-of-3 SimpleMultisig (submit/confirm/execute; zoo_details 'multisig', "
        "nonce 0; signers: the deployer and two zoo accounts). The token is nonce 2.",
    ),
    # --- simulation artefacts: legitimate tokens that real wallets trade fine ---
    "SkipContractSender": _entry(
        [],
        critical=False,
        benign=True,
        lp="burnt",
        notes="No owner. Anti-bot: a transfer FROM an address with code (other than the pair and the router) "
        "silently moves nothing and returns true. Wallets (EOAs) buy, transfer and sell normally; a "
        "simulator that sells from a contract sees a failed sell (a false honeypot).",
    ),
    "SameBlockGuard": _entry(
        [],
        critical=False,
        benign=True,
        lp="burnt",
        notes="No owner. Anti-bot: when tx.origin has received tokens from the pair (bought) in this block, "
        "any further transfer it makes in the same block reverts. Real wallets buy and sell in "
        "different blocks; a buy-transfer-sell in one simulated call trips it (a false honeypot).",
    ),
    "HeavyRebase": _entry(
        [],
        critical=False,
        benign=True,
        lp="burnt",
        notes="No owner. Positive rebase (+0.1 %) run inside _transfer once 7200 blocks have passed since "
        "the last one: a loop over a storage array of every holder (~230: 225 airdropped by the deployer's "
        "multiTransfer at launch) writing each balance and a per-epoch checkpoint: ~6-8M gas, fits a "
        "30M block, not a 5M gas cap. Right after deployment transfers are cheap; at +7200 blocks a "
        "simulation with a small gas cap fails (a false honeypot).",
    ),
    "TimeDelayedHoneypot": _entry(
        [TIME_DELAYED_HONEYPOT],
        critical=True,
        benign=False,
        lp="kept",
        allowed=[HONEYPOT],
        notes="Launched last, with openTrading() (pair created and liquidity added by the contract, LP "
        "to the owner). Sells by non-excluded wallets work until block.timestamp >= launch + 600 s "
        "(50 blocks of 12 s), then revert. Right after the world is deployed sells still work: "
        "simulate at a later timestamp/block to see it.",
    ),
    "WrappedNative": _entry(
        [],
        critical=False,
        benign=True,
        lp="burnt",
        notes="WETH9-style wrapper (deposit/withdraw 1:1, totalSupply = contract balance), no owner. "
        "Pool: 5 WZETH against 5 ETH, LP burnt.",
    ),
}


# --- accounts -------------------------------------------------------------------------------------


def zoo_account(label: str) -> str:
    """A fixed address derived from a label; nobody has its key, anvil impersonates it."""
    return to_checksum_address(keccak(text=f"moneygrow.zoo.{label}")[12:])


def create_address(sender: str, nonce: int) -> str:
    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])


RETAIL_BUYERS = (zoo_account("retail-1"), zoo_account("retail-2"))
FEE_WALLET = zoo_account("FeeToken.fee-wallet")


class _Actor:
    """An impersonated account sending transactions through anvil."""

    def __init__(self, w3: Web3, rpc_url: str, address: str, *, fund: bool = True) -> None:
        self.w3, self.url, self.address = w3, rpc_url, address
        if fund:  # not for an anvil dev account: it has its own ETH
            _rpc(rpc_url, "anvil_setBalance", [address, hex(DEPLOYER_BALANCE)])
        _rpc(rpc_url, "anvil_impersonateAccount", [address])

    def send(self, to: str | None, data: str, value: int = 0, gas: int | None = None) -> dict[str, Any]:
        # A fixed gas limit: anvil's estimate for router swaps came out too low (out of gas inside the
        # pair's swap); a fixed limit also saves the estimation round trip.
        gas = gas or (TX_GAS_DEPLOY if to is None else TX_GAS)
        tx: dict[str, Any] = {"from": self.address, "data": data, "value": hex(value), "gas": hex(gas)}
        if to is not None:
            tx["to"] = to
        tx_hash = _rpc(self.url, "eth_sendTransaction", [tx], timeout=10.0)
        receipt = dict(self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10, poll_latency=0.02))
        if receipt["status"] != 1:
            raise RuntimeError(f"{self.address}: transaction {tx_hash} reverted")
        return receipt

    def deploy(self, artefact: str, *args: Any) -> str:
        art = load_artifact(artefact)
        data = (
            self.w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
            .constructor(*args)
            .data_in_transaction
        )
        receipt = self.send(None, data)
        return to_checksum_address(receipt["contractAddress"])

    def call(
        self,
        address: str,
        abi: list[dict[str, Any]],
        fn: str,
        *args: Any,
        value: int = 0,
        gas: int | None = None,
    ) -> None:
        data = self.w3.eth.contract(address=to_checksum_address(address), abi=abi).encode_abi(
            fn, args=list(args)
        )
        self.send(address, data, value, gas)

    def close(self) -> None:
        _rpc(self.url, "anvil_stopImpersonatingAccount", [self.address])


def _router_abi() -> list[dict[str, Any]]:
    return uniswap_abi("UniswapV2Router02")


def _add_liquidity(
    owner: _Actor,
    token: str,
    abi: list[dict[str, Any]],
    tokens: int,
    eth: int,
    lp: str,
    router: str = ROUTER,
) -> None:
    owner.call(token, abi, "approve", router, tokens)
    lp_to = DEAD if lp == "burnt" else owner.address
    owner.call(router, _router_abi(), "addLiquidityETH", token, tokens, 0, 0, lp_to, DEADLINE, value=eth)


def _retail_buys(
    w3: Web3, rpc_url: str, token: str, router: str = ROUTER, path: list[str] | None = None
) -> None:
    """Two retail wallets buy with native coin (through `path`, default wrapped native -> token)."""
    for buyer, wei in zip(RETAIL_BUYERS, RETAIL_BUYS_WEI, strict=True):
        actor = _Actor(w3, rpc_url, buyer)
        actor.call(
            router,
            _router_abi(),
            "swapExactETHForTokensSupportingFeeOnTransferTokens",
            0,
            path or [WETH, token],
            buyer,
            DEADLINE,
            value=wei,
        )
        actor.close()


# --- launches: (owner, w3, url) -> details; the token must be the owner's first contract (nonce 0) --


def _standard_launch(
    artefact: str, name: str, symbol: str, *, extra_args: tuple[Any, ...] = (), lp: str
) -> Callable[[_Actor], dict[str, Any]]:
    def launch(owner: _Actor) -> dict[str, Any]:
        token = owner.deploy(artefact, name, symbol, SUPPLY, *extra_args)
        _add_liquidity(owner, token, load_artifact(artefact)["abi"], LIQUIDITY_TOKENS, LIQUIDITY_ETH, lp)
        _retail_buys(owner.w3, owner.url, token)
        return {"address": token}

    return launch


def _then(
    launch: Callable[[_Actor], dict[str, Any]], fn: str, *args: Any, artefact: str
) -> Callable[[_Actor], dict[str, Any]]:
    """A standard launch followed by one owner call that sets the trap."""

    def launch_and_configure(owner: _Actor) -> dict[str, Any]:
        details = launch(owner)
        owner.call(details["address"], load_artifact(artefact)["abi"], fn, *args)
        return details

    return launch_and_configure


def _launch_trading_toggle(owner: _Actor) -> dict[str, Any]:
    abi = load_artifact("TradingToggle")["abi"]
    token = owner.deploy("TradingToggle", "Toggle Inu", "TOGGLE", SUPPLY)
    _add_liquidity(owner, token, abi, LIQUIDITY_TOKENS, LIQUIDITY_ETH, "kept")  # owner is excluded
    owner.call(token, abi, "enableTrading")
    _retail_buys(owner.w3, owner.url, token)
    return {"address": token}


def _launch_proxy(owner: _Actor) -> dict[str, Any]:
    v1 = owner.deploy("UpgradeableTokenV1")
    v2 = owner.deploy("UpgradeableTokenV2")
    v1_abi = load_artifact("UpgradeableTokenV1")["abi"]
    init = owner.w3.eth.contract(abi=v1_abi).encode_abi(
        "initialize", args=["Proxy Finance", "PROXY", SUPPLY, owner.address]
    )
    proxy = owner.deploy("UpgradeableProxy", v1, init)
    _add_liquidity(owner, proxy, v1_abi, LIQUIDITY_TOKENS, LIQUIDITY_ETH, "burnt")
    _retail_buys(owner.w3, owner.url, proxy)
    return {"address": proxy, "implementation": v1, "malicious_implementation": v2}


def _launch_time_delayed(owner: _Actor) -> dict[str, Any]:
    token = owner.deploy("TimeDelayedHoneypot", "Slow Rug", "SLOW", SUPPLY, 80)
    owner.call(token, load_artifact("TimeDelayedHoneypot")["abi"], "openTrading", value=LIQUIDITY_ETH)
    _retail_buys(owner.w3, owner.url, token)
    return {"address": token}


def _launch_wrapped_native(owner: _Actor) -> dict[str, Any]:
    abi = load_artifact("WrappedNative")["abi"]
    token = owner.deploy("WrappedNative")
    owner.call(token, abi, "deposit", value=10 * E18)
    _add_liquidity(owner, token, abi, 5 * E18, 5 * E18, "burnt")
    return {"address": token}


# Privileged accounts that are not the deployer (fixed labels: the idempotent path recomputes them).
ASSEMBLY_MINT_MARKETING = zoo_account("AssemblyMint.marketing")
HARDCODED_ADMIN = zoo_account("HardcodedAdmin.admin")
FIAT_PROXY_ADMIN = zoo_account("FiatStablecoin.proxy-admin")
FIAT_DECIMALS = 6
FIAT_SUPPLY = 1_000_000_000 * 10**FIAT_DECIMALS
MULTISIG_SIGNERS = (zoo_account("MultisigOwnedToken.signer-2"), zoo_account("MultisigOwnedToken.signer-3"))
HEAVY_REBASE_AIRDROP = 225  # holders written at launch: the rebase loop then costs ~7M gas
HEAVY_REBASE_GAS = 25_000_000


def _launch_external_gate(owner: _Actor) -> dict[str, Any]:
    gate = owner.deploy("TransferGate")  # nonce 0
    token = owner.deploy("ExternalGate", "Gate Keeper", "GATE", SUPPLY, gate)  # nonce 1
    owner.call(gate, load_artifact("TransferGate")["abi"], "setPair", _pair(owner.w3, token))
    _add_liquidity(
        owner, token, load_artifact("ExternalGate")["abi"], LIQUIDITY_TOKENS, LIQUIDITY_ETH, "kept"
    )
    _retail_buys(owner.w3, owner.url, token)
    return {"address": token}


def _launch_fiat_stablecoin(owner: _Actor) -> dict[str, Any]:
    abi = load_artifact("FiatStablecoin")["abi"]
    impl = owner.deploy("FiatStablecoin")  # nonce 0
    init = owner.w3.eth.contract(abi=abi).encode_abi(
        "initialize",
        # masterMinter, pauser, blacklister and owner: the deployer
        args=["Zoo USD Coin", "ZUSDC", "USD", FIAT_DECIMALS, *(owner.address,) * 4],
    )
    proxy = owner.deploy("UpgradeableProxy", impl, init)  # nonce 1
    owner.call(proxy, load_artifact("UpgradeableProxy")["abi"], "changeAdmin", FIAT_PROXY_ADMIN)
    owner.call(proxy, abi, "configureMinter", owner.address, FIAT_SUPPLY)
    owner.call(proxy, abi, "mint", owner.address, FIAT_SUPPLY)
    _add_liquidity(owner, proxy, abi, FIAT_SUPPLY * 80 // 100, LIQUIDITY_ETH, "burnt")
    _retail_buys(owner.w3, owner.url, proxy)
    return {"address": proxy}


def _launch_multisig_owned(owner: _Actor) -> dict[str, Any]:
    multisig = owner.deploy("SimpleMultisig", [owner.address, *MULTISIG_SIGNERS])  # nonce 0
    timelock = owner.deploy("SimpleTimelock", multisig)  # nonce 1
    token = owner.deploy("MultisigOwnedToken", "Council Token", "COUNCIL", SUPPLY)  # nonce 2
    abi = load_artifact("MultisigOwnedToken")["abi"]
    _add_liquidity(owner, token, abi, LIQUIDITY_TOKENS, LIQUIDITY_ETH, "burnt")
    _retail_buys(owner.w3, owner.url, token)
    owner.call(token, abi, "transferOwnership", timelock)
    return {"address": token}


def _heavy_rebase_holders() -> list[str]:
    return [zoo_account(f"HeavyRebase.holder-{i}") for i in range(HEAVY_REBASE_AIRDROP)]


def _launch_heavy_rebase(owner: _Actor) -> dict[str, Any]:
    details = _standard_launch("HeavyRebase", "Heavy Rebase", "HEAVY", lp="burnt")(owner)
    abi = load_artifact("HeavyRebase")["abi"]
    holders = _heavy_rebase_holders()
    owner.call(details["address"], abi, "multiTransfer", holders, 100_000 * E18, gas=HEAVY_REBASE_GAS)
    return details


def _extra_details(name: str, deployer: str) -> dict[str, Any]:
    """Addresses around a token (helper contracts, privileged accounts): the same on the launch and on
    the idempotent path (they are fixed labels or the deployer's earlier contracts)."""
    match name:
        case "UpgradeableProxy":
            return {
                "implementation": create_address(deployer, 0),
                "malicious_implementation": create_address(deployer, 1),
            }
        case "AssemblyMint":
            return {"privileged": ASSEMBLY_MINT_MARKETING}
        case "HardcodedAdmin":
            return {"privileged": HARDCODED_ADMIN}
        case "ExternalGate":
            return {"gate": create_address(deployer, 0)}
        case "FiatStablecoin":
            return {"implementation": create_address(deployer, 0), "proxy_admin": FIAT_PROXY_ADMIN}
        case "MultisigOwnedToken":
            return {
                "multisig": create_address(deployer, 0),
                "timelock": create_address(deployer, 1),
                "signers": [deployer, *MULTISIG_SIGNERS],
            }
    return {}


LAUNCHES: dict[str, Callable[[_Actor], dict[str, Any]]] = {
    "PlainToken": _standard_launch("PlainToken", "Plain Token", "PLAIN", lp="burnt"),
    "FeeToken": _standard_launch("FeeToken", "Fee Token", "FEE", extra_args=(FEE_WALLET,), lp="burnt"),
    "HighSellTax": _then(
        _standard_launch("HighSellTax", "Moon Tax", "MTAX", lp="kept"),
        "setFees",
        0,
        99,
        artefact="HighSellTax",
    ),
    "Honeypot": _standard_launch("Honeypot", "Honey Pot", "HONEY", lp="kept"),
    "BlacklistAfterBuy": _standard_launch("BlacklistAfterBuy", "Sniper Shield", "SNIPE", lp="kept"),
    "Mintable": _standard_launch("Mintable", "Mint Machine", "MINTY", lp="kept"),
    "Pausable": _standard_launch("Pausable", "Pause Coin", "PAUSE", lp="kept"),
    "MaxTxTrap": _then(
        _standard_launch("MaxTxTrap", "Whale Guard", "WGUARD", lp="kept"),
        "setLimits",
        SUPPLY // 50,
        0,
        artefact="MaxTxTrap",
    ),
    "TradingToggle": _launch_trading_toggle,
    "UpgradeableProxy": _launch_proxy,
    "HiddenOwner": _then(
        _standard_launch("HiddenOwner", "Safe Galaxy", "SGALAXY", lp="burnt"),
        "lock",
        0,
        artefact="HiddenOwner",
    ),
    "WrappedNative": _launch_wrapped_native,
    "DisguisedMint": _standard_launch("DisguisedMint", "Reward Sync", "RSYNC", lp="kept"),
    "AssemblyMint": _then(
        _standard_launch(
            "AssemblyMint", "Balance Finance", "BAL", extra_args=(ASSEMBLY_MINT_MARKETING,), lp="kept"
        ),
        "renounceOwnership",
        artefact="AssemblyMint",
    ),
    "LeakSync": _standard_launch("LeakSync", "Sync Protocol", "SYNCP", lp="kept"),
    "LeakBurn": _standard_launch("LeakBurn", "Reward Burn", "RBURN", lp="kept"),
    "UnderscoreBlacklist": _standard_launch("UnderscoreBlacklist", "Under Score", "UNDER", lp="kept"),
    "SellCap": _standard_launch("SellCap", "Cap Guard", "CAPG", lp="kept"),
    "FeeRatio": _standard_launch("FeeRatio", "Ratio Token", "RATIO", lp="kept"),
    "OperatorRole": _then(
        _standard_launch("OperatorRole", "Operator Bridge", "OPB", lp="kept"),
        "renounceOwnership",
        artefact="OperatorRole",
    ),
    "HardcodedAdmin": _then(
        _standard_launch("HardcodedAdmin", "Vesting Vault", "VEST", extra_args=(HARDCODED_ADMIN,), lp="kept"),
        "renounceOwnership",
        artefact="HardcodedAdmin",
    ),
    "ExternalGate": _launch_external_gate,
    "MislabelledBurn": _standard_launch("MislabelledBurn", "Deflation Burn", "DBURN", lp="kept"),
    "RolePresetToken": _standard_launch("RolePresetToken", "Preset Token", "PRESET", lp="burnt"),
    "FiatStablecoin": _launch_fiat_stablecoin,
    "WardsToken": _standard_launch("WardsToken", "Wards Dai", "WDAI", lp="burnt"),
    "GovernanceToken": _standard_launch("GovernanceToken", "Zoo Governance", "ZGOV", lp="burnt"),
    "MultisigOwnedToken": _launch_multisig_owned,
    "SkipContractSender": _standard_launch("SkipContractSender", "No Bots", "NOBOT", lp="burnt"),
    "SameBlockGuard": _standard_launch("SameBlockGuard", "Block Guard", "BGUARD", lp="burnt"),
    "HeavyRebase": _launch_heavy_rebase,
    # Last: its clock starts at launch, so as few blocks as possible pass before the tests run.
    "TimeDelayedHoneypot": _launch_time_delayed,
}
# The nonce of the token contract in its deployer's account (the proxy follows its two implementations;
# ExternalGate follows its gate, FiatStablecoin's proxy its implementation, MultisigOwnedToken its
# multisig and timelock).
TOKEN_NONCE = {"UpgradeableProxy": 2, "ExternalGate": 1, "FiatStablecoin": 1, "MultisigOwnedToken": 2}


def _pair(w3: Web3, token: str) -> str:
    factory = w3.eth.contract(address=FACTORY, abi=uniswap_abi("UniswapV2Factory"))
    return str(factory.functions.getPair(token, WETH).call())


def deploy_zoo_detailed(rpc_url: str) -> dict[str, dict[str, Any]]:
    """Launch every zoo token (see the module docstring); needs deploy_dex first. Idempotent.

    Returns {name: {"address", "pair", "deployer", "lp", ...extras}}; UpgradeableProxy adds
    "implementation" and "malicious_implementation", TimeDelayedHoneypot "launched_at" (timestamp)
    and "sells_revert_from" (timestamp); the others see _extra_details ("privileged": the account
    holding the power when it is not the deployer, "gate", "implementation", "proxy_admin",
    "multisig", "timelock", "signers").
    """
    w3 = _web3(rpc_url)
    if len(bytes(w3.eth.get_code(ROUTER))) == 0:
        raise RuntimeError("no Uniswap V2 router at its canonical address: run devstack.dex.deploy_dex first")
    out: dict[str, dict[str, Any]] = {}
    for name, launch in LAUNCHES.items():
        deployer = zoo_account(f"{name}.deployer")
        token = create_address(deployer, TOKEN_NONCE.get(name, 0))
        details: dict[str, Any]
        if len(bytes(w3.eth.get_code(token))) == 0:
            owner = _Actor(w3, rpc_url, deployer)
            try:
                details = launch(owner)
            finally:
                owner.close()
            if details["address"] != token:
                raise RuntimeError(f"{name} landed at {details['address']}, expected {token}")
        else:
            details = {"address": token}
        details |= _extra_details(name, deployer)
        if name == "TimeDelayedHoneypot":
            launched = _launch_timestamp(w3, token)
            details |= {"launched_at": launched, "sells_revert_from": launched + SELL_WINDOW_S}
        out[name] = {**details, "pair": _pair(w3, token), "deployer": deployer, "lp": ZOO[name]["lp"]}
    return out


def _launch_timestamp(w3: Web3, token: str) -> int:
    """TimeDelayedHoneypot's private _launchedAt, read from storage."""
    # Layout: ERC20 _balances 0, _allowances 1, _totalSupply 2, _name 3, _symbol 4; Ownable _owner 5;
    # TimeDelayedHoneypot uniswapV2Pair + tradingOpen packed in 6, _launchedAt 7, _isExcluded 8.
    return int.from_bytes(bytes(w3.eth.get_storage_at(token, 7)), "big")


def deploy_zoo(rpc_url: str) -> dict[str, str]:
    """Launch the zoo (idempotent); returns {token name: address} for every name in ZOO."""
    return {name: d["address"] for name, d in deploy_zoo_detailed(rpc_url).items()}


# --- other networks -------------------------------------------------------------------------------

BSC = NETWORKS[Chain.BSC]

# Tokens launched on another network's DEX (all networks share the one anvil). Same fields as ZOO,
# plus "chain": analyse them with that chain. Kept apart from ZOO, whose tokens are all on ethereum.
ZOO_OTHER_CHAINS: dict[str, dict[str, Any]] = {
    "PancakeHoneypot": {
        **_entry(
            [HONEYPOT],
            critical=True,
            benign=False,
            lp="kept",
            allowed=[OWNER_CAN_BLACKLIST],
            notes="Honeypot.sol with the PancakeSwap V2 router hard-coded: pair against WBNB on the "
            "local PancakeSwap factory (Uniswap's code and init-code hash), 10 BNB of liquidity. "
            "Sells revert unless allow-listed. No pair on the ethereum DEX.",
        ),
        "chain": "bsc",
    },
    "UsdtPairedToken": {
        **_entry(
            [],
            critical=False,
            benign=True,
            lp="burnt",
            notes="PlainToken paired only with BSC USDT (0x55d3...7955) on PancakeSwap: $30,000 of USDT "
            "against 80 % of the supply, LP burnt; retail bought through WBNB -> USDT -> token. No "
            "WBNB pair: liquidity and price must come from the stablecoin pair.",
        ),
        "chain": "bsc",
    },
}


def _launch_pancake_honeypot(owner: _Actor) -> dict[str, Any]:
    token = owner.deploy("PancakeHoneypot", "Pancake Honey", "PHONEY", SUPPLY)
    abi = load_artifact("PancakeHoneypot")["abi"]
    _add_liquidity(owner, token, abi, LIQUIDITY_TOKENS, LIQUIDITY_ETH, "kept", router=BSC.dex.router)
    _retail_buys(owner.w3, owner.url, token, BSC.dex.router, [BSC.wrapped_native, token])
    return {"address": token, "quote": BSC.wrapped_native}


def _launch_usdt_paired(owner: _Actor) -> dict[str, Any]:
    usdt = to_checksum_address(BSC.stablecoins["USDT"])
    usdt_amount = 30_000 * E18  # BSC USDT has 18 decimals
    token = owner.deploy("PlainToken", "Tether Paired", "TPAIR", SUPPLY)
    coin_abi = load_artifact("LocalStablecoin")["abi"]
    owner.call(usdt, coin_abi, "mint", owner.address, usdt_amount)
    owner.call(usdt, coin_abi, "approve", BSC.dex.router, usdt_amount)
    owner.call(token, load_artifact("PlainToken")["abi"], "approve", BSC.dex.router, LIQUIDITY_TOKENS)
    owner.call(
        BSC.dex.router,
        _router_abi(),
        "addLiquidity",
        token,
        usdt,
        LIQUIDITY_TOKENS,
        usdt_amount,
        0,
        0,
        DEAD,
        DEADLINE,
    )
    _retail_buys(owner.w3, owner.url, token, BSC.dex.router, [BSC.wrapped_native, usdt, token])
    return {"address": token, "quote": usdt}


OTHER_CHAIN_LAUNCHES: dict[str, Callable[[_Actor], dict[str, Any]]] = {
    "PancakeHoneypot": _launch_pancake_honeypot,
    "UsdtPairedToken": _launch_usdt_paired,
}
OTHER_CHAIN_QUOTES = {  # what each is paired with
    "PancakeHoneypot": to_checksum_address(BSC.wrapped_native),
    "UsdtPairedToken": to_checksum_address(BSC.stablecoins["USDT"]),
}
if set(LAUNCHES) != set(ZOO) or set(OTHER_CHAIN_LAUNCHES) != set(ZOO_OTHER_CHAINS) != set(OTHER_CHAIN_QUOTES):
    raise RuntimeError("every zoo token needs a launch and an expectation")


def deploy_zoo_other_chains(rpc_url: str) -> dict[str, dict[str, Any]]:
    """Launch ZOO_OTHER_CHAINS (needs deploy_dex and, for UsdtPairedToken's buys, seed_stable_pools).
    Returns {name: {"address", "chain", "pair", "quote", "deployer", "lp"}}. Idempotent."""
    w3 = _web3(rpc_url)
    out: dict[str, dict[str, Any]] = {}
    for name, launch in OTHER_CHAIN_LAUNCHES.items():
        deployer = zoo_account(f"{name}.deployer")
        token = create_address(deployer, 0)
        if len(bytes(w3.eth.get_code(token))) == 0:
            owner = _Actor(w3, rpc_url, deployer)
            try:
                details = launch(owner)
            finally:
                owner.close()
        else:
            details = {"address": token, "quote": OTHER_CHAIN_QUOTES[name]}
        net = NETWORKS[Chain(ZOO_OTHER_CHAINS[name]["chain"])]
        factory = w3.eth.contract(
            address=to_checksum_address(net.dex.factory), abi=uniswap_abi("UniswapV2Factory")
        )
        pair = str(factory.functions.getPair(token, details["quote"]).call())
        out[name] = {
            **details,
            "chain": ZOO_OTHER_CHAINS[name]["chain"],
            "pair": pair,
            "deployer": deployer,
            "lp": ZOO_OTHER_CHAINS[name]["lp"],
        }
    return out


# --- bad input -------------------------------------------------------------------------------------

EDGE_CASES = {
    "eoa": "a wallet (no code) holding 1 ETH",
    "not_erc20": "a contract that is not a token: the Uniswap V2 factory (ethereum addresses)",
    "self_destructed": "the address of a contract that self-destructed in its creation transaction "
    "(EIP-6780): no code left, as for a destroyed contract on mainnet",
    "no_pair": "a plain ERC-20 (PlainToken) that was never given liquidity: no pair on any DEX",
}


def deploy_edge_cases(rpc_url: str) -> dict[str, str]:
    """Addresses for the scanner's bad-input cases (EDGE_CASES); idempotent."""
    w3 = _web3(rpc_url)
    eoa = zoo_account("edge.eoa")
    if w3.eth.get_balance(eoa) == 0:
        _rpc(rpc_url, "anvil_setBalance", [eoa, hex(E18)])
    out = {"eoa": eoa, "not_erc20": FACTORY}
    # Init code CALLER SELFDESTRUCT (0x33ff): created and destroyed in one transaction.
    for key, label, build in (
        ("self_destructed", "edge.self-destructed.deployer", lambda a: a.send(None, "0x33ff")),
        ("no_pair", "edge.no-pair.deployer", lambda a: a.deploy("PlainToken", "No Pair", "NOPAIR", SUPPLY)),
    ):
        deployer = zoo_account(label)
        if w3.eth.get_transaction_count(deployer) == 0:
            actor = _Actor(w3, rpc_url, deployer)
            try:
                build(actor)
            finally:
                actor.close()
        out[key] = create_address(deployer, 0)
    return out


# --- DemoToken's launch -----------------------------------------------------------------------------

DEMO_POOL_TOKENS = 600_000 * E18  # 60 % of DemoToken's supply...
DEMO_POOL_NATIVE = 100 * E18  # ...against 100 ETH ($300,000 at devstack.dex.NATIVE_USD_CENTS)


def launch_demo_token(rpc_url: str, token: str, deployer: str) -> str:
    """DemoToken's launch on the ethereum network's Uniswap V2 (needs deploy_dex first): the deployer
    (an unlocked anvil account) pools DEMO_POOL_TOKENS against DEMO_POOL_NATIVE and burns the LP
    tokens, so the honest demo has locked liquidity and a deployer left with ~15 % of the supply, as
    a fair launch would. Idempotent: a pool that already has reserves is left alone. Returns the pair.
    """
    w3 = _web3(rpc_url)
    pair = _pair(w3, token)
    if int(pair, 16) != 0:
        reserves = w3.eth.contract(address=pair, abi=uniswap_abi("UniswapV2Pair")).functions.getReserves()
        if reserves.call()[0] > 0:
            return pair
    owner = _Actor(w3, rpc_url, deployer, fund=False)
    try:
        abi = load_artifact("DemoToken")["abi"]
        _add_liquidity(owner, token, abi, DEMO_POOL_TOKENS, DEMO_POOL_NATIVE, "burnt")
    finally:
        owner.close()
    return _pair(w3, token)


# --- the whole local world --------------------------------------------------------------------------


def deploy_world(rpc_url: str, out_path: str | Path | None = None) -> dict[str, Any]:
    """The complete local chain world: the demo tokens (deploy_demo_tokens, anvil account 0 at nonces
    0 and 1 - unchanged addresses), the DEX at every network's canonical addresses (deploy_dex),
    DemoToken's pool with burnt LP (launch_demo_token, key "DemoTokenPair") and the zoo
    (deploy_zoo_detailed). Idempotent. Writes everything as JSON to `out_path` when given:
    the demo keys as before (DemoToken, ScamToken, deployer, chain_id, rpc_url) plus "dex",
    "stable_pools" (devstack.dex.seed_stable_pools: native/USD pools on every network), "edge_cases"
    (deploy_edge_cases), "zoo" ({name: address}), "zoo_details", "zoo_other_chains"
    (deploy_zoo_other_chains: tokens on the local PancakeSwap) and "deploy_seconds".
    """
    timings: dict[str, float] = {}
    started = time.monotonic()
    demo = deploy_demo_tokens(rpc_url)
    timings["demo_tokens"] = time.monotonic() - started
    step = time.monotonic()
    dex = deploy_dex(rpc_url)
    timings["dex"] = time.monotonic() - step
    step = time.monotonic()
    demo["DemoTokenPair"] = launch_demo_token(rpc_url, demo["DemoToken"], demo["deployer"])
    timings["demo_pool"] = time.monotonic() - step
    step = time.monotonic()
    pools = seed_stable_pools(rpc_url)
    timings["stable_pools"] = time.monotonic() - step
    step = time.monotonic()
    edge = deploy_edge_cases(rpc_url)
    timings["edge_cases"] = time.monotonic() - step
    step = time.monotonic()
    other = deploy_zoo_other_chains(rpc_url)
    timings["zoo_other_chains"] = time.monotonic() - step
    step = time.monotonic()
    details = deploy_zoo_detailed(rpc_url)  # last: TimeDelayedHoneypot's clock starts at its launch
    timings["zoo"] = time.monotonic() - step
    timings["total"] = time.monotonic() - started
    world: dict[str, Any] = {
        **demo,
        "dex": dex,
        "stable_pools": pools,
        "edge_cases": edge,
        "zoo": {name: d["address"] for name, d in details.items()},
        "zoo_details": details,
        "zoo_other_chains": other,
        "deploy_seconds": {k: round(v, 3) for k, v in timings.items()},
    }
    if out_path is not None:
        path = Path(out_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(world, indent=2) + "\n")
    return world
