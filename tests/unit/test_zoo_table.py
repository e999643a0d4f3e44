"""The zoo's expectation table (devstack.zoo.ZOO) is well-formed and matches the zoo's sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from devstack.zoo import FINDING_TYPES, LAUNCHES, ZOO, ZOO_OTHER_CHAINS
from moneygrow.chain.networks import NETWORKS
from moneygrow.chains import Chain

ZOO_SOURCES = Path(__file__).resolve().parents[2] / "contracts" / "src" / "zoo"

# The patterns issue 7 asks for (plus the benign WETH-like wrapper).
REQUIRED = {
    "PlainToken",
    "FeeToken",
    "HighSellTax",
    "Honeypot",
    "BlacklistAfterBuy",
    "Mintable",
    "Pausable",
    "MaxTxTrap",
    "TradingToggle",
    "UpgradeableProxy",
    "HiddenOwner",
    "TimeDelayedHoneypot",
    "WrappedNative",
}


def test_the_zoo_has_every_required_pattern() -> None:
    assert set(ZOO) >= REQUIRED
    assert set(LAUNCHES) == set(ZOO)


@pytest.mark.parametrize("name", sorted(ZOO))
def test_entry_is_well_formed(name: str) -> None:
    entry = ZOO[name]
    assert (ZOO_SOURCES / f"{name}.sol").is_file()
    assert set(entry) == {"expected", "allowed", "critical", "benign", "central", "lp", "notes"}
    assert set(entry["expected"]) <= set(FINDING_TYPES)
    assert set(entry["allowed"]) <= set(FINDING_TYPES)
    assert not set(entry["expected"]) & set(entry["allowed"])
    assert not (entry["critical"] and entry["benign"])
    assert entry["lp"] in {"burnt", "kept"}
    assert entry["notes"]
    if entry["benign"]:
        assert set(entry["expected"]) <= {"transfer_tax"}
    if entry["central"]:  # legitimate issuer powers: never a trap, never harmless either
        assert not entry["critical"] and not entry["benign"]


# Finding types that are only ever acceptable, never required (FeeRatio's measured 2 % sell tax).
ALLOWED_ONLY = {"sell_tax", "rug_pull_toolkit"}


def test_every_finding_type_is_exercised() -> None:
    used = {t for e in ZOO.values() for t in e["expected"]}
    assert used == set(FINDING_TYPES) - ALLOWED_ONLY
    assert {t for e in ZOO.values() for t in e["allowed"]} >= ALLOWED_ONLY


@pytest.mark.parametrize("name", sorted(ZOO_OTHER_CHAINS))
def test_other_chain_entry_is_well_formed(name: str) -> None:
    entry = ZOO_OTHER_CHAINS[name]
    assert Chain(entry["chain"]) in NETWORKS and entry["chain"] != Chain.ETHEREUM.value
    assert set(entry["expected"]) | set(entry["allowed"]) <= set(FINDING_TYPES)
    assert not (entry["critical"] and entry["benign"])
    assert name not in ZOO
