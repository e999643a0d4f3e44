"""Feature extraction on hand-assembled bytecode."""

from __future__ import annotations

import pytest

from moneygrow.ml.features import (
    FEATURE_NAMES,
    extract_features,
    function_selectors,
    instructions,
    matched_privileged_signatures,
    read_metadata,
    selector,
    strip_metadata,
    vectorize,
)

OP = {
    "STOP": 0x00,
    "EQ": 0x14,
    "SHR": 0x1C,
    "CALLDATALOAD": 0x35,
    "CALLER": 0x33,
    "ORIGIN": 0x32,
    "TIMESTAMP": 0x42,
    "MSTORE": 0x52,
    "SSTORE": 0x55,
    "JUMPI": 0x57,
    "JUMPDEST": 0x5B,
    "DUP1": 0x80,
    "CALL": 0xF1,
    "DELEGATECALL": 0xF4,
    "SELFDESTRUCT": 0xFF,
    "AND": 0x16,
}


def push(value: int, width: int) -> bytes:
    return bytes([0x5F + width]) + value.to_bytes(width, "big")


def asm(*parts: str | bytes) -> bytes:
    return b"".join(bytes([OP[p]]) if isinstance(p, str) else p for p in parts)


def dispatcher(*signatures: str) -> bytes:
    out = asm(push(0x80, 1), push(0x40, 1), "MSTORE", push(0, 1), "CALLDATALOAD", push(0xE0, 1), "SHR")
    for sig in signatures:
        out += asm("DUP1", push(selector(sig), 4), "EQ", push(0x0100, 2), "JUMPI")
    return out


def cbor_ipfs_solc(major: int, minor: int, patch: int) -> bytes:
    body = (
        b"\xa2"
        + b"\x64ipfs"
        + b"\x58\x22"
        + b"\x12\x20"
        + bytes(32)
        + b"\x64solc"
        + b"\x43"
        + bytes([major, minor, patch])
    )
    return body + len(body).to_bytes(2, "big")


def cbor_bzzr0() -> bytes:
    body = b"\xa1" + b"\x65bzzr0" + b"\x58\x20" + bytes(32)
    return body + len(body).to_bytes(2, "big")


def test_selector_matches_known_values() -> None:
    assert selector("transfer(address,uint256)") == 0xA9059CBB
    assert selector("mint(address,uint256)") == 0x40C10F19


def test_walk_skips_push_immediates() -> None:
    code = asm(push(0xFFFF, 2), "SELFDESTRUCT")  # the 0xff bytes inside PUSH2 are data, not opcodes
    ops = [i.op for i in instructions(code)]
    assert ops == [0x61, 0xFF]
    assert extract_features(code)["selfdestruct_per_kb"] == pytest.approx(1 / (4 / 1024))


def test_truncated_push_at_end_does_not_crash() -> None:
    walk = instructions(b"\x63\x01\x02")
    assert len(walk) == 1 and walk[0].arg == b"\x01\x02"


def test_selectors_and_privileged_groups() -> None:
    code = dispatcher("transfer(address,uint256)", "balanceOf(address)", "mint(address,uint256)", "pause()")
    code += asm("JUMPDEST", "CALLER", "SSTORE", "STOP") + cbor_ipfs_solc(0, 8, 19)
    sels = function_selectors(instructions(strip_metadata(code)))
    assert selector("mint(address,uint256)") in sels
    assert len(sels) == 4

    f = extract_features(code)
    assert list(f) == list(FEATURE_NAMES)
    assert f["n_selectors"] == 4
    assert f["erc20_selectors"] == 2
    assert f["has_mint"] == 1.0
    assert f["has_pause"] == 1.0
    assert f["has_blacklist"] == 0.0
    assert f["caller_per_kb"] > 0 and f["sstore_per_kb"] > 0
    assert f["call_per_kb"] == 0.0
    assert matched_privileged_signatures(code) == {"mint": ["mint(address,uint256)"], "pause": ["pause()"]}


def test_mask_push4_is_not_a_selector() -> None:
    code = asm(push(0xFFFFFFFF, 4), "AND", push(0x12345678, 4), "CALLER", "EQ")
    assert function_selectors(instructions(code)) == set()


def test_opcode_rates_are_per_kilobyte_of_code_without_metadata() -> None:
    body = asm("CALL", "DELEGATECALL", "ORIGIN", "TIMESTAMP") + bytes(1020)  # 1024 bytes of code
    f = extract_features(body + cbor_ipfs_solc(0, 8, 0))
    assert f["code_kb"] == pytest.approx(1.0)
    for name in ("call_per_kb", "delegatecall_per_kb", "origin_per_kb", "timestamp_per_kb"):
        assert f[name] == pytest.approx(1.0)


def test_metadata_solc_version_and_era() -> None:
    meta = read_metadata(dispatcher() + cbor_ipfs_solc(0, 8, 19))
    assert meta.solc_version == "0.8.19"
    assert meta.hash_kind == "ipfs"
    assert meta.compiler_era == ">=0.6"
    assert meta.compiler_epoch == ">=0.6"
    assert read_metadata(dispatcher() + cbor_ipfs_solc(0, 5, 17)).compiler_era == "<0.6"


def test_metadata_without_solc_field_is_old_compiler() -> None:
    legacy = asm(push(0x60, 1), push(0x40, 1), "MSTORE", "STOP") + cbor_bzzr0()
    meta = read_metadata(legacy)
    assert meta.solc_version is None and meta.hash_kind == "bzzr0"
    assert meta.compiler_era == "<0.6"
    assert meta.compiler_epoch == "<0.4.22"
    assert read_metadata(dispatcher() + cbor_bzzr0()).compiler_epoch == "0.4.22-0.5.x"


def test_no_or_garbage_metadata() -> None:
    for code in (b"", asm("STOP"), asm("CALLER", "CALLER", "CALLER") + b"\x00\x02"):
        meta = read_metadata(code)
        assert meta.solc_version is None and meta.metadata_length == 0
        assert set(extract_features(code)) == set(FEATURE_NAMES)


def test_metadata_is_not_a_feature() -> None:
    assert not any("solc" in n or "era" in n or "version" in n for n in FEATURE_NAMES)
    assert extract_features(dispatcher() + cbor_ipfs_solc(0, 8, 19)) == extract_features(
        dispatcher() + cbor_ipfs_solc(0, 4, 24)
    )


def test_vectorize_orders_by_names() -> None:
    f = extract_features(dispatcher("mint(uint256)"))
    assert vectorize(f, ["has_mint", "n_selectors"]) == [1.0, 1.0]
    with pytest.raises(KeyError):
        vectorize(f, ["not_a_feature"])
