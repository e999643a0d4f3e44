"""Pure bytecode inspection: opcode walk, dispatcher selectors, risky functions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_utils.crypto import keccak

from moneygrow.chain.bytecode import (
    EIP1967_IMPLEMENTATION_SLOT,
    RISKY_FUNCTIONS,
    function_selectors,
    has_opcode,
    instructions,
    minimal_proxy_target,
    missing_erc20_functions,
    opcode_names,
    references_eip1967_slot,
    risky_functions,
    selector,
    strip_metadata,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "contracts" / "artifacts"


def runtime(name: str) -> bytes:
    return bytes.fromhex(json.loads((ARTIFACTS / f"{name}.json").read_text())["deployedBytecode"][2:])


def abi_selectors(name: str) -> set[str]:
    abi = json.loads((ARTIFACTS / f"{name}.json").read_text())["abi"]
    return {
        selector(f"{f['name']}({','.join(i['type'] for i in f['inputs'])})")
        for f in abi
        if f["type"] == "function"
    }


def test_selector_is_keccak_of_signature() -> None:
    assert selector("transfer(address,uint256)") == "0xa9059cbb"
    assert selector("balanceOf(address)") == "0x70a08231"
    assert selector("mint(address,uint256)") == "0x" + keccak(text="mint(address,uint256)")[:4].hex()


def test_walk_skips_push_data() -> None:
    # PUSH2 0xff00 (0xff would be SELFDESTRUCT if read as code), PUSH1 0xf4, STOP
    code = bytes.fromhex("61ff0060f400")
    ins = list(instructions(code))
    assert [i.name for i in ins] == ["PUSH2", "PUSH1", "STOP"]
    assert ins[0].push_data == b"\xff\x00" and ins[1].pc == 3
    assert not has_opcode(code, "SELFDESTRUCT")
    assert not has_opcode(code, "DELEGATECALL")


def test_real_opcodes_are_found() -> None:
    code = bytes.fromhex("6000ff") + bytes.fromhex("5af4")  # PUSH1 0 SELFDESTRUCT GAS DELEGATECALL
    assert has_opcode(code, "SELFDESTRUCT")
    assert has_opcode(code, "delegatecall")
    assert {"PUSH1", "SELFDESTRUCT", "GAS", "DELEGATECALL"} <= opcode_names(code)


def test_truncated_push_at_end_does_not_crash() -> None:
    assert [i.name for i in instructions(bytes.fromhex("7f0102"))] == ["PUSH32"]


def test_unknown_opcode_name_is_rejected() -> None:
    with pytest.raises(ValueError):
        has_opcode(b"\x00", "NOPE")


def test_selectors_from_handwritten_dispatcher() -> None:
    # DUP1 PUSH4 a9059cbb EQ PUSH2 0010 JUMPI | DUP1 PUSH4 40c10f19 GT ... | PUSH4 08c379a0 PUSH1 e0 SHL
    code = bytes.fromhex("8063a9059cbb1461001057806340c10f1911610020576308c379a060e01b63ffffffff8114")
    assert function_selectors(code) == {"0xa9059cbb", "0x40c10f19"}


@pytest.mark.parametrize("name", ["DemoToken", "ScamToken"])
def test_selectors_of_compiled_contracts_match_their_abi(name: str) -> None:
    assert function_selectors(runtime(name)) == abi_selectors(name)


def test_metadata_trailer_is_stripped() -> None:
    code = runtime("DemoToken")
    stripped = strip_metadata(code)
    assert len(stripped) < len(code) and code.startswith(stripped)
    assert strip_metadata(b"\x60\x00") == b"\x60\x00"


def test_risky_functions_of_the_scam_token() -> None:
    found = risky_functions(function_selectors(runtime("ScamToken")))
    assert found["mint"] == ["mint(address,uint256)"]
    assert found["blacklist"] == ["blacklist(address)"]
    assert found["fee"] == ["setSellTax(uint256)"]
    assert found["pause"] == ["setTradingPaused(bool)"]
    assert "upgrade" not in found


def test_honest_token_exposes_nothing_risky_and_is_a_full_erc20() -> None:
    sels = function_selectors(runtime("DemoToken"))
    assert risky_functions(sels) == {}
    assert missing_erc20_functions(sels) == []
    assert "transferFrom(address,address,uint256)" in missing_erc20_functions(
        {selector("transfer(address,uint256)")}
    )


def test_risky_table_is_consistent() -> None:
    for sel, fn in RISKY_FUNCTIONS.items():
        assert sel == selector(fn.signature) == fn.selector
    cats = {fn.category for fn in RISKY_FUNCTIONS.values()}
    assert {"mint", "blacklist", "pause", "fee", "upgrade", "ownership"} <= cats
    assert {"whitelist", "trading", "launch", "limit", "balance", "reclaim"} <= cats
    assert len({fn.selector for fn in RISKY_FUNCTIONS.values()}) == len(RISKY_FUNCTIONS)


def test_proxy_slots_are_the_standard_hashes() -> None:
    from moneygrow.chain import bytecode as bc

    def slot(label: str, minus_one: bool = True) -> int:
        return int.from_bytes(keccak(text=label), "big") - (1 if minus_one else 0)

    assert slot("eip1967.proxy.admin") == bc.EIP1967_ADMIN_SLOT
    assert slot("eip1967.proxy.beacon") == bc.EIP1967_BEACON_SLOT
    assert slot("PROXIABLE", minus_one=False) == bc.EIP1822_PROXIABLE_SLOT
    assert slot("org.zeppelinos.proxy.implementation", minus_one=False) == bc.ZOS_IMPLEMENTATION_SLOT
    assert slot("org.zeppelinos.proxy.admin", minus_one=False) == bc.ZOS_ADMIN_SLOT


def test_slots_compared_with_the_caller() -> None:
    from moneygrow.chain.bytecode import slots_compared_with_caller

    # PUSH1 6 SLOAD CALLER EQ: require(stored == msg.sender); PUSH1 7 SLOAD alone: a plain read
    assert slots_compared_with_caller(bytes.fromhex("6006543314")) == {6}
    assert slots_compared_with_caller(bytes.fromhex("600754" + "5b" * 30 + "3314")) == set()
    assert slots_compared_with_caller(bytes.fromhex("5f54331400")) == {0}  # PUSH0 SLOAD
    assert 3 in slots_compared_with_caller(runtime("ScamToken"))  # onlyOwner reads `owner` (slot 3)


def test_eip1967_slot_detection() -> None:
    assert (
        int.from_bytes(keccak(text="eip1967.proxy.implementation"), "big") - 1 == EIP1967_IMPLEMENTATION_SLOT
    )
    code = b"\x7f" + EIP1967_IMPLEMENTATION_SLOT.to_bytes(32, "big") + b"\x54"  # PUSH32 slot SLOAD
    assert references_eip1967_slot(code)
    assert not references_eip1967_slot(runtime("ScamToken"))


def test_minimal_proxy_target() -> None:
    impl = "5fbdb2315678afecb367f032d93f642f64180aa3"
    clone = bytes.fromhex("363d3d373d3d3d363d73" + impl + "5af43d82803e903d91602b57fd5bf3")
    assert minimal_proxy_target(clone) == "0x" + impl
    assert minimal_proxy_target(runtime("DemoToken")) is None
