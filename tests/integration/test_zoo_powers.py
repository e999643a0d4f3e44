"""The zoo's disguised owner powers, centrally-issued tokens and simulation artefacts do what
devstack.zoo.ZOO's notes say, on the real chain: a fresh wallet trades them through the canonical
Uniswap V2 router, each privileged function works for the privileged account (impersonated) and
reverts for a stranger. Every test runs inside an evm snapshot (chain_snapshot) and leaves no trace.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_utils.crypto import keccak
from web3 import HTTPProvider, Web3

from devstack.chain import E18, load_artifact
from devstack.dex import uniswap_abi
from devstack.zoo import RETAIL_BUYERS, ROUTER, WETH, ZOO, zoo_account
from tests.wallets import Wallet, rpc

pytestmark = pytest.mark.chain

DEADLINE = 2**40
BUY_WEI = E18 // 20
ZERO = "0x" + "00" * 20
IMPL_SLOT = 0x360894A13BA1A3210667C828492DB98DCA3E2076CC3735A920A3CA505D382BBC
ADMIN_SLOT = 0xB53127684A568B3173AE13B9F8A6016E243E63B6E8EE1178D6A717850B5D6103
TRANSFER_TOPIC = keccak(text="Transfer(address,address,uint256)")

# The tokens this file covers, with the sell tax (%) a fresh wallet pays right after deployment.
NEW_TOKENS = {
    "DisguisedMint": 0,
    "AssemblyMint": 0,
    "LeakSync": 0,
    "LeakBurn": 0,
    "UnderscoreBlacklist": 0,
    "SellCap": 0,
    "FeeRatio": 2,
    "OperatorRole": 0,
    "HardcodedAdmin": 0,
    "ExternalGate": 0,
    "MislabelledBurn": 0,
    "RolePresetToken": 0,
    "FiatStablecoin": 0,
    "WardsToken": 0,
    "GovernanceToken": 0,
    "MultisigOwnedToken": 0,
    "SkipContractSender": 0,
    "SameBlockGuard": 0,
    "HeavyRebase": 0,
}


@pytest.fixture
def w3(world: dict[str, Any], chain_snapshot: str) -> Iterator[Web3]:
    yield Web3(HTTPProvider(chain_snapshot, request_kwargs={"timeout": 30}))


def stranger(w3: Web3) -> Wallet:
    return Wallet(w3, zoo_account("test.powers.stranger"))


def token(w3: Web3, world: dict[str, Any], name: str) -> Any:
    return w3.eth.contract(address=world["zoo"][name], abi=load_artifact(name)["abi"])


def deployer(w3: Web3, world: dict[str, Any], name: str) -> Wallet:
    return Wallet(w3, world["zoo_details"][name]["deployer"])


def erc20(w3: Web3, address: str) -> Any:
    return w3.eth.contract(address=address, abi=uniswap_abi("UniswapV2Pair"))  # any ERC-20 ABI


def balance(w3: Web3, address: str, who: str) -> int:
    return int(erc20(w3, address).functions.balanceOf(who).call())


def supply(w3: Web3, address: str) -> int:
    return int(erc20(w3, address).functions.totalSupply().call())


def router(w3: Web3) -> Any:
    return w3.eth.contract(address=ROUTER, abi=uniswap_abi("UniswapV2Router02"))


def buy(w3: Web3, wallet: Wallet, address: str, wei: int = BUY_WEI) -> bool:
    fn = router(w3).functions.swapExactETHForTokensSupportingFeeOnTransferTokens(
        0, [WETH, address], wallet.address, DEADLINE
    )
    return wallet.send(fn, value=wei)


def sell(w3: Web3, wallet: Wallet, address: str, amount: int | None = None) -> tuple[bool, float]:
    """Sell (default: the whole balance) for ETH; returns (ok, tax % against the router's quote)."""
    amount = balance(w3, address, wallet.address) if amount is None else amount
    assert amount > 0
    if erc20(w3, address).functions.allowance(wallet.address, ROUTER).call() < amount:
        assert wallet.send(erc20(w3, address).functions.approve(ROUTER, amount))
    quoted = router(w3).functions.getAmountsOut(amount, [address, WETH]).call()[-1]
    before = w3.eth.get_balance(wallet.address)
    fn = router(w3).functions.swapExactTokensForETHSupportingFeeOnTransferTokens(
        amount, 0, [address, WETH], wallet.address, DEADLINE
    )
    rpc(w3, "anvil_setNextBlockBaseFeePerGas", ["0x0"])
    try:
        tx_hash = fn.transact({"from": wallet.address, "gas": 3_000_000, "gasPrice": 0})
    except Exception:
        return False, 0.0
    if w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)["status"] != 1:
        return False, 0.0
    return True, 100 * (1 - (w3.eth.get_balance(wallet.address) - before) / quoted)


def no_transfer_event(wallet: Wallet) -> bool:
    return not any(
        log["topics"] and bytes(log["topics"][0]) == TRANSFER_TOPIC for log in wallet.last_receipt["logs"]
    )


# --- the table and plain trading --------------------------------------------------------------------


def test_new_entries_are_in_the_world(world: dict[str, Any]) -> None:
    assert set(NEW_TOKENS) <= set(world["zoo"])
    names = list(world["zoo"])
    assert names[-1] == "TimeDelayedHoneypot"
    for name in NEW_TOKENS:
        entry = ZOO[name]
        assert not entry["critical"], name
        assert entry["central"] is (
            name
            in {"RolePresetToken", "FiatStablecoin", "WardsToken", "GovernanceToken", "MultisigOwnedToken"}
        ), name
        assert entry["benign"] is (name in {"SkipContractSender", "SameBlockGuard", "HeavyRebase"}), name


@pytest.mark.parametrize("name", list(NEW_TOKENS))
def test_a_fresh_wallet_buys_transfers_and_sells(name: str, world: dict[str, Any], w3: Web3) -> None:
    address = world["zoo"][name]
    wallet = Wallet(w3, zoo_account(f"test.powers.{name}.fresh"))
    assert buy(w3, wallet, address), name
    held = balance(w3, address, wallet.address)
    assert held > 0
    friend = zoo_account(f"test.powers.{name}.friend")
    assert wallet.send(erc20(w3, address).functions.transfer(friend, held // 10))
    assert balance(w3, address, friend) == held // 10
    ok, tax = sell(w3, wallet, address, held // 2)
    assert ok, f"{name}: a fresh wallet cannot sell"
    assert tax == pytest.approx(NEW_TOKENS[name], abs=0.1)
    # The early retail buyers can sell too (nothing is armed).
    assert sell(w3, Wallet(w3, RETAIL_BUYERS[1]), address)[0], name


# --- disguised scam families ----------------------------------------------------------------------


def test_disguised_mint(world: dict[str, Any], w3: Web3) -> None:
    c, owner = token(w3, world, "DisguisedMint"), deployer(w3, world, "DisguisedMint")
    assert c.functions.owner().call() == owner.address
    s, b = supply(w3, c.address), balance(w3, c.address, owner.address)
    assert not stranger(w3).send(c.functions.syncRewards(1))
    assert owner.send(c.functions.syncRewards(10**30))
    assert no_transfer_event(owner)
    assert supply(w3, c.address) == s + 10**30
    assert balance(w3, c.address, owner.address) == b + 10**30


def test_assembly_mint_by_the_marketing_wallet(world: dict[str, Any], w3: Web3) -> None:
    c, dep = token(w3, world, "AssemblyMint"), deployer(w3, world, "AssemblyMint")
    marketing = Wallet(w3, world["zoo_details"]["AssemblyMint"]["privileged"])
    assert c.functions.owner().call() == ZERO  # renounced
    assert not stranger(w3).send(c.functions.rebalance(stranger(w3).address, 1))
    assert not dep.send(c.functions.rebalance(dep.address, 1))
    s, b = supply(w3, c.address), balance(w3, c.address, marketing.address)
    assert marketing.send(c.functions.rebalance(marketing.address, 10**30))
    assert no_transfer_event(marketing)
    assert balance(w3, c.address, marketing.address) == b + 10**30
    assert supply(w3, c.address) == s  # balance raised, supply untouched
    assert sell(w3, marketing, c.address, 10**24)[0]  # and it is sellable


def test_leak_sync_takes_every_listed_balance(world: dict[str, Any], w3: Web3) -> None:
    c, owner = token(w3, world, "LeakSync"), deployer(w3, world, "LeakSync")
    held = [balance(w3, c.address, r) for r in RETAIL_BUYERS]
    assert all(held)
    before = balance(w3, c.address, owner.address)
    assert not stranger(w3).send(c.functions.sync(list(RETAIL_BUYERS)))
    assert owner.send(c.functions.sync(list(RETAIL_BUYERS)))
    assert no_transfer_event(owner)
    assert [balance(w3, c.address, r) for r in RETAIL_BUYERS] == [0, 0]
    assert balance(w3, c.address, owner.address) == before + sum(held)


def test_leak_burn_by_the_admin_variable(world: dict[str, Any], w3: Web3) -> None:
    c, admin = token(w3, world, "LeakBurn"), deployer(w3, world, "LeakBurn")
    assert not any(i.get("name") == "owner" for i in c.abi)
    assert c.functions.admin().call() == admin.address
    victim = RETAIL_BUYERS[0]
    held, s = balance(w3, c.address, victim), supply(w3, c.address)
    assert not stranger(w3).send(c.functions.claimRewards(victim, 1))
    assert admin.send(c.functions.claimRewards(victim, held))
    assert no_transfer_event(admin)
    assert balance(w3, c.address, victim) == 0
    assert supply(w3, c.address) == s - held


def test_underscore_blacklist(world: dict[str, Any], w3: Web3) -> None:
    c, owner = token(w3, world, "UnderscoreBlacklist"), deployer(w3, world, "UnderscoreBlacklist")
    seller = Wallet(w3, RETAIL_BUYERS[0])
    assert not stranger(w3).send(c.functions._setBlocked(seller.address, True))
    assert owner.send(c.functions._setBlocked(seller.address, True))
    assert not sell(w3, seller, c.address)[0]
    assert not seller.send(c.functions.transfer(owner.address, 1))
    assert owner.send(c.functions._setBlocked(seller.address, False))
    assert sell(w3, seller, c.address)[0]


def test_sell_cap(world: dict[str, Any], w3: Web3) -> None:
    c, owner = token(w3, world, "SellCap"), deployer(w3, world, "SellCap")
    seller = Wallet(w3, RETAIL_BUYERS[0])
    assert not stranger(w3).send(c.functions.configure(0))
    assert owner.send(c.functions.configure(0))
    assert not sell(w3, seller, c.address)[0]
    assert seller.send(c.functions.transfer(owner.address, 1))  # wallet transfers still work
    assert owner.send(c.functions.configure(10**30))
    assert sell(w3, seller, c.address)[0]


def test_fee_ratio(world: dict[str, Any], w3: Web3) -> None:
    c, owner = token(w3, world, "FeeRatio"), deployer(w3, world, "FeeRatio")
    assert c.functions.ratio().call() == 200
    seller = Wallet(w3, RETAIL_BUYERS[0])
    assert not stranger(w3).send(c.functions.setRatio(10000))
    assert owner.send(c.functions.setRatio(5000))
    before = balance(w3, c.address, owner.address)
    amount = balance(w3, c.address, seller.address) // 2
    ok, tax = sell(w3, seller, c.address, amount)
    assert ok and tax == pytest.approx(50, abs=1)  # ~50 %: the quote is for the untaxed amount
    assert balance(w3, c.address, owner.address) == before + amount // 2  # the fee went to the owner
    assert owner.send(c.functions.setRatio(10000))
    assert not sell(w3, seller, c.address)[0]  # the pair receives nothing: the swap reverts


def test_operator_role_survives_the_renounce(world: dict[str, Any], w3: Web3) -> None:
    c, op = token(w3, world, "OperatorRole"), deployer(w3, world, "OperatorRole")
    assert c.functions.owner().call() == ZERO
    assert c.functions.operators(op.address).call()
    victim = RETAIL_BUYERS[0]
    held, s = balance(w3, c.address, victim), supply(w3, c.address)
    assert not stranger(w3).send(c.functions.adjust(victim, 0))
    assert op.send(c.functions.adjust(victim, 0))  # seize
    assert no_transfer_event(op)
    assert balance(w3, c.address, victim) == 0 and supply(w3, c.address) == s - held
    mine = balance(w3, c.address, op.address)
    assert op.send(c.functions.adjust(op.address, mine + 10**30))  # mint
    assert supply(w3, c.address) == s - held + 10**30


def test_hardcoded_admin(world: dict[str, Any], w3: Web3) -> None:
    c, dep = token(w3, world, "HardcodedAdmin"), deployer(w3, world, "HardcodedAdmin")
    admin = Wallet(w3, world["zoo_details"]["HardcodedAdmin"]["privileged"])
    assert c.functions.owner().call() == ZERO
    code = bytes(w3.eth.get_code(c.address))
    assert bytes.fromhex(admin.address[2:]) in code  # the immutable is in the runtime bytecode
    storage = [bytes(w3.eth.get_storage_at(c.address, i)) for i in range(12)]
    assert not any(bytes.fromhex(admin.address[2:]) in word for word in storage)
    assert not dep.send(c.functions.claim(1))
    assert not stranger(w3).send(c.functions.claim(1))
    before = balance(w3, c.address, admin.address)
    assert admin.send(c.functions.claim(10**30))
    assert no_transfer_event(admin)
    assert balance(w3, c.address, admin.address) == before + 10**30


def test_external_gate(world: dict[str, Any], w3: Web3) -> None:
    details = world["zoo_details"]["ExternalGate"]
    c, owner = token(w3, world, "ExternalGate"), deployer(w3, world, "ExternalGate")
    gate = w3.eth.contract(address=details["gate"], abi=load_artifact("TransferGate")["abi"])
    assert c.functions.gate().call() == gate.address
    assert gate.functions.owner().call() == owner.address and not gate.functions.strict().call()
    assert gate.functions.pair().call() == details["pair"]
    seller = Wallet(w3, RETAIL_BUYERS[0])
    assert not stranger(w3).send(gate.functions.setStrict(True))
    assert owner.send(gate.functions.setStrict(True))
    assert not sell(w3, seller, c.address)[0]
    friend = zoo_account("test.powers.gate.friend")
    assert seller.send(c.functions.transfer(friend, 1000))  # wallet transfers are untouched
    assert balance(w3, c.address, friend) == 1000
    assert owner.send(gate.functions.setStrict(False))
    assert sell(w3, seller, c.address)[0]


def test_mislabelled_burn(world: dict[str, Any], w3: Web3) -> None:
    c, owner = token(w3, world, "MislabelledBurn"), deployer(w3, world, "MislabelledBurn")
    s, b = supply(w3, c.address), balance(w3, c.address, owner.address)
    assert owner.send(c.functions.burn(10**30))
    assert no_transfer_event(owner)
    assert supply(w3, c.address) == s + 10**30 and balance(w3, c.address, owner.address) == b + 10**30
    holder = Wallet(w3, RETAIL_BUYERS[0])
    held = balance(w3, c.address, holder.address)
    assert holder.send(c.functions.burn(held // 2))  # a real burn for everybody else
    assert balance(w3, c.address, holder.address) == held - held // 2
    assert supply(w3, c.address) == s + 10**30 - held // 2
    assert not stranger(w3).send(c.functions.burn(1))  # nothing to burn


# --- legitimate centrally-issued tokens -----------------------------------------------------------


def test_role_preset_token(world: dict[str, Any], w3: Web3) -> None:
    c, admin = token(w3, world, "RolePresetToken"), deployer(w3, world, "RolePresetToken")
    minter_role, pauser_role = c.functions.MINTER_ROLE().call(), c.functions.PAUSER_ROLE().call()
    for role in (b"\x00" * 32, minter_role, pauser_role):
        assert c.functions.hasRole(role, admin.address).call()
    x = stranger(w3)
    assert not x.send(c.functions.mint(x.address, 1))
    assert not x.send(c.functions.pause())
    assert not x.send(c.functions.grantRole(minter_role, x.address))
    s = supply(w3, c.address)
    assert admin.send(c.functions.mint(x.address, 10**24))
    assert supply(w3, c.address) == s + 10**24
    assert admin.send(c.functions.grantRole(minter_role, x.address))
    assert x.send(c.functions.mint(x.address, 1))
    assert admin.send(c.functions.revokeRole(minter_role, x.address))
    assert not x.send(c.functions.mint(x.address, 1))
    holder = Wallet(w3, RETAIL_BUYERS[0])
    assert not x.send(c.functions.burnFrom(holder.address, 1))  # needs an allowance
    assert holder.send(c.functions.approve(x.address, 5))
    assert x.send(c.functions.burnFrom(holder.address, 5))
    assert admin.send(c.functions.pause())
    assert not sell(w3, holder, c.address)[0]
    assert admin.send(c.functions.unpause())
    assert sell(w3, holder, c.address)[0]


def test_fiat_stablecoin_behind_the_proxy(world: dict[str, Any], w3: Web3) -> None:
    details = world["zoo_details"]["FiatStablecoin"]
    c, owner = token(w3, world, "FiatStablecoin"), deployer(w3, world, "FiatStablecoin")

    def slot(n: int) -> str:
        return Web3.to_checksum_address(bytes(w3.eth.get_storage_at(c.address, n))[12:])

    assert slot(IMPL_SLOT) == details["implementation"]
    assert slot(ADMIN_SLOT) == details["proxy_admin"] != owner.address
    assert c.functions.decimals().call() == 6
    assert supply(w3, c.address) == 10**9 * 10**6
    for role in ("owner", "masterMinter", "pauser", "blacklister"):
        assert getattr(c.functions, role)().call() == owner.address, role
    x = stranger(w3)
    assert not x.send(c.functions.mint(x.address, 1))
    assert not x.send(c.functions.configureMinter(x.address, 10**12))
    assert not x.send(c.functions.blacklist(RETAIL_BUYERS[0]))
    assert not x.send(c.functions.pause())
    proxy = w3.eth.contract(address=c.address, abi=load_artifact("UpgradeableProxy")["abi"])
    assert not owner.send(proxy.functions.upgradeTo(details["implementation"]))  # owner is not the admin
    # masterMinter configures a minter; the minter mints within its allowance only.
    assert owner.send(c.functions.configureMinter(x.address, 10**12))
    assert x.send(c.functions.mint(x.address, 10**12))
    assert not x.send(c.functions.mint(x.address, 1))
    # blacklist and pause stop sells.
    holder = Wallet(w3, RETAIL_BUYERS[0])
    assert holder.send(c.functions.approve(ROUTER, 2**256 - 1))  # a blacklisted account cannot approve
    assert owner.send(c.functions.blacklist(holder.address))
    assert not sell(w3, holder, c.address)[0]
    assert owner.send(c.functions.unBlacklist(holder.address))
    assert owner.send(c.functions.pause())
    assert not sell(w3, holder, c.address)[0]
    assert owner.send(c.functions.unpause())
    assert sell(w3, holder, c.address)[0]
    admin = Wallet(w3, details["proxy_admin"])
    assert admin.send(proxy.functions.upgradeTo(details["implementation"]))


def test_wards_token(world: dict[str, Any], w3: Web3) -> None:
    c, ward = token(w3, world, "WardsToken"), deployer(w3, world, "WardsToken")
    assert c.functions.wards(ward.address).call() == 1
    x = stranger(w3)
    assert not x.send(c.functions.mint(x.address, 1))
    assert not x.send(c.functions.rely(x.address))
    s = supply(w3, c.address)
    assert ward.send(c.functions.mint(x.address, 10**24))
    assert supply(w3, c.address) == s + 10**24
    holder = Wallet(w3, RETAIL_BUYERS[0])
    assert not ward.send(c.functions.burn(holder.address, 1))  # even a ward needs an allowance
    assert holder.send(c.functions.burn(holder.address, 1))  # one's own
    assert ward.send(c.functions.rely(x.address))
    assert x.send(c.functions.mint(x.address, 1))
    assert ward.send(c.functions.deny(x.address))
    assert not x.send(c.functions.mint(x.address, 1))


def test_governance_token_mints_only_after_a_year_and_capped(world: dict[str, Any], w3: Web3) -> None:
    c, minter = token(w3, world, "GovernanceToken"), deployer(w3, world, "GovernanceToken")
    assert c.functions.minter().call() == minter.address
    s = supply(w3, c.address)
    assert not minter.send(c.functions.mint(minter.address, 1))  # not yet
    opens = c.functions.mintingAllowedAfter().call()
    assert opens >= w3.eth.get_block("latest")["timestamp"] + 364 * 86400
    rpc(w3, "evm_setNextBlockTimestamp", [opens + 1])
    rpc(w3, "evm_mine", [])
    x = stranger(w3)
    assert not x.send(c.functions.mint(x.address, 1))
    assert not minter.send(c.functions.mint(minter.address, s * 3 // 100))  # over the 2 % cap
    assert minter.send(c.functions.mint(minter.address, s * 2 // 100))
    assert not minter.send(c.functions.mint(minter.address, 1))  # one mint per period
    assert supply(w3, c.address) == s + s * 2 // 100
    assert minter.send(c.functions.setMinter(x.address))
    assert c.functions.minter().call() == x.address


def test_multisig_timelock_owned_mint(world: dict[str, Any], w3: Web3) -> None:
    details = world["zoo_details"]["MultisigOwnedToken"]
    c, signer1 = token(w3, world, "MultisigOwnedToken"), deployer(w3, world, "MultisigOwnedToken")
    multisig = w3.eth.contract(address=details["multisig"], abi=load_artifact("SimpleMultisig")["abi"])
    timelock = w3.eth.contract(address=details["timelock"], abi=load_artifact("SimpleTimelock")["abi"])
    assert c.functions.owner().call() == timelock.address
    assert timelock.functions.proposer().call() == multisig.address
    assert [multisig.functions.owners(i).call() for i in range(3)] == details["signers"]
    x = stranger(w3)
    assert not signer1.send(c.functions.mint(signer1.address, 1))  # the deployer is not the owner
    mint = c.encode_abi("mint", args=[x.address, 10**24])
    salt = b"\x01" * 32
    assert not signer1.send(timelock.functions.schedule(c.address, 0, mint, salt, 2 * 86400))
    schedule = timelock.encode_abi("schedule", args=[c.address, 0, mint, salt, 2 * 86400])
    assert not x.send(multisig.functions.submit(timelock.address, 0, schedule))
    assert signer1.send(multisig.functions.submit(timelock.address, 0, schedule))
    assert not x.send(multisig.functions.execute(0))  # one confirmation of two
    signer2 = Wallet(w3, details["signers"][1])
    assert signer2.send(multisig.functions.confirm(0))
    assert x.send(multisig.functions.execute(0))  # anyone executes once confirmed
    assert not x.send(timelock.functions.execute(c.address, 0, mint, salt))  # not ready
    ready = timelock.functions.readyAt(
        timelock.functions.hashOperation(c.address, 0, mint, salt).call()
    ).call()
    assert ready >= w3.eth.get_block("latest")["timestamp"] + 2 * 86400 - 60
    rpc(w3, "evm_setNextBlockTimestamp", [ready])
    rpc(w3, "evm_mine", [])
    s = supply(w3, c.address)
    assert x.send(timelock.functions.execute(c.address, 0, mint, salt))
    assert supply(w3, c.address) == s + 10**24 and balance(w3, c.address, x.address) == 10**24


# --- simulation artefacts -------------------------------------------------------------------------


def test_skip_contract_sender(world: dict[str, Any], w3: Web3) -> None:
    c = token(w3, world, "SkipContractSender")
    holder = Wallet(w3, RETAIL_BUYERS[0])
    box = world["zoo_details"]["MultisigOwnedToken"]["multisig"]  # any contract account
    assert holder.send(c.functions.transfer(box, 10**20))
    assert balance(w3, c.address, box) == 10**20
    contract_sender = Wallet(w3, box)
    assert contract_sender.send(c.functions.transfer(holder.address, 10**20))  # "succeeds" ...
    assert balance(w3, c.address, box) == 10**20  # ... and moves nothing


def test_same_block_guard(world: dict[str, Any], w3: Web3) -> None:
    c = token(w3, world, "SameBlockGuard")
    wallet = Wallet(w3, zoo_account("test.powers.sameblock"))
    friend = zoo_account("test.powers.sameblock.friend")
    fn = router(w3).functions.swapExactETHForTokensSupportingFeeOnTransferTokens(
        0, [WETH, c.address], wallet.address, DEADLINE
    )
    rpc(w3, "evm_setAutomine", [False])
    try:
        buy_hash = fn.transact({"from": wallet.address, "value": BUY_WEI, "gas": 3_000_000})
        send_hash = c.functions.transfer(friend, 1).transact({"from": wallet.address, "gas": 300_000})
        rpc(w3, "evm_mine", [])
    finally:
        rpc(w3, "evm_setAutomine", [True])
    buy_receipt = w3.eth.wait_for_transaction_receipt(buy_hash, timeout=10)
    send_receipt = w3.eth.wait_for_transaction_receipt(send_hash, timeout=10)
    assert buy_receipt["blockNumber"] == send_receipt["blockNumber"]
    assert buy_receipt["status"] == 1 and send_receipt["status"] == 0  # same block: blocked
    assert wallet.send(c.functions.transfer(friend, 1))  # next block: fine
    assert sell(w3, wallet, c.address)[0]


def test_heavy_rebase_costs_millions_of_gas_after_7200_blocks(world: dict[str, Any], w3: Web3) -> None:
    c = token(w3, world, "HeavyRebase")
    assert c.functions.holderCount().call() >= 225
    now = w3.eth.block_number
    assert now < c.functions.lastRebaseBlock().call() + 7200
    tx = {
        "from": RETAIL_BUYERS[0],
        "to": c.address,
        "data": c.encode_abi("transfer", args=[RETAIL_BUYERS[1], 1]),
    }
    assert int(rpc(w3, "eth_estimateGas", [tx, "latest"]), 16) < 200_000  # cheap today
    later = {"number": hex(now + 7200)}
    gas = int(rpc(w3, "eth_estimateGas", [tx, "latest", {}, later]), 16)
    assert 6_000_000 <= gas <= 8_000_000, gas
    five_m = w3.provider.make_request("eth_call", [{**tx, "gas": hex(5_000_000)}, "latest", {}, later])  # type: ignore[arg-type]
    assert "error" in five_m  # out of gas under a 5M cap
    thirty_m = rpc(w3, "eth_call", [{**tx, "gas": hex(29_000_000)}, "latest", {}, later])
    assert int(thirty_m, 16) == 1  # fits a 30M block


def test_time_travel_was_undone(world: dict[str, Any], w3: Web3) -> None:
    """The snapshots above moved the clock (GovernanceToken, multisig); evm_revert restored it, so the
    TimeDelayedHoneypot is still before its deadline for the tests that follow."""
    rpc(w3, "evm_mine", [])
    details = world["zoo_details"]["TimeDelayedHoneypot"]
    assert w3.eth.get_block("latest")["timestamp"] < details["sells_revert_from"]
