"""A scripted market on the local chain: who is who is known, so the smart-money agent can be graded.

    from devstack.market import deploy_market
    market = deploy_market(rpc_url)   # needs devstack.dex.deploy_dex first; idempotent

Four tokens (ALPHA, BRAVO, CHARLIE, DELTA: PlainToken, 50 % of the supply against 20 ETH, LP burnt)
trade over eight rounds, ROUND_S apart:
1. three smart wallets buy each token first; a lucky wallet buys BRAVO first too;
2. a whale buys 8 ETH of ALPHA;
3-4. six retail wallets buy in two waves; an MEV bot sandwiches four of those buys (front-run, victim
   and back-run in one block, in that order);
5. the smart wallets sell ALPHA, BRAVO and CHARLIE near the top (and keep DELTA); the lucky one sells;
6. retail sells ALPHA and CHARLIE lower; three retail wallets deposit their ALPHA at an exchange's
   hot wallet (labelled `cex` in LOCAL_LABELS, as an explorer would tag it);
7. the whale exits ALPHA in two sells within the last day.
SYBIL: before its launch the deployer sends gas money to five wallets and to a hop that funds a sixth;
all six buy right after the launch, two of them sell later; two retail wallets buy too, one funded
with native coin by someone else (a control). QUIET: a token with no pool and no trade.

Every actor is a label-derived address (anvil impersonates it; balances set without transactions,
so the only native-coin transfers are the sybil funding and the control). `deploy_market` returns
the addresses and the ground truth ("smart", "not_smart", "sybils", ...).
"""

from __future__ import annotations

import time
from typing import Any

from eth_abi.abi import encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import Web3

from devstack.chain import E18, _rpc, _web3, load_artifact
from devstack.dex import uniswap_abi
from moneygrow.chain.networks import NETWORKS
from moneygrow.chains import Chain

NET = NETWORKS[Chain.ETHEREUM]
ROUTER, FACTORY, WETH = (
    to_checksum_address(a) for a in (NET.dex.router, NET.dex.factory, NET.wrapped_native)
)
SUPPLY = 1_000_000_000 * E18
POOL_TOKENS, POOL_ETH = SUPPLY // 2, 20 * E18
ROUND_S = 4 * 3600
DEADLINE = 2**40
GAS = 3_000_000
TRADED = ("ALPHA", "BRAVO", "CHARLIE", "DELTA")


def account(label: str) -> str:
    return to_checksum_address(keccak(text=f"moneygrow.market.{label}")[12:])


def _created(sender: str, nonce: int) -> str:
    import rlp

    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])


SMART = tuple(account(f"smart-{i}") for i in (1, 2, 3))
LUCKY = account("lucky")
WHALE = account("whale")
RETAIL = tuple(account(f"retail-{i}") for i in range(1, 7))
MEV = account("mev-bot")
CEX = account("exchange-hot-wallet")
SYBILS = tuple(account(f"sybil-{i}") for i in range(1, 7))
HOP = account("sybil-hop")
FUNDER = account("unrelated-funder")
CONTROL = account("retail-funded-elsewhere")
LOCAL_LABELS = ((CEX, "LocalEx: Hot Wallet 1", "cex"),)  # the local world's explorer tags


class _Chain:
    """Sends transactions as impersonated accounts; can hold several for one block."""

    def __init__(self, rpc_url: str) -> None:
        self.url = rpc_url
        self.w3: Web3 = _web3(rpc_url)
        self.router = self.w3.eth.contract(address=ROUTER, abi=uniswap_abi("UniswapV2Router02"))
        self.token_abi = load_artifact("PlainToken")["abi"]
        self.known: set[str] = set()
        self.approved: set[tuple[str, str]] = set()

    def actor(self, address: str, eth: int | None = 1_000 * E18) -> str:
        """Impersonate `address`, with `eth` set as its balance (None: keep what it was sent)."""
        if address not in self.known:
            if eth is not None:
                _rpc(self.url, "anvil_setBalance", [address, hex(eth)])
            _rpc(self.url, "anvil_impersonateAccount", [address])
            self.known.add(address)
        return address

    def send(
        self, sender: str, to: str | None, data: str, value: int = 0, gas_price: int | None = None
    ) -> str:
        tx: dict[str, Any] = {
            "from": self.actor(sender),
            "data": data,
            "value": hex(value),
            "gas": hex(GAS if to else 8_000_000),
        }
        if to is not None:
            tx["to"] = to
        if gas_price is not None:
            tx["gasPrice"] = hex(gas_price)
        return str(_rpc(self.url, "eth_sendTransaction", [tx], timeout=10.0))

    def wait(self, tx_hash: str) -> dict[str, Any]:
        for _ in range(500):
            receipt = _rpc(self.url, "eth_getTransactionReceipt", [tx_hash])
            if receipt is not None:
                if receipt["status"] != "0x1":
                    raise RuntimeError(f"market transaction {tx_hash} reverted")
                return dict(receipt)
            time.sleep(0.01)
        raise TimeoutError(tx_hash)

    def do(self, sender: str, to: str | None, data: str, value: int = 0) -> dict[str, Any]:
        return self.wait(self.send(sender, to, data, value))

    def next_round(self) -> None:
        head = self.w3.eth.get_block("latest")
        _rpc(self.url, "anvil_setNextBlockTimestamp", [int(head["timestamp"]) + ROUND_S])

    # --- token actions ---

    def launch(self, name: str, pool: bool = True) -> str:
        deployer = account(f"{name}.deployer")
        token = _created(deployer, 0)
        art = load_artifact("PlainToken")
        data = (
            art["bytecode"] + encode(["string", "string", "uint256"], [f"Market {name}", name, SUPPLY]).hex()
        )
        self.do(deployer, None, data)
        if pool:
            self.add_pool(name)
        return token

    def add_pool(self, name: str) -> None:
        deployer = account(f"{name}.deployer")
        token = _created(deployer, 0)
        self.approve(deployer, token)
        self.do(
            deployer,
            ROUTER,
            self.router.encode_abi(
                "addLiquidityETH",
                [token, POOL_TOKENS, 0, 0, "0x000000000000000000000000000000000000dEaD", DEADLINE],
            ),
            POOL_ETH,
        )

    def approve(self, owner: str, token: str) -> None:
        if (owner, token) not in self.approved:
            c = self.w3.eth.contract(address=token, abi=self.token_abi)
            self.do(owner, token, c.encode_abi("approve", [ROUTER, 2**256 - 1]))
            self.approved.add((owner, token))

    def buy_data(self, token: str, buyer: str) -> str:
        return self.router.encode_abi(
            "swapExactETHForTokensSupportingFeeOnTransferTokens", [0, [WETH, token], buyer, DEADLINE]
        )

    def buy(self, buyer: str, token: str, eth: int) -> None:
        self.do(buyer, ROUTER, self.buy_data(token, buyer), eth)

    def sell_data(self, token: str, seller: str, amount: int) -> str:
        return self.router.encode_abi(
            "swapExactTokensForETHSupportingFeeOnTransferTokens", [amount, 0, [token, WETH], seller, DEADLINE]
        )

    def balance(self, token: str, holder: str) -> int:
        return int(self.w3.eth.contract(address=token, abi=self.token_abi).functions.balanceOf(holder).call())

    def sell(self, seller: str, token: str, share: float = 1.0) -> None:
        amount = self.balance(token, seller) * round(share * 1000) // 1000  # integers: floats round up
        self.approve(seller, token)
        self.do(seller, ROUTER, self.sell_data(token, seller, amount))

    def transfer(self, sender: str, token: str, to: str, amount: int) -> None:
        c = self.w3.eth.contract(address=token, abi=self.token_abi)
        self.do(sender, token, c.encode_abi("transfer", [to, amount]))

    def sandwich(self, bot: str, victim: str, token: str, bot_eth: int, victim_eth: int) -> None:
        """Front-run, victim, back-run in one block (ordered by gas price)."""
        self.approve(bot, token)
        out = int(self.router.functions.getAmountsOut(bot_eth, [WETH, token]).call()[1])
        _rpc(self.url, "evm_setAutomine", [False])
        try:
            hashes = [
                self.send(bot, ROUTER, self.buy_data(token, bot), bot_eth, gas_price=30 * 10**9),
                self.send(victim, ROUTER, self.buy_data(token, victim), victim_eth, gas_price=20 * 10**9),
                self.send(bot, ROUTER, self.sell_data(token, bot, out), 0, gas_price=10 * 10**9),
            ]
            _rpc(self.url, "evm_mine", [])
        finally:
            _rpc(self.url, "evm_setAutomine", [True])
        indexes = [int(self.wait(h)["transactionIndex"], 16) for h in hashes]
        if indexes != sorted(indexes):
            raise RuntimeError(f"sandwich out of order: {indexes}")


def _world(tokens: dict[str, str]) -> dict[str, Any]:
    return {
        "tokens": tokens,
        "traded": {name: tokens[name] for name in TRADED},
        "smart": list(SMART),
        "not_smart": [LUCKY, WHALE, MEV, *RETAIL, *SYBILS, CONTROL],
        "lucky": LUCKY,
        "whale": WHALE,
        "whale_token": tokens["ALPHA"],
        "smart_holding_token": tokens["DELTA"],
        "retail": list(RETAIL),
        "mev_bot": MEV,
        "cex": CEX,
        "sybil_token": tokens["SYBIL"],
        "sybils": list(SYBILS),
        "sybil_hop": HOP,
        "sybil_control": CONTROL,
        "quiet_token": tokens["QUIET"],
        "labels": [list(x) for x in LOCAL_LABELS],
    }


def deploy_market(rpc_url: str) -> dict[str, Any]:
    """Run the script (see the module docstring) once per chain; returns the addresses and truth."""
    c = _Chain(rpc_url)
    names = (*TRADED, "SYBIL", "QUIET")
    tokens = {n: _created(account(f"{n}.deployer"), 0) for n in names}
    if len(bytes(c.w3.eth.get_code(tokens["QUIET"]))) > 0:
        return _world(tokens)  # already played on this chain
    if len(bytes(c.w3.eth.get_code(ROUTER))) == 0:
        raise RuntimeError("no Uniswap V2 router: run devstack.dex.deploy_dex first")
    for name in TRADED:
        c.launch(name)
    _early_rounds(c, tokens)
    c.next_round()  # 5: smart money takes profit near the top (keeps DELTA)
    for wallet in SMART:
        for name in ("ALPHA", "BRAVO", "CHARLIE"):
            c.sell(wallet, tokens[name])
    c.sell(LUCKY, tokens["BRAVO"])
    c.next_round()  # 6: retail sells lower; some deposit at the exchange
    for wallet in RETAIL[:3]:
        for name in ("ALPHA", "CHARLIE"):
            c.sell(wallet, tokens[name])
    for wallet in RETAIL[3:]:
        c.transfer(wallet, tokens["ALPHA"], CEX, c.balance(tokens["ALPHA"], wallet))
    _sybil_launch(c, tokens)
    c.next_round()  # 7: the whale leaves within the last day
    c.sell(WHALE, tokens["ALPHA"], 0.5)
    c.sell(WHALE, tokens["ALPHA"])
    c.launch("QUIET", pool=False)
    return _world(tokens)


def _early_rounds(c: _Chain, tokens: dict[str, str]) -> None:
    c.next_round()  # 1: smart money first (a different order per token), the lucky wallet on BRAVO
    for i, name in enumerate(TRADED):
        for wallet in SMART[i % 3 :] + SMART[: i % 3]:
            c.buy(wallet, tokens[name], E18)
        if name == "BRAVO":
            c.buy(LUCKY, tokens[name], E18)
    c.next_round()  # 2: the whale
    c.buy(WHALE, tokens["ALPHA"], 8 * E18)
    for buyers, victim_tokens in ((RETAIL[:3], ("ALPHA", "CHARLIE", "DELTA")), (RETAIL[3:], ("BRAVO",))):
        c.next_round()  # 3, 4: retail, partly sandwiched
        for name in TRADED:
            for k, wallet in enumerate(buyers):
                if k == 0 and name in victim_tokens:
                    c.sandwich(MEV, wallet, tokens[name], E18, 2 * E18)
                else:
                    c.buy(wallet, tokens[name], 2 * E18)


def _sybil_launch(c: _Chain, tokens: dict[str, str]) -> None:
    deployer = account("SYBIL.deployer")
    c.launch("SYBIL", pool=False)
    for wallet in SYBILS[:5]:  # gas money, before the launch
        c.do(deployer, wallet, "0x", E18)
    c.do(deployer, HOP, "0x", 2 * E18)
    c.do(c.actor(HOP, None), SYBILS[5], "0x", E18)
    c.do(c.actor(FUNDER), CONTROL, "0x", 3 * E18)
    for wallet in (*SYBILS, CONTROL):
        c.actor(wallet, None)  # impersonated only: their ETH is what they were sent
    c.add_pool("SYBIL")
    for wallet in SYBILS:
        c.buy(wallet, tokens["SYBIL"], E18 // 2)
    c.buy(CONTROL, tokens["SYBIL"], E18)
    c.buy(RETAIL[0], tokens["SYBIL"], E18)
    for wallet in SYBILS[:2]:
        c.sell(wallet, tokens["SYBIL"])


# --- a crowded token: 100,000 holders -----------------------------------------------------------------

CROWDED = account("crowded-token")
CROWDED_HOLDERS = 100_000
_PER_TX = 12_500  # Transfer logs per transaction (~24 M gas)
_TRANSFER = keccak(text="Transfer(address,address,uint256)")
# Runtime code: for i in [start, start + count) emit Transfer(0x0, address(i), 1); calldata =
# (start, count). Hand-assembled so the local world needs no compiler; it is a log source, not a token.
_CROWDED_CODE = (
    "600160005260003580602035015b80821015610048578160007f"
    + _TRANSFER.hex()
    + "60206000a390600101906100"
    + "0d565b00"
)


def deploy_crowded_token(rpc_url: str, holders: int = CROWDED_HOLDERS, blocks_between: int = 200) -> str:
    """A contract whose Transfer logs give `holders` distinct recipients, spread over many blocks (a
    token with a very large holder base, for the bounded-work checks). Idempotent."""
    if len(_rpc(rpc_url, "eth_getCode", [CROWDED, "latest"])) > 2:
        return CROWDED
    _rpc(rpc_url, "anvil_setCode", [CROWDED, "0x" + _CROWDED_CODE])
    c = _Chain(rpc_url)
    sender = account("crowded-airdropper")
    for start in range(0, holders, _PER_TX):
        data = "0x" + encode(["uint256", "uint256"], [0x10000 + start, min(_PER_TX, holders - start)]).hex()
        tx: dict[str, Any] = {"from": c.actor(sender), "to": CROWDED, "data": data, "gas": hex(29_000_000)}
        c.wait(str(_rpc(rpc_url, "eth_sendTransaction", [tx], timeout=30.0)))
        _rpc(rpc_url, "anvil_mine", [hex(blocks_between)])
    return CROWDED


# --- the dev stack's wallet registry ------------------------------------------------------------------

DEV_LABEL_CATEGORIES = frozenset({"cex", "bridge", "fund_or_market_maker", "mev_bot"})  # fast to seed


def play_market(rpc_url: str) -> dict[str, Any]:
    """The DEX (idempotent, no transaction) and the scripted market, for `make dev`. Run it before
    the zoo: the market moves the clock by days, and the zoo's timed traps count from their launch."""
    from devstack.dex import deploy_dex

    deploy_dex(rpc_url)
    return deploy_market(rpc_url)


def fill_registry(world: dict[str, Any], registry: Any, readers: Any, data_dir: str | None) -> str:
    """Seed the registry as the seed command would (the explorer labels when the data directory is
    there, plus the local world's own tags), track the market's tokens and run the registry job once.
    Returns a line for the banner."""
    from datetime import UTC, datetime

    from moneygrow.smartmoney import job
    from moneygrow.smartmoney.labels import Label, read_labels

    local = [Label(Chain.ETHEREUM, a, name, category) for a, name, category in world["labels"]]
    labels = list(read_labels(data_dir, DEV_LABEL_CATEGORIES)) if data_dir else []
    seeded = job.seed(registry, [*labels, *local])
    now = datetime.now(UTC)
    for token in world["tokens"].values():
        registry.track_token(Chain.ETHEREUM, token, now)
    report = job.refresh(registry, readers, now)
    return (
        f"{seeded} labels; {report['wallets_scored']} wallets scored from "
        f"{len(report['scanned'])} market tokens, "
        f"{report['smart_wallets']} smart"
    )
