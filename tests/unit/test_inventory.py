"""The function inventory (evmole) on recorded bytecode: the zoo's compiled runtime code."""

from __future__ import annotations

import json
import time
from pathlib import Path

from moneygrow.chain import bytecode as bc
from moneygrow.chain.inventory import inventory

ARTIFACTS = Path(__file__).resolve().parents[2] / "contracts" / "artifacts"


def runtime(name: str) -> bytes:
    return bytes.fromhex(json.loads((ARTIFACTS / f"{name}.json").read_text())["deployedBytecode"][2:])


def test_balance_mapping_supply_and_transfer_path_of_the_scam_token() -> None:
    inv = inventory(runtime("ScamToken"))
    assert inv.error is None and len(inv.functions) >= 20
    assert {inv.variable(k).type for k in inv.balance_keys} == {"mapping(address => uint256)"}  # type: ignore[union-attr]
    assert inv.supply_keys == {"0x2"}
    # the blacklist mapping, the sell tax and the pair are what transfer's conditions read
    assert {"0x9", "0x4", "0x5"} <= inv.transfer_path_keys
    assert inv.balance_keys.isdisjoint(inv.transfer_path_keys)
    labels = {fn.label for fn in inv.candidates()}
    assert {"mint(address,uint256)", "blacklist(address)", "setSellTax(uint256)"} <= labels
    assert "transfer(address,uint256)" not in labels  # the standard path is not a power


def test_a_disguised_mint_is_a_guarded_writer_of_balances_and_supply() -> None:
    inv = inventory(runtime("DisguisedMint"))
    (fn,) = [f for f in inv.candidates() if f.writes & inv.balance_keys]
    assert fn.name is None and fn.arguments == ("uint256",)  # no known name: found by what it writes
    assert fn.writes & inv.supply_keys and inv.guarded(fn)


def test_an_underscore_blacklist_writes_state_the_transfer_path_reads() -> None:
    inv = inventory(runtime("UnderscoreBlacklist"))
    (fn,) = inv.candidates()
    assert fn.arguments == ("address", "bool") and fn.name is None
    written = [inv.variable(k) for k in fn.writes & inv.transfer_path_keys]
    assert [v.type for v in written if v] == ["mapping(address => bool)"]


def test_a_plain_token_has_no_candidates() -> None:
    assert inventory(runtime("PlainToken")).candidates() == []


def test_a_standard_selector_is_still_a_candidate_when_it_is_self_service() -> None:
    inv = inventory(runtime("MislabelledBurn"))  # burn(uint256) that mints for the owner
    assert "burn(uint256)" in {fn.label for fn in inv.candidates()}


def test_garbage_and_empty_code_give_an_empty_inventory_not_a_crash() -> None:
    assert inventory(b"").error == "no code"
    junk = inventory(bytes(range(256)) * 40)
    assert junk.candidates() == [] or junk.error is None


def test_a_contract_with_200_functions_is_read_in_bounded_time() -> None:
    # A dispatcher of 200 selectors, each jumping to a block that writes its own slot.
    body, blocks = b"", b""
    base = 6 * 200 + 16
    for i in range(200):
        sel = (0x10000000 + i).to_bytes(4, "big")
        dest = base + 5 * i
        body += b"\x80\x63" + sel + b"\x14\x61" + dest.to_bytes(2, "big") + b"\x57"
        blocks += b"\x5b\x60" + bytes([i % 256]) + b"\x55\x00"
    code = b"\x60\x00\x35\x60\xe0\x1c" + body + b"\x00" * (base - 6 - len(body)) + blocks
    start = time.perf_counter()
    inv = inventory(code)
    assert time.perf_counter() - start < 5
    assert inv.error is None


def test_hard_coded_admin_compared_with_the_caller() -> None:
    admin = bytes.fromhex("68ef358e99f87cf3eadf47b58cec60e6d674e845")
    code = b"\x73" + admin + b"\x33\x14\x60\x00\x57"  # PUSH20 admin CALLER EQ PUSH1 0 JUMPI
    assert bc.addresses_compared_with_caller(code) == {"0x" + admin.hex()}
    immutable = b"\x7f" + admin.rjust(32, b"\0") + b"\x33\x14"  # an immutable is a PUSH32
    assert bc.addresses_compared_with_caller(immutable) == {"0x" + admin.hex()}
    mask = b"\x73" + b"\xff" * 20 + b"\x16\x33\x14"  # the address mask is not an admin
    assert bc.addresses_compared_with_caller(mask) == set()
